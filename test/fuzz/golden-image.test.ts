import { Duration } from 'aws-cdk-lib';
import * as fc from 'fast-check';
import { GoldenImage, ImageRecipe, PipelineSchedule, RecipeComponent } from '../../src';
import { newStack } from '../util';
import { TemplateBatch, checkProps, cronField, description, fuzzParameters, hostileString, mostly, plainName, region, tags } from './fuzz';

const CRON_OPTIONS = ['minute', 'hour', 'day', 'month', 'weekDay', 'year', 'timezone'];

/** GoldenImage props, and the cron options its schedule is made of. */
const props = fc.record({
  imageName: fc.option(mostly(plainName(3, 130), hostileString(140)), { nil: undefined }),
  description: description(),
  regions: fc.option(fc.array(region(), { maxLength: 3 }), { nil: undefined }),
  amiName: fc.option(mostly(
    plainName(1, 98).map(name => `${name}-{{ imagebuilder:buildDate }}`),
    fc.oneof(hostileString(140).map(name => `${name}{{ imagebuilder:buildVersion }}`), hostileString(140)),
  ), { nil: undefined }),
  amiTags: tags(),
  ssmParameterName: fc.option(mostly(plainName(1, 60).map(name => `/golden-ami/${name}/latest`), hostileString(60)), { nil: undefined }),
  copyToAccounts: fc.option(fc.array(mostly(fc.stringMatching(/^[0-9]{12}$/).filter(a => a !== '111111111111'), hostileString(20)), { maxLength: 2 }), { nil: undefined }),
  imageTestsMinutes: fc.option(mostly(fc.integer({ min: 60, max: 1440 }), fc.integer({ min: 0, max: 5000 })), { nil: undefined }),
  cron: fc.option(fc.record({
    minute: cronField(['0', '30', '*/15', '0,30']),
    hour: cronField(['4', '*', '8-17', '*/6']),
    month: cronField(['*', 'JAN', 'jan-jun', '1/3']),
    weekDay: cronField(['MON', 'MON-FRI', '6L', '3#2', '1']),
    year: cronField(['*', '2030', '2025-2199']),
    timezone: fc.option(mostly(fc.constantFrom('Europe/Paris', 'Etc/UTC', 'America/Port-au-Prince', 'Etc/GMT+5'), hostileString(110)), { nil: undefined }),
  }, { requiredKeys: [] }), { nil: undefined }),
});
type FuzzProps = typeof props extends fc.Arbitrary<infer T> ? T : never;

function build(p: FuzzProps) {
  const stack = newStack();
  const recipe = new ImageRecipe(stack, 'Recipe', { recipeName: 'recipe', components: [RecipeComponent.awsManaged('update-linux')] });
  const { cron, imageTestsMinutes, ...options } = p;
  new GoldenImage(stack, 'Image', {
    ...options,
    recipe,
    imageTestsTimeout: imageTestsMinutes === undefined ? undefined : Duration.minutes(imageTestsMinutes),
    schedule: cron && PipelineSchedule.cron(cron),
  });
  return stack;
}

const batch = new TemplateBatch('golden-image');
afterAll(() => batch.dispose());

test('GoldenImage: any props give a synth error naming a prop and its value, or a valid template', () => {
  fc.assert(fc.property(props, p => checkProps(batch, p, build, [...CRON_OPTIONS, 'schedule', 'imageTestsTimeout'])), fuzzParameters(150));
  expect(batch.size).toBeGreaterThan(0);
});

test('GoldenImage: the valid templates pass cfn-lint', () => {
  expect(batch.lint()).toEqual('');
});
