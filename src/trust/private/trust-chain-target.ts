import { Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { TRUST_CHAIN_ROLE_PREFIX, TRUST_CHAIN_TARGET_ROLE_NAME } from './catalogue-names';
import { PARENT_AMI_TAG, PARENT_PIPELINE_TAG, PIPELINE_TAG } from '../../private/catalog';
import { acknowledgeNagFindings, inlinePolicyFindings, wildcardResourceFinding } from '../../private/nag-acknowledgments';


/**
 * `GoldenAmiTrustChainRole` of a target account: what the factory's promotion and revocation
 * automations do here. Trusted by the factory accounts only, and within them only by roles
 * named `GoldenAmiTrustChain*` (aws:PrincipalArn), the names GoldenImage gives its
 * trust-chain automation roles. It reads and writes the catalogue's parameters under
 * `parameterPaths`, describes images and findings, and, on golden AMIs only (those carrying the
 * pipeline tag), deprecates, disables and sets the two ancestry tags.
 */
export function trustChainTargetRole(scope: Construct, factories: string[], parameterPaths: string[]): iam.Role {
  const stack = Stack.of(scope);
  const automationRoles = factories.map(account => `arn:${stack.partition}:iam::${account}:role/${TRUST_CHAIN_ROLE_PREFIX}*`);
  const role = new iam.Role(scope, 'TrustChainRole', {
    roleName: TRUST_CHAIN_TARGET_ROLE_NAME,
    description: 'Assumed by the golden AMI factory\'s promotion and revocation automations to act on this account\'s copies and catalogue',
    // https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-principalarn
    assumedBy: new iam.CompositePrincipal(...factories.map(account => new iam.AccountPrincipal(account)))
      .withConditions({ ArnLike: { 'aws:PrincipalArn': automationRoles } }),
  });
  const parameters = parameterPaths.map(path => `arn:${stack.partition}:ssm:*:${stack.account}:parameter${path}*`);
  role.addToPrincipalPolicy(new iam.PolicyStatement({
    sid: 'Catalogue',
    actions: ['ssm:GetParameter', 'ssm:GetParameters', 'ssm:GetParameterHistory', 'ssm:PutParameter', 'ssm:DeleteParameter'],
    resources: parameters,
  }));
  role.addToPrincipalPolicy(new iam.PolicyStatement({
    sid: 'FindImagesAndFindings',
    actions: ['ec2:DescribeImages', 'inspector2:ListFindings'],
    resources: ['*'],
  }));
  const images = `arn:${stack.partition}:ec2:*::image/*`;
  const goldenAmisOnly = { Null: { [`aws:ResourceTag/${PIPELINE_TAG}`]: 'false' } };
  role.addToPrincipalPolicy(new iam.PolicyStatement({
    sid: 'RevokeGoldenAmis',
    actions: ['ec2:EnableImageDeprecation', 'ec2:DisableImage'],
    resources: [images],
    conditions: goldenAmisOnly,
  }));
  // The ancestry record tags a child's copies with its parent, and nothing else: CreateTags on
  // an image takes aws:TagKeys and aws:ResourceTag/<key>
  // (https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonec2.html).
  role.addToPrincipalPolicy(new iam.PolicyStatement({
    sid: 'RecordAncestry',
    actions: ['ec2:CreateTags'],
    resources: [images],
    conditions: {
      'ForAllValues:StringEquals': { 'aws:TagKeys': [PARENT_AMI_TAG, PARENT_PIPELINE_TAG] },
      'Null': { 'aws:TagKeys': 'false', ...goldenAmisOnly.Null },
    },
  }));
  acknowledgeNagFindings(role, ...inlinePolicyFindings('The role\'s grants are its default policy, created and deleted with the role; a managed policy would outlive the role and could be attached elsewhere'), {
    id: 'AwsSolutions-IAM5[Resource::*]',
    reason: 'ec2:DescribeImages and inspector2:ListFindings support no resource-level permissions',
  }, {
    id: wildcardResourceFinding('AwsSolutions-IAM5', role, images),
    reason: 'Copies get their AMI IDs at each distribution: deprecation, disabling and tagging are limited to golden AMIs (those carrying the golden-ami:pipeline tag, aws:ResourceTag condition)',
  }, ...parameters.map(arn => ({
    id: wildcardResourceFinding('AwsSolutions-IAM5', role, arn),
    reason: 'The catalogue is every parameter under the path, in every region the factory distributes to; the channels and revocation lists are named by the factory\'s images',
  })));
  return role;
}
