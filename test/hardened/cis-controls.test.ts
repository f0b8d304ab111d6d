import * as fs from 'fs';
import * as path from 'path';
import { synthRecipe } from './helpers';
import { ImagePlatform } from '../../src';
import { CisLevel, Hardening, OperatingSystem } from '../../src/hardened';
import { CIS_CONTROLS, CisSection, cisApplyScript, cisCheckScript, cisControlsFor, renderCisControlsMarkdown } from '../../src/hardened/cis-controls';
import { ImageArchitecture } from '../../src/platform';
import { bashFindings, expectToeDocument, LINUX_PRELUDE } from '../toe-checks';

const DOC = path.join(__dirname, '..', '..', 'docs', 'cis-controls.md');

describe('CIS controls data', () => {
  test('docs/cis-controls.md is what the data says (regenerate with: npx ts-node -P tsconfig.dev.json test/hardened/write-cis-doc.ts)', () => {
    expect(fs.readFileSync(DOC, 'utf-8')).toBe(renderCisControlsMarkdown());
  });

  test('the doc lists every control with its level and what it changes', () => {
    const doc = fs.readFileSync(DOC, 'utf-8');
    for (const control of CIS_CONTROLS) {
      expect(doc).toContain(`| ${control.id} | ${control.level === 1 ? '1 and 2' : '2'} | ${control.section} | ${control.title} |`);
    }
    expect(doc).toContain('not benchmark compliance');
  });

  test('ids are unique and stable in form; every control applies something and checks it', () => {
    expect(new Set(CIS_CONTROLS.map(c => c.id)).size).toBe(CIS_CONTROLS.length);
    for (const control of CIS_CONTROLS) {
      expect(control.id).toMatch(/^GA-CIS-\d{2}$/);
      expect(control.apply.trim().length).toBeGreaterThan(0);
      expect(control.check).toMatch(/cis_fail/);
      expect(control.changes.length).toBeGreaterThan(20);
    }
  });

  test('Level 2 is Level 1 plus more', () => {
    const one = cisControlsFor(CisLevel.LEVEL_1).map(c => c.id);
    const two = cisControlsFor(CisLevel.LEVEL_2).map(c => c.id);
    expect(two).toEqual(expect.arrayContaining(one));
    expect(two.length).toBeGreaterThan(one.length);
    expect(one).toHaveLength(14);
    expect(two).toHaveLength(21);
  });

  test.each(CIS_CONTROLS.map(c => [c.id, c] as const))('%s apply and check scripts pass bash -n and shellcheck', (_id, control) => {
    expect(bashFindings(`${LINUX_PRELUDE}\n${cisApplyScript(control)}`)).toBe('');
    expect(bashFindings(`${LINUX_PRELUDE}\n${cisCheckScript(control)}`)).toBe('');
    for (const violation of control.violations) {
      expect(bashFindings(`${LINUX_PRELUDE}\n${violation.script}`)).toBe('');
      if (violation.cleanup) expect(bashFindings(`${LINUX_PRELUDE}\n${violation.cleanup}`)).toBe('');
    }
  });

  test('every control can be broken by hand (the guest harness proves each violation fails the check and apply repairs it)', () => {
    for (const control of CIS_CONTROLS) {
      expect(control.violations.length).toBeGreaterThan(0);
      expect(new Set(control.violations.map(v => v.description)).size).toBe(control.violations.length);
    }
  });

  test('apply steps never append to a file they own: a second run must leave the same files', () => {
    for (const control of CIS_CONTROLS) {
      // `>>` is allowed only after the same script deleted the key it appends (set in place).
      for (const line of control.apply.split('\n').filter(l => l.includes('>>'))) {
        expect([control.id, line]).toEqual([control.id, expect.stringMatching(/printf '%s %s\\n' "\$key" "\$value" >>|printf '%s = %s\\n' "\$key" "\$value" >>|printf 'minlen = 14\\nminclass = 4\\n' >>/)]);
      }
    }
  });

  test('auditd, audit rules, immutability and the boot parameter are Level 2 (as in the CIS benchmarks)', () => {
    const levelTwo = CIS_CONTROLS.filter(c => c.level === 2).map(c => c.title);
    expect(levelTwo).toEqual(expect.arrayContaining([
      expect.stringMatching(/auditd is installed/),
      expect.stringMatching(/audit rules collect/),
      expect.stringMatching(/immutable/),
      expect.stringMatching(/prior to auditd/),
    ]));
  });
});

describe('CIS components', () => {
  test.each([
    [CisLevel.LEVEL_1, OperatingSystem.AMAZON_LINUX_2023],
    [CisLevel.LEVEL_2, OperatingSystem.UBUNTU_24_04],
  ])('%s on %s: one component per section, one apply step and one test-phase check step per control, in order', (level, os) => {
    const { documents } = synthRecipe({ operatingSystem: os, architecture: ImageArchitecture.ARM64, hardening: Hardening.cis(level) });
    const controls = cisControlsFor(level);
    const steps: Array<[string, string]> = [];
    for (const section of Object.values(CisSection)) {
      const document = expectToeDocument(documents.get(`cis-${section}`)!.data, ImagePlatform.LINUX);
      expect(document.phases.map(p => p.name)).toEqual(['build', 'test']);
      const [build, test] = document.phases;
      expect(build.steps.map(s => s.name.replace('Apply_', ''))).toEqual(test.steps.map(s => s.name.replace('Check_', '')));
      build.steps.forEach(step => steps.push([section, step.name.replace('Apply_', '')]));
      for (const [index, step] of test.steps.entries()) {
        const control = controls.find(c => c.id === step.name.replace('Check_', ''))!;
        expect((step.inputs as { commands: string[] }).commands).toEqual([`${LINUX_PRELUDE}\n${cisCheckScript(control)}`]);
        expect((build.steps[index].inputs as { commands: string[] }).commands).toEqual([`${LINUX_PRELUDE}\n${cisApplyScript(control)}`]);
      }
      expect(document.description).toContain('A subset of the CIS benchmark');
    }
    expect(steps.map(([, id]) => id).sort()).toEqual(controls.map(c => c.id).sort());
  });
});
