import { Stack } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
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
 * Combines approval sources, rejecting the combinations that cannot work.
 */
export function combineApprovalSources(scope: IConstruct, sources: ApprovalSource[]): ApprovalSourceConfig {
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
  return {
    catalogPaths: unique(configs.flatMap(config => config.catalogPaths)),
    parameterNames: unique(configs.flatMap(config => config.parameterNames)),
    ownerAccounts: unique(configs.flatMap(config => config.ownerAccounts)),
    amiTags,
  };
}

/**
 * The SSM parameter ARNs the rule reads for these sources: each path and everything below it,
 * and each named parameter.
 */
export function catalogParameterArns(scope: IConstruct, config: ApprovalSourceConfig, account?: string): string[] {
  const stack = Stack.of(scope);
  const arn = (name: string) => `arn:${stack.partition}:ssm:${stack.region}:${account ?? stack.account}:parameter${name}`;
  return [
    ...config.catalogPaths.flatMap(path => [arn(path), arn(`${path}/*`)]),
    ...config.parameterNames.map(arn),
  ];
}
