import { CreateAutoScalingGroupCommand } from '@aws-sdk/client-auto-scaling';
import { CreateLaunchTemplateCommand } from '@aws-sdk/client-ec2';
import { PutParameterCommand } from '@aws-sdk/client-ssm';
import {
  Clients,
  FACTORY_ACCOUNT,
  FOREIGN,
  FUNCTION_ARN,
  SEED_AMIS,
  SHARED_GOLDEN,
  SHARED_OLD,
  changeEvent,
  instanceItem,
  ownImage,
  publish,
  runInstances,
  scheduledEvent,
  settings,
  setupClients,
} from './fixtures';
import { LocalAws, REGION } from './local-aws';
import { parseSettings } from '../../src/compliance/evaluate';
import { handler } from '../../src/compliance/evaluator.lambda';
import { AwsFacts, PARAMETER_NAMES_PER_CALL, ownAccountClients, resetClients } from '../../src/compliance/runtime/aws-facts';

jest.setTimeout(120_000);

/**
 * The trust chain's side of the compliance rule against moto server: revocation lists and
 * ancestry records as the revoke and record_ancestry automations write them, read by the
 * handler through the real SDK v3 clients (Config PutEvaluations recorded by the proxy).
 */

let aws: LocalAws;
let setup: Clients;
const context = { invokedFunctionArn: FUNCTION_ARN };
const savedEnv = { ...process.env };

beforeAll(async () => {
  aws = await LocalAws.start(SEED_AMIS);
  Object.assign(process.env, { AWS_ENDPOINT_URL: aws.url, AWS_REGION: REGION, AWS_ACCESS_KEY_ID: 'testing', AWS_SECRET_ACCESS_KEY: 'testing' });
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
  jest.spyOn(console, 'log').mockImplementation(() => undefined);
});

afterEach(() => {
  jest.restoreAllMocks();
});

/** A revocation list as the revoke automation leaves it: a StringList of `<ami-id>=<reason>`. */
async function revoke(name: string, ...entries: string[]): Promise<void> {
  await setup.ssm.send(new PutParameterCommand({ Name: name, Value: entries.join(','), Type: 'StringList', Overwrite: true }));
}

/** An ancestry record's versions as record_ancestry writes them, one per child build. */
async function recordAncestry(name: string, ...pairs: Array<[string, string]>): Promise<void> {
  for (const [ami, parentAmi] of pairs) {
    const value = JSON.stringify({ ami, parentAmi, parentPipeline: `arn:aws:imagebuilder:${REGION}:${FACTORY_ACCOUNT}:image-pipeline/base`, parentParameter: '/factory/base/latest' });
    await setup.ssm.send(new PutParameterCommand({ Name: name, Value: value, Type: 'String', Overwrite: true }));
  }
}

function verdictOf(resourceId: string) {
  const found = aws.evaluations().filter(e => e.ComplianceResourceId === resourceId);
  expect(found).toHaveLength(1);
  return found[0];
}

describe('revocation', () => {
  test('a revoked AMI in the catalog history is NON_COMPLIANT `revoked: <reason>` for an instance, a launch template and an Auto Scaling group', async () => {
    await publish(setup, '/golden-ami/base/latest', SHARED_GOLDEN, SHARED_OLD);
    await revoke('/golden-ami/base/revoked', `${SHARED_GOLDEN}=CVE-2025-0001 critical in openssl`);
    // The owner account approves it too: a revocation overrides every approval.
    process.env.GOLDEN_AMI_RULE_SETTINGS = settings({ ownerAccounts: [FACTORY_ACCOUNT] });
    const [instance] = await runInstances(setup, SHARED_GOLDEN);
    const [fine] = await runInstances(setup, SHARED_OLD);
    const lt = (await setup.ec2.send(new CreateLaunchTemplateCommand({ LaunchTemplateName: 'web', LaunchTemplateData: { ImageId: SHARED_GOLDEN } }))).LaunchTemplate!.LaunchTemplateId!;
    await setup.autoScaling.send(new CreateAutoScalingGroupCommand({
      AutoScalingGroupName: 'web', MinSize: 0, MaxSize: 1, DesiredCapacity: 0, AvailabilityZones: [`${REGION}a`], LaunchTemplate: { LaunchTemplateId: lt, Version: '$Default' },
    }));

    const summary = await handler(scheduledEvent(), context);

    expect(summary.compliance).toEqual({ NON_COMPLIANT: 3, COMPLIANT: 1 });
    expect(verdictOf(instance)).toMatchObject({ ComplianceType: 'NON_COMPLIANT', Annotation: `revoked: CVE-2025-0001 critical in openssl (${SHARED_GOLDEN})` });
    expect(verdictOf(lt)).toMatchObject({ ComplianceType: 'NON_COMPLIANT', Annotation: `revoked: CVE-2025-0001 critical in openssl (${SHARED_GOLDEN} in default version)` });
    const group = aws.evaluations().find(e => e.ComplianceResourceType === 'AWS::AutoScaling::AutoScalingGroup')!;
    expect(group).toMatchObject({ ComplianceType: 'NON_COMPLIANT', Annotation: `revoked: CVE-2025-0001 critical in openssl (${SHARED_GOLDEN} in launch template ${lt} version $Default)` });
    expect(verdictOf(fine)).toMatchObject({ ComplianceType: 'COMPLIANT', Annotation: `${SHARED_OLD} approved by SSM catalog /golden-ami/base/latest` });
    // The list came with the catalog's GetParametersByPath page: no other read of it.
    expect(aws.count('ssm:GetParameters')).toBe(0);
    expect(aws.count('ssm:GetParametersByPath')).toBe(1);
  });

  test('the catalog reader never approves an AMI because a revocation list or an ancestry record names it', async () => {
    const listed = await ownImage(setup, 'only-in-the-list');
    const recorded = await ownImage(setup, 'only-in-the-record');
    await publish(setup, '/golden-ami/base/latest', SHARED_GOLDEN);
    // A bare entry (no reason) is a valid AMI ID as a catalog value would be: it still only revokes.
    await revoke('/golden-ami/base/revoked', listed);
    await recordAncestry('/golden-ami/app/ancestry', [recorded, SHARED_GOLDEN]);
    const [a] = await runInstances(setup, listed);
    const [b] = await runInstances(setup, recorded);
    process.env.GOLDEN_AMI_RULE_SETTINGS = settings();

    const catalog = await new AwsFacts(ownAccountClients(), parseSettings(settings())).catalog();
    expect([...catalog.amis.keys()]).toEqual([SHARED_GOLDEN]);
    expect(Object.fromEntries(catalog.revoked!)).toEqual({ [listed]: 'no reason recorded' });
    expect(Object.fromEntries(catalog.parents!)).toEqual({ [recorded]: [SHARED_GOLDEN] });

    await handler(changeEvent(instanceItem(a, listed)), context);
    await handler(changeEvent(instanceItem(b, recorded)), context);
    expect(verdictOf(a)).toMatchObject({ ComplianceType: 'NON_COMPLIANT', Annotation: `revoked: no reason recorded (${listed})` });
    expect(verdictOf(b)).toMatchObject({ ComplianceType: 'NON_COMPLIANT', Annotation: `unknown AMI ${recorded}: not in the SSM catalog` });
  });
});

describe('ancestry', () => {
  const NAMED = {
    parameterNames: ['/factory/base/latest', '/factory/app/latest'],
    revocationLists: ['/factory/base/revoked', '/factory/app/revoked'],
    ancestryRecords: ['/factory/base/ancestry', '/factory/app/ancestry'],
  };

  test('a child of a revoked parent is NON_COMPLIANT `revoked: parent <ami>: <reason>`; of an approved parent COMPLIANT; of an unapproved parent NON_COMPLIANT', async () => {
    const [base1, base2, child1, child2, orphan] = [
      await ownImage(setup, 'base-1'), await ownImage(setup, 'base-2'), await ownImage(setup, 'app-1'), await ownImage(setup, 'app-2'), await ownImage(setup, 'app-3'),
    ];
    await publish(setup, '/factory/base/latest', base1, base2);
    await publish(setup, '/factory/app/latest', child1, child2, orphan);
    await recordAncestry('/factory/app/ancestry', [child1, base1], [child2, base2], [orphan, FOREIGN]);
    await revoke('/factory/base/revoked', `${base1}=CVE-2025-0002 kernel`);
    process.env.GOLDEN_AMI_RULE_SETTINGS = settings({ catalogPaths: [], ...NAMED });
    const [onChild1] = await runInstances(setup, child1);
    const [onChild2] = await runInstances(setup, child2);
    const [onOrphan] = await runInstances(setup, orphan);

    for (const [instance, ami] of [[onChild1, child1], [onChild2, child2], [onOrphan, orphan]]) {
      await handler(changeEvent(instanceItem(instance, ami)), context);
    }

    expect(verdictOf(onChild1)).toMatchObject({ ComplianceType: 'NON_COMPLIANT', Annotation: `revoked: parent ${base1}: CVE-2025-0002 kernel (${child1})` });
    expect(verdictOf(onChild2)).toMatchObject({ ComplianceType: 'COMPLIANT', Annotation: `${child2} approved by SSM catalog /factory/app/latest` });
    expect(verdictOf(onOrphan)).toMatchObject({
      ComplianceType: 'NON_COMPLIANT',
      Annotation: `parent ${FOREIGN} of ${orphan} is not an approved golden AMI: not in the SSM catalog`,
    });
    // Per invocation: one GetParameters for the two lists, the histories of two parameters and
    // two records; the parent outside the catalog is described once (with or after the child).
    expect(aws.count('ssm:GetParameters')).toBe(3);
    expect(aws.count('ssm:GetParameterHistory')).toBe(3 * 4);
  });

  test('the parent\'s owner account approves a parent outside the catalog', async () => {
    const child = await ownImage(setup, 'app-1');
    await publish(setup, '/factory/app/latest', child);
    await recordAncestry('/factory/app/ancestry', [child, SHARED_OLD]);
    process.env.GOLDEN_AMI_RULE_SETTINGS = settings({ catalogPaths: [], ...NAMED, ownerAccounts: [FACTORY_ACCOUNT] });
    const [instance] = await runInstances(setup, child);

    await handler(changeEvent(instanceItem(instance, child)), context);

    expect(verdictOf(instance)).toMatchObject({ ComplianceType: 'COMPLIANT', Annotation: `${child} approved by SSM catalog /factory/app/latest` });
    // The child, then its parent outside the catalog.
    expect(aws.count('ec2:DescribeImages')).toBe(2);
  });
});

describe('call floor: one read of the revocation lists per invocation', () => {
  const LISTS = 12;
  const named = () => {
    const bases = Array.from({ length: LISTS }, (_, i) => `/factory/image-${i}`);
    return settings({
      catalogPaths: [],
      parameterNames: bases.map(base => `${base}/latest`),
      revocationLists: bases.map(base => `${base}/revoked`),
      ancestryRecords: bases.map(base => `${base}/ancestry`),
    });
  };

  test(`a periodic sweep of 200 instances reads ${LISTS} lists in ceil(${LISTS} / 10) GetParameters calls, as a sweep of 2 does`, async () => {
    await publish(setup, '/factory/image-0/latest', SHARED_GOLDEN, SHARED_OLD);
    await revoke('/factory/image-0/revoked', `${SHARED_OLD}=superseded after CVE-2025-0003`);
    // Lists that do not exist (images never revoked) are simply absent from the answer.
    process.env.GOLDEN_AMI_RULE_SETTINGS = named();
    const floor = Math.ceil(LISTS / PARAMETER_NAMES_PER_CALL);

    await runInstances(setup, SHARED_GOLDEN, 1);
    await runInstances(setup, SHARED_OLD, 1);
    const few = await handler(scheduledEvent(), context);
    expect(few.compliance).toEqual({ COMPLIANT: 1, NON_COMPLIANT: 1 });
    expect(aws.count('ssm:GetParameters')).toBe(floor);

    aws.clear();
    const golden = await runInstances(setup, SHARED_GOLDEN, 149);
    const revoked = await runInstances(setup, SHARED_OLD, 49);
    const many = await handler(scheduledEvent(), context);

    expect(many.evaluations).toBe(200);
    expect(many.compliance).toEqual({ COMPLIANT: 150, NON_COMPLIANT: 50 });
    for (const id of revoked) expect(verdictOf(id).Annotation).toBe(`revoked: superseded after CVE-2025-0003 (${SHARED_OLD})`);
    expect(verdictOf(golden[0]).ComplianceType).toBe('COMPLIANT');
    expect(aws.count('ssm:GetParameters')).toBe(floor);
    expect(floor).toBe(2);
    // The rest of the catalog read is unchanged by the lists: one history per parameter and record.
    expect(aws.count('ssm:GetParameterHistory')).toBe(2 * LISTS);
  });

  test('each configuration change invocation reads the lists once', async () => {
    await publish(setup, '/factory/image-0/latest', SHARED_GOLDEN);
    process.env.GOLDEN_AMI_RULE_SETTINGS = named();
    const ids = await runInstances(setup, SHARED_GOLDEN, 3);
    for (const id of ids) await handler(changeEvent(instanceItem(id, SHARED_GOLDEN)), context);
    expect(aws.evaluations().map(e => e.ComplianceType)).toEqual(['COMPLIANT', 'COMPLIANT', 'COMPLIANT']);
    expect(aws.count('ssm:GetParameters')).toBe(3 * Math.ceil(LISTS / PARAMETER_NAMES_PER_CALL));
  });
});
