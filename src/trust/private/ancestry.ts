import { Aws, Names, Stack, Token } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { catalogueBase, TRUST_CHAIN_ROLE_PREFIX, TRUST_CHAIN_TARGET_ROLE_NAME } from './catalogue-names';
import { grantTrustChainRun, trustChainDocument } from './trust-chain-document';
import { TRUST_CHAIN_HANDLERS } from './trust-chain-script';
import { GoldenImage } from '../../golden-image';
import { automationOnEvent } from '../../private/automation-on-event';
import { ANCESTRY_LEVEL, PARENT_AMI_TAG, PARENT_PIPELINE_TAG, PIPELINE_TAG } from '../../private/catalog';
import { imageStateChangePattern } from '../../private/image-events';
import { acknowledgeNagFindings, wildcardResourceFinding } from '../../private/nag-acknowledgments';

/** The prefix the copy accounts' trust-chain role trusts in the factory (aws:PrincipalArn). */
const TRUST_CHAIN_AUTOMATION_ROLE_PREFIX = `${TRUST_CHAIN_ROLE_PREFIX}-`;
/**
 * An image build version ARN, as the image state change event carries it in resources[0]
 * (https://docs.aws.amazon.com/imagebuilder/latest/userguide/integ-eventbridge.html).
 */
const IMAGE_BUILD_VERSION_ARN_PATTERN = '^arn:aws[a-z-]*:imagebuilder:[a-z0-9-]+:\\d{12}:image/[a-z0-9-_]+/\\d+\\.\\d+\\.\\d+/\\d+$';

/** What recordAncestry wires. */
export interface AncestryProps {
  /** The child image, whose successful builds are recorded. */
  readonly child: GoldenImage;
  /** The parent's SSM parameter in the child's account and regions. */
  readonly parentParameterName: string;
  /** The parent's pipeline ARN, when known. */
  readonly parentPipelineArn?: string;
}

/** What recordAncestry created. */
export interface Ancestry {
  readonly rule: events.Rule;
  readonly automationRole: iam.IRole;
  readonly ancestryParameterName: string;
}

/**
 * On each successful build of `child`, an SSM Automation (the trust chain script's
 * record_ancestry) tags the child's AMIs in every region and account it is distributed to
 * with their parent AMI and pipeline, and writes the ancestry record `<child base>/ancestry`
 * there. Each location's parent AMI is the parent parameter's value in that location when
 * the child was created.
 */
export function recordAncestry(scope: Construct, props: AncestryProps): Ancestry {
  const { child, parentParameterName } = props;
  const stack = Stack.of(scope);
  const ancestryParameterName = `${catalogueBase('ssmParameterName', child.ssmParameterName, `the ancestry record of '${child.node.path}'`)}/${ANCESTRY_LEVEL}`;
  const parentPipeline = props.parentPipelineArn ?? parentParameterName;
  const home = stack.account;
  const otherAccounts = child._ownerAccounts.filter(account => account !== home);
  const trustChainRole = (account: string) => `arn:${Aws.PARTITION}:iam::${account}:role/${TRUST_CHAIN_TARGET_ROLE_NAME}`;
  // Home (factory) location first: the contract's Locations order.
  const locations = child._ownerAccounts.flatMap(account => child.regions.map(region => ({
    Region: region,
    Account: account,
    RoleArn: account === home ? '' : trustChainRole(account),
  })));

  const document = trustChainDocument(scope, 'Document', {
    description: `Record the parent of each new image of ${child.imageName} (AMI tags and ${ancestryParameterName}) in every region and account it is distributed to`,
    handler: TRUST_CHAIN_HANDLERS.RECORD_ANCESTRY,
    parameters: {
      Locations: { type: 'MapList', description: 'Where the child is distributed: Region, Account and RoleArn (empty for the automation\'s own account), home first', default: locations },
      ImageBuildVersionArn: { type: 'String', description: 'The Image Builder image build version of the child', allowedPattern: IMAGE_BUILD_VERSION_ARN_PATTERN },
      ParentParameter: { type: 'String', description: 'The SSM parameter the child\'s recipe reads its parent from', default: parentParameterName },
      ParentPipelineArn: { type: 'String', description: 'The parent\'s pipeline ARN (its parameter name when the pipeline is unknown)', default: parentPipeline },
      AncestryParameter: { type: 'String', description: 'The ancestry record of the child', default: ancestryParameterName },
    },
  });

  const recipeName = child.recipe.imageRecipeName;
  const childImages = `arn:${Aws.PARTITION}:imagebuilder:${stack.region}:${home}:image/${lowerCase(recipeName)}/*`;
  const amis = (region: string) => `arn:${Aws.PARTITION}:ec2:${region}::image/*`;
  const inHomeRegions = (arn: (region: string) => string) => child.regions.map(arn);
  const parameterArn = (region: string, name: string) => `arn:${Aws.PARTITION}:ssm:${region}:${home}:parameter${name}`;
  const { rule, automationRole } = automationOnEvent(scope, {
    document,
    automationStatement: new iam.PolicyStatement({
      actions: ['imagebuilder:GetImage'],
      resources: [childImages],
    }),
    moreAutomationStatements: [
      new iam.PolicyStatement({
        actions: ['ssm:GetParameterHistory'],
        resources: inHomeRegions(region => parameterArn(region, parentParameterName)),
      }),
      new iam.PolicyStatement({
        actions: ['ssm:PutParameter'],
        resources: inHomeRegions(region => parameterArn(region, ancestryParameterName)),
      }),
      // Only the two ancestry tags, only on this image's AMIs (the pipeline tag GoldenImage
      // puts on them). CreateTags on an image takes aws:TagKeys and aws:ResourceTag/<key>
      // (https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonec2.html).
      new iam.PolicyStatement({
        actions: ['ec2:CreateTags'],
        resources: inHomeRegions(amis),
        conditions: {
          'ForAllValues:StringEquals': { 'aws:TagKeys': [PARENT_AMI_TAG, PARENT_PIPELINE_TAG] },
          'Null': { 'aws:TagKeys': 'false' },
          'StringEquals': { [`aws:ResourceTag/${PIPELINE_TAG}`]: child.imageName },
        },
      }),
      // DescribeImages has no resource-level permissions (same reference).
      new iam.PolicyStatement({ actions: ['ec2:DescribeImages'], resources: ['*'] }),
      ...otherAccounts.length > 0
        ? [new iam.PolicyStatement({ actions: ['sts:AssumeRole'], resources: otherAccounts.map(trustChainRole) })]
        : [],
    ],
    automationRoleDescription: `Records the parent of each new image of ${child.imageName}`,
    // The copy accounts' trust-chain role trusts the factory's GoldenAmiTrustChain* roles only.
    automationRoleName: otherAccounts.length > 0
      ? `${TRUST_CHAIN_AUTOMATION_ROLE_PREFIX}${Names.uniqueResourceName(scope, { maxLength: 64 - TRUST_CHAIN_AUTOMATION_ROLE_PREFIX.length, separator: '-' })}`
      : undefined,
    eventsRoleDescription: `Runs the ancestry record of ${child.imageName}`,
    ruleId: 'ImagePublished',
    ruleDescription: `Record the parent of each new image of ${child.imageName}`,
    eventPattern: imageStateChangePattern(stack, recipeName, 'AVAILABLE'),
    // The image build version ARN is the event's only resource (input transformer).
    parameters: { ImageBuildVersionArn: events.EventField.fromPath('$.resources[0]') },
  });
  grantTrustChainRun(automationRole, document);
  const acknowledge = (resource: string, reason: string) =>
    acknowledgeNagFindings(automationRole, { id: wildcardResourceFinding('AwsSolutions-IAM5', automationRole, resource), reason });
  acknowledge(childImages, 'GetImage on the build versions of this child\'s recipe only: the version and build in the ARN are not known before the build');
  for (const region of child.regions) {
    acknowledge(amis(region), 'CreateTags on AMIs carrying this image\'s pipeline tag only (aws:ResourceTag condition), with the two ancestry tag keys only (aws:TagKeys): AMI IDs are not known before the build');
  }
  acknowledge('*', 'ec2:DescribeImages has no resource-level permissions (Service Authorization Reference, Amazon EC2): it is the only action on *');
  return { rule, automationRole, ancestryParameterName };
}

function lowerCase(name: string): string {
  return Token.isUnresolved(name) ? name : name.toLowerCase();
}
