import { Stack, Token } from 'aws-cdk-lib';
import { BaseImage, BaseImageOptions } from '../base-image';
import { GoldenImage, IGoldenImage } from '../golden-image';
import { OperatingSystem } from '../hardened/operating-system';
import { ImagePlatform } from '../platform';
import { IMAGE_BUILDER_IMAGE_ARN, validateSsmParameterName } from '../private/validation';


/**
 * The golden image an application image is layered on.
 *
 * Only published golden AMIs qualify: the SSM parameter a GoldenImage writes after a build
 * has passed its tests and scans, or the images of your own factory's pipeline. AWS public
 * images are refused: layer on a golden image, not around it.
 */
export class ParentImage {
  /**
   * A GoldenImage of this app, or one imported with `GoldenImage.fromParameterName`.
   * When it is built in the same account and region, each of its successful builds
   * starts a build of the application image.
   */
  public static fromGoldenImage(image: IGoldenImage): ParentImage {
    if (image.platform !== ImagePlatform.LINUX) {
      throw new Error(`parent must be a Linux golden image for an ECS application image, got a ${image.platform} image: '${image.node.path}'`);
    }
    // The parent's recipe knows its root device (Ubuntu and RHEL use /dev/sda1), and a
    // HardenedBaseRecipe its operating system.
    const recipe = image instanceof GoldenImage ? image.recipe as unknown as { baseImage?: unknown; operatingSystem?: unknown } : undefined;
    const rootDeviceName = recipe?.baseImage instanceof BaseImage ? recipe.baseImage.rootDeviceName : undefined;
    const operatingSystem = recipe?.operatingSystem instanceof OperatingSystem ? recipe.operatingSystem : undefined;
    return new ParentImage(`ssm:${image.ssmParameterName}`, { platform: image.platform, rootDeviceName }, image, operatingSystem);
  }

  /**
   * The SSM parameter a golden image publishes to, in this account and region.
   *
   * @param parameterName for example '/golden-ami/al2023-base-x86_64/latest'
   * @param options the parent's root device, when it is not /dev/xvda
   */
  public static fromSsmParameter(parameterName: string, options: BaseImageOptions = {}): ParentImage {
    if (!Token.isUnresolved(parameterName) && parameterName.startsWith('/aws/')) {
      throw new Error(`parent must be a golden image, not an AWS public image parameter, got: '${parameterName}'`);
    }
    validateSsmParameterName('parent SSM parameter', parameterName);
    return new ParentImage(`ssm:${parameterName}`, options);
  }

  /**
   * The images of a golden image pipeline, by Image Builder image ARN; with `x` version
   * parts (`.../image/al2023-base/x.x.x`) the latest build is used.
   *
   * @param imageArn an Image Builder image ARN of your image factory
   * @param options the parent's root device, when it is not /dev/xvda
   */
  public static fromImageArn(imageArn: string, options: BaseImageOptions = {}): ParentImage {
    if (!Token.isUnresolved(imageArn)) {
      const match = IMAGE_BUILDER_IMAGE_ARN.exec(imageArn);
      if (!match) {
        throw new Error(`parent must be an Image Builder image ARN (arn:aws:imagebuilder:<region>:<account>:image/<name>/<version>), got: '${imageArn}'`);
      }
      if (match[1] === 'aws') {
        throw new Error(`parent must be a golden image of your image factory, not an AWS-managed image, got: '${imageArn}'`);
      }
    }
    return new ParentImage(imageArn, options);
  }

  /**
   * The recipe's base image.
   */
  public readonly baseImage: BaseImage;

  /** @internal */
  public readonly _goldenImage?: IGoldenImage;

  /**
   * The parent's operating system, when the library knows it (a GoldenImage of a
   * HardenedBaseRecipe).
   *
   * @internal
   */
  public readonly _operatingSystem?: OperatingSystem;

  /** The image ARN the parent was given by, if it was. */
  private readonly imageArn?: string;

  private constructor(parentImage: string, options: BaseImageOptions, goldenImage?: IGoldenImage, operatingSystem?: OperatingSystem) {
    if (options.platform !== undefined && options.platform !== ImagePlatform.LINUX) {
      throw new Error(`parent must be a Linux image for an ECS application image, got platform: '${options.platform}'`);
    }
    this.baseImage = parentImage.startsWith('ssm:')
      ? BaseImage.fromSsmParameterName(parentImage.slice('ssm:'.length), options)
      : BaseImage.fromImageArn(parentImage, options);
    this._goldenImage = goldenImage;
    this._operatingSystem = operatingSystem;
    this.imageArn = parentImage.startsWith('ssm:') ? undefined : parentImage;
  }

  /**
   * What the library knows of where the parent's build events come from: the account,
   * region and recipe of a GoldenImage of this app, or those in an image ARN.
   *
   * @internal
   */
  public _buildEventSource(): { account?: string; region?: string; recipeName?: string } {
    const image = this._goldenImage;
    if (image instanceof GoldenImage) {
      const stack = Stack.of(image);
      return { account: stack.account, region: stack.region, recipeName: image.recipe.imageRecipeName };
    }
    if (this.imageArn !== undefined && !Token.isUnresolved(this.imageArn)) {
      // arn:<partition>:imagebuilder:<region>:<account>:image/<recipe name>/<version>
      const [, , , region, account, resource] = this.imageArn.split(':');
      return { account, region, recipeName: resource.split('/')[1] };
    }
    return {};
  }

  /**
   * The SSM parameter the parent is read from, in this account and region, if it is given by one.
   *
   * @internal
   */
  public _parameterName(): string | undefined {
    const parent = this.baseImage.parentImage;
    return parent.startsWith('ssm:') ? parent.slice('ssm:'.length) : undefined;
  }

  /**
   * How the parent is named in messages.
   *
   * @internal
   */
  public _label(): string {
    return this._goldenImage?.node.path ?? this.baseImage.parentImage;
  }

  /**
   * The parent GoldenImage when it is built by this app in the same account and region as
   * `stack`, so that its build events reach the stack's event bus.
   *
   * @internal
   */
  public _sameEnvironmentPipeline(stack: Stack): GoldenImage | undefined {
    const image = this._goldenImage;
    if (!(image instanceof GoldenImage)) return undefined;
    const parentStack = Stack.of(image);
    return parentStack.account === stack.account && parentStack.region === stack.region ? image : undefined;
  }
}
