#!/usr/bin/env bash
# The ECS example in Java (examples/java, Maven) and in Go (examples/go), built against the
# packages that `npx projen package:java` and `package:go` wrote to dist/, synthesized, and
# compared with the TypeScript example (examples/ecs.ts): each language's ImageFactory and
# Workload templates must equal TypeScript's (scripts/examples-java-go.compare.py).
#
# Caches: Maven's local repository (~/.m2) and Go's module and build caches are the default
# ones, so a second run downloads nothing, and the awscdk Go packages that `package:go`
# compiled just before are not compiled again.
set -euo pipefail
cd "$(dirname "$0")/.."

version=$(node -p "require('./package.json').version")
jar=dist/java/io/github/cdk-golden-ami/cdk-golden-ami/$version/cdk-golden-ami-$version.jar
if [ ! -f "$jar" ] || [ ! -f dist/go/cdkgoldenami/go.mod ]; then
  echo "No $jar or dist/go/cdkgoldenami/go.mod: run npx projen package:java and package:go first" >&2
  exit 1
fi
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
took() { echo "    done in $(( SECONDS - $1 ))s"; }

t0=$SECONDS
echo "::: TypeScript: examples/ecs.ts, aws-cdk-lib $(node -p "require('aws-cdk-lib/package.json').version")"
# Type-checked by tsc and eslint elsewhere; here it only has to run.
CDK_OUTDIR="$out/typescript" npx ts-node --transpile-only --project tsconfig.dev.json examples/ecs.ts
took "$t0"

t0=$SECONDS
echo "::: Java: examples/java, aws-cdk-lib $(sed -n 's#.*<aws-cdk-lib.version>\(.*\)</aws-cdk-lib.version>.*#\1#p' examples/java/pom.xml)"
# Maven copies what it resolves into its local repository and never fetches a release again,
# so the package of an earlier build would shadow the one just built: drop that copy, and
# check afterwards that the jar Maven used is the one in dist/java. The local repository is
# named here (Maven's default place, or MAVEN_REPO_LOCAL) so that this script knows it.
local_repo=${MAVEN_REPO_LOCAL:-$HOME/.m2/repository}
rm -rf "$local_repo/io/github/cdk-golden-ami/cdk-golden-ami"
(cd examples/java && CDK_OUTDIR="$out/java" mvn --batch-mode --quiet --no-transfer-progress \
  "-Dmaven.repo.local=$local_repo" "-Dcdk-golden-ami.version=$version" compile exec:java)
cmp "$jar" "$local_repo/io/github/cdk-golden-ami/cdk-golden-ami/$version/cdk-golden-ami-$version.jar"
took "$t0"

t0=$SECONDS
echo "::: Go: examples/go, $(cd examples/go && go list -m -f '{{.Path}} {{.Version}}' github.com/aws/aws-cdk-go/awscdk/v2)"
# -mod=readonly: go.mod and go.sum are complete as committed, nothing is resolved anew.
(cd examples/go && go build -mod=readonly -o "$out/ecs-go" . && CDK_OUTDIR="$out/go" "$out/ecs-go")
took "$t0"

echo "::: templates: Java and Go vs TypeScript"
python3 scripts/examples-java-go.compare.py "$out/typescript" "$out/java" "$out/go"
