import * as fs from 'fs';
import * as path from 'path';
import * as cdk from 'aws-cdk-lib';
import { App, Duration, Lazy, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as ts from 'typescript';
import {
  AllowedImagesMode,
  AllowedImagesPolicy,
  AllowedImagesPolicyProps,
  AwsImageProvider,
  GoldenImage,
  GoldenImageProps,
  GoldenImageServiceControlPolicy,
  GoldenImageServiceControlPolicyProps,
  ImageLifecycle,
  ImageRecipe,
  RecipeComponent,
} from '../src';
import * as goldenAmi from '../src';
import { NAG_PACKS, nagFindings } from './nag-checks';
import { preventionStack } from './nag-stacks';
import { ENV, newStack } from './util';

const OU = 'ou-ab12-cdef3456';
const ROOT = 'r-ab12';
const FACTORY = ENV.account;

function image(stack: Stack, id: string, props: Partial<GoldenImageProps> = {}): GoldenImage {
  return new GoldenImage(stack, id, {
    recipe: new ImageRecipe(stack, `${id}Recipe`, { components: [RecipeComponent.awsManaged('update-linux')] }),
    ...props,
  });
}

type RenderedPolicy = { Content: any; Type: string; TargetIds: unknown; Name: unknown };

/** The one Organizations policy of the stack: its Content, Type and TargetIds. */
function onlyPolicy(stack: Stack): RenderedPolicy {
  const policies = Template.fromStack(stack).findResources('AWS::Organizations::Policy');
  const values = Object.values(policies);
  expect(values).toHaveLength(1);
  return values[0].Properties;
}

function allowedImages(props: Partial<AllowedImagesPolicyProps> = {}, stack: Stack = newStack()): RenderedPolicy {
  new AllowedImagesPolicy(stack, 'Allowed', { targetIds: [OU], imageProviders: [FACTORY], ...props });
  return onlyPolicy(stack);
}

describe('AllowedImagesPolicy', () => {
  test('renders the EC2 declarative policy for golden images: audit mode, their names and lifecycle age, public sharing blocked', () => {
    const stack = newStack();
    const base = image(stack, 'Base', {
      imageName: 'base',
      lifecycle: ImageLifecycle.byAge({ deprecateAfter: Duration.days(30), disableAfter: Duration.days(90), deleteAfter: Duration.days(180) }),
    });
    new AllowedImagesPolicy(stack, 'Allowed', { targetIds: [ROOT, OU], images: [base] });
    const policy = onlyPolicy(stack);
    expect(policy.Type).toBe('DECLARATIVE_POLICY_EC2');
    expect(policy.TargetIds).toEqual([ROOT, OU]);
    expect(policy.Content).toEqual({
      ec2_attributes: {
        allowed_images_settings: {
          state: { '@@assign': 'audit_mode' },
          image_criteria: {
            criteria_1: {
              allowed_image_providers: { '@@assign': [FACTORY] },
              image_names: { '@@assign': ['base-*'] },
              creation_date_condition: { maximum_days_since_created: { '@@assign': 90 } },
              deprecation_time_condition: { maximum_days_since_deprecated: { '@@assign': 0 } },
            },
          },
        },
        image_block_public_access: { state: { '@@assign': 'block_new_sharing' } },
      },
    });
  });

  test('the AMI name the distribution uses becomes the pattern: both variables become wildcards', () => {
    const stack = newStack();
    const custom = image(stack, 'Custom', { imageName: 'custom', amiName: 'golden {{ imagebuilder:buildVersion }}-{{imagebuilder:buildDate}}' });
    const byDefault = image(stack, 'Default', { imageName: 'by-default' });
    new AllowedImagesPolicy(stack, 'Allowed', { targetIds: [OU], images: [custom, byDefault] });
    const template = Template.fromStack(stack);
    const amiNames = Object.values(template.findResources('AWS::ImageBuilder::DistributionConfiguration'))
      .map((d: any) => d.Properties.Distributions[0].AmiDistributionConfiguration.Name);
    expect(amiNames).toEqual(['golden {{ imagebuilder:buildVersion }}-{{imagebuilder:buildDate}}', 'by-default-{{ imagebuilder:buildDate }}']);
    expect([custom.amiName, byDefault.amiName]).toEqual(amiNames);
    const content = onlyPolicy(stack).Content;
    expect(content.ec2_attributes.allowed_images_settings.image_criteria.criteria_1.image_names).toEqual({ '@@assign': ['golden *-*', 'by-default-*'] });
  });

  test('images group by maximum age: one criterion per age, none for images without an age-ending lifecycle', () => {
    const stack = newStack();
    const a = image(stack, 'A', { imageName: 'img-a', lifecycle: ImageLifecycle.byAge({ disableAfter: Duration.days(60) }) });
    const b = image(stack, 'B', { imageName: 'img-b', lifecycle: ImageLifecycle.byAge({ deleteAfter: Duration.days(60) }) });
    const c = image(stack, 'C', { imageName: 'img-c', lifecycle: ImageLifecycle.byAge({ deprecateAfter: Duration.days(10) }) });
    const d = image(stack, 'D', { imageName: 'img-d', lifecycle: ImageLifecycle.byCount({ keepLatest: 3 }) });
    const criteria = allowedImages({ images: [a, b, c, d], imageNamePatterns: ['legacy-*'] }, stack).Content.ec2_attributes.allowed_images_settings.image_criteria;
    expect(criteria).toEqual({
      criteria_1: {
        allowed_image_providers: { '@@assign': [FACTORY] },
        image_names: { '@@assign': ['img-a-*', 'img-b-*'] },
        creation_date_condition: { maximum_days_since_created: { '@@assign': 60 } },
        deprecation_time_condition: { maximum_days_since_deprecated: { '@@assign': 0 } },
      },
      criteria_2: {
        allowed_image_providers: { '@@assign': [FACTORY] },
        image_names: { '@@assign': ['img-c-*', 'img-d-*', 'legacy-*'] },
        deprecation_time_condition: { maximum_days_since_deprecated: { '@@assign': 0 } },
      },
    });
  });

  test('revoked (deprecated) images: refused at once by default, or after maximumDaysSinceDeprecated', () => {
    const criteria = (props: Partial<AllowedImagesPolicyProps>) =>
      allowedImages(props).Content.ec2_attributes.allowed_images_settings.image_criteria.criteria_1;
    expect(criteria({}).deprecation_time_condition).toEqual({ maximum_days_since_deprecated: { '@@assign': 0 } });
    expect(criteria({ maximumDaysSinceDeprecated: 14 }).deprecation_time_condition).toEqual({ maximum_days_since_deprecated: { '@@assign': 14 } });
  });

  test('enabled mode, AWS providers in a criterion of their own, public access left alone', () => {
    const content = allowedImages({
      mode: AllowedImagesMode.ENABLED,
      awsImageProviders: [AwsImageProvider.AMAZON, AwsImageProvider.AWS_BACKUP_VAULT],
      blockPublicAccess: false,
    }).Content;
    expect(content).toEqual({
      ec2_attributes: {
        allowed_images_settings: {
          state: { '@@assign': 'enabled' },
          image_criteria: {
            // The AWS providers' images keep their own deprecation rules: only the factory's criteria refuse deprecated images.
            criteria_1: { allowed_image_providers: { '@@assign': [FACTORY] }, deprecation_time_condition: { maximum_days_since_deprecated: { '@@assign': 0 } } },
            criteria_2: { allowed_image_providers: { '@@assign': ['amazon', 'aws_backup_vault'] } },
          },
        },
      },
    });
  });

  test('more than 50 names split into criteria of 50', () => {
    const patterns = Array.from({ length: 51 }, (_, i) => `img-${i}-*`);
    const criteria = allowedImages({ imageNamePatterns: patterns }).Content.ec2_attributes.allowed_images_settings.image_criteria;
    expect(criteria.criteria_1.image_names['@@assign']).toHaveLength(50);
    expect(criteria.criteria_2.image_names['@@assign']).toEqual(['img-50-*']);
  });

  test('the factory account of an environment-agnostic image stack must be given', () => {
    const app = new App();
    const factory = new Stack(app, 'Factory');
    const base = image(factory, 'Base', { imageName: 'base' });
    const management = new Stack(app, 'Management', { env: ENV });
    expect(() => new AllowedImagesPolicy(management, 'Allowed', { targetIds: [OU], images: [base] }))
      .toThrow(/AllowedImagesPolicy cannot read the factory account of Factory\/Base: .*give the accounts in imageProviders, got the account: '\$\{Token/);
    new AllowedImagesPolicy(management, 'Given', { targetIds: [OU], images: [base], imageProviders: ['222222222222'] });
  });

  test('an imported golden image is refused: it has no AMI name or factory account to read', () => {
    const stack = newStack();
    const imported = GoldenImage.fromParameterName(stack, 'Imported', '/golden-ami/base/latest');
    expect(() => new AllowedImagesPolicy(stack, 'Allowed', { targetIds: [OU], images: [imported as GoldenImage] }))
      .toThrow(/^AllowedImagesPolicy images\[0\] must be a GoldenImage of this app .*: give its account in imageProviders and its name in imageNamePatterns\), got: 'Stack\/Imported'$/);
    expect(() => new GoldenImageServiceControlPolicy(stack, 'Scp', { targetIds: [OU], images: [imported as GoldenImage] }))
      .toThrow(/^GoldenImageServiceControlPolicy images\[0\] must be a GoldenImage of this app .*: give its owner accounts in imageOwners\), got: 'Stack\/Imported'$/);
  });

  test('tokens pass unchecked', () => {
    // Values no check would let through as literals: only their tokens reach the template.
    const stack = newStack();
    const allowed = new AllowedImagesPolicy(stack, 'Allowed', {
      targetIds: [Lazy.string({ produce: () => 'target' })],
      imageProviders: [Lazy.string({ produce: () => 'provider' })],
      imageNamePatterns: [Lazy.string({ produce: () => 'n:' })],
      policyName: Lazy.string({ produce: () => 'pölicy' }),
      description: Lazy.string({ produce: () => 'd'.repeat(600) }),
    });
    expect(stack.resolve(allowed.policy.targetIds)).toEqual(['target']);
    expect(stack.resolve(allowed.policy.name)).toBe('pölicy');
    expect(stack.resolve(allowed.policy.content).ec2_attributes.allowed_images_settings.image_criteria.criteria_1).toEqual({
      allowed_image_providers: { '@@assign': ['provider'] },
      image_names: { '@@assign': ['n:'] },
      deprecation_time_condition: { maximum_days_since_deprecated: { '@@assign': 0 } },
    });
  });

  test.each<[string, Partial<AllowedImagesPolicyProps>, RegExp]>([
    ['a malformed OU ID', { targetIds: ['ou-AB12-cdef3456'] }, /^AllowedImagesPolicy targetIds\[0\] must be a root ID .*got: 'ou-AB12-cdef3456'$/],
    ['an OU ARN instead of an ID', { targetIds: ['arn:aws:organizations::111111111111:ou/o-abcdefghij/ou-ab12-cdef3456'] }, /^AllowedImagesPolicy targetIds\[0\] .*got: 'arn:aws:organizations/],
    ['a repeated target', { targetIds: [OU, OU] }, /^AllowedImagesPolicy targetIds must not list the same value twice, got: 'ou-ab12-cdef3456'$/],
    ['no target', { targetIds: [] }, /^AllowedImagesPolicy targetIds must list at least one .*got: '\[\]'$/],
    ['an unknown mode', { mode: 'audit-mode' as AllowedImagesMode }, /^AllowedImagesPolicy mode must be one of audit_mode, enabled, got: 'audit-mode'$/],
    ['a short account', { imageProviders: ['12345'] }, /^AllowedImagesPolicy imageProviders\[0\] must be a 12-digit AWS account ID, got: '12345'$/],
    ['no provider', { imageProviders: [] }, /^AllowedImagesPolicy imageProviders must list at least one factory account: .*got: '\[\]'$/],
    ['too many providers', { imageProviders: Array.from({ length: 201 }, (_, i) => String(100000000000 + i)) }, /^AllowedImagesPolicy imageProviders must list at most 200 accounts .*got: '201 accounts'$/],
    ['a name with a colon', { imageNamePatterns: ['base:*'] }, /^AllowedImagesPolicy imageNamePatterns\[0\] must be 1 to 128 letters, .*got: 'base:\*'$/],
    ['a name too long', { imageNamePatterns: ['a'.repeat(129)] }, /^AllowedImagesPolicy imageNamePatterns\[0\] must be 1 to 128 .*got: 'a{129}'$/],
    ['a short name with ?', { imageNamePatterns: ['a?'] }, /^AllowedImagesPolicy imageNamePatterns\[0\] must be at least 3 characters when it holds a '\?'.*got: 'a\?'$/],
    ['a repeated name', { imageNamePatterns: ['img-a-*', 'img-a-*'] }, /^AllowedImagesPolicy imageNamePatterns must not list the same value twice, got: 'img-a-\*'$/],
    ['an unknown AWS provider', { awsImageProviders: ['aws-marketplace' as AwsImageProvider] }, /^AllowedImagesPolicy awsImageProviders\[0\] must be one of amazon, aws_marketplace, aws_backup_vault, got: 'aws-marketplace'$/],
    ['more than 10 criteria', { imageNamePatterns: Array.from({ length: 501 }, (_, i) => `n${i}`) }, /^AllowedImagesPolicy needs 11 criteria, more than the 10 .*got 0 images and 501 imageNamePatterns$/],
    ['a non-ASCII name', { policyName: 'pölicy' }, /^AllowedImagesPolicy policyName must be 1 to 128 printable ASCII characters, got: 'pölicy'$/],
    ['a long description', { description: 'd'.repeat(513) }, /^AllowedImagesPolicy description must be 1 to 512 characters, got: 'd{200}\.\.\.' \(513 characters\)$/],
    ['a negative maximumDaysSinceDeprecated', { maximumDaysSinceDeprecated: -1 }, /^AllowedImagesPolicy maximumDaysSinceDeprecated must be a whole number of days from 0 to 2147483647 .*got: '-1'$/],
    ['a fractional maximumDaysSinceDeprecated', { maximumDaysSinceDeprecated: 1.5 }, /^AllowedImagesPolicy maximumDaysSinceDeprecated must be a whole number .*got: '1.5'$/],
    ['blockPublicAccess as a string', { blockPublicAccess: 'true' as unknown as boolean }, /^AllowedImagesPolicy blockPublicAccess must be true or false, got a string instead, got: '"true"'$/],
  ])('refuses %s, naming the prop and the value', (_case, props, error) => {
    expect(() => allowedImages(props)).toThrow(error);
  });

  test('refuses a policy longer than 10,000 characters', () => {
    // 10 criteria of 50 names of 128 characters each are far beyond the limit.
    const patterns = Array.from({ length: 100 }, (_, i) => `${i}`.padStart(128, 'x'));
    expect(() => allowedImages({ imageNamePatterns: patterns })).toThrow(/^AllowedImagesPolicy renders a policy of \d+ characters, more than the 10000 AWS Organizations takes for this policy type/);
  });
});

function scp(props: Partial<GoldenImageServiceControlPolicyProps> = {}, stack: Stack = newStack()) {
  new GoldenImageServiceControlPolicy(stack, 'Scp', { targetIds: [OU], imageOwners: [FACTORY], ...props });
  return onlyPolicy(stack);
}

describe('GoldenImageServiceControlPolicy', () => {
  test('denies RunInstances from images not owned by the factory, its copy accounts or Amazon, exempt principals aside', () => {
    const stack = newStack();
    const base = image(stack, 'Base', { imageName: 'base', copyToAccounts: ['222222222222'] });
    const policy = scp({ images: [base], imageOwners: ['333333333333', FACTORY], allowAmazonImages: true, exemptPrincipalArns: ['arn:aws:iam::*:role/break-glass'] }, stack);
    expect(policy.Type).toBe('SERVICE_CONTROL_POLICY');
    expect(policy.TargetIds).toEqual([OU]);
    expect(policy.Content).toEqual({
      Version: '2012-10-17',
      Statement: [{
        Sid: 'DenyLaunchFromNonGoldenImages',
        Effect: 'Deny',
        Action: 'ec2:RunInstances',
        Resource: 'arn:*:ec2:*::image/*',
        Condition: {
          StringNotEquals: { 'ec2:Owner': [FACTORY, '222222222222', '333333333333', 'amazon'] },
          ArnNotLike: { 'aws:PrincipalArn': ['arn:aws:iam::*:role/break-glass'] },
        },
      }],
    });
  });

  test('without exemptions the condition is the owner alone, and Amazon is not allowed by default', () => {
    expect(scp().Content.Statement[0].Condition).toEqual({ StringNotEquals: { 'ec2:Owner': [FACTORY] } });
  });

  test('tokens pass unchecked', () => {
    const stack = newStack();
    const policy = new GoldenImageServiceControlPolicy(stack, 'Scp', {
      targetIds: [Lazy.string({ produce: () => 't' })],
      imageOwners: [Lazy.string({ produce: () => 'o' })],
      exemptPrincipalArns: [Lazy.string({ produce: () => 'e' })],
    });
    expect(stack.resolve(policy.policy.targetIds)).toEqual(['t']);
    expect(stack.resolve(policy.policy.content).Statement[0].Condition).toEqual({ StringNotEquals: { 'ec2:Owner': ['o'] }, ArnNotLike: { 'aws:PrincipalArn': ['e'] } });
  });

  test.each<[string, Partial<GoldenImageServiceControlPolicyProps>, RegExp]>([
    ['a malformed root ID', { targetIds: ['r-AB'] }, /^GoldenImageServiceControlPolicy targetIds\[0\] must be a root ID .*got: 'r-AB'$/],
    ['a malformed owner', { imageOwners: ['1111-2222-3333'] }, /^GoldenImageServiceControlPolicy imageOwners\[0\] must be a 12-digit AWS account ID, got: '1111-2222-3333'$/],
    ['a repeated owner', { imageOwners: [FACTORY, FACTORY] }, /^GoldenImageServiceControlPolicy imageOwners must not list the same value twice, got: '111111111111'$/],
    ['no owner', { imageOwners: [] }, /^GoldenImageServiceControlPolicy allows no image owner, so it would deny every launch: .*got: '\[\]'$/],
    ['a principal that is not an IAM ARN', { exemptPrincipalArns: ['break-glass'] }, /^GoldenImageServiceControlPolicy exemptPrincipalArns\[0\] must be an IAM role or user ARN .*got: 'break-glass'$/],
    ['a principal ARN of another service', { exemptPrincipalArns: ['arn:aws:sts::111111111111:assumed-role/x/y'] }, /^GoldenImageServiceControlPolicy exemptPrincipalArns\[0\] .*got: 'arn:aws:sts::111111111111:assumed-role\/x\/y'$/],
    ['allowAmazonImages as a string', { allowAmazonImages: 'yes' as unknown as boolean }, /^GoldenImageServiceControlPolicy allowAmazonImages must be true or false, got a string instead, got: '"yes"'$/],
  ])('refuses %s, naming the prop and the value', (_case, props, error) => {
    expect(() => scp(props)).toThrow(error);
  });

  test('refuses a policy longer than 5,120 characters', () => {
    const exempt = Array.from({ length: 100 }, (_, i) => `arn:aws:iam::*:role/exempt-role-with-a-long-name-number-${i}-*`);
    expect(() => scp({ exemptPrincipalArns: exempt })).toThrow(/^GoldenImageServiceControlPolicy renders a policy of \d+ characters, more than the 5120 AWS Organizations takes for this policy type/);
  });
});

describe('cdk-nag (AwsSolutions, NIST 800-53 R5, HIPAA Security) on both prevention policies', () => {
  test.each(NAG_PACKS.map(([name, pack]) => [name, pack] as const))('%s finds nothing, errors and warnings alike', (_name, pack) => {
    const stack = preventionStack();
    expect(Object.keys(Template.fromStack(stack).findResources('AWS::Organizations::Policy'))).toHaveLength(2);
    expect(nagFindings(stack, pack())).toEqual([]);
  });
});

describe('the README example', () => {
  test('renders both policies as the README describes them', () => {
    const readme = fs.readFileSync(path.join(__dirname, '..', 'README.md'), 'utf8');
    const block = /```ts nofixture\n([\s\S]*?)```/.exec(readme.split('<!-- prevention -->')[1])![1];
    const js = ts.transpileModule(`${block}\nexports.management = management;\n`, { compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2020 } }).outputText;
    const modules: Record<string, unknown> = { 'aws-cdk-lib': cdk, 'cdk-golden-ami': goldenAmi };
    const exported: { management?: Stack } = {};
    new Function('require', 'exports', js)((id: string) => modules[id], exported);
    const policies = Object.values(Template.fromStack(exported.management!).findResources('AWS::Organizations::Policy')).map(p => p.Properties);
    expect(policies.map(p => p.Type)).toEqual(['DECLARATIVE_POLICY_EC2', 'SERVICE_CONTROL_POLICY']);
    expect(policies[0].Content.ec2_attributes.allowed_images_settings).toEqual({
      state: { '@@assign': 'audit_mode' },
      image_criteria: {
        criteria_1: {
          allowed_image_providers: { '@@assign': ['111111111111'] },
          image_names: { '@@assign': ['al2023-base-*'] },
          creation_date_condition: { maximum_days_since_created: { '@@assign': 90 } },
          deprecation_time_condition: { maximum_days_since_deprecated: { '@@assign': 0 } },
        },
        criteria_2: { allowed_image_providers: { '@@assign': ['amazon'] } },
      },
    });
    expect(policies[1].Content.Statement[0].Condition).toEqual({
      StringNotEquals: { 'ec2:Owner': ['111111111111'] },
      ArnNotLike: { 'aws:PrincipalArn': ['arn:aws:iam::*:role/break-glass'] },
    });
  });
});
