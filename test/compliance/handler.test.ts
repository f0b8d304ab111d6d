import { CreateAutoScalingGroupCommand, CreateLaunchConfigurationCommand } from '@aws-sdk/client-auto-scaling';
import { CreateLaunchTemplateCommand, DeregisterImageCommand } from '@aws-sdk/client-ec2';
import {
  Clients,
  FACTORY_ACCOUNT,
  FOREIGN,
  FUNCTION_ARN,
  MEMBER_ACCOUNT,
  SEED_AMIS,
  SHARED_GOLDEN,
  SHARED_OLD,
  accountClients,
  changeEvent,
  instanceItem,
  ownImage,
  publish,
  runInstances,
  scheduledEvent,
  settings,
  setupClients,
} from './fixtures';
import { LocalAws, OWN_ACCOUNT, REGION } from './local-aws';
import { MAX_SWEEP_CONTINUATIONS, MalformedEventError, RuleEvent } from '../../src/compliance/evaluate';
import { InvocationSummary, handler } from '../../src/compliance/evaluator.lambda';
import { resetClients } from '../../src/compliance/runtime/aws-facts';

jest.setTimeout(120_000);

const ORGANIZATION = 'o-a1b2c3d4e5';

/**
 * The handler against moto server through the real SDK v3 clients; Config PutEvaluations is
 * recorded by the local proxy (see local-aws.ts), which also counts calls and injects errors.
 */

let aws: LocalAws;
let setup: Clients;
const context = { invokedFunctionArn: FUNCTION_ARN };
const savedEnv = { ...process.env };

beforeAll(async () => {
  aws = await LocalAws.start(SEED_AMIS);
  Object.assign(process.env, {
    AWS_ENDPOINT_URL: aws.url,
    AWS_REGION: REGION,
    AWS_ACCESS_KEY_ID: 'testing',
    AWS_SECRET_ACCESS_KEY: 'testing',
  });
  delete process.env.AWS_PROFILE;
  delete process.env.AWS_SESSION_TOKEN;
  resetClients();
  setup = setupClients(aws.motoUrl);
});

afterAll(async () => {
  process.env = savedEnv;
  resetClients();
  await aws?.stop();
});

beforeEach(async () => {
  await aws.resetMoto();
  aws.instancesPerReservation = 1;
  process.env.GOLDEN_AMI_RULE_SETTINGS = settings();
  jest.spyOn(console, 'log').mockImplementation(() => undefined);
});

afterEach(() => {
  jest.restoreAllMocks();
});

function verdictOf(resourceId: string) {
  const found = aws.evaluations().filter(e => e.ComplianceResourceId === resourceId);
  expect(found).toHaveLength(1);
  return found[0];
}

describe('configuration change events', () => {
  test('approved: an instance from an AMI the catalog parameter held before (history) is COMPLIANT', async () => {
    const previous = await ownImage(setup, 'golden-1');
    const current = await ownImage(setup, 'golden-2');
    await publish(setup, '/golden-ami/base/latest', previous, current);
    const [instance] = await runInstances(setup, previous);
    const event = changeEvent(instanceItem(instance, previous));

    const summary = await handler(event, context);

    expect(summary).toEqual({ kind: 'change', evaluations: 1, compliance: { COMPLIANT: 1 }, putEvaluationsCalls: 1, complete: true });
    expect(aws.puts).toEqual([{
      resultToken: event.resultToken,
      evaluations: [expect.objectContaining({
        ComplianceResourceType: 'AWS::EC2::Instance',
        ComplianceResourceId: instance,
        ComplianceType: 'COMPLIANT',
        Annotation: `${previous} approved by SSM catalog /golden-ami/base/latest`,
      })],
    }]);
    // The catalog is read once: one page of parameters, one history.
    expect(aws.count('ssm:GetParametersByPath')).toBe(1);
    expect(aws.count('ssm:GetParameterHistory')).toBe(1);
    expect(aws.count('ec2:DescribeImages')).toBe(1);
  });

  test('unknown: an AMI no source approves is NON_COMPLIANT, naming each failed source', async () => {
    await publish(setup, '/golden-ami/base/latest', SHARED_GOLDEN);
    process.env.GOLDEN_AMI_RULE_SETTINGS = settings({ ownerAccounts: [FACTORY_ACCOUNT] });
    const [instance] = await runInstances(setup, FOREIGN);

    await handler(changeEvent(instanceItem(instance, FOREIGN)), context);

    expect(verdictOf(instance)).toMatchObject({
      ComplianceType: 'NON_COMPLIANT',
      Annotation: `unknown AMI ${FOREIGN}: not in the SSM catalog; owner 888888888888 not approved`,
    });
  });

  test('deregistered: an AMI of the catalog that no longer exists is NON_COMPLIANT', async () => {
    const image = await ownImage(setup, 'golden-gone');
    await publish(setup, '/golden-ami/base/latest', image);
    const [instance] = await runInstances(setup, image);
    await setup.ec2.send(new DeregisterImageCommand({ ImageId: image }));

    await handler(changeEvent(instanceItem(instance, image)), context);

    expect(verdictOf(instance)).toMatchObject({
      ComplianceType: 'NON_COMPLIANT',
      Annotation: `${image} is deregistered or not shared with this account (it was published to /golden-ami/base/latest)`,
    });
  });

  test('too old: an approved AMI older than the maximum age is NON_COMPLIANT', async () => {
    process.env.GOLDEN_AMI_RULE_SETTINGS = settings({ catalogPaths: [], ownerAccounts: [FACTORY_ACCOUNT], maxAgeDays: 90 });
    const [old] = await runInstances(setup, SHARED_OLD);
    const [recent] = await runInstances(setup, SHARED_GOLDEN);

    await handler(changeEvent(instanceItem(old, SHARED_OLD)), context);
    await handler(changeEvent(instanceItem(recent, SHARED_GOLDEN)), context);

    expect(verdictOf(old).ComplianceType).toBe('NON_COMPLIANT');
    expect(verdictOf(old).Annotation).toMatch(new RegExp(`^${SHARED_OLD} is \\d+ days old, older than the maximum age of 90 days$`));
    expect(verdictOf(recent)).toMatchObject({ ComplianceType: 'COMPLIANT', Annotation: `${SHARED_GOLDEN} approved by owner account ${FACTORY_ACCOUNT}` });
  });

  test('deleted resource: NOT_APPLICABLE without reading anything', async () => {
    const event = changeEvent({ ...instanceItem('i-0123456789abcdef0', SHARED_GOLDEN, 'terminated'), configurationItemStatus: 'ResourceDeleted', configuration: null });

    await handler(event, context);

    expect(aws.evaluations()).toEqual([expect.objectContaining({
      ComplianceResourceId: 'i-0123456789abcdef0',
      ComplianceType: 'NOT_APPLICABLE',
      Annotation: 'the resource is deleted or no longer recorded (ResourceDeleted)',
    })]);
    expect([...aws.calls.keys()]).toEqual(['config:PutEvaluations']);
  });

  test('out of scope: a resource type the rule does not evaluate, or one that left the scope, is NOT_APPLICABLE', async () => {
    process.env.GOLDEN_AMI_RULE_SETTINGS = settings({}, { resourceTypes: ['AWS::EC2::Instance'] });
    await handler(changeEvent({ resourceType: 'AWS::EC2::LaunchTemplate', resourceId: 'lt-0123456789abcdef0', configuration: {} }), context);
    await handler(changeEvent(instanceItem('i-0123456789abcdef1', FOREIGN), { eventLeftScope: true }), context);

    expect(aws.evaluations().map(e => [e.ComplianceType, e.Annotation])).toEqual([
      ['NOT_APPLICABLE', 'AWS::EC2::LaunchTemplate is not evaluated by this rule'],
      ['NOT_APPLICABLE', 'the resource left the scope of the rule'],
    ]);
  });

  test('oversized item: the instance is read from EC2, since the event carries only a summary', async () => {
    await publish(setup, '/golden-ami/base/latest', SHARED_GOLDEN);
    const [instance] = await runInstances(setup, SHARED_GOLDEN);

    await handler(changeEvent(instanceItem(instance, 'unused'), { oversized: true }), context);

    expect(verdictOf(instance)).toMatchObject({ ComplianceType: 'COMPLIANT', Annotation: `${SHARED_GOLDEN} approved by SSM catalog /golden-ami/base/latest` });
    expect(aws.count('ec2:DescribeInstances')).toBe(1);
  });

  test('oversized item of an Auto Scaling group: read from Auto Scaling and judged by its launch template', async () => {
    await publish(setup, '/golden-ami/base/latest', SHARED_GOLDEN);
    await setup.ec2.send(new CreateLaunchTemplateCommand({ LaunchTemplateName: 'web', LaunchTemplateData: { ImageId: FOREIGN } }));
    await setup.autoScaling.send(new CreateAutoScalingGroupCommand({
      AutoScalingGroupName: 'web',
      MinSize: 0,
      MaxSize: 1,
      DesiredCapacity: 0,
      AvailabilityZones: [`${REGION}a`],
      LaunchTemplate: { LaunchTemplateName: 'web', Version: '$Latest' },
    }));

    await handler(changeEvent({ resourceType: 'AWS::AutoScaling::AutoScalingGroup', resourceId: 'arn-of-web', resourceName: 'web' }, { oversized: true }), context);

    expect(verdictOf('arn-of-web')).toMatchObject({
      ComplianceType: 'NON_COMPLIANT',
      Annotation: expect.stringMatching(new RegExp(`^launch template lt-[0-9a-f]+ version \\$Latest: unknown AMI ${FOREIGN}: not in the SSM catalog$`)),
    });
  });

  test('launch template via resolve:ssm: an approved parameter is COMPLIANT, another parameter is not', async () => {
    await publish(setup, '/golden-ami/base/latest', SHARED_GOLDEN);
    const approved = await setup.ec2.send(new CreateLaunchTemplateCommand({ LaunchTemplateName: 'approved', LaunchTemplateData: { ImageId: 'resolve:ssm:/golden-ami/base/latest' } }));
    const other = await setup.ec2.send(new CreateLaunchTemplateCommand({ LaunchTemplateName: 'other', LaunchTemplateData: { ImageId: 'resolve:ssm:/team/unvetted' } }));
    const approvedId = approved.LaunchTemplate!.LaunchTemplateId!;
    const otherId = other.LaunchTemplate!.LaunchTemplateId!;

    await handler(changeEvent({ resourceType: 'AWS::EC2::LaunchTemplate', resourceId: approvedId, configuration: { launchTemplateId: approvedId } }), context);
    await handler(changeEvent({ resourceType: 'AWS::EC2::LaunchTemplate', resourceId: otherId, configuration: { launchTemplateId: otherId } }), context);

    expect(verdictOf(approvedId)).toMatchObject({ ComplianceType: 'COMPLIANT', Annotation: 'default version: resolve:ssm:/golden-ami/base/latest (approved parameter)' });
    expect(verdictOf(otherId)).toMatchObject({ ComplianceType: 'NON_COMPLIANT', Annotation: 'default version: SSM parameter /team/unvetted is not an approved golden AMI parameter' });
    // resolve:ssm needs no image lookup and no catalog read.
    expect(aws.count('ec2:DescribeImages')).toBe(0);
    expect(aws.count('ssm:GetParameterHistory')).toBe(0);
  });

  test('ASG with a mixed instances policy: every launch template counts, an override with an unknown AMI fails it', async () => {
    await publish(setup, '/golden-ami/base/latest', SHARED_GOLDEN);
    const golden = (await setup.ec2.send(new CreateLaunchTemplateCommand({ LaunchTemplateName: 'golden', LaunchTemplateData: { ImageId: SHARED_GOLDEN } }))).LaunchTemplate!.LaunchTemplateId!;
    const rogue = (await setup.ec2.send(new CreateLaunchTemplateCommand({ LaunchTemplateName: 'rogue', LaunchTemplateData: { ImageId: FOREIGN } }))).LaunchTemplate!.LaunchTemplateId!;
    const item = (name: string, overrides: Array<Record<string, unknown>>) => ({
      resourceType: 'AWS::AutoScaling::AutoScalingGroup',
      resourceId: `arn:aws:autoscaling:${REGION}:${OWN_ACCOUNT}:autoScalingGroup:1:autoScalingGroupName/${name}`,
      resourceName: name,
      configuration: {
        autoScalingGroupName: name,
        mixedInstancesPolicy: { launchTemplate: { launchTemplateSpecification: { launchTemplateId: golden, version: '$Default' }, overrides } },
      },
    });

    await handler(changeEvent(item('mixed-ok', [{ instanceType: 'm7i.large' }, { instanceType: 'm7g.large' }])), context);
    await handler(changeEvent(item('mixed-bad', [{ instanceType: 'm7i.large' }, { instanceType: 'm7g.large', launchTemplateSpecification: { launchTemplateId: rogue, version: '1' } }])), context);

    const [ok, bad] = aws.evaluations();
    expect(ok).toMatchObject({ ComplianceType: 'COMPLIANT', Annotation: `mixed instances launch template ${golden} version $Default: ${SHARED_GOLDEN} approved by SSM catalog /golden-ami/base/latest` });
    expect(bad).toMatchObject({
      ComplianceType: 'NON_COMPLIANT',
      Annotation: `mixed instances override 2 (m7g.large) launch template ${rogue} version 1: unknown AMI ${FOREIGN}: not in the SSM catalog`,
    });
    // Each invocation reads the template versions it names, once.
    expect(aws.count('ec2:DescribeLaunchTemplateVersions')).toBe(1 + 2);
  });

  test('cross-account shared AMI: approved by its owner account; AMI tags cannot approve it (not visible)', async () => {
    const [instance] = await runInstances(setup, SHARED_GOLDEN);
    process.env.GOLDEN_AMI_RULE_SETTINGS = settings({ catalogPaths: [], ownerAccounts: [FACTORY_ACCOUNT] });
    await handler(changeEvent(instanceItem(instance, SHARED_GOLDEN)), context);
    process.env.GOLDEN_AMI_RULE_SETTINGS = settings({ catalogPaths: [], amiTags: { 'golden-ami:approved': 'true' } });
    await handler(changeEvent(instanceItem(instance, SHARED_GOLDEN)), context);

    expect(aws.evaluations().map(e => [e.ComplianceType, e.Annotation])).toEqual([
      ['COMPLIANT', `${SHARED_GOLDEN} approved by owner account ${FACTORY_ACCOUNT}`],
      ['NON_COMPLIANT', `unknown AMI ${SHARED_GOLDEN}: tags of AMIs owned by ${FACTORY_ACCOUNT} are not visible here`],
    ]);
  });

  test('same-account AMI tags approve an own AMI that carries them', async () => {
    const tagged = await ownImage(setup, 'tagged', { 'golden-ami:approved': 'true' });
    const untagged = await ownImage(setup, 'untagged');
    const [a] = await runInstances(setup, tagged);
    const [b] = await runInstances(setup, untagged);
    process.env.GOLDEN_AMI_RULE_SETTINGS = settings({ catalogPaths: [], amiTags: { 'golden-ami:approved': 'true' } });

    await handler(changeEvent(instanceItem(a, tagged)), context);
    await handler(changeEvent(instanceItem(b, untagged)), context);

    expect(verdictOf(a)).toMatchObject({ ComplianceType: 'COMPLIANT', Annotation: `${tagged} approved by AMI tags golden-ami:approved=true` });
    expect(verdictOf(b)).toMatchObject({ ComplianceType: 'NON_COMPLIANT', Annotation: `unknown AMI ${untagged}: approval tags missing` });
  });
});

describe('organization rule', () => {
  test('evaluates a member account through its member role: the member\'s catalog, instances and result token', async () => {
    const member = await accountClients(aws.motoUrl, MEMBER_ACCOUNT);
    await publish(member, '/golden-ami/base/latest', SHARED_GOLDEN);
    const [approved] = await runInstances(member, SHARED_GOLDEN);
    const [rogue] = await runInstances(member, FOREIGN);
    // The function's own account has a different catalog: it must not be read for the member.
    await publish(setup, '/golden-ami/base/latest', FOREIGN);
    process.env.GOLDEN_AMI_RULE_SETTINGS = settings({}, { memberRoleName: 'GoldenAmiComplianceMember', organizationId: ORGANIZATION, resourceTypes: ['AWS::EC2::Instance'] });
    const event = scheduledEvent(MEMBER_ACCOUNT);

    const summary = await handler(event, context);

    expect(summary.compliance).toEqual({ COMPLIANT: 1, NON_COMPLIANT: 1 });
    expect(verdictOf(approved).ComplianceType).toBe('COMPLIANT');
    expect(verdictOf(rogue).ComplianceType).toBe('NON_COMPLIANT');
    expect(aws.puts.map(put => put.resultToken)).toEqual([event.resultToken]);
    expect(aws.count('sts:AssumeRole')).toBe(1);
  });

  test('the function\'s own account is evaluated with its own credentials', async () => {
    const [instance] = await runInstances(setup, SHARED_GOLDEN);
    await publish(setup, '/golden-ami/base/latest', SHARED_GOLDEN);
    process.env.GOLDEN_AMI_RULE_SETTINGS = settings({}, { memberRoleName: 'GoldenAmiComplianceMember', organizationId: ORGANIZATION });

    await handler(changeEvent(instanceItem(instance, SHARED_GOLDEN)), context);

    expect(verdictOf(instance).ComplianceType).toBe('COMPLIANT');
    expect(aws.count('sts:AssumeRole')).toBe(0);
  });

  test('an account outside the organization is refused: AssumeRole is denied (aws:ResourceOrgID), nothing is read or reported, and the refusal is logged', async () => {
    const outsider = '555555555555';
    await runInstances(await accountClients(aws.motoUrl, outsider), FOREIGN);
    process.env.GOLDEN_AMI_RULE_SETTINGS = settings({}, { memberRoleName: 'GoldenAmiComplianceMember', organizationId: ORGANIZATION });
    // What IAM answers for a role outside the organization, given the function's policy.
    aws.inject('sts:AssumeRole', 1, 'AccessDenied', 403);
    const warnings = jest.spyOn(console, 'warn').mockImplementation(() => undefined);

    const summary = await handler(scheduledEvent(outsider), context);

    expect(summary).toEqual({
      kind: 'scheduled',
      evaluations: 0,
      compliance: {},
      putEvaluationsCalls: 0,
      complete: true,
      refused: expect.stringMatching(new RegExp(`^refusing account ${outsider}: not in organization ${ORGANIZATION}, or it has no GoldenAmiComplianceMember role`)),
    });
    expect([...aws.calls.keys()]).toEqual(['sts:AssumeRole']);
    expect(aws.puts).toEqual([]);
    expect(warnings).toHaveBeenCalledWith(expect.stringContaining(`"message":"refusing account ${outsider}: not in organization ${ORGANIZATION}`));
  });

  test('other AssumeRole failures still fail the invocation (Config retries them)', async () => {
    process.env.GOLDEN_AMI_RULE_SETTINGS = settings({}, { memberRoleName: 'GoldenAmiComplianceMember', organizationId: ORGANIZATION });
    aws.inject('sts:AssumeRole', 20, 'InternalFailure', 500);
    await expect(handler(scheduledEvent(MEMBER_ACCOUNT), context)).rejects.toThrow(/InternalFailure|injected/);
    expect(aws.puts).toEqual([]);
  });
});

describe('account rule', () => {
  test('an event for another account is refused before any call: the rule evaluates only its own account', async () => {
    const warnings = jest.spyOn(console, 'warn').mockImplementation(() => undefined);

    const summary = await handler(scheduledEvent(MEMBER_ACCOUNT), context);

    expect(summary.refused).toBe(`refusing account ${MEMBER_ACCOUNT}: the rule evaluates only its own account ${OWN_ACCOUNT}`);
    expect(summary.evaluations).toBe(0);
    expect(aws.calls.size).toBe(0);
    expect(warnings).toHaveBeenCalledTimes(1);
  });
});

describe('periodic sweep', () => {
  test('evaluates every instance, launch template and group with the fewest calls', async () => {
    const older = await ownImage(setup, 'golden-1');
    await publish(setup, '/golden-ami/base/latest', older, SHARED_GOLDEN);
    await publish(setup, '/golden-ami/app/latest', SHARED_GOLDEN);
    const good = await runInstances(setup, SHARED_GOLDEN, 150);
    const history = await runInstances(setup, older, 20);
    const bad = await runInstances(setup, FOREIGN, 30);
    const lt = (await setup.ec2.send(new CreateLaunchTemplateCommand({ LaunchTemplateName: 'ssm', LaunchTemplateData: { ImageId: 'resolve:ssm:/golden-ami/app/latest' } }))).LaunchTemplate!.LaunchTemplateId!;
    await setup.autoScaling.send(new CreateLaunchConfigurationCommand({ LaunchConfigurationName: 'legacy', ImageId: FOREIGN, InstanceType: 't3.micro' }));
    await setup.autoScaling.send(new CreateAutoScalingGroupCommand({
      AutoScalingGroupName: 'legacy', MinSize: 0, MaxSize: 1, DesiredCapacity: 0, AvailabilityZones: [`${REGION}a`], LaunchConfigurationName: 'legacy',
    }));
    await setup.autoScaling.send(new CreateAutoScalingGroupCommand({
      AutoScalingGroupName: 'modern',
      MinSize: 0,
      MaxSize: 1,
      DesiredCapacity: 0,
      AvailabilityZones: [`${REGION}a`],
      LaunchTemplate: { LaunchTemplateId: lt, Version: '$Default' },
    }));
    // Instances created for the own AMIs are in the account too: 2 of them (from SHARED_GOLDEN).
    const event = scheduledEvent();

    const summary = await handler(event, context);

    const instances = good.length + history.length + bad.length + 1;
    const total = instances + 1 + 2;
    expect(summary).toEqual({
      kind: 'scheduled',
      evaluations: total,
      compliance: { COMPLIANT: instances - bad.length + 1 + 1, NON_COMPLIANT: bad.length + 1 },
      putEvaluationsCalls: Math.ceil(total / 100),
      complete: true,
    });
    for (const id of history) expect(verdictOf(id).Annotation).toBe(`${older} approved by SSM catalog /golden-ami/base/latest`);
    for (const id of bad) expect(verdictOf(id).ComplianceType).toBe('NON_COMPLIANT');
    expect(verdictOf(lt).ComplianceType).toBe('COMPLIANT');
    const groupArn = (name: string) => aws.evaluations().find(e => e.ComplianceResourceId.endsWith(`:autoScalingGroupName/${name}`))!.ComplianceResourceId;
    expect(groupArn('legacy')).toMatch(/^arn:aws:autoscaling:/);
    expect(verdictOf(groupArn('legacy'))).toMatchObject({ ComplianceType: 'NON_COMPLIANT', Annotation: `launch configuration legacy: unknown AMI ${FOREIGN}: not in the SSM catalog` });
    expect(verdictOf(groupArn('modern')).ComplianceType).toBe('COMPLIANT');
    expect(aws.puts.every(put => put.resultToken === event.resultToken && put.evaluations.length <= 100)).toBe(true);
    // The floor: one page of each listing (instances at the largest page), the catalog once, each AMI described once.
    expect(aws.describeInstancesMaxResults).toEqual([1000]);
    expect(Object.fromEntries(aws.calls)).toEqual({
      'ec2:DescribeLaunchTemplateVersions': 1,
      'ec2:DescribeInstances': 1,
      'ec2:DescribeImages': 1,
      'autoscaling:DescribeAutoScalingGroups': 1,
      'autoscaling:DescribeLaunchConfigurations': 1,
      'ssm:GetParametersByPath': 1,
      'ssm:GetParameterHistory': 2,
      'config:PutEvaluations': Math.ceil(total / 100),
    });
  });

  test('throttling: throttled reads and PutEvaluations are retried, nothing is lost', async () => {
    await publish(setup, '/golden-ami/base/latest', SHARED_GOLDEN);
    const ids = await runInstances(setup, SHARED_GOLDEN, 120);
    process.env.GOLDEN_AMI_RULE_SETTINGS = settings({}, { resourceTypes: ['AWS::EC2::Instance'] });
    aws.inject('ec2:DescribeInstances', 2, 'RequestLimitExceeded', 503);
    aws.inject('ssm:GetParametersByPath', 1, 'ThrottlingException');
    aws.inject('config:PutEvaluations', 2, 'ThrottlingException');

    const summary = await handler(scheduledEvent(), context);

    expect(summary.compliance).toEqual({ COMPLIANT: ids.length });
    expect(new Set(aws.evaluations().map(e => e.ComplianceResourceId))).toEqual(new Set(ids));
    expect(aws.evaluations()).toHaveLength(ids.length);
    expect(aws.count('ec2:DescribeInstances')).toBe(3);
    expect(aws.count('ssm:GetParametersByPath')).toBe(2);
    expect(aws.count('config:PutEvaluations')).toBe(2 + 2);
  });

  test('evaluations Config reports as failed are sent again', async () => {
    const ids = await runInstances(setup, SHARED_GOLDEN, 5);
    await publish(setup, '/golden-ami/base/latest', SHARED_GOLDEN);
    process.env.GOLDEN_AMI_RULE_SETTINGS = settings({}, { resourceTypes: ['AWS::EC2::Instance'] });
    aws.failEvaluations(3);

    const summary = await handler(scheduledEvent(), context);

    expect(summary.putEvaluationsCalls).toBe(2);
    expect(aws.evaluations().map(e => e.ComplianceResourceId).sort()).toEqual([...ids].sort());
  });

  test('a listing that fails for good still delivers what was judged before it, then fails the invocation', async () => {
    const ids = await runInstances(setup, SHARED_GOLDEN, 3);
    await publish(setup, '/golden-ami/base/latest', SHARED_GOLDEN);
    aws.inject('autoscaling:DescribeAutoScalingGroups', 1, 'AccessDenied', 403);

    await expect(handler(scheduledEvent(), context)).rejects.toThrow(/AccessDenied/);

    expect(aws.evaluations().map(e => e.ComplianceResourceId).sort()).toEqual([...ids].sort());
  });
});

describe('time limit: a sweep continues in a new invocation', () => {
  /** Runs the chain as Lambda would: each recorded asynchronous invocation becomes the next call. */
  async function runChain(first: RuleEvent, clock: () => number): Promise<InvocationSummary[]> {
    const summaries = [await handler(first, { ...context, functionName: 'golden-ami-compliance', getRemainingTimeInMillis: clock })];
    for (let i = 0; i < aws.invocations.length; i++) {
      expect(aws.invocations[i]).toMatchObject({ functionName: 'golden-ami-compliance', invocationType: 'Event' });
      summaries.push(await handler(aws.invocations[i].payload, { ...context, functionName: 'golden-ami-compliance', getRemainingTimeInMillis: clock }));
    }
    return summaries;
  }

  test('it starts no page it could not finish, delivers what it judged, and hands the rest on with the same result token', async () => {
    await publish(setup, '/golden-ami/base/latest', SHARED_GOLDEN);
    const ids = await runInstances(setup, SHARED_GOLDEN, 3);
    const lt = (await setup.ec2.send(new CreateLaunchTemplateCommand({ LaunchTemplateName: 'golden', LaunchTemplateData: { ImageId: SHARED_GOLDEN } }))).LaunchTemplate!.LaunchTemplateId!;
    const event = scheduledEvent();

    // Short of time from the start: an invocation still evaluates one page (launch templates), then hands on.
    const summary = await handler(event, { ...context, getRemainingTimeInMillis: () => 30_000 });

    expect(summary).toMatchObject({ complete: false, evaluations: 1, continuation: { resourceType: 'AWS::EC2::Instance', continuation: 1 } });
    expect(aws.evaluations().map(e => e.ComplianceResourceId)).toEqual([lt]);
    expect(aws.count('ec2:DescribeInstances')).toBe(0);
    // Without a function name in the context, the function invokes itself by the ARN it was invoked with.
    expect(aws.invocations).toEqual([{
      functionName: FUNCTION_ARN,
      invocationType: 'Event',
      payload: { ...event, goldenAmiSweepContinuation: { resourceType: 'AWS::EC2::Instance', continuation: 1 } },
    }]);

    const rest = await handler(aws.invocations[0].payload, context);

    expect(rest).toMatchObject({ complete: true, evaluations: 3, compliance: { COMPLIANT: 3 } });
    expect(rest.continuation).toBeUndefined();
    expect(aws.evaluations().map(e => e.ComplianceResourceId).sort()).toEqual([lt, ...ids].sort());
    expect(new Set(aws.puts.map(put => put.resultToken))).toEqual(new Set([event.resultToken]));
    expect(new Set(aws.evaluations().map(e => e.OrderingTimestamp))).toEqual(new Set([aws.evaluations()[0].OrderingTimestamp]));
    expect(aws.invocations).toHaveLength(1);
  });

  test('page by page: a chain of invocations evaluates every resource exactly once', async () => {
    await publish(setup, '/golden-ami/base/latest', SHARED_GOLDEN);
    const ids = [
      ...await runInstances(setup, SHARED_GOLDEN, 5),
      ...await runInstances(setup, FOREIGN, 5),
      ...await runInstances(setup, SHARED_GOLDEN, 5),
    ];
    await setup.autoScaling.send(new CreateLaunchConfigurationCommand({ LaunchConfigurationName: 'legacy', ImageId: FOREIGN, InstanceType: 't3.micro' }));
    await setup.autoScaling.send(new CreateAutoScalingGroupCommand({
      AutoScalingGroupName: 'legacy', MinSize: 0, MaxSize: 1, DesiredCapacity: 0, AvailabilityZones: [`${REGION}a`], LaunchConfigurationName: 'legacy',
    }));
    // One reservation (5 instances) per DescribeInstances page, and a clock that is always short:
    // each invocation evaluates one page and continues.
    aws.instancesPerReservation = 1000;
    const event = scheduledEvent();

    const summaries = await runChain(event, () => 30_000);

    // Launch templates (an empty page), three instance pages, then the groups.
    expect(summaries.map(s => s.continuation)).toEqual([
      { resourceType: 'AWS::EC2::Instance', continuation: 1 },
      { resourceType: 'AWS::EC2::Instance', nextToken: expect.any(String), continuation: 2 },
      { resourceType: 'AWS::EC2::Instance', nextToken: expect.any(String), continuation: 3 },
      { resourceType: 'AWS::AutoScaling::AutoScalingGroup', continuation: 4 },
      undefined,
    ]);
    expect(summaries.map(s => s.evaluations)).toEqual([0, 5, 5, 5, 1]);
    expect(summaries[4].complete).toBe(true);
    const evaluated = aws.evaluations().map(e => e.ComplianceResourceId);
    expect(evaluated.filter(id => id.startsWith('i-')).sort()).toEqual([...ids].sort());
    expect(new Set(evaluated).size).toBe(evaluated.length);
    expect(aws.evaluations().filter(e => e.ComplianceType === 'NON_COMPLIANT')).toHaveLength(6);
    expect(new Set(aws.puts.map(put => put.resultToken))).toEqual(new Set([event.resultToken]));
    expect(aws.count('ec2:DescribeInstances')).toBe(3);
    expect(aws.count('lambda:Invoke')).toBe(4);
  });

  test('a chain stops after the most continuations, delivers what it judged and says so', async () => {
    await publish(setup, '/golden-ami/base/latest', SHARED_GOLDEN);
    await runInstances(setup, SHARED_GOLDEN, 3);
    const errors = jest.spyOn(console, 'error').mockImplementation(() => undefined);
    const last = { ...scheduledEvent(), goldenAmiSweepContinuation: { resourceType: 'AWS::EC2::LaunchTemplate', continuation: MAX_SWEEP_CONTINUATIONS } };

    const summary = await handler(last, { ...context, getRemainingTimeInMillis: () => 30_000 });

    expect(summary).toMatchObject({ complete: false, evaluations: 0 });
    expect(summary.continuation).toBeUndefined();
    expect(aws.invocations).toHaveLength(0);
    expect(errors).toHaveBeenCalledWith(expect.stringContaining(`periodic sweep stopped before its end: it was already continued ${MAX_SWEEP_CONTINUATIONS} times`));
  });

  test('a continuation that cannot be sent fails the invocation after its evaluations were delivered', async () => {
    await publish(setup, '/golden-ami/base/latest', SHARED_GOLDEN);
    const lt = (await setup.ec2.send(new CreateLaunchTemplateCommand({ LaunchTemplateName: 'golden', LaunchTemplateData: { ImageId: SHARED_GOLDEN } }))).LaunchTemplate!.LaunchTemplateId!;
    await runInstances(setup, SHARED_GOLDEN, 3);
    aws.inject('lambda:Invoke', 1, 'AccessDeniedException', 403);

    await expect(handler(scheduledEvent(), { ...context, getRemainingTimeInMillis: () => 30_000 })).rejects.toThrow(/AccessDenied/);

    // Lambda retries the failed invocation from the same position; what was judged stands.
    expect(aws.evaluations().map(e => e.ComplianceResourceId)).toEqual([lt]);
  });
});

describe('malformed events', () => {
  test.each([
    ['invokingEvent that is not JSON', { invokingEvent: '{not json', resultToken: 't' }, /invokingEvent is not valid JSON/],
    ['no result token', { invokingEvent: JSON.stringify({ messageType: 'ScheduledNotification', notificationCreationTime: new Date().toISOString() }) }, /resultToken is missing/],
    ['unknown message type', { invokingEvent: JSON.stringify({ messageType: 'ConfigurationSnapshotDeliveryCompleted' }), resultToken: 't' }, /unknown messageType/],
    ['item without a resource ID', { invokingEvent: JSON.stringify({ messageType: 'ConfigurationItemChangeNotification', configurationItem: { resourceType: 'AWS::EC2::Instance' } }), resultToken: 't' }, /configurationItem.resourceId is missing/],
    ['instance item without configuration', changeEvent({ resourceType: 'AWS::EC2::Instance', resourceId: 'i-1', configuration: null }), /configurationItem.configuration is missing/],
    ['a continuation of an unknown resource type', { ...scheduledEvent(), goldenAmiSweepContinuation: { resourceType: 'AWS::S3::Bucket', continuation: 1 } }, /goldenAmiSweepContinuation.resourceType must be one of/],
    ['a continuation past the most', { ...scheduledEvent(), goldenAmiSweepContinuation: { resourceType: 'AWS::EC2::Instance', continuation: 51 } }, /goldenAmiSweepContinuation.continuation must be an integer from 1 to 50, got: 51/],
    ['a continuation with an empty page token', { ...scheduledEvent(), goldenAmiSweepContinuation: { resourceType: 'AWS::EC2::Instance', nextToken: '', continuation: 1 } }, /goldenAmiSweepContinuation.nextToken must be a page token/],
    ['a continuation of a change event', { ...changeEvent(instanceItem('i-1', SHARED_GOLDEN)), goldenAmiSweepContinuation: { resourceType: 'AWS::EC2::Instance', continuation: 1 } }, /continues periodic sweeps only/],
  ])('%s: a clear error before any call, nothing sent', async (_name, event, message) => {
    await expect(handler(event as never, context)).rejects.toThrow(MalformedEventError);
    await expect(handler(event as never, context)).rejects.toThrow(message);
    expect([...aws.calls.keys()]).toEqual([]);
  });

  test('settings that are not JSON: the error names the variable and shows the value', async () => {
    process.env.GOLDEN_AMI_RULE_SETTINGS = '{"policy": {"catalogPaths": ["/golden-ami"]}';
    await expect(handler(scheduledEvent(), context)).rejects.toThrow(/^GOLDEN_AMI_RULE_SETTINGS is not valid JSON \(.+\), got: '\{"policy": \{"catalogPaths": \["\/golden-ami"\]\}'$/);
    expect(aws.calls.size).toBe(0);
  });

  test('settings missing from the environment: a clear error', async () => {
    delete process.env.GOLDEN_AMI_RULE_SETTINGS;
    await expect(handler(scheduledEvent(), context)).rejects.toThrow(/GOLDEN_AMI_RULE_SETTINGS is not set/);
    expect(aws.calls.size).toBe(0);
  });
});
