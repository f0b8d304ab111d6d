import {
  AUTO_SCALING_GROUP,
  Facts,
  INSTANCE,
  LAUNCH_TEMPLATE,
  ParsedEvent,
  ResourceType,
  RuleEvent,
  RuleSettings,
  Subject,
  Verdict,
  amiIdsOf,
  evaluate,
  outOfScope,
  parseEvent,
  parseSettings,
  subjectFromItem,
  usesCatalog,
} from './evaluate';
import { AwsFacts, clientsForAccount } from './runtime/aws-facts';
import { EvaluationSender } from './runtime/evaluation-sender';

/**
 * The GoldenAmiComplianceRule function: AWS Config invokes it on configuration changes
 * (oversized items included) and periodically. It gathers the facts with AwsFacts, judges
 * each resource with the pure `evaluate`, and reports with EvaluationSender.
 */

/** What an invocation did, returned for logs and tests. */
export interface InvocationSummary {
  readonly kind: ParsedEvent['kind'];
  readonly evaluations: number;
  readonly compliance: Record<string, number>;
  readonly putEvaluationsCalls: number;
  /** False when a periodic sweep stopped early to finish inside the function's time limit. */
  readonly complete: boolean;
}

/** A sweep starts no new page with less time left than this (a page and its evaluations take seconds). */
export const SWEEP_SAFETY_MARGIN_MS = 60_000;

/** The parts of the Lambda context the handler reads. */
export interface InvocationContext {
  readonly invokedFunctionArn?: string;
  getRemainingTimeInMillis?(): number;
}

export async function handler(event: RuleEvent, context: InvocationContext = {}): Promise<InvocationSummary> {
  // Checked before any call: a malformed event fails loudly and reports nothing half-done.
  const parsed = parseEvent(event);
  const settings = parseSettings(process.env.GOLDEN_AMI_RULE_SETTINGS);
  const [, , , , ownAccount] = (context.invokedFunctionArn ?? '').split(':');
  const partition = (context.invokedFunctionArn ?? '').split(':')[1] || 'aws';
  const clients = await clientsForAccount(settings, parsed.accountId, ownAccount, partition);
  const facts = new AwsFacts(clients, settings);
  const sender = new EvaluationSender(clients.config, parsed.resultToken);
  const compliance: Record<string, number> = {};
  const report = async (verdict: Verdict) => {
    compliance[verdict.ComplianceType] = (compliance[verdict.ComplianceType] ?? 0) + 1;
    await sender.add(verdict);
  };

  let complete = true;
  try {
    if (parsed.kind === 'scheduled') {
      const timeLeft = () => context.getRemainingTimeInMillis?.() ?? Number.POSITIVE_INFINITY;
      complete = await sweep(settings, facts, parsed.notificationCreationTime, parsed.accountId ?? ownAccount ?? '', report, timeLeft);
    } else {
      const subject = await subjectOf(parsed, settings, facts);
      const [verdict] = await judge([subject], settings, facts, parsed.accountId ?? ownAccount ?? '');
      await report(verdict);
    }
  } finally {
    // Whatever was judged before a failure is still delivered.
    await sender.flush();
  }
  const summary: InvocationSummary = {
    kind: parsed.kind,
    evaluations: Object.values(compliance).reduce((a, b) => a + b, 0),
    compliance,
    putEvaluationsCalls: sender.calls,
    complete,
  };
  if (!complete) {
    // Evaluations sent stand; the rest keep their previous result until the next run.
    console.error(JSON.stringify({ message: 'periodic sweep stopped before the time limit; raise the timeout or the memory (CPU) of the function', ...summary }));
  }
  console.log(JSON.stringify({ message: 'evaluated', ...summary }));
  return summary;
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
  const catalog = usesCatalog(settings.policy) && amiIdsOf(resolved.flat()).length > 0
    ? await facts.catalog()
    : { amis: new Map<string, string>() };
  const known: Facts = { accountId, now: new Date(), catalog, images: facts.knownImages() };
  return subjects.map((subject, i) => evaluate(subject, resolved[i], settings.policy, known));
}

/** The periodic run: every resource of every evaluated type, page by page. */
async function sweep(
  settings: RuleSettings,
  facts: AwsFacts,
  orderingTimestamp: Date,
  accountId: string,
  report: (verdict: Verdict) => Promise<void>,
  timeLeft: () => number,
): Promise<boolean> {
  // Launch templates first: their default versions, read in bulk, also serve the groups.
  const listings: Array<[ResourceType, () => AsyncGenerator<Subject[]>]> = [
    [LAUNCH_TEMPLATE, () => facts.launchTemplatePages(orderingTimestamp)],
    [INSTANCE, () => facts.instancePages(orderingTimestamp)],
    [AUTO_SCALING_GROUP, () => facts.autoScalingGroupPages(orderingTimestamp)],
  ];
  for (const [type, pages] of listings) {
    if (!settings.resourceTypes.includes(type)) continue;
    if (timeLeft() < SWEEP_SAFETY_MARGIN_MS) return false;
    for await (const subjects of pages()) {
      for (const verdict of await judge(subjects, settings, facts, accountId)) await report(verdict);
      if (timeLeft() < SWEEP_SAFETY_MARGIN_MS) return false;
    }
  }
  return true;
}
