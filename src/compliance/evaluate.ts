import { ORGANIZATION_ID } from './private/organization-id';
import { ANCESTRY_LEVEL, REVOKED_LEVEL } from '../private/catalog';
import { AMI_ID } from '../private/patterns';

/**
 * The compliance rule's decisions, free of I/O: what a Config event asks for, what a resource
 * launches from, and whether that is an approved golden AMI. The handler gathers the facts
 * (catalog, image descriptions, launch templates) and sends the verdicts; everything it
 * decides is decided here.
 *
 * Internal to the package (not exported from the library's entry point).
 */

/** The resource types the rule evaluates, as AWS Config names them. */
export const INSTANCE = 'AWS::EC2::Instance';
export const LAUNCH_TEMPLATE = 'AWS::EC2::LaunchTemplate';
export const AUTO_SCALING_GROUP = 'AWS::AutoScaling::AutoScalingGroup';
export const RESOURCE_TYPES = [INSTANCE, LAUNCH_TEMPLATE, AUTO_SCALING_GROUP] as const;
export type ResourceType = typeof RESOURCE_TYPES[number];

export type ComplianceType = 'COMPLIANT' | 'NON_COMPLIANT' | 'NOT_APPLICABLE';

/**
 * Config's limit on an evaluation's annotation: PutEvaluations' Evaluation.Annotation is 1 to 256
 * characters (https://docs.aws.amazon.com/config/latest/APIReference/API_Evaluation.html).
 */
export const MAX_ANNOTATION_LENGTH = 256;
/** Config's limit on evaluations per PutEvaluations call. */
export const MAX_EVALUATIONS_PER_CALL = 100;

/** What the rule approves, as the construct renders it into the function's environment. */
export interface ApprovalPolicy {
  /** SSM parameter paths (a leading /, no trailing /): every AMI ID a parameter under them has held. */
  readonly catalogPaths: string[];
  /** SSM parameter names (GoldenImage parameters): every AMI ID they have held. */
  readonly parameterNames: string[];
  /**
   * Revocation lists outside `catalogPaths` (StringList, `<ami-id>=<reason>` entries; a missing
   * parameter revokes nothing). Those under a catalog path come with its GetParametersByPath read.
   */
  readonly revocationLists: string[];
  /**
   * Ancestry records outside `catalogPaths` (String, one JSON version per child build); those
   * under a catalog path are found by its read.
   */
  readonly ancestryRecords: string[];
  /** AMIs owned by these accounts. */
  readonly ownerAccounts: string[];
  /** AMIs owned by the evaluated account that carry all of these tags (empty: source not used). */
  readonly amiTags: Record<string, string>;
  /** AMIs older than this many days are non-compliant. */
  readonly maxAgeDays?: number;
  /** Deprecated AMIs stay compliant. */
  readonly allowDeprecated: boolean;
}

/** The settings the construct passes to the function. */
export interface RuleSettings {
  readonly policy: ApprovalPolicy;
  /** The resource types the rule evaluates; others are NOT_APPLICABLE. */
  readonly resourceTypes: ResourceType[];
  /** Organization rule: the role to assume in each evaluated account other than the function's. */
  readonly memberRoleName?: string;
  /** Organization rule: the organization whose accounts the function evaluates (set with memberRoleName). */
  readonly organizationId?: string;
}

/** What the SSM catalog says: the approved AMIs, the revoked ones and who descends from whom. */
export interface Catalog {
  /** Approved AMIs: AMI ID -> a parameter that has held it. */
  readonly amis: Map<string, string>;
  /** Revoked AMIs: AMI ID -> the reason (cleaned, see `cleanReason`); absent: nothing revoked. */
  readonly revoked?: Map<string, string>;
  /** Ancestry: child AMI ID -> the parent AMI IDs its records name; absent: no records. */
  readonly parents?: Map<string, string[]>;
}


/**
 * What a catalog parameter is, by its last level: a revocation list, an ancestry record, or a
 * parameter whose AMIs are approved. The AMIs named in the first two are never approved.
 */
export function catalogParameterKind(name: string): 'revocation' | 'ancestry' | 'approval' {
  const last = name.slice(name.lastIndexOf('/') + 1);
  if (last === REVOKED_LEVEL) return 'revocation';
  if (last === ANCESTRY_LEVEL) return 'ancestry';
  return 'approval';
}

/** The longest reason a revocation entry keeps (the trust-chain contract's limit). */
export const MAX_REVOCATION_REASON = 200;
/** How deep the rule follows ancestry (child, parent, grandparent...) before it stops trusting it. */
export const MAX_ANCESTRY_DEPTH = 5;
// C0 and C1 controls, DEL, and the Unicode line and paragraph separators: none may reach an
// annotation (they also hold the markers of `named`).
const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g;
const NO_REASON = 'no reason recorded';

/**
 * A revocation reason as the annotation shows it: control characters removed, white space
 * collapsed, at most MAX_REVOCATION_REASON characters. The list is written by the revoke
 * automation but readable by whoever may write the parameter, so nothing in it is trusted.
 */
export function cleanReason(reason: string): string {
  const clean = reason.replace(CONTROL_CHARACTERS, ' ').replace(/\s+/g, ' ').trim();
  if (clean === '') return NO_REASON;
  return clean.length > MAX_REVOCATION_REASON ? `${clean.slice(0, MAX_REVOCATION_REASON - ELLIPSIS.length)}${ELLIPSIS}` : clean;
}

/**
 * The entries of a revocation list (a StringList value: `<ami-id>=<reason>,...`) into `into`.
 * An entry whose AMI ID is not one is ignored; an entry with a valid AMI ID revokes it whatever
 * its reason looks like (a malformed reason never un-revokes). The first reason of an AMI stays.
 */
export function addRevocations(into: Map<string, string>, value: string | undefined): void {
  for (const entry of (value ?? '').split(',')) {
    const equals = entry.indexOf('=');
    const ami = (equals < 0 ? entry : entry.slice(0, equals)).trim();
    if (!AMI_ID.test(ami) || into.has(ami)) continue;
    into.set(ami, cleanReason(equals < 0 ? '' : entry.slice(equals + 1)));
  }
}

/**
 * One version of an ancestry record (JSON `{"ami", "parentAmi", "parentPipeline",
 * "parentParameter"}`) into `into` (child -> parents); a version that is not such JSON, or whose
 * AMI IDs are not AMI IDs, is ignored.
 */
export function addAncestry(into: Map<string, string[]>, value: string | undefined): void {
  let record: unknown;
  try {
    record = JSON.parse(value ?? '');
  } catch {
    return;
  }
  if (!record || typeof record !== 'object' || Array.isArray(record)) return;
  const { ami, parentAmi } = record as Record<string, unknown>;
  if (typeof ami !== 'string' || typeof parentAmi !== 'string' || !AMI_ID.test(ami) || !AMI_ID.test(parentAmi) || ami === parentAmi) return;
  const parents = into.get(ami) ?? [];
  if (!parents.includes(parentAmi)) into.set(ami, [...parents, parentAmi]);
}

/**
 * The ancestors of these AMIs the rule looks at (up to MAX_ANCESTRY_DEPTH generations), for one
 * DescribeImages lookup of those the catalog does not approve.
 */
export function ancestorsOf(catalog: Catalog, ids: Iterable<string>): string[] {
  const seen = new Set<string>(ids);
  const found: string[] = [];
  let generation = [...seen];
  for (let depth = 1; depth <= MAX_ANCESTRY_DEPTH && generation.length > 0; depth++) {
    const next: string[] = [];
    for (const child of generation) {
      for (const parent of catalog.parents?.get(child) ?? []) {
        if (seen.has(parent)) continue;
        seen.add(parent);
        found.push(parent);
        next.push(parent);
      }
    }
    generation = next;
  }
  return found;
}

/** What DescribeImages says about an AMI. */
export interface ImageFacts {
  readonly imageId: string;
  readonly ownerId: string;
  readonly creationDate?: string;
  readonly deprecationTime?: string;
  readonly state?: string;
  readonly tags: Record<string, string>;
}

/** A launch template version as an ASG or a launch template names it. */
export interface LaunchTemplateRef {
  readonly launchTemplateId?: string;
  readonly launchTemplateName?: string;
  /** A number, `$Latest` or `$Default`. */
  readonly version: string;
}

/** Something a resource launches from, before the handler looks it up. */
export interface LaunchSource {
  /** An image ID or `resolve:ssm:<parameter>`, known without a lookup. */
  readonly image?: string;
  readonly launchTemplate?: LaunchTemplateRef;
  readonly launchConfigurationName?: string;
  /** For the annotation: where this source sits in the resource (`mixed instances override 2`). */
  readonly via: string;
}

/** A resource to judge and what it launches from. */
export interface Subject {
  readonly resourceType: ResourceType;
  readonly resourceId: string;
  readonly orderingTimestamp: Date;
  /** When set, the resource is out of scope for this reason. */
  readonly notApplicable?: string;
  readonly sources: LaunchSource[];
}

/** An image a resource launches from, after lookups. */
export interface ResolvedImage {
  readonly via: string;
  /** An AMI ID or `resolve:ssm:<parameter>[:<version>]`; undefined when the source names no image. */
  readonly image?: string;
  /** Set when the source could not be looked up (a deleted launch template, say). */
  readonly missing?: string;
}

/** What the handler found out, for `evaluate`. */
export interface Facts {
  readonly accountId: string;
  readonly now: Date;
  readonly catalog: Catalog;
  /** AMI ID -> its description; absent: not found (deregistered, or not shared with the account). */
  readonly images: Map<string, ImageFacts>;
}

/** One evaluation, as PutEvaluations takes it. */
export interface Verdict {
  readonly ComplianceResourceType: string;
  readonly ComplianceResourceId: string;
  readonly ComplianceType: ComplianceType;
  readonly Annotation: string;
  readonly OrderingTimestamp: Date;
}

/** A Config event that cannot be evaluated: the message says what is wrong with it. */
export class MalformedEventError extends Error {
  constructor(message: string) {
    super(`Malformed AWS Config rule event: ${message}`);
    this.name = 'MalformedEventError';
  }
}

/** A Config rule event, as it reaches the function. */
export interface RuleEvent {
  readonly invokingEvent?: unknown;
  readonly ruleParameters?: unknown;
  readonly resultToken?: unknown;
  readonly eventLeftScope?: unknown;
  readonly accountId?: unknown;
  readonly executionRoleArn?: unknown;
  readonly configRuleName?: unknown;
  /** Set by the function itself when it continues a periodic sweep in a new invocation. */
  readonly goldenAmiSweepContinuation?: unknown;
}

/** Where a periodic sweep resumes: a resource type and that listing's page token. */
export interface SweepPosition {
  readonly resourceType: ResourceType;
  /** The page to read next; absent: the listing's first page. */
  readonly nextToken?: string;
}

/** A sweep handed to a new invocation, the how-many-th in its chain. */
export interface SweepContinuation extends SweepPosition {
  readonly continuation: number;
}

/**
 * The most invocations one periodic sweep is continued into. Each runs until a minute before
 * its timeout (10 minutes by default), so the cap is hours of listing; it stops a chain that
 * would otherwise never end.
 */
export const MAX_SWEEP_CONTINUATIONS = 50;

/** The three kinds of invocation, parsed and checked. */
export type ParsedEvent =
  | { readonly kind: 'change'; readonly resultToken: string; readonly accountId?: string; readonly eventLeftScope: boolean; readonly item: ConfigurationItem }
  | { readonly kind: 'oversized'; readonly resultToken: string; readonly accountId?: string; readonly eventLeftScope: boolean; readonly summary: ItemSummary }
  | { readonly kind: 'scheduled'; readonly resultToken: string; readonly accountId?: string; readonly notificationCreationTime: Date; readonly resumeFrom?: SweepContinuation };

/** The fields of a configuration item the rule reads. */
export interface ConfigurationItem {
  readonly resourceType: string;
  readonly resourceId: string;
  readonly resourceName?: string;
  readonly configurationItemStatus: string;
  readonly configurationItemCaptureTime: string;
  readonly configuration?: Record<string, unknown> | null;
}

/** The summary an oversized-item notification carries instead of the item. */
export interface ItemSummary {
  readonly resourceType: string;
  readonly resourceId: string;
  readonly resourceName?: string;
  readonly configurationItemStatus: string;
  readonly configurationItemCaptureTime: string;
}

const DELETED_STATUSES = new Set(['ResourceDeleted', 'ResourceDeletedNotRecorded', 'ResourceNotRecorded']);
const GONE_INSTANCE_STATES = new Set(['terminated', 'shutting-down']);
const RESOLVE_SSM = /^resolve:ssm:(.+?)(?::(\d+))?$/;

/** Parses and checks a Config rule event; throws MalformedEventError before anything is sent. */
export function parseEvent(event: RuleEvent | null | undefined): ParsedEvent {
  if (!event || typeof event !== 'object') {
    throw new MalformedEventError(`expected an object, got: ${JSON.stringify(event)}`);
  }
  const resultToken = event.resultToken;
  if (typeof resultToken !== 'string' || resultToken.length === 0) {
    throw new MalformedEventError('resultToken is missing (it is required to report evaluations)');
  }
  if (typeof event.invokingEvent !== 'string') {
    throw new MalformedEventError(`invokingEvent must be a JSON string, got: ${typeof event.invokingEvent}`);
  }
  let invoking: Record<string, unknown>;
  try {
    invoking = JSON.parse(event.invokingEvent);
  } catch (e) {
    throw new MalformedEventError(`invokingEvent is not valid JSON (${(e as Error).message})`);
  }
  if (!invoking || typeof invoking !== 'object') {
    throw new MalformedEventError('invokingEvent must be a JSON object');
  }
  const accountId = typeof event.accountId === 'string' ? event.accountId : undefined;
  const eventLeftScope = event.eventLeftScope === true || event.eventLeftScope === 'true';
  if (event.goldenAmiSweepContinuation !== undefined && invoking.messageType !== 'ScheduledNotification') {
    throw new MalformedEventError(`goldenAmiSweepContinuation continues periodic sweeps only, got it on: ${JSON.stringify(invoking.messageType)}`);
  }
  switch (invoking.messageType) {
    case 'ConfigurationItemChangeNotification':
      return { kind: 'change', resultToken, accountId, eventLeftScope, item: checkItem(invoking.configurationItem, 'configurationItem') as ConfigurationItem };
    case 'OversizedConfigurationItemChangeNotification':
      return { kind: 'oversized', resultToken, accountId, eventLeftScope, summary: checkItem(invoking.configurationItemSummary, 'configurationItemSummary') };
    case 'ScheduledNotification': {
      const time = new Date(String(invoking.notificationCreationTime));
      if (isNaN(time.getTime())) {
        throw new MalformedEventError(`notificationCreationTime is not a timestamp, got: ${JSON.stringify(invoking.notificationCreationTime)}`);
      }
      const resumeFrom = event.goldenAmiSweepContinuation === undefined ? undefined : checkContinuation(event.goldenAmiSweepContinuation);
      return { kind: 'scheduled', resultToken, accountId, notificationCreationTime: time, ...(resumeFrom ? { resumeFrom } : {}) };
    }
    default:
      throw new MalformedEventError(`unknown messageType: ${JSON.stringify(invoking.messageType)}`);
  }
}

function checkContinuation(value: unknown): SweepContinuation {
  const field = 'goldenAmiSweepContinuation';
  if (!value || typeof value !== 'object') {
    throw new MalformedEventError(`${field} must be an object, got: ${JSON.stringify(value)}`);
  }
  const { resourceType, nextToken, continuation } = value as Record<string, unknown>;
  if (typeof resourceType !== 'string' || !isResourceType(resourceType)) {
    throw new MalformedEventError(`${field}.resourceType must be one of ${RESOURCE_TYPES.join(', ')}, got: ${JSON.stringify(resourceType)}`);
  }
  if (nextToken !== undefined && (typeof nextToken !== 'string' || nextToken === '')) {
    throw new MalformedEventError(`${field}.nextToken must be a page token, got: ${JSON.stringify(nextToken)}`);
  }
  if (typeof continuation !== 'number' || !Number.isInteger(continuation) || continuation < 1 || continuation > MAX_SWEEP_CONTINUATIONS) {
    throw new MalformedEventError(`${field}.continuation must be an integer from 1 to ${MAX_SWEEP_CONTINUATIONS}, got: ${JSON.stringify(continuation)}`);
  }
  return { resourceType, continuation, ...(nextToken ? { nextToken } : {}) };
}

function checkItem(value: unknown, name: string): ItemSummary {
  if (!value || typeof value !== 'object') {
    throw new MalformedEventError(`${name} is missing`);
  }
  const item = value as Record<string, unknown>;
  for (const field of ['resourceType', 'resourceId', 'configurationItemStatus', 'configurationItemCaptureTime']) {
    if (typeof item[field] !== 'string' || item[field] === '') {
      throw new MalformedEventError(`${name}.${field} is missing`);
    }
  }
  if (isNaN(new Date(item.configurationItemCaptureTime as string).getTime())) {
    throw new MalformedEventError(`${name}.configurationItemCaptureTime is not a timestamp, got: '${item.configurationItemCaptureTime}'`);
  }
  return item as unknown as ItemSummary;
}

function isResourceType(value: string): value is ResourceType {
  return (RESOURCE_TYPES as readonly string[]).includes(value);
}

/**
 * Whether a resource is out of scope before its configuration is read: the reason, or
 * undefined. Deleted items, items that left the rule's scope and types the rule does not
 * evaluate are NOT_APPLICABLE.
 */
export function outOfScope(resourceType: string, status: string, eventLeftScope: boolean, enabled: ResourceType[]): string | undefined {
  if (eventLeftScope) return 'the resource left the scope of the rule';
  if (DELETED_STATUSES.has(status)) return `the resource is deleted or no longer recorded (${status})`;
  if (!isResourceType(resourceType) || !enabled.includes(resourceType)) return `${resourceType} is not evaluated by this rule`;
  return undefined;
}

/** The subject of a configuration-change event: what the resource launches from, from its item. */
export function subjectFromItem(item: ConfigurationItem, eventLeftScope: boolean, enabled: ResourceType[]): Subject {
  const orderingTimestamp = new Date(item.configurationItemCaptureTime);
  const resourceType = item.resourceType as ResourceType;
  const base = { resourceType, resourceId: item.resourceId, orderingTimestamp };
  const skip = outOfScope(item.resourceType, item.configurationItemStatus, eventLeftScope, enabled);
  if (skip) return { ...base, notApplicable: skip, sources: [] };
  const configuration = item.configuration;
  if (!configuration || typeof configuration !== 'object') {
    throw new MalformedEventError(`configurationItem.configuration is missing for ${item.resourceType} ${item.resourceId}`);
  }
  switch (resourceType) {
    case INSTANCE:
      return { ...base, ...instanceSources(configuration as InstanceShape) };
    case LAUNCH_TEMPLATE:
      return { ...base, sources: launchTemplateSources(item.resourceId) };
    case AUTO_SCALING_GROUP:
      return { ...base, ...autoScalingGroupSources(configuration as AutoScalingGroupShape) };
  }
}

/** The fields of an instance the rule reads (configuration item or DescribeInstances, camelCased). */
export interface InstanceShape {
  readonly imageId?: string;
  readonly state?: { readonly name?: string };
}

export function instanceSources(instance: InstanceShape): Pick<Subject, 'sources' | 'notApplicable'> {
  const state = instance.state?.name;
  if (state && GONE_INSTANCE_STATES.has(state)) {
    return { notApplicable: `the instance is ${state}`, sources: [] };
  }
  return { sources: [{ via: 'instance', image: instance.imageId ?? '' }] };
}

/** A launch template is judged by its default version, the one launches use unless told otherwise. */
export function launchTemplateSources(launchTemplateId: string): LaunchSource[] {
  return [{ via: 'default version', launchTemplate: { launchTemplateId, version: '$Default' } }];
}

interface LaunchTemplateSpecShape {
  readonly launchTemplateId?: string;
  readonly launchTemplateName?: string;
  readonly version?: string;
}

/** The fields of an Auto Scaling group the rule reads (configuration item or DescribeAutoScalingGroups, camelCased). */
export interface AutoScalingGroupShape {
  readonly launchConfigurationName?: string;
  readonly launchTemplate?: LaunchTemplateSpecShape;
  readonly mixedInstancesPolicy?: {
    readonly launchTemplate?: {
      readonly launchTemplateSpecification?: LaunchTemplateSpecShape;
      readonly overrides?: Array<{ readonly instanceType?: string; readonly launchTemplateSpecification?: LaunchTemplateSpecShape }>;
    };
  };
}

/**
 * What an Auto Scaling group launches from: its launch configuration, its launch template, or
 * the launch template of its mixed instances policy and the per-instance-type templates of its
 * overrides. A group with none of these is left NOT_APPLICABLE.
 */
export function autoScalingGroupSources(group: AutoScalingGroupShape): Pick<Subject, 'sources' | 'notApplicable'> {
  const sources: LaunchSource[] = [];
  if (group.launchConfigurationName) {
    sources.push({ via: `launch configuration ${group.launchConfigurationName}`, launchConfigurationName: group.launchConfigurationName });
  }
  const template = toRef(group.launchTemplate);
  if (template) sources.push({ via: `launch template ${describeRef(template)}`, launchTemplate: template });
  const mixed = group.mixedInstancesPolicy?.launchTemplate;
  const mixedTemplate = toRef(mixed?.launchTemplateSpecification);
  if (mixedTemplate) sources.push({ via: `mixed instances launch template ${describeRef(mixedTemplate)}`, launchTemplate: mixedTemplate });
  (mixed?.overrides ?? []).forEach((override, i) => {
    const ref = toRef(override.launchTemplateSpecification);
    if (ref) {
      sources.push({ via: `mixed instances override ${i + 1}${override.instanceType ? ` (${override.instanceType})` : ''} launch template ${describeRef(ref)}`, launchTemplate: ref });
    }
  });
  if (sources.length === 0) return { notApplicable: 'the group has no launch template or launch configuration', sources };
  return { sources };
}

function toRef(spec: LaunchTemplateSpecShape | undefined): LaunchTemplateRef | undefined {
  if (!spec || (!spec.launchTemplateId && !spec.launchTemplateName)) return undefined;
  return { launchTemplateId: spec.launchTemplateId || undefined, launchTemplateName: spec.launchTemplateName || undefined, version: spec.version || '$Default' };
}

export function describeRef(ref: LaunchTemplateRef): string {
  return `${ref.launchTemplateId ?? ref.launchTemplateName} version ${ref.version}`;
}

/** The AMI IDs among resolved images, for one DescribeImages lookup. */
export function amiIdsOf(images: Iterable<ResolvedImage>): string[] {
  const ids = new Set<string>();
  for (const { image } of images) {
    if (image && AMI_ID.test(image)) ids.add(image);
  }
  return [...ids];
}

/** The SSM parameter a `resolve:ssm:` image names, or undefined. */
export function parseResolveSsm(image: string): { parameter: string; version?: number } | undefined {
  const match = RESOLVE_SSM.exec(image);
  if (!match) return undefined;
  return { parameter: match[1], version: match[2] === undefined ? undefined : Number(match[2]) };
}

/** Whether an SSM parameter name is approved: a GoldenImage parameter, or under a catalog path. */
export function isApprovedParameter(policy: ApprovalPolicy, parameter: string): boolean {
  const name = parameter.startsWith('/') ? parameter : `/${parameter}`;
  // A revocation list or an ancestry record names AMIs; it never holds an approved one.
  if (catalogParameterKind(name) !== 'approval') return false;
  return policy.parameterNames.includes(name) || policy.catalogPaths.some(path => name.startsWith(`${path}/`));
}

/** Whether the policy approves from the SSM catalog. */
export function usesCatalog(policy: ApprovalPolicy): boolean {
  return policy.catalogPaths.length > 0 || policy.parameterNames.length > 0;
}

/** Whether the handler reads the SSM catalog at all (approvals, revocations or ancestry). */
export function readsCatalog(policy: ApprovalPolicy): boolean {
  return usesCatalog(policy) || policy.revocationLists.length > 0 || policy.ancestryRecords.length > 0;
}

interface ImageJudgement {
  readonly compliant: boolean;
  readonly reason: string;
}

/** judgeImageMarked's answer: a revocation's words come first in an annotation, with the AMI after them. */
interface MarkedJudgement extends ImageJudgement {
  /** Set when the AMI or an ancestor is revoked: `revoked: <reason>` or `revoked: parent <ami>: <reason>`. */
  readonly revoked?: string;
}

const DAY_MS = 24 * 60 * 60 * 1000;

/** Judges one AMI against the policy. */
export function judgeImage(policy: ApprovalPolicy, facts: Facts, imageId: string): ImageJudgement {
  const judgement = judgeImageMarked(policy, facts, imageId);
  return { compliant: judgement.compliant, reason: unmark(judgement.reason) };
}

/** What approves an AMI that exists (marked names), in the order of the sources. */
function approvalsOf(policy: ApprovalPolicy, facts: Facts, imageId: string, image: ImageFacts | undefined): string[] {
  const approvals: string[] = [];
  const inCatalog = facts.catalog.amis.get(imageId);
  if (inCatalog) approvals.push(`SSM catalog ${named(inCatalog)}`);
  if (!image || image.state === 'deregistered') return approvals;
  if (policy.ownerAccounts.includes(image.ownerId)) approvals.push(`owner account ${image.ownerId}`);
  const tagKeys = Object.keys(policy.amiTags);
  if (tagKeys.length > 0 && image.ownerId === facts.accountId && tagKeys.every(key => image.tags[key] === policy.amiTags[key])) {
    approvals.push(`AMI tags ${named(tagKeys.map(key => `${key}=${policy.amiTags[key]}`).join(','))}`);
  }
  return approvals;
}

/** Why no source approves an AMI that exists. */
function approvalFailures(policy: ApprovalPolicy, facts: Facts, image: ImageFacts): string[] {
  const failed: string[] = [];
  if (usesCatalog(policy)) failed.push('not in the SSM catalog');
  if (policy.ownerAccounts.length > 0) failed.push(`owner ${image.ownerId} not approved`);
  if (Object.keys(policy.amiTags).length > 0) {
    failed.push(image.ownerId === facts.accountId ? 'approval tags missing' : `tags of AMIs owned by ${image.ownerId} are not visible here`);
  }
  return failed;
}

/**
 * What is wrong with an AMI's ancestry, or undefined: every ancestor its ancestry records name
 * (up to MAX_ANCESTRY_DEPTH generations) must be approved and not revoked. An ancestor's
 * approval is the catalog's (an old base may be deregistered by its lifecycle while its children
 * still run), or its owner account's or tags'; its deprecation and age are its children's
 * business, not checked here. A cycle in the records ends the walk where it closes.
 */
function ancestryProblem(policy: ApprovalPolicy, facts: Facts, imageId: string): { revoked?: string; reason?: string } | undefined {
  if (!facts.catalog.parents) return undefined;
  const seen = new Set([imageId]);
  let generation = [imageId];
  for (let depth = 1; generation.length > 0; depth++) {
    const next: string[] = [];
    for (const child of generation) {
      for (const parent of facts.catalog.parents.get(child) ?? []) {
        if (seen.has(parent)) continue;
        seen.add(parent);
        const through = depth === 1 ? '' : ` (an ancestor of ${imageId} through ${child})`;
        const reason = facts.catalog.revoked?.get(parent);
        if (reason !== undefined) return { revoked: `revoked: parent ${parent}: ${named(reason)}${through}` };
        if (depth > MAX_ANCESTRY_DEPTH) {
          return { reason: `${imageId} descends from more than ${MAX_ANCESTRY_DEPTH} generations of images (ancestry records); the rule does not trust ancestry that deep` };
        }
        const image = facts.images.get(parent);
        if (approvalsOf(policy, facts, parent, image).length === 0) {
          const why = !image || image.state === 'deregistered' ? 'not in the SSM catalog, and deregistered or not shared with this account' : approvalFailures(policy, facts, image).join('; ');
          return { reason: `parent ${parent} of ${child} is not an approved golden AMI: ${why}${through}` };
        }
        next.push(parent);
      }
    }
    generation = next;
  }
  return undefined;
}

/** judgeImage with the names in its reason marked (`named`), for `fitAnnotation`. */
function judgeImageMarked(policy: ApprovalPolicy, facts: Facts, imageId: string): MarkedJudgement {
  // A revocation stands before anything else: a revoked AMI is disabled, so it is not even found.
  const ownRevocation = facts.catalog.revoked?.get(imageId);
  const ancestry = ancestryProblem(policy, facts, imageId);
  const revoked = ownRevocation !== undefined ? `revoked: ${named(ownRevocation)}` : ancestry?.revoked;
  if (revoked) return { compliant: false, reason: `${revoked} (${imageId})`, revoked };
  const image = facts.images.get(imageId);
  const inCatalog = facts.catalog.amis.get(imageId);
  if (!image || image.state === 'deregistered') {
    const known = inCatalog ? ` (it was published to ${named(inCatalog)})` : '';
    return { compliant: false, reason: `${imageId} is deregistered or not shared with this account${known}` };
  }
  const approvals = approvalsOf(policy, facts, imageId, image);
  if (approvals.length === 0) {
    return { compliant: false, reason: `unknown AMI ${imageId}: ${approvalFailures(policy, facts, image).join('; ')}` };
  }
  if (ancestry?.reason) return { compliant: false, reason: ancestry.reason };
  if (!policy.allowDeprecated && image.deprecationTime) {
    const deprecation = new Date(image.deprecationTime);
    if (!isNaN(deprecation.getTime()) && deprecation.getTime() <= facts.now.getTime()) {
      return { compliant: false, reason: `${imageId} is deprecated since ${image.deprecationTime}` };
    }
  }
  if (policy.maxAgeDays !== undefined && image.creationDate) {
    const created = new Date(image.creationDate);
    const ageDays = Math.floor((facts.now.getTime() - created.getTime()) / DAY_MS);
    if (!isNaN(ageDays) && ageDays > policy.maxAgeDays) {
      return { compliant: false, reason: `${imageId} is ${ageDays} days old, older than the maximum age of ${policy.maxAgeDays} days` };
    }
  }
  return { compliant: true, reason: `${imageId} approved by ${approvals[0]}` };
}

/**
 * The verdict on one resource. Every image it launches from must be approved; the first one
 * that is not names the reason. A resource that names no image at all is NOT_APPLICABLE.
 * Revocations lead the annotation (`revoked: <reason> (<ami> in <where>)`), so that it starts
 * with `revoked:` whatever resource runs on the image.
 */
export function evaluate(subject: Subject, images: ResolvedImage[], policy: ApprovalPolicy, facts: Facts): Verdict {
  const verdict = (complianceType: ComplianceType, annotation: string[]): Verdict => ({
    ComplianceResourceType: subject.resourceType,
    ComplianceResourceId: subject.resourceId,
    ComplianceType: complianceType,
    Annotation: fitAnnotation(annotation),
    OrderingTimestamp: subject.orderingTimestamp,
  });
  if (subject.notApplicable) return verdict('NOT_APPLICABLE', [subject.notApplicable]);
  const revocations: string[] = [];
  const reasons: string[] = [];
  let judged = 0;
  for (const resolved of images) {
    // Where in the resource the source sits may be shortened; the reason after it may not.
    const prefix = subject.resourceType === INSTANCE ? '' : `${named(resolved.via)}: `;
    if (resolved.missing) {
      reasons.push(`${prefix}${resolved.missing}`);
      continue;
    }
    if (!resolved.image) continue;
    judged++;
    const ssm = parseResolveSsm(resolved.image);
    if (ssm) {
      if (!isApprovedParameter(policy, ssm.parameter)) {
        reasons.push(`${prefix}SSM parameter ${named(ssm.parameter)} is not an approved golden AMI parameter`);
      }
      continue;
    }
    if (!AMI_ID.test(resolved.image)) {
      reasons.push(`${prefix}'${named(resolved.image)}' is not an AMI ID`);
      continue;
    }
    const judgement = judgeImageMarked(policy, facts, resolved.image);
    if (judgement.revoked) {
      revocations.push(`${judgement.revoked} (${resolved.image}${subject.resourceType === INSTANCE ? '' : ` in ${named(resolved.via)}`})`);
    } else if (!judgement.compliant) {
      reasons.push(`${prefix}${judgement.reason}`);
    }
  }
  if (revocations.length + reasons.length > 0) return verdict('NON_COMPLIANT', [...revocations, ...reasons]);
  if (judged === 0) return verdict('NOT_APPLICABLE', ['no image is specified']);
  return verdict('COMPLIANT', images.filter(i => i.image).map(i => {
    const ssm = parseResolveSsm(i.image!);
    const what = ssm ? `resolve:ssm:${named(ssm.parameter)} (approved parameter)` : judgeImageMarked(policy, facts, i.image!).reason;
    return subject.resourceType === INSTANCE ? what : `${named(i.via)}: ${what}`;
  }));
}

/*
 * Annotations are built from reasons (one per launch source) in which names (SSM parameters,
 * launch templates, tag lists, where a source sits) are marked. When the whole does not fit
 * Config's limit, the names are shortened in their middle first, then the last reasons are
 * counted instead of shown: a reason's own words are never cut, unless a single reason is
 * longer than the limit with every name at its shortest.
 */
const NAME_START = '\u0001';
const NAME_END = '\u0002';
const MARKED_NAME = /\u0001([^\u0001\u0002]*)\u0002/g;
const REASON_SEPARATOR = ' | ';
const ELLIPSIS = '...';
/** Names are not shortened below this: an AMI ID (21 characters) stays whole. */
const SHORTEST_NAME = 24;

/** Marks a name in an annotation that may be shortened to fit Config's limit. */
export function named(value: string): string {
  return `${NAME_START}${value}${NAME_END}`;
}

function unmark(text: string): string {
  return text.replace(MARKED_NAME, (_, name: string) => name);
}

function shortenNames(text: string, longest: number): string {
  return text.replace(MARKED_NAME, (_, name: string) => {
    if (name.length <= longest) return name;
    const keep = longest - ELLIPSIS.length;
    const head = Math.ceil(keep / 2);
    return `${name.slice(0, head)}${ELLIPSIS}${name.slice(name.length - (keep - head))}`;
  });
}

/**
 * The annotation for these reasons within `max` characters (Config's limit): names shortened
 * before any reason is left out, and a reason's words kept whole.
 */
export function fitAnnotation(reasons: string[], max: number = MAX_ANNOTATION_LENGTH): string {
  const render = (longest: number, shown: number) =>
    [...reasons.slice(0, shown).map(reason => shortenNames(reason, longest)), ...(shown < reasons.length ? [`+${reasons.length - shown} more`] : [])].join(REASON_SEPARATOR);
  const whole = render(Number.POSITIVE_INFINITY, reasons.length);
  if (whole.length <= max) return whole;
  const longestName = Math.max(0, ...reasons.flatMap(reason => [...reason.matchAll(MARKED_NAME)].map(match => match[1].length)));
  // As many whole reasons as fit, each with its names as long as they can stay (the length
  // only shrinks with the names, so the longest that fits is found by bisection).
  for (let shown = reasons.length; shown >= 1; shown--) {
    if (render(SHORTEST_NAME, shown).length > max) continue;
    let [fits, tooLong] = [SHORTEST_NAME, Math.max(longestName, SHORTEST_NAME) + 1];
    while (tooLong - fits > 1) {
      const middle = Math.floor((fits + tooLong) / 2);
      if (render(middle, shown).length <= max) fits = middle;
      else tooLong = middle;
    }
    return render(fits, shown);
  }
  // One reason longer than the limit even with its names at their shortest.
  const first = render(SHORTEST_NAME, 1);
  return `${first.slice(0, max - ELLIPSIS.length)}${ELLIPSIS}`;
}

/** Splits evaluations into PutEvaluations calls. */
export function batches<T>(items: T[], size: number = MAX_EVALUATIONS_PER_CALL): T[][] {
  const result: T[][] = [];
  for (let i = 0; i < items.length; i += size) result.push(items.slice(i, i + size));
  return result;
}

/** The environment variable the construct renders the settings into. */
export const SETTINGS_VARIABLE = 'GOLDEN_AMI_RULE_SETTINGS';
/** How much of an unusable settings value an error shows. */
const SHOWN_SETTINGS = 120;

/** Reads the settings the construct rendered into the environment; throws when they are unusable. */
export function parseSettings(json: string | undefined): RuleSettings {
  if (!json) throw new Error(`${SETTINGS_VARIABLE} is not set: the function must be deployed by GoldenAmiComplianceRule`);
  let raw: Partial<RuleSettings>;
  try {
    raw = JSON.parse(json) as Partial<RuleSettings>;
  } catch (e) {
    const shown = json.length > SHOWN_SETTINGS ? `${json.slice(0, SHOWN_SETTINGS)}... (${json.length} characters)` : json;
    throw new Error(`${SETTINGS_VARIABLE} is not valid JSON (${(e as Error).message}), got: '${shown}'`);
  }
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) {
    throw new Error(`${SETTINGS_VARIABLE} must be a JSON object, got: '${json.slice(0, SHOWN_SETTINGS)}'`);
  }
  const policy = raw.policy as Partial<ApprovalPolicy> | undefined;
  if (!policy) throw new Error(`${SETTINGS_VARIABLE} has no policy`);
  const settings: RuleSettings = {
    policy: {
      catalogPaths: policy.catalogPaths ?? [],
      parameterNames: policy.parameterNames ?? [],
      revocationLists: policy.revocationLists ?? [],
      ancestryRecords: policy.ancestryRecords ?? [],
      ownerAccounts: policy.ownerAccounts ?? [],
      amiTags: policy.amiTags ?? {},
      maxAgeDays: policy.maxAgeDays,
      allowDeprecated: policy.allowDeprecated ?? false,
    },
    resourceTypes: (raw.resourceTypes ?? [...RESOURCE_TYPES]).filter(isResourceType),
    memberRoleName: raw.memberRoleName,
    ...(raw.organizationId !== undefined ? { organizationId: raw.organizationId } : {}),
  };
  const p = settings.policy;
  if (!usesCatalog(p) && p.ownerAccounts.length === 0 && Object.keys(p.amiTags).length === 0) {
    throw new Error(`${SETTINGS_VARIABLE} approves nothing`);
  }
  // An organization rule assumes roles only in its organization: without the ID it has no boundary.
  if (settings.memberRoleName !== undefined && (typeof settings.organizationId !== 'string' || !ORGANIZATION_ID.test(settings.organizationId))) {
    throw new Error(`${SETTINGS_VARIABLE} organizationId must be an organization ID (o- and 10 to 32 lowercase letters or digits) when memberRoleName is set, got: '${settings.organizationId}'`);
  }
  return settings;
}
