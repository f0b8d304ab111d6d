import { App, Duration, Stack, Validations } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { AwsSolutionsChecks } from 'cdk-nag';
import { Construct, IConstruct } from 'constructs';
import {
  GoldenImage,
  ImageBuildInfrastructure,
  ImageLifecycle,
  ImageRecipe,
  ImageSharing,
  PipelineSchedule,
  RecipeComponent,
} from '../src';
import { nagFindings, recordedAcknowledgments } from './nag-checks';
import { newStack } from './util';
import * as nagAcknowledgments from '../src/private/nag-acknowledgments';

const ACKNOWLEDGED_RULES = Validations.ACKNOWLEDGED_RULES_METADATA_KEY;

/**
 * A factory stack with two golden images: one built in a VPC on its own infrastructure,
 * with lifecycle, copies, sharing and a schedule; one on the stack's shared infrastructure.
 */
function factoryStack(): Stack {
  const stack = newStack('Factory');
  // The VPC stands for the landing zone's network: compliant on its own (flow logs).
  const vpc = new ec2.Vpc(stack, 'Vpc', {
    maxAzs: 2,
    natGateways: 1,
    flowLogs: { All: { destination: ec2.FlowLogDestination.toCloudWatchLogs() } },
  });
  const infrastructure = new ImageBuildInfrastructure(stack, 'VpcInfrastructure', {
    vpc,
    instanceTypes: [new ec2.InstanceType('m7i.large')],
    instanceTags: { purpose: 'golden-ami-build' },
  });
  new GoldenImage(stack, 'Base', {
    recipe: new ImageRecipe(stack, 'BaseRecipe', {
      components: [
        RecipeComponent.awsManaged('update-linux'),
        RecipeComponent.fromScript({ name: 'harden', script: 'echo "hardening"' }),
      ],
    }),
    infrastructure,
    lifecycle: ImageLifecycle.byAge({ deprecateAfter: Duration.days(30), deleteAfter: Duration.days(90), retainAtLeast: 2 }),
    copyToAccounts: ['222222222222'],
    shareWith: [
      ImageSharing.account('333333333333'),
      ImageSharing.organizationalUnit('arn:aws:organizations::444444444444:ou/o-abcdefghij/ou-abcd-12345678'),
    ],
    regions: ['eu-central-1'],
    schedule: PipelineSchedule.rate(Duration.days(7), { onlyWhenDependenciesUpdated: true }),
  });
  new GoldenImage(stack, 'App', {
    recipe: new ImageRecipe(stack, 'AppRecipe', {
      components: [RecipeComponent.awsManaged('amazon-cloudwatch-agent-linux')],
    }),
  });
  return stack;
}

describe('cdk-nag AwsSolutions', () => {
  test('finds nothing unacknowledged in a stack with two golden images (errors and warnings)', () => {
    const stack = factoryStack();
    expect(nagFindings(stack.node.root)).toEqual([]);
  });

  test('as a validation plugin, lets the app synthesize', () => {
    const stack = factoryStack();
    const app = stack.node.root as App;
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
    const assembly = app.synth();
    expect(assembly.getStackByName(stack.stackName).template.Resources).toBeDefined();
  });

  test('as a validation plugin, fails synthesis on a finding nobody acknowledged (so the test above means something)', () => {
    const stack = factoryStack();
    new s3.Bucket(stack, 'UnloggedBucket', { enforceSSL: true });
    const app = stack.node.root as App;
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
    expect(() => app.synth()).toThrow(/AwsSolutions-S1/);
  });

  test('acknowledges exactly the justified findings, on the library resources they concern, with reasons', () => {
    const stack = factoryStack();
    const acknowledged = recordedAcknowledgments(stack);
    for (const { reason } of acknowledged) {
      expect(reason.length).toBeGreaterThan(60);
    }
    const managed = (name: string) => `AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/${name}]`;
    const bucketLogicalId = (infrastructure: string) =>
      stack.getLogicalId((stack.node.findChild(infrastructure) as ImageBuildInfrastructure).logBucket.node.defaultChild as s3.CfnBucket);
    expect(acknowledged.map(({ path, id }) => `${path}: ${id}`).sort()).toEqual([
      'Factory/GoldenAmiBuildInfrastructure/InstanceRole: ' + managed('AmazonSSMManagedInstanceCore'),
      'Factory/GoldenAmiBuildInfrastructure/InstanceRole: ' + managed('EC2InstanceProfileForImageBuilder'),
      `Factory/GoldenAmiBuildInfrastructure/InstanceRole: AwsSolutions-IAM5[Resource::<${bucketLogicalId('GoldenAmiBuildInfrastructure')}.Arn>/imagebuilder-logs/*]`,
      'Factory/GoldenAmiBuildInfrastructure/LogBucket: AwsSolutions-S1',
      'Factory/VpcInfrastructure/InstanceRole: ' + managed('AmazonSSMManagedInstanceCore'),
      'Factory/VpcInfrastructure/InstanceRole: ' + managed('EC2InstanceProfileForImageBuilder'),
      `Factory/VpcInfrastructure/InstanceRole: AwsSolutions-IAM5[Resource::<${bucketLogicalId('VpcInfrastructure')}.Arn>/imagebuilder-logs/*]`,
      'Factory/VpcInfrastructure/LifecycleExecutionRole: ' + managed('service-role/EC2ImageBuilderLifecycleExecutionPolicy'),
      'Factory/VpcInfrastructure/LogBucket: AwsSolutions-S1',
    ].sort());
  });

  test('each acknowledgment matches a finding cdk-nag reports without it (none is stale)', () => {
    const acknowledged = recordedAcknowledgments(factoryStack());
    const spy = jest.spyOn(nagAcknowledgments, 'acknowledgeNagFindings').mockImplementation(() => undefined);
    try {
      const stack = factoryStack();
      expect(recordedAcknowledgments(stack)).toEqual([]);
      const findings = nagFindings(stack.node.root);
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
  test('exactly PutObject and AbortMultipartUpload under the log prefix, no action wildcard', () => {
    const stack = newStack();
    const infrastructure = new ImageBuildInfrastructure(stack, 'Infra');
    const bucket = stack.getLogicalId(infrastructure.logBucket.node.defaultChild as s3.CfnBucket);
    const policies = Template.fromStack(stack).findResources('AWS::IAM::Policy');
    const statements = Object.values(policies).flatMap(policy => policy.Properties.PolicyDocument.Statement);
    expect(statements).toEqual([{
      Effect: 'Allow',
      Action: ['s3:PutObject', 's3:AbortMultipartUpload'],
      Resource: { 'Fn::Join': ['', [{ 'Fn::GetAtt': [bucket, 'Arn'] }, '/imagebuilder-logs/*']] },
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
