import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Template } from 'aws-cdk-lib/assertions';
import { parse } from 'yaml';
import {
  BaseImage,
  EcsApplicationImage,
  GoldenImage,
  HardenedBaseRecipe,
  ImageArchitecture,
  ImagePlatform,
  OperatingSystem,
  ParentImage,
} from '../../src';
import { ECS_AGENT_NAMES, SERVICE_ENDPOINTS } from '../../src/private/aws-catalogue';
import { expectToeDocument, ToeDocument } from '../toe-checks';
import { newStack } from '../util';

/**
 * The Docker and ECS agent build steps, run for each Linux family on a fake root: the rendered
 * script gets /etc, /var and /tmp moved under a temporary directory, and every command that
 * would change the system (package managers, Extras, systemctl, curl, uname) is a stub that
 * records its arguments. What each family's branch does is read from that record.
 */

/** The rendered build script of the application image's component `suffix` (docker, ecs-agent). */
function renderedScript(suffix: string): string {
  const stack = newStack();
  new EcsApplicationImage(stack, 'App', { parent: ParentImage.fromSsmParameter('/golden-ami/base/latest'), imageName: 'ecs-app' });
  const components = Object.values<any>(Template.fromStack(stack).findResources('AWS::ImageBuilder::Component'));
  const component = components.find(c => c.Properties.Name === `ecs-app-${suffix}`);
  expect(component).toBeDefined();
  // Schema, bash -n and shellcheck.
  const document: ToeDocument = expectToeDocument(component.Properties.Data, ImagePlatform.LINUX);
  expect(parse(component.Properties.Data)).toEqual(document);
  const [phase] = document.phases;
  expect(phase.name).toBe('build');
  return (phase.steps[0].inputs as { commands: string[] }).commands[0];
}

const STUBS = ['dnf', 'yum', 'amazon-linux-extras', 'apt-get', 'systemctl', 'curl', 'uname', 'snap'];

const OS_RELEASE: Record<string, string> = {
  al2023: 'NAME="Amazon Linux"\nVERSION="2023"\nID="amzn"\nID_LIKE="fedora"\nVERSION_ID="2023"\n',
  al2: 'NAME="Amazon Linux"\nVERSION="2"\nID="amzn"\nID_LIKE="centos rhel fedora"\nVERSION_ID="2"\n',
  ubuntu2404: 'NAME="Ubuntu"\nVERSION_ID="24.04"\nID=ubuntu\nID_LIKE=debian\nVERSION_CODENAME=noble\n',
  debian12: 'NAME="Debian GNU/Linux"\nVERSION_ID="12"\nID=debian\nVERSION_CODENAME=bookworm\n',
  rhel9: 'NAME="Red Hat Enterprise Linux"\nVERSION_ID="9.4"\nID="rhel"\nID_LIKE="fedora"\n',
  sles15: 'NAME="SLES"\nVERSION_ID="15.5"\nID="sles"\nID_LIKE="suse"\n',
};

interface Run {
  readonly status: number | null;
  readonly stderr: string;
  /** Each stubbed command as `name arg arg ...`, the fake root shown as `$ROOT`. */
  readonly calls: string[];
  readonly root: string;
}

/** Runs `script` on a fake root whose /etc/os-release is `osRelease`, on CPU `machine`. */
function runOnFakeRoot(script: string, osRelease: string, machine = 'x86_64'): Run {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'ecs-steps-'));
  for (const dir of ['etc', 'var/lib/ecs/data', 'tmp', 'bin']) fs.mkdirSync(path.join(root, dir), { recursive: true });
  fs.writeFileSync(path.join(root, 'etc/os-release'), osRelease);
  fs.writeFileSync(path.join(root, 'var/lib/ecs/data/agent.db'), 'state of the build instance');
  const log = path.join(root, 'calls.log');
  for (const name of STUBS) {
    // curl answers IMDSv2 and writes the file it is asked to download; uname reports `machine`.
    const body = name === 'curl'
      ? `out=''; prev=''
for a in "$@"; do case "$prev" in -fsSLo|-o) out="$a" ;; esac; prev="$a"; done
case "$*" in
  *'-X PUT http://169.254.169.254/latest/api/token'*) echo imds-token ;;
  *'X-aws-ec2-metadata-token: imds-token'*'/latest/meta-data/placement/region') echo eu-west-1 ;;
esac
if [ -n "$out" ]; then echo package > "$out"; fi`
      : name === 'uname' ? `echo ${machine}` : 'exit 0';
    fs.writeFileSync(path.join(root, 'bin', name), `#!/bin/bash\necho "${name} $*" >> '${log}'\n${body}\n`, { mode: 0o755 });
  }
  // /etc, /var and /tmp of the script live under the fake root.
  const moved = script.replace(/(?<![\w$./-])\/(etc|var|tmp)(?=[/\s'"]|$)/gm, `${root}/$1`);
  expect(moved.split(root).join('ROOT')).not.toMatch(/(?<![\w$./-])\/(etc|var|tmp)\//);
  const result = spawnSync('bash', ['-c', moved], {
    encoding: 'utf-8',
    env: { PATH: `${path.join(root, 'bin')}:/usr/bin:/bin`, HOME: root, LANG: 'C' },
  });
  const calls = fs.existsSync(log) ? fs.readFileSync(log, 'utf-8').trim().split('\n').filter(line => line.length > 0) : [];
  return { status: result.status, stderr: result.stderr, calls: calls.map(call => call.split(root).join('$ROOT')), root };
}

const ECS_CONFIG = 'ECS_ENABLE_TASK_IAM_ROLE=true\nECS_ENABLE_TASK_IAM_ROLE_NETWORK_HOST=true\nECS_AWSVPC_BLOCK_IMDS=true\nECS_LOGLEVEL=info\n';

/** What every family's ECS step leaves: the config without a cluster, the unit enabled, no build-instance state. */
function expectEcsAgentLeftUnregistered(run: Run): void {
  expect(run.stderr).toBe('');
  expect(run.status).toBe(0);
  expect(fs.readFileSync(path.join(run.root, 'etc/ecs/ecs.config'), 'utf-8')).toBe(ECS_CONFIG);
  expect(fs.readdirSync(path.join(run.root, 'var/lib/ecs/data'))).toEqual([]);
  expect(run.calls.slice(-2)).toEqual(['systemctl enable ecs', 'systemctl stop ecs']);
}

describe('Docker build step, per Linux family', () => {
  let docker: string;
  beforeAll(() => { docker = renderedScript('docker'); });

  test('Amazon Linux 2023: docker from the core repositories', () => {
    const run = runOnFakeRoot(docker, OS_RELEASE.al2023);
    expect([run.status, run.stderr]).toEqual([0, '']);
    expect(run.calls).toEqual([`dnf install -y ${ECS_AGENT_NAMES.DOCKER_PACKAGE.name}`, 'systemctl enable docker']);
  });

  test('Amazon Linux 2: the Docker of the ecs Extras topic, the docker topic disabled first', () => {
    const run = runOnFakeRoot(docker, OS_RELEASE.al2);
    expect([run.status, run.stderr]).toEqual([0, '']);
    expect(run.calls).toEqual([
      `amazon-linux-extras disable ${ECS_AGENT_NAMES.DOCKER_EXTRAS_TOPIC.name}`,
      `amazon-linux-extras install -y ${ECS_AGENT_NAMES.ECS_EXTRAS_TOPIC.name}`,
      'systemctl enable docker',
    ]);
    expect(run.calls.join('\n')).not.toMatch(/yum/);
  });

  test.each(['ubuntu2404', 'debian12'])('%s: docker.io from the distribution', release => {
    const run = runOnFakeRoot(docker, OS_RELEASE[release]);
    expect([run.status, run.stderr]).toEqual([0, '']);
    expect(run.calls).toEqual(['apt-get update -y', 'apt-get install -y docker.io', 'systemctl enable docker']);
  });

  test('RHEL: refused before anything is installed, saying why', () => {
    const run = runOnFakeRoot(docker, OS_RELEASE.rhel9);
    expect(run.status).toBe(1);
    expect(run.stderr).toBe('Docker: RHEL 9.4 ships no Docker engine (Podman instead); the ECS application image supports Amazon Linux 2023, Amazon Linux 2, Debian and Ubuntu parents\n');
    expect(run.calls).toEqual([]);
  });

  test('another distribution: refused, naming it', () => {
    const run = runOnFakeRoot(docker, OS_RELEASE.sles15);
    expect(run.status).toBe(1);
    expect(run.stderr).toBe("Docker: unsupported distribution 'sles' '15.5' (ID_LIKE 'suse'); supported: Amazon Linux 2023, Amazon Linux 2, Debian, Ubuntu\n");
    expect(run.calls).toEqual([]);
  });
});

describe('ECS agent build step, per Linux family', () => {
  let ecsAgent: string;
  beforeAll(() => { ecsAgent = renderedScript('ecs-agent'); });

  test('Amazon Linux 2023: ecs-init from the core repositories, no download', () => {
    const run = runOnFakeRoot(ecsAgent, OS_RELEASE.al2023);
    expectEcsAgentLeftUnregistered(run);
    expect(run.calls).toEqual([`dnf install -y ${ECS_AGENT_NAMES.ECS_INIT_PACKAGE.name}`, 'systemctl enable ecs', 'systemctl stop ecs']);
  });

  test('Amazon Linux 2: the ecs Extras topic as the ECS guide documents it, not yum list', () => {
    const run = runOnFakeRoot(ecsAgent, OS_RELEASE.al2);
    expectEcsAgentLeftUnregistered(run);
    expect(run.calls).toEqual([
      'amazon-linux-extras disable docker',
      'amazon-linux-extras install -y ecs',
      'systemctl enable ecs',
      'systemctl stop ecs',
    ]);
  });

  test.each([
    ['debian12', 'x86_64', 'amd64'],
    ['ubuntu2404', 'x86_64', 'amd64'],
    ['ubuntu2404', 'aarch64', 'arm64'],
  ])('%s on %s: the regional ECS init .deb, the Region read through IMDSv2', (release, machine, debArch) => {
    const run = runOnFakeRoot(ecsAgent, OS_RELEASE[release], machine);
    expectEcsAgentLeftUnregistered(run);
    const url = `https://s3.eu-west-1.amazonaws.com/amazon-ecs-agent-eu-west-1/amazon-ecs-init-latest.${debArch}.deb`;
    expect(run.calls).toEqual([
      'curl -fsS -X PUT http://169.254.169.254/latest/api/token -H X-aws-ec2-metadata-token-ttl-seconds: 300',
      'curl -fsS -H X-aws-ec2-metadata-token: imds-token http://169.254.169.254/latest/meta-data/placement/region',
      'uname -m',
      `curl -fsSLo $ROOT/tmp/ecs-init.deb ${url}`,
      'apt-get install -y $ROOT/tmp/ecs-init.deb',
      'systemctl enable ecs',
      'systemctl stop ecs',
    ]);
    expect(fs.existsSync(path.join(run.root, 'tmp/ecs-init.deb'))).toBe(false);
  });

  test('the download URL is made of the catalogue names, not written inline', () => {
    const template = `https://${SERVICE_ENDPOINTS.S3_REGIONAL.name}/${ECS_AGENT_NAMES.ECS_INIT_DEB.name}`;
    expect(template).toBe('https://s3.<region>.amazonaws.com/amazon-ecs-agent-<region>/amazon-ecs-init-latest.<arch>.deb');
    expect(ecsAgent).toContain(`"${template.replace(/<region>/g, '$region').replace('<arch>', '$deb_arch')}"`);
    // The rpm download is for non-Amazon rpm distributions, which are refused: it is not emitted.
    expect(ecsAgent).not.toMatch(/\.rpm|yum list|dnf list/);
  });

  test('an unsupported architecture on Debian fails before the download', () => {
    const run = runOnFakeRoot(ecsAgent, OS_RELEASE.debian12, 'riscv64');
    expect(run.status).toBe(1);
    expect(run.stderr).toBe('ECS agent: unsupported architecture riscv64\n');
    expect(run.calls.filter(call => call.startsWith('curl -fsSLo') || call.startsWith('apt-get'))).toEqual([]);
  });

  test('RHEL: refused before anything is installed', () => {
    const run = runOnFakeRoot(ecsAgent, OS_RELEASE.rhel9);
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/^ECS agent: RHEL 9\.4 ships no Docker engine/);
    expect(run.calls).toEqual([]);
    expect(fs.existsSync(path.join(run.root, 'etc/ecs/ecs.config'))).toBe(false);
  });
});

describe('the parent operating system, checked at synth', () => {
  function hardenedParent(operatingSystem: OperatingSystem, architecture = ImageArchitecture.X86_64) {
    const stack = newStack();
    const recipe = new HardenedBaseRecipe(stack, 'Base', { recipeName: 'base', operatingSystem, architecture });
    return { stack, golden: new GoldenImage(stack, 'Golden', { recipe, imageName: 'base' }) };
  }

  test('a golden image of a RHEL HardenedBaseRecipe is refused, naming the prop and the value', () => {
    const { stack, golden } = hardenedParent(OperatingSystem.RHEL_9);
    expect(() => new EcsApplicationImage(stack, 'App', { parent: ParentImage.fromGoldenImage(golden), imageName: 'ecs-app' }))
      .toThrow("parent must be a golden image of Amazon Linux 2023, Amazon Linux 2 or Ubuntu for an ECS application image: Red Hat Enterprise Linux 9 ships no Docker engine in its repositories (Podman instead) and Docker Engine for RHEL comes only from Docker's own repository, which this library does not add. Got a golden image of operatingSystem 'RHEL_9': 'Stack/Golden'");
  });

  test('a RHEL parent on arm64 (from its own AMI) is refused too', () => {
    const stack = newStack();
    const recipe = new HardenedBaseRecipe(stack, 'Base', {
      recipeName: 'base',
      operatingSystem: OperatingSystem.RHEL_9,
      architecture: ImageArchitecture.ARM64,
      baseImage: BaseImage.fromAmiId('ami-0123456789abcdef0', { platform: ImagePlatform.LINUX, rootDeviceName: '/dev/sda1' }),
    });
    const golden = new GoldenImage(stack, 'Golden', { recipe, imageName: 'base' });
    expect(() => new EcsApplicationImage(stack, 'App', { parent: ParentImage.fromGoldenImage(golden), imageName: 'ecs-app' }))
      .toThrow(/^parent must be a golden image of Amazon Linux 2023, Amazon Linux 2 or Ubuntu .* operatingSystem 'RHEL_9': 'Stack\/Golden'$/);
  });

  test.each([OperatingSystem.AMAZON_LINUX_2023, OperatingSystem.AMAZON_LINUX_2, OperatingSystem.UBUNTU_22_04, OperatingSystem.UBUNTU_24_04])(
    'a golden image of %s is accepted', operatingSystem => {
      const { stack, golden } = hardenedParent(operatingSystem);
      const image = new EcsApplicationImage(stack, 'App', { parent: ParentImage.fromGoldenImage(golden), imageName: 'ecs-app' });
      expect(image.rootDeviceName).toBe(operatingSystem.rootDeviceName);
    });
});
