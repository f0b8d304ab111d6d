"""Tests of harness/toe_runner.py with a fake executor that runs each script with bash on the
host, in a temporary folder, and records reboots and file copies.

Run: python -m pytest harness/test_toe_runner.py
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
import yaml

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import toe_runner  # noqa: E402
from toe_runner import ToeFailure, ToeValidationError, load_document, run_document, run_recipe  # noqa: E402


class FakeExecutor:
    """The executor interface of harness/guest.py, on the host: bash in a temporary folder."""

    def __init__(self, workdir: Path):
        self.workdir = workdir
        self.events: list[tuple] = []
        self.scripts: list[str] = []
        self.timeouts: list = []
        self.reboots = 0
        self.unresponsive = False

    def run(self, script: str, timeout: float = 1800, user: str = 'root'):
        """Like harness/guest.py: coreutils `timeout` stops the script (exit code 124)."""
        self.scripts.append(script)
        self.timeouts.append(timeout)
        self.events.append(('run', script))
        if self.unresponsive:
            raise TimeoutError('the instance did not answer')
        done = subprocess.run(['timeout', '-k', '5', str(max(1, int(timeout))), 'bash', '-c', script],
                              cwd=self.workdir, capture_output=True, text=True)
        return done.returncode, done.stdout, done.stderr

    def reboot(self) -> float:
        self.reboots += 1
        self.events.append(('reboot',))
        return 0.0

    def put(self, local_path: str, remote_path: str) -> None:
        self.events.append(('put', local_path, remote_path))
        shutil.copy2(local_path, remote_path)

    def get(self, remote_path: str, local_path: str) -> None:
        self.events.append(('get', remote_path, local_path))
        shutil.copy2(remote_path, local_path)


@pytest.fixture
def fake(tmp_path: Path) -> FakeExecutor:
    workdir = tmp_path / 'instance'
    workdir.mkdir()
    return FakeExecutor(workdir)


def document(phases: str, parameters: str = '', name: str = 'test-doc') -> str:
    """A document from an indented `phases:` body (and an optional `parameters:` section)."""
    text = f'name: {name}\ndescription: a test document\nschemaVersion: 1.0\n'
    if parameters:
        text += 'parameters:\n' + textwrap.indent(textwrap.dedent(parameters).strip('\n'), '  ') + '\n'
    return text + 'phases:\n' + textwrap.indent(textwrap.dedent(phases).strip('\n'), '  ') + '\n'


def bash_doc(*commands: str, phase: str = 'build', step: str = 'Run', options: str = '') -> str:
    """A document with one ExecuteBash step; `options` are extra step keys, one per line."""
    text = ('name: test-doc\ndescription: a test document\nschemaVersion: 1.0\nphases:\n'
            f'  - name: {phase}\n    steps:\n      - name: {step}\n        action: ExecuteBash\n')
    text += textwrap.indent(options.strip('\n'), ' ' * 8) + '\n' if options else ''
    text += '        inputs:\n          commands:\n'
    return text + ''.join(f"            - {yaml.safe_dump(c, default_style=chr(39)).strip()}\n" for c in commands)


def quiet(_message: str) -> None:
    pass


# ---------------------------------------------------------------------------------------------
# Parameters and variables


PARAMETERS = """
- Greeting:
    type: string
    default: hello
    description: what to say
- Target:
    type: string
    description: who to say it to
"""


def greeting_doc(out: Path) -> str:
    return document(f"""
        - name: build
          steps:
            - name: Greet
              action: ExecuteBash
              inputs:
                commands:
                  - echo "{{{{ Greeting }}}} {{{{Target}}}}" > {out}
                  - echo '{{{{   Greeting}}}}' >> {out}
        """, PARAMETERS)


def test_parameters_defaults_and_given_values_are_substituted_in_script_text(fake, tmp_path):
    out = tmp_path / 'greeting.txt'
    result = run_document(greeting_doc(out), ['build'], fake, parameters={'Target': 'world'}, log=quiet)
    assert out.read_text() == 'hello world\nhello\n'
    assert [s.status for s in result.steps] == ['Success']
    run_document(greeting_doc(out), ['build'], fake, parameters={'Target': 'you', 'Greeting': 'bye'}, log=quiet)
    assert out.read_text() == 'bye you\nbye\n'
    assert fake.scripts[-1] == f'echo "bye you" > {out}\necho \'bye\' >> {out}'


def test_a_parameter_without_value_or_default_is_an_error(fake, tmp_path):
    with pytest.raises(ToeValidationError, match="parameter 'Target' has no value and no default"):
        run_document(greeting_doc(tmp_path / 'x'), ['build'], fake, log=quiet)
    assert fake.scripts == []


def test_a_value_for_an_undeclared_parameter_is_an_error(fake, tmp_path):
    with pytest.raises(ToeValidationError, match=r"does not declare: \['Targte'\]"):
        run_document(greeting_doc(tmp_path / 'x'), ['build'], fake, parameters={'Target': 'a', 'Targte': 'b'}, log=quiet)


def test_parameter_declarations_are_checked(fake):
    base = '- name: build\n  steps:\n    - name: A\n      action: ExecuteBash\n      inputs:\n        commands: ["true"]'
    with pytest.raises(ToeValidationError, match="type must be 'string'"):
        load_document(document(base, '- Count:\n    type: integer\n    default: "1"'))
    with pytest.raises(ToeValidationError, match='default must be a string'):
        load_document(document(base, '- Count:\n    type: string\n    default: 1'))
    with pytest.raises(ToeValidationError, match='3 to 128'):
        load_document(document(base, '- X:\n    type: string\n    default: a'))
    with pytest.raises(ToeValidationError, match="unknown keys \\['required'\\]"):
        load_document(document(base, '- Xyz:\n    type: string\n    required: true'))


def test_an_undeclared_variable_is_an_error_naming_it(fake):
    doc = bash_doc('echo {{ Greting }}')
    with pytest.raises(ToeValidationError, match=r"phase 'build', step 'Run': \{\{ Greting \}\} is not a declared"):
        run_document(doc, ['build'], fake, log=quiet)
    assert fake.scripts == []


def test_unresolved_and_unclosed_expressions_are_errors(fake):
    with pytest.raises(ToeValidationError, match=r'unresolved expression \{\{ \.State\.Running \}\}'):
        load_document(bash_doc("docker inspect --format '{{ .State.Running }}' x"))
    with pytest.raises(ToeValidationError, match='loops and input chaining'):
        load_document(bash_doc('echo {{ loop.value }}'))
    with pytest.raises(ToeValidationError, match="unclosed '\\{\\{'"):
        load_document(bash_doc('echo {{ Greeting'))


def test_a_command_that_yaml_reads_as_a_mapping_is_an_error():
    template = document("""
        - name: build
          steps:
            - name: Run
              action: ExecuteBash
              inputs:
                commands:
                  - COMMAND
        """, PARAMETERS)
    # An unquoted expression at the start is a YAML flow mapping, here with a mapping as its key.
    with pytest.raises(ToeValidationError, match='found unhashable key'):
        load_document(template.replace('COMMAND', '{{ Greeting }}'), {'Target': 'x'})
    with pytest.raises(ToeValidationError, match='every command must be a string'):
        load_document(template.replace('COMMAND', 'echo: "{{ Greeting }}"'), {'Target': 'x'})
    load_document(template.replace('COMMAND', "'{{ Greeting }}'"), {'Target': 'x'})


def test_variables_are_substituted_in_s3_paths(fake, tmp_path):
    s3 = tmp_path / 's3'
    (s3 / 'installers' / 'agent').mkdir(parents=True)
    (s3 / 'installers' / 'agent' / 'setup.sh').write_text('installer\n')
    dest = fake.workdir / 'agent'
    dest.mkdir()
    doc = document(f"""
        - name: build
          steps:
            - name: Download
              action: S3Download
              inputs:
                - source: 's3://{{{{ Bucket }}}}/{{{{ Key }}}}'
                  destination: {dest}/setup.sh
        """, """
        - Bucket:
            type: string
        - Key:
            type: string
            default: agent/setup.sh
        """)
    run_document(doc, ['build'], fake, parameters={'Bucket': 'installers'}, s3_root=str(s3), log=quiet)
    assert (dest / 'setup.sh').read_text() == 'installer\n'


def test_step_output_chaining(fake, tmp_path):
    out = tmp_path / 'chained'
    doc = document(f"""
        - name: build
          steps:
            - name: Version
              action: ExecuteBash
              inputs:
                commands: ['printf 2.1.1']
            - name: Use
              action: ExecuteBash
              inputs:
                commands: ['echo "v={{{{ build.Version.outputs.stdout }}}}" > {out}']
        """)
    run_document(doc, ['build'], fake, log=quiet)
    assert out.read_text() == 'v=2.1.1\n'
    later = doc.replace("'printf 2.1.1'", "'echo {{ build.Use.outputs.stdout }}'")
    with pytest.raises(ToeValidationError, match='not earlier in the document'):
        load_document(later)


# ---------------------------------------------------------------------------------------------
# Schema


def test_schema_errors_fail_loudly():
    good = bash_doc('true')
    load_document(good)
    load_document(good.replace('schemaVersion: 1.0', "schemaVersion: '1.0'"))
    cases = {
        'schemaVersion: 1.0': ('schemaVersion: 2.0', 'schemaVersion must be 1.0'),
        'description:': ('descripton:', "unknown top-level keys \\['descripton'\\]"),
        '- name: build': ('- name: install', "phase name must be one of"),
        'action: ExecuteBash': ('action: ExecuteBsh', "unknown action 'ExecuteBsh'"),
        '- name: Run': ('- name: Run step', 'step name must be letters'),
    }
    for old, (new, message) in cases.items():
        with pytest.raises(ToeValidationError, match=message):
            load_document(good.replace(old, new, 1))


def test_unknown_step_keys_and_options_are_errors():
    with pytest.raises(ToeValidationError, match="unknown step keys \\['onfailure'\\]"):
        load_document(bash_doc('true', options='onfailure: Continue'))
    with pytest.raises(ToeValidationError, match="onFailure must be one of \\['Abort', 'Continue', 'Ignore'\\], got 'continue'"):
        load_document(bash_doc('true', options='onFailure: continue'))
    with pytest.raises(ToeValidationError, match='timeoutSeconds must be a positive integer or -1, got 0'):
        load_document(bash_doc('true', options='timeoutSeconds: 0'))
    with pytest.raises(ToeValidationError, match='maxAttempts must be a positive integer, got 0'):
        load_document(bash_doc('true', options='maxAttempts: 0'))
    with pytest.raises(ToeValidationError, match="'loop' is not supported by this harness"):
        load_document(bash_doc('true', options='loop:\n  forEach: [a, b]'))
    with pytest.raises(ToeValidationError, match="'if' is not supported by this harness"):
        load_document(bash_doc('true', options='if:\n  stringEquals: a\n  value: a'))


def test_duplicate_steps_phases_and_keys_are_errors():
    two_steps = document("""
        - name: build
          steps:
            - name: A
              action: ExecuteBash
              inputs: {commands: ['true']}
            - name: A
              action: ExecuteBash
              inputs: {commands: ['true']}
        """)
    with pytest.raises(ToeValidationError, match='step names must be unique in a phase'):
        load_document(two_steps)
    with pytest.raises(ToeValidationError, match="duplicated key 'action'"):
        load_document(bash_doc('true').replace('action: ExecuteBash', 'action: ExecuteBash\n        action: Reboot'))


def test_same_step_name_in_two_phases_is_allowed():
    load_document(document("""
        - name: build
          steps:
            - name: A
              action: ExecuteBash
              inputs: {commands: ['true']}
        - name: test
          steps:
            - name: A
              action: ExecuteBash
              inputs: {commands: ['true']}
        """))


def test_powershell_and_other_awstoe_actions_are_refused(fake):
    ps = bash_doc('Write-Host hi').replace('ExecuteBash', 'ExecutePowerShell')
    with pytest.raises(ToeValidationError, match='ExecutePowerShell: Windows documents cannot run on this harness'):
        run_document(ps, ['build'], fake, log=quiet)
    load_document(ps, allow_windows=True)
    with pytest.raises(ToeValidationError, match='the AWSTOE action UpdateOS is not supported by this harness'):
        load_document(document("""
            - name: build
              steps:
                - name: Update
                  action: UpdateOS
            """))


# ---------------------------------------------------------------------------------------------
# Running: failures, attempts, reboots, timeouts


def failing_doc(on_failure: str, tmp_path: Path) -> str:
    after = tmp_path / 'after'
    return document(f"""
        - name: build
          steps:
            - name: Fails
              action: ExecuteBash
              onFailure: {on_failure}
              inputs:
                commands: ['echo broken >&2', 'exit 3']
            - name: After
              action: ExecuteBash
              inputs:
                commands: ['touch {after}']
        """)


def test_on_failure_abort_stops_the_document(fake, tmp_path):
    with pytest.raises(ToeFailure) as caught:
        run_document(failing_doc('Abort', tmp_path), ['build'], fake, log=quiet, component='web')
    failure = caught.value
    assert (failure.component, failure.phase, failure.step, failure.exit_code) == ('web', 'build', 'Fails', 3)
    assert 'broken' in failure.stderr_tail
    assert "component 'web', phase 'build', step 'Fails' failed (exit code 3)" in str(failure)
    assert not (tmp_path / 'after').exists()
    assert [s.name for s in failure.result.steps] == ['Fails']


def test_on_failure_abort_is_the_default(fake, tmp_path):
    with pytest.raises(ToeFailure):
        doc = '\n'.join(line for line in failing_doc('Abort', tmp_path).splitlines() if 'onFailure' not in line)
        run_document(doc, ['build'], fake, log=quiet)
    assert not (tmp_path / 'after').exists()


def test_on_failure_continue_runs_the_rest_then_fails_the_document(fake, tmp_path):
    with pytest.raises(ToeFailure, match='onFailure: Continue') as caught:
        run_document(failing_doc('Continue', tmp_path), ['build'], fake, log=quiet)
    assert (tmp_path / 'after').exists()
    assert [(s.name, s.status) for s in caught.value.result.steps] == [('Fails', 'Failed'), ('After', 'Success')]
    assert caught.value.step == 'Fails'


def test_on_failure_ignore_runs_the_rest_and_succeeds(fake, tmp_path):
    result = run_document(failing_doc('Ignore', tmp_path), ['build'], fake, log=quiet)
    assert (tmp_path / 'after').exists()
    assert [(s.name, s.status, s.exit_code) for s in result.steps] == [('Fails', 'Ignored', 3), ('After', 'Success', 0)]
    assert result.failed_steps == []


def test_max_attempts_retries_until_success(fake, tmp_path):
    counter = tmp_path / 'count'
    doc = bash_doc(f'n=$(( $(cat {counter} 2>/dev/null || echo 0) + 1 )); echo $n > {counter}; [ $n -ge 3 ]',
                   options='maxAttempts: 4')
    result = run_document(doc, ['build'], fake, log=quiet)
    assert counter.read_text() == '3\n'
    assert (result.steps[0].attempts, result.steps[0].status) == (3, 'Success')


def test_max_attempts_exhausted_fails(fake, tmp_path):
    with pytest.raises(ToeFailure) as caught:
        run_document(bash_doc('exit 1', options='maxAttempts: 2'), ['build'], fake, log=quiet)
    assert caught.value.result.steps[0].attempts == 2
    assert len(fake.scripts) == 2


def test_exit_code_194_reboots_and_runs_the_same_step_again(fake, tmp_path):
    marker = tmp_path / 'rebooted'
    out = tmp_path / 'out'
    doc = bash_doc(f'echo run >> {out}', f'if [ ! -f {marker} ]; then touch {marker}; exit 194; fi', 'echo after')
    result = run_document(doc, ['build'], fake, log=quiet)
    assert out.read_text() == 'run\nrun\n'
    assert [event[0] for event in fake.events] == ['run', 'reboot', 'run']
    step = result.steps[0]
    assert (step.status, step.attempts, step.reboots, step.exit_code) == ('Success', 1, 1, 0)
    assert step.stdout_tail == 'after\n'


def test_exit_code_194_forever_fails_after_the_limit(fake):
    with pytest.raises(ToeFailure) as caught:
        run_document(bash_doc('exit 194'), ['build'], fake, log=quiet)
    assert fake.reboots == toe_runner.MAX_REBOOTS_PER_STEP
    assert caught.value.exit_code == 194
    assert 'this harness stops after' in caught.value.stderr_tail


def test_reboot_action_reboots_and_continues(fake, tmp_path):
    doc = document(f"""
        - name: build
          steps:
            - name: Before
              action: ExecuteBash
              inputs: {{commands: ['true']}}
            - name: RebootNow
              action: Reboot
              inputs:
                delaySeconds: 0
            - name: RebootDefault
              action: Reboot
            - name: After
              action: ExecuteBash
              inputs: {{commands: ['touch {tmp_path}/after']}}
        """)
    result = run_document(doc, ['build'], fake, log=quiet)
    assert [event[0] for event in fake.events] == ['run', 'reboot', 'reboot', 'run']
    assert [(s.action, s.reboots) for s in result.steps] == [('ExecuteBash', 0), ('Reboot', 1), ('Reboot', 1), ('ExecuteBash', 0)]


def test_timeout_seconds_is_passed_to_the_executor_and_a_timeout_fails_the_step(fake):
    run_document(bash_doc('true'), ['build'], fake, log=quiet)
    run_document(bash_doc('true', options='timeoutSeconds: -1'), ['build'], fake, log=quiet)
    run_document(bash_doc('true', options='timeoutSeconds: 30'), ['build'], fake, log=quiet)
    assert fake.timeouts == [7200.0, toe_runner.UNLIMITED_TIMEOUT_SECONDS, 30.0]
    with pytest.raises(ToeFailure, match=r'timed out after 1 s \(timeoutSeconds\)') as caught:
        run_document(bash_doc('sleep 5', options='timeoutSeconds: 1'), ['build'], fake, log=quiet)
    assert caught.value.exit_code == 124
    assert caught.value.result.steps[0].seconds < 4


def test_an_executor_that_stops_answering_fails_the_step_as_a_timeout(fake):
    fake.unresponsive = True
    with pytest.raises(ToeFailure, match='timed out after 60 s') as caught:
        run_document(bash_doc('true', options='timeoutSeconds: 60\nmaxAttempts: 2'), ['build'], fake, log=quiet)
    assert caught.value.exit_code is None
    assert 'did not answer' in caught.value.stderr_tail
    assert caught.value.result.steps[0].attempts == 2


def test_a_script_exiting_124_quickly_is_a_failure_not_a_timeout(fake):
    with pytest.raises(ToeFailure, match='exit code 124 after 1 attempt'):
        run_document(bash_doc('exit 124'), ['build'], fake, log=quiet)


def test_phases_run_in_document_order_and_missing_phases_are_skipped(fake, tmp_path):
    out = tmp_path / 'order'
    doc = document(f"""
        - name: build
          steps:
            - name: B
              action: ExecuteBash
              inputs: {{commands: ['echo build >> {out}']}}
        - name: test
          steps:
            - name: T
              action: ExecuteBash
              inputs: {{commands: ['echo test >> {out}']}}
        """)
    result = run_document(doc, ['test', 'validate', 'build'], fake, log=quiet)
    assert out.read_text() == 'build\ntest\n'
    assert result.phases == ['build', 'test']
    assert set(result.phase_seconds) == {'build', 'test'}


# ---------------------------------------------------------------------------------------------
# S3 stand-in


@pytest.fixture
def s3(tmp_path: Path) -> Path:
    root = tmp_path / 's3'
    files = {
        'bucket-a/agents/setup.sh': 'setup\n',
        'bucket-a/agents/conf/a.conf': 'a\n',
        'bucket-a/agents/conf/b.conf': 'b\n',
        'bucket-a/other/x': 'x\n',
    }
    for key, text in files.items():
        (root / key).parent.mkdir(parents=True, exist_ok=True)
        (root / key).write_text(text)
    (root / 'reports').mkdir()
    return root


def s3_doc(action: str, *transfers: dict) -> str:
    body = yaml.safe_dump([{'name': 'build', 'steps': [{'name': 'Transfer', 'action': action,
                                                         'inputs': list(transfers)}]}], sort_keys=False)
    return f'name: s3\nschemaVersion: 1.0\nphases:\n{textwrap.indent(body, "  ")}'


def test_s3_download_object_to_file_and_to_folder(fake, s3):
    dest = fake.workdir / 'dl'
    dest.mkdir()
    run_document(s3_doc('S3Download', {'source': 's3://bucket-a/agents/setup.sh', 'destination': f'{dest}/installer.sh'},
                        {'source': 's3://bucket-a/agents/setup.sh', 'destination': f'{dest}/',
                         'expectedBucketOwner': '111122223333'}),
                 ['build'], fake, s3_root=str(s3), log=quiet)
    assert (dest / 'installer.sh').read_text() == 'setup\n'
    assert (dest / 'setup.sh').read_text() == 'setup\n'


def test_s3_download_key_prefix_wildcard_copies_every_object_under_it(fake, s3):
    dest = fake.workdir / 'agents'
    dest.mkdir()
    run_document(s3_doc('S3Download', {'source': 's3://bucket-a/agents/*', 'destination': str(dest)}),
                 ['build'], fake, s3_root=str(s3), log=quiet)
    found = sorted(str(p.relative_to(dest)) for p in dest.rglob('*') if p.is_file())
    assert found == ['conf/a.conf', 'conf/b.conf', 'setup.sh']


def test_s3_download_missing_object_bucket_or_folder_fails(fake, s3):
    dest = fake.workdir
    cases = [
        ({'source': 's3://bucket-a/agents/nope.sh', 'destination': f'{dest}/x'}, 'NoSuchKey: s3://bucket-a/agents/nope.sh'),
        ({'source': 's3://no-bucket/k', 'destination': f'{dest}/x'}, 'NoSuchBucket: s3://no-bucket'),
        ({'source': 's3://bucket-a/nothing/*', 'destination': str(dest)}, 'no object under'),
        ({'source': 's3://bucket-a/agents/setup.sh', 'destination': f'{dest}/missing/x'}, 'folder of the destination'),
        ({'source': 's3://bucket-a/agents/setup.sh', 'destination': f'{dest}/x', 'expectedBucketOwner': '12'},
         '12-digit account ID'),
    ]
    for transfer, message in cases:
        with pytest.raises(ToeFailure, match=message):
            run_document(s3_doc('S3Download', transfer), ['build'], fake, s3_root=str(s3), log=quiet)


def test_s3_download_overwrite_false_keeps_an_existing_file(fake, s3):
    (fake.workdir / 'setup.sh').write_text('mine\n')
    with pytest.raises(ToeFailure, match='exists and overwrite is false'):
        run_document(s3_doc('S3Download', {'source': 's3://bucket-a/agents/setup.sh',
                                           'destination': f'{fake.workdir}/setup.sh', 'overwrite': False}),
                     ['build'], fake, s3_root=str(s3), log=quiet)
    assert (fake.workdir / 'setup.sh').read_text() == 'mine\n'
    run_document(s3_doc('S3Download', {'source': 's3://bucket-a/agents/setup.sh', 'destination': f'{fake.workdir}/setup.sh'}),
                 ['build'], fake, s3_root=str(s3), log=quiet)
    assert (fake.workdir / 'setup.sh').read_text() == 'setup\n'


def staged(fake: FakeExecutor) -> Path:
    stage = fake.workdir / 'stage'
    (stage / 'sub' / 'deeper').mkdir(parents=True)
    (stage / 'report.xml').write_text('r\n')
    (stage / '.hidden').write_text('h\n')
    (stage / 'sub' / 'inner.txt').write_text('i\n')
    (stage / 'sub' / 'deeper' / 'leaf.txt').write_text('l\n')
    return stage


def uploaded(s3: Path) -> list[str]:
    return sorted(str(p.relative_to(s3 / 'reports')) for p in (s3 / 'reports').rglob('*') if p.is_file())


def test_s3_upload_wildcard_without_recurse_copies_files_only(fake, s3):
    stage = staged(fake)
    run_document(s3_doc('S3Upload', {'source': f'{stage}/*', 'destination': 's3://reports/run1/'}),
                 ['build'], fake, s3_root=str(s3), log=quiet)
    assert uploaded(s3) == ['run1/.hidden', 'run1/report.xml']


def test_s3_upload_wildcard_with_recurse_copies_folders_too(fake, s3):
    stage = staged(fake)
    run_document(s3_doc('S3Upload', {'source': f'{stage}/*', 'destination': 's3://reports/run1', 'recurse': True}),
                 ['build'], fake, s3_root=str(s3), log=quiet)
    assert uploaded(s3) == ['run1/.hidden', 'run1/report.xml', 'run1/sub/deeper/leaf.txt', 'run1/sub/inner.txt']
    assert (s3 / 'reports' / 'run1' / 'sub' / 'deeper' / 'leaf.txt').read_text() == 'l\n'


def test_s3_upload_single_file_folder_and_partial_wildcard(fake, s3):
    stage = staged(fake)
    run_document(s3_doc('S3Upload', {'source': f'{stage}/report.xml', 'destination': 's3://reports/named.xml'},
                        {'source': f'{stage}/report.xml', 'destination': 's3://reports/dir/'},
                        {'source': f'{stage}/sub', 'destination': 's3://reports/tree/', 'recurse': 'true'},
                        {'source': f'{stage}/rep*.xml', 'destination': 's3://reports/glob/'}),
                 ['build'], fake, s3_root=str(s3), log=quiet)
    assert uploaded(s3) == ['dir/report.xml', 'glob/report.xml', 'named.xml', 'tree/deeper/leaf.txt', 'tree/inner.txt']


def test_s3_upload_errors(fake, s3):
    stage = staged(fake)
    cases = [
        ({'source': f'{stage}/sub', 'destination': 's3://reports/x/'}, 'is a folder: set recurse: true'),
        ({'source': f'{stage}/nope.xml', 'destination': 's3://reports/x'}, 'does not exist'),
        ({'source': f'{stage}/*.json', 'destination': 's3://reports/x/'}, 'nothing matches'),
        ({'source': f'{stage}/report.xml', 'destination': 's3://missing-bucket/x'}, 'NoSuchBucket'),
    ]
    for transfer, message in cases:
        with pytest.raises(ToeFailure, match=message):
            run_document(s3_doc('S3Upload', transfer), ['build'], fake, s3_root=str(s3), log=quiet)
    assert uploaded(s3) == []


def test_s3_steps_need_an_s3_root(fake):
    doc = s3_doc('S3Download', {'source': 's3://bucket-a/k', 'destination': '/tmp/x'})
    with pytest.raises(ToeValidationError, match='s3_root must be the folder'):
        run_document(doc, ['build'], fake, log=quiet)
    with pytest.raises(ToeValidationError, match='destination must be an s3:// URI'):
        load_document(s3_doc('S3Upload', {'source': '/tmp/x', 'destination': '/tmp/y'}))


# ---------------------------------------------------------------------------------------------
# Recipes


def phase_doc(name: str, phases: list[str], out: Path) -> str:
    body = ''.join(f"""
        - name: {phase}
          steps:
            - name: Mark
              action: ExecuteBash
              inputs: {{commands: ['echo {name}-{phase} >> {out}']}}
        """ for phase in phases)
    return document(body, name=name)


def test_run_recipe_runs_build_all_then_validate_all_then_reboot_then_test_all(fake, tmp_path):
    out = tmp_path / 'order'
    components = [
        {'name': 'a', 'document': phase_doc('a', ['build', 'validate', 'test'], out)},
        {'name': 'b', 'document': phase_doc('b', ['build', 'test'], out), 'parameters': {}},
        {'name': 'c', 'document': phase_doc('c', ['validate'], out)},
    ]
    result = run_recipe(components, fake, log=quiet)
    assert out.read_text().split() == ['a-build', 'b-build', 'a-validate', 'c-validate', 'a-test', 'b-test']
    kinds = [event[0] if event[0] == 'reboot' else event[1].split()[1] for event in fake.events]
    assert kinds == ['a-build', 'b-build', 'a-validate', 'c-validate', 'reboot', 'a-test', 'b-test']
    assert {name: sorted(phases) for name, phases in result.seconds.items()} == {
        'a': ['build', 'test', 'validate'], 'b': ['build', 'test'], 'c': ['validate']}
    assert [(d.component, d.phases) for d in result.documents] == [
        ('a', ['build']), ('b', ['build']), ('a', ['validate']), ('c', ['validate']), ('a', ['test']), ('b', ['test'])]
    assert 'build stage' in result.table()


def test_run_recipe_validates_every_document_before_running_any(fake, tmp_path):
    components = [
        {'name': 'good', 'document': phase_doc('good', ['build'], tmp_path / 'o')},
        {'name': 'bad', 'document': bash_doc('echo {{ Missing }}')},
    ]
    with pytest.raises(ToeValidationError, match="component 'bad'.*Missing"):
        run_recipe(components, fake, log=quiet)
    assert fake.events == []


def test_run_recipe_stops_at_a_failed_component_and_reports_where(fake, tmp_path):
    out = tmp_path / 'order'
    components = [
        {'name': 'a', 'document': phase_doc('a', ['build', 'test'], out)},
        {'name': 'broken', 'document': bash_doc('exit 7', phase='validate')},
        {'name': 'c', 'document': phase_doc('c', ['validate'], out)},
    ]
    with pytest.raises(ToeFailure) as caught:
        run_recipe(components, fake, log=quiet)
    assert (caught.value.component, caught.value.phase, caught.value.exit_code) == ('broken', 'validate', 7)
    assert out.read_text().split() == ['a-build']
    assert fake.reboots == 0
    assert caught.value.recipe_result.seconds['broken'].keys() == {'validate'}


def test_run_recipe_takes_objects_with_name_document_parameters(fake, tmp_path):
    class Component:
        def __init__(self, name, document, parameters):
            self.name, self.document, self.parameters = name, document, parameters
    out = tmp_path / 'greeting'
    result = run_recipe([Component('greet', greeting_doc(out), {'Target': 'recipe'})], fake, log=quiet)
    assert out.read_text() == 'hello recipe\nhello\n'
    assert fake.reboots == 1
    assert list(result.seconds) == ['greet'] and set(result.seconds['greet']) == {'build'}
    assert result.total_seconds >= result.build_stage_seconds + result.test_stage_seconds
    with pytest.raises(ToeValidationError, match='unique'):
        run_recipe([Component('x', greeting_doc(out), {'Target': 'a'})] * 2, fake, log=quiet)


# ---------------------------------------------------------------------------------------------
# Why the YAML 1.1 parser: line breaks that YAML 1.2 and the author do not see


def literal_block_doc(script_line: str) -> str:
    """A document as the library renders one: the script in a literal block at 14 spaces."""
    return ('name: d\nschemaVersion: 1.0\nphases:\n  - name: build\n    steps:\n      - name: Run\n'
            '        action: ExecuteBash\n        inputs:\n          commands:\n            - |-\n'
            '              set -euo pipefail\n'
            f'              {script_line}\n'
            '              echo done\n')


def test_u2028_and_u0085_in_a_literal_block_change_the_commands_under_pyyaml():
    # The author meant one command line with the character inside a quoted string.
    for char in ('\u2028', '\x85'):
        with pytest.raises(ToeValidationError, match='could not find expected'):
            load_document(literal_block_doc(f'echo "one{char}two"'))

    # When the text after the character happens to be indented like the block, the document parses,
    # but into other commands: YAML 1.1 ends the line there and strips the next line's indentation.
    indent = ' ' * 14
    commands = {}
    for char in ('\u2028', '\x85'):
        doc = load_document(literal_block_doc(f'printf "%s" "one{char}{indent}two"'))
        commands[char] = doc.phases[0][1][0].inputs['commands']
    assert commands['\u2028'] == ['set -euo pipefail\nprintf "%s" "one\u2028two"\necho done']  # 14 spaces gone
    assert commands['\x85'] == ['set -euo pipefail\nprintf "%s" "one\ntwo"\necho done']  # NEL became a newline
    intended = f'printf "%s" "one\x85{indent}two"'
    assert intended not in commands['\x85'][0]


# ---------------------------------------------------------------------------------------------
# More failure paths


def test_a_failed_copy_to_the_instance_fails_the_step(fake, s3, monkeypatch):
    def broken_put(local_path, remote_path):
        raise RuntimeError('disk full')
    monkeypatch.setattr(fake, 'put', broken_put)
    with pytest.raises(ToeFailure, match='on the instance failed: disk full'):
        run_document(s3_doc('S3Download', {'source': 's3://bucket-a/agents/setup.sh', 'destination': f'{fake.workdir}/x'}),
                     ['build'], fake, s3_root=str(s3), log=quiet)


def test_an_output_of_a_phase_that_did_not_run_is_an_error_at_run_time(fake):
    doc = document("""
        - name: build
          steps:
            - name: Version
              action: ExecuteBash
              inputs: {commands: ['echo 1']}
        - name: test
          steps:
            - name: Use
              action: ExecuteBash
              inputs: {commands: ['echo {{ build.Version.outputs.stdout }}']}
        """)
    run_document(doc, ['build', 'test'], fake, log=quiet)
    with pytest.raises(ToeValidationError, match='did not run in this call'):
        run_document(doc, ['test'], fake, log=quiet)


# ---------------------------------------------------------------------------------------------
# The library's own documents


def test_every_component_document_of_the_example_app_validates(tmp_path):
    """Synthesizes examples/app.ts and validates each component document with the parameter
    values its recipes give (values that are CloudFormation tokens become placeholders)."""
    repo = Path(__file__).resolve().parent.parent
    assert shutil.which('npx'), 'npx is needed to synthesize examples/app.ts'
    env = {**os.environ, 'CDK_OUTDIR': str(tmp_path / 'cdk.out'), 'JSII_SILENCE_SUPPORT_WARNING': '1',
           'JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION': '20'}
    # -T (transpile only): type errors are the TypeScript build's business, documents are ours.
    done = subprocess.run(['npx', 'ts-node', '-T', '--project', 'tsconfig.dev.json', 'examples/app.ts'],
                          cwd=repo, env=env, capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, done.stderr[-3000:]
    template = yaml.safe_load((tmp_path / 'cdk.out' / 'ImageFactory.template.json').read_text())
    resources = template['Resources']
    values: dict[str, list[dict]] = {}
    for resource in resources.values():
        if resource['Type'] != 'AWS::ImageBuilder::ImageRecipe':
            continue
        for entry in resource['Properties']['Components']:
            arn = entry['ComponentArn']
            if isinstance(arn, dict) and 'Fn::GetAtt' in arn:
                values.setdefault(arn['Fn::GetAtt'][0], []).append(
                    {p['Name']: p['Value'][0] if isinstance(p['Value'][0], str) else 'cfn-token'
                     for p in entry.get('Parameters', [])})
    checked = []
    for logical_id, resource in resources.items():
        if resource['Type'] != 'AWS::ImageBuilder::Component':
            continue
        assert logical_id in values, f'{logical_id} is in no recipe'
        for parameters in values[logical_id]:
            doc = load_document(resource['Properties']['Data'], parameters,
                                allow_windows=resource['Properties']['Platform'] == 'Windows')
            checked.append((resource['Properties']['Name'], doc.phase_names()))
    assert len(checked) >= 10
    assert any('build' in phases for _, phases in checked) and any('test' in phases for _, phases in checked)
