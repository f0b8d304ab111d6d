import { Duration } from 'aws-cdk-lib';
import * as autoscaling from 'aws-cdk-lib/aws-autoscaling';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as fc from 'fast-check';
import { GoldenImage, InstanceRefreshOnImageChange, RefreshScaleInProtectedInstances } from '../../src';
import { newStack } from '../util';
import { TemplateBatch, checkProps, fuzzParameters, mostly } from './fuzz';

const PARAMETER = '/golden-ami/web/latest';

const percent = (min: number, max: number) =>
  mostly(fc.integer({ min, max }), fc.oneof(fc.integer({ min: -5, max: 300 }), fc.double({ min: -1, max: 101, noNaN: true })));
/** Mostly up to `max` seconds, sometimes past the 2 days AWS takes. */
const seconds = (max: number) => mostly(fc.integer({ min: 0, max }), fc.integer({ min: 0, max: 400_000 })).map(s => Duration.seconds(s));
const props = fc.record({
  minHealthyPercentage: fc.option(percent(0, 100), { nil: undefined }),
  // Ascending lists ending at 100 mostly; any short list of numbers otherwise.
  checkpointPercentages: fc.option(mostly(
    fc.uniqueArray(fc.integer({ min: 1, max: 99 }), { maxLength: 3 }).map(values => [...values.sort((a, b) => a - b), 100]),
    fc.array(percent(1, 100), { minLength: 1, maxLength: 4 }),
  ), { nil: undefined }),
  checkpointDelay: fc.option(seconds(172_800), { nil: undefined }),
  instanceWarmup: fc.option(seconds(3600), { nil: undefined }),
  skipMatching: fc.option(fc.boolean(), { nil: undefined }),
  scaleInProtectedInstances: fc.option(fc.constantFrom(...Object.values(RefreshScaleInProtectedInstances)), { nil: undefined }),
});
type FuzzProps = typeof props extends fc.Arbitrary<infer T> ? T : never;

function build(p: FuzzProps) {
  const stack = newStack();
  // An imported VPC: the template then holds only the group and what the construct makes.
  const vpc = ec2.Vpc.fromVpcAttributes(stack, 'Vpc', {
    vpcId: 'vpc-0123456789abcdef0',
    availabilityZones: ['eu-west-1a', 'eu-west-1b'],
    privateSubnetIds: ['subnet-0123456789abcdef0', 'subnet-0123456789abcdef1'],
  });
  const group = new autoscaling.AutoScalingGroup(stack, 'Group', {
    vpc,
    launchTemplate: new ec2.LaunchTemplate(stack, 'Template', {
      machineImage: ec2.MachineImage.resolveSsmParameterAtLaunch(PARAMETER),
      instanceType: new ec2.InstanceType('m7i.large'),
      requireImdsv2: true,
    }),
  });
  new InstanceRefreshOnImageChange(stack, 'Refresh', { ...p, autoScalingGroup: group, image: GoldenImage.fromParameterName(stack, 'Image', PARAMETER) });
  return stack;
}

const batch = new TemplateBatch('instance-refresh-on-image-change');
afterAll(() => batch.dispose());

test('InstanceRefreshOnImageChange: any preferences give a synth error naming a prop and its value, or a valid template', () => {
  fc.assert(fc.property(props, p => checkProps(batch, p, build)), fuzzParameters(40));
  expect(batch.size).toBeGreaterThan(0);
  expect(batch.errors).toBeGreaterThan(0);
});

test('InstanceRefreshOnImageChange: the valid templates pass cfn-lint', () => {
  expect(batch.lint()).toEqual('');
});
