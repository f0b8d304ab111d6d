import { App, Stack } from 'aws-cdk-lib';

/** The account and region every test stack is pinned to. */
export const ENV = { account: '111111111111', region: 'eu-west-1' };

/**
 * A fresh app whose synthesis runs aws-cdk-lib's built-in CloudFormation validation with
 * findings as errors, and a stack pinned to ENV.
 */
export function newStack(id: string = 'Stack'): Stack {
  const app = new App({
    context: { '@aws-cdk/core:validateAgainstDefaultRules': true },
  });
  return new Stack(app, id, { env: ENV });
}
