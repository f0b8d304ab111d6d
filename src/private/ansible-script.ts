import { Token } from 'aws-cdk-lib';
import { bashQuote } from './shell-quote';
import { jsonForLiteralBlock } from './toe-document';
import { validateText } from './validation';

/* The build step of an Ansible playbook and the checks of what goes into it; not API. */

/** One path segment of a playbook name: no leading '-' (an option to ansible-playbook) or '.'. */
const SEGMENT = '[A-Za-z0-9_][A-Za-z0-9._-]*';
/** A playbook file name (AnsiblePlaybook.fromFile). */
export const PLAYBOOK_FILE_NAME = new RegExp(`^${SEGMENT}\\.ya?ml$`, 'i');
/** A playbook inside a folder (AnsibleDirectoryOptions.playbook): segments joined by '/'. */
export const PLAYBOOK_PATH = new RegExp(`^(${SEGMENT}/)*${SEGMENT}$`);
/** Jinja's delimiters: Ansible templates extra variables that hold them. */
const JINJA_DELIMITERS = /\{\{|\{%|\{#/;

/** Checks the value of an Ansible extra variable. */
export function validateAnsibleVariable(name: string, value: string): void {
  const prop = `playbooks: variables['${name}']`;
  validateText(prop, value);
  if (!Token.isUnresolved(value) && JINJA_DELIMITERS.test(value)) {
    throw new Error(`${prop} must not contain '{{', '{%' or '{#': Ansible evaluates Jinja in extra variables, so the value would run as a template on the build instance, got: '${value}'`);
  }
}

/** What the build step of a playbook needs. */
export interface PlaybookScriptSpec {
  /** The playbook file, relative to the work folder. */
  readonly playbook: string;
  /** The S3 URI of the asset (a file, or a zip of the folder). */
  readonly source: string;
  /** Whether the asset is a zip of a folder. */
  readonly isDirectory: boolean;
  readonly variables: { [name: string]: string };
}

/**
 * The bash that downloads a playbook and runs it locally. Every value is a single-quoted
 * word: a file name such as `p$(touch pwned).yml` stays a file name.
 */
export function renderPlaybookScript(spec: PlaybookScriptSpec): string {
  const fetch = spec.isDirectory
    ? `aws s3 cp ${bashQuote(spec.source)} "$work/playbook.zip"
(cd "$work" && python3 -m zipfile -e playbook.zip .)`
    : `aws s3 cp ${bashQuote(spec.source)} "$work/$playbook"`;
  return `work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
playbook=${bashQuote(spec.playbook)}
${fetch}
cat > "$work/extra-vars.json" <<'VARS'
${jsonForLiteralBlock(spec.variables)}
VARS
cd "$work"
ansible-playbook --connection=local --inventory localhost, --extra-vars "@$work/extra-vars.json" "$playbook"`;
}
