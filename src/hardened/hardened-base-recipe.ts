import { Annotations, Aspects, IAspect, Names, SizeRoundingBehavior, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct, IConstruct } from 'constructs';
import { CisSection, cisApplyScript, cisCheckScript, cisControlsFor } from './cis-controls';
import { CloudWatchAgentOptions } from './cloudwatch-agent-config';
import { renderCloudWatchAgentConfig, validateCloudWatchAgentOptions } from './cloudwatch-agent-render';
import { CisLevel, Hardening, HardeningStandard, StigLevel } from './hardening';
import { OperatingSystem } from './operating-system';
import { SecurityAgent } from './security-agent';
import { ToeAction, ToePhase, ToeStep, renderToeDocument, scriptParameterValue, toStepName } from './toe';
import { BaseImage } from '../base-image';
import { ComponentPhase, RecipeComponent } from '../component';
import { GoldenImage, GoldenImageOptions } from '../golden-image';
import { ImageArchitecture, ImagePlatform } from '../platform';
import { SCAP_REPORT_LOCATION, STIG_LEVEL_PARAMETER, documentedParameterValue, managedComponent } from '../private/aws-catalogue';
import { acknowledgeNagFindings, wildcardResourceFinding } from '../private/nag-acknowledgments';
import { bashQuote, powershellQuote } from '../private/shell-quote';
import { validateDescription, validateImageBuilderName, validatePropTypes, validateS3KeyForPolicy, validateTags, validateUnique, validateWorkingDirectory } from '../private/validation';
import { IGoldenImageRecipe, ImageRecipe, RootVolumeOptions } from '../recipe';

/**
 * A SCAP compliance scan whose report is kept as audit evidence.
 */
export interface ScapScanOptions {
  /**
   * The bucket that receives the reports.
   */
  readonly reportBucket: s3.IBucket;

  /**
   * The key prefix of the reports; each build writes under `<prefix><recipe name>/`. Empty, or
   * letters, digits and `! _ . ' ( ) - /` ending in `/`: no `*`, which would widen the
   * build role's write access in IAM.
   *
   * @default 'scap-reports/'
   */
  readonly reportPrefix?: string;
}

/**
 * Properties of a HardenedBaseRecipe.
 */
export interface HardenedBaseRecipeProps {
  /**
   * The operating system.
   *
   * @default OperatingSystem.AMAZON_LINUX_2023
   */
  readonly operatingSystem?: OperatingSystem;

  /**
   * The CPU architecture. It must be one the OS is published for.
   *
   * @default ImageArchitecture.X86_64
   */
  readonly architecture?: ImageArchitecture;

  /**
   * The image to start from instead of the OS's published one, for example a Marketplace CIS
   * hardened AMI (`BaseImage.fromAmiId()`). It must run `operatingSystem` on `architecture`.
   *
   * @default - the OS's latest AMI from its AWS public SSM parameter (RHEL: the Image Builder managed image)
   */
  readonly baseImage?: BaseImage;

  /**
   * How the OS is hardened.
   *
   * @default - Hardening.cis(CisLevel.LEVEL_1) on Linux, Hardening.stig(StigLevel.MEDIUM) on Windows where AWS has a STIG component, otherwise none (with a warning)
   */
  readonly hardening?: Hardening;

  /**
   * Run the AWS SCAP Compliance Checker and keep its report in S3. The build instance role
   * needs write access: call `grantBuildAccess`. Only where AWS documents the component for
   * the OS (`OperatingSystem.supportsScapScan`: Windows Server 2022 on x86_64); a build or
   * test instance where the component left no report fails the step.
   *
   * @default - no SCAP scan
   */
  readonly scapScan?: ScapScanOptions;

  /**
   * Install OS updates first, then reboot.
   *
   * @default true
   */
  readonly osUpdates?: boolean;

  /**
   * The CloudWatch agent and its configuration.
   *
   * @default - the agent with the library's configuration
   */
  readonly cloudWatchAgent?: CloudWatchAgentOptions;

  /**
   * Keep the SSM agent installed and enabled (Image Builder installs it on images that lack
   * it, and removes it after the build unless told to keep it).
   *
   * @default true
   */
  readonly ssmAgent?: boolean;

  /**
   * Install the AWS CLI version 2.
   *
   * @default true
   */
  readonly awsCli?: boolean;

  /**
   * Make instances ready for Amazon Inspector (v2) scanning: the SSM agent installed and
   * enabled, and no Inspector Classic agent; checked in the test phase. Requires `ssmAgent`.
   *
   * @default true
   */
  readonly inspectorReady?: boolean;

  /**
   * Security, SIEM or vulnerability agents to bake in.
   *
   * @default - none
   */
  readonly securityAgents?: SecurityAgent[];

  /**
   * The root volume. It is always encrypted.
   *
   * @default - an encrypted gp3 volume of the OS's AMI root size, on the OS's root device
   */
  readonly rootVolume?: RootVolumeOptions;

  /**
   * Tags on the AMIs built from the recipe.
   *
   * @default - none
   */
  readonly amiTags?: { [key: string]: string };

  /**
   * The recipe name.
   *
   * @default - a name derived from the construct path
   */
  readonly recipeName?: string;

  /**
   * What the recipe builds.
   *
   * @default - `'<OS> <architecture>, <hardening> hardening, with agents'`, for example `'Amazon Linux 2023 x86_64, CIS Level 1 hardening, with agents'`
   */
  readonly description?: string;

  /**
   * The working directory for components on the build instance.
   *
   * @default - the service default
   */
  readonly workingDirectory?: string;
}

const LINUX_SSM_UNIT = [
  'if systemctl cat amazon-ssm-agent.service >/dev/null 2>&1; then',
  '  unit=amazon-ssm-agent.service',
  'elif systemctl cat snap.amazon-ssm-agent.amazon-ssm-agent.service >/dev/null 2>&1; then',
  '  unit=snap.amazon-ssm-agent.amazon-ssm-agent.service',
  'else',
  '  echo "the SSM agent is not installed" >&2',
  '  exit 1',
  'fi',
].join('\n');

const CW_AGENT_CTL_LINUX = '/opt/aws/amazon-cloudwatch-agent/bin/amazon-cloudwatch-agent-ctl';
const CW_CONFIG_LINUX = '/opt/aws/amazon-cloudwatch-agent/etc/golden-ami.json';

/*
 * The library's components are shared by every recipe of the stack that renders the same
 * document (RecipeComponent._sharedDocument); what differs per recipe is an AWSTOE input
 * parameter the recipe sets, referenced as {{ Name }} in the document
 * (https://docs.aws.amazon.com/imagebuilder/latest/userguide/toe-user-defined-variables.html;
 * recipe values: https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-properties-imagebuilder-imagerecipe-componentparameter.html).
 * AWSTOE substitutes the value into the script text: each one is checked against a character
 * set that cannot end a quote, a here-document or a command (scriptParameterValue).
 */
/** The log group prefix in the CloudWatch agent configuration. */
const LOG_GROUP_PREFIX_PARAMETER = 'LogGroupPrefix';
/** The recipe name under which the SCAP reports are kept. */
const RECIPE_NAME_PARAMETER = 'RecipeName';
/** Log group names (CloudWatch Logs): nothing a JSON string, a here-document or a shell would read. */
const LOG_GROUP_PREFIX_CHARACTERS = /^[.\-_/#A-Za-z0-9]{1,512}$/;
/** Image Builder names: letters, digits, hyphens, underscores and inner spaces; no quote or '$'. */
const RECIPE_NAME_CHARACTERS = /^[-_A-Za-z0-9][-_A-Za-z0-9 ]{1,124}[-_A-Za-z0-9]$/;

function linuxServiceCheck(service: string, what: string): string {
  return [
    `systemctl is-enabled --quiet ${bashQuote(service)} || { echo ${bashQuote(`${what}: service ${service} is not enabled`)} >&2; exit 1; }`,
    `systemctl is-active --quiet ${bashQuote(service)} || { echo ${bashQuote(`${what}: service ${service} is not running`)} >&2; exit 1; }`,
  ].join('\n');
}

function windowsServiceCheck(service: string, what: string): string {
  return [
    `$service = Get-Service -Name ${powershellQuote(service)} -ErrorAction Stop`,
    `if ($service.StartType -ne 'Automatic') { throw ${powershellQuote(`${what}: service ${service} does not start automatically`)} }`,
    `if ($service.Status -ne 'Running') { throw ${powershellQuote(`${what}: service ${service} is not running`)} }`,
  ].join('\n');
}

/**
 * A hardened OS recipe with the agents security and operations want baked in, and the tests
 * that prove them: OS updates, STIG or CIS hardening, the CloudWatch agent with a generated
 * configuration, the SSM agent, the AWS CLI, Inspector readiness, your security agents, an
 * optional SCAP scan with its report kept in S3, and a test phase that checks every agent's
 * service, the hardening markers, and that the instance boots after a reboot.
 *
 * It composes an `ImageRecipe`, so its version derives from its content: changing a script or
 * an option deploys a new version without a manual bump. Use it as the recipe of a
 * `GoldenImage`, and that image as the parent of application images.
 */
export class HardenedBaseRecipe extends Construct implements IGoldenImageRecipe {
  public readonly imageRecipeArn: string;
  public readonly imageRecipeName: string;
  public readonly imageRecipeVersion: string;
  public readonly platform: ImagePlatform;

  /** The operating system. */
  public readonly operatingSystem: OperatingSystem;
  /** The CPU architecture. */
  public readonly architecture: ImageArchitecture;
  /** The hardening applied. */
  public readonly hardening: Hardening;
  /** The image the recipe starts from. */
  public readonly baseImage: BaseImage;
  /**
   * The recipe it is made of: an escape hatch to the recipe resource. The library's components
   * are not under it: the recipes of a stack share them (construct `GoldenAmiComponents` of the
   * stack), one per distinct document.
   */
  public readonly recipe: ImageRecipe;
  /** The CloudWatch agent configuration baked in (JSON), or undefined without the agent. */
  public readonly cloudWatchAgentConfig?: string;
  /** The security agents baked in. */
  public readonly securityAgents: SecurityAgent[];

  private readonly scapScan?: ScapScanOptions;
  private buildAccessGranted = false;

  constructor(scope: Construct, id: string, props: HardenedBaseRecipeProps = {}) {
    super(scope, id);
    validatePropTypes(props, {
      strings: ['recipeName', 'description', 'workingDirectory'],
      arrays: ['securityAgents'],
      booleans: ['osUpdates', 'ssmAgent', 'awsCli', 'inspectorReady'],
    });
    validateDescription('description', props.description);
    validateWorkingDirectory('workingDirectory', props.workingDirectory);
    validateTags('amiTags', props.amiTags);
    const os = props.operatingSystem ?? OperatingSystem.AMAZON_LINUX_2023;
    const architecture = props.architecture ?? ImageArchitecture.X86_64;
    this.operatingSystem = os;
    this.architecture = architecture;
    this.platform = os.platform;
    if (!os.supportsArchitecture(architecture)) {
      throw new Error(`architecture '${architecture}' is not available for operatingSystem '${os.id}' (${os.displayName} supports: ${os.architectures.join(', ')})`);
    }
    if (props.baseImage && props.baseImage.platform !== os.platform) {
      throw new Error(`baseImage is a ${props.baseImage.platform} image but operatingSystem '${os.id}' is ${os.platform}, got baseImage: '${props.baseImage.parentImage}'`);
    }
    if (!props.baseImage && !os.hasPublicImage(architecture)) {
      throw new Error(`baseImage is required for operatingSystem '${os.id}' on architecture '${architecture}': AWS publishes no public SSM parameter or Image Builder image for it; pass a ${os.displayName} ${architecture} AMI, for example BaseImage.fromAmiId('ami-...', { platform: ImagePlatform.LINUX, rootDeviceName: '${os.rootDeviceName}' })`);
    }
    this.baseImage = props.baseImage ?? os.publicBaseImage(architecture);
    this.hardening = props.hardening ?? this.defaultHardening(os);
    this.validateHardening(os, this.hardening);

    const ssmAgent = props.ssmAgent ?? true;
    const inspectorReady = props.inspectorReady ?? true;
    if (inspectorReady && !ssmAgent) {
      throw new Error('inspectorReady needs the SSM agent (Inspector v2 scans instances through it): set ssmAgent to true or inspectorReady to false, got ssmAgent: false');
    }
    if (props.scapScan) {
      this.validateScapScan(os, architecture, props.scapScan);
      this.scapScan = props.scapScan;
    }
    this.securityAgents = props.securityAgents ?? [];
    this.validateSecurityAgents(os);
    const cloudWatch = props.cloudWatchAgent ?? {};
    validateCloudWatchAgentOptions(cloudWatch);

    this.imageRecipeName = props.recipeName ?? Names.uniqueResourceName(this, { maxLength: 64, separator: '-' });
    validateImageBuilderName('recipeName', this.imageRecipeName);
    if (!Token.isUnresolved(this.imageRecipeName) && this.imageRecipeName.length > 80) {
      throw new Error(`recipeName must be at most 80 characters (components are named '<recipeName>-<component>', at most 126), got: '${this.imageRecipeName}'`);
    }

    const rootVolume = this.renderRootVolume(os, props);
    this.recipe = new ImageRecipe(this, 'Recipe', {
      recipeName: this.imageRecipeName,
      baseImage: this.baseImage,
      description: props.description ?? `${os.displayName} ${architecture}, ${this.hardening.toString()} hardening, with agents`,
      rootVolume,
      amiTags: props.amiTags,
      workingDirectory: props.workingDirectory,
      keepSsmAgent: ssmAgent,
    });
    this.imageRecipeArn = this.recipe.imageRecipeArn;
    this.imageRecipeVersion = this.recipe.imageRecipeVersion;

    const aws = (role: Parameters<typeof managedComponent>[0]) => managedComponent(role, os.platform).name;
    const osUpdates = props.osUpdates ?? true;
    if (osUpdates) {
      this.recipe.addComponent(RecipeComponent.awsManaged(aws('update')));
      this.recipe.addComponent(RecipeComponent.awsManaged(aws('reboot')));
    }
    if (ssmAgent) {
      this.recipe.addComponent(this.ssmAgentComponent());
    }
    if (props.awsCli ?? true) {
      this.recipe.addComponent(RecipeComponent.awsManaged(aws('awsCliV2')));
    }
    if (cloudWatch.enabled ?? true) {
      this.cloudWatchAgentConfig = renderCloudWatchAgentConfig(os, cloudWatch, `/golden-ami/${this.imageRecipeName}`);
      const logGroupPrefix = scriptParameterValue('cloudWatchAgent.logGroupPrefix', cloudWatch.logGroupPrefix ?? `/golden-ami/${this.imageRecipeName}`, LOG_GROUP_PREFIX_CHARACTERS);
      // The same configuration with the prefix as a parameter: recipes that differ only by
      // their prefix share the component.
      const sharedConfig = renderCloudWatchAgentConfig(os, { ...cloudWatch, logGroupPrefix: `{{ ${LOG_GROUP_PREFIX_PARAMETER} }}` }, '');
      this.recipe.addComponent(RecipeComponent.awsManaged(aws('cloudWatchAgent')));
      this.recipe.addComponent(this.cloudWatchConfigComponent(sharedConfig, logGroupPrefix));
    }
    for (const agent of this.securityAgents) {
      this.recipe.addComponent(this.securityAgentComponent(agent));
    }
    switch (this.hardening.standard) {
      case HardeningStandard.STIG:
        this.recipe.addComponent(RecipeComponent.awsManaged(aws('stigBuild'), 'x.x.x', {
          parameters: { [STIG_LEVEL_PARAMETER.name]: documentedParameterValue(STIG_LEVEL_PARAMETER, this.hardening.stigLevel!) },
        }));
        break;
      case HardeningStandard.CIS:
        for (const component of this.cisComponents()) {
          this.recipe.addComponent(component);
        }
        break;
      default:
        break;
    }
    if (this.hardening.standard !== HardeningStandard.NONE) {
      // Hardening changes kernel, service and boot settings: boot into them before the scan and the snapshot.
      this.recipe.addComponent(RecipeComponent.awsManaged(aws('reboot')));
    }
    if (this.scapScan) {
      this.recipe.addComponent(RecipeComponent.awsManaged(aws('scapComplianceChecker')));
      this.recipe.addComponent(this.scapReportComponent(this.scapScan));
    }
    this.recipe.addComponent(this.checksComponent(inspectorReady, props.awsCli ?? true));
    this.recipe.addComponent(RecipeComponent.awsManaged(aws('rebootTest')));

    if (this.needsBuildAccess()) {
      const recipe = this;
      Aspects.of(this).add(new BuildAccessWarning(recipe, () => recipe.buildAccessGranted));
    }
  }

  /**
   * A GoldenImage that builds this recipe: its pipeline, distribution, schedule and
   * lifecycle from `options`, created as a child of this recipe.
   *
   * @param id the GoldenImage's construct ID
   * @param options everything but the recipe, as `GoldenImageProps` takes it
   */
  public addGoldenImage(id: string, options: GoldenImageOptions = {}): GoldenImage {
    return new GoldenImage(this, id, { ...options, recipe: this });
  }

  /**
   * Adds a component after the library's ones (so after the hardening: it must keep the
   * hardening markers the test phase checks).
   */
  public addComponent(component: RecipeComponent): void {
    this.recipe.addComponent(component);
  }

  /**
   * Adds a test: a script (bash on Linux, PowerShell on Windows) run in the test phase on an
   * instance launched from the new image; the build fails if it fails.
   *
   * @param name the test name, unique in the recipe
   * @param script the script
   */
  public addTest(name: string, script: string): void {
    this.recipe.addComponent(RecipeComponent.fromScript({ name, script, platform: this.platform, phase: ComponentPhase.TEST }));
  }

  /**
   * Lets `grantee` (the build and test instance role, `infrastructure.instanceRole` of the
   * GoldenImage) read the S3 installers of the security agents and write the SCAP reports.
   * Returns a grant that does nothing when the recipe needs no S3 access.
   */
  public grantBuildAccess(grantee: iam.IGrantable): iam.Grant {
    this.buildAccessGranted = true;
    let grant = iam.Grant.drop(grantee, 'nothing to read or write in S3');
    for (const agent of this.securityAgents) {
      const read = agent.grantInstallerRead(grantee);
      if (read) grant = grant.combine(read);
    }
    if (this.scapScan) {
      const bucket = this.scapScan.reportBucket;
      const objects = bucket.arnForObjects(`${this.scapReportPrefix(this.scapScan)}${this.imageRecipeName}/*`);
      grant = grant.combine(iam.Grant.addToPrincipal({ grantee, actions: ['s3:PutObject'], resourceArns: [objects] }));
      if (bucket.encryptionKey) {
        grant = grant.combine(iam.Grant.addToPrincipal({ grantee, actions: ['kms:GenerateDataKey', 'kms:Decrypt'], resourceArns: [bucket.encryptionKey.keyArn] }));
      }
      const principal = grantee.grantPrincipal;
      if (Construct.isConstruct(principal)) {
        acknowledgeNagFindings(principal, {
          id: wildcardResourceFinding('AwsSolutions-IAM5', principal, objects),
          reason: 'SCAP compliance reports of each build are new objects under the recipe\'s own report prefix: their keys hold the build time and instance, so only a prefix can name them; the grant is s3:PutObject alone.',
        });
      }
    }
    return grant;
  }

  private needsBuildAccess(): boolean {
    return this.scapScan !== undefined || this.securityAgents.some(agent => agent.installerBucket !== undefined);
  }

  private defaultHardening(os: OperatingSystem): Hardening {
    if (os.cisSupported) {
      return Hardening.cis(CisLevel.LEVEL_1);
    }
    if (os.stigSupported) {
      return Hardening.stig(StigLevel.MEDIUM);
    }
    Annotations.of(this).addWarning(`operatingSystem '${os.id}' has no STIG component from AWS and no CIS component from this library: the image is not hardened (pass hardening: Hardening.none() to acknowledge, or harden with your own components)`);
    return Hardening.none();
  }

  private validateHardening(os: OperatingSystem, hardening: Hardening): void {
    if (hardening.standard === HardeningStandard.STIG && !os.stigSupported) {
      const stig = managedComponent('stigBuild', os.platform);
      throw new Error(`hardening '${hardening.toString()}' is not available for operatingSystem '${os.id}': AWS documents ${stig.name} for ${stig.documentedOperatingSystems}, not ${os.displayName}. Use ${os.cisSupported ? 'Hardening.cis(), ' : ''}Hardening.none() or your own components`);
    }
    if (hardening.standard === HardeningStandard.CIS && !os.cisSupported) {
      throw new Error(`hardening '${hardening.toString()}' is not available for operatingSystem '${os.id}': the library's CIS components are for the Linux families only. Use ${os.stigSupported ? 'Hardening.stig(), ' : ''}Hardening.none() or your own components`);
    }
  }

  private validateScapScan(os: OperatingSystem, architecture: ImageArchitecture, scap: ScapScanOptions): void {
    if (!os.supportsScapScan(architecture)) {
      const checker = managedComponent('scapComplianceChecker', os.platform);
      throw new Error(`scapScan is not available for operatingSystem '${os.id}' on architecture '${architecture}': AWS documents ${checker.name} for ${checker.documentedOperatingSystems}`);
    }
    const prefix = scap.reportPrefix;
    // The prefix is part of the IAM resource the build role may write to: no wildcard in it.
    if (prefix !== undefined) validateS3KeyForPolicy('scapScan.reportPrefix', prefix);
    if (prefix !== undefined && !Token.isUnresolved(prefix) && (!/^[A-Za-z0-9!_.'()/-]*$/.test(prefix) || prefix.startsWith('/') || (prefix.length > 0 && !prefix.endsWith('/')))) {
      throw new Error(`scapScan.reportPrefix must be empty or a key prefix ending in '/' (letters, digits, ! _ . ' ( ) - /, no leading '/'), got: '${prefix}'`);
    }
  }

  private validateSecurityAgents(os: OperatingSystem): void {
    validateUnique('securityAgents[].name', this.securityAgents.map(agent => agent.name));
    this.securityAgents.forEach((agent, index) => {
      if (agent.platform !== os.platform) {
        throw new Error(`securityAgents[${index}] '${agent.name}' is for ${agent.platform} but operatingSystem '${os.id}' is ${os.platform}, got platform: '${agent.platform}'`);
      }
    });
  }

  private renderRootVolume(os: OperatingSystem, props: HardenedBaseRecipeProps): RootVolumeOptions {
    const requested = props.rootVolume?.size;
    if (requested !== undefined) {
      const gib = requested.toGibibytes({ rounding: SizeRoundingBehavior.NONE });
      if (!Token.isUnresolved(gib) && gib < os.minRootVolumeSize.toGibibytes()) {
        throw new Error(`rootVolume.size must be at least ${os.minRootVolumeSize.toGibibytes()} GiB, the root volume of ${os.displayName} AMIs, got: '${gib} GiB'`);
      }
    }
    // A base image given without a root device has BaseImage's platform default, which is
    // wrong for Ubuntu and RHEL: the OS knows better, unless the device was given.
    const baseImageDevice = props.baseImage?._rootDeviceNameGiven ? props.baseImage.rootDeviceName : undefined;
    return {
      ...props.rootVolume,
      size: requested ?? os.minRootVolumeSize,
      deviceName: props.rootVolume?.deviceName ?? baseImageDevice ?? os.rootDeviceName,
    };
  }

  /**
   * A library component from an AWSTOE document, shared with the stack's other recipes that
   * render the same document: nothing of this recipe's own (its name, say) may be in it,
   * only in `parameters`.
   */
  private document(
    name: string,
    description: string,
    phases: ToePhase[],
    parameters?: { [name: string]: string },
    documentParameters?: Array<{ name: string; description: string }>,
  ): RecipeComponent {
    return RecipeComponent._sharedDocument({
      name,
      description,
      platform: this.platform,
      document: renderToeDocument({ name, description, platform: this.platform, phases, parameters: documentParameters }),
      parameters,
    });
  }

  private ssmAgentComponent(): RecipeComponent {
    if (this.platform === ImagePlatform.WINDOWS) {
      return this.document('ssm-agent', 'Keeps the SSM agent installed, enabled at boot and running', [
        { name: 'build', steps: [{ name: 'EnableSsmAgent', script: "Set-Service -Name 'AmazonSSMAgent' -StartupType Automatic" }] },
        { name: 'test', steps: [{ name: 'CheckSsmAgent', script: windowsServiceCheck('AmazonSSMAgent', 'SSM agent') }] },
      ]);
    }
    return this.document('ssm-agent', 'Keeps the SSM agent installed, enabled at boot and running', [
      { name: 'build', steps: [{ name: 'EnableSsmAgent', script: `${LINUX_SSM_UNIT}\nsystemctl enable "$unit"` }] },
      {
        name: 'test',
        steps: [{
          name: 'CheckSsmAgent',
          script: `${LINUX_SSM_UNIT}\nsystemctl is-enabled --quiet "$unit" || { echo "SSM agent: $unit is not enabled" >&2; exit 1; }\nsystemctl is-active --quiet "$unit" || { echo "SSM agent: $unit is not running" >&2; exit 1; }`,
        }],
      },
    ]);
  }

  private cloudWatchConfigComponent(config: string, logGroupPrefix: string): RecipeComponent {
    const description = 'Configures the CloudWatch agent with the golden image configuration and enables it at boot';
    const parameters: [{ [name: string]: string }, Array<{ name: string; description: string }>] = [
      { [LOG_GROUP_PREFIX_PARAMETER]: logGroupPrefix },
      [{ name: LOG_GROUP_PREFIX_PARAMETER, description: 'The prefix of the log groups the agent ships to' }],
    ];
    if (this.platform === ImagePlatform.WINDOWS) {
      const build = [
        "$configPath = Join-Path $env:ProgramData 'Amazon\\AmazonCloudWatchAgent\\golden-ami.json'",
        'New-Item -ItemType Directory -Force -Path (Split-Path $configPath) | Out-Null',
        "$config = @'",
        config,
        "'@",
        'Set-Content -Path $configPath -Value $config -Encoding ascii',
        "& (Join-Path $env:ProgramFiles 'Amazon\\AmazonCloudWatchAgent\\amazon-cloudwatch-agent-ctl.ps1') -a fetch-config -m ec2 -c \"file:$configPath\"",
        "Set-Service -Name 'AmazonCloudWatchAgent' -StartupType Automatic",
      ].join('\n');
      const test = [
        "$configPath = Join-Path $env:ProgramData 'Amazon\\AmazonCloudWatchAgent\\golden-ami.json'",
        'Get-Content -Raw -Path $configPath | ConvertFrom-Json | Out-Null',
        windowsServiceCheck('AmazonCloudWatchAgent', 'CloudWatch agent'),
      ].join('\n');
      return this.document('cloudwatch-agent-config', description, [
        { name: 'build', steps: [{ name: 'ConfigureCloudWatchAgent', script: build }] },
        { name: 'test', steps: [{ name: 'CheckCloudWatchAgent', script: test }] },
      ], ...parameters);
    }
    const build = [
      ...(this.operatingSystem === OperatingSystem.AMAZON_LINUX_2023
        ? [
          '# Amazon Linux 2023 logs to the journal only: rsyslog writes the files the agent ships.',
          'dnf install -y rsyslog',
          'systemctl enable --now rsyslog',
        ]
        : []),
      `cat > ${CW_CONFIG_LINUX} <<'GOLDEN_AMI_CLOUDWATCH_CONFIG'`,
      config,
      'GOLDEN_AMI_CLOUDWATCH_CONFIG',
      `${CW_AGENT_CTL_LINUX} -a fetch-config -m ec2 -c file:${CW_CONFIG_LINUX}`,
      'systemctl enable amazon-cloudwatch-agent',
    ].join('\n');
    const test = [
      `[ -s ${CW_CONFIG_LINUX} ] || { echo "CloudWatch agent: no configuration" >&2; exit 1; }`,
      linuxServiceCheck('amazon-cloudwatch-agent', 'CloudWatch agent'),
    ].join('\n');
    return this.document('cloudwatch-agent-config', description, [
      { name: 'build', steps: [{ name: 'ConfigureCloudWatchAgent', script: build }] },
      { name: 'test', steps: [{ name: 'CheckCloudWatchAgent', script: test }] },
    ], ...parameters);
  }

  private securityAgentComponent(agent: SecurityAgent): RecipeComponent {
    const windows = this.platform === ImagePlatform.WINDOWS;
    const directory = windows ? `C:\\ProgramData\\GoldenAmi\\agents\\${agent.name}` : `/var/tmp/golden-ami/agents/${agent.name}`;
    const buildSteps: ToeStep[] = [];
    const fromS3 = agent.installerBucket !== undefined;
    const installer = fromS3 ? (windows ? `${directory}\\${agent.installerFileName}` : `${directory}/${agent.installerFileName}`) : undefined;
    buildSteps.push({
      name: 'PrepareDirectory',
      script: windows
        ? `New-Item -ItemType Directory -Force -Path ${powershellQuote(directory)} | Out-Null`
        : `mkdir -p ${bashQuote(directory)}`,
    });
    if (fromS3) {
      buildSteps.push({
        name: 'DownloadInstaller',
        action: ToeAction.S3_DOWNLOAD,
        transfers: [{ source: 's3://{{ InstallerBucket }}/{{ InstallerKey }}', destination: installer! }],
      });
    }
    const install = windows
      ? [
        `Set-Location -Path ${powershellQuote(directory)}`,
        ...(installer ? [`$Installer = ${powershellQuote(installer)}`] : []),
        '$global:LASTEXITCODE = 0',
        agent.installCommand,
        `if ($LASTEXITCODE -ne 0) { throw "security agent '${agent.name}' install failed with exit code $LASTEXITCODE" }`,
      ].join('\n')
      : [
        `cd ${bashQuote(directory)}`,
        ...(installer ? [`export INSTALLER=${bashQuote(installer)}`] : []),
        agent.installCommand,
      ].join('\n');
    buildSteps.push({ name: 'Install', script: install });
    buildSteps.push({
      name: 'RemoveInstaller',
      script: windows ? `Remove-Item -Recurse -Force -Path ${powershellQuote(directory)}` : `rm -rf ${bashQuote(directory)}`,
    });

    const check = windows
      ? [
        '$global:LASTEXITCODE = 0',
        agent.checkCommand,
        `if ($LASTEXITCODE -ne 0) { throw "security agent '${agent.name}' check failed with exit code $LASTEXITCODE" }`,
      ].join('\n')
      : agent.checkCommand;
    const testSteps: ToeStep[] = [{ name: 'Check', script: check }];
    if (agent.serviceName) {
      testSteps.push({
        name: 'CheckService',
        script: windows ? windowsServiceCheck(agent.serviceName, `security agent ${agent.name}`) : linuxServiceCheck(agent.serviceName, `security agent ${agent.name}`),
      });
    }
    return this.document(
      `agent-${agent.name}`,
      `Installs and checks the security agent ${agent.name}`,
      [{ name: 'build', steps: buildSteps }, { name: 'test', steps: testSteps }],
      fromS3 ? { InstallerBucket: agent.installerBucket!.bucketName, InstallerKey: agent.installerKey! } : undefined,
      fromS3 ? [
        { name: 'InstallerBucket', description: 'The bucket holding the installer' },
        { name: 'InstallerKey', description: 'The installer object key' },
      ] : undefined,
    );
  }

  private cisComponents(): RecipeComponent[] {
    const controls = cisControlsFor(this.hardening.cisLevel!);
    const level = this.hardening.toString();
    const sections = [CisSection.KERNEL, CisSection.NETWORK, CisSection.SSH, CisSection.ACCOUNTS, CisSection.LOGGING];
    return sections
      .map(section => ({ section, controls: controls.filter(control => control.section === section) }))
      .filter(({ controls: inSection }) => inSection.length > 0)
      .map(({ section, controls: inSection }) => this.document(
        `cis-${section}`,
        `${level} controls (${section}): ${inSection.map(control => control.id).join(', ')}. A subset of the CIS benchmark, see docs/cis-controls.md`,
        [
          { name: 'build', steps: inSection.map(control => ({ name: toStepName(`Apply_${control.id}`), script: cisApplyScript(control) })) },
          { name: 'test', steps: inSection.map(control => ({ name: toStepName(`Check_${control.id}`), script: cisCheckScript(control) })) },
        ],
      ));
  }

  private scapReportPrefix(scap: ScapScanOptions): string {
    return scap.reportPrefix ?? 'scap-reports/';
  }

  private scapReportComponent(scap: ScapScanOptions): RecipeComponent {
    const windows = this.platform === ImagePlatform.WINDOWS;
    const staging = windows ? 'C:\\ProgramData\\GoldenAmi\\scap' : '/var/tmp/golden-ami-scap';
    const phases: ToePhase[] = (['validate', 'test'] as const).map(phase => ({
      name: phase,
      steps: [
        { name: 'CollectScapResults', script: windows ? this.collectScapWindows(staging, phase) : this.collectScapLinux(staging, phase) },
        {
          name: 'UploadScapResults',
          action: ToeAction.S3_UPLOAD,
          transfers: [{
            source: windows ? `${staging}\\*` : `${staging}/*`,
            destination: `s3://{{ ReportBucket }}/{{ ReportPrefix }}{{ ${RECIPE_NAME_PARAMETER} }}/`,
            recurse: true,
          }],
        },
        {
          name: 'RemoveStagedResults',
          script: windows ? `Remove-Item -Recurse -Force -Path ${powershellQuote(staging)}` : `rm -rf ${bashQuote(staging)}`,
        },
      ],
    }));
    return this.document(
      'scap-report',
      'Keeps the SCAP Compliance Checker results of the build (validate phase) and of the test instance (test phase) in S3 as audit evidence',
      phases,
      {
        ReportBucket: scap.reportBucket.bucketName,
        ReportPrefix: this.scapReportPrefix(scap),
        [RECIPE_NAME_PARAMETER]: scriptParameterValue('recipeName', this.imageRecipeName, RECIPE_NAME_CHARACTERS),
      },
      [
        { name: 'ReportBucket', description: 'The bucket that receives the SCAP reports' },
        { name: 'ReportPrefix', description: 'The key prefix of the SCAP reports' },
        { name: RECIPE_NAME_PARAMETER, description: 'The recipe name: reports are kept under <ReportPrefix><RecipeName>/' },
      ],
    );
  }

  private collectScapLinux(staging: string, phase: string): string {
    const results = SCAP_REPORT_LOCATION.linux;
    return [
      `staging=${bashQuote(staging)}`,
      `results=${bashQuote(results)}`,
      `recipe='{{ ${RECIPE_NAME_PARAMETER} }}'`,
      'rm -rf "$staging"',
      '# scap-compliance-checker-linux saves its report and score here (AWS documents this folder).',
      'if [ ! -d "$results" ] || [ -z "$(ls -A "$results")" ]; then',
      '  echo "SCAP: no report in $results: the SCAP Compliance Checker component wrote none" >&2',
      '  exit 1',
      'fi',
      "token=$(curl -sSf -X PUT http://169.254.169.254/latest/api/token -H 'X-aws-ec2-metadata-token-ttl-seconds: 300')",
      'instance=$(curl -sSf -H "X-aws-ec2-metadata-token: ${token}" http://169.254.169.254/latest/meta-data/instance-id)',
      `run="$(date -u +%Y%m%dT%H%M%SZ)-\${instance}-${phase}"`,
      'mkdir -p "$staging/$run"',
      'cp -r "$results" "$staging/$run/"',
      '{',
      '  echo "recipe: ${recipe}"',
      `  echo "phase: ${phase}"`,
      '  echo "instance: ${instance}"',
      '  echo "scc results: ${results}"',
      '} > "$staging/$run/manifest.txt"',
    ].join('\n');
  }

  private collectScapWindows(staging: string, phase: string): string {
    return [
      `$staging = ${powershellQuote(staging)}`,
      'if (Test-Path $staging) { Remove-Item -Recurse -Force -Path $staging }',
      '# scap-compliance-checker-windows saves its report and score on the instance desktop (AWS',
      '# documents it so): the desktop of the account AWSTOE runs as, which runs this step too.',
      "$desktops = @([Environment]::GetFolderPath('Desktop'), [Environment]::GetFolderPath('CommonDesktopDirectory')) | Where-Object { $_ -and (Test-Path $_) } | Select-Object -Unique",
      "$reports = @($desktops | ForEach-Object { Get-ChildItem -Force -Path $_ } | Where-Object { $_.Name -ne 'desktop.ini' -and $_.Extension -ne '.lnk' })",
      "if ($reports.Count -eq 0) { throw ('SCAP: no report on the desktop (' + ($desktops -join ', ') + '): the SCAP Compliance Checker component wrote none') }",
      "$token = Invoke-RestMethod -Method Put -Uri 'http://169.254.169.254/latest/api/token' -Headers @{ 'X-aws-ec2-metadata-token-ttl-seconds' = '300' }",
      "$instance = Invoke-RestMethod -Uri 'http://169.254.169.254/latest/meta-data/instance-id' -Headers @{ 'X-aws-ec2-metadata-token' = $token }",
      `$run = '{0}-{1}-${phase}' -f (Get-Date).ToUniversalTime().ToString('yyyyMMddTHHmmssZ'), $instance`,
      '$target = Join-Path $staging $run',
      'New-Item -ItemType Directory -Force -Path $target | Out-Null',
      '$reports | ForEach-Object { Copy-Item -Recurse -Force -Path $_.FullName -Destination $target }',
      `Set-Content -Path (Join-Path $target 'manifest.txt') -Value @('recipe: {{ ${RECIPE_NAME_PARAMETER} }}', 'phase: ${phase}', "instance: $instance", ('scc reports: ' + (($reports | ForEach-Object { $_.Name }) -join ', ')))`,
    ].join('\n');
  }

  private checksComponent(inspectorReady: boolean, awsCli: boolean): RecipeComponent {
    const windows = this.platform === ImagePlatform.WINDOWS;
    const steps: ToeStep[] = [];
    if (awsCli) {
      steps.push({
        name: 'CheckAwsCli',
        script: windows
          ? [
            "$version = & (Join-Path $env:ProgramFiles 'Amazon\\AWSCLIV2\\aws.exe') --version",
            "if (-not ($version -match '^aws-cli/2\\.')) { throw \"AWS CLI v2 is not installed, got: $version\" }",
          ].join('\n')
          : [
            'version=$(aws --version 2>&1)',
            'case "$version" in',
            '  aws-cli/2.*) ;;',
            '  *) echo "AWS CLI v2 is not installed, got: $version" >&2; exit 1 ;;',
            'esac',
          ].join('\n'),
      });
    }
    if (inspectorReady) {
      steps.push({
        name: 'CheckInspectorReady',
        script: windows
          ? [
            '# Inspector v2 scans through the SSM agent; the Inspector Classic agent must not linger.',
            windowsServiceCheck('AmazonSSMAgent', 'Inspector readiness'),
            "if (Get-Service -Name 'AWSAgent' -ErrorAction SilentlyContinue) { throw 'the Inspector Classic agent (AWSAgent) is installed' }",
          ].join('\n')
          : [
            '# Inspector v2 scans through the SSM agent; the Inspector Classic agent must not linger.',
            LINUX_SSM_UNIT,
            'systemctl is-active --quiet "$unit" || { echo "Inspector readiness: $unit is not running" >&2; exit 1; }',
            'if systemctl cat awsagent.service >/dev/null 2>&1; then',
            '  echo "the Inspector Classic agent (awsagent) is installed" >&2',
            '  exit 1',
            'fi',
          ].join('\n'),
      });
    }
    if (this.hardening.standard === HardeningStandard.STIG) {
      steps.push({
        name: 'CheckStigMarkers',
        script: windows
          ? [
            '# Settings every STIG level requires; they must hold after hardening.',
            '$disabled = @(Get-NetFirewallProfile | Where-Object { -not $_.Enabled })',
            "if ($disabled.Count -gt 0) { throw ('firewall profiles disabled: ' + ($disabled.Name -join ', ')) }",
            "if ((Get-SmbServerConfiguration).EnableSMB1Protocol) { throw 'SMBv1 is enabled' }",
          ].join('\n')
          : [
            '# Settings every STIG level requires; they must hold after hardening.',
            'mkdir -p /run/sshd',
            'sshd -t',
            'effective=$(sshd -T -C user=root,host=localhost,addr=127.0.0.1)',
            'for setting in "permitemptypasswords no" "permituserenvironment no"; do',
            '  grep -qix "$setting" <<< "$effective" || { echo "STIG: sshd does not have $setting" >&2; exit 1; }',
            'done',
          ].join('\n'),
      });
    }
    if (steps.length === 0) {
      steps.push({
        name: 'CheckBoot',
        script: windows ? "Write-Output 'instance launched from the image'" : 'echo "instance launched from the image"',
      });
    }
    return this.document('checks', 'Checks that the AWS CLI, Inspector readiness and the hardening markers hold on an instance launched from the image', [
      { name: 'test', steps },
    ]);
  }
}

/** Warns at synth when a recipe needs S3 access that nobody granted. */
class BuildAccessWarning implements IAspect {
  constructor(private readonly recipe: HardenedBaseRecipe, private readonly granted: () => boolean) {}

  public visit(node: IConstruct): void {
    if (node === this.recipe && !this.granted()) {
      Annotations.of(this.recipe).addWarning('HardenedBaseRecipe reads security agent installers or writes SCAP reports in S3: call grantBuildAccess(infrastructure.instanceRole) with the build infrastructure of the GoldenImage that builds it');
    }
  }
}
