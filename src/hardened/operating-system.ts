import { Aws, Size } from 'aws-cdk-lib';
import { BaseImage } from '../base-image';
import { ImageArchitecture, ImagePlatform } from '../platform';
import { MANAGED_IMAGES, PUBLIC_AMI_PARAMETERS, managedComponent, managedComponentSupports } from '../private/aws-catalogue';

/**
 * The operating system families the hardened recipe knows. They decide the package
 * manager, the service names, the log files and which hardening applies.
 */
export enum OperatingSystemFamily {
  /** Amazon Linux 2 and Amazon Linux 2023 (rpm, systemd). */
  AMAZON_LINUX = 'AMAZON_LINUX',
  /** Ubuntu Server LTS (deb, systemd, the SSM agent as a snap). */
  UBUNTU = 'UBUNTU',
  /** Red Hat Enterprise Linux (rpm, systemd). */
  RHEL = 'RHEL',
  /** Windows Server (PowerShell). */
  WINDOWS = 'WINDOWS',
}

/** Where the latest AMI of an OS is published, per architecture. */
interface PublicImage {
  /** An AWS public SSM parameter holding the latest AMI ID. */
  readonly ssmParameter?: string;
  /** An EC2 Image Builder managed image name (`arn:<partition>:imagebuilder:<region>:aws:image/<name>/x.x.x`). */
  readonly imageBuilderImage?: string;
}

interface OperatingSystemSpec {
  readonly id: string;
  readonly displayName: string;
  readonly family: OperatingSystemFamily;
  readonly architectures: ImageArchitecture[];
  readonly rootDeviceName: string;
  readonly minRootVolumeGiB: number;
}

/** Where the latest AMI of `id` is published, from the AWS name catalogue. */
function publicImages(id: string): Partial<Record<ImageArchitecture, PublicImage>> {
  const images: Partial<Record<ImageArchitecture, PublicImage>> = {};
  for (const architecture of Object.values(ImageArchitecture)) {
    const ssmParameter = PUBLIC_AMI_PARAMETERS[id]?.[architecture]?.name;
    const imageBuilderImage = MANAGED_IMAGES[id]?.[architecture]?.name;
    if (ssmParameter || imageBuilderImage) images[architecture] = { ssmParameter, imageBuilderImage };
  }
  return images;
}

/**
 * An operating system a HardenedBaseRecipe builds, with what the library knows about it:
 * where its latest AMI is published, its architectures, root device and size, and which
 * AWS hardening components support it.
 *
 * The AWS-owned facts come from the library's catalogue of AWS names, each checked against
 * AWS documentation: the public SSM parameters of Amazon Linux, Canonical and Windows; RHEL
 * has no AWS public parameter, so it starts from the EC2 Image Builder managed image;
 * `stig-build-linux` is documented for Amazon Linux 2 and 2023, RHEL 9 and Ubuntu 22.04 and
 * 24.04, `stig-build-windows` for Windows Server (2022 and 2025 among these); the SCAP
 * Compliance Checker components are documented for RHEL 7/8 and Ubuntu 18.04/20.04 on x86_64
 * (none of the Linux systems here) and for Windows with the benchmarks of 2024 (Windows
 * Server 2022 here).
 */
export class OperatingSystem {
  /** Amazon Linux 2023 (x86_64, arm64). The default. */
  public static readonly AMAZON_LINUX_2023 = new OperatingSystem({
    id: 'AMAZON_LINUX_2023',
    displayName: 'Amazon Linux 2023',
    family: OperatingSystemFamily.AMAZON_LINUX,
    architectures: [ImageArchitecture.X86_64, ImageArchitecture.ARM64],
    rootDeviceName: '/dev/xvda',
    minRootVolumeGiB: 8,
  });

  /** Amazon Linux 2 with kernel 5.10 (x86_64, arm64). */
  public static readonly AMAZON_LINUX_2 = new OperatingSystem({
    id: 'AMAZON_LINUX_2',
    displayName: 'Amazon Linux 2',
    family: OperatingSystemFamily.AMAZON_LINUX,
    architectures: [ImageArchitecture.X86_64, ImageArchitecture.ARM64],
    rootDeviceName: '/dev/xvda',
    minRootVolumeGiB: 8,
  });

  /** Ubuntu Server 22.04 LTS (x86_64, arm64). */
  public static readonly UBUNTU_22_04 = new OperatingSystem({
    id: 'UBUNTU_22_04',
    displayName: 'Ubuntu Server 22.04 LTS',
    family: OperatingSystemFamily.UBUNTU,
    architectures: [ImageArchitecture.X86_64, ImageArchitecture.ARM64],
    rootDeviceName: '/dev/sda1',
    minRootVolumeGiB: 8,
  });

  /** Ubuntu Server 24.04 LTS (x86_64, arm64). */
  public static readonly UBUNTU_24_04 = new OperatingSystem({
    id: 'UBUNTU_24_04',
    displayName: 'Ubuntu Server 24.04 LTS',
    family: OperatingSystemFamily.UBUNTU,
    architectures: [ImageArchitecture.X86_64, ImageArchitecture.ARM64],
    rootDeviceName: '/dev/sda1',
    minRootVolumeGiB: 8,
  });

  /**
   * Red Hat Enterprise Linux 9 (x86_64, arm64). Red Hat publishes no AWS public SSM
   * parameter: x86_64 starts from the Image Builder managed image
   * `red-hat-enterprise-linux-9-x86`; arm64 needs a `baseImage` (for example a Red Hat or
   * Marketplace AMI).
   */
  public static readonly RHEL_9 = new OperatingSystem({
    id: 'RHEL_9',
    displayName: 'Red Hat Enterprise Linux 9',
    family: OperatingSystemFamily.RHEL,
    architectures: [ImageArchitecture.X86_64, ImageArchitecture.ARM64],
    rootDeviceName: '/dev/sda1',
    minRootVolumeGiB: 10,
  });

  /** Windows Server 2022 English Full Base (x86_64). */
  public static readonly WINDOWS_SERVER_2022 = new OperatingSystem({
    id: 'WINDOWS_SERVER_2022',
    displayName: 'Windows Server 2022',
    family: OperatingSystemFamily.WINDOWS,
    architectures: [ImageArchitecture.X86_64],
    rootDeviceName: '/dev/sda1',
    minRootVolumeGiB: 30,
  });

  /**
   * Windows Server 2025 English Full Base (x86_64). AWS's STIG component covers it (since the
   * 2026 Q1 STIG release); its SCAP component carries no Windows Server 2025 benchmark.
   */
  public static readonly WINDOWS_SERVER_2025 = new OperatingSystem({
    id: 'WINDOWS_SERVER_2025',
    displayName: 'Windows Server 2025',
    family: OperatingSystemFamily.WINDOWS,
    architectures: [ImageArchitecture.X86_64],
    rootDeviceName: '/dev/sda1',
    minRootVolumeGiB: 30,
  });

  /** Every operating system the library knows, in a stable order. */
  public static all(): OperatingSystem[] {
    return [
      OperatingSystem.AMAZON_LINUX_2023,
      OperatingSystem.AMAZON_LINUX_2,
      OperatingSystem.UBUNTU_22_04,
      OperatingSystem.UBUNTU_24_04,
      OperatingSystem.RHEL_9,
      OperatingSystem.WINDOWS_SERVER_2022,
      OperatingSystem.WINDOWS_SERVER_2025,
    ];
  }

  /** The identifier, for example `AMAZON_LINUX_2023`. */
  public readonly id: string;
  /** The name people use, for example `Amazon Linux 2023`. */
  public readonly displayName: string;
  /** The family. */
  public readonly family: OperatingSystemFamily;
  /** The component platform. */
  public readonly platform: ImagePlatform;
  /** The CPU architectures the OS is published for. */
  public readonly architectures: ImageArchitecture[];
  /** The root device name of its AMIs. */
  public readonly rootDeviceName: string;
  /** The root volume size of its AMIs: a recipe's volume may not be smaller. */
  public readonly minRootVolumeSize: Size;
  /** Whether AWS documents its STIG hardening component (`stig-build-linux` or `stig-build-windows`) for it. */
  public readonly stigSupported: boolean;
  /** Whether the library's CIS components apply (the Linux families). */
  public readonly cisSupported: boolean;

  private readonly images: Partial<Record<ImageArchitecture, PublicImage>>;

  private constructor(spec: OperatingSystemSpec) {
    this.id = spec.id;
    this.displayName = spec.displayName;
    this.family = spec.family;
    this.platform = spec.family === OperatingSystemFamily.WINDOWS ? ImagePlatform.WINDOWS : ImagePlatform.LINUX;
    this.architectures = spec.architectures;
    this.rootDeviceName = spec.rootDeviceName;
    this.minRootVolumeSize = Size.gibibytes(spec.minRootVolumeGiB);
    this.stigSupported = managedComponentSupports(managedComponent('stigBuild', this.platform), spec.id);
    this.images = publicImages(spec.id);
    this.cisSupported = this.platform === ImagePlatform.LINUX;
  }

  /** Whether the OS is published for `architecture`. */
  public supportsArchitecture(architecture: ImageArchitecture): boolean {
    return this.architectures.includes(architecture);
  }

  /** Whether AWS documents its SCAP Compliance Checker component for the OS on `architecture`. */
  public supportsScapScan(architecture: ImageArchitecture): boolean {
    return this.supportsArchitecture(architecture)
      && managedComponentSupports(managedComponent('scapComplianceChecker', this.platform), this.id, architecture);
  }

  /** Whether the library knows where the latest AMI for `architecture` is published. */
  public hasPublicImage(architecture: ImageArchitecture): boolean {
    return this.images[architecture] !== undefined;
  }

  /**
   * The latest published image of the OS for `architecture`: its AWS public SSM parameter,
   * or for RHEL the Image Builder managed image. Throws when there is none.
   */
  public publicBaseImage(architecture: ImageArchitecture): BaseImage {
    if (!this.supportsArchitecture(architecture)) {
      throw new Error(`architecture '${architecture}' is not available for operatingSystem '${this.id}' (${this.displayName} supports: ${this.architectures.join(', ')})`);
    }
    const image = this.images[architecture];
    const options = { platform: this.platform, rootDeviceName: this.rootDeviceName };
    if (image?.ssmParameter) {
      return BaseImage.fromSsmParameterName(image.ssmParameter, options);
    }
    if (image?.imageBuilderImage) {
      return BaseImage.fromImageArn(`arn:${Aws.PARTITION}:imagebuilder:${Aws.REGION}:aws:image/${image.imageBuilderImage}/x.x.x`, options);
    }
    throw new Error(`operatingSystem '${this.id}' has no AWS public image for architecture '${architecture}': pass baseImage (for example BaseImage.fromAmiId() with a ${this.displayName} AMI)`);
  }

  /** The identifier. */
  public toString(): string {
    return this.id;
  }
}
