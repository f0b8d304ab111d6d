import { App, CfnParameter, CfnResource, Duration, Size, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import {
  ApprovalSource,
  FindingSeverity,
  GoldenAmiComplianceRule,
  GoldenImage,
  GoldenImageProps,
  ImageBuildInfrastructure,
  ImageLifecycle,
  ImageRecipe,
  ImageSharing,
  PipelineSchedule,
  RecipeComponent,
} from '../src';
import { ENV, newStack } from './util';
import { EcsApplicationImage, GoldenImageEcsCapacity, ParentImage } from '../src/ecs';
import { HardenedBaseRecipe } from '../src/hardened';

const KEY_EU = 'arn:aws:kms:eu-west-1:111111111111:key/11111111-2222-3333-4444-555555555555';
const KEY_US = 'arn:aws:kms:us-east-1:111111111111:key/66666666-7777-8888-9999-000000000000';
const LT = 'lt-0123456789abcdef0';

/** Builds a GoldenImage with a valid recipe in a fresh stack pinned to ENV. */
function goldenImage(props: Partial<GoldenImageProps> = {}, stack: Stack = newStack()): GoldenImage {
  const recipe = new ImageRecipe(stack, 'Recipe', { components: [RecipeComponent.awsManaged('update-linux')] });
  return new GoldenImage(stack, 'Image', { recipe, ...props });
}

/** A string token that resolves to a CloudFormation parameter at deploy time. */
function token(stack: Stack, id: string): string {
  return new CfnParameter(stack, id, { type: 'String' }).valueAsString;
}

/** Escapes a literal for use inside a RegExp. */
function literal(value: string): string {
  return value.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

/** Matches a message that names `prop` and then quotes `value`. */
function names(prop: string, value: string): RegExp {
  return new RegExp(`${literal(prop)}.*'${literal(value)}'`);
}

describe('CloudFormation template validation', () => {
  test('is active: an unknown property fails synthesis with an error naming it', () => {
    const stack = newStack();
    new CfnResource(stack, 'Bad', { type: 'AWS::SNS::Topic', properties: { NotAProperty: 1 } });
    expect(() => Template.fromStack(stack)).toThrow(/ERROR NotAProperty: Additional properties are not allowed \('NotAProperty' was unexpected\)/);
  });

  test('is active for app.synth() too, and the finding names its construct and rule', () => {
    const stack = newStack();
    new CfnResource(stack, 'Bad', { type: 'AWS::SNS::Topic', properties: { NotAProperty: 1 } });
    const app = stack.node.root as App;
    expect(() => app.synth()).toThrow(/Stack\/Bad[\s\S]*CloudFormation-Validate::F3002/);
  });

  test('without the feature flag the same finding is only a warning', () => {
    const stack = new Stack(new App(), 'Stack', { env: ENV });
    new CfnResource(stack, 'Bad', { type: 'AWS::SNS::Topic', properties: { NotAProperty: 1 } });
    const error = jest.spyOn(console, 'error').mockImplementation(() => undefined);
    try {
      expect(() => Template.fromStack(stack)).not.toThrow();
      expect(error.mock.calls.flat().join('\n')).toMatch(/WARNING NotAProperty: Additional properties are not allowed/);
    } finally {
      error.mockRestore();
    }
  });
});

describe('account IDs', () => {
  test('copyToAccounts rejects a malformed account ID', () => {
    expect(() => goldenImage({ copyToAccounts: ['222222222222', '12345'] }))
      .toThrow(names('copyToAccounts[1] must be a 12-digit AWS account ID', '12345'));
  });

  test('copyToAccounts rejects the same account twice', () => {
    expect(() => goldenImage({ copyToAccounts: ['222222222222', '222222222222'] }))
      .toThrow(names('copyToAccounts must not list the same value twice', '222222222222'));
  });

  test('copyToAccounts rejects the factory account', () => {
    expect(() => goldenImage({ copyToAccounts: ['222222222222', ENV.account] }))
      .toThrow(names('copyToAccounts must not include the factory account', ENV.account));
  });

  test('ImageSharing.account rejects a malformed account ID', () => {
    expect(() => ImageSharing.account('1111-2222-3333')).toThrow(names('shareWith account must be a 12-digit AWS account ID', '1111-2222-3333'));
  });

  test('launchTemplateUpdates rejects an account that is neither the factory nor a copy account', () => {
    expect(() => goldenImage({
      copyToAccounts: ['222222222222'],
      launchTemplateUpdates: [{ launchTemplateId: LT, accountId: '444444444444' }],
    })).toThrow(names('launchTemplateUpdates[0].accountId must be the factory account or one of copyToAccounts', '444444444444'));
  });

  test('launchTemplateUpdates rejects a malformed account ID', () => {
    expect(() => goldenImage({ launchTemplateUpdates: [{ launchTemplateId: LT, accountId: 'me' }] }))
      .toThrow(names('launchTemplateUpdates[0].accountId must be a 12-digit AWS account ID', 'me'));
  });
});

describe('regions', () => {
  test('regions rejects a malformed region', () => {
    expect(() => goldenImage({ regions: ['us-east-1', 'europe-west'] }))
      .toThrow(names('regions[1] must be an AWS region name', 'europe-west'));
  });

  test('regions rejects the same region twice', () => {
    expect(() => goldenImage({ regions: ['us-east-1', 'us-east-1'] }))
      .toThrow(names('regions must not list the same value twice', 'us-east-1'));
  });

  test('regions needs a stack with an explicit region', () => {
    const app = new App({ context: { '@aws-cdk/core:validateAgainstDefaultRules': true } });
    const agnostic = new Stack(app, 'Agnostic');
    expect(() => goldenImage({ regions: ['us-east-1'] }, agnostic))
      .toThrow(/regions needs a stack with an explicit env\.region, got regions: 'us-east-1' in an environment-agnostic stack/);
  });
});

describe('organizations', () => {
  test('ImageSharing.organizationalUnit rejects an invalid OU ARN', () => {
    const arn = 'arn:aws:organizations::999999999999:ou/ou-ab12-abcdefgh';
    expect(() => ImageSharing.organizationalUnit(arn)).toThrow(names('shareWith organizationalUnit must be an organizational unit ARN', arn));
  });

  test('ImageSharing.organization rejects an invalid organization ARN', () => {
    const arn = 'arn:aws:organizations::999999999999:organization/abcdefghij';
    expect(() => ImageSharing.organization(arn)).toThrow(names('shareWith organization must be an AWS Organizations organization ARN', arn));
  });
});

describe('encryption keys', () => {
  test('a key ARN must be a KMS key or alias ARN', () => {
    expect(() => goldenImage({ encryptionKeys: [{ region: 'eu-west-1', keyArn: 'alias/golden-ami' }] }))
      .toThrow(names('encryptionKeys[0].keyArn must be a KMS key or alias ARN', 'alias/golden-ami'));
  });

  test('a key must be in the region it is given for', () => {
    expect(() => goldenImage({ encryptionKeys: [{ region: 'eu-west-1', keyArn: KEY_US }] }))
      .toThrow(new RegExp(`encryptionKeys\\[0\\]\\.keyArn must be a key in region eu-west-1 .* but the ARN is in us-east-1, got: '${literal(KEY_US)}'`));
  });

  test('a key must be for a distribution region', () => {
    const keyArn = 'arn:aws:kms:us-west-2:111111111111:key/abc';
    expect(() => goldenImage({ encryptionKeys: [{ region: 'eu-west-1', keyArn: KEY_EU }, { region: 'us-west-2', keyArn }] }))
      .toThrow(names('encryptionKeys[1].region must be a distribution region (eu-west-1)', 'us-west-2'));
  });

  test('keys must cover every distribution region or none', () => {
    expect(() => goldenImage({ regions: ['us-east-1', 'ap-southeast-2'], encryptionKeys: [{ region: 'us-east-1', keyArn: KEY_US }] }))
      .toThrow(names('encryptionKeys must give a key for every distribution region or none; missing', 'eu-west-1, ap-southeast-2'));
  });

  test('a region gets one key', () => {
    const otherKey = 'arn:aws:kms:eu-west-1:111111111111:alias/golden-ami';
    expect(() => goldenImage({ encryptionKeys: [{ region: 'eu-west-1', keyArn: KEY_EU }, { region: 'eu-west-1', keyArn: otherKey }] }))
      .toThrow(names('encryptionKeys must give one key per region, got a second for', 'eu-west-1'));
  });
});

describe('launch templates', () => {
  test('launchTemplateUpdates rejects a malformed launch template ID', () => {
    expect(() => goldenImage({ launchTemplateUpdates: [{ launchTemplateId: 'lt-123' }] }))
      .toThrow(names('launchTemplateUpdates[0].launchTemplateId must be a launch template ID', 'lt-123'));
  });

  test('launchTemplateUpdates rejects a region the image is not distributed to', () => {
    expect(() => goldenImage({ regions: ['us-east-1'], launchTemplateUpdates: [{ launchTemplateId: LT, region: 'us-west-2' }] }))
      .toThrow(names('launchTemplateUpdates[0].region must be a distribution region (eu-west-1, us-east-1)', 'us-west-2'));
  });

  test('launchTemplateUpdates rejects a malformed region', () => {
    expect(() => goldenImage({ launchTemplateUpdates: [{ launchTemplateId: LT, region: 'EU-WEST-1' }] }))
      .toThrow(names('launchTemplateUpdates[0].region must be an AWS region name', 'EU-WEST-1'));
  });
});

describe('names', () => {
  test('imageName rejects characters Image Builder does not take', () => {
    expect(() => goldenImage({ imageName: 'web/base' }))
      .toThrow(/imageName must be \d+-\d+ characters of letters, digits, hyphens and underscores.*'web\/base'/);
  });

  test('imageName rejects a trailing space', () => {
    expect(() => goldenImage({ imageName: 'web-base ' }))
      .toThrow(/imageName must be \d+-\d+ characters of letters, digits, hyphens and underscores \(spaces only inside\).*'web-base '/);
  });

  test('ssmParameterName needs a leading slash', () => {
    expect(() => goldenImage({ ssmParameterName: 'golden-ami/web/latest' }))
      .toThrow(names('ssmParameterName must be a fully qualified SSM parameter name', 'golden-ami/web/latest'));
  });

  test('ssmParameterName rejects the reserved /aws/ prefix', () => {
    expect(() => goldenImage({ ssmParameterName: '/aws/service/web/latest' }))
      .toThrow(names('ssmParameterName must not start with /aws/ or /ssm/', '/aws/service/web/latest'));
  });

  test('ssmParameterName rejects more than 15 levels', () => {
    const name = '/' + Array.from({ length: 16 }, (_, i) => `l${i}`).join('/');
    expect(() => goldenImage({ ssmParameterName: name })).toThrow(names('ssmParameterName must have at most 15 levels of hierarchy', name));
  });

  test('amiName must make each build unique', () => {
    expect(() => goldenImage({ amiName: 'web-base-latest' }))
      .toThrow(names('amiName must contain {{ imagebuilder:buildDate }} or {{ imagebuilder:buildVersion }}', 'web-base-latest'));
  });
});

describe('pipeline settings', () => {
  test('failBuildOnFindings needs imageScanning', () => {
    expect(() => goldenImage({ imageScanning: false, failBuildOnFindings: FindingSeverity.HIGH }))
      .toThrow(/failBuildOnFindings needs imageScanning, got imageScanning: false and failBuildOnFindings: 'HIGH'/);
  });

  test.each([
    [Duration.minutes(59), '59'],
    [Duration.minutes(1441), '1441'],
  ])('imageTestsTimeout rejects %s, outside 60 to 1440 minutes', (timeout, minutes) => {
    expect(() => goldenImage({ imageTestsTimeout: timeout })).toThrow(names('imageTestsTimeout (minutes) must be an integer from 60 to 1440', minutes));
  });
});

describe('schedules', () => {
  test('a cron expression needs six fields', () => {
    expect(() => PipelineSchedule.expression('cron(0 4 * * ?)'))
      .toThrow(names('schedule expression must be cron(<minute> <hour> <day> <month> <day-of-week> <year>) with six fields', 'cron(0 4 * * ?)'));
  });

  test('a schedule expression must be a cron expression', () => {
    expect(() => PipelineSchedule.expression('rate(1 day)')).toThrow(names('schedule expression must be cron(', 'rate(1 day)'));
  });

  test('a cron schedule cannot set both day and weekDay', () => {
    expect(() => PipelineSchedule.cron({ day: '1', weekDay: 'MON' }))
      .toThrow(/schedule cannot set both day \('1'\) and weekDay \('MON'\)/);
  });

  test('a cron expression cannot have ? in both day fields', () => {
    expect(() => PipelineSchedule.expression('cron(0 0 ? * ? *)'))
      .toThrow(names("schedule expression must have '?' in exactly one of day and day-of-week", 'cron(0 0 ? * ? *)'));
  });

  test('a cron expression needs ? in one of the day fields', () => {
    expect(() => PipelineSchedule.expression('cron(0 0 * * * *)'))
      .toThrow(names("schedule expression must have '?' in exactly one of day and day-of-week", 'cron(0 0 * * * *)'));
  });

  test.each([
    [Duration.minutes(45), '45 minutes'],
    [Duration.hours(5), '5 hours'],
    [Duration.days(2), '2 days'],
    [Duration.days(14), '14 days'],
    [Duration.days(32), '32 days'],
  ])('a rate of %s cannot be written as a cron expression', (interval, human) => {
    expect(() => PipelineSchedule.rate(interval)).toThrow(names('schedule rate must be whole hours dividing 24, 1 day or 7 days', human));
  });

  test('a schedule time zone must be an IANA name', () => {
    expect(() => PipelineSchedule.rate(Duration.days(1), { timezone: 'Central European Time' }))
      .toThrow(names('schedule timezone must be an IANA time zone', 'Central European Time'));
  });

  test('disableAfterConsecutiveFailures must be from 1 to 10', () => {
    expect(() => PipelineSchedule.cron({ hour: '4', disableAfterConsecutiveFailures: 0 }))
      .toThrow(names('schedule disableAfterConsecutiveFailures must be an integer from 1 to 10', '0'));
  });
});

describe('lifecycles', () => {
  test('byAge needs at least one age', () => {
    expect(() => ImageLifecycle.byAge({ retainAtLeast: 2 }))
      .toThrow('lifecycle byAge needs at least one of deprecateAfter, disableAfter and deleteAfter');
  });

  test('byAge needs deleteAfter longer than deprecateAfter', () => {
    expect(() => ImageLifecycle.byAge({ deprecateAfter: Duration.days(30), deleteAfter: Duration.days(30) }))
      .toThrow(names('lifecycle deleteAfter must be longer than deprecateAfter (30 days)', '30 days'));
  });

  test('byAge needs disableAfter longer than deprecateAfter', () => {
    expect(() => ImageLifecycle.byAge({ deprecateAfter: Duration.days(60), disableAfter: Duration.days(30) }))
      .toThrow(names('lifecycle disableAfter must be longer than deprecateAfter (60 days)', '30 days'));
  });

  test('byAge retainAtLeast must be from 1 to 10', () => {
    expect(() => ImageLifecycle.byAge({ deleteAfter: Duration.days(90), retainAtLeast: 0 }))
      .toThrow(names('lifecycle retainAtLeast must be an integer from 1 to 10', '0'));
  });

  test('byAge ages must be whole days', () => {
    const age = Duration.hours(36);
    expect(() => ImageLifecycle.byAge({ deprecateAfter: age }))
      .toThrow(names('lifecycle deprecateAfter must be a whole number of days, at least 1', age.toHumanString()));
  });

  test('byAge ages beyond 365 days must be whole weeks or years', () => {
    expect(() => ImageLifecycle.byAge({ deleteAfter: Duration.days(400) }))
      .toThrow(names('lifecycle deleteAfter beyond 365 days must be whole weeks or years', '400 days'));
  });

  test('keepIfLaunchedWithin must be whole days', () => {
    const within = Duration.hours(12);
    expect(() => ImageLifecycle.byCount({ keepLatest: 3, keepIfLaunchedWithin: within }))
      .toThrow(names('lifecycle keepIfLaunchedWithin must be a whole number of days, at least 1', within.toHumanString()));
  });

  test('byCount keepLatest must be from 1 to 1000', () => {
    expect(() => ImageLifecycle.byCount({ keepLatest: 0 })).toThrow(names('lifecycle keepLatest must be an integer from 1 to 1000', '0'));
  });
});

describe('build infrastructure', () => {
  test('subnetSelection requires vpc', () => {
    const stack = newStack();
    expect(() => new ImageBuildInfrastructure(stack, 'Infrastructure', { subnetSelection: { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS } }))
      .toThrow('subnetSelection requires vpc: give the VPC the subnets belong to');
  });

  test('securityGroups requires vpc', () => {
    const stack = newStack();
    const group = ec2.SecurityGroup.fromSecurityGroupId(stack, 'Group', 'sg-0123456789abcdef0');
    expect(() => new ImageBuildInfrastructure(stack, 'Infrastructure', { securityGroups: [group] }))
      .toThrow('securityGroups requires vpc: give the VPC the security groups belong to');
  });

  test('a subnet selection must select a subnet', () => {
    const stack = newStack();
    const vpc = new ec2.Vpc(stack, 'Vpc', { availabilityZones: ['eu-west-1a', 'eu-west-1b'] });
    expect(() => new ImageBuildInfrastructure(stack, 'Infrastructure', { vpc, subnetSelection: { subnets: [] } }))
      .toThrow(names('subnetSelection selects no subnet of the VPC', '{"subnets":[]}'));
  });

  test('instanceTypes must have one architecture', () => {
    const stack = newStack();
    expect(() => new ImageBuildInfrastructure(stack, 'Infrastructure', {
      instanceTypes: [new ec2.InstanceType('m7g.large'), new ec2.InstanceType('m7i.large')],
    })).toThrow('instanceTypes must all have one architecture, got arm64 (m7g.large) and x86_64 (m7i.large)');
  });

  test('instanceTypes must be EC2 instance types', () => {
    const stack = newStack();
    expect(() => new ImageBuildInfrastructure(stack, 'Infrastructure', { instanceTypes: [new ec2.InstanceType('large')] }))
      .toThrow(names('instanceTypes must be EC2 instance types such as m7i.large', 'large'));
  });

  test('logRetention with a logBucket of the user fails at synth (it would be ignored)', () => {
    const stack = newStack();
    const logBucket = s3.Bucket.fromBucketName(stack, 'Logs', 'central-build-logs');
    expect(() => new ImageBuildInfrastructure(stack, 'Infrastructure', { logBucket, logRetention: Duration.days(30) }))
      .toThrow("logRetention applies to the log bucket this construct creates; with logBucket, set the retention on your bucket, got logRetention: '30 days'");
  });

  test('logRetention must be from 1 to 36500 days', () => {
    const stack = newStack();
    expect(() => new ImageBuildInfrastructure(stack, 'Infrastructure', { logRetention: Duration.days(0) }))
      .toThrow(names('logRetention (days) must be an integer from 1 to 36500', '0'));
  });

  test('Graviton families of every naming scheme are one architecture', () => {
    const stack = newStack();
    expect(() => new ImageBuildInfrastructure(stack, 'Infrastructure', {
      instanceTypes: ['a1.large', 'm7g.large', 'c7gn.large', 'r8g.large', 'm6gd.large'].map(name => new ec2.InstanceType(name)),
    })).not.toThrow();
  });
});

describe('tokens pass through unchecked', () => {
  test('copyToAccounts with a parameter token', () => {
    const stack = newStack();
    const account = token(stack, 'Account');
    goldenImage({ copyToAccounts: [account], launchTemplateUpdates: [{ launchTemplateId: LT, accountId: account }] }, stack);
    Template.fromStack(stack).hasResourceProperties('AWS::ImageBuilder::DistributionConfiguration', {
      Distributions: [Match.objectLike({
        AmiDistributionConfiguration: Match.objectLike({ TargetAccountIds: [ENV.account, { Ref: 'Account' }] }),
        SsmParameterConfigurations: Match.arrayWith([Match.objectLike({ AmiAccountId: { Ref: 'Account' } })]),
        LaunchTemplateConfigurations: [Match.objectLike({ AccountId: { Ref: 'Account' } })],
      })],
    });
  });

  test('sharing with account, OU and organization tokens', () => {
    const stack = newStack();
    goldenImage({
      shareWith: [
        ImageSharing.account(token(stack, 'Account')),
        ImageSharing.organizationalUnit(token(stack, 'Ou')),
        ImageSharing.organization(token(stack, 'Org')),
      ],
    }, stack);
    Template.fromStack(stack).hasResourceProperties('AWS::ImageBuilder::DistributionConfiguration', {
      Distributions: [Match.objectLike({
        AmiDistributionConfiguration: Match.objectLike({
          LaunchPermissionConfiguration: {
            UserIds: [{ Ref: 'Account' }],
            OrganizationalUnitArns: [{ Ref: 'Ou' }],
            OrganizationArns: [{ Ref: 'Org' }],
          },
        }),
      })],
    });
  });

  test('names, parameter name, AMI name, launch template and key tokens', () => {
    const stack = newStack();
    goldenImage({
      imageName: token(stack, 'ImageName'),
      ssmParameterName: token(stack, 'ParameterName'),
      amiName: token(stack, 'AmiName'),
      launchTemplateUpdates: [{ launchTemplateId: token(stack, 'LaunchTemplate') }],
      encryptionKeys: [{ region: 'eu-west-1', keyArn: token(stack, 'Key') }],
    }, stack);
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::ImageBuilder::DistributionConfiguration', {
      Name: { Ref: 'ImageName' },
      Distributions: [Match.objectLike({
        AmiDistributionConfiguration: Match.objectLike({ Name: { Ref: 'AmiName' }, KmsKeyId: { Ref: 'Key' } }),
        SsmParameterConfigurations: [Match.objectLike({ ParameterName: { Ref: 'ParameterName' } })],
        LaunchTemplateConfigurations: [Match.objectLike({ LaunchTemplateId: { Ref: 'LaunchTemplate' } })],
      })],
    });
    template.hasResourceProperties('AWS::ImageBuilder::ImagePipeline', { Name: { Ref: 'ImageName' } });
  });

  test('a schedule expression and time zone token', () => {
    const stack = newStack();
    const schedule = PipelineSchedule.expression(token(stack, 'Cron'), { timezone: token(stack, 'Zone') });
    goldenImage({ schedule }, stack);
    Template.fromStack(stack).hasResourceProperties('AWS::ImageBuilder::ImagePipeline', {
      Schedule: Match.objectLike({ ScheduleExpression: { Ref: 'Cron' }, Timezone: { Ref: 'Zone' } }),
    });
  });

  test('a region token in regions', () => {
    const stack = newStack();
    const image = goldenImage({ regions: [token(stack, 'Region')] }, stack);
    expect(image.regions).toHaveLength(2);
    Template.fromStack(stack).hasResourceProperties('AWS::ImageBuilder::DistributionConfiguration', {
      Distributions: [Match.objectLike({ Region: 'eu-west-1' }), Match.objectLike({ Region: { Ref: 'Region' } })],
    });
  });
});

/** The AMI name of the image's distribution in the build region. */
function amiNameOf(stack: Stack): string {
  const [config] = Object.values(Template.fromStack(stack).findResources('AWS::ImageBuilder::DistributionConfiguration'));
  return config.Properties.Distributions[0].AmiDistributionConfiguration.Name;
}

describe('AMI names (issue 10)', () => {
  test('the default amiName of a deeply nested GoldenImage without imageName fits 127 characters and keeps the build date', () => {
    const stack = newStack();
    let scope: Construct = stack;
    for (const id of ['LandingZoneImageFactory', 'WorkloadPlatformImages', 'ApplicationTeamGoldenImages', 'ProductionHardened']) {
      scope = new Construct(scope, id);
    }
    goldenImage({}, stack);
    const recipe = new ImageRecipe(scope, 'Recipe', { components: [RecipeComponent.awsManaged('update-linux')] });
    const image = new GoldenImage(scope, 'AmazonLinux2023HardenedGoldenImage', { recipe });
    expect(image.imageName.length).toBeGreaterThan(98);
    const [config] = Object.values(Template.fromStack(stack).findResources('AWS::ImageBuilder::DistributionConfiguration', {
      Properties: { Name: image.imageName },
    }));
    const name: string = config.Properties.Distributions[0].AmiDistributionConfiguration.Name;
    expect(name.length).toBeLessThanOrEqual(127);
    expect(name).toMatch(/^[-_A-Za-z0-9{][-_A-Za-z0-9\s:{}.]+[-_A-Za-z0-9}]$/);
    expect(name.endsWith('-{{ imagebuilder:buildDate }}')).toBe(true);
    expect(name.startsWith(image.imageName.slice(0, 80))).toBe(true);
  });

  test('a long imageName is shortened deterministically with a hash in the default amiName', () => {
    const long = 'x'.repeat(110);
    const first = newStack();
    goldenImage({ imageName: `${long}-a` }, first);
    const second = newStack();
    goldenImage({ imageName: `${long}-b` }, second);
    const again = newStack();
    goldenImage({ imageName: `${long}-a` }, again);
    expect(amiNameOf(first)).toMatch(/^x{89}-[0-9a-f]{8}-\{\{ imagebuilder:buildDate \}\}$/);
    expect(amiNameOf(first)).toHaveLength(127);
    expect(amiNameOf(first)).not.toEqual(amiNameOf(second));
    expect(amiNameOf(first)).toEqual(amiNameOf(again));
  });

  test('a user amiName over 127 characters is an error', () => {
    const amiName = `${'web-'.repeat(30)}{{ imagebuilder:buildDate }}`;
    expect(() => goldenImage({ amiName })).toThrow(names('amiName must be 3 to 127 characters', amiName));
  });

  test.each([
    [' web-{{ imagebuilder:buildDate }}', 'must start and end with'],
    ["'web'-{{ imagebuilder:buildDate }}", 'must be letters, digits, spaces, hyphens, underscores and periods'],
    ['web:base-{{ imagebuilder:buildDate }}', 'must be letters, digits, spaces, hyphens, underscores and periods'],
    ['web-{{ imagebuilder:buildDate }}\t', 'must be letters, digits, spaces, hyphens, underscores and periods'],
  ])('amiName %j has characters Image Builder or EC2 refuses', (amiName, expectation) => {
    expect(() => goldenImage({ amiName })).toThrow(names(`amiName ${expectation}`, amiName));
  });

  test('amiName with the build version, spaces and periods is accepted', () => {
    const stack = newStack();
    goldenImage({ amiName: 'Web base 1.2 {{ imagebuilder:buildVersion }}' }, stack);
    expect(amiNameOf(stack)).toEqual('Web base 1.2 {{ imagebuilder:buildVersion }}');
  });

  test('imageName with spaces and no ssmParameterName fails naming imageName, not ssmParameterName', () => {
    expect(() => goldenImage({ imageName: 'web base' }))
      .toThrow(/^imageName must be letters, digits, hyphens, underscores and periods when ssmParameterName is not set.*got: 'web base'$/);
  });

  test('imageName with spaces and an ssmParameterName is accepted', () => {
    const stack = newStack();
    goldenImage({ imageName: 'web base', ssmParameterName: '/golden-ami/web-base/latest' }, stack);
    expect(amiNameOf(stack)).toEqual('web base-{{ imagebuilder:buildDate }}');
  });
});

describe('AMI tags (issue 10)', () => {
  test.each([
    ['', 'amiTags key must be 1 to 128 characters'],
    ['aws:cost-center', 'amiTags key must not start with aws:'],
    ['AWS:team', 'amiTags key must not start with aws:'],
    ['k'.repeat(129), 'amiTags key must be 1 to 128 characters'],
    ['team#1', 'amiTags key must be letters, digits, spaces and _ . : / = + - @'],
  ])('GoldenImage amiTags key %j is an error', (key, message) => {
    expect(() => goldenImage({ amiTags: { [key]: 'v' } })).toThrow(names(message, key));
  });

  test('GoldenImage amiTags value over 256 characters is an error', () => {
    const value = 'v'.repeat(257);
    expect(() => goldenImage({ amiTags: { team: value } })).toThrow(`amiTags['team'] must be at most 256 characters, got: '${value.slice(0, 200)}...' (257 characters)`);
  });

  test('GoldenImage amiTags must leave room for the pipeline tag (50 in all)', () => {
    const amiTags = Object.fromEntries(Array.from({ length: 50 }, (_, i) => [`t${i}`, 'v']));
    expect(() => goldenImage({ amiTags })).toThrow(/amiTags must have at most 49 tags, got: 't0, t1, /);
  });

  test('HardenedBaseRecipe and ImageRecipe amiTags keys starting with aws: are errors', () => {
    expect(() => new HardenedBaseRecipe(newStack(), 'Base', { amiTags: { 'aws:owner': 'me' } })).toThrow(names('amiTags key must not start with aws:', 'aws:owner'));
    expect(() => new ImageRecipe(newStack(), 'Recipe', { amiTags: { '': 'me' } })).toThrow(names('amiTags key must be 1 to 128 characters', ''));
  });
});

describe('descriptions and working directories (issue 10)', () => {
  const long = 'd'.repeat(1025);
  test.each([[''], [long]])('GoldenImage description of %#: empty or over 1,024 characters', (description) => {
    expect(() => goldenImage({ description })).toThrow(new RegExp(`^description must be 1 to 1024 characters, got: '${description.slice(0, 200)}`));
  });

  test.each([[''], [long]])('HardenedBaseRecipe description %#: empty or over 1,024 characters', (description) => {
    expect(() => new HardenedBaseRecipe(newStack(), 'Base', { description })).toThrow(/^description must be 1 to 1024 characters, got: /);
  });

  test('ImageRecipe description over 1,024 characters', () => {
    expect(() => new ImageRecipe(newStack(), 'Recipe', { description: long })).toThrow(`description must be 1 to 1024 characters, got: '${'d'.repeat(200)}...' (1025 characters)`);
  });

  test('GoldenAmiComplianceRule description over 256 characters (Config rule limit)', () => {
    const description = 'd'.repeat(257);
    expect(() => new GoldenAmiComplianceRule(newStack(), 'Rule', { approvalSources: [ApprovalSource.ssmCatalog('/golden-ami/')], description }))
      .toThrow(/^description must be 0 to 256 characters, got: 'd{200}\.\.\.' \(257 characters\)$/);
  });

  test.each([
    ['', 'must be 1 to 1024 characters'],
    [`/${'w'.repeat(1024)}`, 'must be 1 to 1024 characters'],
    ['/tmp/build\ndir', 'must not contain control characters'],
  ])('HardenedBaseRecipe workingDirectory %#', (workingDirectory, message) => {
    expect(() => new HardenedBaseRecipe(newStack(), 'Base', { workingDirectory })).toThrow(new RegExp(`^workingDirectory ${message}`));
  });
});

describe('values (issue 10)', () => {
  test.each([[0], [64], [10241], [512.5]])('GoldenAmiComplianceRule memorySize %s is outside 128 to 10,240 MB', (memorySize) => {
    expect(() => new GoldenAmiComplianceRule(newStack(), 'Rule', { approvalSources: [ApprovalSource.ssmCatalog('/golden-ami/')], memorySize }))
      .toThrow(names('memorySize (MB) must be an integer from 128 to 10240', String(memorySize)));
  });

  test.each([['eu-centrl-1'], ['eu-west-12'], ['us-east-9']])('regions rejects %s, a region that does not exist', (region) => {
    expect(() => goldenImage({ regions: [region] })).toThrow(names('regions[0] must be an AWS region that exists', region));
  });

  test('encryptionKeys and launchTemplateUpdates regions must exist too', () => {
    expect(() => goldenImage({ encryptionKeys: [{ region: 'eu-west-12', keyArn: 'arn:aws:kms:eu-west-12:111111111111:key/abc' }] }))
      .toThrow(names('encryptionKeys[0].region must be an AWS region that exists', 'eu-west-12'));
    expect(() => goldenImage({ launchTemplateUpdates: [{ launchTemplateId: LT, region: 'eu-centrl-1' }] }))
      .toThrow(names('launchTemplateUpdates[0].region must be an AWS region that exists', 'eu-centrl-1'));
  });

  test('a region aws-cdk-lib lists but the old pattern did not (eusc-de-east-1) is accepted', () => {
    const stack = newStack();
    goldenImage({ regions: ['eusc-de-east-1'] }, stack);
    Template.fromStack(stack).hasResourceProperties('AWS::ImageBuilder::DistributionConfiguration', {
      Distributions: [Match.objectLike({ Region: 'eu-west-1' }), Match.objectLike({ Region: 'eusc-de-east-1' })],
    });
  });

  test.each([
    [{ hour: '24' }, 'hour', '24'],
    [{ hour: '25' }, 'hour', '25'],
    [{ weekDay: 'MONDAY' }, 'weekDay', 'MONDAY'],
    [{ minute: '60' }, 'minute', '60'],
    [{ day: '0' }, 'day', '0'],
    [{ day: '32W' }, 'day', '32W'],
    [{ month: '13' }, 'month', '13'],
    [{ month: 'JANUARY' }, 'month', 'JANUARY'],
    [{ weekDay: '8' }, 'weekDay', '8'],
    [{ weekDay: '2#6' }, 'weekDay', '2#6'],
    [{ weekDay: '2#1,4#2' }, 'weekDay', '2#1,4#2'],
    [{ year: '1969' }, 'year', '1969'],
    [{ hour: '*/0' }, 'hour', '*/0'],
    [{ hour: '1-' }, 'hour', '1-'],
    [{ minute: '0 4' }, 'minute', '0 4'],
  ])('PipelineSchedule.cron(%j) is an error naming the field', (options, prop, value) => {
    expect(() => PipelineSchedule.cron(options)).toThrow(new RegExp(`^${prop} must be .*\\(Image Builder's cron format\\), got: '${literal(value)}'$`));
  });

  test.each([
    [{ hour: '4' }, 'cron(0 4 * * ? *)'],
    [{ minute: '*/15', hour: '8-17', weekDay: 'MON-FRI' }, 'cron(*/15 8-17 ? * MON-FRI *)'],
    [{ weekDay: '6L' }, 'cron(0 0 ? * 6L *)'],
    [{ weekDay: '3#2' }, 'cron(0 0 ? * 3#2 *)'],
    [{ day: 'L' }, 'cron(0 0 L * ? *)'],
    [{ day: '15W', month: 'jan,jul' }, 'cron(0 0 15W jan,jul ? *)'],
    [{ day: '1/2', year: '2025-2030' }, 'cron(0 0 1/2 * ? 2025-2030)'],
  ])('PipelineSchedule.cron(%j) is valid', (options, expression) => {
    expect(PipelineSchedule.cron(options).expressionString).toEqual(expression);
  });

  test('an expression with an hour out of range names the field and the expression', () => {
    expect(() => PipelineSchedule.expression('cron(0 24 * * ? *)'))
      .toThrow("schedule expression hour field of 'cron(0 24 * * ? *)' must be 0-23 with the wildcards , - * / (Image Builder's cron format), got: '24'");
  });

  test('a time zone CloudFormation refuses (a leading underscore) is an error', () => {
    expect(() => PipelineSchedule.cron({ timezone: '_Europe/Paris' })).toThrow(names('schedule timezone must be an IANA time zone', '_Europe/Paris'));
  });
});

describe('runtime types at the construct boundary (issue 10, for JavaScript callers)', () => {
  test('regions given as a string instead of a list names regions and the value', () => {
    expect(() => goldenImage({ regions: 'eu-central-1' as unknown as string[] }))
      .toThrow("regions must be a list, got a string instead, got: 'eu-central-1'");
  });

  test('description given as a number names description', () => {
    expect(() => goldenImage({ description: 5 as unknown as string })).toThrow("description must be a string, got a number instead, got: '5'");
  });

  test('HardenedBaseRecipe securityAgents given as an object names securityAgents', () => {
    expect(() => new HardenedBaseRecipe(newStack(), 'Base', { securityAgents: {} as unknown as [] }))
      .toThrow("securityAgents must be a list, got a object instead, got: '{}'");
  });

  test('a cron field given as a number names the field', () => {
    expect(() => PipelineSchedule.cron({ hour: 4 as unknown as string })).toThrow("hour must be a string such as '5', got a number: '4'");
  });
});

describe('found by the fuzz tests (issue 10)', () => {
  test('GoldenImageEcsCapacity minCapacity above the default maxCapacity names minCapacity, not maxCapacity', () => {
    const stack = newStack();
    const vpc = ec2.Vpc.fromVpcAttributes(stack, 'Vpc', { vpcId: 'vpc-0123456789abcdef0', availabilityZones: ['eu-west-1a'], privateSubnetIds: ['subnet-0123456789abcdef0'] });
    expect(() => new GoldenImageEcsCapacity(stack, 'Capacity', {
      cluster: new ecs.Cluster(stack, 'Cluster', { vpc }),
      image: GoldenImage.fromParameterName(stack, 'Image', '/golden-ami/app/latest'),
      instanceType: new ec2.InstanceType('m7i.large'),
      minCapacity: 6,
    })).toThrow("minCapacity must be at most maxCapacity, which is 4 by default: set maxCapacity too, got: '6'");
  });

  test.each([['aws:tag'], ['ecs-capacity'], ['Fargate1'], ['a'.repeat(256)]])('GoldenImageEcsCapacity capacityProviderName %#: a name ECS refuses names capacityProviderName', (capacityProviderName) => {
    const stack = newStack();
    const vpc = ec2.Vpc.fromVpcAttributes(stack, 'Vpc', { vpcId: 'vpc-0123456789abcdef0', availabilityZones: ['eu-west-1a'], privateSubnetIds: ['subnet-0123456789abcdef0'] });
    expect(() => new GoldenImageEcsCapacity(stack, 'Capacity', {
      cluster: new ecs.Cluster(stack, 'Cluster', { vpc }),
      image: GoldenImage.fromParameterName(stack, 'Image', '/golden-ami/app/latest'),
      instanceType: new ec2.InstanceType('m7i.large'),
      capacityProviderName,
    })).toThrow(/^capacityProviderName must be 1-255 letters, digits, underscores and hyphens, not starting with aws, ecs or fargate, got: '/);
  });

  test('GoldenAmiComplianceRule reservedConcurrentExecutions below 0 is a synth error naming it', () => {
    expect(() => new GoldenAmiComplianceRule(newStack(), 'Rule', { approvalSources: [ApprovalSource.ssmCatalog('/golden-ami/')], reservedConcurrentExecutions: -4 }))
      .toThrow(names('reservedConcurrentExecutions must be an integer from 0 to', '-4'));
  });

  test('GoldenAmiComplianceRule maximumAmiAge and timeout errors quote the Duration as given', () => {
    const rule = (props: { maximumAmiAge?: Duration; timeout?: Duration }) => new GoldenAmiComplianceRule(newStack(), 'Rule', { approvalSources: [ApprovalSource.ssmCatalog('/golden-ami/')], ...props });
    expect(() => rule({ maximumAmiAge: Duration.days(4990) })).toThrow("maximumAmiAge must be a whole number of days from 1 to 3650, got: '4990 days'");
    expect(() => rule({ maximumAmiAge: Duration.hours(36) })).toThrow("maximumAmiAge must be a whole number of days from 1 to 3650, got: '1 day 12 hours'");
    expect(() => rule({ timeout: Duration.minutes(47) })).toThrow("timeout must be from 2 to 15 minutes (a periodic sweep keeps its last minute to deliver evaluations and continue), got: '47 minutes'");
  });


  test('a HardenedBaseRecipe root volume of 16,001 GiB is a synth error (ImageRecipe VolumeSize takes at most 16000)', () => {
    expect(() => new HardenedBaseRecipe(newStack(), 'Base', { rootVolume: { size: Size.gibibytes(16001) } }))
      .toThrow(names('rootVolume.size (GiB) must be an integer from 1 to 16000', '16001'));
  });

  test('an EcsApplicationImage recipeName too long for its component names is an error naming recipeName', () => {
    const recipeName = 'r'.repeat(103);
    expect(() => new EcsApplicationImage(newStack(), 'App', { recipeName, parent: ParentImage.fromSsmParameter('/golden-ami/base/latest') }))
      .toThrow(names('recipeName must be at most 102 characters', recipeName));
  });

  test('an EcsApplicationImage imageName that names the recipe is checked as imageName', () => {
    const imageName = 'i'.repeat(110);
    expect(() => new EcsApplicationImage(newStack(), 'App', { imageName, parent: ParentImage.fromSsmParameter('/golden-ami/base/latest') }))
      .toThrow(names('imageName must be at most 102 characters', imageName));
  });
});
