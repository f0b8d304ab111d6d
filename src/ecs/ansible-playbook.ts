import * as fs from 'fs';
import * as path from 'path';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3assets from 'aws-cdk-lib/aws-s3-assets';
import { Construct } from 'constructs';
import { RecipeComponent } from '../component';
import { PLAYBOOK_FILE_NAME, PLAYBOOK_PATH, renderPlaybookScript, validateAnsibleVariable } from '../private/ansible-script';
import { contentHash } from '../private/content-version';
import { validateS3KeyForPolicy } from '../private/validation';

/**
 * Options of an Ansible playbook.
 */
export interface AnsiblePlaybookOptions {
  /**
   * Extra variables passed to the playbook (`--extra-vars`), names of letters, digits and
   * underscores. Values are plain text, taken as they are: Ansible evaluates Jinja in extra
   * variables, so a value holding `{{`, `{%` or `{#` is refused (it would run as a template
   * on the build instance), as are control characters other than tab and line breaks.
   *
   * @default - none
   */
  readonly variables?: { [name: string]: string };
}

/**
 * Options of an Ansible playbook in a folder (roles, templates, files beside it).
 */
export interface AnsibleDirectoryOptions extends AnsiblePlaybookOptions {
  /**
   * The playbook file inside the folder: a relative path of letters, digits, `.`, `_` and
   * `-`, with `/` between folders (no part starting with `-` or `.`).
   *
   * @default 'site.yml'
   */
  readonly playbook?: string;
}

/**
 * An Ansible playbook applied on the build instance, packaged as a CDK asset.
 */
export class AnsiblePlaybook {
  /**
   * A single playbook file.
   *
   * @param playbookPath path to the `.yml` / `.yaml` playbook; its file name is letters,
   * digits, `.`, `_` and `-`, not starting with `-` or `.`
   */
  public static fromFile(playbookPath: string, options: AnsiblePlaybookOptions = {}): AnsiblePlaybook {
    if (!fs.existsSync(playbookPath) || !fs.statSync(playbookPath).isFile()) {
      throw new Error(`playbooks: the playbook file does not exist, got: '${playbookPath}'`);
    }
    if (!/\.ya?ml$/i.test(playbookPath)) {
      throw new Error(`playbooks: a playbook file must be .yml or .yaml, got: '${playbookPath}'`);
    }
    const fileName = path.basename(playbookPath);
    // The name is a word of the build script and of the component's description.
    if (!PLAYBOOK_FILE_NAME.test(fileName)) {
      throw new Error(`playbooks: the file name of playbookPath must be letters, digits, '.', '_' and '-', not starting with '-' or '.' (rename the file), got: '${fileName}'`);
    }
    return new AnsiblePlaybook(path.resolve(playbookPath), fileName, options.variables ?? {}, false);
  }

  /**
   * A folder holding a playbook and what it uses (roles, templates, files).
   *
   * @param directoryPath path to the folder
   */
  public static fromDirectory(directoryPath: string, options: AnsibleDirectoryOptions = {}): AnsiblePlaybook {
    if (!fs.existsSync(directoryPath) || !fs.statSync(directoryPath).isDirectory()) {
      throw new Error(`playbooks: the playbook folder does not exist, got: '${directoryPath}'`);
    }
    const playbook = options.playbook ?? 'site.yml';
    if (path.isAbsolute(playbook) || playbook.split(/[\\/]/).includes('..') || !fs.existsSync(path.join(directoryPath, playbook))) {
      throw new Error(`playbooks: the playbook '${playbook}' is not a file inside '${directoryPath}'`);
    }
    if (!PLAYBOOK_PATH.test(playbook)) {
      throw new Error(`playbooks: playbook must be a relative path of letters, digits, '.', '_' and '-' with '/' between folders, no part starting with '-' or '.', got: '${playbook}'`);
    }
    return new AnsiblePlaybook(path.resolve(directoryPath), playbook, options.variables ?? {}, true);
  }

  private constructor(
    private readonly assetPath: string,
    private readonly playbook: string,
    private readonly variables: { [name: string]: string },
    private readonly isDirectory: boolean,
  ) {
    for (const [name, value] of Object.entries(variables)) {
      if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) {
        throw new Error(`playbooks: Ansible variable names are letters, digits and underscores, got: '${name}'`);
      }
      validateAnsibleVariable(name, value);
    }
  }

  /**
   * The component that downloads the playbook from its asset and runs it locally; a failed
   * task fails the build. The build instance role is granted read access to the asset.
   *
   * @param scope where the asset is created
   * @param index the playbook's position, naming its component
   * @param buildRole the role of the build instances
   */
  public bind(scope: Construct, index: number, buildRole: iam.IRole): RecipeComponent {
    const asset = new s3assets.Asset(scope, `Playbook${index}`, { path: this.assetPath });
    // The key is the asset hash and the file's extension, behind the synthesizer's bucketPrefix.
    validateS3KeyForPolicy(`playbooks: the asset key of '${this.playbook}' (the stack synthesizer's bucketPrefix)`, asset.s3ObjectKey);
    // This object only: grantRead would open the whole asset bucket to the build instances.
    buildRole.addToPrincipalPolicy(new iam.PolicyStatement({
      actions: ['s3:GetObject'],
      resources: [asset.bucket.arnForObjects(asset.s3ObjectKey)],
    }));
    return RecipeComponent.fromScript({
      name: `ansible-playbook-${index}`,
      description: `Apply Ansible playbook ${this.playbook} (${contentHash(asset.assetHash).slice(0, 12)})`,
      script: renderPlaybookScript({
        playbook: this.playbook,
        source: `s3://${asset.s3BucketName}/${asset.s3ObjectKey}`,
        isDirectory: this.isDirectory,
        variables: this.variables,
      }),
    });
  }
}
