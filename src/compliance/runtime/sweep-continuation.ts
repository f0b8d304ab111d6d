import type { LambdaClient } from '@aws-sdk/client-lambda';
import { lambdaSdk } from './lazy-sdk';
import { RuleEvent, SweepContinuation } from '../evaluate';

/**
 * Hands the rest of a periodic sweep to a new invocation of the function: the same Config
 * event (so the same result token and ordering timestamp) with the position to resume from,
 * invoked asynchronously. The resumed sweep starts at the first page not evaluated. If an
 * invocation fails, Lambda retries it from the position it was given, so the pages it had
 * evaluated are sent again (same verdicts, same timestamp: harmless).
 *
 * Internal to the package (bundled into the rule's Lambda function).
 */

/** Invokes `functionName` (this function) with `event` continued at `position`. */
export async function continueSweep(lambda: LambdaClient, functionName: string, event: RuleEvent, position: SweepContinuation): Promise<void> {
  const payload: RuleEvent = { ...event, goldenAmiSweepContinuation: position };
  const { InvokeCommand } = lambdaSdk();
  const response = await lambda.send(new InvokeCommand({
    FunctionName: functionName,
    InvocationType: 'Event',
    Payload: Buffer.from(JSON.stringify(payload)),
  }));
  if (response.StatusCode !== 202) {
    throw new Error(`continuing the periodic sweep: Invoke ${functionName} answered ${response.StatusCode}, expected 202`);
  }
}
