/**
 * Writes what the guest harness runs, as JSON: the components of the recipes the library
 * renders (in recipe order, with their AWSTOE documents and parameter values) and the CIS
 * controls with the violations that must fail their checks.
 *
 *   npx ts-node --project tsconfig.dev.json harness/export-fixtures.ts <out.json>
 *
 * The recipes are Ubuntu 22.04 x86_64 (the guest is Debian 12, the nearest root that can be
 * built here) at every Linux hardening level the library implements itself, and an ECS
 * application image on the Level 2 image.
 */
import * as fs from 'fs';
import * as path from 'path';
import { App, Stack } from 'aws-cdk-lib';
import * as s3 from 'aws-cdk-lib/aws-s3';
import {
  AnsiblePlaybook, CisLevel, EcsApplicationImage, GoldenImage, Hardening, HardenedBaseRecipe,
  ImageArchitecture, OperatingSystem, ParentImage, SecurityAgent,
} from '../src';
import { CIS_CONTROLS, cisApplyScript, cisCheckScript } from '../src/hardened/cis-controls';

/** The bucket name the harness's local S3 stand-in serves the security agent installer from. */
export const INSTALLER_BUCKET = 'golden-ami-harness-installers';
export const INSTALLER_KEY = 'agents/harness-security-agent.deb';

interface Component {
  readonly name: string;
  /** AWS-managed components run from the harness's stand-in documents. */
  readonly managed: boolean;
  readonly document?: string;
  readonly parameters: { [name: string]: string };
}

/** The recipe's components in order, read from the synthesized template. */
function components(stack: Stack, recipeName: string): Component[] {
  const template = App.of(stack)!.synth().getStackByName(stack.stackName).template;
  const resources = Object.entries(template.Resources as Record<string, any>);
  const documents = new Map(resources
    .filter(([, r]) => r.Type === 'AWS::ImageBuilder::Component')
    .map(([id, r]) => [id, { name: r.Properties.Name as string, document: r.Properties.Data as string }]));
  const recipe = resources.find(([, r]) => r.Type === 'AWS::ImageBuilder::ImageRecipe' && r.Properties.Name === recipeName);
  if (!recipe) throw new Error(`no recipe ${recipeName}`);
  return (recipe[1].Properties.Components as any[]).map(entry => {
    const parameters = Object.fromEntries((entry.Parameters ?? []).map((p: any) => {
      const value = p.Value[0];
      if (typeof value !== 'string') throw new Error(`parameter ${p.Name} of ${recipeName} is not a literal: ${JSON.stringify(value)}`);
      return [p.Name, value];
    }));
    const arn = entry.ComponentArn;
    if (arn['Fn::GetAtt']) {
      const own = documents.get(arn['Fn::GetAtt'][0])!;
      // Library components are shared in the stack, named '<stack>-GoldenAmiComponents-<hash>-<name>-<content hash>';
      // a recipe's own are '<recipe>-<name>'. Both documents carry the plain name.
      const documentName = /^name: ("(?:[^"\\]|\\.)*")$/m.exec(own.document);
      const name = documentName ? JSON.parse(documentName[1]) as string : own.name.replace(`${recipeName}-`, '');
      return { name, managed: false, document: own.document, parameters };
    }
    const joined = (arn['Fn::Join'][1] as unknown[]).map(part => (typeof part === 'string' ? part : '')).join('');
    const match = /:aws:component\/([a-z0-9-]+)\/[0-9x.]+$/.exec(joined);
    if (!match) throw new Error(`unrecognised component ARN in ${recipeName}: ${joined}`);
    return { name: match[1], managed: true, parameters };
  });
}

/** A CDK file asset a component reads from S3 (an Ansible playbook), where the synthesis left it. */
interface Asset {
  readonly bucket: string;
  readonly key: string;
  /** The file or folder in the cloud assembly. */
  readonly path: string;
  /** `zip` for a folder the asset publisher zips, `file` for a file uploaded as it is. */
  readonly packaging: string;
}

function assets(app: App, stack: Stack): Asset[] {
  const outdir = app.synth().directory;
  const manifest = JSON.parse(fs.readFileSync(path.join(outdir, `${stack.artifactId}.assets.json`), 'utf-8'));
  return Object.values(manifest.files as Record<string, any>).flatMap(file => Object.values(file.destinations as Record<string, any>).map(destination => ({
    bucket: (destination.bucketName as string).replace('${AWS::AccountId}', stack.account).replace('${AWS::Region}', stack.region),
    key: destination.objectKey as string,
    path: path.join(outdir, file.source.path),
    packaging: file.source.packaging ?? 'file',
  })));
}

function synthesize(outdir: string): { recipes: { [name: string]: Component[] }; assets: Asset[] } {
  const app = new App({ outdir, context: { '@aws-cdk/core:validateAgainstDefaultRules': true } });
  const stack = new Stack(app, 'Harness', { env: { account: '111111111111', region: 'eu-west-1' } });
  const installers = s3.Bucket.fromBucketName(stack, 'Installers', INSTALLER_BUCKET);
  const levels: Array<[string, Hardening]> = [
    ['none', Hardening.none()],
    ['cis-level-1', Hardening.cis(CisLevel.LEVEL_1)],
    ['cis-level-2', Hardening.cis(CisLevel.LEVEL_2)],
  ];
  const recipes: { [name: string]: Component[] } = {};
  let levelTwo: GoldenImage | undefined;
  for (const [name, hardening] of levels) {
    const recipeName = `ubuntu-22-04-${name}`;
    const recipe = new HardenedBaseRecipe(stack, recipeName, {
      recipeName,
      operatingSystem: OperatingSystem.UBUNTU_22_04,
      architecture: ImageArchitecture.X86_64,
      hardening,
      // An agent installed from S3, so the S3Download path runs too.
      securityAgents: [SecurityAgent.fromS3Installer({
        name: 'harness-agent',
        bucket: installers,
        key: INSTALLER_KEY,
        installCommand: 'DEBIAN_FRONTEND=noninteractive apt-get install -y "$INSTALLER"',
        checkCommand: 'dpkg -s harness-security-agent >/dev/null',
        serviceName: 'harness-security-agent',
      })],
    });
    const image = new GoldenImage(stack, `${recipeName}-image`, { recipe, imageName: recipeName });
    recipe.grantBuildAccess(image.infrastructure.instanceRole);
    if (name === 'cis-level-2') levelTwo = image;
  }
  new EcsApplicationImage(stack, 'ecs', {
    imageName: 'ecs-on-cis-level-2',
    recipeName: 'ecs-on-cis-level-2',
    parent: ParentImage.fromGoldenImage(levelTwo!),
    playbooks: [AnsiblePlaybook.fromDirectory(path.join(__dirname, '..', 'examples', 'ecs-playbooks'), { variables: { nofile_limit: '65536' } })],
  });
  for (const [name] of levels) {
    recipes[`ubuntu-22-04-${name}`] = components(stack, `ubuntu-22-04-${name}`);
  }
  recipes['ecs-on-cis-level-2'] = components(stack, 'ecs-on-cis-level-2');
  return { recipes, assets: assets(app, stack) };
}

const out = process.argv[2];
if (!out) throw new Error('usage: export-fixtures.ts <out.json>');
// The cloud assembly stays beside the JSON: the assets point into it.
const synthesized = synthesize(path.join(path.dirname(path.resolve(out)), 'cdk.out'));
const fixtures = {
  ...synthesized,
  cisControls: CIS_CONTROLS.map(control => ({
    id: control.id,
    level: control.level,
    title: control.title,
    apply: cisApplyScript(control),
    check: cisCheckScript(control),
    violations: control.violations,
  })),
};
fs.writeFileSync(out, JSON.stringify(fixtures, null, 2));
console.log(`wrote ${out}: ${Object.entries(fixtures.recipes).map(([name, c]) => `${name} (${c.length} components)`).join(', ')}; ${fixtures.cisControls.length} CIS controls`);
