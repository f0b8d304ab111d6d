import {
  AUTO_SCALING_GROUP,
  Facts,
  INSTANCE,
  LAUNCH_TEMPLATE,
  MAX_SWEEP_CONTINUATIONS,
  ParsedEvent,
  ResourceType,
  RuleEvent,
  RuleSettings,
  SETTINGS_VARIABLE,
  Subject,
  SweepContinuation,
  SweepPosition,
  Verdict,
  amiIdsOf,
  evaluate,
  outOfScope,
  parseEvent,
  parseSettings,
  subjectFromItem,
  readsCatalog,
} from './evaluate';
import { AwsClients, AwsFacts, RefusedAccountError, clientsForAccount, ownLambdaClient } from './runtime/aws-facts';
import { EvaluationSender } from './runtime/evaluation-sender';
import { continueSweep } from './runtime/sweep-continuation';

/**
 * The GoldenAmiComplianceRule function: AWS Config invokes it on configuration changes
 * (oversized items included) and periodically. It gathers the facts with AwsFacts, judges
 * each resource with the pure `evaluate`, and reports with EvaluationSender. A periodic sweep
 * that would outlast the function's timeout hands the rest to a new invocation of itself.
 */

/** What an invocation did, returned for logs and tests. */
export interface InvocationSummary {
  readonly kind: ParsedEvent['kind'];
  readonly evaluations: number;
  readonly compliance: Record<string, number>;
  readonly putEvaluationsCalls: number;
  /** False when a periodic sweep stopped before its end to finish inside the function's timeout. */
  readonly complete: boolean;
  /** Where the next invocation resumes the sweep, when this one handed the rest on. */
  readonly continuation?: SweepContinuation;
  /** Why the invocation evaluated nothing: the event's account is not one the rule evaluates. */
  readonly refused?: string;
}

/**
 * A sweep starts no new page with less time left than this: a page and its evaluations take
 * seconds, and the evaluations in flight and the continuation must be sent before the timeout.
 */
export const SWEEP_SAFETY_MARGIN_MS = 60_000;

/** The parts of the Lambda context the handler reads. */
export interface InvocationContext {
  readonly invokedFunctionArn?: string;
  readonly functionName?: string;
  getRemainingTimeInMillis?(): number;
}

export async function handler(event: RuleEvent, context: InvocationContext = {}): Promise<InvocationSummary> {
  // Checked before any call: a malformed event fails loudly and reports nothing half-done.
  const parsed = parseEvent(event);
  const settings = parseSettings(process.env[SETTINGS_VARIABLE]);
  const [, arnPartition, , , ownAccount] = (context.invokedFunctionArn ?? '').split(':');
  const accountId = parsed.accountId ?? ownAccount ?? '';
  let clients: AwsClients;
  try {
    clients = await clientsForAccount(settings, parsed.accountId, ownAccount, arnPartition || 'aws');
  } catch (e) {
    if (!(e instanceof RefusedAccountError)) throw e;
    // Returned, not thrown: Lambda would retry a failed asynchronous invocation twice.
    console.warn(JSON.stringify({ message: e.message, accountId: e.accountId, kind: parsed.kind }));
    return { kind: parsed.kind, evaluations: 0, compliance: {}, putEvaluationsCalls: 0, complete: true, refused: e.message };
  }
  const facts = new AwsFacts(clients, settings);
  const sender = new EvaluationSender(clients.config, parsed.resultToken);
  const compliance: Record<string, number> = {};
  const report = async (verdict: Verdict) => {
    compliance[verdict.ComplianceType] = (compliance[verdict.ComplianceType] ?? 0) + 1;
    await sender.add(verdict);
  };

  let stoppedAt: SweepPosition | undefined;
  try {
    if (parsed.kind === 'scheduled') {
      const timeLeft = () => context.getRemainingTimeInMillis?.() ?? Number.POSITIVE_INFINITY;
      stoppedAt = await sweep(settings, facts, parsed.notificationCreationTime, accountId, report, timeLeft, parsed.resumeFrom);
    } else {
      const subject = await subjectOf(parsed, settings, facts);
      const [verdict] = await judge([subject], settings, facts, accountId);
      await report(verdict);
    }
  } finally {
    // Whatever was judged before a failure is still delivered.
    await sender.flush();
  }
  // Only after every evaluation so far was delivered: the next invocation starts where this one stopped.
  const continuation = stoppedAt && parsed.kind === 'scheduled'
    ? await handOn(event, context, stoppedAt, (parsed.resumeFrom?.continuation ?? 0) + 1)
    : undefined;
  const summary: InvocationSummary = {
    kind: parsed.kind,
    evaluations: Object.values(compliance).reduce((a, b) => a + b, 0),
    compliance,
    putEvaluationsCalls: sender.calls,
    complete: !stoppedAt,
    ...(continuation ? { continuation } : {}),
  };
  console.log(JSON.stringify({ message: continuation ? 'evaluated, sweep continues in a new invocation' : 'evaluated', ...summary }));
  return summary;
}

/** Continues the sweep in a new invocation; undefined when it cannot (it says why). */
async function handOn(
  event: RuleEvent,
  context: InvocationContext,
  position: SweepPosition,
  continuation: number,
): Promise<SweepContinuation | undefined> {
  const functionName = context.functionName ?? context.invokedFunctionArn;
  if (continuation > MAX_SWEEP_CONTINUATIONS || !functionName) {
    // Evaluations sent stand; the rest keep their previous result until the next run.
    console.error(JSON.stringify({
      message: `periodic sweep stopped before its end: ${functionName ? `it was already continued ${MAX_SWEEP_CONTINUATIONS} times` : 'the function name is unknown'}; raise the timeout or the memory (CPU) of the function`,
      position,
    }));
    return undefined;
  }
  const next: SweepContinuation = { ...position, continuation };
  await continueSweep(ownLambdaClient(), functionName, event, next);
  return next;
}

async function subjectOf(parsed: Exclude<ParsedEvent, { kind: 'scheduled' }>, settings: RuleSettings, facts: AwsFacts): Promise<Subject> {
  if (parsed.kind === 'change') return subjectFromItem(parsed.item, parsed.eventLeftScope, settings.resourceTypes);
  // An oversized item arrives as a summary: read the resource from its service instead.
  const summary = parsed.summary;
  const base = {
    resourceType: summary.resourceType as ResourceType,
    resourceId: summary.resourceId,
    orderingTimestamp: new Date(summary.configurationItemCaptureTime),
  };
  const skip = outOfScope(summary.resourceType, summary.configurationItemStatus, parsed.eventLeftScope, settings.resourceTypes);
  if (skip) return { ...base, notApplicable: skip, sources: [] };
  return { ...base, ...(await facts.describeOne(summary.resourceType, summary.resourceId, summary.resourceName)) };
}

async function judge(subjects: Subject[], settings: RuleSettings, facts: AwsFacts, accountId: string): Promise<Verdict[]> {
  const resolved = await facts.resolvePage(subjects);
  const amis = amiIdsOf(resolved.flat());
  const catalog = readsCatalog(settings.policy) && amis.length > 0
    ? await facts.catalog()
    : { amis: new Map<string, string>() };
  // Ancestors outside the catalog may be approved by their owner account or tags.
  await facts.ancestorFacts(catalog, amis);
  const known: Facts = { accountId, now: new Date(), catalog, images: facts.knownImages() };
  return subjects.map((subject, i) => evaluate(subject, resolved[i], settings.policy, known));
}

/** Launch templates first: their default versions, read in bulk, also serve the groups. */
const SWEEP_ORDER: readonly ResourceType[] = [LAUNCH_TEMPLATE, INSTANCE, AUTO_SCALING_GROUP];

/**
 * The periodic run: every resource of every evaluated type, page by page, from `start`.
 * Returns where it stopped when time ran short, undefined at the end. Every invocation
 * evaluates at least one page, so a chain of continuations always moves on.
 */
async function sweep(
  settings: RuleSettings,
  facts: AwsFacts,
  orderingTimestamp: Date,
  accountId: string,
  report: (verdict: Verdict) => Promise<void>,
  timeLeft: () => number,
  start?: SweepPosition,
): Promise<SweepPosition | undefined> {
  let pages = 0;
  const shortOfTime = () => pages > 0 && timeLeft() < SWEEP_SAFETY_MARGIN_MS;
  let token = start?.nextToken;
  for (const type of SWEEP_ORDER.slice(start ? SWEEP_ORDER.indexOf(start.resourceType) : 0)) {
    if (!settings.resourceTypes.includes(type)) {
      token = undefined;
      continue;
    }
    if (shortOfTime()) return { resourceType: type, ...(token ? { nextToken: token } : {}) };
    do {
      const page = await facts.page(type, orderingTimestamp, token);
      for (const verdict of await judge(page.subjects, settings, facts, accountId)) await report(verdict);
      pages++;
      token = page.nextToken;
      if (token && shortOfTime()) return { resourceType: type, nextToken: token };
    } while (token);
  }
  return undefined;
}
