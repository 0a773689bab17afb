/**
 * 'avbuf/rx' (src/edges/rx/index.ts): package.json exports it, every name it exports is the very
 * one 'avbuf' and 'avbuf/streams' export, and nothing it loads reaches XState, the actors, the
 * jobs or the inspector — the reason the entry exists (docs/streams-rxjs.md).
 */
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import * as avbuf from '../../../src/index.js';
import * as rx from '../../../src/edges/rx/index.js';
import * as streams from '../../../src/streams/index.js';
import { sourceOfEntry } from '../../helpers/docRecipes.js';

const root = fileURLToPath(new URL('../../..', import.meta.url));
const entry = resolve(root, 'src/edges/rx/index.ts');

const NAMES = [
  'BufferPool',
  'WavReader',
  'createPtsSyncStats',
  'createTimeWindowStats',
  'dbToGain',
  'encodeInWorker',
  'fillGate',
  'fillGateLevel',
  'fromBuffer',
  'fromJetStream',
  'fromRing',
  'fromWavFile',
  'fromWavStream',
  'gain',
  'intoBuffer',
  'intoJetStream',
  'intoRing',
  'isBlockChunk',
  'isEncodedChunk',
  'peak',
  'ptsSync',
  'readWavInfo',
  'releaseChunk',
  'stallDetect',
  'timeWindow',
  'toAudioChunks',
  'toMediaRecords',
  'toWavFile',
  'toWavStream',
];

/**
 * Every file and package `file` loads at run time, following relative imports (type-only ones
 * too: stricter). A package imported for its types only is not loaded (the JetStream parts load
 * the NATS client and msgpackr on first use, with a dynamic import or require).
 */
function importGraph(file: string): { files: Set<string>; packages: Set<string> } {
  const files = new Set<string>();
  const packages = new Set<string>();
  const visit = (path: string): void => {
    if (files.has(path)) return;
    files.add(path);
    const text = readFileSync(path, 'utf8');
    for (const [statement, specifier] of text.matchAll(/^(?:import|export)\b[^;]*?\bfrom\s+'([^']+)'/gm)) {
      if (specifier!.startsWith('.')) visit(resolve(dirname(path), specifier!.replace(/\.js$/, '.ts')));
      else if (!statement.startsWith('import type ')) packages.add(specifier!);
    }
  };
  visit(file);
  return { files, packages };
}

describe("'avbuf/rx'", () => {
  it('is an entry of package.json whose source is src/edges/rx/index.ts', () => {
    expect(sourceOfEntry('avbuf/rx')).toBe(entry);
  });

  it('exports each name a composition needs, the same object as avbuf and avbuf/streams do', () => {
    expect(Object.keys(rx).sort()).toEqual(NAMES);
    const everywhere: Record<string, unknown> = { ...avbuf, ...streams };
    for (const name of NAMES) {
      const value = (rx as Record<string, unknown>)[name];
      expect(typeof value, name).toBe('function');
      expect(value, name).toBe(everywhere[name]);
    }
  });

  it('loads no XState, actors, machines, jobs, inspector, GStreamer or command line', () => {
    const { files, packages } = importGraph(entry);
    const layers = new Set([...files].map((f) => f.slice(root.length).split('/').slice(0, 2).join('/')));
    expect([...layers].sort()).toEqual(['src/buffers', 'src/core', 'src/edges', 'src/formats', 'src/jetstream', 'src/streams', 'src/workers']);
    const foreign = [...packages].filter((p) => !/^(rxjs|node:[\w/]+|piscina)$/.test(p));
    expect(foreign).toEqual([]);
    expect(packages.has('xstate')).toBe(false);
  });
});
