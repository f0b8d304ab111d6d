import { Token } from 'aws-cdk-lib';
import * as config from 'aws-cdk-lib/aws-config';
import { Construct } from 'constructs';
import { validateAmiId, validateUnique } from '../private/validation';

/** approved-amis-by-id takes up to 21 AMI IDs. */
const MAX_AMI_IDS = 21;
/** Config input parameter values are at most 1024 characters. */
const MAX_PARAMETER_LENGTH = 1024;

/**
 * Common properties of the managed-rule shortcuts.
 */
export interface ApprovedAmisManagedRuleOptions {
  /**
   * The Config rule name.
   *
   * @default - generated
   */
  readonly ruleName?: string;

  /**
   * The rule's description.
   *
   * @default - the managed rule's own description
   */
  readonly description?: string;
}

/**
 * Properties of ApprovedAmisManagedRule.byId.
 */
export interface ApprovedAmisByIdProps extends ApprovedAmisManagedRuleOptions {
  /**
   * The approved AMI IDs (up to 21, at most 1024 characters together).
   */
  readonly amiIds: string[];
}

/**
 * Properties of ApprovedAmisManagedRule.byTag.
 */
export interface ApprovedAmisByTagProps extends ApprovedAmisManagedRuleOptions {
  /**
   * The tags an approved AMI carries (at most 1024 characters together as `key:value,...`).
   */
  readonly tags: { [key: string]: string };
}

/**
 * A shortcut to the AWS managed rules `approved-amis-by-id` and `approved-amis-by-tag`, for
 * users who need no more. Their limits, which GoldenAmiComplianceRule does not have:
 * - they evaluate EC2 instances only, not launch templates or Auto Scaling groups, and only on
 *   configuration changes (no periodic sweep);
 * - by ID: a fixed list of up to 21 AMI IDs, to be edited and redeployed for every new golden AMI;
 * - by tag: AMI tags are visible only in the AMI's own account, so AMIs shared from an image
 *   factory account are never compliant in member accounts;
 * - no maximum age, deprecation or deregistration checks, no `resolve:ssm:` launch templates.
 */
export class ApprovedAmisManagedRule extends Construct {
  /**
   * `approved-amis-by-id`: instances must run one of these AMIs.
   */
  public static byId(scope: Construct, id: string, props: ApprovedAmisByIdProps): ApprovedAmisManagedRule {
    if (props.amiIds.length === 0 || props.amiIds.length > MAX_AMI_IDS) {
      throw new Error(`amiIds must list 1 to ${MAX_AMI_IDS} AMI IDs (the managed rule's limit), got ${props.amiIds.length}: '${props.amiIds.join(',')}'`);
    }
    props.amiIds.forEach((ami, i) => validateAmiId(`amiIds[${i}]`, ami));
    validateUnique('amiIds', props.amiIds);
    const value = props.amiIds.join(',');
    checkLength('amiIds', value);
    return new ApprovedAmisManagedRule(scope, id, config.ManagedRuleIdentifiers.APPROVED_AMIS_BY_ID, { amiIds: value }, props);
  }

  /**
   * `approved-amis-by-tag`: instances must run an AMI that carries these tags (visible in the
   * AMI's own account only).
   */
  public static byTag(scope: Construct, id: string, props: ApprovedAmisByTagProps): ApprovedAmisManagedRule {
    const entries = Object.entries(props.tags);
    if (entries.length === 0) {
      throw new Error('tags must name at least one tag, got: \'{}\'');
    }
    for (const [key, tagValue] of entries) {
      if (!Token.isUnresolved(key) && (key.length === 0 || /[:,]/.test(key))) {
        throw new Error(`tags keys must be non-empty and contain no ':' or ',' (the managed rule's separators), got: '${key}'`);
      }
      if (!Token.isUnresolved(tagValue) && tagValue.includes(',')) {
        throw new Error(`tags values must contain no ',' (the managed rule's separator), got: '${tagValue}'`);
      }
    }
    const value = entries.map(([key, tagValue]) => `${key}:${tagValue}`).join(',');
    checkLength('tags', value);
    return new ApprovedAmisManagedRule(scope, id, config.ManagedRuleIdentifiers.APPROVED_AMIS_BY_TAG, { amisByTagKeyAndValue: value }, props);
  }

  /** The managed rule. */
  public readonly rule: config.ManagedRule;

  /** The Config rule name. */
  public readonly configRuleName: string;

  private constructor(
    scope: Construct,
    id: string,
    identifier: string,
    inputParameters: { [key: string]: string },
    options: ApprovedAmisManagedRuleOptions,
  ) {
    super(scope, id);
    this.rule = new config.ManagedRule(this, 'Resource', {
      identifier,
      inputParameters,
      configRuleName: options.ruleName,
      description: options.description,
      ruleScope: config.RuleScope.fromResources([config.ResourceType.EC2_INSTANCE]),
    });
    this.configRuleName = this.rule.configRuleName;
  }
}

function checkLength(prop: string, value: string): void {
  if (!Token.isUnresolved(value) && value.length > MAX_PARAMETER_LENGTH) {
    throw new Error(`${prop} must be at most ${MAX_PARAMETER_LENGTH} characters together (a Config parameter's limit), got ${value.length}: '${value.slice(0, 60)}...'`);
  }
}
