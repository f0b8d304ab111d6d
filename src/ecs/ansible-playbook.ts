import * as fs from 'fs';
import * as path from 'path';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3assets from 'aws-cdk-lib/aws-s3-assets';
import { Construct } from 'constructs';
import { RecipeComponent } from '../component';
import { contentHash } from '../private/content-version';

/**
 * Options of an Ansible playbook.
 */
export interface AnsiblePlaybookOptions {
  /**
   * Extra variables passed to the playbook (`--extra-vars`).
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
   * The playbook file inside the folder.
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
   * @param playbookPath path to the `.yml` / `.yaml` playbook
   */
  public static fromFile(playbookPath: string, options: AnsiblePlaybookOptions = {}): AnsiblePlaybook {
    if (!fs.existsSync(playbookPath) || !fs.statSync(playbookPath).isFile()) {
      throw new Error(`playbooks: the playbook file does not exist, got: '${playbookPath}'`);
    }
    if (!/\.ya?ml$/i.test(playbookPath)) {
      throw new Error(`playbooks: a playbook file must be .yml or .yaml, got: '${playbookPath}'`);
    }
    return new AnsiblePlaybook(path.resolve(playbookPath), path.basename(playbookPath), options.variables ?? {}, false);
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
    return new AnsiblePlaybook(path.resolve(directoryPath), playbook, options.variables ?? {}, true);
  }

  private constructor(
    private readonly assetPath: string,
    private readonly playbook: string,
    private readonly variables: { [name: string]: string },
    private readonly isDirectory: boolean,
  ) {
    for (const name of Object.keys(variables)) {
      if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) {
        throw new Error(`playbooks: Ansible variable names are letters, digits and underscores, got: '${name}'`);
      }
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
    // This object only: grantRead would open the whole asset bucket to the build instances.
    buildRole.addToPrincipalPolicy(new iam.PolicyStatement({
      actions: ['s3:GetObject'],
      resources: [asset.bucket.arnForObjects(asset.s3ObjectKey)],
    }));
    const extraVars = JSON.stringify(this.variables);
    const fetch = this.isDirectory
      ? `aws s3 cp "s3://${asset.s3BucketName}/${asset.s3ObjectKey}" "$work/playbook.zip"
(cd "$work" && python3 -m zipfile -e playbook.zip .)`
      : `aws s3 cp "s3://${asset.s3BucketName}/${asset.s3ObjectKey}" "$work/${this.playbook}"`;
    return RecipeComponent.fromScript({
      name: `ansible-playbook-${index}`,
      description: `Apply Ansible playbook ${this.playbook} (${contentHash(asset.assetHash).slice(0, 12)})`,
      script: `work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
${fetch}
cat > "$work/extra-vars.json" <<'VARS'
${extraVars}
VARS
cd "$work"
ansible-playbook --connection=local --inventory localhost, --extra-vars "@$work/extra-vars.json" "${this.playbook}"`,
    });
  }
}
