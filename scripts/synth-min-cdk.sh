#!/usr/bin/env bash
# Proves the minimum aws-cdk-lib that package.json declares (the peer range, projen's
# `cdkVersion`): the library and the examples are compiled with tsc against that version
# (type errors fail), the examples are synthesized with it and with the current (dev)
# aws-cdk-lib, both sets of templates are linted with cfn-lint (scripts/cfn-lint.sh), and
# the two sets must match apart from differences that scripts/synth-min-cdk.compare.py
# names and prints.
#
# The minimum aws-cdk-lib is installed once into .min-cdk/ (git-ignored) and reused.
set -euo pipefail
cd "$(dirname "$0")/.."

cache=.min-cdk
min=$(node -p "require('./package.json').peerDependencies['aws-cdk-lib'].replace(/^[\^~]/, '')")
current=$(node -p "require('aws-cdk-lib/package.json').version")
constructs=$(node -p "require('constructs/package.json').version")
min_dir=$cache/aws-cdk-lib-$min

stamp="aws-cdk-lib@$min constructs@$constructs"
install_min() {
  if [ "$(cat "$min_dir/.installed" 2>/dev/null)" != "$stamp" ]; then
    echo "Installing $stamp into $min_dir" >&2
    rm -rf "$min_dir"
    mkdir -p "$min_dir"
    echo '{ "private": true, "description": "The minimum aws-cdk-lib, for scripts/synth-min-cdk.sh" }' > "$min_dir/package.json"
    (cd "$min_dir" && npm install --no-audit --no-fund --loglevel=error "aws-cdk-lib@$min" "constructs@$constructs" >&2)
    echo "$stamp" > "$min_dir/.installed"
  fi
}

install_min

# A copy of src/ and examples/ per aws-cdk-lib version, compiled in place. Node and tsc
# resolve packages from the copy upwards: the minimum's copy finds $min_dir/node_modules
# (aws-cdk-lib, constructs) first and the repository's node_modules for everything else;
# the current's copy finds the repository's node_modules.
prepare() {
  local work=$1
  rm -rf "$work"
  mkdir -p "$work"
  # examples/java and examples/go are the same app in other languages (scripts/examples-java-go.sh).
  tar --exclude=cdk.out --exclude='*.js' --exclude='*.d.ts' --exclude=examples/java --exclude=examples/go -cf - src examples | tar -xf - -C "$work"
  if [ -d assets ]; then cp -r assets "$work/"; fi
  node -e '
    const fs = require("fs");
    const base = JSON.parse(fs.readFileSync("tsconfig.json", "utf-8")).compilerOptions;
    const compilerOptions = { ...base, rootDir: ".", types: ["aws-lambda", "node"], declaration: false, inlineSourceMap: false, inlineSources: false };
    delete compilerOptions.outDir;
    fs.writeFileSync(process.argv[1], JSON.stringify({ compilerOptions, include: ["src/**/*.ts", "examples/**/*.ts"] }, null, 2));
  ' "$work/tsconfig.json"
  npx tsc -p "$work/tsconfig.json"
}

# The aws-cdk-lib the copied library and examples load, as node resolves it from there.
resolved_version() {
  # shellcheck disable=SC2016 # JavaScript, not shell
  node -e '
    const versions = new Set(process.argv.slice(1).map(dir => require(require.resolve("aws-cdk-lib/package.json", { paths: [dir] })).version));
    if (versions.size !== 1) throw new Error(`the library and the examples resolve different aws-cdk-lib versions: ${[...versions].join(", ")}`);
    console.log([...versions][0]);
  ' "$1/src" "$1/src/compliance" "$1/examples"
}

out=$cache/out
rm -rf "$out"
for variant in min current; do
  if [ "$variant" = min ]; then work=$min_dir/work; want=$min; else work=$cache/current/work; want=$current; fi
  echo "::: aws-cdk-lib $want: compile src/ and examples/ (tsc, type-checked against it)"
  prepare "$work"
  got=$(resolved_version "$work")
  if [ "$got" != "$want" ]; then
    echo "The copy in $work resolves aws-cdk-lib $got, not $want" >&2
    exit 1
  fi
  for example in app ecs; do
    CDK_OUTDIR="$out/$variant/$example" node "$work/examples/$example.js" > /dev/null
  done
  echo "    synthesized $(find "$out/$variant" -name '*.template.json' -not -path '*/cdk.out/*' | wc -l) templates into $out/$variant"
done

echo "::: cfn-lint over both"
bash scripts/cfn-lint.sh "$out/min" "$out/current"

echo "::: templates: aws-cdk-lib $min vs $current"
python3 scripts/synth-min-cdk.compare.py "$out/min" "$out/current"
