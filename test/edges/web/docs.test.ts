/**
 * docs/streams-web.md runs as written: each `js` block runs in its own process (through tsx,
 * against the sources, with 'avbuf' resolved to the public API plus the WHATWG stream helpers)
 * and prints what the `text` block after it says.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../..', import.meta.url));
const api = fileURLToPath(new URL('./docsApi.ts', import.meta.url));
const doc = readFileSync(`${root}docs/streams-web.md`, 'utf8');
const recipes = [...doc.matchAll(/### (.+)\n[\s\S]*?```js\n([\s\S]*?)```\n+```text\n([\s\S]*?)```/g)].map(([, title, code, output]) => ({
  title: title!,
  code: code!,
  output: output!.trim(),
}));

describe('docs/streams-web.md', () => {
  it('has its five recipes', () => {
    expect(recipes.map((r) => r.title)).toHaveLength(5);
  });

  for (const [index, { title, code, output }] of recipes.entries()) {
    it(`recipe "${title}" runs and prints what the doc says`, () => {
      mkdirSync(`${root}test-results`, { recursive: true });
      const file = `${root}test-results/streams-web-${index}.mts`;
      writeFileSync(file, code.replaceAll(/from 'avbuf'/g, `from ${JSON.stringify(api)}`));
      const run = spawnSync(process.execPath, ['--import', 'tsx', file], { encoding: 'utf8', timeout: 60_000 });
      expect(run.stderr).toBe('');
      expect(run.status).toBe(0);
      expect(run.stdout.trim()).toBe(output);
    });
  }
});
