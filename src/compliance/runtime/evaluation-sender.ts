import { ConfigServiceClient, Evaluation, PutEvaluationsCommand } from '@aws-sdk/client-config-service';
import { MAX_EVALUATIONS_PER_CALL, Verdict } from '../evaluate';

/**
 * Sends evaluations to AWS Config as they are produced: full batches of 100 (the most one
 * PutEvaluations call takes), a few calls in flight at once, always with the event's result
 * token. Evaluations Config reports as failed are sent again; a batch that still fails does not
 * stop the others, and `flush` reports it after every other batch has been sent.
 *
 * Internal to the package (bundled into the rule's Lambda function).
 */
export class EvaluationSender {
  /** Evaluations Config accepted. */
  public accepted = 0;
  /** PutEvaluations calls made. */
  public calls = 0;
  private buffer: Evaluation[] = [];
  private readonly inFlight = new Set<Promise<void>>();
  private readonly failures: string[] = [];

  constructor(
    private readonly config: ConfigServiceClient,
    private readonly resultToken: string,
    private readonly concurrency: number = 4,
    private readonly resendAttempts: number = 3,
  ) {}

  /** Queues a verdict; waits when enough calls are in flight (so memory stays flat). */
  public async add(verdict: Verdict): Promise<void> {
    this.buffer.push(verdict);
    if (this.buffer.length >= MAX_EVALUATIONS_PER_CALL) await this.dispatch();
  }

  /** Sends what is queued and waits for every call; throws if any evaluation could not be delivered. */
  public async flush(): Promise<void> {
    if (this.buffer.length > 0) await this.dispatch();
    await Promise.all(this.inFlight);
    if (this.failures.length > 0) {
      throw new Error(`PutEvaluations failed for ${this.failures.length} batch(es); the others were delivered (${this.accepted} evaluations): ${this.failures.join('; ')}`);
    }
  }

  private async dispatch(): Promise<void> {
    const batch = this.buffer;
    this.buffer = [];
    while (this.inFlight.size >= this.concurrency) await Promise.race(this.inFlight);
    const call = this.send(batch).catch(e => {
      this.failures.push(`${batch.length} evaluations: ${(e as Error).name}: ${(e as Error).message}`);
    }).finally(() => this.inFlight.delete(call));
    this.inFlight.add(call);
  }

  private async send(batch: Evaluation[]): Promise<void> {
    let pending = batch;
    for (let attempt = 0; pending.length > 0; attempt++) {
      if (attempt > this.resendAttempts) {
        throw new Error(`Config still reported ${pending.length} failed evaluations after ${this.resendAttempts} resends`);
      }
      if (attempt > 0) await sleep(100 * 2 ** attempt);
      this.calls++;
      const response = await this.config.send(new PutEvaluationsCommand({ Evaluations: pending, ResultToken: this.resultToken }));
      const failed = response.FailedEvaluations ?? [];
      this.accepted += pending.length - failed.length;
      pending = failed;
    }
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise(resolve => setTimeout(resolve, ms));
}
