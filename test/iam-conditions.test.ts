import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { IConstruct } from 'constructs';
import { BuildIsolation, GoldenImage, ImageBuildInfrastructure, ImageLifecycle, ImageRecipe, RecipeComponent } from '../src';
import { crossAccountStacks, ecsStack, factoryStack, hardenedStack, trustChainStack } from './nag-stacks';
import { newStack } from './util';

/**
 * Every trust and resource policy the library writes for an AWS service principal says on
 * whose behalf the service may act (aws:SourceAccount or aws:SourceArn), so that another
 * account cannot use the service as a confused deputy against these resources:
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/confused-deputy.html
 *
 * The exception is ec2.amazonaws.com in the trust of instance roles: EC2 sets neither key
 * when an instance profile's role is assumed, so a condition would keep the instances from
 * getting credentials; iam:PassRole on the profile is what controls who uses such a role.
 */
const NO_SOURCE_CONDITION_POSSIBLE = new Set(['ec2.amazonaws.com']);

/** Every stack that, together, uses every construct and feature that writes such a policy. */
function everyStack(): Stack[] {
  const isolated = newStack('Isolated');
  new GoldenImage(isolated, 'Image', {
    recipe: new ImageRecipe(isolated, 'Recipe', { components: [RecipeComponent.awsManaged('update-linux')] }),
    buildIsolation: BuildIsolation.PER_IMAGE,
    lifecycle: ImageLifecycle.byCount({ keepLatest: 3 }),
  });
  return [factoryStack(), hardenedStack(), ecsStack(), trustChainStack(), isolated, ...crossAccountStacks()];
}

interface ServiceStatement {
  readonly where: string;
  readonly services: string[];
  readonly condition: Record<string, Record<string, unknown>>;
}

/**
 * The statements for service principals in the library's resources. The fixture VPCs (the
 * user's network, with aws-cdk-lib's flow log role) are left out.
 */
function serviceStatements(stack: Stack): ServiceStatement[] {
  const found: ServiceStatement[] = [];
  const all = Template.fromStack(stack).toJSON().Resources as Record<string, { Type: string; Properties: any }>;
  const resources = Object.fromEntries(Object.entries(all)
    .filter(([id]) => !/^Vpc(?!Infrastructure)/.test(id)));
  const fromDocument = (where: string, document: any) => {
    for (const statement of document?.Statement ?? []) {
      const services = [statement.Principal?.Service ?? []].flat();
      if (services.length > 0) found.push({ where, services, condition: statement.Condition ?? {} });
    }
  };
  for (const [id, { Type, Properties }] of Object.entries(resources)) {
    const where = `${stack.stackName}.${id} (${Type})`;
    if (Type === 'AWS::IAM::Role') fromDocument(where, Properties.AssumeRolePolicyDocument);
    if (Type === 'AWS::SNS::TopicPolicy') fromDocument(where, Properties.PolicyDocument);
    if (Type === 'AWS::KMS::Key') fromDocument(where, Properties.KeyPolicy);
    if (Type === 'AWS::S3::BucketPolicy') fromDocument(where, Properties.PolicyDocument);
    if (Type === 'AWS::Lambda::Permission' && typeof Properties.Principal === 'string' && Properties.Principal.endsWith('.amazonaws.com')) {
      const condition: Record<string, Record<string, unknown>> = {};
      if (Properties.SourceAccount) condition.StringEquals = { 'aws:SourceAccount': Properties.SourceAccount };
      if (Properties.SourceArn) condition.ArnLike = { 'aws:SourceArn': Properties.SourceArn };
      found.push({ where, services: [Properties.Principal], condition });
    }
  }
  return found;
}

function sourceKeys(condition: Record<string, Record<string, unknown>>): string[] {
  return Object.values(condition).flatMap(keys => Object.keys(keys)).filter(key => key === 'aws:SourceAccount' || key === 'aws:SourceArn');
}

describe('confused-deputy conditions', () => {
  test('every service principal the library trusts or grants is limited by aws:SourceAccount or aws:SourceArn (ec2.amazonaws.com instance roles excepted)', () => {
    const statements = everyStack().flatMap(serviceStatements);
    const unconditioned = statements
      .filter(statement => statement.services.some(service => !NO_SOURCE_CONDITION_POSSIBLE.has(service)))
      .filter(statement => sourceKeys(statement.condition).length === 0)
      .map(statement => `${statement.where}: ${statement.services.join(', ')}`);
    expect(unconditioned).toEqual([]);
    // The walk saw the roles it is about (so it cannot pass by finding nothing).
    const services = new Set(statements.flatMap(statement => statement.services));
    expect([...services].sort()).toEqual(['ec2.amazonaws.com', 'events.amazonaws.com', 'imagebuilder.amazonaws.com', 'ssm.amazonaws.com']);
  });

  test.each([
    ['rebuild', ['App', 'RebuildOnParentUpdate'], 'ParentPublished'],
    ['roll-out', ['Cluster', 'Capacity', 'InstanceRefresh'], 'ImageChanged'],
    ['ancestry record', ['App', 'RecordAncestry'], 'ImagePublished'],
  ])('the EventBridge role of the %s trusts exactly its rule, in this account', (_name, path, ruleId) => {
    const stack = ecsStack();
    const template = Template.fromStack(stack);
    const wiring = path.reduce<IConstruct>((scope, id) => scope.node.findChild(id), stack);
    const rule = template.toJSON().Resources[stack.getLogicalId(wiring.node.findChild(ruleId).node.defaultChild as any)];
    const ruleName = rule.Properties.Name;
    expect(ruleName).toMatch(/^[.\-_A-Za-z0-9]{1,64}$/);
    const role = template.toJSON().Resources[stack.getLogicalId(wiring.node.findChild('EventsRole').node.defaultChild as any)];
    expect(role.Properties.AssumeRolePolicyDocument.Statement).toEqual([{
      Action: 'sts:AssumeRole',
      Effect: 'Allow',
      Principal: { Service: 'events.amazonaws.com' },
      Condition: {
        StringEquals: { 'aws:SourceAccount': '111111111111' },
        ArnEquals: { 'aws:SourceArn': { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:events:eu-west-1:111111111111:rule/${ruleName}`]] } },
      },
    }]);
  });

  test('the Automation roles of the rebuild, the ancestry record and the roll-out and the lifecycle execution role trust their service for this account only', () => {
    const stack = ecsStack();
    const infrastructure = ImageBuildInfrastructure.ofStack(stack);
    void infrastructure.lifecycleExecutionRole;
    const trusts = serviceStatements(stack).filter(statement => !statement.services.includes('ec2.amazonaws.com') && !statement.services.includes('events.amazonaws.com'));
    expect(trusts.map(statement => [statement.services, statement.condition]).sort()).toEqual([
      [['imagebuilder.amazonaws.com'], { StringEquals: { 'aws:SourceAccount': '111111111111' } }],
      // The rebuild's, the roll-out's, the ancestry's, and both images' trust-chain automation roles.
      ...Array.from({ length: 5 }, () => [['ssm.amazonaws.com'], { StringEquals: { 'aws:SourceAccount': '111111111111' } }]),
    ]);
  });

  test('the soak schedule\'s EventBridge role trusts exactly its rule and passes only the trust-chain role to Systems Manager', () => {
    const stack = trustChainStack();
    const template = Template.fromStack(stack).toJSON();
    const image = stack.node.findChild('Soaked') as GoldenImage;
    const pair = image.node.findChild('TrustChain').node.findChild('Promote-candidate-staging');
    const rule = template.Resources[stack.getLogicalId(pair.node.findChild('Schedule').node.defaultChild as any)];
    expect(rule.Properties.ScheduleExpression).toBe('rate(30 minutes)');
    const ruleName = rule.Properties.Name;
    const eventsRole = template.Resources[stack.getLogicalId(pair.node.findChild('EventsRole').node.defaultChild as any)];
    expect(eventsRole.Properties.AssumeRolePolicyDocument.Statement).toEqual([{
      Action: 'sts:AssumeRole',
      Effect: 'Allow',
      Principal: { Service: 'events.amazonaws.com' },
      Condition: {
        StringEquals: { 'aws:SourceAccount': '111111111111' },
        ArnEquals: { 'aws:SourceArn': { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:events:eu-west-1:111111111111:rule/${ruleName}`]] } },
      },
    }]);
    const policy = Object.values<any>(template.Resources).find(r => r.Type === 'AWS::IAM::Policy' && r.Properties.Roles[0].Ref === stack.getLogicalId(pair.node.findChild('EventsRole').node.defaultChild as any));
    const passRole = policy.Properties.PolicyDocument.Statement.find((s: any) => s.Action === 'iam:PassRole');
    expect(passRole.Resource).toEqual({ 'Fn::GetAtt': [stack.getLogicalId(image.trustChainRole!.node.defaultChild as any), 'Arn'] });
    expect(passRole.Condition).toEqual({ StringEquals: { 'iam:PassedToService': 'ssm.amazonaws.com' } });
  });

  test('the trust-chain automation role trusts Systems Manager for this account only', () => {
    const stack = trustChainStack();
    const image = stack.node.findChild('Soaked') as GoldenImage;
    const role = Template.fromStack(stack).toJSON().Resources[stack.getLogicalId(image.trustChainRole!.node.defaultChild as any)];
    expect(role.Properties.AssumeRolePolicyDocument.Statement).toEqual([{
      Action: 'sts:AssumeRole',
      Effect: 'Allow',
      Principal: { Service: 'ssm.amazonaws.com' },
      Condition: { StringEquals: { 'aws:SourceAccount': '111111111111' } },
    }]);
  });
});
