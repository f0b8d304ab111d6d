import { Names, Stack, Token } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { GoldenImage } from '../golden-image';
import { quoteValue, validateArray, validateDescription, validateUnique } from './validation';

/*
 * What AWS::Organizations::Policy takes
 * (https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-organizations-policy.html):
 * a Name of 1-128 ASCII characters, a Description of at most 512, TargetIds that are a root
 * (r- and 4-32 lowercase letters or digits), an OU (ou-, 4-32, a dash, 8-32) or an account
 * (12 digits), and a Content whose size is capped per type: 5,120 characters for service
 * control policies, 10,000 for declarative policies
 * (https://docs.aws.amazon.com/organizations/latest/userguide/orgs_reference_limits.html).
 */
const TARGET_ID = /^(r-[0-9a-z]{4,32}|ou-[0-9a-z]{4,32}-[a-z0-9]{8,32}|\d{12})$/;
const POLICY_NAME = /^[\x20-\x7E]{1,128}$/;
export const SCP_MAX_CHARACTERS = 5120;
export const DECLARATIVE_POLICY_MAX_CHARACTERS = 10000;

/** Checks the target IDs (root, OU or account), tokens aside. */
export function validateTargetIds(construct: string, targetIds: string[] | undefined): void {
  validateArray(`${construct} targetIds`, targetIds);
  if (targetIds === undefined || (!Token.isUnresolved(targetIds) && targetIds.length === 0)) {
    throw new Error(`${construct} targetIds must list at least one root, organizational unit or account (an unattached policy does nothing), got: ${quoteValue(JSON.stringify(targetIds))}`);
  }
  if (Token.isUnresolved(targetIds)) return;
  targetIds.forEach((id, i) => {
    if (Token.isUnresolved(id)) return;
    if (typeof id !== 'string' || !TARGET_ID.test(id)) {
      throw new Error(`${construct} targetIds[${i}] must be a root ID (r-xxxx), an organizational unit ID (ou-xxxx-xxxxxxxx) or a 12-digit account ID, got: ${quoteValue(id)}`);
    }
  });
  validateUnique(`${construct} targetIds`, targetIds);
}

/** The policy name: the given one, checked, or one derived from the construct path. */
export function policyName(scope: Construct, construct: string, name: string | undefined): string {
  if (name === undefined) return Names.uniqueResourceName(scope, { maxLength: 128, separator: '-' });
  if (!Token.isUnresolved(name) && (typeof name !== 'string' || !POLICY_NAME.test(name))) {
    throw new Error(`${construct} policyName must be 1 to 128 printable ASCII characters, got: ${quoteValue(name)}`);
  }
  return name;
}

export function validatePolicyDescription(construct: string, description: string | undefined): void {
  validateDescription(`${construct} description`, description, 512);
}

/**
 * Fails when the policy text, once every value is known, is longer than Organizations takes.
 * Content holding tokens is left to the service: its rendered length is not known at synth.
 */
export function validateContentSize(construct: string, content: object, max: number): void {
  const text = JSON.stringify(content);
  if (Token.isUnresolved(text)) return;
  if (text.length > max) {
    throw new Error(`${construct} renders a policy of ${text.length} characters, more than the ${max} AWS Organizations takes for this policy type: list fewer values, got: ${quoteValue(text)}`);
  }
}

/**
 * Checks that each of `images` is a GoldenImage of this app. From JavaScript, an imported image
 * (GoldenImage.fromParameterName) passes the types, but it has no AMI name or factory account.
 */
export function validateGoldenImages(construct: string, instead: string, images: GoldenImage[]): void {
  images.forEach((image, i) => {
    if (!(image instanceof GoldenImage)) {
      const what = image && typeof image === 'object' && 'node' in image ? (image as Construct).node.path : JSON.stringify(image);
      throw new Error(`${construct} images[${i}] must be a GoldenImage of this app (an imported image has no AMI name or factory account to read: ${instead}), got: ${quoteValue(what)}`);
    }
  });
}

/**
 * The accounts that own the images' AMIs, in order and without repeats. `withCopies` adds the
 * `copyToAccounts` of each image. A token account (an environment-agnostic stack) cannot be
 * compared or named from another stack, so it is an error naming `prop`, the prop that
 * lists the accounts instead.
 */
export function imageOwnerAccounts(scope: Construct, construct: string, prop: string, images: GoldenImage[], withCopies: boolean): string[] {
  const accounts: string[] = [];
  for (const image of images) {
    const owners = withCopies ? image._ownerAccounts : image._ownerAccounts.slice(0, 1);
    for (const account of owners) {
      if (Token.isUnresolved(account) && Stack.of(image) !== Stack.of(scope)) {
        throw new Error(`${construct} cannot read the factory account of ${image.node.path}: its stack has no explicit env.account; give the accounts in ${prop}, got the account: ${quoteValue(account)}`);
      }
      if (!accounts.includes(account)) accounts.push(account);
    }
  }
  return accounts;
}
