"""The booted-guest half of the local EC2 Image Builder harness.

`prepare()` builds (once, cached) a Debian 12 disk image that looks like a cloud image: a
debootstrap root with a kernel, systemd, dbus, OpenSSH, sudo, GRUB's configuration tools and
apt pointed at this machine's Debian mirror, an `admin` user with a harness-generated SSH key
and passwordless sudo, and the stand-in packages for AWS software under `STANDIN_GUEST_DIR`.

`Guest` boots a throwaway copy of that image under qemu and runs scripts on it as root (through
`sudo -n`, like an Image Builder build instance runs AWSTOE), reboots it, copies files in and
out, and deletes the copy on `close()`. The kernel, initrd and command line of every boot come
from the guest's own /boot/grub/grub.cfg, so `update-grub` changes apply as GRUB would apply
them.

Use (the interface harness/toe_runner.py and harness/test_guest.py rely on):

    prepared = prepare()                      # cached; builds only when the recipe changed
    with Guest(prepared) as guest:            # boots a throwaway overlay, deleted on close
        rc, out, err = guest.run('apt-get update', timeout=600)     # as root via sudo -n
        rc, out, err = guest.run('id -un', user='admin')
        guest.put('local/dir', '/opt/x'); guest.get('/var/log/syslog', 'out/syslog')
        seconds = guest.reboot()              # next kernel/initrd/cmdline from grub.cfg

Stand-in packages for AWS software are in the guest at STANDIN_GUEST_DIR; stand-in AWSTOE
documents for AWS-managed components are in harness/standins/managed (see its README).

Environment:
  GOLDEN_AMI_HARNESS_CACHE            cache directory (default ~/.cache/cdk-golden-ami-harness)
  GOLDEN_AMI_HARNESS_MIRROR           Debian mirror URI (default: read from the host's apt sources)
  GOLDEN_AMI_HARNESS_SECURITY_MIRROR  security mirror URI, or "none" (default: the host's, if any)
  GOLDEN_AMI_HARNESS_ACCEL            "kvm" or "tcg" to skip the KVM probe
  GOLDEN_AMI_HARNESS_QEMU_CPU         qemu -cpu model (default: host under KVM, qemu64 under TCG)
  GOLDEN_AMI_HARNESS_GUEST_CPUS       vCPUs per guest (default 2; scripts/guest-harness.sh sets 1 when
                                      it runs two guests side by side, one per host core)
"""

from __future__ import annotations

import atexit
import contextlib
import dataclasses
import fcntl
import glob
import hashlib
import io
import json
import os
import re
import shlex
import shutil
import socket
import subprocess
import sys
import tarfile
import tempfile
import time
import uuid
from pathlib import Path
from typing import Iterator, Optional

SUITE = 'bookworm'
ARCH = 'amd64'
HOSTNAME = 'golden-ami-guest'
ADMIN_USER = 'admin'
DISK_SIZE = '8G'
# Where the stand-in .deb files live inside the guest (installable with `apt-get install <path>`).
STANDIN_GUEST_DIR = '/opt/golden-ami-harness/standins'
# Bump when the build logic changes in a way the recipe hash below cannot see.
RECIPE_VERSION = 2

HARNESS_DIR = Path(__file__).resolve().parent
STANDIN_SOURCES = HARNESS_DIR / 'standins' / 'debs'
MANAGED_DOCUMENTS = HARNESS_DIR / 'standins' / 'managed'

# What a Debian cloud image has, plus GRUB's configuration tools (no bootloader is installed to
# a disk: qemu boots the kernel directly, reading what GRUB would boot from grub.cfg).
PACKAGES = [
    'linux-image-amd64',
    'systemd-sysv',
    'systemd-resolved',
    'udev',
    'dbus',
    'libpam-systemd',
    'openssh-server',
    'sudo',
    'iproute2',
    'ca-certificates',
    'curl',
    'procps',
    'kmod',
    'python3',
    'gnupg',
    'grub2-common',
    'grub-pc-bin',
    'zstd',
    'netbase',
    'less',
    # The ECS test's container image is made from it (ECR is not reachable): installed here,
    # not by apt in the guest, which took 8 minutes under software emulation.
    'busybox-static',
    # Cloud images run cron; the CIS cron permission control needs its files to exist.
    'cron',
]


def log(msg: str) -> None:
    """Progress on stderr, with a timestamp."""
    print(f'[harness {time.strftime("%H:%M:%S")}] {msg}', file=sys.stderr, flush=True)


def cache_root() -> Path:
    """The cache directory (outside the repository)."""
    return Path(os.environ.get('GOLDEN_AMI_HARNESS_CACHE', '~/.cache/cdk-golden-ami-harness')).expanduser()


# ---------------------------------------------------------------------------------------------
# The host's Debian mirror


@dataclasses.dataclass(frozen=True)
class Mirrors:
    """Where the guest's apt gets packages: read from the host's apt configuration."""

    main: str
    updates: bool
    security: Optional[str]


def _apt_source_entries() -> Iterator[tuple[str, list[str]]]:
    """(URI, suites) pairs from the host's deb822 `.sources` files and one-line `.list` files."""
    for path in sorted(glob.glob('/etc/apt/sources.list.d/*.sources')):
        text = Path(path).read_text()
        for para in re.split(r'\n\s*\n', text):
            fields: dict[str, str] = {}
            key = None
            for line in para.splitlines():
                if line.startswith('#') or not line.strip():
                    continue
                if line[0].isspace() and key:
                    fields[key] += ' ' + line.strip()
                    continue
                if ':' in line:
                    key, _, value = line.partition(':')
                    key = key.strip().lower()
                    fields[key] = value.strip()
            if 'deb' not in fields.get('types', '').split() or fields.get('enabled', 'yes') == 'no':
                continue
            for uri in fields.get('uris', '').split():
                yield uri, fields.get('suites', '').split()
    for path in ['/etc/apt/sources.list', *sorted(glob.glob('/etc/apt/sources.list.d/*.list'))]:
        if not os.path.exists(path):
            continue
        for line in Path(path).read_text().splitlines():
            line = re.sub(r'\[[^]]*\]', ' ', line.split('#', 1)[0]).split()
            if len(line) >= 3 and line[0] == 'deb':
                yield line[1], [line[2]]


def host_mirrors() -> Mirrors:
    """The Debian mirror (and security mirror) that this host's apt uses, or the env overrides."""
    main = os.environ.get('GOLDEN_AMI_HARNESS_MIRROR')
    security = os.environ.get('GOLDEN_AMI_HARNESS_SECURITY_MIRROR')
    updates = False
    entries = list(_apt_source_entries())
    for uri, suites in entries:
        if SUITE in suites and not main:
            main = uri
        if f'{SUITE}-updates' in suites:
            updates = True
        if f'{SUITE}-security' in suites and security is None:
            security = uri
    if not main:
        raise RuntimeError(
            f'no apt source for {SUITE} found on this host; set GOLDEN_AMI_HARNESS_MIRROR')
    if security == 'none':
        security = None
    return Mirrors(main=main.rstrip('/'), updates=updates or bool(os.environ.get('GOLDEN_AMI_HARNESS_MIRROR')),
                   security=security.rstrip('/') if security else None)


# ---------------------------------------------------------------------------------------------
# Small helpers


def _sh(cmd: list[str], **kw) -> subprocess.CompletedProcess:
    """Runs a host command, raising with its output when it fails."""
    kw.setdefault('check', True)
    kw.setdefault('text', True)
    kw.setdefault('capture_output', True)
    try:
        return subprocess.run(cmd, **kw)
    except subprocess.CalledProcessError as e:
        raise RuntimeError(f'{shlex.join(cmd)} failed ({e.returncode}):\n{e.stdout}\n{e.stderr}') from None


def _sha256_tree(root: Path) -> str:
    h = hashlib.sha256()
    for path in sorted(root.rglob('*')):
        rel = str(path.relative_to(root)).encode()
        if path.is_symlink():
            h.update(b'L' + rel + b'\0' + os.readlink(path).encode() + b'\0')
        elif path.is_file():
            h.update(b'F' + rel + b'\0' + bytes([os.access(path, os.X_OK)]) + path.read_bytes() + b'\0')
    return h.hexdigest()


def _unmount_below(path: Path) -> None:
    """Unmounts whatever is mounted under `path` (debootstrap binds /dev, /proc, /sys)."""
    prefix = str(path.resolve()) + '/'
    with open('/proc/self/mounts') as f:
        points = [line.split()[1].replace('\\040', ' ') for line in f]
    for point in sorted((p for p in points if p.startswith(prefix)), key=len, reverse=True):
        subprocess.run(['umount', '-l', point], check=False)


def _remove_tree(path: Path) -> None:
    """Deletes a build directory without ever crossing into a mount (a bound /dev, say)."""
    if path.exists():
        _unmount_below(path)
        subprocess.run(['rm', '-rf', '--one-file-system', str(path)], check=True)


@contextlib.contextmanager
def _locked(name: str) -> Iterator[None]:
    """A cross-process lock in the cache, so two harness runs never build the same thing twice."""
    root = cache_root()
    root.mkdir(parents=True, exist_ok=True)
    with open(root / f'.{name}.lock', 'w') as f:
        fcntl.flock(f, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(f, fcntl.LOCK_UN)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]


def _ssh_env() -> dict[str, str]:
    # ssh forwards LANG/LC_* (SendEnv); the guest has no locales, so perl and apt would warn.
    return {k: v for k, v in os.environ.items() if not (k == 'LANG' or k.startswith('LC_'))}


# ---------------------------------------------------------------------------------------------
# GRUB configuration: what GRUB would boot


@dataclasses.dataclass
class BootEntry:
    """The default menu entry of a grub.cfg: its kernel, initrds and command line."""

    title: str
    kernel: str
    initrds: list[str]
    args: list[str]
    root_uuid: Optional[str]
    # Chosen through grubenv's next_entry (grub-reboot): GRUB boots it once and unsets it.
    once: bool = False

    def cmdline(self) -> str:
        """The kernel command line as GRUB passes it (GRUB prepends BOOT_IMAGE=<kernel>)."""
        return ' '.join([f'BOOT_IMAGE={self.kernel}', *self.args])


@dataclasses.dataclass
class _Menu:
    title: str
    ident: Optional[str]
    body: list[str]
    children: list['_Menu']
    is_submenu: bool


def _grub_words(line: str) -> list[str]:
    try:
        return shlex.split(line, comments=False, posix=True)
    except ValueError:
        return line.split()


def _parse_grubenv(text: str) -> dict[str, str]:
    env = {}
    for line in text.splitlines():
        if '=' in line and not line.startswith('#'):
            k, _, v = line.partition('=')
            env[k] = v
    return env


def parse_grub_cfg(text: str, grubenv: str = '') -> BootEntry:
    """Finds the entry GRUB boots by default in a grub.cfg and returns its linux/initrd lines.

    Handles `set default=` (index, title, id, or `a>b` into a submenu), `next_entry` and
    `saved_entry` from grubenv, and expands `$var` / `${var}` from top-level `set` lines.
    """
    env = _parse_grubenv(grubenv)
    variables: dict[str, str] = {}
    default: Optional[str] = None
    top: list[_Menu] = []
    stack: list[_Menu] = []
    func_depth = 0
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith('#'):
            continue
        words = _grub_words(line)
        if not words:
            continue
        if func_depth:
            func_depth += line.count('{') - line.count('}')
            continue
        if words[0] == 'function':
            func_depth = line.count('{') - line.count('}')
            continue
        if words[0] in ('menuentry', 'submenu') and line.endswith('{'):
            title = words[1]
            ident = None
            for i, w in enumerate(words):
                if w in ('$menuentry_id_option', '--id') and i + 1 < len(words):
                    ident = words[i + 1]
            menu = _Menu(title, ident, [], [], words[0] == 'submenu')
            (stack[-1].children if stack else top).append(menu)
            stack.append(menu)
            continue
        if line == '}':
            if stack:
                stack.pop()
            continue
        if stack:
            stack[-1].body.append(line)
            continue
        m = re.match(r'^set\s+([A-Za-z_][A-Za-z0-9_]*)=(.*)$', line)
        if m:
            name, value = m.group(1), (_grub_words(m.group(2)) or [''])[0]
            if name == 'default':
                if value == '${next_entry}':
                    continue
                default = value
            else:
                variables[name] = value

    once = bool(env.get('next_entry'))
    if once:
        default = env['next_entry']
    elif default in ('${saved_entry}', '$saved_entry'):
        default = env.get('saved_entry') or '0'
    if default is None:
        default = '0'

    def pick(items: list[_Menu], key: str) -> _Menu:
        if key.isdigit():
            return items[int(key)]
        for item in items:
            if key in (item.title, item.ident):
                return item
        raise ValueError(f'grub default entry {key!r} not found')

    items = top
    entry = None
    for part in default.split('>'):
        entry = pick(items, part)
        items = entry.children
    while entry is not None and entry.is_submenu:
        entry = entry.children[0]
    if entry is None:
        raise ValueError('grub.cfg has no menuentry')

    def expand(word: str) -> str:
        return re.sub(r'\$\{?([A-Za-z_][A-Za-z0-9_]*)\}?', lambda mm: variables.get(mm.group(1), ''), word)

    kernel, args, initrds, root_uuid = None, [], [], None
    for line in entry.body:
        words = _grub_words(line)
        if words[0] in ('linux', 'linux16', 'linuxefi'):
            kernel = words[1]
            args = [a for a in (expand(w) for w in words[2:]) if a]
        elif words[0] in ('initrd', 'initrd16', 'initrdefi'):
            initrds = words[1:]
        elif words[0] == 'search' and '--fs-uuid' in words:
            root_uuid = words[-1]
    if not kernel:
        raise ValueError(f'grub entry {entry.title!r} has no linux line')
    return BootEntry(entry.title, kernel, initrds, args, root_uuid, once)


# ---------------------------------------------------------------------------------------------
# Stage 1: debootstrap


def _debootstrap(mirrors: Mirrors) -> Path:
    """A pristine debootstrap root with PACKAGES, cached by package list and mirror."""
    key = hashlib.sha256(json.dumps(
        {'suite': SUITE, 'arch': ARCH, 'packages': PACKAGES, 'mirror': mirrors.main}, sort_keys=True,
    ).encode()).hexdigest()[:16]
    done = cache_root() / f'debootstrap-{key}'
    if (done / 'debootstrap.json').exists():
        return done
    with _locked('debootstrap'):
        if (done / 'debootstrap.json').exists():
            return done
        work = cache_root() / f'debootstrap-{key}.tmp'
        _remove_tree(work)
        work.mkdir(parents=True)
        log(f'debootstrap {SUITE} into {work} (takes minutes)')
        start = time.monotonic()
        try:
            _sh(['debootstrap', '--variant=minbase', f'--arch={ARCH}', '--components=main',
                 '--include=' + ','.join(PACKAGES), SUITE, str(work / 'rootfs'), mirrors.main])
        except BaseException:
            _unmount_below(work)
            raise
        _unmount_below(work)
        seconds = time.monotonic() - start
        (work / 'debootstrap.json').write_text(json.dumps({'seconds': seconds, 'packages': PACKAGES}))
        _remove_tree(done)
        work.rename(done)
        log(f'debootstrap done in {seconds:.0f} s')
        return done


# ---------------------------------------------------------------------------------------------
# Stage 2: configuration, stand-ins, disk image, first boot


def ssh_key() -> tuple[Path, str]:
    """The harness's ed25519 key (generated once, in the cache): private key path, public key."""
    key_dir = cache_root() / 'ssh'
    key = key_dir / 'id_ed25519'
    with _locked('ssh-key'):
        if not key.exists():
            key_dir.mkdir(parents=True, exist_ok=True)
            os.chmod(key_dir, 0o700)
            _sh(['ssh-keygen', '-q', '-t', 'ed25519', '-N', '', '-C', 'golden-ami-harness', '-f', str(key)])
    return key, (key_dir / 'id_ed25519.pub').read_text().strip()


def build_standins(dest: Path) -> list[Path]:
    """Builds the stand-in .deb packages of harness/standins/debs/<name>/ into `dest`."""
    dest.mkdir(parents=True, exist_ok=True)
    debs = []
    for src in sorted(p for p in STANDIN_SOURCES.iterdir() if p.is_dir()):
        with tempfile.TemporaryDirectory(prefix='standin-') as tmp:
            root = Path(tmp) / src.name
            shutil.copytree(src, root, symlinks=True)
            # git keeps only the executable bit; dpkg-deb wants exact modes: scripts (#!) 0755.
            for path in [root, *root.rglob('*')]:
                if path.is_symlink():
                    continue
                if path.is_dir():
                    os.chmod(path, 0o755)
                else:
                    with open(path, 'rb') as f:
                        script = f.read(2) == b'#!'
                    os.chmod(path, 0o755 if script else 0o644)
            out = dest / f'{src.name}.deb'
            _sh(['dpkg-deb', '--root-owner-group', '-Zxz', '--build', str(root), str(out)])
            debs.append(out)
    return debs


def _recipe(mirrors: Mirrors, pubkey: str, root_uuid: str) -> tuple[dict[str, tuple[int, str]], str]:
    """The files written into the root (path -> (mode, content)) and the script run in a chroot."""
    suites = [SUITE] + ([f'{SUITE}-updates'] if mirrors.updates else [])
    sources = (f'Types: deb\nURIs: {mirrors.main}\nSuites: {" ".join(suites)}\nComponents: main\n'
               'Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg\n')
    if mirrors.security:
        sources += (f'\nTypes: deb\nURIs: {mirrors.security}\nSuites: {SUITE}-security\nComponents: main\n'
                    'Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg\n')
    files = {
        '/etc/apt/sources.list.d/debian.sources': (0o644, sources),
        '/etc/hostname': (0o644, f'{HOSTNAME}\n'),
        '/etc/hosts': (0o644, f'127.0.0.1\tlocalhost\n127.0.1.1\t{HOSTNAME}\n\n'
                              '::1\tlocalhost ip6-localhost ip6-loopback\n'
                              'ff02::1\tip6-allnodes\nff02::2\tip6-allrouters\n'),
        '/etc/fstab': (0o644, f'# <file system> <mount point> <type> <options> <dump> <pass>\n'
                              f'UUID={root_uuid}\t/\text4\tdefaults,errors=remount-ro\t0\t1\n'),
        '/etc/systemd/network/10-golden-ami-dhcp.network': (
            0o644, '[Match]\nName=en* eth*\n\n[Network]\nDHCP=yes\n\n[DHCPv4]\nUseHostname=no\n'),
        '/etc/default/grub': (0o644, (
            '# Written by the golden AMI harness; Debian defaults plus a serial console.\n'
            'GRUB_DEFAULT=0\nGRUB_TIMEOUT=0\n'
            'GRUB_DISTRIBUTOR=`( . /etc/os-release; echo ${NAME:-Debian} ) 2>/dev/null || echo Debian`\n'
            'GRUB_CMDLINE_LINUX_DEFAULT="console=ttyS0"\nGRUB_CMDLINE_LINUX=""\n'
            'GRUB_DISABLE_OS_PROBER=true\n')),
        f'/etc/sudoers.d/90-{ADMIN_USER}': (0o440, f'{ADMIN_USER} ALL=(ALL) NOPASSWD:ALL\n'),
        '/root/.ssh/authorized_keys': (0o600, pubkey + '\n'),
    }
    script = f"""set -eu
export DEBIAN_FRONTEND=noninteractive PATH=/usr/sbin:/usr/bin:/sbin:/bin
rm -f /etc/apt/sources.list
# Current with the suite's updates and security fixes, like a cloud image on its build day (and
# much faster here than an update-linux run under emulation). No service starts in the chroot.
printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d
chmod 755 /usr/sbin/policy-rc.d
trap 'rm -f /usr/sbin/policy-rc.d' EXIT
apt-get update --error-on=any
apt-get -y -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold full-upgrade
apt-get -y --purge autoremove
chmod 700 /root/.ssh
id {ADMIN_USER} >/dev/null 2>&1 || useradd -m -s /bin/bash -G sudo,adm -c 'Cloud default user' {ADMIN_USER}
install -d -m 700 -o {ADMIN_USER} -g {ADMIN_USER} /home/{ADMIN_USER}/.ssh
install -m 600 -o {ADMIN_USER} -g {ADMIN_USER} /root/.ssh/authorized_keys /home/{ADMIN_USER}/.ssh/authorized_keys
passwd -l root
visudo -cf /etc/sudoers.d/90-{ADMIN_USER}
ln -sfn ../run/systemd/resolve/stub-resolv.conf /etc/resolv.conf
systemctl --root=/ enable systemd-networkd.service systemd-resolved.service ssh.service
install -d -m 755 /boot/grub
apt-get clean
rm -rf /var/lib/apt/lists/* /var/log/*.log
"""
    return files, script


# Run on the first boot of the new image: GRUB's configuration is generated the way a real
# instance generates it. FINAL_SCRIPT then empties /etc/machine-id as cloud images ship it
# (systemd refills it from D-Bus's copy at each boot, so first-boot units do not run again),
# drops the random seed and the journal, and returns free blocks to the sparse image.
FIRST_BOOT_SCRIPT = """set -eu
systemctl is-system-running --wait || true
update-grub
test -s /boot/grub/grub.cfg
"""

FINAL_SCRIPT = """set -eu
truncate -s 0 /etc/machine-id
rm -f /var/lib/systemd/random-seed
journalctl --rotate >/dev/null 2>&1 || true
journalctl --vacuum-time=1s >/dev/null 2>&1 || true
fstrim -av >/dev/null 2>&1 || true
"""


@dataclasses.dataclass(frozen=True)
class Prepared:
    """The cached base: what `Guest` needs to boot it."""

    cache_dir: Path
    base_image: Path
    kernel: Path
    initrd: Path
    grub_cfg: Path
    grubenv: Path
    ssh_key: Path
    standins: list[Path]
    accel: str
    timings: dict
    # Guest-side fingerprints (path|size|inode|ctime) of the base's kernel and initrd.
    boot_fingerprints: dict = dataclasses.field(default_factory=dict)
    # True when this prepare() call built the base (a cold cache), False when it reused it.
    built: bool = False

    def boot_entry(self) -> BootEntry:
        """The default GRUB entry of the base image."""
        env = self.grubenv.read_text() if self.grubenv.exists() else ''
        return parse_grub_cfg(self.grub_cfg.read_text(), env)


def _write_root(rootfs: Path, files: dict[str, tuple[int, str]]) -> None:
    for path, (mode, content) in files.items():
        target = rootfs / path.lstrip('/')
        target.parent.mkdir(parents=True, exist_ok=True)
        if target.is_symlink():
            target.unlink()
        target.write_text(content)
        os.chown(target, 0, 0)
        os.chmod(target, mode)


def _manifest(base_dir: Path) -> Optional[dict]:
    path = base_dir / 'manifest.json'
    if not path.exists() or not (base_dir / 'base.raw').exists():
        return None
    try:
        return json.loads(path.read_text())
    except ValueError:
        return None


def _load_prepared(base_dir: Path, manifest: dict, accel: str) -> Prepared:
    key, _ = ssh_key()
    return Prepared(
        cache_dir=base_dir,
        base_image=base_dir / 'base.raw',
        kernel=base_dir / 'boot' / 'vmlinuz',
        initrd=base_dir / 'boot' / 'initrd.img',
        grub_cfg=base_dir / 'boot' / 'grub.cfg',
        grubenv=base_dir / 'boot' / 'grubenv',
        ssh_key=key,
        standins=sorted((base_dir / 'standins').glob('*.deb')),
        accel=accel,
        timings=manifest.get('timings', {}),
        boot_fingerprints=manifest.get('boot_fingerprints', {}),
    )


def prepare(rebuild: bool = False) -> Prepared:
    """Builds the cached base image if needed (idempotent) and returns its paths.

    The cache key is a hash of the recipe: package list, mirror, the files and chroot script,
    the first-boot scripts, the stand-in package sources and the SSH public key. An unchanged
    recipe reuses the cache; a changed or missing one is rebuilt. `rebuild=True` forces it.
    """
    start = time.monotonic()
    mirrors = host_mirrors()
    key, pubkey = ssh_key()
    recipe_key = hashlib.sha256(json.dumps({
        'version': RECIPE_VERSION, 'suite': SUITE, 'packages': PACKAGES, 'mirrors': dataclasses.asdict(mirrors),
        'pubkey': pubkey, 'disk': DISK_SIZE, 'first_boot': FIRST_BOOT_SCRIPT, 'final': FINAL_SCRIPT,
        'recipe': _recipe(mirrors, pubkey, '00000000-0000-0000-0000-000000000000'),
        'standins': _sha256_tree(STANDIN_SOURCES),
    }, sort_keys=True).encode()).hexdigest()[:16]
    base_dir = cache_root() / f'base-{recipe_key}'
    manifest = None if rebuild else _manifest(base_dir)
    built = False
    if manifest is None:
        with _locked('base'):
            manifest = None if rebuild else _manifest(base_dir)
            if manifest is None:
                manifest = _build_base(base_dir, recipe_key, mirrors, pubkey)
                built = True
    accel = probe_accel(base_dir / 'boot' / 'vmlinuz')
    prepared = dataclasses.replace(_load_prepared(base_dir, manifest, accel), built=built)
    log(f'prepare: base {base_dir} ready in {time.monotonic() - start:.1f} s (accel {accel})')
    return prepared


def _build_base(base_dir: Path, recipe_key: str, mirrors: Mirrors, pubkey: str) -> dict:
    timings: dict[str, float] = {}
    boot_start = time.monotonic()
    stage1 = _debootstrap(mirrors)
    timings['debootstrap'] = json.loads((stage1 / 'debootstrap.json').read_text())['seconds']
    timings['debootstrap_reused'] = time.monotonic() - boot_start < 5

    work = cache_root() / f'base-{recipe_key}.tmp'
    _remove_tree(work)
    work.mkdir(parents=True)
    t = time.monotonic()
    rootfs = work / 'rootfs'
    _sh(['cp', '-a', '--one-file-system', str(stage1 / 'rootfs'), str(rootfs)])
    root_uuid = str(uuid.UUID(recipe_key * 2))
    files, script = _recipe(mirrors, pubkey, root_uuid)
    _write_root(rootfs, files)
    # apt (and the kernel's initramfs hook) in the chroot need /proc, /sys and /dev, and the
    # host's resolver for the downloads: systemd-resolved's package made /etc/resolv.conf a link
    # to a stub that only runs in the booted guest (the script puts the link back at its end).
    resolv = rootfs / 'etc' / 'resolv.conf'
    if resolv.is_symlink() or resolv.exists():
        resolv.unlink()
    resolv.write_text(Path('/etc/resolv.conf').read_text())
    mounts = [(['-t', 'proc', 'proc'], 'proc'), (['-t', 'sysfs', 'sysfs'], 'sys'), (['--bind', '/dev'], 'dev')]
    try:
        for args, target in mounts:
            _sh(['mount', *args, str(rootfs / target)])
        _sh(['chroot', str(rootfs), '/bin/bash', '-c', script], env={'PATH': '/usr/sbin:/usr/bin:/sbin:/bin'})
    finally:
        _unmount_below(rootfs)
    debs = build_standins(work / 'standins')
    guest_dir = rootfs / STANDIN_GUEST_DIR.lstrip('/')
    guest_dir.mkdir(parents=True, exist_ok=True)
    for deb in debs:
        shutil.copy2(deb, guest_dir / deb.name)
    timings['configure'] = time.monotonic() - t

    t = time.monotonic()
    image = work / 'base.raw'
    _sh(['truncate', '-s', DISK_SIZE, str(image)])
    _sh(['mke2fs', '-q', '-F', '-t', 'ext4', '-L', 'golden-root', '-U', root_uuid,
         '-E', 'root_owner=0:0', '-d', str(rootfs), str(image)])
    timings['image'] = time.monotonic() - t
    log(f'image {image} written in {timings["image"]:.0f} s')

    boot = work / 'boot'
    boot.mkdir()
    # Before grub.cfg exists: the newest kernel, as update-grub will order them.
    def version_key(path: str) -> list[tuple[int, int, str]]:
        return [(1, int(part), '') if part.isdigit() else (0, 0, part) for part in re.split(r'(\d+)', path)]

    kernels = sorted(glob.glob(str(rootfs / 'boot' / 'vmlinuz-*')), key=version_key)
    if not kernels:
        raise RuntimeError(f'no kernel in {rootfs}/boot')
    initrd = rootfs / 'boot' / Path(kernels[-1]).name.replace('vmlinuz-', 'initrd.img-')
    if not initrd.exists():
        raise RuntimeError(f'no initrd for {kernels[-1]}')
    shutil.copy2(kernels[-1], boot / 'vmlinuz')
    shutil.copy2(initrd, boot / 'initrd.img')
    _remove_tree(rootfs)

    # The first boot: no grub.cfg exists yet, so this one boot uses the kernel debootstrap
    # installed with the command line /etc/default/grub asks for.
    t = time.monotonic()
    first = _FirstBootGuest(image, boot / 'vmlinuz', boot / 'initrd.img',
                            f'root=UUID={root_uuid} ro console=ttyS0', work, probe_accel(boot / 'vmlinuz'))
    try:
        first.boot()
        timings['first_boot_ssh'] = first.last_boot_seconds
        rc, out, err = first.run(FIRST_BOOT_SCRIPT, timeout=600)
        if rc != 0:
            raise RuntimeError(f'first boot: update-grub failed ({rc}):\n{out}\n{err}')
        # The kernel and initrd copied out before the first boot are replaced by what grub.cfg
        # names, read from the booted guest like at every reboot.
        (boot / 'vmlinuz').unlink()
        (boot / 'initrd.img').unlink()
        fingerprints = first.fetch_boot_files(boot)
        rc, out, err = first.run(FINAL_SCRIPT, timeout=300)
        if rc != 0:
            raise RuntimeError(f'first boot: cleanup failed ({rc}):\n{out}\n{err}')
    finally:
        first.close()
    timings['first_boot_total'] = time.monotonic() - t
    manifest = {'recipe_key': recipe_key, 'root_uuid': root_uuid, 'mirrors': dataclasses.asdict(mirrors),
                'packages': PACKAGES, 'timings': timings, 'boot_fingerprints': fingerprints,
                'created': time.strftime('%Y-%m-%dT%H:%M:%S')}
    (work / 'manifest.json').write_text(json.dumps(manifest, indent=2))
    _remove_tree(base_dir)
    work.rename(base_dir)
    log(f'base image built: {json.dumps(timings)}')
    return manifest


# ---------------------------------------------------------------------------------------------
# KVM probe


def probe_accel(kernel: Path, timeout: float = 20) -> str:
    """"kvm" if a stock kernel boots under KVM here, else "tcg". Probed once and cached.

    The probe boots the kernel with no root device: it must print its banner and panic on the
    missing root (then qemu exits, -no-reboot) within `timeout` seconds.
    """
    forced = os.environ.get('GOLDEN_AMI_HARNESS_ACCEL')
    if forced in ('kvm', 'tcg'):
        return forced
    if not os.path.exists('/dev/kvm') or not kernel.exists():
        return 'tcg'
    qemu_version = _sh(['qemu-system-x86_64', '--version']).stdout.splitlines()[0]
    stamp = cache_root() / 'accel.json'
    probe_key = f'{qemu_version}|{hashlib.sha256(kernel.read_bytes()).hexdigest()[:16]}'
    with _locked('accel'):
        if stamp.exists():
            cached = json.loads(stamp.read_text())
            if cached.get('key') == probe_key:
                return cached['accel']
        with tempfile.TemporaryDirectory(prefix='kvm-probe-') as tmp:
            console = Path(tmp) / 'console.log'
            cmd = ['qemu-system-x86_64', '-accel', 'kvm', '-cpu', 'host', '-m', '512', '-display', 'none',
                   '-monitor', 'none', '-no-reboot', '-serial', f'file:{console}', '-kernel', str(kernel),
                   '-append', 'console=ttyS0 root=/dev/harness-probe-none panic=-1 rootwait=0']
            start = time.monotonic()
            proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
            try:
                _, err = proc.communicate(timeout=timeout)
            except subprocess.TimeoutExpired:
                proc.kill()
                _, err = proc.communicate()
            text = console.read_text(errors='replace') if console.exists() else ''
            ok = 'Linux version' in text and 'Kernel panic' in text
            accel = 'kvm' if ok else 'tcg'
            reason = (f'rc={proc.returncode} in {time.monotonic() - start:.1f} s; '
                      f'qemu: {err.strip()[:200]!r}; console tail: {text[-200:]!r}')
        stamp.write_text(json.dumps({'key': probe_key, 'accel': accel, 'reason': reason}))
        log(f'KVM probe: {accel} ({reason})')
        return accel


# ---------------------------------------------------------------------------------------------
# The guest


GUEST_TMP_PREFIX = 'golden-ami-guest-'


def _sweep_stale_guests() -> None:
    """Removes the temp folders (overlays of a GiB or more) of guests whose process died
    without cleaning up (SIGKILL, a crash)."""
    for folder in Path(tempfile.gettempdir()).glob(GUEST_TMP_PREFIX + '*'):
        try:
            pid = int((folder / 'owner.pid').read_text())
        except (OSError, ValueError):
            continue
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            shutil.rmtree(folder, ignore_errors=True)
        except PermissionError:
            pass


def _die_with_parent() -> None:
    """In the qemu child before exec: the kernel kills it if the harness process dies (SIGKILL
    included), so no orphaned guest keeps a core busy."""
    import ctypes
    import signal
    pr_set_pdeathsig = 1
    ctypes.CDLL(None, use_errno=True).prctl(pr_set_pdeathsig, signal.SIGKILL, 0, 0, 0)


def _exit_on_sigterm() -> None:
    import signal
    import threading
    if threading.current_thread() is threading.main_thread() and \
            signal.getsignal(signal.SIGTERM) is signal.SIG_DFL:
        signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(128 + signum))


class Guest:
    """A throwaway qemu guest booted from the prepared base image.

    Use as a context manager: `with Guest(prepare()) as g: g.run('...')`. Every write goes to a
    qcow2 overlay that `close()` deletes; the base image is never changed.
    """

    def __init__(self, prepared: Prepared, memory_mib: int = 2048, cpus: Optional[int] = None,
                 boot_timeout: float = 300, name: str = 'golden-ami-guest'):
        """`prepared` is what `prepare()` returned; `boot_timeout` bounds each wait for SSH."""
        self.prepared = prepared
        self.memory_mib = memory_mib
        self.cpus = cpus or int(os.environ.get('GOLDEN_AMI_HARNESS_GUEST_CPUS', '2'))
        self.boot_timeout = boot_timeout
        self.name = name
        self.key = prepared.ssh_key
        self.user = ADMIN_USER
        self.accel = prepared.accel
        self.port: Optional[int] = None
        self.boots = 0
        self.last_boot_seconds: Optional[float] = None
        self.console_log: Optional[Path] = None
        self.boot_entry: Optional[BootEntry] = None
        self._proc: Optional[subprocess.Popen] = None
        _sweep_stale_guests()
        self._tmp = Path(tempfile.mkdtemp(prefix=GUEST_TMP_PREFIX))
        (self._tmp / 'owner.pid').write_text(str(os.getpid()))
        # No qemu outlives the Python process that started it, whatever happens to the caller:
        # at exit, and on SIGTERM (a `timeout` around a test run) turned into SystemExit.
        atexit.register(self._kill)
        _exit_on_sigterm()
        self._control: Optional[Path] = None
        self._disk = self._tmp / 'overlay.qcow2'
        self._disk_format = 'qcow2'
        # Kernel/initrd copies on the host by guest file fingerprint (see _read_boot_files).
        self._boot_blobs: dict[str, Path] = {}
        self.boot_fingerprints: dict[str, str] = {}

    # -- lifecycle ------------------------------------------------------------------------------

    def __enter__(self) -> 'Guest':
        try:
            self.boot()
        except BaseException:
            self.close(timeout=5)
            raise
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def _pin(self, path: Path) -> Path:
        """A hard link to a cache file in this guest's temp folder where the file system allows
        it, so a cache rebuilt or removed meanwhile cannot pull the base from under a guest that
        has yet to reboot (every boot is a new qemu process that opens the files again)."""
        pinned = self._tmp / 'pinned' / f'{path.parent.name}-{path.name}'
        pinned.parent.mkdir(exist_ok=True)
        try:
            os.link(path, pinned)
            return pinned
        except OSError:
            return path

    def _create_disk(self) -> Path:
        # A qcow2 overlay backed by the raw base, not qemu's `-snapshot`/`snapshot=on`: that
        # temporary overlay lives only as long as one qemu process, and a guest reboot is a new
        # qemu process here (-no-reboot), so the build's changes would be lost at the reboot.
        base = self._pin(self.prepared.base_image)
        _sh(['qemu-img', 'create', '-q', '-f', 'qcow2', '-b', str(base), '-F', 'raw', str(self._disk)])
        return base

    def boot(self) -> float:
        """Creates the overlay and boots the guest with the base's default GRUB entry.

        Returns the seconds until SSH answered.
        """
        if self._proc is not None:
            raise RuntimeError('guest already booted')
        self._create_disk()
        self.boot_entry = self.prepared.boot_entry()
        kernel, initrd = self._pin(self.prepared.kernel), self._pin(self.prepared.initrd)
        for name, local in (('vmlinuz', kernel), ('initrd.img', initrd)):
            if name in self.prepared.boot_fingerprints:
                self._boot_blobs[self.prepared.boot_fingerprints[name]] = local
        return self._start(kernel, initrd, self.boot_entry.cmdline())

    def _start(self, kernel: Path, initrd: Optional[Path], cmdline: str) -> float:
        start = time.monotonic()
        self.boots += 1
        self.console_log = self._tmp / f'console-{self.boots}.log'
        for attempt in range(3):
            self.port = self.port or _free_port()
            # Under TCG the plain qemu64 model booted faster here than `max` (22-29 s against
            # 41 s to SSH, same load); Debian 12 needs nothing beyond x86-64 v1.
            cpu = os.environ.get('GOLDEN_AMI_HARNESS_QEMU_CPU') or ('host' if self.accel == 'kvm' else 'qemu64')
            accel = ['-accel', self.accel, '-cpu', cpu]
            cmd = ['qemu-system-x86_64', '-name', self.name.replace(',', ',,'), *accel,
                   '-machine', 'pc', '-smp', str(self.cpus), '-m', str(self.memory_mib),
                   '-display', 'none', '-monitor', 'none', '-no-reboot',
                   '-serial', f'file:{self.console_log}',
                   '-drive', f'file={self._disk},if=virtio,format={self._disk_format},discard=unmap',
                   '-netdev', f'user,id=net0,hostfwd=tcp:127.0.0.1:{self.port}-:22',
                   '-device', 'virtio-net-pci,netdev=net0',
                   '-device', 'virtio-rng-pci',
                   '-kernel', str(kernel), '-append', cmdline]
            if initrd is not None:
                cmd += ['-initrd', str(initrd)]
            qemu_log = open(self._tmp / f'qemu-{self.boots}.log', 'w')
            self._proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=qemu_log, stderr=subprocess.STDOUT,
                                          preexec_fn=_die_with_parent)
            qemu_log.close()
            time.sleep(0.5)
            if self._proc.poll() is not None:
                text = (self._tmp / f'qemu-{self.boots}.log').read_text()
                self._proc = None
                if 'hostfwd' in text or 'Could not set up host forwarding' in text:
                    self.port = None
                    continue
                raise RuntimeError(f'qemu failed to start: {text}')
            break
        self._wait_ssh(start)
        self.last_boot_seconds = time.monotonic() - start
        log(f'{self.name}: boot {self.boots} up in {self.last_boot_seconds:.1f} s '
            f'(accel {self.accel}, ssh 127.0.0.1:{self.port})')
        return self.last_boot_seconds

    def _console_tail(self, n: int = 3000) -> str:
        if self.console_log and self.console_log.exists():
            return self.console_log.read_text(errors='replace')[-n:]
        return ''

    def _banner(self) -> bool:
        """True once sshd in the guest answers with its banner (slirp accepts the TCP connection
        on the host side even while nothing listens in the guest, so a connect alone says nothing)."""
        try:
            with socket.create_connection(('127.0.0.1', self.port), timeout=2) as sock:
                sock.settimeout(2)
                return sock.recv(4).startswith(b'SSH-')
        except OSError:
            return False

    def _wait_ssh(self, start: float) -> None:
        deadline = start + self.boot_timeout
        while True:
            if self._proc is None or self._proc.poll() is not None:
                raise RuntimeError(f'qemu exited during boot; console:\n{self._console_tail()}')
            if self._banner():
                r = subprocess.run(self._ssh_args(master=False, connect_timeout=10) + ['true'],
                                   stdin=subprocess.DEVNULL, capture_output=True, text=True, env=_ssh_env(),
                                   timeout=60)
                if r.returncode == 0:
                    break
                error = r.stderr.strip()
            else:
                error = 'no SSH banner yet'
            if time.monotonic() > deadline:
                raise TimeoutError(f'no SSH after {self.boot_timeout} s: {error}\n'
                                   f'console:\n{self._console_tail()}')
            time.sleep(0.5)
        # One master connection per boot: later commands reuse it (ControlMaster=no for them, so
        # no command ever becomes a master that keeps our output pipes open).
        control = self._tmp / f'cm-{self.boots}'
        r = subprocess.run(self._ssh_args(new_master=control) + ['-f', '-N'], stdin=subprocess.DEVNULL,
                           stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=_ssh_env(), timeout=60)
        if r.returncode == 0 and control.exists():
            self._control = control
        else:
            log(f'{self.name}: no shared SSH connection ({r.stderr.decode(errors="replace").strip()}); '
                'each command connects anew')

    def _drop_master(self) -> None:
        if self._control is not None:
            subprocess.run(['ssh', '-o', f'ControlPath={self._control}', '-O', 'exit', 'guest'],
                           stdin=subprocess.DEVNULL, capture_output=True, timeout=15, check=False)
            with contextlib.suppress(FileNotFoundError):
                self._control.unlink()
            self._control = None

    def _ssh_args(self, master: bool = True, user: Optional[str] = None, key: Optional[Path] = None,
                  connect_timeout: int = 20, new_master: Optional[Path] = None) -> list[str]:
        """ssh's arguments up to the destination. `master`: reuse this boot's shared connection;
        `new_master`: become that shared connection (a socket at this path)."""
        args = ['ssh', '-p', str(self.port), '-i', str(key or self.key),
                '-o', 'IdentitiesOnly=yes', '-o', 'BatchMode=yes',
                '-o', 'StrictHostKeyChecking=no', '-o', 'UserKnownHostsFile=/dev/null', '-o', 'LogLevel=ERROR',
                '-o', f'ConnectTimeout={connect_timeout}', '-o', 'ServerAliveInterval=15',
                '-o', 'ServerAliveCountMax=8']
        # ssh keeps the first value given for an option, so exactly one of these is added.
        if new_master is not None:
            args += ['-o', 'ControlMaster=yes', '-o', f'ControlPath={new_master}', '-o', 'ControlPersist=yes']
        elif master and self._control is not None:
            args += ['-o', 'ControlMaster=no', '-o', f'ControlPath={self._control}']
        else:
            args += ['-o', 'ControlMaster=no', '-o', 'ControlPath=none']
        return args + [f'{user or self.user}@127.0.0.1']

    def _ssh(self, remote: str, stdin: Optional[bytes] = None, timeout: float = 600,
             stdout=subprocess.PIPE) -> subprocess.CompletedProcess:
        return subprocess.run(self._ssh_args() + [remote], input=stdin if stdin is not None else b'',
                              stdout=stdout, stderr=subprocess.PIPE, timeout=timeout, env=_ssh_env())

    # -- commands -------------------------------------------------------------------------------

    def run(self, script: str, timeout: float = 1800, user: str = 'root') -> tuple[int, str, str]:
        """Uploads `script` and runs it with bash; returns (exit code, stdout, stderr).

        As root through `sudo -n` (the SSH login is always `admin`: root login is for hardening
        to forbid), or as `admin` when user='admin'. The guest-side `timeout` stops the script
        after `timeout` seconds (exit code 124, a note on stderr); if the guest stops answering,
        `TimeoutError` is raised shortly after.
        """
        if user not in ('root', ADMIN_USER):
            raise ValueError(f"user must be 'root' or '{ADMIN_USER}', got: {user!r}")
        secs = max(1, int(timeout))
        inner = ('f=$(mktemp /tmp/golden-ami-harness.XXXXXXXX) || exit 125; cat > "$f"; '
                 f'timeout -k 10 {secs} bash "$f" </dev/null; rc=$?; rm -f "$f"; '
                 f'[ $rc -eq 124 ] && echo "golden-ami-harness: script timed out after {secs} s" >&2; exit $rc')
        remote = ('sudo -n ' if user == 'root' else '') + 'sh -c ' + shlex.quote(inner)
        try:
            r = self._ssh(remote, stdin=script.encode(), timeout=timeout + 60)
        except subprocess.TimeoutExpired as e:
            raise TimeoutError(f'guest did not answer within {timeout + 60:.0f} s') from e
        return r.returncode, r.stdout.decode(errors='replace'), r.stderr.decode(errors='replace')

    def check(self, script: str, timeout: float = 1800, user: str = 'root') -> str:
        """Like `run`, but raises on a non-zero exit code; returns stdout."""
        rc, out, err = self.run(script, timeout=timeout, user=user)
        if rc != 0:
            raise RuntimeError(f'guest script failed ({rc}):\n--- script\n{script}\n--- stdout\n{out}\n--- stderr\n{err}')
        return out

    # -- files ----------------------------------------------------------------------------------

    def put(self, local_path: str | os.PathLike, remote_path: str, owner: str = 'root') -> None:
        """Copies a local file or directory (recursively) to `remote_path` on the guest.

        The result is owned by `owner` (root by default) with the local modes. A file replaces
        `remote_path`; a directory's contents are merged into `remote_path` (created if needed).
        """
        local = Path(local_path)
        if not local.exists():
            raise FileNotFoundError(local)
        buf = io.BytesIO()

        def as_root(info: tarfile.TarInfo) -> tarfile.TarInfo:
            info.uid = info.gid = 0
            info.uname = info.gname = 'root'
            return info

        with tarfile.open(fileobj=buf, mode='w') as tar:
            tar.add(str(local), arcname='payload', filter=as_root)
        q = shlex.quote(remote_path)
        o = shlex.quote(owner)
        if local.is_dir():
            inner = f'set -e; mkdir -p {q}; t=$(mktemp -d); tar -C "$t" -xf -; cp -a "$t/payload/." {q}/; ' \
                    f'rm -rf "$t"; chown -R {o}: {q}'
        else:
            inner = f'set -e; mkdir -p "$(dirname {q})"; t=$(mktemp -d); tar -C "$t" -xf -; ' \
                    f'mv -f "$t/payload" {q}; rmdir "$t"; chown {o}: {q}'
        r = self._ssh('sudo -n sh -c ' + shlex.quote(inner), stdin=buf.getvalue(), timeout=600)
        if r.returncode != 0:
            raise RuntimeError(f'put {local} -> {remote_path} failed: {r.stderr.decode(errors="replace")}')

    def get(self, remote_path: str, local_path: str | os.PathLike) -> None:
        """Copies a guest file or directory (recursively, read as root) to `local_path`."""
        local = Path(local_path)
        q = shlex.quote(remote_path.rstrip('/') or '/')
        inner = f'set -e; cd "$(dirname {q})"; tar --transform "s,^$(basename {q}),payload," -cf - "$(basename {q})"'
        with tempfile.TemporaryDirectory(prefix='golden-ami-get-') as tmp:
            tar_path = Path(tmp) / 'payload.tar'
            with open(tar_path, 'wb') as out:
                r = self._ssh('sudo -n sh -c ' + shlex.quote(inner), stdout=out, timeout=600)
            if r.returncode != 0:
                raise RuntimeError(f'get {remote_path} failed: {r.stderr.decode(errors="replace")}')
            with tarfile.open(tar_path) as tar:
                tar.extractall(tmp, filter='tar')
            src = Path(tmp) / 'payload'
            if local.is_dir() and src.is_dir():
                shutil.copytree(src, local, dirs_exist_ok=True, symlinks=True)
            else:
                local.parent.mkdir(parents=True, exist_ok=True)
                if local.exists() and not local.is_dir():
                    local.unlink()
                shutil.move(str(src), str(local))

    # -- logins ---------------------------------------------------------------------------------

    def authorize_key(self, user: str, public_key: str) -> None:
        """Adds `public_key` to `user`'s ~/.ssh/authorized_keys on the guest."""
        self.check(f"""set -eu
u={shlex.quote(user)}
home=$(getent passwd "$u" | cut -d: -f6)
install -d -m 700 -o "$u" -g "$(id -gn "$u")" "$home/.ssh"
grep -qxF {shlex.quote(public_key)} "$home/.ssh/authorized_keys" 2>/dev/null || echo {shlex.quote(public_key)} >> "$home/.ssh/authorized_keys"
chown "$u": "$home/.ssh/authorized_keys"; chmod 600 "$home/.ssh/authorized_keys"
""")

    def ssh_login(self, user: str, key: str | os.PathLike, command: str = 'id -un') -> tuple[int, str, str]:
        """A fresh SSH login (no shared connection) as `user` with private key `key`.

        Returns (exit code, stdout, stderr) of `command`; proves the login works after
        hardening changed sshd (PermitRootLogin no, ciphers, banners...).
        """
        for attempt in range(4):
            r = subprocess.run(self._ssh_args(master=False, user=user, key=Path(key)) + [command],
                               stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=120, env=_ssh_env())
            # An sshd being reloaded resets new connections for a moment; a refusal is final.
            transient = r.returncode == 255 and any(
                s in r.stderr for s in ('kex_exchange_identification', 'Connection reset', 'Connection refused'))
            if not transient:
                break
            time.sleep(2)
        return r.returncode, r.stdout, r.stderr

    # -- reboot ---------------------------------------------------------------------------------

    def _read_boot_files(self, dest: Path) -> tuple[BootEntry, Path, Optional[Path]]:
        """Reads grub.cfg (and grubenv) from the running guest and resolves the default entry's
        kernel and initrds inside the guest's filesystem; returns the entry and local copies.

        Copying ~40 MB out of a TCG guest takes seconds, so files are identified by path, size,
        inode and ctime (any rewrite changes the ctime) and copied only when not seen before.
        """
        dest.mkdir(parents=True, exist_ok=True)
        cfg = self._ssh('sudo -n cat /boot/grub/grub.cfg', timeout=120)
        if cfg.returncode != 0:
            raise RuntimeError(f'cannot read /boot/grub/grub.cfg: {cfg.stderr.decode(errors="replace")}')
        env = self._ssh('sudo -n cat /boot/grub/grubenv 2>/dev/null || true', timeout=120).stdout
        (dest / 'grub.cfg').write_bytes(cfg.stdout)
        (dest / 'grubenv').write_bytes(env)
        entry = parse_grub_cfg(cfg.stdout.decode(errors='replace'), env.decode(errors='replace'))
        # GRUB paths are relative to the filesystem its `search --set=root` found; where that
        # filesystem is mounted in the guest (/ or /boot) makes them guest paths.
        find_mount = (f'findmnt -rn -o TARGET -S UUID={shlex.quote(entry.root_uuid)} | head -n1'
                      if entry.root_uuid else 'true')
        groups = [('vmlinuz', [entry.kernel]), ('initrd.img', entry.initrds)]
        script = f"""set -eu
m=$({find_mount}); m=${{m:-/}}; m=${{m%/}}
for p in {' '.join(shlex.quote(p) for _, ps in groups for p in ps)}; do
  stat -L -c '%n|%s|%i|%z' "$m/${{p#/}}"
done
"""
        rc, out, err = self.run(script, timeout=120)
        if rc != 0:
            raise RuntimeError(f'the files of grub entry {entry.title!r} are missing in the guest:\n{out}\n{err}')
        stats = out.strip().splitlines()
        files: dict[str, Optional[Path]] = {}
        for name, paths in groups:
            mine, stats = stats[:len(paths)], stats[len(paths):]
            if not mine:
                files[name] = None
                continue
            fingerprint = '\n'.join(mine)
            if fingerprint not in self._boot_blobs:
                guest_paths = ' '.join(shlex.quote(line.split('|', 1)[0]) for line in mine)
                with open(dest / name, 'wb') as f:
                    r = self._ssh(f'sudo -n cat {guest_paths}', stdout=f, timeout=300)
                if r.returncode != 0:
                    raise RuntimeError(f'cannot read {guest_paths} from the guest: {r.stderr.decode(errors="replace")}')
                self._boot_blobs[fingerprint] = dest / name
            files[name] = self._boot_blobs[fingerprint]
            self.boot_fingerprints[name] = fingerprint
        if entry.once:
            self._ssh('sudo -n grub-editenv /boot/grub/grubenv unset next_entry', timeout=60)
        return entry, files['vmlinuz'], files['initrd.img']

    def _wait_exit(self, timeout: float) -> bool:
        if self._proc is None:
            return True
        try:
            self._proc.wait(timeout=timeout)
            return True
        except subprocess.TimeoutExpired:
            return False

    def reboot(self, timeout: float = 300) -> float:
        """Reboots the guest (`systemctl reboot`) and waits for SSH; returns the seconds taken.

        qemu exits at the reboot (-no-reboot); the next boot uses the kernel, initrd and command
        line of the default entry in the guest's /boot/grub/grub.cfg, read just before it went
        down, as GRUB would.
        """
        start = time.monotonic()
        entry, kernel, initrd = self._read_boot_files(self._tmp / f'boot-{self.boots + 1}')
        with contextlib.suppress(subprocess.TimeoutExpired):
            self._ssh('sudo -n systemctl reboot', timeout=60)
        self._drop_master()
        if not self._wait_exit(timeout):
            log(f'{self.name}: guest did not go down within {timeout} s; killing qemu')
            self._proc.kill()
            self._proc.wait()
        self._proc = None
        self.boot_entry = entry
        self._start(kernel, initrd, entry.cmdline())
        seconds = time.monotonic() - start
        log(f'{self.name}: reboot took {seconds:.1f} s; cmdline: {entry.cmdline()}')
        return seconds

    def close(self, timeout: float = 120) -> None:
        """Powers the guest off (kills qemu after `timeout`), removes the overlay and temp files."""
        if self._proc is not None and self._proc.poll() is None:
            with contextlib.suppress(subprocess.TimeoutExpired):
                self._ssh('sudo -n systemctl poweroff', timeout=30)
            if not self._wait_exit(timeout):
                log(f'{self.name}: no clean poweroff within {timeout} s; killing qemu')
                self._proc.kill()
                self._proc.wait()
        self._proc = None
        self._drop_master()
        self._cleanup()

    def _kill(self) -> None:
        if self._proc is not None and self._proc.poll() is None:
            self._proc.kill()
            self._proc.wait()
        self._drop_master()
        shutil.rmtree(self._tmp, ignore_errors=True)

    def _cleanup(self) -> None:
        atexit.unregister(self._kill)
        shutil.rmtree(self._tmp, ignore_errors=True)


class _FirstBootGuest(Guest):
    """The one boot at prepare time: writes to the new base image itself, not an overlay."""

    def __init__(self, image: Path, kernel: Path, initrd: Path, cmdline: str, work: Path, accel: str):
        key, _ = ssh_key()
        fake = Prepared(cache_dir=work, base_image=image, kernel=kernel, initrd=initrd, grub_cfg=Path('/nonexistent'),
                        grubenv=Path('/nonexistent'), ssh_key=key, standins=[], accel=accel, timings={})
        super().__init__(fake, name='golden-ami-prepare')
        self._cmdline = cmdline
        self._disk = image
        self._disk_format = 'raw'
        self._keep_console = work / 'console-first-boot.log'

    def boot(self) -> float:
        return self._start(self.prepared.kernel, self.prepared.initrd, self._cmdline)

    def fetch_boot_files(self, dest: Path) -> dict[str, str]:
        """Copies grub.cfg, grubenv and the default entry's kernel and initrd into the cache;
        returns their guest-side fingerprints."""
        entry, kernel, initrd = self._read_boot_files(dest)
        if kernel != dest / 'vmlinuz' or initrd != dest / 'initrd.img':
            raise RuntimeError(f'unexpected boot files for the base: {entry}')
        return dict(self.boot_fingerprints)

    def _cleanup(self) -> None:
        if self.console_log and self.console_log.exists():
            shutil.copy2(self.console_log, self._keep_console)
        super()._cleanup()
