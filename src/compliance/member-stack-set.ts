import { CfnParameter, Names, Stack, Token } from 'aws-cdk-lib';
import * as cloudformation from 'aws-cdk-lib/aws-cloudformation';
import { Construct } from 'constructs';
import { GoldenAmiComplianceMemberRole, GoldenAmiComplianceMemberRoleProps } from './member-role';
import { combineApprovalSources } from './private/approvals';
import { stackSetTemplate } from '../private/stack-set-template';
import { validateAccountId, validateIntegerInRange, validateOrganizationalUnitOrRootId, validateRegion, validateUnique } from '../private/validation';

/**
 * Properties of a GoldenAmiComplianceMemberStackSet: those of the member role, and where to
 * deploy it. The approval sources' paths, parameter names and accounts must be known at synth
 * time: they are written into the StackSet's template.
 */
export interface GoldenAmiComplianceMemberStackSetProps extends GoldenAmiComplianceMemberRoleProps {
  /**
   * The organizational units (`ou-xxxx-xxxxxxxx`) or the organization root (`r-xxxx`) whose
   * accounts get the member role, now and when they join later.
   */
  readonly organizationalUnitIds: string[];

  /**
   * The region the StackSet deploys to in each account: IAM roles are global, so one region
   * per account; the role allows reading the catalog in this region, where the rule runs.
   *
   * @default - this stack's region
   */
  readonly region?: string;

  /**
   * The StackSet's name.
   *
   * @default - a name unique to this construct
   */
  readonly stackSetName?: string;

  /**
   * Deploy as a CloudFormation delegated administrator of the organization instead of from the
   * management account.
   *
   * @default false
   */
  readonly callAsDelegatedAdmin?: boolean;

  /**
   * Keep the role in an account that leaves the targeted organizational units.
   *
   * @default false
   */
  readonly retainStacksOnAccountRemoval?: boolean;

  /**
   * How many accounts (percent) are deployed at once.
   *
   * @default 25
   */
  readonly maxConcurrentPercentage?: number;

  /**
   * How many accounts (percent) may fail before CloudFormation stops the operation.
   *
   * @default 10
   */
  readonly failureTolerancePercentage?: number;
}

/** The largest template CloudFormation takes inline (TemplateBody). */
const MAX_TEMPLATE_BODY = 51_200;

/**
 * `GoldenAmiComplianceMemberRole` in every account of the given organizational units, as a
 * service-managed CloudFormation StackSet with automatic deployment: accounts that join the
 * units later get the role without another deployment. Deploy it from the management account,
 * or from a CloudFormation delegated administrator with `callAsDelegatedAdmin`. StackSets do not
 * deploy to the management account itself: put a `GoldenAmiComplianceMemberRole` in its stack
 * if the rule evaluates it.
 */
export class GoldenAmiComplianceMemberStackSet extends Construct {
  /** The StackSet. */
  public readonly stackSet: cloudformation.CfnStackSet;

  /** The template each account receives, as JSON. */
  public readonly templateBody: string;

  /** The member role's name in each account. */
  public readonly roleName: string;

  constructor(scope: Construct, id: string, props: GoldenAmiComplianceMemberStackSetProps) {
    super(scope, id);
    const stack = Stack.of(this);
    validateAccountId('evaluatorAccountId', props.evaluatorAccountId);
    if (props.organizationalUnitIds.length === 0) {
      throw new Error('organizationalUnitIds must name at least one organizational unit or the root, got: \'[]\'');
    }
    props.organizationalUnitIds.forEach((ou, i) => validateOrganizationalUnitOrRootId(`organizationalUnitIds[${i}]`, ou));
    validateUnique('organizationalUnitIds', props.organizationalUnitIds);
    const region = props.region ?? stack.region;
    validateRegion('region', region);
    const maxConcurrentPercentage = props.maxConcurrentPercentage ?? 25;
    const failureTolerancePercentage = props.failureTolerancePercentage ?? 10;
    validateIntegerInRange('maxConcurrentPercentage', maxConcurrentPercentage, 1, 100);
    validateIntegerInRange('failureTolerancePercentage', failureTolerancePercentage, 0, 100);
    const approvals = combineApprovalSources(this, props.approvalSources);
    for (const [prop, values] of Object.entries(approvals)) {
      const list = Array.isArray(values) ? values : Object.entries(values).flat();
      const token = list.find(value => Token.isUnresolved(value));
      if (token) {
        throw new Error(`approvalSources ${prop} must be known at synth time to be written into the StackSet template, got a token: '${token}'`);
      }
    }

    // The member stack's template, synthesized apart (src/private/stack-set-template.ts).
    const { result: role, templateBody } = stackSetTemplate(this, 'GoldenAmiComplianceMember', member => {
      // The evaluator account is a parameter of the StackSet, so it may be a token here.
      const evaluatorAccountId = new CfnParameter(member, 'EvaluatorAccountId', {
        type: 'String',
        allowedPattern: '^\\d{12}$',
        description: 'The account of the golden AMI compliance rule\'s function (the Config delegated administrator)',
      });
      return new GoldenAmiComplianceMemberRole(member, 'Member', {
        evaluatorAccountId: evaluatorAccountId.valueAsString,
        approvalSources: props.approvalSources,
        roleName: props.roleName,
        evaluatorRoleName: props.evaluatorRoleName,
      });
    });
    this.roleName = role.roleName;
    this.templateBody = templateBody;
    if (this.templateBody.length > MAX_TEMPLATE_BODY) {
      throw new Error(`the member role template is ${this.templateBody.length} characters, over the ${MAX_TEMPLATE_BODY} CloudFormation takes inline: use fewer approval sources`);
    }

    const stackSetName = props.stackSetName ?? Names.uniqueResourceName(this, { maxLength: 128, separator: '-' });
    if (!Token.isUnresolved(stackSetName) && !/^[a-zA-Z][-a-zA-Z0-9]{0,127}$/.test(stackSetName)) {
      throw new Error(`stackSetName must start with a letter and hold only letters, digits and hyphens (at most 128), got: '${stackSetName}'`);
    }
    this.stackSet = new cloudformation.CfnStackSet(this, 'Resource', {
      stackSetName,
      description: `The role the golden AMI compliance rule assumes in each member account (${this.roleName})`,
      permissionModel: 'SERVICE_MANAGED',
      autoDeployment: { enabled: true, retainStacksOnAccountRemoval: props.retainStacksOnAccountRemoval ?? false },
      callAs: props.callAsDelegatedAdmin ? 'DELEGATED_ADMIN' : 'SELF',
      capabilities: ['CAPABILITY_NAMED_IAM'],
      managedExecution: { Active: true },
      operationPreferences: {
        maxConcurrentPercentage,
        failureTolerancePercentage,
        regionConcurrencyType: 'PARALLEL',
      },
      parameters: [{ parameterKey: 'EvaluatorAccountId', parameterValue: props.evaluatorAccountId }],
      stackInstancesGroup: [{
        regions: [region],
        deploymentTargets: { organizationalUnitIds: props.organizationalUnitIds },
      }],
      templateBody: this.templateBody,
    });
  }
}
