/** docs/streams-rxjs.md runs as written: each recipe prints what the `text` block after it says (test/helpers/docRecipes.ts). */
import { describe, expect, it } from 'vitest';
import * as edges from '../../../src/edges/index.js';
import { recipesOf, runRecipe } from '../../helpers/docRecipes.js';

const DOC = 'docs/streams-rxjs.md';
const { text: doc, recipes, jsBlocks } = recipesOf(DOC);

describe(DOC, () => {
  it('has its five recipes', () => {
    expect(recipes).toHaveLength(jsBlocks);
    expect(recipes.map((r) => r.title)).toEqual([
      'Copy a buffer through a gain',
      'A WAV file of any size through a gain, in bounded memory',
      'A ring between a producer and a slow consumer',
      'Your own consumer of pooled chunks',
      'A failure leaves nothing behind',
    ]);
  });

  it('names every RxJS function src/edges exports', () => {
    const rx = ['fromBuffer', 'fromRing', 'fromWavFile', 'fromWavStream', 'intoBuffer', 'intoRing', 'toWavFile', 'toWavStream', 'encodeInWorker', 'releaseChunk', 'isBlockChunk', 'isEncodedChunk'];
    for (const name of rx) {
      expect(typeof (edges as Record<string, unknown>)[name]).toBe('function');
      expect(doc).toContain(`\`${name}(`);
    }
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
