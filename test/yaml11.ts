import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { parse } from 'yaml';

/**
 * Parses YAML documents with PyYAML, a YAML 1.1 parser as AWSTOE's (Go) is, and compares
 * the result with the `yaml` package's (YAML 1.2) parse of the same text. YAML 1.1 takes
 * U+0085, U+2028, U+2029 and a bare CR as line breaks and `yes`/`on`/`0755` as booleans and
 * octals; where the two parsers differ, the service would run another document than the one
 * the tests checked. One Python process per batch of documents keeps it fast.
 */

export const PYTHON = path.join(__dirname, '..', '.venv', 'bin', 'python');
/** The failure when the virtualenv (or PyYAML in it) is missing: the check is never skipped. */
export function venvMissing(python: string): string {
  return `PyYAML is not installed in .venv (${python}): every generated AWSTOE document is parsed with a YAML 1.1 parser, as AWSTOE parses it. Run \`bash scripts/python-venv.sh\` first.`;
}

/**
 * Reads a JSON array of YAML texts on stdin and writes, for each, the parse (`ok`) or the
 * parser's error (`error`), with libyaml's safe loader (AWSTOE's Go parser is a port of
 * libyaml; the pure-Python loader when PyYAML was built without it). Values JSON has no type
 * for (timestamps, sets, binary) are written as a tagged object, so they differ from the
 * `yaml` package's strings instead of passing unnoticed.
 */
const PARSER = `
import json, sys, yaml
# libyaml's loader when PyYAML has it: AWSTOE's Go parser is a port of libyaml.
LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
def tagged(value):
    return {"__yaml11_type__": type(value).__name__, "value": str(value)}
results = []
for text in json.load(sys.stdin):
    try:
        results.append({"ok": json.loads(json.dumps(yaml.load(text, Loader=LOADER), default=tagged, allow_nan=False))})
    except Exception as error:
        results.append({"error": "%s: %s" % (type(error).__name__, error)})
json.dump(results, sys.stdout)
`;

interface Yaml11Result {
  readonly ok?: unknown;
  readonly error?: string;
}

/** Parses each document with PyYAML, in one Python process (`python`: the virtualenv's). */
export function parseYaml11(documents: string[], python: string = PYTHON): Yaml11Result[] {
  if (documents.length === 0) return [];
  if (!fs.existsSync(python)) throw new Error(venvMissing(python));
  const result = spawnSync(python, ['-c', PARSER], { input: JSON.stringify(documents), encoding: 'utf-8', maxBuffer: 256 * 1024 * 1024 });
  if (result.error) throw new Error(`${venvMissing(python)} (${result.error.message})`);
  if (result.status !== 0) {
    throw new Error(/No module named '?yaml/.test(result.stderr) ? venvMissing(python) : `PyYAML failed: ${result.stderr}`);
  }
  return JSON.parse(result.stdout) as Yaml11Result[];
}

/** The first place two JSON values differ, as a path and both values; undefined when equal. */
export function firstDifference(a: unknown, b: unknown, at: string = '$'): string | undefined {
  if (Array.isArray(a) && Array.isArray(b)) {
    for (let i = 0; i < Math.max(a.length, b.length); i++) {
      const difference = firstDifference(a[i], b[i], `${at}[${i}]`);
      if (difference) return difference;
    }
    return undefined;
  }
  if (a !== null && b !== null && typeof a === 'object' && typeof b === 'object' && !Array.isArray(a) && !Array.isArray(b)) {
    const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])];
    for (const key of keys) {
      const difference = firstDifference((a as Record<string, unknown>)[key], (b as Record<string, unknown>)[key], `${at}.${key}`);
      if (difference) return difference;
    }
    return undefined;
  }
  return Object.is(a, b) ? undefined : `${at}: YAML 1.2 (yaml) ${JSON.stringify(a)}, YAML 1.1 (PyYAML) ${JSON.stringify(b)}`;
}

/** For each document, what differs between the two parses, or undefined when they agree. */
function compareParses(documents: string[]): Array<string | undefined> {
  const parsed = parseYaml11(documents);
  return documents.map((document, index) => {
    const yaml12 = JSON.parse(JSON.stringify(parse(document)));
    const name = typeof yaml12?.name === 'string' ? yaml12.name : `document ${index}`;
    const { ok, error } = parsed[index];
    if (error !== undefined) return `${name}: PyYAML (YAML 1.1) refuses the document: ${error}`;
    const difference = firstDifference(yaml12, ok);
    return difference ? `${name}: the YAML 1.1 parse differs at ${difference}` : undefined;
  });
}

/**
 * What differs between the two parses of each document: one entry per document that PyYAML
 * refuses or reads differently, empty when all agree.
 */
export function yaml11Differences(documents: string[]): string[] {
  return compareParses(documents).filter((problem): problem is string => problem !== undefined);
}

/** Documents both parsers read alike: not parsed again when rendered again. */
const agreed = new Set<string>();
let pending: string[] = [];

/** Queues a document for the YAML 1.1 comparison run by `flushYaml11Checks`. */
export function queueYaml11Check(document: string): void {
  if (!agreed.has(document)) pending.push(document);
}

/** Compares every queued document in one batch and fails with all the differences. */
export function flushYaml11Checks(): void {
  const documents = [...new Set(pending)];
  pending = [];
  if (documents.length === 0) return;
  const results = compareParses(documents);
  documents.forEach((document, index) => {
    if (results[index] === undefined) agreed.add(document);
  });
  const problems = results.filter(problem => problem !== undefined);
  if (problems.length > 0) {
    throw new Error(`generated AWSTOE documents read differently by a YAML 1.1 parser (AWSTOE's is one):\n${problems.join('\n')}`);
  }
}
