import * as path from 'path';
import { Duration, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { HARDENINGS, hardeningSupported } from './hardened/helpers';
import { crossAccountStacks, trustChainStack } from './nag-stacks';
import { newStack } from './util';
import {
  AllowedImagesMode,
  AllowedImagesPolicy,
  AnsiblePlaybook,
  ApprovalSource,
  ApprovedAmisManagedRule,
  AwsImageProvider,
  BaseImage,
  ComplianceRemediation,
  EcsApplicationImage,
  GoldenAmiComplianceMemberRole,
  GoldenAmiComplianceMemberStackSet,
  GoldenAmiComplianceRule,
  GoldenImage,
  GoldenImageDistributionTargetRole,
  GoldenImageDistributionTargetStackSet,
  GoldenImageEcsCapacity,
  GoldenImageServiceControlPolicy,
  HardenedBaseRecipe,
  ImageArchitecture,
  ImageLifecycle,
  ImageRecipe,
  LogShippingAgent,
  OperatingSystem,
  ParentImage,
  RecipeComponent,
} from '../src';
import {
  AwsName,
  AwsNameKind,
  CATALOGUE_CHECKED,
  ManagedComponent,
  STIG_LEVEL_PARAMETER,
  awsCatalogue,
  managedComponent,
} from '../src/private/aws-catalogue';

/** An AWS-owned name found in a template, and where. */
interface Found {
  readonly kind: AwsNameKind;
  readonly name: string;
  readonly where: string;
}

const PSEUDO: Record<string, string> = {
  'AWS::Partition': '<partition>',
  'AWS::Region': '<region>',
  'AWS::AccountId': '<account>',
  'AWS::URLSuffix': 'amazonaws.com',
};

/** A string for an intrinsic: Fn::Join joined, pseudo parameters named, anything else a placeholder. */
function render(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (value && typeof value === 'object') {
    const node = value as Record<string, any>;
    if (node['Fn::Join']) {
      const [separator, parts] = node['Fn::Join'];
      return (parts as unknown[]).map(render).join(separator);
    }
    if (node.Ref) return PSEUDO[node.Ref] ?? '<ref>';
  }
  return '<value>';
}

/** Every string of the template, with Fn::Join rendered whole. */
function strings(node: unknown, where: string, out: Array<{ text: string; where: string }>): void {
  if (typeof node === 'string') {
    out.push({ text: node, where });
  } else if (Array.isArray(node)) {
    node.forEach((item, i) => strings(item, `${where}[${i}]`, out));
  } else if (node && typeof node === 'object') {
    const object = node as Record<string, unknown>;
    if (object['Fn::Join']) out.push({ text: render(object), where });
    for (const [key, value] of Object.entries(object)) strings(value, `${where}.${key}`, out);
  }
}

const PATTERNS: Array<{ kind: AwsNameKind; pattern: RegExp; name: (m: RegExpExecArray) => string }> = [
  { kind: AwsNameKind.IMAGEBUILDER_COMPONENT, pattern: /:aws:component\/([a-z0-9-]+)\//g, name: m => m[1] },
  { kind: AwsNameKind.IMAGEBUILDER_IMAGE, pattern: /:aws:image\/([a-z0-9-]+)\//g, name: m => m[1] },
  { kind: AwsNameKind.SSM_PUBLIC_PARAMETER, pattern: /(\/aws\/service\/[A-Za-z0-9_.\/-]+)/g, name: m => m[1] },
  { kind: AwsNameKind.MANAGED_POLICY, pattern: /:iam::aws:policy\/([A-Za-z0-9+=,.@_\/-]+)/g, name: m => m[1] },
  { kind: AwsNameKind.SERVICE_LINKED_ROLE, pattern: /:role\/(aws-service-role\/[a-z0-9.-]+\/[A-Za-z0-9+=,.@_-]+)/g, name: m => m[1] },
  // Role ARNs other than service-linked roles and the library's own GoldenAmi* roles: names a service expects.
  { kind: AwsNameKind.SERVICE_EXPECTED_ROLE_NAME, pattern: /:role\/(?!aws-service-role\/)(?!GoldenAmi)([A-Za-z0-9+=,.@_-]+)/g, name: m => m[1] },
  // Principals and endpoint hosts; `<region>`, `$region` and literal Regions are one label.
  { kind: AwsNameKind.SERVICE_PRINCIPAL, pattern: /(?<![A-Za-z0-9.<>$-])([a-z0-9<>$-]+(?:\.[a-z0-9<>$-]+)*)\.amazonaws\.com/g, name: m => `${m[1]}.amazonaws.com` },
];

/** Every AWS-owned name in a template. */
function awsNamesIn(template: Record<string, any>, stackName: string): Found[] {
  const found: Found[] = [];
  const texts: Array<{ text: string; where: string }> = [];
  strings(template.Resources, stackName, texts);
  for (const { text, where } of texts) {
    for (const { kind, pattern, name } of PATTERNS) {
      for (const match of text.matchAll(pattern)) found.push({ kind, name: name(match), where });
    }
  }
  for (const [id, resource] of Object.entries<any>(template.Resources)) {
    const props = resource.Properties ?? {};
    const where = `${stackName}.${id}`;
    if (resource.Type === 'AWS::IAM::Role' && typeof props.RoleName === 'string' && !props.RoleName.startsWith('GoldenAmi')) {
      found.push({ kind: AwsNameKind.SERVICE_EXPECTED_ROLE_NAME, name: props.RoleName, where });
    }
    if (resource.Type === 'AWS::Config::ConfigRule' && props.Source?.Owner === 'AWS') {
      found.push({ kind: AwsNameKind.CONFIG_MANAGED_RULE, name: props.Source.SourceIdentifier, where });
    }
    if (resource.Type === 'AWS::Config::OrganizationConfigRule' && props.OrganizationManagedRuleMetadata) {
      found.push({ kind: AwsNameKind.CONFIG_MANAGED_RULE, name: props.OrganizationManagedRuleMetadata.RuleIdentifier, where });
    }
    if (resource.Type === 'AWS::Config::RemediationConfiguration' && props.TargetType === 'SSM_DOCUMENT') {
      found.push({ kind: AwsNameKind.SSM_DOCUMENT, name: render(props.TargetId), where });
    }
    if (resource.Type === 'AWS::SSM::Document') {
      for (const step of props.Content?.mainSteps ?? []) found.push({ kind: AwsNameKind.SSM_AUTOMATION_ACTION, name: step.action, where });
    }
    if (resource.Type === 'AWS::ImageBuilder::DistributionConfiguration') {
      for (const distribution of props.Distributions ?? []) {
        for (const parameter of distribution.SsmParameterConfigurations ?? []) {
          if (parameter.DataType) found.push({ kind: AwsNameKind.SSM_PARAMETER_DATA_TYPE, name: parameter.DataType, where });
        }
      }
    }
    if (resource.Type === 'AWS::Organizations::Policy') {
      found.push({ kind: AwsNameKind.ORGANIZATIONS_POLICY_TYPE, name: props.Type, where });
      if (props.Type === 'DECLARATIVE_POLICY_EC2') found.push(...declarativeNames(props.Content, where));
      if (props.Type === 'SERVICE_CONTROL_POLICY') found.push(...scpNames(props.Content, where));
    }
    if (resource.Type === 'AWS::Events::Rule' && props.EventPattern) {
      for (const name of [props.EventPattern.source ?? [], props.EventPattern['detail-type'] ?? []].flat()) found.push({ kind: AwsNameKind.EVENTBRIDGE_EVENT, name, where });
    }
    if (resource.Type === 'AWS::Events::EventBusPolicy') {
      for (const statement of [props.Statement ?? []].flat()) {
        for (const keys of Object.values<Record<string, unknown>>(statement.Condition ?? {})) {
          for (const name of Object.keys(keys)) found.push({ kind: AwsNameKind.EVENT_BUS_POLICY_KEY, name, where });
        }
      }
    }
    if (resource.Type === 'AWS::SSM::Parameter' && props.DataType) {
      found.push({ kind: AwsNameKind.SSM_PARAMETER_DATA_TYPE, name: props.DataType, where });
    }
  }
  return found;
}

/**
 * The AWS-owned names of an EC2 declarative policy: every key but the numbered criteria, the
 * state values and the provider aliases (account IDs are the user's).
 */
function declarativeNames(node: unknown, where: string, key?: string): Found[] {
  const kind = AwsNameKind.DECLARATIVE_POLICY_NAME;
  if (typeof node === 'string') return key === 'state' || (key === 'allowed_image_providers' && !/^\d{12}$/.test(node)) ? [{ kind, name: node, where }] : [];
  if (Array.isArray(node)) return node.flatMap(item => declarativeNames(item, where, key));
  if (!node || typeof node !== 'object') return [];
  return Object.entries(node).flatMap(([k, value]) => [
    ...(/^criteria_\d+$/.test(k) ? [] : [{ kind, name: k, where }]),
    // A value under @@assign belongs to the key above it.
    ...declarativeNames(value, where, k === '@@assign' ? key : k),
  ]);
}

/** The actions, condition keys and owner aliases of a service control policy (account IDs and ARNs are the user's). */
function scpNames(content: any, where: string): Found[] {
  const kind = AwsNameKind.SCP_NAME;
  return (content.Statement as any[]).flatMap(statement => [
    ...[statement.Action].flat().map((name: string) => ({ kind, name, where })),
    ...Object.values<Record<string, unknown>>(statement.Condition ?? {}).flatMap(keys => Object.entries(keys).flatMap(([name, values]) => [
      { kind, name, where },
      ...(name === 'ec2:Owner' ? [values].flat().filter((v): v is string => typeof v === 'string' && !/^\d{12}$/.test(v)).map(v => ({ kind, name: v, where })) : []),
    ])),
  ]);
}

/** A catalogue name as a pattern: `<region>`/`<arch>` stand for one label of a host or path. */
function namePattern(entry: AwsName): RegExp {
  const escaped = entry.name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/<(region|arch)>/g, '[^./]+');
  return new RegExp(`^${escaped}$`);
}

/** Hosts named in the templates are principals or endpoints: either catalogue kind matches. */
function sameKind(found: AwsNameKind, entry: AwsNameKind): boolean {
  const host = [AwsNameKind.SERVICE_PRINCIPAL, AwsNameKind.SERVICE_ENDPOINT];
  return found === entry || (host.includes(found) && host.includes(entry));
}

function catalogued(found: Found): AwsName | undefined {
  return awsCatalogue().find(entry => sameKind(found.kind, entry.kind) && namePattern(entry).test(found.name));
}

// ---------------------------------------------------------------------------------------
// The stacks: the full OS x architecture x hardening matrix, the ECS image, the compliance rules.


interface Rendered {
  readonly name: string;
  readonly stack: Stack;
  readonly template: Record<string, any>;
}

/** One stack per OS and architecture, holding a recipe and a golden image per hardening. */
function matrixStacks(): Rendered[] {
  return OperatingSystem.all().flatMap(os => os.architectures.map(architecture => {
    const stack = newStack(`${os.id.replace(/_/g, '')}${architecture.replace('_', '')}`);
    const evidence = new s3.Bucket(stack, 'Evidence');
    const baseImage = os.hasPublicImage(architecture)
      ? undefined
      : BaseImage.fromAmiId('ami-0123456789abcdef0', { platform: os.platform, rootDeviceName: os.rootDeviceName });
    HARDENINGS.filter(hardening => hardeningSupported(os, hardening)).forEach((hardening, i) => {
      const recipe = new HardenedBaseRecipe(stack, `Recipe${i}`, {
        recipeName: `recipe-${i}`,
        operatingSystem: os,
        architecture,
        hardening,
        baseImage,
        scapScan: os.supportsScapScan(architecture) ? { reportBucket: evidence } : undefined,
      });
      const image = new GoldenImage(stack, `Image${i}`, {
        recipe,
        imageName: `image-${i}`,
        lifecycle: i === 0 ? ImageLifecycle.byCount({ keepLatest: 3 }) : undefined,
      });
      recipe.grantBuildAccess(image.infrastructure.instanceRole);
    });
    return { name: stack.stackName, stack, template: Template.fromStack(stack).toJSON() };
  }));
}

function ecsStack(): Rendered {
  const stack = newStack('Ecs');
  const golden = new GoldenImage(stack, 'Golden', { recipe: new HardenedBaseRecipe(stack, 'Base', { recipeName: 'base' }), imageName: 'base' });
  const image = new EcsApplicationImage(stack, 'App', {
    parent: ParentImage.fromGoldenImage(golden),
    imageName: 'ecs-app',
    logShippingAgent: LogShippingAgent.cloudWatchAgent(),
    playbooks: [AnsiblePlaybook.fromFile(path.join(__dirname, 'ecs', 'fixtures', 'playbook.yml'))],
  });
  const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 2, natGateways: 0 });
  const cluster = new ecs.Cluster(stack, 'Cluster', { vpc });
  new GoldenImageEcsCapacity(stack, 'Capacity', { cluster, image, instanceType: new ec2.InstanceType('m7i.large'), instanceRefresh: {} });
  return { name: stack.stackName, stack, template: Template.fromStack(stack).toJSON() };
}

function complianceStacks(): Rendered[] {
  const single = newStack('ComplianceAccount');
  new GoldenAmiComplianceRule(single, 'Rule', {
    approvalSources: [ApprovalSource.ssmCatalog('/golden-ami/')],
    remediation: ComplianceRemediation.stopInstance(),
    notifications: true,
    maximumAmiAge: Duration.days(90),
  });
  ApprovedAmisManagedRule.byId(single, 'ById', { amiIds: ['ami-0123456789abcdef0'] });
  ApprovedAmisManagedRule.byTag(single, 'ByTag', { tags: { golden: 'true' } });

  const organization = newStack('ComplianceOrganization');
  new GoldenAmiComplianceRule(organization, 'Rule', {
    approvalSources: [ApprovalSource.ssmCatalog('/golden-ami/'), ApprovalSource.ownerAccounts(['999999999999'])],
    organization: { organizationId: 'o-a1b2c3d4e5', excludedAccounts: ['333333333333'] },
  });
  new GoldenAmiComplianceMemberStackSet(organization, 'Members', {
    evaluatorAccountId: '111111111111',
    approvalSources: [ApprovalSource.ssmCatalog('/golden-ami/')],
    organizationalUnitIds: ['ou-ab12-cdef3456'],
  });
  const member = newStack('ComplianceMember');
  new GoldenAmiComplianceMemberRole(member, 'Member', { evaluatorAccountId: '444444444444', approvalSources: [ApprovalSource.ssmCatalog('/golden-ami/')] });

  return [single, organization, member].map(stack => ({ name: stack.stackName, stack, template: Template.fromStack(stack).toJSON() }));
}

/** A target account of cross-account copies, the StackSet for an organization, and a factory key granted to targets. */
function distributionTargetStacks(): Rendered[] {
  const target = newStack('DistributionTarget');
  new GoldenImageDistributionTargetRole(target, 'Target', {
    factoryAccountIds: ['999999999999'],
    copyKeys: [new kms.Key(target, 'CopyKey', { enableKeyRotation: true })],
    copyKeyAliases: ['alias/golden-ami'],
    launchTemplateUpdates: true,
    catalogParameterPaths: ['/golden-ami/'],
  });
  new GoldenImageDistributionTargetStackSet(target, 'Targets', { factoryAccountIds: ['999999999999'], organizationalUnitIds: ['r-ab12'] });
  const factory = newStack('DistributionFactory');
  GoldenImageDistributionTargetRole.grantSourceKeyToTargets(new kms.Key(factory, 'Key', { enableKeyRotation: true }), ['222222222222']);
  return [target, factory].map(stack => ({ name: stack.stackName, stack, template: Template.fromStack(stack).toJSON() }));
}

/** A management stack with both prevention policies, with every AWS-owned value they can write. */
function preventionStacks(): Rendered[] {
  const stack = newStack('Prevention');
  const base = new GoldenImage(stack, 'Base', {
    imageName: 'prevention-base',
    recipe: new ImageRecipe(stack, 'BaseRecipe', { components: [RecipeComponent.awsManaged('update-linux')] }),
    lifecycle: ImageLifecycle.byAge({ disableAfter: Duration.days(90) }),
  });
  new AllowedImagesPolicy(stack, 'Audit', { targetIds: ['r-ab12'], images: [base], awsImageProviders: [AwsImageProvider.AMAZON, AwsImageProvider.AWS_MARKETPLACE, AwsImageProvider.AWS_BACKUP_VAULT] });
  new AllowedImagesPolicy(stack, 'Enabled', { targetIds: ['ou-ab12-cdef3456'], imageProviders: ['222222222222'], mode: AllowedImagesMode.ENABLED });
  // The exempt principal is a user's name, not AWS's: its role name is under the GoldenAmi prefix the scan skips.
  new GoldenImageServiceControlPolicy(stack, 'Scp', { targetIds: ['r-ab12'], images: [base], allowAmazonImages: true, exemptPrincipalArns: ['arn:aws:iam::*:role/GoldenAmiBreakGlass'] });
  return [{ name: stack.stackName, stack, template: Template.fromStack(stack).toJSON() }];
}

describe('AWS-owned names', () => {
  let rendered: Rendered[];
  let found: Found[];

  beforeAll(() => {
    const crossAccount = crossAccountStacks().map(stack => ({ name: stack.stackName, stack, template: Template.fromStack(stack).toJSON() }));
    const trustChain = trustChainStack();
    rendered = [...matrixStacks(), ecsStack(), ...complianceStacks(), ...distributionTargetStacks(), ...preventionStacks(), ...crossAccount,
      { name: trustChain.stackName, stack: trustChain, template: Template.fromStack(trustChain).toJSON() }];
    found = rendered.flatMap(({ name, template }) => awsNamesIn(template, name));
    // The StackSet carries the member template as a string: its names count too.
    for (const { name, template } of rendered) {
      for (const resource of Object.values<any>(template.Resources)) {
        if (resource.Type === 'AWS::CloudFormation::StackSet') found.push(...awsNamesIn(JSON.parse(resource.Properties.TemplateBody), `${name}(StackSet)`));
      }
    }
  });

  test('the matrix covers every OS, architecture and hardening the library offers, SCAP where documented', () => {
    const recipes = rendered.flatMap(({ template }) => Object.values<any>(template.Resources).filter(r => r.Type === 'AWS::ImageBuilder::ImageRecipe'));
    const expected = OperatingSystem.all()
      .reduce((sum, os) => sum + os.architectures.length * HARDENINGS.filter(h => hardeningSupported(os, h)).length, 0);
    // The matrix recipes, plus the ECS stack's golden parent and application image, the prevention stack's image,
    // the cross-account factory's parent and workload child, and the trust-chain stack's two images.
    expect(recipes).toHaveLength(expected + 7);
    expect(expected).toBe(68);
    expect(found.filter(f => f.name === 'scap-compliance-checker-windows').length).toBeGreaterThan(0);
  });

  test('every AWS-owned name in the templates is in the catalogue', () => {
    expect(found.length).toBeGreaterThan(100);
    if (process.env.PRINT_AWS_NAMES) console.log([...new Set(found.map(f => `${f.kind}\t${f.name}`))].sort().join('\n'));
    const missing = found.filter(f => catalogued(f) === undefined).map(f => `${f.kind} '${f.name}' (${f.where})`);
    expect([...new Set(missing)]).toEqual([]);
  });

  test('every catalogue entry is emitted by some stack, except the ones no rendered stack can reach (said why)', () => {
    const unreachable: Record<string, string> = {
      // Documented for RHEL 7/8 and Ubuntu 18.04/20.04 only: none of the library's Linux systems.
      'scap-compliance-checker-linux': 'no library OS',
      // Inside the ECS build scripts (a download path with shell variables, package and Extras
      // topic names); test/ecs/ecs-build-steps.test.ts runs those scripts and checks each name.
      'amazon-ecs-agent-<region>/amazon-ecs-init-latest.<arch>.deb': 'shell',
      'ecs-init': 'shell',
      'ecs': 'shell',
      'docker': 'shell',
    };
    const emitted = new Set(found.map(catalogued).filter((entry): entry is AwsName => entry !== undefined));
    const unused = awsCatalogue().filter(entry => !emitted.has(entry) && !(entry.name in unreachable)).map(entry => entry.name);
    expect(unused).toEqual([]);
  });

  test('every catalogue entry cites AWS documentation over https, checked on the catalogue date', () => {
    const entries = awsCatalogue();
    expect(entries.length).toBeGreaterThan(30);
    for (const entry of entries) {
      expect(entry.checked).toBe(CATALOGUE_CHECKED);
      expect(entry.sources.length).toBeGreaterThan(0);
      expect(entry.usedBy.length).toBeGreaterThan(0);
      for (const source of entry.sources) {
        const url = new URL(source.url);
        expect([entry.name, url.protocol, url.hostname]).toEqual([entry.name, 'https:', 'docs.aws.amazon.com']);
        expect(source.says.length).toBeGreaterThan(20);
      }
    }
    expect(CATALOGUE_CHECKED).toBe('2026-11-27');
    expect(new Set(entries.map(entry => `${entry.kind} ${entry.name}`)).size).toBe(entries.length);
  });

  test('STIG: the unified component, its Level parameter with the value AWS documents, on every STIG recipe', () => {
    const levels = new Map<string, string[]>();
    for (const { template } of rendered) {
      for (const recipe of Object.values<any>(template.Resources).filter(r => r.Type === 'AWS::ImageBuilder::ImageRecipe')) {
        for (const component of recipe.Properties.Components) {
          const name = /:aws:component\/([a-z0-9-]+)\//.exec(render(component.ComponentArn))?.[1];
          if (!name) continue;
          const entry = awsCatalogue().find(e => e.kind === AwsNameKind.IMAGEBUILDER_COMPONENT && e.name === name) as ManagedComponent;
          // Every parameter passed to a managed component is one AWS documents, with a documented value.
          for (const parameter of component.Parameters ?? []) {
            const documented = entry.parameters?.find(p => p.name === parameter.Name);
            expect([name, parameter.Name, documented?.allowedValues.includes(parameter.Value[0])]).toEqual([name, parameter.Name, true]);
          }
          if (name.startsWith('stig-build-')) {
            expect(component.Parameters).toEqual([{ Name: STIG_LEVEL_PARAMETER.name, Value: [expect.stringMatching(/^(Low|Medium|High)$/)] }]);
            levels.set(name, [...(levels.get(name) ?? []), component.Parameters[0].Value[0]]);
          }
        }
      }
    }
    expect([...levels.keys()].sort()).toEqual(['stig-build-linux', 'stig-build-windows']);
    expect(new Set(levels.get('stig-build-windows'))).toEqual(new Set(['Low', 'Medium', 'High']));
    expect(found.filter(f => /^stig-build-.*-(low|medium|high)$/.test(f.name))).toEqual([]);
  });

  test('the OS facts follow the catalogue: STIG on every OS AWS documents, SCAP only on Windows Server 2022 x86_64', () => {
    expect(OperatingSystem.all().filter(os => os.stigSupported).map(os => os.id)).toEqual([
      'AMAZON_LINUX_2023', 'AMAZON_LINUX_2', 'UBUNTU_22_04', 'UBUNTU_24_04', 'RHEL_9', 'WINDOWS_SERVER_2022', 'WINDOWS_SERVER_2025',
    ]);
    const scap = OperatingSystem.all().flatMap(os => os.architectures.filter(a => os.supportsScapScan(a)).map(a => `${os.id} ${a}`));
    expect(scap).toEqual(['WINDOWS_SERVER_2022 x86_64']);
    expect(managedComponent('scapComplianceChecker', OperatingSystem.UBUNTU_22_04.platform).documentedOperatingSystems).toBe('RHEL 7/8, Ubuntu 18.04/20.04 (AMD64 only)');
  });
});

describe('documented limits, checked at synth', () => {
  test('approved-amis-by-tag takes at most 10 tags, and says that any one of them approves', () => {
    const tags = (n: number) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`tag${i}`, 'yes']));
    const stack = newStack();
    ApprovedAmisManagedRule.byTag(stack, 'Ten', { tags: tags(10) });
    expect(Object.values<any>(Template.fromStack(stack).toJSON().Resources)[0].Properties).toMatchObject({
      Source: { Owner: 'AWS', SourceIdentifier: 'APPROVED_AMIS_BY_TAG' },
      InputParameters: { amisByTagKeyAndValue: Object.keys(tags(10)).map(key => `${key}:yes`).join(',') },
    });
    expect(() => ApprovedAmisManagedRule.byTag(newStack(), 'Eleven', { tags: tags(11) }))
      .toThrow("tags must name at most 10 tags (approved-amis-by-tag takes up to 10; an AMI with any one of them is approved), got 11: 'tag0,tag1,tag2,tag3,tag4,tag5,tag6,tag7,tag8,tag9,tag10'");
  });

  test('approved-amis-by-id takes at most 21 AMI IDs', () => {
    const ids = Array.from({ length: 22 }, (_, i) => `ami-${i.toString(16).padStart(17, '0')}`);
    expect(() => ApprovedAmisManagedRule.byId(newStack(), 'R', { amiIds: ids })).toThrow(/^amiIds must list 1 to 21 AMI IDs \(the managed rule's limit\), got 22: /);
  });

  test('SCAP where AWS does not document its component names the documented systems', () => {
    const stack = newStack();
    expect(() => new HardenedBaseRecipe(stack, 'R', { operatingSystem: OperatingSystem.UBUNTU_22_04, scapScan: { reportBucket: new s3.Bucket(stack, 'B') } }))
      .toThrow("scapScan is not available for operatingSystem 'UBUNTU_22_04' on architecture 'x86_64': AWS documents scap-compliance-checker-linux for RHEL 7/8, Ubuntu 18.04/20.04 (AMD64 only)");
    const windows = newStack();
    expect(() => new HardenedBaseRecipe(windows, 'R', { operatingSystem: OperatingSystem.WINDOWS_SERVER_2025, scapScan: { reportBucket: s3.Bucket.fromBucketName(windows, 'B', 'evidence-bucket') } }))
      .toThrow(/scapScan is not available for operatingSystem 'WINDOWS_SERVER_2025'.*scap-compliance-checker-windows for Windows, with the STIG benchmarks of Q3 2024/);
  });

  test('the public images come from the catalogue, and BaseImage.amazonLinux2023 too', () => {
    expect(BaseImage.amazonLinux2023(ImageArchitecture.ARM64).parentImage).toBe('ssm:/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-arm64');
    expect(OperatingSystem.RHEL_9.hasPublicImage(ImageArchitecture.ARM64)).toBe(false);
    expect(OperatingSystem.RHEL_9.hasPublicImage(ImageArchitecture.X86_64)).toBe(true);
  });
});
