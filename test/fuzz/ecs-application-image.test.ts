import * as fc from 'fast-check';
import { EcsApplicationImage, ParentImage } from '../../src/ecs';
import { newStack } from '../util';
import { TemplateBatch, checkProps, description, fuzzParameters, hostileString, mostly, plainName, region, tags } from './fuzz';

const props = fc.record({
  parentParameter: mostly(plainName(1, 40).map(name => `/golden-ami/${name}/latest`), hostileString(60)),
  imageName: fc.option(mostly(plainName(3, 126), hostileString(140)), { nil: undefined }),
  recipeName: fc.option(mostly(plainName(3, 100), hostileString(140)), { nil: undefined }),
  description: description(),
  regions: fc.option(fc.array(region(), { maxLength: 2 }), { nil: undefined }),
  amiTags: tags(),
  keepAnsible: fc.option(fc.boolean(), { nil: undefined }),
});
type FuzzProps = typeof props extends fc.Arbitrary<infer T> ? T : never;

function build(p: FuzzProps) {
  const stack = newStack();
  const { parentParameter, ...options } = p;
  new EcsApplicationImage(stack, 'App', { ...options, parent: ParentImage.fromSsmParameter(parentParameter) });
  return stack;
}

const batch = new TemplateBatch('ecs-application-image');
afterAll(() => batch.dispose());

test('EcsApplicationImage: any props give a synth error naming a prop and its value, or a valid template', () => {
  fc.assert(fc.property(props, p => checkProps(batch, p, build, ['parent'])), fuzzParameters(60));
  expect(batch.size).toBeGreaterThan(0);
});

test('EcsApplicationImage: the valid templates pass cfn-lint', () => {
  expect(batch.lint()).toEqual('');
});
