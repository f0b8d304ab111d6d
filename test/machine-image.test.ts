import { CfnParameter, Stack, Validations } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { BaseImage, GoldenImage, IGoldenImage, ImagePlatform, ImageRecipe, ImageResolution, RecipeComponent } from '../src';
import { newStack } from './util';

const AMI_PARAMETER_TYPE = 'AWS::SSM::Parameter::Value<AWS::EC2::Image::Id>';

/** A GoldenImage built in the stack, for the platform, publishing to `name`. */
function created(stack: Stack, platform: ImagePlatform, name: string): IGoldenImage {
  const windows = platform === ImagePlatform.WINDOWS;
  const recipe = new ImageRecipe(stack, 'Recipe', {
    baseImage: windows
      ? BaseImage.fromSsmParameterName('/aws/service/ami-windows-latest/Windows_Server-2022-English-Full-Base', { platform })
      : undefined,
    components: [RecipeComponent.awsManaged(windows ? 'update-windows' : 'update-linux')],
  });
  return new GoldenImage(stack, 'Image', { recipe, ssmParameterName: name });
}

/** The same image, imported in a consumer stack by its parameter name. */
function imported(stack: Stack, platform: ImagePlatform, name: string): IGoldenImage {
  return platform === ImagePlatform.LINUX
    ? GoldenImage.fromParameterName(stack, 'Image', name)
    : GoldenImage.fromGoldenImageAttributes(stack, 'Image', { ssmParameterName: name, platform });
}

const PLATFORMS: Array<[string, ImagePlatform, ec2.OperatingSystemType]> = [
  ['Linux', ImagePlatform.LINUX, ec2.OperatingSystemType.LINUX],
  ['Windows', ImagePlatform.WINDOWS, ec2.OperatingSystemType.WINDOWS],
];
const SOURCES: Array<[string, typeof created]> = [['a GoldenImage', created], ['an import by parameter name', imported]];

describe.each(PLATFORMS)('%s', (_, platform, osType) => {
  describe.each(SOURCES)('%s', (__, make) => {
    test('AT_LAUNCH: the launch template carries resolve:ssm: and the name, and no template parameter', () => {
      const stack = newStack();
      const image = make(stack, platform, '/golden-ami/web/latest');
      const machineImage = image.machineImage({ resolution: ImageResolution.AT_LAUNCH });
      new ec2.LaunchTemplate(stack, 'LaunchTemplate', { machineImage });

      const template = Template.fromStack(stack);
      template.hasResourceProperties('AWS::EC2::LaunchTemplate', {
        LaunchTemplateData: Match.objectLike({ ImageId: 'resolve:ssm:/golden-ami/web/latest' }),
      });
      expect(template.findParameters('*', { Type: AMI_PARAMETER_TYPE })).toEqual({});
      expect(machineImage.getImage(stack).osType).toBe(osType);
    });

    test('AT_DEPLOY (and the default): the image ID is a Ref to an AMI-typed template parameter defaulting to the name', () => {
      const stack = newStack();
      const image = make(stack, platform, '/golden-ami/web/latest');
      const explicit = image.machineImage({ resolution: ImageResolution.AT_DEPLOY });
      new ec2.LaunchTemplate(stack, 'Explicit', { machineImage: explicit });
      new ec2.LaunchTemplate(stack, 'Default', { machineImage: image.machineImage() });

      const template = Template.fromStack(stack);
      const parameterIds = Object.keys(template.findParameters('*', { Type: AMI_PARAMETER_TYPE, Default: '/golden-ami/web/latest' }));
      // Both share the one parameter aws-cdk-lib makes per name and stack.
      expect(parameterIds).toHaveLength(1);
      const templates = template.findResources('AWS::EC2::LaunchTemplate');
      expect(Object.values(templates).map(lt => lt.Properties.LaunchTemplateData.ImageId))
        .toEqual([{ Ref: parameterIds[0] }, { Ref: parameterIds[0] }]);
      expect(explicit.getImage(stack).osType).toBe(osType);
    });
  });

  test('a token parameter name resolves at launch by default and with AT_LAUNCH', () => {
    const stack = newStack();
    const name = new CfnParameter(stack, 'ImageParameterName', { type: 'String' });
    const image = imported(stack, platform, name.valueAsString);
    new ec2.LaunchTemplate(stack, 'Default', { machineImage: image.machineImage() });
    new ec2.LaunchTemplate(stack, 'AtLaunch', { machineImage: image.machineImage({ resolution: ImageResolution.AT_LAUNCH }) });

    const template = Template.fromStack(stack);
    expect(template.findParameters('*', { Type: AMI_PARAMETER_TYPE })).toEqual({});
    const templates = template.findResources('AWS::EC2::LaunchTemplate');
    const atLaunch = { 'Fn::Join': ['', ['resolve:ssm:', { Ref: 'ImageParameterName' }]] };
    expect(Object.values(templates).map(lt => lt.Properties.LaunchTemplateData.ImageId)).toEqual([atLaunch, atLaunch]);
  });

  test('AT_DEPLOY with a token parameter name fails, naming the option and the value', () => {
    const stack = newStack();
    const name = new CfnParameter(stack, 'ImageParameterName', { type: 'String' });
    const image = imported(stack, platform, name.valueAsString);
    expect(() => image.machineImage({ resolution: ImageResolution.AT_DEPLOY }))
      .toThrow(/^machineImage resolution AT_DEPLOY needs ssmParameterName as a literal .*use ImageResolution.AT_LAUNCH.*got: '\$\{Token\[/);
  });
});

test('an ec2.Instance on AT_LAUNCH carries resolve:ssm: as its ImageId', () => {
  const stack = newStack();
  const image = GoldenImage.fromParameterName(stack, 'Image', '/golden-ami/web/latest');
  const vpc = new ec2.Vpc(stack, 'Vpc', { availabilityZones: ['eu-west-1a', 'eu-west-1b'] });
  const instance = new ec2.Instance(stack, 'Instance', {
    vpc,
    instanceType: new ec2.InstanceType('t3.micro'),
    machineImage: image.machineImage({ resolution: ImageResolution.AT_LAUNCH }),
  });
  // RunInstances takes resolve:ssm: (https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/using-systems-manager-parameter-to-find-AMI.html);
  // the validator's AMI ID format knows it for launch templates only (cfn-lint issue 3329).
  Validations.of(instance).acknowledge({ id: 'CloudFormation-Validate::E1152', reason: 'EC2 resolves resolve:ssm: image IDs at launch' });
  Template.fromStack(stack).hasResourceProperties('AWS::EC2::Instance', { ImageId: 'resolve:ssm:/golden-ami/web/latest' });
});

test('a resolution outside the enum (from an untyped language) fails, naming the option and the value', () => {
  const stack = newStack();
  const image = GoldenImage.fromParameterName(stack, 'Image', '/golden-ami/web/latest');
  expect(() => image.machineImage({ resolution: 'AT_BOOT' as ImageResolution }))
    .toThrow("machineImage resolution must be one of AT_DEPLOY, AT_LAUNCH, got: 'AT_BOOT'");
});
