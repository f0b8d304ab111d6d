import { execFileSync } from 'child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { Duration, Size, SizeRoundingBehavior, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { Fact } from 'aws-cdk-lib/region-info';
import * as fc from 'fast-check';

/**
 * Property-based tests of the constructs' props: any props either fail synthesis with an error
 * that names a prop and the value it received, or give a template that passes aws-cdk-lib's
 * CloudFormation validation (as errors, `newStack()`) and, at the end of the file, cfn-lint.
 *
 * FUZZ_RUNS sets the cases per construct (CI: the default of each file), FUZZ_SEED the seed
 * (default fixed, so a failure reproduces); `npx projen test:fuzz` runs a longer search.
 */
export const FUZZ_RUNS = Number(process.env.FUZZ_RUNS ?? 0);
export const FUZZ_SEED = Number(process.env.FUZZ_SEED ?? 20240610);

/** The fast-check parameters of one property. */
export function fuzzParameters(defaultRuns: number): fc.Parameters<unknown> {
  return { seed: FUZZ_SEED, numRuns: FUZZ_RUNS > 0 ? FUZZ_RUNS : defaultRuns, endOnFailure: true };
}

const REGIONS = Fact.regions.filter(name => !name.includes('iso') && !name.startsWith('cn-') && !name.includes('gov') && name !== 'eusc-de-east-1');

/** Text that breaks things: empty, long, unicode, control characters, quotes, spaces at the ends. */
export function hostileString(maxLength: number = 1100): fc.Arbitrary<string> {
  return fc.oneof(
    fc.constantFrom('', ' ', ' leading', 'trailing ', "quo'te", 'new\nline', 'tab\t', 'nul\u0000', 'emoji 🚀', 'é', 'aws:tag', '{{ imagebuilder:buildDate }}'),
    fc.string({ maxLength: 40 }),
    fc.string({ unit: 'grapheme', maxLength: 40 }),
    fc.string({ unit: 'binary', maxLength: 20 }),
    fc.integer({ min: Math.min(120, maxLength), max: maxLength }).map(n => 'a'.repeat(n)),
  );
}

/** A name of letters, digits, hyphens and underscores. */
export function plainName(minLength: number = 3, maxLength: number = 40): fc.Arbitrary<string> {
  return fc.stringMatching(new RegExp(`^[A-Za-z0-9][A-Za-z0-9_-]{${Math.max(0, minLength - 2)},${maxLength - 2}}[A-Za-z0-9]$`));
}

/** Mostly `valid`, one case in `1 + odds` from `hostile`: each case then has a few bad props at most. */
export function mostly<T>(valid: fc.Arbitrary<T>, hostile: fc.Arbitrary<T>, odds: number = 12): fc.Arbitrary<T> {
  return fc.oneof({ weight: odds, arbitrary: valid }, { weight: 1, arbitrary: hostile });
}

/** Regions: real ones, misspelt ones that match the format, and junk. */
export function region(): fc.Arbitrary<string> {
  return mostly(fc.constantFrom(...REGIONS), fc.oneof(
    fc.constantFrom('eu-centrl-1', 'eu-west-12', 'us-east-9', 'EU-WEST-1', 'europe-west', 'eu-west-1 '),
    hostileString(60),
  ));
}

/** Descriptions: mostly good, sometimes hostile. */
export function description(): fc.Arbitrary<string | undefined> {
  return mostly(fc.option(fc.string({ minLength: 1, maxLength: 80 }), { nil: undefined }), hostileString(1100));
}

/** Tag maps with good and bad keys and values. */
export function tags(): fc.Arbitrary<{ [key: string]: string } | undefined> {
  const key = mostly(fc.stringMatching(/^[A-Za-z][A-Za-z0-9_.:/=+@ -]{0,30}$/), fc.oneof(
    fc.constantFrom('', 'aws:owner', 'AWS:team', 'k'.repeat(129), 'team#1', 'é'),
    hostileString(140),
  ), 20);
  const value = mostly(fc.string({ maxLength: 30 }), hostileString(300), 20);
  return fc.option(fc.dictionary(key, value, { maxKeys: 4 }), { nil: undefined });
}

/** One cron field: good values, out-of-range numbers, long names, junk. */
export function cronField(good: string[]): fc.Arbitrary<string | undefined> {
  return mostly(fc.option(fc.constantFrom(...good), { nil: undefined }), fc.oneof(
    fc.integer({ min: 0, max: 2300 }).map(String),
    fc.constantFrom('MONDAY', 'JANUARY', '*/0', '1-', '?', 'L', '5W', '3#2', '2#6', '0 4', ''),
    hostileString(30),
  ), 20);
}

/** Flattens props into the strings they hold: a named value in an error must be one of them. */
function leaves(value: unknown, out: string[] = [], depth: number = 0): string[] {
  if (depth > 4 || value === undefined || value === null) return out;
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') {
    out.push(String(value));
  } else if (value instanceof Duration) {
    out.push(value.toHumanString());
  } else if (value instanceof Size) {
    // As given, or as a count of GiB under a prop that says '(GiB)'.
    const gib = value.toGibibytes({ rounding: SizeRoundingBehavior.NONE });
    out.push(`${gib} GiB`, String(gib));
  } else if (Array.isArray(value)) {
    value.forEach(item => leaves(item, out, depth + 1));
  } else if (typeof value === 'object' && [Object.prototype, null].includes(Object.getPrototypeOf(value))) {
    for (const [key, item] of Object.entries(value)) {
      out.push(key);
      leaves(item, out, depth + 1);
    }
  }
  return out;
}

/** How an error message quotes a value (validation.ts: in full, or its first 200 characters). */
function quotedForms(value: string): string[] {
  const forms = [`'${value}'`, `'${value.slice(0, 200)}...'`, `'${JSON.stringify(value)}'`];
  return forms;
}

/**
 * Whether `message` names one of `props` (its first word, up to `[`, `.` or a space, is a prop
 * name or one of `aliases`) and quotes a value it was given.
 */
export function namesPropAndValue(message: string, props: object, aliases: string[] = []): boolean {
  const prop = /^([A-Za-z]+)/.exec(message)?.[1];
  if (!prop) return false;
  const known = new Set([...Object.keys(props), ...aliases]);
  if (!known.has(prop)) return false;
  return leaves(props).some(value => quotedForms(value).some(form => message.includes(form)));
}

/** Collects the templates of the valid cases and lints them with cfn-lint in one run. */
export class TemplateBatch {
  private readonly dir: string;
  private count = 0;
  /** Cases that failed synthesis with an error naming a prop and its value. */
  public errors = 0;

  constructor(name: string) {
    this.dir = mkdtempSync(join(tmpdir(), `fuzz-${name}-`));
  }

  /** Synthesizes `stack` (aws-cdk-lib's validation as errors) and keeps its template. */
  public add(stack: Stack): void {
    const template = Template.fromStack(stack).toJSON();
    writeFileSync(join(this.dir, `case-${this.count++}.template.json`), JSON.stringify(template));
  }

  public get size(): number {
    return this.count;
  }

  /**
   * Runs cfn-lint with README.md's configuration (as scripts/cfn-lint.sh does) over every
   * template and returns its findings (empty when clean).
   */
  public lint(): string {
    if (this.count === 0) return '';
    const root = join(__dirname, '..', '..');
    const readme = readFileSync(join(root, 'README.md'), 'utf-8');
    const block = (marker: string) => {
      const after = readme.split(`<!-- ${marker} -->`)[1];
      return /```[a-z]*\n([\s\S]*?)```/.exec(after)![1];
    };
    const config = join(this.dir, 'config');
    mkdirSync(config);
    const rc = block('cfnlintrc');
    writeFileSync(join(config, '.cfnlintrc'), rc);
    const spec = /override_spec:\s*(\S+)/.exec(rc)![1];
    writeFileSync(join(config, spec), block('cfn-lint-override-spec'));
    const templates = Array.from({ length: this.count }, (_, i) => join(this.dir, `case-${i}.template.json`));
    try {
      execFileSync(join(root, '.venv', 'bin', 'cfn-lint'), ['--include-checks', 'I', '--ignore-checks', 'I1022', '--format', 'parseable', '--', ...templates], { cwd: config, encoding: 'utf-8', stdio: 'pipe' });
      return '';
    } catch (error) {
      const output = (error as { stdout?: string }).stdout;
      if (output === undefined) throw error;
      return output;
    }
  }

  public dispose(): void {
    if (process.env.FUZZ_REPORT) {
      process.stderr.write(`fuzz ${this.dir}: ${this.count} valid templates, ${this.errors} named errors\n`);
    }
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/**
 * Runs the property: `build` makes a stack from `props` and returns it, or throws. An error
 * must name a prop and its value; a stack is synthesized and kept for cfn-lint.
 */
export function checkProps<T extends object>(batch: TemplateBatch, props: T, build: (props: T) => Stack, aliases: string[] = []): void {
  let stack: Stack;
  try {
    stack = build(props);
    batch.add(stack);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    if (!namesPropAndValue(message, props, aliases)) {
      throw new Error(`an error that names no prop and value it was given: ${message}\nprops: ${JSON.stringify(props)}`);
    }
    batch.errors++;
  }
}
