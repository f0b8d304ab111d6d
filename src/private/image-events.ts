import { Stack } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import { EVENTBRIDGE_EVENTS } from './aws-catalogue';

/** Where the build events of a pipeline come from: its account and region, and its recipe name. */
export interface ImageEventSource {
  readonly account: string;
  readonly region: string;
  readonly recipeName: string;
}

/**
 * The EventBridge pattern of an image of `recipeName` reaching `status` (AVAILABLE after
 * distribution, FAILED). Image ARNs are `<...>:image/<lower-case recipe name>/<version>/<build>`.
 */
export function imageStateChangePattern(stack: Stack, recipeName: string, status: string): events.EventPattern {
  return {
    source: [EVENTBRIDGE_EVENTS.IMAGE_BUILDER_SOURCE.name],
    detailType: [EVENTBRIDGE_EVENTS.IMAGE_STATE_CHANGE.name],
    resources: events.Match.prefix(`arn:${stack.partition}:imagebuilder:${stack.region}:${stack.account}:image/${recipeName.toLowerCase()}/`),
    detail: { state: { status: [status] } },
  };
}

/**
 * The same pattern for a pipeline of another account or region, whose events reach `stack`
 * through a cross-account event bus. The event keeps the account it was emitted in, so the
 * pattern names it too: another account allowed on the bus cannot pass for the factory.
 */
export function forwardedImageStateChangePattern(stack: Stack, source: ImageEventSource, status: string): events.EventPattern {
  return {
    source: [EVENTBRIDGE_EVENTS.IMAGE_BUILDER_SOURCE.name],
    detailType: [EVENTBRIDGE_EVENTS.IMAGE_STATE_CHANGE.name],
    account: [source.account],
    resources: events.Match.prefix(`arn:${stack.partition}:imagebuilder:${source.region}:${source.account}:image/${source.recipeName.toLowerCase()}/`),
    detail: { state: { status: [status] } },
  };
}
