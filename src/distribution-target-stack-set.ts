import { Names, Stack, Token } from 'aws-cdk-lib';
import * as cloudformation from 'aws-cdk-lib/aws-cloudformation';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import { GoldenImageDistributionTargetRole } from './distribution-target-role';
import { stackSetTemplate } from './private/stack-set-template';
import { quoteValue, validateIntegerInRange, validateOrganizationalUnitOrRootId, validateRegion, validateUnique } from './private/validation';

/**
 * Properties of a GoldenImageDistributionTargetStackSet: those of the role that a StackSet can
 * carry (keys by alias, since each account has its own), and where to deploy it. Everything is
 * written into the StackSet's template, so it must be known at synth time.
 */
export interface GoldenImageDistributionTargetStackSetProps {
  /**
   * The image factory accounts whose Image Builder may copy images into the target accounts.
   */
  readonly factoryAccountIds: string[];

  /**
   * The organizational units (`ou-xxxx-xxxxxxxx`) or the organization root (`r-xxxx`) whose
   * accounts get the role, now and when they join later.
   */
  readonly organizationalUnitIds: string[];

  /**
   * ARNs of the KMS keys the copies are read and written with, the same for every target
   * account: the factory's build and distribution keys (`GoldenImage` `encryptionKeys`), shared
   * with the targets (`GoldenImageDistributionTargetRole.grantSourceKeyToTargets`).
   *
   * @default - no keys by ARN
   */
  readonly copyKeyArns?: string[];

  /**
   * Aliases (`alias/<name>`) of each target account's own KMS keys that encrypt the copies, in
   * any region.
   *
   * @default - no keys by alias
   */
  readonly copyKeyAliases?: string[];

  /**
   * Let the role update the target accounts' launch templates tagged by Image Builder.
   *
   * @default false
   */
  readonly launchTemplateUpdates?: boolean;

  /**
   * Paths of the SSM parameters the factories write; when given, each account gets the catalog
   * read policy.
   *
   * @default - no catalog read policy
   */
  readonly catalogParameterPaths?: string[];

  /**
   * The name of the catalog read policy in each account.
   *
   * @default 'GoldenAmiCatalogRead'
   */
  readonly catalogReadPolicyName?: string;

  /**
   * Create `GoldenAmiTrustChainRole` in each account (see `GoldenImageDistributionTargetRole` `trustChain`).
   *
   * @default true
   */
  readonly trustChain?: boolean;

  /**
   * The region the StackSet deploys to in each account: IAM roles and policies are global, so
   * one region per account.
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
 * `GoldenImageDistributionTargetRole` in every account of the given organizational units, as a
 * service-managed CloudFormation StackSet with automatic deployment: accounts that join the
 * units later get the role without another deployment. Deploy it from the management account,
 * or from a CloudFormation delegated administrator with `callAsDelegatedAdmin`. StackSets do
 * not deploy to the management account itself: put a `GoldenImageDistributionTargetRole` in its
 * stack if images are copied to it.
 */
export class GoldenImageDistributionTargetStackSet extends Construct {
  /** The StackSet. */
  public readonly stackSet: cloudformation.CfnStackSet;

  /** The template each account receives, as JSON. */
  public readonly templateBody: string;

  /** The role name in each account, `EC2ImageBuilderDistributionCrossAccountRole`. */
  public readonly roleName: string;

  constructor(scope: Construct, id: string, props: GoldenImageDistributionTargetStackSetProps) {
    super(scope, id);
    const stack = Stack.of(this);
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
    const copyKeyArns = props.copyKeyArns ?? [];
    copyKeyArns.forEach((arn, i) => {
      // A key ARN: IAM policies that name an alias ARN do not authorize use of the key.
      if (!Token.isUnresolved(arn) && !/^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key\/[a-zA-Z0-9-]+$/.test(arn)) {
        throw new Error(`copyKeyArns[${i}] must be a KMS key ARN (arn:aws:kms:<region>:<account>:key/<id>; not an alias ARN, which a policy cannot grant key use by), got: ${quoteValue(arn)}`);
      }
    });
    validateUnique('copyKeyArns', copyKeyArns);
    const literals = { factoryAccountIds: props.factoryAccountIds, copyKeyArns, copyKeyAliases: props.copyKeyAliases ?? [] };
    for (const [prop, values] of Object.entries(literals)) {
      const token = values.find(value => Token.isUnresolved(value));
      if (token) {
        throw new Error(`${prop} must be known at synth time to be written into the StackSet template, got a token: ${quoteValue(token)}`);
      }
    }

    // The target stack's template, synthesized apart (src/private/stack-set-template.ts).
    const { result: role, templateBody } = stackSetTemplate(this, 'GoldenImageDistributionTarget', target => new GoldenImageDistributionTargetRole(target, 'Target', {
      factoryAccountIds: props.factoryAccountIds,
      copyKeys: copyKeyArns.map((arn, i) => kms.Key.fromKeyArn(target, `CopyKey${i}`, arn)),
      copyKeyAliases: props.copyKeyAliases,
      launchTemplateUpdates: props.launchTemplateUpdates,
      catalogParameterPaths: props.catalogParameterPaths,
      catalogReadPolicyName: props.catalogReadPolicyName,
      trustChain: props.trustChain,
    }));
    this.roleName = role.roleName;
    this.templateBody = templateBody;
    if (this.templateBody.length > MAX_TEMPLATE_BODY) {
      throw new Error(`the target role template is ${this.templateBody.length} characters, over the ${MAX_TEMPLATE_BODY} CloudFormation takes inline: use fewer factory accounts, aliases or paths`);
    }

    const stackSetName = props.stackSetName ?? Names.uniqueResourceName(this, { maxLength: 128, separator: '-' });
    if (!Token.isUnresolved(stackSetName) && !/^[a-zA-Z][-a-zA-Z0-9]{0,127}$/.test(stackSetName)) {
      throw new Error(`stackSetName must start with a letter and hold only letters, digits and hyphens (at most 128), got: ${quoteValue(stackSetName)}`);
    }
    this.stackSet = new cloudformation.CfnStackSet(this, 'Resource', {
      stackSetName,
      description: `The role EC2 Image Builder of the golden AMI factory assumes to copy images into each account (${this.roleName})`,
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
      stackInstancesGroup: [{
        regions: [region],
        deploymentTargets: { organizationalUnitIds: props.organizationalUnitIds },
      }],
      templateBody: this.templateBody,
    });
  }
}
