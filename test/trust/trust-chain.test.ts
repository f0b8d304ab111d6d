import { Duration, Stack, Token } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as sns from 'aws-cdk-lib/aws-sns';
import { IConstruct } from 'constructs';
import {
  ApprovalSource,
  FindingSeverity,
  GoldenImage,
  GoldenImageEcsCapacity,
  GoldenImageProps,
  ImageRecipe,
  ImageResolution,
  Promotion,
  RecipeComponent,
} from '../../src';
import { PARENT_AMI_TAG, PARENT_PIPELINE_TAG } from '../../src/private/catalog';
import { TRUST_CHAIN_TARGET_ROLE_NAME } from '../../src/trust/private/catalogue-names';
import { REVOCATION_REASON_PATTERN } from '../../src/trust/private/trust-chain';
import { TRUST_CHAIN_PYTHON_RUNTIME } from '../../src/trust/private/trust-chain-document';
import { TRUST_CHAIN_SCRIPT } from '../../src/trust/private/trust-chain-script';
import { trustChainStack } from '../nag-stacks';
import { newStack, trustChainHandler, trustChainScriptStep } from '../util';

const HOME = '111111111111';
const COPY = '222222222222';
const PARTITION = { Ref: 'AWS::Partition' };
const join = (...parts: unknown[]) => ({ 'Fn::Join': ['', parts] });

function image(stack: Stack, props: Partial<GoldenImageProps> = {}, id = 'Image'): GoldenImage {
  return new GoldenImage(stack, id, {
    imageName: 'base',
    recipe: new ImageRecipe(stack, `${id}Recipe`, { components: [RecipeComponent.awsManaged('update-linux')] }),
    ...props,
  });
}

function resource(stack: Stack, construct: IConstruct): any {
  return Template.fromStack(stack).toJSON().Resources[stack.getLogicalId(construct.node.defaultChild as any ?? construct)];
}

function documentOf(img: GoldenImage, ...path: string[]): any {
  const stack = Stack.of(img);
  const construct = path.reduce<IConstruct>((scope, id) => scope.node.findChild(id), img.node.findChild('TrustChain'));
  return Template.fromStack(stack).toJSON().Resources[stack.getLogicalId(construct as any)];
}

/** The Locations default of a soaked image copied to COPY, in eu-west-1 and eu-central-1. */
const LOCATIONS = [
  { Region: 'eu-west-1', Account: HOME, RoleArn: '' },
  { Region: 'eu-central-1', Account: HOME, RoleArn: '' },
  { Region: 'eu-west-1', Account: COPY, RoleArn: join('arn:', PARTITION, `:iam::${COPY}:role/GoldenAmiTrustChainRole`) },
  { Region: 'eu-central-1', Account: COPY, RoleArn: join('arn:', PARTITION, `:iam::${COPY}:role/GoldenAmiTrustChainRole`) },
];

describe('release channels', () => {
  test('the distribution writes the first channel next to latest, in every region and account, as aws:ec2:image', () => {
    const stack = newStack();
    image(stack, { channels: ['candidate', 'prod'], copyToAccounts: [COPY], regions: ['eu-central-1'] });
    const [distribution] = Object.values<any>(Template.fromStack(stack).findResources('AWS::ImageBuilder::DistributionConfiguration'));
    for (const region of distribution.Properties.Distributions) {
      expect(region.SsmParameterConfigurations).toEqual([
        { ParameterName: '/golden-ami/base/latest', DataType: 'aws:ec2:image' },
        { AmiAccountId: COPY, ParameterName: '/golden-ami/base/latest', DataType: 'aws:ec2:image' },
        { ParameterName: '/golden-ami/base/candidate', DataType: 'aws:ec2:image' },
        { AmiAccountId: COPY, ParameterName: '/golden-ami/base/candidate', DataType: 'aws:ec2:image' },
      ]);
    }
    expect(distribution.Properties.Distributions.map((d: any) => d.Region)).toEqual(['eu-west-1', 'eu-central-1']);
  });

  test('channel and revocation list names, on the image and on imports; fromChannel follows the channel in machineImage', () => {
    const stack = newStack();
    const img = image(stack, { channels: ['candidate', 'prod'] });
    expect(img.channels).toEqual(['candidate', 'prod']);
    expect(img.channelParameterName('prod')).toBe('/golden-ami/base/prod');
    expect(img.revocationListParameterName).toBe('/golden-ami/base/revoked');
    expect(() => img.channelParameterName('staging')).toThrow("channelParameterName channel must be one of the channels of 'Stack/Image' (candidate, prod), got: 'staging'");

    const imported = GoldenImage.fromParameterName(stack, 'Imported', '/golden-ami/app/latest');
    expect(imported.channelParameterName('prod')).toBe('/golden-ami/app/prod');
    expect(imported.revocationListParameterName).toBe('/golden-ami/app/revoked');
    const prod = GoldenImage.fromChannel(stack, 'Prod', '/golden-ami/app/latest', 'prod');
    expect(prod.ssmParameterName).toBe('/golden-ami/app/prod');
    expect(prod.channelParameterName('staging')).toBe('/golden-ami/app/staging');
    expect(prod.revocationListParameterName).toBe('/golden-ami/app/revoked');

    new ec2.CfnLaunchTemplate(stack, 'AtLaunch', { launchTemplateData: { imageId: prod.machineImage({ resolution: ImageResolution.AT_LAUNCH }).getImage(stack).imageId } });
    new ec2.CfnInstance(stack, 'AtDeploy', { imageId: prod.machineImage().getImage(stack).imageId, instanceType: 't3.micro' });
    const template = Template.fromStack(stack).toJSON();
    expect(template.Resources.AtLaunch.Properties.LaunchTemplateData.ImageId).toBe('resolve:ssm:/golden-ami/app/prod');
    const parameter = template.Resources.AtDeploy.Properties.ImageId.Ref;
    expect(template.Parameters[parameter]).toMatchObject({ Type: 'AWS::SSM::Parameter::Value<AWS::EC2::Image::Id>', Default: '/golden-ami/app/prod' });

    const token = GoldenImage.fromParameterName(stack, 'Token', Token.asString({ Ref: 'Name' }));
    expect(token.revocationListParameterName).toBeUndefined();
    expect(() => token.channelParameterName('prod')).toThrow(/^channelParameterName of 'Stack\/Token' needs ssmParameterName as a literal .*got a token/);
    expect(() => GoldenImage.fromChannel(stack, 'NoParent', '/latest', 'prod')).toThrow("GoldenImage.fromChannel needs ssmParameterName with a parent level, such as /golden-ami/<name>/latest (the channels and the revocation list are its siblings), got: '/latest'");
    expect(() => GoldenImage.fromChannel(stack, 'Reserved', '/golden-ami/app/latest', 'revoked')).toThrow("channel must not be latest, revoked, ancestry (the catalogue's own entries next to the channels), got: 'revoked'");
  });

  test('ECS capacity on a channel: the launch template resolves the channel and the instance refresh follows it', () => {
    const stack = newStack();
    const img = image(stack, { channels: ['candidate', 'prod'] });
    const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 2, natGateways: 0 });
    const cluster = new ecs.Cluster(stack, 'Cluster', { vpc });
    new GoldenImageEcsCapacity(stack, 'Capacity', { cluster, image: img, channel: 'prod', instanceType: new ec2.InstanceType('m7i.large'), instanceRefresh: {} });
    const template = Template.fromStack(stack).toJSON();
    const [launchTemplate] = Object.values<any>(template.Resources).filter(r => r.Type === 'AWS::EC2::LaunchTemplate');
    expect(launchTemplate.Properties.LaunchTemplateData.ImageId).toBe('resolve:ssm:/golden-ami/base/prod');
    const rules = Object.values<any>(template.Resources).filter(r => r.Type === 'AWS::Events::Rule' && JSON.stringify(r.Properties.EventPattern ?? {}).includes('aws.ssm'));
    expect(rules).toHaveLength(1);
    expect(JSON.stringify(rules[0].Properties.EventPattern)).toContain('/golden-ami/base/prod');
    expect(JSON.stringify(rules[0].Properties.EventPattern)).not.toContain('/golden-ami/base/latest');
    expect(() => new GoldenImageEcsCapacity(stack, 'Typo', { cluster, image: img, channel: 'staging', instanceType: new ec2.InstanceType('m7i.large') }))
      .toThrow(/channelParameterName channel must be one of the channels of 'Stack\/Image' \(candidate, prod\), got: 'staging'/);
  });

  test('ApprovalSource.goldenImageChannel approves what the channel held, by its parameter', () => {
    const stack = newStack();
    const img = image(stack, { channels: ['candidate', 'prod'] });
    const source = ApprovalSource.goldenImageChannel(img, 'prod');
    expect(source.description).toBe('golden image Stack/Image channel prod');
    expect(source._bind(stack)).toEqual({ catalogPaths: [], parameterNames: ['/golden-ami/base/prod'], ownerAccounts: [], amiTags: {} });
    expect(ApprovalSource.goldenImageChannel(GoldenImage.fromParameterName(stack, 'I', '/factory/app/latest'), 'prod')._bind(stack).parameterNames).toEqual(['/factory/app/prod']);
  });
});

describe('promotion', () => {
  test('after a soak: one document per channel pair running the promote handler, with the contract\'s parameters and defaults, and a schedule each', () => {
    const stack = trustChainStack();
    const img = stack.node.findChild('Soaked') as GoldenImage;
    const template = Template.fromStack(stack).toJSON();
    const documents = Object.values<any>(template.Resources).filter(r => r.Type === 'AWS::SSM::Document' && trustChainHandler(template, r) === 'promote');
    // Soaked: candidate -> staging -> prod; Approved: candidate -> prod.
    expect(documents).toHaveLength(3);
    const doc = documentOf(img, 'Promote-staging-prod', 'Document');
    expect(doc.Properties.DocumentType).toBe('Automation');
    const content = doc.Properties.Content;
    expect(content.schemaVersion).toBe('0.3');
    expect(content.assumeRole).toBe('{{ AutomationAssumeRole }}');
    expect(content.mainSteps.map((s: any) => s.action)).toEqual(['aws:executeAutomation']);
    expect(trustChainScriptStep(template, doc)).toMatchObject({
      action: 'aws:executeScript',
      inputs: {
        Runtime: TRUST_CHAIN_PYTHON_RUNTIME,
        Handler: 'promote',
        InputPayload: {
          Locations: '{{ Locations }}',
          FromParameter: '{{ FromParameter }}',
          ToParameter: '{{ ToParameter }}',
          RevocationListParameter: '{{ RevocationListParameter }}',
          SoakHours: '{{ SoakHours }}',
          BlockingSeverities: '{{ BlockingSeverities }}',
        },
      },
    });
    expect(TRUST_CHAIN_PYTHON_RUNTIME).toBe('python3.11');
    const parameters = content.parameters;
    expect(Object.keys(parameters).sort()).toEqual(['AutomationAssumeRole', 'BlockingSeverities', 'FromParameter', 'Locations', 'RevocationListParameter', 'SoakHours', 'ToParameter']);
    expect(parameters.Locations).toMatchObject({ type: 'MapList', default: LOCATIONS });
    expect(parameters.FromParameter).toMatchObject({ type: 'String', default: '/golden-ami/soaked/staging' });
    expect(parameters.ToParameter).toMatchObject({ type: 'String', default: '/golden-ami/soaked/prod' });
    expect(parameters.RevocationListParameter).toMatchObject({ type: 'String', default: '/golden-ami/soaked/revoked' });
    expect(parameters.SoakHours).toMatchObject({ type: 'Integer', default: 72 });
    expect(parameters.BlockingSeverities).toMatchObject({ type: 'StringList', default: ['CRITICAL', 'HIGH'] });
    expect(parameters.AutomationAssumeRole.default).toEqual({ 'Fn::GetAtt': [stack.getLogicalId(img.trustChainRole!.node.defaultChild as any), 'Arn'] });
    expect(stack.resolve(img.promoteDocumentName('staging', 'prod'))).toEqual({ Ref: stack.getLogicalId(img.node.findChild('TrustChain').node.findChild('Promote-staging-prod').node.findChild('Document') as any) });

    // The schedule starts this document as the trust-chain role, every checkEvery.
    const rule = resource(stack, img.node.findChild('TrustChain').node.findChild('Promote-staging-prod').node.findChild('Schedule'));
    expect(rule.Properties.ScheduleExpression).toBe('rate(30 minutes)');
    expect(rule.Properties.Targets).toHaveLength(1);
    const target = rule.Properties.Targets[0];
    expect(target.Arn).toEqual(join('arn:', PARTITION, ':ssm:eu-west-1:111111111111:automation-definition/', { Ref: stack.getLogicalId(img.node.findChild('TrustChain').node.findChild('Promote-staging-prod').node.findChild('Document') as any) }, ':$DEFAULT'));
    expect(JSON.parse(JSON.stringify(stack.resolve(target.Input)))).toBeDefined();
    const roleId = stack.getLogicalId(img.trustChainRole!.node.defaultChild as any);
    expect(target.Input).toEqual(join('{"AutomationAssumeRole":["', { 'Fn::GetAtt': [roleId, 'Arn'] }, '"]}'));
  });

  test('by approval: an aws:approve step before the script, with the approvers, an Automation-named encrypted topic, and no schedule', () => {
    const stack = trustChainStack();
    const img = stack.node.findChild('Approved') as GoldenImage;
    const doc = documentOf(img, 'Promote-candidate-prod', 'Document');
    const [approve, run] = doc.Properties.Content.mainSteps;
    expect(approve).toEqual({
      name: 'Approve',
      action: 'aws:approve',
      timeoutSeconds: 604800,
      onFailure: 'Abort',
      inputs: {
        NotificationArn: { Ref: stack.getLogicalId(img.promotionApprovalTopic!.node.defaultChild as any) },
        Message: 'Promote golden image approved from channel candidate to channel prod?',
        MinRequiredApprovals: 1,
        Approvers: ['arn:aws:iam::111111111111:role/GoldenAmiReleaseManager'],
      },
    });
    expect(trustChainHandler(Template.fromStack(stack).toJSON(), doc)).toBe('promote');
    expect(run.action).toBe('aws:executeAutomation');
    expect(doc.Properties.Content.parameters.SoakHours.default).toBe(0);
    const topic = resource(stack, img.promotionApprovalTopic!);
    expect(topic.Properties.TopicName).toBe('Automation-approved');
    // An image name with a space (Image Builder allows it) becomes an SNS name.
    const spaced = image(newStack(), { imageName: 'my base', ssmParameterName: '/golden-ami/my-base/latest', channels: ['a', 'b'], promotion: Promotion.manual({ approvers: ['arn:aws:iam::111111111111:user/a'] }) });
    expect(resource(Stack.of(spaced), spaced.promotionApprovalTopic!).Properties.TopicName).toBe('Automation-my-base');
    expect(topic.Properties.KmsMasterKeyId).toBeDefined();
    expect(img.node.findChild('TrustChain').node.findChild('Promote-candidate-prod').node.tryFindChild('Schedule')).toBeUndefined();
    // The automation role may publish the approval request.
    const policies = Object.values<any>(Template.fromStack(stack).toJSON().Resources).filter(r => r.Type === 'AWS::IAM::Policy'
      && r.Properties.Roles.some((role: any) => role.Ref === stack.getLogicalId(img.trustChainRole!.node.defaultChild as any)));
    const statements = policies.flatMap(p => p.Properties.PolicyDocument.Statement);
    expect(statements).toContainEqual({ Effect: 'Allow', Action: 'sns:Publish', Resource: { Ref: stack.getLogicalId(img.promotionApprovalTopic!.node.defaultChild as any) } });
  });

  test('without a promotion: documents to start by hand, no approval, no schedule', () => {
    const stack = newStack();
    const img = image(stack, { channels: ['candidate', 'staging', 'prod'] });
    expect(() => img.promoteDocumentName('candidate', 'prod')).toThrow("promoteDocumentName takes two adjacent channels of 'Stack/Image' (candidate -> staging, staging -> prod), got: 'candidate -> prod'");
    for (const [from, to] of [['candidate', 'staging'], ['staging', 'prod']]) {
      const doc = documentOf(img, `Promote-${from}-${to}`, 'Document');
      expect(stack.resolve(img.promoteDocumentName(from, to))).toEqual({ Ref: stack.getLogicalId(img.node.findChild('TrustChain').node.findChild(`Promote-${from}-${to}`).node.findChild('Document') as any) });
      expect(doc.Properties.Content.mainSteps.map((step: any) => step.action)).toEqual(['aws:executeAutomation']);
      expect(trustChainHandler(Template.fromStack(stack).toJSON(), doc)).toBe('promote');
      expect(doc.Properties.Content.parameters.SoakHours.default).toBe(0);
      expect(doc.Properties.Content.parameters.BlockingSeverities.default).toEqual(['CRITICAL', 'HIGH']);
      expect(img.node.findChild('TrustChain').node.findChild(`Promote-${from}-${to}`).node.tryFindChild('Schedule')).toBeUndefined();
    }
    expect(Object.values<any>(Template.fromStack(stack).toJSON().Resources).filter(r => r.Type === 'AWS::Events::Rule')).toEqual([]);
    expect(img.promotionApprovalTopic).toBeUndefined();
    const one = image(newStack(), { channels: ['prod'] });
    expect(() => one.promoteDocumentName('prod', 'prod')).toThrow("promoteDocumentName takes two adjacent channels of 'Stack/Image' (it has fewer than two channels), got: 'prod -> prod'");
  });

  test('a given approval topic is used as is, and must be named Automation...', () => {
    const stack = newStack();
    const topic = new sns.Topic(stack, 'Topic', { topicName: 'AutomationApprovals' });
    const img = image(stack, { channels: ['a', 'b'], promotion: Promotion.manual({ approvers: ['arn:aws:iam::111111111111:user/alice'], topic, minRequiredApprovals: 1, timeout: Duration.days(30) }) });
    expect(img.promotionApprovalTopic).toBe(topic);
    expect(documentOf(img, 'Promote-a-b', 'Document').Properties.Content.mainSteps[0].timeoutSeconds).toBe(2592000);
    const other = new sns.Topic(stack, 'Other', { topicName: 'approvals' });
    expect(() => Promotion.manual({ approvers: ['arn:aws:iam::111111111111:user/alice'], topic: other }))
      .toThrow("Promotion.manual topic must be named Automation... (Automation publishes approval requests only to such topics), got: 'approvals'");
    expect(() => Promotion.manual({ approvers: ['arn:aws:iam::111111111111:user/alice'], topic: new sns.Topic(stack, 'Generated') }))
      .toThrow("Promotion.manual topic must be named Automation... (Automation publishes approval requests only to such topics), got: a generated name ('Stack/Generated' has no topicName)");
    const imported = sns.Topic.fromTopicArn(stack, 'Imported', 'arn:aws:sns:eu-west-1:111111111111:AutomationImported');
    expect(() => Promotion.manual({ approvers: ['arn:aws:iam::111111111111:user/alice'], topic: imported })).not.toThrow();
  });
});

describe('revocation', () => {
  test('one revoke document: ImageId and Reason checked by pattern, every location, latest and every channel, the revocation list and topic', () => {
    const stack = trustChainStack();
    const img = stack.node.findChild('Soaked') as GoldenImage;
    const doc = documentOf(img, 'Revoke');
    expect(stack.resolve(img.revokeDocumentName)).toEqual({ Ref: stack.getLogicalId(img.node.findChild('TrustChain').node.findChild('Revoke') as any) });
    const content = doc.Properties.Content;
    expect(content.mainSteps.map((s: any) => s.action)).toEqual(['aws:executeAutomation']);
    expect(trustChainHandler(Template.fromStack(stack).toJSON(), doc)).toBe('revoke');
    const parameters = content.parameters;
    expect(Object.keys(parameters).sort()).toEqual(['AutomationAssumeRole', 'ChannelParameters', 'ImageId', 'Locations', 'Reason', 'RevocationListParameter', 'TopicArn']);
    expect(parameters.ImageId).toMatchObject({ type: 'String', allowedPattern: '^ami-([0-9a-f]{8}|[0-9a-f]{17})$' });
    expect(parameters.ImageId.default).toBeUndefined();
    expect(parameters.Reason).toMatchObject({ type: 'String', allowedPattern: REVOCATION_REASON_PATTERN });
    expect(parameters.Reason.default).toBeUndefined();
    expect(parameters.Locations).toMatchObject({ type: 'MapList', default: LOCATIONS });
    expect(parameters.ChannelParameters).toMatchObject({ type: 'StringList', default: ['/golden-ami/soaked/latest', '/golden-ami/soaked/candidate', '/golden-ami/soaked/staging', '/golden-ami/soaked/prod'] });
    expect(parameters.RevocationListParameter).toMatchObject({ type: 'String', default: '/golden-ami/soaked/revoked' });
    expect(parameters.TopicArn).toMatchObject({ type: 'String', default: { Ref: stack.getLogicalId(img.revocationTopic!.node.defaultChild as any) } });
    // The one-command revoke: the role is the default, so ImageId and Reason are all a run needs.
    expect(parameters.AutomationAssumeRole).toEqual({ type: 'String', description: 'The role the automation runs as', default: { 'Fn::GetAtt': [stack.getLogicalId(img.trustChainRole!.node.defaultChild as any), 'Arn'] } });
    expect(resource(stack, img.revocationTopic!).Properties.KmsMasterKeyId).toBeDefined();
    // One revocation topic per stack, like the build topic: both images publish to it.
    expect((stack.node.findChild('Approved') as GoldenImage).revocationTopic).toBe(img.revocationTopic);
    expect(img.revocationTopic!.node.path).toBe('TrustChain/GoldenAmiRevocations/Topic');
  });

  test('the reason pattern: 1 to 200 characters, no comma, no =, no line break', () => {
    const pattern = new RegExp(REVOCATION_REASON_PATTERN);
    for (const good of ['CVE-2026-1234 in openssl', 'x', 'r'.repeat(200), 'critical: see ticket #42 (sec)']) expect([good, pattern.test(good)]).toEqual([good, true]);
    for (const bad of ['', 'r'.repeat(201), 'a, b', 'key=value', 'two\nlines', 'cr\r', 'tab\tx']) expect([bad, pattern.test(bad)]).toEqual([bad, false]);
  });

  test('on by default with publishToSsm; a given topic is used; off without a parent level unless asked for', () => {
    const stack = newStack();
    const topic = new sns.Topic(stack, 'Topic');
    const img = image(stack, { revocationTopic: topic });
    expect(img.revocationTopic).toBe(topic);
    expect(img.revokeDocumentName).toBeDefined();
    expect(img.trustChainRole).toBeDefined();
    const off = image(stack, { imageName: 'off', revocation: false }, 'Off');
    expect([off.revokeDocumentName, off.revocationTopic, off.trustChainRole]).toEqual([undefined, undefined, undefined]);
    const unpublished = image(stack, { imageName: 'unpublished', publishToSsm: false }, 'Unpublished');
    expect(unpublished.trustChainRole).toBeUndefined();
    const flat = image(stack, { imageName: 'flat', ssmParameterName: '/flat' }, 'Flat');
    expect(flat.revokeDocumentName).toBeUndefined();
    expect(() => image(newStack(), { ssmParameterName: '/flat', revocation: true }))
      .toThrow("revocation (on by default with publishToSsm; set revocation: false to go without) needs ssmParameterName with a parent level, such as /golden-ami/<name>/latest (the channels and the revocation list are its siblings), got: '/flat'");
  });
});

describe('the trust-chain role', () => {
  test('a fixed prefix, region and image in the name (64 at most); exactly this image\'s parameters; only its own AMIs; the copy accounts\' roles', () => {
    const stack = trustChainStack();
    const img = stack.node.findChild('Soaked') as GoldenImage;
    const template = Template.fromStack(stack).toJSON();
    const roleId = stack.getLogicalId(img.trustChainRole!.node.defaultChild as any);
    expect(template.Resources[roleId].Properties.RoleName).toBe('GoldenAmiTrustChain-eu-west-1-soaked');
    const statements = Object.values<any>(template.Resources)
      .filter(r => r.Type === 'AWS::IAM::Policy' && r.Properties.Roles.some((role: any) => role.Ref === roleId))
      .flatMap(p => p.Properties.PolicyDocument.Statement);
    const parameters = ['latest', 'candidate', 'staging', 'prod', 'revoked'];
    expect(statements).toEqual([
      {
        Sid: 'ImageCatalogue',
        Effect: 'Allow',
        Action: ['ssm:GetParameter', 'ssm:GetParameters', 'ssm:GetParameterHistory', 'ssm:PutParameter', 'ssm:DeleteParameter'],
        Resource: ['eu-west-1', 'eu-central-1'].flatMap(region => parameters.map(level => join('arn:', PARTITION, `:ssm:${region}:${HOME}:parameter/golden-ami/soaked/${level}`))),
      },
      { Sid: 'FindImagesAndFindings', Effect: 'Allow', Action: ['ec2:DescribeImages', 'inspector2:ListFindings'], Resource: '*' },
      {
        Sid: 'RevokeImageAmis',
        Effect: 'Allow',
        // Promotion and revocation tag nothing.
        Action: ['ec2:EnableImageDeprecation', 'ec2:DisableImage'],
        Resource: join('arn:', PARTITION, ':ec2:*::image/*'),
        Condition: { StringEquals: { 'aws:ResourceTag/golden-ami:pipeline': 'soaked' } },
      },
      { Sid: 'ActInCopyAccounts', Effect: 'Allow', Action: 'sts:AssumeRole', Resource: join('arn:', PARTITION, `:iam::${COPY}:role/GoldenAmiTrustChainRole`) },
      // Run the stack's promote engine (aws:executeAutomation), follow it, and pass itself to it.
      { Effect: 'Allow', Action: 'ssm:StartAutomationExecution', Resource: join('arn:', PARTITION, ':ssm:eu-west-1:111111111111:automation-definition/', { Ref: 'GoldenAmiTrustChainEnginepromote' }, ':*') },
      { Effect: 'Allow', Action: 'ssm:GetAutomationExecution', Resource: join('arn:', PARTITION, ':ssm:eu-west-1:111111111111:automation-execution/*') },
      { Effect: 'Allow', Action: 'iam:PassRole', Resource: { 'Fn::GetAtt': [stack.getLogicalId(img.trustChainRole!.node.defaultChild as any), 'Arn'] }, Condition: { StringEquals: { 'iam:PassedToService': 'ssm.amazonaws.com' } } },
      { Effect: 'Allow', Action: ['kms:GenerateDataKey*', 'kms:Decrypt'], Resource: { 'Fn::GetAtt': [expect.stringMatching(/^GoldenAmiRevocationsTopicKey/), 'Arn'] } },
      { Effect: 'Allow', Action: 'sns:Publish', Resource: { Ref: stack.getLogicalId(img.revocationTopic!.node.defaultChild as any) } },
      // ... and the revoke engine.
      { Effect: 'Allow', Action: 'ssm:StartAutomationExecution', Resource: join('arn:', PARTITION, ':ssm:eu-west-1:111111111111:automation-definition/', { Ref: 'GoldenAmiTrustChainEnginerevoke' }, ':*') },
    ]);
  });

  test('a long image name keeps the name within 64 characters, deterministic', () => {
    const name = (stack: Stack) => stack.resolve((image(stack, { imageName: 'a'.repeat(100) }).trustChainRole!.node.defaultChild as any).roleName);
    const first = name(newStack());
    expect(first).toMatch(/^GoldenAmiTrustChain-eu-west-1-a+-[0-9a-f]{8}$/);
    expect(first.length).toBe(64);
    expect(name(newStack())).toBe(first);
  });
});

test('the script writes and assumes the names the constructs grant: the ancestry tags and the target accounts\' role', () => {
  expect(TRUST_CHAIN_SCRIPT).toContain(`PARENT_AMI_TAG = '${PARENT_AMI_TAG}'`);
  expect(TRUST_CHAIN_SCRIPT).toContain(`PARENT_PIPELINE_TAG = '${PARENT_PIPELINE_TAG}'`);
  expect(TRUST_CHAIN_SCRIPT).toContain(`:role/${TRUST_CHAIN_TARGET_ROLE_NAME}$')`);
});

test('revocation must be true or false', () => {
  expect(() => image(newStack(), { revocation: 'yes' as any }))
    .toThrow('revocation must be true or false, got a string instead, got: \'"yes"\'');
});

describe('validation', () => {
  test.each<[string, Partial<GoldenImageProps>, string | RegExp]>([
    ['no channel', { channels: [] }, "channels must list 1 to 10 channel names, got: ''"],
    ['eleven channels', { channels: Array.from({ length: 11 }, (_, i) => `c${i}`) }, /^channels must list 1 to 10 channel names, got: 'c0, c1/],
    ['a channel of two levels', { channels: ['a/b'] }, "channels[0] must be one SSM parameter path level of 1 to 64 letters, digits, _ . - (known at synth), got: 'a/b'"],
    ['a reserved channel', { channels: ['candidate', 'latest'] }, "channels[1] must not be latest, revoked, ancestry (the catalogue's own entries next to the channels), got: 'latest'"],
    ['ancestry as a channel', { channels: ['Ancestry'] }, "channels[0] must not be latest, revoked, ancestry (the catalogue's own entries next to the channels), got: 'Ancestry'"],
    ['a repeated channel', { channels: ['prod', 'prod'] }, "channels must not list the same value twice, got: 'prod'"],
    ['channels without publishToSsm', { channels: ['prod'], publishToSsm: false }, "channels needs publishToSsm (each channel is an SSM parameter), got publishToSsm: false and channels: 'prod'"],
    ['channels on a name without a parent level', { channels: ['prod'], ssmParameterName: '/flat' }, "channels needs ssmParameterName with a parent level, such as /golden-ami/<name>/latest (the channels and the revocation list are its siblings), got: '/flat'"],
    ['promotion with one channel', { channels: ['prod'], promotion: Promotion.afterSoak({ soak: Duration.days(1) }) }, "promotion needs at least two channels (it moves an AMI from one to the next), got channels: 'prod'"],
    ['promotion without channels', { promotion: Promotion.afterSoak({ soak: Duration.days(1) }) }, 'promotion needs at least two channels, got channels: undefined'],
    ['revocation without publishToSsm', { revocation: true, publishToSsm: false }, 'revocation needs publishToSsm (the revocation list and the channels are SSM parameters), got revocation: true and publishToSsm: false'],
  ])('refuses %s, naming the prop and the value', (_case, props, error) => {
    expect(() => image(newStack(), props)).toThrow(error);
  });

  test('channels with a token ssmParameterName are refused', () => {
    expect(() => image(newStack(), { channels: ['prod'], ssmParameterName: Token.asString({ Ref: 'P' }) }))
      .toThrow(/^channels needs ssmParameterName as a literal .*got a token/);
  });

  test('a revocation topic without revocation is refused', () => {
    const stack = newStack();
    expect(() => image(stack, { revocation: false, revocationTopic: new sns.Topic(stack, 'T') }))
      .toThrow("revocationTopic is set but revocation is off (revocation: false or publishToSsm: false), got revocationTopic: 'Stack/T'");
  });

  test.each<[string, () => Promotion, string | RegExp]>([
    ['no approver', () => Promotion.manual({ approvers: [] }), "Promotion.manual approvers must name at least one IAM user or role ARN, got: ''"],
    ['an approver that is not an IAM ARN', () => Promotion.manual({ approvers: ['alice'] }), "Promotion.manual approvers[0] must be an IAM user or role ARN (arn:aws:iam::<account>:user/<name> or :role/<name>), got: 'alice'"],
    ['a group as approver', () => Promotion.manual({ approvers: ['arn:aws:iam::111111111111:group/admins'] }), /^Promotion.manual approvers\[0\] must be an IAM user or role ARN .*got: 'arn:aws:iam::111111111111:group\/admins'$/],
    ['a repeated approver', () => Promotion.manual({ approvers: ['arn:aws:iam::111111111111:user/a', 'arn:aws:iam::111111111111:user/a'] }), "Promotion.manual approvers must not list the same value twice, got: 'arn:aws:iam::111111111111:user/a'"],
    ['more approvals than approvers', () => Promotion.manual({ approvers: ['arn:aws:iam::111111111111:user/a'], minRequiredApprovals: 2 }), /^Promotion.manual minRequiredApprovals .*2/],
    ['an approval timeout over 30 days', () => Promotion.manual({ approvers: ['arn:aws:iam::111111111111:user/a'], timeout: Duration.days(31) }), "Promotion.manual timeout must be from 1 minute to 30 days (aws:approve's limit), got: '31 days'"],
    ['a soak under an hour', () => Promotion.afterSoak({ soak: Duration.minutes(30) }), "Promotion.afterSoak soak must be whole hours from 1 hour to 365 days, got: '30 minutes'"],
    ['a soak of part hours', () => Promotion.afterSoak({ soak: Duration.minutes(90) }), "Promotion.afterSoak soak must be whole hours from 1 hour to 365 days, got: '1 hour 30 minutes'"],
    ['an unknown severity', () => Promotion.afterSoak({ soak: Duration.days(1), blockingSeverities: ['SEVERE' as FindingSeverity] }), "Promotion.afterSoak blockingSeverities[0] must be one of CRITICAL, HIGH, MEDIUM, LOW, got: 'SEVERE'"],
    ['a repeated severity', () => Promotion.afterSoak({ soak: Duration.days(1), blockingSeverities: [FindingSeverity.HIGH, FindingSeverity.HIGH] }), "Promotion.afterSoak blockingSeverities must not list the same value twice, got: 'HIGH'"],
    ['a check of seconds', () => Promotion.afterSoak({ soak: Duration.days(1), checkEvery: Duration.seconds(30) }), "Promotion.afterSoak checkEvery must be whole minutes from 1 minute to 1 day, got: '30 seconds'"],
    ['a check over a day', () => Promotion.afterSoak({ soak: Duration.days(1), checkEvery: Duration.days(2) }), "Promotion.afterSoak checkEvery must be whole minutes from 1 minute to 1 day, got: '2 days'"],
  ])('Promotion refuses %s', (_case, make, error) => {
    expect(make).toThrow(error);
  });

  test('an empty blocking list is kept (no Inspector check)', () => {
    const stack = newStack();
    const img = image(stack, { channels: ['a', 'b'], promotion: Promotion.afterSoak({ soak: Duration.hours(1), blockingSeverities: [] }) });
    expect(documentOf(img, 'Promote-a-b', 'Document').Properties.Content.parameters.BlockingSeverities.default).toEqual([]);
  });
});
