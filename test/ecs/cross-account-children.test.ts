import { App, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as events from 'aws-cdk-lib/aws-events';
import {
  EcsApplicationImage,
  ForwardImageBuildEvents,
  GoldenImage,
  GoldenImageEventBus,
  ImageRecipe,
  ParentImage,
  RecipeComponent,
} from '../../src';
import { TRUST_CHAIN_HANDLERS } from '../../src/trust/private/trust-chain-script';
import { crossAccountStacks } from '../nag-stacks';
import { newStack, trustChainHandler, trustChainScriptStep } from '../util';

const FACTORY = { account: '111111111111', region: 'eu-west-1' };
const WORKLOAD = { account: '222222222222', region: 'eu-west-1' };
const BUS_ARN = 'arn:aws:events:eu-west-1:222222222222:event-bus/golden-ami-image-events';

function twoAccounts(): { factory: Stack; workload: Stack; base: GoldenImage } {
  const app = new App({ context: { '@aws-cdk/core:validateAgainstDefaultRules': true } });
  const factory = new Stack(app, 'Factory', { env: FACTORY });
  const workload = new Stack(app, 'Workload', { env: WORKLOAD });
  const base = new GoldenImage(factory, 'Base', {
    imageName: 'al2023-base',
    recipe: new ImageRecipe(factory, 'BaseRecipe', { recipeName: 'al2023-base', components: [RecipeComponent.awsManaged('update-linux')] }),
  });
  new GoldenImageEventBus(workload, 'ParentEvents', { factoryAccountIds: [FACTORY.account] });
  return { factory, workload, base };
}

function resources(stack: Stack, type: string): any[] {
  return Object.values(Template.fromStack(stack).findResources(type));
}

describe('GoldenImageEventBus (workload account)', () => {
  test('factory accounts: only they may put events, and only Image Builder image state changes', () => {
    const stack = newStack();
    const bus = new GoldenImageEventBus(stack, 'Bus', { factoryAccountIds: ['999999999999'] });
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::Events::EventBus', { Name: 'golden-ami-image-events' });
    const [policy] = resources(stack, 'AWS::Events::EventBusPolicy');
    expect(policy.Properties.Statement).toEqual({
      Sid: 'cdk-FactoryAccountsImageBuildEvents',
      Effect: 'Allow',
      Principal: { AWS: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::999999999999:root']] } },
      Action: 'events:PutEvents',
      Resource: { 'Fn::GetAtt': [stack.getLogicalId(bus.eventBus.node.defaultChild as any), 'Arn'] },
      Condition: {
        'ForAllValues:StringEquals': { 'events:source': 'aws.imagebuilder' },
        'StringEquals': { 'events:detail-type': 'EC2 Image Builder Image State Change' },
      },
    });
  });

  test('organization: any principal of the organization (aws:PrincipalOrgID), same event filter', () => {
    const stack = newStack();
    new GoldenImageEventBus(stack, 'Bus', { organizationId: 'o-a1b2c3d4e5', eventBusName: 'parents' });
    Template.fromStack(stack).hasResourceProperties('AWS::Events::EventBus', { Name: 'parents' });
    const [policy] = resources(stack, 'AWS::Events::EventBusPolicy');
    expect(policy.Properties.Statement).toMatchObject({
      Sid: 'cdk-OrganizationImageBuildEvents',
      Principal: { AWS: '*' },
      Action: 'events:PutEvents',
      Condition: {
        'ForAllValues:StringEquals': { 'events:source': 'aws.imagebuilder' },
        'StringEquals': { 'events:detail-type': 'EC2 Image Builder Image State Change', 'aws:PrincipalOrgID': 'o-a1b2c3d4e5' },
      },
    });
  });

  test.each([
    [{}, 'GoldenImageEventBus needs factoryAccountIds or organizationId: a bus that nobody may send to receives nothing, got neither'],
    [{ factoryAccountIds: ['12345'] }, "factoryAccountIds[0] must be a 12-digit AWS account ID, got: '12345'"],
    [{ factoryAccountIds: ['111111111111', '111111111111'] }, /^factoryAccountIds/],
    [{ organizationId: 'r-ab12' }, "organizationId must be an AWS Organizations organization ID (o- and 10 to 32 lower-case letters or digits), got: 'r-ab12'"],
    [{ organizationId: 'o-a1b2c3d4e5', eventBusName: 'default' }, /^eventBusName must be .*got: 'default'$/],
    [{ organizationId: 'o-a1b2c3d4e5', eventBusName: 'aws.mine' }, /^eventBusName must be .*got: 'aws.mine'$/],
    [{ organizationId: 'o-a1b2c3d4e5', eventBusName: 'has/slash' }, /^eventBusName must be .*got: 'has\/slash'$/],
  ])('bad props fail at synth: %j', (props, message) => {
    expect(() => new GoldenImageEventBus(newStack(), 'Bus', props)).toThrow(message);
  });
});

describe('ForwardImageBuildEvents (factory account)', () => {
  test('a rule on the image\'s successful builds targets each bus with a role trusted for this rule only', () => {
    const { factory, base } = twoAccounts();
    const forward = new ForwardImageBuildEvents(factory, 'Forward', { image: base, eventBusArns: [BUS_ARN, 'arn:aws:events:eu-central-1:333333333333:event-bus/golden-ami-image-events'] });
    const template = Template.fromStack(factory);
    const rule = template.toJSON().Resources[factory.getLogicalId(forward.rule.node.defaultChild as any)];
    expect(rule.Properties.EventPattern).toEqual({
      'source': ['aws.imagebuilder'],
      'detail-type': ['EC2 Image Builder Image State Change'],
      'resources': [{ prefix: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':imagebuilder:eu-west-1:111111111111:image/al2023-base/']] } }],
      'detail': { state: { status: ['AVAILABLE'] } },
    });
    const roleArn = { 'Fn::GetAtt': [factory.getLogicalId(forward.node.findChild('EventsRole').node.defaultChild as any), 'Arn'] };
    expect(rule.Properties.Targets).toEqual([
      { Arn: BUS_ARN, Id: 'Target0', RoleArn: roleArn },
      { Arn: 'arn:aws:events:eu-central-1:333333333333:event-bus/golden-ami-image-events', Id: 'Target1', RoleArn: roleArn },
    ]);
    const role = template.toJSON().Resources[roleArn['Fn::GetAtt'][0]];
    expect(role.Properties.AssumeRolePolicyDocument.Statement).toEqual([{
      Action: 'sts:AssumeRole',
      Effect: 'Allow',
      Principal: { Service: 'events.amazonaws.com' },
      Condition: {
        StringEquals: { 'aws:SourceAccount': '111111111111' },
        ArnEquals: { 'aws:SourceArn': { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:events:eu-west-1:111111111111:rule/${rule.Properties.Name}`]] } },
      },
    }]);
    // The role may put events on the two buses and nothing else.
    const statements = resources(factory, 'AWS::IAM::Policy')
      .filter(policy => policy.Properties.Roles[0].Ref === roleArn['Fn::GetAtt'][0])
      .flatMap(policy => policy.Properties.PolicyDocument.Statement);
    expect(statements).toEqual([
      { Action: 'events:PutEvents', Effect: 'Allow', Resource: BUS_ARN },
      { Action: 'events:PutEvents', Effect: 'Allow', Resource: 'arn:aws:events:eu-central-1:333333333333:event-bus/golden-ami-image-events' },
    ]);
  });

  test.each([
    [[], /^eventBusArns must list 1 to 5 event bus ARNs \(the targets of one EventBridge rule\), got 0/],
    [Array.from({ length: 6 }, (_, i) => `arn:aws:events:eu-west-1:22222222222${i}:event-bus/b`), /^eventBusArns must list 1 to 5 event bus ARNs .*got 6/],
    [['arn:aws:sqs:eu-west-1:222222222222:queue'], "eventBusArns[0] must be an EventBridge event bus ARN (arn:aws:events:<region>:<account>:event-bus/<name>), got: 'arn:aws:sqs:eu-west-1:222222222222:queue'"],
    [['arn:aws:events:eu-west-1:2222:event-bus/b'], /^eventBusArns\[0\] must be an EventBridge event bus ARN/],
    [['arn:aws:events:eu-westt-1:222222222222:event-bus/b'], /^eventBusArns\[0\] \(region\) must be an AWS region/],
    [[BUS_ARN, BUS_ARN], /^eventBusArns/],
  ])('bad bus ARNs fail at synth: %j', (arns, message) => {
    const { factory, base } = twoAccounts();
    expect(() => new ForwardImageBuildEvents(factory, 'Forward', { image: base, eventBusArns: arns })).toThrow(message);
  });

  test('an imported image cannot be forwarded: its builds are not made here', () => {
    const { factory } = twoAccounts();
    const imported = GoldenImage.fromParameterName(factory, 'Imported', '/golden-ami/base/latest');
    expect(() => new ForwardImageBuildEvents(factory, 'Forward', { image: imported as GoldenImage, eventBusArns: [BUS_ARN] }))
      .toThrow("image must be a GoldenImage built by this app (its builds are what is forwarded), got: 'Factory/Imported'");
  });

  test('the image must be built where the forwarding rule listens', () => {
    const { workload, base } = twoAccounts();
    expect(() => new ForwardImageBuildEvents(workload, 'Forward', { image: base, eventBusArns: [BUS_ARN] }))
      .toThrow("image must be built in the account and region of the forwarding stack (Image Builder emits its events there), got 'Factory/Base' in 111111111111/eu-west-1, forwarding from 222222222222/eu-west-1");
  });
});

describe('EcsApplicationImage with parentBuildEvents (workload account)', () => {
  test('a parent of another account rebuilds the child from the bus, at once: no daily schedule', () => {
    const [, workload] = crossAccountStacks();
    const template = Template.fromStack(workload);
    const rebuild = resources(workload, 'AWS::Events::Rule').find(rule => rule.Properties.Description.startsWith('Build the application image'));
    expect(rebuild.Properties.EventBusName.Ref).toMatch(/^ParentEvents/);
    expect(rebuild.Properties.EventPattern).toEqual({
      'source': ['aws.imagebuilder'],
      'detail-type': ['EC2 Image Builder Image State Change'],
      'account': ['111111111111'],
      'resources': [{ prefix: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':imagebuilder:eu-west-1:111111111111:image/al2023-base/']] } }],
      'detail': { state: { status: ['AVAILABLE'] } },
    });
    const pipeline = resources(workload, 'AWS::ImageBuilder::ImagePipeline').find(p => p.Properties.Name === 'ecs-app');
    expect(pipeline.Properties.Schedule).toBeUndefined();
    // The events role trusts the rule on the custom bus: its ARN has the bus name.
    const eventsRoles = resources(workload, 'AWS::IAM::Role').filter(role => role.Properties.Description === 'Runs the application image rebuild automation');
    expect(eventsRoles).toHaveLength(1);
    expect(JSON.stringify(eventsRoles[0].Properties.AssumeRolePolicyDocument)).toContain(`:events:eu-west-1:222222222222:rule/\",{\"Ref\":\"${workload.getLogicalId(workload.node.findChild('ParentEvents').node.findChild('Resource').node.defaultChild as any)}\"},\"/${rebuild.Properties.Name}\"`);
    template.resourceCountIs('AWS::Events::EventBus', 1);
  });

  test('a parent read from an SSM parameter takes the factory account, region and recipe from parentBuildEvents', () => {
    const stack = newStack();
    const eventBus = events.EventBus.fromEventBusName(stack, 'Bus', 'golden-ami-image-events');
    new EcsApplicationImage(stack, 'App', {
      imageName: 'ecs-app',
      parent: ParentImage.fromSsmParameter('/golden-ami/al2023-base/latest'),
      parentBuildEvents: { eventBus, factoryAccount: '999999999999', factoryRegion: 'eu-central-1', parentRecipeName: 'AL2023-Base' },
    });
    Template.fromStack(stack).hasResourceProperties('AWS::Events::Rule', {
      EventBusName: 'golden-ami-image-events',
      EventPattern: Match.objectLike({
        account: ['999999999999'],
        resources: [{ prefix: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':imagebuilder:eu-central-1:999999999999:image/al2023-base/']] } }],
      }),
    });
  });

  test('a parent by image ARN gives its account, region and recipe', () => {
    const stack = newStack();
    new EcsApplicationImage(stack, 'App', {
      imageName: 'ecs-app',
      parent: ParentImage.fromImageArn('arn:aws:imagebuilder:eu-west-1:999999999999:image/al2023-base/x.x.x'),
      parentBuildEvents: { eventBus: events.EventBus.fromEventBusName(stack, 'Bus', 'b') },
    });
    Template.fromStack(stack).hasResourceProperties('AWS::Events::Rule', { EventPattern: Match.objectLike({ account: ['999999999999'] }) });
    // No parent parameter: nothing to look the parent AMI up in, so no ancestry, and a warning says so.
    Annotations.fromStack(stack).hasWarning('/Stack/App', Match.stringLikeRegexp('is given by image ARN: its ancestry is not recorded'));
  });

  test.each([
    [{ factoryAccount: '999999999999', factoryRegion: 'eu-central-1' }, "parentBuildEvents.parentRecipeName is needed: the library cannot tell it from the parent (a GoldenImage of an environment-agnostic stack, or a parent given by SSM parameter), got parent: 'ssm:/golden-ami/al2023-base/latest'"],
    [{ factoryAccount: '9999', factoryRegion: 'eu-central-1', parentRecipeName: 'base' }, "parentBuildEvents.factoryAccount must be a 12-digit AWS account ID, got: '9999'"],
    [{ factoryAccount: '999999999999', factoryRegion: 'eu-centrl-1', parentRecipeName: 'base' }, /^parentBuildEvents.factoryRegion must be an AWS region that exists/],
    [{ factoryAccount: '111111111111', factoryRegion: 'eu-west-1', parentRecipeName: 'base' }, /^parentBuildEvents is for a parent built in another account or region; .* remove parentBuildEvents$/],
  ])('missing or bad parentBuildEvents fail at synth: %j', (fields, message) => {
    const stack = newStack();
    const eventBus = events.EventBus.fromEventBusName(stack, 'Bus', 'b');
    expect(() => new EcsApplicationImage(stack, 'App', { parent: ParentImage.fromSsmParameter('/golden-ami/al2023-base/latest'), parentBuildEvents: { eventBus, ...fields } }))
      .toThrow(message);
  });
});

test('parentBuildEvents without its bus fails (from JavaScript) instead of listening on the default bus', () => {
  const stack = newStack();
  expect(() => new EcsApplicationImage(stack, 'App', {
    parent: ParentImage.fromImageArn('arn:aws:imagebuilder:eu-west-1:999999999999:image/base/x.x.x'),
    parentBuildEvents: {} as any,
  })).toThrow("parentBuildEvents.eventBus is required: the bus of this account and region that receives the parent's forwarded build events (GoldenImageEventBus.eventBus), got: nothing");
});

describe('ancestry of a child image', () => {
  test('a rule on the child\'s own builds runs record_ancestry with the image build version from resources[0]', () => {
    const [, workload] = crossAccountStacks();
    const image = workload.node.findChild('App') as EcsApplicationImage;
    expect(image.ancestryParameterName).toBe('/golden-ami/ecs-app/ancestry');
    const rule = Template.fromStack(workload).toJSON().Resources[workload.getLogicalId(image.ancestryRule!.node.defaultChild as any)];
    expect(rule.Properties.EventPattern.resources).toEqual([{ prefix: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':imagebuilder:eu-west-1:222222222222:image/ecs-app/']] } }]);
    const [target] = rule.Properties.Targets;
    expect(target.InputTransformer.InputPathsMap).toEqual({ 'resources-0-': '$.resources[0]' });
    // The placeholder stands unquoted: EventBridge writes the ARN as a JSON string there.
    expect(target.InputTransformer.InputTemplate['Fn::Join'][1][0]).toBe('{"ImageBuildVersionArn":[<resources-0->],"AutomationAssumeRole":["');

    const workloadTemplate = Template.fromStack(workload).toJSON();
    const documents = resources(workload, 'AWS::SSM::Document').filter(d => trustChainHandler(workloadTemplate, d) === TRUST_CHAIN_HANDLERS.RECORD_ANCESTRY);
    expect(documents).toHaveLength(1);
    const content = documents[0].Properties.Content;
    const script = trustChainScriptStep(workloadTemplate, documents[0]);
    expect(script.inputs).toMatchObject({ Runtime: 'python3.11', Handler: TRUST_CHAIN_HANDLERS.RECORD_ANCESTRY });
    expect(script.inputs.InputPayload).toEqual({
      Locations: '{{ Locations }}',
      ImageBuildVersionArn: '{{ ImageBuildVersionArn }}',
      ParentParameter: '{{ ParentParameter }}',
      ParentPipelineArn: '{{ ParentPipelineArn }}',
      AncestryParameter: '{{ AncestryParameter }}',
    });
    const role = (account: string) => ({ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:iam::${account}:role/GoldenAmiTrustChainRole`]] });
    expect(content.parameters.Locations).toMatchObject({
      type: 'MapList',
      default: [
        { Region: 'eu-west-1', Account: '222222222222', RoleArn: '' },
        { Region: 'eu-central-1', Account: '222222222222', RoleArn: '' },
        { Region: 'eu-west-1', Account: '333333333333', RoleArn: role('333333333333') },
        { Region: 'eu-central-1', Account: '333333333333', RoleArn: role('333333333333') },
      ],
    });
    expect(content.parameters.ParentParameter.default).toBe('/golden-ami/al2023-base/latest');
    // The parent lives in another account: its pipeline ARN from its name, lower-case.
    expect(content.parameters.ParentPipelineArn.default).toEqual({ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':imagebuilder:eu-west-1:111111111111:image-pipeline/al2023-base']] });
    expect(content.parameters.AncestryParameter.default).toBe('/golden-ami/ecs-app/ancestry');
    expect(new RegExp(content.parameters.ImageBuildVersionArn.allowedPattern).test('arn:aws:imagebuilder:eu-west-1:222222222222:image/ecs-app/1.0.3/2')).toBe(true);
  });

  test('the automation role may do exactly what record_ancestry needs, and is named for the copy accounts\' trust', () => {
    const [, workload] = crossAccountStacks();
    const image = workload.node.findChild('App');
    const roleResource = image.node.findChild('RecordAncestry').node.findChild('AutomationRole');
    const role = Template.fromStack(workload).toJSON().Resources[workload.getLogicalId(roleResource.node.defaultChild as any)];
    expect(role.Properties.RoleName).toMatch(/^GoldenAmiTrustChain-[A-Za-z0-9-]+$/);
    expect(role.Properties.RoleName.length).toBeLessThanOrEqual(64);
    const policy = resources(workload, 'AWS::IAM::Policy').find(p => p.Properties.Roles[0].Ref === workload.getLogicalId(roleResource.node.defaultChild as any));
    const p = (tail: string) => ({ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, tail]] });
    expect(policy.Properties.PolicyDocument.Statement).toEqual([
      { Action: 'imagebuilder:GetImage', Effect: 'Allow', Resource: p(':imagebuilder:eu-west-1:222222222222:image/ecs-app/*') },
      { Action: 'ssm:GetParameterHistory', Effect: 'Allow', Resource: [p(':ssm:eu-west-1:222222222222:parameter/golden-ami/al2023-base/latest'), p(':ssm:eu-central-1:222222222222:parameter/golden-ami/al2023-base/latest')] },
      { Action: 'ssm:PutParameter', Effect: 'Allow', Resource: [p(':ssm:eu-west-1:222222222222:parameter/golden-ami/ecs-app/ancestry'), p(':ssm:eu-central-1:222222222222:parameter/golden-ami/ecs-app/ancestry')] },
      {
        Action: 'ec2:CreateTags',
        Effect: 'Allow',
        Resource: [p(':ec2:eu-west-1::image/*'), p(':ec2:eu-central-1::image/*')],
        Condition: {
          'ForAllValues:StringEquals': { 'aws:TagKeys': ['golden-ami:parent-ami', 'golden-ami:parent-pipeline'] },
          'Null': { 'aws:TagKeys': 'false' },
          'StringEquals': { 'aws:ResourceTag/golden-ami:pipeline': 'ecs-app' },
        },
      },
      { Action: 'ec2:DescribeImages', Effect: 'Allow', Resource: '*' },
      { Action: 'sts:AssumeRole', Effect: 'Allow', Resource: p(':iam::333333333333:role/GoldenAmiTrustChainRole') },
      // Run the stack's record_ancestry engine (aws:executeAutomation), follow it, and pass itself to it.
      { Action: 'ssm:StartAutomationExecution', Effect: 'Allow', Resource: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':ssm:eu-west-1:222222222222:automation-definition/', { Ref: 'GoldenAmiTrustChainEnginerecordancestry' }, ':*']] } },
      { Action: 'ssm:GetAutomationExecution', Effect: 'Allow', Resource: p(':ssm:eu-west-1:222222222222:automation-execution/*') },
      { Action: 'iam:PassRole', Effect: 'Allow', Resource: { 'Fn::GetAtt': [workload.getLogicalId(roleResource.node.defaultChild as any), 'Arn'] }, Condition: { StringEquals: { 'iam:PassedToService': 'ssm.amazonaws.com' } } },
    ]);
  });

  test('in one account the role keeps a generated name and assumes nothing; a parent of the same stack gives its pipeline attribute', () => {
    const stack = newStack();
    const parent = new GoldenImage(stack, 'Base', { imageName: 'base', recipe: new ImageRecipe(stack, 'R', { components: [RecipeComponent.awsManaged('update-linux')] }) });
    new EcsApplicationImage(stack, 'App', { imageName: 'ecs-app', parent: ParentImage.fromGoldenImage(parent) });
    const template = Template.fromStack(stack).toJSON();
    const ancestryRole = stack.node.findChild('App').node.findChild('RecordAncestry').node.findChild('AutomationRole');
    const roleId = stack.getLogicalId(ancestryRole.node.defaultChild as any);
    expect(template.Resources[roleId].Properties.RoleName).toBeUndefined();
    const actions = Object.values<any>(template.Resources).filter(r => r.Type === 'AWS::IAM::Policy' && r.Properties.Roles.some((role: any) => role.Ref === roleId))
      .flatMap(r => r.Properties.PolicyDocument.Statement.flatMap((st: any) => [st.Action].flat()));
    expect(actions).not.toContain('sts:AssumeRole');
    expect(actions).toContain('ec2:CreateTags');
    const document = Object.values<any>(template.Resources).find(r => r.Type === 'AWS::SSM::Document' && trustChainHandler(template, r) === TRUST_CHAIN_HANDLERS.RECORD_ANCESTRY);
    expect(document.Properties.Content.parameters.ParentPipelineArn.default).toEqual({ 'Fn::GetAtt': [stack.getLogicalId(parent.pipeline), 'Arn'] });
  });

  test('recordAncestry: false records nothing', () => {
    const stack = newStack();
    const image = new EcsApplicationImage(stack, 'App', { parent: ParentImage.fromSsmParameter('/golden-ami/base/latest'), recordAncestry: false });
    expect(image.ancestryParameterName).toBeUndefined();
    Template.fromStack(stack).resourceCountIs('AWS::Events::Rule', 0);
  });
});
