#!/usr/bin/env bash
# Synthesizes the example app and runs cfn-lint over every template it produces.
# cfn-lint comes from the project's virtualenv (scripts/python-venv.sh).
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/python-venv.sh
venv=.venv

outdir=$(mktemp -d)
trap 'rm -rf "$outdir"' EXIT
# Every example app, each into its own folder.
for example in examples/app.ts examples/ecs.ts; do
  name=$(basename "$example" .ts)
  CDK_OUTDIR="$outdir/$name" npx ts-node --project test/tsconfig.json "$example" > /dev/null
done

templates=("$outdir"/*/*.template.json)
if [ ! -e "${templates[0]}" ]; then
  echo "cfn-lint: the example app produced no template" >&2
  exit 1
fi
# Every finding (error, warning or informational) fails the check, except I1022 ("prefer
# Fn::Sub over Fn::Join"), a style note on how aws-cdk-lib itself renders string tokens.
"$venv/bin/cfn-lint" --include-checks I --ignore-checks I1022 --format parseable -- "${templates[@]}"
echo "cfn-lint: ${#templates[@]} templates, no findings"
