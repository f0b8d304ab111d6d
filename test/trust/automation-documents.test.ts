import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { SSM_AUTOMATION_ACTIONS } from '../../src/private/aws-catalogue';
import { crossAccountStacks, ecsStack, factoryStack, trustChainStack } from '../nag-stacks';

/**
 * Every SSM Automation document the library renders, read the way Automation reads a runbook
 * (schema 0.3, https://docs.aws.amazon.com/systems-manager/latest/userguide/documents-syntax-data-elements-parameters.html):
 * each `{{ name }}` names a declared parameter or a system variable, each step's action is a
 * catalogued Automation action, step names are unique, and outputs name a step's output.
 */

interface RenderedDocument {
  readonly path: string;
  readonly content: any;
}

function automationDocuments(stacks: Stack[]): RenderedDocument[] {
  return stacks.flatMap(stack => Object.entries<any>(Template.fromStack(stack).toJSON().Resources)
    .filter(([, resource]) => resource.Type === 'AWS::SSM::Document' && resource.Properties.DocumentType === 'Automation')
    .map(([id, resource]) => ({ path: `${stack.stackName}/${id}`, content: resource.Properties.Content })));
}

/** Every string in a value, with CloudFormation intrinsics left out (they resolve at deploy). */
function strings(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.flatMap(strings);
  if (value && typeof value === 'object') {
    const keys = Object.keys(value);
    if (keys.length === 1 && (keys[0].startsWith('Fn::') || keys[0] === 'Ref')) return [];
    return Object.values(value).flatMap(strings);
  }
  return [];
}

// The types Automation documents list for parameters.
const PARAMETER_TYPES = ['String', 'StringList', 'Integer', 'Boolean', 'MapList', 'StringMap'];
// Automation's own variables a document may use without declaring them.
const SYSTEM_VARIABLES = /^(automation|global):[A-Z_]+$/;

const documents = automationDocuments([factoryStack(), ecsStack(), ...crossAccountStacks(), trustChainStack()]);
const catalogued = Object.values(SSM_AUTOMATION_ACTIONS).map(action => action.name as string);

test('the stacks render the trust chain\'s documents: engines, promotions, revocations, ancestry, rebuilds and roll-outs', () => {
  const descriptions = documents.map(d => d.content.description as string);
  for (const handler of ['promote', 'revoke', 'record_ancestry']) {
    expect(descriptions.filter(d => d.startsWith(`The golden AMI trust chain's ${handler} script`)).length).toBeGreaterThan(0);
  }
  expect(documents.length).toBeGreaterThanOrEqual(10);
});

describe.each(documents.map(d => [d.path, d] as const))('%s', (_path, document) => {
  const { content } = document;

  test('is a schema 0.3 runbook whose steps use catalogued actions, with unique names', () => {
    expect(content.schemaVersion).toBe('0.3');
    expect(content.mainSteps.length).toBeGreaterThan(0);
    const names = content.mainSteps.map((step: any) => step.name);
    expect(new Set(names).size).toBe(names.length);
    for (const step of content.mainSteps) {
      expect(step.name).toMatch(/^[A-Za-z0-9_]+$/);
      expect(catalogued).toContain(step.action);
    }
  });

  test('declares every parameter it references, with a known type', () => {
    const declared = Object.keys(content.parameters ?? {});
    for (const [name, parameter] of Object.entries<any>(content.parameters ?? {})) {
      expect([name, PARAMETER_TYPES.includes(parameter.type)]).toEqual([name, true]);
      if (parameter.allowedPattern !== undefined) expect(() => new RegExp(parameter.allowedPattern)).not.toThrow();
    }
    const references = strings({ assumeRole: content.assumeRole, mainSteps: content.mainSteps })
      .flatMap(text => [...text.matchAll(/\{\{\s*([^}\s]+)\s*\}\}/g)].map(match => match[1]));
    const stepNames = new Set(content.mainSteps.map((step: any) => step.name));
    for (const reference of references) {
      const known = declared.includes(reference) || SYSTEM_VARIABLES.test(reference) || stepNames.has(reference.split('.')[0]);
      expect([reference, known]).toEqual([reference, true]);
    }
    expect(content.assumeRole).toBe('{{ AutomationAssumeRole }}');
    expect(declared).toContain('AutomationAssumeRole');
  });

  test('names only outputs of its own steps', () => {
    const outputs = new Set(content.mainSteps.flatMap((step: any) => [
      ...(step.outputs ?? []).map((output: any) => `${step.name}.${output.Name}`),
      // aws:executeAutomation's own outputs (https://docs.aws.amazon.com/systems-manager/latest/userguide/automation-action-executeAutomation.html).
      ...(step.action === SSM_AUTOMATION_ACTIONS.EXECUTE_AUTOMATION.name ? ['Output', 'ExecutionId', 'Status'].map(o => `${step.name}.${o}`) : []),
    ]));
    for (const output of content.outputs ?? []) expect([output, outputs.has(output)]).toEqual([output, true]);
  });
});
