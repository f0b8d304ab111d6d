#!/usr/bin/env bash
# Synthesizes the example app and runs cfn-lint over every template it produces.
# cfn-lint comes from a project-local virtualenv, created on first use.
set -euo pipefail
cd "$(dirname "$0")/.."

CFN_LINT_VERSION=1.58.0
venv=.venv
if ! "$venv/bin/cfn-lint" --version 2>/dev/null | grep -q "$CFN_LINT_VERSION"; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check "cfn-lint==$CFN_LINT_VERSION"
fi

outdir=$(mktemp -d)
trap 'rm -rf "$outdir"' EXIT
CDK_OUTDIR="$outdir" npx ts-node --project test/tsconfig.json examples/app.ts > /dev/null

templates=("$outdir"/*.template.json)
if [ ! -e "${templates[0]}" ]; then
  echo "cfn-lint: the example app produced no template" >&2
  exit 1
fi
# Every finding (error, warning or informational) fails the check, except I1022 ("prefer
# Fn::Sub over Fn::Join"), a style note on how aws-cdk-lib itself renders string tokens.
"$venv/bin/cfn-lint" --include-checks I --ignore-checks I1022 --format parseable -- "${templates[@]}"
echo "cfn-lint: ${#templates[@]} templates, no findings"
