import { App, Duration, Stack, Validations } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sns from 'aws-cdk-lib/aws-sns';
import { AwsSolutionsChecks, HIPAASecurityChecks, NIST80053R5Checks } from 'cdk-nag';
import { Construct, IConstruct } from 'constructs';
import { GoldenImage, ImageBuildInfrastructure, ImageRecipe, RecipeComponent } from '../src';
import { allNagFindings, NAG_PACKS, nagFindings, recordedAcknowledgments } from './nag-checks';
import { factoryStack, trustChainStack } from './nag-stacks';
import { newStack } from './util';
import * as nagAcknowledgments from '../src/private/nag-acknowledgments';

const ACKNOWLEDGED_RULES = Validations.ACKNOWLEDGED_RULES_METADATA_KEY;

/** The library's acknowledgments, without the ones the fixture network records for itself. */
function libraryAcknowledgments(stack: Stack) {
  return recordedAcknowledgments(stack).filter(({ path }) => path !== `${stack.stackName}/Vpc`);
}

/** A stack with one golden image and nothing else, all defaults. */
function defaultStack(): Stack {
  const stack = newStack('Default');
  new GoldenImage(stack, 'Image', { recipe: new ImageRecipe(stack, 'Recipe', { components: [RecipeComponent.awsManaged('update-linux')] }) });
  return stack;
}

describe('cdk-nag: AwsSolutions, NIST 800-53 R5 and HIPAA Security', () => {
  test.each(NAG_PACKS.map(([name, pack]) => [name, pack] as const))('%s finds nothing unacknowledged in a default stack or a factory of two golden images (errors and warnings)', (_name, pack) => {
    expect(nagFindings(defaultStack().node.root, pack())).toEqual([]);
    expect(nagFindings(factoryStack().node.root, pack())).toEqual([]);
    expect(nagFindings(trustChainStack().node.root, pack())).toEqual([]);
  });

  test('every acknowledgment, the library\'s and the fixture\'s, gives a reason', () => {
    for (const stack of [defaultStack(), factoryStack()]) {
      const acknowledged = recordedAcknowledgments(stack);
      expect(acknowledged.length).toBeGreaterThan(0);
      for (const { reason } of acknowledged) {
        expect(reason.trim().length).toBeGreaterThan(40);
      }
    }
  });

  test('as validation plugins, the three packs let the app synthesize', () => {
    const stack = factoryStack();
    const app = stack.node.root as App;
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app), new NIST80053R5Checks(app), new HIPAASecurityChecks(app));
    const assembly = app.synth();
    expect(assembly.getStackByName(stack.stackName).template.Resources).toBeDefined();
  });

  test('as a validation plugin, fails synthesis on a finding nobody acknowledged (so the test above means something)', () => {
    const stack = factoryStack();
    new s3.Bucket(stack, 'UnloggedBucket', { enforceSSL: true });
    const app = stack.node.root as App;
    Validations.of(app).addPlugins(new NIST80053R5Checks(app));
    expect(() => app.synth()).toThrow(/NIST\.800\.53\.R5-S3BucketLoggingEnabled/);
  });

  test('acknowledges exactly the justified findings, on the library resources they concern', () => {
    const stack = factoryStack();
    const acknowledged = libraryAcknowledgments(stack);
    const managed = (name: string) => `AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/${name}]`;
    const bothPacks = (rule: string) => [`NIST.800.53.R5-${rule}`, `HIPAA.Security-${rule}`];
    const bucketLogicalId = (infrastructure: string) =>
      stack.getLogicalId((stack.node.findChild(infrastructure) as ImageBuildInfrastructure).logBucket.node.defaultChild as s3.CfnBucket);
    const perInfrastructure = (infrastructure: string) => [
      ...[
        managed('AmazonSSMManagedInstanceCore'),
        managed('EC2InstanceProfileForImageBuilder'),
        `AwsSolutions-IAM5[Resource::<${bucketLogicalId(infrastructure)}.Arn>/imagebuilder-logs/*]`,
        ...bothPacks('IAMNoInlinePolicy'),
      ].map(id => `Factory/${infrastructure}/InstanceRole: ${id}`),
      ...['AwsSolutions-S1', ...bothPacks('S3BucketLoggingEnabled'), ...bothPacks('S3BucketReplicationEnabled')]
        .map(id => `Factory/${infrastructure}/LogBucket: ${id}`),
    ];
    // Each image's trust-chain automation role (revocation is on by default).
    const perTrustChain = (image: string) => [
      'AwsSolutions-IAM5[Action::kms:GenerateDataKey*]',
      'AwsSolutions-IAM5[Resource::*]',
      'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:ec2:*::image/*]',
      // It starts the stack's revoke engine and follows the run (aws:executeAutomation).
      'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:ssm:eu-west-1:111111111111:automation-definition/<GoldenAmiTrustChainEnginerevoke>:*]',
      'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:ssm:eu-west-1:111111111111:automation-execution/*]',
      ...bothPacks('IAMNoInlinePolicy'),
    ].map(id => `Factory/${image}/TrustChain/AutomationRole: ${id}`);
    expect(acknowledged.map(({ path, id }) => `${path}: ${id}`).sort()).toEqual([
      ...perInfrastructure('GoldenAmiBuildInfrastructure'),
      ...perInfrastructure('VpcInfrastructure'),
      'Factory/VpcInfrastructure/LifecycleExecutionRole: ' + managed('service-role/EC2ImageBuilderLifecycleExecutionPolicy'),
      ...perTrustChain('Base'),
      ...perTrustChain('App'),
    ].sort());
  });

  test('each acknowledgment matches a finding one of the packs reports without it (none is stale)', () => {
    const acknowledged = libraryAcknowledgments(factoryStack());
    const spy = jest.spyOn(nagAcknowledgments, 'acknowledgeNagFindings').mockImplementation(() => undefined);
    try {
      const stack = factoryStack();
      expect(libraryAcknowledgments(stack)).toEqual([]);
      const findings = allNagFindings(stack.node.root);
      for (const { path, id } of acknowledged) {
        expect(findings).toContainEqual(expect.objectContaining({ rule: id, path: expect.stringMatching(new RegExp(`^${path}(/|$)`)) }));
      }
      // And nothing else: without the library's acknowledgments, these are all the findings.
      expect(new Set(findings.map(finding => finding.rule))).toEqual(new Set(acknowledged.map(a => a.id)));
    } finally {
      spy.mockRestore();
    }
  });

  test('acknowledgments are the metadata entry aws-cdk-lib Validations.acknowledge writes', () => {
    const stack = newStack();
    const official = new Construct(stack, 'Official');
    const library = new Construct(stack, 'Library');
    const id = 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/AmazonSSMManagedInstanceCore]';
    Validations.of(official).acknowledge({ id, reason: 'a reason' });
    nagAcknowledgments.acknowledgeNagFindings(library, { id, reason: 'a reason' });
    const entries = (scope: IConstruct) => scope.node.metadata
      .filter(entry => entry.type === ACKNOWLEDGED_RULES)
      .map(entry => ({ type: entry.type, data: entry.data }));
    expect(entries(library)).toEqual(entries(official));
    expect(entries(library)).toHaveLength(1);
  });

  test('with writeSuppressionsToCloudFormation, the reasons are in the template', () => {
    const stack = factoryStack();
    const app = stack.node.root as App;
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { writeSuppressionsToCloudFormation: true }));
    const template = Template.fromJSON(app.synth().getStackByName(stack.stackName).template);
    const buckets = template.findResources('AWS::S3::Bucket');
    expect(Object.keys(buckets)).toHaveLength(2);
    for (const bucket of Object.values(buckets)) {
      const rules = bucket.Metadata.cdk_nag.rules_to_suppress as Array<{ id: string }>;
      expect(rules.filter(rule => rule.id.startsWith('AwsSolutions-'))).toEqual([
        { id: 'AwsSolutions-S1', reason: expect.stringContaining('log bucket') },
      ]);
    }
  });
});

describe('build instance log permissions (fixed rather than acknowledged)', () => {
  test('exactly PutObject and AbortMultipartUpload under the log prefix, and a data key of the bucket\'s key; no action wildcard', () => {
    const stack = newStack();
    const infrastructure = new ImageBuildInfrastructure(stack, 'Infra');
    const bucket = stack.getLogicalId(infrastructure.logBucket.node.defaultChild as s3.CfnBucket);
    const key = stack.getLogicalId(infrastructure.encryptionKey!.node.defaultChild as kms.CfnKey);
    const policies = Template.fromStack(stack).findResources('AWS::IAM::Policy');
    const statements = Object.values(policies).flatMap(policy => policy.Properties.PolicyDocument.Statement);
    expect(statements).toEqual([{
      Effect: 'Allow',
      Action: ['s3:PutObject', 's3:AbortMultipartUpload'],
      Resource: { 'Fn::Join': ['', [{ 'Fn::GetAtt': [bucket, 'Arn'] }, '/imagebuilder-logs/*']] },
    }, {
      Effect: 'Allow',
      Action: ['kms:GenerateDataKey', 'kms:Decrypt'],
      Resource: { 'Fn::GetAtt': [key, 'Arn'] },
    }]);
  });

  test('a KMS-encrypted log bucket the user brings: a data key for uploads, no wildcard actions', () => {
    const stack = newStack();
    const key = new kms.Key(stack, 'LogKey', { enableKeyRotation: true });
    const logBucket = s3.Bucket.fromBucketAttributes(stack, 'Logs', { bucketName: 'central-build-logs', encryptionKey: key });
    new ImageBuildInfrastructure(stack, 'Infra', { logBucket });
    const policies = Template.fromStack(stack).findResources('AWS::IAM::Policy');
    const statements = Object.values(policies).flatMap(policy => policy.Properties.PolicyDocument.Statement);
    expect(statements).toEqual(expect.arrayContaining([
      expect.objectContaining({ Action: ['s3:PutObject', 's3:AbortMultipartUpload'] }),
      expect.objectContaining({ Action: ['kms:GenerateDataKey', 'kms:Decrypt'] }),
    ]));
    for (const statement of statements) {
      for (const action of [statement.Action].flat()) {
        expect(action).not.toContain('*');
      }
    }
    expect(nagFindings(stack).filter(finding => finding.path.startsWith('Stack/Infra/'))).toEqual([]);
  });

  test('a log bucket the user creates keeps its own S1 finding; only the prefix grant is acknowledged', () => {
    const stack = newStack();
    const logBucket = new s3.Bucket(stack, 'UserLogs', { enforceSSL: true, encryption: s3.BucketEncryption.S3_MANAGED });
    new ImageBuildInfrastructure(stack, 'Infra', { logBucket });
    const findings = nagFindings(stack);
    expect(findings).toContainEqual({ rule: 'AwsSolutions-S1', severity: 'error', path: 'Stack/UserLogs/Resource' });
    expect(findings.filter(finding => finding.path.startsWith('Stack/Infra/'))).toEqual([]);
  });
});

describe('the log bucket this construct creates (fixed rather than acknowledged)', () => {
  test('is encrypted by default with the infrastructure\'s KMS key, the topic\'s, with a bucket key', () => {
    const stack = newStack();
    const infrastructure = new ImageBuildInfrastructure(stack, 'Infra');
    const key = stack.getLogicalId(infrastructure.encryptionKey!.node.defaultChild as kms.CfnKey);
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::KMS::Key', 1);
    template.hasResourceProperties('AWS::S3::Bucket', {
      BucketEncryption: {
        ServerSideEncryptionConfiguration: [{
          BucketKeyEnabled: true,
          ServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: { 'Fn::GetAtt': [key, 'Arn'] } },
        }],
      },
    });
    template.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: { 'Fn::GetAtt': [key, 'Arn'] } });
    // The key policy delegates to IAM (so the build role's grant works) and lets Image Builder's
    // service-linked role publish through SNS, nothing else.
    const [keyResource] = Object.values(template.findResources('AWS::KMS::Key'));
    const keyStatements = keyResource.Properties.KeyPolicy.Statement;
    expect(keyStatements).toHaveLength(2);
    expect(keyStatements[0]).toEqual({
      Action: 'kms:*',
      Effect: 'Allow',
      Resource: '*',
      Principal: { AWS: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::111111111111:root']] } },
    });
    expect(keyStatements[1]).toMatchObject({ Sid: 'ImageBuilderPublishesNotifications', Condition: { StringEquals: { 'kms:ViaService': expect.anything() } } });
  });

  test('is versioned, and old versions expire 30 days after they stop being current', () => {
    const stack = newStack();
    new ImageBuildInfrastructure(stack, 'Infra', { logRetention: Duration.days(30) });
    Template.fromStack(stack).hasResourceProperties('AWS::S3::Bucket', {
      VersioningConfiguration: { Status: 'Enabled' },
      LifecycleConfiguration: { Rules: [Match.objectLike({ ExpirationInDays: 30, NoncurrentVersionExpiration: { NoncurrentDays: 30 } })] },
    });
  });

  test('with accessLogsBucket, sends its server access logs there and acknowledges no logging finding', () => {
    const stack = newStack();
    const accessLogs = s3.Bucket.fromBucketName(stack, 'AccessLogs', 'central-access-logs');
    const infrastructure = new ImageBuildInfrastructure(stack, 'Infra', { accessLogsBucket: accessLogs });
    Template.fromStack(stack).hasResourceProperties('AWS::S3::Bucket', {
      LoggingConfiguration: { DestinationBucketName: 'central-access-logs', LogFilePrefix: 'Stack-Infra-3B171CCD/' },
    });
    const acknowledged = recordedAcknowledgments(stack).filter(({ path }) => path === infrastructure.logBucket.node.path).map(({ id }) => id);
    expect(acknowledged.sort()).toEqual(['HIPAA.Security-S3BucketReplicationEnabled', 'NIST.800.53.R5-S3BucketReplicationEnabled']);
    expect(allNagFindings(stack).filter(finding => finding.path.startsWith('Stack/Infra/'))).toEqual([]);
  });

  test('accessLogsBucket with logBucket is an error naming both', () => {
    const stack = newStack();
    const logBucket = s3.Bucket.fromBucketName(stack, 'Logs', 'central-build-logs');
    const accessLogsBucket = s3.Bucket.fromBucketName(stack, 'AccessLogs', 'central-access-logs');
    expect(() => new ImageBuildInfrastructure(stack, 'Infra', { logBucket, accessLogsBucket }))
      .toThrow("accessLogsBucket applies to the log bucket this construct creates; with logBucket, configure access logging on your bucket, got accessLogsBucket: 'Stack/AccessLogs'");
  });

  test('with a log bucket and a topic given, creates no key', () => {
    const stack = newStack();
    const infrastructure = new ImageBuildInfrastructure(stack, 'Infra', {
      logBucket: s3.Bucket.fromBucketName(stack, 'Logs', 'central-build-logs'),
      notificationTopic: sns.Topic.fromTopicArn(stack, 'Topic', 'arn:aws:sns:eu-west-1:111111111111:builds'),
    });
    expect(infrastructure.encryptionKey).toBeUndefined();
    Template.fromStack(stack).resourceCountIs('AWS::KMS::Key', 0);
  });
});
