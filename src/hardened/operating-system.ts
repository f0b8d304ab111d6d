import { Aws, Size } from 'aws-cdk-lib';
import { BaseImage } from '../base-image';
import { ImageArchitecture, ImagePlatform } from '../platform';

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
  readonly images: Partial<Record<ImageArchitecture, PublicImage>>;
  readonly architectures: ImageArchitecture[];
  readonly rootDeviceName: string;
  readonly minRootVolumeGiB: number;
  readonly stig: boolean;
  readonly scap: ImageArchitecture[];
}

/**
 * An operating system a HardenedBaseRecipe builds, with what the library knows about it:
 * where its latest AMI is published, its architectures, root device and size, and which
 * AWS hardening components support it.
 *
 * Facts checked against AWS documentation and the AWS-managed component catalogue: the
 * public SSM parameters of Amazon Linux, Canonical and Windows; RHEL has no AWS public
 * parameter, so it starts from the EC2 Image Builder managed image; the STIG components
 * support Amazon Linux 2 and 2023, RHEL 9 and Ubuntu up to 22.04; the SCAP Compliance
 * Checker component supports Ubuntu 22.04 and Windows on x86_64 only.
 */
export class OperatingSystem {
  /** Amazon Linux 2023 (x86_64, arm64). The default. */
  public static readonly AMAZON_LINUX_2023 = new OperatingSystem({
    id: 'AMAZON_LINUX_2023',
    displayName: 'Amazon Linux 2023',
    family: OperatingSystemFamily.AMAZON_LINUX,
    architectures: [ImageArchitecture.X86_64, ImageArchitecture.ARM64],
    images: {
      [ImageArchitecture.X86_64]: { ssmParameter: '/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64' },
      [ImageArchitecture.ARM64]: { ssmParameter: '/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-arm64' },
    },
    rootDeviceName: '/dev/xvda',
    minRootVolumeGiB: 8,
    stig: true,
    scap: [],
  });

  /** Amazon Linux 2 with kernel 5.10 (x86_64, arm64). */
  public static readonly AMAZON_LINUX_2 = new OperatingSystem({
    id: 'AMAZON_LINUX_2',
    displayName: 'Amazon Linux 2',
    family: OperatingSystemFamily.AMAZON_LINUX,
    architectures: [ImageArchitecture.X86_64, ImageArchitecture.ARM64],
    images: {
      [ImageArchitecture.X86_64]: { ssmParameter: '/aws/service/ami-amazon-linux-latest/amzn2-ami-kernel-5.10-hvm-x86_64-gp2' },
      [ImageArchitecture.ARM64]: { ssmParameter: '/aws/service/ami-amazon-linux-latest/amzn2-ami-kernel-5.10-hvm-arm64-gp2' },
    },
    rootDeviceName: '/dev/xvda',
    minRootVolumeGiB: 8,
    stig: true,
    scap: [],
  });

  /** Ubuntu Server 22.04 LTS (x86_64, arm64). */
  public static readonly UBUNTU_22_04 = new OperatingSystem({
    id: 'UBUNTU_22_04',
    displayName: 'Ubuntu Server 22.04 LTS',
    family: OperatingSystemFamily.UBUNTU,
    architectures: [ImageArchitecture.X86_64, ImageArchitecture.ARM64],
    images: {
      [ImageArchitecture.X86_64]: { ssmParameter: '/aws/service/canonical/ubuntu/server/22.04/stable/current/amd64/hvm/ebs-gp2/ami-id' },
      [ImageArchitecture.ARM64]: { ssmParameter: '/aws/service/canonical/ubuntu/server/22.04/stable/current/arm64/hvm/ebs-gp2/ami-id' },
    },
    rootDeviceName: '/dev/sda1',
    minRootVolumeGiB: 8,
    stig: true,
    scap: [ImageArchitecture.X86_64],
  });

  /** Ubuntu Server 24.04 LTS (x86_64, arm64). AWS has no STIG component for it. */
  public static readonly UBUNTU_24_04 = new OperatingSystem({
    id: 'UBUNTU_24_04',
    displayName: 'Ubuntu Server 24.04 LTS',
    family: OperatingSystemFamily.UBUNTU,
    architectures: [ImageArchitecture.X86_64, ImageArchitecture.ARM64],
    images: {
      [ImageArchitecture.X86_64]: { ssmParameter: '/aws/service/canonical/ubuntu/server/24.04/stable/current/amd64/hvm/ebs-gp3/ami-id' },
      [ImageArchitecture.ARM64]: { ssmParameter: '/aws/service/canonical/ubuntu/server/24.04/stable/current/arm64/hvm/ebs-gp3/ami-id' },
    },
    rootDeviceName: '/dev/sda1',
    minRootVolumeGiB: 8,
    stig: false,
    scap: [],
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
    images: {
      [ImageArchitecture.X86_64]: { imageBuilderImage: 'red-hat-enterprise-linux-9-x86' },
    },
    rootDeviceName: '/dev/sda1',
    minRootVolumeGiB: 10,
    stig: true,
    scap: [],
  });

  /** Windows Server 2022 English Full Base (x86_64). */
  public static readonly WINDOWS_SERVER_2022 = new OperatingSystem({
    id: 'WINDOWS_SERVER_2022',
    displayName: 'Windows Server 2022',
    family: OperatingSystemFamily.WINDOWS,
    architectures: [ImageArchitecture.X86_64],
    images: {
      [ImageArchitecture.X86_64]: { ssmParameter: '/aws/service/ami-windows-latest/Windows_Server-2022-English-Full-Base' },
    },
    rootDeviceName: '/dev/sda1',
    minRootVolumeGiB: 30,
    stig: true,
    scap: [ImageArchitecture.X86_64],
  });

  /**
   * Windows Server 2025 English Full Base (x86_64). The AWS STIG and SCAP components carry
   * no Windows Server 2025 benchmark, so only `Hardening.none()` applies.
   */
  public static readonly WINDOWS_SERVER_2025 = new OperatingSystem({
    id: 'WINDOWS_SERVER_2025',
    displayName: 'Windows Server 2025',
    family: OperatingSystemFamily.WINDOWS,
    architectures: [ImageArchitecture.X86_64],
    images: {
      [ImageArchitecture.X86_64]: { ssmParameter: '/aws/service/ami-windows-latest/Windows_Server-2025-English-Full-Base' },
    },
    rootDeviceName: '/dev/sda1',
    minRootVolumeGiB: 30,
    stig: false,
    scap: [],
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
  /** Whether AWS publishes STIG hardening components (`stig-build-*`) for it. */
  public readonly stigSupported: boolean;
  /** Whether the library's CIS components apply (the Linux families). */
  public readonly cisSupported: boolean;

  private readonly spec: OperatingSystemSpec;

  private constructor(spec: OperatingSystemSpec) {
    this.spec = spec;
    this.id = spec.id;
    this.displayName = spec.displayName;
    this.family = spec.family;
    this.platform = spec.family === OperatingSystemFamily.WINDOWS ? ImagePlatform.WINDOWS : ImagePlatform.LINUX;
    this.architectures = spec.architectures;
    this.rootDeviceName = spec.rootDeviceName;
    this.minRootVolumeSize = Size.gibibytes(spec.minRootVolumeGiB);
    this.stigSupported = spec.stig;
    this.cisSupported = this.platform === ImagePlatform.LINUX;
  }

  /** Whether the OS is published for `architecture`. */
  public supportsArchitecture(architecture: ImageArchitecture): boolean {
    return this.architectures.includes(architecture);
  }

  /** Whether the AWS SCAP Compliance Checker component supports the OS on `architecture`. */
  public supportsScapScan(architecture: ImageArchitecture): boolean {
    return this.spec.scap.includes(architecture);
  }

  /** Whether the library knows where the latest AMI for `architecture` is published. */
  public hasPublicImage(architecture: ImageArchitecture): boolean {
    return this.spec.images[architecture] !== undefined;
  }

  /**
   * The latest published image of the OS for `architecture`: its AWS public SSM parameter,
   * or for RHEL the Image Builder managed image. Throws when there is none.
   */
  public publicBaseImage(architecture: ImageArchitecture): BaseImage {
    if (!this.supportsArchitecture(architecture)) {
      throw new Error(`architecture '${architecture}' is not available for operatingSystem '${this.id}' (${this.displayName} supports: ${this.architectures.join(', ')})`);
    }
    const image = this.spec.images[architecture];
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
