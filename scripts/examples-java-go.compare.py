"""Compares the ECS example's templates synthesized in other languages with TypeScript's.

Usage: python3 scripts/examples-java-go.compare.py TYPESCRIPT_DIR OTHER_DIR...

Each OTHER_DIR (named by its last path part: java, go) must hold an ImageFactory and a Workload
template equal to TypeScript's as JSON values, as CloudFormation reads them: the order of an
object's keys is not compared (aws-cdk-lib releases that render a property through
addPropertyOverride put it last), everything else is. The first difference of each template
is printed as a JSON path with both values; an equal one is said to be equal byte for byte or
only as JSON.
"""

import importlib.util
import json
import sys
from pathlib import Path

STACKS = ["ImageFactory", "Workload"]

# The same walk as the minimum-vs-current comparison: a path per difference, in key order.
_spec = importlib.util.spec_from_file_location("min_cdk_compare", Path(__file__).with_name("synth-min-cdk.compare.py"))
_compare = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_compare)
differences = _compare.differences


def load(folder, stack):
    return json.loads((Path(folder) / f"{stack}.template.json").read_text())


def main(typescript_dir, *other_dirs):
    if not other_dirs:
        print(__doc__)
        return 2
    failed = 0
    for stack in STACKS:
        expected = load(typescript_dir, stack)
        resources = expected.get("Resources", {})
        # An empty stack on both sides would compare equal and prove nothing.
        if len(resources) <= 5:
            print(f"TypeScript's {stack} has {len(resources)} resources: the example did not synthesize")
            return 1
        for folder in other_dirs:
            language = Path(folder).name
            got = load(folder, stack)
            first = next(differences(expected, got), None)
            if first is None:
                same_bytes = (Path(folder) / f"{stack}.template.json").read_bytes() == (Path(typescript_dir) / f"{stack}.template.json").read_bytes()
                how = "byte for byte" if same_bytes else "as JSON (keys in another order)"
                print(f"  {language:5} {stack}: equal to TypeScript's {how}, {len(resources)} resources")
            else:
                path, want, have = first
                count = sum(1 for _ in differences(expected, got))
                print(f"  {language:5} {stack}: DIFFERENT at {path} ({count} differences in all)\n"
                      f"    typescript: {json.dumps(want)[:400]}\n"
                      f"    {language + ':':11} {json.dumps(have)[:400]}")
                failed += 1
    if failed:
        print(f"{failed} templates differ from TypeScript's")
        return 1
    print(f"{len(STACKS) * len(other_dirs)} templates equal to TypeScript's")
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:]))
