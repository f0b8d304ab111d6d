import { Duration, Size, Stack } from 'aws-cdk-lib';
import * as autoscaling from 'aws-cdk-lib/aws-autoscaling';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { AnsiblePlaybook } from './ansible-playbook';
import { ansibleInstallComponent, ansibleRemoveComponent, applicationImageTests, platformComponents } from './ecs-components';
import { LogShippingAgent } from './log-shipping-agent';
import { ParentImage } from './parent-image';
import { RebuildOnParentUpdate } from './rebuild-on-parent';
import { ImageBuildInfrastructure } from '../build-infrastructure';
import { RecipeComponent } from '../component';
import { GoldenImage, GoldenImageOptions } from '../golden-image';
import { acknowledgeNagFindings, managedPolicyFinding } from '../private/nag-acknowledgments';
import { validateIntegerInRange } from '../private/validation';
import { ImageRecipe, RootVolumeOptions } from '../recipe';
import { PipelineSchedule } from '../schedule';

/** Container images and layers live on the root volume. */
const DEFAULT_ROOT_VOLUME = Size.gibibytes(30);

/**
 * Properties of an EcsApplicationImage.
 */
export interface EcsApplicationImageProps extends GoldenImageOptions {
  /**
   * The golden image to build on.
   */
  readonly parent: ParentImage;

  /**
   * The agent that ships logs.
   *
   * @default LogShippingAgent.cloudWatchAgent()
   */
  readonly logShippingAgent?: LogShippingAgent;

  /**
   * Ansible playbooks applied in order after the agents; a failed task fails the build.
   *
   * @default - none
   */
  readonly playbooks?: AnsiblePlaybook[];

  /**
   * Keep Ansible on the image after the playbooks ran.
   *
   * @default false - installed for the build only
   */
  readonly keepAnsible?: boolean;

  /**
   * Your own components, after the playbooks.
   *
   * @default - none
   */
  readonly components?: RecipeComponent[];

  /**
   * The root volume. Container images and layers live on it: size it for them.
   *
   * @default - an encrypted gp3 volume of 30 GiB
   */
  readonly rootVolume?: RootVolumeOptions;

  /**
   * The recipe name.
   *
   * @default - the image name
   */
  readonly recipeName?: string;
}

/**
 * Options for ECS capacity that runs on an application image.
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
}

/**
 * An application image layered on a golden image: Docker, the ECS agent (bound to a cluster
 * at boot, not in the image), a log shipping agent, the SSM agent, optional Ansible
 * playbooks and your components, tested on a fresh instance, and distributed like any
 * golden image. A build starts each time the parent publishes when the parent is built in
 * the same account and region; otherwise the schedule checks the parent for a new version.
 */
export class EcsApplicationImage extends GoldenImage {
  /**
   * The recipe built on the parent.
   */
  public readonly applicationRecipe: ImageRecipe;

  /**
   * The log shipping agent.
   */
  public readonly logShippingAgent: LogShippingAgent;

  /**
   * The root device of the image, where its encrypted volume is mapped.
   */
  public readonly rootDeviceName: string;

  /**
   * The size of the image's root volume in GiB.
   */
  public readonly rootVolumeSizeGiB: number;

  /**
   * The rule that starts a build when the parent publishes, when the parent is built in the
   * same account and region.
   */
  public readonly parentUpdateRebuild?: RebuildOnParentUpdate;

  constructor(scope: Construct, id: string, props: EcsApplicationImageProps) {
    const infrastructure = props.infrastructure ?? ImageBuildInfrastructure.ofStack(scope);
    const logShippingAgent = props.logShippingAgent ?? LogShippingAgent.cloudWatchAgent();
    const recipe = createApplicationRecipe(scope, id, props, logShippingAgent, infrastructure.instanceRole);
    const sameEnvironmentParent = props.parent._sameEnvironmentPipeline(Stack.of(scope));
    super(scope, id, {
      ...props,
      infrastructure,
      recipe,
      // A parent in another account or region cannot send its build events here: check it
      // daily and build when it has a new version.
      schedule: props.schedule ?? (sameEnvironmentParent ? undefined : PipelineSchedule.cron({ hour: '5', onlyWhenDependenciesUpdated: true })),
    });
    this.applicationRecipe = recipe;
    this.rootDeviceName = props.rootVolume?.deviceName ?? props.parent.baseImage.rootDeviceName;
    this.rootVolumeSizeGiB = (props.rootVolume?.size ?? DEFAULT_ROOT_VOLUME).toGibibytes();
    this.logShippingAgent = logShippingAgent;
    if (sameEnvironmentParent) {
      this.parentUpdateRebuild = new RebuildOnParentUpdate(this, 'RebuildOnParentUpdate', sameEnvironmentParent, this.imagePipelineArn);
    }
  }

  /**
   * Adds Auto Scaling capacity on this image to `cluster`: a launch template that reads the
   * image from its SSM parameter at each launch (`resolve:ssm:`), IMDSv2 only, the cluster
   * name written at boot, and an ASG capacity provider. A new image reaches the instances
   * through an instance refresh, scaling or `maxInstanceLifetime`, without a stack update.
   */
  public addCapacityTo(cluster: ecs.ICluster, id: string, options: EcsCapacityOptions): ecs.AsgCapacityProvider {
    const minCapacity = options.minCapacity ?? 0;
    const maxCapacity = options.maxCapacity ?? 4;
    validateIntegerInRange('minCapacity', minCapacity, 0, 10000);
    validateIntegerInRange('maxCapacity', maxCapacity, Math.max(1, minCapacity), 10000);
    if (options.maxInstanceLifetime !== undefined) {
      validateIntegerInRange('maxInstanceLifetime (days)', options.maxInstanceLifetime.toDays(), 1, 365);
    }
    const vpc = options.vpc ?? cluster.vpc;
    const scope = new Construct(this, id);

    const role = new iam.Role(scope, 'InstanceRole', {
      assumedBy: new iam.ServicePrincipal('ec2.amazonaws.com'),
      description: `ECS container instances of ${this.imageName}`,
      // The SSM agent is part of the image: Session Manager instead of SSH.
      managedPolicies: [iam.ManagedPolicy.fromAwsManagedPolicyName('AmazonSSMManagedInstanceCore')],
    });
    acknowledgeNagFindings(role, {
      id: managedPolicyFinding('AwsSolutions-IAM4', 'AmazonSSMManagedInstanceCore'),
      reason: 'The AWS managed policy Session Manager and Inspector document for the SSM agent baked into the image; AWS keeps it current with the agent',
    }, {
      id: 'AwsSolutions-IAM5[Action::ecs:Submit*]',
      reason: 'The ECS agent statement aws-cdk-lib grants container instances, limited to this cluster',
    }, {
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason: 'ecs:DiscoverPollEndpoint and ecr:GetAuthorizationToken have no resource-level permissions; ecs:Poll and ecs:StartTelemetrySession are limited to this cluster by the ecs:cluster condition',
    });
    const launchTemplate = new ec2.LaunchTemplate(scope, 'LaunchTemplate', {
      // The image's snapshot is encrypted; the volume says so too, whatever the account default.
      blockDevices: [{
        deviceName: this.rootDeviceName,
        volume: ec2.BlockDeviceVolume.ebs(this.rootVolumeSizeGiB, {
          encrypted: true,
          volumeType: ec2.EbsDeviceVolumeType.GP3,
          deleteOnTermination: true,
        }),
      }],
      machineImage: ec2.MachineImage.resolveSsmParameterAtLaunch(this.ssmParameterName),
      instanceType: options.instanceType,
      role,
      userData: ec2.UserData.forLinux(),
      requireImdsv2: true,
      httpPutResponseHopLimit: 2,
      securityGroup: new ec2.SecurityGroup(scope, 'SecurityGroup', { vpc, description: `ECS container instances of ${this.imageName}`, allowAllOutbound: true }),
    });
    const autoScalingGroup = new autoscaling.AutoScalingGroup(scope, 'AutoScalingGroup', {
      vpc,
      vpcSubnets: options.vpcSubnets,
      launchTemplate,
      minCapacity,
      maxCapacity,
      maxInstanceLifetime: options.maxInstanceLifetime,
    });
    acknowledgeNagFindings(autoScalingGroup, {
      id: 'AwsSolutions-AS3',
      reason: 'The ECS capacity provider owns this group (managed scaling, termination protection and draining); its activity is reported by ECS events and the cluster',
    });
    const provider = new ecs.AsgCapacityProvider(scope, 'CapacityProvider', {
      autoScalingGroup,
      capacityProviderName: options.capacityProviderName,
      enableManagedDraining: true,
    });
    if (cluster instanceof ecs.Cluster) {
      // The cluster writes ECS_CLUSTER into the user data and grants the agent's actions on
      // itself; with managed draining it adds no Lambda drain hook.
      cluster.addAsgCapacityProvider(provider);
    } else {
      launchTemplate.userData!.addCommands(`echo "ECS_CLUSTER=${cluster.clusterName}" >> /etc/ecs/ecs.config`);
      grantContainerAgent(role, cluster);
      new ecs.CfnClusterCapacityProviderAssociations(scope, 'CapacityProviderAssociation', {
        cluster: cluster.clusterName,
        capacityProviders: [provider.capacityProviderName],
        defaultCapacityProviderStrategy: [],
      });
    }
    return provider;
  }

}

/** The application recipe: the platform agents, the log agent, Ansible and playbooks, the user's components, the tests. */
function createApplicationRecipe(
  scope: Construct,
  id: string,
  props: EcsApplicationImageProps,
  logShippingAgent: LogShippingAgent,
  buildRole: iam.IRole,
): ImageRecipe {
  const parentImage = props.parent.baseImage;
  if (!logShippingAgent.platforms.includes(parentImage.platform)) {
    throw new Error(`logShippingAgent ${logShippingAgent.type} is not available for ${parentImage.platform} images`);
  }
  const recipe = new ImageRecipe(scope, `${id}Recipe`, {
    recipeName: props.recipeName ?? props.imageName,
    description: props.description,
    baseImage: parentImage,
    rootVolume: { size: DEFAULT_ROOT_VOLUME, ...props.rootVolume },
    components: [...platformComponents(), ...logShippingAgent.installComponents()],
  });
  const playbooks = props.playbooks ?? [];
  if (playbooks.length > 0) {
    recipe.addComponent(ansibleInstallComponent());
    playbooks.forEach((playbook, index) => recipe.addComponent(playbook.bind(recipe, index + 1, buildRole)));
    if (!props.keepAnsible) recipe.addComponent(ansibleRemoveComponent());
  }
  for (const component of props.components ?? []) {
    recipe.addComponent(component);
  }
  recipe.addComponent(applicationImageTests(logShippingAgent));
  return recipe;
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
