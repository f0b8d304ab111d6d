import { Annotations, Duration, Stack, Token } from 'aws-cdk-lib';
import * as autoscaling from 'aws-cdk-lib/aws-autoscaling';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import { Construct, IConstruct } from 'constructs';
import { IGoldenImage } from '../golden-image';
import { automationOnEvent } from '../private/automation-on-event';
import { SSM_AUTOMATION_ACTIONS } from '../private/aws-catalogue';
import { acknowledgeNagFindings, wildcardResourceFinding } from '../private/nag-acknowledgments';
import { quoteValue, validateIntegerInRange, validatePropTypes } from '../private/validation';

/**
 * What an instance refresh does with instances protected from scale in
 * (`RefreshPreferences.ScaleInProtectedInstances`:
 * https://docs.aws.amazon.com/autoscaling/ec2/APIReference/API_RefreshPreferences.html).
 */
export enum RefreshScaleInProtectedInstances {
  /** Replace them too. */
  REFRESH = 'Refresh',
  /** Leave them alone and replace the others. */
  IGNORE = 'Ignore',
  /** Wait up to one hour for their protection to be removed, then fail (the service's default). */
  WAIT = 'Wait',
}

/**
 * How an instance refresh replaces the instances of an Auto Scaling group
 * (`StartInstanceRefresh` `Preferences`:
 * https://docs.aws.amazon.com/autoscaling/ec2/APIReference/API_RefreshPreferences.html).
 */
export interface InstanceRefreshOptions {
  /**
   * The share of the desired capacity kept in service and healthy while instances are
   * replaced, in percent (0-100): 100 replaces one instance at a time, 0 all at once. Always
   * sent, so it takes precedence over a minimum in the group's instance maintenance policy.
   *
   * @default 90
   */
  readonly minHealthyPercentage?: number;

  /**
   * Percentages of the group replaced at which the refresh pauses for `checkpointDelay`:
   * unique, ascending, each from 1 to 100. The last must be 100, or the refresh ends with
   * part of the group still on the previous image.
   *
   * @default - no checkpoints
   */
  readonly checkpointPercentages?: number[];

  /**
   * How long the refresh waits at each checkpoint (up to 2 days, in whole seconds). Only
   * with `checkpointPercentages`.
   *
   * @default - 1 hour, the service's default, when there are checkpoints
   */
  readonly checkpointDelay?: Duration;

  /**
   * Skip instances that already match the group's launch template and instance types.
   *
   * The launch template of a fleet that follows an image channel reads the AMI from the
   * parameter at launch (`resolve:ssm:`): it does not change when the parameter does, so with
   * skip matching every instance "matches" and the refresh replaces none
   * (https://docs.aws.amazon.com/autoscaling/ec2/userguide/asg-instance-refresh-skip-matching.html).
   * Turning it on draws a warning.
   *
   * @default false
   */
  readonly skipMatching?: boolean;

  /**
   * How long a new instance warms up before the refresh goes on (in whole seconds, up to
   * 2 days).
   *
   * @default - the group's default instance warmup, or its health check grace period
   */
  readonly instanceWarmup?: Duration;

  /**
   * What the refresh does with instances protected from scale in.
   *
   * @default RefreshScaleInProtectedInstances.WAIT
   */
  readonly scaleInProtectedInstances?: RefreshScaleInProtectedInstances;
}

/**
 * Properties of InstanceRefreshOnImageChange.
 */
export interface InstanceRefreshOnImageChangeProps extends InstanceRefreshOptions {
  /**
   * The group whose instances move to each new image. Its launch template must read the
   * image's parameter at launch (`resolve:ssm:`, `ec2.MachineImage.resolveSsmParameterAtLaunch`):
   * a template that resolved the AMI at deploy time would relaunch the old image. When the
   * group and its template are in this app, that is checked at synth.
   */
  readonly autoScalingGroup: autoscaling.IAutoScalingGroup;

  /**
   * The image whose SSM parameter (`ssmParameterName`) the group follows.
   */
  readonly image: IGoldenImage;
}

/** Most seconds AWS takes for CheckpointDelay and InstanceWarmup (RefreshPreferences). */
const MAX_REFRESH_SECONDS = 172_800;

/**
 * Rolls an Auto Scaling group onto each new image of a channel: an EventBridge rule on the
 * SSM "Parameter Store Change" event of the image's parameter runs an SSM Automation
 * document whose one `aws:executeAwsApi` step calls `autoscaling:StartInstanceRefresh`.
 * Plain CloudFormation, no Lambda.
 *
 * The group's launch template must resolve the parameter at launch (`resolve:ssm:`), so that
 * the instances the refresh launches read the new AMI.
 *
 * A refresh still running when the parameter changes again makes `StartInstanceRefresh`
 * fail (`InstanceRefreshInProgress`): that automation run fails, and is listed as failed in
 * Systems Manager. The running refresh goes on; since the template reads the parameter at
 * each launch, the instances it still launches get the newest image, and those it already
 * replaced move at the next change (or with `maxInstanceLifetime`).
 */
export class InstanceRefreshOnImageChange extends Construct {
  /** The rule on the image parameter's changes. */
  public readonly rule: events.Rule;

  /** The Automation document that starts the instance refresh. */
  public readonly document: ssm.CfnDocument;

  /** The role the automation runs as: StartInstanceRefresh on this group only. */
  public readonly automationRole: iam.IRole;

  constructor(scope: Construct, id: string, props: InstanceRefreshOnImageChangeProps) {
    super(scope, id);
    const preferences = refreshPreferences(props);
    const group = props.autoScalingGroup;
    const parameterName = props.image.ssmParameterName;

    // Where the group and its template are known, check that the template reads this
    // parameter at launch: otherwise the refresh would relaunch the image of the last deploy.
    this.node.addValidation({ validate: () => launchTemplateFindings(group, parameterName) });
    if (props.skipMatching === true) {
      Annotations.of(this).addWarning('skipMatching is true: a launch template that resolves the image parameter at launch does not change when the parameter does, '
        + 'so skip matching finds every instance up to date and the refresh replaces none');
    }

    this.document = new ssm.CfnDocument(this, 'StartInstanceRefresh', {
      documentType: 'Automation',
      documentFormat: 'JSON',
      content: {
        schemaVersion: '0.3',
        description: 'Start an instance refresh of an Auto Scaling group when the image parameter it follows changes',
        assumeRole: '{{ AutomationAssumeRole }}',
        parameters: {
          AutomationAssumeRole: { type: 'String', description: 'The role the automation runs as' },
          AutoScalingGroupName: { type: 'String', description: 'The Auto Scaling group to refresh' },
        },
        mainSteps: [{
          name: 'StartInstanceRefresh',
          action: SSM_AUTOMATION_ACTIONS.EXECUTE_AWS_API.name,
          // A refresh already in progress fails this step (InstanceRefreshInProgress), and
          // with it the run: see the class comment.
          onFailure: 'Abort',
          inputs: {
            Service: 'autoscaling',
            Api: 'StartInstanceRefresh',
            AutoScalingGroupName: '{{ AutoScalingGroupName }}',
            Strategy: 'Rolling',
            Preferences: preferences,
          },
          outputs: [{ Name: 'InstanceRefreshId', Selector: '$.InstanceRefreshId', Type: 'String' }],
        }],
      },
    });

    // StartInstanceRefresh takes the autoScalingGroup resource type: the group's ARN, its
    // UUID part a wildcard (https://docs.aws.amazon.com/IAM/latest/UserGuide/list_amazonec2autoscaling.html).
    const { rule, automationRole } = automationOnEvent(this, {
      document: this.document,
      automationStatement: new iam.PolicyStatement({
        actions: ['autoscaling:StartInstanceRefresh'],
        resources: [group.autoScalingGroupArn],
      }),
      automationRoleDescription: `Starts instance refreshes when ${parameterName} changes`,
      eventsRoleDescription: `Runs the instance refresh automation when ${parameterName} changes`,
      ruleId: 'ImageChanged',
      ruleDescription: `Refresh the instances of an Auto Scaling group when ${parameterName} changes`,
      // Systems Manager sends "Parameter Store Change" directly to EventBridge; detail.name is
      // the parameter, detail.operation Create, Update, Delete or LabelParameterVersion:
      // https://docs.aws.amazon.com/eventbridge/latest/ref/events-ref-ssm.html
      // https://docs.aws.amazon.com/systems-manager/latest/userguide/monitoring-systems-manager-event-examples.html
      eventPattern: {
        source: ['aws.ssm'],
        detailType: ['Parameter Store Change'],
        detail: {
          name: [parameterName],
          operation: ['Create', 'Update'],
        },
      },
      parameters: { AutoScalingGroupName: group.autoScalingGroupName },
    });
    acknowledgeNagFindings(automationRole, {
      id: wildcardResourceFinding('AwsSolutions-IAM5', automationRole, group.autoScalingGroupArn),
      reason: 'The wildcard is the group\'s UUID, which CloudFormation does not return; the ARN names this one group, and StartInstanceRefresh is the only action',
    });
    this.rule = rule;
    this.automationRole = automationRole;
  }
}

/** The `Preferences` of StartInstanceRefresh, each value checked against what AWS documents. */
function refreshPreferences(options: InstanceRefreshOptions): Record<string, unknown> {
  // For JavaScript callers; jsii's other languages check types before the constructor runs.
  validatePropTypes(options, { arrays: ['checkpointPercentages'], booleans: ['skipMatching'], numbers: ['minHealthyPercentage'] });
  const minHealthyPercentage = options.minHealthyPercentage ?? 90;
  validateIntegerInRange('minHealthyPercentage', minHealthyPercentage, 0, 100);
  const checkpoints = options.checkpointPercentages;
  if (checkpoints !== undefined && !Token.isUnresolved(checkpoints)) {
    if (checkpoints.length === 0) {
      throw new Error('checkpointPercentages must list at least one percentage, or be left out, got: \'\'');
    }
    checkpoints.forEach((value, i) => {
      validateIntegerInRange(`checkpointPercentages[${i}]`, value, 1, 100);
      if (i > 0 && value <= checkpoints[i - 1]) {
        throw new Error(`checkpointPercentages[${i}] must be greater than the one before it, ${checkpoints[i - 1]} (unique, ascending), got: '${value}'`);
      }
    });
    const last = checkpoints[checkpoints.length - 1];
    if (last !== 100) {
      // AWS allows a smaller last value, which leaves part of the group on the previous image.
      throw new Error(`checkpointPercentages must end with 100, so that the refresh replaces every instance, got a last value of '${last}'`);
    }
  }
  if (options.checkpointDelay !== undefined && checkpoints === undefined) {
    throw new Error(`checkpointDelay needs checkpointPercentages (StartInstanceRefresh rejects a delay without checkpoints), got: '${options.checkpointDelay.toHumanString()}'`);
  }
  const checkpointDelay = seconds('checkpointDelay', options.checkpointDelay);
  const instanceWarmup = seconds('instanceWarmup', options.instanceWarmup);
  if (options.scaleInProtectedInstances !== undefined
    && !Object.values(RefreshScaleInProtectedInstances).includes(options.scaleInProtectedInstances)) {
    throw new Error(`scaleInProtectedInstances must be one of ${Object.values(RefreshScaleInProtectedInstances).join(', ')}, got: ${quoteValue(options.scaleInProtectedInstances)}`);
  }
  const skipMatching = options.skipMatching ?? false;
  return {
    MinHealthyPercentage: minHealthyPercentage,
    SkipMatching: skipMatching,
    ...(checkpoints !== undefined ? { CheckpointPercentages: checkpoints } : {}),
    ...(checkpointDelay !== undefined ? { CheckpointDelay: checkpointDelay } : {}),
    ...(instanceWarmup !== undefined ? { InstanceWarmup: instanceWarmup } : {}),
    ...(options.scaleInProtectedInstances !== undefined ? { ScaleInProtectedInstances: options.scaleInProtectedInstances } : {}),
  };
}

/** A Duration as the whole seconds RefreshPreferences takes (0 to 2 days). */
function seconds(prop: string, duration: Duration | undefined): number | undefined {
  if (duration === undefined) return undefined;
  if (Token.isUnresolved(duration)) return duration.toSeconds();
  const value = duration.toSeconds({ integral: false });
  if (!Number.isInteger(value) || value < 0 || value > MAX_REFRESH_SECONDS) {
    throw new Error(`${prop} must be whole seconds from 0 to 2 days (${MAX_REFRESH_SECONDS} seconds), got: '${duration.toHumanString()}'`);
  }
  return value;
}

/**
 * Why the group's launch template would not launch the parameter's newest image, when that
 * can be seen in this app: a template that resolves the AMI at deploy time, or reads another
 * parameter. An imported group or template cannot be checked and passes.
 */
function launchTemplateFindings(group: autoscaling.IAutoScalingGroup, parameterName: string): string[] {
  const cfnGroup = group.node.defaultChild;
  if (!(cfnGroup instanceof autoscaling.CfnAutoScalingGroup)) return [];
  const stack = Stack.of(cfnGroup);
  if (cfnGroup.launchConfigurationName !== undefined) {
    return [`autoScalingGroup '${group.node.path}' uses a launch configuration, which cannot read an SSM parameter at launch: an instance refresh would relaunch the same image. Use a launch template with ec2.MachineImage.resolveSsmParameterAtLaunch('${parameterName}')`];
  }
  // Resolved to CloudFormation's keys: a plain template, or the one of a mixed instances policy.
  const resolved = stack.resolve({ launchTemplate: cfnGroup.launchTemplate, mixed: cfnGroup.mixedInstancesPolicy });
  const specification = resolved.launchTemplate ?? resolved.mixed?.launchTemplate?.launchTemplateSpecification;
  const reference = specification?.launchTemplateId ?? specification?.launchTemplateName;
  const logicalId = reference?.Ref ?? reference?.['Fn::GetAtt']?.[0];
  if (typeof logicalId !== 'string') return [];
  const template = findLaunchTemplate(stack, logicalId);
  if (template === undefined) return [];
  const data = stack.resolve(template.launchTemplateData) as ec2.CfnLaunchTemplate.LaunchTemplateDataProperty | undefined;
  const imageId: unknown = stack.resolve(data?.imageId);
  // Resolved the same way, a parameter name that is a token compares equal too.
  const expected: unknown = stack.resolve(`resolve:ssm:${parameterName}`);
  if (JSON.stringify(imageId) === JSON.stringify(expected)) return [];
  const shown = typeof imageId === 'string' ? imageId : JSON.stringify(imageId);
  if (readsParameterAtLaunch(imageId)) {
    // Another parameter, or this one pinned to a version or label.
    return [`autoScalingGroup '${group.node.path}': its launch template reads '${shown}' at launch, not '${typeof expected === 'string' ? expected : JSON.stringify(expected)}': `
      + 'the instance refresh on that parameter would not launch its image'];
  }
  return [`autoScalingGroup '${group.node.path}': its launch template resolves the image at deploy time (ImageId ${shown}), so an instance refresh would relaunch the image of the last deploy. `
    + `Use ec2.MachineImage.resolveSsmParameterAtLaunch('${parameterName}') (or the image's machineImage({ resolution: ImageResolution.AT_LAUNCH }))`];
}

/** An ImageId of the form `resolve:ssm:...`, literal or joined from tokens. */
function readsParameterAtLaunch(imageId: unknown): boolean {
  if (typeof imageId === 'string') return imageId.startsWith('resolve:ssm:');
  const join = (imageId as { 'Fn::Join'?: [string, unknown[]] } | undefined)?.['Fn::Join'];
  return join !== undefined && typeof join[1][0] === 'string' && (join[1][0] as string).startsWith('resolve:ssm:');
}

function findLaunchTemplate(stack: Stack, logicalId: string): ec2.CfnLaunchTemplate | undefined {
  return stack.node.findAll().find((child: IConstruct): child is ec2.CfnLaunchTemplate =>
    child instanceof ec2.CfnLaunchTemplate && stack.resolve(child.logicalId) === logicalId);
}
