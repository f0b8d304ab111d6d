import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { newStack } from './util';
import {
  CloudWatchAgentMetric,
  CloudWatchAgentOptions,
  CloudWatchLogFile,
  GoldenImage,
  GoldenImageProps,
  HardenedBaseRecipe,
  ImageRecipe,
  LaunchTemplateUpdate,
  RecipeComponent,
  RegionalEncryptionKey,
} from '../src';

/*
 * The four props that take lists of structs, given the objects a JavaScript caller (or a
 * TypeScript caller with a non-literal object) can pass: keys in another case, a missing
 * required key, something that is not an object. A struct ignores keys it does not know,
 * so each of these would otherwise build something other than what was written.
 */

const KEY_EU = 'arn:aws:kms:eu-west-1:111111111111:key/11111111-2222-3333-4444-555555555555';
const KEY_US = 'arn:aws:kms:us-east-1:111111111111:key/66666666-7777-8888-9999-000000000000';
const LT = 'lt-0123456789abcdef0';

/** What a JavaScript caller can pass where the type says T. */
function untyped<T>(value: unknown): T {
  return value as T;
}

function recipe(cloudWatchAgent: CloudWatchAgentOptions, stack: Stack = newStack()): HardenedBaseRecipe {
  return new HardenedBaseRecipe(stack, 'Base', { recipeName: 'base', cloudWatchAgent });
}

function goldenImage(props: Partial<GoldenImageProps>, stack: Stack = newStack()): GoldenImage {
  const imageRecipe = new ImageRecipe(stack, 'Recipe', { components: [RecipeComponent.awsManaged('update-linux')] });
  return new GoldenImage(stack, 'Image', { recipe: imageRecipe, regions: ['eu-west-1', 'us-east-1'], copyToAccounts: ['222222222222'], ...props });
}

describe('cloudWatchAgent.additionalLogFiles', () => {
  test('a snake_case key is refused, naming the prop, the key and the camelCase key', () => {
    expect(() => recipe({ additionalLogFiles: [untyped<CloudWatchLogFile>({ file_path: '/var/log/app.log' })] }))
      .toThrow("cloudWatchAgent.additionalLogFiles[0] has the key 'file_path', which a CloudWatchLogFile does not take (the key is 'filePath'): "
        + "its keys are filePath, logGroupName, timestampFormat, got keys: 'file_path'");
  });

  test('an optional key in snake_case next to a right required key is refused, not dropped', () => {
    expect(() => recipe({ additionalLogFiles: [untyped<CloudWatchLogFile>({ filePath: '/var/log/app.log', log_group_name: '/app' })] }))
      .toThrow("cloudWatchAgent.additionalLogFiles[0] has the key 'log_group_name', which a CloudWatchLogFile does not take (the key is 'logGroupName')");
  });

  test('a missing required key is named', () => {
    expect(() => recipe({ additionalLogFiles: [untyped<CloudWatchLogFile>({ logGroupName: '/app' })] }))
      .toThrow("cloudWatchAgent.additionalLogFiles[0].filePath is required (a CloudWatchLogFile needs it), got keys: 'logGroupName'");
  });

  test('an element that is not an object is refused', () => {
    expect(() => recipe({ additionalLogFiles: [untyped<CloudWatchLogFile>('/var/log/app.log')] }))
      .toThrow("cloudWatchAgent.additionalLogFiles[0] must be a CloudWatchLogFile, got a string instead, got: '/var/log/app.log'");
  });

  test('the list itself must be a list', () => {
    expect(() => recipe({ additionalLogFiles: untyped<CloudWatchLogFile[]>({ filePath: '/var/log/app.log' }) }))
      .toThrow('cloudWatchAgent.additionalLogFiles must be a list, got a object instead');
  });

  test('camelCase keys work, and a key set to undefined counts as not given', () => {
    const base = recipe({ additionalLogFiles: [{ filePath: '/var/log/app.log', logGroupName: '/app', timestampFormat: undefined }] });
    const files = JSON.parse(base.cloudWatchAgentConfig!).logs.logs_collected.files.collect_list;
    expect(files).toContainEqual({ file_path: '/var/log/app.log', log_group_name: '/app', log_stream_name: '{instance_id}' });
  });
});

describe('cloudWatchAgent.additionalMetrics', () => {
  test('a missing required key is named', () => {
    expect(() => recipe({ additionalMetrics: [untyped<CloudWatchAgentMetric>({ category: 'cpu' })] }))
      .toThrow("cloudWatchAgent.additionalMetrics[0].measurement is required (a CloudWatchAgentMetric needs it), got keys: 'category'");
  });

  test('a key in another case is refused, naming the key it means', () => {
    expect(() => recipe({ additionalMetrics: [untyped<CloudWatchAgentMetric>({ Category: 'cpu', measurement: 'cpu_usage_iowait' })] }))
      .toThrow("cloudWatchAgent.additionalMetrics[0] has the key 'Category', which a CloudWatchAgentMetric does not take (the key is 'category')");
  });

  test('an unknown key is refused with the keys the struct takes', () => {
    expect(() => recipe({ additionalMetrics: [untyped<CloudWatchAgentMetric>({ category: 'cpu', measurements: 'cpu_usage_iowait' })] }))
      .toThrow("cloudWatchAgent.additionalMetrics[0] has the key 'measurements', which a CloudWatchAgentMetric does not take: its keys are category, measurement");
  });
});

describe('encryptionKeys', () => {
  test('a snake_case key_arn is refused, naming keyArn', () => {
    expect(() => goldenImage({ encryptionKeys: [untyped<RegionalEncryptionKey>({ region: 'eu-west-1', key_arn: KEY_EU }), { region: 'us-east-1', keyArn: KEY_US }] }))
      .toThrow("encryptionKeys[0] has the key 'key_arn', which a RegionalEncryptionKey does not take (the key is 'keyArn'): its keys are region, key, keyArn");
  });

  test('a missing region is named', () => {
    expect(() => goldenImage({ encryptionKeys: [untyped<RegionalEncryptionKey>({ keyArn: KEY_EU }), { region: 'us-east-1', keyArn: KEY_US }] }))
      .toThrow("encryptionKeys[0].region is required (a RegionalEncryptionKey needs it), got keys: 'keyArn'");
  });

  test('neither key nor keyArn: the message says a dict needs the camelCase key (what a Python dict with key_arn arrives as)', () => {
    expect(() => goldenImage({ encryptionKeys: [{ region: 'eu-west-1' }, { region: 'us-east-1', keyArn: KEY_US }] }))
      .toThrow("encryptionKeys[0] must give exactly one of key and keyArn, got neither for region 'eu-west-1' (a dict needs the camelCase key 'keyArn'");
  });
});

describe('launchTemplateUpdates', () => {
  test('CloudFormation-style PascalCase keys are refused, naming the camelCase key', () => {
    expect(() => goldenImage({ launchTemplateUpdates: [untyped<LaunchTemplateUpdate>({ LaunchTemplateId: LT })] }))
      .toThrow("launchTemplateUpdates[0] has the key 'LaunchTemplateId', which a LaunchTemplateUpdate does not take (the key is 'launchTemplateId')");
  });

  test('a snake_case optional key next to a right required key is refused: the update would go to the factory account and set the default version', () => {
    expect(() => goldenImage({ launchTemplateUpdates: [untyped<LaunchTemplateUpdate>({ launchTemplateId: LT, account_id: '222222222222', set_default_version: false })] }))
      .toThrow("launchTemplateUpdates[0] has the key 'account_id', which a LaunchTemplateUpdate does not take (the key is 'accountId'): "
        + "its keys are launchTemplateId, region, accountId, setDefaultVersion, got keys: 'launchTemplateId, account_id, set_default_version'");
  });

  test('a missing launchTemplateId is named', () => {
    expect(() => goldenImage({ launchTemplateUpdates: [untyped<LaunchTemplateUpdate>({ accountId: '222222222222' })] }))
      .toThrow("launchTemplateUpdates[0].launchTemplateId is required (a LaunchTemplateUpdate needs it), got keys: 'accountId'");
  });

  test('null in the list is refused', () => {
    expect(() => goldenImage({ launchTemplateUpdates: [untyped<LaunchTemplateUpdate>(null)] }))
      .toThrow("launchTemplateUpdates[0] must be a LaunchTemplateUpdate, got a null instead, got: 'null'");
  });

  test('camelCase keys reach the template', () => {
    const stack = newStack();
    goldenImage({ launchTemplateUpdates: [{ launchTemplateId: LT, accountId: '222222222222', setDefaultVersion: false }] }, stack);
    Template.fromStack(stack).hasResourceProperties('AWS::ImageBuilder::DistributionConfiguration', {
      Distributions: [
        { Region: 'eu-west-1', LaunchTemplateConfigurations: [{ LaunchTemplateId: LT, AccountId: '222222222222', SetDefaultVersion: false }] },
        { Region: 'us-east-1' },
      ],
    });
  });
});
