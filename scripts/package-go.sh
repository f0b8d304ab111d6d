#!/usr/bin/env bash
# `npx projen package:go`: the Go module, generated against the minimum aws-cdk-lib.
#
# jsii-pacmak writes into go.mod the versions of the jsii packages it finds installed, not
# the peer range that Python (`aws-cdk-lib>=`) and Java (a Maven range) take: from the
# repository it would require awscdk at the dev version. So the npm package (as `npm pack`
# makes it) is unpacked next to the minimum aws-cdk-lib, with aws-cdk-lib's own jsii
# dependencies at the versions the awscdk Go module of that release requires, and
# jsii-pacmak runs there. Its `go build` compiles the bindings against that awscdk, which
# proves they build with it. Go's minimal version selection lets users require any newer
# one: the bindings are then built once more with the awscdk of the dev aws-cdk-lib, which
# proves that end too.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD

min=$(node -p "require('./package.json').peerDependencies['aws-cdk-lib'].replace(/^[\^~]/, '')")
constructs=$(node -p "require('./package.json').peerDependencies.constructs.replace(/^[\^~]/, '')")
current=$(node -p "require('aws-cdk-lib/package.json').version")
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT

# The npm packages behind the awscdk module's Go requirements, at those versions.
awscdk_mod=$(go mod download -json "github.com/aws/aws-cdk-go/awscdk/v2@v$min" | node -p 'JSON.parse(require("fs").readFileSync(0, "utf-8")).GoMod')
# shellcheck disable=SC2016 # JavaScript, not shell
jsii_deps=$(node -e '
  const npmNames = {
    "github.com/cdklabs/awscdk-asset-awscli-go/awscliv1/v2": "@aws-cdk/asset-awscli-v1",
    "github.com/cdklabs/awscdk-asset-node-proxy-agent-go/nodeproxyagentv6/v2": "@aws-cdk/asset-node-proxy-agent-v6",
    "github.com/cdklabs/cloud-assembly-schema-go/awscdkcloudassemblyschema/v": "@aws-cdk/cloud-assembly-schema",
  };
  const packages = [];
  for (const [, module, version] of require("fs").readFileSync(process.argv[1], "utf-8").matchAll(/^\s*(\S+) v(\S+)/gm)) {
    const prefix = Object.keys(npmNames).find(name => module === name || (name.endsWith("/v") && module.startsWith(name)));
    if (prefix) packages.push(`${npmNames[prefix]}@${version}`);
  }
  console.log(packages.join(" "));
' "$awscdk_mod")
echo "aws-cdk-lib@$min with constructs@$constructs $jsii_deps"
mkdir -p "$stage/deps"
echo '{ "private": true }' > "$stage/deps/package.json"
# shellcheck disable=SC2086 # a list of package@version words
(cd "$stage/deps" && npm install --no-audit --no-fund --loglevel=error "aws-cdk-lib@$min" "constructs@$constructs" $jsii_deps)

npm pack --ignore-scripts --pack-destination "$stage" > /dev/null
tar -xzf "$stage"/*.tgz -C "$stage"
ln -s "$stage/deps/node_modules" "$stage/package/node_modules"
(cd "$stage/package" && "$root/node_modules/.bin/jsii-pacmak" -v --target go --outdir "$root/dist")

# The same bindings with the current awscdk (a throwaway go.mod; dist/go is not touched).
module_dir=$(dirname "$(find "$root/dist/go" -name go.mod | head -1)")
sed "s#^\(\s*github.com/aws/aws-cdk-go/awscdk/v2\) v.*#\1 v$current#" "$module_dir/go.mod" > "$stage/current.mod"
grep -q "awscdk/v2 v$current\$" "$stage/current.mod"
echo "Building the Go bindings with awscdk v$current"
(cd "$module_dir" && go mod tidy -modfile "$stage/current.mod" && go build -modfile "$stage/current.mod" ./...)
