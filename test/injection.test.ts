import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, DefaultStackSynthesizer, Fn, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { inspect } from './hardened/helpers';
import { expectToeDocument, LINUX_PRELUDE, powershellFindings, quoteKind, stepCommands, ToeDocument } from './toe-checks';
import { newStack } from './util';
import { firstDifference, flushYaml11Checks, parseYaml11, venvMissing, yaml11Differences } from './yaml11';
import { AnsiblePlaybook, EcsApplicationImage, GoldenImage, GoldenImageEcsCapacity, ImagePlatform, ImageRecipe, ParentImage, RecipeComponent } from '../src';
import { CloudWatchAgentOptions, HardenedBaseRecipe, OperatingSystem, SecurityAgent } from '../src/hardened';
import { renderPlaybookScript } from '../src/private/ansible-script';
import { ecsClusterUserData } from '../src/private/ecs-cluster';
import { bashQuote, powershellQuote } from '../src/private/shell-quote';
import { literalBlock, quote, renderScriptDocument } from '../src/private/toe-document';

/*
 * Nothing a user passes may run as code on build instances and hosts: values are quoted for
 * the shell they land in, validated where a restriction is reasonable, and the AWSTOE YAML
 * reads the same to a YAML 1.1 parser (AWSTOE's) as to the tests' YAML 1.2 parser.
 */

const FIXTURES = path.join(__dirname, 'ecs', 'fixtures');
/** What PowerShell, YAML 1.1 and Ansible treat specially, in one list per item. */
const TYPOGRAPHIC_SINGLE_QUOTES = ['\u2018', '\u2019', '\u201A', '\u201B'];
const YAML11_LINE_BREAKS = ['\u0085', '\u2028', '\u2029', '\r'];

function tempDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'golden-ami-injection-'));
}

/** Runs a bash script in `cwd` with `bin` first on the PATH; fails on a non-zero exit. */
function runBash(script: string, cwd: string, env: Record<string, string> = {}): void {
  const result = spawnSync('bash', ['-c', script], { cwd, encoding: 'utf-8', env: { ...process.env, ...env } });
  if (result.status !== 0) throw new Error(`bash exited ${result.status}: ${result.stderr}`);
}

/** A file every hostile value in this file tries to create. */
function pwnedFiles(dir: string): string[] {
  return fs.readdirSync(dir, { recursive: true }).map(String).filter(name => path.basename(name) === 'pwned');
}

/**
 * Stand-ins for the AWS CLI and ansible-playbook: `aws s3 cp SRC DEST` writes a playbook to
 * DEST; ansible-playbook writes its arguments and the extra variables to $RECORD.
 */
function stubTools(dir: string): string {
  const bin = path.join(dir, 'bin');
  fs.mkdirSync(bin);
  fs.writeFileSync(path.join(bin, 'aws'), '#!/bin/bash\nprintf -- "- hosts: localhost\\n" > "$4"\n', { mode: 0o755 });
  fs.writeFileSync(path.join(bin, 'ansible-playbook'), '#!/bin/bash\nprintf "%s\\n" "$@" > "$RECORD"\nvars="${5#@}"\ncat "$vars" >> "$RECORD"\n[ -f "${@: -1}" ] || { echo "no playbook ${*: -1}" >&2; exit 1; }\n', { mode: 0o755 });
  return bin;
}

function playbookComponent(stack: Stack): ToeDocument {
  const component = Object.values(Template.fromStack(stack).findResources('AWS::ImageBuilder::Component'))
    .find(c => /-ansible-playbook-1$/.test(c.Properties.Name))!;
  const data = component.Properties.Data;
  // The asset's bucket is an intrinsic: checked as the service receives it, with a bucket name.
  const text = typeof data === 'string' ? data : data['Fn::Join'][1].map((part: unknown) => (typeof part === 'string' ? part : 'cdk-assets-bucket')).join('');
  return expectToeDocument(text, ImagePlatform.LINUX);
}

describe('1. Ansible playbook names are single-quoted bash words and plain file names', () => {
  const hostile = 'p$(touch pwned).yml';

  test('AnsiblePlaybook.fromFile refuses the file name p$(touch pwned).yml, naming the prop and the value', () => {
    const dir = tempDir();
    fs.writeFileSync(path.join(dir, hostile), '- hosts: localhost\n');
    expect(() => AnsiblePlaybook.fromFile(path.join(dir, hostile)))
      .toThrow("playbooks: the file name of playbookPath must be letters, digits, '.', '_' and '-', not starting with '-' or '.' (rename the file), got: 'p$(touch pwned).yml'");
    expect(pwnedFiles(dir)).toEqual([]);
  });

  test('AnsiblePlaybook.fromDirectory refuses the playbook p$(touch pwned).yml, and a name ansible-playbook would take as an option', () => {
    const dir = tempDir();
    fs.writeFileSync(path.join(dir, hostile), '- hosts: localhost\n');
    fs.writeFileSync(path.join(dir, '--syntax-check.yml'), '- hosts: localhost\n');
    expect(() => AnsiblePlaybook.fromDirectory(dir, { playbook: hostile }))
      .toThrow("playbooks: playbook must be a relative path of letters, digits, '.', '_' and '-' with '/' between folders, no part starting with '-' or '.', got: 'p$(touch pwned).yml'");
    expect(() => AnsiblePlaybook.fromDirectory(dir, { playbook: '--syntax-check.yml' }))
      .toThrow("playbooks: playbook must be a relative path of letters, digits, '.', '_' and '-' with '/' between folders, no part starting with '-' or '.', got: '--syntax-check.yml'");
  });

  test('the playbook build step, rendered for p$(touch pwned).yml and run by bash, creates no pwned file and runs exactly that playbook', () => {
    const script = renderPlaybookScript({ playbook: hostile, source: 's3://bucket/key.yml', isDirectory: false, variables: { app_env: "it's $(touch pwned)" } });
    expect(script).toContain(`playbook=${bashQuote(hostile)}`);
    expect(script).not.toContain(`"${hostile}"`);
    const dir = tempDir();
    const bin = stubTools(dir);
    const record = path.join(dir, 'record');
    runBash(`${LINUX_PRELUDE}\n${script}`, dir, { PATH: `${bin}:${process.env.PATH}`, RECORD: record, TMPDIR: dir });
    expect(pwnedFiles(dir)).toEqual([]);
    const recorded = fs.readFileSync(record, 'utf-8').split('\n');
    expect(recorded.slice(0, 7)).toEqual(['--connection=local', '--inventory', 'localhost,', '--extra-vars', expect.stringMatching(/^@.*\/extra-vars\.json$/), hostile, '{"app_env":"it\'s $(touch pwned)"}']);
  });

  test('the synthesized playbook component runs under bash with its variables taken literally', () => {
    const stack = newStack();
    new EcsApplicationImage(stack, 'App', {
      imageName: 'quoted',
      parent: ParentImage.fromSsmParameter('/golden-ami/base/latest'),
      playbooks: [AnsiblePlaybook.fromFile(path.join(FIXTURES, 'playbook.yml'), { variables: { app_env: '"; touch pwned; echo "$(touch pwned)`touch pwned`' } })],
    });
    const command = stepCommands(playbookComponent(stack).phases[0].steps[0])[0];
    const dir = tempDir();
    const bin = stubTools(dir);
    const record = path.join(dir, 'record');
    runBash(command, dir, { PATH: `${bin}:${process.env.PATH}`, RECORD: record, TMPDIR: dir });
    expect(pwnedFiles(dir)).toEqual([]);
    const recorded = fs.readFileSync(record, 'utf-8').split('\n');
    expect(recorded[5]).toBe('playbook.yml');
    expect(JSON.parse(recorded[6])).toEqual({ app_env: '"; touch pwned; echo "$(touch pwned)`touch pwned`' });
  });
});

describe('2. the cluster name in the user data of an imported cluster', () => {
  function capacity(cluster: (stack: Stack, vpc: ec2.IVpc) => ecs.ICluster): Stack {
    const stack = newStack();
    const vpc = new ec2.Vpc(stack, 'Vpc', { availabilityZones: ['eu-west-1a'], natGateways: 0 });
    const image = GoldenImage.fromParameterName(stack, 'Image', '/golden-ami/ecs-app/latest');
    new GoldenImageEcsCapacity(stack, 'Capacity', { cluster: cluster(stack, vpc), image, instanceType: new ec2.InstanceType('m7g.large') });
    return stack;
  }

  test.each([
    ['x";touch pwned;"'],
    ['$(touch pwned)'],
    ['workloads\ntouch pwned'],
    ['a'.repeat(256)],
    [''],
  ])('GoldenImageEcsCapacity refuses the imported cluster name %j, naming the prop and the value', name => {
    expect(() => capacity((stack, vpc) => ecs.Cluster.fromClusterAttributes(stack, 'Imported', { clusterName: name, vpc })))
      .toThrow(`cluster.clusterName must be an ECS cluster name (1-255 letters, digits, hyphens and underscores), got: '${name}'`);
  });

  test('a 255-character name of every allowed character is taken, and the user data writes it', () => {
    const name = `Ab0_-${'z'.repeat(250)}`;
    const stack = capacity((s, vpc) => ecs.Cluster.fromClusterAttributes(s, 'Imported', { clusterName: name, vpc }));
    Template.fromStack(stack).hasResourceProperties('AWS::EC2::LaunchTemplate', {
      LaunchTemplateData: { UserData: { 'Fn::Base64': `#!/bin/bash\necho 'ECS_CLUSTER=${name}' >> /etc/ecs/ecs.config` } },
    });
  });

  test('a token name is passed through unchecked, quoted', () => {
    const stack = capacity((s, vpc) => ecs.Cluster.fromClusterAttributes(s, 'Imported', { clusterName: Fn.importValue('ClusterName'), vpc }));
    Template.fromStack(stack).hasResourceProperties('AWS::EC2::LaunchTemplate', {
      LaunchTemplateData: { UserData: { 'Fn::Base64': { 'Fn::Join': ['', ["#!/bin/bash\necho 'ECS_CLUSTER=", { 'Fn::ImportValue': 'ClusterName' }, "' >> /etc/ecs/ecs.config"]] } } },
    });
  });

  test.each([['x";touch pwned;"'], ["x'$(touch pwned)'"], ['`touch pwned`']])('the user data line for %j, run by bash, creates no pwned file and writes the name as it is', name => {
    const dir = tempDir();
    const config = path.join(dir, 'ecs.config');
    runBash(ecsClusterUserData(name).replace('/etc/ecs/ecs.config', config), dir);
    expect(pwnedFiles(dir)).toEqual([]);
    expect(fs.readFileSync(config, 'utf-8')).toBe(`ECS_CLUSTER=${name}\n`);
  });

  test('the synthesized user data, run by bash, writes the cluster name', () => {
    const stack = capacity((s, vpc) => ecs.Cluster.fromClusterAttributes(s, 'Imported', { clusterName: 'workloads', vpc }));
    const template = Object.values(Template.fromStack(stack).findResources('AWS::EC2::LaunchTemplate'))[0];
    const dir = tempDir();
    const config = path.join(dir, 'ecs.config');
    runBash(template.Properties.LaunchTemplateData.UserData['Fn::Base64'].replace('/etc/ecs/ecs.config', config), dir);
    expect(fs.readFileSync(config, 'utf-8')).toBe('ECS_CLUSTER=workloads\n');
  });
});

/** Where a PowerShell single-quoted string starting at `start` ends, by PowerShell's rules. */
function powershellStringEnd(text: string, start: number): number {
  expect(quoteKind(text[start])).toBe("'");
  for (let i = start + 1; i < text.length; i++) {
    if (quoteKind(text[i]) === "'") {
      if (quoteKind(text[i + 1]) === "'") i++; else return i;
    }
  }
  return -1;
}

describe('3. PowerShell single-quoted strings double every character PowerShell takes as a single quote', () => {
  test.each(TYPOGRAPHIC_SINGLE_QUOTES.map(c => [`U+${c.charCodeAt(0).toString(16).toUpperCase()}`, c]))('%s is doubled, so the string holds the whole value', (_code, c) => {
    const value = `x${c}; New-Item pwned; ${c}.msi`;
    const quoted = powershellQuote(value);
    expect(quoted).toBe(`'x${c}${c}; New-Item pwned; ${c}${c}.msi'`);
    expect(powershellStringEnd(quoted, 0)).toBe(quoted.length - 1);
    // Undoing PowerShell's doubling gives the value back.
    expect(quoted.slice(1, -1).replace(/(['\u2018-\u201B])\1/g, '$1')).toBe(value);
  });

  test('the ASCII apostrophe is still doubled, and mixed quotes each doubled', () => {
    expect(powershellQuote("it's")).toBe("'it''s'");
    expect(powershellQuote('\u2018a\u2019b\u201Ac\u201B\'')).toBe('\'\u2018\u2018a\u2019\u2019b\u201A\u201Ac\u201B\u201B\'\'\'');
  });

  test.each(TYPOGRAPHIC_SINGLE_QUOTES.map(c => [`U+${c.charCodeAt(0).toString(16).toUpperCase()}`, c]))('a Windows installer key with %s stays one string in the install step', (_code, c) => {
    const stack = newStack();
    const key = `agents/x${c}; New-Item pwned; ${c}.msi`;
    const agent = SecurityAgent.fromS3Installer({
      name: 'edr',
      platform: ImagePlatform.WINDOWS,
      bucket: s3.Bucket.fromBucketName(stack, 'Installers', 'installers'),
      key,
      installCommand: 'Start-Process -Wait msiexec -ArgumentList "/i", $Installer',
      checkCommand: 'Get-Service edr',
    });
    const recipe = new HardenedBaseRecipe(stack, 'Base', { recipeName: 'base', operatingSystem: OperatingSystem.WINDOWS_SERVER_2022, securityAgents: [agent] });
    new GoldenImage(stack, 'Image', { recipe });
    const document = expectToeDocument(inspect(stack, recipe).documents.get('agent-edr')!.data, ImagePlatform.WINDOWS);
    const install = stepCommands(document.phases[0].steps.find(step => step.name === 'Install')!)[0];
    const line = install.split('\n').find(l => l.startsWith('$Installer = '))!;
    const start = '$Installer = '.length;
    expect(powershellStringEnd(line, start)).toBe(line.length - 1);
    expect(line).toBe(`$Installer = 'C:\\ProgramData\\GoldenAmi\\agents\\edr\\x${c}${c}; New-Item pwned; ${c}${c}.msi'`);
    expect(powershellFindings(install)).toBe('');
  });
});

/** A recipe on `os` with `cloudWatchAgent`, built (validation runs in the constructor). */
function cloudWatchRecipe(cloudWatchAgent: CloudWatchAgentOptions): void {
  new HardenedBaseRecipe(newStack(), 'Base', { recipeName: 'base', cloudWatchAgent });
}

function s3Agent(key: string): SecurityAgent {
  return SecurityAgent.fromS3Installer({ name: 'edr', bucket: s3.Bucket.fromBucketName(newStack(), 'B', 'installers'), key, installCommand: 'rpm -i "$INSTALLER"', checkCommand: 'true' });
}

const escaped = (c: string) => `\\u${c.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}`;

describe('4. values that YAML 1.1 would read as line breaks are refused; the renderers stay safe regardless', () => {
  const names = YAML11_LINE_BREAKS.map(c => [escaped(c), c]);
  const oneLine = 'must be one line without control characters (a tab aside) or the line separators U+0085, U+2028 and U+2029';

  test.each(names)('the installer S3 key with %s', (code, c) => {
    expect(() => s3Agent(`agents/edr${c}- name: Pwned.rpm`)).toThrow(`securityAgents 'edr' key ${oneLine}, which YAML 1.1 parsers such as AWSTOE's read as line breaks, got: 'agents/edr${code}- name: Pwned.rpm'`);
  });

  test.each(names)('the CloudWatch agent file path, timestamp format, namespace and metrics with %s', (code, c) => {
    const value = `x${c}y`;
    const shown = `x${code}y`;
    expect(() => cloudWatchRecipe({ additionalLogFiles: [{ filePath: `/var/log/${value}` }] }))
      .toThrow(`cloudWatchAgent.additionalLogFiles[0].filePath ${oneLine}, which YAML 1.1 parsers such as AWSTOE's read as line breaks, got: '/var/log/${shown}'`);
    expect(() => cloudWatchRecipe({ additionalLogFiles: [{ filePath: '/var/log/app.log', timestampFormat: value }] }))
      .toThrow(`cloudWatchAgent.additionalLogFiles[0].timestampFormat ${oneLine}`);
    expect(() => cloudWatchRecipe({ namespace: value })).toThrow(`cloudWatchAgent.namespace ${oneLine}`);
    expect(() => cloudWatchRecipe({ additionalMetrics: [{ category: value, measurement: 'm' }] })).toThrow(`cloudWatchAgent.additionalMetrics[0].category ${oneLine}`);
    expect(() => cloudWatchRecipe({ additionalMetrics: [{ category: 'cpu', measurement: value }] })).toThrow(`cloudWatchAgent.additionalMetrics[0].measurement ${oneLine}`);
  });

  test.each(names)('an Ansible variable value with %s', (code, c) => {
    expect(() => AnsiblePlaybook.fromFile(path.join(FIXTURES, 'playbook.yml'), { variables: { app_env: `prod${c}x` } }))
      .toThrow(`playbooks: variables['app_env'] ${oneLine}, which YAML 1.1 parsers such as AWSTOE's read as line breaks, got: 'prod${code}x'`);
  });

  test.each(['\u0000', '\u001B', '\u007F', '\u009B'].map(c => [escaped(c), c]))('other control characters (%s) are refused in text values too', (code, c) => {
    expect(() => cloudWatchRecipe({ namespace: `a${c}b` })).toThrow(`got: 'a${code}b'`);
  });

  test('a tab in a text value is fine', () => {
    expect(() => cloudWatchRecipe({ additionalLogFiles: [{ filePath: '/var/log/app.log', timestampFormat: '%Y-%m-%d\t%H:%M:%S' }] })).not.toThrow();
  });

  const scriptLine = "must not hold control characters (tab, line feed and CRLF aside) or the line separators U+0085, U+2028 and U+2029, which YAML 1.1 parsers such as AWSTOE's read as line breaks; line 2 holds one";
  test.each(names)('scripts with %s: a component script, a security agent install script, install command and check command', (code, c) => {
    const script = `echo one\necho two${c}      - name: Pwned`;
    const shown = `echo two${code}      - name: Pwned`;
    expect(() => RecipeComponent.fromScript({ name: 'motd', script })).toThrow(`component 'motd' script ${scriptLine}, got: '${shown}'`);
    expect(() => SecurityAgent.fromInstallScript({ name: 'falco', installScript: script, checkCommand: 'true' })).toThrow(`securityAgents 'falco' installScript ${scriptLine}`);
    expect(() => SecurityAgent.fromS3Installer({ name: 'edr', bucket: s3.Bucket.fromBucketName(newStack(), 'B', 'installers'), key: 'edr.rpm', installCommand: script, checkCommand: 'true' }))
      .toThrow(`securityAgents 'edr' installCommand ${scriptLine}`);
    expect(() => SecurityAgent.fromInstallScript({ name: 'falco', installScript: 'true', checkCommand: script })).toThrow(`securityAgents 'falco' checkCommand ${scriptLine}`);
  });

  test('CRLF scripts are taken, as LF', () => {
    const component = RecipeComponent.fromScript({ name: 'crlf', script: 'echo one\r\necho two\r\n' });
    const stack = newStack();
    new ImageRecipe(stack, 'Recipe', { components: [component] });
    const data = Object.values(Template.fromStack(stack).findResources('AWS::ImageBuilder::Component'))[0].Properties.Data;
    expect(stepCommands(expectToeDocument(data, ImagePlatform.LINUX).phases[0].steps[0])).toEqual([`${LINUX_PRELUDE}\necho one\necho two`]);
  });

  test.each([...names, [escaped('\u007F'), '\u007F'], [escaped('\u009B'), '\u009B'], [escaped('\uFFFE'), '\uFFFE']])('quote() escapes %s, and YAML 1.1 and 1.2 read the value back', (code, c) => {
    const value = `a${c}b "q" \\ ${c}`;
    const quoted = quote(value);
    expect(quoted).not.toContain(c);
    if (c !== '\r') expect(quoted).toContain(code);
    const document = `value: ${quoted}\n`;
    expect(yaml11Differences([document])).toEqual([]);
    expect(parseYaml11([document])[0].ok).toEqual({ value });
  });

  test.each(names)('literalBlock() refuses %s as an internal error', (code, c) => {
    expect(() => literalBlock(`echo one${c}- name: Pwned`, 14)).toThrow(`internal: a YAML literal block must hold no line break but LF and no control character but tab, got ${code} in: 'echo one${code}- name: Pwned'`);
  });

  test('literalBlock() turns CRLF into LF, keeps tabs and indents every line', () => {
    expect(literalBlock('a\r\n\tb\r\n\r\nc\n', 4)).toBe('    a\n    \tb\n\n    c');
  });

  test.each(names.filter(([, c]) => c !== '\r'))('the reason: %s in a literal block ends it for YAML 1.1 and injects a step the YAML 1.2 parse does not see', (_code, c) => {
    const safe = renderScriptDocument({ name: 'x', description: 'x', platform: ImagePlatform.LINUX, phase: 'build', script: 'echo one' });
    // What the renderer wrote before it refused line separators.
    const injected = safe.replace('echo one', `echo one${c}      - { name: Pwned, action: ExecuteBash, inputs: { commands: [touch /pwned] } }`);
    const yaml11 = parseYaml11([injected])[0].ok as ToeDocument;
    expect(yaml11.phases[0].steps.map(step => step.name)).toEqual(['x', 'Pwned']);
    expect(yaml11Differences([injected])).toEqual([expect.stringContaining('x: the YAML 1.1 parse differs at $.phases[0].steps[0].inputs.commands[0]')]);
  });
});

describe('5. every generated document is parsed by a YAML 1.1 parser too', () => {
  const document = (description: string) => renderScriptDocument({ name: 'x', description, platform: ImagePlatform.LINUX, phase: 'build', script: 'echo one' }).replace(/^description: .*$/m, `description: ${description}`);

  test('agreeing documents give no differences, in one batch', () => {
    expect(yaml11Differences([document('plain'), document('"quoted"'), document('0.1')])).toEqual([]);
  });

  test('a value YAML 1.1 reads as a boolean is a difference', () => {
    expect(yaml11Differences([document('yes')])).toEqual(['x: the YAML 1.1 parse differs at $.description: YAML 1.2 (yaml) "yes", YAML 1.1 (PyYAML) true']);
  });

  test('a document PyYAML refuses is reported with its error', () => {
    expect(yaml11Differences([document('plain \u0086 text')])).toEqual([expect.stringMatching(/^x: PyYAML \(YAML 1\.1\) refuses the document: ReaderError: /)]);
  });

  test('expectToeDocument queues every document it checks for the comparison after the test', () => {
    expectToeDocument(document('on'), ImagePlatform.LINUX);
    expect(() => flushYaml11Checks()).toThrow('x: the YAML 1.1 parse differs at $.description: YAML 1.2 (yaml) "on", YAML 1.1 (PyYAML) true');
    // Queued and already compared: nothing is left for the hook after this test.
    expect(() => flushYaml11Checks()).not.toThrow();
  });

  test('without the virtualenv the check fails, telling how to create it', () => {
    const missing = path.join(tempDir(), 'bin', 'python');
    expect(() => parseYaml11(['a: 1\n'], missing)).toThrow(venvMissing(missing));
    expect(venvMissing(missing)).toContain('Run `bash scripts/python-venv.sh` first.');
  });

  test('firstDifference names the path of the first difference', () => {
    expect(firstDifference({ a: [1, { b: 'x' }] }, { a: [1, { b: 'y' }] })).toBe('$.a[1].b: YAML 1.2 (yaml) "x", YAML 1.1 (PyYAML) "y"');
    expect(firstDifference({ a: [1] }, { a: [1, 2] })).toBe('$.a[1]: YAML 1.2 (yaml) undefined, YAML 1.1 (PyYAML) 2');
    expect(firstDifference({ a: 1 }, { a: 1 })).toBeUndefined();
  });
});

describe('6. Ansible variables are never templated', () => {
  test.each([
    ["{{ lookup('pipe', 'touch pwned') }}"],
    ['{% for x in range(1) %}x{% endfor %}'],
    ['{# comment #}'],
  ])('a value holding a Jinja delimiter is refused: %s', value => {
    expect(() => AnsiblePlaybook.fromFile(path.join(FIXTURES, 'playbook.yml'), { variables: { app_env: value } }))
      .toThrow(`playbooks: variables['app_env'] must not contain '{{', '{%' or '{#': Ansible evaluates Jinja in extra variables, so the value would run as a template on the build instance, got: '${value}'`);
  });

  test('the same in a folder playbook', () => {
    expect(() => AnsiblePlaybook.fromDirectory(path.join(FIXTURES, 'ansible'), { variables: { motd: 'x {{ 7*7 }}' } }))
      .toThrow("playbooks: variables['motd'] must not contain '{{', '{%' or '{#'");
  });

  test('braces that are not Jinja delimiters are plain text', () => {
    expect(() => AnsiblePlaybook.fromFile(path.join(FIXTURES, 'playbook.yml'), { variables: { app_env: '{"json": {}} { { } }' } })).not.toThrow();
  });
});

describe('7. S3 keys and prefixes put into IAM resources hold no wildcard or policy variable', () => {
  test.each([['agents/*.rpm'], ['agents/edr?.rpm'], ['agents/${aws:username}/edr.rpm']])('the installer key %s is refused, naming the prop and the value', key => {
    expect(() => s3Agent(key))
      .toThrow(`securityAgents 'edr' key must not contain '*', '?' or '\${': the key goes into an IAM policy, where they are wildcards and policy variables that would grant more than this key, got: '${key}'`);
  });

  test('a token key is passed through unchecked', () => {
    expect(() => s3Agent(Fn.importValue('InstallerKey'))).not.toThrow();
  });

  test.each([['scap/*/'], ['*'], ['reports/${aws:PrincipalTag/team}/']])('the SCAP reportPrefix %s is refused, naming the prop and the value', reportPrefix => {
    const stack = newStack();
    const reportBucket = s3.Bucket.fromBucketName(stack, 'Reports', 'reports');
    expect(() => new HardenedBaseRecipe(stack, 'Base', { recipeName: 'base', operatingSystem: OperatingSystem.WINDOWS_SERVER_2022, scapScan: { reportBucket, reportPrefix } }))
      .toThrow(`scapScan.reportPrefix must not contain '*', '?' or '\${': the key goes into an IAM policy, where they are wildcards and policy variables that would grant more than this key, got: '${reportPrefix}'`);
  });

  test('the playbook asset key, behind a synthesizer bucketPrefix with a wildcard, is refused', () => {
    const app = new App();
    const stack = new Stack(app, 'Stack', { env: { account: '111111111111', region: 'eu-west-1' }, synthesizer: new DefaultStackSynthesizer({ bucketPrefix: 'team/*/' }) });
    expect(() => new EcsApplicationImage(stack, 'App', {
      imageName: 'prefixed',
      parent: ParentImage.fromSsmParameter('/golden-ami/base/latest'),
      playbooks: [AnsiblePlaybook.fromFile(path.join(FIXTURES, 'playbook.yml'))],
    })).toThrow(/^playbooks: the asset key of 'playbook\.yml' \(the stack synthesizer's bucketPrefix\) must not contain '\*', '\?' or '\$\{'.*got: 'team\/\*\/[0-9a-f]{64}\.yml'$/);
  });
});
