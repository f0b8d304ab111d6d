import type * as AutoScaling from '@aws-sdk/client-auto-scaling';
import type * as Lambda from '@aws-sdk/client-lambda';
import type * as Sts from '@aws-sdk/client-sts';

/**
 * The SDK clients that only some invocations use, loaded when first needed instead of when the
 * function starts: each client package loaded at start adds to every cold start.
 * - STS: an organization rule evaluating a member account (AssumeRole);
 * - Lambda: a periodic sweep handing the rest on to a new invocation;
 * - Auto Scaling: groups and launch configurations, which instance and launch template
 *   events (the frequent ones) never read.
 * EC2, SSM and Config serve every evaluation and stay loaded at start.
 *
 * A `require` inside a function runs when the function is first called: esbuild leaves the
 * require of an external package (`@aws-sdk/*`, from the runtime) where it is written, whereas
 * an `import` at the top of a file is hoisted to the bundle's start. Node.js caches the module,
 * so later calls cost a lookup. (`import()` would do the same in the bundle, but Jest cannot run
 * it without experimental flags.)
 *
 * Internal to the package (bundled into the rule's Lambda function).
 */

/* eslint-disable @typescript-eslint/no-require-imports -- loaded on first use, see above */

export function autoScalingSdk(): typeof AutoScaling {
  return require('@aws-sdk/client-auto-scaling');
}

export function lambdaSdk(): typeof Lambda {
  return require('@aws-sdk/client-lambda');
}

export function stsSdk(): typeof Sts {
  return require('@aws-sdk/client-sts');
}
