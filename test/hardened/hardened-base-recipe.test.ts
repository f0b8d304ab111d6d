import { Duration, Size } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { parse } from 'yaml';
import { inspect, synthRecipe } from './helpers';
import { BaseImage } from '../../src/base-image';
import { RecipeComponent } from '../../src/component';
import { GoldenImage } from '../../src/golden-image';
import {
  CisLevel,
  Hardening,
  HardenedBaseRecipe,
  OperatingSystem,
  SecurityAgent,
  StigLevel,
} from '../../src/hardened';
import { ImageArchitecture, ImagePlatform } from '../../src/platform';
import { ImageRecipe } from '../../src/recipe';
import { expectToeDocument, ToeDocument } from '../toe-checks';
import { newStack } from '../util';

const falco = () => SecurityAgent.fromInstallScript({
  name: 'falco',
  installScript: 'curl -fsSL https://falco.org/repo/falcosecurity-packages.asc | gpg --dearmor -o /usr/share/keyrings/falco.gpg\napt-get install -y falco',
  checkCommand: 'falco --version',
  serviceName: 'falco-modern-bpf',
});

function commandsOf(document: ToeDocument, phase: string): string[] {
  return document.phases.find(p => p.name === phase)!.steps.flatMap(step => (step.inputs as { commands?: string[] }).commands ?? []);
}

describe('HardenedBaseRecipe defaults', () => {
  test('Amazon Linux 2023 x86_64 from its public parameter, CIS Level 1, all agents, content-derived version', () => {
    const { components, recipeProperties, recipe } = synthRecipe();
    expect(recipe.operatingSystem).toBe(OperatingSystem.AMAZON_LINUX_2023);
    expect(recipe.architecture).toBe(ImageArchitecture.X86_64);
    expect(recipe.hardening.toString()).toBe('CIS Level 1');
    expect(recipe.platform).toBe(ImagePlatform.LINUX);
    expect(recipeProperties.ParentImage).toBe('ssm:/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64');
    expect(recipeProperties.Name).toBe('base');
    expect(recipeProperties.Version).toMatch(/^1\.\d+\.\d+$/);
    expect(recipeProperties.Description).toBe('Amazon Linux 2023 x86_64, CIS Level 1 hardening, with agents');
    expect(components).toEqual([
      'aws:update-linux', 'aws:reboot-linux', 'ssm-agent', 'aws:aws-cli-version-2-linux',
      'aws:amazon-cloudwatch-agent-linux', 'cloudwatch-agent-config',
      'cis-kernel', 'cis-network', 'cis-ssh', 'cis-accounts', 'cis-logging', 'aws:reboot-linux',
      'checks', 'aws:reboot-test-linux',
    ]);
  });

  test.each([OperatingSystem.WINDOWS_SERVER_2022, OperatingSystem.WINDOWS_SERVER_2025])('%s defaults to STIG medium: stig-build-windows with Level Medium', os => {
    const { stack, components, entries, recipe } = synthRecipe({ operatingSystem: os });
    expect(recipe.hardening.toString()).toBe('STIG medium');
    expect(entries[components.indexOf('aws:stig-build-windows')].Parameters).toEqual([{ Name: 'Level', Value: ['Medium'] }]);
    Annotations.fromStack(stack).hasNoWarning('/Stack/Base', Match.anyValue());
  });

  test('each OS gets its public image: Canonical parameters, RHEL from the Image Builder managed image', () => {
    const parent = (os: OperatingSystem, architecture = ImageArchitecture.X86_64) =>
      synthRecipe({ operatingSystem: os, architecture, hardening: Hardening.none() }).recipeProperties.ParentImage;
    expect(parent(OperatingSystem.UBUNTU_24_04, ImageArchitecture.ARM64)).toBe('ssm:/aws/service/canonical/ubuntu/server/24.04/stable/current/arm64/hvm/ebs-gp3/ami-id');
    expect(parent(OperatingSystem.UBUNTU_22_04)).toBe('ssm:/aws/service/canonical/ubuntu/server/22.04/stable/current/amd64/hvm/ebs-gp2/ami-id');
    expect(parent(OperatingSystem.AMAZON_LINUX_2, ImageArchitecture.ARM64)).toBe('ssm:/aws/service/ami-amazon-linux-latest/amzn2-ami-kernel-5.10-hvm-arm64-gp2');
    expect(parent(OperatingSystem.WINDOWS_SERVER_2025)).toBe('ssm:/aws/service/ami-windows-latest/Windows_Server-2025-English-Full-Base');
    expect(parent(OperatingSystem.RHEL_9)).toEqual({
      'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':imagebuilder:', { Ref: 'AWS::Region' }, ':aws:image/red-hat-enterprise-linux-9-x86/x.x.x']],
    });
  });
});

describe('agents', () => {
  test('the SSM agent is kept and enabled; its test checks the unit (rpm or snap) is enabled and running', () => {
    const { documents, recipeProperties } = synthRecipe({ operatingSystem: OperatingSystem.UBUNTU_24_04 });
    expect(recipeProperties.AdditionalInstanceConfiguration.SystemsManagerAgent.UninstallAfterBuild).toBe(false);
    const document = expectToeDocument(documents.get('ssm-agent')!.data, ImagePlatform.LINUX);
    expect(commandsOf(document, 'build')[0]).toContain('systemctl enable "$unit"');
    expect(commandsOf(document, 'test')[0]).toContain('snap.amazon-ssm-agent.amazon-ssm-agent.service');
    expect(commandsOf(document, 'test')[0]).toContain('systemctl is-active --quiet "$unit"');
  });

  test('without the SSM agent and Inspector readiness, Image Builder removes the agent after the build', () => {
    const { components, recipeProperties, documents } = synthRecipe({ ssmAgent: false, inspectorReady: false, awsCli: false, osUpdates: false });
    expect(recipeProperties.AdditionalInstanceConfiguration.SystemsManagerAgent.UninstallAfterBuild).toBe(true);
    expect(components).not.toContain('ssm-agent');
    expect(components).not.toContain('aws:aws-cli-version-2-linux');
    expect(components).not.toContain('aws:update-linux');
    const checks = expectToeDocument(documents.get('checks')!.data, ImagePlatform.LINUX);
    expect(checks.phases[0].steps.map(s => s.name)).toEqual(['CheckBoot']);
  });

  test('Inspector readiness: SSM agent running and no Inspector Classic agent, in the test phase', () => {
    const { documents } = synthRecipe();
    const checks = expectToeDocument(documents.get('checks')!.data, ImagePlatform.LINUX);
    expect(checks.phases.map(p => p.name)).toEqual(['test']);
    expect(checks.phases[0].steps.map(s => s.name)).toEqual(['CheckAwsCli', 'CheckInspectorReady']);
    const inspector = (checks.phases[0].steps[1].inputs as { commands: string[] }).commands[0];
    expect(inspector).toContain('awsagent.service');
    expect(inspector).toContain('amazon-ssm-agent.service');
  });

  test('STIG adds marker checks that must hold after hardening (Linux sshd, Windows firewall and SMBv1)', () => {
    const linux = expectToeDocument(synthRecipe({ hardening: Hardening.stig(StigLevel.HIGH) }).documents.get('checks')!.data, ImagePlatform.LINUX);
    expect(linux.phases[0].steps.map(s => s.name)).toContain('CheckStigMarkers');
    const windows = expectToeDocument(synthRecipe({ operatingSystem: OperatingSystem.WINDOWS_SERVER_2022, hardening: Hardening.stig(StigLevel.LOW) }).documents.get('checks')!.data, ImagePlatform.WINDOWS);
    const markers = windows.phases[0].steps.find(s => s.name === 'CheckStigMarkers')!;
    expect((markers.inputs as { commands: string[] }).commands[0]).toContain('Get-NetFirewallProfile');
  });

  test('security agents from a script: installed in the build phase, checked with the command and the service in the test phase', () => {
    const { components, documents } = synthRecipe({ operatingSystem: OperatingSystem.UBUNTU_22_04, securityAgents: [falco()] });
    expect(components.indexOf('agent-falco')).toBeGreaterThan(components.indexOf('cloudwatch-agent-config'));
    expect(components.indexOf('agent-falco')).toBeLessThan(components.indexOf('cis-kernel'));
    const document = expectToeDocument(documents.get('agent-falco')!.data, ImagePlatform.LINUX);
    expect(document.phases.map(p => [p.name, p.steps.map(s => s.name)])).toEqual([
      ['build', ['PrepareDirectory', 'Install', 'RemoveInstaller']],
      ['test', ['Check', 'CheckService']],
    ]);
    expect(commandsOf(document, 'test')).toEqual([
      'set -euo pipefail\nfalco --version',
      expect.stringContaining("systemctl is-enabled --quiet 'falco-modern-bpf'"),
    ]);
  });

  test('security agents from S3: downloaded by the AWSTOE S3Download action with the bucket and key as parameters', () => {
    const stack = newStack();
    const bucket = new s3.Bucket(stack, 'Installers', { enforceSSL: true });
    const agent = SecurityAgent.fromS3Installer({
      name: 'edr',
      bucket,
      key: 'agents/edr-sensor.rpm',
      installCommand: 'dnf install -y "$INSTALLER"',
      checkCommand: '/opt/edr/bin/edrctl status',
      serviceName: 'edr-sensor',
    });
    const recipe = new HardenedBaseRecipe(stack, 'Base', { recipeName: 'base', securityAgents: [agent] });
    const image = new GoldenImage(stack, 'Image', { recipe });
    const grant = recipe.grantBuildAccess(image.infrastructure.instanceRole);
    expect(grant.success).toBe(true);
    const { components, documents, entries } = inspect(stack, recipe);
    const document = expectToeDocument(documents.get('agent-edr')!.data, ImagePlatform.LINUX);
    const download = document.phases[0].steps.find(s => s.name === 'DownloadInstaller')!;
    expect(download.action).toBe('S3Download');
    expect(download.inputs).toEqual([{ source: 's3://{{ InstallerBucket }}/{{ InstallerKey }}', destination: '/var/tmp/golden-ami/agents/edr/edr-sensor.rpm' }]);
    expect(commandsOf(document, 'build')).toContainEqual(expect.stringContaining("export INSTALLER='/var/tmp/golden-ami/agents/edr/edr-sensor.rpm'"));
    const parameters = entries[components.indexOf('agent-edr')].Parameters;
    expect(parameters).toEqual([
      { Name: 'InstallerBucket', Value: [{ Ref: stack.getLogicalId(bucket.node.defaultChild as s3.CfnBucket) }] },
      { Name: 'InstallerKey', Value: ['agents/edr-sensor.rpm'] },
    ]);
    const statements = Object.values(Template.fromStack(stack).findResources('AWS::IAM::Policy')).flatMap(p => p.Properties.PolicyDocument.Statement);
    expect(statements).toContainEqual({
      Effect: 'Allow',
      Action: 's3:GetObject',
      Resource: { 'Fn::Join': ['', [{ 'Fn::GetAtt': [stack.getLogicalId(bucket.node.defaultChild as s3.CfnBucket), 'Arn'] }, '/agents/edr-sensor.rpm']] },
    });
    expect(Annotations.fromStack(stack).findWarning('/Stack/Base', Match.stringLikeRegexp('grantBuildAccess'))).toEqual([]);
  });

  test('an S3 installer nobody granted access to gets a warning naming grantBuildAccess', () => {
    const stack = newStack();
    const bucket = s3.Bucket.fromBucketName(stack, 'Installers', 'security-installers');
    const recipe = new HardenedBaseRecipe(stack, 'Base', {
      securityAgents: [SecurityAgent.fromS3Installer({ name: 'edr', bucket, key: 'edr.rpm', installCommand: 'rpm -i "$INSTALLER"', checkCommand: 'true' })],
    });
    new GoldenImage(stack, 'Image', { recipe });
    Annotations.fromStack(stack).hasWarning('/Stack/Base', Match.stringLikeRegexp('call grantBuildAccess\\(infrastructure.instanceRole\\)'));
  });

  test('a KMS-encrypted installer bucket: kms:Decrypt on its key as well', () => {
    const stack = newStack();
    const key = new kms.Key(stack, 'Key', { enableKeyRotation: true });
    const bucket = s3.Bucket.fromBucketAttributes(stack, 'Installers', { bucketName: 'installers', encryptionKey: key });
    const agent = SecurityAgent.fromS3Installer({ name: 'edr', bucket, key: 'edr.rpm', installCommand: 'rpm -i "$INSTALLER"', checkCommand: 'true' });
    const role = new iam.Role(stack, 'Role', { assumedBy: new iam.ServicePrincipal('ec2.amazonaws.com') });
    agent.grantInstallerRead(role);
    const statements = Object.values(Template.fromStack(stack).findResources('AWS::IAM::Policy')).flatMap(p => p.Properties.PolicyDocument.Statement);
    expect(statements.map((s: { Action: string }) => s.Action)).toEqual(['s3:GetObject', 'kms:Decrypt']);
  });

  test('a script agent needs no grant', () => {
    const stack = newStack();
    const role = new iam.Role(stack, 'Role', { assumedBy: new iam.ServicePrincipal('ec2.amazonaws.com') });
    expect(falco().grantInstallerRead(role)).toBeUndefined();
  });

  test('Windows agents run PowerShell and fail on a non-zero exit code', () => {
    const agent = SecurityAgent.fromInstallScript({
      name: 'sysmon',
      platform: ImagePlatform.WINDOWS,
      installScript: 'Start-Process -Wait -FilePath "C:\\Tools\\Sysmon64.exe" -ArgumentList "-accepteula -i"',
      checkCommand: 'Get-Service Sysmon64',
      serviceName: 'Sysmon64',
    });
    const { documents } = synthRecipe({ operatingSystem: OperatingSystem.WINDOWS_SERVER_2022, securityAgents: [agent] });
    const document = expectToeDocument(documents.get('agent-sysmon')!.data, ImagePlatform.WINDOWS);
    expect(commandsOf(document, 'test')[0]).toContain("if ($LASTEXITCODE -ne 0) { throw \"security agent 'sysmon' check failed");
  });
});

describe('CloudWatch agent configuration', () => {
  test('Linux: system, security and audit logs of the family, memory, disk and swap metrics; valid JSON', () => {
    const recipe = synthRecipe({
      operatingSystem: OperatingSystem.UBUNTU_22_04,
      cloudWatchAgent: {
        additionalLogFiles: [{ filePath: '/var/log/nginx/*.log', timestampFormat: '%d/%b/%Y:%H:%M:%S' }],
        additionalMetrics: [{ category: 'cpu', measurement: 'cpu_usage_iowait' }, { category: 'mem', measurement: 'mem_available_percent' }],
        namespace: 'Golden',
        metricsCollectionInterval: Duration.seconds(30),
      },
    }).recipe;
    const config = JSON.parse(recipe.cloudWatchAgentConfig!);
    expect(config.agent).toEqual({ metrics_collection_interval: 30, run_as_user: 'root' });
    const files = config.logs.logs_collected.files.collect_list as Array<{ file_path: string; log_group_name: string }>;
    expect(files.map(f => [f.file_path, f.log_group_name])).toEqual([
      ['/var/log/syslog', '/golden-ami/base/system'],
      ['/var/log/auth.log', '/golden-ami/base/security'],
      ['/var/log/sudo.log', '/golden-ami/base/security'],
      ['/var/log/audit/audit.log', '/golden-ami/base/audit'],
      ['/var/log/cloud-init-output.log', '/golden-ami/base/cloud-init'],
      ['/var/log/nginx/*.log', '/golden-ami/base/application'],
    ]);
    expect(config.logs.logs_collected.files.collect_list[5].timestamp_format).toBe('%d/%b/%Y:%H:%M:%S');
    expect(config.metrics.namespace).toBe('Golden');
    expect(config.metrics.append_dimensions).toEqual({ InstanceId: '${aws:InstanceId}', ImageId: '${aws:ImageId}', AutoScalingGroupName: '${aws:AutoScalingGroupName}' });
    expect(config.metrics.metrics_collected).toEqual({
      mem: { measurement: ['mem_used_percent', 'mem_available_percent'] },
      disk: { measurement: ['used_percent', 'inodes_free'], resources: ['/'] },
      swap: { measurement: ['swap_used_percent'] },
      cpu: { measurement: ['cpu_usage_iowait'] },
    });
  });

  test('the document writes exactly that JSON, with the log group prefix as the recipe\'s parameter, and loads it with fetch-config; Amazon Linux 2023 gets rsyslog', () => {
    const { recipe, documents, components, entries } = synthRecipe();
    const document = expectToeDocument(documents.get('cloudwatch-agent-config')!.data, ImagePlatform.LINUX);
    expect(document.parameters).toEqual([{ LogGroupPrefix: { type: 'string', description: 'The prefix of the log groups the agent ships to' } }]);
    expect(entries[components.indexOf('cloudwatch-agent-config')].Parameters).toEqual([{ Name: 'LogGroupPrefix', Value: ['/golden-ami/base'] }]);
    const build = commandsOf(document, 'build')[0];
    const json = /<<'GOLDEN_AMI_CLOUDWATCH_CONFIG'\n([\s\S]*?)\nGOLDEN_AMI_CLOUDWATCH_CONFIG\n/.exec(build)![1];
    // AWSTOE substitutes the parameter into the text: then it is the recipe's configuration.
    expect(JSON.parse(json.split('{{ LogGroupPrefix }}').join('/golden-ami/base'))).toEqual(JSON.parse(recipe.cloudWatchAgentConfig!));
    expect(build).toContain('dnf install -y rsyslog');
    expect(build).toContain('amazon-cloudwatch-agent-ctl -a fetch-config -m ec2 -c file:/opt/aws/amazon-cloudwatch-agent/etc/golden-ami.json');
    expect(JSON.parse(recipe.cloudWatchAgentConfig!).logs.logs_collected.files.collect_list[0].file_path).toBe('/var/log/messages');
  });

  test('Windows: System, Security and Application event logs, memory, disk and paging file counters', () => {
    const { recipe, documents, components, entries } = synthRecipe({ operatingSystem: OperatingSystem.WINDOWS_SERVER_2022, cloudWatchAgent: { logGroupPrefix: '/org/windows' } });
    const config = JSON.parse(recipe.cloudWatchAgentConfig!);
    const events = config.logs.logs_collected.windows_events.collect_list as Array<{ event_name: string; log_group_name: string }>;
    expect(events.map(e => [e.event_name, e.log_group_name])).toEqual([
      ['System', '/org/windows/system'],
      ['Security', '/org/windows/security'],
      ['Application', '/org/windows/application'],
    ]);
    expect(Object.keys(config.metrics.metrics_collected)).toEqual(['Memory', 'LogicalDisk', 'Paging File']);
    const document = expectToeDocument(documents.get('cloudwatch-agent-config')!.data, ImagePlatform.WINDOWS);
    const build = commandsOf(document, 'build')[0];
    const json = /\$config = @'\n([\s\S]*?)\n'@\n/.exec(build)![1];
    expect(entries[components.indexOf('cloudwatch-agent-config')].Parameters).toEqual([{ Name: 'LogGroupPrefix', Value: ['/org/windows'] }]);
    expect(JSON.parse(json.split('{{ LogGroupPrefix }}').join('/org/windows'))).toEqual(config);
  });

  test('disabled: no agent, no configuration', () => {
    const { components, recipe } = synthRecipe({ cloudWatchAgent: { enabled: false } });
    expect(components.filter(c => c.includes('cloudwatch'))).toEqual([]);
    expect(recipe.cloudWatchAgentConfig).toBeUndefined();
  });
});

describe('SCAP scan', () => {
  test('runs the AWS SCAP component and uploads the results of the validate and test phases under the recipe prefix', () => {
    const stack = newStack();
    const bucket = s3.Bucket.fromBucketName(stack, 'Evidence', 'audit-evidence');
    const recipe = new HardenedBaseRecipe(stack, 'Base', {
      recipeName: 'windows',
      operatingSystem: OperatingSystem.WINDOWS_SERVER_2022,
      hardening: Hardening.stig(StigLevel.MEDIUM),
      scapScan: { reportBucket: bucket, reportPrefix: 'evidence/scap/' },
    });
    const image = new GoldenImage(stack, 'Image', { recipe });
    recipe.grantBuildAccess(image.infrastructure.instanceRole);
    const { components, documents, entries } = inspect(stack, recipe);
    expect(components.slice(components.indexOf('aws:stig-build-windows'))).toEqual([
      'aws:stig-build-windows', 'aws:reboot-windows', 'aws:scap-compliance-checker-windows', 'scap-report', 'checks', 'aws:reboot-test-windows',
    ]);
    const document = expectToeDocument(documents.get('scap-report')!.data, ImagePlatform.WINDOWS);
    expect(document.phases.map(p => [p.name, p.steps.map(s => s.name)])).toEqual([
      ['validate', ['CollectScapResults', 'UploadScapResults', 'RemoveStagedResults']],
      ['test', ['CollectScapResults', 'UploadScapResults', 'RemoveStagedResults']],
    ]);
    // The recipe name is a parameter too, so recipes share the component.
    expect(document.phases[0].steps[1].inputs).toEqual([{ source: 'C:\\ProgramData\\GoldenAmi\\scap\\*', destination: 's3://{{ ReportBucket }}/{{ ReportPrefix }}{{ RecipeName }}/', recurse: true }]);
    expect(entries[components.indexOf('scap-report')].Parameters).toEqual([
      { Name: 'ReportBucket', Value: ['audit-evidence'] },
      { Name: 'ReportPrefix', Value: ['evidence/scap/'] },
      { Name: 'RecipeName', Value: ['windows'] },
    ]);
    Template.fromStack(stack).hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: { Statement: Match.arrayWith([{ Effect: 'Allow', Action: 's3:PutObject', Resource: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':s3:::audit-evidence/evidence/scap/windows/*']] } }]) },
    });
  });

  test('the report is collected from where AWS documents it, and a missing report fails the step', () => {
    const stack = newStack();
    const recipe = new HardenedBaseRecipe(stack, 'Base', { operatingSystem: OperatingSystem.WINDOWS_SERVER_2022, scapScan: { reportBucket: s3.Bucket.fromBucketName(stack, 'Evidence', 'audit-evidence') } });
    const { documents } = inspect(stack, recipe);
    const document = expectToeDocument(documents.get('scap-report')!.data, ImagePlatform.WINDOWS);
    for (const phase of document.phases) {
      const collect = (phase.steps[0].inputs as { commands: string[] }).commands[0];
      // scap-compliance-checker-windows saves its report on the desktop of the account AWSTOE runs as.
      expect(collect).toContain("[Environment]::GetFolderPath('Desktop')");
      expect(collect).toContain("if ($reports.Count -eq 0) { throw ('SCAP: no report on the desktop");
      expect(collect).not.toContain('systemprofile\\SCC');
    }
  });

  test('SCAP on an OS AWS does not document the checker for is refused, naming the documented systems', () => {
    const stack = newStack();
    expect(() => new HardenedBaseRecipe(stack, 'Base', { operatingSystem: OperatingSystem.UBUNTU_22_04, scapScan: { reportBucket: s3.Bucket.fromBucketName(stack, 'Evidence', 'audit-evidence') } }))
      .toThrow("scapScan is not available for operatingSystem 'UBUNTU_22_04' on architecture 'x86_64': AWS documents scap-compliance-checker-linux for RHEL 7/8, Ubuntu 18.04/20.04 (AMD64 only)");
  });
});

describe('extending', () => {
  test('addComponent and addTest append after the library components, with parameters', () => {
    const { components, documents, entries } = synthRecipe({}, recipe => {
      recipe.addComponent(RecipeComponent.awsManaged('python-3-linux', 'x.x.x', { parameters: { flavor: 'minimal' } }));
      recipe.addTest('nginx-absent', '! command -v nginx');
    });
    expect(components.slice(-3)).toEqual(['aws:reboot-test-linux', 'aws:python-3-linux', 'nginx-absent']);
    expect(entries[entries.length - 2].Parameters).toEqual([{ Name: 'flavor', Value: ['minimal'] }]);
    const test = parse(documents.get('nginx-absent')!.data);
    expect(test.phases.map((p: { name: string }) => p.name)).toEqual(['test']);
  });

  test('Windows tests are PowerShell', () => {
    const { documents } = synthRecipe({ operatingSystem: OperatingSystem.WINDOWS_SERVER_2022 }, recipe => recipe.addTest('iis-absent', 'if (Get-Service W3SVC -ErrorAction SilentlyContinue) { throw "IIS installed" }'));
    expectToeDocument(documents.get('iis-absent')!.data, ImagePlatform.WINDOWS);
  });

  test('a Linux component in a Windows recipe is rejected by the recipe', () => {
    expect(() => synthRecipe({ operatingSystem: OperatingSystem.WINDOWS_SERVER_2022 }, recipe =>
      recipe.addComponent(RecipeComponent.fromScript({ name: 'bash', script: 'true' })))).toThrow(/is for Linux but recipe 'base' builds Windows images/);
  });

  test('the golden image is the parent of an application image, by its SSM parameter and root device', () => {
    const stack = newStack();
    const base = new HardenedBaseRecipe(stack, 'Base', { operatingSystem: OperatingSystem.UBUNTU_24_04 });
    const golden = new GoldenImage(stack, 'Golden', { recipe: base, imageName: 'ubuntu-golden' });
    const app = new ImageRecipe(stack, 'App', {
      baseImage: BaseImage.fromSsmParameterName(golden.ssmParameterName, {
        platform: base.platform,
        rootDeviceName: base.operatingSystem.rootDeviceName,
      }),
      components: [RecipeComponent.fromScript({ name: 'app', script: 'echo app > /etc/app' })],
    });
    new GoldenImage(stack, 'AppImage', { recipe: app });
    Template.fromStack(stack).hasResourceProperties('AWS::ImageBuilder::ImageRecipe', {
      ParentImage: 'ssm:/golden-ami/ubuntu-golden/latest',
      BlockDeviceMappings: [Match.objectLike({ DeviceName: '/dev/sda1' })],
    });
  });
});

describe('root volume and tags', () => {
  test('size, type, KMS key and AMI tags reach the recipe; the volume is always encrypted', () => {
    const stack = newStack();
    const key = new kms.Key(stack, 'Key', { enableKeyRotation: true });
    const recipe = new HardenedBaseRecipe(stack, 'Base', {
      operatingSystem: OperatingSystem.RHEL_9,
      rootVolume: { size: Size.gibibytes(40), volumeType: ec2.EbsDeviceVolumeType.IO2, encryptionKey: key },
      amiTags: { 'security:hardening': 'cis-l1' },
    });
    new GoldenImage(stack, 'Image', { recipe });
    Template.fromStack(stack).hasResourceProperties('AWS::ImageBuilder::ImageRecipe', {
      BlockDeviceMappings: [{
        DeviceName: '/dev/sda1',
        Ebs: { Encrypted: true, DeleteOnTermination: true, VolumeSize: 40, VolumeType: 'io2', KmsKeyId: { 'Fn::GetAtt': [stack.getLogicalId(key.node.defaultChild as kms.CfnKey), 'Arn'] } },
      }],
      AmiTags: { 'security:hardening': 'cis-l1' },
    });
  });

  test('a Marketplace AMI as base image keeps the OS root device unless the image names its own', () => {
    const ubuntu = synthRecipe({ operatingSystem: OperatingSystem.UBUNTU_22_04, baseImage: BaseImage.fromAmiId('ami-0123456789abcdef0') });
    expect(ubuntu.recipeProperties.ParentImage).toBe('ami-0123456789abcdef0');
    expect(ubuntu.recipeProperties.BlockDeviceMappings[0].DeviceName).toBe('/dev/sda1');
    const custom = synthRecipe({ operatingSystem: OperatingSystem.UBUNTU_22_04, baseImage: BaseImage.fromAmiId('ami-0123456789abcdef0', { rootDeviceName: '/dev/nvme0n1' }) });
    expect(custom.recipeProperties.BlockDeviceMappings[0].DeviceName).toBe('/dev/nvme0n1');
    // Even when the device given is the one BaseImage would have defaulted to.
    const xvda = synthRecipe({ operatingSystem: OperatingSystem.UBUNTU_22_04, baseImage: BaseImage.fromAmiId('ami-0123456789abcdef0', { rootDeviceName: '/dev/xvda' }) });
    expect(xvda.recipeProperties.BlockDeviceMappings[0].DeviceName).toBe('/dev/xvda');
  });
});

describe('versions derive from content', () => {
  const version = (props: Parameters<typeof synthRecipe>[0]) => synthRecipe(props).recipeProperties.Version;

  test('the same props give the same version in another app', () => {
    expect(version({})).toBe(version({}));
  });

  test.each([
    ['the hardening level', { hardening: Hardening.cis(CisLevel.LEVEL_2) }],
    ['a CloudWatch option', { cloudWatchAgent: { namespace: 'Other' } }],
    ['an agent script', { securityAgents: [SecurityAgent.fromInstallScript({ name: 'a', installScript: 'echo 2', checkCommand: 'true' })] }],
    ['the root volume size', { rootVolume: { size: Size.gibibytes(20) } }],
    ['the architecture', { architecture: ImageArchitecture.ARM64 }],
  ])('changes with %s', (_what, props) => {
    const base = version({ securityAgents: [SecurityAgent.fromInstallScript({ name: 'a', installScript: 'echo 1', checkCommand: 'true' })] });
    expect(version(props as Parameters<typeof synthRecipe>[0])).not.toBe(base);
  });

  test('an agent script change gives its component a new version', () => {
    const documentVersion = (script: string) => synthRecipe({ securityAgents: [SecurityAgent.fromInstallScript({ name: 'a', installScript: script, checkCommand: 'true' })] }).documents.get('agent-a')!.version;
    expect(documentVersion('echo 1')).not.toBe(documentVersion('echo 2'));
  });

  test('a different installer bucket changes the recipe version though the component stays the same', () => {
    const withBucket = (name: string) => {
      const stack = newStack();
      const bucket = s3.Bucket.fromBucketName(stack, 'B', name);
      const recipe = new HardenedBaseRecipe(stack, 'Base', {
        recipeName: 'base',
        securityAgents: [SecurityAgent.fromS3Installer({ name: 'edr', bucket, key: 'edr.rpm', installCommand: 'rpm -i "$INSTALLER"', checkCommand: 'true' })],
      });
      new GoldenImage(stack, 'Image', { recipe });
      return inspect(stack, recipe);
    };
    const one = withBucket('bucket-one');
    const two = withBucket('bucket-two');
    expect(two.documents.get('agent-edr')!.version).toBe(one.documents.get('agent-edr')!.version);
    expect(two.recipeProperties.Version).not.toBe(one.recipeProperties.Version);
  });
});

describe('validation errors name the prop and the value', () => {
  const stack = () => newStack();

  test('an OS without the chosen architecture', () => {
    expect(() => new HardenedBaseRecipe(stack(), 'R', { operatingSystem: OperatingSystem.WINDOWS_SERVER_2022, architecture: ImageArchitecture.ARM64 }))
      .toThrow("architecture 'arm64' is not available for operatingSystem 'WINDOWS_SERVER_2022' (Windows Server 2022 supports: x86_64)");
  });

  test('CIS Level 2 on Windows', () => {
    expect(() => new HardenedBaseRecipe(stack(), 'R', { operatingSystem: OperatingSystem.WINDOWS_SERVER_2022, hardening: Hardening.cis(CisLevel.LEVEL_2) }))
      .toThrow("hardening 'CIS Level 2' is not available for operatingSystem 'WINDOWS_SERVER_2022': the library's CIS components are for the Linux families only");
  });

  test('an agent with no check command', () => {
    expect(() => SecurityAgent.fromInstallScript({ name: 'siem', installScript: 'install-siem', checkCommand: '  ' }))
      .toThrow("securityAgents 'siem' checkCommand must not be empty: the test phase proves each agent with it, got: '  '");
  });

  test('an agent with an empty install script', () => {
    expect(() => SecurityAgent.fromInstallScript({ name: 'siem', installScript: '', checkCommand: 'true' }))
      .toThrow("securityAgents 'siem' installScript must not be empty, got: ''");
  });

  test('an S3 installer key that is a folder', () => {
    const s = stack();
    expect(() => SecurityAgent.fromS3Installer({ name: 'edr', bucket: s3.Bucket.fromBucketName(s, 'B', 'report-bucket'), key: 'agents/', installCommand: 'x', checkCommand: 'true' }))
      .toThrow("securityAgents 'edr' key must be an object key (no leading or trailing '/'), got: 'agents/'");
  });

  test('an agent name that cannot name a component', () => {
    expect(() => SecurityAgent.fromInstallScript({ name: 'my agent', installScript: 'x', checkCommand: 'true' }))
      .toThrow("securityAgents name must be 1-48 letters, digits, hyphens and underscores, starting with a letter or digit, got: 'my agent'");
  });

  test('two agents with the same name', () => {
    expect(() => new HardenedBaseRecipe(stack(), 'R', { operatingSystem: OperatingSystem.UBUNTU_22_04, securityAgents: [falco(), falco()] }))
      .toThrow("securityAgents[].name must not list the same value twice, got: 'falco'");
  });

  test('a Windows agent on Linux', () => {
    const agent = SecurityAgent.fromInstallScript({ name: 'sysmon', installScript: 'x', checkCommand: 'y', platform: ImagePlatform.WINDOWS });
    expect(() => new HardenedBaseRecipe(stack(), 'R', { securityAgents: [agent] }))
      .toThrow("securityAgents[0] 'sysmon' is for Windows but operatingSystem 'AMAZON_LINUX_2023' is Linux, got platform: 'Windows'");
  });

  test('a volume below the AMI\'s size', () => {
    expect(() => new HardenedBaseRecipe(stack(), 'R', { operatingSystem: OperatingSystem.WINDOWS_SERVER_2022, rootVolume: { size: Size.gibibytes(20) } }))
      .toThrow("rootVolume.size must be at least 30 GiB, the root volume of Windows Server 2022 AMIs, got: '20 GiB'");
  });

  test('RHEL 9 on arm64 without a base image', () => {
    expect(() => new HardenedBaseRecipe(stack(), 'R', { operatingSystem: OperatingSystem.RHEL_9, architecture: ImageArchitecture.ARM64 }))
      .toThrow("baseImage is required for operatingSystem 'RHEL_9' on architecture 'arm64'");
  });

  test('a Windows base image for a Linux OS', () => {
    const windows = BaseImage.fromAmiId('ami-0123456789abcdef0', { platform: ImagePlatform.WINDOWS });
    expect(() => new HardenedBaseRecipe(stack(), 'R', { baseImage: windows }))
      .toThrow("baseImage is a Windows image but operatingSystem 'AMAZON_LINUX_2023' is Linux, got baseImage: 'ami-0123456789abcdef0'");
  });

  test('SCAP on an OS or architecture the AWS SCAP component does not support', () => {
    const s = stack();
    const reportBucket = s3.Bucket.fromBucketName(s, 'B', 'report-bucket');
    expect(() => new HardenedBaseRecipe(s, 'R', { operatingSystem: OperatingSystem.UBUNTU_22_04, architecture: ImageArchitecture.ARM64, scapScan: { reportBucket } }))
      .toThrow("scapScan is not available for operatingSystem 'UBUNTU_22_04' on architecture 'arm64'");
  });

  test('a SCAP report prefix that does not end in /', () => {
    const s = stack();
    const reportBucket = s3.Bucket.fromBucketName(s, 'B', 'report-bucket');
    expect(() => new HardenedBaseRecipe(s, 'R', { operatingSystem: OperatingSystem.WINDOWS_SERVER_2022, scapScan: { reportBucket, reportPrefix: 'scap' } }))
      .toThrow("scapScan.reportPrefix must be empty or a key prefix ending in '/' (letters, digits, ! _ . ' ( ) - /, no leading '/'), got: 'scap'");
  });

  test('Inspector readiness without the SSM agent', () => {
    expect(() => new HardenedBaseRecipe(stack(), 'R', { ssmAgent: false }))
      .toThrow('inspectorReady needs the SSM agent (Inspector v2 scans instances through it): set ssmAgent to true or inspectorReady to false, got ssmAgent: false');
  });

  test('a relative CloudWatch log file path', () => {
    expect(() => new HardenedBaseRecipe(stack(), 'R', { cloudWatchAgent: { additionalLogFiles: [{ filePath: 'var/log/app.log' }] } }))
      .toThrow("cloudWatchAgent.additionalLogFiles[0].filePath must be an absolute path, got: 'var/log/app.log'");
  });

  test('a CloudWatch log group prefix with spaces', () => {
    expect(() => new HardenedBaseRecipe(stack(), 'R', { cloudWatchAgent: { logGroupPrefix: '/my logs' } }))
      .toThrow("cloudWatchAgent.logGroupPrefix must be 1-512 characters of letters, digits and . - _ / #, got: '/my logs'");
  });

  test('a recipe name with spaces and no log group prefix (the default prefix comes from the name)', () => {
    expect(() => new HardenedBaseRecipe(stack(), 'R', { recipeName: 'my recipe' }))
      .toThrow("cloudWatchAgent.logGroupPrefix defaults to '/golden-ami/my recipe' (from the recipe name), which is not a log group name (letters, digits and . - _ / #): set cloudWatchAgent.logGroupPrefix");
    expect(() => new HardenedBaseRecipe(stack(), 'R2', { recipeName: 'my recipe', cloudWatchAgent: { logGroupPrefix: '/golden-ami/my-recipe' } })).not.toThrow();
  });

  test('a CloudWatch metrics interval in fractions of a second', () => {
    expect(() => new HardenedBaseRecipe(stack(), 'R', { cloudWatchAgent: { metricsCollectionInterval: Duration.millis(1500) } }))
      .toThrow("cloudWatchAgent.metricsCollectionInterval must be whole seconds from 1 to 86400, got: '1 second 500 millis'");
  });

  test('a CloudWatch metric without a measurement', () => {
    expect(() => new HardenedBaseRecipe(stack(), 'R', { cloudWatchAgent: { additionalMetrics: [{ category: 'cpu', measurement: '' }] } }))
      .toThrow("cloudWatchAgent.additionalMetrics[0] needs a category and a measurement, got: 'cpu' / ''");
  });

  test('a recipe name too long for its component names', () => {
    expect(() => new HardenedBaseRecipe(stack(), 'R', { recipeName: 'r'.repeat(90) }))
      .toThrow(`recipeName must be at most 80 characters (components are named '<recipeName>-<component>', at most 126), got: '${'r'.repeat(90)}'`);
  });
});
