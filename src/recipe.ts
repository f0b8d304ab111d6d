import { Lazy, Names, Resource, Size, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { CfnImageRecipe } from 'aws-cdk-lib/aws-imagebuilder';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Construct, IConstruct } from 'constructs';
import { BaseImage } from './base-image';
import { ComponentBinding, RecipeComponent } from './component';
// Circular with golden-image.ts, which imports only types from here: GoldenImage is read at call time.
import { GoldenImage, GoldenImageOptions } from './golden-image';
import { ImagePlatform } from './platform';
import { contentVersion } from './private/content-version';
import { validateDescription, validateDeviceName, validateImageBuilderName, validateIntegerInRange, validateTags, validateWorkingDirectory } from './private/validation';

/**
 * A recipe a GoldenImage can build: this library's `ImageRecipe`, and the hardened and
 * application recipes built on it.
 */
export interface IGoldenImageRecipe extends IConstruct {
  /**
   * The ARN of the recipe version to build.
   *
   * @attribute
   */
  readonly imageRecipeArn: string;

  /**
   * The recipe name. Images built from it are named after it.
   *
   * @attribute
   */
  readonly imageRecipeName: string;

  /**
   * The recipe version, derived from its content.
   *
   * @attribute
   */
  readonly imageRecipeVersion: string;

  /**
   * The operating system family of the images it builds.
   */
  readonly platform: ImagePlatform;
}

/**
 * The root volume of images built from a recipe.
 */
export interface RootVolumeOptions {
  /**
   * The volume size. It must be at least the size of the parent image's root volume.
   *
   * @default 30 GiB on Windows, 8 GiB on Linux
   */
  readonly size?: Size;

  /**
   * The EBS volume type.
   *
   * @default ec2.EbsDeviceVolumeType.GP3
   */
  readonly volumeType?: ec2.EbsDeviceVolumeType;

  /**
   * The KMS key that encrypts the volume (and so the AMI's snapshot).
   *
   * @default - the account's default EBS key
   */
  readonly encryptionKey?: kms.IKey;

  /**
   * The device name of the root volume.
   *
   * @default - the base image's root device name (`BaseImage.rootDeviceName`)
   */
  readonly deviceName?: string;
}

/**
 * Properties of an ImageRecipe.
 */
export interface ImageRecipeProps {
  /**
   * The image to start from.
   *
   * @default BaseImage.amazonLinux2023()
   */
  readonly baseImage?: BaseImage;

  /**
   * The components to run, in order. More can be added with `addComponent`.
   *
   * @default - none
   */
  readonly components?: RecipeComponent[];

  /**
   * The recipe name.
   *
   * @default - a name derived from the construct path
   */
  readonly recipeName?: string;

  /**
   * What the recipe builds.
   *
   * @default - no description
   */
  readonly description?: string;

  /**
   * The root volume. It is always encrypted.
   *
   * @default - an encrypted gp3 volume of the platform's default size
   */
  readonly rootVolume?: RootVolumeOptions;

  /**
   * Tags applied to the AMIs built from the recipe.
   *
   * @default - none
   */
  readonly amiTags?: { [key: string]: string };

  /**
   * The working directory for components on the build instance.
   *
   * @default - the service default (/tmp on Linux)
   */
  readonly workingDirectory?: string;

  /**
   * Keep the SSM agent on the image after the build. Image Builder installs it on images
   * that lack it; instances need it for Session Manager, Patch Manager and Inspector.
   *
   * @default true
   */
  readonly keepSsmAgent?: boolean;
}

/**
 * An EC2 Image Builder image recipe: a base image and components.
 *
 * The recipe version is derived from its content, so editing a component or the base
 * image deploys as a new version instead of failing on an immutable one.
 */
export class ImageRecipe extends Resource implements IGoldenImageRecipe {
  public readonly imageRecipeArn: string;
  public readonly imageRecipeName: string;
  public readonly imageRecipeVersion: string;
  public readonly platform: ImagePlatform;

  /**
   * The image the recipe starts from.
   */
  public readonly baseImage: BaseImage;

  /**
   * The recipe resource.
   */
  public readonly resource: CfnImageRecipe;

  private readonly components: RecipeComponent[] = [];
  private readonly bindings: ComponentBinding[] = [];

  constructor(scope: Construct, id: string, props: ImageRecipeProps = {}) {
    super(scope, id);
    this.baseImage = props.baseImage ?? BaseImage.amazonLinux2023();
    this.platform = this.baseImage.platform;
    this.imageRecipeName = props.recipeName ?? Names.uniqueResourceName(this, { maxLength: 100, separator: '-' });
    validateImageBuilderName('recipeName', this.imageRecipeName);
    validateWorkingDirectory('workingDirectory', props.workingDirectory);
    validateDescription('description', props.description);
    validateTags('amiTags', props.amiTags);
    for (const component of props.components ?? []) {
      this.addComponent(component);
    }

    const blockDeviceMappings = [this.renderRootVolume(props.rootVolume)];
    // Every property of a recipe is replaced on change, and a replacement under the same name
    // and version fails: the version covers all of them but the name. Tokens (a KMS key, a
    // parameter) count as what they resolve to, which is stable across synths.
    this.imageRecipeVersion = Lazy.string({
      produce: () => {
        const resolved = (value: unknown) => JSON.stringify(Stack.of(this).resolve(value) ?? null);
        return contentVersion(
          resolved(this.baseImage.parentImage),
          JSON.stringify(this.bindings.map(binding => binding.fingerprint)),
          // Parameter values may be tokens (a bucket name): count them as what they resolve to.
          resolved(this.bindings.map(binding => binding.parameters ?? [])),
          resolved(blockDeviceMappings),
          resolved(props.workingDirectory),
          String(props.keepSsmAgent ?? true),
          resolved(props.description),
          resolved(props.amiTags),
        );
      },
    });

    this.resource = new CfnImageRecipe(this, 'Resource', {
      name: this.imageRecipeName,
      version: this.imageRecipeVersion,
      description: props.description,
      parentImage: this.baseImage.parentImage,
      components: Lazy.any({
        produce: () => this.bindings.map(binding => ({
          componentArn: binding.componentArn,
          parameters: binding.parameters?.map(parameter => ({ name: parameter.name, value: [parameter.value] })),
        })),
      }),
      blockDeviceMappings,
      amiTags: props.amiTags,
      workingDirectory: props.workingDirectory,
      additionalInstanceConfiguration: {
        systemsManagerAgent: { uninstallAfterBuild: !(props.keepSsmAgent ?? true) },
      },
    });
    this.imageRecipeArn = this.resource.attrArn;

    this.node.addValidation({
      validate: () => (this.components.length === 0 ? ['ImageRecipe needs at least one component: Image Builder rejects a recipe without components'] : []),
    });
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
   * Adds a component after the ones already in the recipe.
   */
  public addComponent(component: RecipeComponent): void {
    if (component.name !== undefined && this.components.some(existing => existing.name === component.name)) {
      throw new Error(`component name must be unique within recipe '${this.imageRecipeName}', got a second: '${component.name}'`);
    }
    if (component.platform !== undefined && component.platform !== this.platform) {
      throw new Error(`component '${component.name}' is for ${component.platform} but recipe '${this.imageRecipeName}' builds ${this.platform} images`);
    }
    this.components.push(component);
    // Bound now, not at synth: library-owned components are constructs of their own.
    this.bindings.push(component.bind(this, this.imageRecipeName));
  }

  private renderRootVolume(options: RootVolumeOptions = {}): CfnImageRecipe.InstanceBlockDeviceMappingProperty {
    const windows = this.platform === ImagePlatform.WINDOWS;
    const sizeGiB = options.size?.toGibibytes() ?? (windows ? 30 : 8);
    if (options.deviceName !== undefined) {
      validateDeviceName('rootVolume.deviceName', options.deviceName);
    }
    // AWS::ImageBuilder::ImageRecipe EbsInstanceBlockDeviceSpecification VolumeSize takes 1-16000
    // (https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-properties-imagebuilder-imagerecipe-ebsinstanceblockdevicespecification.html).
    validateIntegerInRange('rootVolume.size (GiB)', sizeGiB, 1, 16000);
    return {
      deviceName: options.deviceName ?? this.baseImage.rootDeviceName,
      ebs: {
        encrypted: true,
        deleteOnTermination: true,
        volumeSize: sizeGiB,
        volumeType: options.volumeType ?? ec2.EbsDeviceVolumeType.GP3,
        kmsKeyId: options.encryptionKey?.keyArn,
      },
    };
  }
}
