import { Stack } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import { Construct } from 'constructs';
import { GoldenImage } from '../golden-image';
import { automationOnEvent } from '../private/automation-on-event';
import { SSM_AUTOMATION_ACTIONS } from '../private/aws-catalogue';
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

    this.rule = automationOnEvent(this, {
      document,
      automationStatement: new iam.PolicyStatement({
        actions: ['imagebuilder:StartImagePipelineExecution'],
        resources: [childPipelineArn],
      }),
      automationRoleDescription: 'Starts application image builds when their golden parent publishes',
      eventsRoleDescription: 'Runs the application image rebuild automation',
      ruleId: 'ParentPublished',
      ruleDescription: `Build the application image on each new image of ${parent.imageName}`,
      eventPattern: imageStateChangePattern(stack, parent.recipe.imageRecipeName, 'AVAILABLE'),
      parameters: { ImagePipelineArn: childPipelineArn },
    }).rule;
  }
}
