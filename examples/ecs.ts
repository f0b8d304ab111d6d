/**
 * The ECS example, in TypeScript (ecs.py is the same app in Python; CI checks that both
 * synthesize the same templates):
 * - ImageFactory: a hardened Amazon Linux 2023 golden image (CIS Level 1, agents baked in), and an ECS application image on it
 *   (Docker, ECS agent, Fluent Bit, SSM agent, an Ansible playbook) rebuilt on each new
 *   golden image and copied to the workload account;
 * - Workload (the workload account): an ECS cluster whose capacity runs the application
 *   image, read from its SSM parameter at each launch.
 */
import * as path from 'path';
import { App, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import {
  AnsiblePlaybook,
  EcsApplicationImage,
  GoldenImage,
  GoldenImageEcsCapacity,
  HardenedBaseRecipe,
  LogShippingAgent,
  ParentImage,
} from '../src';

const FACTORY = { account: '111111111111', region: 'eu-west-1' };
const WORKLOAD = { account: '222222222222', region: 'eu-west-1' };

const app = new App({
  outdir: process.env.CDK_OUTDIR ?? path.join(__dirname, 'cdk.out', 'ecs'),
  context: { '@aws-cdk/core:validateAgainstDefaultRules': true },
});

const factory = new Stack(app, 'ImageFactory', { env: FACTORY });
const base = new GoldenImage(factory, 'Base', {
  imageName: 'al2023-base',
  // Amazon Linux 2023, CIS Level 1, the CloudWatch and SSM agents, the AWS CLI, Inspector-ready.
  recipe: new HardenedBaseRecipe(factory, 'BaseRecipe', { recipeName: 'al2023-base' }),
});
new EcsApplicationImage(factory, 'EcsHost', {
  imageName: 'ecs-app',
  parent: ParentImage.fromGoldenImage(base),
  logShippingAgent: LogShippingAgent.fluentBit(),
  playbooks: [AnsiblePlaybook.fromDirectory(path.join(__dirname, 'ecs-playbooks'), { variables: { nofile_limit: '65536' } })],
  copyToAccounts: [WORKLOAD.account],
});

const workload = new Stack(app, 'Workload', { env: WORKLOAD });
// The landing zone's network, given by its IDs: nothing is looked up.
const vpc = ec2.Vpc.fromVpcAttributes(workload, 'Vpc', {
  vpcId: 'vpc-0a1b2c3d4e5f60718',
  availabilityZones: ['eu-west-1a', 'eu-west-1b'],
  privateSubnetIds: ['subnet-0a1b2c3d4e5f60718', 'subnet-0f1e2d3c4b5a60718'],
});
const cluster = new ecs.Cluster(workload, 'Cluster', { vpc, containerInsightsV2: ecs.ContainerInsights.ENABLED });
new GoldenImageEcsCapacity(workload, 'Capacity', {
  cluster,
  image: GoldenImage.fromParameterName(workload, 'EcsHostImage', '/golden-ami/ecs-app/latest'),
  instanceType: new ec2.InstanceType('m7i.large'),
  maxCapacity: 6,
});

app.synth();
