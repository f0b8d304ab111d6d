import { App, Duration, Stack, Validations } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as kms from 'aws-cdk-lib/aws-kms';
import { AwsSolutionsChecks, HIPAASecurityChecks, NIST80053R5Checks } from 'cdk-nag';
import {
  ApprovalSource,
  ApprovedAmisManagedRule,
  ComplianceRemediation,
  GoldenAmiComplianceMemberRole,
  GoldenAmiComplianceMemberStackSet,
  GoldenAmiComplianceRule,
  GoldenImage,
} from '../../src';
import * as nagAcknowledgments from '../../src/private/nag-acknowledgments';
import { nagFindings, recordedAcknowledgments } from '../nag-checks';
import { newStack } from '../util';

/** An account stack with every feature of the rule, and the managed-rule shortcut. */
function accountStack(): Stack {
  const stack = newStack('Workload');
  const image = GoldenImage.fromParameterName(stack, 'Golden', '/golden-ami/base/latest');
  new GoldenAmiComplianceRule(stack, 'Compliance', {
    approvalSources: [
      ApprovalSource.ssmCatalog('/golden-ami/'),
      ApprovalSource.goldenImage(image),
      ApprovalSource.ownerAccounts(['999999999999']),
      ApprovalSource.amiTags({ 'golden-ami:approved': 'true' }),
    ],
    maximumAmiAge: Duration.days(90),
    remediation: ComplianceRemediation.stopInstance(),
    notifications: true,
  });
  ApprovedAmisManagedRule.byId(stack, 'ById', { amiIds: ['ami-0123456789abcdef0'] });
  return stack;
}

/**
 * The delegated administrator's organization rule, a member account's role and the StackSet
 * (its member template holds the same role, checked here as GoldenAmiComplianceMemberRole).
 */
function organizationStack(): Stack {
  const stack = newStack('Audit');
  new GoldenAmiComplianceRule(stack, 'Compliance', {
    approvalSources: [ApprovalSource.ssmCatalog('/golden-ami'), ApprovalSource.ownerAccounts(['999999999999'])],
    organization: { organizationId: 'o-a1b2c3d4e5', excludedAccounts: ['333333333333'] },
  });
  new GoldenAmiComplianceMemberRole(stack, 'MemberRole', {
    evaluatorAccountId: '111111111111',
    approvalSources: [ApprovalSource.ssmCatalog('/golden-ami')],
  });
  new GoldenAmiComplianceMemberStackSet(stack, 'MemberStackSet', {
    evaluatorAccountId: '111111111111',
    approvalSources: [ApprovalSource.ssmCatalog('/golden-ami')],
    organizationalUnitIds: ['r-ab12'],
  });
  return stack;
}

/** The rule in a VPC, with its logs encrypted and its concurrency reserved: fewer acknowledgments. */
function hardenedStack(): Stack {
  const stack = newStack('Hardened');
  const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 2, natGateways: 1, flowLogs: { All: { destination: ec2.FlowLogDestination.toCloudWatchLogs() } } });
  const logKey = new kms.Key(stack, 'LogKey', { enableKeyRotation: true });
  new GoldenAmiComplianceRule(stack, 'Compliance', {
    approvalSources: [ApprovalSource.ssmCatalog('/golden-ami')],
    vpc,
    logEncryptionKey: logKey,
    reservedConcurrentExecutions: 5,
  });
  return stack;
}

const PACKS = [
  ['AwsSolutions', () => new AwsSolutionsChecks()],
  ['NIST.800.53.R5', () => new NIST80053R5Checks()],
  ['HIPAA.Security', () => new HIPAASecurityChecks()],
] as const;

test('in a VPC, the function role may manage its network interfaces (no AWS managed policy)', () => {
  const stack = hardenedStack();
  const policies = Object.values(Template.fromStack(stack).findResources('AWS::IAM::ManagedPolicy'));
  const statements = policies.flatMap(policy => policy.Properties.PolicyDocument.Statement);
  expect(statements).toContainEqual(expect.objectContaining({
    Sid: 'AttachToVpc',
    Action: ['ec2:CreateNetworkInterface', 'ec2:DescribeNetworkInterfaces', 'ec2:DeleteNetworkInterface', 'ec2:AssignPrivateIpAddresses', 'ec2:UnassignPrivateIpAddresses'],
  }));
  Template.fromStack(stack).hasResourceProperties('AWS::Lambda::Function', { VpcConfig: { SubnetIds: Match.anyValue() }, ReservedConcurrentExecutions: 5 });
  Template.fromStack(stack).hasResourceProperties('AWS::Logs::LogGroup', { KmsKeyId: Match.anyValue() });
});

const STACKS = [['account rule with remediation and notifications', accountStack], ['organization rule and member role', organizationStack], ['rule in a VPC', hardenedStack]] as const;

describe.each(STACKS)('cdk-nag on the %s', (_name, build) => {
  test.each(PACKS)('%s: no unacknowledged finding (errors and warnings)', (_pack, pack) => {
    const stack = build();
    // Only the library's resources: the test's VPC is the user's.
    const under = stack.node.path + '/';
    const libraryPaths = nagFindings(stack, pack()).filter(f => f.path.startsWith(under) && !/^[^/]+\/(Vpc|LogKey)\//.test(f.path));
    expect(libraryPaths).toEqual([]);
  });

  test('acknowledgments have reasons, and each matches a finding cdk-nag reports without it', () => {
    const acknowledged = recordedAcknowledgments(build());
    expect(acknowledged.length).toBeGreaterThan(0);
    for (const { reason } of acknowledged) expect(reason.length).toBeGreaterThan(60);
    const spy = jest.spyOn(nagAcknowledgments, 'acknowledgeNagFindings').mockImplementation(() => undefined);
    try {
      const stack = build();
      const all = PACKS.flatMap(([, pack]) => nagFindings(stack, pack()).filter(f => f.path.startsWith(stack.node.path + '/')));
      for (const { path, id } of acknowledged) {
        expect(all).toContainEqual(expect.objectContaining({ rule: id, path: expect.stringMatching(new RegExp(`^${path}(/|$)`)) }));
      }
    } finally {
      spy.mockRestore();
    }
  });
});

test('as validation plugins, all three packs let the app synthesize', () => {
  const stack = accountStack();
  organizationStack();
  const app = stack.node.root as App;
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app), new NIST80053R5Checks(app), new HIPAASecurityChecks(app));
  expect(app.synth().getStackByName(stack.stackName).template.Resources).toBeDefined();
});
