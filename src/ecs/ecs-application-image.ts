import { Size, Stack, Token } from 'aws-cdk-lib';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { AnsiblePlaybook } from './ansible-playbook';
import { ansibleInstallComponent, ansibleRemoveComponent, applicationImageTests, checkParentOperatingSystem, platformComponents } from './ecs-components';
import { EcsCapacityOptions, GoldenImageEcsCapacity } from './golden-image-ecs-capacity';
import { LogShippingAgent } from './log-shipping-agent';
import { ParentImage } from './parent-image';
import { RebuildOnParentUpdate } from './rebuild-on-parent';
import { ImageBuildInfrastructure } from '../build-infrastructure';
import { RecipeComponent } from '../component';
import { GoldenImage, GoldenImageOptions } from '../golden-image';
import { validatePropTypes } from '../private/validation';
import { ImageRecipe, RootVolumeOptions } from '../recipe';
import { PipelineSchedule } from '../schedule';

/** The longest recipe name that leaves room for '-cloudwatch-agent-enable' in component names. */
const MAX_RECIPE_NAME_LENGTH = 102;

/** Container images and layers live on the root volume. */
const DEFAULT_ROOT_VOLUME = Size.gibibytes(30);

/**
 * Properties of an EcsApplicationImage.
 */
export interface EcsApplicationImageProps extends GoldenImageOptions {
  /**
   * The golden image to build on: Amazon Linux 2023, Amazon Linux 2, Ubuntu or Debian.
   * RHEL has no Docker engine in its repositories: a golden image of a RHEL
   * HardenedBaseRecipe is refused at synth, and a RHEL parent given by SSM parameter or image
   * ARN fails the build's Docker step.
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
    // Before the recipe is made from them (GoldenImage checks its own props after).
    validatePropTypes(props, { strings: ['recipeName'], arrays: ['playbooks', 'components'], booleans: ['keepAnsible'] });
    // The library's components are named '<recipe name>-<component>' (at most 126 characters,
    // the longest component name has 23): name the prop the recipe name came from.
    const [recipeNameProp, recipeName] = props.recipeName !== undefined ? ['recipeName', props.recipeName] : ['imageName', props.imageName];
    if (recipeName !== undefined && !Token.isUnresolved(recipeName) && recipeName.length > MAX_RECIPE_NAME_LENGTH) {
      throw new Error(`${recipeNameProp} must be at most ${MAX_RECIPE_NAME_LENGTH} characters (it names the recipe, whose components are named '<recipe name>-<component>', at most 126), got: '${recipeName}'`);
    }
    const parentOs = props.parent._operatingSystem;
    if (parentOs) checkParentOperatingSystem(parentOs, props.parent._goldenImage?.node.path ?? props.parent.baseImage.parentImage);
    const infrastructure = ImageBuildInfrastructure._forImage(scope, id, props.infrastructure, props.buildIsolation);
    const logShippingAgent = props.logShippingAgent ?? LogShippingAgent.cloudWatchAgent();
    const recipe = createApplicationRecipe(scope, id, props, logShippingAgent, infrastructure.instanceRole);
    const sameEnvironmentParent = props.parent._sameEnvironmentPipeline(Stack.of(scope));
    super(scope, id, {
      ...props,
      infrastructure,
      buildIsolation: undefined,
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
   * Adds Auto Scaling capacity on this image to `cluster` (see `GoldenImageEcsCapacity`).
   * The capacity is created in the cluster's scope.
   */
  public addCapacityTo(cluster: ecs.ICluster, id: string, options: EcsCapacityOptions): GoldenImageEcsCapacity {
    return new GoldenImageEcsCapacity(cluster, id, {
      ...options,
      cluster,
      image: this,
      rootDeviceName: options.rootDeviceName ?? this.rootDeviceName,
      rootVolumeSize: options.rootVolumeSize ?? Size.gibibytes(this.rootVolumeSizeGiB),
    });
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
