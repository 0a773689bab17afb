/**
 * A source whose reader reads ahead (fromWavFile): the next read goes out as soon as a read
 * returned a whole chunk, before that chunk goes downstream, into a block the pool has free —
 * so a consumer working on chunk n sees chunk n+1's block already leased — and chunks still
 * come in order, whole, once each; teardown with a read ahead in flight gives its block back
 * and closes the file.
 */
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { lastValueFrom, take, tap, toArray } from 'rxjs';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { BufferPool } from '../../../src/buffers/pool.js';
import { chunkSource } from '../../../src/edges/rx/chunkSource.js';
import { fromWavFile } from '../../../src/edges/rx/fromWavFile.js';
import { releaseChunk } from '../../../src/edges/rx/releaseChunk.js';
import { WavWriter } from '../../../src/formats/wavWriter.js';

const dir = mkdtempSync(join(tmpdir(), 'avbuf-rx-ahead-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const openFds = (): number => readdirSync('/proc/self/fd').length;

/** A mono f32 WAV at 8000 Hz whose sample i is i. */
async function countingFile(name: string, frames: number): Promise<string> {
  const path = join(dir, name);
  const writer = await WavWriter.create(path, { format: 'f32', channels: 1, sampleRate: 8000 });
  await writer.write(Float32Array.from({ length: frames }, (_, i) => i));
  await writer.close();
  return path;
}

/** What a consumer that gives each block back in its `next` sees: position, first and last sample, blocks leased meanwhile. */
function consume(path: string, pool: BufferPool): Promise<[number, number, number, number][]> {
  return new Promise((resolve, reject) => {
    const seen: [number, number, number, number][] = [];
    fromWavFile(path, { pool }).subscribe({
      next: (chunk) => {
        seen.push([chunk.position, chunk.data[0]!, chunk.data[chunk.frames - 1]!, pool.stats().inUse]);
        releaseChunk(chunk);
      },
      error: reject,
      complete: () => resolve(seen),
    });
  });
}

describe('read ahead (fromWavFile)', () => {
  it('while the consumer holds chunk n, chunk n+1 is being read into a second block; the short last chunk reads nothing ahead', async () => {
    const path = await countingFile('ahead.wav', 10);
    const pool = new BufferPool({ channels: 1 }, { blocks: 3, blockFrames: 4, onExhausted: 'wait' });
    const fds = openFds();
    expect(await consume(path, pool)).toEqual([
      [0, 0, 3, 2],
      [4, 4, 7, 2],
      [8, 8, 9, 1],
    ]);
    expect(pool.stats()).toMatchObject({ inUse: 0, peakInUse: 2 });
    expect(openFds()).toBe(fds);
  });

  it('a file of whole chunks reads ahead past its last one (the read that finds the end)', async () => {
    const path = await countingFile('whole.wav', 8);
    const pool = new BufferPool({ channels: 1 }, { blocks: 2, blockFrames: 4, onExhausted: 'wait' });
    expect(await consume(path, pool)).toEqual([
      [0, 0, 3, 2],
      [4, 4, 7, 2],
    ]);
    expect(pool.stats().inUse).toBe(0);
  });

  it('with one block there is nothing to read ahead into: one chunk at a time, all of them', async () => {
    const path = await countingFile('one.wav', 10);
    const pool = new BufferPool({ channels: 1 }, { blocks: 1, blockFrames: 4, onExhausted: 'wait' });
    expect(await consume(path, pool)).toEqual([
      [0, 0, 3, 1],
      [4, 4, 7, 1],
      [8, 8, 9, 1],
    ]);
  });

  it('unsubscribed with a read ahead in flight: its block comes back and the file is closed', async () => {
    const path = await countingFile('dropped.wav', 400);
    const pool = new BufferPool({ channels: 1 }, { blocks: 4, blockFrames: 4, onExhausted: 'wait' });
    const fds = openFds();
    const leased: number[] = [];
    const first = await lastValueFrom(
      fromWavFile(path, { pool }).pipe(
        tap(() => leased.push(pool.stats().inUse)),
        take(1),
        toArray(),
      ),
    );
    expect(first.map((c) => c.position)).toEqual([0]);
    expect(leased).toEqual([2]);
    await vi.waitFor(() => expect(pool.stats().inUse).toBe(0));
    await vi.waitFor(() => expect(openFds()).toBe(fds));
  });

  it('a reader that reads ahead and answers synchronously still delivers in order, each chunk once', async () => {
    const samples = Float32Array.from({ length: 11 }, (_, i) => i);
    const pool = new BufferPool({ channels: 1 }, { blocks: 3, blockFrames: 3, onExhausted: 'wait' });
    const chunks = await lastValueFrom(
      chunkSource(
        () => ({
          channels: 1,
          sampleRate: 8000,
          start: 0,
          readAhead: true,
          read: (target, position) => {
            const n = Math.max(0, Math.min(target.length, samples.length - position));
            target.set(samples.subarray(position, position + n));
            return position === 0 ? Promise.resolve(n) : n;
          },
        }),
        { pool },
      ).pipe(
        tap((chunk) => releaseChunk(chunk)),
        toArray(),
      ),
    );
    expect(chunks.map((c) => [c.position, c.frames])).toEqual([
      [0, 3],
      [3, 3],
      [6, 3],
      [9, 2],
    ]);
    expect(pool.stats().inUse).toBe(0);
  });
});
