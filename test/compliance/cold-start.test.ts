import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { CreateAutoScalingGroupCommand, CreateLaunchConfigurationCommand } from '@aws-sdk/client-auto-scaling';
import { ROOT, buildBundle, runBundle } from './bundle-process';
import {
  Clients,
  FOREIGN,
  FUNCTION_ARN,
  MEMBER_ACCOUNT,
  SEED_AMIS,
  SHARED_GOLDEN,
  accountClients,
  changeEvent,
  instanceItem,
  publish,
  runInstances,
  scheduledEvent,
  settings,
  setupClients,
} from './fixtures';
import { LocalAws, REGION } from './local-aws';

jest.setTimeout(120_000);

/**
 * The function as Lambda loads it: the bundle, built from the current sources with the bundle
 * task's command, in a new Node.js process per test. The SDK client packages it has loaded are
 * read from that process's module cache: a package is loaded (and its cost paid) only by an
 * invocation that uses it.
 */

/** The clients every evaluation uses, loaded with the bundle. */
const AT_START = ['config-service', 'ec2', 'ssm'];
const ORGANIZATION_SETTINGS = settings({}, { memberRoleName: 'GoldenAmiComplianceMember', organizationId: 'o-a1b2c3d4e5' });

let aws: LocalAws;
let setup: Clients;
let bundle: string;
let env: NodeJS.ProcessEnv;

beforeAll(async () => {
  bundle = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'golden-ami-bundle-')), 'index.js');
  buildBundle(ROOT, bundle);
  aws = await LocalAws.start(SEED_AMIS);
  setup = setupClients(aws.motoUrl);
  env = {
    FUNCTION_ARN,
    AWS_ENDPOINT_URL: aws.url,
    AWS_REGION: REGION,
    AWS_ACCESS_KEY_ID: 'testing',
    AWS_SECRET_ACCESS_KEY: 'testing',
    GOLDEN_AMI_RULE_SETTINGS: settings(),
  };
});

afterAll(async () => {
  await aws?.stop();
  if (bundle) fs.rmSync(path.dirname(bundle), { recursive: true, force: true });
});

beforeEach(async () => {
  await aws.resetMoto();
});

test('loading the bundle loads the EC2, SSM and Config clients, not STS, Lambda or Auto Scaling', async () => {
  const run = await runBundle(bundle, env);

  expect(run.loadedAtStart).toEqual(AT_START);
});

test('an account rule\'s instance change event is evaluated with the clients loaded at start', async () => {
  await publish(setup, '/golden-ami/base/latest', SHARED_GOLDEN);
  const [instance] = await runInstances(setup, SHARED_GOLDEN);

  const run = await runBundle(bundle, env, { event: changeEvent(instanceItem(instance, SHARED_GOLDEN)) });

  expect(run.summary?.compliance).toEqual({ COMPLIANT: 1 });
  expect(run.loadedAfterCall).toEqual(AT_START);
});

test('an organization rule loads STS when it first evaluates a member account, and evaluates it through the member role', async () => {
  const member = await accountClients(aws.motoUrl, MEMBER_ACCOUNT);
  await publish(member, '/golden-ami/base/latest', SHARED_GOLDEN);
  const [instance] = await runInstances(member, SHARED_GOLDEN);
  aws.clear();
  const event = changeEvent(instanceItem(instance, SHARED_GOLDEN), { accountId: MEMBER_ACCOUNT });

  const run = await runBundle(bundle, { ...env, GOLDEN_AMI_RULE_SETTINGS: ORGANIZATION_SETTINGS }, { event });

  expect(run.loadedAtStart).toEqual(AT_START);
  expect(run.loadedAfterCall).toEqual([...AT_START, 'sts'].sort());
  expect(run.summary?.compliance).toEqual({ COMPLIANT: 1 });
  expect(aws.count('sts:AssumeRole')).toBe(1);
  expect(aws.puts.map(put => put.resultToken)).toEqual([event.resultToken]);
});

test('a sweep short of time loads Lambda to continue in a new invocation, and the continuation finishes it', async () => {
  await publish(setup, '/golden-ami/base/latest', SHARED_GOLDEN);
  const ids = await runInstances(setup, SHARED_GOLDEN, 2);
  const event = scheduledEvent();

  // Short of time: the launch templates' page, then the rest goes to a new invocation.
  const first = await runBundle(bundle, env, { event, timeLeftMs: 30_000 });

  expect(first.summary).toMatchObject({ continuation: { resourceType: 'AWS::EC2::Instance', continuation: 1 } });
  expect(first.loadedAfterCall).toEqual([...AT_START, 'lambda'].sort());
  expect(aws.invocations).toHaveLength(1);

  const rest = await runBundle(bundle, env, { event: aws.invocations[0].payload });

  expect(rest.summary).toMatchObject({ evaluations: 2, compliance: { COMPLIANT: 2 } });
  expect(rest.summary?.continuation).toBeUndefined();
  expect(aws.evaluations().map(e => e.ComplianceResourceId).sort()).toEqual([...ids].sort());
  // The continuation reached the groups: Auto Scaling was loaded to list them.
  expect(rest.loadedAfterCall).toEqual([...AT_START, 'auto-scaling'].sort());
});

test('a group\'s oversized item loads Auto Scaling to read the group and its launch configuration', async () => {
  await setup.autoScaling.send(new CreateLaunchConfigurationCommand({ LaunchConfigurationName: 'legacy', ImageId: FOREIGN, InstanceType: 't3.micro' }));
  await setup.autoScaling.send(new CreateAutoScalingGroupCommand({
    AutoScalingGroupName: 'legacy', MinSize: 0, MaxSize: 1, DesiredCapacity: 0, AvailabilityZones: [`${REGION}a`], LaunchConfigurationName: 'legacy',
  }));
  const event = changeEvent({ resourceType: 'AWS::AutoScaling::AutoScalingGroup', resourceId: 'legacy', resourceName: 'legacy' }, { oversized: true });

  const run = await runBundle(bundle, env, { event });

  expect(run.summary?.compliance).toEqual({ NON_COMPLIANT: 1 });
  expect(run.loadedAfterCall).toEqual([...AT_START, 'auto-scaling'].sort());
  expect(aws.count('autoscaling:DescribeLaunchConfigurations')).toBe(1);
});
