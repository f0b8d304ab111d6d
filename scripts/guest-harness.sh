#!/usr/bin/env bash
# The guest harness: runs the library's generated AWSTOE documents on a booted Debian 12 guest
# under qemu (harness/README.md). Installs what it needs: qemu and debootstrap from the
# machine's Debian packages, pytest and PyYAML in the project's virtualenv. The prepared guest
# image is cached outside the repository ($GOLDEN_AMI_HARNESS_CACHE) and rebuilt when missing.
set -euo pipefail
cd "$(dirname "$0")/.."

tools=(qemu-system-x86_64:qemu-system-x86 qemu-img:qemu-utils debootstrap:debootstrap mke2fs:e2fsprogs dpkg-deb:dpkg)
missing=()
for entry in "${tools[@]}"; do
  command -v "${entry%%:*}" >/dev/null || missing+=("${entry#*:}")
done
if [ "${#missing[@]}" -gt 0 ]; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi

bash scripts/python-venv.sh
fixtures=$(mktemp -d)
trap 'rm -rf "$fixtures"' EXIT
npx ts-node --project tsconfig.dev.json harness/export-fixtures.ts "$fixtures/fixtures.json"
export GOLDEN_AMI_HARNESS_FIXTURES="$fixtures/fixtures.json"
rm -f harness-results/guest-report-*.json harness-results/guest-report.md
# Built (or found in the cache) once, before any lane boots from it.
.venv/bin/python -c 'from harness.guest import prepare; prepare()'

pytest_run() { PYTHONUNBUFFERED=1 .venv/bin/python -m pytest -p no:cacheprovider -q -s "$@"; }

# A guest under software emulation keeps one host core busy per running vCPU, and most build
# steps (dpkg, Python byte-compiling) are single-threaded. So with two cores or more the suite
# runs as two lanes side by side, one single-vCPU guest each: the Level 2 guest (its builds, the
# violations, the ECS image on it) in one, everything else in the other. Arguments (a `-k`, say)
# run one lane with them instead.
lanes=${GOLDEN_AMI_HARNESS_LANES:-$([ "$(nproc)" -ge 2 ] && echo 2 || echo 1)}
status=0
if [ "$#" -gt 0 ] || [ "$lanes" -lt 2 ]; then
  GOLDEN_AMI_HARNESS_LANE=all pytest_run harness "$@" || status=$?
else
  export GOLDEN_AMI_HARNESS_GUEST_CPUS=${GOLDEN_AMI_HARNESS_GUEST_CPUS:-1}
  lane() {
    local name=$1; shift
    { GOLDEN_AMI_HARNESS_LANE=$name pytest_run "$@" 2>&1; echo $? > "$fixtures/$name.rc"; } | sed -u "s/^/[$name] /"
  }
  lane level-2 harness/test_guest.py -k level_2 &
  lane other harness -k 'not level_2' &
  wait
  for name in level-2 other; do
    code=$(cat "$fixtures/$name.rc" 2>/dev/null || echo 1)
    echo "lane $name: exit $code"
    [ "$code" = 0 ] || status=1
  done
fi
# The per-control table and the seconds per component, also when a test failed.
.venv/bin/python -m harness.report || status=1
exit "$status"
