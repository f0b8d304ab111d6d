import { Annotations, CfnParameter, IAspect, Stack, Token } from 'aws-cdk-lib';
import * as autoscaling from 'aws-cdk-lib/aws-autoscaling';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { IConstruct } from 'constructs';
import { IGoldenImage } from './golden-image';
import { DEFAULT_CATALOG_PREFIX } from './private/catalog';
import { quoteValue, validateArray, validateSsmParameterName, validateString } from './private/validation';

/**
 * What `RequireGoldenImages` does with an image that is not a golden image.
 */
export enum UnapprovedImageSeverity {
  /** An error annotation: `cdk synth` and `cdk deploy` fail. */
  ERROR = 'ERROR',
  /**
   * A warning annotation with the id `cdk-golden-ami:unapprovedImage`, which
   * `Annotations.of(resource).acknowledgeWarning` can acknowledge for one resource.
   */
  WARNING = 'WARNING',
}

/**
 * Properties of RequireGoldenImages.
 */
export interface RequireGoldenImagesProps {
  /**
   * SSM parameter hierarchies whose parameters are approved golden images, each with a leading
   * and a trailing `/`. A parameter is under a prefix when its name starts with it, so
   * `/golden-ami/` approves `/golden-ami/base/latest` and not `/golden-ami-other/base`.
   * Pass an empty list to approve only `images` and `parameterNames`.
   *
   * @default - the one prefix `/golden-ami/`, where GoldenImage publishes by default
   */
  readonly parameterPrefixes?: string[];

  /**
   * Golden images whose SSM parameters are approved, whatever their names: a GoldenImage of
   * the same app, or one imported with `GoldenImage.fromParameterName`.
   *
   * @default - none
   */
  readonly images?: IGoldenImage[];

  /**
   * SSM parameter names that are approved golden images.
   *
   * @default - none
   */
  readonly parameterNames?: string[];

  /**
   * Whether an image that is not approved is an error or a warning.
   *
   * @default UnapprovedImageSeverity.ERROR
   */
  readonly severity?: UnapprovedImageSeverity;
}

/** The warning id, stable so that a warning can be acknowledged. */
const WARNING_ID = 'cdk-golden-ami:unapprovedImage';

/*
 * The forms an approved image takes in a template:
 * - `resolve:ssm:<name>[:<version or label>]`, which EC2 resolves at each launch
 *   (https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/using-systems-manager-parameter-to-find-AMI.html;
 *   the ImageId of https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_RequestLaunchTemplateData.html
 *   lists the same-account, public and shared-ARN forms);
 * - `{{resolve:ssm:<name>[:<version>]}}`, a dynamic reference CloudFormation resolves at deploy
 *   (https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/dynamic-references-ssm.html);
 * - a Ref to a template parameter of type `AWS::SSM::Parameter::Value<AWS::EC2::Image::Id>`,
 *   which CloudFormation reads at deploy from the parameter its Default names
 *   (https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/parameters-section-structure.html#aws-ssm-parameter-types).
 */
const LAUNCH_TIME = /^resolve:ssm:(.+)$/;
const DYNAMIC_REFERENCE = /^\{\{resolve:ssm:(.+)\}\}$/;
const AMI_PARAMETER_TYPE = 'AWS::SSM::Parameter::Value<AWS::EC2::Image::Id>';

/**
 * Requires every EC2 instance, launch template and Auto Scaling launch configuration of an app
 * to launch from a golden image: an SSM parameter of the catalog (`parameterPrefixes`) or of
 * the given `images` and `parameterNames`, read at launch (`resolve:ssm:`) or at deploy (a
 * dynamic reference or an AMI-typed template parameter), as `GoldenImage.machineImage()` gives
 * with either resolution. Anything else gets an error (or a warning) at synth, on the resource:
 * a literal AMI ID, an AWS public parameter (`ec2.MachineImage.latestAmazonLinux2023()`), a
 * synth-time lookup, a parameter outside the catalog, an image ID that cannot be read at synth.
 *
 * Add it to the app: `Aspects.of(app).add(new RequireGoldenImages())`.
 *
 * Auto Scaling groups and EC2 fleets built on launch templates are covered through their
 * templates; a launch template that names no image (the instance names it) passes. It reads the
 * L1 properties `CfnInstance.imageId`, `CfnLaunchTemplate.launchTemplateData.imageId` and
 * `CfnLaunchConfiguration.imageId`, not raw overrides (`addPropertyOverride`). A template
 * parameter is judged by its default, which a deployer can override: the compliance rule
 * (`GoldenAmiComplianceRule`) catches that at run time.
 */
export class RequireGoldenImages implements IAspect {
  private readonly prefixes: string[];
  private readonly names: string[];
  private readonly images: IGoldenImage[];
  private readonly severity: UnapprovedImageSeverity;
  /** Each stack's template parameters by logical ID, read when a Ref is first met. */
  private readonly parameters = new Map<Stack, Map<string, CfnParameter>>();

  constructor(props: RequireGoldenImagesProps = {}) {
    validateArray('RequireGoldenImages parameterPrefixes', props.parameterPrefixes);
    validateArray('RequireGoldenImages images', props.images);
    validateArray('RequireGoldenImages parameterNames', props.parameterNames);
    this.prefixes = props.parameterPrefixes ?? [DEFAULT_CATALOG_PREFIX];
    this.prefixes.forEach((prefix, i) => validatePrefix(`RequireGoldenImages parameterPrefixes[${i}]`, prefix));
    this.names = [...props.parameterNames ?? []];
    this.names.forEach((name, i) => {
      validateString(`RequireGoldenImages parameterNames[${i}]`, name);
      validateSsmParameterName(`RequireGoldenImages parameterNames[${i}]`, name);
      if (Token.isUnresolved(name)) {
        throw new Error(`RequireGoldenImages parameterNames[${i}] must be known at synth time (it is compared with the templates), got a token: ${quoteValue(name)}`);
      }
    });
    this.images = [...props.images ?? []];
    if (props.severity !== undefined && !Object.values(UnapprovedImageSeverity).includes(props.severity)) {
      throw new Error(`RequireGoldenImages severity must be one of ${Object.values(UnapprovedImageSeverity).join(', ')}, got: ${quoteValue(props.severity)}`);
    }
    this.severity = props.severity ?? UnapprovedImageSeverity.ERROR;
    if (this.prefixes.length === 0 && this.names.length === 0 && this.images.length === 0) {
      throw new Error('RequireGoldenImages approves nothing: give parameterPrefixes, images or parameterNames, got: parameterPrefixes: [] and no images or parameterNames');
    }
  }

  public visit(node: IConstruct): void {
    if (node instanceof ec2.CfnInstance) {
      this.check(node, 'EC2 instance', node.imageId);
    } else if (node instanceof ec2.CfnLaunchTemplate) {
      const data = Stack.of(node).resolve(node.launchTemplateData);
      // A typed launchTemplateData keeps its camelCase keys; a token may render CloudFormation's.
      this.check(node, 'launch template', data?.imageId ?? data?.ImageId);
    } else if (node instanceof autoscaling.CfnLaunchConfiguration) {
      this.check(node, 'launch configuration', node.imageId);
    }
  }

  private check(resource: IConstruct, kind: string, imageId: unknown): void {
    // No image: the instance or the group's override names it, and is checked there.
    if (imageId === undefined) return;
    const stack = Stack.of(resource);
    const image = stack.resolve(imageId);
    const problem = this.judge(stack, image);
    if (problem === undefined) return;
    const message = `${kind} ${resource.node.path} must launch from a golden image: its image is ${problem}. `
      + `Approved: resolve:ssm:NAME (read at launch), {{resolve:ssm:NAME}} or a template parameter of type ${AMI_PARAMETER_TYPE} `
      + `defaulting to NAME, where NAME is ${this.describeApproved()}; GoldenImage.fromParameterName(...).machineImage() gives one`;
    if (this.severity === UnapprovedImageSeverity.WARNING) {
      Annotations.of(resource).addWarningV2(WARNING_ID, message);
    } else {
      Annotations.of(resource).addError(message);
    }
  }

  /** Undefined when the resolved image is approved, otherwise what it is, for the message. */
  private judge(stack: Stack, image: unknown): string | undefined {
    if (typeof image === 'string') {
      const launchTime = LAUNCH_TIME.exec(image) ?? DYNAMIC_REFERENCE.exec(image);
      if (launchTime) {
        const name = parameterName(launchTime[1]);
        return this.isApproved(name) ? undefined : `${quoteValue(image)}, the SSM parameter ${quoteValue(name)}, which is not an approved one`;
      }
      return `${quoteValue(image)}, a value fixed at synth (a literal AMI ID or a lookup)`;
    }
    const ref = refOf(image);
    if (ref !== undefined) {
      const parameter = this.templateParameter(stack, ref);
      if (!parameter) {
        return `a reference to ${quoteValue(ref)}, which is not a template parameter`;
      }
      const defaultName = parameter.default;
      if (parameter.type !== AMI_PARAMETER_TYPE) {
        return `the template parameter ${quoteValue(ref)} of type ${quoteValue(parameter.type)}, which a deployer fills in`;
      }
      if (typeof defaultName !== 'string' || Token.isUnresolved(defaultName)) {
        return `the template parameter ${quoteValue(ref)} with no literal default`;
      }
      return this.isApproved(defaultName) ? undefined : `the template parameter ${quoteValue(ref)} defaulting to the SSM parameter ${quoteValue(defaultName)}, which is not an approved one`;
    }
    // A token name (a GoldenImage or import named by a reference): approved when it renders as
    // an approved image's name does.
    const rendered = JSON.stringify(image);
    const approvedImage = this.images.some(i => [`resolve:ssm:${i.ssmParameterName}`, `{{resolve:ssm:${i.ssmParameterName}}}`]
      .some(form => JSON.stringify(stack.resolve(form)) === rendered));
    return approvedImage ? undefined : `${quoteValue(rendered)}, which cannot be read at synth`;
  }

  /** The stack's template parameter with this logical ID; the stack is read once, again on a miss. */
  private templateParameter(stack: Stack, logicalId: string): CfnParameter | undefined {
    let parameters = this.parameters.get(stack);
    if (!parameters?.has(logicalId)) {
      parameters = new Map(stack.node.findAll()
        .filter((c): c is CfnParameter => c instanceof CfnParameter && Stack.of(c) === stack)
        .map(p => [stack.resolve(p.logicalId) as string, p]));
      this.parameters.set(stack, parameters);
    }
    return parameters.get(logicalId);
  }

  private isApproved(name: string): boolean {
    if (this.names.includes(name) || this.prefixes.some(prefix => name.startsWith(prefix))) return true;
    return this.images.some(image => !Token.isUnresolved(image.ssmParameterName) && image.ssmParameterName === name);
  }

  private describeApproved(): string {
    const parts: string[] = [];
    if (this.prefixes.length > 0) parts.push(`under ${this.prefixes.map(p => `'${p}'`).join(' or ')}`);
    const names = [...this.names, ...this.images.map(i => Token.isUnresolved(i.ssmParameterName) ? `the parameter of ${i.node.path}` : `'${i.ssmParameterName}'`)];
    if (names.length > 0) parts.push(`one of ${names.join(', ')}`);
    return parts.join(' or ');
  }
}

/** The parameter a `resolve:ssm:` reference names, without its version or label. */
function parameterName(reference: string): string {
  // A shared parameter's ARN has colons of its own; it is never under a prefix, so it is kept whole.
  if (reference.startsWith('arn:')) return reference;
  const colon = reference.indexOf(':');
  return colon < 0 ? reference : reference.slice(0, colon);
}

/** The logical ID of a `{ Ref }`, or undefined. */
function refOf(image: unknown): string | undefined {
  if (typeof image !== 'object' || image === null) return undefined;
  const keys = Object.keys(image);
  const ref = (image as Record<string, unknown>).Ref;
  return keys.length === 1 && typeof ref === 'string' ? ref : undefined;
}

function validatePrefix(prop: string, prefix: string): void {
  if (Token.isUnresolved(prefix)) {
    throw new Error(`${prop} must be known at synth time (it is compared with the templates), got a token: ${quoteValue(prefix)}`);
  }
  if (typeof prefix !== 'string' || !/^\/([A-Za-z0-9_.-]+\/)+$/.test(prefix)) {
    throw new Error(`${prop} must be an SSM parameter hierarchy that starts and ends with '/', such as '/golden-ami/' (letters, digits, _ . - between the slashes), got: ${quoteValue(prefix)}`);
  }
  if (/^\/(aws|ssm)\//i.test(prefix)) {
    throw new Error(`${prop} must not be under /aws/ or /ssm/ (reserved by AWS: the public parameters are not golden images), got: ${quoteValue(prefix)}`);
  }
}
