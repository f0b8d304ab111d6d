import { App, Lazy, Size, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import {
  BaseImage,
  ImageArchitecture,
  ImagePlatform,
  ImageRecipe,
  ImageRecipeProps,
  RecipeComponent,
  RootVolumeOptions,
} from '../src';
import { ENV, newStack } from './util';
import { contentVersion } from '../src/private/content-version';

const RECIPE = 'AWS::ImageBuilder::ImageRecipe';
const COMPONENT = 'AWS::ImageBuilder::Component';

function recipeResource(stack: Stack): { [key: string]: any } {
  const recipes = Object.values(Template.fromStack(stack).findResources(RECIPE));
  expect(recipes).toHaveLength(1);
  return recipes[0].Properties;
}

function expectImageBuilderVersion(version: string): void {
  expect(version).toMatch(/^\d+\.\d+\.\d+$/);
  for (const part of version.split('.')) {
    const value = Number(part);
    expect(Number.isSafeInteger(value)).toBe(true);
    expect(value).toBeLessThan(2 ** 30);
  }
}

describe('ImageRecipe with every property', () => {
  test('renders the recipe, its component and its encrypted root volume', () => {
    const stack = newStack();
    const key = new kms.Key(stack, 'Key');
    const recipe = new ImageRecipe(stack, 'Recipe', {
      recipeName: 'golden-al2023-arm',
      description: 'Golden Amazon Linux 2023 for Graviton',
      baseImage: BaseImage.amazonLinux2023(ImageArchitecture.ARM64),
      rootVolume: { size: Size.gibibytes(40), volumeType: ec2.EbsDeviceVolumeType.IO2, encryptionKey: key },
      amiTags: { 'team': 'platform', 'cost-center': '42' },
      workingDirectory: '/opt/build',
      keepSsmAgent: false,
      components: [
        RecipeComponent.awsManaged('update-linux', '1.0.2', { parameters: { exclude: 'kernel*' } }),
        RecipeComponent.fromScript({ name: 'harden', script: 'echo harden', parameters: { level: '2', profile: 'cis' } }),
      ],
    });

    expect(recipe.platform).toBe(ImagePlatform.LINUX);
    expect(recipe.imageRecipeName).toBe('golden-al2023-arm');
    expect(recipe.baseImage.parentImage).toBe('ssm:/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-arm64');
    expect(recipe.node.defaultChild).toBe(recipe.resource);

    const template = Template.fromStack(stack);
    template.resourceCountIs(RECIPE, 1);
    template.resourceCountIs(COMPONENT, 1);
    template.hasResourceProperties(RECIPE, {
      Name: 'golden-al2023-arm',
      Description: 'Golden Amazon Linux 2023 for Graviton',
      ParentImage: 'ssm:/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-arm64',
      BlockDeviceMappings: [{
        DeviceName: '/dev/xvda',
        Ebs: {
          Encrypted: true,
          DeleteOnTermination: true,
          VolumeSize: 40,
          VolumeType: 'io2',
          KmsKeyId: { 'Fn::GetAtt': [stack.getLogicalId(key.node.defaultChild as kms.CfnKey), 'Arn'] },
        },
      }],
      AmiTags: { 'team': 'platform', 'cost-center': '42' },
      WorkingDirectory: '/opt/build',
      AdditionalInstanceConfiguration: { SystemsManagerAgent: { UninstallAfterBuild: true } },
      Components: [
        {
          ComponentArn: {
            'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':imagebuilder:', { Ref: 'AWS::Region' }, ':aws:component/update-linux/1.0.2']],
          },
          Parameters: [{ Name: 'exclude', Value: ['kernel*'] }],
        },
        {
          ComponentArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^RecipeComponentharden'), 'Arn'] },
          Parameters: [{ Name: 'level', Value: ['2'] }, { Name: 'profile', Value: ['cis'] }],
        },
      ],
    });
    template.hasResourceProperties(COMPONENT, { Name: 'golden-al2023-arm-harden', Platform: 'Linux' });
    expectImageBuilderVersion(recipeResource(stack).Version);
    expect(stack.resolve(recipe.imageRecipeVersion)).toBe(recipeResource(stack).Version);
    expect(stack.resolve(recipe.imageRecipeArn)).toEqual({ 'Fn::GetAtt': [stack.getLogicalId(recipe.resource), 'Arn'] });
  });

  test.each([
    ['x86_64', ImageArchitecture.X86_64],
    ['arm64', ImageArchitecture.ARM64],
  ])('Amazon Linux 2023 %s reads the public SSM parameter', (suffix, architecture) => {
    expect(BaseImage.amazonLinux2023(architecture).parentImage)
      .toBe(`ssm:/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-${suffix}`);
  });

  test('base image from an SSM parameter name', () => {
    const stack = newStack();
    new ImageRecipe(stack, 'Recipe', {
      baseImage: BaseImage.fromSsmParameterName('/golden-ami/base/latest'),
      components: [RecipeComponent.awsManaged('update-linux')],
    });
    expect(recipeResource(stack).ParentImage).toBe('ssm:/golden-ami/base/latest');
  });

  test('base image from an SSM parameter ARN', () => {
    const arn = 'arn:aws:ssm:eu-west-1:222222222222:parameter/golden-ami/base/latest';
    expect(BaseImage.fromSsmParameterName(arn).parentImage).toBe(`ssm:${arn}`);
  });

  test('base image from an SSM parameter construct (a token)', () => {
    const stack = newStack();
    const parameter = ssm.StringParameter.fromStringParameterName(stack, 'Param', '/factory/base');
    new ImageRecipe(stack, 'Recipe', {
      baseImage: BaseImage.fromSsmParameterName(parameter.parameterName),
      components: [RecipeComponent.awsManaged('update-linux')],
    });
    expect(recipeResource(stack).ParentImage).toBe('ssm:/factory/base');
  });

  test('base image from an AMI ID', () => {
    const stack = newStack();
    new ImageRecipe(stack, 'Recipe', {
      baseImage: BaseImage.fromAmiId('ami-0123456789abcdef0'),
      components: [RecipeComponent.awsManaged('update-linux')],
    });
    const recipe = recipeResource(stack);
    expect(recipe.ParentImage).toBe('ami-0123456789abcdef0');
    expect(recipe.BlockDeviceMappings[0].DeviceName).toBe('/dev/xvda');
    expect(BaseImage.fromAmiId('ami-12345678').parentImage).toBe('ami-12345678');
  });

  test('base image from an Image Builder image ARN', () => {
    const stack = newStack();
    const arn = 'arn:aws:imagebuilder:eu-west-1:aws:image/amazon-linux-2023-x86/x.x.x';
    new ImageRecipe(stack, 'Recipe', {
      baseImage: BaseImage.fromImageArn(arn),
      components: [RecipeComponent.awsManaged('update-linux')],
    });
    expect(recipeResource(stack).ParentImage).toBe(arn);
    expect(BaseImage.fromImageArn('arn:aws:imagebuilder:eu-west-1:123456789012:image/my-golden/1.2.3/4').parentImage)
      .toBe('arn:aws:imagebuilder:eu-west-1:123456789012:image/my-golden/1.2.3/4');
  });

  test('Windows base image: root device /dev/sda1 and 30 GiB by default', () => {
    const stack = newStack();
    const recipe = new ImageRecipe(stack, 'Recipe', {
      baseImage: BaseImage.fromSsmParameterName('/aws/service/ami-windows-latest/Windows_Server-2022-English-Full-Base', {
        platform: ImagePlatform.WINDOWS,
      }),
      components: [RecipeComponent.awsManaged('update-windows')],
    });
    expect(recipe.platform).toBe(ImagePlatform.WINDOWS);
    expect(recipe.baseImage.rootDeviceName).toBe('/dev/sda1');
    expect(recipeResource(stack).BlockDeviceMappings).toEqual([{
      DeviceName: '/dev/sda1',
      Ebs: { Encrypted: true, DeleteOnTermination: true, VolumeSize: 30, VolumeType: 'gp3' },
    }]);
  });

  test('a root device name given for the base image, and one given for the volume', () => {
    const stack = newStack();
    new ImageRecipe(stack, 'Base', {
      baseImage: BaseImage.fromAmiId('ami-0123456789abcdef0', { rootDeviceName: '/dev/sda1' }),
      components: [RecipeComponent.awsManaged('update-linux')],
    });
    new ImageRecipe(stack, 'Volume', {
      baseImage: BaseImage.fromAmiId('ami-0123456789abcdef0'),
      rootVolume: { deviceName: '/dev/nvme0n1' },
      components: [RecipeComponent.awsManaged('update-linux')],
    });
    const recipes = Template.fromStack(stack).findResources(RECIPE);
    expect(Object.values(recipes).map(r => r.Properties.BlockDeviceMappings[0].DeviceName).sort()).toEqual(['/dev/nvme0n1', '/dev/sda1']);
  });
});

describe('ImageRecipe with required properties only', () => {
  test('Amazon Linux 2023 x86_64, an encrypted 8 GiB gp3 root volume, the SSM agent kept', () => {
    const stack = newStack();
    const recipe = new ImageRecipe(stack, 'Recipe');
    recipe.addComponent(RecipeComponent.awsManaged('update-linux'));
    const properties = recipeResource(stack);
    expect(properties).toEqual({
      Name: recipe.imageRecipeName,
      Version: expect.any(String),
      ParentImage: 'ssm:/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64',
      Components: [{
        ComponentArn: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':imagebuilder:', { Ref: 'AWS::Region' }, ':aws:component/update-linux/x.x.x']] },
      }],
      BlockDeviceMappings: [{
        DeviceName: '/dev/xvda',
        Ebs: { Encrypted: true, DeleteOnTermination: true, VolumeSize: 8, VolumeType: 'gp3' },
      }],
      AdditionalInstanceConfiguration: { SystemsManagerAgent: { UninstallAfterBuild: false } },
    });
    expect(recipe.imageRecipeName).toMatch(/^[-_A-Za-z0-9]{1,100}$/);
    expect(recipe.imageRecipeName).toContain('Recipe');
    expectImageBuilderVersion(properties.Version);
  });

  test('derived recipe names differ per construct and fit Image Builder', () => {
    const stack = newStack();
    const names = ['A', 'B', `Very${'Long'.repeat(40)}`].map(id =>
      new ImageRecipe(stack, id, { components: [RecipeComponent.awsManaged('update-linux')] }).imageRecipeName);
    expect(new Set(names).size).toBe(3);
    for (const name of names) {
      expect(name.length).toBeLessThanOrEqual(100);
    }
    Template.fromStack(stack).resourceCountIs(RECIPE, 3);
  });
});

describe('addComponent', () => {
  test('appends after the components given as props, in order', () => {
    const stack = newStack();
    const recipe = new ImageRecipe(stack, 'Recipe', {
      recipeName: 'ordered',
      components: [RecipeComponent.awsManaged('update-linux')],
    });
    recipe.addComponent(RecipeComponent.fromScript({ name: 'second', script: 'echo 2' }));
    recipe.addComponent(RecipeComponent.awsManaged('aws-cli-version-2-linux'));
    const components = recipeResource(stack).Components;
    expect(components).toHaveLength(3);
    expect(JSON.stringify(components[0])).toContain('component/update-linux/x.x.x');
    expect(components[1].ComponentArn['Fn::GetAtt'][0]).toMatch(/^RecipeComponentsecond/);
    expect(JSON.stringify(components[2])).toContain('component/aws-cli-version-2-linux/x.x.x');
  });

  test('changes the recipe version', () => {
    const versionWith = (extra: boolean) => {
      const stack = newStack();
      const recipe = new ImageRecipe(stack, 'Recipe', { components: [RecipeComponent.awsManaged('update-linux')] });
      if (extra) recipe.addComponent(RecipeComponent.fromScript({ name: 'extra', script: 'echo extra' }));
      return recipeResource(stack).Version;
    };
    expect(versionWith(true)).not.toBe(versionWith(false));
  });

  test('rejects a second component of the same name', () => {
    const stack = newStack();
    const recipe = new ImageRecipe(stack, 'Recipe', {
      recipeName: 'dupes',
      components: [RecipeComponent.fromScript({ name: 'install', script: 'echo 1' })],
    });
    expect(() => recipe.addComponent(RecipeComponent.fromScript({ name: 'install', script: 'echo 2' })))
      .toThrow("component name must be unique within recipe 'dupes', got a second: 'install'");
  });

  test('rejects duplicate names given as props', () => {
    const stack = newStack();
    expect(() => new ImageRecipe(stack, 'Recipe', {
      recipeName: 'dupes',
      components: [
        RecipeComponent.fromScript({ name: 'install', script: 'echo 1' }),
        RecipeComponent.fromDocument({ name: 'install', document: 'schemaVersion: 1.0\nphases: []\n' }),
      ],
    })).toThrow("component name must be unique within recipe 'dupes', got a second: 'install'");
  });
});

describe('content-derived versions', () => {
  /** A recipe with every kind of input, built in a fresh app. */
  function versionOf(overrides: Partial<ImageRecipeProps> = {}, options: { unrelatedFirst?: boolean; keyId?: string } = {}): string {
    const stack = newStack();
    if (options.unrelatedFirst) {
      // Constructs created earlier shift token numbers and logical ID counters.
      new kms.Key(stack, 'Unrelated');
      Lazy.string({ produce: () => 'x' });
      new ImageRecipe(stack, 'Other', { components: [RecipeComponent.fromScript({ name: 'other', script: 'echo other' })] });
    }
    const key = new kms.Key(stack, options.keyId ?? 'Key');
    new ImageRecipe(stack, 'Recipe', {
      recipeName: 'versioned',
      description: 'A recipe',
      baseImage: BaseImage.amazonLinux2023(),
      rootVolume: { size: Size.gibibytes(20), encryptionKey: key },
      amiTags: { team: 'platform' },
      workingDirectory: '/opt/build',
      components: [
        RecipeComponent.awsManaged('update-linux', 'x.x.x', { parameters: { exclude: 'kernel*' } }),
        RecipeComponent.fromScript({ name: 'harden', script: 'echo harden' }),
      ],
      ...overrides,
    });
    const versions = Object.entries(Template.fromStack(stack).findResources(RECIPE))
      .filter(([, resource]) => resource.Properties.Name === 'versioned')
      .map(([, resource]) => resource.Properties.Version as string);
    expect(versions).toHaveLength(1);
    expectImageBuilderVersion(versions[0]);
    return versions[0];
  }

  const same = versionOf();

  test('the same content in two separate apps has the same version', () => {
    expect(versionOf()).toBe(same);
  });

  test('constructs created before the recipe do not change its version', () => {
    expect(versionOf({}, { unrelatedFirst: true })).toBe(same);
  });

  test.each<[string, Partial<ImageRecipeProps>]>([
    ['a script', { components: [RecipeComponent.awsManaged('update-linux', 'x.x.x', { parameters: { exclude: 'kernel*' } }), RecipeComponent.fromScript({ name: 'harden', script: 'echo hardened' })] }],
    ['the base image', { baseImage: BaseImage.amazonLinux2023(ImageArchitecture.ARM64) }],
    ['the base image, to an AMI', { baseImage: BaseImage.fromAmiId('ami-0123456789abcdef0') }],
    ['the root volume size', { rootVolume: { size: Size.gibibytes(21) } as RootVolumeOptions }],
    ['a component parameter', { components: [RecipeComponent.awsManaged('update-linux', 'x.x.x', { parameters: { exclude: 'kernel' } }), RecipeComponent.fromScript({ name: 'harden', script: 'echo harden' })] }],
    ['a component parameter added', { components: [RecipeComponent.awsManaged('update-linux', 'x.x.x', { parameters: { exclude: 'kernel*', other: '1' } }), RecipeComponent.fromScript({ name: 'harden', script: 'echo harden' })] }],
    ['an AWS-managed component version', { components: [RecipeComponent.awsManaged('update-linux', '1.0.2', { parameters: { exclude: 'kernel*' } }), RecipeComponent.fromScript({ name: 'harden', script: 'echo harden' })] }],
    ['the component order', { components: [RecipeComponent.fromScript({ name: 'harden', script: 'echo harden' }), RecipeComponent.awsManaged('update-linux', 'x.x.x', { parameters: { exclude: 'kernel*' } })] }],
    ['the working directory', { workingDirectory: '/var/build' }],
    ['keeping the SSM agent', { keepSsmAgent: false }],
    ['the volume type', { rootVolume: { size: Size.gibibytes(20), volumeType: ec2.EbsDeviceVolumeType.GP2 } as RootVolumeOptions }],
    // Every property of AWS::ImageBuilder::ImageRecipe is replaced on change, and a
    // replacement under the same name and version fails: each must change the version.
    ['the description', { description: 'Another description' }],
    ['the AMI tags', { amiTags: { team: 'security' } }],
    ['a component description', { components: [RecipeComponent.awsManaged('update-linux', 'x.x.x', { parameters: { exclude: 'kernel*' } }), RecipeComponent.fromScript({ name: 'harden', script: 'echo harden', description: 'Hardening' })] }],
  ])('changing %s changes the version', (_change, overrides) => {
    expect(versionOf(overrides)).not.toBe(same);
  });

  test('a component parameter that is a token counts as what it resolves to, not as the token', () => {
    const withBucketParameter = (unrelatedFirst: boolean) => {
      const stack = newStack();
      if (unrelatedFirst) {
        // Tokens created earlier shift the token numbers in the unresolved parameter text.
        new s3.Bucket(stack, 'Unrelated');
        Lazy.string({ produce: () => 'x' });
      }
      const bucket = new s3.Bucket(stack, 'Evidence');
      const recipe = new ImageRecipe(stack, 'Recipe', {
        recipeName: 'tokens',
        components: [RecipeComponent.awsManaged('update-linux', 'x.x.x', { parameters: { bucket: bucket.bucketName } })],
      });
      return stack.resolve(recipe.imageRecipeVersion);
    };
    const first = withBucketParameter(false);
    expectImageBuilderVersion(first);
    expect(withBucketParameter(false)).toBe(first);
    expect(withBucketParameter(true)).toBe(first);
  });

  test('changing the root volume KMS key changes the version', () => {
    expect(versionOf({}, { keyId: 'OtherKey' })).not.toBe(same);
  });

  test('versions are semantic versions with every part below 2^30, whatever the content', () => {
    for (let i = 0; i < 2000; i++) {
      expectImageBuilderVersion(contentVersion(`content ${i}`, String(i * 7919)));
    }
    expect(contentVersion('a')).toBe(contentVersion('a'));
    expect(contentVersion('a', 'b')).not.toBe(contentVersion('ab'));
  });
});

describe('custom component versions', () => {
  function componentVersions(build: (stack: Stack) => void): Record<string, string> {
    const stack = newStack();
    build(stack);
    const components = Template.fromStack(stack).findResources(COMPONENT);
    return Object.fromEntries(Object.values(components).map(c => [c.Properties.Name, c.Properties.Version]));
  }

  test('change with the script and not with the rest of the recipe', () => {
    const base = componentVersions(stack => new ImageRecipe(stack, 'Recipe', {
      recipeName: 'rcp',
      components: [RecipeComponent.fromScript({ name: 'harden', script: 'echo harden' })],
    }));
    const otherRecipe = componentVersions(stack => new ImageRecipe(stack, 'Recipe', {
      recipeName: 'rcp',
      baseImage: BaseImage.amazonLinux2023(ImageArchitecture.ARM64),
      rootVolume: { size: Size.gibibytes(50) },
      keepSsmAgent: false,
      components: [
        RecipeComponent.awsManaged('update-linux'),
        RecipeComponent.fromScript({ name: 'harden', script: 'echo harden', parameters: { a: 'b' } }),
      ],
    }));
    const otherScript = componentVersions(stack => new ImageRecipe(stack, 'Recipe', {
      recipeName: 'rcp',
      components: [RecipeComponent.fromScript({ name: 'harden', script: 'echo harden more' })],
    }));
    expectImageBuilderVersion(base['rcp-harden']);
    expect(otherRecipe['rcp-harden']).toBe(base['rcp-harden']);
    expect(otherScript['rcp-harden']).not.toBe(base['rcp-harden']);
  });
});

describe('validation', () => {
  test('a recipe without components fails at synth', () => {
    const app = new App({ context: { '@aws-cdk/core:validateAgainstDefaultRules': true } });
    const stack = new Stack(app, 'Stack', { env: ENV });
    new ImageRecipe(stack, 'Recipe');
    expect(() => app.synth()).toThrow(/ImageRecipe needs at least one component/);
  });

  test('a component added after construction satisfies it', () => {
    const stack = newStack();
    const recipe = new ImageRecipe(stack, 'Recipe');
    recipe.addComponent(RecipeComponent.awsManaged('update-linux'));
    expect(() => (stack.node.root as App).synth()).not.toThrow();
  });

  test.each([['bad/name'], ['has.dot'], [' leading'], ['trailing '], ['a'.repeat(127)], [''], ['r'], ['ab']])('the recipe name %p fails', recipeName => {
    const stack = newStack();
    expect(() => new ImageRecipe(stack, 'Recipe', { recipeName, components: [RecipeComponent.awsManaged('update-linux')] }))
      .toThrow(`recipeName must be 3-126 characters of letters, digits, hyphens and underscores (spaces only inside), got: '${recipeName}'`);
  });

  test.each([['abc'], ['a b'], ['x'.repeat(126)]])('the recipe name %p is accepted and passes template validation', recipeName => {
    const stack = newStack();
    new ImageRecipe(stack, 'Recipe', { recipeName, components: [RecipeComponent.awsManaged('update-linux')] });
    expect(recipeResource(stack).Name).toBe(recipeName);
  });

  test('a custom component whose full name would pass 126 characters fails, naming both names', () => {
    const stack = newStack();
    const recipeName = 'x'.repeat(124);
    expect(() => new ImageRecipe(stack, 'Recipe', { recipeName, components: [RecipeComponent.fromScript({ name: 'cw', script: 'true' })] }))
      .toThrow(`component 'cw' of recipe '${recipeName}' gets the name '${recipeName}-cw', longer than Image Builder's 126 characters`);
  });

  test('a Windows component in a Linux recipe fails', () => {
    const stack = newStack();
    const component = RecipeComponent.fromScript({ name: 'win', script: 'Write-Host hi', platform: ImagePlatform.WINDOWS });
    expect(() => new ImageRecipe(stack, 'Recipe', { recipeName: 'linux-recipe', components: [component] }))
      .toThrow("component 'win' is for Windows but recipe 'linux-recipe' builds Linux images");
  });

  test('an empty script fails', () => {
    expect(() => RecipeComponent.fromScript({ name: 'empty', script: '  \n' })).toThrow("component 'empty' script must not be empty");
  });

  test('a token recipe name is passed through', () => {
    const stack = newStack();
    new ImageRecipe(stack, 'Recipe', {
      recipeName: Lazy.string({ produce: () => 'lazy-name' }),
      components: [RecipeComponent.awsManaged('update-linux')],
    });
    expect(recipeResource(stack).Name).toBe('lazy-name');
  });

  test.each([['tmp/build'], ['./build'], ['build'], ['~/build']])('the relative working directory %p fails', workingDirectory => {
    const stack = newStack();
    expect(() => new ImageRecipe(stack, 'Recipe', { workingDirectory, components: [RecipeComponent.awsManaged('update-linux')] }))
      .toThrow(`workingDirectory must be an absolute path, got: '${workingDirectory}'`);
  });

  test('a Windows absolute working directory is accepted', () => {
    const stack = newStack();
    new ImageRecipe(stack, 'Recipe', {
      workingDirectory: 'C:\\build',
      baseImage: BaseImage.fromAmiId('ami-0123456789abcdef0', { platform: ImagePlatform.WINDOWS }),
      components: [RecipeComponent.awsManaged('update-windows')],
    });
    expect(recipeResource(stack).WorkingDirectory).toBe('C:\\build');
  });

  test.each([['ami-123'], ['ami-0123456789ABCDEF0'], ['ami-0123456789abcdef'], ['i-0123456789abcdef0'], ['0123456789abcdef0'], ['']])('the AMI ID %p fails', amiId => {
    expect(() => BaseImage.fromAmiId(amiId))
      .toThrow(`baseImage AMI ID must be an AMI ID (ami- followed by 8 or 17 hexadecimal characters), got: '${amiId}'`);
  });

  test('a token AMI ID is passed through', () => {
    const stack = newStack();
    const amiId = ssm.StringParameter.valueForStringParameter(stack, '/my/ami');
    expect(BaseImage.fromAmiId(amiId).parentImage).toBe(amiId);
  });

  test.each([
    ['golden/base', /baseImage parameter name must start with '\/' \(or be a parameter ARN\), got: 'golden\/base'/],
    ['/ssm/reserved', /baseImage parameter name must not start with \/aws\/ or \/ssm\/ \(reserved by AWS\), got: '\/ssm\/reserved'/],
    ['/has space/x', /baseImage parameter name must be a fully qualified SSM parameter name.*got: '\/has space\/x'/],
    ['/', /baseImage parameter name must be a fully qualified SSM parameter name.*got: '\/'/],
    [`/${Array.from({ length: 16 }, (_, i) => `l${i}`).join('/')}`, /baseImage parameter name must have at most 15 levels of hierarchy/],
  ])('the SSM parameter name %p fails', (name, error) => {
    expect(() => BaseImage.fromSsmParameterName(name)).toThrow(error);
  });

  test.each([
    ['arn:aws:imagebuilder:eu-west-1:aws:image/amazon-linux-2023-x86'],
    ['arn:aws:imagebuilder:eu-west-1:aws:component/update-linux/1.0.0'],
    ['arn:aws:ec2:eu-west-1::image/ami-0123456789abcdef0'],
    ['arn:aws:imagebuilder:eu-west-1:12345:image/golden/1.0.0'],
    ['amazon-linux-2023-x86/x.x.x'],
  ])('the image ARN %p fails', arn => {
    expect(() => BaseImage.fromImageArn(arn)).toThrow(
      `baseImage image ARN must be an Image Builder image ARN (arn:aws:imagebuilder:<region>:<account|aws>:image/<name>/<version>), got: '${arn}'`,
    );
  });

  test.each([['sda1'], ['/dev/'], ['/dev/SDA1'], ['/mnt/xvda'], ['xvd']])('the root device name %p fails', rootDeviceName => {
    expect(() => BaseImage.fromAmiId('ami-0123456789abcdef0', { rootDeviceName }))
      .toThrow(`baseImage rootDeviceName must be a device name such as /dev/xvda, got: '${rootDeviceName}'`);
    expect(() => BaseImage.fromSsmParameterName('/aws/service/x', { rootDeviceName }))
      .toThrow(`baseImage rootDeviceName must be a device name such as /dev/xvda, got: '${rootDeviceName}'`);
  });

  test('the root volume device name is checked the same way', () => {
    const stack = newStack();
    expect(() => new ImageRecipe(stack, 'Recipe', {
      rootVolume: { deviceName: 'sda1' },
      components: [RecipeComponent.awsManaged('update-linux')],
    })).toThrow("rootVolume.deviceName must be a device name such as /dev/xvda, got: 'sda1'");
  });

  test.each([[Size.gibibytes(0)], [Size.tebibytes(17)]])('the root volume size %p fails', size => {
    const stack = newStack();
    expect(() => new ImageRecipe(stack, 'Recipe', {
      rootVolume: { size },
      components: [RecipeComponent.awsManaged('update-linux')],
    })).toThrow(/rootVolume.size \(GiB\) must be an integer from 1 to 16000/);
  });
});
