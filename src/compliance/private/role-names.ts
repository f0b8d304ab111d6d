import { Token } from 'aws-cdk-lib';

/** The default name of the role an organization rule assumes in member accounts. */
export const DEFAULT_MEMBER_ROLE_NAME = 'GoldenAmiComplianceMember';
/** The default name of an organization rule's function role. */
export const DEFAULT_EVALUATOR_ROLE_NAME = 'GoldenAmiComplianceEvaluator';
const ROLE_NAME = /^[\w+=,.@-]{1,64}$/;

export function validateRoleName(prop: string, value: string): void {
  if (!Token.isUnresolved(value) && !ROLE_NAME.test(value)) {
    throw new Error(`${prop} must be an IAM role name (1-64 letters, digits and +=,.@_-), got: '${value}'`);
  }
}

