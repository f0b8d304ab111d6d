import { Arn, ArnFormat, Duration, Names, Resource, Stack, Token } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import { CfnDistributionConfiguration, CfnImagePipeline, CfnLifecyclePolicy } from 'aws-cdk-lib/aws-imagebuilder';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct, IConstruct } from 'constructs';
import { BuildIsolation, IImageBuildInfrastructure, ImageBuildInfrastructure } from './build-infrastructure';
import { ImageSharing, LaunchTemplateUpdate, RegionalEncryptionKey } from './distribution';
import { ImageLifecycle } from './lifecycle';
import { ImagePlatform } from './platform';
import { SSM_PARAMETER_DATA_TYPES } from './private/aws-catalogue';
import { catalogueBaseOf, DEFAULT_CATALOG_PREFIX, LATEST_LEVEL, PIPELINE_TAG, REVOKED_LEVEL } from './private/catalog';
import { imageStateChangePattern } from './private/image-events';
import { renderLaunchPermissions } from './private/launch-permissions';
import { acknowledgeRules } from './private/nag-acknowledgments';
import {
  AMI_NAME_MAX_LENGTH,
  fitName,
  quoteValue,
  StructKeys,
  validateAccountId,
  validateAmiName,
  validateDescription,
  validateImageBuilderName,
  validateIntegerInRange,
  validateKmsKeyArn,
  validateLaunchTemplateId,
  validatePropTypes,
  validateRegion,
  validateSsmParameterName,
  validateStructList,
  validateTags,
  validateUnique,
} from './private/validation';
import { IGoldenImageRecipe } from './recipe';
import { PipelineSchedule } from './schedule';
import { catalogueBase, validateChannel, validateChannels } from './trust/private/catalogue-names';
import { TrustChain } from './trust/private/trust-chain';
import { Promotion } from './trust/promotion';

/** The SSM parameter data type that makes Parameter Store check the value is an AMI ID. */
const AMI_ID_DATA_TYPE = SSM_PARAMETER_DATA_TYPES.EC2_IMAGE.name;

/** AMI names must differ per build; one of these variables makes them so. */
const BUILD_UNIQUE_VARIABLE = /\{\{\s*imagebuilder:(buildDate|buildVersion)\s*\}\}/;
/** What the default AMI name adds to the image name. */
const DEFAULT_AMI_NAME_SUFFIX = '-{{ imagebuilder:buildDate }}';
/** Characters an SSM parameter name takes in one level of its path. */
const SSM_NAME_LEVEL = /^[A-Za-z0-9_.-]+$/;

/**
 * Inspector finding severities, for failing a build on its image scan.
 */
export enum FindingSeverity {
  /** Fail on critical findings only. */
  CRITICAL = 'CRITICAL',
  /** Fail on high or critical findings. */
  HIGH = 'HIGH',
  /** Fail on medium findings or worse. */
  MEDIUM = 'MEDIUM',
  /** Fail on low findings or worse. */
  LOW = 'LOW',
}

/**
 * The worst severity a scanned AMI may have, as `ScanResultCondition.MaximumSeverityLabel`
 * takes it (INFORMATIONAL, LOW, MEDIUM or HIGH; a counted CRITICAL finding always fails):
 * failing on a severity or worse allows up to the level below it.
 */
const MAXIMUM_ALLOWED_SEVERITY: Record<FindingSeverity, string> = {
  [FindingSeverity.CRITICAL]: 'HIGH',
  [FindingSeverity.HIGH]: 'MEDIUM',
  [FindingSeverity.MEDIUM]: 'LOW',
  [FindingSeverity.LOW]: 'INFORMATIONAL',
};

/**
 * When the AMI ID of a golden image is read from its SSM parameter: at each deploy, by
 * CloudFormation, or at each instance launch, by EC2.
 */
export enum ImageResolution {
  /**
   * CloudFormation reads the parameter when the stack is deployed (a template parameter of type
   * `AWS::SSM::Parameter::Value<AWS::EC2::Image::Id>`) and the instance or launch template gets
   * that AMI ID. A new image reaches the fleet only with a stack update, which replaces
   * instances or writes a new launch template version: every deploy moves the fleet, and
   * nothing moves between deploys. The compliance rule judges the template's AMI ID like an
   * instance's: compliant while the catalog approves it (any AMI the parameter held, within SSM's
   * history) and it is within `maximumAmiAge`, not deprecated (unless allowed) and not deregistered.
   */
  AT_DEPLOY = 'AT_DEPLOY',

  /**
   * EC2 reads the parameter at each launch: the image ID is `resolve:ssm:` and the parameter
   * name. Every new instance takes the AMI the parameter holds at that moment, with no stack
   * update, and the template never changes when a new image is published (no CloudFormation
   * drift). Running instances keep their AMI until they are replaced (instance refresh,
   * scaling, `maxInstanceLifetime`). EC2 takes this form for instances and launch templates,
   * not for Auto Scaling launch configurations. The compliance rule finds a launch template
   * compliant by its parameter name, whatever AMI the parameter holds, and judges each
   * instance by the AMI it was launched from.
   */
  AT_LAUNCH = 'AT_LAUNCH',
}

/**
 * Options for `IGoldenImage.machineImage`.
 */
export interface GoldenImageMachineImageOptions {
  /**
   * When the AMI ID is read from the image's SSM parameter.
   *
   * A template parameter cannot default to a token, so when `ssmParameterName` is a token
   * (for example a reference to another stack) only `AT_LAUNCH` is possible, and asking for
   * `AT_DEPLOY` is an error.
   *
   * @default - `ImageResolution.AT_DEPLOY`; `ImageResolution.AT_LAUNCH` when `ssmParameterName` is a token
   */
  readonly resolution?: ImageResolution;
}

/**
 * A golden image: a pipeline that publishes AMIs, or one imported by its SSM parameter.
 */
export interface IGoldenImage extends IConstruct {
  /**
   * The SSM parameter holding the latest AMI ID, in every distribution region and account.
   *
   * @attribute
   */
  readonly ssmParameterName: string;

  /**
   * The operating system family of the image.
   */
  readonly platform: ImagePlatform;

  /**
   * The revocation list of the image, `<base>/revoked` (a StringList of `<ami-id>=<reason>`),
   * where `<base>` is `ssmParameterName` without its last level.
   *
   * @default - unknown when `ssmParameterName` is a token or has no parent level
   */
  readonly revocationListParameterName?: string;

  /**
   * The SSM parameter of a release channel of the image, `<base>/<channel>` (for example
   * `/golden-ami/<name>/prod`), in every distribution region and account.
   */
  channelParameterName(channel: string): string;

  /**
   * The latest AMI of this golden image, read from its SSM parameter at deploy time
   * (by default) or at each instance launch (`resolution: ImageResolution.AT_LAUNCH`).
   */
  machineImage(options?: GoldenImageMachineImageOptions): ec2.IMachineImage;

  /**
   * Lets `grantee` start a build of the pipeline.
   */
  grantStartExecution(grantee: iam.IGrantable): iam.Grant;

  /**
   * An EventBridge rule that fires when a build of this image succeeds.
   */
  onBuildSucceeded(id: string, options?: events.OnEventOptions): events.Rule;

  /**
   * An EventBridge rule that fires when a build of this image fails.
   */
  onBuildFailed(id: string, options?: events.OnEventOptions): events.Rule;
}

/**
 * What identifies a golden image made elsewhere (another stack or account).
 */
export interface GoldenImageAttributes {
  /**
   * The SSM parameter holding the latest AMI ID in the consumer's account and region.
   */
  readonly ssmParameterName: string;

  /**
   * The operating system family.
   *
   * @default ImagePlatform.LINUX
   */
  readonly platform?: ImagePlatform;

  /**
   * The pipeline ARN, needed by `grantStartExecution`.
   *
   * @default - unknown: grantStartExecution throws
   */
  readonly imagePipelineArn?: string;

  /**
   * The recipe name the images are named after, needed by the build events (in the factory account).
   *
   * @default - unknown: onBuildSucceeded and onBuildFailed throw
   */
  readonly imageRecipeName?: string;
}

/**
 * How a golden image is built, tested, distributed and cleaned up: everything but its recipe.
 */
export interface GoldenImageOptions {
  /**
   * The pipeline name; also names the AMIs and the default SSM parameter.
   *
   * @default - a name derived from the construct path
   */
  readonly imageName?: string;

  /**
   * What the image is for.
   *
   * @default - no description
   */
  readonly description?: string;

  /**
   * The build infrastructure.
   *
   * @default - per `buildIsolation`: the stack's shared infrastructure (`ImageBuildInfrastructure.ofStack`), or one of the image's own
   */
  readonly infrastructure?: IImageBuildInfrastructure;

  /**
   * Whether the image's builds share the stack's instance role with other images, when
   * `infrastructure` is not given. With `PER_IMAGE`, the image gets its own instance role,
   * instance profile and infrastructure configuration, so what is granted to its builds
   * (installers, report buckets, playbooks) reaches no other image's builds.
   *
   * @default BuildIsolation.SHARED
   */
  readonly buildIsolation?: BuildIsolation;

  /**
   * Regions that receive a copy of the AMI. The build region is always one of them.
   *
   * @default - the stack's region only
   */
  readonly regions?: string[];

  /**
   * Who may launch instances from the AMI, in every distribution region.
   *
   * @default - nobody outside the factory account
   */
  readonly shareWith?: ImageSharing[];

  /**
   * Accounts that receive their own copy of the AMI, and an SSM parameter, in every
   * distribution region. Each must have the `EC2ImageBuilderDistributionCrossAccountRole` role
   * (`GoldenImageDistributionTargetRole` or `GoldenImageDistributionTargetStackSet` creates it).
   *
   * @default - no copies to other accounts
   */
  readonly copyToAccounts?: string[];

  /**
   * The KMS key that encrypts the AMI in each region: none, or one per distribution region.
   *
   * In Python, pass `RegionalEncryptionKey(region="eu-west-1", key_arn=...)` objects. A dict
   * must use the camelCase keys (`{"region": ..., "keyArn": ...}`): jsii drops any other key
   * of a dict without an error.
   *
   * @default - the encryption of the build's root volume: the recipe's root volume key, or the account's default EBS key
   */
  readonly encryptionKeys?: RegionalEncryptionKey[];

  /**
   * The AMI name. It must contain `{{ imagebuilder:buildDate }}` or
   * `{{ imagebuilder:buildVersion }}` so that each build gets a new name.
   *
   * @default - `'<imageName>-{{ imagebuilder:buildDate }}'`: the image name, then the build date
   */
  readonly amiName?: string;

  /**
   * Tags on the distributed AMIs.
   *
   * @default - the pipeline tag only
   */
  readonly amiTags?: { [key: string]: string };

  /**
   * Write the AMI ID to SSM parameters (data type `aws:ec2:image`) in every distribution
   * region, in the factory account and in every `copyToAccounts` account.
   *
   * @default true
   */
  readonly publishToSsm?: boolean;

  /**
   * The SSM parameter name.
   *
   * @default - `'/golden-ami/<imageName>/latest'`, where `<imageName>` is the image name
   */
  readonly ssmParameterName?: string;

  /**
   * Release channels, in promotion order (for example `['candidate', 'staging', 'prod']`):
   * each is an SSM parameter `<base>/<channel>` (data type `aws:ec2:image`) next to
   * `ssmParameterName`, in every distribution region and account. Each build writes the
   * first channel (with `ssmParameterName`); an AMI reaches the next one only by promotion
   * (`promotion`, or the document `promoteDocumentName(from, to)` started by hand). Each name is
   * one parameter path level, not `latest`, `revoked` or `ancestry`; at most 10. Needs
   * `publishToSsm` and an `ssmParameterName` with a parent level.
   *
   * @default - no channels: `ssmParameterName` only
   */
  readonly channels?: string[];

  /**
   * How an AMI moves from one channel to the next: `Promotion.manual` (an approval step) or
   * `Promotion.afterSoak` (a schedule). Either way there is one SSM Automation document per
   * adjacent channel pair (`promoteDocumentName`). Needs at least two `channels`.
   *
   * @default - promotion documents with no approval step, started by hand (`aws ssm start-automation-execution`)
   */
  readonly promotion?: Promotion;

  /**
   * Create the revocation document (`revokeDocumentName`): one command deprecates and
   * disables an AMI in every region and account, takes it out of `latest` and every channel,
   * lists it in the revocation list and notifies `revocationTopic`. Needs `publishToSsm`.
   *
   * @default - true when `publishToSsm` is on
   */
  readonly revocation?: boolean;

  /**
   * The SNS topic told of each revocation.
   *
   * @default - the stack's revocation topic: KMS-encrypted, created once per stack and shared by its golden images (each message names the image)
   */
  readonly revocationTopic?: sns.ITopic;

  /**
   * Launch templates that get a new version with each AMI.
   *
   * In Python, pass `LaunchTemplateUpdate(launch_template_id="lt-...", account_id=...)`
   * objects. A dict must use the camelCase keys (`{"launchTemplateId": ..., "accountId": ...}`):
   * jsii drops any other key of a dict without an error, so a dict's `account_id` or
   * `set_default_version` would be lost.
   *
   * @default - none
   */
  readonly launchTemplateUpdates?: LaunchTemplateUpdate[];

  /**
   * When the pipeline builds on its own.
   *
   * @default - only when started (console, API, `grantStartExecution`)
   */
  readonly schedule?: PipelineSchedule;

  /**
   * Scan each new image with Amazon Inspector (Inspector must be activated in the account).
   *
   * @default true
   */
  readonly imageScanning?: boolean;

  /**
   * Fail the build when the image scan finds a vulnerability of this severity or worse
   * (counting findings with a fix available). Switches the scan to Inspector's on-demand
   * scan of the output AMI. Requires `imageScanning`.
   *
   * @default - findings never fail the build
   */
  readonly failBuildOnFindings?: FindingSeverity;

  /**
   * Run the recipe's test phase on an instance launched from the new image.
   *
   * @default true
   */
  readonly imageTests?: boolean;

  /**
   * How long the test phase may run (60 to 1440 minutes); only with `imageTests` on.
   *
   * @default Duration.hours(12)
   */
  readonly imageTestsTimeout?: Duration;

  /**
   * Collect the installed packages and OS version of each image.
   *
   * @default true
   */
  readonly enhancedImageMetadata?: boolean;

  /**
   * What happens to old images.
   *
   * @default - images are kept until removed by hand
   */
  readonly lifecycle?: ImageLifecycle;

  /**
   * Create the pipeline enabled.
   *
   * @default true
   */
  readonly enabled?: boolean;
}

/**
 * Properties of a GoldenImage.
 */
export interface GoldenImageProps extends GoldenImageOptions {
  /**
   * The recipe to build.
   */
  readonly recipe: IGoldenImageRecipe;
}

abstract class GoldenImageBase extends Resource implements IGoldenImage {
  public abstract readonly ssmParameterName: string;
  public abstract readonly platform: ImagePlatform;
  /** The catalogue's `<base>`, when known at synth. */
  protected abstract readonly catalogueBaseName?: string;
  protected abstract readonly pipelineArnForGrants?: string;
  protected abstract readonly recipeNameForEvents?: string;

  public get revocationListParameterName(): string | undefined {
    return this.catalogueBaseName === undefined ? undefined : `${this.catalogueBaseName}/${REVOKED_LEVEL}`;
  }

  public channelParameterName(channel: string): string {
    validateChannel('channelParameterName channel', channel);
    if (this.catalogueBaseName === undefined) {
      // Throws with the reason: a token, or no parent level.
      catalogueBase('ssmParameterName', this.ssmParameterName, `channelParameterName of '${this.node.path}'`);
    }
    return `${this.catalogueBaseName}/${channel}`;
  }

  public machineImage(options: GoldenImageMachineImageOptions = {}): ec2.IMachineImage {
    const resolution = options.resolution;
    if (resolution !== undefined && !Object.values(ImageResolution).includes(resolution)) {
      throw new Error(`machineImage resolution must be one of ${Object.values(ImageResolution).join(', ')}, got: ${quoteValue(resolution)}`);
    }
    const os = this.platform === ImagePlatform.WINDOWS ? ec2.OperatingSystemType.WINDOWS : ec2.OperatingSystemType.LINUX;
    const tokenName = Token.isUnresolved(this.ssmParameterName);
    if (resolution === ImageResolution.AT_DEPLOY && tokenName) {
      throw new Error(`machineImage resolution AT_DEPLOY needs ssmParameterName as a literal (a template parameter cannot default to a token): use ImageResolution.AT_LAUNCH or import '${this.node.path}' by its name, got: ${quoteValue(this.ssmParameterName)}`);
    }
    if (resolution === ImageResolution.AT_LAUNCH || tokenName) {
      // A template parameter cannot default to a token: EC2 resolves the name at launch instead.
      return ec2.MachineImage.resolveSsmParameterAtLaunch(this.ssmParameterName, { os });
    }
    return ec2.MachineImage.fromSsmParameter(this.ssmParameterName, { os });
  }

  public grantStartExecution(grantee: iam.IGrantable): iam.Grant {
    if (!this.pipelineArnForGrants) {
      throw new Error(`grantStartExecution needs the pipeline ARN: import '${this.node.path}' with imagePipelineArn`);
    }
    return iam.Grant.addToPrincipal({
      grantee,
      actions: ['imagebuilder:StartImagePipelineExecution'],
      resourceArns: [this.pipelineArnForGrants],
    });
  }

  public onBuildSucceeded(id: string, options: events.OnEventOptions = {}): events.Rule {
    return this.onImageState(id, 'AVAILABLE', options);
  }

  public onBuildFailed(id: string, options: events.OnEventOptions = {}): events.Rule {
    return this.onImageState(id, 'FAILED', options);
  }

  private onImageState(id: string, status: string, options: events.OnEventOptions): events.Rule {
    const recipeName = this.recipeNameForEvents;
    if (!recipeName || Token.isUnresolved(recipeName)) {
      throw new Error(`build events need the recipe name as a literal: import '${this.node.path}' with imageRecipeName`);
    }
    const pattern = imageStateChangePattern(Stack.of(this), recipeName, status);
    const rule = new events.Rule(this, id, {
      description: options.description ?? `Golden image ${recipeName}: build ${status === 'AVAILABLE' ? 'succeeded' : 'failed'}`,
      ruleName: options.ruleName,
      crossStackScope: options.crossStackScope,
      eventPattern: {
        ...options.eventPattern,
        ...pattern,
        detail: { ...options.eventPattern?.detail, ...pattern.detail },
      },
    });
    if (options.target) rule.addTarget(options.target);
    return rule;
  }
}

/**
 * A golden AMI pipeline: builds the recipe with EC2 Image Builder, tests and scans the
 * image, shares and copies it to accounts, OUs and regions, writes its ID to SSM
 * parameters, and cleans up old images.
 */
export class GoldenImage extends GoldenImageBase {
  /**
   * A golden image published elsewhere, by the SSM parameter that holds its latest AMI ID
   * in this account and region.
   */
  public static fromParameterName(scope: Construct, id: string, ssmParameterName: string): IGoldenImage {
    return GoldenImage.fromGoldenImageAttributes(scope, id, { ssmParameterName });
  }

  /**
   * One release channel of a golden image published elsewhere: the image's parameter is the
   * channel's, `<base>/<channel>`, so `machineImage()`, `GoldenImageEcsCapacity` and
   * `ApprovalSource.goldenImage` follow the channel.
   *
   * @param ssmParameterName the image's `ssmParameterName` (for example `/golden-ami/<name>/latest`), whose parent level holds the channels
   * @param channel the channel, for example `prod`
   */
  public static fromChannel(scope: Construct, id: string, ssmParameterName: string, channel: string): IGoldenImage {
    validateSsmParameterName('ssmParameterName', ssmParameterName);
    validateChannel('channel', channel);
    const base = catalogueBase('ssmParameterName', ssmParameterName, 'GoldenImage.fromChannel');
    return GoldenImage.fromGoldenImageAttributes(scope, id, { ssmParameterName: `${base}/${channel}` });
  }

  /**
   * A golden image published elsewhere, by its attributes.
   */
  public static fromGoldenImageAttributes(scope: Construct, id: string, attrs: GoldenImageAttributes): IGoldenImage {
    validateSsmParameterName('ssmParameterName', attrs.ssmParameterName);
    if (attrs.imagePipelineArn !== undefined && !Token.isUnresolved(attrs.imagePipelineArn)) {
      const parts = Arn.split(attrs.imagePipelineArn, ArnFormat.SLASH_RESOURCE_NAME);
      if (parts.service !== 'imagebuilder' || parts.resource !== 'image-pipeline') {
        throw new Error(`imagePipelineArn must be an Image Builder pipeline ARN, got: '${attrs.imagePipelineArn}'`);
      }
    }
    const base = catalogueBaseOrUndefined(attrs.ssmParameterName);
    class Import extends GoldenImageBase {
      public readonly ssmParameterName = attrs.ssmParameterName;
      protected readonly catalogueBaseName = base;
      public readonly platform = attrs.platform ?? ImagePlatform.LINUX;
      protected readonly pipelineArnForGrants = attrs.imagePipelineArn;
      protected readonly recipeNameForEvents = attrs.imageRecipeName;
    }
    return new Import(scope, id);
  }

  public readonly ssmParameterName: string;
  public readonly platform: ImagePlatform;

  /**
   * The pipeline name, which also names the AMIs.
   */
  public readonly imageName: string;

  /**
   * The ARN of the image pipeline.
   *
   * @attribute
   */
  public readonly imagePipelineArn: string;

  /**
   * The recipe the pipeline builds.
   */
  public readonly recipe: IGoldenImageRecipe;

  /**
   * The build infrastructure.
   */
  public readonly infrastructure: IImageBuildInfrastructure;

  /**
   * The regions the AMI is distributed to, the build region first.
   */
  public readonly regions: string[];

  /**
   * The pipeline resource.
   */
  public readonly pipeline: CfnImagePipeline;

  /**
   * The distribution configuration resource.
   */
  public readonly distributionConfiguration: CfnDistributionConfiguration;

  /**
   * The lifecycle policy, when `lifecycle` is set.
   */
  public readonly lifecyclePolicy?: CfnLifecyclePolicy;

  /**
   * The AMI name as Image Builder takes it, with its `{{ imagebuilder:... }}` variables
   * (`AllowedImagesPolicy` turns them into wildcards).
   */
  public readonly amiName: string;

  /**
   * Days after which the lifecycle leaves no image launchable (disabled or deleted), if it does.
   * @internal
   */
  public readonly _launchableDays?: number;

  /**
   * The accounts that own this image's AMIs: the factory account and the copy accounts.
   * @internal
   */
  public readonly _ownerAccounts: string[];

  /**
   * The release channels, in promotion order.
   */
  public readonly channels: string[];

  /**
   * The SSM Automation document that revokes an AMI, when `revocation` is on: run
   * `aws ssm start-automation-execution --document-name <revokeDocumentName> --parameters ImageId=ami-...,Reason="..."`
   * (it runs as `trustChainRole` by default).
   */
  public readonly revokeDocumentName?: string;

  /**
   * The topic told of each revocation, when `revocation` is on.
   */
  public readonly revocationTopic?: sns.ITopic;

  /**
   * The topic told of each promotion waiting for approval, with `Promotion.manual`.
   */
  public readonly promotionApprovalTopic?: sns.ITopic;

  /**
   * The role the promotion and revocation automations run as (`AutomationAssumeRole`): named
   * `GoldenAmiTrustChain-...`, the prefix the copy accounts' `GoldenAmiTrustChainRole` trusts.
   */
  public readonly trustChainRole?: iam.IRole;

  protected readonly pipelineArnForGrants: string;
  protected readonly recipeNameForEvents: string;
  protected readonly catalogueBaseName?: string;
  private readonly trustChain?: TrustChain;

  constructor(scope: Construct, id: string, props: GoldenImageProps) {
    super(scope, id);
    validateGoldenImageOptions(props);
    const stack = Stack.of(this);
    this.recipe = props.recipe;
    this.platform = props.recipe.platform;
    this.imageName = props.imageName ?? Names.uniqueResourceName(this, { maxLength: 100, separator: '-' });
    validateImageBuilderName('imageName', this.imageName);
    if (props.ssmParameterName === undefined && !Token.isUnresolved(this.imageName) && !SSM_NAME_LEVEL.test(this.imageName)) {
      // Otherwise the error would name ssmParameterName, a prop the user never set.
      throw new Error(`imageName must be letters, digits, hyphens, underscores and periods when ssmParameterName is not set (the default ssmParameterName, /golden-ami/<imageName>/latest, cannot take spaces): set ssmParameterName or remove the spaces, got: ${quoteValue(this.imageName)}`);
    }
    this.ssmParameterName = props.ssmParameterName ?? `${DEFAULT_CATALOG_PREFIX}${this.imageName}/${LATEST_LEVEL}`;
    validateSsmParameterName('ssmParameterName', this.ssmParameterName);
    this.channels = validateTrustChainOptions(props);
    const publish = props.publishToSsm ?? true;
    // On by default where it can work: an ssmParameterName given as a token, or with no parent
    // level, has no place for the revocation list (asking for it explicitly is an error).
    const revocation = props.revocation ?? (publish && catalogueBaseOrUndefined(this.ssmParameterName) !== undefined);
    const trustChain = this.channels.length > 0 || revocation;
    this.catalogueBaseName = trustChain
      ? catalogueBase('ssmParameterName', this.ssmParameterName, this.channels.length > 0 ? 'channels' : 'revocation (on by default with publishToSsm; set revocation: false to go without)')
      : catalogueBaseOrUndefined(this.ssmParameterName);
    this.channels.forEach((channel, i) => validateSsmParameterName(`channels[${i}] (as the parameter ${this.catalogueBaseName}/${channel})`, `${this.catalogueBaseName}/${channel}`));
    this.infrastructure = ImageBuildInfrastructure._forImage(scope, id, props.infrastructure, props.buildIsolation);

    this.regions = distributionRegions(stack.region, props.regions ?? []);
    this.amiName = props.amiName ?? defaultAmiName(this.imageName);
    this._launchableDays = props.lifecycle?._launchableDays;
    this._ownerAccounts = [stack.account, ...props.copyToAccounts ?? []];
    if (trustChain) {
      this.trustChain = new TrustChain(this, 'TrustChain', {
        imageName: this.imageName,
        pipelineTag: { key: PIPELINE_TAG, value: this.imageName },
        regions: this.regions,
        copyToAccounts: props.copyToAccounts ?? [],
        base: this.catalogueBaseName!,
        channels: this.channels,
        promotion: props.promotion?._config,
        revocation,
        revocationTopic: props.revocationTopic,
      });
      this.trustChainRole = this.trustChain.role;
      this.revokeDocumentName = this.trustChain.revokeDocument?.ref;
      this.revocationTopic = this.trustChain.revocationTopic;
      this.promotionApprovalTopic = this.trustChain.approvalTopic;
    }

    this.distributionConfiguration = new CfnDistributionConfiguration(this, 'Distribution', {
      name: this.imageName,
      description: props.description,
      distributions: this.renderDistributions(stack, props),
    });

    this.pipeline = new CfnImagePipeline(this, 'Resource', {
      name: this.imageName,
      description: props.description,
      imageRecipeArn: this.recipe.imageRecipeArn,
      infrastructureConfigurationArn: this.infrastructure.infrastructureConfigurationArn,
      distributionConfigurationArn: this.distributionConfiguration.attrArn,
      status: (props.enabled ?? true) ? 'ENABLED' : 'DISABLED',
      enhancedImageMetadataEnabled: props.enhancedImageMetadata ?? true,
      imageTestsConfiguration: renderImageTests(props),
      imageScanningConfiguration: { imageScanningEnabled: props.imageScanning ?? true },
      schedule: props.schedule && {
        scheduleExpression: props.schedule.expressionString,
        autoDisablePolicy: props.schedule.options.disableAfterConsecutiveFailures === undefined
          ? undefined
          : { failureCount: props.schedule.options.disableAfterConsecutiveFailures },
        pipelineExecutionStartCondition: props.schedule.options.onlyWhenDependenciesUpdated
          ? 'EXPRESSION_MATCH_AND_DEPENDENCY_UPDATES_AVAILABLE'
          : 'EXPRESSION_MATCH_ONLY',
      },
    });
    this.renderNewerPipelineSettings(props);
    this.imagePipelineArn = this.pipeline.attrArn;
    this.pipelineArnForGrants = this.imagePipelineArn;
    this.recipeNameForEvents = this.recipe.imageRecipeName;

    if (props.lifecycle) {
      this.lifecyclePolicy = new CfnLifecyclePolicy(this, 'Lifecycle', {
        name: this.imageName,
        description: `Old images of golden image ${this.imageName}`,
        executionRole: this.infrastructure.lifecycleExecutionRole.roleArn,
        resourceType: 'AMI_IMAGE',
        policyDetails: props.lifecycle._policyDetails,
        resourceSelection: { tagMap: { [PIPELINE_TAG]: this.imageName } },
      });
    }
  }

  /**
   * The SSM parameter of one of `channels`, `<base>/<channel>`.
   */
  public channelParameterName(channel: string): string {
    const name = super.channelParameterName(channel);
    if (!this.channels.includes(channel)) {
      throw new Error(`channelParameterName channel must be one of the channels of '${this.node.path}' (${this.channels.join(', ') || 'none'}), got: ${quoteValue(channel)}`);
    }
    return name;
  }

  /**
   * The name of the SSM Automation document that promotes the AMI in channel `from` to the
   * next channel `to`: run `aws ssm start-automation-execution --document-name <name>` (it runs
   * as `trustChainRole` by default).
   */
  public promoteDocumentName(from: string, to: string): string {
    const promotion = this.trustChain?.promotion(from, to);
    if (!promotion) {
      const pairs = this.channels.slice(1).map((c, i) => `${this.channels[i]} -> ${c}`);
      throw new Error(`promoteDocumentName takes two adjacent channels of '${this.node.path}' (${pairs.join(', ') || 'it has fewer than two channels'}), got: ${quoteValue(`${from} -> ${to}`)}`);
    }
    return promotion.document.ref;
  }

  /**
   * Settings the minimum aws-cdk-lib (2.240.0) does not type, written as the CloudFormation
   * properties they are so that every supported aws-cdk-lib renders them the same: its L1
   * drops `imageTags` (typed from 2.262.0), `schedule.timezone` (2.264.0) and the scan
   * settings (2.276.0).
   */
  private renderNewerPipelineSettings(props: GoldenImageProps): void {
    this.pipeline.addPropertyOverride('ImageTags', { [PIPELINE_TAG]: this.imageName });
    const timezone = props.schedule?.options.timezone;
    if (timezone !== undefined) {
      this.pipeline.addPropertyOverride('Schedule.Timezone', timezone);
    }
    if (props.failBuildOnFindings) {
      if (props.imageScanning === false) {
        throw new Error(`failBuildOnFindings needs imageScanning, got imageScanning: false and failBuildOnFindings: '${props.failBuildOnFindings}'`);
      }
      // Only the on-demand scan of the output AMI takes a scan result condition.
      this.pipeline.addPropertyOverride('ImageScanningConfiguration.ImageScanningTypes', ['ON_DEMAND_AMI_CVE']);
      this.pipeline.addPropertyOverride('ImageScanningConfiguration.ScanResultCondition', {
        MaximumSeverityLabel: MAXIMUM_ALLOWED_SEVERITY[props.failBuildOnFindings],
      });
      // The resource schemas bundled with aws-cdk-lib's template validation (2.276) predate
      // these two properties and reject them as unknown. This is the entry that
      // Validations.of(pipeline).acknowledge() writes, without needing an aws-cdk-lib that has it.
      acknowledgeRules(this.pipeline, 'CloudFormation-Validate', [{
        id: 'F3002',
        reason: 'ImageScanningTypes and ScanResultCondition are ImagePipeline properties (in the aws-cdk-lib L1) missing from the bundled validation schema',
      }]);
    }
  }

  private renderDistributions(stack: Stack, props: GoldenImageProps): CfnDistributionConfiguration.DistributionProperty[] {
    const copyToAccounts = props.copyToAccounts ?? [];
    copyToAccounts.forEach((account, i) => validateAccountId(`copyToAccounts[${i}]`, account));
    validateUnique('copyToAccounts', copyToAccounts);
    if (!Token.isUnresolved(stack.account) && copyToAccounts.includes(stack.account)) {
      throw new Error(`copyToAccounts must not include the factory account itself, got: '${stack.account}'`);
    }

    const keys = this.keysByRegion(props.encryptionKeys ?? []);
    const launchTemplates = this.launchTemplatesByRegion(stack, props.launchTemplateUpdates ?? [], copyToAccounts);
    const launchPermission = renderLaunchPermissions(this, props.shareWith ?? []);

    const amiName = this.amiName;
    validateAmiName('amiName', amiName);
    if (!Token.isUnresolved(amiName) && !BUILD_UNIQUE_VARIABLE.test(amiName)) {
      throw new Error(`amiName must contain {{ imagebuilder:buildDate }} or {{ imagebuilder:buildVersion }}, or every build after the first fails on a duplicate AMI name, got: '${amiName}'`);
    }
    const publish = props.publishToSsm ?? true;
    // The first channel is written by each build, next to ssmParameterName.
    const parameterNames = this.channels.length > 0 ? [this.ssmParameterName, `${this.catalogueBaseName}/${this.channels[0]}`] : [this.ssmParameterName];

    return this.regions.map(region => ({
      region,
      amiDistributionConfiguration: {
        // The L1 takes this property untyped: CloudFormation's PascalCase keys, as is.
        Name: amiName,
        Description: props.description,
        AmiTags: { ...props.amiTags, [PIPELINE_TAG]: this.imageName },
        KmsKeyId: keys.get(region),
        // With copies, the factory account is listed too so that it keeps its own AMI.
        TargetAccountIds: copyToAccounts.length > 0 ? [stack.account, ...copyToAccounts] : undefined,
        LaunchPermissionConfiguration: launchPermission,
      },
      ssmParameterConfigurations: publish
        ? parameterNames.flatMap(parameterName => [
          { parameterName, dataType: AMI_ID_DATA_TYPE },
          ...copyToAccounts.map(account => ({ amiAccountId: account, parameterName, dataType: AMI_ID_DATA_TYPE })),
        ])
        : undefined,
      launchTemplateConfigurations: launchTemplates.get(region),
    }));
  }

  private keysByRegion(keys: RegionalEncryptionKey[]): Map<string, string> {
    const byRegion = new Map<string, string>();
    keys.forEach((key, i) => {
      validateRegion(`encryptionKeys[${i}].region`, key.region);
      const keyArn = regionalKeyArn(key, i);
      if (!Token.isUnresolved(key.region) && !this.regions.includes(key.region)) {
        throw new Error(`encryptionKeys[${i}].region must be a distribution region (${this.regions.join(', ')}), got: '${key.region}'`);
      }
      if (byRegion.has(key.region)) {
        throw new Error(`encryptionKeys must give one key per region, got a second for: '${key.region}'`);
      }
      byRegion.set(key.region, keyArn);
    });
    if (byRegion.size > 0) {
      const missing = this.regions.filter(region => !byRegion.has(region));
      if (missing.length > 0) {
        throw new Error(`encryptionKeys must give a key for every distribution region or none; missing: '${missing.join(', ')}'`);
      }
    }
    return byRegion;
  }

  private launchTemplatesByRegion(
    stack: Stack,
    updates: LaunchTemplateUpdate[],
    copyToAccounts: string[],
  ): Map<string, CfnDistributionConfiguration.LaunchTemplateConfigurationProperty[]> {
    const byRegion = new Map<string, CfnDistributionConfiguration.LaunchTemplateConfigurationProperty[]>();
    updates.forEach((update, i) => {
      validateLaunchTemplateId(`launchTemplateUpdates[${i}].launchTemplateId`, update.launchTemplateId);
      const region = update.region ?? stack.region;
      validateRegion(`launchTemplateUpdates[${i}].region`, region);
      if (!this.regions.includes(region)) {
        throw new Error(`launchTemplateUpdates[${i}].region must be a distribution region (${this.regions.join(', ')}), got: '${region}'`);
      }
      if (update.accountId !== undefined) {
        validateAccountId(`launchTemplateUpdates[${i}].accountId`, update.accountId);
        if (!Token.isUnresolved(update.accountId) && update.accountId !== stack.account && !copyToAccounts.includes(update.accountId)) {
          throw new Error(`launchTemplateUpdates[${i}].accountId must be the factory account or one of copyToAccounts, got: '${update.accountId}'`);
        }
      }
      const list = byRegion.get(region) ?? [];
      list.push({ launchTemplateId: update.launchTemplateId, accountId: update.accountId, setDefaultVersion: update.setDefaultVersion ?? true });
      byRegion.set(region, list);
    });
    return byRegion;
  }
}

/**
 * The default AMI name, `<imageName>-{{ imagebuilder:buildDate }}`, with a long image name
 * shortened (its start and a hash) so that the name fits Image Builder's 127 characters.
 */
function defaultAmiName(imageName: string): string {
  if (Token.isUnresolved(imageName)) return `${imageName}${DEFAULT_AMI_NAME_SUFFIX}`;
  return `${fitName(imageName, AMI_NAME_MAX_LENGTH - DEFAULT_AMI_NAME_SUFFIX.length)}${DEFAULT_AMI_NAME_SUFFIX}`;
}

/** The ARN of `encryptionKeys[i]`, from exactly one of `key` and `keyArn`, checked against its region. */
function regionalKeyArn(regional: RegionalEncryptionKey, i: number): string {
  const { key, keyArn, region } = regional;
  if (key === undefined && keyArn !== undefined) {
    validateKmsKeyArn(`encryptionKeys[${i}].keyArn`, keyArn, region);
    return keyArn;
  }
  if (key === undefined || keyArn !== undefined) {
    const given = key === undefined ? 'neither' : `both (key '${key.node.path}', keyArn '${keyArn}')`;
    // From Python, a dict's `key_arn` reaches the library as nothing: jsii keeps only camelCase keys.
    const hint = key === undefined ? ' (a dict needs the camelCase key \'keyArn\'; from Python, RegionalEncryptionKey(region=..., key_arn=...) takes snake_case)' : '';
    throw new Error(`encryptionKeys[${i}] must give exactly one of key and keyArn, got ${given} for region '${region}'${hint}`);
  }
  const keyRegion = key.env.region;
  if (!Token.isUnresolved(keyRegion) && !Token.isUnresolved(region) && keyRegion !== region) {
    throw new Error(`encryptionKeys[${i}].key must be a key in region ${region} (KMS keys are regional), got '${key.node.path}' in ${keyRegion}`);
  }
  validateKmsKeyArn(`encryptionKeys[${i}].key`, key.keyArn, region);
  return key.keyArn;
}

const ENCRYPTION_KEY_KEYS: StructKeys<RegionalEncryptionKey> = { region: true, key: false, keyArn: false };
const LAUNCH_TEMPLATE_UPDATE_KEYS: StructKeys<LaunchTemplateUpdate> = {
  launchTemplateId: true, region: false, accountId: false, setDefaultVersion: false,
};

/** Checks the props that need no other state: types (for JavaScript callers), text and tags. */
function validateGoldenImageOptions(props: GoldenImageOptions): void {
  validatePropTypes(props, {
    strings: ['imageName', 'description', 'amiName', 'ssmParameterName'],
    arrays: ['regions', 'shareWith', 'copyToAccounts', 'channels'],
    booleans: ['publishToSsm', 'imageScanning', 'imageTests', 'enhancedImageMetadata', 'enabled', 'revocation'],
  });
  validateStructList('encryptionKeys', props.encryptionKeys, 'RegionalEncryptionKey', ENCRYPTION_KEY_KEYS);
  validateStructList('launchTemplateUpdates', props.launchTemplateUpdates, 'LaunchTemplateUpdate', LAUNCH_TEMPLATE_UPDATE_KEYS);
  validateDescription('description', props.description);
  // The library adds its pipeline tag to the user's; Image Builder takes 50 AMI tags.
  validateTags('amiTags', props.amiTags, 49);
  if (props.amiTags && Object.keys(props.amiTags).includes(PIPELINE_TAG)) {
    throw new Error(`amiTags must not set ${PIPELINE_TAG} (the library sets it to the image name for lifecycle policies), got: '${PIPELINE_TAG}'`);
  }
}

/** The channels, checked with what they need; [] when none. */
function validateTrustChainOptions(props: GoldenImageOptions): string[] {
  const publish = props.publishToSsm ?? true;
  if (props.revocation && !publish) {
    throw new Error('revocation needs publishToSsm (the revocation list and the channels are SSM parameters), got revocation: true and publishToSsm: false');
  }
  if (props.revocationTopic && (props.revocation === false || !publish)) {
    throw new Error(`revocationTopic is set but revocation is off (revocation: false or publishToSsm: false), got revocationTopic: '${props.revocationTopic.node.path}'`);
  }
  if (props.channels === undefined) {
    if (props.promotion) throw new Error('promotion needs at least two channels, got channels: undefined');
    return [];
  }
  validateChannels('channels', props.channels);
  if (!publish) {
    throw new Error(`channels needs publishToSsm (each channel is an SSM parameter), got publishToSsm: false and channels: ${quoteValue(props.channels.join(', '))}`);
  }
  if (props.promotion && props.channels.length < 2) {
    throw new Error(`promotion needs at least two channels (it moves an AMI from one to the next), got channels: ${quoteValue(props.channels.join(', '))}`);
  }
  return [...props.channels];
}

/** `<base>` of a literal parameter name with a parent level. */
function catalogueBaseOrUndefined(name: string): string | undefined {
  return Token.isUnresolved(name) ? undefined : catalogueBaseOf(name);
}

function distributionRegions(buildRegion: string, requested: string[]): string[] {
  if (Token.isUnresolved(buildRegion) && requested.length > 0) {
    // Otherwise a listed region could turn out to be the build region, listed twice.
    throw new Error(`regions needs a stack with an explicit env.region, got regions: '${requested.join(', ')}' in an environment-agnostic stack`);
  }
  requested.forEach((region, i) => validateRegion(`regions[${i}]`, region));
  validateUnique('regions', requested);
  const regions = [buildRegion];
  for (const region of requested) {
    if (region !== buildRegion) regions.push(region);
  }
  return regions;
}

function renderImageTests(props: GoldenImageProps): CfnImagePipeline.ImageTestsConfigurationProperty {
  const enabled = props.imageTests ?? true;
  const timeout = props.imageTestsTimeout?.toMinutes();
  if (!enabled && timeout !== undefined) {
    throw new Error(`imageTestsTimeout is set but imageTests is false: leave imageTestsTimeout unset or turn image tests on, got imageTestsTimeout: '${props.imageTestsTimeout!.toHumanString()}'`);
  }
  if (timeout !== undefined) {
    validateIntegerInRange('imageTestsTimeout (minutes)', timeout, 60, 1440);
  }
  return { imageTestsEnabled: enabled, timeoutMinutes: enabled ? (timeout ?? 720) : undefined };
}

