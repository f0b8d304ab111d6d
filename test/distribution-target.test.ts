import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, CfnParameter, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { AwsSolutionsChecks, HIPAASecurityChecks, NIST80053R5Checks } from 'cdk-nag';
import { GoldenImageDistributionTargetRole, GoldenImageDistributionTargetStackSet } from '../src';
import { nagFindings, recordedAcknowledgments } from './nag-checks';
import { newStack } from './util';
import * as nagAcknowledgments from '../src/private/nag-acknowledgments';

const FACTORY = '999999999999';
const FACTORY2 = '888888888888';
const ROLE_NAME = 'EC2ImageBuilderDistributionCrossAccountRole';
const PARTITION = { Ref: 'AWS::Partition' };
const join = (...parts: unknown[]) => ({ 'Fn::Join': ['', parts] });
const slr = (account: string) => join('arn:', PARTITION, `:iam::${account}:role/aws-service-role/imagebuilder.amazonaws.com/AWSServiceRoleForImageBuilder`);

function resourcesOf(template: any, type: string): any[] {
  return Object.values<any>(template.Resources).filter(r => r.Type === type);
}

function statementsOf(template: any): any[] {
  return resourcesOf(template, 'AWS::IAM::ManagedPolicy').flatMap(p => p.Properties.PolicyDocument.Statement);
}

/** A target account with every feature: keys by reference and by alias, launch templates, the catalog. */
function fullStack(): Stack {
  const stack = newStack('Target');
  const key = new kms.Key(stack, 'CopyKey', { enableKeyRotation: true });
  new GoldenImageDistributionTargetRole(stack, 'Distribution', {
    factoryAccountIds: [FACTORY, FACTORY2],
    copyKeys: [key, kms.Key.fromKeyArn(stack, 'Other', 'arn:aws:kms:us-east-1:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab')],
    copyKeyAliases: ['alias/golden-ami'],
    launchTemplateUpdates: true,
    catalogParameterPaths: ['/golden-ami', '/team/images/'],
  });
  return stack;
}

function organizationStack(): Stack {
  const stack = newStack('Organization');
  new GoldenImageDistributionTargetStackSet(stack, 'Targets', {
    factoryAccountIds: [FACTORY],
    organizationalUnitIds: ['ou-ab12-cdef3456'],
    copyKeyAliases: ['alias/golden-ami'],
    launchTemplateUpdates: true,
    catalogParameterPaths: ['/golden-ami/'],
  });
  return stack;
}

describe('GoldenImageDistributionTargetRole', () => {
  test('the role AWS documents: its name, the managed policy, trusted only by the factories\' Image Builder service-linked role', () => {
    const stack = newStack();
    // The trust-chain role is the next test's.
    const target = new GoldenImageDistributionTargetRole(stack, 'Distribution', { factoryAccountIds: [FACTORY], trustChain: false });
    const template = Template.fromStack(stack).toJSON();
    const [role] = resourcesOf(template, 'AWS::IAM::Role');
    expect(role.Properties.RoleName).toBe(ROLE_NAME);
    expect(role.Properties.ManagedPolicyArns).toEqual([join('arn:', PARTITION, ':iam::aws:policy/Ec2ImageBuilderCrossAccountDistributionAccess')]);
    expect(role.Properties.AssumeRolePolicyDocument.Statement).toEqual([{
      Action: 'sts:AssumeRole',
      Effect: 'Allow',
      Principal: { AWS: join('arn:', PARTITION, `:iam::${FACTORY}:root`) },
      Condition: { ArnEquals: { 'aws:PrincipalArn': [slr(FACTORY)] } },
    }]);
    // Nothing else unless asked for.
    expect(resourcesOf(template, 'AWS::IAM::ManagedPolicy')).toEqual([]);
    expect(Object.keys(template.Resources)).toHaveLength(1);
    expect(target.roleName).toBe(ROLE_NAME);
    expect(target.catalogReadPolicy).toBeUndefined();
    expect(stack.resolve(target.role.roleArn)).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^Distribution/), 'Arn'] });
  });

  test('GoldenAmiTrustChainRole (on by default): trusted only by the factories\' GoldenAmiTrustChain* roles, the catalogue and golden AMIs only', () => {
    const stack = newStack();
    const target = new GoldenImageDistributionTargetRole(stack, 'Distribution', { factoryAccountIds: [FACTORY, FACTORY2], catalogParameterPaths: ['/golden-ami/', '/apps'] });
    const template = Template.fromStack(stack).toJSON();
    const role = resourcesOf(template, 'AWS::IAM::Role').find(r => r.Properties.RoleName === 'GoldenAmiTrustChainRole');
    expect(stack.resolve(target.trustChainRole!.roleName)).toEqual({ Ref: expect.stringMatching(/^DistributionTrustChainRole/) });
    const chainRoles = [FACTORY, FACTORY2].map(account => join('arn:', PARTITION, `:iam::${account}:role/GoldenAmiTrustChain*`));
    expect(role.Properties.AssumeRolePolicyDocument.Statement).toEqual([FACTORY, FACTORY2].map(account => ({
      Action: 'sts:AssumeRole',
      Effect: 'Allow',
      Principal: { AWS: join('arn:', PARTITION, `:iam::${account}:root`) },
      Condition: { ArnLike: { 'aws:PrincipalArn': chainRoles } },
    })));
    const policy = resourcesOf(template, 'AWS::IAM::Policy').find(p => p.Properties.Roles[0].Ref.startsWith('DistributionTrustChainRole'));
    expect(policy.Properties.PolicyDocument.Statement).toEqual([
      {
        Sid: 'Catalogue',
        Effect: 'Allow',
        Action: ['ssm:GetParameter', 'ssm:GetParameters', 'ssm:GetParameterHistory', 'ssm:PutParameter', 'ssm:DeleteParameter'],
        Resource: ['/golden-ami/', '/apps/'].map(prefix => join('arn:', PARTITION, `:ssm:*:111111111111:parameter${prefix}*`)),
      },
      { Sid: 'FindImagesAndFindings', Effect: 'Allow', Action: ['ec2:DescribeImages', 'inspector2:ListFindings'], Resource: '*' },
      {
        Sid: 'RevokeGoldenAmis',
        Effect: 'Allow',
        Action: ['ec2:EnableImageDeprecation', 'ec2:DisableImage'],
        Resource: join('arn:', PARTITION, ':ec2:*::image/*'),
        Condition: { Null: { 'aws:ResourceTag/golden-ami:pipeline': 'false' } },
      },
      {
        // The ancestry record's two tags, on golden AMIs, and no other tag.
        Sid: 'RecordAncestry',
        Effect: 'Allow',
        Action: 'ec2:CreateTags',
        Resource: join('arn:', PARTITION, ':ec2:*::image/*'),
        Condition: {
          'ForAllValues:StringEquals': { 'aws:TagKeys': ['golden-ami:parent-ami', 'golden-ami:parent-pipeline'] },
          'Null': { 'aws:TagKeys': 'false', 'aws:ResourceTag/golden-ami:pipeline': 'false' },
        },
      },
    ]);
    // The default catalogue prefix when no paths are given; none with trustChain: false.
    const defaults = newStack('Defaults');
    new GoldenImageDistributionTargetRole(defaults, 'Distribution', { factoryAccountIds: [FACTORY] });
    expect(resourcesOf(Template.fromStack(defaults).toJSON(), 'AWS::IAM::Policy')[0].Properties.PolicyDocument.Statement[0].Resource).toEqual(join('arn:', PARTITION, ':ssm:*:111111111111:parameter/golden-ami/*'));
    expect(() => new GoldenImageDistributionTargetRole(newStack('Bad'), 'Distribution', { factoryAccountIds: [FACTORY], trustChain: 'yes' as any }))
      .toThrow('trustChain must be true or false, got a string instead, got: \'"yes"\'');
  });

  test('every factory account may assume it, each only through its service-linked role', () => {
    const template = Template.fromStack(fullStack()).toJSON();
    const [role] = resourcesOf(template, 'AWS::IAM::Role');
    const trust = role.Properties.AssumeRolePolicyDocument.Statement;
    expect(trust.map((s: any) => s.Principal.AWS)).toEqual([join('arn:', PARTITION, `:iam::${FACTORY}:root`), join('arn:', PARTITION, `:iam::${FACTORY2}:root`)]);
    for (const statement of trust) expect(statement.Condition).toEqual({ ArnEquals: { 'aws:PrincipalArn': [slr(FACTORY), slr(FACTORY2)] } });
  });

  test('copy keys: the KMS actions AWS documents, CreateGrant for AWS resources only, keys by ARN and by alias, snapshot tags', () => {
    const template = Template.fromStack(fullStack()).toJSON();
    const statements = statementsOf(template);
    const bySid = (sid: string) => statements.find(s => s.Sid === sid);
    const keyActions = ['kms:Decrypt', 'kms:DescribeKey', 'kms:Encrypt', 'kms:GenerateDataKey*', 'kms:ReEncrypt*'];
    const keyArns = [{ 'Fn::GetAtt': [expect.stringMatching(/^CopyKey/), 'Arn'] }, 'arn:aws:kms:us-east-1:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab'];
    expect(bySid('UseCopyKeys')).toEqual({ Sid: 'UseCopyKeys', Effect: 'Allow', Action: keyActions, Resource: keyArns });
    expect(bySid('GrantCopyKeysToEbs')).toEqual({
      Sid: 'GrantCopyKeysToEbs',
      Effect: 'Allow',
      Action: 'kms:CreateGrant',
      Resource: keyArns,
      Condition: { Bool: { 'kms:GrantIsForAWSResource': true } },
    });
    const anyKey = join('arn:', PARTITION, ':kms:*:111111111111:key/*');
    expect(bySid('UseCopyKeysByAlias')).toEqual({
      Sid: 'UseCopyKeysByAlias',
      Effect: 'Allow',
      Action: keyActions,
      Resource: anyKey,
      Condition: { 'ForAnyValue:StringEquals': { 'kms:ResourceAliases': ['alias/golden-ami'] } },
    });
    expect(bySid('GrantCopyKeysByAliasToEbs').Condition).toEqual({
      'ForAnyValue:StringEquals': { 'kms:ResourceAliases': ['alias/golden-ami'] },
      'Bool': { 'kms:GrantIsForAWSResource': true },
    });
    expect(bySid('TagCopiedSnapshots')).toEqual({ Sid: 'TagCopiedSnapshots', Effect: 'Allow', Action: 'ec2:CreateTags', Resource: join('arn:', PARTITION, ':ec2:*::snapshot/*') });
    // The policy is attached to the role.
    const [policy] = resourcesOf(template, 'AWS::IAM::ManagedPolicy').filter(p => p.Properties.Roles);
    expect(policy.Properties.Roles).toEqual([{ Ref: expect.stringMatching(/^Distribution/) }]);
  });

  test('launch template updates: the policy AWS documents, limited by the CreatedBy tag', () => {
    const statements = statementsOf(Template.fromStack(fullStack()).toJSON());
    expect(statements.filter(s => /LaunchTemplates$/.test(s.Sid))).toEqual([
      {
        Sid: 'UpdateImageBuilderLaunchTemplates',
        Effect: 'Allow',
        Action: ['ec2:CreateLaunchTemplateVersion', 'ec2:ModifyLaunchTemplate'],
        Resource: '*',
        Condition: { StringEquals: { 'aws:ResourceTag/CreatedBy': 'EC2 Image Builder' } },
      },
      { Sid: 'DescribeLaunchTemplates', Effect: 'Allow', Action: 'ec2:DescribeLaunchTemplates', Resource: '*' },
      {
        Sid: 'TagImageBuilderLaunchTemplates',
        Effect: 'Allow',
        Action: 'ec2:CreateTags',
        Resource: join('arn:', PARTITION, ':ec2:*:111111111111:launch-template/*'),
        Condition: { StringEquals: { 'aws:RequestTag/CreatedBy': 'EC2 Image Builder' } },
      },
    ]);
  });

  test('catalog read: a named managed policy for others to attach, the read actions on the paths in every region', () => {
    const stack = newStack();
    const target = new GoldenImageDistributionTargetRole(stack, 'Distribution', {
      factoryAccountIds: [FACTORY],
      catalogParameterPaths: ['/golden-ami', '/team/images/'],
      catalogReadPolicyName: 'TeamCatalogRead',
    });
    const policies = resourcesOf(Template.fromStack(stack).toJSON(), 'AWS::IAM::ManagedPolicy');
    expect(policies).toHaveLength(1);
    expect(policies[0].Properties.ManagedPolicyName).toBe('TeamCatalogRead');
    expect(policies[0].Properties.Roles).toBeUndefined();
    expect(policies[0].Properties.PolicyDocument.Statement).toEqual([{
      Sid: 'ReadGoldenAmiCatalog',
      Effect: 'Allow',
      Action: ['ssm:GetParameter', 'ssm:GetParameters', 'ssm:GetParametersByPath', 'ssm:GetParameterHistory'],
      Resource: [
        join('arn:', PARTITION, ':ssm:*:111111111111:parameter/golden-ami/*'),
        join('arn:', PARTITION, ':ssm:*:111111111111:parameter/team/images/*'),
      ],
    }]);
    expect(target.catalogReadPolicy).toBeDefined();
    const defaultName = newStack('Default');
    new GoldenImageDistributionTargetRole(defaultName, 'Distribution', { factoryAccountIds: [FACTORY], catalogParameterPaths: ['/golden-ami/'] });
    Template.fromStack(defaultName).hasResourceProperties('AWS::IAM::ManagedPolicy', { ManagedPolicyName: 'GoldenAmiCatalogRead' });
  });

  test('a token factory account passes through', () => {
    const stack = newStack();
    const factory = new CfnParameter(stack, 'Factory', { default: FACTORY }).valueAsString;
    new GoldenImageDistributionTargetRole(stack, 'Distribution', { factoryAccountIds: [factory] });
    const [role] = resourcesOf(Template.fromStack(stack).toJSON(), 'AWS::IAM::Role');
    expect(role.Properties.AssumeRolePolicyDocument.Statement[0].Principal.AWS).toEqual(join('arn:', PARTITION, ':iam::', { Ref: 'Factory' }, ':root'));
  });

  test.each([
    [{ factoryAccountIds: [] }, "factoryAccountIds must name at least one factory account, got: '[]'"],
    [{ factoryAccountIds: ['12345'] }, "factoryAccountIds[0] must be a 12-digit AWS account ID, got: '12345'"],
    [{ factoryAccountIds: [FACTORY, FACTORY] }, /^factoryAccountIds .*'999999999999'/],
    [{ factoryAccountIds: [FACTORY], copyKeyAliases: ['golden-ami'] }, /^copyKeyAliases\[0\] must be a KMS alias name.*got: 'golden-ami'$/],
    [{ factoryAccountIds: [FACTORY], copyKeyAliases: ['alias/aws/ebs'] }, /^copyKeyAliases\[0\] must be a KMS alias name.*got: 'alias\/aws\/ebs'$/],
    [{ factoryAccountIds: [FACTORY], catalogParameterPaths: ['golden-ami'] }, /^catalogParameterPaths\[0\] must be an SSM parameter path .*got: 'golden-ami'$/],
    [{ factoryAccountIds: [FACTORY], catalogParameterPaths: ['/aws/service/'] }, /^catalogParameterPaths\[0\] must be an SSM parameter path .*got: '\/aws\/service\/'$/],
    [{ factoryAccountIds: [FACTORY], catalogParameterPaths: ['/golden-ami', '/golden-ami/'] }, /^catalogParameterPaths .*'\/golden-ami\/'/],
    [{ factoryAccountIds: [FACTORY], catalogReadPolicyName: 'Read' }, "catalogReadPolicyName needs catalogParameterPaths (there is no policy to name without them), got: 'Read'"],
    [{ factoryAccountIds: [FACTORY], catalogParameterPaths: ['/g/'], catalogReadPolicyName: 'read catalog' }, "catalogReadPolicyName must be 1 to 128 letters, digits and +=,.@_- (an IAM policy name), got: 'read catalog'"],
  ])('rejects %j', (props, message) => {
    expect(() => new GoldenImageDistributionTargetRole(newStack(), 'Distribution', props as any)).toThrow(message);
  });

  test('a token catalog path is refused: it is written into the policy', () => {
    const stack = newStack();
    const token = new CfnParameter(stack, 'Path').valueAsString;
    expect(() => new GoldenImageDistributionTargetRole(stack, 'Distribution', { factoryAccountIds: [FACTORY], catalogParameterPaths: [token] }))
      .toThrow(/^catalogParameterPaths\[0\] must be known at synth time/);
  });
});

describe('GoldenImageDistributionTargetRole.grantSourceKeyToTargets (factory side)', () => {
  test('the factory key lets each target account\'s distribution role copy, named by aws:PrincipalArn', () => {
    const stack = newStack('Factory');
    const key = new kms.Key(stack, 'Key', { enableKeyRotation: true });
    expect(GoldenImageDistributionTargetRole.grantSourceKeyToTargets(key, ['222222222222', '333333333333'])).toBe(true);
    const [keyResource] = resourcesOf(Template.fromStack(stack).toJSON(), 'AWS::KMS::Key');
    const statements = keyResource.Properties.KeyPolicy.Statement;
    const roles = ['222222222222', '333333333333'].map(account => join('arn:', PARTITION, `:iam::${account}:role/${ROLE_NAME}`));
    const principals = ['222222222222', '333333333333'].map(account => join('arn:', PARTITION, `:iam::${account}:root`));
    expect(statements.find((s: any) => s.Sid === 'GoldenImageCrossAccountCopies')).toEqual({
      Sid: 'GoldenImageCrossAccountCopies',
      Effect: 'Allow',
      Resource: '*',
      Action: ['kms:Decrypt', 'kms:DescribeKey', 'kms:Encrypt', 'kms:GenerateDataKey*', 'kms:ReEncrypt*'],
      Principal: { AWS: principals },
      Condition: { ArnEquals: { 'aws:PrincipalArn': roles } },
    });
    expect(statements.find((s: any) => s.Sid === 'GoldenImageCrossAccountCopyGrants')).toEqual({
      Sid: 'GoldenImageCrossAccountCopyGrants',
      Effect: 'Allow',
      Resource: '*',
      Action: 'kms:CreateGrant',
      Principal: { AWS: principals },
      Condition: { ArnEquals: { 'aws:PrincipalArn': roles }, Bool: { 'kms:GrantIsForAWSResource': true } },
    });
  });

  test('an imported key cannot take the statement: false; bad accounts are refused', () => {
    const stack = newStack('Factory');
    const imported = kms.Key.fromKeyArn(stack, 'Imported', 'arn:aws:kms:eu-west-1:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab');
    expect(GoldenImageDistributionTargetRole.grantSourceKeyToTargets(imported, ['222222222222'])).toBe(false);
    const key = new kms.Key(stack, 'Key', { enableKeyRotation: true });
    expect(() => GoldenImageDistributionTargetRole.grantSourceKeyToTargets(key, [])).toThrow("targetAccountIds must name at least one account, got: '[]'");
    expect(() => GoldenImageDistributionTargetRole.grantSourceKeyToTargets(key, ['2222'])).toThrow("targetAccountIds[0] must be a 12-digit AWS account ID, got: '2222'");
  });
});

describe('launching from the encrypted copies', () => {
  test('grantLaunch: the EBS permissions on the copy keys, by ARN and by alias, CreateGrant for AWS resources only', () => {
    const stack = newStack();
    const factoryKey = kms.Key.fromKeyArn(stack, 'FactoryKey', 'arn:aws:kms:eu-west-1:999999999999:key/1234abcd-12ab-34cd-56ef-1234567890ab');
    const target = new GoldenImageDistributionTargetRole(stack, 'Distribution', { factoryAccountIds: [FACTORY], copyKeys: [factoryKey], copyKeyAliases: ['alias/golden-ami'], trustChain: false });
    const launcher = new iam.Role(stack, 'Launcher', { assumedBy: new iam.ServicePrincipal('cloudformation.amazonaws.com') });
    target.grantLaunch(launcher);
    const [policy] = resourcesOf(Template.fromStack(stack).toJSON(), 'AWS::IAM::Policy');
    const actions = ['kms:Decrypt', 'kms:DescribeKey', 'kms:GenerateDataKeyWithoutPlaintext', 'kms:ReEncrypt*'];
    const anyKey = join('arn:', PARTITION, ':kms:*:111111111111:key/*');
    const byAlias = { 'ForAnyValue:StringEquals': { 'kms:ResourceAliases': ['alias/golden-ami'] } };
    expect(policy.Properties.PolicyDocument.Statement).toEqual([
      { Effect: 'Allow', Action: actions, Resource: factoryKey.keyArn },
      { Effect: 'Allow', Action: 'kms:CreateGrant', Resource: factoryKey.keyArn, Condition: { Bool: { 'kms:GrantIsForAWSResource': true } } },
      { Effect: 'Allow', Action: actions, Resource: anyKey, Condition: byAlias },
      { Effect: 'Allow', Action: 'kms:CreateGrant', Resource: anyKey, Condition: { ...byAlias, Bool: { 'kms:GrantIsForAWSResource': true } } },
    ]);
    const none = new GoldenImageDistributionTargetRole(newStack('None'), 'Distribution', { factoryAccountIds: [FACTORY] });
    expect(() => none.grantLaunch(launcher)).toThrow('grantLaunch needs copyKeys or copyKeyAliases');
  });

  test('grantSourceKeyForLaunches: the factory key lets the target accounts\' own IAM policies use it for EBS', () => {
    const stack = newStack('Factory');
    const key = new kms.Key(stack, 'Key', { enableKeyRotation: true });
    expect(GoldenImageDistributionTargetRole.grantSourceKeyForLaunches(key, ['222222222222'])).toBe(true);
    const statements = resourcesOf(Template.fromStack(stack).toJSON(), 'AWS::KMS::Key')[0].Properties.KeyPolicy.Statement;
    const principal = { AWS: join('arn:', PARTITION, ':iam::222222222222:root') };
    expect(statements.filter((s: any) => /^GoldenImageLaunch/.test(s.Sid))).toEqual([
      { Sid: 'GoldenImageLaunchesInTargetAccounts', Effect: 'Allow', Resource: '*', Principal: principal, Action: ['kms:Decrypt', 'kms:DescribeKey', 'kms:GenerateDataKeyWithoutPlaintext', 'kms:ReEncrypt*'] },
      { Sid: 'GoldenImageLaunchGrantsInTargetAccounts', Effect: 'Allow', Resource: '*', Principal: principal, Action: 'kms:CreateGrant', Condition: { Bool: { 'kms:GrantIsForAWSResource': true } } },
    ]);
    expect(() => GoldenImageDistributionTargetRole.grantSourceKeyForLaunches(key, ['222222222222', '222222222222'])).toThrow(/^targetAccountIds .*'222222222222'/);
  });
});

describe('GoldenImageDistributionTargetStackSet', () => {
  test('copyKeyArns: the factory keys, the same in every target account', () => {
    const stack = newStack();
    const arn = 'arn:aws:kms:eu-west-1:999999999999:key/1234abcd-12ab-34cd-56ef-1234567890ab';
    const targets = new GoldenImageDistributionTargetStackSet(stack, 'Targets', { factoryAccountIds: [FACTORY], organizationalUnitIds: ['r-ab12'], copyKeyArns: [arn] });
    const statements = statementsOf(JSON.parse(targets.templateBody));
    expect(statements.find(s => s.Sid === 'UseCopyKeys').Resource).toBe(arn);
    expect(statements.find(s => s.Sid === 'GrantCopyKeysToEbs').Resource).toBe(arn);
    expect(() => new GoldenImageDistributionTargetStackSet(newStack(), 'Targets', {
      factoryAccountIds: [FACTORY], organizationalUnitIds: ['r-ab12'], copyKeyArns: ['arn:aws:kms:eu-west-1:999999999999:alias/golden'],
    })).toThrow("copyKeyArns[0] must be a KMS key ARN (arn:aws:kms:<region>:<account>:key/<id>; not an alias ARN, which a policy cannot grant key use by), got: 'arn:aws:kms:eu-west-1:999999999999:alias/golden'");
  });

  test('a service-managed StackSet carrying the same role, with nothing that needs the CDK bootstrap', () => {
    const stack = organizationStack();
    const [stackSet] = resourcesOf(Template.fromStack(stack).toJSON(), 'AWS::CloudFormation::StackSet');
    const targets = stack.node.findChild('Targets') as GoldenImageDistributionTargetStackSet;
    expect(stackSet.Properties).toEqual({
      StackSetName: expect.stringMatching(/^Organization-Targets-/),
      Description: `The role EC2 Image Builder of the golden AMI factory assumes to copy images into each account (${ROLE_NAME})`,
      PermissionModel: 'SERVICE_MANAGED',
      AutoDeployment: { Enabled: true, RetainStacksOnAccountRemoval: false },
      CallAs: 'SELF',
      Capabilities: ['CAPABILITY_NAMED_IAM'],
      ManagedExecution: { Active: true },
      OperationPreferences: { MaxConcurrentPercentage: 25, FailureTolerancePercentage: 10, RegionConcurrencyType: 'PARALLEL' },
      StackInstancesGroup: [{ Regions: ['eu-west-1'], DeploymentTargets: { OrganizationalUnitIds: ['ou-ab12-cdef3456'] } }],
      TemplateBody: targets.templateBody,
    });
    expect(targets.roleName).toBe(ROLE_NAME);
    const body = JSON.parse(targets.templateBody);
    expect(body.Parameters).toBeUndefined();
    expect(body.Rules).toBeUndefined();
    expect(resourcesOf(body, 'AWS::IAM::Role').map(r => r.Properties.RoleName)).toEqual([ROLE_NAME, 'GoldenAmiTrustChainRole']);
    expect(resourcesOf(body, 'AWS::IAM::ManagedPolicy').map(p => p.Properties.ManagedPolicyName)).toEqual([undefined, 'GoldenAmiCatalogRead']);
    // Each account's own keys and parameters: the account is the one the stack lands in.
    const anyKey = join('arn:', PARTITION, ':kms:*:', { Ref: 'AWS::AccountId' }, ':key/*');
    expect(statementsOf(body).find(s => s.Sid === 'UseCopyKeysByAlias').Resource).toEqual(anyKey);
    expect(statementsOf(body).find(s => s.Sid === 'ReadGoldenAmiCatalog').Resource).toEqual(join('arn:', PARTITION, ':ssm:*:', { Ref: 'AWS::AccountId' }, ':parameter/golden-ami/*'));
  });

  test('options: delegated administrator, region, name, retention, pace', () => {
    const stack = newStack();
    new GoldenImageDistributionTargetStackSet(stack, 'Targets', {
      factoryAccountIds: [FACTORY],
      organizationalUnitIds: ['r-ab12'],
      region: 'us-east-1',
      stackSetName: 'golden-ami-targets',
      callAsDelegatedAdmin: true,
      retainStacksOnAccountRemoval: true,
      maxConcurrentPercentage: 100,
      failureTolerancePercentage: 0,
    });
    Template.fromStack(stack).hasResourceProperties('AWS::CloudFormation::StackSet', {
      StackSetName: 'golden-ami-targets',
      CallAs: 'DELEGATED_ADMIN',
      AutoDeployment: { Enabled: true, RetainStacksOnAccountRemoval: true },
      OperationPreferences: { MaxConcurrentPercentage: 100, FailureTolerancePercentage: 0, RegionConcurrencyType: 'PARALLEL' },
      StackInstancesGroup: [{ Regions: ['us-east-1'], DeploymentTargets: { OrganizationalUnitIds: ['r-ab12'] } }],
    });
  });

  test.each([
    [{ organizationalUnitIds: [] }, "organizationalUnitIds must name at least one organizational unit or the root, got: '[]'"],
    [{ organizationalUnitIds: ['ou-1'] }, /^organizationalUnitIds\[0\] .*got: 'ou-1'$/],
    [{ organizationalUnitIds: ['r-ab12'], factoryAccountIds: ['123'] }, "factoryAccountIds[0] must be a 12-digit AWS account ID, got: '123'"],
    [{ organizationalUnitIds: ['r-ab12'], region: 'eu-centrl-1' }, /^region .*got: 'eu-centrl-1'$/],
    [{ organizationalUnitIds: ['r-ab12'], maxConcurrentPercentage: 0 }, /^maxConcurrentPercentage .*got: '0'$/],
    [{ organizationalUnitIds: ['r-ab12'], stackSetName: '1targets' }, "stackSetName must start with a letter and hold only letters, digits and hyphens (at most 128), got: '1targets'"],
    [{ organizationalUnitIds: ['r-ab12'], copyKeyAliases: ['alias/aws/ebs'] }, /^copyKeyAliases\[0\] must be a KMS alias name/],
  ])('rejects %j', (props, message) => {
    expect(() => new GoldenImageDistributionTargetStackSet(newStack(), 'Targets', { factoryAccountIds: [FACTORY], ...props } as any)).toThrow(message);
  });

  test('a token factory account is refused: it is written into the template', () => {
    const stack = newStack();
    const factory = new CfnParameter(stack, 'Factory').valueAsString;
    expect(() => new GoldenImageDistributionTargetStackSet(stack, 'Targets', { factoryAccountIds: [factory], organizationalUnitIds: ['r-ab12'] }))
      .toThrow(/^factoryAccountIds must be known at synth time to be written into the StackSet template, got a token: /);
  });

  test('two StackSets in one app under the CLI: cdk.out holds only what the manifest lists, each template its own', () => {
    const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'target-cdkout-'));
    const tmpEntries = () => fs.readdirSync(os.tmpdir()).filter(name => name.startsWith('golden-ami-target-')).sort();
    const before = tmpEntries();
    const saved = process.env.CDK_OUTDIR;
    // What the CDK CLI sets for the app it runs.
    process.env.CDK_OUTDIR = outdir;
    try {
      const app = new App();
      const stack = new Stack(app, 'Organization', { env: { account: '111111111111', region: 'eu-west-1' } });
      const a = new GoldenImageDistributionTargetStackSet(stack, 'Prod', { factoryAccountIds: [FACTORY], organizationalUnitIds: ['ou-ab12-cdef3456'] });
      const b = new GoldenImageDistributionTargetStackSet(stack, 'Dev', { factoryAccountIds: [FACTORY2], organizationalUnitIds: ['ou-ab12-99999999'], copyKeyAliases: ['alias/dev'] });
      const assembly = app.synth();
      expect(assembly.directory).toBe(outdir);
      // The app's own files: the manifest, tree, validation report, and each stack's template, assets and metadata.
      const listed = new Set(['manifest.json', 'tree.json', 'cdk.out', 'validation-report.json', ...assembly.artifacts.flatMap(artifact => {
        const file = (artifact as any).templateFile as string | undefined;
        return file ? [file, `${artifact.id}.assets.json`, `${artifact.id}.metadata.json`] : [];
      })]);
      expect(fs.readdirSync(outdir).filter(name => !listed.has(name))).toEqual([]);
      expect(fs.readdirSync(outdir).filter(name => name.startsWith('GoldenImageDistributionTarget'))).toEqual([]);
      expect(a.templateBody).toContain(FACTORY);
      expect(a.templateBody).not.toContain(FACTORY2);
      expect(b.templateBody).toContain(FACTORY2);
      expect(b.templateBody).toContain('alias/dev');
      const bodies = resourcesOf(assembly.getStackByName('Organization').template, 'AWS::CloudFormation::StackSet').map(r => r.Properties.TemplateBody);
      expect(bodies).toEqual([a.templateBody, b.templateBody]);
      // The temporary synthesis directories are removed.
      expect(tmpEntries()).toEqual(before);
    } finally {
      if (saved === undefined) delete process.env.CDK_OUTDIR; else process.env.CDK_OUTDIR = saved;
      fs.rmSync(outdir, { recursive: true, force: true });
    }
  });
});

const PACKS = [
  ['AwsSolutions', () => new AwsSolutionsChecks()],
  ['NIST.800.53.R5', () => new NIST80053R5Checks()],
  ['HIPAA.Security', () => new HIPAASecurityChecks()],
] as const;
const STACKS = [['target account with every feature', fullStack], ['organization StackSet', organizationStack]] as const;

describe.each(STACKS)('cdk-nag on the %s', (_name, build) => {
  test.each(PACKS)('%s: no unacknowledged finding (errors and warnings)', (_pack, pack) => {
    const stack = build();
    // Only the library's resources: the test's key is the user's.
    const findings = nagFindings(stack, pack()).filter(f => f.path.startsWith(stack.node.path + '/') && !f.path.startsWith(`${stack.node.path}/CopyKey/`));
    expect(findings).toEqual([]);
  });
});

test('acknowledgments have reasons, and each matches a finding cdk-nag reports without it', () => {
  const acknowledged = recordedAcknowledgments(fullStack());
  expect(acknowledged.length).toBeGreaterThan(0);
  for (const { reason } of acknowledged) expect(reason.length).toBeGreaterThan(60);
  const spy = jest.spyOn(nagAcknowledgments, 'acknowledgeNagFindings').mockImplementation(() => undefined);
  try {
    const stack = fullStack();
    const all = PACKS.flatMap(([, pack]) => nagFindings(stack, pack()));
    for (const { path: at, id } of acknowledged) {
      expect(all).toContainEqual(expect.objectContaining({ rule: id, path: expect.stringMatching(new RegExp(`^${at}(/|$)`)) }));
    }
  } finally {
    spy.mockRestore();
  }
});
