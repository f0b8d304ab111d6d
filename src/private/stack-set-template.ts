import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, BootstraplessSynthesizer, Stack } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';

const VALIDATE_CONTEXT = '@aws-cdk/core:validateAgainstDefaultRules';

/**
 * The template of a stack that a StackSet deploys to other accounts, synthesized in an app of
 * its own: its resources belong to the StackSet's template, not to the stack of `scope`.
 * - No bootstrap resources: the target accounts have none.
 * - Validated as the app of `scope` validates (aws-cdk-lib's rules, when it turns them on).
 * - Synthesized into a fresh temporary directory, removed after: never into this app's cdk.out
 *   (where the CLI's CDK_OUTDIR would put it, as a template file its manifest does not list),
 *   and never shared by two StackSets, which would overwrite each other's file.
 */
export function stackSetTemplate<T>(
  scope: IConstruct,
  stackName: string,
  build: (stack: Stack) => T,
): { readonly result: T; readonly templateBody: string } {
  const validate = scope.node.tryGetContext(VALIDATE_CONTEXT);
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'golden-ami-stack-set-'));
  try {
    const app = new App({ outdir, analyticsReporting: false, context: validate === undefined ? {} : { [VALIDATE_CONTEXT]: validate } });
    const stack = new Stack(app, stackName, { synthesizer: new BootstraplessSynthesizer() });
    const result = build(stack);
    const templateBody = JSON.stringify(app.synth().getStackByName(stack.stackName).template);
    return { result, templateBody };
  } finally {
    fs.rmSync(outdir, { recursive: true, force: true });
  }
}
