import { Duration } from 'aws-cdk-lib';
import * as sns from 'aws-cdk-lib/aws-sns';

/**
 * What a Promotion renders. Internal.
 */
export interface PromotionConfig {
  /** `command`: no promotion chosen, the documents are started by hand. */
  readonly kind: 'manual' | 'soak' | 'command';
  readonly approvers: string[];
  readonly topic?: sns.ITopic;
  readonly minRequiredApprovals: number;
  readonly approvalTimeoutSeconds: number;
  readonly soakHours: number;
  readonly blockingSeverities: string[];
  readonly checkEvery?: Duration;
}

/** Promotion by a command (no promotion chosen): no approval step, no soak, CRITICAL and HIGH findings refuse. */
export const PROMOTION_BY_COMMAND: PromotionConfig = {
  kind: 'command', approvers: [], minRequiredApprovals: 0, approvalTimeoutSeconds: 0, soakHours: 0, blockingSeverities: ['CRITICAL', 'HIGH'],
};
