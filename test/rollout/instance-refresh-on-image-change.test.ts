import { CfnParameter, Duration, Stack, Token } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as autoscaling from 'aws-cdk-lib/aws-autoscaling';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import {
  GoldenImage,
  GoldenImageEcsCapacity,
  IGoldenImage,
  InstanceRefreshOnImageChange,
  InstanceRefreshOnImageChangeProps,
  InstanceRefreshOptions,
  RefreshScaleInProtectedInstances,
} from '../../src';
import { SSM_AUTOMATION_ACTIONS } from '../../src/private/aws-catalogue';
import { newStack } from '../util';

const PARAMETER = '/golden-ami/web/latest';

interface Fleet {
  readonly stack: Stack;
  readonly image: IGoldenImage;
  readonly group: autoscaling.AutoScalingGroup;
}

/** A group whose launch template reads `imageParameter` (the image's, unless given) at launch, or `machineImage`. */
function fleet(options: { machineImage?: ec2.IMachineImage; launchConfiguration?: boolean } = {}): Fleet {
  const stack = newStack();
  const image = GoldenImage.fromParameterName(stack, 'Image', PARAMETER);
  const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 2, natGateways: 0 });
  const machineImage = options.machineImage ?? ec2.MachineImage.resolveSsmParameterAtLaunch(PARAMETER);
  const group = options.launchConfiguration
    ? new autoscaling.AutoScalingGroup(stack, 'Group', { vpc, instanceType: new ec2.InstanceType('m7i.large'), machineImage })
    : new autoscaling.AutoScalingGroup(stack, 'Group', {
      vpc,
      launchTemplate: new ec2.LaunchTemplate(stack, 'Template', { machineImage, instanceType: new ec2.InstanceType('m7i.large'), requireImdsv2: true }),
    });
  return { stack, image, group };
}

function refresh(f: Fleet, props: Partial<InstanceRefreshOnImageChangeProps> = {}): InstanceRefreshOnImageChange {
  return new InstanceRefreshOnImageChange(f.stack, 'Refresh', { autoScalingGroup: f.group, image: f.image, ...props });
}

function only(template: Template, type: string): any {
  const found = Object.values(template.findResources(type));
  expect(found).toHaveLength(1);
  return found[0].Properties;
}

/** The ASG's ARN as aws-cdk-lib renders it: any group UUID, this group's name. */
function groupArn(stack: Stack, group: autoscaling.AutoScalingGroup): unknown {
  return stack.resolve(group.autoScalingGroupArn);
}

describe('InstanceRefreshOnImageChange', () => {
  test('the Automation document: schema 0.3, one aws:executeAwsApi step calling autoscaling StartInstanceRefresh with the preferences', () => {
    const f = fleet();
    refresh(f, {
      minHealthyPercentage: 75,
      checkpointPercentages: [20, 50, 100],
      checkpointDelay: Duration.minutes(15),
      instanceWarmup: Duration.seconds(120),
      scaleInProtectedInstances: RefreshScaleInProtectedInstances.REFRESH,
    });
    const document = only(Template.fromStack(f.stack), 'AWS::SSM::Document');
    expect(document.DocumentType).toBe('Automation');
    expect(document.DocumentFormat).toBe('JSON');
    // The content is JSON as SSM reads it: parse it back from its text.
    const content = JSON.parse(JSON.stringify(document.Content));
    expect(Object.keys(content).sort()).toEqual(['assumeRole', 'description', 'mainSteps', 'parameters', 'schemaVersion']);
    expect(content.schemaVersion).toBe('0.3');
    expect(content.assumeRole).toBe('{{ AutomationAssumeRole }}');
    // Every {{ name }} a step uses is a declared parameter (or an automation variable).
    const used = [...JSON.stringify(content.mainSteps).matchAll(/\{\{\s*([A-Za-z0-9_:.]+)\s*\}\}/g)].map(m => m[1]);
    for (const name of [...used, 'AutomationAssumeRole']) expect(Object.keys(content.parameters)).toContain(name);
    for (const parameter of Object.values<any>(content.parameters)) expect(parameter.type).toBe('String');
    expect(content.mainSteps).toEqual([{
      name: 'StartInstanceRefresh',
      action: 'aws:executeAwsApi',
      onFailure: 'Abort',
      inputs: {
        Service: 'autoscaling',
        Api: 'StartInstanceRefresh',
        AutoScalingGroupName: '{{ AutoScalingGroupName }}',
        Strategy: 'Rolling',
        Preferences: {
          MinHealthyPercentage: 75,
          SkipMatching: false,
          CheckpointPercentages: [20, 50, 100],
          CheckpointDelay: 900,
          InstanceWarmup: 120,
          ScaleInProtectedInstances: 'Refresh',
        },
      },
      outputs: [{ Name: 'InstanceRefreshId', Selector: '$.InstanceRefreshId', Type: 'String' }],
    }]);
    // Every action is one the catalogue holds, with its AWS documentation.
    for (const step of content.mainSteps) expect(step.action).toBe(SSM_AUTOMATION_ACTIONS.EXECUTE_AWS_API.name);
    expect(new Set(content.mainSteps.map((step: any) => step.name)).size).toBe(content.mainSteps.length);
    for (const step of content.mainSteps) expect(step.name).toMatch(/^[A-Za-z0-9_]{1,128}$/);
  });

  test('defaults: 90 percent healthy, no skip matching, nothing else set (AWS defaults)', () => {
    const f = fleet();
    refresh(f);
    const document = only(Template.fromStack(f.stack), 'AWS::SSM::Document');
    expect(document.Content.mainSteps[0].inputs.Preferences).toEqual({ MinHealthyPercentage: 90, SkipMatching: false });
  });

  test('the rule: Parameter Store Change of the image parameter, Create or Update, runs the automation with the group and the role', () => {
    const f = fleet();
    const construct = refresh(f);
    const template = Template.fromStack(f.stack);
    const rule = only(template, 'AWS::Events::Rule');
    expect(rule.EventPattern).toEqual({
      'source': ['aws.ssm'],
      'detail-type': ['Parameter Store Change'],
      'detail': { name: [PARAMETER], operation: ['Create', 'Update'] },
    });
    expect(rule.Name).toMatch(/^[.\-_A-Za-z0-9]{1,64}$/);
    expect(rule.Targets).toHaveLength(1);
    const target = rule.Targets[0];
    const documentId = f.stack.getLogicalId(construct.document);
    expect(target.Arn).toEqual({
      'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':ssm:eu-west-1:111111111111:automation-definition/', { Ref: documentId }, ':$DEFAULT']],
    });
    expect(target.RoleArn).toEqual({ 'Fn::GetAtt': [f.stack.getLogicalId(construct.node.findChild('EventsRole').node.defaultChild as any), 'Arn'] });
    // The automation's parameters, each a list as StartAutomationExecution takes them.
    expect(target.Input).toEqual({
      'Fn::Join': ['', [
        '{"AutoScalingGroupName":["',
        { Ref: f.stack.getLogicalId(f.group.node.defaultChild as any) },
        '"],"AutomationAssumeRole":["',
        { 'Fn::GetAtt': [f.stack.getLogicalId(construct.automationRole.node.defaultChild as any), 'Arn'] },
        '"]}',
      ]],
    });
  });

  test('the automation role: trusted by Systems Manager in this account, StartInstanceRefresh on this group only', () => {
    const f = fleet();
    const construct = refresh(f);
    const template = Template.fromStack(f.stack).toJSON();
    const roleId = f.stack.getLogicalId(construct.automationRole.node.defaultChild as any);
    expect(template.Resources[roleId].Properties.AssumeRolePolicyDocument.Statement).toEqual([{
      Action: 'sts:AssumeRole',
      Effect: 'Allow',
      Principal: { Service: 'ssm.amazonaws.com' },
      Condition: { StringEquals: { 'aws:SourceAccount': '111111111111' } },
    }]);
    const policies = Object.values<any>(template.Resources).filter(r => r.Type === 'AWS::IAM::Policy' && r.Properties.Roles.some((role: any) => role.Ref === roleId));
    expect(policies).toHaveLength(1);
    expect(policies[0].Properties.PolicyDocument.Statement).toEqual([{
      Action: 'autoscaling:StartInstanceRefresh',
      Effect: 'Allow',
      Resource: groupArn(f.stack, f.group),
    }]);
    // The group's ARN: any group UUID, this group's name.
    expect(JSON.stringify(groupArn(f.stack, f.group))).toContain(':autoScalingGroup:*:autoScalingGroupName/');
  });

  test('the events role: trusted by EventBridge for this rule in this account; starts this document only and passes the automation role only to Systems Manager', () => {
    const f = fleet();
    const construct = refresh(f);
    const template = Template.fromStack(f.stack).toJSON();
    const ruleName = only(Template.fromStack(f.stack), 'AWS::Events::Rule').Name;
    const roleId = f.stack.getLogicalId(construct.node.findChild('EventsRole').node.defaultChild as any);
    expect(template.Resources[roleId].Properties.AssumeRolePolicyDocument.Statement).toEqual([{
      Action: 'sts:AssumeRole',
      Effect: 'Allow',
      Principal: { Service: 'events.amazonaws.com' },
      Condition: {
        StringEquals: { 'aws:SourceAccount': '111111111111' },
        ArnEquals: { 'aws:SourceArn': { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:events:eu-west-1:111111111111:rule/${ruleName}`]] } },
      },
    }]);
    const policies = Object.values<any>(template.Resources).filter(r => r.Type === 'AWS::IAM::Policy' && r.Properties.Roles.some((role: any) => role.Ref === roleId));
    expect(policies).toHaveLength(1);
    const documentId = f.stack.getLogicalId(construct.document);
    expect(policies[0].Properties.PolicyDocument.Statement).toEqual([
      {
        Action: 'ssm:StartAutomationExecution',
        Effect: 'Allow',
        Resource: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':ssm:eu-west-1:111111111111:automation-definition/', { Ref: documentId }, ':$DEFAULT']] },
      },
      {
        Action: 'iam:PassRole',
        Effect: 'Allow',
        Resource: { 'Fn::GetAtt': [f.stack.getLogicalId(construct.automationRole.node.defaultChild as any), 'Arn'] },
        Condition: { StringEquals: { 'iam:PassedToService': 'ssm.amazonaws.com' } },
      },
    ]);
  });

  test('an imported group is refreshed by name; its launch template cannot be checked', () => {
    const stack = newStack();
    const group = autoscaling.AutoScalingGroup.fromAutoScalingGroupName(stack, 'Group', 'web-fleet');
    new InstanceRefreshOnImageChange(stack, 'Refresh', { autoScalingGroup: group, image: GoldenImage.fromParameterName(stack, 'Image', PARAMETER) });
    const template = Template.fromStack(stack);
    expect(JSON.stringify(only(template, 'AWS::Events::Rule').Targets[0].Input)).toContain('web-fleet');
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: { Statement: [{ Action: 'autoscaling:StartInstanceRefresh', Effect: 'Allow', Resource: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':autoscaling:eu-west-1:111111111111:autoScalingGroup:*:autoScalingGroupName/web-fleet']] } }] },
    });
  });

  describe('the launch template must read the image parameter at launch', () => {
    test('resolved at deploy time: a synth error naming the group and the fix', () => {
      const f = fleet({ machineImage: ec2.MachineImage.fromSsmParameter(PARAMETER) });
      refresh(f);
      expect(() => Template.fromStack(f.stack)).toThrow(/autoScalingGroup 'Stack\/Group': its launch template resolves the image at deploy time \(ImageId \{"Ref":"SsmParameterValue.*an instance refresh would relaunch the image of the last deploy\. Use ec2\.MachineImage\.resolveSsmParameterAtLaunch\('\/golden-ami\/web\/latest'\)/);
    });

    test('a literal AMI: a synth error', () => {
      const f = fleet({ machineImage: ec2.MachineImage.genericLinux({ 'eu-west-1': 'ami-0123456789abcdef0' }) });
      refresh(f);
      expect(() => Template.fromStack(f.stack)).toThrow(/its launch template resolves the image at deploy time \(ImageId ami-0123456789abcdef0\)/);
    });

    test('another parameter, or this one pinned to a version: a synth error naming both', () => {
      const other = fleet({ machineImage: ec2.MachineImage.resolveSsmParameterAtLaunch('/golden-ami/other/latest') });
      refresh(other);
      expect(() => Template.fromStack(other.stack)).toThrow("autoScalingGroup 'Stack/Group': its launch template reads 'resolve:ssm:/golden-ami/other/latest' at launch, not 'resolve:ssm:/golden-ami/web/latest'");
      const pinned = fleet({ machineImage: ec2.MachineImage.resolveSsmParameterAtLaunch(PARAMETER, { parameterVersion: '3' }) });
      refresh(pinned);
      expect(() => Template.fromStack(pinned.stack)).toThrow("reads 'resolve:ssm:/golden-ami/web/latest:3' at launch");
    });

    test('a launch configuration: a synth error', () => {
      const f = fleet({ launchConfiguration: true });
      refresh(f);
      expect(() => Template.fromStack(f.stack)).toThrow(/uses a launch configuration, which cannot read an SSM parameter at launch/);
    });

    test('a parameter name from another stack (a token) compares as the same reference', () => {
      const stack = newStack();
      const name = Token.asString({ 'Fn::ImportValue': 'golden-parameter' });
      const image = GoldenImage.fromParameterName(stack, 'Image', name);
      const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 2, natGateways: 0 });
      const group = new autoscaling.AutoScalingGroup(stack, 'Group', {
        vpc,
        launchTemplate: new ec2.LaunchTemplate(stack, 'Template', { machineImage: image.machineImage(), instanceType: new ec2.InstanceType('m7i.large') }),
      });
      new InstanceRefreshOnImageChange(stack, 'Refresh', { autoScalingGroup: group, image });
      expect(only(Template.fromStack(stack), 'AWS::Events::Rule').EventPattern.detail.name).toEqual([{ 'Fn::ImportValue': 'golden-parameter' }]);
    });

    test('a mixed instances policy is checked through its launch template', () => {
      const stack = newStack();
      const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 2, natGateways: 0 });
      const group = new autoscaling.AutoScalingGroup(stack, 'Group', {
        vpc,
        mixedInstancesPolicy: {
          launchTemplate: new ec2.LaunchTemplate(stack, 'Template', { machineImage: ec2.MachineImage.fromSsmParameter(PARAMETER), instanceType: new ec2.InstanceType('m7i.large') }),
          launchTemplateOverrides: [{ instanceType: new ec2.InstanceType('m7i.large') }, { instanceType: new ec2.InstanceType('m6i.large') }],
        },
      });
      new InstanceRefreshOnImageChange(stack, 'Refresh', { autoScalingGroup: group, image: GoldenImage.fromParameterName(stack, 'Image', PARAMETER) });
      expect(() => Template.fromStack(stack)).toThrow(/resolves the image at deploy time/);
    });
  });

  test('skipMatching true is taken, with a warning that it makes the refresh replace nothing', () => {
    const f = fleet();
    refresh(f, { skipMatching: true });
    expect(only(Template.fromStack(f.stack), 'AWS::SSM::Document').Content.mainSteps[0].inputs.Preferences.SkipMatching).toBe(true);
    Annotations.fromStack(f.stack).hasWarning('/Stack/Refresh', Match.stringLikeRegexp('skipMatching is true: .* the refresh replaces none'));
    const quiet = fleet();
    refresh(quiet);
    Annotations.fromStack(quiet.stack).hasNoWarning('*', Match.anyValue());
  });

  describe('validation names the prop and the value', () => {
    const cases: Array<[string, Partial<InstanceRefreshOnImageChangeProps>, string]> = [
      ['minHealthyPercentage above 100', { minHealthyPercentage: 101 }, "minHealthyPercentage must be an integer from 0 to 100, got: '101'"],
      ['minHealthyPercentage negative', { minHealthyPercentage: -1 }, "minHealthyPercentage must be an integer from 0 to 100, got: '-1'"],
      ['minHealthyPercentage fractional', { minHealthyPercentage: 90.5 }, "minHealthyPercentage must be an integer from 0 to 100, got: '90.5'"],
      ['an empty checkpoint list', { checkpointPercentages: [] }, "checkpointPercentages must list at least one percentage, or be left out, got: ''"],
      ['a checkpoint of 0', { checkpointPercentages: [0, 100] }, "checkpointPercentages[0] must be an integer from 1 to 100, got: '0'"],
      ['a checkpoint above 100', { checkpointPercentages: [50, 101] }, "checkpointPercentages[1] must be an integer from 1 to 100, got: '101'"],
      ['checkpoints descending', { checkpointPercentages: [50, 20, 100] }, "checkpointPercentages[1] must be greater than the one before it, 50 (unique, ascending), got: '20'"],
      ['a checkpoint twice', { checkpointPercentages: [50, 50, 100] }, "checkpointPercentages[1] must be greater than the one before it, 50 (unique, ascending), got: '50'"],
      ['checkpoints not ending at 100', { checkpointPercentages: [20, 50] }, "checkpointPercentages must end with 100, so that the refresh replaces every instance, got a last value of '50'"],
      ['a checkpoint delay without checkpoints', { checkpointDelay: Duration.minutes(5) }, "checkpointDelay needs checkpointPercentages (StartInstanceRefresh rejects a delay without checkpoints), got: '5 minutes'"],
      ['a checkpoint delay over 2 days', { checkpointPercentages: [100], checkpointDelay: Duration.hours(49) }, "checkpointDelay must be whole seconds from 0 to 2 days (172800 seconds), got: '2 days 1 hour'"],
      ['a fractional warmup', { instanceWarmup: Duration.millis(1500) }, "instanceWarmup must be whole seconds from 0 to 2 days (172800 seconds), got: '1 second 500 millis'"],
      ['an unknown protected-instance behaviour', { scaleInProtectedInstances: 'Replace' as RefreshScaleInProtectedInstances }, "scaleInProtectedInstances must be one of Refresh, Ignore, Wait, got: 'Replace'"],
      ['checkpointPercentages not a list', { checkpointPercentages: '50,100' as unknown as number[] }, "checkpointPercentages must be a list, got a string instead, got: '50,100'"],
      ['skipMatching not a boolean', { skipMatching: 'yes' as unknown as boolean }, "skipMatching must be true or false, got a string instead, got: '\"yes\"'"],
    ];
    test.each(cases)('%s', (_name, props, message) => {
      expect(() => refresh(fleet(), props)).toThrow(message);
    });

    test('the limits themselves are accepted: 0 and 100 percent, one checkpoint at 100, 2 days, 0 seconds', () => {
      for (const props of [
        { minHealthyPercentage: 0 },
        { minHealthyPercentage: 100, checkpointPercentages: [100], checkpointDelay: Duration.days(2), instanceWarmup: Duration.seconds(0) },
        { checkpointPercentages: [1, 100], checkpointDelay: Duration.seconds(0) },
      ]) {
        const f = fleet();
        refresh(f, props);
        expect(() => Template.fromStack(f.stack)).not.toThrow();
      }
    });

    test('tokens pass unchecked', () => {
      const f = fleet();
      const healthy = new CfnParameter(f.stack, 'Healthy', { type: 'Number', default: 90 });
      refresh(f, { minHealthyPercentage: healthy.valueAsNumber });
      expect(only(Template.fromStack(f.stack), 'AWS::SSM::Document').Content.mainSteps[0].inputs.Preferences.MinHealthyPercentage).toEqual({ Ref: 'Healthy' });
    });
  });
});

describe('GoldenImageEcsCapacity instanceRefresh', () => {
  function capacity(instanceRefresh?: InstanceRefreshOptions): { stack: Stack; capacity: GoldenImageEcsCapacity } {
    const stack = newStack();
    const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 2, natGateways: 0 });
    const cluster = new ecs.Cluster(stack, 'Cluster', { vpc });
    const image = GoldenImage.fromParameterName(stack, 'Image', PARAMETER);
    return { stack, capacity: new GoldenImageEcsCapacity(stack, 'Capacity', { cluster, image, instanceType: new ec2.InstanceType('m7i.large'), instanceRefresh }) };
  }

  test('off by default: no rule, no document, no automation role', () => {
    const { stack, capacity: c } = capacity();
    const template = Template.fromStack(stack);
    expect(c.instanceRefresh).toBeUndefined();
    template.resourceCountIs('AWS::Events::Rule', 0);
    template.resourceCountIs('AWS::SSM::Document', 0);
  });

  test('on: the group is refreshed on each change of the image parameter, protected instances (managed termination protection) refreshed too', () => {
    const { stack, capacity: c } = capacity({ minHealthyPercentage: 50, checkpointPercentages: [50, 100] });
    const template = Template.fromStack(stack);
    expect(c.instanceRefresh).toBeInstanceOf(InstanceRefreshOnImageChange);
    expect(only(template, 'AWS::Events::Rule').EventPattern.detail.name).toEqual([PARAMETER]);
    expect(only(template, 'AWS::SSM::Document').Content.mainSteps[0].inputs.Preferences).toEqual({
      MinHealthyPercentage: 50,
      SkipMatching: false,
      CheckpointPercentages: [50, 100],
      ScaleInProtectedInstances: 'Refresh',
    });
    // The capacity provider protects instances running tasks: the reason for Refresh.
    template.hasResourceProperties('AWS::AutoScaling::AutoScalingGroup', { NewInstancesProtectedFromScaleIn: true });
    template.hasResourceProperties('AWS::ECS::CapacityProvider', { AutoScalingGroupProvider: Match.objectLike({ ManagedTerminationProtection: 'ENABLED', ManagedDraining: 'ENABLED' }) });
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: { Statement: [{ Action: 'autoscaling:StartInstanceRefresh', Effect: 'Allow', Resource: groupArn(stack, c.autoScalingGroup) }] },
    });
  });

  test('the protected-instance behaviour can be chosen', () => {
    const { stack } = capacity({ scaleInProtectedInstances: RefreshScaleInProtectedInstances.WAIT });
    expect(only(Template.fromStack(stack), 'AWS::SSM::Document').Content.mainSteps[0].inputs.Preferences.ScaleInProtectedInstances).toBe('Wait');
  });

  test('bad options fail at synth with the prop named', () => {
    expect(() => capacity({ minHealthyPercentage: 150 })).toThrow("minHealthyPercentage must be an integer from 0 to 100, got: '150'");
  });
});
