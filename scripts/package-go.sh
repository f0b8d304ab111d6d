#!/usr/bin/env bash
# `npx projen package:go`: the Go module, generated against the minimum aws-cdk-lib.
#
# jsii-pacmak writes into go.mod the version of the aws-cdk-lib it finds installed, not the
# peer range that Python (`aws-cdk-lib>=`) and Java (a Maven range) take: from the
# repository it would require awscdk at the dev version. So the npm package (as `npm pack`
# makes it) is unpacked next to the minimum aws-cdk-lib (scripts/synth-min-cdk.sh
# --install-only) and jsii-pacmak runs there. Its `go build` then compiles the bindings
# against that awscdk version, which proves they build with it; Go's minimal version
# selection lets users require any newer one.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD

min_dir=$(bash scripts/synth-min-cdk.sh --install-only)
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT

npm pack --ignore-scripts --pack-destination "$stage" > /dev/null
tar -xzf "$stage"/*.tgz -C "$stage"
ln -s "$root/$min_dir/node_modules" "$stage/package/node_modules"
(cd "$stage/package" && "$root/node_modules/.bin/jsii-pacmak" -v --target go --outdir "$root/dist")
