import { Aws, Stack } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import { Construct } from 'constructs';
import { GoldenImage } from '../golden-image';
import { SERVICE_PRINCIPALS, SSM_AUTOMATION_ACTIONS } from '../private/aws-catalogue';
import { imageStateChangePattern } from '../private/image-events';

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
      assumedBy: new iam.ServicePrincipal(SERVICE_PRINCIPALS.SSM.name),
      description: 'Starts application image builds when their golden parent publishes',
    });
    automationRole.addToPrincipalPolicy(new iam.PolicyStatement({
      actions: ['imagebuilder:StartImagePipelineExecution'],
      resources: [childPipelineArn],
    }));

    const automationArn = `arn:${Aws.PARTITION}:ssm:${stack.region}:${stack.account}:automation-definition/${document.ref}:$DEFAULT`;
    const eventsRole = new iam.Role(this, 'EventsRole', {
      assumedBy: new iam.ServicePrincipal(SERVICE_PRINCIPALS.EVENTS.name),
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
      description: `Build the application image on each new image of ${parent.imageName}`,
      eventPattern: imageStateChangePattern(stack, parent.recipe.imageRecipeName, 'AVAILABLE'),
    });
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
