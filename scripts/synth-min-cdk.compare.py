"""Compares the example templates synthesized with the minimum aws-cdk-lib and the current one.

Usage: python3 scripts/synth-min-cdk.compare.py MIN_DIR CURRENT_DIR

The templates must be equal once the differences listed in KNOWN_DIFFERENCES are taken out;
each one is a change aws-cdk-lib made on purpose between the two versions, and every place it
is taken out is printed. Any other difference is printed as a path with both values and fails.
"""

import json
import sys
from pathlib import Path

# Each entry is a function (template, where, dropped) that takes one named difference out of
# the template in place and appends a line saying what it took out, and where, to `dropped`.
# None is needed between 2.240.0 and 2.276.0: their templates are equal. (Measured with
# 2.185.0: Cluster.addAsgCapacityProvider then appended aws-cdk-lib's ECS IMDS-blocking
# commands to the capacity's user data, removed in 2.233.0 by aws/aws-cdk#36362.)
KNOWN_DIFFERENCES = []


def differences(a, b, path="$"):
    if type(a) is not type(b):
        yield path, a, b
    elif isinstance(a, dict):
        for key in sorted(set(a) | set(b)):
            if key not in a or key not in b:
                yield f"{path}.{key}", a.get(key, "<absent>"), b.get(key, "<absent>")
            else:
                yield from differences(a[key], b[key], f"{path}.{key}")
    elif isinstance(a, list):
        if len(a) != len(b):
            yield f"{path} (length {len(a)} vs {len(b)})", a, b
        else:
            for i, (x, y) in enumerate(zip(a, b)):
                yield from differences(x, y, f"{path}[{i}]")
    elif a != b:
        yield path, a, b


def main(min_dir, current_dir):
    min_dir, current_dir = Path(min_dir), Path(current_dir)
    def names(folder):
        return {str(p.relative_to(folder)) for p in folder.rglob("*.template.json")}
    min_templates, current_templates = names(min_dir), names(current_dir)
    if min_templates != current_templates:
        print(f"different templates: only with the minimum {sorted(min_templates - current_templates)}, "
              f"only with the current {sorted(current_templates - min_templates)}")
        return 1
    if not min_templates:
        print(f"no templates under {min_dir}")
        return 1

    dropped, unexplained = [], []
    for name in sorted(min_templates):
        old = json.loads((min_dir / name).read_text())
        new = json.loads((current_dir / name).read_text())
        for normalize in KNOWN_DIFFERENCES:
            normalize(old, f"{name} (minimum)", dropped)
            normalize(new, f"{name} (current)", dropped)
        unexplained += [(name, *d) for d in differences(old, new)]

    for line in dropped:
        print(f"  known difference: {line}")
    for name, path, old, new in unexplained:
        print(f"  DIFFERENT {name} {path}:\n    minimum: {json.dumps(old)[:400]}\n    current: {json.dumps(new)[:400]}")
    if unexplained:
        print(f"{len(unexplained)} differences between the minimum and the current aws-cdk-lib that no known change explains")
        return 1
    print(f"{len(min_templates)} templates equal" + (f", apart from the {len(dropped)} known differences above" if dropped else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:3]))
