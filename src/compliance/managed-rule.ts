import { Token } from 'aws-cdk-lib';
import * as config from 'aws-cdk-lib/aws-config';
import { Construct } from 'constructs';
import { CONFIG_MANAGED_RULES } from '../private/aws-catalogue';
import { validateAmiId, validateUnique } from '../private/validation';

const BY_ID = CONFIG_MANAGED_RULES.APPROVED_AMIS_BY_ID;
const BY_TAG = CONFIG_MANAGED_RULES.APPROVED_AMIS_BY_TAG;

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
   * The approving tags, at most 10 (at most 1024 characters together as `key:value,...`). An
   * AMI that carries at least one of them is approved: any one tag approves, not all of them
   * together.
   */
  readonly tags: { [key: string]: string };
}

/**
 * A shortcut to the AWS managed rules `approved-amis-by-id` and `approved-amis-by-tag`, for
 * users who need no more. Their limits, which GoldenAmiComplianceRule does not have:
 * - they evaluate EC2 instances only, not launch templates or Auto Scaling groups, and only on
 *   configuration changes (no periodic sweep);
 * - by ID: a fixed list of up to 21 AMI IDs, to be edited and redeployed for every new golden AMI;
 * - by tag: up to 10 tags, and an AMI carrying any one of them is approved (they are
 *   alternatives, not a set that must all be present); AMI tags are visible only in the AMI's
 *   own account, so AMIs shared from an image factory account are never compliant in member
 *   accounts;
 * - no maximum age, deprecation or deregistration checks, no `resolve:ssm:` launch templates.
 */
export class ApprovedAmisManagedRule extends Construct {
  /**
   * `approved-amis-by-id`: instances must run one of these AMIs.
   */
  public static byId(scope: Construct, id: string, props: ApprovedAmisByIdProps): ApprovedAmisManagedRule {
    if (props.amiIds.length === 0 || props.amiIds.length > BY_ID.maxItems) {
      throw new Error(`amiIds must list 1 to ${BY_ID.maxItems} AMI IDs (the managed rule's limit), got ${props.amiIds.length}: '${props.amiIds.join(',')}'`);
    }
    props.amiIds.forEach((ami, i) => validateAmiId(`amiIds[${i}]`, ami));
    validateUnique('amiIds', props.amiIds);
    const value = props.amiIds.join(',');
    checkLength('amiIds', value, BY_ID.maxLength);
    return new ApprovedAmisManagedRule(scope, id, BY_ID.name, { [BY_ID.parameter]: value }, props);
  }

  /**
   * `approved-amis-by-tag`: instances must run an AMI that carries at least one of these tags.
   *
   * Up to 10 tags; any one of them approves an AMI. Tags are visible in the AMI's own account only.
   */
  public static byTag(scope: Construct, id: string, props: ApprovedAmisByTagProps): ApprovedAmisManagedRule {
    const entries = Object.entries(props.tags);
    if (entries.length === 0) {
      throw new Error('tags must name at least one tag, got: \'{}\'');
    }
    if (entries.length > BY_TAG.maxItems) {
      throw new Error(`tags must name at most ${BY_TAG.maxItems} tags (approved-amis-by-tag takes up to ${BY_TAG.maxItems}; an AMI with any one of them is approved), got ${entries.length}: '${entries.map(([key]) => key).join(',')}'`);
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
    checkLength('tags', value, BY_TAG.maxLength);
    return new ApprovedAmisManagedRule(scope, id, BY_TAG.name, { [BY_TAG.parameter]: value }, props);
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

function checkLength(prop: string, value: string, maxLength: number): void {
  if (!Token.isUnresolved(value) && value.length > maxLength) {
    throw new Error(`${prop} must be at most ${maxLength} characters together (a Config parameter's limit), got ${value.length}: '${value.slice(0, 60)}...'`);
  }
}
