import { CfnParameter, Duration, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as config from 'aws-cdk-lib/aws-config';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import {
  ApprovalSource,
  ApprovedAmisManagedRule,
  ComplianceRemediation,
  EvaluatedResourceType,
  GoldenAmiComplianceMemberRole,
  GoldenAmiComplianceRule,
  GoldenImage,
  ImageRecipe,
  RecipeComponent,
} from '../../src';
import { newStack } from '../util';

const FACTORY = '999999999999';

function settingsOf(stack: Stack): Record<string, unknown> {
  const functions = Template.fromStack(stack).findResources('AWS::Lambda::Function');
  const [fn] = Object.values(functions);
  const value = fn.Properties.Environment.Variables.GOLDEN_AMI_RULE_SETTINGS;
  return JSON.parse(typeof value === 'string' ? value : JSON.stringify(stack.resolve(value)));
}

function statements(stack: Stack, pathPart: string) {
  const policies = Template.fromStack(stack).findResources('AWS::IAM::ManagedPolicy');
  return Object.entries(policies).filter(([id]) => id.includes(pathPart)).flatMap(([, p]) => p.Properties.PolicyDocument.Statement);
}

describe('GoldenAmiComplianceRule, account rule', () => {
  test('a custom Lambda rule on changes, oversized items and a 24-hour sweep, over all three resource types', () => {
    const stack = newStack();
    const rule = new GoldenAmiComplianceRule(stack, 'Rule', { approvalSources: [ApprovalSource.ssmCatalog('/golden-ami/')] });
    const template = Template.fromStack(stack);

    template.resourceCountIs('AWS::Config::ConfigRule', 1);
    template.hasResourceProperties('AWS::Config::ConfigRule', {
      Scope: { ComplianceResourceTypes: ['AWS::EC2::Instance', 'AWS::EC2::LaunchTemplate', 'AWS::AutoScaling::AutoScalingGroup'] },
      MaximumExecutionFrequency: 'TwentyFour_Hours',
      Source: {
        Owner: 'CUSTOM_LAMBDA',
        SourceIdentifier: { 'Fn::GetAtt': [Match.stringLikeRegexp('RuleFunction'), 'Arn'] },
        SourceDetails: [
          { EventSource: 'aws.config', MessageType: 'ConfigurationItemChangeNotification' },
          { EventSource: 'aws.config', MessageType: 'OversizedConfigurationItemChangeNotification' },
          { EventSource: 'aws.config', MessageType: 'ScheduledNotification', MaximumExecutionFrequency: 'TwentyFour_Hours' },
        ],
      },
    });
    template.hasResourceProperties('AWS::Lambda::Function', {
      Runtime: 'nodejs24.x',
      Handler: 'index.handler',
      Timeout: 600,
      MemorySize: 512,
      LoggingConfig: { LogGroup: { Ref: Match.stringLikeRegexp('RuleLogs') } },
    });
    template.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 365 });
    template.hasResourceProperties('AWS::Lambda::Permission', {
      Action: 'lambda:InvokeFunction', Principal: 'config.amazonaws.com', SourceAccount: '111111111111',
    });
    // Config checks its invoke permission when the rule is created; a sweep may continue at once.
    const [ruleResource] = Object.values(template.findResources('AWS::Config::ConfigRule'));
    expect(ruleResource.DependsOn).toEqual([expect.stringMatching(/RuleConfigInvoke/), expect.stringMatching(/RuleContinueSweepPolicy/)]);
    // The function waits for its policy; not for its role, which its Role GetAtt already orders (cfn-lint W3005).
    const [functionResource] = Object.values(template.findResources('AWS::Lambda::Function'));
    expect(functionResource.DependsOn).toEqual([expect.stringMatching(/^RulePolicy/)]);
    expect(settingsOf(stack)).toEqual({
      policy: { catalogPaths: ['/golden-ami'], parameterNames: [], revocationLists: [], ancestryRecords: [], ownerAccounts: [], amiTags: {}, allowDeprecated: false },
      resourceTypes: ['AWS::EC2::Instance', 'AWS::EC2::LaunchTemplate', 'AWS::AutoScaling::AutoScalingGroup'],
    });
    expect(rule.configRule).toBeDefined();
    expect(rule.organizationConfigRule).toBeUndefined();
    expect(stack.resolve(rule.configRuleName)).toEqual({ Ref: expect.stringMatching(/^Rule/) });
  });

  test('revocation lists and ancestry records of named parameters: rendered, and readable by exactly those ARNs (GetParameters; history of ancestry)', () => {
    const stack = newStack();
    const base = GoldenImage.fromParameterName(stack, 'Base', '/factory/base/latest');
    const app = GoldenImage.fromParameterName(stack, 'App', '/factory/app/prod');
    const appCandidate = GoldenImage.fromParameterName(stack, 'AppCandidate', '/factory/app/candidate');
    // Under the catalog path: its GetParametersByPath read finds the lists, nothing is added.
    const cataloged = GoldenImage.fromParameterName(stack, 'Cataloged', '/golden-ami/web/latest');
    new GoldenAmiComplianceRule(stack, 'Rule', {
      approvalSources: [ApprovalSource.ssmCatalog('/golden-ami'), ...[base, app, appCandidate, cataloged].map(i => ApprovalSource.goldenImage(i))],
    });
    expect(settingsOf(stack).policy).toMatchObject({
      parameterNames: ['/factory/base/latest', '/factory/app/prod', '/factory/app/candidate', '/golden-ami/web/latest'],
      revocationLists: ['/factory/base/revoked', '/factory/app/revoked'],
      ancestryRecords: ['/factory/base/ancestry', '/factory/app/ancestry'],
    });
    const arn = (name: string) => ({ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:ssm:eu-west-1:111111111111:parameter${name}`]] });
    const found = statements(stack, 'RulePolicy');
    expect(found.filter(s => ['ReadRevocationLists', 'ReadAncestryRecords'].includes(s.Sid))).toEqual([
      { Sid: 'ReadRevocationLists', Effect: 'Allow', Action: 'ssm:GetParameters', Resource: [arn('/factory/base/revoked'), arn('/factory/app/revoked')] },
      { Sid: 'ReadAncestryRecords', Effect: 'Allow', Action: 'ssm:GetParameterHistory', Resource: [arn('/factory/base/ancestry'), arn('/factory/app/ancestry')] },
    ]);
    // GetParameters is granted on the lists only.
    expect(found.filter(s => [s.Action].flat().includes('ssm:GetParameters')).flatMap(s => s.Resource)).toEqual([arn('/factory/base/revoked'), arn('/factory/app/revoked')]);

    // A member account's role reads its own copies.
    const member = newStack('Member');
    new GoldenAmiComplianceMemberRole(member, 'Member', { evaluatorAccountId: '444444444444', approvalSources: [ApprovalSource.goldenImage(GoldenImage.fromParameterName(member, 'Base', '/factory/base/latest'))] });
    expect(statements(member, 'MemberPolicy').map(s => [s.Sid, s.Action, s.Resource])).toEqual(expect.arrayContaining([
      ['ReadRevocationLists', 'ssm:GetParameters', arn('/factory/base/revoked')],
      ['ReadAncestryRecords', 'ssm:GetParameterHistory', arn('/factory/base/ancestry')],
    ]));
  });

  test('least privilege: each action named, the catalog path and the GoldenImage parameter as resources, no AWS managed policy', () => {
    const stack = newStack();
    const image = new GoldenImage(stack, 'Base', {
      imageName: 'base',
      recipe: new ImageRecipe(stack, 'Recipe', { components: [RecipeComponent.awsManaged('update-linux')] }),
    });
    new GoldenAmiComplianceRule(stack, 'Rule', {
      approvalSources: [ApprovalSource.ssmCatalog('/golden-ami'), ApprovalSource.goldenImage(image)],
    });
    const found = statements(stack, 'RulePolicy');
    expect(found).toEqual([
      { Sid: 'WriteLogs', Effect: 'Allow', Action: ['logs:CreateLogStream', 'logs:PutLogEvents'], Resource: { 'Fn::GetAtt': [expect.stringMatching(/RuleLogs/), 'Arn'] } },
      {
        Sid: 'DescribeLaunchSources',
        Effect: 'Allow',
        Action: ['ec2:DescribeInstances', 'ec2:DescribeImages', 'ec2:DescribeLaunchTemplateVersions', 'autoscaling:DescribeAutoScalingGroups', 'autoscaling:DescribeLaunchConfigurations'],
        Resource: '*',
      },
      { Sid: 'ReportEvaluations', Effect: 'Allow', Action: 'config:PutEvaluations', Resource: '*' },
      {
        Sid: 'ReadGoldenAmiCatalog',
        Effect: 'Allow',
        Action: ['ssm:GetParametersByPath', 'ssm:GetParameterHistory'],
        Resource: [
          { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':ssm:eu-west-1:111111111111:parameter/golden-ami']] },
          { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':ssm:eu-west-1:111111111111:parameter/golden-ami/*']] },
          { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':ssm:eu-west-1:111111111111:parameter/golden-ami/base/latest']] },
        ],
      },
    ]);
    const roles = Template.fromStack(stack).findResources('AWS::IAM::Role', { Properties: { AssumeRolePolicyDocument: { Statement: [{ Principal: { Service: 'lambda.amazonaws.com' } }] } } });
    expect(Object.values(roles)).toHaveLength(1);
    expect(Object.values(roles)[0].Properties.ManagedPolicyArns).toBeUndefined();
    // No inline policy on the function's role (the image pipeline has its own roles).
    const inline = Template.fromStack(stack).findResources('AWS::IAM::Policy');
    expect(JSON.stringify(Object.values(inline).map(p => p.Properties.Roles))).not.toMatch(/RuleRole/);
    expect(settingsOf(stack).policy).toMatchObject({ parameterNames: ['/golden-ami/base/latest'] });
    // A sweep continues by invoking this function, and no other.
    expect(statements(stack, 'RuleContinueSweepPolicy')).toEqual([
      { Sid: 'ContinueSweep', Effect: 'Allow', Action: 'lambda:InvokeFunction', Resource: { 'Fn::GetAtt': [expect.stringMatching(/RuleFunction/), 'Arn'] } },
    ]);
  });

  test('all options: sources combined, types, age, deprecation, frequency, name, sizing', () => {
    const stack = newStack();
    new GoldenAmiComplianceRule(stack, 'Rule', {
      approvalSources: [
        ApprovalSource.ownerAccounts([FACTORY, '888888888888']),
        ApprovalSource.amiTags({ 'golden-ami:approved': 'true' }),
        ApprovalSource.ownerAccounts([FACTORY]),
      ],
      resourceTypes: [EvaluatedResourceType.INSTANCE],
      maximumAmiAge: Duration.days(90),
      allowDeprecatedAmis: true,
      periodicEvaluation: config.MaximumExecutionFrequency.SIX_HOURS,
      ruleName: 'golden-ami-only',
      description: 'Only golden AMIs',
      timeout: Duration.minutes(15),
      memorySize: 1024,
      reservedConcurrentExecutions: 2,
    });
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::Config::ConfigRule', {
      ConfigRuleName: 'golden-ami-only',
      Description: 'Only golden AMIs',
      Scope: { ComplianceResourceTypes: ['AWS::EC2::Instance'] },
      MaximumExecutionFrequency: 'Six_Hours',
    });
    template.hasResourceProperties('AWS::Lambda::Function', { Timeout: 900, MemorySize: 1024, ReservedConcurrentExecutions: 2 });
    expect(settingsOf(stack)).toEqual({
      policy: { catalogPaths: [], parameterNames: [], revocationLists: [], ancestryRecords: [], ownerAccounts: [FACTORY, '888888888888'], amiTags: { 'golden-ami:approved': 'true' }, maxAgeDays: 90, allowDeprecated: true },
      resourceTypes: ['AWS::EC2::Instance'],
    });
    // Without a catalog source, no SSM permission at all.
    expect(statements(stack, 'RulePolicy').map(s => s.Sid)).toEqual(['WriteLogs', 'DescribeLaunchSources', 'ReportEvaluations']);
  });

  test('remediation: AWS-StopEC2Instance, manual by default, with a role that may only stop and describe instances', () => {
    const stack = newStack();
    const rule = new GoldenAmiComplianceRule(stack, 'Rule', {
      approvalSources: [ApprovalSource.ssmCatalog('/golden-ami')],
      remediation: ComplianceRemediation.stopInstance(),
    });
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::Config::RemediationConfiguration', {
      ConfigRuleName: { Ref: Match.stringLikeRegexp('^Rule') },
      TargetType: 'SSM_DOCUMENT',
      TargetId: 'AWS-StopEC2Instance',
      ResourceType: 'AWS::EC2::Instance',
      Automatic: false,
      MaximumAutomaticAttempts: Match.absent(),
      Parameters: {
        AutomationAssumeRole: { StaticValue: { Values: [{ 'Fn::GetAtt': [Match.stringLikeRegexp('RuleRemediationRole'), 'Arn'] }] } },
        InstanceId: { ResourceValue: { Value: 'RESOURCE_ID' } },
      },
    });
    template.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: { Statement: [{ Principal: { Service: 'ssm.amazonaws.com' }, Condition: { StringEquals: { 'aws:SourceAccount': '111111111111' } } }] },
    });
    expect(statements(stack, 'RuleRemediationPolicy')).toEqual([
      { Sid: 'StopInstances', Effect: 'Allow', Action: 'ec2:StopInstances', Resource: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':ec2:eu-west-1:111111111111:instance/*']] } },
      { Sid: 'WatchInstances', Effect: 'Allow', Action: ['ec2:DescribeInstances', 'ec2:DescribeInstanceStatus'], Resource: '*' },
    ]);
    expect(rule.remediationRole).toBeDefined();
  });

  test('automatic remediation with attempts and interval', () => {
    const stack = newStack();
    new GoldenAmiComplianceRule(stack, 'Rule', {
      approvalSources: [ApprovalSource.ssmCatalog('/golden-ami')],
      remediation: ComplianceRemediation.stopInstance({ automatic: true, maximumAutomaticAttempts: 5, retryAttemptInterval: Duration.minutes(2) }),
    });
    Template.fromStack(stack).hasResourceProperties('AWS::Config::RemediationConfiguration', { Automatic: true, MaximumAutomaticAttempts: 5, RetryAttemptSeconds: 120 });
  });

  test('notifications: NON_COMPLIANT changes of this rule go to a KMS-encrypted, TLS-only topic', () => {
    const stack = newStack();
    const rule = new GoldenAmiComplianceRule(stack, 'Rule', { approvalSources: [ApprovalSource.ssmCatalog('/golden-ami')], notifications: true });
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: {
        'source': ['aws.config'],
        'detail-type': ['Config Rules Compliance Change'],
        'detail': { configRuleName: [{ Ref: Match.stringLikeRegexp('^Rule') }], newEvaluationResult: { complianceType: ['NON_COMPLIANT'] } },
      },
      Targets: [Match.objectLike({ Arn: { Ref: Match.stringLikeRegexp('RuleTopic') }, InputTransformer: Match.anyValue() })],
    });
    template.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('RuleTopicKey'), 'Arn'] } });
    template.hasResourceProperties('AWS::KMS::Key', {
      EnableKeyRotation: true,
      KeyPolicy: { Statement: Match.arrayWith([Match.objectLike({ Principal: { Service: 'events.amazonaws.com' }, Action: ['kms:Decrypt', 'kms:GenerateDataKey'] })]) },
    });
    template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Action: 'sns:Publish', Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]) },
    });
    expect(rule.notificationTopic).toBeDefined();
  });

  test('notifications: events.amazonaws.com may publish and encrypt for this rule only, in one statement each', () => {
    const stack = newStack();
    const rule = new GoldenAmiComplianceRule(stack, 'Rule', { approvalSources: [ApprovalSource.ssmCatalog('/golden-ami')], notifications: true });
    const template = Template.fromStack(stack);
    const ruleName = Object.values(template.findResources('AWS::Events::Rule'))[0].Properties.Name;
    expect(ruleName).toMatch(/^[A-Za-z0-9._-]{1,64}$/);
    const expected = {
      StringEquals: { 'aws:SourceAccount': '111111111111' },
      ArnEquals: { 'aws:SourceArn': { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:events:eu-west-1:111111111111:rule/${ruleName}`]] } },
    };
    const serviceStatements = (policy: any[]) => policy.filter(statement => statement.Principal?.Service === 'events.amazonaws.com');
    const [key] = Object.values(template.findResources('AWS::KMS::Key'));
    const keyStatements = serviceStatements(key.Properties.KeyPolicy.Statement);
    expect(keyStatements).toHaveLength(1);
    expect(keyStatements[0]).toMatchObject({ Action: ['kms:Decrypt', 'kms:GenerateDataKey'], Condition: expected });
    const [topicPolicy] = Object.values(template.findResources('AWS::SNS::TopicPolicy'));
    const topicStatements = serviceStatements(topicPolicy.Properties.PolicyDocument.Statement);
    expect(topicStatements).toHaveLength(1);
    expect(topicStatements[0]).toMatchObject({ Action: 'sns:Publish', Condition: expected });
    expect(stack.resolve(rule.notificationRule!.ruleArn)).toBeDefined();
  });

  test('notifications to a topic of the app with its own key: the topic and the key get the conditioned grants', () => {
    const stack = newStack();
    const key = new kms.Key(stack, 'OpsKey', { enableKeyRotation: true });
    const topic = new sns.Topic(stack, 'Ops', { masterKey: key, enforceSSL: true });
    new GoldenAmiComplianceRule(stack, 'Rule', { approvalSources: [ApprovalSource.ssmCatalog('/golden-ami')], notificationTopic: topic });
    const template = Template.fromStack(stack);
    const condition = Match.objectLike({ StringEquals: { 'aws:SourceAccount': '111111111111' }, ArnEquals: Match.anyValue() });
    template.hasResourceProperties('AWS::KMS::Key', {
      KeyPolicy: { Statement: Match.arrayWith([Match.objectLike({ Principal: { Service: 'events.amazonaws.com' }, Condition: condition })]) },
    });
    template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Principal: { Service: 'events.amazonaws.com' }, Action: 'sns:Publish', Condition: condition })]) },
    });
    const unconditioned = (policy: any[]) => policy.filter(statement => statement.Principal?.Service === 'events.amazonaws.com' && !statement.Condition);
    for (const resource of Object.values(template.findResources('AWS::KMS::Key'))) expect(unconditioned(resource.Properties.KeyPolicy.Statement)).toEqual([]);
    for (const resource of Object.values(template.findResources('AWS::SNS::TopicPolicy'))) expect(unconditioned(resource.Properties.PolicyDocument.Statement)).toEqual([]);
  });

  test('notifications to a topic the user brings', () => {
    const stack = newStack();
    const topic = sns.Topic.fromTopicArn(stack, 'Ops', 'arn:aws:sns:eu-west-1:111111111111:ops');
    const rule = new GoldenAmiComplianceRule(stack, 'Rule', { approvalSources: [ApprovalSource.ssmCatalog('/golden-ami')], notificationTopic: topic });
    Template.fromStack(stack).hasResourceProperties('AWS::Events::Rule', { Targets: [Match.objectLike({ Arn: 'arn:aws:sns:eu-west-1:111111111111:ops' })] });
    Template.fromStack(stack).resourceCountIs('AWS::SNS::Topic', 0);
    expect(rule.notificationTopic).toBe(topic);
  });
});

describe('GoldenAmiComplianceRule, organization-wide', () => {
  test('an organization custom rule with excluded accounts; the function assumes the member role', () => {
    const stack = newStack('Audit');
    const rule = new GoldenAmiComplianceRule(stack, 'Rule', {
      approvalSources: [ApprovalSource.ssmCatalog('/golden-ami'), ApprovalSource.ownerAccounts([FACTORY])],
      organization: { organizationId: 'o-a1b2c3d4e5', excludedAccounts: ['333333333333'] },
      resourceTypes: [EvaluatedResourceType.INSTANCE, EvaluatedResourceType.AUTO_SCALING_GROUP],
    });
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::Config::ConfigRule', 0);
    template.hasResourceProperties('AWS::Config::OrganizationConfigRule', {
      OrganizationConfigRuleName: Match.stringLikeRegexp('^Audit-Rule-[0-9A-F]{8}$'),
      ExcludedAccounts: ['333333333333'],
      OrganizationCustomRuleMetadata: {
        LambdaFunctionArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('RuleFunction'), 'Arn'] },
        OrganizationConfigRuleTriggerTypes: ['ConfigurationItemChangeNotification', 'OversizedConfigurationItemChangeNotification', 'ScheduledNotification'],
        MaximumExecutionFrequency: 'TwentyFour_Hours',
        ResourceTypesScope: ['AWS::EC2::Instance', 'AWS::AutoScaling::AutoScalingGroup'],
      },
    });
    template.hasResourceProperties('AWS::IAM::Role', { RoleName: 'GoldenAmiComplianceEvaluator' });
    // One permission cannot name every member account: the organization is enforced at AssumeRole.
    template.hasResourceProperties('AWS::Lambda::Permission', { Principal: 'config.amazonaws.com', SourceAccount: Match.absent() });
    expect(statements(stack, 'RulePolicy')).toContainEqual({
      Sid: 'AssumeMemberRoles',
      Effect: 'Allow',
      Action: 'sts:AssumeRole',
      Resource: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::*:role/GoldenAmiComplianceMember']] },
      Condition: { StringEquals: { 'aws:ResourceOrgID': 'o-a1b2c3d4e5' } },
    });
    expect(settingsOf(stack)).toMatchObject({ memberRoleName: 'GoldenAmiComplianceMember', organizationId: 'o-a1b2c3d4e5' });
    expect(rule.configRuleName).toMatch(/^Audit-Rule-/);
  });

  test('the member role trusts only the evaluator role of the administrator account, and reads the member\'s own catalog', () => {
    // The member stack's account is 111111111111; the administrator's is 444444444444.
    const stack = newStack('Member');
    new GoldenAmiComplianceMemberRole(stack, 'Member', {
      evaluatorAccountId: '444444444444',
      approvalSources: [ApprovalSource.ssmCatalog('/golden-ami')],
    });
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::IAM::Role', {
      RoleName: 'GoldenAmiComplianceMember',
      AssumeRolePolicyDocument: {
        Statement: [{
          Effect: 'Allow',
          Action: 'sts:AssumeRole',
          Principal: { AWS: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::444444444444:root']] } },
          Condition: { ArnEquals: { 'aws:PrincipalArn': { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::444444444444:role/GoldenAmiComplianceEvaluator']] } } },
        }],
      },
    });
    expect(statements(stack, 'MemberPolicy').map(s => [s.Sid, s.Action])).toEqual([
      ['DescribeLaunchSources', ['ec2:DescribeInstances', 'ec2:DescribeImages', 'ec2:DescribeLaunchTemplateVersions', 'autoscaling:DescribeAutoScalingGroups', 'autoscaling:DescribeLaunchConfigurations']],
      ['ReportEvaluations', 'config:PutEvaluations'],
      ['ReadGoldenAmiCatalog', ['ssm:GetParametersByPath', 'ssm:GetParameterHistory']],
    ]);
    expect(JSON.stringify(statements(stack, 'MemberPolicy'))).toContain(':ssm:eu-west-1:111111111111:parameter/golden-ami/*');
  });
});

describe('synth errors name the prop and the value', () => {
  const catalog = () => [ApprovalSource.ssmCatalog('/golden-ami')];
  test.each<[string, () => void, RegExp]>([
    ['an empty approval set', () => new GoldenAmiComplianceRule(newStack(), 'R', { approvalSources: [] }), /approvalSources must name at least one source.*'\[\]'/],
    ['a parameter path without a leading /', () => ApprovalSource.ssmCatalog('golden-ami/'), /parameterPath must be a fully qualified SSM parameter name.*'golden-ami\/'/],
    ['the root path', () => ApprovalSource.ssmCatalog('//'), /parameterPath must name a hierarchy below the root, got: '\/\/'/],
    ['a reserved path', () => ApprovalSource.ssmCatalog('/aws/service/ami'), /must not start with \/aws\//],
    ['an invalid owner account ID', () => ApprovalSource.ownerAccounts(['12345']), /ownerAccounts\[0\] must be a 12-digit AWS account ID, got: '12345'/],
    ['no owner accounts', () => ApprovalSource.ownerAccounts([]), /at least one account ID/],
    ['a duplicate owner account', () => ApprovalSource.ownerAccounts([FACTORY, FACTORY]), /must not list the same value twice, got: '999999999999'/],
    ['no AMI tags', () => ApprovalSource.amiTags({}), /at least one tag/],
    ['an aws: tag key', () => ApprovalSource.amiTags({ 'aws:cloudformation:stack-name': 'x' }), /must be 1-128 characters and not start with aws:/],
    ['conflicting tag values', () => new GoldenAmiComplianceRule(newStack(), 'R', { approvalSources: [ApprovalSource.amiTags({ a: '1' }), ApprovalSource.amiTags({ a: '2' })] }), /tag 'a' two values/],
    ['no resource types', () => new GoldenAmiComplianceRule(newStack(), 'R', { approvalSources: catalog(), resourceTypes: [] }), /resourceTypes must name at least one resource type/],
    ['a remediation on a type the rule does not evaluate', () => new GoldenAmiComplianceRule(newStack(), 'R', {
      approvalSources: catalog(), resourceTypes: [EvaluatedResourceType.LAUNCH_TEMPLATE], remediation: ComplianceRemediation.stopInstance(),
    }), /remediation AWS-StopEC2Instance acts on AWS::EC2::Instance, which the rule does not evaluate; resourceTypes: 'AWS::EC2::LaunchTemplate'/],
    ['remediation on an organization rule', () => new GoldenAmiComplianceRule(newStack(), 'R', { approvalSources: catalog(), organization: { organizationId: 'o-a1b2c3d4e5' }, remediation: ComplianceRemediation.stopInstance() }), /remediation needs an account rule/],
    ['notifications on an organization rule', () => new GoldenAmiComplianceRule(newStack(), 'R', { approvalSources: catalog(), organization: { organizationId: 'o-a1b2c3d4e5' }, notifications: true }), /notifications need an account rule/],
    ['a topic with notifications off', () => {
      const stack = newStack();
      new GoldenAmiComplianceRule(stack, 'R', { approvalSources: catalog(), notifications: false, notificationTopic: sns.Topic.fromTopicArn(stack, 'T', 'arn:aws:sns:eu-west-1:111111111111:t') });
    }, /notificationTopic is set but notifications is false/],
    ['an invalid excluded account', () => new GoldenAmiComplianceRule(newStack(), 'R', { approvalSources: catalog(), organization: { organizationId: 'o-a1b2c3d4e5', excludedAccounts: ['abc'] } }), /organization.excludedAccounts\[0\] must be a 12-digit AWS account ID, got: 'abc'/],
    ['an invalid member role name', () => new GoldenAmiComplianceRule(newStack(), 'R', { approvalSources: catalog(), organization: { organizationId: 'o-a1b2c3d4e5', memberRoleName: 'bad name' } }), /organization.memberRoleName must be an IAM role name.*'bad name'/],
    ['an organization rule without its organization ID', () => new GoldenAmiComplianceRule(newStack(), 'R', { approvalSources: catalog(), organization: {} as any }),
      /organization.organizationId must be an AWS Organizations organization ID \(o- and 10 to 32 lowercase letters or digits\), got: 'undefined'/],
    ['an invalid organization ID', () => new GoldenAmiComplianceRule(newStack(), 'R', { approvalSources: catalog(), organization: { organizationId: 'o-ABC' } }),
      /organization.organizationId must be an AWS Organizations organization ID.*got: 'o-ABC'/],
    ['an organization ID too short', () => new GoldenAmiComplianceRule(newStack(), 'R', { approvalSources: catalog(), organization: { organizationId: 'o-a1b2c3d4e' } }),
      /organization.organizationId .*got: 'o-a1b2c3d4e'/],
    ['a description over 256 characters', () => new GoldenAmiComplianceRule(newStack(), 'R', { approvalSources: catalog(), description: 'd'.repeat(257) }),
      /description must be 0 to 256 characters, got: 'd{200}\.\.\.' \(257 characters\)/],
    ['an organization rule description over 256 characters', () => new GoldenAmiComplianceRule(newStack(), 'R', { approvalSources: catalog(), organization: { organizationId: 'o-a1b2c3d4e5' }, description: 'd'.repeat(300) }),
      /description must be 0 to 256 characters.*\(300 characters\)/],
    ['an invalid organization rule name', () => new GoldenAmiComplianceRule(newStack(), 'R', { approvalSources: catalog(), organization: { organizationId: 'o-a1b2c3d4e5' }, ruleName: 'has spaces' }), /ruleName of an organization rule.*'has spaces'/],
    ['a maximum age below a day', () => new GoldenAmiComplianceRule(newStack(), 'R', { approvalSources: catalog(), maximumAmiAge: Duration.hours(12) }), /maximumAmiAge must be a whole number of days from 1 to 3650, got: '12 hours'/],
    ['a timeout under 2 minutes', () => new GoldenAmiComplianceRule(newStack(), 'R', { approvalSources: catalog(), timeout: Duration.seconds(90) }), /timeout must be from 2 to 15 minutes.*got: '1 minute 30 seconds'/],
    ['a timeout over 15 minutes', () => new GoldenAmiComplianceRule(newStack(), 'R', { approvalSources: catalog(), timeout: Duration.minutes(20) }), /timeout must be from 2 to 15 minutes.*got: '20 minutes'/],
    ['remediation attempts out of range', () => ComplianceRemediation.stopInstance({ maximumAutomaticAttempts: 26 }), /maximumAutomaticAttempts must be an integer from 1 to 25, got: '26'/],
    ['an invalid evaluator account for a member role', () => new GoldenAmiComplianceMemberRole(newStack(), 'M', { evaluatorAccountId: '1', approvalSources: catalog() }), /evaluatorAccountId must be a 12-digit AWS account ID, got: '1'/],
    ['a member role without approval sources', () => new GoldenAmiComplianceMemberRole(newStack(), 'M', { evaluatorAccountId: '111111111111', approvalSources: [] }), /approvalSources must name at least one source/],
  ])('%s', (_name, build, message) => {
    expect(build).toThrow(message);
  });

  test('a description of exactly 256 characters is taken as it is', () => {
    const stack = newStack();
    new GoldenAmiComplianceRule(stack, 'R', { approvalSources: catalog(), description: 'd'.repeat(256) });
    Template.fromStack(stack).hasResourceProperties('AWS::Config::ConfigRule', { Description: 'd'.repeat(256) });
  });

  test('token values pass unchecked', () => {
    const stack = newStack();
    const path = new CfnParameter(stack, 'Path', { default: '/golden-ami' }).valueAsString;
    const account = new CfnParameter(stack, 'Factory', { default: FACTORY }).valueAsString;
    new GoldenAmiComplianceRule(stack, 'Rule', { approvalSources: [ApprovalSource.ssmCatalog(path), ApprovalSource.ownerAccounts([account])] });
    const [fn] = Object.values(Template.fromStack(stack).findResources('AWS::Lambda::Function'));
    const rendered = JSON.stringify(fn.Properties.Environment.Variables.GOLDEN_AMI_RULE_SETTINGS);
    expect(rendered).toContain('{"Ref":"Path"}');
    expect(rendered).toContain('{"Ref":"Factory"}');
  });
});

describe('ApprovedAmisManagedRule (managed-rule shortcut)', () => {
  test('by ID: approved-amis-by-id over instances', () => {
    const stack = newStack();
    ApprovedAmisManagedRule.byId(stack, 'ById', { amiIds: ['ami-0123456789abcdef0', 'ami-12345678'] });
    Template.fromStack(stack).hasResourceProperties('AWS::Config::ConfigRule', {
      Source: { Owner: 'AWS', SourceIdentifier: 'APPROVED_AMIS_BY_ID' },
      InputParameters: { amiIds: 'ami-0123456789abcdef0,ami-12345678' },
      Scope: { ComplianceResourceTypes: ['AWS::EC2::Instance'] },
    });
  });

  test('by tag: approved-amis-by-tag with key:value pairs', () => {
    const stack = newStack();
    const rule = ApprovedAmisManagedRule.byTag(stack, 'ByTag', { tags: { 'golden-ami': 'true', 'team': 'platform' }, ruleName: 'amis-by-tag' });
    Template.fromStack(stack).hasResourceProperties('AWS::Config::ConfigRule', {
      ConfigRuleName: 'amis-by-tag',
      Source: { Owner: 'AWS', SourceIdentifier: 'APPROVED_AMIS_BY_TAG' },
      InputParameters: { amisByTagKeyAndValue: 'golden-ami:true,team:platform' },
    });
    expect(rule.configRuleName).toBeDefined();
  });

  test.each<[string, () => void, RegExp]>([
    ['no AMI IDs', () => ApprovedAmisManagedRule.byId(newStack(), 'R', { amiIds: [] }), /amiIds must list 1 to 21 AMI IDs/],
    ['22 AMI IDs', () => ApprovedAmisManagedRule.byId(newStack(), 'R', { amiIds: Array.from({ length: 22 }, (_, i) => `ami-${String(i).padStart(8, '0')}`) }), /amiIds must list 1 to 21 AMI IDs \(the managed rule's limit\), got 22/],
    ['an invalid AMI ID', () => ApprovedAmisManagedRule.byId(newStack(), 'R', { amiIds: ['ami-xyz'] }), /amiIds\[0\] must be an AMI ID.*'ami-xyz'/],
    ['no tags', () => ApprovedAmisManagedRule.byTag(newStack(), 'R', { tags: {} }), /tags must name at least one tag/],
    ['a separator in a tag key', () => ApprovedAmisManagedRule.byTag(newStack(), 'R', { tags: { 'a:b': 'c' } }), /contain no ':' or ','.*'a:b'/],
    ['tags over 1024 characters', () => ApprovedAmisManagedRule.byTag(newStack(), 'R', { tags: { k: 'v'.repeat(1100) } }), /tags must be at most 1024 characters/],
  ])('%s', (_name, build, message) => {
    expect(build).toThrow(message);
  });
});
