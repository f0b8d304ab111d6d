import { Aws, Names, Stack } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import { Construct } from 'constructs';
import { GoldenImage } from '../golden-image';
import { SERVICE_PRINCIPALS, SSM_AUTOMATION_ACTIONS } from '../private/aws-catalogue';
import { imageStateChangePattern } from '../private/image-events';
import { acknowledgeNagFindings, inlinePolicyFindings } from '../private/nag-acknowledgments';

/**
 * Starts a build of `child` each time `parent` publishes an image: an EventBridge rule on
 * the parent's successful builds runs an SSM Automation document that calls
 * imagebuilder:StartImagePipelineExecution. Plain CloudFormation, no Lambda.
 */
export class RebuildOnParentUpdate extends Construct {
  /** The rule on the parent's successful builds. */
  public readonly rule: events.Rule;

  constructor(scope: Construct, id: string, parent: GoldenImage, childPipelineArn: string) {
    super(scope, id);
    const stack = Stack.of(this);

    const document = new ssm.CfnDocument(this, 'StartBuild', {
      documentType: 'Automation',
      documentFormat: 'JSON',
      content: {
        schemaVersion: '0.3',
        description: 'Start a build of an application image when its golden parent publishes',
        assumeRole: '{{ AutomationAssumeRole }}',
        parameters: {
          AutomationAssumeRole: { type: 'String' },
          ImagePipelineArn: { type: 'String' },
        },
        mainSteps: [{
          name: 'StartImagePipelineExecution',
          action: SSM_AUTOMATION_ACTIONS.EXECUTE_AWS_API.name,
          inputs: {
            Service: 'imagebuilder',
            Api: 'StartImagePipelineExecution',
            imagePipelineArn: '{{ ImagePipelineArn }}',
            clientToken: '{{ automation:EXECUTION_ID }}',
          },
        }],
      },
    });

    const automationRole = new iam.Role(this, 'AutomationRole', {
      // Confused deputy: only Automation runs of this account. Systems Manager documents
      // aws:SourceAccount for this ("allow any resource in that account"):
      // https://docs.aws.amazon.com/systems-manager/latest/userguide/cross-service-confused-deputy-prevention.html
      assumedBy: new iam.ServicePrincipal(SERVICE_PRINCIPALS.SSM.name, {
        conditions: { StringEquals: { 'aws:SourceAccount': stack.account } },
      }),
      description: 'Starts application image builds when their golden parent publishes',
    });
    automationRole.addToPrincipalPolicy(new iam.PolicyStatement({
      actions: ['imagebuilder:StartImagePipelineExecution'],
      resources: [childPipelineArn],
    }));

    const automationArn = `arn:${Aws.PARTITION}:ssm:${stack.region}:${stack.account}:automation-definition/${document.ref}:$DEFAULT`;
    // The rule's ARN, from a name chosen here rather than from the rule resource: the rule
    // names the role as its target's, so the role's trust cannot reference the rule.
    const ruleName = Names.uniqueResourceName(this, { maxLength: 64, separator: '-' });
    const ruleArn = `arn:${Aws.PARTITION}:events:${stack.region}:${stack.account}:rule/${ruleName}`;
    const eventsRole = new iam.Role(this, 'EventsRole', {
      // Confused deputy: only this rule. For rule targets EventBridge sets aws:SourceArn to the
      // rule ARN and aws:SourceAccount to the rule's account:
      // https://docs.aws.amazon.com/eventbridge/latest/userguide/cross-service-confused-deputy-prevention.html
      assumedBy: new iam.ServicePrincipal(SERVICE_PRINCIPALS.EVENTS.name, {
        conditions: {
          StringEquals: { 'aws:SourceAccount': stack.account },
          ArnEquals: { 'aws:SourceArn': ruleArn },
        },
      }),
      description: 'Runs the application image rebuild automation',
    });
    eventsRole.addToPrincipalPolicy(new iam.PolicyStatement({
      actions: ['ssm:StartAutomationExecution'],
      resources: [automationArn],
    }));
    eventsRole.addToPrincipalPolicy(new iam.PolicyStatement({
      actions: ['iam:PassRole'],
      resources: [automationRole.roleArn],
      conditions: { StringEquals: { 'iam:PassedToService': SERVICE_PRINCIPALS.SSM.name } },
    }));

    this.rule = new events.Rule(this, 'ParentPublished', {
      ruleName,
      description: `Build the application image on each new image of ${parent.imageName}`,
      eventPattern: imageStateChangePattern(stack, parent.recipe.imageRecipeName, 'AVAILABLE'),
    });
    const inline = inlinePolicyFindings('The role\'s grants (one action on one resource each) are its default policy, created and deleted with the role; '
      + 'a managed policy would outlive the role and could be attached elsewhere');
    acknowledgeNagFindings(automationRole, ...inline);
    acknowledgeNagFindings(eventsRole, ...inline);
    this.rule.addTarget({
      bind: () => ({
        arn: automationArn,
        role: eventsRole,
        input: events.RuleTargetInput.fromObject({
          ImagePipelineArn: [childPipelineArn],
          AutomationAssumeRole: [automationRole.roleArn],
        }),
      }),
    });
  }
}
