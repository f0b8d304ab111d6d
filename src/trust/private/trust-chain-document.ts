import * as ssm from 'aws-cdk-lib/aws-ssm';
import { Construct } from 'constructs';
import { TRUST_CHAIN_SCRIPT } from './trust-chain-script';
import { SSM_AUTOMATION_ACTIONS } from '../../private/aws-catalogue';

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

/**
 * An SSM Automation document that runs one handler of the trust chain's Python script
 * (aws:executeScript), after an optional manual approval (aws:approve). The script acts in
 * every region and account itself, so no Lambda and no multi-account Automation setup.
 */
export function trustChainDocument(scope: Construct, id: string, props: TrustChainDocumentProps): ssm.CfnDocument {
  const timeoutSeconds = props.timeoutSeconds ?? 600;
  if (timeoutSeconds < 1 || timeoutSeconds > 600) {
    throw new Error(`aws:executeScript runs for at most 600 seconds, got timeoutSeconds: ${timeoutSeconds}`);
  }
  const inputPayload: Record<string, string> = {};
  for (const name of Object.keys(props.parameters)) inputPayload[name] = `{{ ${name} }}`;

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
  });

  const parameters: Record<string, unknown> = {
    AutomationAssumeRole: {
      type: 'String',
      description: 'The role the automation runs as',
      ...(props.assumeRoleArn !== undefined ? { default: props.assumeRoleArn } : {}),
    },
  };
  for (const [name, parameter] of Object.entries(props.parameters)) {
    parameters[name] = {
      type: parameter.type,
      description: parameter.description,
      ...(parameter.default !== undefined ? { default: parameter.default } : {}),
      ...(parameter.allowedPattern !== undefined ? { allowedPattern: parameter.allowedPattern } : {}),
    };
  }

  return new ssm.CfnDocument(scope, id, {
    documentType: 'Automation',
    documentFormat: 'JSON',
    content: {
      schemaVersion: '0.3',
      description: props.description,
      assumeRole: '{{ AutomationAssumeRole }}',
      parameters,
      mainSteps: steps,
      outputs: ['Run.Result'],
    },
  });
}
