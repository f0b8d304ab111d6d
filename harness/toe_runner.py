"""A local AWSTOE runner: runs the AWSTOE component documents (YAML, schema 1.0) that the
library generates on a booted guest, the way EC2 Image Builder runs them on its build and test
instances.

The document is parsed with PyYAML's safe loader. PyYAML is a YAML 1.1 parser, like the Go
parser AWSTOE uses, so characters that YAML 1.1 treats as line breaks (U+0085, U+2028, U+2029,
a lone CR) change a document here the way they change it in the service; a YAML 1.2 parser (the
`yaml` npm package) would hide that. The only addition to `yaml.safe_load` is that a mapping with
a duplicated key is an error instead of silently keeping the last value.

Anything this runner does not know is an error, not a guess: unknown top-level keys, phase names,
step keys or actions; parameters without a value; values for undeclared parameters; `{{ ... }}`
expressions that are not a declared parameter, a constant or a step output. The point is to catch
documents that the service would reject or run differently.

Semantics, as checked against AWS's documentation:

- Document, phases, steps, `onFailure` (Abort by default), `maxAttempts` (1 by default),
  `timeoutSeconds` (7200 by default; -1 means no timeout; 0 and other negative values are not
  allowed), chaining `{{ phase.step.outputs.stdout }}`; phases run in the order the document
  defines them, whatever order the caller asks for:
  https://docs.aws.amazon.com/imagebuilder/latest/userguide/toe-use-documents.md
  https://docs.amazonaws.cn/en_us/imagebuilder/latest/userguide/toe-use-documents.md
  (the step table with the 7,200 second default and the -1 rule is the one in the archived source
  of the same guide, awsdocs/ec2-image-builder-user-guide doc_source/image-builder-application-documents.md).
- onFailure values and meaning: Abort "fails the step and document execution", Continue "fails the
  step and proceeds to execute the next step in the document", Ignore "ignores the step and proceeds
  to execute the next step in the document":
  https://docs.aws.amazon.com/cdk/api/v2/docs/@aws-cdk_aws-imagebuilder-alpha.ComponentOnFailure.html
  Reading of that text used here: a step that failed under Continue still fails the document once
  its remaining steps have run (ToeFailure at the end); an Ignored step does not.
- Action modules (ExecuteBash: the commands become one file run with bash, its exit code is the
  step's; exit code 194 makes AWSTOE reboot the instance and run the same step again, so scripts
  must be idempotent. S3Download: an object, or every object under a key prefix given with `*`,
  to a local path; S3Upload: a file, the files matched by `*` in a folder, or with `recurse: true`
  folders too, to a key or key prefix. Reboot with `delaySeconds`):
  https://docs.aws.amazon.com/imagebuilder/latest/userguide/toe-action-modules.html
  https://docs.amazonaws.cn/en_us/imagebuilder/latest/userguide/toe-action-modules.html
  https://docs.aws.amazon.com/imagebuilder/latest/userguide/image-builder-action-modules.html
  The full action list (to tell an AWSTOE action this harness does not run from a misspelling):
  https://docs.aws.amazon.com/cdk/api/v2/docs/@aws-cdk_aws-imagebuilder-alpha.ComponentAction.html
- Exit code 194 as the reboot request of a Linux script:
  https://docs.aws.amazon.com/systems-manager/latest/userguide/send-commands-reboot.html
- Parameters and constants (names of 3 to 128 letters, digits, '-' and '_'; type string; `default`
  optional; references `{{ Name }}` with optional spaces, case-sensitive):
  https://docs.amazonaws.cn/en_us/imagebuilder/latest/userguide/toe-user-defined-variables.md
  https://docs.aws.amazon.com/id_id/imagebuilder/latest/userguide/toe-user-defined-variables.html
- Build stage = build and validate phases, test stage = test phase on an instance launched from
  the new image: https://docs.aws.amazon.com/imagebuilder/latest/userguide/manage-components.md

Stand-ins and limits of this harness (each one says so in its error message):
- S3 is a host folder `s3_root`: `s3://bucket/key` is the file `s3_root/bucket/key`; a bucket is a
  folder that must exist. `expectedBucketOwner` must be a 12-digit account ID but is not checked
  against an owner (the stand-in has none). S3Download `overwrite` defaults to true.
- ExecutePowerShell (Windows), `if`, `loop` and the actions the library does not emit are refused.
- A step that keeps asking for a reboot (exit code 194) fails after MAX_REBOOTS_PER_STEP reboots.

The executor (the guest) provides:
  run(script, timeout=1800, user='root') -> (exit_code, stdout, stderr); a script stopped at its
      timeout ends with exit code 124 (coreutils `timeout`, as harness/guest.py does it), and an
      executor that stops answering raises TimeoutError (or subprocess.TimeoutExpired);
      AWSTOE's timeoutSeconds: -1 (no timeout) is passed as UNLIMITED_TIMEOUT_SECONDS;
  reboot() -> seconds; put(local_path, remote_path); get(remote_path, local_path), which raise
      (OSError, RuntimeError) when a copy fails.
This runner copies single files only with put/get (it lists folders itself), so it does not depend
on how the executor copies folders.
"""

from __future__ import annotations

import dataclasses
import os
import re
import shlex
import subprocess
import time
from typing import Any, Callable, Iterable, Mapping, Optional, Sequence

import yaml

SCHEMA_VERSION = '1.0'
PHASES = ('build', 'validate', 'test')
DEFAULT_TIMEOUT_SECONDS = 7200
REBOOT_EXIT_CODE = 194
TIMEOUT_EXIT_CODE = 124  # coreutils `timeout`, which the guest wraps scripts in
UNLIMITED_TIMEOUT_SECONDS = 7 * 24 * 3600.0  # what timeoutSeconds: -1 (no timeout) is passed as
MAX_REBOOTS_PER_STEP = 10
TAIL_CHARS = 2000
ON_FAILURE = ('Abort', 'Continue', 'Ignore')

SUPPORTED_ACTIONS = ('ExecuteBash', 'Reboot', 'S3Download', 'S3Upload')
WINDOWS_ACTIONS = ('ExecutePowerShell',)
# AWSTOE actions this harness does not run (the library does not emit them).
OTHER_AWSTOE_ACTIONS = (
    'AppendFile', 'Assert', 'CopyFile', 'CopyFolder', 'CreateFile', 'CreateFolder', 'CreateSymlink',
    'DeleteFile', 'DeleteFolder', 'ExecuteBinary', 'ExecuteDocument', 'InstallMSI', 'ListFiles',
    'MoveFile', 'MoveFolder', 'ReadFile', 'SetFileEncoding', 'SetFileOwner', 'SetFolderOwner',
    'SetFilePermissions', 'SetFolderPermissions', 'SetRegistry', 'UninstallMSI', 'UpdateOS', 'WebDownload',
)

TOP_LEVEL_KEYS = ('name', 'description', 'schemaVersion', 'parameters', 'constants', 'phases')
STEP_KEYS = ('name', 'action', 'inputs', 'timeoutSeconds', 'onFailure', 'maxAttempts', 'if', 'loop')
STEP_NAME = re.compile(r'^[A-Za-z0-9_-]+$')
VARIABLE_NAME = re.compile(r'^[A-Za-z0-9_-]{3,128}$')
EXPRESSION = re.compile(r'\{\{(.*?)\}\}', re.DOTALL)
OUTPUT_REFERENCE = re.compile(r'^(build|validate|test)\.([A-Za-z0-9_-]+)\.outputs\.stdout$')
S3_URI = re.compile(r'^s3://([^/]+)/(.*)$', re.DOTALL)
BUCKET_NAME = re.compile(r'^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$')
ACCOUNT_ID = re.compile(r'^\d{12}$')
S3_INPUT_KEYS = {
    'S3Download': ('source', 'destination', 'expectedBucketOwner', 'overwrite'),
    'S3Upload': ('source', 'destination', 'recurse', 'expectedBucketOwner'),
}


class ToeError(Exception):
    """Base class of the runner's errors."""


class ToeValidationError(ToeError):
    """The document (or the values given for it) would be rejected or run differently by the service."""


class ToeFailure(ToeError):
    """A step failed and the document failed (onFailure Abort, or a Continue step at the end)."""

    def __init__(self, component: str, phase: str, step: str, exit_code: Optional[int], stderr_tail: str,
                 message: str, result: 'DocumentResult'):
        self.component = component
        self.phase = phase
        self.step = step
        self.exit_code = exit_code
        self.stderr_tail = stderr_tail
        self.result = result
        self.recipe_result: Optional[RecipeResult] = None
        super().__init__(
            f"component '{component}', phase '{phase}', step '{step}' failed "
            f"(exit code {exit_code}): {message}\n--- stderr (tail) ---\n{stderr_tail}")


@dataclasses.dataclass
class StepResult:
    """What one step did."""
    phase: str
    name: str
    action: str
    status: str  # 'Success', 'Failed' or 'Ignored' (failed under onFailure: Ignore)
    exit_code: Optional[int]  # None when the step timed out or is not a script
    attempts: int
    reboots: int  # reboots the step asked for with exit code 194, or 1 for a Reboot step
    seconds: float
    stdout_tail: str
    stderr_tail: str
    message: str = ''


@dataclasses.dataclass
class DocumentResult:
    """What one run of a document did."""
    component: str
    phases: list[str]  # the phases that ran, in document order
    steps: list[StepResult]
    phase_seconds: dict[str, float]
    seconds: float

    @property
    def failed_steps(self) -> list[StepResult]:
        return [step for step in self.steps if step.status == 'Failed']


@dataclasses.dataclass
class RecipeResult:
    """What a recipe run did: documents in run order and the time each component took per phase."""
    documents: list[DocumentResult]
    seconds: dict[str, dict[str, float]]  # component name -> phase -> seconds
    build_stage_seconds: float  # build and validate phases of every component
    reboot_seconds: float  # the reboot that stands for launching the test instance
    test_stage_seconds: float
    total_seconds: float

    def table(self) -> str:
        """A text table of seconds per component and phase, with totals."""
        rows = [f"{'component':40} {'build':>9} {'validate':>9} {'test':>9}"]
        for component, phases in self.seconds.items():
            cells = ' '.join(f"{phases[p]:9.1f}" if p in phases else f"{'-':>9}" for p in PHASES)
            rows.append(f'{component:40} {cells}')
        rows.append(f'build stage {self.build_stage_seconds:.1f} s, reboot {self.reboot_seconds:.1f} s, '
                    f'test stage {self.test_stage_seconds:.1f} s, total {self.total_seconds:.1f} s')
        return '\n'.join(rows)


@dataclasses.dataclass
class Step:
    phase: str
    name: str
    action: str
    inputs: Any
    timeout_seconds: int
    on_failure: str
    max_attempts: int


@dataclasses.dataclass
class Document:
    """A parsed and validated document, with every parameter and constant value known."""
    name: str
    variables: dict[str, str]  # parameters (given values over defaults) and constants
    phases: list[tuple[str, list[Step]]]

    def phase_names(self) -> list[str]:
        return [name for name, _ in self.phases]


# ---------------------------------------------------------------------------------------------
# Parsing and validation


class _Loader(yaml.SafeLoader):
    """yaml.safe_load's loader, with duplicated mapping keys as an error."""


def _construct_mapping(loader: _Loader, node: yaml.MappingNode, deep: bool = False) -> dict:
    seen: dict = {}
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=True)
        try:
            hash(key)
        except TypeError:
            continue  # SafeLoader rejects it below ("found unhashable key")
        if key in seen:
            raise ToeValidationError(f'duplicated key {key!r} in a mapping{key_node.start_mark}')
        seen[key] = True
    return yaml.SafeLoader.construct_mapping(loader, node, deep=deep)


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def parse_yaml(document_text: str) -> Any:
    """The document as yaml.safe_load reads it (YAML 1.1), with duplicated keys as an error."""
    try:
        return yaml.load(document_text, Loader=_Loader)  # noqa: S506 - a SafeLoader subclass
    except yaml.YAMLError as error:
        raise ToeValidationError(f'the document is not valid YAML: {error}') from error


def _where(phase: str, step: str) -> str:
    return f"phase '{phase}', step '{step}'"


def _variable_section(doc: Mapping, section: str, value_key: str) -> dict[str, dict]:
    entries = doc.get(section)
    if entries is None:
        return {}
    if not isinstance(entries, list):
        raise ToeValidationError(f"'{section}' must be a list of {{Name: {{type: string, ...}}}}, got {entries!r}")
    allowed = ('type', 'default', 'description') if section == 'parameters' else ('type', 'value')
    out: dict[str, dict] = {}
    for entry in entries:
        if not isinstance(entry, dict) or len(entry) != 1:
            raise ToeValidationError(f"each entry of '{section}' must be a mapping with one name, got {entry!r}")
        (name, body), = entry.items()
        if not isinstance(name, str) or not VARIABLE_NAME.match(name):
            raise ToeValidationError(
                f"{section[:-1]} name must be 3 to 128 letters, digits, '-' or '_', got {name!r}")
        if name in out:
            raise ToeValidationError(f"{section[:-1]} '{name}' is declared twice")
        if not isinstance(body, dict):
            raise ToeValidationError(f"{section[:-1]} '{name}' must be a mapping with 'type', got {body!r}")
        unknown = sorted(set(body) - set(allowed), key=str)
        if unknown:
            raise ToeValidationError(f"{section[:-1]} '{name}' has unknown keys {unknown} (known: {list(allowed)})")
        if body.get('type') != 'string':
            raise ToeValidationError(f"{section[:-1]} '{name}' type must be 'string', got {body.get('type')!r}")
        if value_key == 'value' and 'value' not in body:
            raise ToeValidationError(f"constant '{name}' has no value")
        for key in ('default', 'value', 'description'):
            if key in body and not isinstance(body[key], str):
                raise ToeValidationError(
                    f"{section[:-1]} '{name}' {key} must be a string (quote it in YAML), got {body[key]!r}")
        out[name] = body
    return out


def _positive_int(value: Any, what: str, allow_minus_one: bool = False) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ToeValidationError(f'{what} must be an integer, got {value!r}')
    if value > 0 or (allow_minus_one and value == -1):
        return value
    raise ToeValidationError(f"{what} must be a positive integer{' or -1' if allow_minus_one else ''}, got {value}")


def _flag(value: Any, what: str) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value in ('true', 'false'):
        return value == 'true'
    raise ToeValidationError(f'{what} must be true or false, got {value!r}')


def _validate_inputs(action: str, inputs: Any, where: str) -> None:
    if action in ('ExecuteBash',) + WINDOWS_ACTIONS:
        if not isinstance(inputs, dict) or set(inputs) != {'commands'}:
            raise ToeValidationError(f'{where}: {action} inputs must be a mapping with only "commands", got {inputs!r}')
        commands = inputs['commands']
        if not isinstance(commands, list) or not commands:
            raise ToeValidationError(f'{where}: {action} commands must be a non-empty list, got {commands!r}')
        for command in commands:
            if not isinstance(command, str):
                raise ToeValidationError(
                    f'{where}: every command must be a string, got {command!r} '
                    '(a command starting with "{{" must be quoted, or YAML reads a mapping)')
    elif action == 'Reboot':
        if inputs is None:
            return
        if not isinstance(inputs, dict) or not set(inputs) <= {'delaySeconds'}:
            raise ToeValidationError(f'{where}: Reboot inputs may only hold delaySeconds, got {inputs!r}')
        if 'delaySeconds' in inputs:
            delay = inputs['delaySeconds']
            if isinstance(delay, bool) or not isinstance(delay, int) or delay < 0:
                raise ToeValidationError(f'{where}: delaySeconds must be a non-negative integer, got {delay!r}')
    else:
        if not isinstance(inputs, list) or not inputs:
            raise ToeValidationError(f'{where}: {action} inputs must be a non-empty list of transfers, got {inputs!r}')
        allowed = S3_INPUT_KEYS[action]
        for transfer in inputs:
            if not isinstance(transfer, dict):
                raise ToeValidationError(f'{where}: each {action} input must be a mapping, got {transfer!r}')
            unknown = sorted(set(transfer) - set(allowed), key=str)
            if unknown:
                raise ToeValidationError(f'{where}: {action} input has unknown keys {unknown} (known: {list(allowed)})')
            for key in ('source', 'destination'):
                if not isinstance(transfer.get(key), str) or not transfer[key]:
                    raise ToeValidationError(f'{where}: {action} {key} must be a non-empty string, got {transfer.get(key)!r}')
            remote_key, local_key = ('source', 'destination') if action == 'S3Download' else ('destination', 'source')
            if not transfer[remote_key].startswith('s3://'):
                raise ToeValidationError(f"{where}: {action} {remote_key} must be an s3:// URI, got {transfer[remote_key]!r}")
            if transfer[local_key].startswith('s3://'):
                raise ToeValidationError(f"{where}: {action} {local_key} must be a path on the instance, got {transfer[local_key]!r}")
            if 'expectedBucketOwner' in transfer and not isinstance(transfer['expectedBucketOwner'], str):
                raise ToeValidationError(
                    f"{where}: expectedBucketOwner must be a string (quote the account ID), got {transfer['expectedBucketOwner']!r}")
            for key in ('overwrite', 'recurse'):
                if key in transfer:
                    _flag(transfer[key], f'{where}: {key}')


def _strings(value: Any) -> Iterable[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)


def _check_expressions(step: Step, variables: Mapping[str, str], earlier: Mapping[tuple[str, str], str]) -> None:
    where = _where(step.phase, step.name)
    for text in _strings(step.inputs):
        for match in EXPRESSION.finditer(text):
            inner = match.group(1).strip()
            if inner in variables:
                continue
            output = OUTPUT_REFERENCE.match(inner)
            if output:
                action = earlier.get((output.group(1), output.group(2)))
                if action is None:
                    raise ToeValidationError(
                        f"{where}: {match.group(0)} refers to a step that is not earlier in the document")
                if action != 'ExecuteBash':
                    raise ToeValidationError(f'{where}: {match.group(0)} refers to a {action} step, which has no stdout')
                continue
            if re.match(r'^[A-Za-z0-9_-]+$', inner):
                raise ToeValidationError(f"{where}: {match.group(0)} is not a declared parameter or constant")
            if inner.startswith('loop.') or '.inputs' in inner:
                raise ToeValidationError(f'{where}: {match.group(0)} (loops and input chaining) is not supported by this harness')
            raise ToeValidationError(f'{where}: unresolved expression {match.group(0)}')
        rest = EXPRESSION.sub('', text)
        if '{{' in rest:
            raise ToeValidationError(f"{where}: an unclosed '{{{{' in {text[:200]!r}")


def load_document(document_text: str, parameters: Optional[Mapping[str, str]] = None,
                  allow_windows: bool = False) -> Document:
    """Parses and validates a document, and resolves its parameter values.

    `parameters` are the values the recipe gives (they override the defaults). A parameter with
    neither a value nor a default, or a value for a parameter the document does not declare, is an
    error. With `allow_windows`, ExecutePowerShell steps pass validation (they still cannot run).
    """
    doc = parse_yaml(document_text)
    if not isinstance(doc, dict):
        raise ToeValidationError(f'the document must be a YAML mapping, got {type(doc).__name__}')
    unknown = sorted(set(doc) - set(TOP_LEVEL_KEYS), key=str)
    if unknown:
        raise ToeValidationError(f'unknown top-level keys {unknown} (known: {list(TOP_LEVEL_KEYS)})')
    version = doc.get('schemaVersion')
    if not (version == 1.0 and isinstance(version, float)) and version != SCHEMA_VERSION:
        raise ToeValidationError(f'schemaVersion must be 1.0, got {version!r}')
    name = doc.get('name', '')
    if not isinstance(name, str) or not isinstance(doc.get('description', ''), str):
        raise ToeValidationError('name and description must be strings')

    declared = _variable_section(doc, 'parameters', 'default')
    constants = _variable_section(doc, 'constants', 'value')
    clash = sorted(set(declared) & set(constants))
    if clash:
        raise ToeValidationError(f'names used both as parameter and constant: {clash}')
    given = dict(parameters or {})
    undeclared = sorted(set(given) - set(declared))
    if undeclared:
        raise ToeValidationError(f'values given for parameters the document does not declare: {undeclared} '
                                 f'(declared: {sorted(declared)})')
    variables: dict[str, str] = {}
    for pname, body in declared.items():
        if pname in given:
            if not isinstance(given[pname], str):
                raise ToeValidationError(f"the value of parameter '{pname}' must be a string, got {given[pname]!r}")
            variables[pname] = given[pname]
        elif 'default' in body:
            variables[pname] = body['default']
        else:
            raise ToeValidationError(f"parameter '{pname}' has no value and no default")
    for cname, body in constants.items():
        variables[cname] = body['value']

    phases = doc.get('phases')
    if not isinstance(phases, list) or not phases:
        raise ToeValidationError(f"'phases' must be a non-empty list, got {phases!r}")
    parsed: list[tuple[str, list[Step]]] = []
    earlier: dict[tuple[str, str], str] = {}
    for phase in phases:
        if not isinstance(phase, dict) or set(phase) != {'name', 'steps'}:
            raise ToeValidationError(f"each phase must be a mapping with 'name' and 'steps' only, got {phase!r}")
        pname = phase['name']
        if pname not in PHASES:
            raise ToeValidationError(f'phase name must be one of {list(PHASES)}, got {pname!r}'
                                     + (' (container recipes are not run by this harness)' if pname == 'container-host-test' else ''))
        if pname in [p for p, _ in parsed]:
            raise ToeValidationError(f"phase '{pname}' appears twice")
        steps = phase['steps']
        if not isinstance(steps, list) or not steps:
            raise ToeValidationError(f"phase '{pname}' must have a non-empty list of steps")
        parsed_steps: list[Step] = []
        for raw in steps:
            if not isinstance(raw, dict):
                raise ToeValidationError(f"phase '{pname}': each step must be a mapping, got {raw!r}")
            sname = raw.get('name')
            if not isinstance(sname, str) or not STEP_NAME.match(sname):
                raise ToeValidationError(
                    f"phase '{pname}': step name must be letters, digits, '-' and '_', got {sname!r}")
            where = _where(pname, sname)
            if any(s.name == sname for s in parsed_steps):
                raise ToeValidationError(f'{where}: step names must be unique in a phase')
            unknown = sorted(set(raw) - set(STEP_KEYS), key=str)
            if unknown:
                raise ToeValidationError(f'{where}: unknown step keys {unknown} (known: {list(STEP_KEYS)})')
            for construct in ('if', 'loop'):
                if construct in raw:
                    raise ToeValidationError(f"{where}: '{construct}' is not supported by this harness "
                                             '(the library does not emit it)')
            action = raw.get('action')
            if action in WINDOWS_ACTIONS and not allow_windows:
                raise ToeValidationError(f'{where}: {action}: Windows documents cannot run on this harness')
            if action in OTHER_AWSTOE_ACTIONS:
                raise ToeValidationError(f'{where}: the AWSTOE action {action} is not supported by this harness '
                                         '(the library does not emit it)')
            if action not in SUPPORTED_ACTIONS + WINDOWS_ACTIONS:
                raise ToeValidationError(f'{where}: unknown action {action!r}')
            if 'inputs' not in raw and action != 'Reboot':
                raise ToeValidationError(f'{where}: {action} needs inputs')
            _validate_inputs(action, raw.get('inputs'), where)
            on_failure = raw.get('onFailure', 'Abort')
            if on_failure not in ON_FAILURE:
                raise ToeValidationError(f'{where}: onFailure must be one of {list(ON_FAILURE)}, got {on_failure!r}')
            step = Step(
                phase=pname, name=sname, action=action, inputs=raw.get('inputs'),
                timeout_seconds=_positive_int(raw.get('timeoutSeconds', DEFAULT_TIMEOUT_SECONDS),
                                              f'{where}: timeoutSeconds', allow_minus_one=True),
                on_failure=on_failure,
                max_attempts=_positive_int(raw.get('maxAttempts', 1), f'{where}: maxAttempts'),
            )
            _check_expressions(step, variables, earlier)
            parsed_steps.append(step)
            earlier[(pname, sname)] = action
        parsed.append((pname, parsed_steps))
    return Document(name=name, variables=variables, phases=parsed)


def validate_document(document_text: str, parameters: Optional[Mapping[str, str]] = None,
                      allow_windows: bool = False) -> Document:
    """Same as load_document: parse and validate without running anything."""
    return load_document(document_text, parameters, allow_windows=allow_windows)


# ---------------------------------------------------------------------------------------------
# Running


def _tail(text: str) -> str:
    return text[-TAIL_CHARS:]


def _substitute(value: Any, variables: Mapping[str, str], outputs: Mapping[tuple[str, str], str], where: str) -> Any:
    if isinstance(value, list):
        return [_substitute(item, variables, outputs, where) for item in value]
    if isinstance(value, dict):
        return {key: _substitute(item, variables, outputs, where) for key, item in value.items()}
    if not isinstance(value, str):
        return value

    def replace(match: re.Match) -> str:
        inner = match.group(1).strip()
        if inner in variables:
            return variables[inner]
        output = OUTPUT_REFERENCE.match(inner)
        if output and (output.group(1), output.group(2)) in outputs:
            return outputs[(output.group(1), output.group(2))]
        raise ToeValidationError(f'{where}: {match.group(0)} has no value in this run '
                                 '(the step it refers to did not run in this call)')
    return EXPRESSION.sub(replace, value)


class _Runner:
    def __init__(self, executor: Any, s3_root: Optional[str], log: Callable[[str], None], component: str):
        self.executor = executor
        self.s3_root = s3_root
        self.log = log
        self.component = component

    # -- remote helpers -------------------------------------------------------------------------

    def remote(self, script: str, what: str) -> str:
        code, out, err = self.executor.run(script, timeout=300, user='root')
        if code != 0:
            raise _StepError(f'{what}: {err.strip() or out.strip()}', code, out, err)
        return out

    def remote_kind(self, path: str) -> str:
        out = self.remote(f'p={shlex.quote(path)}\nif [ -d "$p" ]; then echo dir; elif [ -e "$p" ]; then echo file; '
                          'else echo none; fi', f'inspecting {path}')
        return out.strip()

    def remote_files(self, folder: str) -> list[str]:
        """Files under a remote folder, as paths relative to it."""
        out = self.remote(f'cd {shlex.quote(folder)} && find . -type f | LC_ALL=C sort', f'listing {folder}')
        return [line[2:] for line in out.splitlines() if line.startswith('./')]

    # -- S3 stand-in ------------------------------------------------------------------------------

    def bucket_dir(self, bucket: str, owner: Optional[str]) -> str:
        if self.s3_root is None:
            raise _StepError('this document uses S3 but no s3_root was given to the runner')
        if not BUCKET_NAME.match(bucket):
            raise _StepError(f'invalid bucket name {bucket!r}')
        if owner is not None and not ACCOUNT_ID.match(owner):
            raise _StepError(f'expectedBucketOwner must be a 12-digit account ID, got {owner!r}')
        path = os.path.join(self.s3_root, bucket)
        if not os.path.isdir(path):
            raise _StepError(f'NoSuchBucket: s3://{bucket} (no folder {path} in the S3 stand-in)')
        return path

    @staticmethod
    def object_path(bucket_dir: str, key: str) -> str:
        parts = key.split('/')
        if key.startswith('/') or any(part in ('.', '..') for part in parts):
            raise _StepError(f"object key {key!r} has '.', '..' or a leading '/' segment")
        return os.path.join(bucket_dir, *parts)

    def s3_download(self, transfer: Mapping[str, Any]) -> str:
        source, destination = transfer['source'], transfer['destination']
        overwrite = _flag(transfer.get('overwrite', True), 'overwrite')
        match = S3_URI.match(source)
        if not match:
            raise _StepError(f'S3Download source must be s3://bucket/key, got {source!r}')
        bucket, key = match.groups()
        bucket_dir = self.bucket_dir(bucket, transfer.get('expectedBucketOwner'))
        if '*' in key:
            if key.count('*') > 1 or not key.endswith('*'):
                raise _StepError(f"S3Download: only a trailing '*' (a key prefix) is supported by this harness, got {source!r}")
            prefix = key[:-1]
            base = prefix[:prefix.rfind('/') + 1]
            objects = []
            for folder, _, files in os.walk(bucket_dir):
                for file in files:
                    object_key = os.path.relpath(os.path.join(folder, file), bucket_dir).replace(os.sep, '/')
                    if object_key.startswith(prefix):
                        objects.append(object_key)
            if not objects:
                raise _StepError(f'S3Download: no object under {source}')
            if self.remote_kind(destination) != 'dir':
                raise _StepError(f'S3Download: the destination folder {destination} does not exist')
            pairs = [(os.path.join(bucket_dir, *k.split('/')), os.path.join(destination, k[len(base):])) for k in sorted(objects)]
        else:
            local = self.object_path(bucket_dir, key)
            if not key or not os.path.isfile(local):
                raise _StepError(f'NoSuchKey: {source} (no file {local} in the S3 stand-in)')
            kind = self.remote_kind(destination)
            if destination.endswith('/') or kind == 'dir':
                if kind != 'dir':
                    raise _StepError(f'S3Download: the destination folder {destination} does not exist')
                target = os.path.join(destination, key.rsplit('/', 1)[-1])
            else:
                parent = os.path.dirname(destination) or '.'
                if self.remote_kind(parent) != 'dir':
                    raise _StepError(f'S3Download: the folder of the destination {destination} does not exist')
                target = destination
            pairs = [(local, target)]
        lines = []
        for local, target in pairs:
            if not overwrite and self.remote_kind(target) != 'none':
                raise _StepError(f'S3Download: {target} exists and overwrite is false')
            self.remote(f'mkdir -p {shlex.quote(os.path.dirname(target) or ".")}', f'creating the folder of {target}')
            try:
                self.executor.put(local, target)
            except (OSError, RuntimeError) as error:
                raise _StepError(f'S3Download: copying {local} to {target} on the instance failed: {error}') from error
            lines.append(f'downloaded {local} -> {target}')
        return '\n'.join(lines)

    def s3_upload(self, transfer: Mapping[str, Any]) -> str:
        source, destination = transfer['source'], transfer['destination']
        recurse = _flag(transfer.get('recurse', False), 'recurse')
        match = S3_URI.match(destination)
        if not match:
            raise _StepError(f'S3Upload destination must be s3://bucket/key-or-prefix, got {destination!r}')
        bucket, dest_key = match.groups()
        if '*' in dest_key:
            raise _StepError(f"S3Upload destination cannot hold '*', got {destination!r}")
        bucket_dir = self.bucket_dir(bucket, transfer.get('expectedBucketOwner'))

        def under_prefix(name: str) -> str:
            return dest_key + name if dest_key == '' or dest_key.endswith('/') else f'{dest_key}/{name}'

        uploads: list[tuple[str, str]] = []  # (remote file, object key)
        folder, pattern = os.path.split(source)
        if '*' in pattern:
            if '*' in folder:
                raise _StepError(f"S3Upload: '*' is supported in the last path segment only, got {source!r}")
            if self.remote_kind(folder or '.') != 'dir':
                raise _StepError(f'S3Upload: the source folder {folder} does not exist')
            glob = '*'.join(shlex.quote(piece) if piece else '' for piece in pattern.split('*'))
            out = self.remote(
                f'cd {shlex.quote(folder or ".")} && shopt -s nullglob dotglob && for f in {glob}; do '
                'if [ -d "$f" ]; then echo "d $f"; elif [ -f "$f" ]; then echo "f $f"; fi; done',
                f'matching {source}')
            matches = [(line[0], line[2:]) for line in out.splitlines() if line[:2] in ('d ', 'f ')]
            if not matches:
                raise _StepError(f'S3Upload: nothing matches {source}')
            for kind, name in matches:
                path = os.path.join(folder, name)
                if kind == 'f':
                    uploads.append((path, under_prefix(name)))
                elif recurse:
                    uploads += [(os.path.join(path, rel), under_prefix(f'{name}/{rel}')) for rel in self.remote_files(path)]
        else:
            kind = self.remote_kind(source)
            if kind == 'none':
                raise _StepError(f'S3Upload: the source {source} does not exist')
            if kind == 'file':
                key = under_prefix(os.path.basename(source)) if dest_key == '' or dest_key.endswith('/') else dest_key
                uploads.append((source, key))
            elif not recurse:
                raise _StepError(f'S3Upload: the source {source} is a folder: set recurse: true to upload it')
            else:
                uploads += [(os.path.join(source, rel), under_prefix(rel)) for rel in self.remote_files(source)]
        lines = []
        for remote_file, key in uploads:
            local = self.object_path(bucket_dir, key)
            os.makedirs(os.path.dirname(local), exist_ok=True)
            try:
                self.executor.get(remote_file, local)
            except (OSError, RuntimeError) as error:
                raise _StepError(f'S3Upload: copying {remote_file} from the instance failed: {error}') from error
            if not os.path.isfile(local):
                raise _StepError(f'S3Upload: copying {remote_file} from the instance produced no file {local}')
            lines.append(f'uploaded {remote_file} -> s3://{bucket}/{key}')
        return '\n'.join(lines)

    # -- steps -------------------------------------------------------------------------------------

    def attempt(self, step: Step, inputs: Any) -> tuple[Optional[int], str, str, int]:
        """One attempt: (exit code, stdout, stderr, reboots)."""
        if step.action == 'ExecuteBash':
            script = '\n'.join(inputs['commands'])
            timeout = UNLIMITED_TIMEOUT_SECONDS if step.timeout_seconds == -1 else float(step.timeout_seconds)
            reboots = 0
            while True:
                started = time.monotonic()
                try:
                    code, out, err = self.executor.run(script, timeout=timeout, user='root')
                except (TimeoutError, subprocess.TimeoutExpired) as error:
                    return None, '', f'timed out after {step.timeout_seconds} s (timeoutSeconds): {error}', reboots
                if code == TIMEOUT_EXIT_CODE and time.monotonic() - started >= timeout:
                    return code, out, f'{err}\ntimed out after {step.timeout_seconds} s (timeoutSeconds)'.lstrip(), reboots
                if code != REBOOT_EXIT_CODE:
                    return code, out, err, reboots
                if reboots >= MAX_REBOOTS_PER_STEP:
                    return code, out, err + (f'\nthe step asked for a reboot (exit code 194) {reboots + 1} times; '
                                             f'this harness stops after {MAX_REBOOTS_PER_STEP}'), reboots
                reboots += 1
                self.log(f'[{self.component}] {step.phase}/{step.name}: exit code 194, rebooting and running the step again')
                self.executor.reboot()
        if step.action == 'Reboot':
            delay = (inputs or {}).get('delaySeconds', 0)
            if delay:
                time.sleep(delay)
            seconds = self.executor.reboot()
            return 0, f'rebooted in {seconds:.1f} s', '', 1
        transfer = self.s3_download if step.action == 'S3Download' else self.s3_upload
        lines = []
        try:
            for item in inputs:
                lines.append(transfer(item))
        except _StepError as error:
            return error.exit_code, '\n'.join(lines + [error.stdout]).strip(), error.stderr, 0
        return 0, '\n'.join(lines), '', 0


class _StepError(Exception):
    """A transfer failed the way the S3 action would fail."""

    def __init__(self, message: str, exit_code: int = 1, stdout: str = '', stderr: str = ''):
        super().__init__(message)
        self.exit_code = exit_code
        self.stdout = stdout
        self.stderr = (stderr + '\n' + message).strip() if stderr else message


def run_document(document_text: str, phase_names: Sequence[str], executor: Any,
                 parameters: Optional[Mapping[str, str]] = None, s3_root: Optional[str] = None,
                 log: Callable[[str], None] = print, component: Optional[str] = None) -> DocumentResult:
    """Runs the named phases of a document on the executor's instance.

    Phases run in the document's order (as AWSTOE does), whichever order `phase_names` has; a
    phase the document does not have is skipped. Raises ToeValidationError before running anything
    when the document or the parameters are wrong, and ToeFailure when a step fails under Abort
    (right away) or under Continue (after the remaining steps).
    """
    for name in phase_names:
        if name not in PHASES:
            raise ToeValidationError(f'phase names must be among {list(PHASES)}, got {name!r}')
    doc = load_document(document_text, parameters)
    component = component or doc.name or 'document'
    uses_s3 = [f'{phase}/{step.name}' for phase, steps in doc.phases if phase in phase_names
               for step in steps if step.action in S3_INPUT_KEYS]
    if uses_s3 and (s3_root is None or not os.path.isdir(s3_root)):
        raise ToeValidationError(f"component '{component}': steps {uses_s3} use S3, so s3_root must be the folder "
                                 f'that stands in for S3, got {s3_root!r}')
    runner = _Runner(executor, s3_root, log, component)
    result = DocumentResult(component=component, phases=[], steps=[], phase_seconds={}, seconds=0.0)
    outputs: dict[tuple[str, str], str] = {}
    continued: Optional[StepResult] = None
    started = time.monotonic()
    try:
        for phase, steps in doc.phases:
            if phase not in phase_names:
                continue
            result.phases.append(phase)
            phase_started = time.monotonic()
            try:
                for step in steps:
                    step_result = _run_step(runner, step, doc, outputs)
                    result.steps.append(step_result)
                    if step_result.status != 'Failed':
                        continue
                    if step.on_failure == 'Abort':
                        raise ToeFailure(component, phase, step.name, step_result.exit_code,
                                         step_result.stderr_tail, step_result.message, result)
                    continued = continued or step_result
            finally:
                result.phase_seconds[phase] = time.monotonic() - phase_started
    finally:
        result.seconds = time.monotonic() - started
    if continued is not None:
        raise ToeFailure(component, continued.phase, continued.name, continued.exit_code, continued.stderr_tail,
                         f'{continued.message} (onFailure: Continue ran the remaining steps; the document failed)',
                         result)
    return result


def _run_step(runner: _Runner, step: Step, doc: Document, outputs: dict[tuple[str, str], str]) -> StepResult:
    where = f'[{runner.component}] {step.phase}/{step.name}'
    inputs = _substitute(step.inputs, doc.variables, outputs, _where(step.phase, step.name))
    started = time.monotonic()
    attempts = reboots = 0
    code: Optional[int] = None
    out = err = ''
    while attempts < step.max_attempts:
        attempts += 1
        runner.log(f'{where} ({step.action}) attempt {attempts}/{step.max_attempts}')
        code, out, err, rebooted = runner.attempt(step, inputs)
        reboots += rebooted
        if code == 0:
            break
        runner.log(f'{where} failed (exit code {code}): {_tail(err)[-300:].strip()}')
    seconds = time.monotonic() - started
    if code == 0:
        status, message = 'Success', ''
        if step.action == 'ExecuteBash':
            outputs[(step.phase, step.name)] = out
    else:
        status = 'Ignored' if step.on_failure == 'Ignore' else 'Failed'
        timed_out = code is None or (code == TIMEOUT_EXIT_CODE and 'timed out after' in err)
        message = (f'timed out after {step.timeout_seconds} s (timeoutSeconds)' if timed_out else f'exit code {code}') + \
            f' after {attempts} attempt(s)'
    runner.log(f'{where} {status} in {seconds:.1f} s')
    return StepResult(phase=step.phase, name=step.name, action=step.action, status=status, exit_code=code,
                      attempts=attempts, reboots=reboots, seconds=seconds, stdout_tail=_tail(out),
                      stderr_tail=_tail(err), message=message)


def _component_fields(component: Any) -> tuple[str, str, dict[str, str]]:
    if isinstance(component, Mapping):
        name, document, parameters = component.get('name'), component.get('document'), component.get('parameters')
    else:
        name, document = getattr(component, 'name', None), getattr(component, 'document', None)
        parameters = getattr(component, 'parameters', None)
    if not isinstance(name, str) or not name:
        raise ToeValidationError(f'each component needs a name, got {component!r}')
    if not isinstance(document, str):
        raise ToeValidationError(f"component '{name}' needs its document as YAML text")
    return name, document, dict(parameters or {})


def run_recipe(components: Sequence[Any], executor: Any, s3_root: Optional[str] = None,
               log: Callable[[str], None] = print) -> RecipeResult:
    """Runs an image recipe's components the way Image Builder does.

    Build stage on the build instance: every component's build phase in recipe order, then every
    component's validate phase in order. Then the image is taken and a test instance launched from
    it, which this harness stands in for with executor.reboot(). Test stage: every component's test
    phase in order. All documents are validated before anything runs.
    """
    entries = [_component_fields(component) for component in components]
    names = [name for name, _, _ in entries]
    duplicates = sorted({name for name in names if names.count(name) > 1})
    if duplicates:
        raise ToeValidationError(f'component names must be unique in a recipe, got duplicates {duplicates}')
    loaded = []
    for name, document, parameters in entries:
        try:
            loaded.append((name, document, parameters, load_document(document, parameters).phase_names()))
        except ToeValidationError as error:
            raise ToeValidationError(f"component '{name}': {error}") from error

    result = RecipeResult(documents=[], seconds={name: {} for name in names}, build_stage_seconds=0.0,
                          reboot_seconds=0.0, test_stage_seconds=0.0, total_seconds=0.0)
    started = time.monotonic()

    def run_phase(phase: str) -> None:
        for name, document, parameters, phases in loaded:
            if phase not in phases:
                continue
            try:
                doc_result = run_document(document, [phase], executor, parameters, s3_root, log, component=name)
            except ToeFailure as failure:
                result.documents.append(failure.result)
                result.seconds[name][phase] = failure.result.seconds
                failure.recipe_result = result
                raise
            result.documents.append(doc_result)
            result.seconds[name][phase] = doc_result.seconds

    try:
        stage = time.monotonic()
        try:
            run_phase('build')
            run_phase('validate')
        finally:
            result.build_stage_seconds = time.monotonic() - stage
        log('build stage done: the image is taken and a test instance launched (reboot)')
        stage = time.monotonic()
        executor.reboot()
        result.reboot_seconds = time.monotonic() - stage
        stage = time.monotonic()
        try:
            run_phase('test')
        finally:
            result.test_stage_seconds = time.monotonic() - stage
    finally:
        result.total_seconds = time.monotonic() - started
    return result
