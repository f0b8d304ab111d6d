import * as path from 'path';
import { App, Duration, Size, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import {
  AnsiblePlaybook,
  BaseImage,
  EcsApplicationImage,
  GoldenImage,
  GoldenImageEcsCapacity,
  HardenedBaseRecipe,
  ImagePlatform,
  ImageRecipe,
  LogShippingAgent,
  OperatingSystem,
  ParentImage,
  RecipeComponent,
} from '../../src';
import { expectToeDocument, stepCommands } from '../toe-checks';
import { ENV, newStack } from '../util';

const FIXTURES = path.join(__dirname, 'fixtures');

function goldenParent(stack: Stack, imageName = 'al2023-base'): GoldenImage {
  const recipe = new ImageRecipe(stack, `${imageName}Recipe`, { recipeName: imageName, components: [RecipeComponent.awsManaged('update-linux')] });
  return new GoldenImage(stack, imageName, { recipe, imageName });
}

function resourcesOfType(stack: Stack, type: string): Array<{ [key: string]: any }> {
  return Object.values(Template.fromStack(stack).findResources(type));
}

/** The rules that rebuild a child on its parent's builds. */
function rebuildRules(stack: Stack): Array<{ [key: string]: any }> {
  return resourcesOfType(stack, 'AWS::Events::Rule').filter(rule => rule.Properties.Description.startsWith('Build the application image'));
}

/** The rules that record a child's ancestry. */
function ancestryRules(stack: Stack): Array<{ [key: string]: any }> {
  return resourcesOfType(stack, 'AWS::Events::Rule').filter(rule => rule.Properties.Description.startsWith('Record the parent'));
}

/** The recipe's components in order, as component names (library-owned) or AWS-managed ARN tails. */
function recipeComponentNames(stack: Stack, recipeName: string): string[] {
  const template = Template.fromStack(stack).toJSON();
  const recipe = Object.values<any>(template.Resources).find(r => r.Type === 'AWS::ImageBuilder::ImageRecipe' && r.Properties.Name === recipeName);
  expect(recipe).toBeDefined();
  return recipe.Properties.Components.map((component: any) => {
    const arn = component.ComponentArn;
    if (arn['Fn::GetAtt']) return template.Resources[arn['Fn::GetAtt'][0]].Properties.Name;
    const joined = arn['Fn::Join'][1].filter((part: unknown) => typeof part === 'string').join('');
    return joined.slice(joined.indexOf(':aws:component/') + ':aws:component/'.length);
  });
}

describe('EcsApplicationImage', () => {
  test('on a golden image of the same stack: components in order, tests, rebuild on each parent build', () => {
    const stack = newStack();
    const parent = goldenParent(stack);
    const image = new EcsApplicationImage(stack, 'App', {
      parent: ParentImage.fromGoldenImage(parent),
      imageName: 'ecs-app',
      logShippingAgent: LogShippingAgent.fluentBit(),
      playbooks: [
        AnsiblePlaybook.fromFile(path.join(FIXTURES, 'playbook.yml'), { variables: { app_env: 'production' } }),
        AnsiblePlaybook.fromDirectory(path.join(FIXTURES, 'ansible')),
      ],
      components: [RecipeComponent.fromScript({ name: 'motd', script: 'echo app > /etc/motd' })],
      regions: ['eu-central-1'],
      copyToAccounts: ['222222222222'],
    });

    expect(recipeComponentNames(stack, 'ecs-app')).toEqual([
      'ecs-app-docker',
      'ecs-app-ecs-agent',
      'ecs-app-ssm-agent',
      'ecs-app-fluent-bit',
      'ecs-app-ansible-install',
      'ecs-app-ansible-playbook-1',
      'ecs-app-ansible-playbook-2',
      'ecs-app-ansible-remove',
      'ecs-app-motd',
      'ecs-app-ecs-application-tests',
    ]);
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::ImageBuilder::ImageRecipe', {
      Name: 'ecs-app',
      ParentImage: 'ssm:/golden-ami/al2023-base/latest',
      BlockDeviceMappings: [Match.objectLike({ Ebs: Match.objectLike({ Encrypted: true, VolumeSize: 30 }) })],
    });
    // The application image is distributed like any golden image.
    template.hasResourceProperties('AWS::ImageBuilder::DistributionConfiguration', {
      Name: 'ecs-app',
      Distributions: Match.arrayWith([Match.objectLike({
        Region: 'eu-central-1',
        SsmParameterConfigurations: Match.arrayWith([{ AmiAccountId: '222222222222', ParameterName: '/golden-ami/ecs-app/latest', DataType: 'aws:ec2:image' }]),
      })]),
    });
    // Each successful parent build starts a child build, through SSM Automation.
    template.hasResourceProperties('AWS::Events::Rule', {
      Description: 'Build the application image on each new image of al2023-base',
      EventPattern: {
        'source': ['aws.imagebuilder'],
        'detail-type': ['EC2 Image Builder Image State Change'],
        'resources': [{ prefix: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':imagebuilder:eu-west-1:111111111111:image/al2023-base/']] } }],
        'detail': { state: { status: ['AVAILABLE'] } },
      },
      Targets: [Match.objectLike({
        Arn: { 'Fn::Join': ['', Match.arrayWith([Match.stringLikeRegexp(':automation-definition/$'), { Ref: Match.anyValue() }, ':$DEFAULT'])] },
      })],
    });
    // The input names the automation's parameters: the child pipeline and the role to assume.
    const rule = rebuildRules(stack)[0];
    const input = JSON.stringify(rule.Properties.Targets[0].Input);
    expect(input).toContain('{\\"ImagePipelineArn\\":[\\"');
    expect(input).toContain('\\"],\\"AutomationAssumeRole\\":[\\"');
    template.hasResourceProperties('AWS::SSM::Document', {
      DocumentType: 'Automation',
      Content: Match.objectLike({
        mainSteps: [Match.objectLike({
          action: 'aws:executeAwsApi',
          inputs: Match.objectLike({ Service: 'imagebuilder', Api: 'StartImagePipelineExecution', clientToken: '{{ automation:EXECUTION_ID }}' }),
        })],
      }),
    });
    // The automation may start only this pipeline.
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: [{ Action: 'imagebuilder:StartImagePipelineExecution', Effect: 'Allow', Resource: { 'Fn::GetAtt': [Match.stringLikeRegexp('^App'), 'Arn'] } }],
      },
    });
    // No schedule is needed when the parent's events arrive.
    const pipeline = resourcesOfType(stack, 'AWS::ImageBuilder::ImagePipeline').find(p => p.Properties.Name === 'ecs-app')!;
    expect(pipeline.Properties.Schedule).toBeUndefined();
    expect(image.parentUpdateRebuild).toBeDefined();
  });

  test('required props only: CloudWatch agent, no Ansible, and a parent from an SSM parameter is checked daily', () => {
    const stack = newStack();
    const image = new EcsApplicationImage(stack, 'App', { parent: ParentImage.fromSsmParameter('/golden-ami/al2023-base/latest') });
    const names = recipeComponentNames(stack, image.applicationRecipe.imageRecipeName);
    expect(names.map(name => name.replace(`${image.applicationRecipe.imageRecipeName}-`, ''))).toEqual([
      'docker',
      'ecs-agent',
      'ssm-agent',
      'amazon-cloudwatch-agent-linux/x.x.x',
      'cloudwatch-agent-enable',
      'ecs-application-tests',
    ]);
    Template.fromStack(stack).hasResourceProperties('AWS::ImageBuilder::ImagePipeline', {
      Schedule: { ScheduleExpression: 'cron(0 5 * * ? *)', PipelineExecutionStartCondition: 'EXPRESSION_MATCH_AND_DEPENDENCY_UPDATES_AVAILABLE' },
    });
    // The one rule records the ancestry; none rebuilds.
    expect(rebuildRules(stack)).toEqual([]);
    expect(ancestryRules(stack)).toHaveLength(1);
    expect(image.parentUpdateRebuild).toBeUndefined();
  });

  test('the root device follows a hardened Ubuntu parent into the recipe and the capacity', () => {
    const stack = newStack();
    const ubuntu = new GoldenImage(stack, 'Ubuntu', {
      imageName: 'ubuntu-base',
      recipe: new HardenedBaseRecipe(stack, 'UbuntuRecipe', { operatingSystem: OperatingSystem.UBUNTU_22_04 }),
    });
    const image = new EcsApplicationImage(stack, 'App', { imageName: 'ubuntu-ecs', parent: ParentImage.fromGoldenImage(ubuntu) });
    expect(image.rootDeviceName).toBe('/dev/sda1');
    const cluster = ecs.Cluster.fromClusterAttributes(stack, 'Imported', { clusterName: 'workloads', vpc: new ec2.Vpc(stack, 'Vpc', { availabilityZones: ['eu-west-1a'], natGateways: 0 }) });
    image.addCapacityTo(cluster, 'Capacity', { instanceType: new ec2.InstanceType('m7i.large') });
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::ImageBuilder::ImageRecipe', {
      Name: 'ubuntu-ecs',
      BlockDeviceMappings: [Match.objectLike({ DeviceName: '/dev/sda1' })],
    });
    template.hasResourceProperties('AWS::EC2::LaunchTemplate', {
      LaunchTemplateData: Match.objectLike({ BlockDeviceMappings: [Match.objectLike({ DeviceName: '/dev/sda1' })] }),
    });
  });

  test('a parent by SSM parameter takes its root device from the options', () => {
    const stack = newStack();
    const image = new EcsApplicationImage(stack, 'App', { parent: ParentImage.fromSsmParameter('/golden-ami/rhel/latest', { rootDeviceName: '/dev/sda1' }) });
    expect(image.rootDeviceName).toBe('/dev/sda1');
  });

  test('a parent from an image ARN follows its latest version', () => {
    const stack = newStack();
    new EcsApplicationImage(stack, 'App', {
      imageName: 'from-arn',
      parent: ParentImage.fromImageArn('arn:aws:imagebuilder:eu-west-1:111111111111:image/al2023-base/x.x.x'),
    });
    Template.fromStack(stack).hasResourceProperties('AWS::ImageBuilder::ImageRecipe', {
      ParentImage: 'arn:aws:imagebuilder:eu-west-1:111111111111:image/al2023-base/x.x.x',
    });
  });

  test('a golden parent in another stack of the same account and region still triggers rebuilds', () => {
    const app = new App({ context: { '@aws-cdk/core:validateAgainstDefaultRules': true } });
    const factory = new Stack(app, 'Factory', { env: ENV });
    const consumer = new Stack(app, 'Apps', { env: ENV });
    const parent = goldenParent(factory);
    new EcsApplicationImage(consumer, 'App', { parent: ParentImage.fromGoldenImage(parent), imageName: 'ecs-app' });
    expect(rebuildRules(consumer)).toHaveLength(1);
    expect(ancestryRules(consumer)).toHaveLength(1);
    // The rules live beside the child: the factory stack does not depend on its consumers.
    Template.fromStack(factory).resourceCountIs('AWS::Events::Rule', 0);
  });

  test('a golden parent in another region is checked on a schedule instead', () => {
    const app = new App({ context: { '@aws-cdk/core:validateAgainstDefaultRules': true } });
    const factory = new Stack(app, 'Factory', { env: ENV });
    const consumer = new Stack(app, 'Apps', { env: { ...ENV, region: 'eu-central-1' } });
    const parent = goldenParent(factory);
    new EcsApplicationImage(consumer, 'App', { parent: ParentImage.fromGoldenImage(parent), imageName: 'ecs-app' });
    expect(rebuildRules(consumer)).toEqual([]);
    Template.fromStack(consumer).hasResourceProperties('AWS::ImageBuilder::ImagePipeline', {
      Schedule: Match.objectLike({ PipelineExecutionStartCondition: 'EXPRESSION_MATCH_AND_DEPENDENCY_UPDATES_AVAILABLE' }),
    });
  });

  test('keepAnsible leaves Ansible on the image', () => {
    const stack = newStack();
    new EcsApplicationImage(stack, 'App', {
      imageName: 'keeps',
      parent: ParentImage.fromSsmParameter('/golden-ami/al2023-base/latest'),
      playbooks: [AnsiblePlaybook.fromFile(path.join(FIXTURES, 'playbook.yml'))],
      keepAnsible: true,
    });
    const names = recipeComponentNames(stack, 'keeps');
    expect(names).toContain('keeps-ansible-install');
    expect(names).not.toContain('keeps-ansible-remove');
  });

  test('playbooks are assets the build instances may read, and run with their variables', () => {
    const stack = newStack();
    new EcsApplicationImage(stack, 'App', {
      imageName: 'playbooks',
      parent: ParentImage.fromSsmParameter('/golden-ami/al2023-base/latest'),
      playbooks: [AnsiblePlaybook.fromFile(path.join(FIXTURES, 'playbook.yml'), { variables: { app_env: 'prod' } })],
    });
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::IAM::Policy', {
      Roles: [{ Ref: Match.stringLikeRegexp('^GoldenAmiBuildInfrastructureInstanceRole') }],
      PolicyDocument: {
        Statement: Match.arrayWith([{
          Action: 's3:GetObject',
          Effect: 'Allow',
          Resource: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, Match.stringLikeRegexp('^:s3:::cdk-hnb659fds-assets-111111111111-eu-west-1/[0-9a-f]{64}\\.yml$')]] },
        }]),
      },
    });
    const playbook = resourcesOfType(stack, 'AWS::ImageBuilder::Component').find(c => c.Properties.Name === 'playbooks-ansible-playbook-1')!;
    const data: string = playbook.Properties.Data;
    expect(data).toContain('              {"app_env":"prod"}\n');
    expect(data).toContain('ansible-playbook --connection=local --inventory localhost,');
  });

  test('versions stay the same from one synth to the next, playbook assets included', () => {
    const versions = () => {
      const stack = newStack();
      new EcsApplicationImage(stack, 'App', {
        imageName: 'stable',
        parent: ParentImage.fromSsmParameter('/golden-ami/al2023-base/latest'),
        playbooks: [AnsiblePlaybook.fromDirectory(path.join(FIXTURES, 'ansible'))],
      });
      return resourcesOfType(stack, 'AWS::ImageBuilder::Component').map(c => `${c.Properties.Name}@${c.Properties.Version}`)
        .concat(resourcesOfType(stack, 'AWS::ImageBuilder::ImageRecipe').map(r => `${r.Properties.Name}@${r.Properties.Version}`));
    };
    expect(versions()).toEqual(versions());
  });

  test('every generated document is valid AWSTOE, and every command passes bash -n and shellcheck', () => {
    for (const agent of [LogShippingAgent.fluentBit(), LogShippingAgent.cloudWatchAgent(), LogShippingAgent.logstash()]) {
      const stack = newStack();
      new EcsApplicationImage(stack, 'App', {
        imageName: `docs-${agent.type}`,
        parent: ParentImage.fromSsmParameter('/golden-ami/al2023-base/latest'),
        logShippingAgent: agent,
        playbooks: [AnsiblePlaybook.fromFile(path.join(FIXTURES, 'playbook.yml')), AnsiblePlaybook.fromDirectory(path.join(FIXTURES, 'ansible'))],
      });
      const components = resourcesOfType(stack, 'AWS::ImageBuilder::Component');
      expect(components.length).toBeGreaterThanOrEqual(6);
      for (const component of components) {
        // Documents with asset locations hold intrinsics: check them as the service receives them.
        const data = typeof component.Properties.Data === 'string'
          ? component.Properties.Data
          : component.Properties.Data['Fn::Join'][1].map((part: unknown) => (typeof part === 'string' ? part : 'cdk-assets-bucket')).join('');
        expectToeDocument(data, ImagePlatform.LINUX);
      }
    }
  });

  test('the test phase checks Docker, the ECS agent left unbound, the log agent and the SSM agent', () => {
    const stack = newStack();
    new EcsApplicationImage(stack, 'App', { imageName: 'tested', parent: ParentImage.fromSsmParameter('/golden-ami/base/latest'), logShippingAgent: LogShippingAgent.fluentBit() });
    const tests = resourcesOfType(stack, 'AWS::ImageBuilder::Component').find(c => c.Properties.Name === 'tested-ecs-application-tests')!;
    const document = expectToeDocument(tests.Properties.Data, ImagePlatform.LINUX);
    expect(document.phases.map(phase => phase.name)).toEqual(['test']);
    const command = stepCommands(document.phases[0].steps[0])[0];
    expect(command).toContain('docker run --rm');
    expect(command).toContain('systemctl is-enabled --quiet ecs');
    expect(command).toContain("grep -q '^ECS_CLUSTER=' /etc/ecs/ecs.config");
    expect(command).toContain('systemctl is-active --quiet fluent-bit');
    expect(command).toContain('systemctl is-active --quiet amazon-ssm-agent');
  });
});

describe('addCapacityTo', () => {
  function vpc(stack: Stack): ec2.Vpc {
    return new ec2.Vpc(stack, 'Vpc', { availabilityZones: ['eu-west-1a', 'eu-west-1b'], natGateways: 1 });
  }

  test('a maximum instance lifetime in whole hours is taken; under a day or over a year fails at synth', () => {
    const capacity = (lifetime: Duration) => {
      const stack = newStack();
      const image = new EcsApplicationImage(stack, 'App', { imageName: 'ecs-app', parent: ParentImage.fromSsmParameter('/golden-ami/base/latest') });
      image.addCapacityTo(new ecs.Cluster(stack, 'Cluster', { vpc: vpc(stack) }), 'Capacity', { instanceType: new ec2.InstanceType('m7i.large'), maxInstanceLifetime: lifetime });
      return Template.fromStack(stack);
    };
    capacity(Duration.hours(36)).hasResourceProperties('AWS::AutoScaling::AutoScalingGroup', { MaxInstanceLifetime: 129600 });
    expect(() => capacity(Duration.hours(12))).toThrow("maxInstanceLifetime must be from 1 to 365 days, got: '12 hours'");
    expect(() => capacity(Duration.days(400))).toThrow("maxInstanceLifetime must be from 1 to 365 days, got: '400 days'");
  });

  test('an ECS cluster gets an ASG capacity provider on the image, read from SSM at each launch', () => {
    const stack = newStack();
    const image = new EcsApplicationImage(stack, 'App', { imageName: 'ecs-app', parent: ParentImage.fromSsmParameter('/golden-ami/base/latest') });
    const cluster = new ecs.Cluster(stack, 'Cluster', { vpc: vpc(stack) });
    const provider = image.addCapacityTo(cluster, 'Capacity', { instanceType: new ec2.InstanceType('m7i.large'), maxCapacity: 6, maxInstanceLifetime: Duration.days(14) });

    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::EC2::LaunchTemplate', {
      LaunchTemplateData: Match.objectLike({
        ImageId: 'resolve:ssm:/golden-ami/ecs-app/latest',
        InstanceType: 'm7i.large',
        MetadataOptions: { HttpTokens: 'required', HttpPutResponseHopLimit: 2 },
        UserData: { 'Fn::Base64': { 'Fn::Join': ['', ['#!/bin/bash\necho ECS_CLUSTER=', { Ref: Match.stringLikeRegexp('^Cluster') }, ' >> /etc/ecs/ecs.config']] } },
      }),
    });
    template.hasResourceProperties('AWS::AutoScaling::AutoScalingGroup', { MinSize: '0', MaxSize: '6', MaxInstanceLifetime: 1209600 });
    template.hasResourceProperties('AWS::ECS::CapacityProvider', {
      AutoScalingGroupProvider: Match.objectLike({ ManagedDraining: 'ENABLED', ManagedTerminationProtection: 'ENABLED' }),
    });
    template.hasResourceProperties('AWS::ECS::ClusterCapacityProviderAssociations', {
      CapacityProviders: [{ Ref: Match.stringLikeRegexp('^ClusterCapacityCapacityProvider') }],
    });
    // Managed draining: no Lambda drain hook.
    template.resourceCountIs('AWS::Lambda::Function', 0);
    expect(provider.capacityProvider.autoScalingGroup).toBe(provider.autoScalingGroup);
  });

  test('a workload account runs capacity on an imported golden image', () => {
    const stack = newStack();
    const image = GoldenImage.fromParameterName(stack, 'Image', '/golden-ami/ecs-app/latest');
    const cluster = new ecs.Cluster(stack, 'Cluster', { vpc: vpc(stack) });
    const capacity = new GoldenImageEcsCapacity(stack, 'Capacity', {
      cluster,
      image,
      instanceType: new ec2.InstanceType('m7g.large'),
      rootDeviceName: '/dev/sda1',
      rootVolumeSize: Size.gibibytes(50),
    });
    Template.fromStack(stack).hasResourceProperties('AWS::EC2::LaunchTemplate', {
      LaunchTemplateData: Match.objectLike({
        ImageId: 'resolve:ssm:/golden-ami/ecs-app/latest',
        BlockDeviceMappings: [{ DeviceName: '/dev/sda1', Ebs: { Encrypted: true, VolumeSize: 50, VolumeType: 'gp3', DeleteOnTermination: true } }],
      }),
    });
    expect(capacity.instanceRole).toBeDefined();
  });

  test('a Windows image cannot back ECS capacity here', () => {
    const stack = newStack();
    const image = GoldenImage.fromGoldenImageAttributes(stack, 'Image', { ssmParameterName: '/golden-ami/win/latest', platform: ImagePlatform.WINDOWS });
    const cluster = new ecs.Cluster(stack, 'Cluster', { vpc: vpc(stack) });
    expect(() => new GoldenImageEcsCapacity(stack, 'Capacity', { cluster, image, instanceType: new ec2.InstanceType('m7i.large') }))
      .toThrow("image must be a Linux image for ECS capacity, got a Windows image: 'Stack/Image'");
  });

  test('an imported cluster gets the user data, the agent permissions and an association', () => {
    const stack = newStack();
    const image = new EcsApplicationImage(stack, 'App', { imageName: 'ecs-app', parent: ParentImage.fromSsmParameter('/golden-ami/base/latest') });
    const cluster = ecs.Cluster.fromClusterAttributes(stack, 'Imported', { clusterName: 'workloads', vpc: vpc(stack) });
    image.addCapacityTo(cluster, 'Capacity', { instanceType: new ec2.InstanceType('m7g.large') });
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::EC2::LaunchTemplate', {
      LaunchTemplateData: Match.objectLike({ UserData: { 'Fn::Base64': "#!/bin/bash\necho 'ECS_CLUSTER=workloads' >> /etc/ecs/ecs.config" } }),
    });
    template.hasResourceProperties('AWS::ECS::ClusterCapacityProviderAssociations', { Cluster: 'workloads' });
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([Match.objectLike({
          Action: ['ecs:DeregisterContainerInstance', 'ecs:RegisterContainerInstance', 'ecs:Submit*'],
          Resource: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':ecs:eu-west-1:111111111111:cluster/workloads']] },
        })]),
      },
    });
  });

  test('maxCapacity below minCapacity fails', () => {
    const stack = newStack();
    const image = new EcsApplicationImage(stack, 'App', { parent: ParentImage.fromSsmParameter('/golden-ami/base/latest') });
    const cluster = new ecs.Cluster(stack, 'Cluster', { vpc: vpc(stack) });
    expect(() => image.addCapacityTo(cluster, 'Capacity', { instanceType: new ec2.InstanceType('m7i.large'), minCapacity: 5, maxCapacity: 2 }))
      .toThrow("maxCapacity must be an integer from 5 to 10000, got: '2'");
  });
});

describe('validation', () => {
  test('a Windows golden image cannot be the parent', () => {
    const stack = newStack();
    const recipe = new ImageRecipe(stack, 'Recipe', {
      baseImage: BaseImage.fromSsmParameterName('/aws/service/ami-windows-latest/Windows_Server-2022-English-Full-Base', { platform: ImagePlatform.WINDOWS }),
      components: [RecipeComponent.awsManaged('update-windows')],
    });
    const windows = new GoldenImage(stack, 'Windows', { recipe, imageName: 'win-base' });
    expect(() => ParentImage.fromGoldenImage(windows)).toThrow("parent must be a Linux golden image for an ECS application image, got a Windows image: 'Stack/Windows'");
  });

  test('a parent given a Windows platform fails', () => {
    expect(() => ParentImage.fromSsmParameter('/golden-ami/win/latest', { platform: ImagePlatform.WINDOWS }))
      .toThrow("parent must be a Linux image for an ECS application image, got platform: 'Windows'");
  });

  test('an AWS public image parameter is not a golden parent', () => {
    expect(() => ParentImage.fromSsmParameter('/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64'))
      .toThrow("parent must be a golden image, not an AWS public image parameter, got: '/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64'");
  });

  test('a parameter name without a leading slash fails', () => {
    expect(() => ParentImage.fromSsmParameter('golden-ami/base/latest')).toThrow("parent SSM parameter must be a fully qualified SSM parameter name: a leading /, then letters, digits, _ . - and /, got: 'golden-ami/base/latest'");
  });

  test('an AWS-managed image ARN is not a golden parent', () => {
    expect(() => ParentImage.fromImageArn('arn:aws:imagebuilder:eu-west-1:aws:image/amazon-linux-2023-x86/x.x.x'))
      .toThrow("parent must be a golden image of your image factory, not an AWS-managed image, got: 'arn:aws:imagebuilder:eu-west-1:aws:image/amazon-linux-2023-x86/x.x.x'");
  });

  test('a parent ARN that is not an image ARN fails', () => {
    expect(() => ParentImage.fromImageArn('arn:aws:ec2:eu-west-1:111111111111:image/ami-0123456789abcdef0'))
      .toThrow("parent must be an Image Builder image ARN (arn:aws:imagebuilder:<region>:<account>:image/<name>/<version>), got: 'arn:aws:ec2:eu-west-1:111111111111:image/ami-0123456789abcdef0'");
  });

  test('a playbook file that does not exist fails', () => {
    const missing = path.join(FIXTURES, 'missing.yml');
    expect(() => AnsiblePlaybook.fromFile(missing)).toThrow(`playbooks: the playbook file does not exist, got: '${missing}'`);
  });

  test('a playbook file that is not YAML fails', () => {
    const file = path.join(__dirname, 'ecs-application-image.test.ts');
    expect(() => AnsiblePlaybook.fromFile(file)).toThrow(`playbooks: a playbook file must be .yml or .yaml, got: '${file}'`);
  });

  test('a playbook folder that does not exist fails', () => {
    const missing = path.join(FIXTURES, 'no-such-folder');
    expect(() => AnsiblePlaybook.fromDirectory(missing)).toThrow(`playbooks: the playbook folder does not exist, got: '${missing}'`);
  });

  test('a playbook outside its folder fails', () => {
    const folder = path.join(FIXTURES, 'ansible');
    expect(() => AnsiblePlaybook.fromDirectory(folder, { playbook: '../playbook.yml' })).toThrow(`playbooks: the playbook '../playbook.yml' is not a file inside '${folder}'`);
    expect(() => AnsiblePlaybook.fromDirectory(folder, { playbook: 'main.yml' })).toThrow(`playbooks: the playbook 'main.yml' is not a file inside '${folder}'`);
  });

  test('an Ansible variable name that Ansible rejects fails', () => {
    expect(() => AnsiblePlaybook.fromFile(path.join(FIXTURES, 'playbook.yml'), { variables: { 'app-env': 'x' } }))
      .toThrow("playbooks: Ansible variable names are letters, digits and underscores, got: 'app-env'");
  });
});
