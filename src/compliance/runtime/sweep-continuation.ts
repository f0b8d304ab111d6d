import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { RuleEvent, SweepContinuation } from '../evaluate';

/**
 * Hands the rest of a periodic sweep to a new invocation of the function: the same Config
 * event (so the same result token and ordering timestamp) with the position to resume from,
 * invoked asynchronously. Lambda retries a failed asynchronous invocation itself, and the
 * resumed sweep starts at the page that was not evaluated, so nothing is judged twice.
 *
 * Internal to the package (bundled into the rule's Lambda function).
 */

let client: LambdaClient | undefined;

/** Forgets the cached client (tests change the endpoint between runs). */
export function resetContinuationClient(): void {
  client = undefined;
}

/** Invokes `functionName` (this function) with `event` continued at `position`. */
export async function continueSweep(functionName: string, event: RuleEvent, position: SweepContinuation): Promise<void> {
  // The function's own account, also when it evaluates a member account of an organization.
  client ??= new LambdaClient({ maxAttempts: 8, retryMode: 'standard' });
  const payload: RuleEvent = { ...event, goldenAmiSweepContinuation: position };
  const response = await client.send(new InvokeCommand({
    FunctionName: functionName,
    InvocationType: 'Event',
    Payload: Buffer.from(JSON.stringify(payload)),
  }));
  if (response.StatusCode !== 202) {
    throw new Error(`continuing the periodic sweep: Invoke ${functionName} answered ${response.StatusCode}, expected 202`);
  }
}
