import { Aws, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import { Construct } from 'constructs';
import { TRUST_CHAIN_SCRIPT } from './trust-chain-script';
import { SERVICE_PRINCIPALS, SSM_AUTOMATION_ACTIONS } from '../../private/aws-catalogue';
import { acknowledgeNagFindings, wildcardResourceFinding } from '../../private/nag-acknowledgments';

/**
 * The Python runtime of the trust chain's script steps: the one AWS asks runbooks to use
 * (https://docs.aws.amazon.com/systems-manager/latest/userguide/automation-action-executeScript.html).
 */
export const TRUST_CHAIN_PYTHON_RUNTIME = 'python3.11';

/** An Automation document parameter. */
export interface TrustChainDocumentParameter {
  /** Automation's parameter type. */
  readonly type: 'String' | 'StringList' | 'MapList' | 'Integer' | 'Boolean';
  readonly description: string;
  /** Fixed at synth: the document runs with this unless the caller overrides it. */
  readonly default?: unknown;
  /** A regular expression Automation checks a String parameter against before the run starts. */
  readonly allowedPattern?: string;
}

/** A manual approval before the script runs. */
export interface TrustChainApproval {
  /** IAM ARNs of the users or roles that may approve. */
  readonly approvers: string[];
  /** The SNS topic told of each pending approval (its name must begin with "Automation"). */
  readonly notificationArn: string;
  readonly minRequiredApprovals: number;
  readonly message: string;
  /** How long the approval waits, in seconds (Automation's maximum is 30 days). */
  readonly timeoutSeconds: number;
}

/** What `trustChainDocument` renders. */
export interface TrustChainDocumentProps {
  readonly description: string;
  /** A handler of TRUST_CHAIN_SCRIPT (TRUST_CHAIN_HANDLERS). */
  readonly handler: string;
  /** The document's parameters other than AutomationAssumeRole; all are passed to the handler. */
  readonly parameters: Record<string, TrustChainDocumentParameter>;
  /** An aws:approve step before the script, when set. */
  readonly approval?: TrustChainApproval;
  /** The script step's timeout, in seconds (aws:executeScript's maximum is 600). */
  readonly timeoutSeconds?: number;
  /** The default of AutomationAssumeRole, so that a run needs no role argument. */
  readonly assumeRoleArn?: string;
}

/** The engines of a stack: one Automation document per handler, holding the script once. */
const ENGINE_ID_PREFIX = 'GoldenAmiTrustChainEngine-';

/**
 * An SSM Automation document that runs one handler of the trust chain's Python script, after
 * an optional manual approval (aws:approve), with its parameters' defaults set for one image.
 * The script acts in every region and account itself, so no Lambda and no multi-account
 * Automation setup.
 *
 * The script (about 25 KB) lives once per stack and handler, in an engine document whose one
 * step is aws:executeScript; this document runs it with aws:executeAutomation. Embedding the
 * script in every image's documents would put 25 KB per document into the template, whose
 * limit is 1 MB. The role that runs this document needs `grantTrustChainRun`.
 */
export function trustChainDocument(scope: Construct, id: string, props: TrustChainDocumentProps): ssm.CfnDocument {
  const engine = trustChainEngine(scope, props);
  const runtimeParameters: Record<string, string> = { AutomationAssumeRole: '{{ AutomationAssumeRole }}' };
  for (const name of Object.keys(props.parameters)) runtimeParameters[name] = `{{ ${name} }}`;

  const steps: unknown[] = [];
  if (props.approval) {
    steps.push({
      name: 'Approve',
      action: SSM_AUTOMATION_ACTIONS.APPROVE.name,
      timeoutSeconds: props.approval.timeoutSeconds,
      onFailure: 'Abort',
      inputs: {
        NotificationArn: props.approval.notificationArn,
        Message: props.approval.message,
        MinRequiredApprovals: props.approval.minRequiredApprovals,
        Approvers: props.approval.approvers,
      },
    });
  }
  steps.push({
    name: 'Run',
    action: SSM_AUTOMATION_ACTIONS.EXECUTE_AUTOMATION.name,
    // The engine's script step runs for at most 600 seconds; the rest is Automation's own start.
    timeoutSeconds: 900,
    onFailure: 'Abort',
    inputs: {
      DocumentName: engine.ref,
      RuntimeParameters: runtimeParameters,
    },
  });

  const document = new ssm.CfnDocument(scope, id, {
    documentType: 'Automation',
    documentFormat: 'JSON',
    content: {
      schemaVersion: '0.3',
      description: props.description,
      assumeRole: '{{ AutomationAssumeRole }}',
      parameters: documentParameters(props, true),
      mainSteps: steps,
      outputs: ['Run.Output'],
    },
  });
  ENGINES.set(document, engine);
  return document;
}

/**
 * Lets `role`, the role a trust-chain document runs as, start that document's engine and
 * follow it: aws:executeAutomation starts the engine as the same role, so the role passes itself
 * (https://docs.aws.amazon.com/systems-manager/latest/userguide/automation-action-executeAutomation.html).
 */
export function grantTrustChainRun(role: iam.IRole, document: ssm.CfnDocument): void {
  const engine = ENGINES.get(document);
  if (!engine) throw new Error(`'${document.node.path}' is not a trust-chain document`);
  const stack = Stack.of(document);
  const engineVersions = `arn:${Aws.PARTITION}:ssm:${stack.region}:${stack.account}:automation-definition/${engine.ref}:*`;
  const executions = `arn:${Aws.PARTITION}:ssm:${stack.region}:${stack.account}:automation-execution/*`;
  role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['ssm:StartAutomationExecution'], resources: [engineVersions] }));
  role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['ssm:GetAutomationExecution'], resources: [executions] }));
  role.addToPrincipalPolicy(new iam.PolicyStatement({
    actions: ['iam:PassRole'],
    resources: [role.roleArn],
    conditions: { StringEquals: { 'iam:PassedToService': SERVICE_PRINCIPALS.SSM.name } },
  }));
  acknowledgeNagFindings(role,
    { id: wildcardResourceFinding('AwsSolutions-IAM5', role, engineVersions), reason: 'Starts the one engine document of this handler, at whatever version is its default' },
    { id: wildcardResourceFinding('AwsSolutions-IAM5', role, executions), reason: 'Follows the engine run it started: execution IDs are made at run time' });
}

const ENGINES = new WeakMap<ssm.CfnDocument, ssm.CfnDocument>();

/** The stack's engine for `props.handler`, created by its first document. */
function trustChainEngine(scope: Construct, props: TrustChainDocumentProps): ssm.CfnDocument {
  const stack = Stack.of(scope);
  const id = `${ENGINE_ID_PREFIX}${props.handler}`;
  const parameters = documentParameters(props, false);
  const existing = stack.node.tryFindChild(id) as ssm.CfnDocument | undefined;
  if (existing) {
    const known = Object.keys((existing.content as { parameters: object }).parameters).sort();
    if (JSON.stringify(known) !== JSON.stringify(Object.keys(parameters).sort())) {
      throw new Error(`trust-chain documents of handler ${props.handler} must take the same parameters, got: ${Object.keys(parameters).sort().join(', ')}; the engine takes: ${known.join(', ')}`);
    }
    return existing;
  }
  const timeoutSeconds = props.timeoutSeconds ?? 600;
  if (timeoutSeconds < 1 || timeoutSeconds > 600) {
    throw new Error(`aws:executeScript runs for at most 600 seconds, got timeoutSeconds: ${timeoutSeconds}`);
  }
  const inputPayload: Record<string, string> = {};
  for (const name of Object.keys(props.parameters)) inputPayload[name] = `{{ ${name} }}`;
  return new ssm.CfnDocument(stack, id, {
    documentType: 'Automation',
    documentFormat: 'JSON',
    content: {
      schemaVersion: '0.3',
      description: `The golden AMI trust chain's ${props.handler} script, run by the ${props.handler} documents of this stack's golden images`,
      assumeRole: '{{ AutomationAssumeRole }}',
      parameters,
      mainSteps: [{
        name: 'Run',
        action: SSM_AUTOMATION_ACTIONS.EXECUTE_SCRIPT.name,
        timeoutSeconds,
        onFailure: 'Abort',
        inputs: {
          Runtime: TRUST_CHAIN_PYTHON_RUNTIME,
          Handler: props.handler,
          Script: TRUST_CHAIN_SCRIPT,
          InputPayload: inputPayload,
        },
        outputs: [{ Name: 'Result', Selector: '$.Payload', Type: 'StringMap' }],
      }],
      outputs: ['Run.Result'],
    },
  });
}

/** The document's parameters: with each image's defaults (the per-image document) or without (the engine). */
function documentParameters(props: TrustChainDocumentProps, withDefaults: boolean): Record<string, unknown> {
  const parameters: Record<string, unknown> = {
    AutomationAssumeRole: {
      type: 'String',
      description: 'The role the automation runs as',
      ...(withDefaults && props.assumeRoleArn !== undefined ? { default: props.assumeRoleArn } : {}),
    },
  };
  for (const [name, parameter] of Object.entries(props.parameters)) {
    parameters[name] = {
      type: parameter.type,
      description: parameter.description,
      ...(withDefaults && parameter.default !== undefined ? { default: parameter.default } : {}),
      ...(parameter.allowedPattern !== undefined ? { allowedPattern: parameter.allowedPattern } : {}),
    };
  }
  return parameters;
}
