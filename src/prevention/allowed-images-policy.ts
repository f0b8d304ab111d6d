import { Token } from 'aws-cdk-lib';
import { CfnPolicy } from 'aws-cdk-lib/aws-organizations';
import { Construct } from 'constructs';
import { GoldenImage } from '../golden-image';
import { DECLARATIVE_POLICY_NAMES as D, ORGANIZATIONS_POLICY_TYPES } from '../private/aws-catalogue';
import {
  DECLARATIVE_POLICY_MAX_CHARACTERS,
  imageOwnerAccounts,
  policyName,
  validateContentSize,
  validatePolicyDescription,
  validateGoldenImages,
  validateTargetIds,
} from '../private/organizations-policy';
import { quoteValue, validateAccountId, validateArray, validateBoolean, validateUnique } from '../private/validation';

/*
 * The declarative policy for EC2 and its Allowed AMIs and image block public access attributes,
 * as the AWS Organizations User Guide documents them:
 * https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_declarative_syntax.html
 * (keys `ec2_attributes`, `allowed_images_settings` with `state` and `image_criteria` of
 * `criteria_1` to `criteria_10`, each with `allowed_image_providers`, `image_names`,
 * `creation_date_condition.maximum_days_since_created`; `image_block_public_access.state`),
 * written with the `@@assign` operator of management policies
 * (https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_inheritance_mgmt.html).
 * The limits of one criterion and the image name syntax are EC2's
 * (https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_ImageCriterionRequest.html):
 * at most 10 criteria, 200 providers and 50 names each; a name of 1-128 letters, digits, spaces
 * and ( ) [ ] . / - ' @ _ * ?, at least 3 characters when it has a `?`.
 */
const POLICY_TYPE = ORGANIZATIONS_POLICY_TYPES.DECLARATIVE_EC2.name;
const ASSIGN = D.ASSIGN.name;
const MAX_CRITERIA = 10;
const MAX_PROVIDERS = 200;
const MAX_NAMES = 50;
const IMAGE_NAME = /^[A-Za-z0-9()[\]./\-'@_*? ]{1,128}$/;
/** `maximum_days_since_created`: 0 to 2147483647 (https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_CreationDateCondition.html). */
const MAX_DAYS = 2147483647;
/** The Image Builder AMI name variables (https://docs.aws.amazon.com/imagebuilder/latest/userguide/manage-distribution-settings.html). */
const AMI_NAME_VARIABLE = /\{\{\s*imagebuilder:(buildDate|buildVersion)\s*\}\}/g;

/**
 * Whether the Allowed AMIs setting refuses images or only reports them.
 */
export enum AllowedImagesMode {
  /**
   * EC2 allows every image but marks, in `DescribeImages` and `DescribeInstanceImageMetadata`,
   * which ones the criteria would refuse: the way to find what would break before enforcing.
   */
  AUDIT_MODE = 'audit_mode',
  /** Only images that match the criteria can be discovered and launched. */
  ENABLED = 'enabled',
}

/**
 * Owner aliases the declarative policy takes in `allowed_image_providers`.
 */
export enum AwsImageProvider {
  /** Images created by Amazon or verified providers. */
  AMAZON = 'amazon',
  /** Images created by verified providers in AWS Marketplace. */
  AWS_MARKETPLACE = 'aws_marketplace',
  /** Images created by AWS Backup. */
  AWS_BACKUP_VAULT = 'aws_backup_vault',
}

/**
 * Properties of AllowedImagesPolicy.
 */
export interface AllowedImagesPolicyProps {
  /**
   * Where the policy is attached: root IDs (`r-…`), organizational unit IDs (`ou-…`) or
   * account IDs.
   */
  readonly targetIds: string[];

  /**
   * Whether images that match no criterion are refused or only reported. Start with audit
   * mode: instances already running from other images keep running either way, but launch
   * templates, Auto Scaling groups and pipelines that name one would stop launching the moment
   * the policy is enabled; audit mode shows them first.
   *
   * @default AllowedImagesMode.AUDIT_MODE
   */
  readonly mode?: AllowedImagesMode;

  /**
   * Golden images whose AMIs are allowed: each one's AMI name becomes an `image_names`
   * pattern (its `{{ imagebuilder:buildDate }}` and `{{ imagebuilder:buildVersion }}`
   * variables become `*`), and a lifecycle that disables or deletes images after an age becomes
   * `creation_date_condition.maximum_days_since_created`. A lifecycle keeps its newest images
   * (`retainAtLeast`) whatever their age; once such an image is older than that age, the
   * policy refuses it, so keep the pipeline building.
   *
   * @default - none
   */
  readonly images?: GoldenImage[];

  /**
   * How many days after its deprecation an image of the factory accounts (`images`,
   * `imageNamePatterns`, `imageProviders`) stays allowed:
   * `deprecation_time_condition.maximum_days_since_deprecated` of each of their criteria. With
   * 0, a deprecated image is refused at once, and revoking an AMI (`GoldenImage`
   * `revokeDocumentName`, which deprecates it now) stops the policy from allowing it in every
   * account. Images a lifecycle deprecates are refused too. Up to 2147483647.
   *
   * @default 0
   */
  readonly maximumDaysSinceDeprecated?: number;

  /**
   * The accounts whose images are allowed (the factory accounts). Allowed AMIs never refuses an
   * account's own images, so the accounts that `copyToAccounts` copies into need not be listed.
   *
   * @default - the accounts of the stacks of `images`
   */
  readonly imageProviders?: string[];

  /**
   * Further image name patterns allowed from `imageProviders` (for images built elsewhere),
   * with `*` and `?` wildcards, without an age limit.
   *
   * @default - only the names of `images`; with neither, every image of `imageProviders`
   */
  readonly imageNamePatterns?: string[];

  /**
   * AWS owner aliases whose images are all allowed, in a criterion of their own, for example
   * `AwsImageProvider.AMAZON` to bootstrap from Amazon's images.
   *
   * @default - none
   */
  readonly awsImageProviders?: AwsImageProvider[];

  /**
   * Block new public sharing of AMIs in the target accounts
   * (`image_block_public_access.state` = `block_new_sharing`). When false, the policy leaves
   * the setting to each account.
   *
   * @default true
   */
  readonly blockPublicAccess?: boolean;

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
 * An AWS Organizations declarative policy for EC2 that lets the target accounts discover and
 * launch only golden images (Allowed AMIs), and blocks new public sharing of AMIs.
 *
 * Deploy it in the organization's management account (or a delegated administrator for
 * declarative policies), with declarative policies for EC2 enabled on the root.
 */
export class AllowedImagesPolicy extends Construct {
  /** The policy resource. */
  public readonly policy: CfnPolicy;

  /**
   * The policy ID.
   *
   * @attribute
   */
  public readonly policyId: string;

  constructor(scope: Construct, id: string, props: AllowedImagesPolicyProps) {
    super(scope, id);
    const name = 'AllowedImagesPolicy';
    validateTargetIds(name, props.targetIds);
    const mode = props.mode ?? AllowedImagesMode.AUDIT_MODE;
    if (!Object.values(AllowedImagesMode).includes(mode)) {
      throw new Error(`${name} mode must be one of ${Object.values(AllowedImagesMode).join(', ')}, got: ${quoteValue(mode)}`);
    }
    validateBoolean(`${name} blockPublicAccess`, props.blockPublicAccess);
    validateArray(`${name} images`, props.images);
    validatePolicyDescription(name, props.description);

    const images = props.images ?? [];
    validateGoldenImages(name, 'give its account in imageProviders and its name in imageNamePatterns', props.images ?? []);
    const providers = props.imageProviders ?? imageOwnerAccounts(this, name, 'imageProviders', images, false);
    validateProviders(`${name} imageProviders`, providers, props.imageProviders === undefined);

    const deprecatedDays = props.maximumDaysSinceDeprecated ?? 0;
    if (!Token.isUnresolved(deprecatedDays) && (typeof deprecatedDays !== 'number' || !Number.isInteger(deprecatedDays) || deprecatedDays < 0 || deprecatedDays > MAX_DAYS)) {
      throw new Error(`${name} maximumDaysSinceDeprecated must be a whole number of days from 0 to ${MAX_DAYS} (what maximum_days_since_deprecated takes), got: ${quoteValue(deprecatedDays)}`);
    }
    // https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_DeprecationTimeConditionRequest.html: "Set to 0 to exclude all deprecated images".
    const deprecation = { [D.DEPRECATION_TIME_CONDITION.name]: { [D.MAXIMUM_DAYS_SINCE_DEPRECATED.name]: { [ASSIGN]: deprecatedDays } } };
    const criteria = [
      ...this.goldenCriteria(name, images, props.imageNamePatterns, providers).map(criterion => ({ ...criterion, ...deprecation })),
      ...awsProviderCriteria(name, props.awsImageProviders),
    ];
    if (criteria.length > MAX_CRITERIA) {
      throw new Error(`${name} needs ${criteria.length} criteria, more than the ${MAX_CRITERIA} Allowed AMIs takes (one per maximum image age, per 50 image names, and one for awsImageProviders): give fewer images or share lifecycles, got ${images.length} images and ${(props.imageNamePatterns ?? []).length} imageNamePatterns`);
    }

    const attributes: Record<string, unknown> = {
      [D.ALLOWED_IMAGES_SETTINGS.name]: {
        [D.STATE.name]: { [ASSIGN]: mode },
        [D.IMAGE_CRITERIA.name]: Object.fromEntries(criteria.map((criterion, i) => [`criteria_${i + 1}`, criterion])),
      },
    };
    if (props.blockPublicAccess ?? true) {
      attributes[D.IMAGE_BLOCK_PUBLIC_ACCESS.name] = { [D.STATE.name]: { [ASSIGN]: D.BLOCK_NEW_SHARING.name } };
    }
    const content = { [D.EC2_ATTRIBUTES.name]: attributes };
    validateContentSize(name, content, DECLARATIVE_POLICY_MAX_CHARACTERS);

    this.policy = new CfnPolicy(this, 'Resource', {
      name: policyName(this, name, props.policyName),
      description: props.description,
      type: POLICY_TYPE,
      content,
      targetIds: props.targetIds,
    });
    this.policyId = this.policy.attrId;
  }

  /** One criterion per maximum age (and per 50 names), all from `providers`. */
  private goldenCriteria(name: string, images: GoldenImage[], patterns: string[] | undefined, providers: string[]): object[] {
    validateArray(`${name} imageNamePatterns`, patterns);
    // Criteria by maximum age in days; -1 for no age limit.
    const byAge = new Map<number, string[]>();
    const add = (days: number, pattern: string) => {
      const list = byAge.get(days) ?? [];
      if (!list.includes(pattern)) list.push(pattern);
      byAge.set(days, list);
    };
    images.forEach((image, i) => {
      const pattern = amiNamePattern(image.amiName);
      validateImageName(`${name} images[${i}] (the AMI name of ${image.node.path}, as a pattern)`, pattern);
      const days = image._launchableDays;
      if (days !== undefined && (!Number.isInteger(days) || days < 0 || days > MAX_DAYS)) {
        throw new Error(`${name} images[${i}] has a lifecycle age that maximum_days_since_created cannot take (0 to ${MAX_DAYS} days), got: ${quoteValue(days)}`);
      }
      add(days ?? -1, pattern);
    });
    (patterns ?? []).forEach((pattern, i) => {
      validateImageName(`${name} imageNamePatterns[${i}]`, pattern);
      add(-1, pattern);
    });
    validateUnique(`${name} imageNamePatterns`, patterns ?? []);
    const providerValue = { [ASSIGN]: providers };
    if (byAge.size === 0) return [{ [D.ALLOWED_IMAGE_PROVIDERS.name]: providerValue }];
    const criteria: object[] = [];
    for (const [days, names] of byAge) {
      for (let start = 0; start < names.length; start += MAX_NAMES) {
        criteria.push({
          [D.ALLOWED_IMAGE_PROVIDERS.name]: providerValue,
          [D.IMAGE_NAMES.name]: { [ASSIGN]: names.slice(start, start + MAX_NAMES) },
          ...days >= 0 ? { [D.CREATION_DATE_CONDITION.name]: { [D.MAXIMUM_DAYS_SINCE_CREATED.name]: { [ASSIGN]: days } } } : {},
        });
      }
    }
    return criteria;
  }
}

/** The AMI name with Image Builder's variables as `*`, the way the AMIs it names are matched. */
function amiNamePattern(amiName: string): string {
  return amiName.replace(AMI_NAME_VARIABLE, '*').replace(/\*{2,}/g, '*');
}

function validateProviders(prop: string, providers: string[], derived: boolean): void {
  validateArray(prop, providers);
  if (Token.isUnresolved(providers)) return;
  if (providers.length === 0) {
    const hint = derived ? ' (none was given and there are no images to read factory accounts from)' : '';
    throw new Error(`${prop} must list at least one factory account${hint}: a criterion of image names alone would allow anyone's image of that name, got: '[]'`);
  }
  if (providers.length > MAX_PROVIDERS) {
    throw new Error(`${prop} must list at most ${MAX_PROVIDERS} accounts (the limit of one Allowed AMIs criterion), got: ${quoteValue(`${providers.length} accounts`)}`);
  }
  providers.forEach((account, i) => validateAccountId(`${prop}[${i}]`, account));
  validateUnique(prop, providers);
}

function validateImageName(prop: string, pattern: string): void {
  if (Token.isUnresolved(pattern)) return;
  if (typeof pattern !== 'string' || !IMAGE_NAME.test(pattern)) {
    throw new Error(`${prop} must be 1 to 128 letters, digits, spaces and ( ) [ ] . / - ' @ _ * ? (what Allowed AMIs takes in image names), got: ${quoteValue(pattern)}`);
  }
  if (pattern.includes('?') && pattern.length < 3) {
    throw new Error(`${prop} must be at least 3 characters when it holds a '?' (an Allowed AMIs rule), got: ${quoteValue(pattern)}`);
  }
}

function awsProviderCriteria(name: string, aliases: AwsImageProvider[] | undefined): object[] {
  validateArray(`${name} awsImageProviders`, aliases);
  if (aliases === undefined || aliases.length === 0) return [];
  aliases.forEach((alias, i) => {
    if (!Object.values(AwsImageProvider).includes(alias)) {
      throw new Error(`${name} awsImageProviders[${i}] must be one of ${Object.values(AwsImageProvider).join(', ')}, got: ${quoteValue(alias)}`);
    }
  });
  validateUnique(`${name} awsImageProviders`, aliases);
  return [{ [D.ALLOWED_IMAGE_PROVIDERS.name]: { [ASSIGN]: aliases } }];
}
