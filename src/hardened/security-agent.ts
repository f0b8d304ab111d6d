import * as path from 'path';
import { Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { ImagePlatform } from '../platform';
import { validateS3KeyForPolicy, validateScript } from '../private/validation';

/** Agent names become component and step names. */
const AGENT_NAME = /^[A-Za-z0-9][A-Za-z0-9_-]{0,47}$/;

/**
 * What every security agent declares.
 */
export interface SecurityAgentOptions {
  /**
   * The agent name: letters, digits, hyphens and underscores, unique in the recipe.
   */
  readonly name: string;

  /**
   * A command that exits 0 only when the agent is installed and working, run in the test
   * phase on an instance launched from the new image (bash on Linux, PowerShell on Windows).
   * Required: an agent nobody checks is an agent nobody knows is there. Like every script:
   * no control characters but tab and line feed, no U+2028 or U+2029.
   */
  readonly checkCommand: string;

  /**
   * The agent's service. The test phase checks it is enabled at boot and running.
   *
   * @default - no service check; `checkCommand` alone proves the agent
   */
  readonly serviceName?: string;

  /**
   * The operating system family the agent is for. It must match the recipe's.
   *
   * @default ImagePlatform.LINUX
   */
  readonly platform?: ImagePlatform;
}

/**
 * A security, SIEM or vulnerability agent installed by a script.
 */
export interface InstallScriptSecurityAgentProps extends SecurityAgentOptions {
  /**
   * The install script (bash on Linux, PowerShell on Windows), run in the build phase. No
   * control characters but tab and line feed (CRLF is taken as LF), no U+2028 or U+2029.
   */
  readonly installScript: string;
}

/**
 * A security, SIEM or vulnerability agent installed from an installer in S3.
 */
export interface S3InstallerSecurityAgentProps extends SecurityAgentOptions {
  /**
   * The bucket holding the installer.
   */
  readonly bucket: s3.IBucket;

  /**
   * The installer's object key, for example `agents/falcon-sensor.rpm`. It names the one
   * object the build role may read, so it holds no `*`, `?` or `${` (IAM wildcards and policy
   * variables), and no control characters or Unicode line separators.
   */
  readonly key: string;

  /**
   * The command that installs it, run in the directory the installer is downloaded to.
   * The installer's path is in `$INSTALLER` (bash) or `$Installer` (PowerShell). No control
   * characters but tab and line feed, no U+2028 or U+2029.
   */
  readonly installCommand: string;
}

/**
 * A security, SIEM or vulnerability-scanning agent a HardenedBaseRecipe bakes in: installed in
 * the build phase, proved by `checkCommand` (and its service) in the test phase.
 *
 * Agents installed from S3 need the build instance role to read the installer: call
 * `HardenedBaseRecipe.grantBuildAccess(infrastructure.instanceRole)`, or
 * `agent.grantInstallerRead(role)` directly.
 */
export class SecurityAgent {
  /**
   * An agent installed by a script.
   */
  public static fromInstallScript(props: InstallScriptSecurityAgentProps): SecurityAgent {
    if (!Token.isUnresolved(props.installScript) && props.installScript.trim().length === 0) {
      throw new Error(`securityAgents '${props.name}' installScript must not be empty, got: '${props.installScript}'`);
    }
    validateScript(`securityAgents '${props.name}' installScript`, props.installScript);
    return new SecurityAgent(props, props.installScript);
  }

  /**
   * An agent installed from an installer in S3 (downloaded with the AWSTOE S3Download action,
   * so no AWS CLI is needed).
   */
  public static fromS3Installer(props: S3InstallerSecurityAgentProps): SecurityAgent {
    if (!Token.isUnresolved(props.key) && (props.key.length === 0 || props.key.endsWith('/') || props.key.startsWith('/'))) {
      throw new Error(`securityAgents '${props.name}' key must be an object key (no leading or trailing '/'), got: '${props.key}'`);
    }
    // The key names the one object the build role may read, and its last part is the
    // installer's file name in the build scripts.
    validateS3KeyForPolicy(`securityAgents '${props.name}' key`, props.key);
    if (!Token.isUnresolved(props.installCommand) && props.installCommand.trim().length === 0) {
      throw new Error(`securityAgents '${props.name}' installCommand must not be empty, got: '${props.installCommand}'`);
    }
    validateScript(`securityAgents '${props.name}' installCommand`, props.installCommand);
    return new SecurityAgent(props, props.installCommand, props.bucket, props.key);
  }

  /** The agent name. */
  public readonly name: string;
  /** The command that proves the agent works. */
  public readonly checkCommand: string;
  /** The service checked in the test phase, if any. */
  public readonly serviceName?: string;
  /** The operating system family. */
  public readonly platform: ImagePlatform;
  /** The installer bucket, for agents installed from S3. */
  public readonly installerBucket?: s3.IBucket;
  /** The installer key, for agents installed from S3. */
  public readonly installerKey?: string;
  /** The install script, or the command run on the downloaded installer. */
  public readonly installCommand: string;
  /**
   * The installer's file name on the build instance, for agents installed from S3: the key's
   * last part, so package managers that go by extension (`.rpm`, `.deb`, `.msi`) recognize it.
   */
  public readonly installerFileName?: string;

  private constructor(options: SecurityAgentOptions, installCommand: string, bucket?: s3.IBucket, key?: string) {
    if (!Token.isUnresolved(options.name) && !AGENT_NAME.test(options.name)) {
      throw new Error(`securityAgents name must be 1-48 letters, digits, hyphens and underscores, starting with a letter or digit, got: '${options.name}'`);
    }
    if (!Token.isUnresolved(options.checkCommand) && options.checkCommand.trim().length === 0) {
      throw new Error(`securityAgents '${options.name}' checkCommand must not be empty: the test phase proves each agent with it, got: '${options.checkCommand}'`);
    }
    validateScript(`securityAgents '${options.name}' checkCommand`, options.checkCommand);
    if (options.serviceName !== undefined && !Token.isUnresolved(options.serviceName) && !/^[A-Za-z0-9][A-Za-z0-9_.@:-]{0,255}$/.test(options.serviceName)) {
      throw new Error(`securityAgents '${options.name}' serviceName must be a service name (letters, digits, _ . @ : -), got: '${options.serviceName}'`);
    }
    this.name = options.name;
    this.checkCommand = options.checkCommand;
    this.serviceName = options.serviceName;
    this.platform = options.platform ?? ImagePlatform.LINUX;
    this.installCommand = installCommand;
    this.installerBucket = bucket;
    this.installerKey = key;
    if (key !== undefined) {
      this.installerFileName = Token.isUnresolved(key) ? 'installer' : path.posix.basename(key);
    }
  }

  /**
   * Lets `grantee` (the build instance role) read the installer. Returns undefined for
   * agents installed by script, which need nothing.
   */
  public grantInstallerRead(grantee: iam.IGrantable): iam.Grant | undefined {
    if (!this.installerBucket || this.installerKey === undefined) return undefined;
    // s3:GetObject on the one object, not grantRead's s3:GetObject*, s3:GetBucket*, s3:List*.
    let grant = iam.Grant.addToPrincipal({
      grantee,
      actions: ['s3:GetObject'],
      resourceArns: [this.installerBucket.arnForObjects(this.installerKey)],
    });
    if (this.installerBucket.encryptionKey) {
      grant = grant.combine(iam.Grant.addToPrincipal({
        grantee,
        actions: ['kms:Decrypt'],
        resourceArns: [this.installerBucket.encryptionKey.keyArn],
      }));
    }
    return grant;
  }
}
