import { Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { IConstruct } from 'constructs';

/**
 * What the cdk-nag tests share: the findings a pack reports, and the acknowledgments the
 * library recorded (the metadata `Validations.acknowledge` writes, which cdk-nag 3 reads).
 */

/** The part of a cdk-nag pack the tests use. */
export interface NagPack {
  validateScope(scope: IConstruct): {
    violations: Array<{ ruleName: string; severity?: string; violatingResources: Array<{ constructPath?: string; resourceLogicalId?: string }> }>;
  };
}

export interface NagFinding {
  readonly rule: string;
  readonly severity: string;
  readonly path: string;
}

/** Every finding of `pack` in `scope` that is not acknowledged, errors and warnings alike. */
export function nagFindings(scope: IConstruct, pack: NagPack = new AwsSolutionsChecks()): NagFinding[] {
  return pack.validateScope(scope).violations.flatMap(violation => violation.violatingResources.map(resource => ({
    rule: violation.ruleName,
    severity: violation.severity ?? 'unknown',
    path: resource.constructPath ?? resource.resourceLogicalId ?? '(no path)',
  })));
}

export interface NagAcknowledgment {
  readonly path: string;
  readonly id: string;
  readonly reason: string;
}

/**
 * The cdk-nag acknowledgments recorded in the tree. (aws-cdk-lib records its own, for its
 * built-in CloudFormation validation, under `CloudFormation-Validate::`: left out.)
 */
export function recordedAcknowledgments(scope: IConstruct): NagAcknowledgment[] {
  return scope.node.findAll().flatMap(construct => construct.node.metadata
    .filter(entry => entry.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
    .flatMap(entry => Object.entries(entry.data as Record<string, string>).map(([id, reason]) => ({
      path: construct.node.path,
      id: id.replace(/^Annotation::/, ''),
      reason,
    }))))
    .filter(acknowledgment => !acknowledgment.id.startsWith('CloudFormation-Validate'));
}
