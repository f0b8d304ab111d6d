import { App, Validations } from 'aws-cdk-lib';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { AwsSolutionsChecks } from 'cdk-nag';
import { GoldenImage } from '../../src/golden-image';
import { CisLevel, Hardening, HardenedBaseRecipe, OperatingSystem, SecurityAgent, StigLevel } from '../../src/hardened';
import * as nagAcknowledgments from '../../src/private/nag-acknowledgments';
import { nagFindings, recordedAcknowledgments } from '../nag-checks';
import { newStack } from '../util';

/** A factory stack with hardened recipes using every feature that touches IAM or S3. */
function hardenedStack() {
  const stack = newStack('Hardened');
  const installers = s3.Bucket.fromBucketName(stack, 'Installers', 'security-installers');
  const evidence = s3.Bucket.fromBucketName(stack, 'Evidence', 'audit-evidence');
  const linux = new HardenedBaseRecipe(stack, 'Ubuntu', {
    operatingSystem: OperatingSystem.UBUNTU_22_04,
    hardening: Hardening.cis(CisLevel.LEVEL_2),
    securityAgents: [
      SecurityAgent.fromS3Installer({ name: 'edr', bucket: installers, key: 'edr/sensor.deb', installCommand: 'dpkg -i "$INSTALLER"', checkCommand: '/opt/edr/bin/edrctl status', serviceName: 'edr' }),
    ],
  });
  const linuxImage = new GoldenImage(stack, 'UbuntuImage', { recipe: linux });
  linux.grantBuildAccess(linuxImage.infrastructure.instanceRole);
  const windows = new HardenedBaseRecipe(stack, 'Windows', { operatingSystem: OperatingSystem.WINDOWS_SERVER_2022, hardening: Hardening.stig(StigLevel.HIGH), scapScan: { reportBucket: evidence } });
  const windowsImage = new GoldenImage(stack, 'WindowsImage', { recipe: windows });
  windows.grantBuildAccess(windowsImage.infrastructure.instanceRole);
  return stack;
}

describe('cdk-nag AwsSolutions on HardenedBaseRecipe + GoldenImage', () => {
  test('finds nothing unacknowledged, errors and warnings alike', () => {
    expect(nagFindings(hardenedStack().node.root)).toEqual([]);
  });

  test('as a validation plugin, lets the app synthesize', () => {
    const stack = hardenedStack();
    const app = stack.node.root as App;
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
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
