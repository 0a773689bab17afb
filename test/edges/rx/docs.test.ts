/**
 * docs/streams-rxjs.md runs as written: each `js` block runs in its own process (through tsx,
 * against the sources, with 'avbuf' resolved to the public API plus the RxJS sources and
 * sinks, and 'avbuf/streams' to src/streams) and prints what the `text` block after it says.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import * as edges from '../../../src/edges/index.js';

const root = fileURLToPath(new URL('../../..', import.meta.url));
const api = fileURLToPath(new URL('./docsApi.ts', import.meta.url));
const streams = `${root}src/streams/index.ts`;
const doc = readFileSync(`${root}docs/streams-rxjs.md`, 'utf8');
const recipes = [...doc.matchAll(/### (.+)\n[\s\S]*?```js\n([\s\S]*?)```\n+```text\n([\s\S]*?)```/g)].map(([, title, code, output]) => ({
  title: title!,
  code: code!,
  output: output!.trim(),
}));

describe('docs/streams-rxjs.md', () => {
  it('has its five recipes', () => {
    expect(recipes.map((r) => r.title)).toEqual([
      'Copy a buffer through a gain',
      'A WAV file of any size through a gain, in bounded memory',
      'A ring between a producer and a slow consumer',
      'Your own consumer of pooled chunks',
      'A failure leaves nothing behind',
    ]);
  });

  it('names every RxJS function src/edges exports', () => {
    const rx = ['fromBuffer', 'fromRing', 'fromWavFile', 'intoBuffer', 'intoRing', 'toWavFile', 'releaseChunk', 'isBlockChunk'];
    for (const name of rx) {
      expect(typeof (edges as Record<string, unknown>)[name]).toBe('function');
      expect(doc).toContain(`\`${name}(`);
    }
  });

  for (const [index, { title, code, output }] of recipes.entries()) {
    it(`recipe "${title}" runs and prints what the doc says`, () => {
      mkdirSync(`${root}test-results`, { recursive: true });
      const file = `${root}test-results/streams-rxjs-${index}.mts`;
      writeFileSync(file, code.replaceAll("from 'avbuf/streams'", `from ${JSON.stringify(streams)}`).replaceAll("from 'avbuf'", `from ${JSON.stringify(api)}`));
      const run = spawnSync(process.execPath, ['--import', 'tsx', file], { encoding: 'utf8', timeout: 60_000 });
      expect(run.stderr).toBe('');
      expect(run.status).toBe(0);
      expect(run.stdout.trim()).toBe(output);
    });
  }
});
