import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { parse } from 'yaml';
import { GoldenImage } from '../../src/golden-image';
import { CisLevel, Hardening, HardeningStandard, HardenedBaseRecipe, HardenedBaseRecipeProps, OperatingSystem, StigLevel } from '../../src/hardened';
import { newStack } from '../util';

/** A synthesized hardened recipe built by a GoldenImage. */
export interface Synthesized {
  readonly stack: Stack;
  readonly recipe: HardenedBaseRecipe;
  readonly template: Template;
  /** The recipe's components in order: `aws:<name>` for AWS-managed ones, `<name>` for the library's. */
  readonly components: string[];
  /** The recipe's component entries as in the template. */
  readonly entries: Array<{ ComponentArn: unknown; Parameters?: Array<{ Name: string; Value: unknown[] }> }>;
  /** The component documents in the stack by component name (the document's `name`, without stack or recipe prefix). */
  readonly documents: Map<string, { data: string; platform: string; version: string }>;
  /** The recipe resource properties. */
  readonly recipeProperties: Record<string, any>;
}

/** Builds a stack with a HardenedBaseRecipe and a GoldenImage, synthesized with CloudFormation validation as errors. */
export function synthRecipe(props: HardenedBaseRecipeProps = {}, configure?: (recipe: HardenedBaseRecipe, image: GoldenImage) => void): Synthesized {
  const stack = newStack();
  const recipe = new HardenedBaseRecipe(stack, 'Base', { recipeName: 'base', ...props });
  const image = new GoldenImage(stack, 'Image', { recipe, imageName: 'base' });
  configure?.(recipe, image);
  return inspect(stack, recipe);
}

export function inspect(stack: Stack, recipe: HardenedBaseRecipe): Synthesized {
  const template = Template.fromStack(stack);
  const componentResources = template.findResources('AWS::ImageBuilder::Component');
  const byLogicalId = new Map<string, string>();
  const documents = new Map<string, { data: string; platform: string; version: string }>();
  for (const [logicalId, resource] of Object.entries(componentResources)) {
    // Shared components are named after the stack and their content, the recipe's own after
    // the recipe: both documents carry the component's own name.
    const data = resource.Properties.Data;
    const name = typeof data === 'string'
      ? (parse(data) as { name: string }).name
      : (resource.Properties.Name as string).replace(`${recipe.imageRecipeName}-`, '');
    byLogicalId.set(logicalId, name);
    documents.set(name, { data: resource.Properties.Data, platform: resource.Properties.Platform, version: resource.Properties.Version });
  }
  const recipes = Object.values(template.findResources('AWS::ImageBuilder::ImageRecipe'));
  expect(recipes).toHaveLength(1);
  const recipeProperties = recipes[0].Properties;
  const entries = recipeProperties.Components as Synthesized['entries'];
  const components = entries.map(entry => {
    const arn = entry.ComponentArn as any;
    if (arn['Fn::GetAtt']) return byLogicalId.get(arn['Fn::GetAtt'][0])!;
    const joined = (arn['Fn::Join'][1] as unknown[]).map(part => (typeof part === 'string' ? part : '')).join('');
    const match = /:aws:component\/([a-z0-9-]+)\/x\.x\.x$/.exec(joined);
    return `aws:${match![1]}`;
  });
  return { stack, recipe, template, components, entries, documents, recipeProperties };
}

/** Every hardening the library offers. */
export const HARDENINGS: Hardening[] = [
  Hardening.none(),
  Hardening.stig(StigLevel.LOW),
  Hardening.stig(StigLevel.MEDIUM),
  Hardening.stig(StigLevel.HIGH),
  Hardening.cis(CisLevel.LEVEL_1),
  Hardening.cis(CisLevel.LEVEL_2),
];

/** Whether the library offers `hardening` on `os`. */
export function hardeningSupported(os: OperatingSystem, hardening: Hardening): boolean {
  return hardening.standard === HardeningStandard.NONE
    || (hardening.standard === HardeningStandard.STIG && os.stigSupported)
    || (hardening.standard === HardeningStandard.CIS && os.cisSupported);
}
