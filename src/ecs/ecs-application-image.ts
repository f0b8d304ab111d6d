import { Annotations, Aws, Size, Stack, Token } from 'aws-cdk-lib';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { AnsiblePlaybook } from './ansible-playbook';
import { ansibleInstallComponent, ansibleRemoveComponent, applicationImageTests, checkParentOperatingSystem, platformComponents } from './ecs-components';
import { EcsCapacityOptions, GoldenImageEcsCapacity } from './golden-image-ecs-capacity';
import { LogShippingAgent } from './log-shipping-agent';
import { ParentImage } from './parent-image';
import { ParentBuildEvents, RebuildOnParentUpdate } from './rebuild-on-parent';
import { ImageBuildInfrastructure } from '../build-infrastructure';
import { RecipeComponent } from '../component';
import { GoldenImage, GoldenImageOptions } from '../golden-image';
import { validatePropTypes } from '../private/validation';
import { ImageRecipe, RootVolumeOptions } from '../recipe';
import { PipelineSchedule } from '../schedule';
import { recordAncestry } from '../trust/private/ancestry';

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

  /**
   * Where the build events of a parent built in another account or region arrive: a
   * `GoldenImageEventBus` of this account and region that the factory feeds with
   * `ForwardImageBuildEvents`. With it, each new parent image starts a build at once
   * instead of the daily check. The factory account, region and parent recipe come from a
   * `ParentImage.fromGoldenImage` parent of this app or a `ParentImage.fromImageArn`
   * parent; give them for a parent read from an SSM parameter.
   *
   * @default - none: a parent in another account or region is checked daily
   */
  readonly parentBuildEvents?: ParentBuildEvents;

  /**
   * Record the parent of each new image: an SSM Automation run on each successful build
   * tags the image's AMIs with `golden-ami:parent-ami` and `golden-ami:parent-pipeline`
   * and writes the ancestry record `<catalogue base>/ancestry`, in every region and
   * account the image is distributed to. Needs a parent read from an SSM parameter
   * (`ParentImage.fromGoldenImage` or `fromSsmParameter`), and in each copy account the
   * trust-chain role of `GoldenImageDistributionTargetRole`.
   *
   * @default true
   */
  readonly recordAncestry?: boolean;
}


/**
 * An application image layered on a golden image: Docker, the ECS agent (bound to a cluster
 * at boot, not in the image), a log shipping agent, the SSM agent, optional Ansible
 * playbooks and your components, tested on a fresh instance, and distributed like any
 * golden image. A build starts each time the parent publishes when the parent is built in
 * the same account and region, or when its build events are forwarded here
 * (`parentBuildEvents`); otherwise the schedule checks the parent for a new version. Each
 * new image records its parent (`recordAncestry`).
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
   * same account and region or its build events are forwarded here (`parentBuildEvents`).
   */
  public readonly parentUpdateRebuild?: RebuildOnParentUpdate;

  /**
   * The ancestry record, `<catalogue base>/ancestry`, in every region and account the image
   * is distributed to: one version per build, JSON naming the image's AMI there, the parent
   * AMI, the parent pipeline and the parent parameter. Undefined when ancestry is not recorded.
   */
  public readonly ancestryParameterName?: string;

  /**
   * The rule that records the parent of each new image, when ancestry is recorded.
   */
  public readonly ancestryRule?: events.Rule;

  constructor(scope: Construct, id: string, props: EcsApplicationImageProps) {
    // Before the recipe is made from them (GoldenImage checks its own props after).
    validatePropTypes(props, { strings: ['recipeName'], arrays: ['playbooks', 'components'], booleans: ['keepAnsible', 'recordAncestry'] });
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
    const parentEventsArrive = sameEnvironmentParent !== undefined || props.parentBuildEvents !== undefined;
    super(scope, id, {
      ...props,
      infrastructure,
      buildIsolation: undefined,
      recipe,
      // A parent in another account or region whose events are not forwarded here: check it
      // daily and build when it has a new version.
      schedule: props.schedule ?? (parentEventsArrive ? undefined : PipelineSchedule.cron({ hour: '5', onlyWhenDependenciesUpdated: true })),
    });
    this.applicationRecipe = recipe;
    this.rootDeviceName = props.rootVolume?.deviceName ?? props.parent.baseImage.rootDeviceName;
    this.rootVolumeSizeGiB = (props.rootVolume?.size ?? DEFAULT_ROOT_VOLUME).toGibibytes();
    this.logShippingAgent = logShippingAgent;
    if (parentEventsArrive) {
      this.parentUpdateRebuild = new RebuildOnParentUpdate(this, 'RebuildOnParentUpdate', props.parent, this.imagePipelineArn, props.parentBuildEvents);
    }
    if (props.recordAncestry ?? true) {
      const parentParameterName = props.parent._parameterName();
      if (parentParameterName === undefined || Token.isUnresolved(this.ssmParameterName)) {
        // Without the parent's parameter there is no parent AMI to look up per location;
        // without a literal catalogue name, no ancestry parameter to write.
        Annotations.of(this).addWarning(parentParameterName === undefined
          ? `The parent of '${this.node.path}' is given by image ARN: its ancestry is not recorded (give the parent by SSM parameter, or set recordAncestry: false)`
          : `The ssmParameterName of '${this.node.path}' is a token: its ancestry is not recorded (set a literal ssmParameterName, or recordAncestry: false)`);
      } else {
        const ancestry = recordAncestry(new Construct(this, 'RecordAncestry'), {
          child: this,
          parentParameterName,
          parentPipelineArn: parentPipelineArn(this, props.parent),
        });
        this.ancestryParameterName = ancestry.ancestryParameterName;
        this.ancestryRule = ancestry.rule;
      }
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

/**
 * The parent's pipeline ARN: the attribute of a GoldenImage of the same stack, else built
 * from the pipeline name, which Image Builder writes lower-case in the ARN
 * (https://docs.aws.amazon.com/imagebuilder/latest/APIReference/API_GetImagePipeline.html,
 * imagePipelineArn `^arn:aws[^:]*:imagebuilder:[^:]+:(?:[0-9]{12}|aws):image-pipeline/[a-z0-9-_]+$`);
 * undefined when neither is known.
 */
function parentPipelineArn(child: EcsApplicationImage, parent: ParentImage): string | undefined {
  const image = parent._goldenImage;
  if (!(image instanceof GoldenImage)) return undefined;
  const stack = Stack.of(image);
  if (stack === Stack.of(child)) return image.imagePipelineArn;
  const name = image.imageName;
  if ([name, stack.account, stack.region].some(value => Token.isUnresolved(value)) || !/^[A-Za-z0-9-_]+$/.test(name)) return undefined;
  return `arn:${Aws.PARTITION}:imagebuilder:${stack.region}:${stack.account}:image-pipeline/${name.toLowerCase()}`;
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
