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

/** A YAML double-quoted scalar: JSON string escaping is valid YAML. */
export function quote(value: string): string {
  return JSON.stringify(value);
}

/** A YAML literal block at `indent` spaces, keeping the script's lines. */
export function literalBlock(text: string, indent: number): string {
  const pad = ' '.repeat(indent);
  const lines = text.replace(/\r\n/g, '\n').replace(/\n+$/, '').split('\n');
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
