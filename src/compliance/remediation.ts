import { Duration, Token } from 'aws-cdk-lib';
import { EvaluatedResourceType } from './resource-type';
import { SSM_DOCUMENTS } from '../private/aws-catalogue';
import { validateIntegerInRange } from '../private/validation';

/**
 * Options for stopping non-compliant instances.
 */
export interface StopInstanceRemediationOptions {
  /**
   * Stop non-compliant instances without a person starting the remediation.
   *
   * @default false - an operator starts it from the Config console or API
   */
  readonly automatic?: boolean;

  /**
   * How many times an automatic remediation is tried before Config gives up (1 to 25).
   *
   * @default 3
   */
  readonly maximumAutomaticAttempts?: number;

  /**
   * How long Config waits between automatic attempts (1 to 2678000 seconds).
   *
   * @default Duration.seconds(60)
   */
  readonly retryAttemptInterval?: Duration;
}

/**
 * What AWS Config does about a non-compliant resource.
 */
export class ComplianceRemediation {
  /**
   * Stops the instance with the `AWS-StopEC2Instance` SSM Automation runbook, assuming a role
   * that may only stop and describe instances. Manual unless `automatic` is set.
   */
  public static stopInstance(options: StopInstanceRemediationOptions = {}): ComplianceRemediation {
    const attempts = options.maximumAutomaticAttempts ?? 3;
    validateIntegerInRange('remediation maximumAutomaticAttempts', attempts, 1, 25);
    const retry = options.retryAttemptInterval ?? Duration.seconds(60);
    const retrySeconds = retry.toSeconds();
    if (!Token.isUnresolved(retrySeconds)) validateIntegerInRange('remediation retryAttemptInterval (seconds)', retrySeconds, 1, 2678000);
    const document = SSM_DOCUMENTS.STOP_EC2_INSTANCE.name;
    return new ComplianceRemediation(EvaluatedResourceType.INSTANCE, document, options.automatic ?? false, attempts, retrySeconds);
  }

  private constructor(
    /** The resource type the remediation acts on. */
    public readonly resourceType: EvaluatedResourceType,
    /** The SSM Automation document it runs. */
    public readonly documentName: string,
    /** Whether Config runs it without a person. */
    public readonly automatic: boolean,
    /** Automatic attempts before Config gives up. */
    public readonly maximumAutomaticAttempts: number,
    /** Seconds between automatic attempts. */
    public readonly retryAttemptSeconds: number,
  ) {}
}
