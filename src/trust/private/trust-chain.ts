import { Aws, Names, Stack, Token } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import { Construct } from 'constructs';
import { TRUST_CHAIN_ROLE_PREFIX, TRUST_CHAIN_TARGET_ROLE_NAME } from './catalogue-names';
import { PROMOTION_BY_COMMAND, PromotionConfig } from './promotion-config';
import { trustChainDocument, TrustChainDocumentParameter, grantTrustChainRun } from './trust-chain-document';
import { TRUST_CHAIN_HANDLERS } from './trust-chain-script';
import { automationAssumeRole, automationOnEvent } from '../../private/automation-on-event';
import { LATEST_LEVEL, REVOKED_LEVEL } from '../../private/catalog';
import { acknowledgeNagFindings, inlinePolicyFindings, wildcardResourceFinding } from '../../private/nag-acknowledgments';
import { AMI_ID } from '../../private/patterns';
import { fitName } from '../../private/validation';

/** IAM role names take 64 characters. */
const ROLE_NAME_MAX = 64;
/**
 * A revocation reason as the contract has it: 1 to 200 characters, no comma (the StringList
 * separator), no `=` (the entry separator), no control characters or line breaks.
 */
export const REVOCATION_REASON_PATTERN = '^[^,=\\x00-\\x1F\\x7F]{1,200}$';

/** What the trust chain of one golden image acts on. */
export interface TrustChainProps {
  /** The image's pipeline name; its AMIs carry `golden-ami:pipeline` = this. */
  readonly imageName: string;
  /** The tag key and value every AMI of the image carries (the distribution sets it). */
  readonly pipelineTag: { key: string; value: string };
  /** Distribution regions, the build region first. */
  readonly regions: string[];
  readonly copyToAccounts: string[];
  /** `<base>` of the catalogue. */
  readonly base: string;
  readonly channels: string[];
  readonly promotion?: PromotionConfig;
  readonly revocation: boolean;
  readonly revocationTopic?: sns.ITopic;
}

/** One promotion between adjacent channels. */
export interface TrustChainPromotion {
  readonly from: string;
  readonly to: string;
  readonly document: ssm.CfnDocument;
  readonly rule?: events.Rule;
}

/**
 * The promotion and revocation automations of one golden image: their assume role (a fixed
 * prefix, so that the target accounts' GoldenAmiTrustChainRole trusts it), one promotion
 * document per adjacent channel pair (with an approval step or a schedule), the revocation
 * document and its notification topic.
 */
export class TrustChain extends Construct {
  public readonly role: iam.Role;
  public readonly roleName: string;
  public readonly promotions: TrustChainPromotion[] = [];
  public readonly revokeDocument?: ssm.CfnDocument;
  public readonly revocationTopic?: sns.ITopic;
  public readonly approvalTopic?: sns.ITopic;
  private readonly stack: Stack;
  private readonly props: TrustChainProps;

  constructor(scope: Construct, id: string, props: TrustChainProps) {
    super(scope, id);
    this.stack = Stack.of(this);
    this.props = props;
    this.roleName = trustChainRoleName(this, props.imageName);
    this.role = automationAssumeRole(this, 'AutomationRole',
      `Promotes and revokes the AMIs of golden image ${props.imageName} in every region and account it is distributed to`, this.roleName);
    this.grantCatalogue();

    const pairs = props.channels.slice(1).map((to, i) => ({ from: props.channels[i], to }));
    if (pairs.length > 0) {
      const promotion = props.promotion ?? PROMOTION_BY_COMMAND;
      if (promotion.kind === 'manual') {
        // SNS names take letters, digits, - and _ (256 at most); Image Builder names may hold spaces.
        const topicName = Token.isUnresolved(props.imageName) ? undefined : `Automation-${fitName(props.imageName.replace(/[^A-Za-z0-9_-]/g, '-'), 256 - 'Automation-'.length)}`;
        this.approvalTopic = promotion.topic ?? this.encryptedTopic('ApprovalTopic', topicName,
          `Golden image ${props.imageName}: promotions waiting for approval`);
        this.grantPublish(this.approvalTopic);
      }
      for (const { from, to } of pairs) this.promotions.push(this.promotionOf(from, to, promotion));
    }
    if (props.revocation) {
      this.revocationTopic = props.revocationTopic ?? this.sharedRevocationTopic();
      this.grantPublish(this.revocationTopic);
      this.revokeDocument = trustChainDocument(this, 'Revoke', {
        description: `Revokes an AMI of golden image ${props.imageName}: deprecates and disables it in every region and account, takes it out of every channel, lists it as revoked and notifies`,
        handler: TRUST_CHAIN_HANDLERS.REVOKE,
        assumeRoleArn: this.role.roleArn,
        parameters: {
          ImageId: { type: 'String', description: 'The revoked AMI, as its ID in the factory account and build region', allowedPattern: AMI_ID.source },
          Reason: { type: 'String', description: 'Why (1 to 200 characters; no comma, =, or line break): the compliance rule reports it as revoked: <reason>', allowedPattern: REVOCATION_REASON_PATTERN },
          Locations: this.locationsParameter(),
          ChannelParameters: {
            type: 'StringList',
            description: 'The parameters that may hold the AMI: latest and every channel',
            default: [`${props.base}/${LATEST_LEVEL}`, ...props.channels.map(channel => `${props.base}/${channel}`)],
          },
          RevocationListParameter: { type: 'String', description: 'The revocation list (StringList of <ami-id>=<reason>)', default: `${props.base}/${REVOKED_LEVEL}` },
          TopicArn: { type: 'String', description: 'The SNS topic told of the revocation ("" for none)', default: this.revocationTopic.topicArn },
        },
      });
      grantTrustChainRun(this.role, this.revokeDocument);
    }
    acknowledgeNagFindings(this.role, ...inlinePolicyFindings('The automation role\'s grants on this image\'s parameters, AMIs and topics are its default policy, created and deleted with the role; '
      + 'a managed policy would outlive the role and could be attached elsewhere'));
  }

  /** The name of the promotion document from `from` to `to`. */
  public promotion(from: string, to: string): TrustChainPromotion | undefined {
    return this.promotions.find(p => p.from === from && p.to === to);
  }

  /**
   * Every location the image is in, the home (factory account, build region) first: the other
   * regions of the factory with the automation's own credentials, then each copy account's
   * regions through its GoldenAmiTrustChainRole.
   */
  private locationsParameter(): TrustChainDocumentParameter {
    const { regions, copyToAccounts } = this.props;
    const home = this.stack.account;
    const locations = [
      ...regions.map(region => ({ Region: region, Account: home, RoleArn: '' })),
      ...copyToAccounts.flatMap(account => {
        const roleArn = trustChainTargetRoleArn(this.stack, account);
        return regions.map(region => ({ Region: region, Account: account, RoleArn: roleArn }));
      }),
    ];
    return { type: 'MapList', description: 'Every region and account of the image, the factory\'s build region first (RoleArn "" = the automation\'s own credentials)', default: locations };
  }

  private promotionOf(from: string, to: string, promotion: PromotionConfig): TrustChainPromotion {
    const { base, imageName } = this.props;
    const scope = new Construct(this, `Promote-${from}-${to}`);
    const document = trustChainDocument(scope, 'Document', {
      description: `Promotes the AMI of golden image ${imageName} in channel ${from} to channel ${to}, in every region and account, `
        + 'after checking it is available, not revoked, soaked and free of blocking Inspector findings',
      handler: TRUST_CHAIN_HANDLERS.PROMOTE,
      assumeRoleArn: this.role.roleArn,
      parameters: {
        Locations: this.locationsParameter(),
        FromParameter: { type: 'String', description: 'The channel the AMI is promoted from', default: `${base}/${from}` },
        ToParameter: { type: 'String', description: 'The channel the AMI is promoted to', default: `${base}/${to}` },
        RevocationListParameter: { type: 'String', description: 'The revocation list', default: `${base}/${REVOKED_LEVEL}` },
        SoakHours: { type: 'Integer', description: 'How long the AMI must have been in the from-channel (0 = no soak)', default: promotion.soakHours },
        BlockingSeverities: { type: 'StringList', description: 'Inspector severities whose ACTIVE findings on the AMI refuse the promotion (empty = no Inspector check)', default: promotion.blockingSeverities },
      },
      approval: promotion.kind === 'manual' ? {
        approvers: promotion.approvers,
        notificationArn: this.approvalTopic!.topicArn,
        minRequiredApprovals: promotion.minRequiredApprovals,
        message: `Promote golden image ${imageName} from channel ${from} to channel ${to}?`,
        timeoutSeconds: promotion.approvalTimeoutSeconds,
      } : undefined,
    });
    grantTrustChainRun(this.role, document);
    let rule: events.Rule | undefined;
    if (promotion.kind === 'soak') {
      rule = automationOnEvent(scope, {
        document,
        automationRole: this.role,
        eventsRoleDescription: `Lets the schedule of golden image ${imageName} start its ${from} to ${to} promotion`,
        ruleId: 'Schedule',
        ruleDescription: `Golden image ${imageName}: promotes ${from} to ${to} once soaked`,
        schedule: events.Schedule.rate(promotion.checkEvery!),
        parameters: {},
      }).rule;
    }
    return { from, to, document, rule };
  }

  /** Exactly this image's parameters, in every distribution region of this account. */
  private grantCatalogue(): void {
    const { base, channels, regions, pipelineTag } = this.props;
    const names = [LATEST_LEVEL, ...channels, REVOKED_LEVEL].map(level => `${base}/${level}`);
    const partition = Aws.PARTITION;
    this.role.addToPrincipalPolicy(new iam.PolicyStatement({
      sid: 'ImageCatalogue',
      actions: ['ssm:GetParameter', 'ssm:GetParameters', 'ssm:GetParameterHistory', 'ssm:PutParameter', 'ssm:DeleteParameter'],
      resources: regions.flatMap(region => names.map(name => `arn:${partition}:ssm:${region}:${this.stack.account}:parameter${name}`)),
    }));
    // DescribeImages and ListFindings have no resource-level permissions (Service Authorization Reference).
    this.role.addToPrincipalPolicy(new iam.PolicyStatement({
      sid: 'FindImagesAndFindings',
      actions: ['ec2:DescribeImages', 'inspector2:ListFindings'],
      resources: ['*'],
    }));
    // Deprecate and disable only this image's AMIs: every AMI of the pipeline carries its tag.
    // (Promotion and revocation tag nothing: the ancestry record has its own role.)
    // The image resource with an aws:ResourceTag condition is how AWS's own
    // EC2ImageBuilderLifecycleExecutionPolicy scopes EnableImageDeprecation and DisableImage:
    // https://docs.aws.amazon.com/aws-managed-policy/latest/reference/EC2ImageBuilderLifecycleExecutionPolicy.html
    const images = `arn:${partition}:ec2:*::image/*`;
    this.role.addToPrincipalPolicy(new iam.PolicyStatement({
      sid: 'RevokeImageAmis',
      actions: ['ec2:EnableImageDeprecation', 'ec2:DisableImage'],
      resources: [images],
      conditions: { StringEquals: { [`aws:ResourceTag/${pipelineTag.key}`]: pipelineTag.value } },
    }));
    if (this.props.copyToAccounts.length > 0) {
      this.role.addToPrincipalPolicy(new iam.PolicyStatement({
        sid: 'ActInCopyAccounts',
        actions: ['sts:AssumeRole'],
        resources: this.props.copyToAccounts.map(account => trustChainTargetRoleArn(this.stack, account)),
      }));
    }
    acknowledgeNagFindings(this.role, {
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason: 'ec2:DescribeImages and inspector2:ListFindings support no resource-level permissions; the automation reads only this image\'s AMIs and their findings',
    }, {
      id: wildcardResourceFinding('AwsSolutions-IAM5', this, images),
      reason: 'AMI IDs are only known after each build and copy: deprecation and disabling are limited to AMIs tagged with this image\'s pipeline tag (aws:ResourceTag condition)',
    });
  }

  /**
   * sns:Publish on the topic, written out (not grantPublish: whether it adds the key's grant
   * differs between aws-cdk-lib versions). A topic's own key is granted where it is made; an
   * imported topic's key policy is its owner's.
   */
  private grantPublish(topic: sns.ITopic): void {
    this.role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['sns:Publish'], resources: [topic.topicArn] }));
  }

  /**
   * The stack's revocation topic, shared by its images like the build topic (one key and topic
   * per stack, not per image); each message names the image.
   */
  private sharedRevocationTopic(): sns.ITopic {
    const id = 'GoldenAmiRevocations';
    const existing = this.stack.node.tryFindChild(id) as Construct | undefined;
    const scope = existing ?? new Construct(this.stack, id);
    const topic = (scope.node.tryFindChild('Topic') as sns.ITopic | undefined) ?? encryptedTopic(scope, 'Topic', undefined, 'Golden AMI revocations');
    this.grantTopicKey(topic);
    return topic;
  }

  private encryptedTopic(id: string, topicName: string | undefined, displayName: string): sns.ITopic {
    const topic = encryptedTopic(this, id, topicName, displayName);
    this.grantTopicKey(topic);
    return topic;
  }

  /** What publishing to an encrypted topic takes on its key (https://docs.aws.amazon.com/sns/latest/dg/sns-key-management.html). */
  private grantTopicKey(topic: sns.ITopic): void {
    topic.masterKey!.grant(this.role, 'kms:GenerateDataKey*', 'kms:Decrypt');
    acknowledgeNagFindings(this.role, {
      id: 'AwsSolutions-IAM5[Action::kms:GenerateDataKey*]',
      reason: 'Publishing to a KMS-encrypted SNS topic takes kms:GenerateDataKey* and kms:Decrypt on its key (Amazon SNS key management); granted on the topic\'s own key only',
    });
  }
}

/** A topic encrypted with a key of its own (rotated), TLS only. */
function encryptedTopic(scope: Construct, id: string, topicName: string | undefined, displayName: string): sns.ITopic {
  const key = new kms.Key(scope, `${id}Key`, { description: displayName, enableKeyRotation: true });
  return new sns.Topic(scope, id, { topicName, displayName: displayName.slice(0, 100), masterKey: key, enforceSSL: true });
}

/** The GoldenAmiTrustChainRole ARN in `account`. */
export function trustChainTargetRoleArn(stack: Stack, account: string): string {
  return `arn:${stack.partition}:iam::${account}:role/${TRUST_CHAIN_TARGET_ROLE_NAME}`;
}

/**
 * `GoldenAmiTrustChain-<region>-<image>`: IAM names are global to the account and the same
 * pipeline name can exist in two regions, so the region is part of it; long names keep their
 * start and a hash (64 characters in all).
 */
function trustChainRoleName(scope: Construct, imageName: string): string {
  const region = Stack.of(scope).region;
  const prefix = `${TRUST_CHAIN_ROLE_PREFIX}-`;
  const rest = Token.isUnresolved(region) || Token.isUnresolved(imageName)
    ? Names.uniqueResourceName(scope, { maxLength: ROLE_NAME_MAX - prefix.length, separator: '-' })
    : fitName(`${region}-${imageName}`.replace(/[^\w+=,.@-]/g, '-'), ROLE_NAME_MAX - prefix.length);
  return `${prefix}${rest}`;
}
