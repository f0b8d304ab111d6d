"""The library's generated build steps, run on a booted Debian 12 guest the way Image Builder runs them.

For each Linux hardening level the library implements itself (none, CIS Level 1, CIS Level 2)
the Ubuntu 22.04 recipe it renders runs on a fresh guest: every component's build and validate
phases, a reboot (the test instance launched from the image), every test phase. Then:
- the whole recipe runs a second time on the hardened guest (a child image built on the parent,
  or a pipeline re-run) and must leave the same files and pass again;
- every CIS control is broken by hand in each way its data lists: its check must fail, and
  applying it again (after removing a foreign file) must make the check pass;
- a non-root user logs in with a key over SSH, and the guest boots again;
- the ECS application image's components run on top of the Level 2 guest.

AWS-managed components run as the stand-ins in harness/standins/managed (README there says what
each proves). Fixtures come from harness/export-fixtures.ts: `GOLDEN_AMI_HARNESS_FIXTURES`.
Each run writes its findings to harness-results/guest-report-<lane>.json; harness/report.py
merges them into the per-control table and the per-component times.
"""

from __future__ import annotations

import json
import os
import subprocess
import tempfile
import time
from pathlib import Path

import pytest

from harness.guest import Guest, prepare
from harness.report import write_lane
from harness.toe_runner import RecipeResult, run_recipe

REPO = Path(__file__).resolve().parent.parent
MANAGED = Path(__file__).resolve().parent / 'standins' / 'managed'
STRICT = 'set -euo pipefail\n'
# What the export's security agent is, served from the local S3 stand-in.
INSTALLER_BUCKET = 'golden-ami-harness-installers'
INSTALLER_KEY = 'agents/harness-security-agent.deb'
# Files that change on every boot or package run whatever the build does.
VOLATILE = ('/etc/ld.so.cache', '/boot/grub/grubenv')
# Logs the agents write while running.
VOLATILE_PREFIXES = ('/opt/aws/amazon-cloudwatch-agent/logs/',)


def _fixtures() -> dict:
    path = os.environ.get('GOLDEN_AMI_HARNESS_FIXTURES')
    if not path:
        out = Path(tempfile.mkdtemp(prefix='golden-ami-fixtures-')) / 'fixtures.json'
        subprocess.run(['npx', 'ts-node', '--project', 'tsconfig.dev.json', 'harness/export-fixtures.ts', str(out)],
                       cwd=REPO, check=True)
        path = str(out)
    return json.loads(Path(path).read_text())


FIXTURES = _fixtures()
REPORT: dict = {'recipes': {}, 'controls': {}, 'notes': []}


def components(recipe: str) -> list[dict]:
    """The recipe's components for the runner: AWS-managed ones replaced by their stand-ins,
    repeated ones (reboot-linux comes twice) numbered."""
    seen: dict[str, int] = {}
    result = []
    for component in FIXTURES['recipes'][recipe]:
        name = component['name']
        seen[name] = seen.get(name, 0) + 1
        document = component.get('document')
        if component['managed']:
            standin = MANAGED / f'{name}.yml'
            assert standin.exists(), f'no stand-in for the AWS-managed component {name}: add harness/standins/managed/{name}.yml'
            document = standin.read_text()
        result.append({
            'name': name if seen[name] == 1 else f'{name}-{seen[name]}',
            'document': document,
            'parameters': component['parameters'],
        })
    return result


def security_agent_deb(dest: Path) -> Path:
    """The installer the recipes' S3 security agent downloads: a package with an enabled service."""
    root = dest / 'harness-security-agent'
    (root / 'DEBIAN').mkdir(parents=True)
    (root / 'DEBIAN' / 'control').write_text(
        'Package: harness-security-agent\nVersion: 1.0\nArchitecture: all\nMaintainer: cdk-golden-ami harness\n'
        'Description: stand-in security agent installed from S3 by the harness\n')
    (root / 'DEBIAN' / 'postinst').write_text('#!/bin/sh\nset -e\nsystemctl enable --now harness-security-agent.service\n')
    (root / 'DEBIAN' / 'postinst').chmod(0o755)
    unit = root / 'lib' / 'systemd' / 'system' / 'harness-security-agent.service'
    unit.parent.mkdir(parents=True)
    unit.write_text('[Unit]\nDescription=harness security agent\n[Service]\nExecStart=/bin/sleep infinity\n'
                    '[Install]\nWantedBy=multi-user.target\n')
    deb = dest / 'harness-security-agent.deb'
    subprocess.run(['dpkg-deb', '--root-owner-group', '--build', str(root), str(deb)], check=True, capture_output=True)
    return deb


@pytest.fixture(scope='session')
def prepared():
    return prepare()


@pytest.fixture(scope='session')
def s3_root(tmp_path_factory) -> str:
    root = tmp_path_factory.mktemp('s3')
    target = root / INSTALLER_BUCKET / INSTALLER_KEY
    target.parent.mkdir(parents=True)
    security_agent_deb(tmp_path_factory.mktemp('deb')).rename(target)
    return str(root)


def as_build_instance(guest: Guest) -> Guest:
    """The guest as Image Builder finds a build instance: with the SSM agent, which the service
    installs when the base image lacks it (Ubuntu's AMIs carry it as a snap), here the stand-in."""
    guest.check(STRICT + 'DEBIAN_FRONTEND=noninteractive apt-get install -y -q /opt/golden-ami-harness/standins/amazon-ssm-agent.deb >/dev/null')
    return guest


def run_and_record(recipe: str, guest: Guest, s3_root: str, run: str) -> RecipeResult:
    result = run_recipe(components(recipe), guest, s3_root=s3_root, log=lambda line: print(f'[{recipe}/{run}] {line}'))
    REPORT['recipes'].setdefault(recipe, {})[run] = {
        'seconds': result.seconds,
        'build_stage': result.build_stage_seconds,
        'reboot': result.reboot_seconds,
        'test_stage': result.test_stage_seconds,
        'total': result.total_seconds,
    }
    print(result.table())
    return result


def step_statuses(result: RecipeResult) -> dict[tuple[str, str], str]:
    return {(step.phase, step.name): step.status for document in result.documents for step in document.steps}


def file_state(guest: Guest) -> dict[str, str]:
    """Content hash, mode and owner of every file the build could have changed."""
    out = guest.check(STRICT + r"""
find /etc /boot/grub /usr/local /opt /root /home -xdev -type f -print0 2>/dev/null | sort -z |
  while IFS= read -r -d '' file; do
    printf '%s %s %s\n' "$(sha256sum < "$file" | cut -c1-16)" "$(stat -c '%a:%U:%G' "$file")" "$file"
  done
""", timeout=900)
    state = {}
    for line in out.splitlines():
        digest, mode, path = line.split(' ', 2)
        if path not in VOLATILE and not path.startswith(VOLATILE_PREFIXES):
            state[path] = f'{digest} {mode}'
    return state


def cis_level(recipe: str) -> int:
    return 2 if recipe.endswith('level-2') else 1


def assert_controls_held(recipe: str, result: RecipeResult, run: str) -> None:
    """Each control of the level applied in the build phase and held in the test phase."""
    statuses = step_statuses(result)
    for control in FIXTURES['cisControls']:
        if control['level'] > cis_level(recipe):
            continue
        applied = statuses.get(('build', f"Apply_{control['id']}"))
        checked = statuses.get(('test', f"Check_{control['id']}"))
        assert applied == 'Success', f"{control['id']} apply: {applied}"
        assert checked == 'Success', f"{control['id']} check after reboot: {checked}"
        if recipe.endswith('level-2'):
            REPORT['controls'].setdefault(control['id'], {})[f'{run}'] = 'pass'


@pytest.fixture(scope='session', autouse=True)
def report():
    yield
    REPORT['controlIds'] = [control['id'] for control in FIXTURES['cisControls']]
    write_lane(REPORT, os.environ.get('GOLDEN_AMI_HARNESS_LANE', 'all'))


# -- no hardening and CIS Level 1 ---------------------------------------------------------------

@pytest.mark.parametrize('recipe', ['ubuntu-22-04-none', 'ubuntu-22-04-cis-level-1'])
def test_recipe_builds_and_tests_then_runs_again_unchanged(recipe, prepared, s3_root):
    with Guest(prepared, name=recipe) as guest:
        as_build_instance(guest)
        first = run_and_record(recipe, guest, s3_root, 'first')
        if recipe != 'ubuntu-22-04-none':
            assert_controls_held(recipe, first, 'first')
        before = file_state(guest)
        second = run_and_record(recipe, guest, s3_root, 'second')
        if recipe != 'ubuntu-22-04-none':
            assert_controls_held(recipe, second, 'second')
        assert_same_files(before, file_state(guest))


def assert_same_files(before: dict[str, str], after: dict[str, str]) -> None:
    changed = sorted(path for path in set(before) | set(after) if before.get(path) != after.get(path))
    assert changed == [], f'a second run changed files: {changed}'


# -- CIS Level 2, then the ECS application image on it ---------------------------------------------

LEVEL_2 = 'ubuntu-22-04-cis-level-2'


@pytest.fixture(scope='module')
def level_two(prepared, s3_root):
    with Guest(prepared, name=LEVEL_2) as guest:
        yield as_build_instance(guest)


def test_level_2_builds_and_every_control_holds_after_reboot(level_two, s3_root):
    result = run_and_record(LEVEL_2, level_two, s3_root, 'first')
    assert_controls_held(LEVEL_2, result, 'first')
    cmdline = level_two.check('cat /proc/cmdline')
    assert 'audit=1' in cmdline.split() and 'audit_backlog_limit=8192' in cmdline.split(), cmdline
    assert 'enabled 2' in level_two.check('auditctl -s').splitlines()


def test_level_2_second_run_leaves_the_same_files_and_passes(level_two, s3_root):
    before = file_state(level_two)
    result = run_and_record(LEVEL_2, level_two, s3_root, 'second')
    assert_controls_held(LEVEL_2, result, 'second')
    assert_same_files(before, file_state(level_two))


@pytest.mark.parametrize('control_id', [control['id'] for control in FIXTURES['cisControls']])
def test_level_2_breaking_a_control_fails_its_check_and_applying_repairs_it(control_id, level_two):
    control = next(c for c in FIXTURES['cisControls'] if c['id'] == control_id)
    record = REPORT['controls'].setdefault(control_id, {}).setdefault('violations', [])
    assert level_two.run(STRICT + control['check'])[0] == 0, f'{control_id} does not hold before the violation'
    for violation in control['violations']:
        entry = {'description': violation['description'], 'detected': False, 'repaired': False}
        record.append(entry)
        level_two.check(STRICT + violation['script'])
        code, _, stderr = level_two.run(STRICT + control['check'])
        entry['message'] = stderr.strip().splitlines()[-1] if stderr.strip() else ''
        assert code != 0, f"{control_id}: the check passed after: {violation['description']}"
        entry['detected'] = True
        if violation.get('cleanup'):
            level_two.check(STRICT + violation['cleanup'])
        level_two.check(STRICT + control['apply'], timeout=900)
        code, _, stderr = level_two.run(STRICT + control['check'])
        assert code == 0, f"{control_id}: applying again did not repair: {violation['description']}: {stderr}"
        entry['repaired'] = True


def test_level_2_non_root_user_logs_in_with_a_key_and_the_guest_boots(level_two):
    code, out, err = level_two.ssh_login('admin', level_two.key)
    assert code == 0 and out.strip() == 'admin', err
    seconds = level_two.reboot()
    REPORT['notes'].append(f'the Level 2 guest rebooted after the violation tests in {seconds:.0f} s')
    code, out, err = level_two.ssh_login('admin', level_two.key)
    assert code == 0 and out.strip() == 'admin', err
    # The hardened sshd refuses root.
    code, _, _ = level_two.ssh_login('root', level_two.key)
    assert code != 0
    # Every control still holds on the rebooted guest (the violations were repaired for good).
    for control in FIXTURES['cisControls']:
        code, _, stderr = level_two.run(STRICT + control['check'])
        assert code == 0, f"{control['id']} after the final reboot: {stderr}"


# -- the ECS application image on the Level 2 guest -------------------------------------------------

REGION = 'eu-west-1'
GUEST_S3 = '/var/lib/golden-ami-harness/s3'
ENDPOINTS = Path(__file__).resolve().parent / 'standins' / 'ec2_endpoints.py'
CONTAINER_IMAGE = 'public.ecr.aws/docker/library/busybox:stable'


def publish_assets(guest: Guest, tmp: Path) -> None:
    """The app's CDK file assets, as the asset publisher would upload them, in the guest's S3 stand-in."""
    for asset in FIXTURES['assets']:
        local = Path(asset['path'])
        if asset['packaging'] == 'zip':
            archive = tmp / asset['key']
            subprocess.run(['python3', '-m', 'zipfile', '-c', str(archive)] + [str(p) for p in sorted(local.iterdir())],
                           check=True)
            local = archive
        guest.put(local, f"{GUEST_S3}/{asset['bucket']}/{asset['key']}")


def start_ec2_endpoints(guest: Guest) -> None:
    """Instance metadata and the regional S3 endpoint (serving the ECS agent package) inside the guest."""
    guest.put(ENDPOINTS, '/opt/golden-ami-harness/ec2_endpoints.py')
    host = f's3.{REGION}.amazonaws.com'
    guest.check(STRICT + f"""
dir=/opt/golden-ami-harness/endpoints
mkdir -p "$dir" {GUEST_S3}/amazon-ecs-agent-{REGION}
cp /opt/golden-ami-harness/standins/amazon-ecs-init.deb {GUEST_S3}/amazon-ecs-agent-{REGION}/amazon-ecs-init-latest.amd64.deb
cd "$dir"
if [ ! -e ca.crt ]; then
  openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj '/CN=golden-ami harness CA' -keyout ca.key -out ca.crt 2>/dev/null
  openssl req -newkey rsa:2048 -nodes -subj '/CN={host}' -keyout s3.key -out s3.csr 2>/dev/null
  printf 'subjectAltName=DNS:{host}\\n' > san.ext
  openssl x509 -req -in s3.csr -CA ca.crt -CAkey ca.key -CAcreateserial -days 2 -extfile san.ext -out s3.crt 2>/dev/null
  cp ca.crt /usr/local/share/ca-certificates/golden-ami-harness.crt
  update-ca-certificates >/dev/null
  printf '127.0.0.2 {host}\\n' >> /etc/hosts
fi
ip addr replace 169.254.169.254/32 dev lo
systemctl stop golden-ami-ec2-endpoints 2>/dev/null || true
systemd-run --unit golden-ami-ec2-endpoints python3 /opt/golden-ami-harness/ec2_endpoints.py \\
  --region {REGION} --s3-root {GUEST_S3} --cert "$dir/s3.crt" --key "$dir/s3.key"
for _ in $(seq 30); do
  if curl -fsS -X PUT http://169.254.169.254/latest/api/token -H 'X-aws-ec2-metadata-token-ttl-seconds: 60' >/dev/null 2>&1; then break; fi
  sleep 1
done
curl -fsS https://{host}/amazon-ecs-agent-{REGION}/amazon-ecs-init-latest.amd64.deb -o /dev/null
""")


class SeedsContainerImageBeforeTest:
    """The guest as run_recipe sees it, except that the reboot standing for the test instance
    first loads the image the container test runs (ECR is not reachable here): busybox from
    Debian's busybox-static (in the guest image), imported under the name the test uses, so
    `docker run` finds it without pulling."""

    def __init__(self, guest: Guest):
        self.guest = guest

    def run(self, *args, **kwargs):
        return self.guest.run(*args, **kwargs)

    def put(self, *args, **kwargs):
        return self.guest.put(*args, **kwargs)

    def get(self, *args, **kwargs):
        return self.guest.get(*args, **kwargs)

    def reboot(self, *args, **kwargs):
        self.guest.check(STRICT + f"""
if ! docker image inspect {CONTAINER_IMAGE} >/dev/null 2>&1; then
  # busybox-static is in the guest image (guest.PACKAGES).
  root=$(mktemp -d)
  mkdir -p "$root/bin"
  cp /bin/busybox "$root/bin/busybox"
  for applet in sh echo; do ln -s busybox "$root/bin/$applet"; done
  tar -C "$root" -c . | docker import - {CONTAINER_IMAGE} >/dev/null
  rm -rf "$root"
fi
""", timeout=900)
        return self.guest.reboot(*args, **kwargs)


def test_ecs_application_image_builds_and_tests_on_the_level_2_guest(level_two, s3_root, tmp_path):
    publish_assets(level_two, tmp_path)
    start_ec2_endpoints(level_two)
    recipe = 'ecs-on-cis-level-2'
    result = run_recipe(components(recipe), SeedsContainerImageBeforeTest(level_two), s3_root=s3_root,
                        log=lambda line: print(f'[{recipe}] {line}'))
    REPORT['recipes'][recipe] = {'first': {
        'seconds': result.seconds, 'build_stage': result.build_stage_seconds, 'reboot': result.reboot_seconds,
        'test_stage': result.test_stage_seconds, 'total': result.total_seconds,
    }}
    print(result.table())
    # What the steps left: the playbook's file, no Ansible, the ECS agent unbound, every CIS control still holding.
    assert level_two.check('cat /etc/security/limits.d/90-containers.conf').split('\n')[0] == '* soft nofile 65536'
    assert level_two.run('command -v ansible-playbook')[0] != 0, 'Ansible was not removed after the build'
    assert 'ECS_CLUSTER' not in level_two.check('cat /etc/ecs/ecs.config')
    for control in FIXTURES['cisControls']:
        code, _, stderr = level_two.run(STRICT + control['check'])
        assert code == 0, f"{control['id']} after the ECS image build: {stderr}"
