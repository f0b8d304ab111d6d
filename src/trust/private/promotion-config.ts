import { Duration } from 'aws-cdk-lib';
import * as sns from 'aws-cdk-lib/aws-sns';

/**
 * What a Promotion renders. Internal.
 */
export interface PromotionConfig {
  readonly kind: 'manual' | 'soak';
  readonly approvers: string[];
  readonly topic?: sns.ITopic;
  readonly minRequiredApprovals: number;
  readonly approvalTimeoutSeconds: number;
  readonly soakHours: number;
  readonly blockingSeverities: string[];
  readonly checkEvery?: Duration;
}
