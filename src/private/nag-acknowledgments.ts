import { Stack } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';

/**
 * Acknowledgments of cdk-nag findings that are justified by design, recorded next to the
 * resource they concern so that users who run cdk-nag see only findings they must decide on.
 *
 * The library must not depend on cdk-nag, and its minimum aws-cdk-lib predates
 * `Validations.of(scope).acknowledge()`. So this writes, with the plain constructs API, the
 * very metadata entry that `Validations.of(scope).acknowledge({ id, reason })` writes in
 * aws-cdk-lib 2.257 and later: type `aws:cdk:acknowledged-rules`, data
 * `{ 'Annotation::<id>': reason }`. cdk-nag 3 looks for it on the resource and its
 * ancestors (ignoring the `Annotation::` prefix). Older aws-cdk-lib versions just carry it.
 * test/nag.test.ts checks that the entry matches what aws-cdk-lib writes.
 */

/** `Validations.ACKNOWLEDGED_RULES_METADATA_KEY` in aws-cdk-lib. */
const ACKNOWLEDGED_RULES_METADATA_KEY = 'aws:cdk:acknowledged-rules';
/** The namespace aws-cdk-lib gives acknowledged ids that name no validation plugin. */
const DEFAULT_NAMESPACE = 'Annotation';

/**
 * One acknowledged finding.
 */
export interface NagAcknowledgment {
  /** The rule id, with the finding in brackets for rules that report several (`AwsSolutions-IAM4[Policy::...]`). */
  readonly id: string;
  /** Why the finding is acceptable. */
  readonly reason: string;
}

/** Acknowledges cdk-nag findings on `scope` and everything under it. */
export function acknowledgeNagFindings(scope: IConstruct, ...acknowledgments: NagAcknowledgment[]): void {
  acknowledgeRules(scope, DEFAULT_NAMESPACE, acknowledgments);
}

/**
 * Acknowledges findings of one validation (`CloudFormation-Validate` for aws-cdk-lib's own
 * template validation) on `scope`: the entry `Validations.of(scope).acknowledge()` writes.
 */
export function acknowledgeRules(scope: IConstruct, namespace: string, acknowledgments: NagAcknowledgment[]): void {
  for (const { id, reason } of acknowledgments) {
    scope.node.addMetadata(ACKNOWLEDGED_RULES_METADATA_KEY, { [`${namespace}::${id}`]: reason });
  }
}

/**
 * The NIST 800-53 R5 and HIPAA Security findings of one rule (the two packs share rule names
 * and report the same resources), with one reason.
 */
export function nistAndHipaaFindings(rule: string, reason: string): NagAcknowledgment[] {
  return [{ id: `NIST.800.53.R5-${rule}`, reason }, { id: `HIPAA.Security-${rule}`, reason }];
}

/**
 * The IAMNoInlinePolicy findings of a role whose grants are its CDK default policy (an
 * `AWS::IAM::Policy` attached to that role only).
 */
export function inlinePolicyFindings(reason: string): NagAcknowledgment[] {
  return nistAndHipaaFindings('IAMNoInlinePolicy', reason);
}

/**
 * The finding id of an AWS managed policy attached to a role, as cdk-nag names it
 * (`AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/<name>]`).
 */
export function managedPolicyFinding(rule: string, managedPolicyName: string): string {
  return `${rule}[Policy::arn:<AWS::Partition>:iam::aws:policy/${managedPolicyName}]`;
}

/**
 * The finding id of a wildcard resource in an IAM statement, as cdk-nag names it: the
 * resource as CloudFormation renders it, with `Ref` written `<Name>` and `Fn::GetAtt` written
 * `<Name.Attribute>`. It is computed when called, so a logical ID overridden afterwards
 * makes the finding reappear rather than hiding another one.
 */
export function wildcardResourceFinding(rule: string, scope: IConstruct, resourceArn: string): string {
  return `${rule}[Resource::${flatten(Stack.of(scope).resolve(resourceArn))}]`;
}

function flatten(value: unknown): string {
  if (typeof value === 'string') {
    return value.replace(/\$\{/g, '<').replace(/\}/g, '>');
  }
  if (value !== null && typeof value === 'object') {
    const intrinsic = value as Record<string, unknown>;
    if (intrinsic['Fn::Join']) {
      const [delimiter, items] = intrinsic['Fn::Join'] as [string, unknown[]];
      return items.map(flatten).join(delimiter);
    }
    if (intrinsic['Fn::Sub']) {
      return flatten(intrinsic['Fn::Sub']);
    }
    if (intrinsic['Fn::GetAtt']) {
      const [resource, attribute] = intrinsic['Fn::GetAtt'] as [unknown, unknown];
      return `<${flatten(resource)}.${flatten(attribute)}>`;
    }
    if (intrinsic['Fn::ImportValue']) {
      return flatten(intrinsic['Fn::ImportValue']);
    }
    if (intrinsic.Ref) {
      return `<${flatten(intrinsic.Ref)}>`;
    }
  }
  return JSON.stringify(value) ?? '';
}
