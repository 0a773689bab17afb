/** docs/streams-node.md runs as written: each recipe prints what the `text` block after it says (test/helpers/docRecipes.ts). */
import { describe, expect, it } from 'vitest';
import { recipesOf, runRecipe } from '../../helpers/docRecipes.js';

const DOC = 'docs/streams-node.md';
const { recipes, jsBlocks } = recipesOf(DOC);

describe(DOC, () => {
  it('every js block is a recipe with its printed output', () => {
    expect(recipes.length).toBeGreaterThan(3);
    expect(recipes).toHaveLength(jsBlocks);
  });

  for (const [index, recipe] of recipes.entries()) {
    it(`recipe "${recipe.title}" runs and prints what the doc says`, () => {
      const run = runRecipe(DOC, index, recipe);
      expect(run.stderr).toBe('');
      expect(run.status).toBe(0);
      expect(run.stdout).toBe(recipe.output);
    });
  }
});
