import { createHash } from 'crypto';
import { Token } from 'aws-cdk-lib';
import { Fact } from 'aws-cdk-lib/region-info';
import { AMI_ID } from './patterns';

/**
 * Synth-time checks shared by every construct. Each one skips values that are still
 * tokens (they resolve at deploy time) and names the prop and the value it received.
 */

const ACCOUNT_ID = /^\d{12}$/;
const REGION = /^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d{1,2}$/;
const ORGANIZATION_ARN = /^arn:aws[a-z-]*:organizations::\d{12}:organization\/o-[a-z0-9]{10,32}$/;
const OU_ID = 'ou-[a-z0-9]{4,32}-[a-z0-9]{8,32}';
const OU_ARN = new RegExp(`^arn:aws[a-z-]*:organizations::\\d{12}:ou\\/o-[a-z0-9]{10,32}\\/${OU_ID}$`);
const OU_OR_ROOT_ID = new RegExp(`^(${OU_ID}|r-[a-z0-9]{4,32})$`);
const KMS_KEY_ARN = /^arn:aws[a-z-]*:kms:([a-z0-9-]+):(\d{12}):(key\/[A-Za-z0-9-]+|alias\/[A-Za-z0-9/_-]+)$/;
const LAUNCH_TEMPLATE_ID = /^lt-[a-z0-9-_]{17}$/;
/**
 * Image Builder resource names: letters, digits, hyphens, underscores, spaces inside. The
 * service pattern `^[-_A-Za-z-0-9][-_A-Za-z0-9 ]{1,126}[-_A-Za-z-0-9]$` takes at least 3
 * characters; at most 126 leaves room for the suffixes the library adds.
 */
const IMAGE_BUILDER_NAME = /^[-_A-Za-z0-9][-_A-Za-z0-9 ]{1,124}[-_A-Za-z0-9]$/;
/** EBS device names as EC2 block device mappings take them. */
const DEVICE_NAME = /^\/dev\/[a-z0-9]+$|^xvd[a-z]$/;
const SSM_PARAMETER_NAME = /^\/[A-Za-z0-9_.\-/]{1,1010}$/;

/** An Image Builder ARN of a component or image with its version (`x` parts for the latest); group 1 is the owner, an account or `aws`. */
function imageBuilderArn(resource: 'component' | 'image'): RegExp {
  return new RegExp(`^arn:aws[a-z-]*:imagebuilder:[a-z0-9-]+:(\\d{12}|aws):${resource}\\/[a-z0-9-_]+\\/(\\d+|x)\\.(\\d+|x)\\.(\\d+|x)(\\/\\d+)?$`);
}
export const IMAGE_BUILDER_COMPONENT_ARN = imageBuilderArn('component');
export const IMAGE_BUILDER_IMAGE_ARN = imageBuilderArn('image');

/** Values longer than this are shown by their start and their length. */
const SHOWN_VALUE_LENGTH = 200;

/** A received value as error messages quote it: in full, or its first characters and its length. */
export function quoteValue(value: unknown): string {
  const text = String(value);
  return text.length > SHOWN_VALUE_LENGTH ? `'${text.slice(0, SHOWN_VALUE_LENGTH)}...' (${text.length} characters)` : `'${text}'`;
}

function fail(prop: string, value: unknown, expectation: string): never {
  throw new Error(`${prop} ${expectation}, got: ${quoteValue(value)}`);
}

export function validateAccountId(prop: string, value: string): void {
  if (!Token.isUnresolved(value) && !ACCOUNT_ID.test(value)) {
    fail(prop, value, 'must be a 12-digit AWS account ID');
  }
}

/**
 * A region name that aws-cdk-lib's region list knows (`Fact.regions`: its `AWS_REGIONS` plus
 * regions registered with `Fact.register`): a misspelt region such as eu-centrl-1 matches the
 * format but fails only when Image Builder distributes to it.
 */
export function validateRegion(prop: string, value: string): void {
  if (Token.isUnresolved(value) || Fact.regions.includes(value)) return;
  if (!REGION.test(value)) {
    fail(prop, value, 'must be an AWS region name such as eu-west-1');
  }
  fail(prop, value, 'must be an AWS region that exists: aws-cdk-lib\'s region list (RegionInfo.regions) does not have it; check the spelling, or for a region newer than your aws-cdk-lib, upgrade aws-cdk-lib or pass the region as a token');
}

export function validateOrganizationArn(prop: string, value: string): void {
  if (!Token.isUnresolved(value) && !ORGANIZATION_ARN.test(value)) {
    fail(prop, value, 'must be an AWS Organizations organization ARN (arn:aws:organizations::<account>:organization/o-xxxxxxxxxx)');
  }
}

export function validateOrganizationalUnitArn(prop: string, value: string): void {
  if (!Token.isUnresolved(value) && !OU_ARN.test(value)) {
    fail(prop, value, 'must be an organizational unit ARN (arn:aws:organizations::<account>:ou/o-xxxxxxxxxx/ou-xxxx-xxxxxxxx)');
  }
}

export function validateOrganizationalUnitOrRootId(prop: string, value: string): void {
  if (!Token.isUnresolved(value) && !OU_OR_ROOT_ID.test(value)) {
    fail(prop, value, 'must be an organizational unit ID (ou-xxxx-xxxxxxxx) or the root ID (r-xxxx)');
  }
}

/** Checks a KMS key or alias ARN and, when both are known, that it lives in `region`. */
export function validateKmsKeyArn(prop: string, value: string, region?: string): void {
  if (Token.isUnresolved(value)) return;
  const match = KMS_KEY_ARN.exec(value);
  if (!match) {
    fail(prop, value, 'must be a KMS key or alias ARN (arn:aws:kms:<region>:<account>:key/<id>)');
  }
  if (region && !Token.isUnresolved(region) && match[1] !== region) {
    fail(prop, value, `must be a key in region ${region} (KMS keys are regional), but the ARN is in ${match[1]}`);
  }
}

export function validateLaunchTemplateId(prop: string, value: string): void {
  if (!Token.isUnresolved(value) && !LAUNCH_TEMPLATE_ID.test(value)) {
    fail(prop, value, 'must be a launch template ID (lt- followed by 17 characters)');
  }
}

export function validateAmiId(prop: string, value: string): void {
  if (!Token.isUnresolved(value) && !AMI_ID.test(value)) {
    fail(prop, value, 'must be an AMI ID (ami- followed by 8 or 17 hexadecimal characters)');
  }
}

export function validateImageBuilderName(prop: string, value: string): void {
  if (!Token.isUnresolved(value) && !IMAGE_BUILDER_NAME.test(value)) {
    fail(prop, value, 'must be 3-126 characters of letters, digits, hyphens and underscores (spaces only inside)');
  }
}

export function validateDeviceName(prop: string, value: string): void {
  if (!Token.isUnresolved(value) && !DEVICE_NAME.test(value)) {
    fail(prop, value, 'must be a device name such as /dev/xvda');
  }
}

export function validateSsmParameterName(prop: string, value: string): void {
  if (Token.isUnresolved(value)) return;
  if (!SSM_PARAMETER_NAME.test(value)) {
    fail(prop, value, 'must be a fully qualified SSM parameter name: a leading /, then letters, digits, _ . - and /');
  }
  if (/^\/(aws|ssm)\//i.test(value)) {
    fail(prop, value, 'must not start with /aws/ or /ssm/ (reserved by AWS)');
  }
  if (value.split('/').length - 1 > 15) {
    fail(prop, value, 'must have at most 15 levels of hierarchy');
  }
}

export function validateIntegerInRange(prop: string, value: number, min: number, max: number): void {
  if (Token.isUnresolved(value)) return;
  if (!Number.isInteger(value) || value < min || value > max) {
    fail(prop, value, `must be an integer from ${min} to ${max}`);
  }
}

/** Rejects the same value listed twice, which the service would reject an hour into a deploy. */
export function validateUnique(prop: string, values: string[]): void {
  const seen = new Set<string>();
  for (const value of values) {
    if (Token.isUnresolved(value)) continue;
    if (seen.has(value)) {
      fail(prop, value, 'must not list the same value twice');
    }
    seen.add(value);
  }
}

/**
 * Characters no user value placed in a generated document, script or policy may hold: the C0
 * controls (tab and, in scripts, line feed aside), DEL, the C1 controls, U+2028, U+2029, the
 * non-characters U+FFFE and U+FFFF, and unpaired surrogates. YAML 1.1 parsers, AWSTOE's
 * among them (Go), take U+0085 (a C1 control), U+2028, U+2029 and a bare carriage return as
 * line breaks: in a literal block one would end the block and turn the rest of the value into
 * document structure (another step). The others are not printable YAML, so AWSTOE would refuse
 * the document an hour into a build.
 */
const UNPRINTABLE = '\\u0000-\\u0008\\u000B\\u000C\\u000E-\\u001F\\u007F-\\u009F\\u2028\\u2029\\uFFFE\\uFFFF';
/** Single-line text: a tab, but no line feed or carriage return. */
const FORBIDDEN_IN_TEXT = new RegExp(`[${UNPRINTABLE}\\n\\r]|[\\uD800-\\uDFFF]`, 'u');
/** Scripts: tabs and line feeds; a carriage return only in CRLF. */
const FORBIDDEN_IN_SCRIPT = new RegExp(`[${UNPRINTABLE}]|\\r(?!\\n)|[\\uD800-\\uDFFF]`, 'u');

/** A value with its control and separator characters written as \uXXXX, for an error message. */
export function visibleText(value: string): string {
  return value.replace(new RegExp(`[${UNPRINTABLE}\\n\\r]|[\\uD800-\\uDFFF]`, 'gu'),
    c => `\\u${c.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}`);
}

/** Rejects control characters and Unicode line breaks in a single-line text value (a tab is fine). */
export function validateText(prop: string, value: string): void {
  if (Token.isUnresolved(value)) return;
  if (FORBIDDEN_IN_TEXT.test(value)) {
    throw new Error(`${prop} must be one line without control characters (a tab aside) or the line separators U+0085, U+2028 and U+2029, which YAML 1.1 parsers such as AWSTOE's read as line breaks, got: '${visibleText(value)}'`);
  }
}

/**
 * Text of 1 to `max` characters: the Description of every Image Builder resource takes 1-1024
 * (AWS::ImageBuilder::ImageRecipe, ImagePipeline, DistributionConfiguration and its
 * AmiDistributionConfiguration, Component, LifecyclePolicy:
 * https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-imagebuilder-imagerecipe.html).
 */
export function validateDescription(prop: string, value: string | undefined, max: number = 1024, min: number = 1): void {
  if (value === undefined || Token.isUnresolved(value)) return;
  validateString(prop, value);
  if (value.length < min || value.length > max) {
    fail(prop, value, `must be ${min} to ${max} characters`);
  }
}

/** The AMI name variables Image Builder resolves (https://docs.aws.amazon.com/imagebuilder/latest/userguide/manage-distribution-settings.html). */
const AMI_NAME_VARIABLE = /\{\{\s*imagebuilder:(buildDate|buildVersion)\s*\}\}/g;
/** The longest AMI name Image Builder takes (AmiDistributionConfiguration.name, 1-127 characters). */
export const AMI_NAME_MAX_LENGTH = 127;

/**
 * An AMI name as Image Builder and EC2 both take it. Image Builder's name
 * (https://docs.aws.amazon.com/imagebuilder/latest/APIReference/API_AmiDistributionConfiguration.html):
 * 1-127 characters matching `^[-_A-Za-z0-9{][-_A-Za-z0-9\s:{}\.]+[-_A-Za-z0-9}]$`. EC2's, once the
 * variables are resolved (https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_CreateImage.html):
 * 3-128 characters of letters, digits, ( ) [ ] space . / - ' @ _. Outside the variables, only
 * what both take passes: a ':' or a tab Image Builder accepts fails EC2 at the end of a build.
 */
export function validateAmiName(prop: string, value: string): void {
  if (Token.isUnresolved(value)) return;
  validateString(prop, value);
  if (value.length < 3 || value.length > AMI_NAME_MAX_LENGTH) {
    fail(prop, value, `must be 3 to ${AMI_NAME_MAX_LENGTH} characters (Image Builder's limit for AMI names)`);
  }
  const literal = value.replace(AMI_NAME_VARIABLE, '');
  if (/[^-_A-Za-z0-9 .]/.test(literal)) {
    fail(prop, value, 'must be letters, digits, spaces, hyphens, underscores and periods besides {{ imagebuilder:buildDate }} and {{ imagebuilder:buildVersion }} (what both Image Builder and EC2 take in AMI names)');
  }
  if (!/^[-_A-Za-z0-9{]/.test(value) || !/[-_A-Za-z0-9}]$/.test(value)) {
    fail(prop, value, 'must start and end with a letter, digit, hyphen, underscore or an {{ imagebuilder:... }} variable');
  }
}

/**
 * Rejects, in a script, control characters other than tab and line feed, a carriage return
 * outside CRLF, and U+2028 / U+2029. The message names the line, not the whole script.
 */
export function validateScript(prop: string, value: string): void {
  if (Token.isUnresolved(value)) return;
  const match = FORBIDDEN_IN_SCRIPT.exec(value);
  if (match) {
    const line = value.slice(0, match.index).split('\n').length;
    const text = value.split('\n')[line - 1];
    throw new Error(`${prop} must not hold control characters (tab, line feed and CRLF aside) or the line separators U+0085, U+2028 and U+2029, which YAML 1.1 parsers such as AWSTOE's read as line breaks; line ${line} holds one, got: '${visibleText(text)}'`);
  }
}

/**
 * `name` if it has at most `max` characters, otherwise its start and a hash of all of it:
 * deterministic, and two long names that differ only at the end stay different.
 */
export function fitName(name: string, max: number): string {
  if (name.length <= max) return name;
  const hash = createHash('sha256').update(name).digest('hex').slice(0, 8);
  return `${name.slice(0, max - hash.length - 1)}-${hash}`;
}

/**
 * Image Builder's tag rules for AMI tags (amiTags of a recipe and of a distribution,
 * https://docs.aws.amazon.com/imagebuilder/latest/APIReference/API_AmiDistributionConfiguration.html):
 * at most 50, keys of 1-128 characters matching `^(?!aws:)[a-zA-Z0-9\s_.:/=+\-@]*$`, values of at
 * most 256. `\s` is Java's there: ASCII whitespace only.
 */
const TAG_KEY = /^[a-zA-Z0-9 \t\n\x0B\f\r_.:/=+\-@]+$/;
export function validateTags(prop: string, tags: { [key: string]: string } | undefined, maxEntries: number = 50): void {
  if (tags === undefined || Token.isUnresolved(tags)) return;
  if (typeof tags !== 'object' || tags === null || Array.isArray(tags)) {
    fail(prop, JSON.stringify(tags), 'must be a map of tag keys to values');
  }
  const entries = Object.entries(tags);
  if (entries.length > maxEntries) {
    fail(prop, entries.map(([key]) => key).join(', '), `must have at most ${maxEntries} tags`);
  }
  for (const [key, value] of entries) {
    if (!Token.isUnresolved(key)) {
      if (key.length < 1 || key.length > 128) fail(`${prop} key`, key, 'must be 1 to 128 characters');
      if (key.toLowerCase().startsWith('aws:')) fail(`${prop} key`, key, 'must not start with aws: (reserved by AWS)');
      if (!TAG_KEY.test(key)) fail(`${prop} key`, key, 'must be letters, digits, spaces and _ . : / = + - @');
    }
    if (Token.isUnresolved(value)) continue;
    if (typeof value !== 'string') fail(`${prop}['${key}']`, JSON.stringify(value), 'must be a string');
    if (value.length > 256) fail(`${prop}['${key}']`, value, 'must be at most 256 characters');
  }
}

/**
 * Checks an S3 object key or key prefix that goes into an IAM resource ARN as well as into
 * generated documents. `*` and `?` are wildcards in the Resource element, so a key holding
 * them would grant more objects than the one named
 * (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_resource.html);
 * `${` starts a policy variable (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html).
 */
export function validateS3KeyForPolicy(prop: string, value: string): void {
  if (Token.isUnresolved(value)) return;
  validateText(prop, value);
  if (/[*?]|\$\{/.test(value)) {
    fail(prop, value, "must not contain '*', '?' or '${': the key goes into an IAM policy, where they are wildcards and policy variables that would grant more than this key");
  }
}

/**
 * A recipe's working directory: an absolute path of 1-1024 characters
 * (AWS::ImageBuilder::ImageRecipe WorkingDirectory,
 * https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-imagebuilder-imagerecipe.html).
 * Control characters are refused too: no shell or PowerShell step could use such a path.
 */
export function validateWorkingDirectory(prop: string, value: string | undefined): void {
  if (value === undefined || Token.isUnresolved(value)) return;
  validateString(prop, value);
  if (value.length < 1 || value.length > 1024) fail(prop, value, 'must be 1 to 1024 characters');
  if (!value.startsWith('/') && !/^[A-Za-z]:\\/.test(value)) fail(prop, value, 'must be an absolute path');
  // eslint-disable-next-line no-control-regex
  if (/[\x00-\x1f\x7f]/.test(value)) fail(prop, JSON.stringify(value), 'must not contain control characters');
}

/**
 * Runtime type checks at the construct boundary, for JavaScript callers (TypeScript checks
 * these at compile time; jsii's other languages check them before the constructor runs).
 */
export function validateString(prop: string, value: unknown): void {
  if (value !== undefined && typeof value !== 'string') {
    fail(prop, JSON.stringify(value), `must be a string, got a ${kindOf(value)} instead`);
  }
}

export function validateArray(prop: string, value: unknown): void {
  if (value !== undefined && !Array.isArray(value) && !Token.isUnresolved(value)) {
    fail(prop, typeof value === 'string' ? value : JSON.stringify(value), `must be a list, got a ${kindOf(value)} instead`);
  }
}

export function validateBoolean(prop: string, value: unknown): void {
  if (value !== undefined && typeof value !== 'boolean') {
    fail(prop, JSON.stringify(value), `must be true or false, got a ${kindOf(value)} instead`);
  }
}

export function validateNumber(prop: string, value: unknown): void {
  if (value !== undefined && typeof value !== 'number') {
    fail(prop, JSON.stringify(value), `must be a number, got a ${kindOf(value)} instead`);
  }
}

function kindOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'list';
  return typeof value;
}

/** Checks the runtime types of the props named in each list. */
export function validatePropTypes(props: object, types: { strings?: string[]; arrays?: string[]; booleans?: string[]; numbers?: string[] }): void {
  const record = props as Record<string, unknown>;
  (types.strings ?? []).forEach(prop => validateString(prop, record[prop]));
  (types.arrays ?? []).forEach(prop => validateArray(prop, record[prop]));
  (types.booleans ?? []).forEach(prop => validateBoolean(prop, record[prop]));
  (types.numbers ?? []).forEach(prop => validateNumber(prop, record[prop]));
}

/**
 * The keys of a struct, each marked required (true) or optional (false). Declared as
 * `StructKeys<TheStruct>`, so the compiler keeps the list equal to the interface.
 */
export type StructKeys<T> = { readonly [K in keyof Required<T>]: boolean };

/** A key in a comparable form: `file_path`, `FilePath` and `filepath` all read `filepath`. */
function foldKey(key: string): string {
  return key.replace(/[_-]/g, '').toLowerCase();
}

/**
 * Checks each element of a list of structs, for JavaScript callers: an object, with every
 * required key and no key the struct does not take. A struct drops unknown keys without a word,
 * so `{ file_path: '/x' }` or `{ filePath: '/x', log_group_name: 'g' }` would otherwise build
 * something other than what was written. jsii's kernel already drops the unknown keys of a
 * dict passed from Python (and Java and Go cannot pass one), so there only the required keys
 * are left to check, and the kernel checks those.
 */
export function validateStructList<T>(prop: string, value: readonly T[] | undefined, struct: string, keys: StructKeys<T>): void {
  validateArray(prop, value);
  if (value === undefined || Token.isUnresolved(value)) return;
  const known = Object.keys(keys);
  value.forEach((element, i) => {
    const at = `${prop}[${i}]`;
    if (typeof element !== 'object' || element === null || Array.isArray(element)) {
      fail(at, typeof element === 'string' ? element : JSON.stringify(element), `must be a ${struct}, got a ${kindOf(element)} instead`);
    }
    const given = Object.keys(element).filter(key => (element as Record<string, unknown>)[key] !== undefined);
    for (const key of given) {
      if (known.includes(key)) continue;
      const meant = known.find(k => foldKey(k) === foldKey(key));
      const hint = meant ? ` (the key is '${meant}')` : '';
      throw new Error(`${at} has the key '${key}', which a ${struct} does not take${hint}: its keys are ${known.join(', ')}, got keys: '${given.join(', ')}'`);
    }
    for (const key of known) {
      if ((keys as Record<string, boolean>)[key] && !given.includes(key)) {
        throw new Error(`${at}.${key} is required (a ${struct} needs it), got keys: '${given.join(', ')}'`);
      }
    }
  });
}
