import { Names, Stack, Token } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { ORGANIZATION_ID } from './compliance/private/organization-id';
import { GoldenImage } from './golden-image';
import { eventBridgeTargetRole, ruleArn } from './private/automation-on-event';
import { EVENT_BUS_POLICY_KEYS, EVENTBRIDGE_EVENTS } from './private/aws-catalogue';
import { imageStateChangePattern } from './private/image-events';
import { quoteValue, validateAccountId, validatePropTypes, validateRegion, validateUnique } from './private/validation';

/** The bus name GoldenImageEventBus uses unless told otherwise. */
const DEFAULT_EVENT_BUS_NAME = 'golden-ami-image-events';
/**
 * A custom event bus name: letters, digits, `.`, `-`, `_`, at most 256 characters, not
 * `default` and not starting with `aws.` (https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_CreateEventBus.html).
 */
const EVENT_BUS_NAME = /^[.\-_A-Za-z0-9]{1,256}$/;
const EVENT_BUS_ARN = /^arn:aws[a-z-]*:events:([a-z0-9-]+):(\d{12}):event-bus\/([.\-_A-Za-z0-9]{1,256})$/;
/** EventBridge quota: at most 5 targets per rule (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-quota.html). */
const MAX_TARGETS_PER_RULE = 5;

/**
 * Properties of a GoldenImageEventBus.
 */
export interface GoldenImageEventBusProps {
  /**
   * The bus name.
   *
   * @default 'golden-ami-image-events'
   */
  readonly eventBusName?: string;

  /**
   * The image factory accounts whose build events the bus accepts. At least one of
   * `factoryAccountIds` and `organizationId` is required.
   *
   * @default - none: `organizationId` says who may send
   */
  readonly factoryAccountIds?: string[];

  /**
   * Accept build events from every account of this AWS Organizations organization
   * (`o-...`), for example when several factories feed one workload account. The rules
   * on the bus still name the factory account that builds each parent.
   *
   * @default - none: `factoryAccountIds` says who may send
   */
  readonly organizationId?: string;
}

/**
 * An EventBridge event bus in a workload account that receives the build events of golden
 * images made in an image factory account (forwarded there by `ForwardImageBuildEvents`),
 * so that an `EcsApplicationImage` of this account rebuilds when its parent publishes
 * (`parentBuildEvents`). Its resource policy lets only the factory accounts, or the
 * accounts of one organization, put events, and only Image Builder's image state changes.
 */
export class GoldenImageEventBus extends Construct {
  /** The event bus. */
  public readonly eventBus: events.EventBus;

  /**
   * The bus ARN, for `ForwardImageBuildEvents` in the factory account.
   *
   * @attribute
   */
  public readonly eventBusArn: string;

  /** The bus name. */
  public readonly eventBusName: string;

  constructor(scope: Construct, id: string, props: GoldenImageEventBusProps = {}) {
    super(scope, id);
    validatePropTypes(props, { strings: ['eventBusName', 'organizationId'], arrays: ['factoryAccountIds'] });
    const name = props.eventBusName ?? DEFAULT_EVENT_BUS_NAME;
    if (!Token.isUnresolved(name) && (!EVENT_BUS_NAME.test(name) || name === 'default' || name.startsWith('aws.'))) {
      throw new Error(`eventBusName must be 1 to 256 letters, digits, '.', '-' or '_', neither 'default' nor starting with 'aws.', got: ${quoteValue(name)}`);
    }
    const accounts = props.factoryAccountIds ?? [];
    accounts.forEach((account, i) => validateAccountId(`factoryAccountIds[${i}]`, account));
    validateUnique('factoryAccountIds', accounts);
    const organizationId = props.organizationId;
    if (organizationId !== undefined && !Token.isUnresolved(organizationId) && !ORGANIZATION_ID.test(organizationId)) {
      throw new Error(`organizationId must be an AWS Organizations organization ID (o- and 10 to 32 lower-case letters or digits), got: ${quoteValue(organizationId)}`);
    }
    if (accounts.length === 0 && organizationId === undefined) {
      throw new Error('GoldenImageEventBus needs factoryAccountIds or organizationId: a bus that nobody may send to receives nothing, got neither');
    }

    this.eventBus = new events.EventBus(this, 'Resource', { eventBusName: name });
    this.eventBusArn = this.eventBus.eventBusArn;
    this.eventBusName = this.eventBus.eventBusName;

    // The sending rule's role is the principal of PutEvents: its account, or its organization
    // (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-bus-perms.html). Nothing
    // but Image Builder's image state changes gets on the bus: events:source (multi-valued, one
    // per entry, hence ForAllValues) and events:detail-type, as AWS's example policy writes them
    // (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-bus-example-policy-cross-account-custom-bus-source.html).
    const onlyImageStateChanges = {
      'ForAllValues:StringEquals': { [EVENT_BUS_POLICY_KEYS.SOURCE.name]: EVENTBRIDGE_EVENTS.IMAGE_BUILDER_SOURCE.name },
      'StringEquals': { [EVENT_BUS_POLICY_KEYS.DETAIL_TYPE.name]: EVENTBRIDGE_EVENTS.IMAGE_STATE_CHANGE.name },
    };
    if (accounts.length > 0) {
      this.eventBus.addToResourcePolicy(new iam.PolicyStatement({
        sid: 'FactoryAccountsImageBuildEvents',
        principals: accounts.map(account => new iam.AccountPrincipal(account)),
        actions: ['events:PutEvents'],
        resources: [this.eventBus.eventBusArn],
        conditions: onlyImageStateChanges,
      }));
    }
    if (organizationId !== undefined) {
      this.eventBus.addToResourcePolicy(new iam.PolicyStatement({
        sid: 'OrganizationImageBuildEvents',
        principals: [new iam.AnyPrincipal()],
        actions: ['events:PutEvents'],
        resources: [this.eventBus.eventBusArn],
        conditions: {
          ...onlyImageStateChanges,
          StringEquals: { ...onlyImageStateChanges.StringEquals, [EVENT_BUS_POLICY_KEYS.PRINCIPAL_ORG_ID.name]: organizationId },
        },
      }));
    }
  }
}

/**
 * Properties of ForwardImageBuildEvents.
 */
export interface ForwardImageBuildEventsProps {
  /** The golden image whose successful builds are forwarded; built in this stack's account and region. */
  readonly image: GoldenImage;

  /**
   * The ARNs of the receiving buses (`GoldenImageEventBus.eventBusArn` of each workload
   * account), `arn:aws:events:<region>:<account>:event-bus/<name>`; 1 to 5 (the targets
   * of one rule).
   */
  readonly eventBusArns: string[];
}

/**
 * Forwards the successful builds of a golden image (Image Builder image state changes to
 * AVAILABLE) from the factory account to event buses of other accounts
 * (`GoldenImageEventBus`), so that application images there rebuild on each new parent.
 * The rule's role is trusted by EventBridge only for this rule and may put events only on
 * those buses.
 */
export class ForwardImageBuildEvents extends Construct {
  /** The rule on the image's successful builds. */
  public readonly rule: events.Rule;

  /** The role EventBridge assumes to put the events on the receiving buses. */
  public readonly role: iam.IRole;

  constructor(scope: Construct, id: string, props: ForwardImageBuildEventsProps) {
    super(scope, id);
    validatePropTypes(props, { arrays: ['eventBusArns'] });
    const stack = Stack.of(this);
    const image = props.image;
    if (!(image instanceof GoldenImage)) {
      // An imported image has no pipeline here to forward the builds of.
      throw new Error(`image must be a GoldenImage built by this app (its builds are what is forwarded), got: ${quoteValue(image === undefined ? 'nothing' : (image as { node?: { path?: string } }).node?.path ?? image)}`);
    }
    const imageStack = Stack.of(image);
    if (imageStack.account !== stack.account || imageStack.region !== stack.region) {
      throw new Error(`image must be built in the account and region of the forwarding stack (Image Builder emits its events there), got '${image.node.path}' in ${imageStack.account}/${imageStack.region}, forwarding from ${stack.account}/${stack.region}`);
    }
    const recipeName = image.recipe.imageRecipeName;
    if (Token.isUnresolved(recipeName)) {
      throw new Error(`image needs a literal recipe name (the events are matched by it), got a token for '${image.node.path}'`);
    }
    const busArns = props.eventBusArns;
    if (busArns.length < 1 || busArns.length > MAX_TARGETS_PER_RULE) {
      throw new Error(`eventBusArns must list 1 to ${MAX_TARGETS_PER_RULE} event bus ARNs (the targets of one EventBridge rule), got ${busArns.length}: ${quoteValue(busArns.join(', '))}`);
    }
    busArns.forEach((arn, i) => validateEventBusArn(`eventBusArns[${i}]`, arn));
    validateUnique('eventBusArns', busArns);

    const ruleName = Names.uniqueResourceName(this, { maxLength: 64, separator: '-' });
    // A role on each target: EventBridge requires one for a bus of another account that granted
    // PutEvents to an organization rather than to the account
    // (https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_Rule.html, RoleArn), and AWS
    // recommends one for every event bus target
    // (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-bus-perms.html). Buses of
    // other regions are reachable where EventBridge supports cross-Region delivery
    // (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-cross-account.html).
    const role = eventBridgeTargetRole(this, 'EventsRole', ruleArn(stack, ruleName), `Forwards the build events of golden image ${image.imageName} to workload accounts`);
    this.role = role;
    this.rule = new events.Rule(this, 'ImagePublished', {
      ruleName,
      description: `Forward each new image of ${image.imageName} to ${busArns.length} workload event bus(es)`,
      eventPattern: imageStateChangePattern(stack, recipeName, 'AVAILABLE'),
    });
    busArns.forEach((arn, i) => {
      // events:PutEvents on exactly this bus is granted to the role by the target.
      this.rule.addTarget(new targets.EventBus(events.EventBus.fromEventBusArn(this, `Bus${i}`, arn), { role }));
    });
  }
}

function validateEventBusArn(prop: string, arn: string): void {
  if (Token.isUnresolved(arn)) return;
  const match = EVENT_BUS_ARN.exec(arn);
  if (!match) {
    throw new Error(`${prop} must be an EventBridge event bus ARN (arn:aws:events:<region>:<account>:event-bus/<name>), got: ${quoteValue(arn)}`);
  }
  validateRegion(`${prop} (region)`, match[1]);
}
