import { Duration, Size, Token } from 'aws-cdk-lib';
import * as autoscaling from 'aws-cdk-lib/aws-autoscaling';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { GoldenImage, IGoldenImage } from '../golden-image';
import { ImagePlatform } from '../platform';
import { MANAGED_POLICIES, SERVICE_PRINCIPALS } from '../private/aws-catalogue';
import { ecsClusterUserData, validateEcsClusterName } from '../private/ecs-cluster';
import { acknowledgeNagFindings, inlinePolicyFindings, managedPolicyFinding } from '../private/nag-acknowledgments';
import { validateIntegerInRange } from '../private/validation';
import { InstanceRefreshOnImageChange, InstanceRefreshOptions, RefreshScaleInProtectedInstances } from '../rollout/instance-refresh-on-image-change';

/**
 * Options for ECS capacity that runs on a golden image.
 */
export interface EcsCapacityOptions {
  /**
   * The instance type.
   */
  readonly instanceType: ec2.InstanceType;

  /**
   * The VPC of the instances.
   *
   * @default - the cluster's VPC
   */
  readonly vpc?: ec2.IVpc;

  /**
   * The subnets of the instances.
   *
   * @default - the VPC's private subnets
   */
  readonly vpcSubnets?: ec2.SubnetSelection;

  /**
   * The fewest instances.
   *
   * @default 0
   */
  readonly minCapacity?: number;

  /**
   * The most instances.
   *
   * @default 4
   */
  readonly maxCapacity?: number;

  /**
   * Replace instances older than this, so that they move to the newest image without an
   * instance refresh (at least 1 day, or none).
   *
   * @default - instances are replaced by instance refresh or scaling only
   */
  readonly maxInstanceLifetime?: Duration;

  /**
   * The capacity provider name.
   *
   * @default - generated
   */
  readonly capacityProviderName?: string;

  /**
   * The image's root device name.
   *
   * @default '/dev/xvda' (Amazon Linux)
   */
  readonly rootDeviceName?: string;

  /**
   * The size of the root volume; at least the image's.
   *
   * @default 30 GiB
   */
  readonly rootVolumeSize?: Size;

  /**
   * Start an instance refresh each time the image's SSM parameter changes, so that the
   * instances move to a new image within the refresh, not at the next scaling.
   *
   * Opt-in: a refresh replaces every container instance of the cluster on each publication,
   * a capacity dip and task moves that the cluster's owner should choose. Instances running
   * tasks are protected from scale in by the capacity provider; unless set otherwise they
   * are refreshed too (`RefreshScaleInProtectedInstances.REFRESH`), their tasks drained first
   * by managed draining.
   *
   * @default - no instance refresh: instances move by scaling or `maxInstanceLifetime`
   */
  readonly instanceRefresh?: InstanceRefreshOptions;

  /**
   * The release channel of the image the instances follow (for example `prod`): the launch
   * template resolves `image.channelParameterName(channel)` at each launch, and
   * `instanceRefresh` follows that parameter, so the fleet moves when an AMI is promoted into
   * the channel. For an image imported with `GoldenImage.fromChannel`, leave this unset.
   *
   * @default - the image's `ssmParameterName` (for a GoldenImage, `latest`)
   */
  readonly channel?: string;
}

/**
 * Properties of GoldenImageEcsCapacity.
 */
export interface GoldenImageEcsCapacityProps extends EcsCapacityOptions {
  /**
   * The cluster the instances join.
   */
  readonly cluster: ecs.ICluster;

  /**
   * The image the instances run: an EcsApplicationImage, or one imported with
   * `GoldenImage.fromParameterName` in a workload account.
   */
  readonly image: IGoldenImage;
}

/**
 * ECS capacity on a golden image: a launch template that reads the image from its SSM
 * parameter at each launch (`resolve:ssm:`), IMDSv2 only, the cluster name written at boot,
 * an Auto Scaling group and its capacity provider. A new image reaches the instances by an
 * instance refresh, scaling or `maxInstanceLifetime`, without a stack update.
 */
export class GoldenImageEcsCapacity extends Construct {
  /** The capacity provider, associated with the cluster. */
  public readonly capacityProvider: ecs.AsgCapacityProvider;

  /** The Auto Scaling group. */
  public readonly autoScalingGroup: autoscaling.AutoScalingGroup;

  /** The launch template. */
  public readonly launchTemplate: ec2.LaunchTemplate;

  /** The role of the container instances. */
  public readonly instanceRole: iam.IRole;

  /** The instance refresh on each new image, when `instanceRefresh` is set. */
  public readonly instanceRefresh?: InstanceRefreshOnImageChange;

  constructor(scope: Construct, id: string, props: GoldenImageEcsCapacityProps) {
    super(scope, id);
    if (props.image.platform !== ImagePlatform.LINUX) {
      throw new Error(`image must be a Linux image for ECS capacity, got a ${props.image.platform} image: '${props.image.node.path}'`);
    }
    const minCapacity = props.minCapacity ?? 0;
    const maxCapacity = props.maxCapacity ?? 4;
    validateIntegerInRange('minCapacity', minCapacity, 0, 10000);
    if (props.maxCapacity === undefined && minCapacity > maxCapacity) {
      // Otherwise the error would name maxCapacity, a prop the user never set.
      throw new Error(`minCapacity must be at most maxCapacity, which is ${maxCapacity} by default: set maxCapacity too, got: '${minCapacity}'`);
    }
    validateIntegerInRange('maxCapacity', maxCapacity, Math.max(1, minCapacity), 10000);
    if (props.maxInstanceLifetime !== undefined) {
      // What Auto Scaling accepts: 1 to 365 days, in seconds (36 hours is fine, toDays() would throw on it).
      const seconds = props.maxInstanceLifetime.toSeconds();
      if (seconds < 86_400 || seconds > 31_536_000) {
        // The message quotes the Duration as given, not its count of seconds.
        throw new Error(`maxInstanceLifetime must be from 1 to 365 days, got: '${props.maxInstanceLifetime.toHumanString()}'`);
      }
    }
    if (props.capacityProviderName !== undefined && !Token.isUnresolved(props.capacityProviderName)
      && (!/^[A-Za-z0-9_-]{1,255}$/.test(props.capacityProviderName) || /^(aws|ecs|fargate)/i.test(props.capacityProviderName))) {
      // CreateCapacityProvider's name (https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_CreateCapacityProvider.html).
      throw new Error(`capacityProviderName must be 1-255 letters, digits, underscores and hyphens, not starting with aws, ecs or fargate, got: '${props.capacityProviderName}'`);
    }
    const cluster = props.cluster;
    if (!(cluster instanceof ecs.Cluster)) {
      // An imported cluster's name goes into the user data, run as root at boot.
      validateEcsClusterName('cluster.clusterName', cluster.clusterName);
    }
    const vpc = props.vpc ?? cluster.vpc;
    const imageName = props.image.node.path;
    // The channel as an image of its own, so the launch template and the refresh follow its parameter.
    const image = props.channel === undefined ? props.image : GoldenImage.fromGoldenImageAttributes(this, 'Channel', {
      ssmParameterName: props.image.channelParameterName(props.channel),
      platform: props.image.platform,
    });

    const role = new iam.Role(this, 'InstanceRole', {
      // No aws:SourceAccount/aws:SourceArn: EC2 sets neither when an instance profile's role is assumed.
      assumedBy: new iam.ServicePrincipal(SERVICE_PRINCIPALS.EC2.name),
      description: `ECS container instances of ${imageName}`,
      // The SSM agent is part of the image: Session Manager instead of SSH.
      managedPolicies: [iam.ManagedPolicy.fromAwsManagedPolicyName(MANAGED_POLICIES.SSM_MANAGED_INSTANCE_CORE.name)],
    });
    acknowledgeNagFindings(role, ...inlinePolicyFindings('The ECS agent\'s grants on this cluster are the role\'s default policy, created and deleted with the role; '
      + 'a managed policy would outlive the role and could be attached elsewhere'), {
      id: managedPolicyFinding('AwsSolutions-IAM4', MANAGED_POLICIES.SSM_MANAGED_INSTANCE_CORE.name),
      reason: 'The AWS managed policy Session Manager and Inspector document for the SSM agent baked into the image; AWS keeps it current with the agent',
    }, {
      id: 'AwsSolutions-IAM5[Action::ecs:Submit*]',
      reason: 'The ECS agent statement aws-cdk-lib grants container instances, limited to this cluster',
    }, {
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason: 'ecs:DiscoverPollEndpoint and ecr:GetAuthorizationToken have no resource-level permissions; ecs:Poll and ecs:StartTelemetrySession are limited to this cluster by the ecs:cluster condition',
    });
    const launchTemplate = new ec2.LaunchTemplate(this, 'LaunchTemplate', {
      // The image's snapshot is encrypted; the volume says so too, whatever the account default.
      blockDevices: [{
        deviceName: props.rootDeviceName ?? '/dev/xvda',
        volume: ec2.BlockDeviceVolume.ebs((props.rootVolumeSize ?? Size.gibibytes(30)).toGibibytes(), {
          encrypted: true,
          volumeType: ec2.EbsDeviceVolumeType.GP3,
          deleteOnTermination: true,
        }),
      }],
      machineImage: ec2.MachineImage.resolveSsmParameterAtLaunch(image.ssmParameterName),
      instanceType: props.instanceType,
      role,
      userData: ec2.UserData.forLinux(),
      requireImdsv2: true,
      httpPutResponseHopLimit: 2,
      securityGroup: new ec2.SecurityGroup(this, 'SecurityGroup', { vpc, description: `ECS container instances of ${imageName}`, allowAllOutbound: true }),
    });
    const autoScalingGroup = new autoscaling.AutoScalingGroup(this, 'AutoScalingGroup', {
      vpc,
      vpcSubnets: props.vpcSubnets,
      launchTemplate,
      minCapacity,
      maxCapacity,
      maxInstanceLifetime: props.maxInstanceLifetime,
    });
    acknowledgeNagFindings(autoScalingGroup, {
      id: 'AwsSolutions-AS3',
      reason: 'The ECS capacity provider owns this group (managed scaling, termination protection and draining); its activity is reported by ECS events and the cluster',
    });
    const provider = new ecs.AsgCapacityProvider(this, 'CapacityProvider', {
      autoScalingGroup,
      capacityProviderName: props.capacityProviderName,
      enableManagedDraining: true,
    });
    if (cluster instanceof ecs.Cluster) {
      // The cluster writes ECS_CLUSTER into the user data and grants the agent's actions on
      // itself; with managed draining it adds no Lambda drain hook.
      cluster.addAsgCapacityProvider(provider);
    } else {
      launchTemplate.userData!.addCommands(ecsClusterUserData(cluster.clusterName));
      grantContainerAgent(role, cluster);
      new ecs.CfnClusterCapacityProviderAssociations(this, 'CapacityProviderAssociation', {
        cluster: cluster.clusterName,
        capacityProviders: [provider.capacityProviderName],
        defaultCapacityProviderStrategy: [],
      });
    }
    if (props.instanceRefresh !== undefined) {
      this.instanceRefresh = new InstanceRefreshOnImageChange(this, 'InstanceRefresh', {
        // Managed termination protection (the capacity provider's default) protects every
        // instance running tasks from scale in; the service's default for those (Wait) would
        // fail the refresh after an hour. Managed draining moves their tasks before they stop:
        // https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_AutoScalingGroupProviderUpdate.html
        ...props.instanceRefresh,
        scaleInProtectedInstances: props.instanceRefresh.scaleInProtectedInstances ?? RefreshScaleInProtectedInstances.REFRESH,
        autoScalingGroup,
        image,
      });
    }
    this.capacityProvider = provider;
    this.autoScalingGroup = autoScalingGroup;
    this.launchTemplate = launchTemplate;
    this.instanceRole = role;
  }
}

/** What the ECS agent needs on an imported cluster: the statements ecs.Cluster grants its own instances. */
function grantContainerAgent(role: iam.IRole, cluster: ecs.ICluster): void {
  role.addToPrincipalPolicy(new iam.PolicyStatement({
    actions: ['ecs:DeregisterContainerInstance', 'ecs:RegisterContainerInstance', 'ecs:Submit*'],
    resources: [cluster.clusterArn],
  }));
  role.addToPrincipalPolicy(new iam.PolicyStatement({
    actions: ['ecs:Poll', 'ecs:StartTelemetrySession'],
    resources: ['*'],
    conditions: { ArnEquals: { 'ecs:cluster': cluster.clusterArn } },
  }));
  role.addToPrincipalPolicy(new iam.PolicyStatement({
    actions: ['ecs:DiscoverPollEndpoint', 'ecr:GetAuthorizationToken', 'logs:CreateLogStream', 'logs:PutLogEvents'],
    resources: ['*'],
  }));
}
