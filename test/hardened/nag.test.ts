import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks, HIPAASecurityChecks, NIST80053R5Checks } from 'cdk-nag';
import * as nagAcknowledgments from '../../src/private/nag-acknowledgments';
import { NAG_PACKS, nagFindings, recordedAcknowledgments } from '../nag-checks';
import { hardenedStack } from '../nag-stacks';

describe('cdk-nag (AwsSolutions, NIST 800-53 R5, HIPAA Security) on HardenedBaseRecipe + GoldenImage', () => {
  test.each(NAG_PACKS.map(([name, pack]) => [name, pack] as const))('%s finds nothing unacknowledged, errors and warnings alike', (_name, pack) => {
    expect(nagFindings(hardenedStack().node.root, pack())).toEqual([]);
  });

  test('every acknowledgment gives a reason', () => {
    const acknowledged = recordedAcknowledgments(hardenedStack());
    expect(acknowledged.length).toBeGreaterThan(0);
    for (const { reason } of acknowledged) {
      expect(reason.trim().length).toBeGreaterThan(40);
    }
  });

  test('as validation plugins, the three packs let the app synthesize', () => {
    const stack = hardenedStack();
    const app = stack.node.root as App;
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app), new NIST80053R5Checks(app), new HIPAASecurityChecks(app));
    expect(app.synth().getStackByName(stack.stackName).template.Resources).toBeDefined();
  });

  test('the SCAP report grant is the only acknowledgment the recipe adds, and its finding is real', () => {
    const acknowledged = recordedAcknowledgments(hardenedStack()).map(({ path, id }) => `${path} ${id}`).filter(entry => entry.includes('scap-reports'));
    expect(acknowledged).toEqual([
      'Hardened/GoldenAmiBuildInfrastructure/InstanceRole AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:s3:::audit-evidence/scap-reports/Hardened-Windows-6FAE5A6A/*]',
    ]);
    const spy = jest.spyOn(nagAcknowledgments, 'acknowledgeNagFindings').mockImplementation(() => undefined);
    try {
      const iam5 = nagFindings(hardenedStack().node.root).map(finding => finding.rule).filter(rule => rule.startsWith('AwsSolutions-IAM5') && rule.includes('scap-reports'));
      expect(iam5.sort()).toEqual([
        'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:s3:::audit-evidence/scap-reports/Hardened-Windows-6FAE5A6A/*]',
      ]);
    } finally {
      spy.mockRestore();
    }
  });
});
