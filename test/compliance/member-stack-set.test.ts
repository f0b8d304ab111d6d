import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, CfnParameter, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { ApprovalSource, GoldenAmiComplianceMemberRole, GoldenAmiComplianceMemberStackSet, GoldenAmiComplianceRule } from '../../src';
import { newStack } from '../util';

const ADMIN = '333333333333';
const FACTORY = '999999999999';
const CFN_LINT = path.join(__dirname, '..', '..', '.venv', 'bin', 'cfn-lint');

function stackSetOf(stack: Stack) {
  const [resource] = Object.values(Template.fromStack(stack).findResources('AWS::CloudFormation::StackSet'));
  return resource.Properties;
}

describe('GoldenAmiComplianceMemberStackSet', () => {
  test('two StackSets in one app under the CLI: cdk.out holds only what the manifest lists, each template its own', () => {
    const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'member-cdkout-'));
    const saved = process.env.CDK_OUTDIR;
    // What the CDK CLI sets for the app it runs; the member app used to write its template there.
    process.env.CDK_OUTDIR = outdir;
    try {
      const app = new App();
      const stack = new Stack(app, 'Organization', { env: { account: '111111111111', region: 'eu-west-1' } });
      const prod = new GoldenAmiComplianceMemberStackSet(stack, 'Prod', { evaluatorAccountId: ADMIN, approvalSources: [ApprovalSource.ssmCatalog('/prod/')], organizationalUnitIds: ['ou-ab12-cdef3456'] });
      const dev = new GoldenAmiComplianceMemberStackSet(stack, 'Dev', { evaluatorAccountId: ADMIN, approvalSources: [ApprovalSource.ssmCatalog('/dev/')], organizationalUnitIds: ['ou-ab12-99999999'] });
      const assembly = app.synth();
      const listed = new Set(['manifest.json', 'tree.json', 'cdk.out', 'validation-report.json', ...assembly.artifacts.flatMap(artifact => {
        const file = (artifact as any).templateFile as string | undefined;
        return file ? [file, `${artifact.id}.assets.json`, `${artifact.id}.metadata.json`] : [];
      })]);
      expect(fs.readdirSync(outdir).filter(name => !listed.has(name))).toEqual([]);
      expect(prod.templateBody).toContain('/prod/');
      expect(prod.templateBody).not.toContain('/dev/');
      expect(dev.templateBody).toContain('/dev/');
    } finally {
      if (saved === undefined) delete process.env.CDK_OUTDIR; else process.env.CDK_OUTDIR = saved;
      fs.rmSync(outdir, { recursive: true, force: true });
    }
  });

  test('a service-managed StackSet, deployed automatically to the units, carrying the member role', () => {
    const stack = newStack();
    const members = new GoldenAmiComplianceMemberStackSet(stack, 'Members', {
      evaluatorAccountId: ADMIN,
      approvalSources: [ApprovalSource.ssmCatalog('/golden-ami/'), ApprovalSource.ownerAccounts([FACTORY])],
      organizationalUnitIds: ['ou-ab12-cdef3456', 'r-ab12'],
    });

    const properties = stackSetOf(stack);
    expect(properties).toEqual({
      StackSetName: expect.stringMatching(/^Stack-Members-/),
      Description: 'The role the golden AMI compliance rule assumes in each member account (GoldenAmiComplianceMember)',
      PermissionModel: 'SERVICE_MANAGED',
      AutoDeployment: { Enabled: true, RetainStacksOnAccountRemoval: false },
      CallAs: 'SELF',
      Capabilities: ['CAPABILITY_NAMED_IAM'],
      ManagedExecution: { Active: true },
      OperationPreferences: { MaxConcurrentPercentage: 25, FailureTolerancePercentage: 10, RegionConcurrencyType: 'PARALLEL' },
      Parameters: [{ ParameterKey: 'EvaluatorAccountId', ParameterValue: ADMIN }],
      StackInstancesGroup: [{ Regions: ['eu-west-1'], DeploymentTargets: { OrganizationalUnitIds: ['ou-ab12-cdef3456', 'r-ab12'] } }],
      TemplateBody: members.templateBody,
    });

    const body = JSON.parse(members.templateBody);
    // Nothing that needs the CDK bootstrap, which member accounts do not have.
    expect(Object.keys(body.Parameters)).toEqual(['EvaluatorAccountId']);
    expect(body.Rules).toBeUndefined();
    expect(Object.values(body.Resources).map((r: any) => r.Type).sort()).toEqual(['AWS::IAM::ManagedPolicy', 'AWS::IAM::Role']);
    const role: any = Object.values(body.Resources).find((r: any) => r.Type === 'AWS::IAM::Role');
    expect(role.Properties.RoleName).toBe('GoldenAmiComplianceMember');
    expect(role.Properties.AssumeRolePolicyDocument.Statement).toEqual([{
      Action: 'sts:AssumeRole',
      Effect: 'Allow',
      Principal: { AWS: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::', { Ref: 'EvaluatorAccountId' }, ':root']] } },
      Condition: { ArnEquals: { 'aws:PrincipalArn': { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::', { Ref: 'EvaluatorAccountId' }, ':role/GoldenAmiComplianceEvaluator']] } } },
    }]);
    // The same permissions as the member role in a member's own stack, in whichever account and region it lands.
    const own = newStack('Own');
    new GoldenAmiComplianceMemberRole(own, 'Member', { evaluatorAccountId: ADMIN, approvalSources: [ApprovalSource.ssmCatalog('/golden-ami/'), ApprovalSource.ownerAccounts([FACTORY])] });
    const [ownPolicy] = Object.values(Template.fromStack(own).findResources('AWS::IAM::ManagedPolicy'));
    const policy: any = Object.values(body.Resources).find((r: any) => r.Type === 'AWS::IAM::ManagedPolicy');
    const statements = policy.Properties.PolicyDocument.Statement;
    expect(statements.map((s: any) => [s.Sid, s.Action])).toEqual(ownPolicy.Properties.PolicyDocument.Statement.map((s: any) => [s.Sid, s.Action]));
    expect(statements.find((s: any) => s.Sid === 'ReadGoldenAmiCatalog').Resource[1]).toEqual({
      'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':ssm:', { Ref: 'AWS::Region' }, ':', { Ref: 'AWS::AccountId' }, ':parameter/golden-ami/*']],
    });
    expect(members.roleName).toBe('GoldenAmiComplianceMember');
  });

  test('options: names, delegated administrator, region, retention, pace; a token evaluator account', () => {
    const stack = newStack();
    const admin = new CfnParameter(stack, 'Admin', { default: ADMIN }).valueAsString;
    new GoldenAmiComplianceMemberStackSet(stack, 'Members', {
      evaluatorAccountId: admin,
      approvalSources: [ApprovalSource.ssmCatalog('/golden-ami')],
      organizationalUnitIds: ['ou-ab12-cdef3456'],
      region: 'us-east-1',
      roleName: 'GoldenAmiMemberEuWest1',
      evaluatorRoleName: 'GoldenAmiEvaluatorEuWest1',
      stackSetName: 'golden-ami-members',
      callAsDelegatedAdmin: true,
      retainStacksOnAccountRemoval: true,
      maxConcurrentPercentage: 100,
      failureTolerancePercentage: 0,
    });
    const properties = stackSetOf(stack);
    expect(properties).toMatchObject({
      StackSetName: 'golden-ami-members',
      CallAs: 'DELEGATED_ADMIN',
      AutoDeployment: { Enabled: true, RetainStacksOnAccountRemoval: true },
      OperationPreferences: { MaxConcurrentPercentage: 100, FailureTolerancePercentage: 0 },
      Parameters: [{ ParameterKey: 'EvaluatorAccountId', ParameterValue: { Ref: 'Admin' } }],
      StackInstancesGroup: [{ Regions: ['us-east-1'] }],
    });
    const body = JSON.parse(properties.TemplateBody);
    const role: any = Object.values(body.Resources).find((r: any) => r.Type === 'AWS::IAM::Role');
    expect(role.Properties.RoleName).toBe('GoldenAmiMemberEuWest1');
    expect(JSON.stringify(role.Properties.AssumeRolePolicyDocument)).toContain(':role/GoldenAmiEvaluatorEuWest1');
  });

  test('cfn-lint finds nothing in the StackSet template nor in the stack that deploys it with the organization rule', () => {
    const app = new App({ context: { '@aws-cdk/core:validateAgainstDefaultRules': true } });
    const stack = new Stack(app, 'Audit', { env: { account: ADMIN, region: 'eu-west-1' } });
    const approvalSources = [ApprovalSource.ssmCatalog('/golden-ami/'), ApprovalSource.ownerAccounts([FACTORY])];
    new GoldenAmiComplianceRule(stack, 'Rule', { approvalSources, organization: { organizationId: 'o-a1b2c3d4e5' } });
    const members = new GoldenAmiComplianceMemberStackSet(stack, 'Members', { evaluatorAccountId: ADMIN, approvalSources, organizationalUnitIds: ['r-ab12'] });
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'golden-ami-stackset-'));
    const files = [path.join(dir, 'audit.template.json'), path.join(dir, 'member.template.json')];
    fs.writeFileSync(files[0], JSON.stringify(Template.fromStack(stack).toJSON()));
    fs.writeFileSync(files[1], members.templateBody);

    // Any finding fails (the flags of scripts/cfn-lint.sh); the findings show in the failure.
    const lint = spawnSync(CFN_LINT, ['--include-checks', 'I', '--ignore-checks', 'I1022', '--format', 'parseable', '--', ...files], { encoding: 'utf8' });
    expect(lint.stdout + lint.stderr).toBe('');
    expect(lint.status).toBe(0);
  });

  const sources = () => [ApprovalSource.ssmCatalog('/golden-ami')];
  test.each<[string, () => void, RegExp]>([
    ['no organizational units', () => new GoldenAmiComplianceMemberStackSet(newStack(), 'M', { evaluatorAccountId: ADMIN, approvalSources: sources(), organizationalUnitIds: [] }), /organizationalUnitIds must name at least one organizational unit or the root, got: '\[\]'/],
    ['an OU ARN instead of an ID', () => new GoldenAmiComplianceMemberStackSet(newStack(), 'M', {
      evaluatorAccountId: ADMIN, approvalSources: sources(), organizationalUnitIds: ['arn:aws:organizations::111111111111:ou/o-abcdefghij/ou-ab12-cdef3456'],
    }), /organizationalUnitIds\[0\] must be an organizational unit ID \(ou-xxxx-xxxxxxxx\) or the root ID \(r-xxxx\), got: 'arn:aws:organizations/],
    ['the same unit twice', () => new GoldenAmiComplianceMemberStackSet(newStack(), 'M', { evaluatorAccountId: ADMIN, approvalSources: sources(), organizationalUnitIds: ['r-ab12', 'r-ab12'] }), /organizationalUnitIds must not list the same value twice, got: 'r-ab12'/],
    ['an invalid evaluator account', () => new GoldenAmiComplianceMemberStackSet(newStack(), 'M', { evaluatorAccountId: '3333', approvalSources: sources(), organizationalUnitIds: ['r-ab12'] }), /evaluatorAccountId must be a 12-digit AWS account ID, got: '3333'/],
    ['an invalid region', () => new GoldenAmiComplianceMemberStackSet(newStack(), 'M', { evaluatorAccountId: ADMIN, approvalSources: sources(), organizationalUnitIds: ['r-ab12'], region: 'Ireland' }), /region must be an AWS region name such as eu-west-1, got: 'Ireland'/],
    ['no approval sources', () => new GoldenAmiComplianceMemberStackSet(newStack(), 'M', { evaluatorAccountId: ADMIN, approvalSources: [], organizationalUnitIds: ['r-ab12'] }), /approvalSources must name at least one source/],
    ['a concurrency over 100 %', () => new GoldenAmiComplianceMemberStackSet(newStack(), 'M', { evaluatorAccountId: ADMIN, approvalSources: sources(), organizationalUnitIds: ['r-ab12'], maxConcurrentPercentage: 150 }), /maxConcurrentPercentage must be an integer from 1 to 100, got: '150'/],
    ['an invalid StackSet name', () => new GoldenAmiComplianceMemberStackSet(newStack(), 'M', { evaluatorAccountId: ADMIN, approvalSources: sources(), organizationalUnitIds: ['r-ab12'], stackSetName: '1 members' }), /stackSetName must start with a letter.*got: '1 members'/],
    ['an approval source known only at deploy time', () => {
      const stack = newStack();
      const catalogPath = new CfnParameter(stack, 'Path', { default: '/golden-ami' }).valueAsString;
      new GoldenAmiComplianceMemberStackSet(stack, 'M', { evaluatorAccountId: ADMIN, approvalSources: [ApprovalSource.ssmCatalog(catalogPath)], organizationalUnitIds: ['r-ab12'] });
    }, /approvalSources catalogPaths must be known at synth time to be written into the StackSet template, got a token/],
  ])('%s: a synth error', (_name, build, message) => {
    expect(build).toThrow(message);
  });
});
