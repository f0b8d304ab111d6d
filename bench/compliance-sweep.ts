/**
 * Benchmark of the compliance rule's periodic sweep: 1,000, 10,000 and 50,000 instances in
 * moto server, evaluated by the bundled handler (the Lambda artifact, assets/compliance/
 * evaluator.lambda/index.js) through the real SDK v3 clients. Prints wall time, peak memory
 * and the AWS calls by operation, against the floor each should be at, and the reads of the
 * revocation lists per invocation (the trust chain's floor: one read, 10 lists a call).
 *
 *   npx projen bench:compliance                       # 1000, 10000, 50000 in one invocation each
 *   npx projen bench:compliance 1000 10000            # chosen sizes
 *   npx projen bench:compliance 50000 --timeout 120   # a 120 s function timeout: the sweep
 *                                                     # continues in new invocations
 *
 * This process runs moto server, the counting proxy and the seeding; each invocation of the
 * handler runs in a child Node.js process of its own, as in Lambda, so its memory is measured
 * alone. With --timeout, the child's context counts down from that timeout, and every
 * asynchronous Invoke the handler makes (recorded by the proxy) starts the next child.
 */
import { spawn } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { DescribeInstancesCommand, EC2Client, RunInstancesCommand, TerminateInstancesCommand } from '@aws-sdk/client-ec2';
import { PutParameterCommand } from '@aws-sdk/client-ssm';
import { MAX_EVALUATIONS_PER_CALL } from '../src/compliance/evaluate';
import { INSTANCE_PAGE, PARAMETERS_BY_PATH_PAGE, PARAMETER_NAMES_PER_CALL, mapLimit } from '../src/compliance/runtime/aws-facts';
import { CREDENTIALS, FACTORY_ACCOUNT, FOREIGN, FUNCTION_ARN, SEED_AMIS, SHARED_GOLDEN, SHARED_OLD, ownImage, publish, scheduledEvent, settings, setupClients } from '../test/compliance/fixtures';
import { LocalAws, REGION } from '../test/compliance/local-aws';

const DEFAULT_SIZES = [1000, 10000, 50000];
/** Instances per RunInstances call when seeding; the proxy keeps pages at AWS's 1,000 instances. */
const PER_RESERVATION = 50;
const SEED_CONCURRENCY = 8;
const CATALOG_PARAMETERS = 5;
/**
 * Under the catalog path, besides the parameters: one revocation list and one ancestry record
 * (found by the GetParametersByPath read; the record's history is read like a parameter's).
 */
const CATALOG_TRUST_RECORDS = 2;
/**
 * GoldenImages named outside the catalog path (ApprovalSource.goldenImage): each brings its
 * revocation list (read with GetParameters, 10 names a call) and ancestry record (history).
 */
const NAMED_IMAGES = 12;
const namedBase = (i: number) => `/factory/app-${i}`;
/** AMIs revoked in the lists that no instance runs on (the list's length, not the verdicts). */
const UNUSED_REVOKED = ['ami-0badbadbadbad0001', 'ami-0badbadbadbad0002', 'ami-0badbadbadbad0003'];
/** A factory image no catalog parameter holds: the parent of SHARED_GOLDEN in an ancestry record. */
const FACTORY_PARENT = { ami_id: 'ami-0000000000000f0a1', owner_id: FACTORY_ACCOUNT, name: 'golden-parent', creation_date: '2025-01-01T00:00:00.000Z' };
/** moto server with direct instance and volume lookups, so seeding is linear (see the script). */
const SEEDING_SERVER = path.join(__dirname, 'moto-server-for-seeding.py');
const BUNDLE = path.join(__dirname, '..', 'assets', 'compliance', 'evaluator.lambda', 'index.js');

/** The child: loads the bundle, runs one invocation, samples its own memory. */
const CHILD = `
const { handler } = require(process.env.BUNDLE);
const event = JSON.parse(process.env.EVENT);
console.log = () => undefined;
global.gc();
const baseline = process.memoryUsage();
let rss = baseline.rss, heap = baseline.heapUsed;
const sample = () => { const u = process.memoryUsage(); rss = Math.max(rss, u.rss); heap = Math.max(heap, u.heapUsed); };
const timer = setInterval(sample, 5);
const started = process.hrtime.bigint();
const deadline = Date.now() + Number(process.env.TIMEOUT_MS || Infinity);
const context = { invokedFunctionArn: process.env.FUNCTION_ARN, functionName: 'golden-ami-compliance', getRemainingTimeInMillis: () => deadline - Date.now() };
handler(event, context).then(summary => {
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  clearInterval(timer); sample();
  process.stdout.write('RESULT ' + JSON.stringify({ summary, seconds, rss, heap, baselineRss: baseline.rss }) + '\\n');
}, e => { process.stderr.write(String(e && e.stack || e)); process.exit(1); });
`;

interface Result {
  readonly instances: number;
  readonly evaluations: number;
  /** Invocations of the function: 1, or more when the sweep continued. */
  readonly invocations: number;
  /** The floor of PutEvaluations: each invocation's evaluations in batches of 100. */
  readonly putFloor: number;
  /** The longest invocation. */
  readonly longestSeconds: number;
  readonly seconds: number;
  readonly peakRssMb: number;
  readonly peakHeapMb: number;
  readonly baselineRssMb: number;
  readonly calls: Record<string, number>;
  readonly maxResults: number[];
  /** Verdicts over the sweep, by compliance type. */
  readonly compliance: Record<string, number>;
}

interface ChildResult {
  readonly summary: { evaluations: number; compliance: Record<string, number>; continuation?: unknown };
  readonly seconds: number;
  readonly rss: number;
  readonly heap: number;
  readonly baselineRss: number;
}

function runChild(env: NodeJS.ProcessEnv): Promise<ChildResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--expose-gc', '-e', CHILD], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', chunk => { stdout += chunk; });
    child.stderr.on('data', chunk => { stderr = (stderr + chunk).slice(-4000); });
    const timer = setTimeout(() => child.kill('SIGKILL'), 60 * 60 * 1000);
    child.on('exit', code => {
      clearTimeout(timer);
      const line = stdout.split('\n').find(l => l.startsWith('RESULT '));
      if (code !== 0 || !line) reject(new Error(`handler process failed (${code}): ${stderr}`));
      else resolve(JSON.parse(line.slice('RESULT '.length)));
    });
  });
}

async function one(size: number, timeoutSeconds?: number): Promise<Result> {
  const aws = await LocalAws.start([...SEED_AMIS, FACTORY_PARENT], SEEDING_SERVER);
  try {
    aws.instancesPerReservation = PER_RESERVATION;
    const setup = setupClients(aws.motoUrl);
    // The catalog: five images, each parameter with a history of three AMIs.
    const own = await ownImage(setup, 'golden-own');
    for (let i = 0; i < CATALOG_PARAMETERS; i++) {
      await publish(setup, `/golden-ami/image-${i}/latest`, own, SHARED_GOLDEN);
    }
    // The trust chain's records, as the revoke and record_ancestry automations write them.
    const stringList = (name: string, value: string) => setup.ssm.send(new PutParameterCommand({ Name: name, Value: value, Type: 'StringList', Overwrite: true }));
    const ancestry = (name: string, ami: string, parentAmi: string) => setup.ssm.send(new PutParameterCommand({
      Name: name,
      Type: 'String',
      Overwrite: true,
      Value: JSON.stringify({ ami, parentAmi, parentPipeline: `arn:aws:imagebuilder:${REGION}:${FACTORY_ACCOUNT}:image-pipeline/image-0`, parentParameter: '/golden-ami/image-0/latest' }),
    }));
    await stringList('/golden-ami/image-0/revoked', UNUSED_REVOKED.map(ami => `${ami}=CVE-2025-0001 critical`).join(','));
    await ancestry('/golden-ami/image-1/ancestry', SHARED_GOLDEN, own);
    for (let i = 0; i < NAMED_IMAGES; i++) await publish(setup, `${namedBase(i)}/latest`, SHARED_OLD, SHARED_GOLDEN);
    // 5 % of the instances run on SHARED_OLD, revoked in one named image's list; another list
    // exists, the other ten are absent (never revoked), as most are.
    await stringList(`${namedBase(0)}/revoked`, `${SHARED_OLD}=superseded after CVE-2025-0002,${UNUSED_REVOKED[0]}=bad build`);
    await stringList(`${namedBase(1)}/revoked`, `${UNUSED_REVOKED[1]}=bad build`);
    // A parent outside the catalog, approved by its owner account: described once per invocation.
    await ancestry(`${namedBase(0)}/ancestry`, SHARED_GOLDEN, FACTORY_PARENT.ami_id);
    // The instance the image was made from goes, so that every reservation holds PER_RESERVATION
    // instances and moto's pages hold exactly 1,000 instances, as AWS's do.
    const existing = await setup.ec2.send(new DescribeInstancesCommand({}));
    const made = (existing.Reservations ?? []).flatMap(r => r.Instances ?? []).map(i => i.InstanceId!);
    await setup.ec2.send(new TerminateInstancesCommand({ InstanceIds: made }));
    // 90 % on the golden AMI, 10 % on an unknown one.
    const seeding = Date.now();
    // No retries: a RunInstances retried after a failure would launch a second reservation.
    const seeder = new EC2Client({ endpoint: aws.motoUrl, region: REGION, credentials: CREDENTIALS, maxAttempts: 1 });
    const reservations = Array.from({ length: Math.ceil(size / PER_RESERVATION) }, (_, i) => i);
    await mapLimit(reservations, SEED_CONCURRENCY, async i => {
      const count = Math.min(PER_RESERVATION, size - i * PER_RESERVATION);
      const imageId = i % 10 === 9 ? FOREIGN : i % 20 === 4 ? SHARED_OLD : SHARED_GOLDEN;
      await seeder.send(new RunInstancesCommand({ ImageId: imageId, MinCount: count, MaxCount: count, InstanceType: 't3.micro' }));
    });
    process.stderr.write(`seeded ${size} instances in ${((Date.now() - seeding) / 1000).toFixed(0)} s\n`);
    aws.clear();
    const env = {
      PATH: process.env.PATH,
      BUNDLE,
      FUNCTION_ARN,
      AWS_ENDPOINT_URL: aws.url,
      AWS_REGION: REGION,
      AWS_ACCESS_KEY_ID: 'testing',
      AWS_SECRET_ACCESS_KEY: 'testing',
      GOLDEN_AMI_RULE_SETTINGS: settings({
        ownerAccounts: [FACTORY_ACCOUNT],
        parameterNames: Array.from({ length: NAMED_IMAGES }, (_, i) => `${namedBase(i)}/latest`),
        revocationLists: Array.from({ length: NAMED_IMAGES }, (_, i) => `${namedBase(i)}/revoked`),
        ancestryRecords: Array.from({ length: NAMED_IMAGES }, (_, i) => `${namedBase(i)}/ancestry`),
      }),
      ...(timeoutSeconds ? { TIMEOUT_MS: String(timeoutSeconds * 1000) } : {}),
    };
    // The first invocation is Config's; each one after it is an Invoke the previous one made.
    const runs: ChildResult[] = [await runChild({ ...env, EVENT: JSON.stringify(scheduledEvent()) })];
    while (aws.invocations.length >= runs.length) {
      runs.push(await runChild({ ...env, EVENT: JSON.stringify(aws.invocations[runs.length - 1].payload) }));
    }
    const evaluations = runs.reduce((sum, run) => sum + run.summary.evaluations, 0);
    const distinct = new Set(aws.evaluations().map(e => e.ComplianceResourceId)).size;
    if (aws.evaluations().length !== evaluations || evaluations !== size || distinct !== size) {
      throw new Error(`${size} instances, Config received ${aws.evaluations().length} evaluations (${distinct} resources), the handler reported ${evaluations}`);
    }
    if (runs[runs.length - 1].summary.continuation) throw new Error(`${size} instances: the last invocation asked for another`);
    const max = (pick: (run: ChildResult) => number) => Math.max(...runs.map(pick));
    return {
      instances: size,
      evaluations,
      invocations: runs.length,
      putFloor: runs.reduce((sum, run) => sum + Math.ceil(run.summary.evaluations / MAX_EVALUATIONS_PER_CALL), 0),
      longestSeconds: max(run => run.seconds),
      seconds: runs.reduce((sum, run) => sum + run.seconds, 0),
      peakRssMb: max(run => run.rss) / 2 ** 20,
      peakHeapMb: max(run => run.heap) / 2 ** 20,
      baselineRssMb: max(run => run.baselineRss) / 2 ** 20,
      calls: Object.fromEntries([...aws.calls].sort()),
      maxResults: [...new Set(aws.describeInstancesMaxResults)],
      compliance: runs.reduce<Record<string, number>>((sum, run) => {
        for (const [type, count] of Object.entries(run.summary.compliance)) sum[type] = (sum[type] ?? 0) + count;
        return sum;
      }, {}),
    };
  } finally {
    await aws.stop();
  }
}

/** The revocation lists outside the catalog path, read once per invocation, 10 names a call. */
function revocationFloor(r: Result): number {
  return Math.ceil(NAMED_IMAGES / PARAMETER_NAMES_PER_CALL) * r.invocations;
}

function table(results: Result[]): string {
  const operations = [...new Set(results.flatMap(r => Object.keys(r.calls)))].sort();
  // Listings are read once per sweep; the catalog and the images at most once per invocation.
  const floor = (r: Result, op: string): string => {
    switch (op) {
      case 'config:PutEvaluations': return String(r.putFloor);
      case 'ec2:DescribeInstances': return String(Math.ceil(r.instances / INSTANCE_PAGE));
      case 'ssm:GetParametersByPath': return String(Math.ceil((CATALOG_PARAMETERS + CATALOG_TRUST_RECORDS) / PARAMETERS_BY_PATH_PAGE) * r.invocations);
      // Every parameter and ancestry record (the list under the path came with its page).
      case 'ssm:GetParameterHistory': return String((CATALOG_PARAMETERS + 1 + 2 * NAMED_IMAGES) * r.invocations);
      case 'ssm:GetParameters': return String(revocationFloor(r));
      // The images once, and the one ancestor outside the catalog once.
      case 'ec2:DescribeImages': return String(2 * r.invocations);
      case 'lambda:Invoke': return String(r.invocations - 1);
      default: return '1';
    }
  };
  const lines = [
    '| instances | invocations | verdicts | revocation reads per invocation (floor) | wall time (longest invocation) | peak RSS (baseline) | peak heap | ' + operations.map(op => `${op} (floor)`).join(' | ') + ' |',
    '| ---: | ---: | :--- | ---: | ---: | ---: | ---: | ' + operations.map(() => '---:').join(' | ') + ' |',
    ...results.map(r => `| ${r.instances.toLocaleString('en-US')} | ${r.invocations} | ${Object.entries(r.compliance).sort().map(([type, count]) => `${type} ${count}`).join(', ')} `
      + `| ${((r.calls['ssm:GetParameters'] ?? 0) / r.invocations).toFixed(1)} (${revocationFloor(r) / r.invocations}) `
      + `| ${r.seconds.toFixed(1)} s (${r.longestSeconds.toFixed(1)} s) `
      + `| ${r.peakRssMb.toFixed(0)} MB (${r.baselineRssMb.toFixed(0)} MB) | ${r.peakHeapMb.toFixed(0)} MB | `
      + operations.map(op => `${r.calls[op] ?? 0} (${floor(r, op)})`).join(' | ') + ' |'),
  ];
  return lines.join('\n');
}

/** Sizes, and `--timeout <seconds>` for the function's timeout. */
function parseArgs(args: string[]): { sizes: number[]; timeoutSeconds?: number } {
  const at = args.indexOf('--timeout');
  const timeoutSeconds = at >= 0 ? Number(args[at + 1]) : undefined;
  const sizes = args.filter((_, i) => at < 0 || (i !== at && i !== at + 1)).map(Number);
  for (const value of [...sizes, ...(timeoutSeconds === undefined ? [] : [timeoutSeconds])]) {
    if (!Number.isInteger(value) || value <= 0) throw new Error(`usage: compliance-sweep.ts [sizes...] [--timeout seconds]; got: ${args.join(' ')}`);
  }
  return { sizes: sizes.length > 0 ? sizes : DEFAULT_SIZES, timeoutSeconds };
}

async function main(): Promise<void> {
  const { sizes, timeoutSeconds } = parseArgs(process.argv.slice(2));
  if (!fs.existsSync(BUNDLE)) throw new Error(`${BUNDLE} is missing: run npx projen bundle`);
  const results: Result[] = [];
  for (const size of sizes) {
    process.stderr.write(`sweeping ${size} instances...\n`);
    const result = await one(size, timeoutSeconds);
    results.push(result);
    // Each size as it finishes (a 50,000-instance run takes a while to seed in moto).
    process.stderr.write(`${JSON.stringify(result)}\n`);
  }
  const output = [
    `Compliance rule periodic sweep in moto server ${new Date().toISOString()} (node ${process.version}, ${os.cpus().length} CPUs)`,
    'Floors: PutEvaluations = ceil(evaluations / 100); DescribeInstances = ceil(instances / 1000) (MaxResults asked: '
      + `${[...new Set(results.flatMap(r => r.maxResults))].join(', ')}); per invocation, the catalog once (1 page of parameters, 1 history per parameter and ancestry record) and the images once (and their ancestors outside the catalog once).`,
    `Trust chain: ${CATALOG_PARAMETERS} catalog images, one revocation list and one ancestry record under the path; ${NAMED_IMAGES} named images with their lists and records outside it; `
      + `their revocation lists are read once per invocation, ${PARAMETER_NAMES_PER_CALL} names a GetParameters call (floor ceil(${NAMED_IMAGES} / ${PARAMETER_NAMES_PER_CALL})); 5 % of the instances run on a revoked AMI.`,
    'Memory: the handler process alone (Node.js + SDK + bundle), peak RSS with its baseline before the sweep.',
    timeoutSeconds
      ? `Function timeout ${timeoutSeconds} s: each invocation starts no page with less than a minute left and continues the sweep in a new invocation (a new process); wall time sums the invocations.`
      : 'No function timeout: one invocation per sweep.',
    '',
    table(results),
    '',
  ].join('\n');
  process.stdout.write(output);
  const dir = path.join(__dirname, '..', 'bench-results');
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, timeoutSeconds ? `compliance-sweep-timeout-${timeoutSeconds}.md` : 'compliance-sweep.md'), output);
}

main().catch(e => {
  process.stderr.write(`${e.stack ?? e}\n`);
  process.exit(1);
});
