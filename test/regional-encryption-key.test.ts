import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as kms from 'aws-cdk-lib/aws-kms';
import { ENV, newStack } from './util';
import { GoldenImage, GoldenImageProps, ImageRecipe, RecipeComponent } from '../src';

const KEY_EU = 'arn:aws:kms:eu-west-1:111111111111:key/11111111-2222-3333-4444-555555555555';
const KEY_US = 'arn:aws:kms:us-east-1:111111111111:key/66666666-7777-8888-9999-000000000000';
const ALIAS_US = 'arn:aws:kms:us-east-1:111111111111:alias/golden-ami';

function goldenImage(stack: Stack, props: Partial<GoldenImageProps>): GoldenImage {
  const recipe = new ImageRecipe(stack, 'Recipe', { components: [RecipeComponent.awsManaged('update-linux')] });
  return new GoldenImage(stack, 'Image', { recipe, regions: ['eu-west-1', 'us-east-1'], ...props });
}

/** The KmsKeyId of each region's distribution. */
function kmsKeyIds(stack: Stack): { [region: string]: unknown } {
  const configs = Object.values(Template.fromStack(stack).findResources('AWS::ImageBuilder::DistributionConfiguration'));
  expect(configs).toHaveLength(1);
  const distributions: Array<{ Region: string; AmiDistributionConfiguration: { KmsKeyId?: unknown } }> = configs[0].Properties.Distributions;
  return Object.fromEntries(distributions.map(d => [d.Region, d.AmiDistributionConfiguration.KmsKeyId]));
}

describe('RegionalEncryptionKey', () => {
  test('key takes an IKey: a key of this stack, and an imported key of another region', () => {
    const stack = newStack();
    const local = new kms.Key(stack, 'LocalKey');
    const imported = kms.Key.fromKeyArn(stack, 'UsKey', KEY_US);
    goldenImage(stack, { encryptionKeys: [{ region: 'eu-west-1', key: local }, { region: 'us-east-1', key: imported }] });
    expect(kmsKeyIds(stack)).toEqual({
      'eu-west-1': { 'Fn::GetAtt': [stack.getLogicalId(local.node.defaultChild as kms.CfnKey), 'Arn'] },
      'us-east-1': KEY_US,
    });
  });

  test('keyArn still takes a key or alias ARN, and mixes with key', () => {
    const stack = newStack();
    goldenImage(stack, { encryptionKeys: [{ region: 'eu-west-1', key: kms.Key.fromKeyArn(stack, 'EuKey', KEY_EU) }, { region: 'us-east-1', keyArn: ALIAS_US }] });
    expect(kmsKeyIds(stack)).toEqual({ 'eu-west-1': KEY_EU, 'us-east-1': ALIAS_US });
  });

  test('neither key nor keyArn is refused, naming the entry and its region', () => {
    expect(() => goldenImage(newStack(), { encryptionKeys: [{ region: 'eu-west-1', keyArn: KEY_EU }, { region: 'us-east-1' }] }))
      .toThrow("encryptionKeys[1] must give exactly one of key and keyArn, got neither for region 'us-east-1'");
  });

  test('both key and keyArn are refused, naming both values', () => {
    const stack = newStack();
    const key = kms.Key.fromKeyArn(stack, 'EuKey', KEY_EU);
    expect(() => goldenImage(stack, { encryptionKeys: [{ region: 'eu-west-1', key, keyArn: KEY_EU }, { region: 'us-east-1', keyArn: KEY_US }] }))
      .toThrow(`encryptionKeys[0] must give exactly one of key and keyArn, got both (key 'Stack/EuKey', keyArn '${KEY_EU}') for region 'eu-west-1'`);
  });

  test('a key of another region is refused, naming the prop, the key and its region', () => {
    const stack = newStack();
    const key = kms.Key.fromKeyArn(stack, 'UsKey', KEY_US);
    expect(() => goldenImage(stack, { encryptionKeys: [{ region: 'eu-west-1', key }, { region: 'us-east-1', keyArn: KEY_US }] }))
      .toThrow("encryptionKeys[0].key must be a key in region eu-west-1 (KMS keys are regional), got 'Stack/UsKey' in us-east-1");
  });

  test('a key created in a stack of another region is refused', () => {
    const app = new App();
    const usStack = new Stack(app, 'UsKeys', { env: { account: ENV.account, region: 'us-east-1' } });
    const key = new kms.Key(usStack, 'Key');
    const stack = new Stack(app, 'Factory', { env: ENV });
    expect(() => goldenImage(stack, { encryptionKeys: [{ region: 'eu-west-1', key }, { region: 'us-east-1', keyArn: KEY_US }] }))
      .toThrow("encryptionKeys[0].key must be a key in region eu-west-1 (KMS keys are regional), got 'UsKeys/Key' in us-east-1");
  });
});
