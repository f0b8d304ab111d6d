import { Duration } from 'aws-cdk-lib';
import * as fc from 'fast-check';
import { ApprovalSource, GoldenAmiComplianceRule } from '../../src';
import { newStack } from '../util';
import { TemplateBatch, checkProps, fuzzParameters, hostileString, mostly, plainName } from './fuzz';

const props = fc.record({
  catalogPath: mostly(plainName(1, 40).map(name => `/golden-ami/${name}/`), hostileString(60)),
  ownerAccounts: fc.option(fc.array(mostly(fc.stringMatching(/^[0-9]{12}$/), hostileString(20)), { minLength: 1, maxLength: 2 }), { nil: undefined }),
  ruleName: fc.option(mostly(plainName(3, 60), hostileString(300)), { nil: undefined }),
  description: fc.option(mostly(fc.string({ maxLength: 200 }), hostileString(400)), { nil: undefined }),
  memorySize: fc.option(mostly(fc.integer({ min: 128, max: 4096 }), fc.integer({ min: -1, max: 40000 })), { nil: undefined }),
  timeout: fc.option(mostly(fc.integer({ min: 2, max: 15 }), fc.integer({ min: 0, max: 60 })).map(m => Duration.minutes(m)), { nil: undefined }),
  reservedConcurrentExecutions: fc.option(mostly(fc.integer({ min: 1, max: 10 }), fc.integer({ min: -5, max: 100000 })), { nil: undefined }),
  maximumAmiAge: fc.option(mostly(fc.integer({ min: 1, max: 365 }), fc.integer({ min: 0, max: 5000 }))
    .map(d => Duration.days(d)), { nil: undefined }),
});
type FuzzProps = typeof props extends fc.Arbitrary<infer T> ? T : never;

function build(p: FuzzProps) {
  const stack = newStack();
  const { catalogPath, ownerAccounts, ...options } = p;
  new GoldenAmiComplianceRule(stack, 'Rule', {
    ...options,
    approvalSources: [ApprovalSource.ssmCatalog(catalogPath), ...(ownerAccounts ? [ApprovalSource.ownerAccounts(ownerAccounts)] : [])],
  });
  return stack;
}

const batch = new TemplateBatch('compliance-rule');
afterAll(() => batch.dispose());

test('GoldenAmiComplianceRule: any props give a synth error naming a prop and its value, or a valid template', () => {
  fc.assert(fc.property(props, p => checkProps(batch, p, build, ['ApprovalSource'])), fuzzParameters(60));
  expect(batch.size).toBeGreaterThan(0);
});

test('GoldenAmiComplianceRule: the valid templates pass cfn-lint', () => {
  expect(batch.lint()).toEqual('');
});
