import { Aws, Duration, Names, RemovalPolicy, Resource, Stack, Token } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import { CfnInfrastructureConfiguration } from 'aws-cdk-lib/aws-imagebuilder';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct, IConstruct } from 'constructs';
import { IMAGE_BUILDER_SERVICE_LINKED_ROLE, MANAGED_POLICIES, SERVICE_ENDPOINTS, SERVICE_PRINCIPALS } from './private/aws-catalogue';
import { acknowledgeNagFindings, inlinePolicyFindings, managedPolicyFinding, nistAndHipaaFindings, wildcardResourceFinding } from './private/nag-acknowledgments';
import { validateIntegerInRange } from './private/validation';

/**
 * How a golden image's builds are isolated from other images' builds.
 */
export enum BuildIsolation {
  /**
   * The image builds on the stack's shared infrastructure (`ImageBuildInfrastructure.ofStack`):
   * one instance role for every image, so a build can use every grant made to any image of
   * the stack (installers, report buckets, playbooks).
   */
  SHARED = 'SHARED',
  /**
   * The image builds with its own instance role, instance profile and infrastructure
   * configuration, so grants made for it reach its builds only. The log bucket and
   * notification topic stay the stack's shared ones.
   */
  PER_IMAGE = 'PER_IMAGE',
}

/** The id of the per-stack infrastructure that GoldenImages share by default. */
const SHARED_INFRASTRUCTURE_ID = 'GoldenAmiBuildInfrastructure';
const LOG_PREFIX = 'imagebuilder-logs/';

/**
 * What Image Builder needs to run builds: an instance profile, a network placement, a log
 * bucket and a topic. One can serve many GoldenImages.
 */
export interface IImageBuildInfrastructure extends IConstruct {
  /**
   * The ARN of the infrastructure configuration.
   *
   * @attribute
   */
  readonly infrastructureConfigurationArn: string;

  /**
   * The role of the build and test instances.
   */
  readonly instanceRole: iam.IRole;

  /**
   * The bucket that receives build logs.
   */
  readonly logBucket: s3.IBucket;

  /**
   * The topic Image Builder notifies when an image build ends.
   */
  readonly notificationTopic: sns.ITopic;

  /**
   * The role Image Builder assumes to run image lifecycle policies.
   */
  readonly lifecycleExecutionRole: iam.IRole;
}

/**
 * Properties of ImageBuildInfrastructure.
 */
export interface ImageBuildInfrastructureProps {
  /**
   * Instance types to build on, tried in order. They must all be of the architecture of the
   * images built with this infrastructure.
   *
   * @default - the service's default for the image's architecture
   */
  readonly instanceTypes?: ec2.InstanceType[];

  /**
   * The VPC to build in. Give it to build in private subnets; nothing is looked up.
   *
   * @default - the account's default VPC, chosen by Image Builder
   */
  readonly vpc?: ec2.IVpc;

  /**
   * The subnets to build in; the first selected subnet is used. Requires `vpc`.
   *
   * @default - the VPC's private subnets with egress, as `vpc.selectSubnets()` chooses
   */
  readonly subnetSelection?: ec2.SubnetSelection;

  /**
   * Security groups of the build instances. Requires `vpc`.
   *
   * @default - with `vpc`, a group with no inbound and all outbound traffic; otherwise the default VPC's default group
   */
  readonly securityGroups?: ec2.ISecurityGroup[];

  /**
   * The bucket for build logs.
   *
   * @default - an encrypted, TLS-only, private bucket whose logs expire after `logRetention`
   */
  readonly logBucket?: s3.IBucket;

  /**
   * Where S3 server access logs of the log bucket this construct creates go (not with
   * `logBucket`: configure access logging on your bucket). The bucket must accept server
   * access log delivery from S3 (`logging.s3.amazonaws.com`).
   *
   * @default - no server access logs: reads and writes of build logs are audited only by
   * CloudTrail S3 data events, where the account records them
   */
  readonly accessLogsBucket?: s3.IBucket;

  /**
   * How long build logs are kept in the bucket this construct creates (not with `logBucket`:
   * set the retention on your bucket).
   *
   * @default Duration.days(90)
   */
  readonly logRetention?: Duration;

  /**
   * The topic notified when a build ends.
   *
   * @default - a topic encrypted with a customer-managed KMS key
   */
  readonly notificationTopic?: sns.ITopic;

  /**
   * Terminate the build instance when a build fails. Keep it (false) only to debug a build.
   *
   * @default true
   */
  readonly terminateInstanceOnFailure?: boolean;

  /**
   * Tags applied to the build and test instances.
   *
   * @default - none
   */
  readonly instanceTags?: { [key: string]: string };
}

/**
 * Build infrastructure for golden images: a least-privilege instance role and profile,
 * IMDSv2-only instances that are terminated on failure, a log bucket and an encrypted topic.
 *
 * GoldenImages in a stack share one by default (`ImageBuildInfrastructure.ofStack`), so a
 * stack of many images holds one set of these resources.
 */
export class ImageBuildInfrastructure extends Resource implements IImageBuildInfrastructure {
  /**
   * The infrastructure shared by every GoldenImage of the stack that does not bring its
   * own, created on first use with default properties.
   */
  public static ofStack(scope: Construct): ImageBuildInfrastructure {
    const stack = Stack.of(scope);
    const existing = stack.node.tryFindChild(SHARED_INFRASTRUCTURE_ID);
    if (existing instanceof ImageBuildInfrastructure) {
      return existing;
    }
    return new ImageBuildInfrastructure(stack, SHARED_INFRASTRUCTURE_ID);
  }

  /**
   * The infrastructure an image with id `id` in `scope` builds on: `infrastructure` when
   * given, else per `buildIsolation` the stack's shared one or a new one of its own (named
   * `<id>BuildInfrastructure`, next to the image) that writes to the shared log bucket and topic.
   *
   * @internal
   */
  public static _forImage(
    scope: Construct,
    id: string,
    infrastructure?: IImageBuildInfrastructure,
    buildIsolation?: BuildIsolation,
  ): IImageBuildInfrastructure {
    if (infrastructure && buildIsolation !== undefined) {
      throw new Error(`buildIsolation chooses the infrastructure when infrastructure is not given; set one of them, got infrastructure: '${infrastructure.node.path}' and buildIsolation: '${buildIsolation}'`);
    }
    if (infrastructure) return infrastructure;
    const shared = ImageBuildInfrastructure.ofStack(scope);
    switch (buildIsolation ?? BuildIsolation.SHARED) {
      case BuildIsolation.SHARED:
        return shared;
      case BuildIsolation.PER_IMAGE:
        return new ImageBuildInfrastructure(scope, `${id}BuildInfrastructure`, {
          logBucket: shared.logBucket,
          notificationTopic: shared.notificationTopic,
        });
      default:
        throw new Error(`buildIsolation must be a BuildIsolation value, got: '${buildIsolation}'`);
    }
  }

  public readonly infrastructureConfigurationArn: string;
  public readonly instanceRole: iam.IRole;
  public readonly logBucket: s3.IBucket;
  public readonly notificationTopic: sns.ITopic;

  /**
   * The KMS key that encrypts the log bucket and the topic this construct creates; undefined
   * when both were given.
   */
  public readonly encryptionKey?: kms.IKey;

  /**
   * The instance profile of the build and test instances.
   */
  public readonly instanceProfile: iam.InstanceProfile;

  /**
   * The infrastructure configuration resource.
   */
  public readonly resource: CfnInfrastructureConfiguration;

  /**
   * The security group created for the build instances, when a VPC was given without groups.
   */
  public readonly securityGroup?: ec2.ISecurityGroup;

  private _lifecycleExecutionRole?: iam.IRole;

  constructor(scope: Construct, id: string, props: ImageBuildInfrastructureProps = {}) {
    super(scope, id);
    if (!props.vpc && props.subnetSelection) {
      throw new Error('subnetSelection requires vpc: give the VPC the subnets belong to');
    }
    if (!props.vpc && props.securityGroups) {
      throw new Error('securityGroups requires vpc: give the VPC the security groups belong to');
    }
    validateInstanceTypes(props.instanceTypes ?? []);

    if (props.logBucket && props.logRetention) {
      throw new Error(`logRetention applies to the log bucket this construct creates; with logBucket, set the retention on your bucket, got logRetention: '${props.logRetention.toHumanString()}'`);
    }
    if (props.logBucket && props.accessLogsBucket) {
      throw new Error(`accessLogsBucket applies to the log bucket this construct creates; with logBucket, configure access logging on your bucket, got accessLogsBucket: '${props.accessLogsBucket.node.path}'`);
    }
    // One key for what this construct creates: the build logs and the notifications.
    this.encryptionKey = props.logBucket && props.notificationTopic ? undefined : this.createKey();
    this.logBucket = props.logBucket ?? this.createLogBucket(this.encryptionKey!, props.logRetention ?? Duration.days(90), props.accessLogsBucket);
    this.notificationTopic = props.notificationTopic ?? this.createTopic(this.encryptionKey!);

    const role = new iam.Role(this, 'InstanceRole', {
      // No aws:SourceAccount/aws:SourceArn here: EC2 sets neither when an instance profile's
      // role is assumed, so such a condition would stop the build instances from getting
      // credentials. iam:PassRole on the instance profile is the control for EC2 roles.
      assumedBy: new iam.ServicePrincipal(SERVICE_PRINCIPALS.EC2.name),
      description: 'Golden AMI build and test instances',
      managedPolicies: [
        // The two policies Image Builder documents as what a build instance needs: the SSM
        // agent channel that runs components, and reading components and images.
        iam.ManagedPolicy.fromAwsManagedPolicyName(MANAGED_POLICIES.SSM_MANAGED_INSTANCE_CORE.name),
        iam.ManagedPolicy.fromAwsManagedPolicyName(MANAGED_POLICIES.IMAGE_BUILDER_INSTANCE_PROFILE.name),
      ],
    });
    this.instanceRole = role;
    this.grantLogUpload(role);
    acknowledgeNagFindings(role,
      ...inlinePolicyFindings('The build role\'s grants (log upload, and what images grant their builds) are the role\'s default policy, '
        + 'created and deleted with the role and sized to it; a managed policy would outlive the role and could be attached elsewhere'),
      {
        id: managedPolicyFinding('AwsSolutions-IAM4', MANAGED_POLICIES.SSM_MANAGED_INSTANCE_CORE.name),
        reason: 'Image Builder documents this AWS managed policy for build instances: it is the SSM agent channel that runs the components, and AWS keeps it current with the agent',
      },
      {
        id: managedPolicyFinding('AwsSolutions-IAM4', MANAGED_POLICIES.IMAGE_BUILDER_INSTANCE_PROFILE.name),
        reason: 'Image Builder documents this AWS managed policy for build instances: it lets them fetch components and report build logs and status, and AWS keeps it current with the service',
      },
    );
    this.instanceProfile = new iam.InstanceProfile(this, 'InstanceProfile', { role });

    let subnetId: string | undefined;
    let securityGroupIds: string[] | undefined;
    if (props.vpc) {
      const subnets = props.vpc.selectSubnets(props.subnetSelection).subnetIds;
      if (subnets.length === 0) {
        throw new Error(`subnetSelection selects no subnet of the VPC, got: '${JSON.stringify(props.subnetSelection ?? {})}'`);
      }
      subnetId = subnets[0];
      if (!props.securityGroups) this.securityGroup = this.createSecurityGroup(props.vpc);
      securityGroupIds = (props.securityGroups ?? [this.securityGroup!]).map(group => group.securityGroupId);
    }

    this.resource = new CfnInfrastructureConfiguration(this, 'Resource', {
      name: Names.uniqueResourceName(this, { maxLength: 120, separator: '-' }),
      description: 'Golden AMI build infrastructure',
      instanceProfileName: this.instanceProfile.instanceProfileName,
      instanceTypes: props.instanceTypes?.map(type => type.toString()),
      subnetId,
      securityGroupIds,
      // IMDSv2 only; a hop limit of 2 lets containers on the build instance reach it.
      instanceMetadataOptions: { httpTokens: 'required', httpPutResponseHopLimit: 2 },
      terminateInstanceOnFailure: props.terminateInstanceOnFailure ?? true,
      logging: { s3Logs: { s3BucketName: this.logBucket.bucketName, s3KeyPrefix: LOG_PREFIX.slice(0, -1) } },
      snsTopicArn: this.notificationTopic.topicArn,
      resourceTags: props.instanceTags,
    });
    this.infrastructureConfigurationArn = this.resource.attrArn;
  }

  /**
   * The role Image Builder assumes to deprecate, disable and delete images. Created the
   * first time an image with a lifecycle asks for it.
   */
  public get lifecycleExecutionRole(): iam.IRole {
    if (!this._lifecycleExecutionRole) {
      const stack = Stack.of(this);
      this._lifecycleExecutionRole = new iam.Role(this, 'LifecycleExecutionRole', {
        // Confused deputy: only Image Builder acting for this account's lifecycle policies.
        // aws:SourceAccount is set when a service principal calls on a resource's behalf
        // (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-sourceaccount);
        // Image Builder documents no aws:SourceArn format for lifecycle policies, so the account it is.
        assumedBy: new iam.ServicePrincipal(SERVICE_PRINCIPALS.IMAGE_BUILDER.name, {
          conditions: { StringEquals: { 'aws:SourceAccount': stack.account } },
        }),
        description: 'Image Builder lifecycle policies of golden AMIs',
        managedPolicies: [
          iam.ManagedPolicy.fromAwsManagedPolicyName(MANAGED_POLICIES.IMAGE_BUILDER_LIFECYCLE_EXECUTION.name),
        ],
      });
      acknowledgeNagFindings(this._lifecycleExecutionRole, {
        id: managedPolicyFinding('AwsSolutions-IAM4', MANAGED_POLICIES.IMAGE_BUILDER_LIFECYCLE_EXECUTION.name),
        reason: 'Image Builder documents this AWS managed policy for lifecycle execution roles: it deprecates, disables and deletes the images and snapshots a lifecycle policy selects, and AWS keeps it current with the service',
      });
    }
    return this._lifecycleExecutionRole;
  }

  /**
   * Lets the build instances write logs under the log prefix, and nothing else: no ACLs,
   * tags, legal holds or retention settings (which `grantPut` would also give, with an
   * action wildcard), whatever the app's feature flags.
   */
  private grantLogUpload(role: iam.IRole): void {
    const objects = this.logBucket.arnForObjects(`${LOG_PREFIX}*`);
    iam.Grant.addToPrincipal({
      grantee: role,
      actions: ['s3:PutObject', 's3:AbortMultipartUpload'],
      resourceArns: [objects],
    });
    // SSE-KMS uploads need a data key; multipart ones also decrypt it for each part.
    this.logBucket.encryptionKey?.grant(role, 'kms:GenerateDataKey', 'kms:Decrypt');
    acknowledgeNagFindings(role, {
      id: wildcardResourceFinding('AwsSolutions-IAM5', this, objects),
      reason: 'Build instances write logs to object keys that Image Builder generates per build, so the grant is the log prefix of the log bucket, with PutObject and AbortMultipartUpload only',
    });
  }

  private createKey(): kms.Key {
    // The construct id predates the key's use for the log bucket: kept so the key is not replaced.
    return new kms.Key(this, 'TopicKey', {
      description: 'Golden AMI build logs and notifications',
      enableKeyRotation: true,
    });
  }

  private createLogBucket(key: kms.IKey, retention: Duration, accessLogsBucket?: s3.IBucket): s3.IBucket {
    validateIntegerInRange('logRetention (days)', retention.toDays(), 1, 36500);
    const bucket = new s3.Bucket(this, 'LogBucket', {
      // SSE-KMS with the infrastructure's key: the build role gets GenerateDataKey and Decrypt
      // on it (grantLogUpload); readers of the logs need Decrypt too. The bucket key keeps the
      // KMS requests (and their cost) to one per object batch.
      encryption: s3.BucketEncryption.KMS,
      encryptionKey: key,
      bucketKeyEnabled: true,
      enforceSSL: true,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      // Versioned, so an overwritten or deleted log stays recoverable for 30 days.
      versioned: true,
      serverAccessLogsBucket: accessLogsBucket,
      serverAccessLogsPrefix: accessLogsBucket ? `${Names.uniqueResourceName(this, { maxLength: 200, separator: '-' })}/` : undefined,
      lifecycleRules: [{
        expiration: retention,
        noncurrentVersionExpiration: Duration.days(30),
        abortIncompleteMultipartUploadAfter: Duration.days(7),
      }],
      // Build logs are audit evidence: keep them when the stack goes.
      removalPolicy: RemovalPolicy.RETAIN,
    });
    acknowledgeNagFindings(bucket,
      ...nistAndHipaaFindings('S3BucketReplicationEnabled', 'Build logs are evidence of builds in this region and expire after logRetention; '
        + 'a cross-region copy needs a bucket and key in another region that only the user can choose. The bucket is versioned, so bring a logBucket with replication where required'),
    );
    if (!accessLogsBucket) {
      acknowledgeNagFindings(bucket,
        {
          id: 'AwsSolutions-S1',
          reason: 'This bucket is itself a log bucket: only the build instance role writes to it, under one prefix. Server access logs need a bucket the user chooses (accessLogsBucket); '
            + 'without one, CloudTrail S3 data events audit object access where required',
        },
        ...nistAndHipaaFindings('S3BucketLoggingEnabled', 'This bucket is itself a log bucket, written only by the build instance role under one prefix. '
          + 'Set accessLogsBucket to send its server access logs to a bucket of your choice; without one, CloudTrail S3 data events audit object access where required'),
      );
    }
    return bucket;
  }

  private createTopic(key: kms.IKey): sns.ITopic {
    // Image Builder publishes with its service-linked role. Naming that role as a principal
    // would fail key creation in accounts where it does not exist yet, so match it by ARN.
    key.addToResourcePolicy(new iam.PolicyStatement({
      sid: 'ImageBuilderPublishesNotifications',
      principals: [new iam.AnyPrincipal()],
      actions: ['kms:GenerateDataKey*', 'kms:Decrypt'],
      resources: ['*'],
      conditions: {
        ArnEquals: {
          'aws:PrincipalArn': `arn:${Aws.PARTITION}:iam::${Aws.ACCOUNT_ID}:role/${IMAGE_BUILDER_SERVICE_LINKED_ROLE.name}`,
        },
        StringEquals: { 'kms:ViaService': SERVICE_ENDPOINTS.SNS.name.replace('<region>', Aws.REGION) },
      },
    }));
    return new sns.Topic(this, 'Topic', {
      displayName: 'Golden AMI builds',
      masterKey: key,
      enforceSSL: true,
    });
  }

  private createSecurityGroup(vpc: ec2.IVpc): ec2.ISecurityGroup {
    return new ec2.SecurityGroup(this, 'SecurityGroup', {
      vpc,
      description: 'Golden AMI build instances: no inbound, outbound for packages and AWS APIs',
      allowAllOutbound: true,
    });
  }
}

/**
 * A build can only use instance types of one architecture; mixing them fails every other
 * build attempt. Graviton families carry a `g` in their attributes (m7g, c7gn, r8g) or are a1.
 */
function validateInstanceTypes(instanceTypes: ec2.InstanceType[]): void {
  const architectures = new Map<string, string>();
  for (const type of instanceTypes) {
    const name = type.toString();
    if (Token.isUnresolved(name)) continue;
    const family = name.split('.')[0];
    const match = /^([a-z]+)(\d+)([a-z-]*)$/.exec(family);
    if (!match) {
      throw new Error(`instanceTypes must be EC2 instance types such as m7i.large, got: '${name}'`);
    }
    const arm = family === 'a1' || match[3].includes('g');
    architectures.set(arm ? 'arm64' : 'x86_64', name);
  }
  if (architectures.size > 1) {
    throw new Error(`instanceTypes must all have one architecture, got arm64 (${architectures.get('arm64')}) and x86_64 (${architectures.get('x86_64')})`);
  }
}
