import { Duration, Stack, Token } from 'aws-cdk-lib';
import * as sns from 'aws-cdk-lib/aws-sns';
import type { FindingSeverity } from '../golden-image';
import { PromotionConfig } from './private/promotion-config';
import { quoteValue, validateIntegerInRange, validateUnique } from '../private/validation';

/** The Inspector severities a soak can block on (FindingSeverity's values). */
const SEVERITIES = ['CRITICAL', 'HIGH', 'MEDIUM', 'LOW'];
/**
 * An IAM user or role ARN, the principals aws:approve takes as Approvers
 * (https://docs.aws.amazon.com/systems-manager/latest/userguide/automation-action-approve.html).
 */
const APPROVER_ARN = /^arn:aws[a-z-]*:iam::\d{12}:(user|role)\/[\w+=,.@/-]{1,512}$/;
/** aws:approve waits at most 30 days (the same page). */
const MAX_APPROVAL_DAYS = 30;

/**
 * Options for a promotion by manual approval.
 */
export interface ManualPromotionOptions {
  /**
   * The IAM users or roles (ARNs) who may approve a promotion (aws:approve `Approvers`). Each
   * also needs `ssm:SendAutomationSignal` on the execution.
   */
  readonly approvers: string[];

  /**
   * The SNS topic told of each pending approval. Automation only publishes to a topic whose
   * name begins with `Automation`.
   *
   * @default - a KMS-encrypted topic named `Automation-<image>` per image
   */
  readonly topic?: sns.ITopic;

  /**
   * How many approvers must approve.
   *
   * @default 1
   */
  readonly minRequiredApprovals?: number;

  /**
   * How long a promotion waits for its approvals (at most 30 days).
   *
   * @default Duration.days(7)
   */
  readonly timeout?: Duration;

  /**
   * Inspector finding severities that refuse an approved promotion: an ACTIVE finding of one
   * of them on the AMI stops it before anything is written. An empty list skips the check.
   *
   * @default [FindingSeverity.CRITICAL, FindingSeverity.HIGH]
   */
  readonly blockingSeverities?: FindingSeverity[];
}

/**
 * Options for a promotion after a soak period.
 */
export interface SoakPromotionOptions {
  /**
   * How long an AMI must stay in a channel before it moves to the next one (whole hours,
   * 1 hour to 365 days).
   */
  readonly soak: Duration;

  /**
   * Inspector finding severities that hold an AMI back: an ACTIVE finding of one of them on
   * the AMI (`ec2InstanceImageId`) refuses the promotion. An empty list skips the Inspector check.
   *
   * @default [FindingSeverity.CRITICAL, FindingSeverity.HIGH]
   */
  readonly blockingSeverities?: FindingSeverity[];

  /**
   * How often the schedule tries each promotion (whole minutes, 1 minute to 1 day).
   *
   * @default Duration.hours(1)
   */
  readonly checkEvery?: Duration;
}

/**
 * How an AMI moves from one channel of a golden image to the next (`channels`).
 */
export class Promotion {
  /**
   * Promotion by people: each promotion document waits for approvals (SSM Automation
   * `aws:approve`, announced on an SNS topic) before it moves the AMI. Start it with
   * `aws ssm start-automation-execution` (see `GoldenImage.promoteDocumentName`).
   */
  public static manual(options: ManualPromotionOptions): Promotion {
    const approvers = options.approvers;
    if (!Array.isArray(approvers) || approvers.length === 0) {
      throw new Error(`Promotion.manual approvers must name at least one IAM user or role ARN, got: ${quoteValue(approvers)}`);
    }
    approvers.forEach((arn, i) => {
      if (!Token.isUnresolved(arn) && !APPROVER_ARN.test(arn)) {
        throw new Error(`Promotion.manual approvers[${i}] must be an IAM user or role ARN (arn:aws:iam::<account>:user/<name> or :role/<name>), got: ${quoteValue(arn)}`);
      }
    });
    validateUnique('Promotion.manual approvers', approvers);
    const minRequiredApprovals = options.minRequiredApprovals ?? 1;
    validateIntegerInRange('Promotion.manual minRequiredApprovals', minRequiredApprovals, 1, approvers.length);
    const timeout = options.timeout ?? Duration.days(7);
    const seconds = timeout.toSeconds();
    if (seconds < 60 || seconds > MAX_APPROVAL_DAYS * 86_400) {
      throw new Error(`Promotion.manual timeout must be from 1 minute to ${MAX_APPROVAL_DAYS} days (aws:approve's limit), got: '${timeout.toHumanString()}'`);
    }
    if (options.topic) validateApprovalTopic(options.topic);
    const blockingSeverities = validateSeverities('Promotion.manual blockingSeverities', options.blockingSeverities);
    return new Promotion({ kind: 'manual', approvers: [...approvers], topic: options.topic, minRequiredApprovals, approvalTimeoutSeconds: seconds, soakHours: 0, blockingSeverities });
  }

  /**
   * Promotion by time: an EventBridge schedule runs each promotion document every
   * `checkEvery`; it moves the AMI once it has been in its channel for `soak` and has no
   * blocking Inspector finding, and does nothing while it soaks.
   */
  public static afterSoak(options: SoakPromotionOptions): Promotion {
    const hours = options.soak.toHours({ integral: false });
    if (!Number.isInteger(hours) || hours < 1 || hours > 365 * 24) {
      throw new Error(`Promotion.afterSoak soak must be whole hours from 1 hour to 365 days, got: '${options.soak.toHumanString()}'`);
    }
    const severities = validateSeverities('Promotion.afterSoak blockingSeverities', options.blockingSeverities);
    const checkEvery = options.checkEvery ?? Duration.hours(1);
    const minutes = checkEvery.toMinutes({ integral: false });
    if (!Number.isInteger(minutes) || minutes < 1 || minutes > 1440) {
      throw new Error(`Promotion.afterSoak checkEvery must be whole minutes from 1 minute to 1 day, got: '${checkEvery.toHumanString()}'`);
    }
    return new Promotion({ kind: 'soak', approvers: [], minRequiredApprovals: 0, approvalTimeoutSeconds: 0, soakHours: hours, blockingSeverities: [...severities], checkEvery });
  }

  private constructor(
    /** @internal */ public readonly _config: PromotionConfig,
  ) {}
}

/**
 * Automation publishes approval requests only to a topic whose name begins with `Automation`.
 * A topic made in this app is checked by its CloudFormation name (a generated name never
 * begins so); an imported one by the name in its ARN.
 */
function validateApprovalTopic(topic: sns.ITopic): void {
  const cfn = topic.node.defaultChild;
  const made = cfn instanceof sns.CfnTopic;
  // A made topic's name is a lazy value: nothing when the name is generated (never Automation...).
  const name = made ? Stack.of(topic).resolve((cfn as sns.CfnTopic).topicName) : topic.topicName;
  if (name !== undefined && Token.isUnresolved(name)) return;
  if (name === undefined || !name.startsWith('Automation')) {
    const given = name === undefined ? `a generated name ('${topic.node.path}' has no topicName)` : quoteValue(name);
    throw new Error(`Promotion.manual topic must be named Automation... (Automation publishes approval requests only to such topics), got: ${given}`);
  }
}

/** The severities as Inspector names them, CRITICAL and HIGH when not given. */
function validateSeverities(prop: string, given: FindingSeverity[] | undefined): string[] {
  const severities: string[] = given ?? ['CRITICAL', 'HIGH'];
  if (!Array.isArray(severities)) {
    throw new Error(`${prop} must be a list of FindingSeverity, got: ${quoteValue(severities)}`);
  }
  severities.forEach((severity, i) => {
    if (!SEVERITIES.includes(severity)) {
      throw new Error(`${prop}[${i}] must be one of ${SEVERITIES.join(', ')}, got: ${quoteValue(severity)}`);
    }
  });
  validateUnique(prop, severities);
  return [...severities];
}
