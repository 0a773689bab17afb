/**
 * A docs page's recipes run as written: every `### Title` section whose ```js block is followed
 * by a ```text block is a recipe; the code runs in its own process (through tsx, against the
 * sources, with 'avbuf' and 'avbuf/NAME' resolved through package.json's "exports" to the
 * source of the entry they name: dist/X.js → src/X.ts) and must print exactly the text block,
 * with nothing on stderr.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../..', import.meta.url));

const entries = (JSON.parse(readFileSync(`${root}package.json`, 'utf8')) as { exports: Record<string, string | { default: string }> }).exports;

/** The source file of the package entry `specifier` ('avbuf' or 'avbuf/NAME') names, from package.json's "exports". */
export function sourceOfEntry(specifier: string): string {
  const entry = entries[`.${specifier.slice('avbuf'.length)}`];
  if (entry === undefined) throw new Error(`package.json exports no ${specifier}`);
  const built = typeof entry === 'string' ? entry : entry.default;
  return `${root}${built.replace(/^\.\/dist\//, 'src/').replace(/\.js$/, '.ts')}`;
}

/** One recipe of a docs page. */
export interface Recipe {
  readonly title: string;
  readonly code: string;
  readonly output: string;
}

/** The page's text and its recipes, in order; `jsBlocks` counts every ```js block (a recipe the pattern missed shows as a difference). */
export function recipesOf(docPath: string): { text: string; recipes: Recipe[]; jsBlocks: number } {
  const text = readFileSync(`${root}${docPath}`, 'utf8');
  const recipes = [...text.matchAll(/### (.+)\n[\s\S]*?```js\n([\s\S]*?)```\n+```text\n([\s\S]*?)```/g)].map(([, title, code, output]) => ({
    title: title!,
    code: code!,
    output: output!.trim(),
  }));
  return { text, recipes, jsBlocks: [...text.matchAll(/^```js$/gm)].length };
}

/** Runs one recipe (written to test-results/) and returns what it printed. */
export function runRecipe(docPath: string, index: number, recipe: Recipe, timeoutMs = 60_000): { status: number | null; stdout: string; stderr: string } {
  mkdirSync(`${root}test-results`, { recursive: true });
  const file = `${root}test-results/${basename(docPath, '.md')}-${index}.mts`;
  const code = recipe.code.replaceAll(/from '(avbuf(?:\/[a-z]+)?)'/g, (_, specifier: string) => `from ${JSON.stringify(sourceOfEntry(specifier))}`);
  writeFileSync(file, code);
  const run = spawnSync(process.execPath, ['--import', 'tsx', file], { encoding: 'utf8', timeout: timeoutMs, cwd: root });
  return { status: run.status, stdout: run.stdout.trim(), stderr: run.stderr };
}

/**
 * Registers a page's recipe tests: every js block is a recipe with its printed output (at
 * least `minRecipes` of them), and each runs and prints exactly its text block.
 */
export function describeRecipes(docPath: string, minRecipes: number): void {
  const { recipes, jsBlocks } = recipesOf(docPath);
  describe(docPath, () => {
    it('every js block is a recipe with its printed output', () => {
      expect(recipes.length).toBeGreaterThanOrEqual(minRecipes);
      expect(recipes).toHaveLength(jsBlocks);
    });

    for (const [index, recipe] of recipes.entries()) {
      it(`recipe "${recipe.title}" runs and prints what the doc says`, () => {
        const run = runRecipe(docPath, index, recipe);
        expect(run.stderr).toBe('');
        expect(run.status).toBe(0);
        expect(run.stdout).toBe(recipe.output);
      });
    }
  });
}
