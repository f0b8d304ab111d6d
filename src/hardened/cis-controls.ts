import { CisLevel } from './hardening';

/**
 * The CIS controls the library's CIS components apply, as data: docs/cis-controls.md and the
 * tests are generated from this one list, so the documentation and what the image gets
 * cannot drift apart.
 *
 * This is a subset of the CIS Linux benchmarks, chosen for settings that hold on every
 * supported Linux family (Amazon Linux 2 and 2023, Ubuntu 22.04 and 24.04, RHEL 9) without
 * breaking EC2, Image Builder or the agents. It is not full benchmark compliance. Titles
 * follow the wording of the CIS recommendations; their section numbers differ between
 * distributions and benchmark versions, so controls carry the library's own ids.
 */

/** A section: the controls of one section go into one component. */
export enum CisSection {
  KERNEL = 'kernel',
  NETWORK = 'network',
  SSH = 'ssh',
  ACCOUNTS = 'accounts',
  LOGGING = 'logging',
}

/** One control. */
export interface CisControl {
  /** The library's id, stable across versions. */
  readonly id: string;
  /** 1 for Level 1 (and so Level 2 too), 2 for Level 2 only. */
  readonly level: 1 | 2;
  readonly section: CisSection;
  /** The CIS recommendation it implements. */
  readonly title: string;
  /** What the control changes on the image, in a sentence or two. */
  readonly changes: string;
  /** Bash that applies it in the build phase (runs with `set -euo pipefail` and the section prelude). */
  readonly apply: string;
  /** Bash that checks it in the test phase, on an instance launched from the new image; exits non-zero with a message when the control does not hold. */
  readonly check: string;
}

/** Fails a check with a message. */
export const CIS_CHECK_PRELUDE = 'cis_fail() { echo "CIS check failed: $*" >&2; exit 1; }';

/** Installs packages with the OS's package manager; added to apply steps that use it. */
export const CIS_INSTALL_PRELUDE = [
  'install_packages() {',
  '  if command -v apt-get >/dev/null 2>&1; then',
  '    apt-get update -q',
  '    DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$@"',
  '  elif command -v dnf >/dev/null 2>&1; then',
  '    dnf install -y "$@"',
  '  else',
  '    yum install -y "$@"',
  '  fi',
  '}',
].join('\n');

/** The build step of a control: its apply script, with the helpers it uses. */
export function cisApplyScript(control: CisControl): string {
  const prelude = control.apply.includes('install_packages') ? `${CIS_INSTALL_PRELUDE}\n` : '';
  return `${prelude}# ${control.id}: ${control.title}\n${control.apply}`;
}

/** The test step of a control: its check script, with the helper that reports a failure. */
export function cisCheckScript(control: CisControl): string {
  return `${CIS_CHECK_PRELUDE}\n# ${control.id}: ${control.title}\n${control.check}`;
}

/** A sysctl control: a file under /etc/sysctl.d, loaded now and at boot, checked live. */
function sysctlControl(
  id: string, level: 1 | 2, section: CisSection, title: string, changes: string, file: string, settings: Array<[string, string]>,
): CisControl {
  const path = `/etc/sysctl.d/${file}`;
  return {
    id,
    level,
    section,
    title,
    changes: `${changes} Written to \`${path}\`: ${settings.map(([key, value]) => `\`${key} = ${value}\``).join(', ')}.`,
    apply: [
      `cat > ${path} <<'EOF'`,
      ...settings.map(([key, value]) => `${key} = ${value}`),
      'EOF',
      `sysctl -q -p ${path}`,
    ].join('\n'),
    check: [
      'while read -r key expected; do',
      '  actual=$(sysctl -n "$key")',
      '  [ "$actual" = "$expected" ] || cis_fail "$key is $actual, expected $expected"',
      "done <<'EOF'",
      ...settings.map(([key, value]) => `${key} ${value}`),
      'EOF',
    ].join('\n'),
  };
}

/** A kernel module that must not load. */
function moduleControl(id: string, level: 1 | 2, title: string, file: string, modules: string[]): CisControl {
  const path = `/etc/modprobe.d/${file}`;
  return {
    id,
    level,
    section: CisSection.KERNEL,
    title,
    changes: `Modules ${modules.map(m => `\`${m}\``).join(', ')} are blacklisted and their loading is redirected to \`/bin/false\` in \`${path}\`; loaded ones are unloaded.`,
    apply: [
      `: > ${path}`,
      `modules=(${modules.join(' ')})`,
      'for module in "${modules[@]}"; do',
      `  printf 'install %s /bin/false\\nblacklist %s\\n' "$module" "$module" >> ${path}`,
      '  if [ -d "/sys/module/$module" ]; then modprobe -r "$module"; fi',
      'done',
    ].join('\n'),
    check: [
      `modules=(${modules.join(' ')})`,
      'for module in "${modules[@]}"; do',
      `  grep -qx "install $module /bin/false" ${path} || cis_fail "$module is not disabled"`,
      '  [ ! -d "/sys/module/$module" ] || cis_fail "$module is loaded"',
      'done',
    ].join('\n'),
  };
}

/** Writes sshd settings where they win: a drop-in read first, or the top of sshd_config. */
function sshdControl(id: string, level: 1 | 2, title: string, file: string, settings: string[]): CisControl {
  const dropIn = `/etc/ssh/sshd_config.d/${file}`;
  return {
    id,
    level,
    section: CisSection.SSH,
    title,
    changes: `sshd settings ${settings.map(s => `\`${s}\``).join(', ')}, in \`${dropIn}\` where sshd_config includes \`sshd_config.d\` (it is read first, and the first value wins), otherwise at the top of \`/etc/ssh/sshd_config\` (Amazon Linux 2); checked with \`sshd -T\`.`,
    apply: [
      'config=/etc/ssh/sshd_config',
      "settings=$(cat <<'EOF'",
      ...settings,
      'EOF',
      ')',
      "if grep -Eqi '^[[:space:]]*Include[[:space:]]+/etc/ssh/sshd_config\\.d/' \"$config\"; then",
      '  mkdir -p /etc/ssh/sshd_config.d',
      `  printf '%s\\n' "$settings" >> ${dropIn}`,
      `  chmod 0600 ${dropIn}`,
      'else',
      '  { printf \'%s\\n\' "$settings"; cat "$config"; } > "$config.golden-ami"',
      '  cat "$config.golden-ami" > "$config"',
      '  rm -f "$config.golden-ami"',
      'fi',
      'mkdir -p /run/sshd',
      'sshd -t',
    ].join('\n'),
    check: [
      'mkdir -p /run/sshd',
      'effective=$(sshd -T -C user=root,host=localhost,addr=127.0.0.1)',
      'while read -r setting; do',
      '  grep -qix "$setting" <<< "$effective" || cis_fail "sshd does not have: $setting"',
      "done <<'EOF'",
      ...settings,
      'EOF',
    ].join('\n'),
  };
}

const BANNER = 'Authorized uses only. All activity may be monitored and reported.';

/** Every control, in the order they are applied. */
export const CIS_CONTROLS: CisControl[] = [
  moduleControl('GA-CIS-01', 1, 'Ensure mounting of unused filesystems is disabled (cramfs, freevxfs, hfs, hfsplus, jffs2)', 'golden-ami-cis-filesystems.conf',
    ['cramfs', 'freevxfs', 'hfs', 'hfsplus', 'jffs2']),
  {
    id: 'GA-CIS-02',
    level: 1,
    section: CisSection.KERNEL,
    title: 'Ensure core dumps are restricted',
    changes: 'A hard core-size limit of 0 for every user (`/etc/security/limits.d/golden-ami-cis-coredump.conf`), `fs.suid_dumpable = 0` (`/etc/sysctl.d/60-golden-ami-cis-coredump.conf`), and systemd-coredump storage off (`Storage=none`, `ProcessSizeMax=0`).',
    apply: [
      "printf '* hard core 0\\n' > /etc/security/limits.d/golden-ami-cis-coredump.conf",
      "printf 'fs.suid_dumpable = 0\\n' > /etc/sysctl.d/60-golden-ami-cis-coredump.conf",
      'sysctl -q -w fs.suid_dumpable=0',
      'mkdir -p /etc/systemd/coredump.conf.d',
      "printf '[Coredump]\\nStorage=none\\nProcessSizeMax=0\\n' > /etc/systemd/coredump.conf.d/golden-ami-cis.conf",
    ].join('\n'),
    check: [
      "grep -qx '\\* hard core 0' /etc/security/limits.d/golden-ami-cis-coredump.conf || cis_fail 'no hard core limit'",
      '[ "$(sysctl -n fs.suid_dumpable)" = 0 ] || cis_fail "fs.suid_dumpable is not 0"',
      "grep -qx 'Storage=none' /etc/systemd/coredump.conf.d/golden-ami-cis.conf || cis_fail 'systemd-coredump stores dumps'",
    ].join('\n'),
  },
  sysctlControl('GA-CIS-03', 1, CisSection.KERNEL, 'Ensure address space layout randomization (ASLR) is enabled',
    'Full ASLR.', '60-golden-ami-cis-aslr.conf', [['kernel.randomize_va_space', '2']]),
  moduleControl('GA-CIS-04', 2, 'Ensure USB storage is disabled', 'golden-ami-cis-usb-storage.conf', ['usb-storage']),
  sysctlControl('GA-CIS-05', 1, CisSection.NETWORK, 'Ensure network parameters are set for a host that is not a router',
    'No ICMP redirects sent or accepted, no source-routed packets, martians logged, broadcast and bogus ICMP ignored, strict reverse-path filtering, TCP SYN cookies. IPv4 forwarding and IPv6 router advertisements are left alone: container hosts built on the image need forwarding, and EC2 IPv6 routing needs router advertisements.',
    '60-golden-ami-cis-network.conf', [
      ['net.ipv4.conf.all.send_redirects', '0'],
      ['net.ipv4.conf.default.send_redirects', '0'],
      ['net.ipv4.conf.all.accept_redirects', '0'],
      ['net.ipv4.conf.default.accept_redirects', '0'],
      ['net.ipv4.conf.all.secure_redirects', '0'],
      ['net.ipv4.conf.default.secure_redirects', '0'],
      ['net.ipv6.conf.all.accept_redirects', '0'],
      ['net.ipv6.conf.default.accept_redirects', '0'],
      ['net.ipv4.conf.all.accept_source_route', '0'],
      ['net.ipv4.conf.default.accept_source_route', '0'],
      ['net.ipv6.conf.all.accept_source_route', '0'],
      ['net.ipv6.conf.default.accept_source_route', '0'],
      ['net.ipv4.conf.all.log_martians', '1'],
      ['net.ipv4.conf.default.log_martians', '1'],
      ['net.ipv4.icmp_echo_ignore_broadcasts', '1'],
      ['net.ipv4.icmp_ignore_bogus_error_responses', '1'],
      ['net.ipv4.conf.all.rp_filter', '1'],
      ['net.ipv4.conf.default.rp_filter', '1'],
      ['net.ipv4.tcp_syncookies', '1'],
    ]),
  sshdControl('GA-CIS-06', 1, 'Ensure SSH server is configured securely', '01-golden-ami-cis.conf', [
    'PermitRootLogin no',
    'PermitEmptyPasswords no',
    'PermitUserEnvironment no',
    'HostbasedAuthentication no',
    'IgnoreRhosts yes',
    'X11Forwarding no',
    'MaxAuthTries 4',
    'MaxSessions 10',
    'MaxStartups 10:30:60',
    'LoginGraceTime 60',
    'ClientAliveInterval 300',
    'ClientAliveCountMax 3',
    'LogLevel VERBOSE',
    'Banner /etc/issue.net',
  ]),
  {
    id: 'GA-CIS-07',
    level: 1,
    section: CisSection.SSH,
    title: 'Ensure permissions on /etc/ssh/sshd_config are configured',
    changes: '`/etc/ssh/sshd_config` owned by root:root with mode 0600.',
    apply: 'chown root:root /etc/ssh/sshd_config\nchmod 0600 /etc/ssh/sshd_config',
    check: '[ "$(stat -c \'%a %U %G\' /etc/ssh/sshd_config)" = "600 root root" ] || cis_fail "/etc/ssh/sshd_config is $(stat -c \'%a %U %G\' /etc/ssh/sshd_config)"',
  },
  sshdControl('GA-CIS-08', 2, 'Ensure SSH AllowTcpForwarding is disabled', '00-golden-ami-cis-level2.conf', ['AllowTcpForwarding no']),
  {
    id: 'GA-CIS-09',
    level: 1,
    section: CisSection.ACCOUNTS,
    title: 'Ensure permissions on /etc/passwd, /etc/group, /etc/shadow and /etc/gshadow are configured',
    changes: '`/etc/passwd` and `/etc/group` root:root 0644; `/etc/shadow` and `/etc/gshadow` root:shadow 0640 where a `shadow` group exists (Ubuntu), otherwise root:root 0000.',
    apply: [
      'chown root:root /etc/passwd /etc/group',
      'chmod 0644 /etc/passwd /etc/group',
      'for file in /etc/shadow /etc/gshadow; do',
      '  [ -e "$file" ] || continue',
      '  if getent group shadow >/dev/null; then',
      '    chown root:shadow "$file"',
      '    chmod 0640 "$file"',
      '  else',
      '    chown root:root "$file"',
      '    chmod 0000 "$file"',
      '  fi',
      'done',
    ].join('\n'),
    check: [
      'for file in /etc/passwd /etc/group; do',
      '  [ "$(stat -c \'%a %U %G\' "$file")" = "644 root root" ] || cis_fail "$file is $(stat -c \'%a %U %G\' "$file")"',
      'done',
      'for file in /etc/shadow /etc/gshadow; do',
      '  [ -e "$file" ] || continue',
      '  actual=$(stat -c \'%a %U %G\' "$file")',
      '  case "$actual" in',
      '    "640 root shadow"|"0 root root") ;;',
      '    *) cis_fail "$file is $actual" ;;',
      '  esac',
      'done',
    ].join('\n'),
  },
  {
    id: 'GA-CIS-10',
    level: 1,
    section: CisSection.ACCOUNTS,
    title: 'Ensure password creation requirements are configured',
    changes: '`minlen = 14` and `minclass = 4` in `/etc/security/pwquality.conf` (on Ubuntu, `libpam-pwquality` is installed so PAM enforces it).',
    apply: [
      'if command -v apt-get >/dev/null 2>&1; then install_packages libpam-pwquality; fi',
      'touch /etc/security/pwquality.conf',
      "sed -i -E '/^[[:space:]]*#?[[:space:]]*(minlen|minclass)[[:space:]]*=/d' /etc/security/pwquality.conf",
      "printf 'minlen = 14\\nminclass = 4\\n' >> /etc/security/pwquality.conf",
    ].join('\n'),
    check: [
      "grep -Eqx 'minlen = 14' /etc/security/pwquality.conf || cis_fail 'pwquality minlen is not 14'",
      "grep -Eqx 'minclass = 4' /etc/security/pwquality.conf || cis_fail 'pwquality minclass is not 4'",
    ].join('\n'),
  },
  {
    id: 'GA-CIS-11',
    level: 1,
    section: CisSection.ACCOUNTS,
    title: 'Ensure password expiration, minimum days and warning age are configured',
    changes: '`PASS_MAX_DAYS 365`, `PASS_MIN_DAYS 1`, `PASS_WARN_AGE 7` and `UMASK 027` in `/etc/login.defs`, for accounts created from then on.',
    apply: [
      'while read -r key value; do',
      '  if grep -Eq "^[[:space:]]*${key}[[:space:]]" /etc/login.defs; then',
      '    sed -i -E "s/^[[:space:]]*${key}[[:space:]].*/${key} ${value}/" /etc/login.defs',
      '  else',
      '    printf \'%s %s\\n\' "$key" "$value" >> /etc/login.defs',
      '  fi',
      "done <<'EOF'",
      'PASS_MAX_DAYS 365',
      'PASS_MIN_DAYS 1',
      'PASS_WARN_AGE 7',
      'UMASK 027',
      'EOF',
    ].join('\n'),
    check: [
      'for setting in "PASS_MAX_DAYS 365" "PASS_MIN_DAYS 1" "PASS_WARN_AGE 7" "UMASK 027"; do',
      '  grep -Eqx "${setting}" /etc/login.defs || cis_fail "/etc/login.defs lacks: $setting"',
      'done',
    ].join('\n'),
  },
  {
    id: 'GA-CIS-12',
    level: 1,
    section: CisSection.ACCOUNTS,
    title: 'Ensure default user umask is 027 and shell timeout is 900 seconds',
    changes: '`/etc/profile.d/golden-ami-cis.sh` sets `umask 027` and a read-only `TMOUT=900` for login shells.',
    apply: [
      "cat > /etc/profile.d/golden-ami-cis.sh <<'EOF'",
      'umask 027',
      'readonly TMOUT=900',
      'export TMOUT',
      'EOF',
      'chmod 0644 /etc/profile.d/golden-ami-cis.sh',
    ].join('\n'),
    check: [
      "grep -qx 'umask 027' /etc/profile.d/golden-ami-cis.sh || cis_fail 'no umask 027'",
      "grep -qx 'readonly TMOUT=900' /etc/profile.d/golden-ami-cis.sh || cis_fail 'no TMOUT'",
    ].join('\n'),
  },
  {
    id: 'GA-CIS-13',
    level: 1,
    section: CisSection.ACCOUNTS,
    title: 'Ensure sudo commands use pty and sudo log file exists',
    changes: '`/etc/sudoers.d/golden-ami-cis` (0440) with `Defaults use_pty` and `Defaults logfile="/var/log/sudo.log"`, checked with `visudo -c`.',
    apply: [
      "cat > /etc/sudoers.d/golden-ami-cis <<'EOF'",
      'Defaults use_pty',
      'Defaults logfile="/var/log/sudo.log"',
      'EOF',
      'chmod 0440 /etc/sudoers.d/golden-ami-cis',
      'visudo -cf /etc/sudoers.d/golden-ami-cis',
    ].join('\n'),
    check: [
      "grep -qx 'Defaults use_pty' /etc/sudoers.d/golden-ami-cis || cis_fail 'sudo does not use a pty'",
      "grep -qx 'Defaults logfile=\"/var/log/sudo.log\"' /etc/sudoers.d/golden-ami-cis || cis_fail 'sudo has no log file'",
      'visudo -c >/dev/null || cis_fail "sudoers does not parse"',
    ].join('\n'),
  },
  {
    id: 'GA-CIS-14',
    level: 1,
    section: CisSection.ACCOUNTS,
    title: 'Ensure local and remote login warning banners are configured',
    changes: `\`/etc/issue\` and \`/etc/issue.net\` say "${BANNER}" (no OS details), root:root 0644; sshd shows \`/etc/issue.net\` (GA-CIS-06).`,
    apply: [
      'for file in /etc/issue /etc/issue.net; do',
      `  printf '%s\\n' '${BANNER}' > "$file"`,
      '  chown root:root "$file"',
      '  chmod 0644 "$file"',
      'done',
    ].join('\n'),
    check: [
      'for file in /etc/issue /etc/issue.net; do',
      `  grep -qxF '${BANNER}' "$file" || cis_fail "$file has no banner"`,
      "  ! grep -Eqi '(\\\\v|\\\\r|\\\\m|\\\\s|amazon|ubuntu|red hat)' \"$file\" || cis_fail \"$file shows OS details\"",
      '  [ "$(stat -c \'%a %U %G\' "$file")" = "644 root root" ] || cis_fail "$file is $(stat -c \'%a %U %G\' "$file")"',
      'done',
    ].join('\n'),
  },
  {
    id: 'GA-CIS-15',
    level: 1,
    section: CisSection.ACCOUNTS,
    title: 'Ensure permissions on cron files and directories are configured',
    changes: '`/etc/crontab` root:root 0600 and `/etc/cron.hourly`, `cron.daily`, `cron.weekly`, `cron.monthly`, `cron.d` root:root 0700, where they exist (Amazon Linux 2023 ships without cron).',
    apply: [
      '[ ! -e /etc/crontab ] || { chown root:root /etc/crontab; chmod 0600 /etc/crontab; }',
      'for dir in /etc/cron.hourly /etc/cron.daily /etc/cron.weekly /etc/cron.monthly /etc/cron.d; do',
      '  [ -d "$dir" ] || continue',
      '  chown root:root "$dir"',
      '  chmod 0700 "$dir"',
      'done',
    ].join('\n'),
    check: [
      '[ ! -e /etc/crontab ] || [ "$(stat -c \'%a %U %G\' /etc/crontab)" = "600 root root" ] || cis_fail "/etc/crontab is $(stat -c \'%a %U %G\' /etc/crontab)"',
      'for dir in /etc/cron.hourly /etc/cron.daily /etc/cron.weekly /etc/cron.monthly /etc/cron.d; do',
      '  [ -d "$dir" ] || continue',
      '  [ "$(stat -c \'%a %U %G\' "$dir")" = "700 root root" ] || cis_fail "$dir is $(stat -c \'%a %U %G\' "$dir")"',
      'done',
    ].join('\n'),
  },
  {
    id: 'GA-CIS-16',
    level: 1,
    section: CisSection.LOGGING,
    title: 'Ensure journald is configured to compress and persist logs',
    changes: '`/etc/systemd/journald.conf.d/60-golden-ami-cis.conf` with `Storage=persistent` and `Compress=yes`.',
    apply: [
      'mkdir -p /etc/systemd/journald.conf.d',
      "printf '[Journal]\\nStorage=persistent\\nCompress=yes\\n' > /etc/systemd/journald.conf.d/60-golden-ami-cis.conf",
      'systemctl restart systemd-journald',
    ].join('\n'),
    check: [
      "grep -qx 'Storage=persistent' /etc/systemd/journald.conf.d/60-golden-ami-cis.conf || cis_fail 'journald does not persist logs'",
      '[ -d /var/log/journal ] || cis_fail "no persistent journal in /var/log/journal"',
    ].join('\n'),
  },
  {
    id: 'GA-CIS-17',
    level: 2,
    section: CisSection.LOGGING,
    title: 'Ensure auditd is installed and the auditd service is enabled and active',
    changes: 'The `audit` (rpm) or `auditd` (deb) package, its service enabled; the `-a task,never` rule some images ship (which turns syscall auditing off) is removed.',
    apply: [
      'if command -v apt-get >/dev/null 2>&1; then install_packages auditd; else install_packages audit; fi',
      "find /etc/audit/rules.d -name '*.rules' -exec sed -i '/^-a[[:space:]]*task,never/d' {} +",
      'systemctl enable auditd',
      'systemctl start auditd',
    ].join('\n'),
    check: [
      'systemctl is-enabled --quiet auditd || cis_fail "auditd is not enabled"',
      'systemctl is-active --quiet auditd || cis_fail "auditd is not active"',
      'rules=$(auditctl -l)',
      '! grep -q "task,never" <<< "$rules" || cis_fail "syscall auditing is off (-a task,never)"',
    ].join('\n'),
  },
  {
    id: 'GA-CIS-18',
    level: 2,
    section: CisSection.LOGGING,
    title: 'Ensure audit rules collect identity, time, network environment, sudoers, login, session, permission and kernel module events',
    changes: '`/etc/audit/rules.d/50-golden-ami-cis.rules`: watches on the account files, `/etc/localtime`, `/etc/hosts`, `/etc/issue*`, sudoers, login and session records; syscall rules (64-bit ABI) for time changes, host name changes, permission and owner changes by users (auid >= 1000) and kernel module loading. On x86_64 the legacy `chmod`/`chown`/`lchown` calls are added (arm64 has only the `*at` forms). Loaded with `augenrules`.',
    apply: [
      'rules=/etc/audit/rules.d/50-golden-ami-cis.rules',
      "cat > \"$rules\" <<'EOF'",
      '-w /etc/group -p wa -k identity',
      '-w /etc/passwd -p wa -k identity',
      '-w /etc/gshadow -p wa -k identity',
      '-w /etc/shadow -p wa -k identity',
      '-w /etc/security/opasswd -p wa -k identity',
      '-a always,exit -F arch=b64 -S adjtimex,settimeofday,clock_settime -k time-change',
      '-w /etc/localtime -p wa -k time-change',
      '-a always,exit -F arch=b64 -S sethostname,setdomainname -k system-locale',
      '-w /etc/issue -p wa -k system-locale',
      '-w /etc/issue.net -p wa -k system-locale',
      '-w /etc/hosts -p wa -k system-locale',
      '-w /etc/sudoers -p wa -k scope',
      '-w /etc/sudoers.d -p wa -k scope',
      '-w /var/log/lastlog -p wa -k logins',
      '-w /var/run/faillock -p wa -k logins',
      '-w /var/run/utmp -p wa -k session',
      '-w /var/log/wtmp -p wa -k session',
      '-w /var/log/btmp -p wa -k session',
      '-a always,exit -F arch=b64 -S fchmod,fchmodat -F auid>=1000 -F auid!=4294967295 -k perm_mod',
      '-a always,exit -F arch=b64 -S fchown,fchownat -F auid>=1000 -F auid!=4294967295 -k perm_mod',
      '-a always,exit -F arch=b64 -S init_module,finit_module,delete_module -k kernel_modules',
      'EOF',
      'if [ "$(uname -m)" = x86_64 ]; then',
      "  cat >> \"$rules\" <<'EOF'",
      '-a always,exit -F arch=b64 -S chmod -F auid>=1000 -F auid!=4294967295 -k perm_mod',
      '-a always,exit -F arch=b64 -S chown,lchown -F auid>=1000 -F auid!=4294967295 -k perm_mod',
      'EOF',
      'fi',
      'chmod 0640 "$rules"',
      'augenrules --load',
    ].join('\n'),
    check: [
      'rules=$(auditctl -l)',
      'for key in identity time-change system-locale scope logins session perm_mod kernel_modules; do',
      '  grep -q -- "-k ${key}\\$\\|key=${key}\\$" <<< "$rules" || cis_fail "no audit rule with key $key"',
      'done',
    ].join('\n'),
  },
  {
    id: 'GA-CIS-19',
    level: 2,
    section: CisSection.LOGGING,
    title: 'Ensure audit logs are not automatically deleted',
    changes: '`max_log_file = 32` and `max_log_file_action = keep_logs` in `/etc/audit/auditd.conf`: audit logs are never rotated away, so size the volume or ship and prune them (the CloudWatch agent ships them).',
    apply: [
      'while read -r key value; do',
      '  if grep -Eq "^[[:space:]]*${key}[[:space:]]*=" /etc/audit/auditd.conf; then',
      '    sed -i -E "s/^[[:space:]]*${key}[[:space:]]*=.*/${key} = ${value}/" /etc/audit/auditd.conf',
      '  else',
      '    printf \'%s = %s\\n\' "$key" "$value" >> /etc/audit/auditd.conf',
      '  fi',
      "done <<'EOF'",
      'max_log_file 32',
      'max_log_file_action keep_logs',
      'EOF',
    ].join('\n'),
    check: [
      "grep -Eqx 'max_log_file_action = keep_logs' /etc/audit/auditd.conf || cis_fail 'audit logs are rotated away'",
      "grep -Eqx 'max_log_file = 32' /etc/audit/auditd.conf || cis_fail 'max_log_file is not 32'",
    ].join('\n'),
  },
  {
    id: 'GA-CIS-20',
    level: 2,
    section: CisSection.LOGGING,
    title: 'Ensure auditing for processes that start prior to auditd is enabled, with a sufficient backlog',
    changes: 'Kernel arguments `audit=1 audit_backlog_limit=8192` for every installed kernel: with `grubby` (Amazon Linux, RHEL), or `/etc/default/grub.d/60-golden-ami-cis-audit.cfg` and `update-grub` (Ubuntu). Checked on the booted kernel command line.',
    apply: [
      'if command -v grubby >/dev/null 2>&1; then',
      "  grubby --update-kernel=ALL --args='audit=1 audit_backlog_limit=8192'",
      'else',
      '  mkdir -p /etc/default/grub.d',
      "  cat > /etc/default/grub.d/60-golden-ami-cis-audit.cfg <<'EOF'",
      'GRUB_CMDLINE_LINUX="$GRUB_CMDLINE_LINUX audit=1 audit_backlog_limit=8192"',
      'EOF',
      '  update-grub',
      'fi',
    ].join('\n'),
    check: [
      'cmdline=$(cat /proc/cmdline)',
      'grep -qw "audit=1" <<< "$cmdline" || cis_fail "the kernel booted without audit=1"',
      'grep -qw "audit_backlog_limit=8192" <<< "$cmdline" || cis_fail "the kernel booted without audit_backlog_limit=8192"',
    ].join('\n'),
  },
  {
    id: 'GA-CIS-21',
    level: 2,
    section: CisSection.LOGGING,
    title: 'Ensure the audit configuration is immutable',
    changes: '`/etc/audit/rules.d/99-golden-ami-cis-finalize.rules` with `-e 2`: from the next boot, audit rules cannot change until reboot. Not loaded during the build, so later build steps can still load rules.',
    apply: [
      "printf '%s\\n' '-e 2' > /etc/audit/rules.d/99-golden-ami-cis-finalize.rules",
      'chmod 0640 /etc/audit/rules.d/99-golden-ami-cis-finalize.rules',
    ].join('\n'),
    check: [
      'status=$(auditctl -s)',
      'grep -qx "enabled 2" <<< "$status" || cis_fail "audit rules are not immutable"',
    ].join('\n'),
  },
];

/** The controls of a level (Level 2 includes Level 1). */
export function cisControlsFor(level: CisLevel): CisControl[] {
  const max = level === CisLevel.LEVEL_2 ? 2 : 1;
  return CIS_CONTROLS.filter(control => control.level <= max);
}

/**
 * docs/cis-controls.md as it must read: a test fails when the file and this data disagree.
 */
export function renderCisControlsMarkdown(): string {
  const lines = [
    '# CIS controls applied by `Hardening.cis()`',
    '',
    '<!-- Generated from src/hardened/cis-controls.ts; test/hardened/cis-controls.test.ts fails when they disagree. -->',
    '',
    '`Hardening.cis(CisLevel.LEVEL_1)` and `Hardening.cis(CisLevel.LEVEL_2)` apply the controls below on the Linux',
    'families (Amazon Linux 2 and 2023, Ubuntu 22.04 and 24.04, RHEL 9). Each control is one build step that applies it',
    'and one test step that checks it on an instance launched from the new image, so a control that does not hold fails',
    'the build.',
    '',
    '**This is a subset of the CIS benchmarks, not benchmark compliance.** It covers settings that hold on every',
    'supported family without breaking EC2, Image Builder or the agents. For a scored benchmark, start from a CIS',
    'hardened image (`baseImage`) or run the CIS tooling against the image. Titles follow the CIS recommendations; their',
    'section numbers differ between distributions and benchmark versions, so the controls carry the library\'s ids.',
    '',
    'Left out on purpose: a separate `/tmp` partition or `noexec` on `/tmp` (Image Builder runs component scripts from',
    'the working directory), disabling IPv4 forwarding and IPv6 router advertisements (container hosts and EC2 IPv6',
    'routing need them), AIDE (its database takes long to build and belongs to the instance, not the image), and',
    'settings that need site decisions (NTP servers, firewall rules, PAM lockout).',
    '',
    '| id | level | section | recommendation | what changes on the image |',
    '| --- | --- | --- | --- | --- |',
    ...CIS_CONTROLS.map(control =>
      `| ${control.id} | ${control.level === 1 ? '1 and 2' : '2'} | ${control.section} | ${control.title} | ${control.changes.replace(/\|/g, '\\|')} |`),
    '',
    `Level 1: ${cisControlsFor(CisLevel.LEVEL_1).length} controls. Level 2: ${cisControlsFor(CisLevel.LEVEL_2).length} controls (Level 1 and the ones marked 2).`,
    '',
  ];
  return lines.join('\n');
}
