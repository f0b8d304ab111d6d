/**
 * Cold start of the compliance rule's function: the bundle (assets/compliance/evaluator.lambda/
 * index.js, the Lambda artifact, with the AWS SDK v3 from node_modules as Lambda's runtime
 * provides it) loaded in fresh Node.js processes, each as a new execution environment would.
 * For each bundle it measures
 * - the time to `require` the bundle (what runs before the first event: the Lambda init);
 * - the first invocation of an account rule (an instance's configuration change) and of an
 *   organization rule (the same for a member account, through AssumeRole), against moto
 *   server, from before the require to the handler's answer;
 * and lists the SDK client packages each has loaded by then.
 *
 *   npx projen bench:compliance:cold                      # the current bundle (built first)
 *   npx projen bench:compliance:cold --baseline main      # and the bundle of a git ref, interleaved
 *   npx projen bench:compliance:cold --runs 30
 *
 * The baseline is built from the ref's own sources with the ref's own bundle command, into
 * bench-results/. Runs of the bundles alternate, so load on the machine affects both alike; the
 * table gives the median and the 90th percentile of wall and CPU time, and goes to
 * bench-results/compliance-cold-start.md.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { BUNDLE, BundleInvocation, BundleRun, ROOT, buildBundle, runBundle } from '../test/compliance/bundle-process';
import {
  FUNCTION_ARN,
  MEMBER_ACCOUNT,
  SEED_AMIS,
  SHARED_GOLDEN,
  accountClients,
  changeEvent,
  instanceItem,
  publish,
  runInstances,
  settings,
  setupClients,
} from '../test/compliance/fixtures';
import { LocalAws, REGION } from '../test/compliance/local-aws';

const RESULTS = path.join(ROOT, 'bench-results');
const DEFAULT_RUNS = 15;

interface Scenario {
  readonly name: string;
  readonly settings: string;
  /** The first invocation; none: the row times the require alone. */
  readonly invocation?: BundleInvocation;
}

interface Bundle {
  readonly label: string;
  readonly file: string;
}

/** Builds the bundle of a git ref, from the ref's own sources with its own bundle command. */
function buildBaseline(ref: string): Bundle {
  const commit = execFileSync('git', ['rev-parse', '--verify', `${ref}^{commit}`], { cwd: ROOT, encoding: 'utf8' }).trim();
  const tree = fs.mkdtempSync(path.join(os.tmpdir(), 'golden-ami-baseline-'));
  try {
    const archive = path.join(tree, 'sources.tar');
    // The development tsconfig the ref's bundle task names: tsconfig.dev.json, or
    // test/tsconfig.json in refs from before it moved to the top level.
    const devTsconfig = ['tsconfig.dev.json', 'test/tsconfig.json'].filter(name =>
      execFileSync('git', ['ls-tree', '--name-only', commit, name], { cwd: ROOT, encoding: 'utf8' }).trim() !== '');
    execFileSync('git', ['archive', '-o', archive, commit, 'src', 'tsconfig.json', ...devTsconfig, '.projen/tasks.json'], { cwd: ROOT });
    execFileSync('tar', ['-xf', archive, '-C', tree]);
    const file = path.join(RESULTS, `compliance-baseline-${commit.slice(0, 12)}`, 'index.js');
    buildBundle(tree, file);
    return { label: `${ref} (${commit.slice(0, 12)})`, file };
  } finally {
    fs.rmSync(tree, { recursive: true, force: true });
  }
}

/** The value at `q` (0..1) of the sorted values, nearest rank. */
function quantile(values: number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];
}

function parseArgs(args: string[]): { runs: number; baseline?: string } {
  let runs = DEFAULT_RUNS;
  let baseline: string | undefined;
  for (let i = 0; i < args.length; i++) {
    if (args[i] === '--runs' && Number.isInteger(Number(args[i + 1])) && Number(args[i + 1]) > 0) runs = Number(args[++i]);
    else if (args[i] === '--baseline' && args[i + 1]) baseline = args[++i];
    else throw new Error(`usage: compliance-cold-start.ts [--baseline <git ref>] [--runs <n>]; got: ${args.join(' ')}`);
  }
  return { runs, baseline };
}

async function main(): Promise<void> {
  const { runs, baseline } = parseArgs(process.argv.slice(2));
  if (!fs.existsSync(BUNDLE)) throw new Error(`${BUNDLE} is missing: run npx projen bundle`);
  const bundles: Bundle[] = [...(baseline ? [buildBaseline(baseline)] : []), { label: 'current', file: BUNDLE }];

  const aws = await LocalAws.start(SEED_AMIS);
  try {
    // One approved instance in the function's own account and one in a member account, each
    // account with its own catalog: both first invocations judge an instance COMPLIANT.
    const own = setupClients(aws.motoUrl);
    await publish(own, '/golden-ami/base/latest', SHARED_GOLDEN);
    const [ownInstance] = await runInstances(own, SHARED_GOLDEN);
    const member = await accountClients(aws.motoUrl, MEMBER_ACCOUNT);
    await publish(member, '/golden-ami/base/latest', SHARED_GOLDEN);
    const [memberInstance] = await runInstances(member, SHARED_GOLDEN);
    const base = {
      FUNCTION_ARN,
      AWS_ENDPOINT_URL: aws.url,
      AWS_REGION: REGION,
      AWS_ACCESS_KEY_ID: 'testing',
      AWS_SECRET_ACCESS_KEY: 'testing',
    };
    const scenarios: Scenario[] = [
      { name: 'require the bundle', settings: settings() },
      {
        name: 'account rule: first instance change event',
        settings: settings(),
        invocation: { event: changeEvent(instanceItem(ownInstance, SHARED_GOLDEN)) },
      },
      {
        name: 'organization rule: first instance change event of a member account',
        settings: settings({}, { memberRoleName: 'GoldenAmiComplianceMember', organizationId: 'o-a1b2c3d4e5' }),
        invocation: { event: changeEvent(instanceItem(memberInstance, SHARED_GOLDEN), { accountId: MEMBER_ACCOUNT }) },
      },
    ];

    const samples = new Map<string, BundleRun[]>();
    for (let run = 0; run < runs; run++) {
      process.stderr.write(`run ${run + 1}/${runs}\n`);
      for (const scenario of scenarios) {
        for (const bundle of bundles) {
          const result = await runBundle(bundle.file, { ...base, GOLDEN_AMI_RULE_SETTINGS: scenario.settings }, scenario.invocation);
          if (scenario.invocation && result.summary?.compliance.COMPLIANT !== 1) {
            throw new Error(`${bundle.label}, ${scenario.name}: expected one COMPLIANT evaluation, got ${JSON.stringify(result.summary)}`);
          }
          const key = `${scenario.name}\n${bundle.label}`;
          samples.set(key, [...(samples.get(key) ?? []), result]);
        }
      }
      aws.clear();
    }

    const lines = [
      `Compliance rule function cold start ${new Date().toISOString()} (node ${process.version}, ${os.cpus().length} CPUs, load average ${os.loadavg()[0].toFixed(1)})`,
      `${runs} fresh Node.js processes per row, the bundles alternating; ms from the start of the process's script (Node.js itself started).`,
      'Require: `require(bundle)`, the function\'s initialization. First call: the require and the first invocation against moto server (AWS calls included).',
      'Wall time, and CPU time (user + system), which other load on the machine affects less. SDK clients: the @aws-sdk/client-* packages loaded by then.',
      '',
      '| scenario | bundle | wall median | wall p90 | CPU median | CPU p90 | SDK clients loaded |',
      '| --- | --- | ---: | ---: | ---: | ---: | --- |',
    ];
    for (const scenario of scenarios) {
      for (const bundle of bundles) {
        const results = samples.get(`${scenario.name}\n${bundle.label}`)!;
        const wall = results.map(r => scenario.invocation ? r.firstCallMs : r.requireMs);
        const cpu = results.map(r => scenario.invocation ? r.firstCallCpuMs : r.requireCpuMs);
        const loaded = scenario.invocation ? results[0].loadedAfterCall : results[0].loadedAtStart;
        lines.push(`| ${scenario.name} | ${bundle.label} | ${quantile(wall, 0.5).toFixed(0)} | ${quantile(wall, 0.9).toFixed(0)} `
          + `| ${quantile(cpu, 0.5).toFixed(0)} | ${quantile(cpu, 0.9).toFixed(0)} | ${loaded.join(', ')} |`);
      }
    }
    const output = lines.join('\n') + '\n';
    process.stdout.write(output);
    fs.mkdirSync(RESULTS, { recursive: true });
    fs.writeFileSync(path.join(RESULTS, 'compliance-cold-start.md'), output);
  } finally {
    await aws.stop();
  }
}

main().catch(e => {
  process.stderr.write(`${e.stack ?? e}\n`);
  process.exit(1);
});
