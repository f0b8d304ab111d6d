import { App, CfnElement, CfnParameter, CfnResource, Duration, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as sns from 'aws-cdk-lib/aws-sns';
import {
  FindingSeverity,
  GoldenImage,
  ImageBuildInfrastructure,
  ImageLifecycle,
  ImagePlatform,
  ImageRecipe,
  ImageSharing,
  PipelineSchedule,
  RecipeComponent,
} from '../src';
import { newStack } from './util';

const PIPELINE_TAG = 'golden-ami:pipeline';
const OU_ARN = 'arn:aws:organizations::999999999999:ou/o-abcdefghij/ou-ab12-abcdefgh';
const ORG_ARN = 'arn:aws:organizations::999999999999:organization/o-abcdefghij';
const KEY_EU = 'arn:aws:kms:eu-west-1:111111111111:key/11111111-2222-3333-4444-555555555555';
const KEY_US = 'arn:aws:kms:us-east-1:111111111111:key/66666666-7777-8888-9999-000000000000';
const LT_EU = 'lt-0123456789abcdef0';
const LT_US = 'lt-0fedcba9876543210';

function newRecipe(stack: Stack, props: { recipeName?: string } = {}): ImageRecipe {
  return new ImageRecipe(stack, 'Recipe', {
    components: [RecipeComponent.awsManaged('update-linux')],
    ...props,
  });
}

function logicalId(stack: Stack, construct: { node: { defaultChild?: unknown } }): string {
  return stack.getLogicalId(construct.node.defaultChild as CfnElement);
}

/** The partition-qualified prefix of the ARNs of images built from `recipeName`. */
function imageArnPrefix(recipeName: string): unknown {
  return {
    'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:imagebuilder:eu-west-1:111111111111:image/${recipeName}/`]],
  };
}

describe('GoldenImage with all parameters', () => {
  let stack: Stack;
  let image: GoldenImage;
  let template: Template;

  beforeAll(() => {
    stack = newStack();
    image = new GoldenImage(stack, 'Image', {
      recipe: newRecipe(stack),
      imageName: 'web-base',
      description: 'Hardened web server base',
      regions: ['eu-west-1', 'us-east-1'],
      shareWith: [
        ImageSharing.account('222222222222'),
        ImageSharing.organizationalUnit(OU_ARN),
        ImageSharing.organization(ORG_ARN),
      ],
      copyToAccounts: ['333333333333'],
      encryptionKeys: [
        { region: 'us-east-1', keyArn: KEY_US },
        { region: 'eu-west-1', keyArn: KEY_EU },
      ],
      amiName: 'web-base-{{ imagebuilder:buildVersion }}-{{ imagebuilder:buildDate }}',
      amiTags: { team: 'platform' },
      ssmParameterName: '/images/web-base/latest',
      launchTemplateUpdates: [
        { launchTemplateId: LT_EU },
        { launchTemplateId: LT_US, region: 'us-east-1', accountId: '333333333333', setDefaultVersion: false },
      ],
      schedule: PipelineSchedule.cron({
        hour: '4',
        weekDay: 'SUN',
        onlyWhenDependenciesUpdated: true,
        timezone: 'Europe/Paris',
        disableAfterConsecutiveFailures: 3,
      }),
      imageScanning: true,
      failBuildOnFindings: FindingSeverity.HIGH,
      imageTests: true,
      imageTestsTimeout: Duration.hours(2),
      enhancedImageMetadata: false,
      lifecycle: ImageLifecycle.byAge({
        deprecateAfter: Duration.days(30),
        disableAfter: Duration.days(60),
        deleteAfter: Duration.days(730),
        retainAtLeast: 3,
        keepIfLaunchedWithin: Duration.days(14),
      }),
      enabled: false,
    });
    template = Template.fromStack(stack);
  });

  test('exposes its names and regions, the build region first', () => {
    expect(image.imageName).toBe('web-base');
    expect(image.ssmParameterName).toBe('/images/web-base/latest');
    expect(image.platform).toBe(ImagePlatform.LINUX);
    expect(image.regions).toEqual(['eu-west-1', 'us-east-1']);
    expect(image.lifecyclePolicy).toBeDefined();
  });

  test('the pipeline carries every pipeline setting', () => {
    template.resourceCountIs('AWS::ImageBuilder::ImagePipeline', 1);
    template.hasResourceProperties('AWS::ImageBuilder::ImagePipeline', {
      Name: 'web-base',
      Description: 'Hardened web server base',
      Status: 'DISABLED',
      EnhancedImageMetadataEnabled: false,
      ImageRecipeArn: { 'Fn::GetAtt': [logicalId(stack, image.recipe), 'Arn'] },
      DistributionConfigurationArn: { 'Fn::GetAtt': [stack.getLogicalId(image.distributionConfiguration), 'Arn'] },
      InfrastructureConfigurationArn: { 'Fn::GetAtt': [logicalId(stack, image.infrastructure), 'Arn'] },
      ImageTestsConfiguration: { ImageTestsEnabled: true, TimeoutMinutes: 120 },
      // Failing on HIGH or worse allows up to MEDIUM, judged by the on-demand scan of the AMI.
      ImageScanningConfiguration: Match.objectEquals({
        ImageScanningEnabled: true,
        ImageScanningTypes: ['ON_DEMAND_AMI_CVE'],
        ScanResultCondition: { MaximumSeverityLabel: 'MEDIUM' },
      }),
      Schedule: {
        ScheduleExpression: 'cron(0 4 ? * SUN *)',
        Timezone: 'Europe/Paris',
        PipelineExecutionStartCondition: 'EXPRESSION_MATCH_AND_DEPENDENCY_UPDATES_AVAILABLE',
        AutoDisablePolicy: { FailureCount: 3 },
      },
      ImageTags: { [PIPELINE_TAG]: 'web-base' },
    });
  });

  test('one distribution per region, each with its key, accounts, sharing, parameters and launch templates', () => {
    const launchPermission = {
      UserIds: ['222222222222'],
      OrganizationalUnitArns: [OU_ARN],
      OrganizationArns: [ORG_ARN],
    };
    const ssmParameters = [
      { ParameterName: '/images/web-base/latest', DataType: 'aws:ec2:image' },
      { AmiAccountId: '333333333333', ParameterName: '/images/web-base/latest', DataType: 'aws:ec2:image' },
    ];
    const amiDistribution = (keyArn: string) => ({
      Name: 'web-base-{{ imagebuilder:buildVersion }}-{{ imagebuilder:buildDate }}',
      Description: 'Hardened web server base',
      AmiTags: { team: 'platform', [PIPELINE_TAG]: 'web-base' },
      KmsKeyId: keyArn,
      TargetAccountIds: ['111111111111', '333333333333'],
      LaunchPermissionConfiguration: launchPermission,
    });
    template.resourceCountIs('AWS::ImageBuilder::DistributionConfiguration', 1);
    template.hasResourceProperties('AWS::ImageBuilder::DistributionConfiguration', {
      Name: 'web-base',
      Description: 'Hardened web server base',
      Distributions: [
        {
          Region: 'eu-west-1',
          AmiDistributionConfiguration: Match.objectEquals(amiDistribution(KEY_EU)),
          SsmParameterConfigurations: ssmParameters,
          LaunchTemplateConfigurations: [
            Match.objectEquals({ LaunchTemplateId: LT_EU, SetDefaultVersion: true }),
          ],
        },
        {
          Region: 'us-east-1',
          AmiDistributionConfiguration: Match.objectEquals(amiDistribution(KEY_US)),
          SsmParameterConfigurations: ssmParameters,
          LaunchTemplateConfigurations: [
            Match.objectEquals({ LaunchTemplateId: LT_US, AccountId: '333333333333', SetDefaultVersion: false }),
          ],
        },
      ],
    });
  });

  test('an age lifecycle deprecates, disables and deletes images of this pipeline only', () => {
    const exclusionRules = { Amis: { LastLaunched: { Unit: 'DAYS', Value: 14 } } };
    template.resourceCountIs('AWS::ImageBuilder::LifecyclePolicy', 1);
    template.hasResourceProperties('AWS::ImageBuilder::LifecyclePolicy', {
      Name: 'web-base',
      ResourceType: 'AMI_IMAGE',
      ExecutionRole: { 'Fn::GetAtt': [Match.stringLikeRegexp('^GoldenAmiBuildInfrastructureLifecycleExecutionRole'), 'Arn'] },
      ResourceSelection: { TagMap: { [PIPELINE_TAG]: 'web-base' } },
      PolicyDetails: [
        {
          Action: { Type: 'DEPRECATE', IncludeResources: Match.objectEquals({ Amis: true }) },
          Filter: { Type: 'AGE', Unit: 'DAYS', Value: 30, RetainAtLeast: 3 },
          ExclusionRules: exclusionRules,
        },
        {
          Action: { Type: 'DISABLE', IncludeResources: Match.objectEquals({ Amis: true }) },
          Filter: { Type: 'AGE', Unit: 'DAYS', Value: 60, RetainAtLeast: 3 },
          ExclusionRules: exclusionRules,
        },
        {
          // 730 days is not whole weeks, but it is two years.
          Action: { Type: 'DELETE', IncludeResources: { Amis: true, Snapshots: true } },
          Filter: { Type: 'AGE', Unit: 'YEARS', Value: 2, RetainAtLeast: 3 },
          ExclusionRules: exclusionRules,
        },
      ],
    });
  });

  test('the lifecycle execution role is assumed by Image Builder with the AWS lifecycle policy', () => {
    template.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: {
        Statement: [Match.objectLike({ Principal: { Service: 'imagebuilder.amazonaws.com' } })],
      },
      ManagedPolicyArns: [
        { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::aws:policy/service-role/EC2ImageBuilderLifecycleExecutionPolicy']] },
      ],
    });
  });
});

describe('GoldenImage with required properties only', () => {
  let stack: Stack;
  let image: GoldenImage;
  let template: Template;

  beforeAll(() => {
    stack = newStack();
    image = new GoldenImage(stack, 'Image', { recipe: newRecipe(stack) });
    template = Template.fromStack(stack);
  });

  test('derives its name from the construct path and its parameter from the name', () => {
    expect(image.imageName).toMatch(/^Stack-Image-[0-9A-F]{8}$/);
    expect(image.ssmParameterName).toBe(`/golden-ami/${image.imageName}/latest`);
    expect(image.regions).toEqual(['eu-west-1']);
    expect(image.lifecyclePolicy).toBeUndefined();
    expect(image.infrastructure).toBe(ImageBuildInfrastructure.ofStack(stack));
  });

  test('distributes to the stack region only, publishing an aws:ec2:image SSM parameter', () => {
    template.hasResourceProperties('AWS::ImageBuilder::DistributionConfiguration', {
      Name: image.imageName,
      Distributions: [
        Match.objectEquals({
          Region: 'eu-west-1',
          AmiDistributionConfiguration: {
            Name: `${image.imageName}-{{ imagebuilder:buildDate }}`,
            AmiTags: { [PIPELINE_TAG]: image.imageName },
          },
          SsmParameterConfigurations: [
            Match.objectEquals({ ParameterName: `/golden-ami/${image.imageName}/latest`, DataType: 'aws:ec2:image' }),
          ],
        }),
      ],
    });
  });

  test('writes AmiDistributionConfiguration with CloudFormation PascalCase keys', () => {
    const distributions = Object.values(template.findResources('AWS::ImageBuilder::DistributionConfiguration'));
    expect(distributions).toHaveLength(1);
    for (const distribution of distributions[0].Properties.Distributions) {
      const keys = Object.keys(distribution.AmiDistributionConfiguration);
      expect(keys.length).toBeGreaterThan(0);
      for (const key of keys) {
        expect(key).toMatch(/^[A-Z][A-Za-z]*$/);
      }
    }
  });

  test('the pipeline is enabled, tests for 12 hours, scans without failing and has no schedule', () => {
    template.hasResourceProperties('AWS::ImageBuilder::ImagePipeline', {
      Name: image.imageName,
      Description: Match.absent(),
      Status: 'ENABLED',
      EnhancedImageMetadataEnabled: true,
      ImageTestsConfiguration: { ImageTestsEnabled: true, TimeoutMinutes: 720 },
      ImageScanningConfiguration: Match.objectEquals({ ImageScanningEnabled: true }),
      Schedule: Match.absent(),
      ImageTags: { [PIPELINE_TAG]: image.imageName },
    });
    template.resourceCountIs('AWS::ImageBuilder::LifecyclePolicy', 0);
  });

  test('the shared infrastructure requires IMDSv2 and terminates failed build instances', () => {
    template.resourceCountIs('AWS::ImageBuilder::InfrastructureConfiguration', 1);
    template.hasResourceProperties('AWS::ImageBuilder::InfrastructureConfiguration', {
      InstanceMetadataOptions: { HttpTokens: 'required', HttpPutResponseHopLimit: 2 },
      TerminateInstanceOnFailure: true,
      InstanceProfileName: { Ref: Match.stringLikeRegexp('^GoldenAmiBuildInfrastructureInstanceProfile') },
      Logging: { S3Logs: { S3BucketName: { Ref: Match.stringLikeRegexp('^GoldenAmiBuildInfrastructureLogBucket') }, S3KeyPrefix: 'imagebuilder-logs' } },
      SnsTopicArn: { Ref: Match.stringLikeRegexp('^GoldenAmiBuildInfrastructureTopic') },
      SubnetId: Match.absent(),
      SecurityGroupIds: Match.absent(),
      InstanceTypes: Match.absent(),
    });
  });

  test('no lifecycle role is created without a lifecycle', () => {
    // The instance role, and the trust chain's automation role (revocation is on by default).
    template.resourceCountIs('AWS::IAM::Role', 2);
    template.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: {
        Statement: [Match.objectLike({ Principal: { Service: 'ec2.amazonaws.com' } })],
      },
    });
    template.hasResourceProperties('AWS::IAM::Role', { RoleName: Match.stringLikeRegexp('^GoldenAmiTrustChain-') });
  });
});

describe('GoldenImage settings', () => {
  test.each([
    ['a daily rate', PipelineSchedule.rate(Duration.days(1)), 'cron(0 0 * * ? *)'],
    ['a weekly rate', PipelineSchedule.rate(Duration.days(7)), 'cron(0 0 ? * SUN *)'],
    ['an hourly rate', PipelineSchedule.rate(Duration.hours(1)), 'cron(0 * * * ? *)'],
    ['a six-hourly rate', PipelineSchedule.rate(Duration.hours(6)), 'cron(0 */6 * * ? *)'],
    ['a cron on a day of the month', PipelineSchedule.cron({ minute: '30', hour: '2', day: '1' }), 'cron(30 2 1 * ? *)'],
    ['a default cron', PipelineSchedule.cron({}), 'cron(0 0 * * ? *)'],
    ['an expression', PipelineSchedule.expression('cron(15 3 ? * MON-FRI *)'), 'cron(15 3 ? * MON-FRI *)'],
  ])('%s renders as a cron expression that builds at every match', (_name, schedule, expression) => {
    const stack = newStack();
    new GoldenImage(stack, 'Image', { recipe: newRecipe(stack), schedule });
    Template.fromStack(stack).hasResourceProperties('AWS::ImageBuilder::ImagePipeline', {
      Schedule: Match.objectEquals({
        ScheduleExpression: expression,
        PipelineExecutionStartCondition: 'EXPRESSION_MATCH_ONLY',
      }),
    });
  });

  test('a rate with options builds only on updates, in the time zone, and disables itself after failures', () => {
    const stack = newStack();
    new GoldenImage(stack, 'Image', {
      recipe: newRecipe(stack),
      schedule: PipelineSchedule.rate(Duration.hours(12), {
        onlyWhenDependenciesUpdated: true,
        timezone: 'America/Argentina/Buenos_Aires',
        disableAfterConsecutiveFailures: 10,
      }),
    });
    Template.fromStack(stack).hasResourceProperties('AWS::ImageBuilder::ImagePipeline', {
      Schedule: {
        ScheduleExpression: 'cron(0 */12 * * ? *)',
        Timezone: 'America/Argentina/Buenos_Aires',
        PipelineExecutionStartCondition: 'EXPRESSION_MATCH_AND_DEPENDENCY_UPDATES_AVAILABLE',
        AutoDisablePolicy: { FailureCount: 10 },
      },
    });
  });

  test('imageScanning false turns scanning off', () => {
    const stack = newStack();
    new GoldenImage(stack, 'Image', { recipe: newRecipe(stack), imageScanning: false });
    Template.fromStack(stack).hasResourceProperties('AWS::ImageBuilder::ImagePipeline', {
      ImageScanningConfiguration: Match.objectEquals({ ImageScanningEnabled: false }),
    });
  });

  // MaximumSeverityLabel is the worst severity allowed, one of INFORMATIONAL, LOW, MEDIUM, HIGH.
  test.each([
    [FindingSeverity.CRITICAL, 'HIGH'],
    [FindingSeverity.HIGH, 'MEDIUM'],
    [FindingSeverity.MEDIUM, 'LOW'],
    [FindingSeverity.LOW, 'INFORMATIONAL'],
  ])('failBuildOnFindings %s allows findings up to %s in an on-demand AMI scan', (severity, maximumAllowed) => {
    const stack = newStack();
    const image = new GoldenImage(stack, 'Image', { recipe: newRecipe(stack), failBuildOnFindings: severity });
    Template.fromStack(stack).hasResourceProperties('AWS::ImageBuilder::ImagePipeline', {
      ImageScanningConfiguration: Match.objectEquals({
        ImageScanningEnabled: true,
        ImageScanningTypes: ['ON_DEMAND_AMI_CVE'],
        ScanResultCondition: { MaximumSeverityLabel: maximumAllowed },
      }),
    });
    // The template validation schema of aws-cdk-lib 2.276 lacks both properties; the pipeline says why it is acknowledged.
    const acknowledged = image.pipeline.node.metadata.filter(entry => entry.type === 'aws:cdk:acknowledged-rules');
    expect(acknowledged.map(entry => Object.keys(entry.data))).toEqual([['CloudFormation-Validate::F3002']]);
  });

  test('the acknowledgement for failBuildOnFindings covers the pipeline only', () => {
    const stack = newStack();
    new GoldenImage(stack, 'Image', { recipe: newRecipe(stack), failBuildOnFindings: FindingSeverity.HIGH });
    new CfnResource(stack, 'Bad', { type: 'AWS::SNS::Topic', properties: { NotAProperty: 1 } });
    expect(() => Template.fromStack(stack)).toThrow(/ERROR NotAProperty: Additional properties are not allowed/);
  });

  test('without failBuildOnFindings the pipeline keeps the default scan type and acknowledges nothing', () => {
    const stack = newStack();
    const image = new GoldenImage(stack, 'Image', { recipe: newRecipe(stack) });
    Template.fromStack(stack).hasResourceProperties('AWS::ImageBuilder::ImagePipeline', {
      ImageScanningConfiguration: Match.objectEquals({ ImageScanningEnabled: true }),
    });
    expect(image.pipeline.node.metadata.filter(entry => entry.type === 'aws:cdk:acknowledged-rules')).toEqual([]);
  });

  test('imageTests false disables the test phase, without a timeout; a timeout with it fails at synth', () => {
    const stack = newStack();
    new GoldenImage(stack, 'Image', { recipe: newRecipe(stack), imageTests: false });
    Template.fromStack(stack).hasResourceProperties('AWS::ImageBuilder::ImagePipeline', {
      ImageTestsConfiguration: Match.objectEquals({ ImageTestsEnabled: false }),
    });
    const other = newStack('Other');
    expect(() => new GoldenImage(other, 'Image', { recipe: newRecipe(other), imageTests: false, imageTestsTimeout: Duration.hours(3) }))
      .toThrow("imageTestsTimeout is set but imageTests is false: leave imageTestsTimeout unset or turn image tests on, got imageTestsTimeout: '3 hours'");
  });

  test.each([
    [Duration.minutes(60), 60],
    [Duration.hours(24), 1440],
  ])('imageTestsTimeout %s is accepted at the bounds', (timeout, minutes) => {
    const stack = newStack();
    new GoldenImage(stack, 'Image', { recipe: newRecipe(stack), imageTestsTimeout: timeout });
    Template.fromStack(stack).hasResourceProperties('AWS::ImageBuilder::ImagePipeline', {
      ImageTestsConfiguration: { ImageTestsEnabled: true, TimeoutMinutes: minutes },
    });
  });

  test('a count lifecycle deletes all but the newest images, sparing recently launched ones for 90 days', () => {
    const stack = newStack();
    new GoldenImage(stack, 'Image', {
      recipe: newRecipe(stack),
      imageName: 'counted',
      lifecycle: ImageLifecycle.byCount({ keepLatest: 5 }),
    });
    Template.fromStack(stack).hasResourceProperties('AWS::ImageBuilder::LifecyclePolicy', {
      Name: 'counted',
      ResourceType: 'AMI_IMAGE',
      ResourceSelection: { TagMap: { [PIPELINE_TAG]: 'counted' } },
      PolicyDetails: [
        Match.objectEquals({
          Action: { Type: 'DELETE', IncludeResources: { Amis: true, Snapshots: true } },
          Filter: { Type: 'COUNT', Value: 5 },
          ExclusionRules: { Amis: { LastLaunched: { Unit: 'DAYS', Value: 90 } } },
        }),
      ],
    });
  });

  test('an age lifecycle defaults to keeping one image and ages beyond a year in weeks', () => {
    const stack = newStack();
    new GoldenImage(stack, 'Image', {
      recipe: newRecipe(stack),
      lifecycle: ImageLifecycle.byAge({ deleteAfter: Duration.days(371), keepIfLaunchedWithin: Duration.days(700) }),
    });
    Template.fromStack(stack).hasResourceProperties('AWS::ImageBuilder::LifecyclePolicy', {
      PolicyDetails: [
        Match.objectEquals({
          Action: { Type: 'DELETE', IncludeResources: { Amis: true, Snapshots: true } },
          Filter: { Type: 'AGE', Unit: 'WEEKS', Value: 53, RetainAtLeast: 1 },
          ExclusionRules: { Amis: { LastLaunched: { Unit: 'WEEKS', Value: 100 } } },
        }),
      ],
    });
  });

  test('publishToSsm false writes no SSM parameter', () => {
    const stack = newStack();
    new GoldenImage(stack, 'Image', { recipe: newRecipe(stack), publishToSsm: false });
    Template.fromStack(stack).hasResourceProperties('AWS::ImageBuilder::DistributionConfiguration', {
      Distributions: [Match.objectLike({ SsmParameterConfigurations: Match.absent() })],
    });
  });

  test('the build region listed in regions is distributed to once, first', () => {
    const stack = newStack();
    const image = new GoldenImage(stack, 'Image', { recipe: newRecipe(stack), regions: ['us-east-1', 'eu-west-1', 'ap-southeast-2'] });
    expect(image.regions).toEqual(['eu-west-1', 'us-east-1', 'ap-southeast-2']);
    Template.fromStack(stack).hasResourceProperties('AWS::ImageBuilder::DistributionConfiguration', {
      Distributions: [
        Match.objectLike({ Region: 'eu-west-1' }),
        Match.objectLike({ Region: 'us-east-1' }),
        Match.objectLike({ Region: 'ap-southeast-2' }),
      ],
    });
  });

  test('a launch template update defaults to the stack region and the factory account', () => {
    const stack = newStack();
    new GoldenImage(stack, 'Image', {
      recipe: newRecipe(stack),
      launchTemplateUpdates: [{ launchTemplateId: LT_EU }, { launchTemplateId: LT_US, accountId: '111111111111' }],
    });
    Template.fromStack(stack).hasResourceProperties('AWS::ImageBuilder::DistributionConfiguration', {
      Distributions: [
        Match.objectLike({
          Region: 'eu-west-1',
          LaunchTemplateConfigurations: [
            Match.objectEquals({ LaunchTemplateId: LT_EU, SetDefaultVersion: true }),
            Match.objectEquals({ LaunchTemplateId: LT_US, AccountId: '111111111111', SetDefaultVersion: true }),
          ],
        }),
      ],
    });
  });

  test('sharing with the same account twice lists it once', () => {
    const stack = newStack();
    new GoldenImage(stack, 'Image', {
      recipe: newRecipe(stack),
      shareWith: [ImageSharing.account('222222222222'), ImageSharing.account('222222222222')],
    });
    Template.fromStack(stack).hasResourceProperties('AWS::ImageBuilder::DistributionConfiguration', {
      Distributions: [
        Match.objectLike({
          AmiDistributionConfiguration: Match.objectLike({
            LaunchPermissionConfiguration: Match.objectEquals({ UserIds: ['222222222222'] }),
          }),
        }),
      ],
    });
  });

  test('sharing publicly grants launch to all and warns', () => {
    const stack = newStack();
    new GoldenImage(stack, 'Image', { recipe: newRecipe(stack), shareWith: [ImageSharing.publicly()] });
    Template.fromStack(stack).hasResourceProperties('AWS::ImageBuilder::DistributionConfiguration', {
      Distributions: [
        Match.objectLike({
          AmiDistributionConfiguration: Match.objectLike({
            LaunchPermissionConfiguration: Match.objectEquals({ UserGroups: ['all'] }),
          }),
        }),
      ],
    });
    Annotations.fromStack(stack).hasWarning('/Stack/Image', Match.stringLikeRegexp('public, launchable by every AWS account'));
  });

  test('private sharing does not warn', () => {
    const stack = newStack();
    new GoldenImage(stack, 'Image', { recipe: newRecipe(stack), shareWith: [ImageSharing.account('222222222222')] });
    Annotations.fromStack(stack).hasNoWarning('*', Match.stringLikeRegexp('public'));
  });
});

describe('build infrastructure', () => {
  test('two GoldenImages in one stack share one infrastructure configuration, role, bucket and topic', () => {
    const stack = newStack();
    const recipe = newRecipe(stack);
    // Without revocation, whose role, key and topic are each image's own.
    const first = new GoldenImage(stack, 'First', { recipe, lifecycle: ImageLifecycle.byCount({ keepLatest: 3 }), revocation: false });
    const second = new GoldenImage(stack, 'Second', { recipe, lifecycle: ImageLifecycle.byCount({ keepLatest: 3 }), revocation: false });
    expect(second.infrastructure).toBe(first.infrastructure);

    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::ImageBuilder::ImagePipeline', 2);
    template.resourceCountIs('AWS::ImageBuilder::DistributionConfiguration', 2);
    template.resourceCountIs('AWS::ImageBuilder::LifecyclePolicy', 2);
    template.resourceCountIs('AWS::ImageBuilder::InfrastructureConfiguration', 1);
    template.resourceCountIs('AWS::IAM::InstanceProfile', 1);
    // The instance role and the lifecycle execution role, each once.
    template.resourceCountIs('AWS::IAM::Role', 2);
    template.resourceCountIs('AWS::S3::Bucket', 1);
    template.resourceCountIs('AWS::SNS::Topic', 1);
    template.resourceCountIs('AWS::KMS::Key', 1);

    const infrastructureArn = { 'Fn::GetAtt': [logicalId(stack, first.infrastructure), 'Arn'] };
    const pipelines = template.findResources('AWS::ImageBuilder::ImagePipeline', {
      Properties: { InfrastructureConfigurationArn: infrastructureArn },
    });
    expect(Object.keys(pipelines)).toHaveLength(2);
  });

  test('an explicit infrastructure in a VPC builds in a private subnet with a created security group', () => {
    const stack = newStack();
    const vpc = new ec2.Vpc(stack, 'Vpc', { availabilityZones: ['eu-west-1a', 'eu-west-1b'] });
    const infrastructure = new ImageBuildInfrastructure(stack, 'Infrastructure', {
      vpc,
      instanceTypes: [new ec2.InstanceType('m7i.large'), new ec2.InstanceType('c7i.large')],
      instanceTags: { purpose: 'golden-ami' },
      terminateInstanceOnFailure: false,
    });
    const image = new GoldenImage(stack, 'Image', { recipe: newRecipe(stack), infrastructure });
    expect(image.infrastructure).toBe(infrastructure);
    expect(infrastructure.securityGroup).toBeDefined();

    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::ImageBuilder::InfrastructureConfiguration', 1);
    expect(stack.node.tryFindChild('GoldenAmiBuildInfrastructure')).toBeUndefined();
    const securityGroupId = stack.getLogicalId(infrastructure.securityGroup!.node.defaultChild as CfnElement);
    template.hasResourceProperties('AWS::ImageBuilder::InfrastructureConfiguration', {
      SubnetId: { Ref: logicalId(stack, vpc.privateSubnets[0]) },
      SecurityGroupIds: [{ 'Fn::GetAtt': [securityGroupId, 'GroupId'] }],
      InstanceTypes: ['m7i.large', 'c7i.large'],
      ResourceTags: { purpose: 'golden-ami' },
      TerminateInstanceOnFailure: false,
      InstanceMetadataOptions: { HttpTokens: 'required', HttpPutResponseHopLimit: 2 },
    });
    template.hasResourceProperties('AWS::EC2::SecurityGroup', {
      VpcId: { Ref: logicalId(stack, vpc) },
      SecurityGroupIngress: Match.absent(),
      SecurityGroupEgress: [Match.objectLike({ CidrIp: '0.0.0.0/0', IpProtocol: '-1' })],
    });
    template.hasResourceProperties('AWS::ImageBuilder::ImagePipeline', {
      InfrastructureConfigurationArn: { 'Fn::GetAtt': [logicalId(stack, infrastructure), 'Arn'] },
    });
  });

  test('a subnet selection and security groups are used as given', () => {
    const stack = newStack();
    const vpc = new ec2.Vpc(stack, 'Vpc', { availabilityZones: ['eu-west-1a', 'eu-west-1b'] });
    const group = new ec2.SecurityGroup(stack, 'Group', { vpc });
    const infrastructure = new ImageBuildInfrastructure(stack, 'Infrastructure', {
      vpc,
      subnetSelection: { subnetType: ec2.SubnetType.PUBLIC },
      securityGroups: [group],
    });
    expect(infrastructure.securityGroup).toBeUndefined();

    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::EC2::SecurityGroup', 1);
    template.hasResourceProperties('AWS::ImageBuilder::InfrastructureConfiguration', {
      SubnetId: { Ref: logicalId(stack, vpc.publicSubnets[0]) },
      SecurityGroupIds: [{ 'Fn::GetAtt': [logicalId(stack, group), 'GroupId'] }],
    });
  });

  test('the instance role may only put logs under the log prefix', () => {
    const stack = newStack();
    new GoldenImage(stack, 'Image', { recipe: newRecipe(stack) });
    Template.fromStack(stack).hasResourceProperties('AWS::IAM::Policy', {
      Roles: [{ Ref: Match.stringLikeRegexp('^GoldenAmiBuildInfrastructureInstanceRole') }],
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Effect: 'Allow',
            Action: Match.arrayWith(['s3:PutObject']),
            Resource: {
              'Fn::Join': ['', [{ 'Fn::GetAtt': [Match.stringLikeRegexp('^GoldenAmiBuildInfrastructureLogBucket'), 'Arn'] }, '/imagebuilder-logs/*']],
            },
          }),
        ]),
      },
    });
  });
});

describe('imports', () => {
  test('fromParameterName gives a machine image resolved from the SSM parameter at deploy time', () => {
    const stack = newStack();
    const image = GoldenImage.fromParameterName(stack, 'Imported', '/golden-ami/web-base/latest');
    expect(image.ssmParameterName).toBe('/golden-ami/web-base/latest');
    expect(image.platform).toBe(ImagePlatform.LINUX);
    const launchTemplate = new ec2.LaunchTemplate(stack, 'LaunchTemplate', { machineImage: image.machineImage() });

    const template = Template.fromStack(stack);
    const parameters = template.findParameters('*', {
      Type: 'AWS::SSM::Parameter::Value<AWS::EC2::Image::Id>',
      Default: '/golden-ami/web-base/latest',
    });
    const parameterIds = Object.keys(parameters);
    expect(parameterIds).toHaveLength(1);
    template.hasResourceProperties('AWS::EC2::LaunchTemplate', {
      LaunchTemplateData: Match.objectLike({ ImageId: { Ref: parameterIds[0] } }),
    });
    expect(launchTemplate.osType).toBe(ec2.OperatingSystemType.LINUX);
  });

  test('a created image machine image reads its own SSM parameter in an ec2.Instance', () => {
    const stack = newStack();
    const image = new GoldenImage(stack, 'Image', { recipe: newRecipe(stack), ssmParameterName: '/images/web/latest' });
    const vpc = new ec2.Vpc(stack, 'Vpc', { availabilityZones: ['eu-west-1a', 'eu-west-1b'] });
    new ec2.Instance(stack, 'Instance', {
      vpc,
      instanceType: new ec2.InstanceType('t3.micro'),
      machineImage: image.machineImage(),
    });

    const template = Template.fromStack(stack);
    const parameterIds = Object.keys(template.findParameters('*', {
      Type: 'AWS::SSM::Parameter::Value<AWS::EC2::Image::Id>',
      Default: '/images/web/latest',
    }));
    expect(parameterIds).toHaveLength(1);
    template.hasResourceProperties('AWS::EC2::Instance', { ImageId: { Ref: parameterIds[0] } });
  });

  test('fromGoldenImageAttributes keeps the platform of a Windows image', () => {
    const stack = newStack();
    const image = GoldenImage.fromGoldenImageAttributes(stack, 'Imported', {
      ssmParameterName: '/golden-ami/windows/latest',
      platform: ImagePlatform.WINDOWS,
    });
    expect(image.platform).toBe(ImagePlatform.WINDOWS);
    expect(image.machineImage().getImage(stack).osType).toBe(ec2.OperatingSystemType.WINDOWS);
  });

  test('an import from a token parameter name resolves the parameter at launch', () => {
    const stack = newStack();
    const name = new CfnParameter(stack, 'ImageParameterName', { type: 'String' });
    const image = GoldenImage.fromParameterName(stack, 'Imported', name.valueAsString);
    new ec2.LaunchTemplate(stack, 'LaunchTemplate', { machineImage: image.machineImage() });

    const template = Template.fromStack(stack);
    // A template parameter cannot default to a reference, so no AMI-typed parameter is made.
    expect(template.findParameters('*', { Type: 'AWS::SSM::Parameter::Value<AWS::EC2::Image::Id>' })).toEqual({});
    template.hasResourceProperties('AWS::EC2::LaunchTemplate', {
      LaunchTemplateData: Match.objectLike({
        ImageId: { 'Fn::Join': ['', ['resolve:ssm:', { Ref: 'ImageParameterName' }]] },
      }),
    });
  });

  test('grantStartExecution on a created image grants starting its pipeline', () => {
    const stack = newStack();
    const image = new GoldenImage(stack, 'Image', { recipe: newRecipe(stack) });
    const role = new iam.Role(stack, 'Starter', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
    const grant = image.grantStartExecution(role);
    expect(grant.success).toBe(true);

    Template.fromStack(stack).hasResourceProperties('AWS::IAM::Policy', {
      Roles: [{ Ref: logicalId(stack, role) }],
      PolicyDocument: {
        Statement: [
          {
            Effect: 'Allow',
            Action: 'imagebuilder:StartImagePipelineExecution',
            Resource: { 'Fn::GetAtt': [stack.getLogicalId(image.pipeline), 'Arn'] },
          },
        ],
      },
    });
  });

  test('grantStartExecution on an import with imagePipelineArn grants on that ARN', () => {
    const stack = newStack();
    const pipelineArn = 'arn:aws:imagebuilder:eu-west-1:999999999999:image-pipeline/web-base';
    const image = GoldenImage.fromGoldenImageAttributes(stack, 'Imported', {
      ssmParameterName: '/golden-ami/web-base/latest',
      imagePipelineArn: pipelineArn,
    });
    const role = new iam.Role(stack, 'Starter', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
    image.grantStartExecution(role);

    Template.fromStack(stack).hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: [{ Effect: 'Allow', Action: 'imagebuilder:StartImagePipelineExecution', Resource: pipelineArn }],
      },
    });
  });

  test('grantStartExecution on an import without imagePipelineArn throws', () => {
    const stack = newStack();
    const image = GoldenImage.fromParameterName(stack, 'Imported', '/golden-ami/web-base/latest');
    const role = new iam.Role(stack, 'Starter', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
    expect(() => image.grantStartExecution(role)).toThrow(/grantStartExecution needs the pipeline ARN: import 'Stack\/Imported' with imagePipelineArn/);
  });

  test('an import with a pipeline ARN that is not an image pipeline throws', () => {
    const stack = newStack();
    const recipeArn = 'arn:aws:imagebuilder:eu-west-1:999999999999:image-recipe/web-base/1.0.0';
    expect(() => GoldenImage.fromGoldenImageAttributes(stack, 'Imported', {
      ssmParameterName: '/golden-ami/web-base/latest',
      imagePipelineArn: recipeArn,
    })).toThrow(`imagePipelineArn must be an Image Builder pipeline ARN, got: '${recipeArn}'`);
  });

  test('an import with an invalid parameter name throws', () => {
    const stack = newStack();
    expect(() => GoldenImage.fromParameterName(stack, 'Imported', 'golden-ami/latest'))
      .toThrow(/ssmParameterName must be a fully qualified SSM parameter name.*got: 'golden-ami\/latest'/);
  });
});

describe('build events', () => {
  test('onBuildSucceeded matches AVAILABLE image state changes of the recipe images', () => {
    const stack = newStack();
    const image = new GoldenImage(stack, 'Image', { recipe: newRecipe(stack, { recipeName: 'Web-Base' }) });
    const rule = image.onBuildSucceeded('Succeeded');
    expect(rule.node.scope).toBe(image);

    Template.fromStack(stack).hasResourceProperties('AWS::Events::Rule', {
      Description: 'Golden image Web-Base: build succeeded',
      EventPattern: {
        'source': ['aws.imagebuilder'],
        'detail-type': ['EC2 Image Builder Image State Change'],
        // Image ARNs carry the recipe name in lower case.
        'resources': [{ prefix: imageArnPrefix('web-base') }],
        'detail': { state: { status: ['AVAILABLE'] } },
      },
      State: 'ENABLED',
    });
  });

  test('onBuildFailed matches FAILED image state changes and sends to the target', () => {
    const stack = newStack();
    const image = new GoldenImage(stack, 'Image', { recipe: newRecipe(stack, { recipeName: 'web-base' }) });
    const topic = new sns.Topic(stack, 'Alerts');
    image.onBuildFailed('Failed', {
      target: new targets.SnsTopic(topic),
      ruleName: 'golden-ami-failed',
      eventPattern: { account: ['111111111111'], detail: { previousState: { status: ['TESTING'] } } },
    });

    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::Events::Rule', {
      Name: 'golden-ami-failed',
      Description: 'Golden image web-base: build failed',
      EventPattern: {
        'account': ['111111111111'],
        'source': ['aws.imagebuilder'],
        'detail-type': ['EC2 Image Builder Image State Change'],
        'resources': [{ prefix: imageArnPrefix('web-base') }],
        'detail': { previousState: { status: ['TESTING'] }, state: { status: ['FAILED'] } },
      },
      Targets: [Match.objectLike({ Arn: { Ref: logicalId(stack, topic) } })],
    });
  });

  test('an import with imageRecipeName gets build events', () => {
    const stack = newStack();
    const image = GoldenImage.fromGoldenImageAttributes(stack, 'Imported', {
      ssmParameterName: '/golden-ami/web-base/latest',
      imageRecipeName: 'web-base',
    });
    image.onBuildSucceeded('Succeeded');
    image.onBuildFailed('Failed');

    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::Events::Rule', 2);
    for (const status of ['AVAILABLE', 'FAILED']) {
      template.hasResourceProperties('AWS::Events::Rule', {
        EventPattern: Match.objectLike({
          resources: [{ prefix: imageArnPrefix('web-base') }],
          detail: { state: { status: [status] } },
        }),
      });
    }
  });

  test('an import without imageRecipeName throws on build events', () => {
    const stack = newStack();
    const image = GoldenImage.fromParameterName(stack, 'Imported', '/golden-ami/web-base/latest');
    const message = /build events need the recipe name as a literal: import 'Stack\/Imported' with imageRecipeName/;
    expect(() => image.onBuildSucceeded('Succeeded')).toThrow(message);
    expect(() => image.onBuildFailed('Failed')).toThrow(message);
  });

  test('an import with a token imageRecipeName throws on build events', () => {
    const stack = newStack();
    const recipeName = new CfnParameter(stack, 'RecipeName', { type: 'String' });
    const image = GoldenImage.fromGoldenImageAttributes(stack, 'Imported', {
      ssmParameterName: '/golden-ami/web-base/latest',
      imageRecipeName: recipeName.valueAsString,
    });
    expect(() => image.onBuildFailed('Failed')).toThrow(/imageRecipeName/);
  });
});

describe('synthesis', () => {
  test('a GoldenImage in a second app synthesizes independently of the first', () => {
    // Stacks of separate apps must not share the per-stack infrastructure.
    const first = newStack();
    new GoldenImage(first, 'Image', { recipe: newRecipe(first) });
    const second = new Stack(new App({ context: { '@aws-cdk/core:validateAgainstDefaultRules': true } }), 'Stack', {
      env: { account: '111111111111', region: 'eu-west-1' },
    });
    new GoldenImage(second, 'Image', { recipe: newRecipe(second) });
    expect(ImageBuildInfrastructure.ofStack(first)).not.toBe(ImageBuildInfrastructure.ofStack(second));
    Template.fromStack(first).resourceCountIs('AWS::ImageBuilder::InfrastructureConfiguration', 1);
    Template.fromStack(second).resourceCountIs('AWS::ImageBuilder::InfrastructureConfiguration', 1);
  });
});
