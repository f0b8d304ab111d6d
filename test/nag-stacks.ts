import * as path from 'path';
import { App, Duration, Stack, Validations } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import {
  AllowedImagesMode,
  AllowedImagesPolicy,
  AnsiblePlaybook,
  EcsApplicationImage,
  ForwardImageBuildEvents,
  GoldenImage,
  GoldenImageEventBus,
  GoldenImageServiceControlPolicy,
  ImageBuildInfrastructure,
  ImageLifecycle,
  ImageRecipe,
  ImageSharing,
  LogShippingAgent,
  ParentImage,
  PipelineSchedule,
  Promotion,
  RecipeComponent,
} from '../src';
import { newStack } from './util';
import { CisLevel, Hardening, HardenedBaseRecipe, OperatingSystem, SecurityAgent, StigLevel } from '../src/hardened';

/**
 * The stacks the cdk-nag tests run the packs over, one per family of constructs, each using
 * every feature that creates IAM, S3, KMS, SNS or EventBridge resources.
 */

/**
 * The fixture VPCs stand for the landing zone's network, which the user owns: their NIST and
 * HIPAA findings are acknowledged here so the tests see the library's findings only.
 */
export function acknowledgeFixtureNetwork(vpc: ec2.Vpc): void {
  const rules = ['VPCDefaultSecurityGroupClosed', 'VPCSubnetAutoAssignPublicIpDisabled', 'VPCNoUnrestrictedRouteToIGW', 'IAMNoInlinePolicy', 'CloudWatchLogGroupEncrypted'];
  for (const pack of ['NIST.800.53.R5', 'HIPAA.Security']) {
    for (const rule of rules) {
      Validations.of(vpc).acknowledge({ id: `${pack}-${rule}`, reason: 'Test fixture: the landing zone network belongs to the user, not to the library under test' });
    }
  }
}

/**
 * A factory stack with two golden images: one built in a VPC on its own infrastructure,
 * with lifecycle, copies, sharing and a schedule; one on the stack's shared infrastructure.
 */
export function factoryStack(): Stack {
  const stack = newStack('Factory');
  // The VPC stands for the landing zone's network: compliant on its own (flow logs).
  const vpc = new ec2.Vpc(stack, 'Vpc', {
    maxAzs: 2,
    natGateways: 1,
    flowLogs: { All: { destination: ec2.FlowLogDestination.toCloudWatchLogs() } },
  });
  acknowledgeFixtureNetwork(vpc);
  const infrastructure = new ImageBuildInfrastructure(stack, 'VpcInfrastructure', {
    vpc,
    instanceTypes: [new ec2.InstanceType('m7i.large')],
    instanceTags: { purpose: 'golden-ami-build' },
  });
  new GoldenImage(stack, 'Base', {
    recipe: new ImageRecipe(stack, 'BaseRecipe', {
      components: [
        RecipeComponent.awsManaged('update-linux'),
        RecipeComponent.fromScript({ name: 'harden', script: 'echo "hardening"' }),
      ],
    }),
    infrastructure,
    lifecycle: ImageLifecycle.byAge({ deprecateAfter: Duration.days(30), deleteAfter: Duration.days(90), retainAtLeast: 2 }),
    copyToAccounts: ['222222222222'],
    shareWith: [
      ImageSharing.account('333333333333'),
      ImageSharing.organizationalUnit('arn:aws:organizations::444444444444:ou/o-abcdefghij/ou-abcd-12345678'),
    ],
    regions: ['eu-central-1'],
    schedule: PipelineSchedule.rate(Duration.days(7), { onlyWhenDependenciesUpdated: true }),
  });
  new GoldenImage(stack, 'App', {
    recipe: new ImageRecipe(stack, 'AppRecipe', {
      components: [RecipeComponent.awsManaged('amazon-cloudwatch-agent-linux')],
    }),
  });
  return stack;
}

/** A factory stack with hardened recipes using every feature that touches IAM or S3. */
export function hardenedStack(): Stack {
  const stack = newStack('Hardened');
  const installers = s3.Bucket.fromBucketName(stack, 'Installers', 'security-installers');
  const evidence = s3.Bucket.fromBucketName(stack, 'Evidence', 'audit-evidence');
  const linux = new HardenedBaseRecipe(stack, 'Ubuntu', {
    operatingSystem: OperatingSystem.UBUNTU_22_04,
    hardening: Hardening.cis(CisLevel.LEVEL_2),
    securityAgents: [
      SecurityAgent.fromS3Installer({ name: 'edr', bucket: installers, key: 'edr/sensor.deb', installCommand: 'dpkg -i "$INSTALLER"', checkCommand: '/opt/edr/bin/edrctl status', serviceName: 'edr' }),
    ],
  });
  const linuxImage = new GoldenImage(stack, 'UbuntuImage', { recipe: linux });
  linux.grantBuildAccess(linuxImage.infrastructure.instanceRole);
  const windows = new HardenedBaseRecipe(stack, 'Windows', { operatingSystem: OperatingSystem.WINDOWS_SERVER_2022, hardening: Hardening.stig(StigLevel.HIGH), scapScan: { reportBucket: evidence } });
  const windowsImage = new GoldenImage(stack, 'WindowsImage', { recipe: windows });
  windows.grantBuildAccess(windowsImage.infrastructure.instanceRole);
  return stack;
}

/** A factory with a golden image and an ECS application image on it, and a cluster on that. */
export function ecsStack(): Stack {
  const stack = newStack('EcsFactory');
  const golden = new GoldenImage(stack, 'Base', {
    imageName: 'al2023-base',
    recipe: new ImageRecipe(stack, 'BaseRecipe', { components: [RecipeComponent.awsManaged('update-linux')] }),
  });
  const image = new EcsApplicationImage(stack, 'App', {
    imageName: 'ecs-app',
    parent: ParentImage.fromGoldenImage(golden),
    logShippingAgent: LogShippingAgent.fluentBit(),
    playbooks: [AnsiblePlaybook.fromDirectory(path.join(__dirname, 'ecs', 'fixtures', 'ansible'))],
  });
  const vpc = new ec2.Vpc(stack, 'Vpc', {
    availabilityZones: ['eu-west-1a', 'eu-west-1b'],
    natGateways: 1,
    flowLogs: { All: { destination: ec2.FlowLogDestination.toCloudWatchLogs() } },
  });
  acknowledgeFixtureNetwork(vpc);
  const cluster = new ecs.Cluster(stack, 'Cluster', { vpc, containerInsightsV2: ecs.ContainerInsights.ENABLED });
  // With the roll-out on each new image: its rule, Automation document and two roles.
  image.addCapacityTo(cluster, 'Capacity', { instanceType: new ec2.InstanceType('m7i.large'), instanceRefresh: { checkpointPercentages: [50, 100] } });
  return stack;
}

/**
 * A factory account that forwards its golden image's builds, and a workload account whose
 * application image on it rebuilds from its event bus and records its ancestry in a copy
 * account too (one app, two accounts).
 */
export function crossAccountStacks(): [Stack, Stack] {
  const app = new App({ context: { '@aws-cdk/core:validateAgainstDefaultRules': true } });
  const factory = new Stack(app, 'CrossFactory', { env: { account: '111111111111', region: 'eu-west-1' } });
  const workload = new Stack(app, 'CrossWorkload', { env: { account: '222222222222', region: 'eu-west-1' } });
  const base = new GoldenImage(factory, 'Base', {
    imageName: 'al2023-base',
    recipe: new ImageRecipe(factory, 'BaseRecipe', { recipeName: 'al2023-base', components: [RecipeComponent.awsManaged('update-linux')] }),
    copyToAccounts: ['222222222222'],
  });
  const bus = new GoldenImageEventBus(workload, 'ParentEvents', { factoryAccountIds: ['111111111111'], organizationId: 'o-a1b2c3d4e5' });
  new ForwardImageBuildEvents(factory, 'Forward', { image: base, eventBusArns: ['arn:aws:events:eu-west-1:222222222222:event-bus/golden-ami-image-events'] });
  new EcsApplicationImage(workload, 'App', {
    imageName: 'ecs-app',
    parent: ParentImage.fromGoldenImage(base),
    parentBuildEvents: { eventBus: bus.eventBus },
    regions: ['eu-central-1'],
    copyToAccounts: ['333333333333'],
  });
  return [factory, workload];
}

/** An organization's management stack with both prevention policies over a factory's images. */
export function preventionStack(): Stack {
  const stack = newStack('Prevention');
  const base = new GoldenImage(stack, 'Base', {
    imageName: 'base',
    recipe: new ImageRecipe(stack, 'BaseRecipe', { components: [RecipeComponent.awsManaged('update-linux')] }),
    lifecycle: ImageLifecycle.byAge({ disableAfter: Duration.days(90) }),
    copyToAccounts: ['222222222222'],
  });
  new AllowedImagesPolicy(stack, 'AllowedImages', { targetIds: ['r-ab12'], images: [base], mode: AllowedImagesMode.ENABLED });
  new GoldenImageServiceControlPolicy(stack, 'Scp', { targetIds: ['ou-ab12-cdef3456'], images: [base], allowAmazonImages: true, exemptPrincipalArns: ['arn:aws:iam::*:role/break-glass'] });
  return stack;
}

/**
 * A factory whose images have release channels: one promoted after a soak (a schedule per
 * channel pair), copied to another account and region; one promoted by approval, with the
 * topics the library creates.
 */
export function trustChainStack(): Stack {
  const stack = newStack('TrustChain');
  new GoldenImage(stack, 'Soaked', {
    imageName: 'soaked',
    recipe: new ImageRecipe(stack, 'SoakedRecipe', { components: [RecipeComponent.awsManaged('update-linux')] }),
    channels: ['candidate', 'staging', 'prod'],
    promotion: Promotion.afterSoak({ soak: Duration.days(3), checkEvery: Duration.minutes(30) }),
    copyToAccounts: ['222222222222'],
    regions: ['eu-central-1'],
  });
  new GoldenImage(stack, 'Approved', {
    imageName: 'approved',
    recipe: new ImageRecipe(stack, 'ApprovedRecipe', { components: [RecipeComponent.awsManaged('update-linux')] }),
    channels: ['candidate', 'prod'],
    promotion: Promotion.manual({ approvers: ['arn:aws:iam::111111111111:role/GoldenAmiReleaseManager'] }),
  });
  return stack;
}
