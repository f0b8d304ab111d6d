import { HARDENINGS, hardeningSupported, synthRecipe } from './helpers';
import { BaseImage } from '../../src/base-image';
import { HardeningStandard, OperatingSystem } from '../../src/hardened';
import { ImageArchitecture, ImagePlatform } from '../../src/platform';
import { expectToeDocument } from '../toe-checks';


/** Every OS x architecture x hardening combination that synthesizes. */
const MATRIX = OperatingSystem.all().flatMap(os => os.architectures.flatMap(architecture =>
  HARDENINGS.filter(hardening => hardeningSupported(os, hardening)).map(hardening => [os, architecture, hardening] as const)));

/** The combinations that must be rejected. */
const REJECTED = OperatingSystem.all().flatMap(os => os.architectures.flatMap(architecture =>
  HARDENINGS.filter(hardening => !hardeningSupported(os, hardening)).map(hardening => [os, architecture, hardening] as const)));

/** RHEL 9 on arm64 has no public image: the matrix brings an AMI, as a user must. */
function baseImageFor(os: OperatingSystem, architecture: ImageArchitecture): BaseImage | undefined {
  return os.hasPublicImage(architecture)
    ? undefined
    : BaseImage.fromAmiId('ami-0123456789abcdef0', { platform: os.platform, rootDeviceName: os.rootDeviceName });
}

describe('OS x architecture x hardening matrix', () => {
  test('covers the issue\'s operating systems, both architectures where the OS has both, and every hardening', () => {
    const count = (id: string) => MATRIX.filter(([os]) => os.id === id).length;
    expect(OperatingSystem.all().map(os => [os.id, count(os.id)])).toEqual([
      ['AMAZON_LINUX_2023', 12], // x86_64, arm64 x none, STIG low/medium/high, CIS 1/2
      ['AMAZON_LINUX_2', 12],
      ['UBUNTU_22_04', 12],
      ['UBUNTU_24_04', 12], // stig-build-linux lists Ubuntu 24.04
      ['RHEL_9', 12],
      ['WINDOWS_SERVER_2022', 4], // x86_64 only, no CIS component
      ['WINDOWS_SERVER_2025', 4], // stig-build-windows covers it since the 2026 Q1 release; no CIS component
    ]);
    expect(MATRIX).toHaveLength(68);
    expect(REJECTED).toHaveLength(2 + 2); // CIS Level 1 and 2 on each Windows Server
  });

  test.each(MATRIX.map(([os, architecture, hardening]) => [os.id, architecture, hardening.toString(), os, hardening] as const))(
    '%s %s %s synthesizes with a GoldenImage, with the right components and valid documents',
    (_id, architecture, _hardening, os, hardening) => {
      const { components, documents, entries, recipeProperties, template } = synthRecipe({
        operatingSystem: os,
        architecture: architecture as ImageArchitecture,
        hardening,
        baseImage: baseImageFor(os, architecture as ImageArchitecture),
      });
      const suffix = os.platform === ImagePlatform.WINDOWS ? 'windows' : 'linux';
      const hardeningComponents = hardening.standard === HardeningStandard.STIG
        ? [`aws:stig-build-${suffix}`, `aws:reboot-${suffix}`]
        : hardening.standard === HardeningStandard.CIS
          ? ['cis-kernel', 'cis-network', 'cis-ssh', 'cis-accounts', 'cis-logging', `aws:reboot-${suffix}`]
          : [];
      expect(components).toEqual([
        `aws:update-${suffix}`,
        `aws:reboot-${suffix}`,
        'ssm-agent',
        `aws:aws-cli-version-2-${suffix}`,
        `aws:amazon-cloudwatch-agent-${suffix}`,
        'cloudwatch-agent-config',
        ...hardeningComponents,
        'checks',
        `aws:reboot-test-${suffix}`,
      ]);
      if (hardening.standard === HardeningStandard.STIG) {
        // The level is the component's Level parameter, written as AWS documents it.
        const level = { low: 'Low', medium: 'Medium', high: 'High' }[hardening.stigLevel!];
        expect(entries[components.indexOf(`aws:stig-build-${suffix}`)].Parameters).toEqual([{ Name: 'Level', Value: [level] }]);
      }
      for (const { data, platform } of documents.values()) {
        expect(platform).toBe(os.platform);
        expectToeDocument(data, os.platform);
      }
      expect(recipeProperties.BlockDeviceMappings).toEqual([{
        DeviceName: os.rootDeviceName,
        Ebs: { Encrypted: true, DeleteOnTermination: true, VolumeSize: os.minRootVolumeSize.toGibibytes(), VolumeType: 'gp3' },
      }]);
      expect(recipeProperties.AdditionalInstanceConfiguration).toEqual({ SystemsManagerAgent: { UninstallAfterBuild: false } });
      template.resourceCountIs('AWS::ImageBuilder::ImagePipeline', 1);
    },
  );

  test.each(REJECTED.map(([os, architecture, hardening]) => [os.id, architecture, hardening.toString(), os, hardening] as const))(
    '%s %s %s is rejected at synth, naming hardening and the OS',
    (id, architecture, hardeningName, os, hardening) => {
      const arch = architecture as ImageArchitecture;
      expect(() => synthRecipe({ operatingSystem: os, architecture: arch, hardening, baseImage: baseImageFor(os, arch) }))
        .toThrow(`hardening '${hardeningName}' is not available for operatingSystem '${id}'`);
    },
  );
});
