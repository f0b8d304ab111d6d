import { Token } from 'aws-cdk-lib';
import { ImageArchitecture, ImagePlatform } from './platform';
import { PUBLIC_AMI_PARAMETERS } from './private/aws-catalogue';
import { IMAGE_BUILDER_IMAGE_ARN, validateAmiId, validateDeviceName, validateSsmParameterName } from './private/validation';


/**
 * Options for a base image given by SSM parameter, AMI ID or image ARN.
 */
export interface BaseImageOptions {
  /**
   * The operating system family of the image.
   *
   * @default ImagePlatform.LINUX
   */
  readonly platform?: ImagePlatform;

  /**
   * The image's root device name. The recipe's encrypted root volume is mapped to it; a
   * wrong name adds a second volume instead of configuring the root one. Amazon Linux AMIs
   * use `/dev/xvda`; Red Hat Enterprise Linux, Ubuntu and Windows AMIs use `/dev/sda1`, so
   * pass it for a RHEL or Ubuntu AMI (a HardenedBaseRecipe knows its operating system's
   * device and uses it when this is not given).
   *
   * @default '/dev/xvda' for Linux (the Amazon Linux device), '/dev/sda1' for Windows
   */
  readonly rootDeviceName?: string;
}

/**
 * The image a recipe starts from.
 *
 * Prefer an SSM parameter: the parent then follows the publisher's latest AMI, and a
 * pipeline scheduled "only when dependencies changed" rebuilds when the parameter moves.
 */
export class BaseImage {
  /**
   * The latest Amazon Linux 2023 AMI, read from the public SSM parameter at build time.
   *
   * @param architecture the CPU architecture
   */
  public static amazonLinux2023(architecture: ImageArchitecture = ImageArchitecture.X86_64): BaseImage {
    const parameter = PUBLIC_AMI_PARAMETERS.AMAZON_LINUX_2023[architecture];
    if (!parameter) {
      throw new Error(`architecture must be one Amazon Linux 2023 is published for (x86_64, arm64), got: '${architecture}'`);
    }
    return new BaseImage(`ssm:${parameter.name}`, { platform: ImagePlatform.LINUX });
  }

  /**
   * An AMI ID read from an SSM parameter when the image is built, for example
   * `/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64` or the parameter
   * another golden image publishes.
   *
   * @param parameterName the parameter name, with a leading `/`, or its ARN
   */
  public static fromSsmParameterName(parameterName: string, options: BaseImageOptions = {}): BaseImage {
    if (!Token.isUnresolved(parameterName) && !parameterName.startsWith('arn:')) {
      if (!parameterName.startsWith('/')) {
        throw new Error(`baseImage parameter name must start with '/' (or be a parameter ARN), got: '${parameterName}'`);
      }
      // AWS public parameters live under /aws/service: allowed here, unlike for names we write.
      if (!parameterName.startsWith('/aws/')) {
        validateSsmParameterName('baseImage parameter name', parameterName);
      }
    }
    return new BaseImage(`ssm:${parameterName}`, options);
  }

  /**
   * A fixed AMI. Rebuilds use the same AMI until the recipe is changed.
   *
   * @param amiId the AMI ID, for example a Marketplace CIS hardened image
   */
  public static fromAmiId(amiId: string, options: BaseImageOptions = {}): BaseImage {
    validateAmiId('baseImage AMI ID', amiId);
    return new BaseImage(amiId, options);
  }

  /**
   * An EC2 Image Builder image, yours or AWS-managed, by ARN. Use `x` version parts
   * (for example `.../image/amazon-linux-2023-x86/x.x.x`) to follow the latest version.
   *
   * @param imageArn the image ARN
   */
  public static fromImageArn(imageArn: string, options: BaseImageOptions = {}): BaseImage {
    if (!Token.isUnresolved(imageArn) && !IMAGE_BUILDER_IMAGE_ARN.test(imageArn)) {
      throw new Error(`baseImage image ARN must be an Image Builder image ARN (arn:aws:imagebuilder:<region>:<account|aws>:image/<name>/<version>), got: '${imageArn}'`);
    }
    return new BaseImage(imageArn, options);
  }

  /**
   * The value Image Builder takes as the recipe's parent image.
   */
  public readonly parentImage: string;

  /**
   * The operating system family of the image.
   */
  public readonly platform: ImagePlatform;

  /**
   * The root device name the recipe maps its encrypted root volume to.
   */
  public readonly rootDeviceName: string;

  /**
   * Whether `rootDeviceName` was given, rather than the platform's default: a recipe that knows
   * its operating system's device better uses it only when it was given.
   *
   * @internal
   */
  public readonly _rootDeviceNameGiven: boolean;

  private constructor(parentImage: string, options: BaseImageOptions) {
    this.parentImage = parentImage;
    this.platform = options.platform ?? ImagePlatform.LINUX;
    this._rootDeviceNameGiven = options.rootDeviceName !== undefined;
    this.rootDeviceName = options.rootDeviceName ?? (this.platform === ImagePlatform.WINDOWS ? '/dev/sda1' : '/dev/xvda');
    validateDeviceName('baseImage rootDeviceName', this.rootDeviceName);
  }
}
