#!/usr/bin/env bash
# `npx projen compat`: the API of this checkout (its compiled .jsii) against the last release,
# with jsii-diff.
#
# The last release is the newest `v*` tag in HEAD's history, other than a tag on HEAD itself
# (a tagged release commit is compared with the release before it). Its assembly is compiled
# here from the tag's sources with this checkout's node_modules, so the check depends on
# neither a registry nor a publish job having succeeded, and it compares exactly what the
# tag released. With no such tag there is no previous release, and the script says so.
#
# A change that is meant to break the API is listed in .compatignore with the key that
# jsii-diff prints in brackets.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD

if [ ! -f .jsii ]; then
  echo "compat: no .jsii in $root: compile first (npx projen compile)" >&2
  exit 1
fi
# A shallow clone has no history, so it may hold no tag even when releases exist.
if [ "$(git rev-parse --is-shallow-repository)" = true ]; then
  echo "compat: $root is a shallow clone, whose release tags may be missing: fetch the history and tags (git fetch --unshallow --tags)" >&2
  exit 1
fi

head=$(git rev-parse HEAD)
previous=""
while read -r tag; do
  if [ "$(git rev-parse "$tag^{commit}")" != "$head" ]; then
    previous=$tag
    break
  fi
done < <(git -c versionsort.suffix=- tag --merged HEAD --list 'v*' --sort=-version:refname)

if [ -z "$previous" ]; then
  echo "compat: no release tag (v*) in the history of HEAD: there is no previous release to compare the API against"
  exit 0
fi

stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
git archive "$previous" | tar -x -C "$stage"
ln -s "$(realpath node_modules)" "$stage/node_modules"
# The assembly carries the released version (the tagged package.json says 0.0.0).
(cd "$stage" && npm pkg set "version=${previous#v}")
echo "compat: compiling the API of $previous ($(git rev-parse --short "$previous^{commit}"))"
(cd "$stage" && "$root/node_modules/.bin/jsii" --silence-warnings=reserved-word)

echo "compat: comparing the API of HEAD ($(git rev-parse --short HEAD)) with $previous"
"$root/node_modules/.bin/jsii-diff" --keys --ignore-file .compatignore "$stage" .
echo "compat: no incompatible change to the stable API since $previous other than those .compatignore lists"
