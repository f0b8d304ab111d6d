import { Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks, HIPAASecurityChecks, NIST80053R5Checks } from 'cdk-nag';
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

/** The three packs the library is checked against, by name, each made fresh per run. */
export const NAG_PACKS: Array<[string, () => NagPack]> = [
  ['AwsSolutions', () => new AwsSolutionsChecks()],
  ['NIST.800.53.R5', () => new NIST80053R5Checks()],
  ['HIPAA.Security', () => new HIPAASecurityChecks()],
];

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

/** Every unacknowledged finding of the three packs in `scope`, errors and warnings alike. */
export function allNagFindings(scope: IConstruct): NagFinding[] {
  return NAG_PACKS.flatMap(([, pack]) => nagFindings(scope, pack()));
}

/** How many unacknowledged findings each pack reports in `scope`, by pack name. */
export function nagCounts(scope: IConstruct): Record<string, number> {
  return Object.fromEntries(NAG_PACKS.map(([name, pack]) => [name, nagFindings(scope, pack()).length]));
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
