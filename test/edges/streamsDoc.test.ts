/**
 * docs/streams.md runs as written: each `js` recipe prints what the `text` block after it says
 * (test/helpers/docRecipes.ts), and its `sh` pipeline — sox | avbuf process - - | ffmpeg —
 * runs through a real shell with the built command.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import * as avbuf from '../../src/index.js';
import { recipesOf, runRecipe } from '../helpers/docRecipes.js';
import { requireProgram } from '../helpers/program.js';

const DOC = 'docs/streams.md';
const root = fileURLToPath(new URL('../..', import.meta.url));
const { text, recipes, jsBlocks } = recipesOf(DOC);
const hasSox = requireProgram('sox', 'sox');
const hasFfmpeg = requireProgram('ffmpeg', 'ffmpeg', '-version');

describe(DOC, () => {
  it('has a recipe for RxJS, Node streams, WHATWG streams and pipes', () => {
    expect(recipes).toHaveLength(jsBlocks);
    expect(recipes.map((r) => r.title.split(':')[0])).toEqual(['RxJS', 'Node streams', 'WHATWG streams', 'Pipes']);
  });

  it('names every function of its table, and each is exported from avbuf', () => {
    const table = text
      .slice(0, text.indexOf('## What every edge'))
      .split('\n')
      .filter((line) => line.startsWith('| ') && !line.startsWith('| you have'))
      .map((line) => line.split('|')[2])
      .join(' ');
    const names = [...table.matchAll(/`([a-zA-Z]+)`/g)].map(([, name]) => name!).filter((name) => /^[a-z]/.test(name) || name.startsWith('Wav'));
    expect(names.length).toBeGreaterThan(20);
    for (const name of names) expect(typeof (avbuf as Record<string, unknown>)[name], name).toBe('function');
  });

  for (const [index, recipe] of recipes.entries()) {
    it.skipIf(!hasSox || !hasFfmpeg)(`recipe "${recipe.title}" runs and prints what the doc says`, () => {
      const run = runRecipe(DOC, index, recipe);
      expect(run.stderr).toBe('');
      expect(run.status).toBe(0);
      expect(run.stdout).toBe(recipe.output);
    });
  }

  it.skipIf(!hasSox || !hasFfmpeg)('the sh pipeline through `avbuf process - -` runs and prints what the doc says', () => {
    const match = /```sh\n([\s\S]*?)```\n+```text\n([\s\S]*?)```/.exec(text);
    expect(match).not.toBeNull();
    const [, command, output] = match!;
    // The built command (npm test builds dist/ first), as `avbuf` would run once installed.
    const script = `set -o pipefail\navbuf() { node ${JSON.stringify(`${root}dist/cli/avbuf.js`)} "$@"; }\n${command}`;
    const run = spawnSync('bash', ['-c', script], { encoding: 'utf8', timeout: 60_000 });
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout.trim()).toBe(output!.trim());
  });
});
