#!/usr/bin/env bash
# Creates (or refreshes) .venv with the Python tools the tests use, at pinned versions.
set -euo pipefail
cd "$(dirname "$0")/.."

requirements=(cfn-lint==1.58.0 "moto[server]==5.2.5" PyYAML==6.0.4 pytest==8.4.2)
venv=.venv
stamp="$venv/.requirements"
if [ -x "$venv/bin/python" ] && [ "$(cat "$stamp" 2>/dev/null)" = "${requirements[*]}" ]; then
  exit 0
fi
python3 -m venv "$venv"
"$venv/bin/pip" install --quiet --disable-pip-version-check "${requirements[@]}"
echo "${requirements[*]}" > "$stamp"
