import { Aws, Names, Stack } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import { Construct } from 'constructs';
import { SERVICE_PRINCIPALS } from './aws-catalogue';
import { acknowledgeNagFindings, inlinePolicyFindings } from './nag-acknowledgments';

/** What `automationOnEvent` wires. */
export interface AutomationOnEventProps {
  /** The Automation document the rule runs; it takes an `AutomationAssumeRole` parameter. */
  readonly document: ssm.CfnDocument;
  /** The one thing the automation may do, granted to its assume role (with `automationRoleDescription`, when no `automationRole`). */
  readonly automationStatement?: iam.PolicyStatement;
  /** Further grants of the automation role, beside `automationStatement`. */
  readonly moreAutomationStatements?: iam.PolicyStatement[];
  readonly automationRoleDescription?: string;
  /** The automation's assume role, when the caller made it; otherwise one is created here. */
  readonly automationRole?: iam.IRole;
  /** A fixed name for the automation role created here, when another account's trust names it. */
  readonly automationRoleName?: string;
  readonly eventsRoleDescription: string;
  readonly ruleId: string;
  readonly ruleDescription: string;
  /** What the rule matches: exactly one of `eventPattern` and `schedule`. */
  readonly eventPattern?: events.EventPattern;
  readonly schedule?: events.Schedule;
  /** The bus the rule listens on; undefined for the account's default bus. */
  readonly eventBus?: events.IEventBus;
  /**
   * The document's parameters other than `AutomationAssumeRole`. A value may hold an
   * `events.EventField` (for example `$.resources[0]`): the target then takes an input
   * transformer that fills it in from the event.
   */
  readonly parameters: Record<string, string>;
}

/** The roles and rule `automationOnEvent` created. */
export interface AutomationOnEvent {
  readonly rule: events.Rule;
  readonly automationRole: iam.IRole;
  readonly eventsRole: iam.Role;
}

/** The role's default policy is the right home for grants of one action on one resource. */
const INLINE_POLICY_REASON = 'The role\'s grants (one action on one resource each) are its default policy, created and deleted with the role; '
  + 'a managed policy would outlive the role and could be attached elsewhere';

/**
 * An EventBridge rule that runs an SSM Automation document (no Lambda), with the two roles
 * it needs, each trusted by its service only for this account (and, for EventBridge, this
 * rule), and allowed only what this wiring does.
 */
export function automationOnEvent(scope: Construct, props: AutomationOnEventProps): AutomationOnEvent {
  const stack = Stack.of(scope);
  if ((props.eventPattern === undefined) === (props.schedule === undefined)) {
    throw new Error('automationOnEvent takes exactly one of eventPattern and schedule');
  }
  const automationRole = props.automationRole
    ?? automationAssumeRole(scope, 'AutomationRole', props.automationRoleDescription, props.automationRoleName);
  if (props.automationStatement) automationRole.addToPrincipalPolicy(props.automationStatement);
  for (const statement of props.moreAutomationStatements ?? []) automationRole.addToPrincipalPolicy(statement);

  const automationArn = `arn:${Aws.PARTITION}:ssm:${stack.region}:${stack.account}:automation-definition/${props.document.ref}:$DEFAULT`;
  // The rule's ARN, from a name chosen here rather than from the rule resource: the rule
  // names the role as its target's, so the role's trust cannot reference the rule.
  const ruleName = Names.uniqueResourceName(scope, { maxLength: 64, separator: '-' });
  const eventsRole = eventBridgeTargetRole(scope, 'EventsRole', ruleArn(stack, ruleName, props.eventBus), props.eventsRoleDescription);
  eventsRole.addToPrincipalPolicy(new iam.PolicyStatement({
    actions: ['ssm:StartAutomationExecution'],
    resources: [automationArn],
  }));
  eventsRole.addToPrincipalPolicy(new iam.PolicyStatement({
    actions: ['iam:PassRole'],
    resources: [automationRole.roleArn],
    conditions: { StringEquals: { 'iam:PassedToService': SERVICE_PRINCIPALS.SSM.name } },
  }));
  if (!props.automationRole) acknowledgeNagFindings(automationRole, ...inlinePolicyFindings(INLINE_POLICY_REASON));

  const rule = new events.Rule(scope, props.ruleId, {
    ruleName,
    description: props.ruleDescription,
    eventPattern: props.eventPattern,
    schedule: props.schedule,
    eventBus: props.eventBus,
  });
  // Automation takes every parameter as a list of strings.
  const input: Record<string, string[]> = {};
  for (const [key, value] of Object.entries(props.parameters)) input[key] = [value];
  input.AutomationAssumeRole = [automationRole.roleArn];
  rule.addTarget({
    bind: () => ({ arn: automationArn, role: eventsRole, input: events.RuleTargetInput.fromObject(input) }),
  });
  return { rule, automationRole, eventsRole };
}

/**
 * An SSM Automation assume role trusted by Systems Manager for Automation runs of this account
 * only. Confused deputy: Systems Manager documents aws:SourceAccount for this ("allow any
 * resource in that account"):
 * https://docs.aws.amazon.com/systems-manager/latest/userguide/cross-service-confused-deputy-prevention.html
 */
export function automationAssumeRole(scope: Construct, id: string, description?: string, roleName?: string): iam.Role {
  const stack = Stack.of(scope);
  return new iam.Role(scope, id, {
    roleName,
    assumedBy: new iam.ServicePrincipal(SERVICE_PRINCIPALS.SSM.name, {
      conditions: { StringEquals: { 'aws:SourceAccount': stack.account } },
    }),
    description,
  });
}

/**
 * The ARN of the rule named `ruleName` on `eventBus` (the default bus when undefined): a rule
 * on a custom bus has the bus name in its ARN, `rule/<bus name>/<rule name>`
 * (https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazoneventbridge.html, resource type rule-on-custom-event-bus).
 */
export function ruleArn(stack: Stack, ruleName: string, eventBus?: events.IEventBus): string {
  const path = eventBus ? `${eventBus.eventBusName}/${ruleName}` : ruleName;
  return `arn:${Aws.PARTITION}:events:${stack.region}:${stack.account}:rule/${path}`;
}

/**
 * The role EventBridge assumes to deliver the events of one rule to a target, trusted only
 * for that rule of this account (confused deputy: for rule targets EventBridge sets
 * aws:SourceArn to the rule ARN and aws:SourceAccount to the rule's account,
 * https://docs.aws.amazon.com/eventbridge/latest/userguide/cross-service-confused-deputy-prevention.html).
 * The caller grants it what the target needs; its default policy is acknowledged as such.
 */
export function eventBridgeTargetRole(scope: Construct, id: string, sourceRuleArn: string, description: string): iam.Role {
  const stack = Stack.of(scope);
  const role = new iam.Role(scope, id, {
    assumedBy: new iam.ServicePrincipal(SERVICE_PRINCIPALS.EVENTS.name, {
      conditions: {
        StringEquals: { 'aws:SourceAccount': stack.account },
        ArnEquals: { 'aws:SourceArn': sourceRuleArn },
      },
    }),
    description,
  });
  acknowledgeNagFindings(role, ...inlinePolicyFindings(INLINE_POLICY_REASON));
  return role;
}
