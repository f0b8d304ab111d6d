#!/usr/bin/env bash
# Runs cfn-lint over every template, with the configuration README.md gives users
# ("Linting templates with cfn-lint": a `.cfnlintrc` and the schema patch it names, read
# from the README itself, so what is documented is what is tested).
#   scripts/cfn-lint.sh            synthesizes the example apps and lints their templates
#   scripts/cfn-lint.sh DIR...     lints the templates already synthesized under each DIR
# cfn-lint comes from the project's virtualenv (scripts/python-venv.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD

bash scripts/python-venv.sh
cfn_lint=$root/.venv/bin/cfn-lint

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# The fenced block that follows `<!-- $1 -->` in README.md.
readme_block() {
  awk -v marker="<!-- $1 -->" '$0 == marker { f = 1; next } f && /^```/ { if (b) exit; b = 1; next } b { print }' README.md
}
config=$work/config
mkdir -p "$config"
readme_block cfnlintrc > "$config/.cfnlintrc"
spec=$(awk '$1 == "override_spec:" { print $2 }' "$config/.cfnlintrc")
if [ -z "$spec" ]; then
  echo "cfn-lint: README.md has no '<!-- cfnlintrc -->' block naming an override_spec" >&2
  exit 1
fi
readme_block cfn-lint-override-spec > "$config/$spec"
python3 -m json.tool "$config/$spec" > /dev/null

if [ $# -eq 0 ]; then
  # Every example app, each into its own folder.
  for example in examples/app.ts examples/ecs.ts; do
    name=$(basename "$example" .ts)
    CDK_OUTDIR="$work/out/$name" npx ts-node --project tsconfig.dev.json "$example" > /dev/null
  done
  set -- "$work/out"
fi
templates=()
for dir in "$@"; do
  while IFS= read -r template; do templates+=("$(cd "$(dirname "$template")" && pwd)/$(basename "$template")"); done \
    < <(find "$dir" -name '*.template.json' -not -path '*/cdk.out/*' | sort)
done
if [ ${#templates[@]} -eq 0 ]; then
  echo "cfn-lint: no template under: $*" >&2
  exit 1
fi

# Every finding (error, warning or informational) fails the check, except I1022 ("prefer
# Fn::Sub over Fn::Join"), a style note on how aws-cdk-lib itself renders string tokens.
# Run from the configuration's folder: cfn-lint reads ./.cfnlintrc.
(cd "$config" && "$cfn_lint" --include-checks I --ignore-checks I1022 --format parseable -- "${templates[@]}")

# The schema patch must teach cfn-lint the properties, not silence it: a pipeline with a
# scan result condition CloudFormation would reject is still reported.
pipeline_template=$(grep -l '"ScanResultCondition"' "${templates[@]}" | head -1 || true)
if [ -n "$pipeline_template" ]; then
  node -e '
    const fs = require("fs");
    const template = JSON.parse(fs.readFileSync(process.argv[1], "utf-8"));
    for (const resource of Object.values(template.Resources)) {
      const scanning = resource.Properties?.ImageScanningConfiguration;
      if (scanning?.ScanResultCondition) scanning.ScanResultCondition.MaximumSeverityLabel = "CRITICAL";
    }
    fs.writeFileSync(process.argv[2], JSON.stringify(template, null, 1));
  ' "$pipeline_template" "$work/broken.template.json"
  if (cd "$config" && "$cfn_lint" --format parseable -- "$work/broken.template.json") > "$work/broken.out"; then
    echo "cfn-lint: with README.md's configuration, MaximumSeverityLabel CRITICAL went unreported" >&2
    exit 1
  fi
  if ! grep -q ":E3030:'CRITICAL' is not one of" "$work/broken.out" || grep -qv ":E3030:'CRITICAL' is not one of" "$work/broken.out"; then
    echo "cfn-lint: expected only E3030 on MaximumSeverityLabel CRITICAL, got:" >&2
    cat "$work/broken.out" >&2
    exit 1
  fi
  echo "cfn-lint: README.md's schema patch still rejects MaximumSeverityLabel CRITICAL (E3030)"
else
  echo "cfn-lint: no template sets failBuildOnFindings; examples/app.ts should" >&2
  exit 1
fi
echo "cfn-lint: ${#templates[@]} templates, no findings"
