import * as path from 'path';
import { Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import { AnsiblePlaybook, EcsApplicationImage, GoldenImage, ImageRecipe, LogShippingAgent, ParentImage, RecipeComponent } from '../../src';
import { nagFindings } from '../nag-checks';
import { newStack } from '../util';

/** A factory with a golden image and an ECS application image on it, and a cluster on that. */
function ecsStack(): Stack {
  const stack = newStack('EcsFactory');
  const golden = new GoldenImage(stack, 'Base', {
    imageName: 'al2023-base',
    recipe: new ImageRecipe(stack, 'BaseRecipe', { components: [RecipeComponent.awsManaged('update-linux')] }),
  });
  const image = new EcsApplicationImage(stack, 'App', {
    imageName: 'ecs-app',
    parent: ParentImage.fromGoldenImage(golden),
    logShippingAgent: LogShippingAgent.fluentBit(),
    playbooks: [AnsiblePlaybook.fromDirectory(path.join(__dirname, 'fixtures', 'ansible'))],
  });
  const vpc = new ec2.Vpc(stack, 'Vpc', {
    availabilityZones: ['eu-west-1a', 'eu-west-1b'],
    natGateways: 1,
    flowLogs: { All: { destination: ec2.FlowLogDestination.toCloudWatchLogs() } },
  });
  const cluster = new ecs.Cluster(stack, 'Cluster', { vpc, containerInsightsV2: ecs.ContainerInsights.ENABLED });
  image.addCapacityTo(cluster, 'Capacity', { instanceType: new ec2.InstanceType('m7i.large') });
  return stack;
}

test('an ECS image factory and its capacity have no unacknowledged AwsSolutions finding', () => {
  expect(nagFindings(ecsStack())).toEqual([]);
});
