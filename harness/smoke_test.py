"""Smoke test of the booted-guest harness: `python3 -m harness.smoke_test` from the repo root.

Prepares (or reuses) the cached base image, boots a throwaway guest and checks what the AWSTOE
runner relies on: root and admin commands, a GRUB command-line change applied at reboot, the
stand-in packages and their services, hostnamectl/loginctl, apt reaching the mirror, file
copies both ways, a fresh key login as a non-root user. Prints the timings. Exits non-zero on
the first failed check.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from harness import guest as harness_guest
from harness.guest import STANDIN_GUEST_DIR, Guest, prepare

passed: list[str] = []


def check(name: str, ok: bool, detail: str = '') -> None:
    """Records a passed check, or stops the test with its detail."""
    if not ok:
        print(f'FAIL {name}\n{detail}', file=sys.stderr)
        raise SystemExit(1)
    print(f'ok   {name}')
    passed.append(name)


def main() -> int:
    timings: dict[str, float] = {}
    t = time.monotonic()
    prepared = prepare()
    timings['prepare (built the base)' if prepared.built else 'prepare (cache present)'] = time.monotonic() - t
    t = time.monotonic()
    again = prepare()
    timings['prepare (warm)'] = time.monotonic() - t
    check('prepare is cached: a second call returns the same base without building',
          again.base_image == prepared.base_image and not again.built)
    build = {k: round(v, 1) if isinstance(v, float) else v for k, v in prepared.timings.items()}
    print(f'base image build timings (from its manifest): {json.dumps(build)}')

    with Guest(prepared) as g:
        timings['boot'] = g.last_boot_seconds or 0.0
        check('boot uses the base grub.cfg default entry', 'console=ttyS0' in g.boot_entry.cmdline(),
              g.boot_entry.cmdline())

        rc, out, err = g.run('id -un; echo "$HOSTNAME"')
        check('run as root through sudo -n', rc == 0 and out.split()[0] == 'root', f'{rc} {out} {err}')
        rc, out, err = g.run('id -un', user='admin')
        check('run as admin', rc == 0 and out.strip() == 'admin', f'{rc} {out} {err}')
        rc, out, err = g.run('echo to-stderr >&2; exit 3')
        check('exit code and stderr come back', rc == 3 and 'to-stderr' in err, f'{rc} {out} {err}')
        t = time.monotonic()
        rc, out, err = g.run('sleep 30', timeout=3)
        check('the timeout stops a long script', rc == 124 and time.monotonic() - t < 20 and 'timed out' in err,
              f'{rc} {out} {err} after {time.monotonic() - t:.1f} s')

        rc, out, err = g.run('hostnamectl; loginctl list-sessions --no-pager')
        check('hostnamectl and loginctl work', rc == 0 and harness_guest.HOSTNAME in out, f'{rc} {out} {err}')

        rc, out, err = g.run('apt-get update', timeout=600)
        check('apt-get update reaches the mirror from the guest', rc == 0 and 'Err:' not in out, f'{rc} {out} {err}')

        # GRUB: a drop-in for GRUB_CMDLINE_LINUX, update-grub, reboot: the new boot has it.
        g.check("""set -eu
mkdir -p /etc/default/grub.d
echo 'GRUB_CMDLINE_LINUX="$GRUB_CMDLINE_LINUX golden_ami_probe=1"' > /etc/default/grub.d/99-golden-ami-probe.cfg
update-grub
grep -q golden_ami_probe=1 /boot/grub/grub.cfg
""")
        rc, out, err = g.run('cat /proc/cmdline')
        check('before the reboot the probe is not on the command line', 'golden_ami_probe=1' not in out, out)
        boot_id = g.check('cat /proc/sys/kernel/random/boot_id').strip()
        timings['reboot'] = g.reboot()
        rc, out, err = g.run('cat /proc/cmdline')
        check('after update-grub and a reboot /proc/cmdline has golden_ami_probe=1',
              rc == 0 and 'golden_ami_probe=1' in out.split(), f'{rc} {out} {err}')
        check('the reboot is a new boot', g.check('cat /proc/sys/kernel/random/boot_id').strip() != boot_id)
        check('the overlay survived the reboot', 'golden_ami_probe=1' in g.check(
            'cat /etc/default/grub.d/99-golden-ami-probe.cfg'))

        # Stand-in packages.
        out = g.check(f"""set -eu
export DEBIAN_FRONTEND=noninteractive
apt-get install -y {STANDIN_GUEST_DIR}/amazon-ssm-agent.deb {STANDIN_GUEST_DIR}/amazon-cloudwatch-agent.deb \
  {STANDIN_GUEST_DIR}/aws-cli-v2-standin.deb {STANDIN_GUEST_DIR}/amazon-ecs-init.deb
""", timeout=600)
        rc, out, err = g.run('systemctl is-enabled amazon-ssm-agent && systemctl is-active amazon-ssm-agent')
        check('SSM agent stand-in is enabled and running', rc == 0, f'{rc} {out} {err}')
        rc, out, err = g.run('aws --version')
        check('AWS CLI stand-in answers --version', rc == 0 and out.startswith('aws-cli/2.'), f'{rc} {out} {err}')
        rc, out, err = g.run('systemctl start amazon-cloudwatch-agent; sleep 3; systemctl is-active amazon-cloudwatch-agent; '
                             'journalctl -b -u amazon-cloudwatch-agent --no-pager | tail -n 3')
        check('CloudWatch agent refuses to start without a configuration',
              rc == 0 and not out.startswith('active') and 'no configuration' in out, f'{rc} {out} {err}')
        rc, out, err = g.run("""set -u
echo '{"logs": ' > /tmp/bad.json
/opt/aws/amazon-cloudwatch-agent/bin/amazon-cloudwatch-agent-ctl -a fetch-config -m ec2 -c file:/tmp/bad.json -s
""")
        check('CloudWatch fetch-config rejects invalid JSON', rc != 0, f'{rc} {out} {err}')
        rc, out, err = g.run("""set -eu
echo '{"agent": {"metrics_collection_interval": 60}}' > /opt/aws/amazon-cloudwatch-agent/etc/golden-ami.json
/opt/aws/amazon-cloudwatch-agent/bin/amazon-cloudwatch-agent-ctl -a fetch-config -m ec2 -c file:/opt/aws/amazon-cloudwatch-agent/etc/golden-ami.json -s
amazon-cloudwatch-agent-ctl -a status
""")
        status = json.loads(out[out.index('{'):]) if '{' in out else {}
        check('CloudWatch fetch-config -s starts the agent, status says running',
              rc == 0 and status.get('status') == 'running' and status.get('configstatus') == 'configured',
              f'{rc} {out} {err}')
        rc, out, err = g.run("""set -eu
printf 'ECS_CLUSTER=harness\\nECS_LOGLEVEL=info\\n' > /etc/ecs/ecs.config
systemctl enable --now ecs
systemctl is-active ecs
""")
        check('ECS init stand-in starts with /etc/ecs/ecs.config', rc == 0, f'{rc} {out} {err}')

        # Files both ways, root-owned on the guest.
        with tempfile.TemporaryDirectory() as tmp:
            src = Path(tmp) / 'tree'
            (src / 'sub').mkdir(parents=True)
            (src / 'a.txt').write_text('alpha\n')
            (src / 'sub' / 'run.sh').write_text('#!/bin/sh\necho run\n')
            os.chmod(src / 'sub' / 'run.sh', 0o755)
            g.put(src, '/opt/harness-put-test')
            g.put(src / 'a.txt', '/etc/harness-put-file.txt')
            out = g.check('stat -c "%U %a %n" /opt/harness-put-test/a.txt /opt/harness-put-test/sub/run.sh '
                          '/etc/harness-put-file.txt; /opt/harness-put-test/sub/run.sh')
            check('put copies files and directories, root-owned, modes kept',
                  'root 644 /opt/harness-put-test/a.txt' in out and 'root 755 /opt/harness-put-test/sub/run.sh' in out
                  and 'root 644 /etc/harness-put-file.txt' in out and out.strip().endswith('run'), out)
            g.get('/opt/harness-put-test', Path(tmp) / 'back')
            g.get('/etc/shadow', Path(tmp) / 'shadow')
            check('get copies directories and root-only files back',
                  (Path(tmp) / 'back' / 'sub' / 'run.sh').read_text() == '#!/bin/sh\necho run\n'
                  and 'admin:' in (Path(tmp) / 'shadow').read_text())

            # A fresh key login as a non-root user (what hardening must keep working).
            key = Path(tmp) / 'user_key'
            subprocess.run(['ssh-keygen', '-q', '-t', 'ed25519', '-N', '', '-f', str(key)], check=True)
            g.check('useradd -m -s /bin/bash harness-user')
            g.authorize_key('harness-user', (Path(tmp) / 'user_key.pub').read_text().strip())
            rc, out, err = g.ssh_login('harness-user', key)
            check('a non-root user logs in with a key', rc == 0 and out.strip() == 'harness-user', f'{rc} {out} {err}')
            rc, out, err = g.ssh_login('root', prepared.ssh_key)
            check('root key login works before hardening', rc == 0 and out.strip() == 'root', f'{rc} {out} {err}')

        # What CIS-style hardening does to the harness's own access: root login off, sudo in a
        # pty with a log file, a login banner. The harness must keep working (it logs in as admin).
        g.check("""set -eu
printf 'PermitRootLogin no\\nBanner /etc/issue.net\\n' > /etc/ssh/sshd_config.d/00-harness-hardening.conf
sshd -t
systemctl restart ssh
printf 'Defaults use_pty\\nDefaults logfile=/var/log/sudo.log\\n' > /etc/sudoers.d/00-harness-hardening
chmod 0440 /etc/sudoers.d/00-harness-hardening
visudo -c
""")
        rc, out, err = g.ssh_login('root', prepared.ssh_key)
        check('after PermitRootLogin no, root key login is refused', rc != 0 and 'Permission denied' in err,
              f'{rc} {out} {err}')
        rc, out, err = g.ssh_login('admin', prepared.ssh_key)
        check('after hardening sshd, admin still logs in', rc == 0 and out.strip() == 'admin', f'{rc} {out} {err}')
        rc, out, err = g.run('printf "out\\n"; printf "err\\n" >&2; exit 7')
        check('with Defaults use_pty and a sudo log, run keeps stdout, stderr and the exit code apart',
              rc == 7 and out == 'out\n' and err == 'err\n', f'{rc} {out!r} {err!r}')
        # A new kernel (what an upgrade installs): a copy of the running one under a higher
        # version, so update-grub makes it the default entry. The next boot must use it: both
        # files are new to the harness and are read from the guest.
        g.check('''set -eu
cur=$(uname -r)
cp /boot/vmlinuz-$cur /boot/vmlinuz-6.1.0-999-amd64
cp /boot/initrd.img-$cur /boot/initrd.img-6.1.0-999-amd64
update-grub
''')
        copies_before = len(set(g._boot_blobs.values()))
        timings['reboot after hardening'] = g.reboot()
        rc, out, err = g.run('cat /proc/cmdline')
        check('a kernel added by update-grub is booted next, its files read from the guest',
              out.startswith('BOOT_IMAGE=/boot/vmlinuz-6.1.0-999-amd64 ')
              and len(set(g._boot_blobs.values())) == copies_before + 2, f'{out} {g._boot_blobs}')
        rc, out, err = g.run('grep -c . /var/log/sudo.log; sshd -T | grep -i permitrootlogin')
        check('after a reboot the hardened guest still runs root scripts (no banner on stderr)',
              rc == 0 and 'permitrootlogin no' in out and err == '', f'{rc} {out} {err!r}')

        overlay = g._disk
    check('close removed the overlay', not overlay.exists())

    print('\ntimings (seconds):')
    for name, secs in timings.items():
        print(f'  {name:40s} {secs:7.1f}')
    print(f'  accelerator: {prepared.accel}')
    print(f'\n{len(passed)} passed, 0 failed')
    return 0


if __name__ == '__main__':
    sys.exit(main())
