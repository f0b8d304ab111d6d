import { execFileSync, spawn } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { RuleEvent } from '../../src/compliance/evaluate';

/**
 * The compliance rule's function as Lambda runs it: the esbuild bundle, loaded in a fresh Node.js
 * process with the AWS SDK v3 from outside the bundle (Lambda's runtime provides it; here
 * node_modules). Shared by the cold start test and benchmark.
 */

export const ROOT = path.join(__dirname, '..', '..');
/** The bundle `npx projen bundle` writes. */
export const BUNDLE = path.join(ROOT, 'assets', 'compliance', 'evaluator.lambda', 'index.js');
const BUNDLE_TASK = 'bundle:compliance/evaluator.lambda';

/**
 * Bundles the function from the sources under `root` into `outfile` with the esbuild command
 * of the bundle task that `root`'s .projen/tasks.json declares, the same as `npx projen bundle`.
 */
export function buildBundle(root: string, outfile: string): void {
  const tasks = JSON.parse(fs.readFileSync(path.join(root, '.projen', 'tasks.json'), 'utf8'));
  const [command, ...args]: string[] = tasks.tasks[BUNDLE_TASK]?.steps?.[0]?.execArgs ?? [];
  if (command !== 'esbuild') throw new Error(`${root}: task ${BUNDLE_TASK} has no esbuild step`);
  const outArgs = args.map(arg => arg.startsWith('--outfile=') ? `--outfile=${outfile}` : arg);
  execFileSync(path.join(ROOT, 'node_modules', '.bin', 'esbuild'), [...outArgs, '--log-level=warning'], { cwd: root, stdio: ['ignore', 'inherit', 'inherit'] });
}

/** What one process measured and saw. Times in ms from the start of its script (Node.js already started). */
export interface BundleRun {
  /** Wall time of `require(bundle)`: the function's initialization. */
  readonly requireMs: number;
  /** CPU time (user and system) of the require, less affected by other load on the machine. */
  readonly requireCpuMs: number;
  /** The require and the first invocation, when an event was given. */
  readonly firstCallMs: number;
  readonly firstCallCpuMs: number;
  /** The SDK client packages (`@aws-sdk/client-<name>`, by name) loaded once the bundle is. */
  readonly loadedAtStart: string[];
  /** The same after the first invocation. */
  readonly loadedAfterCall: string[];
  /** The handler's answer, when an event was given. */
  readonly summary?: { compliance: Record<string, number>; continuation?: unknown; evaluations: number };
}

const CHILD = `
const started = process.hrtime.bigint();
const cpu = process.cpuUsage();
const ms = () => Number(process.hrtime.bigint() - started) / 1e6;
const cpuMs = () => { const u = process.cpuUsage(cpu); return (u.user + u.system) / 1e3; };
const { handler } = require(process.env.BUNDLE);
const requireMs = ms(), requireCpuMs = cpuMs();
const clients = () => [...new Set(Object.keys(require.cache)
  .map(file => /[\\\\/]@aws-sdk[\\\\/]client-([a-z0-9-]+)[\\\\/]/.exec(file)?.[1]).filter(Boolean))].sort();
const loadedAtStart = clients();
const done = (summary) => process.stdout.write('RESULT ' + JSON.stringify({
  requireMs, requireCpuMs, firstCallMs: ms(), firstCallCpuMs: cpuMs(), loadedAtStart, loadedAfterCall: clients(), summary,
}) + '\\n');
if (!process.env.EVENT) done();
else {
  console.log = () => undefined;
  const timeLeft = Number(process.env.TIME_LEFT_MS || Infinity);
  handler(JSON.parse(process.env.EVENT), {
    invokedFunctionArn: process.env.FUNCTION_ARN, functionName: 'golden-ami-compliance', getRemainingTimeInMillis: () => timeLeft,
  }).then(done, e => { process.stderr.write(String(e && e.stack || e)); process.exit(1); });
}
`;

export interface BundleInvocation {
  /** The event of the first invocation; none: the bundle is only loaded. */
  readonly event?: RuleEvent;
  /** What the context's getRemainingTimeInMillis answers (default: no limit). */
  readonly timeLeftMs?: number;
}

/**
 * Loads `bundle` in a new Node.js process with `env` (and nothing else of this process's
 * environment but PATH), and optionally invokes its handler once.
 */
export function runBundle(bundle: string, env: NodeJS.ProcessEnv, invocation: BundleInvocation = {}): Promise<BundleRun> {
  const childEnv: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    // The SDK for a bundle outside the project (Lambda's runtime puts it on the module path too).
    NODE_PATH: path.join(ROOT, 'node_modules'),
    ...env,
    BUNDLE: bundle,
    ...(invocation.event ? { EVENT: JSON.stringify(invocation.event) } : {}),
    ...(invocation.timeLeftMs !== undefined ? { TIME_LEFT_MS: String(invocation.timeLeftMs) } : {}),
  };
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['-e', CHILD], { env: childEnv, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', chunk => { stdout += chunk; });
    child.stderr.on('data', chunk => { stderr = (stderr + chunk).slice(-4000); });
    child.on('error', reject);
    child.on('exit', code => {
      const line = stdout.split('\n').find(l => l.startsWith('RESULT '));
      if (code !== 0 || !line) reject(new Error(`bundle process failed (${code}): ${stderr}`));
      else resolve(JSON.parse(line.slice('RESULT '.length)));
    });
  });
}
