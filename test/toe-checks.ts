import { spawnSync } from 'child_process';
import { parse } from 'yaml';
import { flushYaml11Checks, queueYaml11Check } from './yaml11';
import { ImagePlatform } from '../src';

/**
 * Checks of generated AWSTOE documents shared by the test suites: the document is parsed with
 * `yaml` and checked against the AWSTOE schema 1.0 (top-level keys, phases, known actions and
 * their inputs, declared parameters); every bash command goes through `bash -n` and
 * shellcheck (missing shellcheck fails the test); PowerShell commands get structural checks.
 * Every document is also parsed with PyYAML, a YAML 1.1 parser as AWSTOE's is, and must read
 * the same (test/yaml11.ts): the documents a test checked are compared in one batch after it.
 */

afterEach(flushYaml11Checks);

export interface ToeStep {
  readonly name: string;
  readonly action: string;
  readonly inputs: { commands?: string[] } | Array<{ source: string; destination: string; recurse?: boolean }>;
}
export interface ToePhase {
  readonly name: string;
  readonly steps: ToeStep[];
}
export interface ToeDocument {
  readonly name: string;
  readonly description: string;
  readonly schemaVersion: number;
  readonly parameters?: Array<Record<string, { type: string; description?: string; default?: string }>>;
  readonly phases: ToePhase[];
}

/** The AWSTOE action modules the library's documents may use. */
export const KNOWN_ACTIONS = ['ExecuteBash', 'ExecutePowerShell', 'S3Download', 'S3Upload', 'Reboot', 'UpdateOS'];
const TOP_LEVEL_KEYS = ['description', 'name', 'parameters', 'phases', 'schemaVersion'];

export const LINUX_PRELUDE = 'set -euo pipefail';
export const WINDOWS_PRELUDE = "$ErrorActionPreference = 'Stop'";

export const SHELLCHECK_MISSING = 'shellcheck is not installed: every generated bash command must pass shellcheck, so .ci/run must install it (apt-get install -y shellcheck) before the tests run';

/** shellcheck's version banner, or undefined when it is not installed. */
export function shellcheckVersion(): string | undefined {
  const result = spawnSync('shellcheck', ['--version'], { encoding: 'utf-8' });
  return result.error || result.status !== 0 ? undefined : result.stdout;
}

let shellcheckChecked = false;
/** Fails when shellcheck is missing. */
export function requireShellcheck(): string {
  const version = shellcheckVersion();
  if (version === undefined) {
    throw new Error(SHELLCHECK_MISSING);
  }
  shellcheckChecked = true;
  return version;
}

const bashResults = new Map<string, string>();
/**
 * `bash -n` and shellcheck findings of a command ('' when clean). Results are cached by
 * command text: the matrix renders the same steps many times.
 */
export function bashFindings(command: string): string {
  const cached = bashResults.get(command);
  if (cached !== undefined) return cached;
  if (!shellcheckChecked) requireShellcheck();
  const syntax = spawnSync('bash', ['-n'], { input: command, encoding: 'utf-8' });
  let findings = syntax.status === 0 && !syntax.error ? '' : `bash -n: ${syntax.stderr}`;
  const lint = spawnSync('shellcheck', ['-s', 'bash', '-'], { input: command, encoding: 'utf-8' });
  if (lint.error) throw lint.error;
  if (lint.status !== 0) findings += `shellcheck: ${lint.stdout}${lint.stderr}`;
  bashResults.set(command, findings);
  return findings;
}

/** The commands of a script step (ExecuteBash or ExecutePowerShell). */
export function stepCommands(step: ToeStep): string[] {
  const inputs = step.inputs as { commands?: string[] };
  expect(Array.isArray(inputs.commands)).toBe(true);
  return inputs.commands!;
}

/** Expects a bash command to pass `bash -n` and shellcheck. */
export function expectValidBash(command: string): void {
  expect(bashFindings(command)).toBe('');
}

/**
 * A character as PowerShell's tokenizer classes it: the typographic single quotes
 * (U+2018-U+201B) are single quotes and the typographic double quotes (U+201C-U+201E) double
 * quotes, as Microsoft's about_Quoting_Rules says.
 */
export function quoteKind(c: string | undefined): string | undefined {
  if (c !== undefined && /['\u2018-\u201B]/.test(c)) return "'";
  if (c !== undefined && /["\u201C-\u201E]/.test(c)) return '"';
  return c;
}

/**
 * Structural checks of a PowerShell command: strict prelude, balanced braces, parentheses and
 * brackets outside strings, and here-strings that are closed.
 */
export function powershellFindings(command: string): string {
  const findings: string[] = [];
  if (!command.startsWith(WINDOWS_PRELUDE)) findings.push('does not start with the strict prelude');
  const lines = command.split('\n');
  let inHereString: string | undefined;
  const stack: string[] = [];
  const pairs: Record<string, string> = { ')': '(', '}': '{', ']': '[' };
  for (const line of lines) {
    if (inHereString) {
      if (line.startsWith(inHereString)) {
        inHereString = undefined;
      }
      continue;
    }
    let code = line;
    if (/@'$/.test(line)) {
      inHereString = "'@";
      code = line.slice(0, -2);
    } else if (/@"$/.test(line)) {
      inHereString = '"@';
      code = line.slice(0, -2);
    }
    let quote: string | undefined;
    for (let i = 0; i < code.length; i++) {
      const c = quoteKind(code[i]);
      if (quote) {
        if (c === quote) {
          if (quoteKind(code[i + 1]) === quote) i++; else quote = undefined;
        } else if (quote === '"' && c === '`') {
          i++;
        }
        continue;
      }
      if (c === '#') break;
      if (c === "'" || c === '"') {quote = c;} else if (c === '(' || c === '{' || c === '[') {stack.push(c);} else if (c === ')' || c === '}' || c === ']') {
        if (stack.pop() !== pairs[c]) findings.push(`unbalanced '${c}' in: ${line}`);
      }
    }
    if (quote) findings.push(`unterminated string in: ${line}`);
  }
  if (inHereString) findings.push('unterminated here-string');
  if (stack.length > 0) findings.push(`unclosed: ${stack.join('')}`);
  return findings.join('; ');
}

/** Placeholders `{{ Name }}` a document uses. */
function placeholders(text: string): string[] {
  return [...text.matchAll(/\{\{\s*([A-Za-z0-9_.:]+)\s*\}\}/g)].map(match => match[1]);
}

/**
 * Parses an AWSTOE document, checks its schema and every command, and returns it. Collects
 * every problem, then fails once with all of them.
 */
export function expectToeDocument(data: string, platform: ImagePlatform): ToeDocument {
  expect(data).toMatch(/^schemaVersion: 1\.0$/m);
  const document = parse(data) as ToeDocument;
  queueYaml11Check(data);
  const problems: string[] = [];
  const problem = (where: string, what: string) => problems.push(`${document?.name ?? '?'} ${where}: ${what}`);

  for (const key of Object.keys(document)) {
    if (!TOP_LEVEL_KEYS.includes(key)) problem('document', `unknown top-level key '${key}'`);
  }
  if (typeof document.name !== 'string' || document.name.length === 0) problem('document', 'no name');
  if (typeof document.description !== 'string') problem('document', 'no description');
  if (document.schemaVersion !== 1.0) problem('document', `schemaVersion ${document.schemaVersion}`);
  const declared = new Set<string>();
  for (const parameter of document.parameters ?? []) {
    const names = Object.keys(parameter);
    if (names.length !== 1) problem('parameters', `a parameter must have one name, got ${names.join(',')}`);
    const spec = parameter[names[0]];
    if (spec.type !== 'string') problem('parameters', `${names[0]} has type ${spec.type}`);
    declared.add(names[0]);
  }
  for (const used of placeholders(data)) {
    if (!declared.has(used)) problem('document', `uses undeclared parameter {{ ${used} }}`);
  }
  if (!Array.isArray(document.phases) || document.phases.length === 0) problem('document', 'no phases');
  const phaseNames = (document.phases ?? []).map(phase => phase.name);
  if (new Set(phaseNames).size !== phaseNames.length) problem('document', `duplicate phases ${phaseNames.join(',')}`);
  for (const phase of document.phases ?? []) {
    if (Object.keys(phase).sort().join() !== 'name,steps') problem(phase.name, 'a phase has exactly name and steps');
    if (!['build', 'validate', 'test'].includes(phase.name)) problem(phase.name, 'unknown phase');
    if (!Array.isArray(phase.steps) || phase.steps.length === 0) problem(phase.name, 'no steps');
    const stepNames = phase.steps.map(step => step.name);
    if (new Set(stepNames).size !== stepNames.length) problem(phase.name, `duplicate steps ${stepNames.join(',')}`);
    for (const step of phase.steps) {
      const where = `${phase.name}/${step.name}`;
      if (!/^[A-Za-z0-9_-]{1,128}$/.test(step.name)) problem(where, 'bad step name');
      if (!KNOWN_ACTIONS.includes(step.action)) problem(where, `unknown action ${step.action}`);
      if (step.action === 'ExecuteBash' || step.action === 'ExecutePowerShell') {
        const expected = platform === ImagePlatform.WINDOWS ? 'ExecutePowerShell' : 'ExecuteBash';
        if (step.action !== expected) problem(where, `${step.action} in a ${platform} document`);
        const inputs = step.inputs as { commands?: string[] };
        if (Array.isArray(inputs) || Object.keys(inputs).join() !== 'commands' || !Array.isArray(inputs.commands) || inputs.commands.length === 0) {
          problem(where, 'inputs must be { commands: [...] }');
          continue;
        }
        for (const command of inputs.commands) {
          if (typeof command !== 'string') {
            problem(where, 'a command is not a string');
          } else if (step.action === 'ExecuteBash') {
            if (!command.startsWith(LINUX_PRELUDE)) problem(where, 'bash without strict mode');
            const findings = bashFindings(command);
            if (findings) problem(where, findings);
          } else {
            const findings = powershellFindings(command);
            if (findings) problem(where, findings);
          }
        }
      } else if (step.action === 'S3Download' || step.action === 'S3Upload') {
        const transfers = step.inputs as Array<Record<string, unknown>>;
        if (!Array.isArray(transfers) || transfers.length === 0) {
          problem(where, 'inputs must be a list of transfers');
          continue;
        }
        for (const transfer of transfers) {
          for (const key of Object.keys(transfer)) {
            if (!['source', 'destination', 'recurse', 'expectedBucketOwner', 'overwrite'].includes(key)) problem(where, `unknown input ${key}`);
          }
          const remote = step.action === 'S3Download' ? transfer.source : transfer.destination;
          const local = step.action === 'S3Download' ? transfer.destination : transfer.source;
          if (typeof remote !== 'string' || !remote.startsWith('s3://')) problem(where, `the S3 side must be an s3:// URI, got ${String(remote)}`);
          if (typeof local !== 'string' || !(local.startsWith('/') || /^[A-Za-z]:\\/.test(local))) problem(where, `the local side must be an absolute path, got ${String(local)}`);
          if (transfer.recurse !== undefined && typeof transfer.recurse !== 'boolean') problem(where, 'recurse must be a boolean');
        }
      }
    }
  }
  expect(problems).toEqual([]);
  return document;
}
