import { Template } from 'aws-cdk-lib/assertions';
import { newStack } from './util';
import { GoldenImage, GoldenImageOptions, ImageRecipe, RecipeComponent } from '../src';
import { HardenedBaseRecipe } from '../src/hardened';

// GoldenImageOptions is GoldenImageProps without the recipe: what a recipe's addGoldenImage takes.
const OPTIONS: GoldenImageOptions = {
  imageName: 'shared-options',
  regions: ['eu-west-1', 'us-east-1'],
  ssmParameterName: '/images/shared-options/latest',
};

describe('GoldenImageOptions', () => {
  test('ImageRecipe.addGoldenImage builds the recipe with the options', () => {
    const stack = newStack();
    const recipe = new ImageRecipe(stack, 'Recipe', { components: [RecipeComponent.awsManaged('update-linux')] });
    const image = recipe.addGoldenImage('Image', OPTIONS);

    expect(image).toBeInstanceOf(GoldenImage);
    expect(image.node.scope).toBe(recipe);
    expect(image.imageName).toBe('shared-options');
    expect(image.ssmParameterName).toBe('/images/shared-options/latest');
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::ImageBuilder::ImagePipeline', {
      Name: 'shared-options',
      ImageRecipeArn: { 'Fn::GetAtt': [stack.getLogicalId(recipe.resource), 'Arn'] },
    });
    const distributions = Object.values(template.findResources('AWS::ImageBuilder::DistributionConfiguration'));
    expect(distributions[0].Properties.Distributions.map((d: { Region: string }) => d.Region)).toEqual(['eu-west-1', 'us-east-1']);
  });

  test('HardenedBaseRecipe.addGoldenImage builds the hardened recipe, with defaults when no options are given', () => {
    const stack = newStack();
    const recipe = new HardenedBaseRecipe(stack, 'Hardened');
    const image = recipe.addGoldenImage('Image');

    expect(image.node.scope).toBe(recipe);
    expect(image.ssmParameterName).toBe(`/golden-ami/${image.imageName}/latest`);
    Template.fromStack(stack).hasResourceProperties('AWS::ImageBuilder::ImagePipeline', {
      ImageRecipeArn: { 'Fn::GetAtt': [stack.getLogicalId(recipe.recipe.resource), 'Arn'] },
    });
  });

  test('options are validated as GoldenImageProps are, naming the prop', () => {
    const stack = newStack();
    const recipe = new ImageRecipe(stack, 'Recipe', { components: [RecipeComponent.awsManaged('update-linux')] });
    expect(() => recipe.addGoldenImage('Image', { regions: ['eu-west-12'] })).toThrow(/regions.*'eu-west-12'/);
  });
});
