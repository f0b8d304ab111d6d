import { AutoScalingClient } from '@aws-sdk/client-auto-scaling';
import { EC2Client, RunInstancesCommand, CreateImageCommand, CreateTagsCommand } from '@aws-sdk/client-ec2';
import { PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { OWN_ACCOUNT, REGION, SeedAmi } from './local-aws';
import { RuleSettings } from '../../src/compliance/evaluate';

/** Shared fixtures of the handler tests and the benchmark. */

export const FACTORY_ACCOUNT = '999999999999';
export const MEMBER_ACCOUNT = '222222222222';
export const FUNCTION_ARN = `arn:aws:lambda:${REGION}:${OWN_ACCOUNT}:function:golden-ami-compliance`;
const DAY = 24 * 60 * 60 * 1000;

const ami = (n: number) => `ami-${n.toString(16).padStart(17, '0')}`;
/** Shared from the factory account, built five days ago. */
export const SHARED_GOLDEN = ami(0xa1);
/** Shared from the factory account, built in 2020. */
export const SHARED_OLD = ami(0xa2);
/** Owned by an account nobody approved. */
export const FOREIGN = ami(0xc3);

export const SEED_AMIS: SeedAmi[] = [
  { ami_id: SHARED_GOLDEN, owner_id: FACTORY_ACCOUNT, name: 'golden-base-recent', creation_date: new Date(Date.now() - 5 * DAY).toISOString() },
  { ami_id: SHARED_OLD, owner_id: FACTORY_ACCOUNT, name: 'golden-base-2020', creation_date: '2020-01-15T10:00:00.000Z' },
  { ami_id: FOREIGN, owner_id: '888888888888', name: 'someone-elses', creation_date: new Date(Date.now() - 2 * DAY).toISOString() },
];

export const CREDENTIALS = { accessKeyId: 'testing', secretAccessKey: 'testing' };

export interface Clients {
  readonly ec2: EC2Client;
  readonly ssm: SSMClient;
  readonly autoScaling: AutoScalingClient;
}

/** Clients straight to moto (not through the counting proxy), for setting up a scenario. */
export interface StaticCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string;
}

export function setupClients(endpoint: string, credentials: StaticCredentials = CREDENTIALS): Clients {
  const config = { endpoint, region: REGION, credentials, maxAttempts: 2 };
  return { ec2: new EC2Client(config), ssm: new SSMClient(config), autoScaling: new AutoScalingClient(config) };
}

/** Clients for another account in moto, through a role assumed there. */
export async function accountClients(endpoint: string, account: string): Promise<Clients> {
  const sts = new STSClient({ endpoint, region: REGION, credentials: CREDENTIALS });
  const { Credentials: c } = await sts.send(new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${account}:role/setup`, RoleSessionName: 'setup' }));
  return setupClients(endpoint, { accessKeyId: c!.AccessKeyId!, secretAccessKey: c!.SecretAccessKey!, sessionToken: c!.SessionToken });
}

export async function runInstances(clients: Clients, imageId: string, count: number = 1): Promise<string[]> {
  const response = await clients.ec2.send(new RunInstancesCommand({ ImageId: imageId, MinCount: count, MaxCount: count, InstanceType: 't3.micro' }));
  return (response.Instances ?? []).map(instance => instance.InstanceId!);
}

/** An AMI owned by the account of `clients`, made from an instance, with tags. */
export async function ownImage(clients: Clients, name: string, tags: Record<string, string> = {}): Promise<string> {
  const [instance] = await runInstances(clients, SHARED_GOLDEN);
  const { ImageId } = await clients.ec2.send(new CreateImageCommand({ InstanceId: instance, Name: name }));
  if (Object.keys(tags).length > 0) {
    await clients.ec2.send(new CreateTagsCommand({ Resources: [ImageId!], Tags: Object.entries(tags).map(([Key, Value]) => ({ Key, Value })) }));
  }
  return ImageId!;
}

/** Writes each value in turn, so the parameter's history holds them all (the last is current). */
export async function publish(clients: Clients, name: string, ...amiIds: string[]): Promise<void> {
  for (const value of amiIds) {
    await clients.ssm.send(new PutParameterCommand({ Name: name, Value: value, Type: 'String', DataType: 'aws:ec2:image', Overwrite: true }));
  }
}

export function settings(overrides: Partial<RuleSettings['policy']> = {}, rest: Partial<Omit<RuleSettings, 'policy'>> = {}): string {
  const value: RuleSettings = {
    policy: { catalogPaths: ['/golden-ami'], parameterNames: [], revocationLists: [], ancestryRecords: [], ownerAccounts: [], amiTags: {}, allowDeprecated: false, ...overrides },
    resourceTypes: ['AWS::EC2::Instance', 'AWS::EC2::LaunchTemplate', 'AWS::AutoScaling::AutoScalingGroup'],
    ...rest,
  };
  return JSON.stringify(value);
}

let token = 0;

export function scheduledEvent(accountId: string = OWN_ACCOUNT) {
  return {
    invokingEvent: JSON.stringify({ messageType: 'ScheduledNotification', notificationCreationTime: new Date().toISOString(), awsAccountId: accountId }),
    ruleParameters: '{}',
    resultToken: `token-${++token}`,
    eventLeftScope: false,
    accountId,
    configRuleName: 'golden-ami-compliance',
  };
}

export function changeEvent(item: Record<string, unknown>, options: { accountId?: string; oversized?: boolean; eventLeftScope?: boolean } = {}) {
  const accountId = options.accountId ?? OWN_ACCOUNT;
  const captured = { configurationItemStatus: 'OK', configurationItemCaptureTime: new Date().toISOString(), awsAccountId: accountId, awsRegion: REGION, ...item };
  const invoking = options.oversized
    ? { messageType: 'OversizedConfigurationItemChangeNotification', configurationItemSummary: { ...captured, configuration: undefined }, notificationCreationTime: new Date().toISOString() }
    : { messageType: 'ConfigurationItemChangeNotification', configurationItem: captured, notificationCreationTime: new Date().toISOString() };
  return {
    invokingEvent: JSON.stringify(invoking),
    ruleParameters: '{}',
    resultToken: `token-${++token}`,
    eventLeftScope: options.eventLeftScope ?? false,
    accountId,
    configRuleName: 'golden-ami-compliance',
  };
}

export function instanceItem(instanceId: string, imageId: string, state: string = 'running') {
  return { resourceType: 'AWS::EC2::Instance', resourceId: instanceId, configuration: { instanceId, imageId, state: { code: 16, name: state } } };
}
