import { Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { ApprovalSource } from './approval-source';
import { combineApprovalSources } from './private/approvals';
import { acknowledgeEvaluationWildcards, evaluationStatements } from './private/permissions';
import { DEFAULT_EVALUATOR_ROLE_NAME, DEFAULT_MEMBER_ROLE_NAME, validateRoleName } from './private/role-names';
import { validateAccountId } from '../private/validation';

/**
 * Properties of a GoldenAmiComplianceMemberRole.
 */
export interface GoldenAmiComplianceMemberRoleProps {
  /**
   * The account of the organization rule's function: the Config delegated administrator.
   */
  readonly evaluatorAccountId: string;

  /**
   * The approval sources of the organization rule (the role may read their SSM parameters here).
   */
  readonly approvalSources: ApprovalSource[];

  /**
   * The role name; it must match the rule's `organization.memberRoleName`.
   *
   * @default 'GoldenAmiComplianceMember'
   */
  readonly roleName?: string;

  /**
   * The name of the rule's function role, the only principal the role trusts; it must match
   * the rule's `organization.evaluatorRoleName`.
   *
   * @default 'GoldenAmiComplianceEvaluator'
   */
  readonly evaluatorRoleName?: string;
}

/**
 * The role an organization-wide GoldenAmiComplianceRule assumes in a member account to
 * evaluate it and report the evaluations: read-only EC2 and Auto Scaling describes, the SSM
 * catalog, and `config:PutEvaluations`. Put it in each member account's stack, or in a stack
 * deployed to the organization as a service-managed StackSet (IAM roles are global: one
 * region per account).
 */
export class GoldenAmiComplianceMemberRole extends Construct {
  /** The role. */
  public readonly role: iam.IRole;

  /** The role name. */
  public readonly roleName: string;

  constructor(scope: Construct, id: string, props: GoldenAmiComplianceMemberRoleProps) {
    super(scope, id);
    const stack = Stack.of(this);
    validateAccountId('evaluatorAccountId', props.evaluatorAccountId);
    this.roleName = props.roleName ?? DEFAULT_MEMBER_ROLE_NAME;
    const evaluatorRoleName = props.evaluatorRoleName ?? DEFAULT_EVALUATOR_ROLE_NAME;
    validateRoleName('roleName', this.roleName);
    validateRoleName('evaluatorRoleName', evaluatorRoleName);
    const approvals = combineApprovalSources(this, props.approvalSources);

    // Trusting the account with a condition, not the role ARN itself, lets member stacks
    // deploy before the rule's stack (IAM rejects a trust policy naming a role that does not exist yet).
    const evaluatorRoleArn = `arn:${stack.partition}:iam::${props.evaluatorAccountId}:role/${evaluatorRoleName}`;
    const role = new iam.Role(this, 'Resource', {
      roleName: this.roleName,
      description: 'Assumed by the golden AMI compliance rule to evaluate this account',
      assumedBy: new iam.AccountPrincipal(props.evaluatorAccountId).withConditions({
        ArnEquals: { 'aws:PrincipalArn': evaluatorRoleArn },
      }),
    });
    this.role = role;
    const policy = new iam.ManagedPolicy(this, 'Policy', {
      roles: [role],
      statements: evaluationStatements(this, approvals),
    });
    acknowledgeEvaluationWildcards(policy, approvals);
  }
}
