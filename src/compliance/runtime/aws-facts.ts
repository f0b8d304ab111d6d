import type { AutoScalingClient, AutoScalingGroup, LaunchTemplateSpecification } from '@aws-sdk/client-auto-scaling';
import { ConfigServiceClient } from '@aws-sdk/client-config-service';
import { DescribeImagesCommand, DescribeInstancesCommand, DescribeLaunchTemplateVersionsCommand, EC2Client, Image, LaunchTemplateVersion } from '@aws-sdk/client-ec2';
import type { LambdaClient } from '@aws-sdk/client-lambda';
import { GetParameterHistoryCommand, GetParametersByPathCommand, GetParametersCommand, SSMClient } from '@aws-sdk/client-ssm';
import type { STSClient } from '@aws-sdk/client-sts';
import { autoScalingSdk, lambdaSdk, stsSdk } from './lazy-sdk';
import { AMI_ID } from '../../private/patterns';
import {
  AUTO_SCALING_GROUP,
  AutoScalingGroupShape,
  Catalog,
  ImageFacts,
  INSTANCE,
  instanceSources,
  LAUNCH_TEMPLATE,
  LaunchSource,
  LaunchTemplateRef,
  ResolvedImage,
  ResourceType,
  RuleSettings,
  Subject,
  autoScalingGroupSources,
  describeRef,
  launchTemplateSources,
  amiIdsOf,
  named,
  addAncestry,
  addRevocations,
  ancestorsOf,
  catalogParameterKind,
} from '../evaluate';

/**
 * The AWS side of the compliance rule: reads the SSM catalog, describes images, resolves
 * launch templates and launch configurations, and lists resources page by page. Every read is
 * made once per invocation (results are cached on the instance) and lists use the largest page
 * the API allows.
 *
 * Internal to the package (bundled into the rule's Lambda function).
 */

/** The clients the rule uses, for one account. */
export interface AwsClients {
  readonly ec2: EC2Client;
  readonly ssm: SSMClient;
  readonly config: ConfigServiceClient;
  /** Created, and its SDK package loaded, on first use: only groups and launch configurations need it. */
  autoScaling(): AutoScalingClient;
}

/** Retries per call; the SDK's standard mode backs off exponentially, longer on throttling. */
const MAX_ATTEMPTS = 8;
/** The largest pages the APIs allow. */
export const INSTANCE_PAGE = 1000;
export const LAUNCH_TEMPLATE_VERSION_PAGE = 200;
export const AUTO_SCALING_GROUP_PAGE = 100;
export const PARAMETERS_BY_PATH_PAGE = 10;
export const PARAMETER_HISTORY_PAGE = 50;
/** GetParameters takes at most 10 names (https://docs.aws.amazon.com/systems-manager/latest/APIReference/API_GetParameters.html). */
export const PARAMETER_NAMES_PER_CALL = 10;
export const LAUNCH_CONFIGURATION_NAMES = 50;
export const IMAGE_IDS_PER_CALL = 200;
/** Concurrent reads of parameter histories and launch templates. */
const READ_CONCURRENCY = 5;

const LIVE_INSTANCE_STATES = ['pending', 'running', 'stopping', 'stopped'];

interface StaticCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string;
}

function clientConfig(credentials?: StaticCredentials) {
  return { maxAttempts: MAX_ATTEMPTS, retryMode: 'standard', ...(credentials ? { credentials } : {}) };
}

let defaultClients: AwsClients | undefined;
let lambdaClient: LambdaClient | undefined;
let stsClient: STSClient | undefined;

/** The clients for the function's own account, created once per container. */
export function ownAccountClients(): AwsClients {
  defaultClients ??= newClients();
  return defaultClients;
}

/** Lambda in the function's own account (a sweep continues there, whichever account it evaluates). */
export function ownLambdaClient(): LambdaClient {
  lambdaClient ??= new (lambdaSdk().LambdaClient)(clientConfig());
  return lambdaClient;
}

/** STS with the function's own credentials (an organization rule assumes member roles with it). */
function ownStsClient(): STSClient {
  stsClient ??= new (stsSdk().STSClient)(clientConfig());
  return stsClient;
}

/** Forgets the cached clients (tests change the endpoint between runs). */
export function resetClients(): void {
  defaultClients = undefined;
  lambdaClient = undefined;
  stsClient = undefined;
}

function newClients(credentials?: StaticCredentials): AwsClients {
  const config = clientConfig(credentials);
  let autoScaling: AutoScalingClient | undefined;
  return {
    ec2: new EC2Client(config),
    ssm: new SSMClient(config),
    config: new ConfigServiceClient(config),
    autoScaling: () => autoScaling ??= new (autoScalingSdk().AutoScalingClient)(config),
  };
}

/**
 * An invocation for an account the rule must not evaluate: the handler logs the reason and
 * stops, without reading or reporting anything there.
 */
export class RefusedAccountError extends Error {
  constructor(public readonly accountId: string, reason: string) {
    super(`refusing account ${accountId}: ${reason}`);
    this.name = 'RefusedAccountError';
  }
}

/** The error names STS answers a denied AssumeRole with. */
const ACCESS_DENIED = /^AccessDenied(Exception)?$/;

/**
 * The clients for an evaluated account: the function's own, or, for an organization rule,
 * those of the member role assumed in that account. An account rule refuses any other
 * account; an organization rule refuses an account where AssumeRole is denied, which the
 * function's policy does for every role outside its organization (`aws:ResourceOrgID`).
 */
export async function clientsForAccount(
  settings: RuleSettings,
  accountId: string | undefined,
  ownAccount: string | undefined,
  partition: string,
): Promise<AwsClients> {
  if (!accountId || accountId === ownAccount) return ownAccountClients();
  if (!settings.memberRoleName) {
    // Config only invokes an account rule's function for its own account (the permission's
    // aws:SourceAccount); anything else would have its evaluations sent with a foreign token.
    throw new RefusedAccountError(accountId, `the rule evaluates only its own account${ownAccount ? ` ${ownAccount}` : ''}`);
  }
  const { AssumeRoleCommand } = stsSdk();
  const roleArn = `arn:${partition}:iam::${accountId}:role/${settings.memberRoleName}`;
  let credentials;
  try {
    ({ Credentials: credentials } = await ownStsClient().send(new AssumeRoleCommand({ RoleArn: roleArn, RoleSessionName: 'golden-ami-compliance', DurationSeconds: 900 })));
  } catch (e) {
    if (ACCESS_DENIED.test((e as Error).name)) {
      throw new RefusedAccountError(accountId, `not in organization ${settings.organizationId}, or it has no ${settings.memberRoleName} role that trusts this function `
        + `(AssumeRole ${roleArn} was denied: the function may assume roles only in its organization)`);
    }
    throw e;
  }
  if (!credentials?.AccessKeyId || !credentials.SecretAccessKey) {
    throw new Error(`AssumeRole ${roleArn} returned no credentials`);
  }
  return newClients({ accessKeyId: credentials.AccessKeyId, secretAccessKey: credentials.SecretAccessKey, sessionToken: credentials.SessionToken });
}

/** Runs `fn` over `items` with at most `limit` calls in flight. */
export async function mapLimit<T, R>(items: T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const workers = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i]);
    }
  });
  await Promise.all(workers);
  return results;
}

function errorName(e: unknown): string {
  return (e as { name?: string; Code?: string })?.name ?? (e as { Code?: string })?.Code ?? '';
}

const NOT_FOUND = /NotFound|NotFoundException|VersionNotFound/;

/** A page of subjects from a listing, ready to resolve and evaluate. */
export interface SubjectPage {
  readonly subjects: Subject[];
  /** The token of the listing's next page; absent on the last page. */
  readonly nextToken?: string;
}

/** Facts about one account, gathered lazily and cached for the invocation. */
export class AwsFacts {
  private catalogPromise?: Promise<Catalog>;
  private readonly images = new Map<string, ImageFacts | null>();
  private readonly templates = new Map<string, Promise<ResolvedImage>>();
  private readonly launchConfigurations = new Map<string, string | null>();

  constructor(private readonly clients: AwsClients, private readonly settings: RuleSettings) {}

  /** Every AMI ID each catalog parameter has held (within the 100 versions SSM keeps), read once. */
  public catalog(): Promise<Catalog> {
    this.catalogPromise ??= this.readCatalog();
    return this.catalogPromise;
  }

  private async readCatalog(): Promise<Catalog> {
    const { catalogPaths, parameterNames, revocationLists, ancestryRecords } = this.settings.policy;
    // Revocation lists and ancestry records name AMIs without approving them: never read as approvals.
    const approving = new Set(parameterNames.filter(name => catalogParameterKind(name) === 'approval'));
    const records = new Set(ancestryRecords);
    const revoked = new Map<string, string>();
    const listsRead = new Set<string>();
    for (const path of catalogPaths) {
      let token: string | undefined;
      do {
        const page = await this.clients.ssm.send(new GetParametersByPathCommand({
          Path: path, Recursive: true, MaxResults: PARAMETERS_BY_PATH_PAGE, NextToken: token,
        }));
        for (const parameter of page.Parameters ?? []) {
          if (!parameter.Name) continue;
          switch (catalogParameterKind(parameter.Name)) {
            // The list's value came with the page: no other read.
            case 'revocation':
              addRevocations(revoked, parameter.Value);
              listsRead.add(parameter.Name);
              break;
            case 'ancestry':
              records.add(parameter.Name);
              break;
            default:
              approving.add(parameter.Name);
          }
        }
        token = page.NextToken;
      } while (token);
    }
    // The explicit lists, once per invocation, 10 names a call; a missing one revokes nothing.
    const lists = revocationLists.filter(name => !listsRead.has(name) && !catalogPaths.some(path => name.startsWith(`${path}/`)));
    for (let i = 0; i < lists.length; i += PARAMETER_NAMES_PER_CALL) {
      const response = await this.clients.ssm.send(new GetParametersCommand({ Names: lists.slice(i, i + PARAMETER_NAMES_PER_CALL) }));
      for (const parameter of response.Parameters ?? []) addRevocations(revoked, parameter.Value);
    }
    const amis = new Map<string, string>();
    const parents = new Map<string, string[]>();
    const histories = [...[...approving].map(name => ({ name, ancestry: false })), ...[...records].map(name => ({ name, ancestry: true }))];
    await mapLimit(histories, READ_CONCURRENCY, async ({ name, ancestry }) => {
      let token: string | undefined;
      try {
        do {
          const page = await this.clients.ssm.send(new GetParameterHistoryCommand({
            Name: name, MaxResults: PARAMETER_HISTORY_PAGE, NextToken: token,
          }));
          for (const version of page.Parameters ?? []) {
            if (ancestry) {
              addAncestry(parents, version.Value);
              continue;
            }
            for (const value of (version.Value ?? '').split(',')) {
              const ami = value.trim();
              if (AMI_ID.test(ami) && !amis.has(ami)) amis.set(ami, name);
            }
          }
          token = page.NextToken;
        } while (token);
      } catch (e) {
        // A GoldenImage whose first build has not finished yet has no parameter: it approves
        // nothing (and an image that was never built on a parent has no ancestry record).
        if (errorName(e) !== 'ParameterNotFound') throw e;
      }
    });
    return { amis, revoked, parents };
  }

  /**
   * Describes the ancestors (parents, grandparents...) of these AMIs that the catalog does not
   * approve, so that their owner account or tags can: one DescribeImages batch, none without ancestry.
   */
  public async ancestorFacts(catalog: Catalog, ids: string[]): Promise<void> {
    await this.imageFacts(ancestorsOf(catalog, ids).filter(id => !catalog.amis.has(id)));
  }

  /** The descriptions of the given AMIs (cached), for `evaluate`. */
  public async imageFacts(ids: string[]): Promise<Map<string, ImageFacts>> {
    const unknown = ids.filter(id => !this.images.has(id));
    for (let i = 0; i < unknown.length; i += IMAGE_IDS_PER_CALL) {
      await this.describeImages(unknown.slice(i, i + IMAGE_IDS_PER_CALL));
    }
    const result = new Map<string, ImageFacts>();
    for (const id of ids) {
      const facts = this.images.get(id);
      if (facts) result.set(id, facts);
    }
    return result;
  }

  private async describeImages(ids: string[]): Promise<void> {
    let images: Image[];
    try {
      const response = await this.clients.ec2.send(new DescribeImagesCommand({ ImageIds: ids }));
      images = response.Images ?? [];
    } catch (e) {
      if (!/InvalidAMIID\.(NotFound|Unavailable)/.test(errorName(e))) throw e;
      // The call fails as a whole when an ID is gone: split until the missing ones are alone.
      if (ids.length === 1) {
        this.images.set(ids[0], null);
        return;
      }
      const half = Math.ceil(ids.length / 2);
      await this.describeImages(ids.slice(0, half));
      await this.describeImages(ids.slice(half));
      return;
    }
    for (const image of images) {
      if (!image.ImageId) continue;
      this.images.set(image.ImageId, {
        imageId: image.ImageId,
        ownerId: image.OwnerId ?? '',
        creationDate: image.CreationDate,
        deprecationTime: image.DeprecationTime,
        state: image.State,
        tags: Object.fromEntries((image.Tags ?? []).map(tag => [tag.Key ?? '', tag.Value ?? ''])),
      });
    }
    for (const id of ids) if (!this.images.has(id)) this.images.set(id, null);
  }

  /** Looks up what each source launches from. */
  public async resolve(subject: Subject): Promise<ResolvedImage[]> {
    return Promise.all(subject.sources.map(source => this.resolveSource(source)));
  }

  private async resolveSource(source: LaunchSource): Promise<ResolvedImage> {
    if (source.image !== undefined) return { via: source.via, image: source.image || undefined };
    if (source.launchTemplate) return { ...(await this.launchTemplateImage(source.launchTemplate)), via: source.via };
    if (source.launchConfigurationName) {
      await this.prefetchLaunchConfigurations([source.launchConfigurationName]);
      const image = this.launchConfigurations.get(source.launchConfigurationName);
      return image === null || image === undefined
        ? { via: source.via, missing: `launch configuration ${named(source.launchConfigurationName)} not found` }
        : { via: source.via, image };
    }
    return { via: source.via };
  }

  private launchTemplateImage(ref: LaunchTemplateRef): Promise<ResolvedImage> {
    const key = templateKey(ref);
    let promise = this.templates.get(key);
    if (!promise) {
      promise = this.readLaunchTemplate(ref);
      this.templates.set(key, promise);
    }
    return promise;
  }

  private async readLaunchTemplate(ref: LaunchTemplateRef): Promise<ResolvedImage> {
    try {
      const response = await this.clients.ec2.send(new DescribeLaunchTemplateVersionsCommand({
        LaunchTemplateId: ref.launchTemplateId,
        LaunchTemplateName: ref.launchTemplateId ? undefined : ref.launchTemplateName,
        Versions: [ref.version],
      }));
      const version = response.LaunchTemplateVersions?.[0];
      if (!version) return { via: '', missing: `launch template ${named(describeRef(ref))} not found` };
      return { via: '', image: version.LaunchTemplateData?.ImageId };
    } catch (e) {
      if (NOT_FOUND.test(errorName(e))) return { via: '', missing: `launch template ${named(describeRef(ref))} not found` };
      throw e;
    }
  }

  private rememberTemplateVersion(version: LaunchTemplateVersion, alias: string): void {
    const image: ResolvedImage = { via: '', image: version.LaunchTemplateData?.ImageId };
    for (const ref of [
      { launchTemplateId: version.LaunchTemplateId, version: alias },
      { launchTemplateName: version.LaunchTemplateName, version: alias },
    ]) {
      this.templates.set(templateKey(ref), Promise.resolve(image));
    }
  }

  /** Reads launch configurations by name, 50 per call, and caches their image IDs. */
  public async prefetchLaunchConfigurations(names: string[]): Promise<void> {
    const unknown = [...new Set(names)].filter(name => !this.launchConfigurations.has(name));
    for (let i = 0; i < unknown.length; i += LAUNCH_CONFIGURATION_NAMES) {
      const chunk = unknown.slice(i, i + LAUNCH_CONFIGURATION_NAMES);
      const { DescribeLaunchConfigurationsCommand } = autoScalingSdk();
      const response = await this.clients.autoScaling().send(new DescribeLaunchConfigurationsCommand({
        LaunchConfigurationNames: chunk, MaxRecords: LAUNCH_CONFIGURATION_NAMES,
      }));
      for (const configuration of response.LaunchConfigurations ?? []) {
        if (configuration.LaunchConfigurationName) this.launchConfigurations.set(configuration.LaunchConfigurationName, configuration.ImageId ?? '');
      }
      for (const name of chunk) if (!this.launchConfigurations.has(name)) this.launchConfigurations.set(name, null);
    }
  }

  /** One resource by ID, described from its service (for oversized items, whose item is not sent). */
  public async describeOne(resourceType: string, resourceId: string, resourceName: string | undefined): Promise<Pick<Subject, 'sources' | 'notApplicable'>> {
    switch (resourceType) {
      case INSTANCE: {
        try {
          const response = await this.clients.ec2.send(new DescribeInstancesCommand({ InstanceIds: [resourceId] }));
          const instance = response.Reservations?.[0]?.Instances?.[0];
          if (!instance) return { notApplicable: 'the instance no longer exists', sources: [] };
          return instanceSources({ imageId: instance.ImageId, state: { name: instance.State?.Name } });
        } catch (e) {
          if (NOT_FOUND.test(errorName(e))) return { notApplicable: 'the instance no longer exists', sources: [] };
          throw e;
        }
      }
      case LAUNCH_TEMPLATE:
        return { sources: launchTemplateSources(resourceId) };
      case AUTO_SCALING_GROUP: {
        const { DescribeAutoScalingGroupsCommand } = autoScalingSdk();
        const response = await this.clients.autoScaling().send(new DescribeAutoScalingGroupsCommand({
          AutoScalingGroupNames: [resourceName ?? resourceId],
        }));
        const group = response.AutoScalingGroups?.[0];
        if (!group) return { notApplicable: 'the group no longer exists', sources: [] };
        return autoScalingGroupSources(groupShape(group));
      }
      default:
        return { notApplicable: `${resourceType} is not evaluated by this rule`, sources: [] };
    }
  }

  /** One page of a resource type's listing, from `token` (the first page without one). */
  public page(resourceType: ResourceType, orderingTimestamp: Date, token?: string): Promise<SubjectPage> {
    switch (resourceType) {
      case INSTANCE: return this.instancePage(orderingTimestamp, token);
      case LAUNCH_TEMPLATE: return this.launchTemplatePage(orderingTimestamp, token);
      case AUTO_SCALING_GROUP: return this.autoScalingGroupPage(orderingTimestamp, token);
    }
  }

  /** Live instances, up to 1,000. */
  private async instancePage(orderingTimestamp: Date, token: string | undefined): Promise<SubjectPage> {
    const page = await this.clients.ec2.send(new DescribeInstancesCommand({
      MaxResults: INSTANCE_PAGE,
      NextToken: token,
      Filters: [{ Name: 'instance-state-name', Values: LIVE_INSTANCE_STATES }],
    }));
    const subjects: Subject[] = [];
    for (const reservation of page.Reservations ?? []) {
      for (const instance of reservation.Instances ?? []) {
        if (!instance.InstanceId) continue;
        subjects.push({
          resourceType: INSTANCE,
          resourceId: instance.InstanceId,
          orderingTimestamp,
          ...instanceSources({ imageId: instance.ImageId, state: { name: instance.State?.Name } }),
        });
      }
    }
    return { subjects, nextToken: page.NextToken || undefined };
  }

  /** Launch templates' default versions, 200 at a time, without one call per template. */
  private async launchTemplatePage(orderingTimestamp: Date, token: string | undefined): Promise<SubjectPage> {
    const page = await this.clients.ec2.send(new DescribeLaunchTemplateVersionsCommand({ Versions: ['$Default'], MaxResults: LAUNCH_TEMPLATE_VERSION_PAGE, NextToken: token }));
    const subjects: Subject[] = [];
    for (const version of page.LaunchTemplateVersions ?? []) {
      if (!version.LaunchTemplateId) continue;
      // The default versions also serve the groups that launch from these templates.
      this.rememberTemplateVersion(version, '$Default');
      subjects.push({
        resourceType: LAUNCH_TEMPLATE,
        resourceId: version.LaunchTemplateId,
        orderingTimestamp,
        sources: launchTemplateSources(version.LaunchTemplateId),
      });
    }
    return { subjects, nextToken: page.NextToken || undefined };
  }

  /** Auto Scaling groups, 100 at a time, with their launch configurations read in bulk. */
  private async autoScalingGroupPage(orderingTimestamp: Date, token: string | undefined): Promise<SubjectPage> {
    const { DescribeAutoScalingGroupsCommand } = autoScalingSdk();
    const page = await this.clients.autoScaling().send(new DescribeAutoScalingGroupsCommand({
      MaxRecords: AUTO_SCALING_GROUP_PAGE, NextToken: token,
    }));
    const groups = page.AutoScalingGroups ?? [];
    await this.prefetchLaunchConfigurations(groups.map(group => group.LaunchConfigurationName).filter((name): name is string => !!name));
    const subjects: Subject[] = groups.filter(group => group.AutoScalingGroupName).map(group => ({
      resourceType: AUTO_SCALING_GROUP,
      // Config identifies a group by its ARN (its name is the item's resourceName).
      resourceId: group.AutoScalingGroupARN ?? group.AutoScalingGroupName!,
      orderingTimestamp,
      ...autoScalingGroupSources(groupShape(group)),
    }));
    return { subjects, nextToken: page.NextToken || undefined };
  }

  /** Resolves a page of subjects and looks up its AMIs in one go. */
  public async resolvePage(subjects: Subject[]): Promise<ResolvedImage[][]> {
    const resolved = await mapLimit(subjects, READ_CONCURRENCY, subject => this.resolve(subject));
    await this.imageFacts(amiIdsOf(resolved.flat()));
    return resolved;
  }

  /** Every image description gathered so far (absent: not found). */
  public knownImages(): Map<string, ImageFacts> {
    const result = new Map<string, ImageFacts>();
    for (const [id, facts] of this.images) if (facts) result.set(id, facts);
    return result;
  }
}

function templateKey(ref: LaunchTemplateRef): string {
  return `${ref.launchTemplateId ? `id:${ref.launchTemplateId}` : `name:${ref.launchTemplateName}`}@${ref.version}`;
}

function specShape(spec: LaunchTemplateSpecification | undefined) {
  return spec && { launchTemplateId: spec.LaunchTemplateId, launchTemplateName: spec.LaunchTemplateName, version: spec.Version };
}

/** DescribeAutoScalingGroups output in the configuration item's camelCase shape. */
export function groupShape(group: AutoScalingGroup): AutoScalingGroupShape {
  const mixed = group.MixedInstancesPolicy?.LaunchTemplate;
  return {
    launchConfigurationName: group.LaunchConfigurationName,
    launchTemplate: specShape(group.LaunchTemplate),
    mixedInstancesPolicy: mixed && {
      launchTemplate: {
        launchTemplateSpecification: specShape(mixed.LaunchTemplateSpecification),
        overrides: (mixed.Overrides ?? []).map(override => ({
          instanceType: override.InstanceType,
          launchTemplateSpecification: specShape(override.LaunchTemplateSpecification),
        })),
      },
    },
  };
}
