import { Stack } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';

/**
 * The EventBridge pattern of an image of `recipeName` reaching `status` (AVAILABLE after
 * distribution, FAILED). Image ARNs are `<...>:image/<lower-case recipe name>/<version>/<build>`.
 */
export function imageStateChangePattern(stack: Stack, recipeName: string, status: string): events.EventPattern {
  return {
    source: ['aws.imagebuilder'],
    detailType: ['EC2 Image Builder Image State Change'],
    resources: events.Match.prefix(`arn:${stack.partition}:imagebuilder:${stack.region}:${stack.account}:image/${recipeName.toLowerCase()}/`),
    detail: { state: { status: [status] } },
  };
}
