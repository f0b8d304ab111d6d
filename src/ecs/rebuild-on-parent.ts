import { Stack, Token } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import { Construct } from 'constructs';
import { ParentImage } from './parent-image';
import { automationOnEvent } from '../private/automation-on-event';
import { SSM_AUTOMATION_ACTIONS } from '../private/aws-catalogue';
import { forwardedImageStateChangePattern, ImageEventSource, imageStateChangePattern } from '../private/image-events';
import { quoteValue, validateAccountId, validateImageBuilderName, validatePropTypes, validateRegion } from '../private/validation';

/**
 * Where the build events of a parent built in another account or region arrive: an event
 * bus of this account and region (`GoldenImageEventBus`) that the factory forwards them to
 * (`ForwardImageBuildEvents`), and who the parent is in the factory.
 */
export interface ParentBuildEvents {
  /** The bus in this account and region that receives the parent's build events. */
  readonly eventBus: events.IEventBus;

  /**
   * The factory account that builds the parent.
   *
   * @default - the account of the parent GoldenImage's stack, or the account in the parent's image ARN
   */
  readonly factoryAccount?: string;

  /**
   * The region the parent is built in.
   *
   * @default - the region of the parent GoldenImage's stack, or the region in the parent's image ARN
   */
  readonly factoryRegion?: string;

  /**
   * The parent's recipe name, which names its images (`.../image/<recipe name>/...`).
   *
   * @default - the recipe of the parent GoldenImage, or the name in the parent's image ARN
   */
  readonly parentRecipeName?: string;
}

/**
 * Starts a build of a child image each time its parent publishes an image: an EventBridge
 * rule on the parent's successful builds runs an SSM Automation document that calls
 * imagebuilder:StartImagePipelineExecution. Plain CloudFormation, no Lambda.
 *
 * The rule is on this account's default bus when the parent is a GoldenImage built in
 * this account and region; otherwise on the bus that `buildEvents` names, which receives
 * the parent's events from the factory account.
 */
export class RebuildOnParentUpdate extends Construct {
  /** The rule on the parent's successful builds. */
  public readonly rule: events.Rule;

  /**
   * @param parent the parent image
   * @param childPipelineArn the pipeline to start
   * @param buildEvents where the events of a parent of another account or region arrive
   */
  constructor(scope: Construct, id: string, parent: ParentImage, childPipelineArn: string, buildEvents?: ParentBuildEvents) {
    super(scope, id);
    const stack = Stack.of(this);

    let eventPattern: events.EventPattern;
    if (buildEvents) {
      eventPattern = forwardedImageStateChangePattern(stack, parentEventSource(stack, parent, buildEvents), 'AVAILABLE');
    } else {
      const golden = parent._sameEnvironmentPipeline(stack);
      if (!golden) {
        throw new Error(`parent must be a GoldenImage built in this account and region (whose build events reach this account's default event bus), or buildEvents must name the bus they are forwarded to, got parent: ${quoteValue(parent._label())}`);
      }
      eventPattern = imageStateChangePattern(stack, golden.recipe.imageRecipeName, 'AVAILABLE');
    }

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
      ruleDescription: `Build the application image on each new image of ${parentImageName(parent) ?? parent.baseImage.parentImage}`,
      eventPattern,
      eventBus: buildEvents?.eventBus,
      parameters: { ImagePipelineArn: childPipelineArn },
    }).rule;
  }
}

function parentImageName(parent: ParentImage): string | undefined {
  const image = parent._goldenImage as { imageName?: unknown } | undefined;
  return typeof image?.imageName === 'string' ? image.imageName : undefined;
}

/**
 * The factory account, region and recipe of a parent whose events are forwarded: from
 * `buildEvents`, else from the parent. A token of another stack's environment would resolve
 * to this stack's own account or region, so it is refused.
 */
function parentEventSource(stack: Stack, parent: ParentImage, buildEvents: ParentBuildEvents): ImageEventSource {
  validatePropTypes(buildEvents, { strings: ['factoryAccount', 'factoryRegion', 'parentRecipeName'] });
  if (buildEvents.eventBus === undefined || buildEvents.eventBus === null) {
    // Otherwise the rule would silently listen on the default bus, where the parent's events never arrive.
    throw new Error('parentBuildEvents.eventBus is required: the bus of this account and region that receives the parent\'s forwarded build events (GoldenImageEventBus.eventBus), got: nothing');
  }
  const known = parent._buildEventSource();
  const parentStack = parent._goldenImage && Stack.of(parent._goldenImage) !== stack ? Stack.of(parent._goldenImage) : undefined;
  const pick = (prop: string, given: string | undefined, derived: string | undefined): string => {
    if (given !== undefined) return given;
    if (derived === undefined || (parentStack && Token.isUnresolved(derived))) {
      throw new Error(`parentBuildEvents.${prop} is needed: the library cannot tell it from the parent (a GoldenImage of an environment-agnostic stack, or a parent given by SSM parameter), got parent: ${quoteValue(parent._label())}`);
    }
    return derived;
  };
  const account = pick('factoryAccount', buildEvents.factoryAccount, known.account);
  const region = pick('factoryRegion', buildEvents.factoryRegion, known.region);
  const recipeName = pick('parentRecipeName', buildEvents.parentRecipeName, known.recipeName);
  validateAccountId('parentBuildEvents.factoryAccount', account);
  validateRegion('parentBuildEvents.factoryRegion', region);
  if (Token.isUnresolved(recipeName)) {
    throw new Error(`parentBuildEvents.parentRecipeName must be a literal (the events are matched by the lower-case recipe name in the image ARN), got a token for parent: ${quoteValue(parent._label())}`);
  }
  validateImageBuilderName('parentBuildEvents.parentRecipeName', recipeName);
  if (account === stack.account && region === stack.region) {
    throw new Error(`parentBuildEvents is for a parent built in another account or region; '${parent._label()}' is built in this account and region (${account}, ${region}), whose default event bus already carries its events: remove parentBuildEvents`);
  }
  return { account, region, recipeName };
}
