import * as fs from 'fs';
import * as path from 'path';
import * as cdk from 'aws-cdk-lib';
import { Annotations as CoreAnnotations, App, Aspects, CfnParameter, Stack, Validations } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as autoscaling from 'aws-cdk-lib/aws-autoscaling';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as ts from 'typescript';
import {
  GoldenImage,
  GoldenImageEcsCapacity,
  ImageRecipe,
  ImageResolution,
  RecipeComponent,
  RequireGoldenImages,
  RequireGoldenImagesProps,
  UnapprovedImageSeverity,
} from '../src';
import * as goldenAmi from '../src';
import { newStack } from './util';

const AMI_PARAMETER_TYPE = 'AWS::SSM::Parameter::Value<AWS::EC2::Image::Id>';
const UNAPPROVED = /must launch from a golden image/;

/** A stack of an app that requires golden images. */
function guardedStack(props?: RequireGoldenImagesProps): Stack {
  const stack = newStack();
  Aspects.of(stack.node.root).add(new RequireGoldenImages(props));
  return stack;
}

/** The paths of the resources that got an unapproved-image error. */
function refused(stack: Stack): string[] {
  return Annotations.fromStack(stack).findError('*', Match.stringLikeRegexp(UNAPPROVED.source)).map(m => m.id);
}

/** The one unapproved-image error of the stack. */
function onlyError(stack: Stack): { id: string; message: string } {
  const errors = Annotations.fromStack(stack).findError('*', Match.anyValue());
  expect(errors).toHaveLength(1);
  return { id: errors[0].id, message: String(errors[0].entry.data) };
}

function cfnInstance(stack: Stack, imageId: string): ec2.CfnInstance {
  const instance = new ec2.CfnInstance(stack, 'Instance', { imageId, instanceType: 't3.micro' });
  // RunInstances takes resolve:ssm: (https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/using-systems-manager-parameter-to-find-AMI.html);
  // the validator's AMI ID format knows it for launch templates only (cfn-lint issue 3329).
  Validations.of(instance).acknowledge({ id: 'CloudFormation-Validate::E1152', reason: 'EC2 resolves resolve:ssm: image IDs at launch' });
  return instance;
}

function amiParameter(stack: Stack, defaultName: string, type: string = AMI_PARAMETER_TYPE): string {
  return new CfnParameter(stack, 'ImageParameter', { type, default: defaultName }).valueAsString;
}

function vpc(stack: Stack): ec2.Vpc {
  return new ec2.Vpc(stack, 'Vpc', { availabilityZones: ['eu-west-1a', 'eu-west-1b'], natGateways: 0 });
}

describe('each resource kind', () => {
  test('an EC2 instance on resolve:ssm: under the prefix passes; on a literal AMI ID it fails, named by its path', () => {
    const good = guardedStack();
    cfnInstance(good, 'resolve:ssm:/golden-ami/base/latest');
    expect(refused(good)).toEqual([]);

    const bad = guardedStack();
    cfnInstance(bad, 'ami-0123456789abcdef0');
    const error = onlyError(bad);
    expect(error.id).toBe('/Stack/Instance');
    expect(error.message).toBe("EC2 instance Stack/Instance must launch from a golden image: its image is 'ami-0123456789abcdef0', a value fixed at synth (a literal AMI ID or a lookup). "
      + `Approved: resolve:ssm:NAME (read at launch), {{resolve:ssm:NAME}} or a template parameter of type ${AMI_PARAMETER_TYPE} defaulting to NAME, `
      + "where NAME is under '/golden-ami/'; GoldenImage.fromParameterName(...).machineImage() gives one");
  });

  test('a launch template on an approved parameter passes; on another parameter it fails; with no image it passes', () => {
    const good = guardedStack();
    new ec2.CfnLaunchTemplate(good, 'Template', { launchTemplateData: { imageId: 'resolve:ssm:/golden-ami/base/latest' } });
    new ec2.CfnLaunchTemplate(good, 'NoImage', { launchTemplateData: { instanceType: 't3.micro' } });
    expect(refused(good)).toEqual([]);

    const bad = guardedStack();
    new ec2.CfnLaunchTemplate(bad, 'Template', { launchTemplateData: { imageId: 'resolve:ssm:/team/app/ami' } });
    const error = onlyError(bad);
    expect(error.id).toBe('/Stack/Template');
    expect(error.message).toMatch(/^launch template Stack\/Template must launch from a golden image: its image is 'resolve:ssm:\/team\/app\/ami', the SSM parameter '\/team\/app\/ami', which is not an approved one\./);
  });

  test('a launch configuration on an AMI-typed template parameter passes when its default is approved, fails otherwise', () => {
    const good = guardedStack();
    new autoscaling.CfnLaunchConfiguration(good, 'Config', { imageId: amiParameter(good, '/golden-ami/base/latest'), instanceType: 't3.micro' });
    expect(refused(good)).toEqual([]);

    const bad = guardedStack();
    new autoscaling.CfnLaunchConfiguration(bad, 'Config', { imageId: amiParameter(bad, '/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64'), instanceType: 't3.micro' });
    const error = onlyError(bad);
    expect(error.id).toBe('/Stack/Config');
    expect(error.message).toContain("its image is the template parameter 'ImageParameter' defaulting to the SSM parameter '/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64', which is not an approved one");
  });

  test('a template parameter of another type is one a deployer fills in, and fails', () => {
    const stack = guardedStack();
    new autoscaling.CfnLaunchConfiguration(stack, 'Config', { imageId: amiParameter(stack, '/golden-ami/base/latest', 'AWS::EC2::Image::Id'), instanceType: 't3.micro' });
    expect(onlyError(stack).message).toContain("its image is the template parameter 'ImageParameter' of type 'AWS::EC2::Image::Id', which a deployer fills in");
  });

  test('Auto Scaling groups are covered through their launch templates and launch configurations', () => {
    const stack = guardedStack();
    const network = vpc(stack);
    const launchTemplate = new ec2.LaunchTemplate(stack, 'Template', {
      machineImage: ec2.MachineImage.genericLinux({ 'eu-west-1': 'ami-0123456789abcdef0' }),
      instanceType: new ec2.InstanceType('t3.micro'),
    });
    new autoscaling.AutoScalingGroup(stack, 'FromTemplate', { vpc: network, launchTemplate });
    const fromConfig = new autoscaling.AutoScalingGroup(stack, 'FromConfig', {
      vpc: network,
      instanceType: new ec2.InstanceType('t3.micro'),
      machineImage: ec2.MachineImage.genericLinux({ 'eu-west-1': 'ami-0123456789abcdef0' }),
    });
    // aws-cdk-lib makes a launch configuration or a launch template, by feature flag: either is checked.
    const groupImage = fromConfig.node.findAll().find(c => c instanceof autoscaling.CfnLaunchConfiguration || c instanceof ec2.CfnLaunchTemplate)!;
    expect(refused(stack).sort()).toEqual(['/Stack/Template/Resource', `/${groupImage.node.path}`].sort());
  });
});

describe('the forms of an approved image', () => {
  test.each([
    ['a version', 'resolve:ssm:/golden-ami/base/latest:12'],
    ['a label', 'resolve:ssm:/golden-ami/base/latest:production'],
    ['a dynamic reference', '{{resolve:ssm:/golden-ami/base/latest}}'],
    ['a dynamic reference with a version', '{{resolve:ssm:/golden-ami/base/latest:3}}'],
  ])('%s passes', (_, imageId) => {
    const stack = guardedStack();
    new ec2.CfnLaunchTemplate(stack, 'Template', { launchTemplateData: { imageId } });
    expect(refused(stack)).toEqual([]);
  });

  test.each([
    ['a name that starts with the prefix string but leaves the hierarchy', 'resolve:ssm:/golden-ami-evil/x'],
    ['the prefix without its slash', 'resolve:ssm:/golden-ami'],
    ['a shared parameter ARN (another account)', 'resolve:ssm:arn:aws:ssm:eu-west-1:999999999999:parameter/golden-ami/base/latest'],
    ['a dynamic reference outside the prefix', '{{resolve:ssm:/golden-ami-evil/x}}'],
  ])('%s fails', (_, imageId) => {
    const stack = guardedStack();
    new ec2.CfnLaunchTemplate(stack, 'Template', { launchTemplateData: { imageId } });
    expect(refused(stack)).toEqual(['/Stack/Template']);
  });
});

describe('what aws-cdk-lib machine images give', () => {
  test.each([
    ['genericLinux (a literal AMI ID)', () => ec2.MachineImage.genericLinux({ 'eu-west-1': 'ami-0123456789abcdef0' })],
    ['latestAmazonLinux2023 (an AWS public parameter, at deploy)', () => ec2.MachineImage.latestAmazonLinux2023()],
    ['fromSsmParameter on /aws/service/ (at deploy)', () => ec2.MachineImage.fromSsmParameter('/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64')],
    ['resolveSsmParameterAtLaunch on /aws/service/', () => ec2.MachineImage.resolveSsmParameterAtLaunch('/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64')],
    ['lookup (a synth-time lookup)', () => ec2.MachineImage.lookup({ name: 'al2023-ami-*' })],
    ['fromSsmParameter cached in context (a synth-time lookup of a golden parameter)', () => ec2.MachineImage.fromSsmParameter('/golden-ami/base/latest', { cachedInContext: true })],
  ])('%s fails', (_, image) => {
    const stack = guardedStack();
    const template = new ec2.LaunchTemplate(stack, 'Template', { machineImage: image() });
    // Without AWS credentials a lookup renders a dummy value, which is no AMI ID.
    Validations.of(template).acknowledge({ id: 'CloudFormation-Validate::E1152', reason: 'a lookup renders a dummy value in tests' });
    expect(refused(stack)).toEqual(['/Stack/Template/Resource']);
  });
});

describe('golden images', () => {
  test.each([ImageResolution.AT_DEPLOY, ImageResolution.AT_LAUNCH])('an imported GoldenImage.machineImage() passes at %s', resolution => {
    const stack = guardedStack();
    const image = GoldenImage.fromParameterName(stack, 'Image', '/golden-ami/base/latest');
    new ec2.LaunchTemplate(stack, 'Template', { machineImage: image.machineImage({ resolution }) });
    expect(refused(stack)).toEqual([]);
  });

  test.each([ImageResolution.AT_DEPLOY, ImageResolution.AT_LAUNCH])('a GoldenImage of the same app passes at %s, by the default prefix', resolution => {
    const stack = guardedStack();
    const image = new GoldenImage(stack, 'Image', {
      imageName: 'base',
      recipe: new ImageRecipe(stack, 'Recipe', { components: [RecipeComponent.awsManaged('update-linux')] }),
    });
    new ec2.LaunchTemplate(stack, 'Template', { machineImage: image.machineImage({ resolution }) });
    expect(refused(stack)).toEqual([]);
  });

  test('an image with its own parameter name passes when it is in images, and fails when it is not', () => {
    const check = (props: RequireGoldenImagesProps | ((image: GoldenImage) => RequireGoldenImagesProps)) => {
      const stack = newStack();
      const image = new GoldenImage(stack, 'Image', {
        recipe: new ImageRecipe(stack, 'Recipe', { components: [RecipeComponent.awsManaged('update-linux')] }),
        ssmParameterName: '/images/web/latest',
      });
      Aspects.of(stack.node.root).add(new RequireGoldenImages(typeof props === 'function' ? props(image) : props));
      new ec2.LaunchTemplate(stack, 'AtDeploy', { machineImage: image.machineImage() });
      new ec2.LaunchTemplate(stack, 'AtLaunch', { machineImage: image.machineImage({ resolution: ImageResolution.AT_LAUNCH }) });
      return refused(stack).sort();
    };
    expect(check(image => ({ images: [image], parameterPrefixes: [] }))).toEqual([]);
    expect(check({ parameterNames: ['/images/web/latest'] })).toEqual([]);
    expect(check({})).toEqual(['/Stack/AtDeploy/Resource', '/Stack/AtLaunch/Resource']);
  });

  test('an image named by a token passes when it is in images, and fails when it is not', () => {
    const check = (approve: boolean) => {
      const stack = newStack();
      const name = new CfnParameter(stack, 'ImageParameterName', { type: 'String' });
      const image = GoldenImage.fromParameterName(stack, 'Image', name.valueAsString);
      Aspects.of(stack.node.root).add(new RequireGoldenImages(approve ? { images: [image] } : {}));
      new ec2.LaunchTemplate(stack, 'Template', { machineImage: image.machineImage() });
      return refused(stack);
    };
    expect(check(true)).toEqual([]);
    expect(check(false)).toEqual(['/Stack/Template/Resource']);
  });

  test('GoldenImageEcsCapacity on a golden image passes', () => {
    const stack = guardedStack();
    new GoldenImageEcsCapacity(stack, 'Capacity', {
      cluster: new ecs.Cluster(stack, 'Cluster', { vpc: vpc(stack) }),
      image: GoldenImage.fromParameterName(stack, 'Image', '/golden-ami/ecs-app/latest'),
      instanceType: new ec2.InstanceType('m7g.large'),
    });
    expect(refused(stack)).toEqual([]);
  });
});

describe('severity', () => {
  test('WARNING gives an acknowledgeable warning and no error', () => {
    const stack = guardedStack({ severity: UnapprovedImageSeverity.WARNING });
    new ec2.CfnLaunchTemplate(stack, 'Template', { launchTemplateData: { imageId: 'ami-0123456789abcdef0' } });
    const acknowledged = new ec2.CfnLaunchTemplate(stack, 'Acknowledged', { launchTemplateData: { imageId: 'ami-0123456789abcdef0' } });
    CoreAnnotations.of(acknowledged).acknowledgeWarning('cdk-golden-ami:unapprovedImage', 'a vendor appliance, approved by security');

    const annotations = Annotations.fromStack(stack);
    expect(annotations.findError('*', Match.anyValue())).toEqual([]);
    const warnings = annotations.findWarning('*', Match.stringLikeRegexp(UNAPPROVED.source));
    expect(warnings.map(w => w.id)).toEqual(['/Stack/Template']);
    expect(String(warnings[0].entry.data)).toMatch(/\[ack: cdk-golden-ami:unapprovedImage\]$/);
  });
});

describe('props', () => {
  test.each([
    ['golden-ami/', 'must be an SSM parameter hierarchy that starts and ends with'],
    ['/golden-ami', 'must be an SSM parameter hierarchy that starts and ends with'],
    ['/', 'must be an SSM parameter hierarchy that starts and ends with'],
    ['/golden ami/', 'must be an SSM parameter hierarchy that starts and ends with'],
    ['/aws/service/', 'must not be under /aws/ or /ssm/'],
  ])('parameterPrefixes %p fails, naming the prop and the value', (prefix, reason) => {
    expect(() => new RequireGoldenImages({ parameterPrefixes: ['/ok/', prefix] }))
      .toThrow(`RequireGoldenImages parameterPrefixes[1] ${reason}`);
    expect(() => new RequireGoldenImages({ parameterPrefixes: ['/ok/', prefix] })).toThrow(`got: '${prefix}'`);
  });

  test('a token prefix or parameter name fails: both are compared with the templates at synth', () => {
    const stack = newStack();
    const token = new CfnParameter(stack, 'Prefix', { type: 'String' }).valueAsString;
    expect(() => new RequireGoldenImages({ parameterPrefixes: [token] }))
      .toThrow(/^RequireGoldenImages parameterPrefixes\[0\] must be known at synth time .*got a token: '\$\{Token\[/);
    expect(() => new RequireGoldenImages({ parameterNames: [token] }))
      .toThrow(/^RequireGoldenImages parameterNames\[0\] must be known at synth time/);
  });

  test('a parameter name that is not one fails, naming the prop and the value', () => {
    expect(() => new RequireGoldenImages({ parameterNames: ['golden-ami/base'] }))
      .toThrow("RequireGoldenImages parameterNames[0] must be a fully qualified SSM parameter name: a leading /, then letters, digits, _ . - and /, got: 'golden-ami/base'");
  });

  test('approving nothing fails', () => {
    expect(() => new RequireGoldenImages({ parameterPrefixes: [] })).toThrow(/^RequireGoldenImages approves nothing/);
  });

  test('a severity outside the enum (from an untyped language) fails, naming the prop and the value', () => {
    expect(() => new RequireGoldenImages({ severity: 'INFO' as UnapprovedImageSeverity }))
      .toThrow("RequireGoldenImages severity must be one of ERROR, WARNING, got: 'INFO'");
  });

  test('parameterPrefixes replaces the default prefix', () => {
    const stack = guardedStack({ parameterPrefixes: ['/platform/images/'] });
    new ec2.CfnLaunchTemplate(stack, 'Golden', { launchTemplateData: { imageId: 'resolve:ssm:/golden-ami/base/latest' } });
    new ec2.CfnLaunchTemplate(stack, 'Platform', { launchTemplateData: { imageId: 'resolve:ssm:/platform/images/base' } });
    expect(refused(stack)).toEqual(['/Stack/Golden']);
  });
});

describe('the README example', () => {
  /** The README block after the marker, compiled to CommonJS and run with cdk-golden-ami as src/. */
  function runReadmeExample(extra: string = ''): { app: App; stack: Stack } {
    const readme = fs.readFileSync(path.join(__dirname, '..', 'README.md'), 'utf8');
    const block = /```ts(?: nofixture)?\n([\s\S]*?)```/.exec(readme.split('<!-- require-golden-images -->')[1])![1];
    const source = `${block}\n${extra}\nexports.app = app; exports.stack = stack;\n`;
    const js = ts.transpileModule(source, { compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2020 } }).outputText;
    const exported: { app?: App; stack?: Stack } = {};
    const modules: Record<string, unknown> = { 'aws-cdk-lib': cdk, 'aws-cdk-lib/aws-ec2': ec2, 'cdk-golden-ami': goldenAmi };
    const load = (id: string) => {
      if (!(id in modules)) throw new Error(`the README example imports ${id}: add it to the modules of this test`);
      return modules[id];
    };
    new Function('require', 'exports', js)(load, exported);
    return { app: exported.app!, stack: exported.stack! };
  }

  test('synthesizes with no unapproved image, at launch and at deploy', () => {
    const { stack } = runReadmeExample();
    const template = Template.fromStack(stack);
    const imageIds = Object.values(template.findResources('AWS::EC2::LaunchTemplate')).map(lt => lt.Properties.LaunchTemplateData.ImageId);
    const parameterIds = Object.keys(template.findParameters('*', { Type: AMI_PARAMETER_TYPE, Default: '/golden-ami/al2023-base/latest' }));
    expect(imageIds).toEqual(['resolve:ssm:/golden-ami/al2023-base/latest', { Ref: parameterIds[0] }]);
    expect(Annotations.fromStack(stack).findError('*', Match.anyValue())).toEqual([]);
  });

  test('fails on the stray launch template with the message the README quotes', () => {
    const { stack } = runReadmeExample("new ec2.LaunchTemplate(stack, 'Stray', { machineImage: ec2.MachineImage.latestAmazonLinux2023() });");
    const errors = Annotations.fromStack(stack).findError('*', Match.anyValue());
    expect(errors.map(e => e.id)).toEqual(['/Workload/Stray/Resource']);
    const quoted = fs.readFileSync(path.join(__dirname, '..', 'README.md'), 'utf8')
      .split('to that app makes `cdk synth` fail with `')[1].split('`, followed by')[0].replace(/\s*\n\s*/g, ' ');
    const [before, after] = quoted.split("'...'");
    const message = String(errors[0].entry.data);
    expect(message.startsWith(before)).toBe(true);
    expect(message).toContain(after);
  });
});
