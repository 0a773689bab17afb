/**
 * Teardown at a random point — an unsubscription after any number of chunks, or an error
 * thrown by a stage between source and sink — leaves nothing behind: every pool block is
 * back (no lease, no waiter), no partial file is left, an output that existed is untouched,
 * and the process has as many open file descriptors as before.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { concatMap, delay, lastValueFrom, map, of, take } from 'rxjs';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { BufferPool } from '../../../src/buffers/pool.js';
import { MemoryBuffer } from '../../../src/buffers/memory.js';
import { fromBuffer } from '../../../src/edges/rx/fromBuffer.js';
import { fromWavFile } from '../../../src/edges/rx/fromWavFile.js';
import { toWavFile } from '../../../src/edges/rx/toWavFile.js';

const dir = mkdtempSync(join(tmpdir(), 'avbuf-rx-teardown-'));
const input = join(dir, 'in.wav');
const FRAMES = 600;
afterAll(() => rmSync(dir, { recursive: true, force: true }));
beforeAll(async () => {
  const source = new MemoryBuffer({ channels: 2, sampleRate: 48000 });
  source.write(Float32Array.from({ length: FRAMES * 2 }, (_, i) => Math.sin(i / 7)));
  await lastValueFrom(fromBuffer(source, { chunkFrames: 256, from: 0 }).pipe(toWavFile(input)));
});

const openFds = (): number => readdirSync('/proc/self/fd').length;
const partials = (): string[] => readdirSync(dir).filter((name) => name.endsWith('.partial'));

describe('teardown at a random point (property)', () => {
  it('gives every block back, deletes the partial file, keeps an old output and closes every handle', async () => {
    let run = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 3 }),
        fc.integer({ min: 16, max: 200 }),
        fc.constantFrom('unsubscribe', 'error'),
        fc.nat(),
        fc.array(fc.integer({ min: 0, max: 2 }), { minLength: 1, maxLength: 6 }),
        fc.boolean(),
        async (blocks, chunkFrames, how, stopSeed, delays, oldOutput) => {
          const chunks = Math.ceil(FRAMES / chunkFrames);
          const stopAt = 1 + (stopSeed % chunks); // receipts before an unsubscription; the chunk that throws
          const output = join(dir, `out-${run++}.wav`);
          if (oldOutput) writeFileSync(output, 'old');
          const fds = openFds();
          const pool = new BufferPool({ channels: 2 }, { blocks, blockFrames: chunkFrames, onExhausted: 'wait' });
          let n = 0;
          const slow = concatMap(<T>(chunk: T) => of(chunk).pipe(delay(delays[n++ % delays.length]!)));
          const boom = new Error('a stage failed');
          const failing = map(<T>(chunk: T, i: number) => {
            if (how === 'error' && i === stopAt - 1) throw boom;
            return chunk;
          });
          const pipeline = fromWavFile(input, { pool }).pipe(slow, failing, toWavFile(output, { sync: false }));
          if (how === 'unsubscribe') await lastValueFrom(pipeline.pipe(take(stopAt)));
          else await expect(lastValueFrom(pipeline)).rejects.toBe(boom);
          await vi.waitFor(() => {
            expect(pool.stats()).toMatchObject({ inUse: 0, waiting: 0 });
            expect(partials()).toEqual([]);
            expect(openFds()).toBe(fds);
          });
          if (oldOutput) expect(readFileSync(output, 'utf8')).toBe('old');
          else expect(existsSync(output)).toBe(false);
        },
      ),
      { numRuns: 30 },
    );
  });
});
