import {
  ApprovalPolicy,
  Facts,
  ImageFacts,
  MalformedEventError,
  ResolvedImage,
  Subject,
  autoScalingGroupSources,
  batches,
  evaluate,
  instanceSources,
  isApprovedParameter,
  judgeImage,
  outOfScope,
  parseEvent,
  MAX_SWEEP_CONTINUATIONS,
  parseResolveSsm,
  parseSettings,
  fitAnnotation,
  named,
  subjectFromItem,
  amiIdsOf,
  RESOURCE_TYPES,
  addAncestry,
  addRevocations,
  ancestorsOf,
  catalogParameterKind,
  cleanReason,
  MAX_ANNOTATION_LENGTH,
  MAX_ANCESTRY_DEPTH,
} from '../../src/compliance/evaluate';

const ACCOUNT = '111111111111';
const FACTORY = '999999999999';
const NOW = new Date('2025-06-01T00:00:00Z');
const GOLDEN = 'ami-0123456789abcdef0';
const OLD = 'ami-0123456789abcdef1';
const OWN = 'ami-0123456789abcdef2';
const STRANGER = 'ami-0123456789abcdef3';
const DEPRECATED = 'ami-0123456789abcdef4';
const GONE = 'ami-0123456789abcdef5';
const CATALOGED_SHARED = 'ami-0123456789abcdef6';

const image = (imageId: string, ownerId: string, creationDate: string, extra: Partial<ImageFacts> = {}): ImageFacts =>
  ({ imageId, ownerId, creationDate, state: 'available', tags: {}, ...extra });

const FACTS: Facts = {
  accountId: ACCOUNT,
  now: NOW,
  catalog: { amis: new Map([[GOLDEN, '/golden-ami/base/latest'], [GONE, '/golden-ami/base/latest'], [CATALOGED_SHARED, '/golden-ami/app/latest']]) },
  images: new Map([
    [GOLDEN, image(GOLDEN, FACTORY, '2025-05-20T00:00:00.000Z')],
    [OLD, image(OLD, FACTORY, '2024-01-01T00:00:00.000Z')],
    [OWN, image(OWN, ACCOUNT, '2025-05-30T00:00:00.000Z', { tags: { approved: 'yes', team: 'platform' } })],
    [STRANGER, image(STRANGER, '888888888888', '2025-05-30T00:00:00.000Z', { tags: { approved: 'yes' } })],
    [DEPRECATED, image(DEPRECATED, FACTORY, '2025-05-01T00:00:00.000Z', { deprecationTime: '2025-05-31T00:00:00.000Z' })],
    [CATALOGED_SHARED, image(CATALOGED_SHARED, FACTORY, '2025-05-25T00:00:00.000Z')],
  ]),
};

const policy = (overrides: Partial<ApprovalPolicy> = {}): ApprovalPolicy => ({
  catalogPaths: ['/golden-ami'], parameterNames: [], revocationLists: [], ancestryRecords: [], ownerAccounts: [], amiTags: {}, allowDeprecated: false, ...overrides,
});

const instance = (imageId: string): Subject => ({ resourceType: 'AWS::EC2::Instance', resourceId: 'i-1', orderingTimestamp: NOW, sources: [{ via: 'instance', image: imageId }] });
const resolvedInstance = (imageId: string): ResolvedImage[] => [{ via: 'instance', image: imageId }];

describe('judgeImage: one AMI against the approval sources', () => {
  test.each([
    ['in the SSM catalog', policy(), GOLDEN, true, `${GOLDEN} approved by SSM catalog /golden-ami/base/latest`],
    ['owned by an approved account', policy({ catalogPaths: [], ownerAccounts: [FACTORY] }), OLD, true, `${OLD} approved by owner account ${FACTORY}`],
    ['own AMI with the tags', policy({ catalogPaths: [], amiTags: { approved: 'yes' } }), OWN, true, `${OWN} approved by AMI tags approved=yes`],
    ['own AMI with only some tags', policy({ catalogPaths: [], amiTags: { approved: 'yes', team: 'apps' } }), OWN, false, `unknown AMI ${OWN}: approval tags missing`],
    ['another account\'s AMI with matching tags (tags not trusted)', policy({ catalogPaths: [], amiTags: { approved: 'yes' } }), STRANGER, false,
      `unknown AMI ${STRANGER}: tags of AMIs owned by 888888888888 are not visible here`],
    ['unknown to every source', policy({ ownerAccounts: [FACTORY], amiTags: { approved: 'yes' } }), STRANGER, false,
      `unknown AMI ${STRANGER}: not in the SSM catalog; owner 888888888888 not approved; tags of AMIs owned by 888888888888 are not visible here`],
    ['deregistered, was in the catalog', policy(), GONE, false, `${GONE} is deregistered or not shared with this account (it was published to /golden-ami/base/latest)`],
    ['not found, never in the catalog', policy({ ownerAccounts: [FACTORY] }), 'ami-0fffffffffffffff0', false, 'ami-0fffffffffffffff0 is deregistered or not shared with this account'],
    ['deprecated', policy({ ownerAccounts: [FACTORY] }), DEPRECATED, false, `${DEPRECATED} is deprecated since 2025-05-31T00:00:00.000Z`],
    ['deprecated but allowed', policy({ ownerAccounts: [FACTORY], allowDeprecated: true }), DEPRECATED, true, `${DEPRECATED} approved by owner account ${FACTORY}`],
    ['too old', policy({ ownerAccounts: [FACTORY], maxAgeDays: 90 }), OLD, false, `${OLD} is 517 days old, older than the maximum age of 90 days`],
    ['exactly the maximum age', policy({ ownerAccounts: [FACTORY], maxAgeDays: 12 }), GOLDEN, true, `${GOLDEN} approved by SSM catalog /golden-ami/base/latest`],
    ['one day over the maximum age', policy({ ownerAccounts: [FACTORY], maxAgeDays: 11 }), GOLDEN, false, `${GOLDEN} is 12 days old, older than the maximum age of 11 days`],
    ['shared from the factory, approved through the catalog', policy(), CATALOGED_SHARED, true, `${CATALOGED_SHARED} approved by SSM catalog /golden-ami/app/latest`],
  ])('%s', (_name, p, ami, compliant, reason) => {
    expect(judgeImage(p, FACTS, ami)).toEqual({ compliant, reason });
  });

  test('a deprecation time in the future does not count yet', () => {
    const facts: Facts = { ...FACTS, images: new Map([[GOLDEN, image(GOLDEN, FACTORY, '2025-05-20T00:00:00Z', { deprecationTime: '2026-01-01T00:00:00Z' })]]) };
    expect(judgeImage(policy(), facts, GOLDEN).compliant).toBe(true);
  });

  test('an image DescribeImages returns in state deregistered is treated as gone', () => {
    const facts: Facts = { ...FACTS, images: new Map([[GOLDEN, image(GOLDEN, FACTORY, '2025-05-20T00:00:00Z', { state: 'deregistered' })]]) };
    expect(judgeImage(policy(), facts, GOLDEN).compliant).toBe(false);
  });
});

describe('evaluate: the verdict on a resource', () => {
  test('an instance from an approved AMI is COMPLIANT, with the resource and timestamp Config needs', () => {
    expect(evaluate(instance(GOLDEN), resolvedInstance(GOLDEN), policy(), FACTS)).toEqual({
      ComplianceResourceType: 'AWS::EC2::Instance',
      ComplianceResourceId: 'i-1',
      ComplianceType: 'COMPLIANT',
      Annotation: `${GOLDEN} approved by SSM catalog /golden-ami/base/latest`,
      OrderingTimestamp: NOW,
    });
  });

  test('an instance from an unknown AMI is NON_COMPLIANT', () => {
    expect(evaluate(instance(STRANGER), resolvedInstance(STRANGER), policy(), FACTS)).toMatchObject({ ComplianceType: 'NON_COMPLIANT', Annotation: `unknown AMI ${STRANGER}: not in the SSM catalog` });
  });

  test('a subject out of scope is NOT_APPLICABLE with its reason', () => {
    const subject: Subject = { ...instance(GOLDEN), notApplicable: 'the instance is terminated', sources: [] };
    expect(evaluate(subject, [], policy(), FACTS)).toMatchObject({ ComplianceType: 'NOT_APPLICABLE', Annotation: 'the instance is terminated' });
  });

  test('a launch template without an image is NOT_APPLICABLE', () => {
    const subject: Subject = { resourceType: 'AWS::EC2::LaunchTemplate', resourceId: 'lt-1', orderingTimestamp: NOW, sources: [] };
    expect(evaluate(subject, [{ via: 'default version' }], policy(), FACTS)).toMatchObject({ ComplianceType: 'NOT_APPLICABLE', Annotation: 'no image is specified' });
  });

  test.each([
    ['resolve:ssm under a catalog path', policy(), 'resolve:ssm:/golden-ami/base/latest', 'COMPLIANT'],
    ['resolve:ssm with a version', policy(), 'resolve:ssm:/golden-ami/base/latest:7', 'COMPLIANT'],
    ['resolve:ssm of a GoldenImage parameter', policy({ catalogPaths: [], parameterNames: ['/images/base'], ownerAccounts: [FACTORY] }), 'resolve:ssm:/images/base', 'COMPLIANT'],
    ['resolve:ssm elsewhere', policy(), 'resolve:ssm:/golden-ami-not/x', 'NON_COMPLIANT'],
    ['resolve:ssm of a public AWS parameter', policy(), 'resolve:ssm:/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64', 'NON_COMPLIANT'],
    ['a value that is not an AMI', policy(), 'not-an-ami', 'NON_COMPLIANT'],
  ])('launch template image %s', (_name, p, value, expected) => {
    const subject: Subject = { resourceType: 'AWS::EC2::LaunchTemplate', resourceId: 'lt-1', orderingTimestamp: NOW, sources: [] };
    expect(evaluate(subject, [{ via: 'default version', image: value }], p, FACTS).ComplianceType).toBe(expected);
  });

  test('a group is NON_COMPLIANT when any of its launch sources is, naming each failing one', () => {
    const subject: Subject = { resourceType: 'AWS::AutoScaling::AutoScalingGroup', resourceId: 'arn:asg', orderingTimestamp: NOW, sources: [] };
    const verdict = evaluate(subject, [
      { via: 'mixed instances launch template lt-a version $Default', image: GOLDEN },
      { via: 'mixed instances override 2 launch template lt-b version 1', image: STRANGER },
      { via: 'launch configuration old', missing: 'launch configuration old not found' },
    ], policy(), FACTS);
    expect(verdict).toMatchObject({
      ComplianceType: 'NON_COMPLIANT',
      Annotation: `mixed instances override 2 launch template lt-b version 1: unknown AMI ${STRANGER}: not in the SSM catalog | launch configuration old: launch configuration old not found`,
    });
  });

  test('a group whose every source is approved is COMPLIANT, each named', () => {
    const subject: Subject = { resourceType: 'AWS::AutoScaling::AutoScalingGroup', resourceId: 'arn:asg', orderingTimestamp: NOW, sources: [] };
    expect(evaluate(subject, [{ via: 'launch template lt-a version 3', image: GOLDEN }, { via: 'override 1', image: 'resolve:ssm:/golden-ami/app/latest' }], policy(), FACTS).Annotation)
      .toBe(`launch template lt-a version 3: ${GOLDEN} approved by SSM catalog /golden-ami/base/latest | override 1: resolve:ssm:/golden-ami/app/latest (approved parameter)`);
  });

  test('a long annotation keeps every reason it shows whole, and counts the ones left out', () => {
    const subject: Subject = { resourceType: 'AWS::AutoScaling::AutoScalingGroup', resourceId: 'arn:asg', orderingTimestamp: NOW, sources: [] };
    const many = Array.from({ length: 10 }, (_, i) => ({ via: `override ${i} launch template lt-${i}`, image: STRANGER }));
    const annotation = evaluate(subject, many, policy(), FACTS).Annotation;
    expect(annotation.length).toBeLessThanOrEqual(256);
    expect(annotation).toBe([0, 1].map(i => `override ${i} launch template lt-${i}: unknown AMI ${STRANGER}: not in the SSM catalog`).join(' | ') + ' | +8 more');
  });

  test('a long parameter name is shortened in its middle, and the reason after it stays whole', () => {
    const parameter = `/team/${'very-long-segment/'.repeat(16)}latest`;
    const subject: Subject = { resourceType: 'AWS::EC2::LaunchTemplate', resourceId: 'lt-0123456789abcdef0', orderingTimestamp: NOW, sources: [] };
    const annotation = evaluate(subject, [{ via: 'default version', image: `resolve:ssm:${parameter}` }], policy(), FACTS).Annotation;
    expect(annotation.length).toBeLessThanOrEqual(256);
    expect(annotation).toMatch(/^default version: SSM parameter \/team\/very-long-segment\/.*\.\.\..*-segment\/latest is not an approved golden AMI parameter$/);
  });

  test('a long catalog parameter in a COMPLIANT annotation is shortened, the AMI ID kept', () => {
    const parameter = `/golden-ami/${'x'.repeat(300)}`;
    const facts: Facts = { ...FACTS, catalog: { amis: new Map([[GOLDEN, parameter]]) } };
    const annotation = evaluate(instance(GOLDEN), resolvedInstance(GOLDEN), policy(), facts).Annotation;
    expect(annotation).toHaveLength(256);
    expect(annotation).toMatch(new RegExp(`^${GOLDEN} approved by SSM catalog /golden-ami/x+\\.\\.\\.x+$`));
  });

  test('fitAnnotation: names shortened only as far as needed; a single reason too long even then is cut at the limit', () => {
    const name = 'n'.repeat(100);
    expect(fitAnnotation([`a ${named(name)} b`], 60)).toBe(`a ${'n'.repeat(27)}...${'n'.repeat(26)} b`);
    expect(fitAnnotation([`a ${named(name)} b`], 60)).toHaveLength(60);
    expect(fitAnnotation([`short ${named('kept')}`])).toBe('short kept');
    const words = 'w'.repeat(300);
    expect(fitAnnotation([words, 'second'])).toBe(`${'w'.repeat(253)}...`);
  });
});

describe('what resources launch from', () => {
  test('instances: the image ID; terminated or shutting-down instances are NOT_APPLICABLE', () => {
    expect(instanceSources({ imageId: GOLDEN, state: { name: 'running' } })).toEqual({ sources: [{ via: 'instance', image: GOLDEN }] });
    expect(instanceSources({ imageId: GOLDEN, state: { name: 'stopped' } }).notApplicable).toBeUndefined();
    expect(instanceSources({ imageId: GOLDEN, state: { name: 'terminated' } })).toEqual({ notApplicable: 'the instance is terminated', sources: [] });
    expect(instanceSources({ imageId: GOLDEN, state: { name: 'shutting-down' } }).notApplicable).toBe('the instance is shutting-down');
  });

  test('groups: launch configuration, launch template, mixed instances template and per-override templates', () => {
    expect(autoScalingGroupSources({
      launchConfigurationName: 'lc',
      launchTemplate: { launchTemplateName: 'named' },
      mixedInstancesPolicy: {
        launchTemplate: {
          launchTemplateSpecification: { launchTemplateId: 'lt-a', version: '$Latest' },
          overrides: [{ instanceType: 'm7i.large' }, { instanceType: 'm7g.large', launchTemplateSpecification: { launchTemplateId: 'lt-b', version: '4' } }],
        },
      },
    }).sources).toEqual([
      { via: 'launch configuration lc', launchConfigurationName: 'lc' },
      { via: 'launch template named version $Default', launchTemplate: { launchTemplateName: 'named', version: '$Default' } },
      { via: 'mixed instances launch template lt-a version $Latest', launchTemplate: { launchTemplateId: 'lt-a', version: '$Latest' } },
      { via: 'mixed instances override 2 (m7g.large) launch template lt-b version 4', launchTemplate: { launchTemplateId: 'lt-b', version: '4' } },
    ]);
  });

  test('a group with nothing to launch from is NOT_APPLICABLE', () => {
    expect(autoScalingGroupSources({ launchTemplate: { launchTemplateId: '', launchTemplateName: '' } })).toEqual({ notApplicable: 'the group has no launch template or launch configuration', sources: [] });
  });

  test('launch templates are judged by their default version', () => {
    const subject = subjectFromItem({ resourceType: 'AWS::EC2::LaunchTemplate', resourceId: 'lt-1', configurationItemStatus: 'OK', configurationItemCaptureTime: NOW.toISOString(), configuration: {} }, false, [...RESOURCE_TYPES]);
    expect(subject.sources).toEqual([{ via: 'default version', launchTemplate: { launchTemplateId: 'lt-1', version: '$Default' } }]);
    expect(subject.orderingTimestamp).toEqual(NOW);
  });

  test('scope: deleted and unrecorded items, items that left the scope, and types turned off', () => {
    const all = [...RESOURCE_TYPES];
    expect(outOfScope('AWS::EC2::Instance', 'OK', false, all)).toBeUndefined();
    expect(outOfScope('AWS::EC2::Instance', 'ResourceDiscovered', false, all)).toBeUndefined();
    expect(outOfScope('AWS::EC2::Instance', 'ResourceDeleted', false, all)).toMatch(/deleted/);
    expect(outOfScope('AWS::EC2::Instance', 'ResourceDeletedNotRecorded', false, all)).toMatch(/deleted/);
    expect(outOfScope('AWS::EC2::Instance', 'ResourceNotRecorded', false, all)).toMatch(/no longer recorded/);
    expect(outOfScope('AWS::EC2::Instance', 'OK', true, all)).toMatch(/left the scope/);
    expect(outOfScope('AWS::EC2::Instance', 'OK', false, ['AWS::EC2::LaunchTemplate'])).toBe('AWS::EC2::Instance is not evaluated by this rule');
    expect(outOfScope('AWS::S3::Bucket', 'OK', false, all)).toBe('AWS::S3::Bucket is not evaluated by this rule');
  });

  test('AMI IDs to describe: unique, and only AMI IDs', () => {
    expect(amiIdsOf([{ via: 'a', image: GOLDEN }, { via: 'b', image: GOLDEN }, { via: 'c', image: 'resolve:ssm:/x' }, { via: 'd' }, { via: 'e', image: OLD }])).toEqual([GOLDEN, OLD]);
  });

  test('resolve:ssm values and approved parameter names', () => {
    expect(parseResolveSsm('resolve:ssm:/golden-ami/base/latest')).toEqual({ parameter: '/golden-ami/base/latest', version: undefined });
    expect(parseResolveSsm('resolve:ssm:/golden-ami/base/latest:12')).toEqual({ parameter: '/golden-ami/base/latest', version: 12 });
    expect(parseResolveSsm(GOLDEN)).toBeUndefined();
    expect(isApprovedParameter(policy(), '/golden-ami/x')).toBe(true);
    expect(isApprovedParameter(policy(), 'golden-ami/x')).toBe(true);
    expect(isApprovedParameter(policy(), '/golden-ami')).toBe(false);
    expect(isApprovedParameter(policy(), '/golden-amiX/y')).toBe(false);
  });
});

describe('parseEvent', () => {
  const item = { resourceType: 'AWS::EC2::Instance', resourceId: 'i-1', configurationItemStatus: 'OK', configurationItemCaptureTime: NOW.toISOString(), configuration: { imageId: GOLDEN } };

  test('configuration change, oversized and scheduled events', () => {
    expect(parseEvent({ invokingEvent: JSON.stringify({ messageType: 'ConfigurationItemChangeNotification', configurationItem: item }), resultToken: 't', accountId: ACCOUNT, eventLeftScope: false }))
      .toEqual({ kind: 'change', resultToken: 't', accountId: ACCOUNT, eventLeftScope: false, item });
    expect(parseEvent({ invokingEvent: JSON.stringify({ messageType: 'OversizedConfigurationItemChangeNotification', configurationItemSummary: item }), resultToken: 't', eventLeftScope: 'true' }))
      .toMatchObject({ kind: 'oversized', eventLeftScope: true, summary: item });
    expect(parseEvent({ invokingEvent: JSON.stringify({ messageType: 'ScheduledNotification', notificationCreationTime: NOW.toISOString() }), resultToken: 't' }))
      .toEqual({ kind: 'scheduled', resultToken: 't', accountId: undefined, notificationCreationTime: NOW });
  });

  test('a scheduled event continued by the function itself resumes where the sweep stopped', () => {
    const scheduled = { invokingEvent: JSON.stringify({ messageType: 'ScheduledNotification', notificationCreationTime: NOW.toISOString() }), resultToken: 't' };
    expect(parseEvent({ ...scheduled, goldenAmiSweepContinuation: { resourceType: 'AWS::EC2::Instance', nextToken: 'page-2', continuation: 3 } }))
      .toEqual({ kind: 'scheduled', resultToken: 't', accountId: undefined, notificationCreationTime: NOW, resumeFrom: { resourceType: 'AWS::EC2::Instance', nextToken: 'page-2', continuation: 3 } });
    expect(parseEvent({ ...scheduled, goldenAmiSweepContinuation: { resourceType: 'AWS::AutoScaling::AutoScalingGroup', continuation: MAX_SWEEP_CONTINUATIONS } }))
      .toMatchObject({ resumeFrom: { resourceType: 'AWS::AutoScaling::AutoScalingGroup', continuation: MAX_SWEEP_CONTINUATIONS } });
    expect(() => parseEvent({ ...scheduled, goldenAmiSweepContinuation: 'AWS::EC2::Instance' })).toThrow(/goldenAmiSweepContinuation must be an object, got: "AWS::EC2::Instance"/);
    expect(() => parseEvent({ ...scheduled, goldenAmiSweepContinuation: { resourceType: 'AWS::EC2::Instance', continuation: 1.5 } })).toThrow(/continuation must be an integer from 1 to 50, got: 1.5/);
  });

  test.each([
    ['not an object', null, /expected an object/],
    ['no result token', { invokingEvent: '{}' }, /resultToken is missing/],
    ['invokingEvent not a string', { invokingEvent: {}, resultToken: 't' }, /invokingEvent must be a JSON string/],
    ['invokingEvent not JSON', { invokingEvent: '{', resultToken: 't' }, /not valid JSON/],
    ['invokingEvent JSON null', { invokingEvent: 'null', resultToken: 't' }, /must be a JSON object/],
    ['unknown message type', { invokingEvent: '{"messageType":"X"}', resultToken: 't' }, /unknown messageType: "X"/],
    ['change without item', { invokingEvent: '{"messageType":"ConfigurationItemChangeNotification"}', resultToken: 't' }, /configurationItem is missing/],
    ['item with a bad capture time', { invokingEvent: JSON.stringify({ messageType: 'ConfigurationItemChangeNotification', configurationItem: { ...item, configurationItemCaptureTime: 'yesterday' } }), resultToken: 't' }, /not a timestamp/],
    ['scheduled with a bad time', { invokingEvent: '{"messageType":"ScheduledNotification","notificationCreationTime":"soon"}', resultToken: 't' }, /notificationCreationTime is not a timestamp/],
  ])('%s: MalformedEventError', (_name, event, message) => {
    expect(() => parseEvent(event as never)).toThrow(MalformedEventError);
    expect(() => parseEvent(event as never)).toThrow(message);
  });
});

describe('batches and settings', () => {
  test('PutEvaluations batches hold at most 100', () => {
    expect(batches(Array.from({ length: 250 }, (_, i) => i)).map(b => b.length)).toEqual([100, 100, 50]);
    expect(batches([])).toEqual([]);
  });

  test('settings: defaults filled in; approving nothing, or no settings, is an error', () => {
    expect(parseSettings(JSON.stringify({ policy: { ownerAccounts: [FACTORY] } }))).toEqual({
      policy: {
        catalogPaths: [],
        parameterNames: [],
        revocationLists: [],
        ancestryRecords: [],
        ownerAccounts: [FACTORY],
        amiTags: {},
        maxAgeDays: undefined,
        allowDeprecated: false,
      },
      resourceTypes: [...RESOURCE_TYPES],
      memberRoleName: undefined,
    });
    expect(() => parseSettings(undefined)).toThrow(/not set/);
    expect(() => parseSettings('{}')).toThrow(/no policy/);
    expect(() => parseSettings(JSON.stringify({ policy: {} }))).toThrow(/approves nothing/);
  });

  test('settings that are not JSON: the error names the variable and shows the value, truncated', () => {
    expect(() => parseSettings('{policy: nope}')).toThrow(/^GOLDEN_AMI_RULE_SETTINGS is not valid JSON \(.+\), got: '\{policy: nope\}'$/);
    const long = `{"policy": ${'x'.repeat(500)}`;
    expect(() => parseSettings(long)).toThrow(new RegExp('GOLDEN_AMI_RULE_SETTINGS is not valid JSON .*got: \'\\{"policy": x{109}\\.\\.\\. \\(511 characters\\)\'$'));
    expect(() => parseSettings('[1]')).toThrow(/GOLDEN_AMI_RULE_SETTINGS must be a JSON object, got: '\[1\]'/);
  });

  test('settings of an organization rule must carry the organization ID', () => {
    const withRole = (organizationId?: string) => JSON.stringify({ policy: { ownerAccounts: [FACTORY] }, memberRoleName: 'GoldenAmiComplianceMember', organizationId });
    expect(parseSettings(withRole('o-a1b2c3d4e5')).organizationId).toBe('o-a1b2c3d4e5');
    expect(() => parseSettings(withRole())).toThrow(/GOLDEN_AMI_RULE_SETTINGS organizationId must be an organization ID .* when memberRoleName is set, got: 'undefined'/);
    expect(() => parseSettings(withRole('o-SHORT'))).toThrow(/got: 'o-SHORT'/);
  });
});

describe('revocation and ancestry', () => {
  const CHILD = 'ami-0c0000000000000c1';
  const GRANDCHILD = 'ami-0c0000000000000c2';
  const UNAPPROVED_PARENT = 'ami-0c0000000000000f1';
  const withCatalog = (revoked: Array<[string, string]>, parents: Array<[string, string[]]>, extraImages: ImageFacts[] = []): Facts => ({
    ...FACTS,
    catalog: {
      amis: new Map([...FACTS.catalog.amis, [CHILD, '/golden-ami/app/latest'], [GRANDCHILD, '/golden-ami/web/latest']]),
      revoked: new Map(revoked),
      parents: new Map(parents),
    },
    images: new Map([
      ...FACTS.images,
      [CHILD, image(CHILD, FACTORY, '2025-05-28T00:00:00.000Z')],
      [GRANDCHILD, image(GRANDCHILD, FACTORY, '2025-05-29T00:00:00.000Z')],
      ...extraImages.map(i => [i.imageId, i] as [string, ImageFacts]),
    ]),
  });
  const template = (...sources: Array<[string, string]>): [Subject, ResolvedImage[]] => [
    { resourceType: 'AWS::AutoScaling::AutoScalingGroup', resourceId: 'arn:group', orderingTimestamp: NOW, sources: sources.map(([via, ami]) => ({ via, image: ami })) },
    sources.map(([via, ami]) => ({ via, image: ami })),
  ];

  test('a revoked AMI is NON_COMPLIANT `revoked: <reason>` although the catalog history approves it', () => {
    const facts = withCatalog([[GOLDEN, 'CVE-2025-0001 critical']], []);
    expect(judgeImage(policy(), facts, GOLDEN)).toEqual({ compliant: false, reason: `revoked: CVE-2025-0001 critical (${GOLDEN})` });
    expect(evaluate(instance(GOLDEN), resolvedInstance(GOLDEN), policy(), facts)).toMatchObject({
      ComplianceType: 'NON_COMPLIANT', Annotation: `revoked: CVE-2025-0001 critical (${GOLDEN})`,
    });
  });

  test('a revoked AMI stays revoked when its owner account or tags approve it, and when it is disabled (not found)', () => {
    const facts = withCatalog([[OLD, 'bad kernel'], [OWN, 'leaked key'], [GONE, 'pulled']], []);
    expect(judgeImage(policy({ catalogPaths: [], ownerAccounts: [FACTORY] }), facts, OLD).reason).toBe(`revoked: bad kernel (${OLD})`);
    expect(judgeImage(policy({ catalogPaths: [], amiTags: { approved: 'yes' } }), facts, OWN).reason).toBe(`revoked: leaked key (${OWN})`);
    expect(judgeImage(policy(), facts, GONE).reason).toBe(`revoked: pulled (${GONE})`);
  });

  test('in a launch template or a group the annotation still starts with `revoked:`, the source after the AMI, revocations first', () => {
    const facts = withCatalog([[GOLDEN, 'CVE-2025-0001']], []);
    const [subject, resolved] = template(['launch template lt-1 version $Default', STRANGER], ['mixed instances override 1 launch template lt-2 version 3', GOLDEN]);
    expect(evaluate(subject, resolved, policy(), facts).Annotation).toBe(
      `revoked: CVE-2025-0001 (${GOLDEN} in mixed instances override 1 launch template lt-2 version 3) | launch template lt-1 version $Default: unknown AMI ${STRANGER}: not in the SSM catalog`,
    );
  });

  test('a child of an approved, unrevoked parent is COMPLIANT; of a revoked parent `revoked: parent <ami>: <reason>`', () => {
    const approved = withCatalog([], [[CHILD, [GOLDEN]]]);
    expect(judgeImage(policy(), approved, CHILD)).toEqual({ compliant: true, reason: `${CHILD} approved by SSM catalog /golden-ami/app/latest` });
    const revoked = withCatalog([[GOLDEN, 'CVE-2025-0001']], [[CHILD, [GOLDEN]]]);
    expect(evaluate(instance(CHILD), resolvedInstance(CHILD), policy(), revoked)).toMatchObject({
      ComplianceType: 'NON_COMPLIANT', Annotation: `revoked: parent ${GOLDEN}: CVE-2025-0001 (${CHILD})`,
    });
  });

  test('revoking a base revokes its grandchildren: the walk goes up the generations', () => {
    const facts = withCatalog([[GOLDEN, 'CVE-2025-0001']], [[GRANDCHILD, [CHILD]], [CHILD, [GOLDEN]]]);
    expect(judgeImage(policy(), facts, GRANDCHILD).reason).toBe(`revoked: parent ${GOLDEN}: CVE-2025-0001 (an ancestor of ${GRANDCHILD} through ${CHILD}) (${GRANDCHILD})`);
    expect(judgeImage(policy(), withCatalog([], [[GRANDCHILD, [CHILD]], [CHILD, [GOLDEN]]]), GRANDCHILD).compliant).toBe(true);
  });

  test('a parent no source approves makes its child NON_COMPLIANT, saying so; an owner account can approve the parent', () => {
    const parent = image(UNAPPROVED_PARENT, '888888888888', '2025-05-01T00:00:00.000Z');
    const facts = withCatalog([], [[CHILD, [UNAPPROVED_PARENT]]], [parent]);
    expect(judgeImage(policy(), facts, CHILD)).toEqual({
      compliant: false, reason: `parent ${UNAPPROVED_PARENT} of ${CHILD} is not an approved golden AMI: not in the SSM catalog`,
    });
    expect(judgeImage(policy({ ownerAccounts: ['888888888888'] }), facts, CHILD).compliant).toBe(true);
    // A parent that is neither in the catalog nor found.
    expect(judgeImage(policy(), withCatalog([], [[CHILD, [STRANGER.replace('f3', 'ee')]]]), CHILD).reason)
      .toBe(`parent ${STRANGER.replace('f3', 'ee')} of ${CHILD} is not an approved golden AMI: not in the SSM catalog, and deregistered or not shared with this account`);
  });

  test('a parent approved by the catalog counts though deregistered (its lifecycle) or deprecated; its child is judged on its own age', () => {
    const facts = withCatalog([], [[CHILD, [GONE]], [GRANDCHILD, [DEPRECATED]]]);
    expect(judgeImage(policy(), facts, CHILD).compliant).toBe(true);
    expect(judgeImage(policy({ ownerAccounts: [FACTORY] }), facts, GRANDCHILD).compliant).toBe(true);
  });

  test('every parent a child\'s records name must pass', () => {
    const facts = withCatalog([[OLD, 'old base revoked']], [[CHILD, [GOLDEN, OLD]]]);
    expect(judgeImage(policy({ ownerAccounts: [FACTORY] }), facts, CHILD).reason).toBe(`revoked: parent ${OLD}: old base revoked (${CHILD})`);
  });

  test('cycles in the records end the walk; ancestry deeper than the limit is not trusted', () => {
    const cycle = withCatalog([], [[CHILD, [GRANDCHILD]], [GRANDCHILD, [CHILD]]]);
    expect(judgeImage(policy(), cycle, CHILD).compliant).toBe(true);
    const chain = Array.from({ length: MAX_ANCESTRY_DEPTH + 2 }, (_, i) => `ami-0d00000000000000${i.toString(16)}`);
    const deep = withCatalog([], chain.slice(0, -1).map((ami, i) => [ami, [chain[i + 1]]] as [string, string[]]));
    const amis = new Map([...deep.catalog.amis, ...chain.map(ami => [ami, '/golden-ami/chain/latest'] as [string, string])]);
    const images = new Map([...deep.images, ...chain.map(ami => [ami, image(ami, FACTORY, '2025-05-28T00:00:00.000Z')] as [string, ImageFacts])]);
    const facts: Facts = { ...deep, catalog: { ...deep.catalog, amis }, images };
    expect(judgeImage(policy(), facts, chain[0]).reason).toBe(`${chain[0]} descends from more than ${MAX_ANCESTRY_DEPTH} generations of images (ancestry records); the rule does not trust ancestry that deep`);
    expect(judgeImage(policy(), facts, chain[1]).compliant).toBe(true);
    // The ancestors the handler describes: as deep as the walk goes, each once.
    expect(ancestorsOf(facts.catalog, [chain[0]])).toEqual(chain.slice(1, MAX_ANCESTRY_DEPTH + 1));
    expect(ancestorsOf(cycle.catalog, [CHILD])).toEqual([GRANDCHILD]);
  });

  test('revocation lists: `<ami-id>=<reason>` entries; an entry without an AMI ID is ignored, a bad reason never un-revokes', () => {
    const revoked = new Map<string, string>();
    addRevocations(revoked, [
      `${GOLDEN}=CVE-2025-0001 critical`,
      'not-an-ami=ignored',
      `=${OLD}`,
      `${OLD}`,
      ` ${OWN} = spaced `,
      `${DEPRECATED}=a=b`,
      `${GOLDEN}=second reason ignored`,
      '',
    ].join(','));
    addRevocations(revoked, undefined);
    expect(Object.fromEntries(revoked)).toEqual({
      [GOLDEN]: 'CVE-2025-0001 critical',
      [OLD]: 'no reason recorded',
      [OWN]: 'spaced',
      [DEPRECATED]: 'a=b',
    });
  });

  test('an attacker-controlled reason cannot break the annotation: control characters and name markers go, length is bounded', () => {
    expect(cleanReason('line\nbreak\u0001\u0002 and\ttab\u2028')).toBe('line break and tab');
    expect(cleanReason('\u0000\u0007')).toBe('no reason recorded');
    expect(cleanReason('x'.repeat(500))).toHaveLength(200);
    const revoked = new Map<string, string>();
    addRevocations(revoked, `${GOLDEN}=\u0001${'y'.repeat(400)}\u0002\u0001`);
    const [subject, resolved] = template(['mixed instances override 12 (m7g.large) launch template lt-0123456789abcdef0 version $Default', GOLDEN], ['launch template lt-2 version 1', STRANGER]);
    const annotation = evaluate(subject, resolved, policy(), withCatalog([...revoked], [])).Annotation;
    expect(annotation.length).toBeLessThanOrEqual(MAX_ANNOTATION_LENGTH);
    expect(annotation).toMatch(/^revoked: y+\.\.\.y+\.\.\. \(ami-0123456789abcdef0 in .* \| launch template lt-2 version 1: unknown AMI /);
    expect(annotation).not.toMatch(/[\u0000-\u001f]/);
  });

  test('ancestry records: JSON versions in the contract format; anything else is ignored', () => {
    const parents = new Map<string, string[]>();
    const record = (ami: unknown, parentAmi: unknown) => JSON.stringify({ ami, parentAmi, parentPipeline: 'arn:aws:imagebuilder:eu-west-1:999999999999:image-pipeline/base', parentParameter: '/golden-ami/base/latest' });
    for (const value of [record(CHILD, GOLDEN), record(CHILD, GOLDEN), record(CHILD, OLD), record(GRANDCHILD, 'ami-nope'), record(GOLDEN, GOLDEN), record(1, GOLDEN), '{not json', 'null', '[]', GOLDEN, undefined]) {
      addAncestry(parents, value);
    }
    expect(Object.fromEntries(parents)).toEqual({ [CHILD]: [GOLDEN, OLD] });
  });

  test('revocation lists and ancestry records never approve, as catalog entries or as resolve:ssm parameters', () => {
    expect(catalogParameterKind('/golden-ami/base/revoked')).toBe('revocation');
    expect(catalogParameterKind('/golden-ami/base/ancestry')).toBe('ancestry');
    expect(catalogParameterKind('/golden-ami/base/latest')).toBe('approval');
    expect(catalogParameterKind('/golden-ami/revoked-images/latest')).toBe('approval');
    expect(isApprovedParameter(policy(), '/golden-ami/base/revoked')).toBe(false);
    expect(isApprovedParameter(policy({ catalogPaths: [], parameterNames: ['/golden-ami/base/ancestry'] }), '/golden-ami/base/ancestry')).toBe(false);
  });

  test('settings: the lists default to none', () => {
    expect(parseSettings(JSON.stringify({ policy: { parameterNames: ['/golden-ami/base/latest'] } })).policy).toMatchObject({ revocationLists: [], ancestryRecords: [] });
    expect(parseSettings(JSON.stringify({ policy: { parameterNames: ['/a/latest'], revocationLists: ['/a/revoked'], ancestryRecords: ['/a/ancestry'] } })).policy)
      .toMatchObject({ revocationLists: ['/a/revoked'], ancestryRecords: ['/a/ancestry'] });
  });
});
