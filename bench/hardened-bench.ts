/**
 * Synth benchmark of hardened images: N x (HardenedBaseRecipe + GoldenImage) in one stack, at
 * 1, 10, 50 and 100 images. Every image is Ubuntu 22.04 x86_64, CIS Level 1, with the
 * CloudWatch agent (the default), its own recipe and image name, and so its own log group
 * prefix (`/golden-ami/<recipe name>`). The images share the stack's default build
 * infrastructure, as GoldenImage does.
 *
 * For each N, over RUNS runs with a fresh App each, taken round-robin over N after one untimed
 * warm-up at each N (which pays module loading, JIT and the validator's WebAssembly start-up), we measure the
 * wall time and the process CPU time of construct creation plus `app.synth()`, with
 * aws-cdk-lib's template validation on ('@aws-cdk/core:validateAgainstDefaultRules'), and
 * aws-cdk-lib's 500-resource check lifted so that code over the limit still synthesizes.
 *
 * From the template: its size (bytes of JSON.stringify, as the library's tests measure it),
 * the resources, and per additional image ((X(N) - X(1)) / (N - 1)) both. The largest N that
 * fits one stack extrapolates that marginal cost from N = 1 to CloudFormation's 500 resources
 * and 1,000,000 bytes of template, the smaller of the two.
 *
 * Output: a Markdown table on stdout, the data in bench-results/hardened.json, and PASS/FAIL
 * lines for the targets of issue 13. It is a report, not a test: it always exits 0.
 *
 *   npx ts-node --project tsconfig.dev.json bench/hardened-bench.ts   (BENCH_RUNS=n to change RUNS)
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Stack, Validations } from 'aws-cdk-lib';
import { CisLevel, GoldenImage, Hardening, HardenedBaseRecipe, ImageArchitecture, OperatingSystem } from '../src';

const IMAGE_COUNTS = [1, 10, 50, 100];
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const ENV = { account: '111111111111', region: 'eu-west-1' };
/** CloudFormation's quota of resources per stack. */
const CFN_RESOURCE_LIMIT = 500;
/** The template size the targets use (CloudFormation takes a template of up to 1 MB from S3). */
const CFN_TEMPLATE_BYTES_LIMIT = 1_000_000;
/** Issue 13's targets per additional image of an OS and hardening already in the stack. */
const TARGET_MARGINAL_RESOURCES = 3;
const TARGET_MARGINAL_BYTES = 6 * 1024;
const TARGET_IMAGES_PER_STACK = 100;
const RESULTS_FILE = path.join(__dirname, '..', 'bench-results', 'hardened.json');

interface Run {
  readonly ms: number;
  readonly cpuMs: number;
  readonly template: { Resources?: Record<string, { Type: string }> };
}

interface Result {
  readonly images: number;
  readonly synthMsMedian: number;
  readonly cpuMsMedian: number;
  readonly templateBytes: number;
  readonly resources: number;
  readonly components: number;
  readonly withinStackLimits: boolean;
  /** (X(N) - X(1)) / (N - 1); null at N = 1. */
  readonly marginalResourcesPerImage: number | null;
  readonly marginalBytesPerImage: number | null;
  readonly marginalCpuMsPerImage: number | null;
}

function buildHardened(stack: Stack, imageCount: number): void {
  for (let i = 0; i < imageCount; i++) {
    const name = `ubuntu-cis1-${i}`;
    const recipe = new HardenedBaseRecipe(stack, `Recipe${i}`, {
      recipeName: name,
      operatingSystem: OperatingSystem.UBUNTU_22_04,
      architecture: ImageArchitecture.X86_64,
      hardening: Hardening.cis(CisLevel.LEVEL_1),
    });
    new GoldenImage(stack, `Image${i}`, { recipe, imageName: name });
  }
}

function synthOnce(imageCount: number): Run {
  const start = process.hrtime.bigint();
  const cpuStart = process.cpuUsage();
  const app = new App({
    context: {
      '@aws-cdk/core:validateAgainstDefaultRules': true,
      // Measured past the limit too: a row over it is flagged, as it would not deploy.
      '@aws-cdk/core:stackResourceLimit': 0,
    },
  });
  const stack = new Stack(app, 'Bench', { env: ENV });
  Validations.of(stack).acknowledge({ id: 'CloudFormation-Validate::F0007', reason: 'benchmark: synth cost past the stack limit' });
  buildHardened(stack, imageCount);
  const assembly = app.synth();
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  const cpu = process.cpuUsage(cpuStart);
  const template = assembly.getStackArtifact(stack.artifactId).template;
  fs.rmSync(assembly.directory, { recursive: true, force: true });
  return { ms, cpuMs: (cpu.user + cpu.system) / 1000, template };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

const round = (value: number, digits: number = 1): number => Number(value.toFixed(digits));

/** The largest N with X(1) + (N - 1) * marginal <= limit. */
function largestFitting(atOne: number, marginal: number, limit: number): number {
  if (atOne > limit) return 0;
  return marginal <= 0 ? Infinity : 1 + Math.floor((limit - atOne) / marginal);
}

function main(): void {
  IMAGE_COUNTS.forEach(images => synthOnce(images));
  const loadBefore = os.loadavg()[0];
  // Round-robin over N, so that garbage collection and drift fall on every N alike.
  const runsByCount = new Map<number, Run[]>(IMAGE_COUNTS.map(images => [images, []]));
  for (let run = 0; run < RUNS; run++) {
    IMAGE_COUNTS.forEach(images => runsByCount.get(images)!.push(synthOnce(images)));
  }
  const results: Result[] = [];
  let first: { bytes: number; resources: number; cpuMs: number } | undefined;
  for (const images of IMAGE_COUNTS) {
    const runs = runsByCount.get(images)!;
    const template = runs[0].template;
    const templateBytes = Buffer.byteLength(JSON.stringify(template));
    const resources = Object.keys(template.Resources ?? {}).length;
    const components = Object.values(template.Resources ?? {}).filter(r => r.Type === 'AWS::ImageBuilder::Component').length;
    const cpuMs = median(runs.map(r => r.cpuMs));
    if (images === 1) first = { bytes: templateBytes, resources, cpuMs };
    const marginal = (value: number, atOne: number | undefined, digits: number) =>
      images > 1 && atOne !== undefined ? round((value - atOne) / (images - 1), digits) : null;
    results.push({
      images,
      synthMsMedian: round(median(runs.map(r => r.ms))),
      cpuMsMedian: round(cpuMs),
      templateBytes,
      resources,
      components,
      withinStackLimits: resources <= CFN_RESOURCE_LIMIT && templateBytes <= CFN_TEMPLATE_BYTES_LIMIT,
      marginalResourcesPerImage: marginal(resources, first?.resources, 2),
      marginalBytesPerImage: marginal(templateBytes, first?.bytes, 0),
      marginalCpuMsPerImage: marginal(cpuMs, first?.cpuMs, 1),
    });
    process.stderr.write(`  N=${images}: ${resources} resources, ${templateBytes} bytes, CPU ${round(cpuMs)} ms\n`);
  }

  const last = results[results.length - 1];
  const byResources = largestFitting(first!.resources, last.marginalResourcesPerImage!, CFN_RESOURCE_LIMIT);
  const byBytes = largestFitting(first!.bytes, last.marginalBytesPerImage!, CFN_TEMPLATE_BYTES_LIMIT);
  const fits = { byResources, byBytes, images: Math.min(byResources, byBytes) };
  const load = { before: round(loadBefore, 2), after: round(os.loadavg()[0], 2) };

  const dash = (value: number | null): string => (value === null ? '—' : String(value));
  process.stdout.write([
    `## Hardened images per stack (Ubuntu 22.04 CIS Level 1, CloudWatch agent; median of ${RUNS} runs, validation on)`,
    '',
    `Node ${process.version}, aws-cdk-lib ${cdkVersion()}, ${os.cpus().length} CPUs, 1-min load average ${load.before} before and ${load.after} after.`,
    `Rows marked * exceed one stack (${CFN_RESOURCE_LIMIT} resources or ${CFN_TEMPLATE_BYTES_LIMIT} bytes of template).`,
    '',
    '| N | synth ms | CPU ms | template bytes | resources | components | marginal res/image | marginal bytes/image | marginal CPU ms/image |',
    '|--:|--:|--:|--:|--:|--:|--:|--:|--:|',
    ...results.map(r => `| ${r.images} | ${r.synthMsMedian} | ${r.cpuMsMedian} | ${r.templateBytes}${r.withinStackLimits ? '' : '*'} | ${r.resources} | ${r.components} | `
      + `${dash(r.marginalResourcesPerImage)} | ${dash(r.marginalBytesPerImage)} | ${dash(r.marginalCpuMsPerImage)} |`),
    '',
    `Largest N in one stack: ${fits.images} (${byResources} by the resource limit, ${byBytes} by the template size).`,
    '',
  ].join('\n'));

  const verdict = (pass: boolean): string => (pass ? 'PASS' : 'FAIL');
  const targets = {
    marginalResources: {
      value: last.marginalResourcesPerImage,
      target: TARGET_MARGINAL_RESOURCES,
      pass: last.marginalResourcesPerImage! <= TARGET_MARGINAL_RESOURCES,
    },
    marginalBytes: { value: last.marginalBytesPerImage, target: TARGET_MARGINAL_BYTES, pass: last.marginalBytesPerImage! <= TARGET_MARGINAL_BYTES },
    imagesPerStack: { value: fits.images, target: TARGET_IMAGES_PER_STACK, pass: fits.images >= TARGET_IMAGES_PER_STACK },
  };
  process.stdout.write([
    `${verdict(targets.marginalResources.pass)}: resources per additional hardened image = ${targets.marginalResources.value} (target <= ${TARGET_MARGINAL_RESOURCES})`,
    `${verdict(targets.marginalBytes.pass)}: template bytes per additional hardened image = ${targets.marginalBytes.value} (target <= ${TARGET_MARGINAL_BYTES})`,
    `${verdict(targets.imagesPerStack.pass)}: hardened images in one stack = ${fits.images} (target >= ${TARGET_IMAGES_PER_STACK})`,
    '',
  ].join('\n'));

  fs.mkdirSync(path.dirname(RESULTS_FILE), { recursive: true });
  fs.writeFileSync(RESULTS_FILE, JSON.stringify({
    generatedAt: new Date().toISOString(),
    node: process.version,
    awsCdkLib: cdkVersion(),
    cpus: os.cpus().length,
    loadAverage1m: load,
    runsPerMeasurement: RUNS,
    limits: { resources: CFN_RESOURCE_LIMIT, templateBytes: CFN_TEMPLATE_BYTES_LIMIT },
    largestImagesPerStack: fits,
    targets,
    results,
  }, undefined, 2) + '\n');
  process.stdout.write(`Results written to ${path.relative(process.cwd(), RESULTS_FILE)}\n`);
}

function cdkVersion(): string {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return (require('aws-cdk-lib/package.json') as { version: string }).version;
}

main();
