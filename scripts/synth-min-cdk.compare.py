"""Compares the example templates synthesized with the minimum aws-cdk-lib and the current one.

Usage: python3 scripts/synth-min-cdk.compare.py MIN_DIR CURRENT_DIR

The templates must be equal once the differences listed in KNOWN_DIFFERENCES are taken out;
each one is a change aws-cdk-lib made on purpose between the two versions, and every place it
is taken out is printed. Any other difference is printed as a path with both values and fails.
"""

import json
import sys
from pathlib import Path

# ECS: up to 2.232 (removed in 2.233.0, aws/aws-cdk#36362; measured: present in 2.231.0,
# absent in 2.253.0), Cluster.addAsgCapacityProvider appends commands that block containers
# from the instance metadata service, unless a feature flag opts out
# (@aws-cdk/aws-ecs:disableEcsImdsBlocking). GoldenImageEcsCapacity goes through it.
ECS_IMDS_BLOCKING = [
    "\nsudo iptables --insert FORWARD 1 --in-interface docker+ --destination 169.254.169.254/32 --jump DROP",
    "\nsudo service iptables save",
    "\necho ECS_AWSVPC_BLOCK_IMDS=true >> /etc/ecs/ecs.config",
]


def drop_ecs_imds_blocking(template, where, dropped):
    """Takes aws-cdk-lib's old ECS IMDS-blocking commands out of launch template user data."""
    for logical_id, resource in template.get("Resources", {}).items():
        if resource.get("Type") != "AWS::EC2::LaunchTemplate":
            continue
        user_data = resource.get("Properties", {}).get("LaunchTemplateData", {}).get("UserData", {})
        parts = user_data.get("Fn::Base64", {}).get("Fn::Join", [None, []])[1]
        for i, part in enumerate(parts):
            if not isinstance(part, str):
                continue
            for command in ECS_IMDS_BLOCKING:
                if command in part:
                    part = part.replace(command, "", 1)
                    dropped.append(f"{where} {logical_id} UserData: {command.strip()!r} "
                                   "(ECS IMDS blocking, removed from aws-cdk-lib in 2.233.0)")
            parts[i] = part


KNOWN_DIFFERENCES = [drop_ecs_imds_blocking]


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
    print(f"{len(min_templates)} templates equal, apart from {len(dropped)} known differences listed above")
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:3]))
