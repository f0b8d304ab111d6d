import * as path from 'path';
import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as s3 from 'aws-cdk-lib/aws-s3';
import {
  AnsiblePlaybook,
  BuildIsolation,
  EcsApplicationImage,
  GoldenImage,
  ImageBuildInfrastructure,
  ImageRecipe,
  ParentImage,
  RecipeComponent,
} from '../src';
import { newStack } from './util';
import { HardenedBaseRecipe, OperatingSystem, SecurityAgent } from '../src/hardened';

/** Two hardened images, each with an EDR installer from its own bucket, granted to its builds. */
function twoImages(buildIsolation?: BuildIsolation): { stack: Stack; a: GoldenImage; b: GoldenImage } {
  const stack = newStack();
  const image = (name: string) => {
    const installers = s3.Bucket.fromBucketName(stack, `${name}Installers`, `installers-${name.toLowerCase()}`);
    const recipe = new HardenedBaseRecipe(stack, `${name}Recipe`, {
      operatingSystem: OperatingSystem.UBUNTU_22_04,
      securityAgents: [SecurityAgent.fromS3Installer({ name: 'edr', bucket: installers, key: 'edr/sensor.deb', installCommand: 'dpkg -i "$INSTALLER"', checkCommand: '/opt/edr/bin/edrctl status', serviceName: 'edr' })],
    });
    const golden = new GoldenImage(stack, name, { recipe, buildIsolation });
    recipe.grantBuildAccess(golden.infrastructure.instanceRole);
    return golden;
  };
  return { stack, a: image('A'), b: image('B') };
}

/** Every resource named in the policies attached to `role`, as rendered JSON. */
function resourcesGrantedTo(stack: Stack, infrastructure: ImageBuildInfrastructure): string[] {
  const roleId = stack.getLogicalId(infrastructure.instanceRole.node.defaultChild as any);
  const policies = Object.values(Template.fromStack(stack).findResources('AWS::IAM::Policy'))
    .filter(policy => JSON.stringify(policy.Properties.Roles).includes(roleId));
  return policies
    .flatMap(policy => policy.Properties.PolicyDocument.Statement)
    .flatMap((statement: any) => [statement.Resource].flat())
    .map(resource => JSON.stringify(resource));
}

describe('buildIsolation', () => {
  test('PER_IMAGE: image A\'s build role can read A\'s installer and not B\'s, and the other way round', () => {
    const { stack, a, b } = twoImages(BuildIsolation.PER_IMAGE);
    const aGrants = resourcesGrantedTo(stack, a.infrastructure as ImageBuildInfrastructure);
    const bGrants = resourcesGrantedTo(stack, b.infrastructure as ImageBuildInfrastructure);
    expect(aGrants.some(r => r.includes('installers-a/edr/sensor.deb'))).toBe(true);
    expect(aGrants.some(r => r.includes('installers-b'))).toBe(false);
    expect(bGrants.some(r => r.includes('installers-b/edr/sensor.deb'))).toBe(true);
    expect(bGrants.some(r => r.includes('installers-a'))).toBe(false);
  });

  test('PER_IMAGE: each image has its own role, instance profile and infrastructure configuration, and shares the stack\'s log bucket and topic', () => {
    const { stack, a, b } = twoImages(BuildIsolation.PER_IMAGE);
    const shared = ImageBuildInfrastructure.ofStack(stack);
    const [ia, ib] = [a.infrastructure as ImageBuildInfrastructure, b.infrastructure as ImageBuildInfrastructure];
    expect(ia.node.path).toBe('Stack/ABuildInfrastructure');
    expect(new Set([ia.instanceRole, ib.instanceRole, shared.instanceRole]).size).toBe(3);
    expect(new Set([ia.instanceProfile, ib.instanceProfile]).size).toBe(2);
    expect(ia.logBucket).toBe(shared.logBucket);
    expect(ia.notificationTopic).toBe(shared.notificationTopic);
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::ImageBuilder::InfrastructureConfiguration', 3);
    template.resourceCountIs('AWS::S3::Bucket', 1);
    // The build topic, and the stack's revocation topic (revocation is on by default): both shared.
    template.resourceCountIs('AWS::SNS::Topic', 2);
    const pipelines = Object.values(template.findResources('AWS::ImageBuilder::ImagePipeline')).map(p => JSON.stringify(p.Properties.InfrastructureConfigurationArn));
    expect(new Set(pipelines).size).toBe(2);
  });

  test('SHARED (the default): both images\' grants land on the one shared build role', () => {
    const { stack, a, b } = twoImages();
    expect(a.infrastructure).toBe(b.infrastructure);
    const grants = resourcesGrantedTo(stack, a.infrastructure as ImageBuildInfrastructure);
    expect(grants.some(r => r.includes('installers-a'))).toBe(true);
    expect(grants.some(r => r.includes('installers-b'))).toBe(true);
  });

  test('PER_IMAGE on an EcsApplicationImage: its playbook grant goes to its own build role, not the shared one', () => {
    const stack = newStack();
    const golden = new GoldenImage(stack, 'Base', { recipe: new ImageRecipe(stack, 'BaseRecipe', { components: [RecipeComponent.awsManaged('update-linux')] }) });
    const app = new EcsApplicationImage(stack, 'App', {
      parent: ParentImage.fromGoldenImage(golden),
      playbooks: [AnsiblePlaybook.fromDirectory(path.join(__dirname, 'ecs', 'fixtures', 'ansible'))],
      buildIsolation: BuildIsolation.PER_IMAGE,
    });
    const own = app.infrastructure as ImageBuildInfrastructure;
    expect(own.node.path).toBe('Stack/AppBuildInfrastructure');
    const isAssetGrant = (r: string) => r.includes('cdk-hnb659fds-assets') || r.includes('.zip');
    expect(resourcesGrantedTo(stack, own).some(isAssetGrant)).toBe(true);
    expect(resourcesGrantedTo(stack, ImageBuildInfrastructure.ofStack(stack)).some(isAssetGrant)).toBe(false);
  });

  test('buildIsolation with infrastructure is an error naming both', () => {
    const stack = newStack();
    const infrastructure = new ImageBuildInfrastructure(stack, 'Infra');
    expect(() => new GoldenImage(stack, 'Image', {
      recipe: new ImageRecipe(stack, 'Recipe', { components: [RecipeComponent.awsManaged('update-linux')] }),
      infrastructure,
      buildIsolation: BuildIsolation.PER_IMAGE,
    })).toThrow("buildIsolation chooses the infrastructure when infrastructure is not given; set one of them, got infrastructure: 'Stack/Infra' and buildIsolation: 'PER_IMAGE'");
  });

  test('a value outside BuildIsolation is an error naming it', () => {
    const stack = newStack();
    expect(() => new GoldenImage(stack, 'Image', {
      recipe: new ImageRecipe(stack, 'Recipe', { components: [RecipeComponent.awsManaged('update-linux')] }),
      buildIsolation: 'ISOLATED' as BuildIsolation,
    })).toThrow("buildIsolation must be a BuildIsolation value, got: 'ISOLATED'");
  });
});
