"""The guest harness report: the per-control table and the seconds per component.

Each pytest process (a lane of scripts/guest-harness.sh) writes its findings to
harness-results/guest-report-<lane>.json; `python -m harness.report` merges every lane's file
into harness-results/guest-report.md and prints it.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

RESULTS = Path(__file__).resolve().parent.parent / 'harness-results'


def merge(reports: list[dict]) -> dict:
    """One report from several lanes: recipes and controls are disjoint per lane, notes add up."""
    merged: dict = {'controlIds': [], 'recipes': {}, 'controls': {}, 'notes': []}
    for report in reports:
        for control_id in report.get('controlIds', []):
            if control_id not in merged['controlIds']:
                merged['controlIds'].append(control_id)
        for recipe, runs in report.get('recipes', {}).items():
            merged['recipes'].setdefault(recipe, {}).update(runs)
        for control_id, row in report.get('controls', {}).items():
            merged['controls'].setdefault(control_id, {}).update(row)
        merged['notes'] += report.get('notes', [])
    return merged


def render(report: dict) -> str:
    lines = ['# Guest harness report', '', '## CIS controls (Level 2 guest)', '',
             '| control | applied | checked after reboot | idempotent (second run) | violations detected | repaired |',
             '| --- | --- | --- | --- | --- | --- |']
    for control_id in report['controlIds']:
        row = report['controls'].get(control_id, {})
        violations = row.get('violations', [])
        detected = sum(1 for v in violations if v['detected'])
        repaired = sum(1 for v in violations if v['repaired'])
        lines.append(f"| {control_id} | {row.get('first', '-')} | {row.get('first', '-')} | {row.get('second', '-')} "
                     f"| {detected}/{len(violations)} | {repaired}/{len(violations)} |")
    lines += ['', '## Seconds per component on the guest (qemu software emulation)', '']
    for recipe, runs in report['recipes'].items():
        for run, data in runs.items():
            lines += [f'### {recipe} ({run} run): total {data["total"]:.0f} s', '',
                      '| component | build | validate | test |', '| --- | --- | --- | --- |']
            for component, phases in data['seconds'].items():
                cells = ' | '.join(f"{phases[p]:.1f}" if p in phases else '-' for p in ('build', 'validate', 'test'))
                lines.append(f'| {component} | {cells} |')
            lines.append('')
    lines += ['## Notes', ''] + [f'- {note}' for note in report['notes']]
    return '\n'.join(lines) + '\n'


def write_lane(report: dict, lane: str) -> Path:
    RESULTS.mkdir(exist_ok=True)
    path = RESULTS / f'guest-report-{lane}.json'
    path.write_text(json.dumps(report, indent=2))
    return path


def main() -> int:
    lanes = sorted(RESULTS.glob('guest-report-*.json'))
    if not lanes:
        print('no guest harness report in harness-results/', file=sys.stderr)
        return 1
    text = render(merge([json.loads(path.read_text()) for path in lanes]))
    (RESULTS / 'guest-report.md').write_text(text)
    print(text)
    return 0


if __name__ == '__main__':
    sys.exit(main())
