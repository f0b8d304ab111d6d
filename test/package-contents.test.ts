import { execFileSync } from 'child_process';
import * as path from 'path';

const ROOT = path.join(__dirname, '..');

/** What the npm package would hold, as `npm pack` lists it (nothing is written). */
function packedFiles(): string[] {
  const out = execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: ROOT, encoding: 'utf8' });
  const [pack]: Array<{ files: Array<{ path: string }> }> = JSON.parse(out);
  return pack.files.map(file => file.path);
}

describe('the npm package', () => {
  const files = packedFiles();

  test('holds only the library, its assets, the assembly, its example translations and the docs', () => {
    // .jsii.tabl.json: the README examples' translations (`npx projen rosetta:extract`), read by
    // jsii-pacmak, jsii-docgen and Construct Hub.
    const allowed = /^(lib\/|assets\/|docs\/|\.jsii$|\.jsii\.tabl\.json$|API\.md$|README\.md$|LICENSE$|package\.json$)/;
    expect(files.filter(file => !allowed.test(file))).toEqual([]);
    // lib/, .jsii and .jsii.tabl.json exist only after a compile (the test task runs before it in a fresh clone).
    expect(files).toEqual(expect.arrayContaining(['package.json', 'README.md', 'API.md']));
  });

  test('ships no tests, test tools or development configuration', () => {
    const development = /^(test-python|test|harness|harness-results|bench|scripts|examples|rosetta|\.ci|\.venv|\.min-cdk|src|projenrc)\/|^tsconfig\.dev\.json$|^\.projenrc\.ts$/;
    expect(files.filter(file => development.test(file))).toEqual([]);
  });
});
