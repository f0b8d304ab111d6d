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

/**
 * The trust-chain script step a document runs. Each image's document runs the stack's engine
 * for its handler (aws:executeAutomation), whose one step is the script: this checks that every
 * parameter of the document reaches the engine as itself and returns the engine's step.
 */
export function trustChainScriptStep(template: any, document: any): any {
  const run = document.Properties.Content.mainSteps.find((step: any) => step.action === 'aws:executeAutomation');
  if (!run) throw new Error('not a trust-chain document: no aws:executeAutomation step');
  for (const name of Object.keys(document.Properties.Content.parameters)) {
    if (run.inputs.RuntimeParameters[name] !== `{{ ${name} }}`) throw new Error(`parameter ${name} does not reach the engine: ${JSON.stringify(run.inputs.RuntimeParameters)}`);
  }
  const engine = template.Resources[run.inputs.DocumentName.Ref];
  const steps = engine.Properties.Content.mainSteps;
  if (steps.length !== 1 || steps[0].action !== 'aws:executeScript') throw new Error(`the engine must be one aws:executeScript step, got: ${JSON.stringify(steps.map((s: any) => s.action))}`);
  return steps[0];
}

/** The trust-chain handler a document runs (undefined for other documents). */
export function trustChainHandler(template: any, document: any): string | undefined {
  const run = document.Properties.Content.mainSteps.find((step: any) => step.action === 'aws:executeAutomation');
  return run ? trustChainScriptStep(template, document).inputs.Handler : undefined;
}
