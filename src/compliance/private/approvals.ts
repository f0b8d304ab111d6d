import { Stack, Token } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { ANCESTRY_LEVEL, catalogueBaseOf, REVOKED_LEVEL } from '../../private/catalog';
import type { ApprovalSource } from '../approval-source';

/**
 * How approval sources combine into what the rule's function approves, and the SSM
 * parameters it may read for them. Internal to the package.
 */

/**
 * What one approval source contributes to the rule, combined by the rule.
 */
export interface ApprovalSourceConfig {
  readonly catalogPaths: string[];
  readonly parameterNames: string[];
  readonly ownerAccounts: string[];
  readonly amiTags: { [key: string]: string };
}

/**
 * The combined sources, with the revocation lists and ancestry records the function reads
 * next to the explicitly named parameters (those under a catalog path come with its read).
 */
export interface CombinedApprovals extends ApprovalSourceConfig {
  readonly revocationLists: string[];
  readonly ancestryRecords: string[];
}

/**
 * The trust-chain records of the named parameters: for `<base>/<x>`, the revocation list
 * `<base>/revoked` and the ancestry record `<base>/ancestry`. Left out: a name that is a token
 * (its base is unknown at synth time), a name with a single level (no base), and names under a
 * catalog path, which its GetParametersByPath read already returns.
 */
export function trustRecords(config: ApprovalSourceConfig): { revocationLists: string[]; ancestryRecords: string[] } {
  const bases = new Set<string>();
  for (const name of config.parameterNames) {
    if (Token.isUnresolved(name)) continue;
    const base = catalogueBaseOf(name);
    if (base === undefined || config.catalogPaths.some(path => !Token.isUnresolved(path) && `${base}/`.startsWith(`${path}/`))) continue;
    bases.add(base);
  }
  return {
    revocationLists: [...bases].map(base => `${base}/${REVOKED_LEVEL}`),
    ancestryRecords: [...bases].map(base => `${base}/${ANCESTRY_LEVEL}`),
  };
}

/**
 * Combines approval sources, rejecting the combinations that cannot work.
 */
export function combineApprovalSources(scope: IConstruct, sources: ApprovalSource[]): CombinedApprovals {
  if (sources.length === 0) {
    throw new Error('approvalSources must name at least one source (ApprovalSource.ssmCatalog, goldenImage, ownerAccounts or amiTags), got: \'[]\'');
  }
  const configs = sources.map(source => source._bind(scope));
  const amiTags: { [key: string]: string } = {};
  for (const config of configs) {
    for (const [key, value] of Object.entries(config.amiTags)) {
      if (key in amiTags && amiTags[key] !== value) {
        throw new Error(`approvalSources give tag '${key}' two values ('${amiTags[key]}' and '${value}'): an AMI cannot carry both`);
      }
      amiTags[key] = value;
    }
  }
  const unique = (values: string[]) => [...new Set(values)];
  const combined: ApprovalSourceConfig = {
    catalogPaths: unique(configs.flatMap(config => config.catalogPaths)),
    parameterNames: unique(configs.flatMap(config => config.parameterNames)),
    ownerAccounts: unique(configs.flatMap(config => config.ownerAccounts)),
    amiTags,
  };
  return { ...combined, ...trustRecords(combined) };
}

/**
 * The SSM parameter ARNs the rule reads for these sources: each path and everything below it,
 * and each named parameter.
 */
export function catalogParameterArns(scope: IConstruct, config: ApprovalSourceConfig, account?: string): string[] {
  return [
    ...config.catalogPaths.flatMap(path => [parameterArn(scope, path, account), parameterArn(scope, `${path}/*`, account)]),
    ...config.parameterNames.map(name => parameterArn(scope, name, account)),
  ];
}

/** The ARN of a parameter (a name with its leading /) in `account` (the construct's own by default). */
export function parameterArn(scope: IConstruct, name: string, account?: string): string {
  const stack = Stack.of(scope);
  return `arn:${stack.partition}:ssm:${stack.region}:${account ?? stack.account}:parameter${name}`;
}
