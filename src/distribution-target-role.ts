import { Stack, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import { IMAGE_BUILDER_SERVICE_LINKED_ROLE, IMAGE_BUILDER_ROLE_NAMES, MANAGED_POLICIES } from './private/aws-catalogue';
import { DEFAULT_CATALOG_PREFIX } from './private/catalog';
import { acknowledgeNagFindings, wildcardResourceFinding } from './private/nag-acknowledgments';
import { quoteValue, validateAccountId, validateBoolean, validateUnique } from './private/validation';
import { trustChainTargetRole } from './trust/private/trust-chain-target';

/**
 * Properties of a GoldenImageDistributionTargetRole.
 */
export interface GoldenImageDistributionTargetRoleProps {
  /**
   * The image factory accounts: the accounts whose `GoldenImage`s list this account in
   * `copyToAccounts`. Only their Image Builder service-linked role may assume the role.
   */
  readonly factoryAccountIds: string[];

  /**
   * The KMS keys the copies are read and written with: the key the factory's image is
   * encrypted with and the distribution keys (`GoldenImage` `encryptionKeys`), which AWS's
   * procedure puts in the factory account and shares with the targets (import them with
   * `kms.Key.fromKeyArn`; the factory adds their key policy statement with
   * `grantSourceKeyToTargets`), and any key of this account a distribution names. The role
   * gets the KMS actions AWS documents for encrypted copies on them. A key of this account
   * must let IAM policies grant access (a key's default key policy does).
   *
   * @default - no keys by ARN
   */
  readonly copyKeys?: kms.IKey[];

  /**
   * Aliases (`alias/<name>`) of this account's own KMS keys that encrypt the copies, in any
   * region: the role may use every key of this account that carries one of them. For when the
   * distribution names a key of the target account rather than a shared factory key, and that
   * key is in another region or differs between accounts (a StackSet).
   *
   * @default - no keys by alias
   */
  readonly copyKeyAliases?: string[];

  /**
   * Let the role update launch templates of this account, for a factory's
   * `launchTemplateUpdates` that name this account: the policy AWS documents for that,
   * limited to launch templates Image Builder tagged `CreatedBy: EC2 Image Builder`.
   *
   * @default false
   */
  readonly launchTemplateUpdates?: boolean;

  /**
   * Paths of the SSM parameters the factories write in this account (the `ssmParameterName`
   * of each `GoldenImage`, for example `/golden-ami/`). When given, a customer managed policy
   * named `catalogReadPolicyName` lets whoever it is attached to read those parameters in
   * every region (`ssm:GetParameter`, `GetParameters`, `GetParametersByPath`,
   * `GetParameterHistory`): attach it to the roles that launch from the catalog.
   *
   * @default - no catalog read policy
   */
  readonly catalogParameterPaths?: string[];

  /**
   * The name of the catalog read policy, so that other stacks of the account can attach it by
   * name (`ManagedPolicy.fromManagedPolicyName`).
   *
   * @default 'GoldenAmiCatalogRead'
   */
  readonly catalogReadPolicyName?: string;

  /**
   * Create `GoldenAmiTrustChainRole`, the role the factories' promotion and revocation
   * automations (`GoldenImage` `channels`, `revokeDocumentName`) assume to act on this
   * account's copies: trusted only by the factory accounts' roles named `GoldenAmiTrustChain*`,
   * it reads and writes the SSM parameters under `catalogParameterPaths` (or `/golden-ami/`),
   * describes images and Inspector findings, and, on golden AMIs only (those carrying the
   * `golden-ami:pipeline` tag), deprecates, disables and sets the two ancestry tags
   * (`golden-ami:parent-ami`, `golden-ami:parent-pipeline`). Without it a revocation, promotion
   * or ancestry record stops at this account.
   *
   * @default true
   */
  readonly trustChain?: boolean;
}

/** What the role needs on a key of this account to write an encrypted copy. */
const COPY_KEY_ACTIONS = ['kms:Decrypt', 'kms:DescribeKey', 'kms:Encrypt', 'kms:GenerateDataKey*', 'kms:ReEncrypt*'];
/**
 * What launching from an encrypted copy needs on its key (with CreateGrant, for AWS resources
 * only, in its own statement): the permissions AWS lists for users of EBS encryption.
 * https://docs.aws.amazon.com/ebs/latest/userguide/ebs-encryption-requirements.html#ebs-encryption-permissions
 */
const LAUNCH_KEY_ACTIONS = ['kms:Decrypt', 'kms:DescribeKey', 'kms:GenerateDataKeyWithoutPlaintext', 'kms:ReEncrypt*'];
const CATALOG_READ_ACTIONS = ['ssm:GetParameter', 'ssm:GetParameters', 'ssm:GetParametersByPath', 'ssm:GetParameterHistory'];
const DEFAULT_CATALOG_READ_POLICY_NAME = 'GoldenAmiCatalogRead';
/** Image Builder tags what it creates with this (the launch template policy AWS documents). */
const CREATED_BY_TAG = { key: 'CreatedBy', value: 'EC2 Image Builder' };

/**
 * The role a factory account's EC2 Image Builder assumes to copy golden images into this
 * account (`GoldenImage` `copyToAccounts`): `EC2ImageBuilderDistributionCrossAccountRole` with
 * the AWS managed policy `Ec2ImageBuilderCrossAccountDistributionAccess`, trusted by the factory
 * accounts' Image Builder service-linked role only, and, when asked, the use of this account's
 * KMS keys for encrypted copies, launch template updates, and a policy to read the SSM catalog.
 *
 * Put one in each target account's stack, or deploy it to organizational units with
 * `GoldenImageDistributionTargetStackSet`. IAM roles are global: one per account. The role
 * name is fixed, because the factory's service-linked role may assume only that name.
 */
export class GoldenImageDistributionTargetRole extends Construct {
  /**
   * Adds to the key policy of a factory key (the AMI's build or distribution key in the factory
   * account) what the target accounts' distribution roles need to copy images it encrypts:
   * decrypt, re-encrypt and create grants for EBS. The statement names the accounts and
   * limits them to the role by `aws:PrincipalArn`, so the key deploys before the roles exist.
   * Returns whether the statement was added (not for an imported key: add it to its policy
   * yourself).
   */
  public static grantSourceKeyToTargets(key: kms.IKey, targetAccountIds: string[]): boolean {
    validateTargetAccounts(targetAccountIds);
    const stack = Stack.of(key);
    const roleArns = targetAccountIds.map(account => distributionRoleArn(stack, account));
    const principals = targetAccountIds.map(account => new iam.AccountPrincipal(account));
    const added = key.addToResourcePolicy(new iam.PolicyStatement({
      sid: 'GoldenImageCrossAccountCopies',
      principals,
      actions: COPY_KEY_ACTIONS,
      resources: ['*'],
      conditions: { ArnEquals: { 'aws:PrincipalArn': roleArns } },
    }), true);
    key.addToResourcePolicy(new iam.PolicyStatement({
      sid: 'GoldenImageCrossAccountCopyGrants',
      principals,
      actions: ['kms:CreateGrant'],
      resources: ['*'],
      conditions: { ArnEquals: { 'aws:PrincipalArn': roleArns }, Bool: { 'kms:GrantIsForAWSResource': true } },
    }), true);
    return added.statementAdded;
  }

  /**
   * Adds to the key policy of a factory key that encrypts the copies what the target accounts
   * need to launch instances from them: the target accounts may use the key through their own
   * IAM policies (`grantLaunch` on the target side) to decrypt the snapshots and create grants
   * for EBS. Returns whether the statement was added (not for an imported key).
   */
  public static grantSourceKeyForLaunches(key: kms.IKey, targetAccountIds: string[]): boolean {
    validateTargetAccounts(targetAccountIds);
    const principals = targetAccountIds.map(account => new iam.AccountPrincipal(account));
    const added = key.addToResourcePolicy(new iam.PolicyStatement({
      sid: 'GoldenImageLaunchesInTargetAccounts',
      principals,
      actions: LAUNCH_KEY_ACTIONS,
      resources: ['*'],
    }), true);
    key.addToResourcePolicy(new iam.PolicyStatement({
      sid: 'GoldenImageLaunchGrantsInTargetAccounts',
      principals,
      actions: ['kms:CreateGrant'],
      resources: ['*'],
      conditions: { Bool: { 'kms:GrantIsForAWSResource': true } },
    }), true);
    return added.statementAdded;
  }

  /** The role. */
  public readonly role: iam.IRole;

  /** The role name, `EC2ImageBuilderDistributionCrossAccountRole`. */
  public readonly roleName: string;

  /** The policy that reads the catalog, if `catalogParameterPaths` was given. */
  public readonly catalogReadPolicy?: iam.IManagedPolicy;

  /** `GoldenAmiTrustChainRole`, unless `trustChain` is false. */
  public readonly trustChainRole?: iam.IRole;

  private readonly copyKeyArns: string[];
  private readonly copyKeyAliases: string[];

  constructor(scope: Construct, id: string, props: GoldenImageDistributionTargetRoleProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const factories = props.factoryAccountIds;
    if (factories.length === 0) {
      throw new Error('factoryAccountIds must name at least one factory account, got: \'[]\'');
    }
    factories.forEach((account, i) => validateAccountId(`factoryAccountIds[${i}]`, account));
    validateUnique('factoryAccountIds', factories);
    const aliases = props.copyKeyAliases ?? [];
    aliases.forEach((alias, i) => validateAlias(`copyKeyAliases[${i}]`, alias));
    validateUnique('copyKeyAliases', aliases);
    const paths = (props.catalogParameterPaths ?? []).map((path, i) => catalogPath(`catalogParameterPaths[${i}]`, path));
    validateUnique('catalogParameterPaths', paths);
    const catalogReadPolicyName = props.catalogReadPolicyName ?? DEFAULT_CATALOG_READ_POLICY_NAME;
    if (props.catalogReadPolicyName !== undefined && paths.length === 0) {
      throw new Error(`catalogReadPolicyName needs catalogParameterPaths (there is no policy to name without them), got: ${quoteValue(props.catalogReadPolicyName)}`);
    }
    validatePolicyName('catalogReadPolicyName', catalogReadPolicyName);

    this.copyKeyArns = (props.copyKeys ?? []).map(key => key.keyArn);
    this.copyKeyAliases = aliases;
    this.roleName = IMAGE_BUILDER_ROLE_NAMES.CROSS_ACCOUNT_DISTRIBUTION.name;
    // Image Builder assumes the role with the factory account's service-linked role (its
    // policy allows sts:AssumeRole on this role name in any account). Trusting the accounts,
    // limited to that role by aws:PrincipalArn, keeps every other principal of the factory
    // out (confused deputy) and deploys before or after the factory.
    // https://docs.aws.amazon.com/imagebuilder/latest/userguide/cross-account-dist.html
    // https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-principalarn
    const serviceLinkedRoles = factories.map(account => `arn:${stack.partition}:iam::${account}:role/${IMAGE_BUILDER_SERVICE_LINKED_ROLE.name}`);
    const role = new iam.Role(this, 'Resource', {
      roleName: this.roleName,
      description: 'Assumed by EC2 Image Builder of the golden AMI factory accounts to copy images into this account',
      assumedBy: new iam.CompositePrincipal(...factories.map(account => new iam.AccountPrincipal(account)))
        .withConditions({ ArnEquals: { 'aws:PrincipalArn': serviceLinkedRoles } }),
      managedPolicies: [iam.ManagedPolicy.fromAwsManagedPolicyName(MANAGED_POLICIES.IMAGE_BUILDER_CROSS_ACCOUNT_DISTRIBUTION.name)],
    });
    this.role = role;
    acknowledgeNagFindings(role, {
      id: `AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/${MANAGED_POLICIES.IMAGE_BUILDER_CROSS_ACCOUNT_DISTRIBUTION.name}]`,
      reason: 'AWS documents this managed policy for EC2ImageBuilderDistributionCrossAccountRole: Image Builder needs exactly its copy, describe, tag and image attribute permissions, and AWS keeps it current',
    });

    const statements = [
      ...copyKeyStatements(stack, props.copyKeys ?? [], aliases),
      ...(props.launchTemplateUpdates ? launchTemplateStatements(stack) : []),
    ];
    if (statements.length > 0) {
      const policy = new iam.ManagedPolicy(this, 'Policy', {
        roles: [role],
        description: 'Lets EC2 Image Builder of the golden AMI factory encrypt copies with this account\'s keys and update its launch templates',
        statements,
      });
      acknowledgeWildcards(policy, aliases.length > 0, props.launchTemplateUpdates ?? false, (props.copyKeys ?? []).length + aliases.length > 0);
    }

    if (paths.length > 0) {
      const resources = paths.map(path => `arn:${stack.partition}:ssm:*:${stack.account}:parameter${path}*`);
      const read = new iam.ManagedPolicy(this, 'CatalogRead', {
        managedPolicyName: catalogReadPolicyName,
        description: 'Reads the golden AMI catalog (SSM parameters written by the image factory) in every region',
        statements: [new iam.PolicyStatement({ sid: 'ReadGoldenAmiCatalog', actions: CATALOG_READ_ACTIONS, resources })],
      });
      for (const resource of resources) {
        acknowledgeNagFindings(read, {
          id: wildcardResourceFinding('AwsSolutions-IAM5', read, resource),
          reason: 'The catalog is every parameter under the path, in every region the factory distributes to; the pipelines choose the names. Only the four read actions are granted',
        });
      }
      this.catalogReadPolicy = read;
    }
    validateBoolean('trustChain', props.trustChain);
    if (props.trustChain ?? true) {
      this.trustChainRole = trustChainTargetRole(this, factories, paths.length > 0 ? paths : [DEFAULT_CATALOG_PREFIX]);
    }
  }

  /**
   * Lets `grantee` (a role of this account that launches instances, or CloudFormation's role
   * that creates them) use the copy keys to launch from the encrypted copies: decrypt, and
   * create grants for EBS. A factory key also needs `grantSourceKeyForLaunches` on its side.
   * Auto Scaling launches with its service-linked role, whose policy cannot be changed: give it
   * a KMS grant or a key policy statement instead.
   */
  public grantLaunch(grantee: iam.IGrantable): iam.Grant {
    const stack = Stack.of(this);
    const statements: iam.PolicyStatement[] = [];
    if (this.copyKeyArns.length > 0) {
      statements.push(
        new iam.PolicyStatement({ actions: LAUNCH_KEY_ACTIONS, resources: this.copyKeyArns }),
        new iam.PolicyStatement({ actions: ['kms:CreateGrant'], resources: this.copyKeyArns, conditions: { Bool: { 'kms:GrantIsForAWSResource': true } } }),
      );
    }
    if (this.copyKeyAliases.length > 0) {
      const byAlias = { 'ForAnyValue:StringEquals': { 'kms:ResourceAliases': this.copyKeyAliases } };
      const anyKey = `arn:${stack.partition}:kms:*:${stack.account}:key/*`;
      statements.push(
        new iam.PolicyStatement({ actions: LAUNCH_KEY_ACTIONS, resources: [anyKey], conditions: byAlias }),
        new iam.PolicyStatement({ actions: ['kms:CreateGrant'], resources: [anyKey], conditions: { ...byAlias, Bool: { 'kms:GrantIsForAWSResource': true } } }),
      );
    }
    if (statements.length === 0) {
      throw new Error('grantLaunch needs copyKeys or copyKeyAliases: without them the copies are not encrypted with a key this construct knows');
    }
    return statements
      .map(statement => iam.Grant.addToPrincipal({
        grantee,
        actions: statement.actions,
        resourceArns: statement.resources,
        conditions: statement.conditions,
      }))
      .reduce((all, grant) => all.combine(grant));
  }
}

function validateTargetAccounts(targetAccountIds: string[]): void {
  if (targetAccountIds.length === 0) {
    throw new Error('targetAccountIds must name at least one account, got: \'[]\'');
  }
  targetAccountIds.forEach((account, i) => validateAccountId(`targetAccountIds[${i}]`, account));
  validateUnique('targetAccountIds', targetAccountIds);
}

/** The distribution role's ARN in `account`. */
export function distributionRoleArn(stack: Stack, account: string): string {
  return `arn:${stack.partition}:iam::${account}:role/${IMAGE_BUILDER_ROLE_NAMES.CROSS_ACCOUNT_DISTRIBUTION.name}`;
}

/**
 * What the role needs on this account's copy keys: the KMS actions of the inline policy AWS
 * documents for encrypted cross-account distribution, with CreateGrant limited to grants for
 * AWS resources (EBS creates them for the snapshots), and tagging the copied snapshots.
 * https://docs.aws.amazon.com/imagebuilder/latest/userguide/cross-account-dist.html
 * https://docs.aws.amazon.com/kms/latest/developerguide/conditions-kms.html#conditions-kms-grant-is-for-aws-resource
 */
function copyKeyStatements(stack: Stack, keys: kms.IKey[], aliases: string[]): iam.PolicyStatement[] {
  if (keys.length === 0 && aliases.length === 0) return [];
  const statements: iam.PolicyStatement[] = [];
  const keyArns = keys.map(key => key.keyArn);
  if (keyArns.length > 0) {
    statements.push(
      new iam.PolicyStatement({ sid: 'UseCopyKeys', actions: COPY_KEY_ACTIONS, resources: keyArns }),
      new iam.PolicyStatement({ sid: 'GrantCopyKeysToEbs', actions: ['kms:CreateGrant'], resources: keyArns, conditions: { Bool: { 'kms:GrantIsForAWSResource': true } } }),
    );
  }
  if (aliases.length > 0) {
    // kms:ResourceAliases matches a key by any of its aliases, in whichever region the key is.
    // https://docs.aws.amazon.com/kms/latest/developerguide/conditions-kms.html#conditions-kms-resource-aliases
    const anyKey = `arn:${stack.partition}:kms:*:${stack.account}:key/*`;
    const byAlias = { 'ForAnyValue:StringEquals': { 'kms:ResourceAliases': aliases } };
    statements.push(
      new iam.PolicyStatement({ sid: 'UseCopyKeysByAlias', actions: COPY_KEY_ACTIONS, resources: [anyKey], conditions: byAlias }),
      new iam.PolicyStatement({ sid: 'GrantCopyKeysByAliasToEbs', actions: ['kms:CreateGrant'], resources: [anyKey], conditions: { ...byAlias, Bool: { 'kms:GrantIsForAWSResource': true } } }),
    );
  }
  statements.push(new iam.PolicyStatement({ sid: 'TagCopiedSnapshots', actions: ['ec2:CreateTags'], resources: [`arn:${stack.partition}:ec2:*::snapshot/*`] }));
  return statements;
}

/**
 * The policy AWS documents for the role when the distribution updates launch templates.
 * https://docs.aws.amazon.com/imagebuilder/latest/userguide/cross-account-dist.html
 */
function launchTemplateStatements(stack: Stack): iam.PolicyStatement[] {
  return [
    new iam.PolicyStatement({
      sid: 'UpdateImageBuilderLaunchTemplates',
      actions: ['ec2:CreateLaunchTemplateVersion', 'ec2:ModifyLaunchTemplate'],
      resources: ['*'],
      conditions: { StringEquals: { [`aws:ResourceTag/${CREATED_BY_TAG.key}`]: CREATED_BY_TAG.value } },
    }),
    new iam.PolicyStatement({ sid: 'DescribeLaunchTemplates', actions: ['ec2:DescribeLaunchTemplates'], resources: ['*'] }),
    new iam.PolicyStatement({
      sid: 'TagImageBuilderLaunchTemplates',
      actions: ['ec2:CreateTags'],
      resources: [`arn:${stack.partition}:ec2:*:${stack.account}:launch-template/*`],
      conditions: { StringEquals: { [`aws:RequestTag/${CREATED_BY_TAG.key}`]: CREATED_BY_TAG.value } },
    }),
  ];
}

function acknowledgeWildcards(policy: iam.ManagedPolicy, byAlias: boolean, launchTemplates: boolean, keys: boolean): void {
  const stack = Stack.of(policy);
  const acknowledge = (resource: string, reason: string) => acknowledgeNagFindings(policy, { id: wildcardResourceFinding('AwsSolutions-IAM5', policy, resource), reason });
  if (keys) {
    acknowledge(`arn:${stack.partition}:ec2:*::snapshot/*`, 'The snapshots of each copy are created by the copy itself, so their IDs are not known; only ec2:CreateTags is granted, as AWS documents for encrypted cross-account distribution');
    acknowledgeNagFindings(policy, {
      id: 'AwsSolutions-IAM5[Action::kms:GenerateDataKey*]',
      reason: 'kms:GenerateDataKey* and kms:ReEncrypt* are the actions AWS documents for encrypted cross-account AMI copies, on the copy keys only',
    }, {
      id: 'AwsSolutions-IAM5[Action::kms:ReEncrypt*]',
      reason: 'kms:GenerateDataKey* and kms:ReEncrypt* are the actions AWS documents for encrypted cross-account AMI copies, on the copy keys only',
    });
  }
  if (byAlias) {
    acknowledge(`arn:${stack.partition}:kms:*:${stack.account}:key/*`, 'Keys are matched by alias (kms:ResourceAliases condition) in every region the factory copies to, because each region has its own key; only keys of this account carrying one of the given aliases');
  }
  if (launchTemplates) {
    acknowledgeNagFindings(policy, {
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason: 'The launch template policy AWS documents for cross-account distribution: updates only of templates tagged CreatedBy: EC2 Image Builder (aws:ResourceTag condition); DescribeLaunchTemplates supports no resource-level permissions',
    });
    acknowledge(`arn:${stack.partition}:ec2:*:${stack.account}:launch-template/*`, 'Tagging launch templates only with CreatedBy: EC2 Image Builder (aws:RequestTag condition), as AWS documents for cross-account distribution with launch template updates');
  }
}

function validateAlias(prop: string, alias: string): void {
  if (Token.isUnresolved(alias)) return;
  // https://docs.aws.amazon.com/kms/latest/APIReference/API_CreateAlias.html: alias/ then letters, digits, /_- (not alias/aws/).
  if (!/^alias\/[a-zA-Z0-9/_-]{1,250}$/.test(alias) || alias.startsWith('alias/aws/')) {
    throw new Error(`${prop} must be a KMS alias name, alias/ then letters, digits, slashes, underscores and hyphens (not an AWS managed key's alias/aws/...), got: ${quoteValue(alias)}`);
  }
}

/** A parameter path with a leading and trailing slash. */
function catalogPath(prop: string, path: string): string {
  if (Token.isUnresolved(path)) {
    throw new Error(`${prop} must be known at synth time (it is written into the policy), got a token: ${quoteValue(path)}`);
  }
  if (!/^\/([a-zA-Z0-9_.-]+\/?)+$/.test(path) || path.toLowerCase().startsWith('/aws') || path.toLowerCase().startsWith('/ssm')) {
    throw new Error(`${prop} must be an SSM parameter path such as '/golden-ami/' (a leading slash, then letters, digits, _ . - separated by slashes; not /aws or /ssm), got: ${quoteValue(path)}`);
  }
  return path.endsWith('/') ? path : `${path}/`;
}

function validatePolicyName(prop: string, name: string): void {
  if (!Token.isUnresolved(name) && !/^[\w+=,.@-]{1,128}$/.test(name)) {
    throw new Error(`${prop} must be 1 to 128 letters, digits and +=,.@_- (an IAM policy name), got: ${quoteValue(name)}`);
  }
}
