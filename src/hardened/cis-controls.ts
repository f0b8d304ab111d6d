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
  /** Ways to break the control by hand: each must make the check fail, and applying again (after the cleanup) repair it. */
  readonly violations: CisViolation[];
}

/**
 * A way to break a control by hand, used to prove that its check can fail: after `script`
 * the check must fail; after `cleanup` (if any) and the control's apply step it must pass
 * again. Drift in what the apply step owns is repaired by applying again; a foreign file that
 * overrides the setting is detected, and removed by `cleanup` (applying again does not delete
 * other people's files).
 */
export interface CisViolation {
  /** What the violation does, in a few words. */
  readonly description: string;
  /** Bash that breaks the control (runs as root with `set -euo pipefail`). */
  readonly script: string;
  /** Bash that removes what `script` added and the apply step does not own. */
  readonly cleanup?: string;
}

/** Fails a check with a message. */
export const CIS_CHECK_PRELUDE = 'cis_fail() { echo "CIS check failed: $*" >&2; exit 1; }';

/**
 * Shell helpers, each added to a script only when the script calls it. Checks read the
 * configuration a service really uses (all its files, in its order), not the file the apply
 * step wrote, so a later file that overrides a setting fails the check.
 */
const HELPERS: Array<[name: string, body: string]> = [
  ['install_packages', [
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
  ].join('\n')],
  ['config_files_in_order', [
    '# The *.conf files of configuration directories in the order systemd reads them: by file',
    '# name across the directories, a name in a later directory replacing the same name earlier.',
    'config_files_in_order() {',
    '  local dir file name',
    '  local -A chosen=()',
    '  for dir in "$@"; do',
    '    for file in "$dir"/*.conf; do',
    '      if [ -e "$file" ]; then chosen[${file##*/}]=$file; fi',
    '    done',
    '  done',
    '  if [ "${#chosen[@]}" -eq 0 ]; then return 0; fi',
    '  printf \'%s\\n\' "${!chosen[@]}" | LC_ALL=C sort | while IFS= read -r name; do printf \'%s\\n\' "${chosen[$name]}"; done',
    '}',
  ].join('\n')],
  ['sysctl_boot_value', [
    '# The value a sysctl key gets at boot: its last assignment in the sysctl.d files (then',
    '# /etc/sysctl.conf, which `sysctl --system` reads last).',
    'sysctl_boot_value() {',
    '  local file',
    '  {',
    '    config_files_in_order /usr/lib/sysctl.d /usr/local/lib/sysctl.d /run/sysctl.d /etc/sysctl.d | while IFS= read -r file; do cat "$file"; echo; done',
    '    if [ -e /etc/sysctl.conf ]; then cat /etc/sysctl.conf; fi',
    '  } | awk -v key="$1" \'',
    '    { line = $0; sub(/^[ \\t]*-/, "", line) }',
    '    line ~ /^[ \\t]*[#;]/ || index(line, "=") == 0 { next }',
    '    {',
    '      k = substr(line, 1, index(line, "=") - 1); v = substr(line, index(line, "=") + 1)',
    '      gsub(/^[ \\t]+|[ \\t]+$/, "", k); gsub(/^[ \\t]+|[ \\t]+$/, "", v); gsub("/", ".", k)',
    '      if (k == key) value = v',
    '    }',
    '    END { print value }\'',
    '}',
  ].join('\n')],
  ['systemd_setting', [
    '# The value systemd uses for a key of one of its configuration files (journald.conf,',
    '# coredump.conf): the last assignment across the file and its drop-ins.',
    'systemd_setting() {',
    '  local conf=$1 key=$2 config file',
    '  if ! config=$(systemd-analyze cat-config "systemd/$conf" 2>/dev/null); then',
    '    # systemd before 239 (Amazon Linux 2) has no cat-config: read the files in its order.',
    '    config=$(',
    '      if [ -e "/etc/systemd/$conf" ]; then cat "/etc/systemd/$conf"; fi',
    '      config_files_in_order "/usr/lib/systemd/$conf.d" "/run/systemd/$conf.d" "/etc/systemd/$conf.d" | while IFS= read -r file; do cat "$file"; echo; done',
    '    )',
    '  fi',
    '  awk -v key="$key" \'',
    '    { line = $0 }',
    '    line ~ /^[ \\t]*[#;]/ || index(line, "=") == 0 { next }',
    '    {',
    '      k = substr(line, 1, index(line, "=") - 1); v = substr(line, index(line, "=") + 1)',
    '      gsub(/^[ \\t]+|[ \\t]+$/, "", k); gsub(/^[ \\t]+|[ \\t]+$/, "", v)',
    '      if (k == key) value = v',
    '    }',
    '    END { print value }\' <<< "$config"',
    '}',
  ].join('\n')],
  ['audit_rules_on_disk', [
    '# The audit rules the next boot loads: augenrules concatenates rules.d/*.rules by name.',
    'audit_rules_on_disk() {',
    '  local file',
    '  for file in /etc/audit/rules.d/*.rules; do',
    '    if [ -e "$file" ]; then cat "$file"; echo; fi',
    '  done',
    '}',
  ].join('\n')],
];

/** The helpers a script calls (and the helpers those call), before the script. */
function withHelpers(script: string): string {
  const used = new Set<string>();
  const visit = (text: string) => {
    for (const [name, body] of HELPERS) {
      if (!used.has(name) && new RegExp(`(^|[^A-Za-z0-9_])${name}([^A-Za-z0-9_]|$)`, 'm').test(text)) {
        used.add(name);
        visit(body);
      }
    }
  };
  visit(script);
  const helpers = HELPERS.filter(([name]) => used.has(name)).map(([, body]) => body);
  return [...helpers, script].join('\n');
}

/** The build step of a control: its apply script, with the helpers it uses. */
export function cisApplyScript(control: CisControl): string {
  return withHelpers(`# ${control.id}: ${control.title}\n${control.apply}`);
}

/** The test step of a control: its check script, with the helpers it uses. */
export function cisCheckScript(control: CisControl): string {
  return withHelpers(`${CIS_CHECK_PRELUDE}\n# ${control.id}: ${control.title}\n${control.check}`);
}

/** A setting's wrong value, for violations: 0 for anything else, 1 for 0. */
function wrongValue(value: string): string {
  return value === '0' ? '1' : '0';
}

/** A sysctl control: a file under /etc/sysctl.d, loaded now and at boot, checked live and for the next boot. */
function sysctlControl(
  id: string, level: 1 | 2, section: CisSection, title: string, changes: string, file: string, settings: Array<[string, string]>,
): CisControl {
  const path = `/etc/sysctl.d/${file}`;
  const [firstKey, firstValue] = settings[0];
  return {
    id,
    level,
    section,
    title,
    changes: `${changes} Written to \`${path}\`: ${settings.map(([key, value]) => `\`${key} = ${value}\``).join(', ')}. Checked live (\`sysctl -n\`) and for the next boot (the last assignment across every sysctl.d file).`,
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
      '  at_boot=$(sysctl_boot_value "$key")',
      '  [ "$at_boot" = "$expected" ] || cis_fail "$key is set to \'$at_boot\' for the next boot, expected $expected"',
      "done <<'EOF'",
      ...settings.map(([key, value]) => `${key} ${value}`),
      'EOF',
    ].join('\n'),
    violations: [
      {
        description: `${firstKey} changed live and in the control's file`,
        script: `sed -i 's/^${firstKey} = .*/${firstKey} = ${wrongValue(firstValue)}/' ${path}\nsysctl -q -w ${firstKey}=${wrongValue(firstValue)}`,
      },
      {
        description: `a later sysctl.d file sets ${firstKey} for the next boot`,
        script: `printf '%s\\n' '${firstKey} = ${wrongValue(firstValue)}' > /etc/sysctl.d/99-zz-golden-ami-violation.conf`,
        cleanup: 'rm -f /etc/sysctl.d/99-zz-golden-ami-violation.conf',
      },
    ],
  };
}

/** Kernel modules that must not load. */
function moduleControl(id: string, level: 1 | 2, title: string, file: string, modules: string[]): CisControl {
  const path = `/etc/modprobe.d/${file}`;
  // modprobe takes `-` and `_` alike; sysfs and `modprobe --showconfig` use `_`.
  const names = modules.map(m => m.replace(/-/g, '_'));
  return {
    id,
    level,
    section: CisSection.KERNEL,
    title,
    changes: `Modules ${names.map(m => `\`${m}\``).join(', ')} are blacklisted and their loading is redirected to \`/bin/false\` in \`${path}\`; loaded ones are unloaded. Checked with \`modprobe --showconfig\` (every modprobe.d file) and \`/sys/module\`.`,
    apply: [
      `modules=(${names.join(' ')})`,
      'for module in "${modules[@]}"; do',
      "  printf 'install %s /bin/false\\nblacklist %s\\n' \"$module\" \"$module\"",
      `done > ${path}`,
      'for module in "${modules[@]}"; do',
      '  # A loaded module has an initstate; a built-in one has none and cannot be unloaded.',
      '  if [ -e "/sys/module/$module/initstate" ]; then modprobe -r "$module"; fi',
      'done',
    ].join('\n'),
    check: [
      'config=$(modprobe --showconfig)',
      `modules=(${names.join(' ')})`,
      'for module in "${modules[@]}"; do',
      '  install=$(awk -v m="$module" \'$1 == "install" && $2 == m { $1 = ""; $2 = ""; sub(/^ +/, ""); print; exit }\' <<< "$config")',
      '  [ "$install" = /bin/false ] || cis_fail "$module can be loaded (install command: \'${install:-none}\')"',
      '  grep -qx "blacklist $module" <<< "$config" || cis_fail "$module is not blacklisted"',
      '  [ ! -e "/sys/module/$module/initstate" ] || cis_fail "$module is loaded"',
      'done',
    ].join('\n'),
    violations: [{
      description: `the control's file removed and ${names[0]} loaded`,
      script: `rm -f ${path}\nmodprobe ${names[0]} || true`,
    }],
  };
}

/**
 * sshd settings where they win: a drop-in read first, or a marked block at the top of
 * sshd_config. Both are rewritten whole, so applying again repairs drift.
 */
function sshdControl(id: string, level: 1 | 2, title: string, file: string, settings: string[]): CisControl {
  const dropIn = `/etc/ssh/sshd_config.d/${file}`;
  // Every control's first setting is a `no` that `yes` violates.
  const [firstKey] = settings[0].split(' ');
  return {
    id,
    level,
    section: CisSection.SSH,
    title,
    changes: `sshd settings ${settings.map(s => `\`${s}\``).join(', ')}, in \`${dropIn}\` where sshd_config includes \`sshd_config.d\` (it is read first, and the first value wins), otherwise in a marked block at the top of \`/etc/ssh/sshd_config\` (Amazon Linux 2); checked with \`sshd -T\`.`,
    apply: [
      'config=/etc/ssh/sshd_config',
      "settings=$(cat <<'EOF'",
      ...settings,
      'EOF',
      ')',
      "if grep -Eqi '^[[:space:]]*Include[[:space:]]+/etc/ssh/sshd_config\\.d/' \"$config\"; then",
      '  mkdir -p /etc/ssh/sshd_config.d',
      `  printf '%s\\n' "$settings" > ${dropIn}`,
      `  chmod 0600 ${dropIn}`,
      'else',
      `  begin='# BEGIN golden-ami ${id}'`,
      `  end='# END golden-ami ${id}'`,
      '  { printf \'%s\\n%s\\n%s\\n\' "$begin" "$settings" "$end"; sed "/^$begin\\$/,/^$end\\$/d" "$config"; } > "$config.golden-ami"',
      '  cat "$config.golden-ami" > "$config"',
      '  rm -f "$config.golden-ami"',
      'fi',
      'mkdir -p /run/sshd',
      'sshd -t',
      '# A running sshd takes the settings now; instances launched from the image start with them.',
      'for unit in ssh.service sshd.service; do',
      '  if systemctl is-active --quiet "$unit"; then systemctl reload "$unit"; fi',
      'done',
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
    violations: [
      {
        description: `the control's settings replaced by a different ${firstKey}`,
        script: [
          `if [ -e ${dropIn} ]; then`,
          `  sed -i 's/^${firstKey} .*/${firstKey} yes/' ${dropIn}`,
          'else',
          `  sed -i 's/^${firstKey} .*/${firstKey} yes/' /etc/ssh/sshd_config`,
          'fi',
        ].join('\n'),
      },
      {
        description: `a drop-in read earlier sets ${firstKey}`,
        script: `mkdir -p /etc/ssh/sshd_config.d\nprintf '%s\\n' '${firstKey} yes' > /etc/ssh/sshd_config.d/00-0-golden-ami-violation.conf\nif ! grep -Eqi '^[[:space:]]*Include[[:space:]]+/etc/ssh/sshd_config\\.d/' /etc/ssh/sshd_config; then sed -i '1i ${firstKey} yes' /etc/ssh/sshd_config; fi`,
        cleanup: `rm -f /etc/ssh/sshd_config.d/00-0-golden-ami-violation.conf\nsed -i '1{/^${firstKey} yes$/d}' /etc/ssh/sshd_config`,
      },
    ],
  };
}

const BANNER = 'Authorized uses only. All activity may be monitored and reported.';

/** `stat` of a file as `<mode> <owner> <group>`, in a check's failure message. */
const STAT = "stat -c '%a %U %G'";

/** Every control, in the order they are applied. */
export const CIS_CONTROLS: CisControl[] = [
  moduleControl('GA-CIS-01', 1, 'Ensure mounting of unused filesystems is disabled (cramfs, freevxfs, hfs, hfsplus, jffs2)', 'golden-ami-cis-filesystems.conf',
    ['cramfs', 'freevxfs', 'hfs', 'hfsplus', 'jffs2']),
  {
    id: 'GA-CIS-02',
    level: 1,
    section: CisSection.KERNEL,
    title: 'Ensure core dumps are restricted',
    changes: 'A hard core-size limit of 0 for every user (`/etc/security/limits.d/golden-ami-cis-coredump.conf`), `fs.suid_dumpable = 0` (`/etc/sysctl.d/60-golden-ami-cis-coredump.conf`), and systemd-coredump storage off (`Storage=none`, `ProcessSizeMax=0`). Checked across every limits file, live and boot-time sysctl, and systemd-coredump\'s effective configuration.',
    apply: [
      "printf '* hard core 0\\n' > /etc/security/limits.d/golden-ami-cis-coredump.conf",
      "printf 'fs.suid_dumpable = 0\\n' > /etc/sysctl.d/60-golden-ami-cis-coredump.conf",
      'sysctl -q -w fs.suid_dumpable=0',
      'mkdir -p /etc/systemd/coredump.conf.d',
      "printf '[Coredump]\\nStorage=none\\nProcessSizeMax=0\\n' > /etc/systemd/coredump.conf.d/golden-ami-cis.conf",
    ].join('\n'),
    check: [
      '# pam_limits reads limits.conf, then limits.d/*.conf by name: the last hard core limit for every user counts.',
      "limit=$(cat /etc/security/limits.conf /etc/security/limits.d/*.conf 2>/dev/null | awk '$1 == \"*\" && ($2 == \"hard\" || $2 == \"-\") && $3 == \"core\" { value = $4 } END { print value }')",
      '[ "$limit" = 0 ] || cis_fail "the hard core limit for every user is \'${limit:-unlimited}\', expected 0"',
      '[ "$(sysctl -n fs.suid_dumpable)" = 0 ] || cis_fail "fs.suid_dumpable is not 0"',
      '[ "$(sysctl_boot_value fs.suid_dumpable)" = 0 ] || cis_fail "fs.suid_dumpable is not 0 for the next boot"',
      'if [ -d /etc/systemd ]; then',
      '  storage=$(systemd_setting coredump.conf Storage)',
      '  [ "$storage" = none ] || cis_fail "systemd-coredump stores dumps (Storage=${storage:-default})"',
      'fi',
    ].join('\n'),
    violations: [
      {
        description: 'the hard core limit raised in the control\'s file',
        script: "printf '* hard core unlimited\\n' > /etc/security/limits.d/golden-ami-cis-coredump.conf",
      },
      {
        description: 'a later coredump.conf drop-in stores dumps',
        script: "mkdir -p /etc/systemd/coredump.conf.d\nprintf '[Coredump]\\nStorage=external\\n' > /etc/systemd/coredump.conf.d/zz-golden-ami-violation.conf",
        cleanup: 'rm -f /etc/systemd/coredump.conf.d/zz-golden-ami-violation.conf',
      },
      {
        description: 'fs.suid_dumpable set live',
        script: 'sysctl -q -w fs.suid_dumpable=2',
      },
    ],
  },
  sysctlControl('GA-CIS-03', 1, CisSection.KERNEL, 'Ensure address space layout randomization (ASLR) is enabled',
    'Full ASLR.', '60-golden-ami-cis-aslr.conf', [['kernel.randomize_va_space', '2']]),
  moduleControl('GA-CIS-04', 2, 'Ensure USB storage is disabled', 'golden-ami-cis-usb-storage.conf', ['usb_storage']),
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
    check: `[ "$(${STAT} /etc/ssh/sshd_config)" = "600 root root" ] || cis_fail "/etc/ssh/sshd_config is $(${STAT} /etc/ssh/sshd_config)"`,
    violations: [{ description: 'sshd_config made world-readable', script: 'chmod 0644 /etc/ssh/sshd_config' }],
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
      `  [ "$(${STAT} "$file")" = "644 root root" ] || cis_fail "$file is $(${STAT} "$file")"`,
      'done',
      'for file in /etc/shadow /etc/gshadow; do',
      '  [ -e "$file" ] || continue',
      `  actual=$(${STAT} "$file")`,
      '  case "$actual" in',
      '    "640 root shadow"|"0 root root") ;;',
      '    *) cis_fail "$file is $actual" ;;',
      '  esac',
      'done',
    ].join('\n'),
    violations: [
      { description: '/etc/shadow made world-readable', script: 'chmod 0644 /etc/shadow' },
      { description: '/etc/passwd made group-writable', script: 'chmod 0664 /etc/passwd' },
    ],
  },
  {
    id: 'GA-CIS-10',
    level: 1,
    section: CisSection.ACCOUNTS,
    title: 'Ensure password creation requirements are configured',
    changes: '`minlen = 14` and `minclass = 4` in `/etc/security/pwquality.conf`, set in place (on Ubuntu, `libpam-pwquality` is installed so PAM enforces it). Checked across `pwquality.conf` and `pwquality.conf.d`, and that PAM\'s password stack calls `pam_pwquality` without overriding them.',
    apply: [
      'if command -v apt-get >/dev/null 2>&1; then install_packages libpam-pwquality; fi',
      'touch /etc/security/pwquality.conf',
      "sed -i -E '/^[[:space:]]*#?[[:space:]]*(minlen|minclass)[[:space:]]*=/d' /etc/security/pwquality.conf",
      "printf 'minlen = 14\\nminclass = 4\\n' >> /etc/security/pwquality.conf",
    ].join('\n'),
    check: [
      '# libpwquality reads pwquality.conf, then pwquality.conf.d/*.conf by name: the last value counts.',
      'files=(/etc/security/pwquality.conf)',
      'for file in /etc/security/pwquality.conf.d/*.conf; do',
      '  if [ -e "$file" ]; then files+=("$file"); fi',
      'done',
      'for setting in "minlen 14" "minclass 4"; do',
      '  read -r key expected <<< "$setting"',
      "  actual=$(cat \"${files[@]}\" | awk -F= -v key=\"$key\" '{ k = $1; gsub(/[ \\t]/, \"\", k) } k == key { v = $2; gsub(/[ \\t]/, \"\", v); value = v } END { print value }')",
      '  [ "$actual" = "$expected" ] || cis_fail "pwquality $key is \'${actual:-default}\', expected $expected"',
      'done',
      'stack=$(cat /etc/pam.d/common-password /etc/pam.d/system-auth /etc/pam.d/password-auth 2>/dev/null || true)',
      "modules=$(grep -E '^[[:space:]]*password[[:space:]]+[^[:space:]]+[[:space:]]+pam_pwquality\\.so' <<< \"$stack\" || true)",
      '[ -n "$modules" ] || cis_fail "PAM does not check passwords with pam_pwquality"',
      '! grep -Eq \'(minlen|minclass)=\' <<< "$modules" || cis_fail "PAM overrides pwquality settings: $modules"',
    ].join('\n'),
    violations: [
      {
        description: 'minlen lowered in pwquality.conf',
        script: "sed -i -E 's/^minlen = .*/minlen = 8/' /etc/security/pwquality.conf",
      },
      {
        description: 'a pwquality.conf.d file lowers minclass',
        script: "mkdir -p /etc/security/pwquality.conf.d\nprintf 'minclass = 1\\n' > /etc/security/pwquality.conf.d/zz-golden-ami-violation.conf",
        cleanup: 'rm -f /etc/security/pwquality.conf.d/zz-golden-ami-violation.conf',
      },
    ],
  },
  {
    id: 'GA-CIS-11',
    level: 1,
    section: CisSection.ACCOUNTS,
    title: 'Ensure password expiration, minimum days and warning age are configured',
    changes: '`PASS_MAX_DAYS 365`, `PASS_MIN_DAYS 1`, `PASS_WARN_AGE 7` and `UMASK 027` in `/etc/login.defs`, set in place, for accounts created from then on.',
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
      '  read -r key expected <<< "$setting"',
      '  # login.defs is read top to bottom and a later line replaces an earlier one.',
      '  actual=$(awk -v key="$key" \'$1 == key { value = $2 } END { print value }\' /etc/login.defs)',
      '  [ "$actual" = "$expected" ] || cis_fail "/etc/login.defs has $key \'${actual:-unset}\', expected $expected"',
      'done',
    ].join('\n'),
    violations: [
      { description: 'PASS_MAX_DAYS reset to the distribution default', script: "sed -i -E 's/^PASS_MAX_DAYS .*/PASS_MAX_DAYS 99999/' /etc/login.defs" },
      { description: 'a later UMASK line in login.defs', script: "printf 'UMASK 022\\n' >> /etc/login.defs" },
    ],
  },
  {
    id: 'GA-CIS-12',
    level: 1,
    section: CisSection.ACCOUNTS,
    title: 'Ensure default user umask is 027 and shell timeout is 900 seconds',
    changes: '`/etc/profile.d/golden-ami-cis.sh` sets `umask 027` and a read-only `TMOUT=900` for login shells (sourcing it again is harmless). Checked in a new login shell.',
    apply: [
      "cat > /etc/profile.d/golden-ami-cis.sh <<'EOF'",
      'umask 027',
      '# Read-only so users cannot turn the timeout off; set once, as the file may be sourced again.',
      'if ! readonly -p | grep -q " TMOUT="; then',
      '  TMOUT=900',
      '  readonly TMOUT',
      '  export TMOUT',
      'fi',
      'EOF',
      'chmod 0644 /etc/profile.d/golden-ami-cis.sh',
    ].join('\n'),
    check: [
      '# What a login shell gets, after every profile script; sourcing the file twice must not fail.',
      "probe=$(cat <<'EOF'",
      'printf \'%s %s %s\' "$TMOUT" "$(umask)" "$(readonly -p | grep -c \' TMOUT=\')"',
      '. /etc/profile.d/golden-ami-cis.sh && printf \' sourced-again\'',
      'EOF',
      ')',
      'login=$(env -i HOME=/root PATH=/usr/sbin:/usr/bin:/sbin:/bin bash -l -c "$probe" 2>&1 </dev/null) || cis_fail "a login shell fails: $login"',
      '[ "$login" = "900 0027 1 sourced-again" ] || cis_fail "a login shell has TMOUT, umask, read-only TMOUT and sourcing again \'$login\', expected \'900 0027 1 sourced-again\'"',
    ].join('\n'),
    violations: [
      { description: 'the profile script sets a permissive umask', script: "printf 'umask 022\\n' > /etc/profile.d/golden-ami-cis.sh" },
      {
        description: 'a later profile script loosens the umask',
        script: "printf 'umask 022\\n' > /etc/profile.d/zz-golden-ami-violation.sh",
        cleanup: 'rm -f /etc/profile.d/zz-golden-ami-violation.sh',
      },
    ],
  },
  {
    id: 'GA-CIS-13',
    level: 1,
    section: CisSection.ACCOUNTS,
    title: 'Ensure sudo commands use pty and sudo log file exists',
    changes: '`/etc/sudoers.d/golden-ami-cis` (0440) with `Defaults use_pty` and `Defaults logfile="/var/log/sudo.log"`, checked with `visudo -c`. Checked in the Defaults sudo applies to root (`sudo -l`), read from every sudoers file in order.',
    apply: [
      "cat > /etc/sudoers.d/golden-ami-cis <<'EOF'",
      'Defaults use_pty',
      'Defaults logfile="/var/log/sudo.log"',
      'EOF',
      'chmod 0440 /etc/sudoers.d/golden-ami-cis',
      'visudo -cf /etc/sudoers.d/golden-ami-cis',
    ].join('\n'),
    check: [
      'visudo -c >/dev/null || cis_fail "sudoers does not parse"',
      '# The Defaults that apply to root, in the order sudo reads every sudoers file: the last one wins.',
      "entries=$(sudo -n -l -U root | awk '/^Matching Defaults entries/ { on = 1; next } on && NF == 0 { exit } on { printf \"%s\", $0 }' | tr ',' '\\n' | sed -E 's/^[[:space:]]+|[[:space:]]+$//g')",
      "pty=$(grep -Ex '!?use_pty' <<< \"$entries\" | tail -n 1 || true)",
      '[ "$pty" = use_pty ] || cis_fail "sudo does not use a pty (${pty:-use_pty not set})"',
      "logfile=$(grep -E '^logfile=' <<< \"$entries\" | tail -n 1 || true)",
      '[ "$logfile" = logfile=/var/log/sudo.log ] || cis_fail "sudo does not log to /var/log/sudo.log (${logfile:-no logfile})"',
    ].join('\n'),
    violations: [
      { description: 'the control\'s sudoers file loses its log file', script: "printf 'Defaults use_pty\\n' > /etc/sudoers.d/golden-ami-cis" },
      {
        description: 'a later sudoers file turns use_pty off',
        script: "printf 'Defaults !use_pty\\n' > /etc/sudoers.d/zz-golden-ami-violation\nchmod 0440 /etc/sudoers.d/zz-golden-ami-violation",
        cleanup: 'rm -f /etc/sudoers.d/zz-golden-ami-violation',
      },
    ],
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
      "  ! grep -Eqi '(\\\\v|\\\\r|\\\\m|\\\\s|amazon|ubuntu|debian|red hat)' \"$file\" || cis_fail \"$file shows OS details\"",
      `  [ "$(${STAT} "$file")" = "644 root root" ] || cis_fail "$file is $(${STAT} "$file")"`,
      'done',
    ].join('\n'),
    violations: [
      { description: 'the distribution\'s banner with OS details restored', script: "printf '%s\\n' 'Debian GNU/Linux \\n \\l' > /etc/issue" },
    ],
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
      `[ ! -e /etc/crontab ] || [ "$(${STAT} /etc/crontab)" = "600 root root" ] || cis_fail "/etc/crontab is $(${STAT} /etc/crontab)"`,
      'for dir in /etc/cron.hourly /etc/cron.daily /etc/cron.weekly /etc/cron.monthly /etc/cron.d; do',
      '  [ -d "$dir" ] || continue',
      `  [ "$(${STAT} "$dir")" = "700 root root" ] || cis_fail "$dir is $(${STAT} "$dir")"`,
      'done',
    ].join('\n'),
    violations: [
      { description: '/etc/crontab and /etc/cron.d opened to all', script: 'if [ -e /etc/crontab ]; then chmod 0644 /etc/crontab; fi\nmkdir -p /etc/cron.d\nchmod 0755 /etc/cron.d' },
    ],
  },
  {
    id: 'GA-CIS-16',
    level: 1,
    section: CisSection.LOGGING,
    title: 'Ensure journald is configured to compress and persist logs',
    changes: '`/etc/systemd/journald.conf.d/60-golden-ami-cis.conf` with `Storage=persistent` and `Compress=yes`. Checked in journald\'s effective configuration (every drop-in), and that the journal is written to `/var/log/journal`.',
    apply: [
      'mkdir -p /etc/systemd/journald.conf.d',
      "printf '[Journal]\\nStorage=persistent\\nCompress=yes\\n' > /etc/systemd/journald.conf.d/60-golden-ami-cis.conf",
      'mkdir -p /var/log/journal',
      'systemctl restart systemd-journald',
    ].join('\n'),
    check: [
      'storage=$(systemd_setting journald.conf Storage)',
      '[ "$storage" = persistent ] || cis_fail "journald Storage is \'${storage:-auto}\', expected persistent"',
      'compress=$(systemd_setting journald.conf Compress)',
      '# Compress defaults to yes: unset is fine, anything false is not.',
      'case "${compress:-yes}" in',
      '  yes|true|on|1) ;;',
      '  *) cis_fail "journald Compress is \'$compress\', expected yes" ;;',
      'esac',
      '[ -n "$(find /var/log/journal -name \'system*.journal\' -print -quit 2>/dev/null)" ] || cis_fail "journald writes no journal under /var/log/journal"',
    ].join('\n'),
    violations: [
      { description: 'the control\'s drop-in turns compression off', script: "printf '[Journal]\\nStorage=persistent\\nCompress=no\\n' > /etc/systemd/journald.conf.d/60-golden-ami-cis.conf" },
      {
        description: 'a later journald drop-in keeps logs in memory',
        script: "printf '[Journal]\\nStorage=volatile\\n' > /etc/systemd/journald.conf.d/zz-golden-ami-violation.conf",
        cleanup: 'rm -f /etc/systemd/journald.conf.d/zz-golden-ami-violation.conf',
      },
    ],
  },
  {
    id: 'GA-CIS-17',
    level: 2,
    section: CisSection.LOGGING,
    title: 'Ensure auditd is installed and the auditd service is enabled and active',
    changes: 'The `audit` (rpm) or `auditd` (deb) package, its service enabled; the `-a task,never` rule some images ship (which turns syscall auditing off) is removed. Checked in the loaded rules and in the rules the next boot loads.',
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
      '# Read into a variable: `grep -q` ending a pipeline under pipefail can fail the pipeline with SIGPIPE.',
      'on_disk=$(audit_rules_on_disk)',
      '! grep -q "^-a[[:space:]]*task,never" <<< "$on_disk" || cis_fail "syscall auditing is off from the next boot (-a task,never in /etc/audit/rules.d)"',
    ].join('\n'),
    violations: [
      { description: 'auditd disabled at boot', script: 'systemctl disable auditd' },
      {
        description: 'a rules file turns syscall auditing off',
        script: "printf '%s\\n' '-a task,never' > /etc/audit/rules.d/10-golden-ami-violation.rules",
        cleanup: 'rm -f /etc/audit/rules.d/10-golden-ami-violation.rules',
      },
    ],
  },
  {
    id: 'GA-CIS-18',
    level: 2,
    section: CisSection.LOGGING,
    title: 'Ensure audit rules collect identity, time, network environment, sudoers, login, session, permission and kernel module events',
    changes: '`/etc/audit/rules.d/50-golden-ami-cis.rules`: watches on the account files, `/etc/localtime`, `/etc/hosts`, `/etc/issue*`, sudoers, login and session records; syscall rules (64-bit ABI) for time changes, host name changes, permission and owner changes by users (auid >= 1000) and kernel module loading. On x86_64 the legacy `chmod`/`chown`/`lchown` calls are added (arm64 has only the `*at` forms). Loaded with `augenrules` unless the loaded rules are already immutable (a parent image hardened at Level 2, or a second run): then they load at the next boot. Checked in the loaded rules and in the rules the next boot loads.',
    apply: [
      'rules=/etc/audit/rules.d/50-golden-ami-cis.rules',
      '{',
      "  cat <<'EOF'",
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
      '  if [ "$(uname -m)" = x86_64 ]; then',
      "    cat <<'EOF'",
      '-a always,exit -F arch=b64 -S chmod -F auid>=1000 -F auid!=4294967295 -k perm_mod',
      '-a always,exit -F arch=b64 -S chown,lchown -F auid>=1000 -F auid!=4294967295 -k perm_mod',
      'EOF',
      '  fi',
      '} > "$rules"',
      'chmod 0640 "$rules"',
      '# Immutable rules (-e 2, GA-CIS-21) cannot change until reboot: loading would fail.',
      'status=$(auditctl -s)',
      "if grep -qx 'enabled 2' <<< \"$status\"; then",
      '  echo "audit rules are immutable until reboot: $rules loads at the next boot"',
      'else',
      '  augenrules --load',
      'fi',
    ].join('\n'),
    check: [
      'keys=(identity time-change system-locale scope logins session perm_mod kernel_modules)',
      'loaded=$(auditctl -l)',
      'on_disk=$(audit_rules_on_disk)',
      'for key in "${keys[@]}"; do',
      '  grep -Eq -- "(-k |key=)${key}\\$" <<< "$loaded" || cis_fail "no loaded audit rule with key $key"',
      '  grep -Eq -- "-k ${key}\\$" <<< "$on_disk" || cis_fail "no audit rule with key $key in /etc/audit/rules.d (the next boot loads none)"',
      'done',
    ].join('\n'),
    violations: [
      { description: 'the kernel module rule removed from the control\'s file', script: "sed -i '/-k kernel_modules$/d' /etc/audit/rules.d/50-golden-ami-cis.rules" },
    ],
  },
  {
    id: 'GA-CIS-19',
    level: 2,
    section: CisSection.LOGGING,
    title: 'Ensure audit logs are not automatically deleted',
    changes: '`max_log_file = 32` and `max_log_file_action = keep_logs` in `/etc/audit/auditd.conf`, set in place: audit logs are never rotated away, so size the volume or ship and prune them (the CloudWatch agent ships them).',
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
      'for setting in "max_log_file 32" "max_log_file_action keep_logs"; do',
      '  read -r key expected <<< "$setting"',
      '  # auditd.conf has no drop-ins; a later line replaces an earlier one. Values are case-insensitive.',
      "  actual=$(awk -F= -v key=\"$key\" '{ k = $1; gsub(/[ \\t]/, \"\", k) } k == key { v = $2; gsub(/[ \\t]/, \"\", v); value = tolower(v) } END { print value }' /etc/audit/auditd.conf)",
      '  [ "$actual" = "$expected" ] || cis_fail "auditd.conf $key is \'${actual:-unset}\', expected $expected"',
      'done',
    ].join('\n'),
    violations: [
      { description: 'audit logs rotated away again', script: "sed -i -E 's/^max_log_file_action = .*/max_log_file_action = ROTATE/' /etc/audit/auditd.conf" },
    ],
  },
  {
    id: 'GA-CIS-20',
    level: 2,
    section: CisSection.LOGGING,
    title: 'Ensure auditing for processes that start prior to auditd is enabled, with a sufficient backlog',
    changes: 'Kernel arguments `audit=1 audit_backlog_limit=8192` for every installed kernel: with `grubby` (Amazon Linux, RHEL), or `/etc/default/grub.d/60-golden-ami-cis-audit.cfg` and `update-grub` (Ubuntu). Checked on the running kernel\'s command line and in every boot entry.',
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
      '# The next boot: every boot entry carries the arguments.',
      'if command -v grubby >/dev/null 2>&1; then',
      "  entries=$(grubby --info=ALL | grep '^args=')",
      'else',
      "  entries=$(grep -E '^[[:space:]]*linux[[:space:]]' /boot/grub/grub.cfg /boot/grub2/grub.cfg 2>/dev/null || true)",
      'fi',
      '[ -n "$entries" ] || cis_fail "no boot entries found"',
      'while IFS= read -r entry; do',
      '  for argument in audit=1 audit_backlog_limit=8192; do',
      '    grep -qw "$argument" <<< "$entry" || cis_fail "a boot entry lacks $argument: $entry"',
      '  done',
      'done <<< "$entries"',
    ].join('\n'),
    violations: [
      {
        description: 'the boot arguments removed from the boot configuration',
        script: [
          'if command -v grubby >/dev/null 2>&1; then',
          "  grubby --update-kernel=ALL --remove-args='audit audit_backlog_limit'",
          'else',
          '  rm -f /etc/default/grub.d/60-golden-ami-cis-audit.cfg',
          '  update-grub',
          'fi',
        ].join('\n'),
      },
    ],
  },
  {
    id: 'GA-CIS-21',
    level: 2,
    section: CisSection.LOGGING,
    title: 'Ensure the audit configuration is immutable',
    changes: '`/etc/audit/rules.d/99-golden-ami-cis-finalize.rules` with `-e 2`, the last rule loaded: from the next boot, audit rules cannot change until reboot. Not loaded during the build, so later build steps can still load rules. Checked in the kernel\'s audit status and in the rules the next boot loads.',
    apply: [
      "printf '%s\\n' '-e 2' > /etc/audit/rules.d/99-golden-ami-cis-finalize.rules",
      'chmod 0640 /etc/audit/rules.d/99-golden-ami-cis-finalize.rules',
    ].join('\n'),
    check: [
      'status=$(auditctl -s)',
      "grep -qx 'enabled 2' <<< \"$status\" || cis_fail 'audit rules are not immutable'",
      "last=$(audit_rules_on_disk | grep -E '^-e[[:space:]]' | tail -n 1)",
      '[ "$last" = "-e 2" ] || cis_fail "the rules the next boot loads end with \'${last:-no -e}\', expected -e 2"',
    ].join('\n'),
    violations: [
      { description: 'the finalize rule removed', script: 'rm -f /etc/audit/rules.d/99-golden-ami-cis-finalize.rules' },
      {
        description: 'a later rules file makes the rules mutable again',
        script: "printf '%s\\n' '-e 1' > /etc/audit/rules.d/99-zz-golden-ami-violation.rules",
        cleanup: 'rm -f /etc/audit/rules.d/99-zz-golden-ami-violation.rules',
      },
    ],
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
