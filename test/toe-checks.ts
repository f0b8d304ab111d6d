import { spawnSync } from 'child_process';
import { parse } from 'yaml';
import { ImagePlatform } from '../src';

/**
 * Checks shared by every test of generated AWSTOE documents: the document structure, and
 * `bash -n` plus shellcheck on every Linux command.
 */

export interface ToeStep {
  name: string;
  action: string;
  inputs: { commands: string[] };
}
export interface ToePhase {
  name: string;
  steps: ToeStep[];
}
export interface ToeDocument {
  name: string;
  description: string;
  schemaVersion: number;
  phases: ToePhase[];
}

/**
 * Parses an AWSTOE document and checks the structure the library generates against the
 * AWSTOE schema 1.0: name, description, schemaVersion, phases of build/validate/test, each
 * with named steps of a script action whose inputs are a list of command strings.
 */
export function expectToeDocument(data: string, platform: ImagePlatform): ToeDocument {
  expect(data).toMatch(/^schemaVersion: 1\.0$/m);
  const document = parse(data) as ToeDocument;
  expect(Object.keys(document).sort()).toEqual(['description', 'name', 'phases', 'schemaVersion']);
  expect(typeof document.name).toBe('string');
  expect(document.name.length).toBeGreaterThan(0);
  expect(typeof document.description).toBe('string');
  expect(document.schemaVersion).toBe(1.0);
  expect(Array.isArray(document.phases)).toBe(true);
  expect(document.phases.length).toBeGreaterThan(0);
  const phaseNames = document.phases.map(phase => phase.name);
  expect(new Set(phaseNames).size).toBe(phaseNames.length);
  for (const phase of document.phases) {
    expect(Object.keys(phase).sort()).toEqual(['name', 'steps']);
    expect(['build', 'validate', 'test']).toContain(phase.name);
    expect(Array.isArray(phase.steps)).toBe(true);
    expect(phase.steps.length).toBeGreaterThan(0);
    const stepNames = phase.steps.map(step => step.name);
    expect(new Set(stepNames).size).toBe(stepNames.length);
    for (const step of phase.steps) {
      expect(Object.keys(step).sort()).toEqual(['action', 'inputs', 'name']);
      expect(step.name).toMatch(/^[A-Za-z0-9_-]+$/);
      expect(['ExecuteBash', 'ExecutePowerShell']).toContain(step.action);
      expect(step.action).toBe(platform === ImagePlatform.WINDOWS ? 'ExecutePowerShell' : 'ExecuteBash');
      expect(Object.keys(step.inputs)).toEqual(['commands']);
      expect(Array.isArray(step.inputs.commands)).toBe(true);
      expect(step.inputs.commands.length).toBeGreaterThan(0);
      for (const command of step.inputs.commands) {
        expect(typeof command).toBe('string');
        if (platform === ImagePlatform.LINUX) {
          expectValidBash(command);
        }
      }
    }
  }
  return document;
}

export function shellcheckVersion(): string | undefined {
  const result = spawnSync('shellcheck', ['--version'], { encoding: 'utf-8' });
  return result.error || result.status !== 0 ? undefined : result.stdout;
}

export const SHELLCHECK_MISSING = 'shellcheck is not installed: every generated bash command must pass shellcheck, so .ci/run must install it (apt-get install -y shellcheck) before the tests run';

/** Checks a bash command with `bash -n` and shellcheck. A missing shellcheck fails the test. */
export function expectValidBash(command: string): void {
  const syntax = spawnSync('bash', ['-n'], { input: command, encoding: 'utf-8' });
  expect(syntax.error).toBeUndefined();
  expect({ status: syntax.status, stderr: syntax.stderr }).toEqual({ status: 0, stderr: '' });

  if (shellcheckVersion() === undefined) {
    throw new Error(SHELLCHECK_MISSING);
  }
  const lint = spawnSync('shellcheck', ['-s', 'bash', '-'], { input: command, encoding: 'utf-8' });
  expect({ status: lint.status, output: lint.stdout + lint.stderr }).toEqual({ status: 0, output: '' });
}
