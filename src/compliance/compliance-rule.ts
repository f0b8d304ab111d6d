import { Aws, CfnResource, Duration, Lazy, Names, Stack, Token } from 'aws-cdk-lib';
import * as config from 'aws-cdk-lib/aws-config';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { ApprovalSource } from './approval-source';
import { EvaluatorFunction } from './evaluator-function';
import { combineApprovalSources } from './private/approvals';
import { ORGANIZATION_ID } from './private/organization-id';
import { acknowledgeEvaluationWildcards, evaluationStatements } from './private/permissions';
import { DEFAULT_EVALUATOR_ROLE_NAME, DEFAULT_MEMBER_ROLE_NAME, validateRoleName } from './private/role-names';
import { ComplianceRemediation } from './remediation';
import { EvaluatedResourceType } from './resource-type';
import { SERVICE_PRINCIPALS } from '../private/aws-catalogue';
import { acknowledgeNagFindings, wildcardResourceFinding } from '../private/nag-acknowledgments';
import { validateAccountId, validateDescription, validateIntegerInRange, validateUnique } from '../private/validation';

const ALL_RESOURCE_TYPES = [EvaluatedResourceType.INSTANCE, EvaluatedResourceType.LAUNCH_TEMPLATE, EvaluatedResourceType.AUTO_SCALING_GROUP];
const TRIGGERS = ['ConfigurationItemChangeNotification', 'OversizedConfigurationItemChangeNotification'];
const ORGANIZATION_RULE_NAME = /^[A-Za-z0-9-_]{1,64}$/;
/**
 * The longest rule description: AWS::Config::ConfigRule Description and
 * OrganizationCustomRuleMetadata Description are 0 to 256 characters
 * (https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-config-configrule.html#cfn-config-configrule-description,
 * https://docs.aws.amazon.com/config/latest/APIReference/API_OrganizationCustomRuleMetadata.html).
 */
const MAX_DESCRIPTION_LENGTH = 256;

/**
 * Options of an organization-wide rule.
 */
export interface OrganizationRuleOptions {
  /**
   * The ID of the organization (`o-` and 10 to 32 lowercase letters or digits) whose accounts
   * the rule evaluates. The function may assume the member role only in accounts of this
   * organization (`aws:ResourceOrgID` on its `sts:AssumeRole` permission), and refuses, without
   * evaluating anything, an invocation for an account where that is denied.
   */
  readonly organizationId: string;

  /**
   * Accounts the organization rule leaves out.
   *
   * @default - none
   */
  readonly excludedAccounts?: string[];

  /**
   * The role the function assumes in each member account, which `GoldenAmiComplianceMemberRole`
   * creates there.
   *
   * @default 'GoldenAmiComplianceMember'
   */
  readonly memberRoleName?: string;

  /**
   * The name of the function's own role, which member roles trust. Give each region's rule
   * its own name when the rule is deployed in several regions of the same account.
   *
   * @default 'GoldenAmiComplianceEvaluator'
   */
  readonly evaluatorRoleName?: string;
}

/**
 * Properties of a GoldenAmiComplianceRule.
 */
export interface GoldenAmiComplianceRuleProps {
  /**
   * Where approved AMIs come from. An AMI approved by any source is approved.
   */
  readonly approvalSources: ApprovalSource[];

  /**
   * The resource types to evaluate.
   *
   * @default - instances, launch templates and Auto Scaling groups
   */
  readonly resourceTypes?: EvaluatedResourceType[];

  /**
   * Approved AMIs older than this (whole days) are non-compliant.
   *
   * @default - no age limit
   */
  readonly maximumAmiAge?: Duration;

  /**
   * Approved AMIs past their deprecation time stay compliant.
   *
   * @default false
   */
  readonly allowDeprecatedAmis?: boolean;

  /**
   * How often every resource is evaluated again (besides on each configuration change).
   *
   * @default config.MaximumExecutionFrequency.TWENTY_FOUR_HOURS
   */
  readonly periodicEvaluation?: config.MaximumExecutionFrequency;

  /**
   * The Config rule name.
   *
   * @default - generated (organization rules: derived from the construct path)
   */
  readonly ruleName?: string;

  /**
   * The rule's description (at most 256 characters, Config's limit).
   *
   * @default - a sentence naming the approval sources (shortened to 256 characters)
   */
  readonly description?: string;

  /**
   * Deploy as an organization rule (from the Config delegated administrator account) that
   * evaluates every member account, through a role `GoldenAmiComplianceMemberRole` creates in each.
   *
   * @default - a rule for this account only
   */
  readonly organization?: OrganizationRuleOptions;

  /**
   * What Config does about a non-compliant resource (account rules only).
   *
   * @default - nothing
   */
  readonly remediation?: ComplianceRemediation;

  /**
   * Publish each change to NON_COMPLIANT to an SNS topic (account rules only: Config emits
   * compliance change events in the evaluated account).
   *
   * @default false
   */
  readonly notifications?: boolean;

  /**
   * The topic for notifications; setting it turns notifications on.
   *
   * The construct adds to the topic's policy (and, when the topic's KMS key is known to the
   * app, to the key's policy) the grants EventBridge needs, limited to this construct's rule
   * with `aws:SourceArn` and `aws:SourceAccount`. An imported topic or key keeps its own
   * policy: allow `events.amazonaws.com` there (`sns:Publish`; `kms:Decrypt` and
   * `kms:GenerateDataKey` for an encrypted topic), with the rule's ARN
   * (`notificationRule.ruleArn`) as `aws:SourceArn`.
   *
   * @default - a KMS-encrypted topic, when `notifications` is true
   */
  readonly notificationTopic?: sns.ITopic;

  /**
   * How long one invocation of the function may run (2 to 15 minutes). A periodic sweep
   * stops starting pages a minute before it and continues in a new invocation, so the
   * timeout does not cap how many resources an account may have.
   *
   * @default Duration.minutes(10)
   */
  readonly timeout?: Duration;

  /**
   * The function's memory (MB), which also sets its CPU share.
   *
   * @default 512
   */
  readonly memorySize?: number;

  /**
   * Concurrency reserved for (and capping) the function.
   *
   * @default - unreserved: Config retries throttled invocations, and reserving fails in accounts with the minimum concurrency quota
   */
  readonly reservedConcurrentExecutions?: number;

  /**
   * Run the function in this VPC (it needs a route to the EC2, Auto Scaling, SSM, STS, Config and Lambda APIs: a long sweep continues by invoking the function).
   *
   * @default - not in a VPC
   */
  readonly vpc?: ec2.IVpc;

  /**
   * The subnets of `vpc` the function uses.
   *
   * @default - the VPC's private subnets
   */
  readonly vpcSubnets?: ec2.SubnetSelection;

  /**
   * Security groups of the function in `vpc`.
   *
   * @default - a new security group that allows all outbound traffic
   */
  readonly securityGroups?: ec2.ISecurityGroup[];

  /**
   * How long the function's logs are kept.
   *
   * @default logs.RetentionDays.ONE_YEAR
   */
  readonly logRetention?: logs.RetentionDays;

  /**
   * The KMS key that encrypts the function's logs (its key policy must let CloudWatch Logs use it).
   *
   * @default - CloudWatch Logs' own encryption
   */
  readonly logEncryptionKey?: kms.IKey;
}

/**
 * An AWS Config rule that proves instances, launch templates and Auto Scaling groups use an
 * approved golden AMI, where "approved" is what the image pipeline itself publishes (the SSM
 * catalog, a GoldenImage), the factory account that owns the AMIs, or same-account AMI tags.
 * Evaluates on each configuration change and periodically; optionally organization-wide,
 * with remediation and notifications.
 *
 * Who may invoke the function: an account rule's Lambda permission lets Config invoke it only
 * for this stack's account (`aws:SourceAccount`). An organization rule is invoked by Config in
 * each member account, which CloudFormation's Lambda permission cannot narrow to an organization
 * (it takes one source account; `aws:PrincipalOrgID` never matches a service principal), so the
 * organization boundary is enforced where the function acts: it may assume the member role only
 * in accounts of `organization.organizationId` (`aws:ResourceOrgID`), and an invocation for any
 * other account is refused after that one denied AssumeRole, logged as `refusing account ...`,
 * with nothing read or reported. Set `reservedConcurrentExecutions` to cap what such
 * invocations can cost.
 */
export class GoldenAmiComplianceRule extends Construct {
  /** The function that evaluates resources. */
  public readonly function: lambda.IFunction;

  /** The function's role. */
  public readonly role: iam.IRole;

  /** The function's log group. */
  public readonly logGroup: logs.ILogGroup;

  /**
   * The Config rule name (for an organization rule, the name of the rule in each member account
   * is derived from it by Config).
   */
  public readonly configRuleName: string;

  /** The account rule, unless the rule is organization-wide. */
  public readonly configRule?: config.CfnConfigRule;

  /** The organization rule, when organization-wide. */
  public readonly organizationConfigRule?: config.CfnOrganizationConfigRule;

  /** The topic that receives NON_COMPLIANT notifications, when enabled. */
  public readonly notificationTopic?: sns.ITopic;

  /** The EventBridge rule that sends NON_COMPLIANT notifications, when enabled. */
  public readonly notificationRule?: events.Rule;

  /** The role SSM Automation assumes to remediate, when remediation is set. */
  public readonly remediationRole?: iam.IRole;

  /** The resource types the rule evaluates. */
  public readonly resourceTypes: EvaluatedResourceType[];

  constructor(scope: Construct, id: string, props: GoldenAmiComplianceRuleProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const approvals = combineApprovalSources(this, props.approvalSources);
    this.resourceTypes = resourceTypesOf(props.resourceTypes);
    const maxAgeDays = maximumAgeDays(props.maximumAmiAge);
    const organization = props.organization;
    const memberRoleName = organization ? (organization.memberRoleName ?? DEFAULT_MEMBER_ROLE_NAME) : undefined;
    const evaluatorRoleName = organization ? (organization.evaluatorRoleName ?? DEFAULT_EVALUATOR_ROLE_NAME) : undefined;
    if (organization) this.validateOrganization(organization, memberRoleName!, evaluatorRoleName!, props);
    if (props.remediation && !this.resourceTypes.includes(props.remediation.resourceType)) {
      throw new Error(`remediation ${props.remediation.documentName} acts on ${props.remediation.resourceType}, which the rule does not evaluate; resourceTypes: '${this.resourceTypes.join(', ')}'`);
    }
    const timeout = props.timeout ?? Duration.minutes(10);
    if (timeout.toSeconds() < 120 || timeout.toSeconds() > 900) {
      throw new Error(`timeout must be from 2 to 15 minutes (a periodic sweep keeps its last minute to deliver evaluations and continue), got: '${timeout.toHumanString()}'`);
    }
    if (props.memorySize !== undefined) {
      // Lambda takes 128 to 10,240 MB (https://docs.aws.amazon.com/lambda/latest/dg/configuration-memory.html).
      validateIntegerInRange('memorySize (MB)', props.memorySize, 128, 10240);
    }
    if (props.reservedConcurrentExecutions !== undefined) {
      // Lambda's ReservedConcurrentExecutions takes 0 or more; the account's quota caps it at deploy time.
      validateIntegerInRange('reservedConcurrentExecutions', props.reservedConcurrentExecutions, 0, Number.MAX_SAFE_INTEGER);
    }
    // The shared description rule (type, length), at Config's limit.
    validateDescription('description', props.description, MAX_DESCRIPTION_LENGTH, 0);
    const description = props.description
      ?? `Resources must use an approved golden AMI (${props.approvalSources.map(source => source.description).join('; ')})`.slice(0, MAX_DESCRIPTION_LENGTH);

    this.logGroup = new logs.LogGroup(this, 'Logs', {
      retention: props.logRetention ?? logs.RetentionDays.ONE_YEAR,
      encryptionKey: props.logEncryptionKey,
    });
    const role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal(SERVICE_PRINCIPALS.LAMBDA.name),
      roleName: evaluatorRoleName,
      description: 'Evaluates resources for the golden AMI compliance rule',
    });
    this.role = role;
    const policy = new iam.ManagedPolicy(this, 'Policy', {
      roles: [role],
      statements: [
        new iam.PolicyStatement({ sid: 'WriteLogs', actions: ['logs:CreateLogStream', 'logs:PutLogEvents'], resources: [this.logGroup.logGroupArn] }),
        ...evaluationStatements(this, approvals),
        ...(props.vpc ? [new iam.PolicyStatement({
          // What Lambda needs to attach the function to the VPC (AWSLambdaVPCAccessExecutionRole's actions).
          sid: 'AttachToVpc',
          actions: ['ec2:CreateNetworkInterface', 'ec2:DescribeNetworkInterfaces', 'ec2:DeleteNetworkInterface', 'ec2:AssignPrivateIpAddresses', 'ec2:UnassignPrivateIpAddresses'],
          resources: ['*'],
        })] : []),
        ...(organization ? [new iam.PolicyStatement({
          sid: 'AssumeMemberRoles',
          actions: ['sts:AssumeRole'],
          resources: [`arn:${stack.partition}:iam::*:role/${memberRoleName}`],
          // Only roles of accounts in the organization: an account outside it that aims a rule
          // at the function cannot make it act there. aws:ResourceOrgID is the organization of
          // the resource acted on, here the role
          // (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-resourceorgid).
          conditions: { StringEquals: { 'aws:ResourceOrgID': organization.organizationId } },
        })] : []),
      ],
    });
    acknowledgeEvaluationWildcards(policy, approvals);
    if (memberRoleName) {
      acknowledgeNagFindings(policy, {
        id: wildcardResourceFinding('AwsSolutions-IAM5', policy, `arn:${stack.partition}:iam::*:role/${memberRoleName}`),
        reason: `An organization rule evaluates every member account through the ${memberRoleName} role there; the accounts join and leave with the organization, so the role is named and the account is not (aws:ResourceOrgID limits it to the organization)`,
      });
    }

    const fn = new EvaluatorFunction(this, 'Function', {
      description: 'Evaluates the golden AMI compliance rule (AWS Config custom rule)',
      role,
      logGroup: this.logGroup,
      timeout,
      memorySize: props.memorySize ?? 512,
      reservedConcurrentExecutions: props.reservedConcurrentExecutions,
      vpc: props.vpc,
      vpcSubnets: props.vpcSubnets,
      securityGroups: props.securityGroups,
      environment: {
        GOLDEN_AMI_RULE_SETTINGS: stack.toJsonString({
          policy: { ...approvals, maxAgeDays, allowDeprecated: props.allowDeprecatedAmis ?? false },
          resourceTypes: this.resourceTypes,
          memberRoleName,
          organizationId: organization?.organizationId,
        }),
      },
    });
    // The function cannot run before its permissions exist.
    fn.node.addDependency(policy);
    this.function = fn;
    dropRoleDependency(fn, role);
    // A periodic sweep that would outlast the timeout continues in a new invocation of the
    // function. A policy of its own: in the role's first policy it would make a cycle.
    const continuePolicy = new iam.ManagedPolicy(this, 'ContinueSweepPolicy', {
      roles: [role],
      statements: [new iam.PolicyStatement({ sid: 'ContinueSweep', actions: ['lambda:InvokeFunction'], resources: [fn.functionArn] })],
    });
    this.acknowledgeFunctionFindings(fn, props);

    const permission = new lambda.CfnPermission(this, 'ConfigInvoke', {
      action: 'lambda:InvokeFunction',
      functionName: fn.functionArn,
      principal: SERVICE_PRINCIPALS.CONFIG.name,
      // Config's recommended condition for a custom rule's function
      // (https://docs.aws.amazon.com/config/latest/developerguide/evaluate-config_develop-rules_nodejs.html#restricted-lambda-policy).
      // An organization rule is invoked by Config in every member account: a permission takes
      // one source account, and aws:PrincipalOrgID (PrincipalOrgID) is never set for a service
      // principal, so the organization is enforced by the AssumeRole condition and the function.
      sourceAccount: organization ? undefined : stack.account,
    });
    const frequency = props.periodicEvaluation ?? config.MaximumExecutionFrequency.TWENTY_FOUR_HOURS;

    if (organization) {
      const name = props.ruleName ?? Names.uniqueResourceName(this, { maxLength: 64, separator: '-' });
      if (!Token.isUnresolved(name) && !ORGANIZATION_RULE_NAME.test(name)) {
        throw new Error(`ruleName of an organization rule must be 1-64 letters, digits, hyphens and underscores, got: '${name}'`);
      }
      this.organizationConfigRule = new config.CfnOrganizationConfigRule(this, 'Resource', {
        organizationConfigRuleName: name,
        excludedAccounts: organization.excludedAccounts,
        organizationCustomRuleMetadata: {
          description,
          lambdaFunctionArn: fn.functionArn,
          organizationConfigRuleTriggerTypes: [...TRIGGERS, 'ScheduledNotification'],
          maximumExecutionFrequency: frequency,
          resourceTypesScope: this.resourceTypes,
        },
      });
      // Config checks that it may invoke the function when the rule is created.
      this.organizationConfigRule.node.addDependency(permission, continuePolicy);
      this.configRuleName = name;
    } else {
      this.configRule = new config.CfnConfigRule(this, 'Resource', {
        configRuleName: props.ruleName,
        description,
        scope: { complianceResourceTypes: this.resourceTypes },
        maximumExecutionFrequency: frequency,
        source: {
          owner: 'CUSTOM_LAMBDA',
          sourceIdentifier: fn.functionArn,
          sourceDetails: [
            ...TRIGGERS.map(messageType => ({ eventSource: 'aws.config', messageType })),
            { eventSource: 'aws.config', messageType: 'ScheduledNotification', maximumExecutionFrequency: frequency },
          ],
        },
      });
      // Config checks that it may invoke the function when the rule is created.
      this.configRule.node.addDependency(permission, continuePolicy);
      this.configRuleName = this.configRule.ref;
    }

    if (props.remediation) {
      this.remediationRole = this.addRemediation(props.remediation);
    }
    if (props.notifications === false && props.notificationTopic) {
      throw new Error('notificationTopic is set but notifications is false: leave notifications unset or true to use the topic');
    }
    if (props.notifications || props.notificationTopic) {
      // The rule's ARN from a name chosen here, so the topic's and the key's policies can name
      // it as aws:SourceArn (for rule targets EventBridge sets aws:SourceArn to the rule ARN and
      // aws:SourceAccount to its account:
      // https://docs.aws.amazon.com/eventbridge/latest/userguide/cross-service-confused-deputy-prevention.html).
      const ruleName = Names.uniqueResourceName(this, { maxLength: 64, separator: '-' });
      const ruleArn = `arn:${Aws.PARTITION}:events:${stack.region}:${stack.account}:rule/${ruleName}`;
      const topic = props.notificationTopic ?? this.newTopic(ruleArn);
      this.notificationTopic = topic;
      // Publishing is granted here, with the conditions; aws-events-targets' SnsTopic would add
      // an unconditioned sns:Publish (and key grant) for events.amazonaws.com.
      topic.addToResourcePolicy(new iam.PolicyStatement({
        sid: 'NonCompliantRulePublishes',
        principals: [new iam.ServicePrincipal(SERVICE_PRINCIPALS.EVENTS.name)],
        actions: ['sns:Publish'],
        resources: [topic.topicArn],
        conditions: eventsRuleConditions(stack.account, ruleArn),
      }));
      // A topic of the user's, encrypted with a key this app holds: the same grant on its key
      // (a key defined elsewhere needs it in its own policy, as documented on the prop).
      if (props.notificationTopic?.masterKey) {
        props.notificationTopic.masterKey.addToResourcePolicy(new iam.PolicyStatement({
          sid: 'GoldenAmiComplianceRuleEncrypts',
          principals: [new iam.ServicePrincipal(SERVICE_PRINCIPALS.EVENTS.name)],
          actions: ['kms:Decrypt', 'kms:GenerateDataKey'],
          resources: ['*'],
          conditions: eventsRuleConditions(stack.account, ruleArn),
        }));
      }
      this.notificationRule = new events.Rule(this, 'NonCompliant', {
        ruleName,
        description: 'A resource became NON_COMPLIANT with the golden AMI compliance rule',
        eventPattern: {
          source: ['aws.config'],
          detailType: ['Config Rules Compliance Change'],
          detail: {
            configRuleName: [this.configRuleName],
            newEvaluationResult: { complianceType: ['NON_COMPLIANT'] },
          },
        },
      });
      this.notificationRule.addTarget({
        bind: () => ({
          arn: topic.topicArn,
          input: events.RuleTargetInput.fromText(
            `${events.EventField.fromPath('$.detail.resourceType')} ${events.EventField.fromPath('$.detail.resourceId')} in account ${events.EventField.fromPath('$.account')} `
            + `does not use an approved golden AMI: ${events.EventField.fromPath('$.detail.newEvaluationResult.annotation')}`,
          ),
        }),
      });
    }
  }

  private validateOrganization(
    organization: OrganizationRuleOptions,
    memberRoleName: string,
    evaluatorRoleName: string,
    props: GoldenAmiComplianceRuleProps,
  ): void {
    // Required by the type; checked for JavaScript callers and for the value's format.
    const organizationId: unknown = organization.organizationId;
    if (typeof organizationId !== 'string' || (!Token.isUnresolved(organizationId) && !ORGANIZATION_ID.test(organizationId))) {
      throw new Error(`organization.organizationId must be an AWS Organizations organization ID (o- and 10 to 32 lowercase letters or digits), got: '${organizationId}'`);
    }
    const excluded = organization.excludedAccounts ?? [];
    excluded.forEach((account, i) => validateAccountId(`organization.excludedAccounts[${i}]`, account));
    validateUnique('organization.excludedAccounts', excluded);
    validateRoleName('organization.memberRoleName', memberRoleName);
    validateRoleName('organization.evaluatorRoleName', evaluatorRoleName);
    if (props.remediation) {
      throw new Error('remediation needs an account rule: remediation configurations belong to one account\'s rule; deploy an account rule with remediation in the accounts that want it');
    }
    if (props.notifications || props.notificationTopic) {
      throw new Error('notifications need an account rule: Config emits compliance change events in each member account, not in the administrator account');
    }
  }

  private acknowledgeFunctionFindings(fn: lambda.Function, props: GoldenAmiComplianceRuleProps): void {
    const both = (rule: string, reason: string) => [{ id: `NIST.800.53.R5-${rule}`, reason }, { id: `HIPAA.Security-${rule}`, reason }];
    const onFunction = both('LambdaDLQ', 'Config invokes the rule, and the rule continues a long sweep, with a result token that expires; a queued event could not be replayed. '
      + 'A failed run is re-done by the next change or periodic evaluation and shows in the function\'s error metric and logs');
    if (props.reservedConcurrentExecutions === undefined) {
      onFunction.push(...both('LambdaConcurrency', 'Reserving concurrency fails the deployment in accounts with the minimum Lambda concurrency quota; Config retries throttled invocations. '
        + 'Set reservedConcurrentExecutions to reserve and cap it'));
    }
    if (!props.vpc) {
      onFunction.push(...both('LambdaInsideVPC', 'The function only calls AWS APIs (EC2, Auto Scaling, SSM, STS, Config, Lambda) and serves no network clients; '
        + 'set vpc to run it in a VPC with routes or endpoints to those APIs'));
    }
    acknowledgeNagFindings(fn, ...onFunction);
    if (!props.logEncryptionKey) {
      acknowledgeNagFindings(this.logGroup, ...both('CloudWatchLogGroupEncrypted', 'The logs hold resource IDs, AMI IDs and verdicts, encrypted at rest by CloudWatch Logs; set logEncryptionKey to use a KMS key'));
    }
  }

  private addRemediation(remediation: ComplianceRemediation): iam.IRole {
    const stack = Stack.of(this);
    const role = new iam.Role(this, 'RemediationRole', {
      assumedBy: new iam.ServicePrincipal(SERVICE_PRINCIPALS.SSM.name, { conditions: { StringEquals: { 'aws:SourceAccount': stack.account } } }),
      description: 'Lets SSM Automation stop instances that do not use an approved golden AMI',
    });
    const instances = `arn:${stack.partition}:ec2:${stack.region}:${stack.account}:instance/*`;
    const policy = new iam.ManagedPolicy(this, 'RemediationPolicy', {
      roles: [role],
      statements: [
        new iam.PolicyStatement({ sid: 'StopInstances', actions: ['ec2:StopInstances'], resources: [instances] }),
        new iam.PolicyStatement({ sid: 'WatchInstances', actions: ['ec2:DescribeInstances', 'ec2:DescribeInstanceStatus'], resources: ['*'] }),
      ],
    });
    acknowledgeNagFindings(policy, {
      id: wildcardResourceFinding('AwsSolutions-IAM5', policy, instances),
      reason: 'Config remediates whichever instance it found non-compliant, so any instance of this account and region; only StopInstances is granted on them',
    }, {
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason: 'ec2:DescribeInstances and ec2:DescribeInstanceStatus support no resource-level permissions; the runbook reads the instance state with them',
    });
    new config.CfnRemediationConfiguration(this, 'Remediation', {
      configRuleName: this.configRuleName,
      resourceType: remediation.resourceType,
      targetType: 'SSM_DOCUMENT',
      targetId: remediation.documentName,
      automatic: remediation.automatic,
      maximumAutomaticAttempts: remediation.automatic ? remediation.maximumAutomaticAttempts : undefined,
      retryAttemptSeconds: remediation.automatic ? remediation.retryAttemptSeconds : undefined,
      parameters: {
        AutomationAssumeRole: { StaticValue: { Values: [role.roleArn] } },
        InstanceId: { ResourceValue: { Value: 'RESOURCE_ID' } },
      },
    });
    return role;
  }

  private newTopic(ruleArn: string): sns.ITopic {
    const key = new kms.Key(this, 'TopicKey', {
      enableKeyRotation: true,
      description: 'Encrypts the golden AMI compliance notifications',
    });
    // EventBridge publishes to the encrypted topic: this rule only.
    key.addToResourcePolicy(new iam.PolicyStatement({
      sid: 'NonCompliantRuleEncrypts',
      principals: [new iam.ServicePrincipal(SERVICE_PRINCIPALS.EVENTS.name)],
      actions: ['kms:Decrypt', 'kms:GenerateDataKey'],
      resources: ['*'],
      conditions: eventsRuleConditions(Stack.of(this).account, ruleArn),
    }));
    return new sns.Topic(this, 'Topic', {
      displayName: 'Golden AMI compliance: non-compliant resources',
      masterKey: key,
      enforceSSL: true,
    });
  }
}

/** Confused-deputy conditions for what one EventBridge rule does as events.amazonaws.com. */
function eventsRuleConditions(account: string, ruleArn: string): Record<string, unknown> {
  return {
    StringEquals: { 'aws:SourceAccount': account },
    ArnEquals: { 'aws:SourceArn': ruleArn },
  };
}

function resourceTypesOf(types: EvaluatedResourceType[] | undefined): EvaluatedResourceType[] {
  if (types === undefined) return [...ALL_RESOURCE_TYPES];
  if (types.length === 0) {
    throw new Error('resourceTypes must name at least one resource type, got: \'[]\'');
  }
  validateUnique('resourceTypes', types);
  for (const type of types) {
    if (!ALL_RESOURCE_TYPES.includes(type)) {
      throw new Error(`resourceTypes must be EvaluatedResourceType values, got: '${type}'`);
    }
  }
  return [...types];
}

function maximumAgeDays(age: Duration | undefined): number | undefined {
  if (age === undefined) return undefined;
  const days = age.toDays({ integral: false });
  if (Token.isUnresolved(days)) return days;
  if (!Number.isInteger(days) || days < 1 || days > 3650) {
    // The message quotes the Duration as given, not its count of days.
    throw new Error(`maximumAmiAge must be a whole number of days from 1 to 3650, got: '${age.toHumanString()}'`);
  }
  return days;
}

/**
 * aws-cdk-lib's Function also depends on its role, which its Role property (a GetAtt) already
 * enforces: cfn-lint reports the duplicate (W3005). Renders DependsOn without it, keeping
 * every other dependency (the policy, a VPC's routes).
 */
function dropRoleDependency(fn: lambda.Function, role: iam.Role): void {
  const resource = fn.node.defaultChild as lambda.CfnFunction;
  const roleResource = role.node.defaultChild as iam.CfnRole;
  const stack = Stack.of(fn);
  resource.addOverride('DependsOn', Lazy.list({
    produce: () => resource.obtainDependencies()
      .filter((target): target is CfnResource => target instanceof CfnResource && target !== roleResource && Stack.of(target) === stack)
      .map(target => stack.resolve(stack.getLogicalId(target)))
      .sort(),
  }, { omitEmpty: true }));
}
