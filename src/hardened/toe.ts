import { Token } from 'aws-cdk-lib';
import { ImagePlatform } from '../platform';
import { literalBlock, PRELUDE, quote } from '../private/toe-document';

/**
 * A multi-phase AWSTOE document renderer for the hardened recipe's components. The shared
 * renderer in `private/toe-document.ts` writes one script step; hardened components need
 * several named steps per phase, S3 transfers and input parameters. Hand-written YAML keeps
 * the library free of runtime dependencies; tests parse every document this produces and
 * check it against the AWSTOE schema.
 */

/** The actions the library's documents use. */
export enum ToeAction {
  EXECUTE_BASH = 'ExecuteBash',
  EXECUTE_POWERSHELL = 'ExecutePowerShell',
  S3_DOWNLOAD = 'S3Download',
  S3_UPLOAD = 'S3Upload',
}

/** One S3 transfer of an S3Download or S3Upload step. */
export interface ToeS3Transfer {
  readonly source: string;
  readonly destination: string;
  /** S3Upload only: upload a directory's content. */
  readonly recurse?: boolean;
}

/** One step: a script, or S3 transfers. */
export interface ToeStep {
  readonly name: string;
  /** A script, run with the platform's strict prelude. */
  readonly script?: string;
  readonly transfers?: ToeS3Transfer[];
  readonly action?: ToeAction;
}

/** One phase. */
export interface ToePhase {
  readonly name: 'build' | 'validate' | 'test';
  readonly steps: ToeStep[];
}

/** A string input parameter of the document. */
export interface ToeParameter {
  readonly name: string;
  readonly description: string;
}

/** The document. */
export interface ToeDocumentSpec {
  readonly name: string;
  readonly description: string;
  readonly platform: ImagePlatform;
  readonly parameters?: ToeParameter[];
  readonly phases: ToePhase[];
}

/** Strict mode per shell, as in the shared renderer, so a failing command fails the step. */
export const SCRIPT_PRELUDE: Record<ImagePlatform, string> = {
  [ImagePlatform.LINUX]: PRELUDE[ImagePlatform.LINUX],
  // Progress bars slow PowerShell downloads (agent installers) several times over.
  [ImagePlatform.WINDOWS]: `${PRELUDE[ImagePlatform.WINDOWS]}\n$ProgressPreference = 'SilentlyContinue'`,
};

const STEP_NAME = /^[A-Za-z0-9_-]{1,128}$/;


/** Renders an AWSTOE schema 1.0 document. */
export function renderToeDocument(spec: ToeDocumentSpec): string {
  const lines: string[] = [
    `name: ${quote(spec.name)}`,
    `description: ${quote(spec.description)}`,
    'schemaVersion: 1.0',
  ];
  if (spec.parameters && spec.parameters.length > 0) {
    lines.push('parameters:');
    for (const parameter of spec.parameters) {
      lines.push(`  - ${parameter.name}:`);
      lines.push('      type: string');
      lines.push(`      description: ${quote(parameter.description)}`);
    }
  }
  lines.push('phases:');
  for (const phase of spec.phases) {
    lines.push(`  - name: ${phase.name}`);
    lines.push('    steps:');
    for (const step of phase.steps) {
      if (!STEP_NAME.test(step.name)) {
        throw new Error(`internal: AWSTOE step name must be letters, digits, hyphens and underscores, got: '${step.name}'`);
      }
      lines.push(`      - name: ${step.name}`);
      if (step.script !== undefined) {
        const action = spec.platform === ImagePlatform.WINDOWS ? ToeAction.EXECUTE_POWERSHELL : ToeAction.EXECUTE_BASH;
        lines.push(`        action: ${action}`);
        lines.push('        inputs:');
        lines.push('          commands:');
        lines.push('            - |-');
        lines.push(literalBlock(`${SCRIPT_PRELUDE[spec.platform]}\n${step.script}`, 14));
      } else {
        lines.push(`        action: ${step.action}`);
        lines.push('        inputs:');
        for (const transfer of step.transfers ?? []) {
          lines.push(`          - source: ${quote(transfer.source)}`);
          lines.push(`            destination: ${quote(transfer.destination)}`);
          if (transfer.recurse !== undefined) {
            lines.push(`            recurse: ${transfer.recurse}`);
          }
        }
      }
    }
  }
  lines.push('');
  return lines.join('\n');
}

/** A step name from free text: letters, digits, hyphens and underscores. */
export function toStepName(text: string): string {
  const cleaned = text.replace(/[^A-Za-z0-9_-]+/g, '_').replace(/^_+|_+$/g, '');
  return (cleaned.length > 0 ? cleaned : 'Step').slice(0, 128);
}

/**
 * A value a recipe gives a shared component as an AWSTOE parameter. AWSTOE substitutes it into
 * the script text before the shell reads it, so quoting in the script cannot protect it: it
 * must match `allowed`, a character set that cannot end a quote, a here-document or a
 * command, checked at synth. Tokens pass unchecked, as with every prop: they resolve to
 * values of the stack's own template, which its deployer controls anyway.
 */
export function scriptParameterValue(prop: string, value: string, allowed: RegExp): string {
  if (!Token.isUnresolved(value) && !allowed.test(value)) {
    throw new Error(`${prop} reaches a build script as a component parameter and must match ${allowed}, got: '${value}'`);
  }
  return value;
}
