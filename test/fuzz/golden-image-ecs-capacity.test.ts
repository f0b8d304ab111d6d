import { Duration, Size } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as fc from 'fast-check';
import { GoldenImage } from '../../src';
import { GoldenImageEcsCapacity } from '../../src/ecs';
import { newStack } from '../util';
import { TemplateBatch, checkProps, fuzzParameters, hostileString, mostly, plainName } from './fuzz';

const props = fc.record({
  imageParameter: mostly(plainName(1, 40).map(name => `/golden-ami/${name}/latest`), hostileString(60)),
  minCapacity: fc.option(mostly(fc.integer({ min: 0, max: 3 }), fc.integer({ min: -3, max: 20000 })), { nil: undefined }),
  maxCapacity: fc.option(mostly(fc.integer({ min: 4, max: 20 }), fc.integer({ min: -3, max: 20000 })), { nil: undefined }),
  maxInstanceLifetime: fc.option(mostly(fc.integer({ min: 24, max: 8760 }), fc.integer({ min: 0, max: 20000 }))
    .map(h => Duration.hours(h)), { nil: undefined }),
  capacityProviderName: fc.option(mostly(plainName(3, 60), hostileString(300)), { nil: undefined }),
  rootDeviceName: fc.option(mostly(fc.constantFrom('/dev/xvda', '/dev/sda1'), hostileString(40)), { nil: undefined }),
  rootVolumeGiB: fc.option(mostly(fc.integer({ min: 30, max: 500 }), fc.integer({ min: 0, max: 20000 })), { nil: undefined }),
});
type FuzzProps = typeof props extends fc.Arbitrary<infer T> ? T : never;

function build(p: FuzzProps) {
  const stack = newStack();
  const { imageParameter, rootVolumeGiB, ...options } = p;
  // An imported VPC: the template then holds only what the construct makes.
  const vpc = ec2.Vpc.fromVpcAttributes(stack, 'Vpc', {
    vpcId: 'vpc-0123456789abcdef0',
    availabilityZones: ['eu-west-1a', 'eu-west-1b'],
    privateSubnetIds: ['subnet-0123456789abcdef0', 'subnet-0123456789abcdef1'],
  });
  const cluster = new ecs.Cluster(stack, 'Cluster', { vpc });
  new GoldenImageEcsCapacity(stack, 'Capacity', {
    ...options,
    cluster,
    image: GoldenImage.fromParameterName(stack, 'Image', imageParameter),
    instanceType: new ec2.InstanceType('m7i.large'),
    rootVolumeSize: rootVolumeGiB === undefined ? undefined : Size.gibibytes(rootVolumeGiB),
  });
  return stack;
}

const batch = new TemplateBatch('golden-image-ecs-capacity');
afterAll(() => batch.dispose());

test('GoldenImageEcsCapacity: any props give a synth error naming a prop and its value, or a valid template', () => {
  fc.assert(fc.property(props, p => checkProps(batch, p, build, ['ssmParameterName', 'rootVolumeSize'])), fuzzParameters(40));
  expect(batch.size).toBeGreaterThan(0);
});

test('GoldenImageEcsCapacity: the valid templates pass cfn-lint', () => {
  expect(batch.lint()).toEqual('');
});
