import { Token } from 'aws-cdk-lib';
import { CfnPolicy } from 'aws-cdk-lib/aws-organizations';
import { Construct } from 'constructs';
import { GoldenImage } from '../golden-image';
import { ORGANIZATIONS_POLICY_TYPES, SCP_NAMES } from '../private/aws-catalogue';
import {
  imageOwnerAccounts,
  policyName,
  SCP_MAX_CHARACTERS,
  validateContentSize,
  validatePolicyDescription,
  validateGoldenImages,
  validateTargetIds,
} from '../private/organizations-policy';
import { quoteValue, validateAccountId, validateArray, validateBoolean, validateUnique } from '../private/validation';

/*
 * The statement:
 * - `ec2:RunInstances` authorizes the image it launches from as a resource of type `image`,
 *   `arn:${Partition}:ec2:${Region}::image/${ImageId}`, with the condition key `ec2:Owner`
 *   (the image owner: an account ID or `amazon`)
 *   (https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonec2.html;
 *   the example "Launch instances from specific AMIs" in
 *   https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/ExamplePolicies_EC2.html uses
 *   `ec2:Owner` = `amazon` the same way). The Deny names only image resources, so the
 *   instance, volume and network interface resources of the same call are not refused.
 * - `aws:PrincipalArn` with `ArnNotLike` exempts the listed principals
 *   (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-principalarn).
 * - Service control policies take at most 5,120 characters
 *   (https://docs.aws.amazon.com/organizations/latest/userguide/orgs_reference_limits.html) and
 *   do not apply to service-linked roles
 *   (https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_scps.html).
 */
const POLICY_TYPE = ORGANIZATIONS_POLICY_TYPES.SERVICE_CONTROL.name;
const IMAGE_RESOURCE = 'arn:*:ec2:*::image/*';
const AMAZON_OWNER = SCP_NAMES.AMAZON_OWNER.name;
/** An IAM role or user ARN, `*` and `?` allowed in the account and the name. */
const PRINCIPAL_ARN = /^arn:(aws|aws-cn|aws-us-gov|\*):iam::(\d{12}|\*):(role|user)\/[\w+=,.@\-/*?]{1,512}$/;

/**
 * Properties of GoldenImageServiceControlPolicy.
 */
export interface GoldenImageServiceControlPolicyProps {
  /**
   * Where the policy is attached: root IDs (`r-…`), organizational unit IDs (`ou-…`) or
   * account IDs.
   */
  readonly targetIds: string[];

  /**
   * Golden images whose AMI owners are allowed: the factory account of each, and the accounts
   * each copies its AMIs into (`copyToAccounts`), which own their copies.
   *
   * @default - none
   */
  readonly images?: GoldenImage[];

  /**
   * Accounts whose images may be launched, besides those of `images`.
   *
   * @default - none
   */
  readonly imageOwners?: string[];

  /**
   * Also allow images owned by Amazon (`ec2:Owner` = `amazon`), to bootstrap accounts from
   * Amazon's images before the factory has published.
   *
   * @default false
   */
  readonly allowAmazonImages?: boolean;

  /**
   * IAM principals the policy does not restrict, as ARNs with `*` and `?` wildcards
   * (`arn:aws:iam::*:role/image-factory-*`): the roles that build and test images, or a
   * break-glass role. Service-linked roles are never restricted by an SCP.
   *
   * @default - none
   */
  readonly exemptPrincipalArns?: string[];

  /**
   * The policy name.
   *
   * @default - a name derived from the construct path
   */
  readonly policyName?: string;

  /**
   * The policy description.
   *
   * @default - none
   */
  readonly description?: string;
}

/**
 * An AWS Organizations service control policy that denies `ec2:RunInstances` from an image
 * not owned by a factory account (or Amazon, when allowed), unless the caller is exempt.
 *
 * An alternative to `AllowedImagesPolicy` where declarative policies are not available. It
 * does not restrict service-linked roles, so instances that EC2 Auto Scaling, EC2 Fleet or
 * Spot Fleet launch through their service-linked roles are not checked; `AllowedImagesPolicy`
 * is. Deploy it in the organization's management account with service control policies
 * enabled.
 */
export class GoldenImageServiceControlPolicy extends Construct {
  /** The policy resource. */
  public readonly policy: CfnPolicy;

  /**
   * The policy ID.
   *
   * @attribute
   */
  public readonly policyId: string;

  constructor(scope: Construct, id: string, props: GoldenImageServiceControlPolicyProps) {
    super(scope, id);
    const name = 'GoldenImageServiceControlPolicy';
    validateTargetIds(name, props.targetIds);
    validateArray(`${name} images`, props.images);
    validateArray(`${name} imageOwners`, props.imageOwners);
    validateGoldenImages(name, 'give its owner accounts in imageOwners', props.images ?? []);
    validateArray(`${name} exemptPrincipalArns`, props.exemptPrincipalArns);
    validateBoolean(`${name} allowAmazonImages`, props.allowAmazonImages);
    validatePolicyDescription(name, props.description);

    (props.imageOwners ?? []).forEach((account, i) => validateAccountId(`${name} imageOwners[${i}]`, account));
    validateUnique(`${name} imageOwners`, props.imageOwners ?? []);
    const owners = [...imageOwnerAccounts(this, name, 'imageOwners', props.images ?? [], true)];
    for (const account of props.imageOwners ?? []) {
      if (!owners.includes(account)) owners.push(account);
    }
    if (props.allowAmazonImages) owners.push(AMAZON_OWNER);
    if (owners.length === 0) {
      throw new Error(`${name} allows no image owner, so it would deny every launch: give images, imageOwners or allowAmazonImages, got: '[]'`);
    }

    const exempt = props.exemptPrincipalArns ?? [];
    exempt.forEach((arn, i) => {
      if (!Token.isUnresolved(arn) && (typeof arn !== 'string' || !PRINCIPAL_ARN.test(arn))) {
        throw new Error(`${name} exemptPrincipalArns[${i}] must be an IAM role or user ARN such as arn:aws:iam::*:role/image-factory-* (* and ? as wildcards), got: ${quoteValue(arn)}`);
      }
    });
    validateUnique(`${name} exemptPrincipalArns`, exempt);

    const condition: Record<string, unknown> = { StringNotEquals: { [SCP_NAMES.EC2_OWNER.name]: owners } };
    if (exempt.length > 0) condition.ArnNotLike = { [SCP_NAMES.PRINCIPAL_ARN.name]: exempt };
    const content = {
      Version: '2012-10-17',
      Statement: [{
        Sid: 'DenyLaunchFromNonGoldenImages',
        Effect: 'Deny',
        Action: SCP_NAMES.RUN_INSTANCES.name,
        Resource: IMAGE_RESOURCE,
        Condition: condition,
      }],
    };
    validateContentSize(name, content, SCP_MAX_CHARACTERS);

    this.policy = new CfnPolicy(this, 'Resource', {
      name: policyName(this, name, props.policyName),
      description: props.description,
      type: POLICY_TYPE,
      content,
      targetIds: props.targetIds,
    });
    this.policyId = this.policy.attrId;
  }
}
