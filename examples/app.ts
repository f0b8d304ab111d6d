/**
 * The example image factory: a hardened (CIS Level 1) Amazon Linux 2023 golden image for x86_64 and
 * arm64, shared with the workloads OU, copied to two workload accounts and two regions,
 * published to SSM; and a workload stack that launches from it through its parameter.
 *
 * `npx projen example` synthesizes it (no AWS account or credentials needed) into
 * examples/cdk.out and prints what would be deployed.
 */
import * as path from 'path';
import { App, Duration, Stack, StackProps } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { Construct } from 'constructs';
import {
  CisLevel,
  FindingSeverity,
  GoldenImage,
  Hardening,
  HardenedBaseRecipe,
  ImageArchitecture,
  ImageLifecycle,
  ImageSharing,
  OperatingSystem,
  PipelineSchedule,
  RecipeComponent,
} from '../src';
import { printDeploymentSummary } from './summary';

const FACTORY = { account: '111111111111', region: 'eu-west-1' };
const WORKLOAD_ACCOUNTS = ['222222222222', '333333333333'];
const WORKLOADS_OU = 'arn:aws:organizations::999999999999:ou/o-exampleorg1/ou-ab12-workload1';

class ImageFactoryStack extends Stack {
  constructor(scope: Construct, id: string, props: StackProps) {
    super(scope, id, props);
    for (const architecture of [ImageArchitecture.X86_64, ImageArchitecture.ARM64]) {
      // OS updates, CIS Level 1, CloudWatch agent with a generated configuration, SSM agent,
      // AWS CLI v2, Inspector readiness; tests of each in the image's test phase.
      const recipe = new HardenedBaseRecipe(this, `Al2023${architecture}Recipe`, {
        recipeName: `al2023-base-${architecture}`,
        operatingSystem: OperatingSystem.AMAZON_LINUX_2023,
        architecture,
        hardening: Hardening.cis(CisLevel.LEVEL_1),
      });
      recipe.addComponent(RecipeComponent.fromFile(path.join(__dirname, 'components', 'login-banner.sh')));
      new GoldenImage(this, `Al2023${architecture}`, {
        imageName: `al2023-base-${architecture}`,
        recipe,
        regions: ['eu-central-1', 'us-east-1'],
        shareWith: [ImageSharing.organizationalUnit(WORKLOADS_OU)],
        copyToAccounts: WORKLOAD_ACCOUNTS,
        schedule: PipelineSchedule.cron({ hour: '3', weekDay: 'SUN', timezone: 'Europe/Dublin', onlyWhenDependenciesUpdated: true }),
        // Amazon Inspector scans the output AMI; a critical finding fails the build.
        failBuildOnFindings: FindingSeverity.CRITICAL,
        lifecycle: ImageLifecycle.byAge({ deprecateAfter: Duration.days(30), deleteAfter: Duration.days(90), retainAtLeast: 2 }),
      });
    }
  }
}

class WorkloadStack extends Stack {
  constructor(scope: Construct, id: string, props: StackProps) {
    super(scope, id, props);
    const golden = GoldenImage.fromParameterName(this, 'Golden', '/golden-ami/al2023-base-x86_64/latest');
    new ec2.LaunchTemplate(this, 'AppServers', {
      machineImage: golden.machineImage(),
      instanceType: new ec2.InstanceType('m7i.large'),
      requireImdsv2: true,
    });
  }
}

const app = new App({
  outdir: process.env.CDK_OUTDIR ?? path.join(__dirname, 'cdk.out'),
  context: { '@aws-cdk/core:validateAgainstDefaultRules': true },
});
new ImageFactoryStack(app, 'ImageFactory', { env: FACTORY });
new WorkloadStack(app, 'Workload', { env: { account: WORKLOAD_ACCOUNTS[0], region: 'eu-central-1' } });
printDeploymentSummary(app.synth());
