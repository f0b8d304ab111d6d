import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Lazy } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { parse } from 'yaml';
import { BaseImage, ComponentPhase, ImagePlatform, ImageRecipe, RecipeComponent } from '../src';
import { expectToeDocument, expectValidBash, SHELLCHECK_MISSING, shellcheckVersion, stepCommands, ToeDocument, ToePhase } from './toe-checks';
import { newStack } from './util';

const LINUX_PRELUDE = 'set -euo pipefail';
const WINDOWS_PRELUDE = "$ErrorActionPreference = 'Stop'";
const WINDOWS_BASE = BaseImage.fromSsmParameterName(
  '/aws/service/ami-windows-latest/Windows_Server-2022-English-Full-Base',
  { platform: ImagePlatform.WINDOWS },
);

/** A component as synthesized: its CloudFormation properties, with the document parsed. */
interface SynthesizedComponent {
  readonly name: string;
  readonly platform: string;
  readonly version: string;
  readonly description: string;
  readonly data: string;
}

/** Synthesizes a recipe (Linux, or Windows for Windows components) and returns its components in order. */
function synthComponents(components: RecipeComponent[], platform: ImagePlatform = ImagePlatform.LINUX, recipeName = 'recipe'): SynthesizedComponent[] {
  const stack = newStack();
  new ImageRecipe(stack, 'Recipe', {
    recipeName,
    baseImage: platform === ImagePlatform.WINDOWS ? WINDOWS_BASE : BaseImage.amazonLinux2023(),
    components,
  });
  const resources = Template.fromStack(stack).findResources('AWS::ImageBuilder::Component');
  return Object.values(resources).map(resource => ({
    name: resource.Properties.Name,
    platform: resource.Properties.Platform,
    version: resource.Properties.Version,
    description: resource.Properties.Description,
    data: resource.Properties.Data,
  }));
}

function synthComponent(component: RecipeComponent, platform: ImagePlatform = ImagePlatform.LINUX): SynthesizedComponent {
  const components = synthComponents([component], platform);
  expect(components).toHaveLength(1);
  return components[0];
}

/** The recipe's `Components` property, with ARNs flattened to `${AWS::Region}` form. */
function recipeComponents(components: RecipeComponent[]): Array<{ arn: string; parameters?: unknown }> {
  const stack = newStack();
  new ImageRecipe(stack, 'Recipe', { components });
  const recipes = Object.values(Template.fromStack(stack).findResources('AWS::ImageBuilder::ImageRecipe'));
  expect(recipes).toHaveLength(1);
  return recipes[0].Properties.Components.map((c: { ComponentArn: unknown; Parameters?: unknown }) => ({
    arn: flattenIntrinsic(c.ComponentArn),
    parameters: c.Parameters,
  }));
}

function flattenIntrinsic(value: unknown): string {
  if (typeof value === 'string') return value;
  const intrinsic = value as Record<string, unknown>;
  if (intrinsic['Fn::Join']) {
    const [delimiter, parts] = intrinsic['Fn::Join'] as [string, unknown[]];
    return parts.map(flattenIntrinsic).join(delimiter);
  }
  if (intrinsic.Ref) return `\${${intrinsic.Ref}}`;
  if (intrinsic['Fn::GetAtt']) return `\${${(intrinsic['Fn::GetAtt'] as string[]).join('.')}}`;
  throw new Error(`unexpected intrinsic: ${JSON.stringify(value)}`);
}

/** The single command of a generated single-step document. */
function onlyCommand(document: ToeDocument): string {
  expect(document.phases).toHaveLength(1);
  expect(document.phases[0].steps).toHaveLength(1);
  expect(stepCommands(document.phases[0].steps[0])).toHaveLength(1);
  return stepCommands(document.phases[0].steps[0])[0];
}


describe('shellcheck', () => {
  test('is installed (required, not optional)', () => {
    if (shellcheckVersion() === undefined) {
      throw new Error(SHELLCHECK_MISSING);
    }
    expect(shellcheckVersion()).toMatch(/ShellCheck/);
  });

  test('catches a broken script, so passing it means something', () => {
    expect(() => expectValidBash('set -euo pipefail\nrm -rf $dir/')).toThrow();
    expect(() => expectValidBash('set -euo pipefail\nif true; then echo')).toThrow();
  });
});

describe('RecipeComponent.awsManaged', () => {
  test('references the AWS-owned component in the stack region and partition, at the given version', () => {
    const [component] = recipeComponents([RecipeComponent.awsManaged('update-linux', '1.0.2')]);
    expect(component.arn).toBe('arn:${AWS::Partition}:imagebuilder:${AWS::Region}:aws:component/update-linux/1.0.2');
    expect(component.parameters).toBeUndefined();
  });

  test('follows the latest version by default (x.x.x)', () => {
    const [component] = recipeComponents([RecipeComponent.awsManaged('aws-cli-version-2-linux')]);
    expect(component.arn).toBe('arn:${AWS::Partition}:imagebuilder:${AWS::Region}:aws:component/aws-cli-version-2-linux/x.x.x');
  });

  test('accepts partial wildcards such as 1.x.x', () => {
    const [component] = recipeComponents([RecipeComponent.awsManaged('update-linux', '1.x.x')]);
    expect(component.arn).toMatch(/:aws:component\/update-linux\/1\.x\.x$/);
  });

  test('passes parameters as the recipe takes them (name and a list of one value)', () => {
    const [component] = recipeComponents([
      RecipeComponent.awsManaged('update-linux', 'x.x.x', { parameters: { exclude: 'kernel*', other: 'a b' } }),
    ]);
    expect(component.parameters).toEqual([
      { Name: 'exclude', Value: ['kernel*'] },
      { Name: 'other', Value: ['a b'] },
    ]);
  });

  test('creates no component resource', () => {
    expect(synthComponents([RecipeComponent.awsManaged('update-linux')])).toEqual([]);
  });

  test.each([
    ['Update-Linux'],
    ['update_linux'],
    ['-update'],
    ['update linux'],
    [''],
    ['a'.repeat(129)],
  ])('rejects the name %p', name => {
    expect(() => RecipeComponent.awsManaged(name)).toThrow(/AWS-managed component name must be lower-case letters, digits and hyphens, got: '/);
  });

  test.each([
    ['1.0'],
    ['1.0.0.0'],
    ['latest'],
    ['v1.0.0'],
    ['1.0.*'],
    ['1.0.0/1'],
  ])('rejects the version %p', version => {
    expect(() => RecipeComponent.awsManaged('update-linux', version)).toThrow(
      `AWS-managed component 'update-linux' version must be major.minor.patch with numbers or x, got: '${version}'`,
    );
  });

  test('passes tokens through unchecked', () => {
    const name = Lazy.string({ produce: () => 'update-linux' });
    const version = Lazy.string({ produce: () => '1.0.0' });
    const [component] = recipeComponents([RecipeComponent.awsManaged(name, version)]);
    expect(component.arn).toBe('arn:${AWS::Partition}:imagebuilder:${AWS::Region}:aws:component/update-linux/1.0.0');
  });

  test('has no name, so several can share a recipe', () => {
    expect(RecipeComponent.awsManaged('update-linux').name).toBeUndefined();
    expect(recipeComponents([
      RecipeComponent.awsManaged('update-linux'),
      RecipeComponent.awsManaged('update-linux', '1.0.2'),
    ])).toHaveLength(2);
  });
});

describe('RecipeComponent.fromComponentArn', () => {
  test.each([
    ['arn:aws:imagebuilder:eu-west-1:123456789012:component/my-component/1.2.3'],
    ['arn:aws:imagebuilder:eu-west-1:123456789012:component/my-component/1.2.3/4'],
    ['arn:aws:imagebuilder:eu-west-1:123456789012:component/my_component/x.x.x'],
    ['arn:aws-us-gov:imagebuilder:us-gov-west-1:aws:component/update-linux/1.0.2'],
  ])('references %p as given', arn => {
    const [component] = recipeComponents([RecipeComponent.fromComponentArn(arn, { parameters: { level: '2' } })]);
    expect(component.arn).toBe(arn);
    expect(component.parameters).toEqual([{ Name: 'level', Value: ['2'] }]);
  });

  test.each([
    ['arn:aws:s3:::my-bucket'],
    ['arn:aws:imagebuilder:eu-west-1:123456789012:component/my-component'],
    ['arn:aws:imagebuilder:eu-west-1:123456789012:image/my-image/1.0.0'],
    ['arn:aws:imagebuilder:eu-west-1:1234:component/my-component/1.0.0'],
    ['arn:aws:imagebuilder:eu-west-1:123456789012:component/My-Component/1.0.0'],
    ['my-component/1.0.0'],
    [''],
  ])('rejects %p', arn => {
    expect(() => RecipeComponent.fromComponentArn(arn)).toThrow(/component ARN must be an Image Builder component ARN with a version, got: '/);
  });

  test('passes a token through unchecked', () => {
    const stack = newStack();
    const arn = Lazy.string({ produce: () => 'arn:aws:imagebuilder:eu-west-1:123456789012:component/shared/1.0.0' });
    new ImageRecipe(stack, 'Recipe', { components: [RecipeComponent.fromComponentArn(arn)] });
    Template.fromStack(stack).hasResourceProperties('AWS::ImageBuilder::ImageRecipe', {
      Components: [{ ComponentArn: 'arn:aws:imagebuilder:eu-west-1:123456789012:component/shared/1.0.0' }],
    });
  });
});

describe('RecipeComponent.fromScript', () => {
  test('Linux: one ExecuteBash step in the build phase, strict mode first', () => {
    const script = 'dnf install -y amazon-cloudwatch-agent\nsystemctl enable amazon-cloudwatch-agent';
    const component = synthComponent(RecipeComponent.fromScript({ name: 'install-cw-agent', script }));
    expect(component.platform).toBe('Linux');
    expect(component.name).toBe('recipe-install-cw-agent');
    expect(component.description).toBe('install-cw-agent');
    const document = expectToeDocument(component.data, ImagePlatform.LINUX);
    expect(document.name).toBe('install-cw-agent');
    expect(document.description).toBe('install-cw-agent');
    expect(document.phases[0].name).toBe('build');
    expect(document.phases[0].steps[0].action).toBe('ExecuteBash');
    const command = onlyCommand(document);
    expect(command.split('\n')[0]).toBe(LINUX_PRELUDE);
    expect(command).toBe(`${LINUX_PRELUDE}\n${script}`);
  });

  test('Windows: one ExecutePowerShell step that stops on the first error', () => {
    const script = "Install-WindowsFeature -Name Web-Server\nSet-Service -Name W3SVC -StartupType 'Automatic'";
    const component = synthComponent(
      RecipeComponent.fromScript({ name: 'iis', script, platform: ImagePlatform.WINDOWS }),
      ImagePlatform.WINDOWS,
    );
    expect(component.platform).toBe('Windows');
    const document = expectToeDocument(component.data, ImagePlatform.WINDOWS);
    expect(document.phases[0].steps[0].action).toBe('ExecutePowerShell');
    const command = onlyCommand(document);
    expect(command.split('\n')[0]).toBe(WINDOWS_PRELUDE);
    expect(command).toBe(`${WINDOWS_PRELUDE}\n${script}`);
  });

  test.each([
    [ComponentPhase.BUILD, 'build'],
    [ComponentPhase.VALIDATE, 'validate'],
    [ComponentPhase.TEST, 'test'],
  ])('runs in the %p phase when asked', (phase, phaseName) => {
    const component = synthComponent(RecipeComponent.fromScript({ name: 'check', script: 'test -x /usr/bin/aws', phase }));
    const document = expectToeDocument(component.data, ImagePlatform.LINUX);
    expect(document.phases.map(p => p.name)).toEqual([phaseName]);
  });

  test('uses the description in the document and on the component', () => {
    const description = 'Installs the agent: version "1.2" # pinned, see ${DOCS}';
    const component = synthComponent(RecipeComponent.fromScript({ name: 'agent', script: 'true', description }));
    expect(component.description).toBe(description);
    expect(expectToeDocument(component.data, ImagePlatform.LINUX).description).toBe(description);
  });

  test('names the step after the component, without the characters AWSTOE step names refuse', () => {
    const component = synthComponent(RecipeComponent.fromScript({ name: 'install agent 2', script: 'true' }));
    const document = expectToeDocument(component.data, ImagePlatform.LINUX);
    expect(document.name).toBe('install agent 2');
    expect(document.phases[0].steps[0].name).toBe('installagent2');
  });

  describe('keeps the script text exactly', () => {
    const scripts: Array<[string, string]> = [
      ['a single line', 'echo hello'],
      ['blank lines', 'echo one\n\n\necho two'],
      ['a leading blank line', '\necho after-blank'],
      ['leading indentation on the first line', '    echo indented\necho not-indented'],
      ['deeper indentation inside', 'if true; then\n  if true; then\n      echo deep\n  fi\nfi'],
      ['quotes of both kinds', 'echo "double \'single\' inside"\necho \'single "double" inside\''],
      ['colons and hashes', 'echo "key: value"  # a comment: with a colon\n# a whole-line comment\necho a#not-a-comment'],
      ['YAML-looking lines', '# - item\n# key: value\n# ---\n# ...\n# |\n# > folded\necho yaml'],
      ['variables', 'NAME="golden"\necho "${NAME}" "$NAME" "${HOME:-/root}" "$((1 + 2))"'],
      ['a heredoc', "cat > /tmp/config.json <<'EOF'\n{\n  \"agent\": { \"metrics_collection_interval\": 60 },\n  \"key\": \"value: # not a comment\"\n}\nEOF"],
      ['tabs', 'if true; then\n\techo tab-indented\nfi'],
      ['trailing spaces on a line', 'echo trailing   \necho next'],
      ['a whitespace-only line', 'echo one\n   \necho two'],
      ['backslashes and escapes', 'printf "%s\\n" "a\\tb"\necho C:\\\\Windows'],
      ['unicode', 'echo "café – ✓ 日本"'],
      ['braces and brackets', 'arr=(a b c)\necho "${arr[@]}" {1..3} "[x]" "{y}"'],
    ];

    test.each(scripts)('Linux script with %s', (_title, script) => {
      const component = synthComponent(RecipeComponent.fromScript({ name: 'script', script }));
      const document = expectToeDocument(component.data, ImagePlatform.LINUX);
      expect(onlyCommand(document)).toBe(`${LINUX_PRELUDE}\n${script}`);
    });

    test.each([
      ['blank lines', 'Write-Host one\n\nWrite-Host two'],
      ['quotes, colons and variables', "$path = 'C:\\Program Files\\Agent'\nWrite-Host \"Installing to: $path # ${env:TEMP}\""],
      ['a here-string', "$json = @'\n{ \"a\": 1 }\n'@\n  Write-Host $json"],
    ])('Windows script with %s', (_title, script) => {
      const component = synthComponent(
        RecipeComponent.fromScript({ name: 'script', script, platform: ImagePlatform.WINDOWS }),
        ImagePlatform.WINDOWS,
      );
      const document = expectToeDocument(component.data, ImagePlatform.WINDOWS);
      expect(onlyCommand(document)).toBe(`${WINDOWS_PRELUDE}\n${script}`);
    });

    test('trailing newlines and CRLF line ends are normalized, not carried into the command', () => {
      const component = synthComponent(RecipeComponent.fromScript({ name: 'crlf', script: 'echo one\r\necho two\r\n\n' }));
      expect(onlyCommand(expectToeDocument(component.data, ImagePlatform.LINUX))).toBe(`${LINUX_PRELUDE}\necho one\necho two`);
    });
  });

  test('rejects a script whose document exceeds what Image Builder stores inline', () => {
    const script = `echo ${'x'.repeat(16_000)}`;
    expect(() => RecipeComponent.fromScript({ name: 'big', script })).toThrow(/component 'big' document is \d+ characters; Image Builder takes at most 16000 inline/);
  });

  test.each([['bad/name'], [' leading-space'], ['dot.name'], ['']])('rejects the component name %p', name => {
    expect(() => RecipeComponent.fromScript({ name, script: 'true' })).toThrow(/component name must be 1-126 characters/);
  });

  describe('version', () => {
    const versionOf = (component: RecipeComponent, platform?: ImagePlatform, recipeName?: string) =>
      synthComponents([component], platform, recipeName)[0].version;

    test('is a semantic version Image Builder takes (each part below 2^30)', () => {
      const version = versionOf(RecipeComponent.fromScript({ name: 'a', script: 'echo a' }));
      expectImageBuilderVersion(version);
    });

    test('is the same for the same script in another app', () => {
      const first = versionOf(RecipeComponent.fromScript({ name: 'a', script: 'echo a' }));
      const second = versionOf(RecipeComponent.fromScript({ name: 'a', script: 'echo a' }));
      expect(second).toBe(first);
    });

    test('changes with the script', () => {
      const first = versionOf(RecipeComponent.fromScript({ name: 'a', script: 'echo a' }));
      const second = versionOf(RecipeComponent.fromScript({ name: 'a', script: 'echo b' }));
      expect(second).not.toBe(first);
      expectImageBuilderVersion(second);
    });

    test('changes with the platform and the phase, which change the document', () => {
      const linux = versionOf(RecipeComponent.fromScript({ name: 'a', script: 'echo a' }));
      const validate = versionOf(RecipeComponent.fromScript({ name: 'a', script: 'echo a', phase: ComponentPhase.VALIDATE }));
      const windows = versionOf(RecipeComponent.fromScript({ name: 'a', script: 'echo a', platform: ImagePlatform.WINDOWS }), ImagePlatform.WINDOWS);
      expect(new Set([linux, validate, windows]).size).toBe(3);
    });

    test('does not change with parameters, the recipe name or the other components', () => {
      const base = versionOf(RecipeComponent.fromScript({ name: 'a', script: 'echo a' }));
      expect(versionOf(RecipeComponent.fromScript({ name: 'a', script: 'echo a', parameters: { p: '1' } }))).toBe(base);
      expect(versionOf(RecipeComponent.fromScript({ name: 'a', script: 'echo a' }), ImagePlatform.LINUX, 'other-recipe')).toBe(base);
      const withOthers = synthComponents([
        RecipeComponent.awsManaged('update-linux'),
        RecipeComponent.fromScript({ name: 'before', script: 'echo before' }),
        RecipeComponent.fromScript({ name: 'a', script: 'echo a' }),
      ]);
      expect(withOthers.find(c => c.name === 'recipe-a')?.version).toBe(base);
    });

    test('changes with a fromDocument description, which CloudFormation can only change by replacing the component', () => {
      const document = 'schemaVersion: 1.0\nphases:\n  - name: build\n    steps:\n      - name: s\n        action: ExecuteBash\n        inputs:\n          commands: ["true"]\n';
      const first = versionOf(RecipeComponent.fromDocument({ name: 'doc', document, description: 'first' }));
      const second = versionOf(RecipeComponent.fromDocument({ name: 'doc', document, description: 'second' }));
      expect(second).not.toBe(first);
    });
  });

  test('components whose names differ only in punctuation are distinct resources', () => {
    const components = synthComponents([
      RecipeComponent.fromScript({ name: 'install-agent', script: 'echo one' }),
      RecipeComponent.fromScript({ name: 'installagent', script: 'echo two' }),
      RecipeComponent.fromScript({ name: 'install agent', script: 'echo three' }),
    ]);
    expect(components.map(c => c.name).sort()).toEqual(['recipe-install agent', 'recipe-install-agent', 'recipe-installagent']);
  });
});

describe('RecipeComponent.fromFile', () => {
  let dir: string;
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk-golden-ami-component-'));
  });
  afterAll(() => {
    fs.rmSync(dir, { recursive: true, force: true });
  });
  const write = (name: string, content: string) => {
    const file = path.join(dir, name);
    fs.writeFileSync(file, content);
    return file;
  };

  test('.sh: a bash script named after the file, on Linux', () => {
    const script = '#!/bin/bash\n# Installs the agent\nif ! command -v amazon-ssm-agent >/dev/null; then\n  dnf install -y amazon-ssm-agent\nfi';
    const component = synthComponent(RecipeComponent.fromFile(write('install-ssm-agent.sh', script)));
    expect(component.platform).toBe('Linux');
    expect(component.name).toBe('recipe-install-ssm-agent');
    const document = expectToeDocument(component.data, ImagePlatform.LINUX);
    expect(document.name).toBe('install-ssm-agent');
    expect(document.phases[0].name).toBe('build');
    expect(onlyCommand(document)).toBe(`${LINUX_PRELUDE}\n${script}`);
  });

  test('.sh: the trailing newline of a file is not part of the command', () => {
    const component = synthComponent(RecipeComponent.fromFile(write('newline.sh', 'echo one\necho two\n')));
    expect(onlyCommand(expectToeDocument(component.data, ImagePlatform.LINUX))).toBe(`${LINUX_PRELUDE}\necho one\necho two`);
  });

  test('.sh: name, phase and parameters from the options', () => {
    const file = write('check.sh', 'test -f /etc/os-release');
    const stack = newStack();
    new ImageRecipe(stack, 'Recipe', {
      recipeName: 'recipe',
      components: [RecipeComponent.fromFile(file, { name: 'os-release', phase: ComponentPhase.TEST, parameters: { a: 'b' } })],
    });
    const template = Template.fromStack(stack);
    const component = Object.values(template.findResources('AWS::ImageBuilder::Component'))[0];
    expect(component.Properties.Name).toBe('recipe-os-release');
    const document = expectToeDocument(component.Properties.Data, ImagePlatform.LINUX);
    expect(document.phases.map(p => p.name)).toEqual(['test']);
    template.hasResourceProperties('AWS::ImageBuilder::ImageRecipe', {
      Components: [{ Parameters: [{ Name: 'a', Value: ['b'] }] }],
    });
  });

  test('.ps1: a PowerShell script on Windows', () => {
    const script = "Write-Host 'Installing: agent'\n$ErrorActionPreference | Out-Null";
    const component = synthComponent(RecipeComponent.fromFile(write('agent.ps1', script)), ImagePlatform.WINDOWS);
    expect(component.platform).toBe('Windows');
    const document = expectToeDocument(component.data, ImagePlatform.WINDOWS);
    expect(onlyCommand(document)).toBe(`${WINDOWS_PRELUDE}\n${script}`);
  });

  test('.ps1 saved with a UTF-8 byte order mark (the Windows PowerShell default): the mark is not part of the command', () => {
    const script = "Write-Host 'with BOM'";
    const component = synthComponent(RecipeComponent.fromFile(write('bom.ps1', `\uFEFF${script}`)), ImagePlatform.WINDOWS);
    expect(onlyCommand(expectToeDocument(component.data, ImagePlatform.WINDOWS))).toBe(`${WINDOWS_PRELUDE}\n${script}`);
  });

  test.each([['document.yml'], ['document.yaml'], ['UPPER.YML']])('%s: the AWSTOE document as written', fileName => {
    const content = [
      'name: custom',
      'description: A hand-written document',
      'schemaVersion: 1.0',
      'parameters:',
      '  - level:',
      '      type: string',
      '      default: "1"',
      'phases:',
      '  - name: build',
      '    steps:',
      '      - name: Install',
      '        action: ExecuteBash',
      '        inputs:',
      '          commands:',
      '            - echo "{{ level }}"',
      '  - name: validate',
      '    steps:',
      '      - name: Check',
      '        action: ExecuteBash',
      '        inputs:',
      '          commands:',
      '            - test -d /tmp',
      '',
    ].join('\n');
    const component = synthComponent(RecipeComponent.fromFile(write(fileName, content)));
    expect(component.data).toBe(content);
    expect(component.name).toBe(`recipe-${path.basename(fileName, path.extname(fileName))}`);
    const document = parse(component.data);
    expect(document.phases.map((p: ToePhase) => p.name)).toEqual(['build', 'validate']);
  });

  test('a missing file fails with its path', () => {
    const missing = path.join(dir, 'missing.sh');
    expect(() => RecipeComponent.fromFile(missing)).toThrow(`component file does not exist or is not a file, got: '${missing}'`);
  });

  test('a directory fails', () => {
    expect(() => RecipeComponent.fromFile(dir)).toThrow(/component file does not exist or is not a file/);
  });

  test.each([['script.txt'], ['script.bash'], ['script'], ['document.json']])('the unsupported file %p fails', fileName => {
    const file = write(fileName, 'echo hi');
    expect(() => RecipeComponent.fromFile(file)).toThrow(
      `component file must be an AWSTOE document (.yml, .yaml) or a script (.sh, .ps1), got: '${file}'`,
    );
  });

  test('a YAML file that is not an AWSTOE document fails', () => {
    const file = write('not-toe.yml', 'key: value\n');
    expect(() => RecipeComponent.fromFile(file)).toThrow(/document must be an AWSTOE document with 'schemaVersion' and 'phases'/);
  });
});

describe('RecipeComponent.fromDocument', () => {
  const document = [
    'name: hello',
    'schemaVersion: 1.0',
    'phases:',
    '  - name: build',
    '    steps:',
    '      - name: Hello',
    '        action: ExecuteBash',
    '        inputs:',
    '          commands:',
    '            - echo hello',
    '',
  ].join('\n');

  test('creates the component with the document as data', () => {
    const component = synthComponent(RecipeComponent.fromDocument({ name: 'hello', document, description: 'Says hello' }));
    expect(component).toEqual(expect.objectContaining({ name: 'recipe-hello', platform: 'Linux', data: document, description: 'Says hello' }));
    expectImageBuilderVersion(component.version);
  });

  test('on Windows when asked', () => {
    const component = synthComponent(
      RecipeComponent.fromDocument({ name: 'hello', document, platform: ImagePlatform.WINDOWS }),
      ImagePlatform.WINDOWS,
    );
    expect(component.platform).toBe('Windows');
    expect(component.description).toBe('hello');
  });

  test('a document without schemaVersion fails', () => {
    expect(() => RecipeComponent.fromDocument({ name: 'x', document: document.replace('schemaVersion: 1.0\n', '') }))
      .toThrow("component 'x' document must be an AWSTOE document with 'schemaVersion' and 'phases' at the top level");
  });

  test('a document without phases fails', () => {
    expect(() => RecipeComponent.fromDocument({ name: 'x', document: 'schemaVersion: 1.0\nsteps: []\n' }))
      .toThrow("component 'x' document must be an AWSTOE document with 'schemaVersion' and 'phases' at the top level");
  });

  test('a document over 16000 characters fails', () => {
    const big = `${document}# ${'x'.repeat(16_000)}\n`;
    expect(() => RecipeComponent.fromDocument({ name: 'big', document: big }))
      .toThrow(`component 'big' document is ${big.length} characters; Image Builder takes at most 16000 inline. Split it into several components.`);
  });

  test('a document of exactly 16000 characters is accepted', () => {
    const padded = `${document}#${'x'.repeat(16_000 - document.length - 2)}\n`;
    expect(padded).toHaveLength(16_000);
    expect(synthComponent(RecipeComponent.fromDocument({ name: 'max', document: padded })).data).toBe(padded);
  });

  test('a token document is passed through unchecked', () => {
    const stack = newStack();
    const token = Lazy.string({ produce: () => document });
    new ImageRecipe(stack, 'Recipe', { components: [RecipeComponent.fromDocument({ name: 'lazy', document: token })] });
    Template.fromStack(stack).hasResourceProperties('AWS::ImageBuilder::Component', { Data: document });
  });
});

describe('every generated Linux document', () => {
  test('passes bash -n and shellcheck for each phase', () => {
    const components = [ComponentPhase.BUILD, ComponentPhase.VALIDATE, ComponentPhase.TEST].map(phase =>
      RecipeComponent.fromScript({ name: `step-${phase}`, script: 'echo "${HOSTNAME}"\ntest -d /tmp', phase }));
    for (const component of synthComponents(components)) {
      expectToeDocument(component.data, ImagePlatform.LINUX);
    }
  });
});

function expectImageBuilderVersion(version: string): void {
  expect(version).toMatch(/^\d+\.\d+\.\d+$/);
  for (const part of version.split('.')) {
    expect(Number(part)).toBeLessThan(2 ** 30);
    expect(Number.isSafeInteger(Number(part))).toBe(true);
  }
}

describe('components shared in a stack (RecipeComponent._sharedDocument)', () => {
  const DOCUMENT = [
    'name: "configure"',
    'description: "configure"',
    'schemaVersion: 1.0',
    'parameters:',
    '  - Prefix:',
    '      type: string',
    'phases:',
    '  - name: build',
    '    steps:',
    '      - name: Configure',
    '        action: ExecuteBash',
    '        inputs:',
    '          commands:',
    '            - |-',
    "              echo '{{ Prefix }}'",
    '',
  ].join('\n');
  const shared = (prefix: string, document = DOCUMENT) =>
    RecipeComponent._sharedDocument({ name: 'configure', document, parameters: { Prefix: prefix } });

  /** Recipes `recipe-a` and `recipe-b` in one stack, each with the shared document and its own prefix. */
  function synth(stackId = 'Stack', prefixOfA = '/a', documentOfB = DOCUMENT) {
    const stack = newStack(stackId);
    new ImageRecipe(stack, 'A', { recipeName: 'recipe-a', components: [shared(prefixOfA)] });
    new ImageRecipe(stack, 'B', { recipeName: 'recipe-b', components: [shared('/b', documentOfB)] });
    const template = Template.fromStack(stack);
    const recipes = Object.values(template.findResources('AWS::ImageBuilder::ImageRecipe'));
    const recipe = (name: string) => recipes.find(r => r.Properties.Name === name)!.Properties;
    return { components: template.findResources('AWS::ImageBuilder::Component'), a: recipe('recipe-a'), b: recipe('recipe-b') };
  }

  test('one resource for two recipes, named after the stack and the content, each recipe with its own parameter value', () => {
    const { components, a, b } = synth();
    const entries = Object.entries(components);
    expect(entries).toHaveLength(1);
    const [logicalId, component] = entries[0];
    expect(component.Properties.Name).toMatch(/^Stack-GoldenAmiComponents-[0-9A-F]{8}-configure-[0-9a-f]{8}$/);
    expect(component.Properties.Data).toBe(DOCUMENT);
    expect(a.Components).toEqual([{ ComponentArn: { 'Fn::GetAtt': [logicalId, 'Arn'] }, Parameters: [{ Name: 'Prefix', Value: ['/a'] }] }]);
    expect(b.Components).toEqual([{ ComponentArn: { 'Fn::GetAtt': [logicalId, 'Arn'] }, Parameters: [{ Name: 'Prefix', Value: ['/b'] }] }]);
  });

  test('another document is another component, under another name', () => {
    const { components, a, b } = synth('Stack', '/a', DOCUMENT.replace("echo '{{ Prefix }}'", "printf '%s' '{{ Prefix }}'"));
    const names = Object.values(components).map(c => c.Properties.Name as string);
    expect(names).toHaveLength(2);
    expect(names[0]).not.toBe(names[1]);
    expect(a.Components[0].ComponentArn).not.toEqual(b.Components[0].ComponentArn);
  });

  test('a recipe\'s value changes its own version only; the component stays', () => {
    const before = synth('Stack', '/a');
    const after = synth('Stack', '/a-2');
    expect(after.components).toEqual(before.components);
    expect(after.b).toEqual(before.b);
    expect(after.a.Version).not.toBe(before.a.Version);
  });

  test('each stack has its own: the component name, and so the recipe version, follow the stack', () => {
    const one = synth('One');
    const two = synth('Two');
    const name = (synthesized: ReturnType<typeof synth>) => Object.values(synthesized.components)[0].Properties.Name as string;
    expect(name(one)).toMatch(/^One-/);
    expect(name(two)).toMatch(/^Two-/);
    expect(two.a.Version).not.toBe(one.a.Version);
  });

  test('the component a recipe owns is still named after the recipe', () => {
    const components = synthComponents([RecipeComponent.fromScript({ name: 'own', script: 'true' })]);
    expect(components.map(c => c.name)).toEqual(['recipe-own']);
  });
});
