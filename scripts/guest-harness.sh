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
status=0
PYTHONUNBUFFERED=1 .venv/bin/python -m pytest -p no:cacheprovider -q -s harness "$@" || status=$?
# The per-control table and the seconds per component, also when a test failed.
if [ -f harness-results/guest-report.md ]; then cat harness-results/guest-report.md; fi
exit "$status"
