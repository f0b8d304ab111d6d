import { Size } from 'aws-cdk-lib';
import * as fc from 'fast-check';
import { HardenedBaseRecipe, OperatingSystem } from '../../src/hardened';
import { newStack } from '../util';
import { TemplateBatch, checkProps, description, fuzzParameters, hostileString, mostly, plainName, tags } from './fuzz';

const props = fc.record({
  operatingSystem: fc.constantFrom('AMAZON_LINUX_2023', 'AMAZON_LINUX_2', 'UBUNTU_24_04'),
  recipeName: fc.option(mostly(plainName(3, 80), hostileString(140)), { nil: undefined }),
  description: description(),
  workingDirectory: fc.option(mostly(plainName(1, 40).map(name => `/var/${name}`), fc.oneof(hostileString(1100), hostileString(40).map(name => `/${name}`))), { nil: undefined }),
  amiTags: tags(),
  osUpdates: fc.option(fc.boolean(), { nil: undefined }),
  awsCli: fc.option(fc.boolean(), { nil: undefined }),
  rootVolumeSize: fc.option(mostly(fc.integer({ min: 8, max: 500 }), fc.integer({ min: 0, max: 20000 }))
    .map(g => Size.gibibytes(g)), { nil: undefined }),
});
type FuzzProps = typeof props extends fc.Arbitrary<infer T> ? T : never;

function build(p: FuzzProps) {
  const stack = newStack();
  const { operatingSystem, rootVolumeSize, ...options } = p;
  new HardenedBaseRecipe(stack, 'Base', {
    ...options,
    operatingSystem: OperatingSystem[operatingSystem as 'AMAZON_LINUX_2023'],
    rootVolume: rootVolumeSize === undefined ? undefined : { size: rootVolumeSize },
  });
  return stack;
}

const batch = new TemplateBatch('hardened-base-recipe');
afterAll(() => batch.dispose());

test('HardenedBaseRecipe: any props give a synth error naming a prop and its value, or a valid template', () => {
  fc.assert(fc.property(props, p => checkProps(batch, p, build, ['rootVolume'])), fuzzParameters(60));
  expect(batch.size).toBeGreaterThan(0);
});

test('HardenedBaseRecipe: the valid templates pass cfn-lint', () => {
  expect(batch.lint()).toEqual('');
});
