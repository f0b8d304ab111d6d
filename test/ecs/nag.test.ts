import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks, HIPAASecurityChecks, NIST80053R5Checks } from 'cdk-nag';
import { NAG_PACKS, nagFindings, recordedAcknowledgments } from '../nag-checks';
import { crossAccountStacks, ecsStack } from '../nag-stacks';

describe('cdk-nag (AwsSolutions, NIST 800-53 R5, HIPAA Security) on an ECS image factory and its capacity', () => {
  test.each(NAG_PACKS.map(([name, pack]) => [name, pack] as const))('%s finds nothing unacknowledged, errors and warnings alike', (_name, pack) => {
    expect(nagFindings(ecsStack(), pack())).toEqual([]);
  });

  test('every acknowledgment gives a reason; the rebuild, ancestry, roll-out and trust-chain roles and the capacity role acknowledge only their inline default policy', () => {
    const stack = ecsStack();
    const acknowledged = recordedAcknowledgments(stack);
    for (const { reason } of acknowledged) {
      expect(reason.trim().length).toBeGreaterThan(40);
    }
    const inline = acknowledged.filter(({ id }) => id.endsWith('-IAMNoInlinePolicy') && !id.startsWith('AwsSolutions')).map(({ path, id }) => `${path} ${id}`);
    expect(inline.sort()).toEqual([
      'EcsFactory/App/RebuildOnParentUpdate/AutomationRole HIPAA.Security-IAMNoInlinePolicy',
      'EcsFactory/App/RebuildOnParentUpdate/AutomationRole NIST.800.53.R5-IAMNoInlinePolicy',
      'EcsFactory/App/RebuildOnParentUpdate/EventsRole HIPAA.Security-IAMNoInlinePolicy',
      'EcsFactory/App/RebuildOnParentUpdate/EventsRole NIST.800.53.R5-IAMNoInlinePolicy',
      'EcsFactory/App/RecordAncestry/AutomationRole HIPAA.Security-IAMNoInlinePolicy',
      'EcsFactory/App/RecordAncestry/AutomationRole NIST.800.53.R5-IAMNoInlinePolicy',
      'EcsFactory/App/RecordAncestry/EventsRole HIPAA.Security-IAMNoInlinePolicy',
      'EcsFactory/App/RecordAncestry/EventsRole NIST.800.53.R5-IAMNoInlinePolicy',
      // Each image's trust-chain (revocation) role, on by default.
      'EcsFactory/App/TrustChain/AutomationRole HIPAA.Security-IAMNoInlinePolicy',
      'EcsFactory/App/TrustChain/AutomationRole NIST.800.53.R5-IAMNoInlinePolicy',
      'EcsFactory/Base/TrustChain/AutomationRole HIPAA.Security-IAMNoInlinePolicy',
      'EcsFactory/Base/TrustChain/AutomationRole NIST.800.53.R5-IAMNoInlinePolicy',
      'EcsFactory/Cluster/Capacity/InstanceRefresh/AutomationRole HIPAA.Security-IAMNoInlinePolicy',
      'EcsFactory/Cluster/Capacity/InstanceRefresh/AutomationRole NIST.800.53.R5-IAMNoInlinePolicy',
      'EcsFactory/Cluster/Capacity/InstanceRefresh/EventsRole HIPAA.Security-IAMNoInlinePolicy',
      'EcsFactory/Cluster/Capacity/InstanceRefresh/EventsRole NIST.800.53.R5-IAMNoInlinePolicy',
      'EcsFactory/Cluster/Capacity/InstanceRole HIPAA.Security-IAMNoInlinePolicy',
      'EcsFactory/Cluster/Capacity/InstanceRole NIST.800.53.R5-IAMNoInlinePolicy',
      'EcsFactory/GoldenAmiBuildInfrastructure/InstanceRole HIPAA.Security-IAMNoInlinePolicy',
      'EcsFactory/GoldenAmiBuildInfrastructure/InstanceRole NIST.800.53.R5-IAMNoInlinePolicy',
      'EcsFactory/Vpc HIPAA.Security-IAMNoInlinePolicy',
      'EcsFactory/Vpc NIST.800.53.R5-IAMNoInlinePolicy',
    ]);
  });

  test('as validation plugins, the three packs let the app synthesize', () => {
    const stack = ecsStack();
    const app = stack.node.root as App;
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app), new NIST80053R5Checks(app), new HIPAASecurityChecks(app));
    expect(app.synth().getStackByName(stack.stackName).template.Resources).toBeDefined();
  });
});

describe('cdk-nag on a factory forwarding build events and a workload account rebuilding from them', () => {
  test.each(NAG_PACKS.map(([name, pack]) => [name, pack] as const))('%s finds nothing unacknowledged in either stack', (_name, pack) => {
    const [factory, workload] = crossAccountStacks();
    expect(nagFindings(factory, pack())).toEqual([]);
    expect(nagFindings(workload, pack())).toEqual([]);
  });
});
