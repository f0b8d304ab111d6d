import * as iam from 'aws-cdk-lib/aws-iam';
import { IConstruct } from 'constructs';
import { ApprovalSourceConfig, CombinedApprovals, catalogParameterArns, parameterArn } from './approvals';
import { acknowledgeNagFindings, wildcardResourceFinding } from '../../private/nag-acknowledgments';

/**
 * The permissions the rule's function needs in an evaluated account, each action named, and
 * the cdk-nag acknowledgments for the statements that cannot name a resource.
 *
 * Internal to the package.
 */

/** Describe and Put actions that support no resource-level permissions, so take `*`. */
export const DESCRIBE_ACTIONS = [
  'ec2:DescribeInstances',
  'ec2:DescribeImages',
  'ec2:DescribeLaunchTemplateVersions',
  'autoscaling:DescribeAutoScalingGroups',
  'autoscaling:DescribeLaunchConfigurations',
];
export const REPORT_ACTIONS = ['config:PutEvaluations'];
export const CATALOG_ACTIONS = ['ssm:GetParametersByPath', 'ssm:GetParameterHistory'];
/**
 * Revocation lists outside the catalog paths are read by name, 10 a call; ancestry records by
 * their history. Both act on the parameter resource
 * (https://docs.aws.amazon.com/service-authorization/latest/reference/list_awssystemsmanager.html#awssystemsmanager-actions-as-permissions;
 * https://docs.aws.amazon.com/systems-manager/latest/APIReference/API_GetParameters.html,
 * https://docs.aws.amazon.com/systems-manager/latest/APIReference/API_GetParameterHistory.html).
 */
export const REVOCATION_LIST_ACTIONS = ['ssm:GetParameters'];
export const ANCESTRY_RECORD_ACTIONS = ['ssm:GetParameterHistory'];

/** The statements for evaluating `account` (the construct's own by default). */
export function evaluationStatements(scope: IConstruct, config: CombinedApprovals, account?: string): iam.PolicyStatement[] {
  const statements = [
    new iam.PolicyStatement({ sid: 'DescribeLaunchSources', actions: DESCRIBE_ACTIONS, resources: ['*'] }),
    new iam.PolicyStatement({ sid: 'ReportEvaluations', actions: REPORT_ACTIONS, resources: ['*'] }),
  ];
  const parameters = catalogParameterArns(scope, config, account);
  if (parameters.length > 0) {
    statements.push(new iam.PolicyStatement({ sid: 'ReadGoldenAmiCatalog', actions: CATALOG_ACTIONS, resources: parameters }));
  }
  if (config.revocationLists.length > 0) {
    statements.push(new iam.PolicyStatement({
      sid: 'ReadRevocationLists',
      actions: REVOCATION_LIST_ACTIONS,
      resources: config.revocationLists.map(name => parameterArn(scope, name, account)),
    }));
  }
  if (config.ancestryRecords.length > 0) {
    statements.push(new iam.PolicyStatement({
      sid: 'ReadAncestryRecords',
      actions: ANCESTRY_RECORD_ACTIONS,
      resources: config.ancestryRecords.map(name => parameterArn(scope, name, account)),
    }));
  }
  return statements;
}

/** Acknowledges the wildcard resources of `evaluationStatements` on the policy that holds them. */
export function acknowledgeEvaluationWildcards(policy: IConstruct, config: ApprovalSourceConfig, account?: string): void {
  acknowledgeNagFindings(policy, {
    id: 'AwsSolutions-IAM5[Resource::*]',
    reason: 'ec2:Describe*, autoscaling:Describe* and config:PutEvaluations (and the network interface actions of a function in a VPC) support no resource-level permissions or act on resources created at run time; each action is named, none is a wildcard',
  });
  for (const path of config.catalogPaths) {
    acknowledgeNagFindings(policy, {
      id: wildcardResourceFinding('AwsSolutions-IAM5', policy, catalogParameterArns(policy, { ...config, catalogPaths: [path], parameterNames: [] }, account)[1]),
      reason: `The SSM catalog is every parameter under ${path}, whose names the image pipelines choose; only GetParametersByPath and GetParameterHistory are granted`,
    });
  }
}
