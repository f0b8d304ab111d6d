import { ImageArchitecture, ImagePlatform } from '../platform';

/**
 * Every AWS-owned name the library emits, with the AWS documentation it was checked against.
 *
 * Code that emits an AWS-owned name (a managed component, a public SSM parameter, a managed
 * image, a managed policy, a service principal, a Config managed rule, an SSM document or
 * action) takes it from here; test/aws-catalogue.test.ts renders every construct and fails on
 * any AWS-owned name in a template that this module does not list.
 *
 * Internal: not exported from index.ts.
 */

/** The day every entry below was last checked against its sources. */
export const CATALOGUE_CHECKED = '2026-11-27';

/** Where a name is documented. */
export interface AwsDocSource {
  /** The AWS documentation page (https, an AWS documentation host). */
  readonly url: string;
  /** What that page (or the evidence named here) says that the entry relies on. */
  readonly says: string;
}

/** What kind of AWS-owned name an entry is. */
export enum AwsNameKind {
  IMAGEBUILDER_COMPONENT = 'Image Builder managed component',
  IMAGEBUILDER_IMAGE = 'Image Builder managed image',
  SSM_PUBLIC_PARAMETER = 'public SSM parameter',
  MANAGED_POLICY = 'AWS managed IAM policy',
  SERVICE_PRINCIPAL = 'service principal',
  SERVICE_ENDPOINT = 'service endpoint host',
  SERVICE_LINKED_ROLE = 'service-linked role',
  SERVICE_EXPECTED_ROLE_NAME = 'IAM role name a service assumes by name',
  CONFIG_MANAGED_RULE = 'AWS Config managed rule identifier',
  SSM_DOCUMENT = 'SSM document owned by AWS',
  SSM_AUTOMATION_ACTION = 'SSM Automation action',
  SSM_PARAMETER_DATA_TYPE = 'SSM parameter data type',
  S3_DOWNLOAD = 'AWS-owned S3 download location',
  AMAZON_LINUX_PACKAGE = 'package in the Amazon Linux repositories',
  AMAZON_LINUX_EXTRAS_TOPIC = 'Amazon Linux 2 Extras Library topic',
  ORGANIZATIONS_POLICY_TYPE = 'AWS Organizations policy type',
  DECLARATIVE_POLICY_NAME = 'EC2 declarative policy key or value',
  SCP_NAME = 'IAM action, condition key or owner alias in a service control policy',
  EVENTBRIDGE_EVENT = 'EventBridge event source or detail type of an AWS service',
  EVENT_BUS_POLICY_KEY = 'condition key in an EventBridge event bus policy',
}

/** One AWS-owned name. `<region>` and `<arch>` in a name stand for any Region or architecture token. */
export interface AwsName {
  readonly kind: AwsNameKind;
  readonly name: string;
  /** The library files that emit it. */
  readonly usedBy: string[];
  readonly sources: AwsDocSource[];
  /** The day the sources were read. */
  readonly checked: string;
}

/** A component input parameter, as AWS documents it. */
export interface ManagedComponentParameter {
  readonly name: string;
  /** The values AWS documents, exactly as they are passed. */
  readonly allowedValues: string[];
  /** The value AWS documents as used when the parameter is not passed, if any. */
  readonly defaultValue?: string;
}

/** An AWS-managed Image Builder component. */
export interface ManagedComponent extends AwsName {
  readonly platform: ImagePlatform;
  /**
   * The library's operating systems (OperatingSystem ids) that AWS documents the component
   * for, or undefined when AWS documents no narrower list than the platform.
   */
  readonly operatingSystems?: string[];
  /** The operating systems as AWS words them, when it lists them. */
  readonly documentedOperatingSystems?: string;
  readonly architectures: ImageArchitecture[];
  readonly parameters?: ManagedComponentParameter[];
}

const BOTH_ARCHITECTURES = [ImageArchitecture.X86_64, ImageArchitecture.ARM64];
const HARDENED = 'src/hardened/hardened-base-recipe.ts';

const MANAGED_COMPONENTS_PAGE: AwsDocSource = {
  url: 'https://docs.aws.amazon.com/imagebuilder/latest/userguide/use-managed-components.html',
  says: 'Managed components are created by AWS; Amazon provides the latest component versions (x.x.x follows them). Names and descriptions are listed by the component list (owner Amazon).',
};
const COMPONENT_LIST_PAGE: AwsDocSource = {
  url: 'https://docs.aws.amazon.com/imagebuilder/latest/userguide/component-details.html',
  says: 'The console and ListComponents (owner Amazon) list the managed components with their platform and supported OS versions.',
};
const STIG_PAGE: AwsDocSource = {
  url: 'https://docs.aws.amazon.com/imagebuilder/latest/userguide/ib-stig.html',
  says: 'The page both STIG components and aws-cdk imagebuilder-alpha stigBuild() cite (its own text was not in the stored copies read on the check date). '
    + 'One component per platform: stig-build-linux and stig-build-windows; the newest component list has no stig-build-<os>-<level>. '
    + "The components' own descriptions (ListComponents, owner Amazon, as recorded verbatim in cdklabs/cdk-proserve-lib's generated component list): stig-build-linux applies the high, medium and/or low severity settings "
    + 'for Amazon Linux 2, Amazon Linux 2023, RHEL 7, CentOS Linux 7, CentOS Linux 8, CentOS Stream 9, RHEL 8, RHEL 9, Ubuntu 18.04, 20.04, 22.04, 24.04, SLES 12 and SLES 15; '
    + 'stig-build-windows applies them to Windows Server operating systems (no version list). aws-cdk imagebuilder-alpha stigBuild() names only these two components and passes no parameter itself.',
};
const STIG_PARAMETERS_PAGE: AwsDocSource = {
  url: 'https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/ec2-stig-ssm-cmd-doc.html',
  says: 'The STIG script bundle that STIG-Build-Linux/Windows run takes Level (High | Medium | Low; High when not given), and on Linux only InstallPackages and SetDoDConsentBanner (Yes | No, default No). '
    + 'Recipes that use the unified Image Builder component pass the same Level values (Low, Medium, High).',
};
const STIG_VERSIONS_PAGE: AwsDocSource = {
  url: 'https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/ec2-stig-downloads.html',
  says: 'STIG version history: 2025 Q3 "STIG-Build-Linux version 1.0.x" for all compliance levels, adding Amazon Linux 2023 and SLES (Ubuntu 24.04 since 2025 Q1); '
    + '2026 Q1 (4/7/2026, read in the zh_cn edition of the page) adds Windows Server 2025 and RHEL 10, and lists Windows Server 2025, 2022 and 2019 for the Windows bundle.',
};
const SCAP_LINUX_PAGE: AwsDocSource = {
  url: 'https://docs.aws.amazon.com/imagebuilder/latest/userguide/toe-stig.html',
  says: 'The page the component description points to. Latest component description (as recorded by cdklabs/cdk-proserve-lib): SCC 5.10 for RHEL 7/8 and Ubuntu 18.04/20.04 with the Q1 2025 STIG benchmarks, '
    + 'AMD64 only (an earlier description also named Ubuntu 22.04; the current one does not). The component saves the report and score in /opt/scc/SCCResults on the build instance.',
};
const SCAP_WINDOWS_PAGE: AwsDocSource = {
  url: 'https://docs.aws.amazon.com/imagebuilder/latest/userguide/image-builder-stig.html',
  says: 'The page the component description points to. Latest component description: SCC 5.10 for Windows with all current STIG Q3 2024 benchmarks (Windows Server 2022 has a benchmark; Windows Server 2025 had none before 2026). '
    + 'The component saves the compliance report and score locally on the build instance desktop.',
};
const TOE_ACCOUNT_PAGE: AwsDocSource = {
  url: 'https://docs.aws.amazon.com/imagebuilder/latest/userguide/toe-action-modules.html',
  says: 'All action modules run as the account of the Systems Manager agent: root on Linux, NT AUTHORITY\\SYSTEM on Windows (so "the desktop" is that account\'s desktop).',
};

function component(name: string, platform: ImagePlatform, says: string, extra: Partial<ManagedComponent> = {}): ManagedComponent {
  return {
    kind: AwsNameKind.IMAGEBUILDER_COMPONENT,
    name,
    platform,
    architectures: BOTH_ARCHITECTURES,
    usedBy: [HARDENED],
    checked: CATALOGUE_CHECKED,
    sources: [MANAGED_COMPONENTS_PAGE, { url: COMPONENT_LIST_PAGE.url, says }],
    ...extra,
  };
}

/** The STIG component's Level parameter: the values are passed exactly as AWS writes them. */
export const STIG_LEVEL_PARAMETER: ManagedComponentParameter = { name: 'Level', allowedValues: ['Low', 'Medium', 'High'], defaultValue: 'High' };
const STIG_LINUX_ONLY_PARAMETERS: ManagedComponentParameter[] = [
  { name: 'InstallPackages', allowedValues: ['No', 'Yes'], defaultValue: 'No' },
  { name: 'SetDoDConsentBanner', allowedValues: ['No', 'Yes'], defaultValue: 'No' },
];
/** OperatingSystem ids named by the stig-build-linux description. */
const STIG_LINUX_OS = ['AMAZON_LINUX_2023', 'AMAZON_LINUX_2', 'UBUNTU_22_04', 'UBUNTU_24_04', 'RHEL_9'];
/** OperatingSystem ids of the Windows Server versions the 2026 Q1 Windows STIG bundle lists. */
const STIG_WINDOWS_OS = ['WINDOWS_SERVER_2022', 'WINDOWS_SERVER_2025'];

/** The managed components the library uses, by what they do. */
export type ManagedComponentRole = 'update' | 'reboot' | 'rebootTest' | 'awsCliV2' | 'cloudWatchAgent' | 'stigBuild' | 'scapComplianceChecker';

const COMPONENTS_BY_ROLE: Record<ManagedComponentRole, { linux: ManagedComponent; windows: ManagedComponent }> = {
  update: {
    linux: component('update-linux', ImagePlatform.LINUX, 'update-linux: updates Linux by installing all available updates via the UpdateOS action module.'),
    windows: component('update-windows', ImagePlatform.WINDOWS, 'update-windows: updates Windows with the latest security updates.', { architectures: [ImageArchitecture.X86_64] }),
  },
  reboot: {
    linux: component('reboot-linux', ImagePlatform.LINUX, 'reboot-linux: reboots the system.'),
    windows: component('reboot-windows', ImagePlatform.WINDOWS, 'reboot-windows: reboots the system.', { architectures: [ImageArchitecture.X86_64] }),
  },
  rebootTest: {
    linux: component('reboot-test-linux', ImagePlatform.LINUX, 'reboot-test-linux: tests whether the system can reboot successfully.'),
    windows: component('reboot-test-windows', ImagePlatform.WINDOWS, 'reboot-test-windows: tests whether the system can reboot successfully.', { architectures: [ImageArchitecture.X86_64] }),
  },
  awsCliV2: {
    linux: component('aws-cli-version-2-linux', ImagePlatform.LINUX, 'aws-cli-version-2-linux: installs the latest AWS CLI version 2 and links /usr/bin/aws to it.'),
    windows: component('aws-cli-version-2-windows', ImagePlatform.WINDOWS, 'aws-cli-version-2-windows: installs the latest AWS CLI version 2.', { architectures: [ImageArchitecture.X86_64] }),
  },
  cloudWatchAgent: {
    linux: component('amazon-cloudwatch-agent-linux', ImagePlatform.LINUX, 'amazon-cloudwatch-agent-linux: installs the latest CloudWatch agent (see the CloudWatch agent installation page).', { usedBy: [HARDENED, 'src/ecs/log-shipping-agent.ts'] }),
    windows: component('amazon-cloudwatch-agent-windows', ImagePlatform.WINDOWS, 'amazon-cloudwatch-agent-windows: installs the latest CloudWatch agent.', { architectures: [ImageArchitecture.X86_64] }),
  },
  stigBuild: {
    linux: {
      ...component('stig-build-linux', ImagePlatform.LINUX, 'stig-build-linux'),
      sources: [STIG_PAGE, STIG_PARAMETERS_PAGE, STIG_VERSIONS_PAGE],
      operatingSystems: STIG_LINUX_OS,
      documentedOperatingSystems: 'Amazon Linux 2, Amazon Linux 2023, RHEL 7, CentOS Linux 7, CentOS Linux 8, CentOS Stream 9, RHEL 8, RHEL 9, Ubuntu 18.04, Ubuntu 20.04, Ubuntu 22.04, Ubuntu 24.04, SLES 12, SLES 15',
      parameters: [STIG_LEVEL_PARAMETER, ...STIG_LINUX_ONLY_PARAMETERS],
    },
    windows: {
      ...component('stig-build-windows', ImagePlatform.WINDOWS, 'stig-build-windows'),
      sources: [STIG_PAGE, STIG_PARAMETERS_PAGE, STIG_VERSIONS_PAGE],
      architectures: [ImageArchitecture.X86_64],
      operatingSystems: STIG_WINDOWS_OS,
      documentedOperatingSystems: 'Windows Server (the 2026 Q1 bundle: Windows Server 2025, 2022, 2019)',
      parameters: [STIG_LEVEL_PARAMETER],
    },
  },
  scapComplianceChecker: {
    linux: {
      ...component('scap-compliance-checker-linux', ImagePlatform.LINUX, 'scap-compliance-checker-linux'),
      sources: [SCAP_LINUX_PAGE, TOE_ACCOUNT_PAGE],
      architectures: [ImageArchitecture.X86_64],
      // None of the library's Linux operating systems is named (RHEL 7/8, Ubuntu 18.04/20.04 are).
      operatingSystems: [],
      documentedOperatingSystems: 'RHEL 7/8, Ubuntu 18.04/20.04 (AMD64 only)',
    },
    windows: {
      ...component('scap-compliance-checker-windows', ImagePlatform.WINDOWS, 'scap-compliance-checker-windows'),
      sources: [SCAP_WINDOWS_PAGE, TOE_ACCOUNT_PAGE],
      architectures: [ImageArchitecture.X86_64],
      operatingSystems: ['WINDOWS_SERVER_2022'],
      documentedOperatingSystems: 'Windows, with the STIG benchmarks of Q3 2024',
    },
  },
};

/** Where the SCAP Compliance Checker components leave their report, as AWS documents it. */
export const SCAP_REPORT_LOCATION = {
  /** scap-compliance-checker-linux: the results folder on the instance. */
  linux: '/opt/scc/SCCResults',
  /** scap-compliance-checker-windows: the desktop of the account AWSTOE runs as (SYSTEM). */
  windows: 'desktop',
} as const;

/** The managed component for `role` on `platform`. */
export function managedComponent(role: ManagedComponentRole, platform: ImagePlatform): ManagedComponent {
  const entry = COMPONENTS_BY_ROLE[role];
  return platform === ImagePlatform.WINDOWS ? entry.windows : entry.linux;
}

/** Whether AWS documents the component `entry` for the library OS `operatingSystemId` on `architecture`. */
export function managedComponentSupports(entry: ManagedComponent, operatingSystemId: string, architecture?: ImageArchitecture): boolean {
  if (architecture !== undefined && !entry.architectures.includes(architecture)) return false;
  return entry.operatingSystems === undefined || entry.operatingSystems.includes(operatingSystemId);
}

/**
 * The value of `parameter` that AWS documents for `value` (matched without regard to case),
 * for example `Medium` for the library's `medium`. Throws when AWS documents no such value.
 */
export function documentedParameterValue(parameter: ManagedComponentParameter, value: string): string {
  const documented = parameter.allowedValues.find(allowed => allowed.toLowerCase() === value.toLowerCase());
  if (documented === undefined) {
    throw new Error(`component parameter ${parameter.name} takes ${parameter.allowedValues.join(', ')} (as AWS documents it), got: '${value}'`);
  }
  return documented;
}

// ---------------------------------------------------------------------------------------
// Public SSM parameters and managed images: where the latest AMI of each OS is published.

const OS_FILE = 'src/hardened/operating-system.ts';
const AMAZON_LINUX_PARAMETERS_PAGE: AwsDocSource = {
  url: 'https://docs.aws.amazon.com/systems-manager/latest/userguide/parameter-store-public-parameters-ami.html',
  says: 'AMI public parameters: /aws/service/ami-amazon-linux-latest/<name> for Amazon Linux and /aws/service/ami-windows-latest/<name> for Windows hold the latest AMI ID of each image.',
};
const AL2023_PAGE: AwsDocSource = {
  url: 'https://docs.aws.amazon.com/linux/al2023/ug/ec2.html',
  says: 'AL2023 AMIs are found with /aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64 and al2023-ami-kernel-default-arm64.',
};
const PUBLIC_PARAMETER_PUBLISHERS_PAGE: AwsDocSource = {
  url: 'https://docs.aws.amazon.com/systems-manager/latest/userguide/parameter-store-finding-public-parameters.html',
  says: 'Public parameters are named aws/service/<publisher>/...; canonical (Ubuntu) is one of the publishers listed. The path below it (ubuntu/server/<release>/stable/current/<amd64|arm64>/hvm/<volume>/ami-id) is Canonical\'s.',
};

function publicParameter(name: string, sources: AwsDocSource[], usedBy: string[] = [OS_FILE]): AwsName {
  return { kind: AwsNameKind.SSM_PUBLIC_PARAMETER, name, sources, usedBy, checked: CATALOGUE_CHECKED };
}

/** The public SSM parameters of the latest AMI of each OS, by OperatingSystem id and architecture. */
export const PUBLIC_AMI_PARAMETERS: Record<string, Partial<Record<ImageArchitecture, AwsName>>> = {
  AMAZON_LINUX_2023: {
    [ImageArchitecture.X86_64]: publicParameter('/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64', [AL2023_PAGE, AMAZON_LINUX_PARAMETERS_PAGE], [OS_FILE, 'src/base-image.ts']),
    [ImageArchitecture.ARM64]: publicParameter('/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-arm64', [AL2023_PAGE, AMAZON_LINUX_PARAMETERS_PAGE], [OS_FILE, 'src/base-image.ts']),
  },
  AMAZON_LINUX_2: {
    [ImageArchitecture.X86_64]: publicParameter('/aws/service/ami-amazon-linux-latest/amzn2-ami-kernel-5.10-hvm-x86_64-gp2', [AMAZON_LINUX_PARAMETERS_PAGE]),
    [ImageArchitecture.ARM64]: publicParameter('/aws/service/ami-amazon-linux-latest/amzn2-ami-kernel-5.10-hvm-arm64-gp2', [AMAZON_LINUX_PARAMETERS_PAGE]),
  },
  UBUNTU_22_04: {
    [ImageArchitecture.X86_64]: publicParameter('/aws/service/canonical/ubuntu/server/22.04/stable/current/amd64/hvm/ebs-gp2/ami-id', [PUBLIC_PARAMETER_PUBLISHERS_PAGE]),
    [ImageArchitecture.ARM64]: publicParameter('/aws/service/canonical/ubuntu/server/22.04/stable/current/arm64/hvm/ebs-gp2/ami-id', [PUBLIC_PARAMETER_PUBLISHERS_PAGE]),
  },
  UBUNTU_24_04: {
    [ImageArchitecture.X86_64]: publicParameter('/aws/service/canonical/ubuntu/server/24.04/stable/current/amd64/hvm/ebs-gp3/ami-id', [PUBLIC_PARAMETER_PUBLISHERS_PAGE]),
    [ImageArchitecture.ARM64]: publicParameter('/aws/service/canonical/ubuntu/server/24.04/stable/current/arm64/hvm/ebs-gp3/ami-id', [PUBLIC_PARAMETER_PUBLISHERS_PAGE]),
  },
  WINDOWS_SERVER_2022: {
    [ImageArchitecture.X86_64]: publicParameter('/aws/service/ami-windows-latest/Windows_Server-2022-English-Full-Base', [AMAZON_LINUX_PARAMETERS_PAGE]),
  },
  WINDOWS_SERVER_2025: {
    [ImageArchitecture.X86_64]: publicParameter('/aws/service/ami-windows-latest/Windows_Server-2025-English-Full-Base', [AMAZON_LINUX_PARAMETERS_PAGE]),
  },
};

/** Image Builder managed images (`arn:<partition>:imagebuilder:<region>:aws:image/<name>/x.x.x`), by OperatingSystem id and architecture. */
export const MANAGED_IMAGES: Record<string, Partial<Record<ImageArchitecture, AwsName>>> = {
  RHEL_9: {
    [ImageArchitecture.X86_64]: {
      kind: AwsNameKind.IMAGEBUILDER_IMAGE,
      name: 'red-hat-enterprise-linux-9-x86',
      usedBy: [OS_FILE],
      checked: CATALOGUE_CHECKED,
      sources: [{
        url: 'https://docs.aws.amazon.com/imagebuilder/latest/userguide/image-details-list.html',
        says: 'Images owned by Amazon are listed by ListImages (owner Amazon) and used by ARN with account "aws" and x.x.x to follow the latest. '
          + 'The name is not printed on a documentation page; it is the managed image name that public recipes use (the page gives the way to list it).',
      }],
    },
  },
};

// ---------------------------------------------------------------------------------------
// IAM: managed policies, service principals, service-linked roles.

const DISTRIBUTION_TARGET_ROLE = 'src/distribution-target-role.ts';
const CROSS_ACCOUNT_DIST_PAGE: AwsDocSource = {
  url: 'https://docs.aws.amazon.com/imagebuilder/latest/userguide/cross-account-dist.html',
  says: 'Prerequisites for cross-account AMI distribution: create a role named EC2ImageBuilderDistributionCrossAccountRole in every destination account, attach Ec2ImageBuilderCrossAccountDistributionAccess, '
    + 'add the source account to its trust policy. For encrypted AMIs the source key policy must allow the destination accounts, and an inline policy on the role must allow the KMS actions (CreateGrant, Decrypt, DescribeKey, Encrypt, Generate*, ReEncrypt*) and ec2:CreateTags on snapshots; '
    + 'with launchTemplateConfigurations, also CreateLaunchTemplateVersion and ModifyLaunchTemplate on templates tagged CreatedBy: EC2 Image Builder, DescribeLaunchTemplates, and CreateTags on launch templates with that request tag.',
};

function policy(name: string, usedBy: string[], says: string): AwsName {
  const page = name.slice(name.lastIndexOf('/') + 1);
  return {
    kind: AwsNameKind.MANAGED_POLICY,
    name,
    usedBy,
    checked: CATALOGUE_CHECKED,
    sources: [{ url: `https://docs.aws.amazon.com/aws-managed-policy/latest/reference/${page}.html`, says }],
  };
}

/** AWS managed policies, by the name `ManagedPolicy.fromAwsManagedPolicyName` takes (with its path). */
export const MANAGED_POLICIES = {
  SSM_MANAGED_INSTANCE_CORE: policy('AmazonSSMManagedInstanceCore', ['src/build-infrastructure.ts', 'src/ecs/golden-image-ecs-capacity.ts'],
    'arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore: the Systems Manager core functionality for an instance.'),
  IMAGE_BUILDER_INSTANCE_PROFILE: policy('EC2InstanceProfileForImageBuilder', ['src/build-infrastructure.ts'],
    'arn:aws:iam::aws:policy/EC2InstanceProfileForImageBuilder: the permissions an Image Builder build instance needs (also listed in the Image Builder guide, security-iam-awsmanpol).'),
  IMAGE_BUILDER_LIFECYCLE_EXECUTION: policy('service-role/EC2ImageBuilderLifecycleExecutionPolicy', ['src/build-infrastructure.ts'],
    'Type: service role policy. ARN arn:aws:iam::aws:policy/service-role/EC2ImageBuilderLifecycleExecutionPolicy (the path is service-role/).'),
  IMAGE_BUILDER_CROSS_ACCOUNT_DISTRIBUTION: {
    ...policy('Ec2ImageBuilderCrossAccountDistributionAccess', [DISTRIBUTION_TARGET_ROLE],
      'arn:aws:iam::aws:policy/Ec2ImageBuilderCrossAccountDistributionAccess, "Permissions need by EC2 Image Builder to perform a cross account distribution": ec2:CreateTags on images, ec2:DescribeImages, CopyImage, ModifyImageAttribute.'),
    sources: [
      { url: 'https://docs.aws.amazon.com/aws-managed-policy/latest/reference/Ec2ImageBuilderCrossAccountDistributionAccess.html', says: 'arn:aws:iam::aws:policy/Ec2ImageBuilderCrossAccountDistributionAccess, "Permissions need by EC2 Image Builder to perform a cross account distribution": ec2:CreateTags on images, ec2:DescribeImages, CopyImage, ModifyImageAttribute.' },
      CROSS_ACCOUNT_DIST_PAGE,
    ],
  } as AwsName,
} as const;

function principal(name: string, usedBy: string[], url: string, says: string): AwsName {
  return { kind: AwsNameKind.SERVICE_PRINCIPAL, name, usedBy, checked: CATALOGUE_CHECKED, sources: [{ url, says }] };
}

/** Service principals that roles trust, key policies name, or permissions grant. */
export const SERVICE_PRINCIPALS = {
  EC2: principal('ec2.amazonaws.com', ['src/build-infrastructure.ts', 'src/ecs/golden-image-ecs-capacity.ts'],
    'https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_use_switch-role-ec2.html', 'A role for an EC2 instance profile trusts ec2.amazonaws.com.'),
  IMAGE_BUILDER: principal('imagebuilder.amazonaws.com', ['src/build-infrastructure.ts'],
    'https://docs.aws.amazon.com/imagebuilder/latest/userguide/image-lifecycle-prerequisites.html', 'The lifecycle execution role trusts imagebuilder.amazonaws.com.'),
  SSM: principal('ssm.amazonaws.com', ['src/private/automation-on-event.ts', 'src/compliance/compliance-rule.ts'],
    'https://docs.aws.amazon.com/systems-manager/latest/userguide/automation-setup-iam.html', 'The Automation assume role trusts ssm.amazonaws.com.'),
  EVENTS: principal('events.amazonaws.com', ['src/private/automation-on-event.ts', 'src/compliance/compliance-rule.ts'],
    'https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-use-resource-based.html', 'EventBridge targets are invoked, and encrypted SNS topics written, by events.amazonaws.com.'),
  LAMBDA: principal('lambda.amazonaws.com', ['src/compliance/compliance-rule.ts'],
    'https://docs.aws.amazon.com/lambda/latest/dg/lambda-intro-execution-role.html', 'A Lambda execution role trusts lambda.amazonaws.com.'),
  CONFIG: principal('config.amazonaws.com', ['src/compliance/compliance-rule.ts'],
    'https://docs.aws.amazon.com/config/latest/developerguide/evaluate-config_develop-rules_nodejs.html', 'AWS Config invokes a custom rule function as config.amazonaws.com (lambda:InvokeFunction permission).'),
} as const;

/** Service endpoint hosts the library names (not principals). */
export const SERVICE_ENDPOINTS = {
  SNS: {
    kind: AwsNameKind.SERVICE_ENDPOINT,
    name: 'sns.<region>.amazonaws.com',
    usedBy: ['src/build-infrastructure.ts'],
    checked: CATALOGUE_CHECKED,
    sources: [{ url: 'https://docs.aws.amazon.com/kms/latest/developerguide/conditions-kms.html', says: 'kms:ViaService takes the service endpoint name, <service>.<region>.amazonaws.com, for example sns.us-east-1.amazonaws.com.' }],
  } as AwsName,
  S3_REGIONAL: {
    kind: AwsNameKind.SERVICE_ENDPOINT,
    name: 's3.<region>.amazonaws.com',
    usedBy: ['src/ecs/ecs-components.ts'],
    checked: CATALOGUE_CHECKED,
    sources: [{ url: 'https://docs.aws.amazon.com/AmazonECS/latest/developerguide/ecs-agent-install.html', says: 'The ECS init packages are downloaded from https://s3.<region>.amazonaws.com/amazon-ecs-agent-<region>/.' }],
  } as AwsName,
} as const;

/** The Image Builder service-linked role, by its name and the service path of its ARN. */
export const IMAGE_BUILDER_SERVICE_LINKED_ROLE = {
  kind: AwsNameKind.SERVICE_LINKED_ROLE,
  name: 'aws-service-role/imagebuilder.amazonaws.com/AWSServiceRoleForImageBuilder',
  usedBy: ['src/build-infrastructure.ts', DISTRIBUTION_TARGET_ROLE],
  checked: CATALOGUE_CHECKED,
  sources: [
    { url: 'https://docs.aws.amazon.com/imagebuilder/latest/userguide/image-builder-service-linked-role.html', says: 'Image Builder uses the service-linked role AWSServiceRoleForImageBuilder (service imagebuilder.amazonaws.com); it publishes notifications with it.' },
    { url: 'https://docs.aws.amazon.com/aws-managed-policy/latest/reference/AWSServiceRoleForImageBuilder.html', says: 'The policy of the service-linked role allows sts:AssumeRole on arn:aws:iam::*:role/EC2ImageBuilderDistributionCrossAccountRole: the factory assumes the distribution role of a target account with this role.' },
  ],
} as const satisfies AwsName;

/** Roles a customer creates under a name an AWS service assumes, by their purpose. */
export const IMAGE_BUILDER_ROLE_NAMES = {
  CROSS_ACCOUNT_DISTRIBUTION: {
    kind: AwsNameKind.SERVICE_EXPECTED_ROLE_NAME,
    name: 'EC2ImageBuilderDistributionCrossAccountRole',
    usedBy: [DISTRIBUTION_TARGET_ROLE],
    checked: CATALOGUE_CHECKED,
    sources: [
      CROSS_ACCOUNT_DIST_PAGE,
      { url: 'https://docs.aws.amazon.com/aws-managed-policy/latest/reference/AWSServiceRoleForImageBuilder.html', says: 'The Image Builder service-linked role may assume arn:aws:iam::*:role/EC2ImageBuilderDistributionCrossAccountRole, that name only (sts:AssumeRole statement).' },
    ],
  },
} as const satisfies Record<string, AwsName>;

// ---------------------------------------------------------------------------------------
// AWS Config managed rules.

/** A Config managed rule with its documented parameter limits. */
export interface ConfigManagedRule extends AwsName {
  /** The input parameter the library sets. */
  readonly parameter: string;
  /** How many comma-separated items the parameter takes. */
  readonly maxItems: number;
  /** How many characters the parameter value takes. */
  readonly maxLength: number;
}

export const CONFIG_MANAGED_RULES = {
  APPROVED_AMIS_BY_ID: {
    kind: AwsNameKind.CONFIG_MANAGED_RULE,
    name: 'APPROVED_AMIS_BY_ID',
    parameter: 'amiIds',
    maxItems: 21,
    maxLength: 1024,
    usedBy: ['src/compliance/managed-rule.ts'],
    checked: CATALOGUE_CHECKED,
    sources: [{ url: 'https://docs.aws.amazon.com/config/latest/developerguide/approved-amis-by-id.html', says: 'Identifier APPROVED_AMIS_BY_ID, EC2 instances, configuration changes. amiIds: comma-separated list of up to 21 AMI IDs, 1024 characters at most.' }],
  },
  APPROVED_AMIS_BY_TAG: {
    kind: AwsNameKind.CONFIG_MANAGED_RULE,
    name: 'APPROVED_AMIS_BY_TAG',
    parameter: 'amisByTagKeyAndValue',
    maxItems: 10,
    maxLength: 1024,
    usedBy: ['src/compliance/managed-rule.ts'],
    checked: CATALOGUE_CHECKED,
    sources: [
      { url: 'https://docs.aws.amazon.com/config/latest/developerguide/approved-amis-by-tag.html', says: 'Identifier APPROVED_AMIS_BY_TAG. Running instances with AMIs that don\'t have at least one of the specified tags are NON_COMPLIANT. amisByTagKeyAndValue (StringMap): comma-separated list of up to 10 AMI tags (tag-key:tag-value; a bare tag-key matches any value).' },
      { url: 'https://docs.aws.amazon.com/config/latest/developerguide/evaluate-config_use-managed-rules.html', says: 'Managed rule input parameters are strings; the library keeps each at 1024 characters, the limit approved-amis-by-id documents.' },
    ],
  },
} as const satisfies Record<string, ConfigManagedRule>;

// ---------------------------------------------------------------------------------------
// Systems Manager: AWS-owned documents, Automation actions, parameter data types.

export const SSM_DOCUMENTS = {
  STOP_EC2_INSTANCE: {
    kind: AwsNameKind.SSM_DOCUMENT,
    name: 'AWS-StopEC2Instance',
    usedBy: ['src/compliance/remediation.ts'],
    checked: CATALOGUE_CHECKED,
    sources: [{ url: 'https://docs.aws.amazon.com/systems-manager-automation-runbooks/latest/userguide/automation-aws-stopec2instance.html', says: 'AWS-StopEC2Instance stops one or more instances; parameters InstanceId and AutomationAssumeRole.' }],
  },
} as const satisfies Record<string, AwsName>;

export const SSM_AUTOMATION_ACTIONS = {
  EXECUTE_AWS_API: {
    kind: AwsNameKind.SSM_AUTOMATION_ACTION,
    name: 'aws:executeAwsApi',
    usedBy: ['src/ecs/rebuild-on-parent.ts', 'src/rollout/instance-refresh-on-image-change.ts'],
    checked: CATALOGUE_CHECKED,
    sources: [{ url: 'https://docs.aws.amazon.com/systems-manager/latest/userguide/automation-action-executeAwsApi.html', says: 'aws:executeAwsApi calls an AWS API operation: inputs Service, Api and the operation\'s own parameters.' }],
  },
  EXECUTE_SCRIPT: {
    kind: AwsNameKind.SSM_AUTOMATION_ACTION,
    name: 'aws:executeScript',
    usedBy: ['src/trust/private/trust-chain-document.ts'],
    checked: CATALOGUE_CHECKED,
    sources: [{ url: 'https://docs.aws.amazon.com/systems-manager/latest/userguide/automation-action-executeScript.html', says: 'aws:executeScript runs a Python or PowerShell script with inputs Runtime, Handler, Script and InputPayload, for at most 600 seconds; runbooks should use Python 3.11 (3.6 to 3.8 can no longer run); no automatic retry of throttled calls, so the script retries itself.' }],
  },
  EXECUTE_AUTOMATION: {
    kind: AwsNameKind.SSM_AUTOMATION_ACTION,
    name: 'aws:executeAutomation',
    usedBy: ['src/trust/private/trust-chain-document.ts'],
    checked: CATALOGUE_CHECKED,
    sources: [{ url: 'https://docs.aws.amazon.com/systems-manager/latest/userguide/automation-action-executeAutomation.html', says: 'aws:executeAutomation runs a secondary runbook of the same account (inputs DocumentName, RuntimeParameters); the secondary runs as the primary\'s user or role, which must be allowed to pass any assume role given in its parameters.' }],
  },
  APPROVE: {
    kind: AwsNameKind.SSM_AUTOMATION_ACTION,
    name: 'aws:approve',
    usedBy: ['src/trust/private/trust-chain-document.ts'],
    checked: CATALOGUE_CHECKED,
    sources: [{ url: 'https://docs.aws.amazon.com/systems-manager/latest/userguide/automation-action-approve.html', says: 'aws:approve pauses an automation until Approvers (IAM ARNs) approve or reject; inputs NotificationArn (an SNS topic whose name must begin with "Automation"), Message (up to 4096 characters), MinRequiredApprovals, Approvers; default timeout 7 days, maximum 30 days.' }],
  },
} as const satisfies Record<string, AwsName>;

export const SSM_PARAMETER_DATA_TYPES = {
  EC2_IMAGE: {
    kind: AwsNameKind.SSM_PARAMETER_DATA_TYPE,
    name: 'aws:ec2:image',
    usedBy: ['src/golden-image.ts'],
    checked: CATALOGUE_CHECKED,
    sources: [{ url: 'https://docs.aws.amazon.com/systems-manager/latest/userguide/parameter-store-ec2-aliases.html', says: 'The aws:ec2:image data type makes Parameter Store validate that the value is an AMI ID.' }],
  },
} as const satisfies Record<string, AwsName>;

// ---------------------------------------------------------------------------------------
// The Amazon ECS container agent and the Docker engine under it: names inside the build
// scripts of src/ecs/ecs-components.ts, which takes them from here.

const ECS_AGENT_PAGE = 'https://docs.aws.amazon.com/AmazonECS/latest/developerguide/ecs-agent-install.html';
const AL2023_ECS_PAGE: AwsDocSource = {
  url: 'https://docs.aws.amazon.com/linux/al2023/ug/ecs.html',
  says: 'Changes in AL2023 for Amazon ECS compared to AL2: in AL2 the containerd, docker and ecs-init packages were available through amazon-linux-extras, whereas AL2023 includes these packages in the core repositories.',
};
const AL2_ECS_INSTALL: AwsDocSource = {
  url: ECS_AGENT_PAGE,
  says: 'Installing the Amazon ECS container agent on an Amazon Linux 2 EC2 instance: disable the docker Amazon Linux extra repository (sudo amazon-linux-extras disable docker), because the ecs extra ships with its own version of Docker, '
    + 'then install and enable the ecs extra (sudo amazon-linux-extras install -y ecs; sudo systemctl enable --now ecs). '
    + 'Read in the page\'s earlier revisions (awsdocs/amazon-ecs-developer-guide doc_source/ecs-agent-install.md) and its China-Region edition; the current English page keeps only the non-Amazon Linux procedure, and AL2023\'s ECS page still says AL2 takes docker and ecs-init from amazon-linux-extras.',
};
const AL2_EXTRAS_PAGE: AwsDocSource = {
  url: 'https://docs.aws.amazon.com/linux/al2/ug/al2-extras.html',
  says: 'AL2 Extras Library: software is grouped in topics; sudo amazon-linux-extras install <topic> enables a topic and installs the latest version of its packages.',
};
const ECS_SCRIPT = 'src/ecs/ecs-components.ts';

function ecsName(kind: AwsNameKind, name: string, sources: AwsDocSource[]): AwsName {
  return { kind, name, usedBy: [ECS_SCRIPT], checked: CATALOGUE_CHECKED, sources };
}

/**
 * What the ECS application image installs, by the names AWS gives them: the ECS init package
 * in the Amazon Linux repositories (AL2023's core repositories; AL2's `ecs` Extras topic,
 * which ships its own Docker, so the `docker` topic is disabled), Docker in AL2023's core
 * repositories, and the regional S3 download of the ECS init package for the other
 * distributions (`<region>` is the Region, `<arch>` the Debian architecture, amd64 or arm64).
 */
export const ECS_AGENT_NAMES = {
  /** The ECS init package (agent, systemd unit `ecs`) in the Amazon Linux repositories. */
  ECS_INIT_PACKAGE: ecsName(AwsNameKind.AMAZON_LINUX_PACKAGE, 'ecs-init', [AL2023_ECS_PAGE, AL2_ECS_INSTALL]),
  /** The Docker engine package in AL2023's core repositories. */
  DOCKER_PACKAGE: ecsName(AwsNameKind.AMAZON_LINUX_PACKAGE, 'docker', [AL2023_ECS_PAGE]),
  /** AL2's Extras topic of the ECS agent, with the Docker that agent expects. */
  ECS_EXTRAS_TOPIC: ecsName(AwsNameKind.AMAZON_LINUX_EXTRAS_TOPIC, 'ecs', [AL2_ECS_INSTALL, AL2_EXTRAS_PAGE]),
  /** AL2's Docker Extras topic, disabled so that Docker comes from the `ecs` topic. */
  DOCKER_EXTRAS_TOPIC: ecsName(AwsNameKind.AMAZON_LINUX_EXTRAS_TOPIC, 'docker', [AL2_ECS_INSTALL, AL2_EXTRAS_PAGE]),
  /** The bucket and object of the latest ECS init .deb, per Region and architecture. */
  ECS_INIT_DEB: ecsName(AwsNameKind.S3_DOWNLOAD, 'amazon-ecs-agent-<region>/amazon-ecs-init-latest.<arch>.deb', [{
    url: ECS_AGENT_PAGE,
    says: 'Installing the Amazon ECS container agent on a non-Amazon Linux EC2 instance: install Docker, then download the Amazon ECS init deb file for the Region and architecture '
      + '(https://s3.<region>.amazonaws.com/amazon-ecs-agent-<region>/amazon-ecs-init-latest.amd64.deb or .arm64.deb) and install it; edit /etc/ecs/ecs.config; start the ecs service. '
      + 'A non-Amazon Linux instance needs cgroupfs support for the cgroup driver for task-level resource limits.',
  }]),
} as const satisfies Record<string, AwsName>;

const PREVENTION = ['src/prevention/allowed-images-policy.ts', 'src/prevention/golden-image-scp.ts'];
const ORGANIZATIONS_POLICY_PAGE = 'https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-organizations-policy.html';

/** The Organizations policy types the prevention constructs create. */
export const ORGANIZATIONS_POLICY_TYPES = {
  DECLARATIVE_EC2: {
    kind: AwsNameKind.ORGANIZATIONS_POLICY_TYPE,
    name: 'DECLARATIVE_POLICY_EC2',
    usedBy: [PREVENTION[0]],
    checked: CATALOGUE_CHECKED,
    sources: [{ url: ORGANIZATIONS_POLICY_PAGE, says: 'Type: the policy type, one of ... DECLARATIVE_POLICY_EC2 ... SERVICE_CONTROL_POLICY ...; declarative policies take at most 10,000 characters.' }],
  },
  SERVICE_CONTROL: {
    kind: AwsNameKind.ORGANIZATIONS_POLICY_TYPE,
    name: 'SERVICE_CONTROL_POLICY',
    usedBy: [PREVENTION[1]],
    checked: CATALOGUE_CHECKED,
    sources: [{ url: ORGANIZATIONS_POLICY_PAGE, says: 'Type SERVICE_CONTROL_POLICY; service control policies take at most 5,120 characters.' }],
  },
} as const satisfies Record<string, AwsName>;

const DECLARATIVE_SYNTAX: AwsDocSource = {
  url: 'https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_declarative_syntax.html',
  says: 'ec2_attributes; allowed_images_settings with state (enabled | disabled | audit_mode) and image_criteria criteria_1 to criteria_10, each with allowed_image_providers '
    + '(12-digit account IDs or amazon, aws_marketplace, aws_backup_vault), image_names, marketplace_product_codes, creation_date_condition.maximum_days_since_created, '
    + 'deprecation_time_condition.maximum_days_since_deprecated; image_block_public_access.state (unblocked | block_new_sharing).',
};
const DEPRECATION_TIME_CONDITION_PAGE: AwsDocSource = {
  url: 'https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_DeprecationTimeConditionRequest.html',
  says: 'DeprecationTimeConditionRequest: the maximum period since deprecation for allowed images. MaximumDaysSinceDeprecated (Integer, 0 to 2147483647): set to 0 to exclude all deprecated images.',
};
function declarative(name: string): AwsName {
  return { kind: AwsNameKind.DECLARATIVE_POLICY_NAME, name, usedBy: [PREVENTION[0]], checked: CATALOGUE_CHECKED, sources: [DECLARATIVE_SYNTAX] };
}

/** The keys and values of the EC2 declarative policy that AllowedImagesPolicy writes. */
export const DECLARATIVE_POLICY_NAMES = {
  EC2_ATTRIBUTES: declarative('ec2_attributes'),
  ALLOWED_IMAGES_SETTINGS: declarative('allowed_images_settings'),
  STATE: declarative('state'),
  IMAGE_CRITERIA: declarative('image_criteria'),
  ALLOWED_IMAGE_PROVIDERS: declarative('allowed_image_providers'),
  IMAGE_NAMES: declarative('image_names'),
  CREATION_DATE_CONDITION: declarative('creation_date_condition'),
  MAXIMUM_DAYS_SINCE_CREATED: declarative('maximum_days_since_created'),
  DEPRECATION_TIME_CONDITION: { ...declarative('deprecation_time_condition'), sources: [DECLARATIVE_SYNTAX, DEPRECATION_TIME_CONDITION_PAGE] },
  MAXIMUM_DAYS_SINCE_DEPRECATED: { ...declarative('maximum_days_since_deprecated'), sources: [DECLARATIVE_SYNTAX, DEPRECATION_TIME_CONDITION_PAGE] },
  IMAGE_BLOCK_PUBLIC_ACCESS: declarative('image_block_public_access'),
  AUDIT_MODE: declarative('audit_mode'),
  ENABLED: declarative('enabled'),
  BLOCK_NEW_SHARING: declarative('block_new_sharing'),
  AMAZON: declarative('amazon'),
  AWS_MARKETPLACE: declarative('aws_marketplace'),
  AWS_BACKUP_VAULT: declarative('aws_backup_vault'),
  ASSIGN: {
    kind: AwsNameKind.DECLARATIVE_POLICY_NAME,
    name: '@@assign',
    usedBy: [PREVENTION[0]],
    checked: CATALOGUE_CHECKED,
    sources: [{ url: 'https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_inheritance_mgmt.html', says: 'Value-setting operators of management policies: @@assign overwrites any inherited value with the one given.' }],
  },
} as const satisfies Record<string, AwsName>;

/** The action, condition keys and owner alias of GoldenImageServiceControlPolicy. */
export const SCP_NAMES = {
  RUN_INSTANCES: {
    kind: AwsNameKind.SCP_NAME,
    name: 'ec2:RunInstances',
    usedBy: [PREVENTION[1]],
    checked: CATALOGUE_CHECKED,
    sources: [{ url: 'https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonec2.html', says: 'RunInstances authorizes the image it launches from (resource type image, arn:${Partition}:ec2:${Region}::image/${ImageId}) with the condition key ec2:Owner.' }],
  },
  EC2_OWNER: {
    kind: AwsNameKind.SCP_NAME,
    name: 'ec2:Owner',
    usedBy: [PREVENTION[1]],
    checked: CATALOGUE_CHECKED,
    sources: [{ url: 'https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonec2.html', says: 'ec2:Owner filters access by the owner of the resource: amazon, aws-marketplace or an account ID.' }],
  },
  AMAZON_OWNER: {
    kind: AwsNameKind.SCP_NAME,
    name: 'amazon',
    usedBy: [PREVENTION[1]],
    checked: CATALOGUE_CHECKED,
    sources: [{ url: 'https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/ExamplePolicies_EC2.html', says: 'Launching only from Amazon-owned AMIs: the condition "ec2:Owner": "amazon" on the image resource of RunInstances.' }],
  },
  PRINCIPAL_ARN: {
    kind: AwsNameKind.SCP_NAME,
    name: 'aws:PrincipalArn',
    usedBy: [PREVENTION[1]],
    checked: CATALOGUE_CHECKED,
    sources: [{ url: 'https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-principalarn', says: 'aws:PrincipalArn: the ARN of the principal that made the request (the role ARN for an assumed role), compared with the ARN operators.' }],
  },
} as const satisfies Record<string, AwsName>;

const IMAGE_BUILDER_EVENTS: AwsDocSource = {
  url: 'https://docs.aws.amazon.com/eventbridge/latest/ref/events-ref-imagebuilder.html',
  says: 'Image Builder sends EC2 Image Builder Image State Change (among others) directly to EventBridge, with source aws.imagebuilder; best-effort delivery.',
};
const IMAGE_BUILDER_EVENT_CONTENT: AwsDocSource = {
  url: 'https://docs.aws.amazon.com/imagebuilder/latest/userguide/integ-eventbridge.html',
  says: 'The image state change event names the image build version ARN (arn:...:image/<name>/<version>/<build>) in resources; detail.state.status is the new status (AVAILABLE after distribution).',
};
const EVENT_USERS = {
  imageBuilder: ['src/private/image-events.ts', 'src/image-event-bus.ts'],
  ssm: ['src/rollout/instance-refresh-on-image-change.ts'],
  config: ['src/compliance/compliance-rule.ts'],
};
function eventName(name: string, usedBy: string[], sources: AwsDocSource[]): AwsName {
  return { kind: AwsNameKind.EVENTBRIDGE_EVENT, name, usedBy, checked: CATALOGUE_CHECKED, sources };
}

/** The event sources and detail types of the AWS service events the library's rules match. */
export const EVENTBRIDGE_EVENTS = {
  IMAGE_BUILDER_SOURCE: eventName('aws.imagebuilder', EVENT_USERS.imageBuilder, [IMAGE_BUILDER_EVENTS]),
  IMAGE_STATE_CHANGE: eventName('EC2 Image Builder Image State Change', EVENT_USERS.imageBuilder, [IMAGE_BUILDER_EVENTS, IMAGE_BUILDER_EVENT_CONTENT]),
  SSM_SOURCE: eventName('aws.ssm', EVENT_USERS.ssm, [{ url: 'https://docs.aws.amazon.com/eventbridge/latest/ref/events-ref-ssm.html', says: 'SSM sends Parameter Store Change directly to EventBridge, with source aws.ssm.' }]),
  PARAMETER_STORE_CHANGE: eventName('Parameter Store Change', EVENT_USERS.ssm, [{ url: 'https://docs.aws.amazon.com/eventbridge/latest/ref/events-ref-ssm.html', says: 'Parameter Store Change is one of the events SSM sends directly to EventBridge.' }]),
  CONFIG_SOURCE: eventName('aws.config', EVENT_USERS.config, [{ url: 'https://docs.aws.amazon.com/eventbridge/latest/ref/events-ref-config.html', says: 'AWS Config sends its service events directly to EventBridge, with source aws.config.' }]),
  CONFIG_COMPLIANCE_CHANGE: eventName('Config Rules Compliance Change', EVENT_USERS.config, [{ url: 'https://docs.aws.amazon.com/eventbridge/latest/ref/events-ref-config.html', says: 'Config Rules Compliance Change is one of the events AWS Config sends directly to EventBridge.' }]),
} as const satisfies Record<string, AwsName>;

const EVENT_BUS_POLICY_EXAMPLE: AwsDocSource = {
  url: 'https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-bus-example-policy-cross-account-custom-bus-source.html',
  says: 'A custom bus policy lets another account publish (events:PutEvents, Principal its account root) only events whose events:source (ForAllValues:StringEquals) and events:detail-type (StringEquals) have given values.',
};
function busPolicyKey(name: string, sources: AwsDocSource[]): AwsName {
  return { kind: AwsNameKind.EVENT_BUS_POLICY_KEY, name, usedBy: ['src/image-event-bus.ts'], checked: CATALOGUE_CHECKED, sources };
}

/** The condition keys of GoldenImageEventBus's resource policy. */
export const EVENT_BUS_POLICY_KEYS = {
  SOURCE: busPolicyKey('events:source', [EVENT_BUS_POLICY_EXAMPLE, { url: 'https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-use-conditions.html', says: 'EventBridge condition keys: events:source and events:detail-type grant access to events of given sources and detail types.' }]),
  DETAIL_TYPE: busPolicyKey('events:detail-type', [EVENT_BUS_POLICY_EXAMPLE]),
  PRINCIPAL_ORG_ID: busPolicyKey('aws:PrincipalOrgID', [
    { url: 'https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-bus-perms.html', says: 'A bus resource policy can grant PutEvents to an organization with a condition; accounts sending through an organization permission need a role on their rule target.' },
    { url: 'https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-principalorgid', says: 'aws:PrincipalOrgID: the identifier of the organization in AWS Organizations to which the requesting principal belongs (o-...).' },
  ]),
} as const satisfies Record<string, AwsName>;

/** Every entry, for the test and for people reading it. */
export function awsCatalogue(): AwsName[] {
  const components = Object.values(COMPONENTS_BY_ROLE).flatMap(byPlatform => [byPlatform.linux, byPlatform.windows]);
  const perOs = (table: Record<string, Partial<Record<ImageArchitecture, AwsName>>>) =>
    Object.values(table).flatMap(byArchitecture => Object.values(byArchitecture) as AwsName[]);
  return [
    ...components,
    ...perOs(PUBLIC_AMI_PARAMETERS),
    ...perOs(MANAGED_IMAGES),
    ...Object.values(MANAGED_POLICIES),
    ...Object.values(SERVICE_PRINCIPALS),
    ...Object.values(SERVICE_ENDPOINTS),
    IMAGE_BUILDER_SERVICE_LINKED_ROLE,
    ...Object.values(IMAGE_BUILDER_ROLE_NAMES),
    ...Object.values(CONFIG_MANAGED_RULES),
    ...Object.values(SSM_DOCUMENTS),
    ...Object.values(SSM_AUTOMATION_ACTIONS),
    ...Object.values(SSM_PARAMETER_DATA_TYPES),
    ...Object.values(ECS_AGENT_NAMES),
    ...Object.values(ORGANIZATIONS_POLICY_TYPES),
    ...Object.values(DECLARATIVE_POLICY_NAMES),
    ...Object.values(SCP_NAMES),
    ...Object.values(EVENTBRIDGE_EVENTS),
    ...Object.values(EVENT_BUS_POLICY_KEYS),
  ];
}
