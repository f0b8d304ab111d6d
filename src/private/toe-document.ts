import { ImagePlatform } from '../platform';

/**
 * What a generated AWSTOE document holds: one phase with one script step.
 */
export interface ScriptDocumentSpec {
  readonly name: string;
  readonly description: string;
  readonly platform: ImagePlatform;
  readonly phase: string;
  readonly script: string;
}

/** Strict mode for each shell, so a failing command fails the step and the build. */
export const PRELUDE: Record<ImagePlatform, string> = {
  [ImagePlatform.LINUX]: 'set -euo pipefail',
  [ImagePlatform.WINDOWS]: "$ErrorActionPreference = 'Stop'",
};

const ACTION: Record<ImagePlatform, string> = {
  [ImagePlatform.LINUX]: 'ExecuteBash',
  [ImagePlatform.WINDOWS]: 'ExecutePowerShell',
};

/** `\uXXXX`, the escape of one UTF-16 unit in JSON and in YAML double-quoted scalars. */
function unicodeEscape(c: string): string {
  return `\\u${c.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}`;
}

/**
 * Characters JSON.stringify leaves as they are that a YAML double-quoted scalar must escape:
 * DEL and the C1 controls (YAML 1.1 takes U+0085 as a line break, the rest are not printable),
 * U+2028 and U+2029 (line breaks in YAML 1.1), and the non-characters U+FFFE and U+FFFF.
 */
const YAML_UNSAFE_IN_JSON = /[\u007F-\u009F\u2028\u2029\uFFFE\uFFFF]/g;

/**
 * A YAML double-quoted scalar: JSON string escaping is valid YAML, with the characters YAML
 * 1.1 parsers read as line breaks or refuse written as `\uXXXX` escapes as well.
 */
export function quote(value: string): string {
  return JSON.stringify(value).replace(YAML_UNSAFE_IN_JSON, unicodeEscape);
}

/**
 * JSON text that can sit in a literal block (a heredoc or here-string in a script): what
 * JSON.stringify leaves unescaped and YAML 1.1 reads as a line break or refuses is written
 * as `\uXXXX`, which every JSON parser reads back as the same character.
 */
export function jsonForLiteralBlock(value: unknown, indent?: number): string {
  return JSON.stringify(value, undefined, indent).replace(YAML_UNSAFE_IN_JSON, unicodeEscape);
}

/**
 * What a literal block may not hold once CRLF is LF: a bare CR, U+0085, U+2028 and U+2029,
 * which YAML 1.1 parsers (AWSTOE's Go parser, PyYAML) read as line breaks, and the characters
 * YAML does not print (other C0 and C1 controls, DEL, U+FFFE, U+FFFF, unpaired surrogates).
 */
const UNSAFE_IN_LITERAL_BLOCK = /[\u0000-\u0008\u000B-\u001F\u007F-\u009F\u2028\u2029\uFFFE\uFFFF]|[\uD800-\uDFFF]/u;

/**
 * A YAML literal block at `indent` spaces, keeping the script's lines. A line break other than
 * LF would end the block in AWSTOE's parser and turn the rest of the text into document
 * structure (another step), while parsers of YAML 1.2 see nothing wrong: it is an internal
 * error here, as user values are checked for such characters where they are taken.
 */
export function literalBlock(text: string, indent: number): string {
  const normalized = text.replace(/\r\n/g, '\n');
  const unsafe = UNSAFE_IN_LITERAL_BLOCK.exec(normalized);
  if (unsafe) {
    const context = normalized.slice(Math.max(0, unsafe.index - 40), unsafe.index + 40);
    throw new Error(`internal: a YAML literal block must hold no line break but LF and no control character but tab, got ${unicodeEscape(unsafe[0])} in: '${context.replace(new RegExp(UNSAFE_IN_LITERAL_BLOCK.source, 'gu'), unicodeEscape)}'`);
  }
  const pad = ' '.repeat(indent);
  const lines = normalized.replace(/\n+$/, '').split('\n');
  return lines.map(line => (line.length === 0 ? '' : pad + line)).join('\n');
}

/**
 * Renders an AWSTOE component document (schema 1.0) that runs `script` in one step.
 * Hand-written YAML keeps the library free of runtime dependencies; tests parse every
 * document this produces and check it against the AWSTOE schema.
 */
export function renderScriptDocument(spec: ScriptDocumentSpec): string {
  const script = `${PRELUDE[spec.platform]}\n${spec.script}`;
  return [
    `name: ${quote(spec.name)}`,
    `description: ${quote(spec.description)}`,
    'schemaVersion: 1.0',
    'phases:',
    `  - name: ${spec.phase}`,
    '    steps:',
    `      - name: ${quote(stepName(spec.name))}`,
    `        action: ${ACTION[spec.platform]}`,
    '        inputs:',
    '          commands:',
    '            - |-',
    literalBlock(script, 14),
    '',
  ].join('\n');
}

/** AWSTOE step names take letters, digits, hyphens and underscores. */
function stepName(name: string): string {
  const cleaned = name.replace(/[^A-Za-z0-9_-]/g, '');
  return cleaned.length > 0 ? cleaned : 'Run';
}
