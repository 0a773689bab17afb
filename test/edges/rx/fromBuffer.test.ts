import { concatMap, lastValueFrom, map, take, tap, timer, toArray } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { BufferPool } from '../../../src/buffers/pool.js';
import { MemoryBuffer } from '../../../src/buffers/memory.js';
import { ErrorCode } from '../../../src/core/errors.js';
import type { PositionalReader } from '../../../src/edges/types.js';
import { fromBuffer } from '../../../src/edges/rx/fromBuffer.js';
import { releaseChunk, type BlockChunk } from '../../../src/edges/rx/releaseChunk.js';
import { runMarbles } from '../../../src/testing/index.js';
import { toEqual } from '../../helpers/streams.js';

/** A mono buffer holding 0, 1, 2, … n-1. */
function ramp(n: number, channels = 1): MemoryBuffer {
  const buffer = new MemoryBuffer({ channels, sampleRate: 8000 });
  buffer.write(Float32Array.from({ length: n * channels }, (_, i) => i));
  buffer.seek(0);
  return buffer;
}

const chunk = (samples: number[], position: number, channels = 1) => ({
  data: Float32Array.from(samples),
  frames: samples.length / channels,
  channels,
  sampleRate: 8000,
  position,
});

describe('fromBuffer', () => {
  it('reads a memory buffer in one synchronous burst of fresh chunks, the last one short, then completes', () => {
    runMarbles(toEqual, ({ expectObservable }) => {
      expectObservable(fromBuffer(ramp(5), { chunkFrames: 2 })).toBe('(abc|)', {
        a: chunk([0, 1], 0),
        b: chunk([2, 3], 2),
        c: chunk([4], 4),
      });
    });
  });

  it('starts at `from`, or at the position when subscribed, and leaves the position after the last frame', () => {
    const buffer = ramp(6, 2);
    runMarbles(toEqual, ({ expectObservable }) => {
      expectObservable(fromBuffer(buffer, { chunkFrames: 4, from: 3 })).toBe('(a|)', { a: chunk([6, 7, 8, 9, 10, 11], 3, 2) });
    });
    expect(buffer.tell()).toBe(6);
    buffer.seek(4);
    runMarbles(toEqual, ({ expectObservable }) => {
      expectObservable(fromBuffer(buffer, { chunkFrames: 4 })).toBe('(a|)', { a: chunk([8, 9, 10, 11], 4, 2) });
    });
  });

  it('stops reading when unsubscribed: take(1) reads one chunk only', () => {
    const buffer = ramp(10);
    runMarbles(toEqual, ({ expectObservable }) => {
      expectObservable(fromBuffer(buffer, { chunkFrames: 3 }).pipe(take(1))).toBe('(a|)', { a: chunk([0, 1, 2], 0) });
    });
    expect(buffer.tell()).toBe(3);
  });

  it('errors with the buffer\'s typed error: a closed buffer gives ERR_BUFFER_CLOSED', async () => {
    const buffer = ramp(4);
    buffer.close();
    await expect(lastValueFrom(fromBuffer(buffer, { chunkFrames: 2, from: 0 }))).rejects.toMatchObject({ code: ErrorCode.BUFFER_CLOSED });
  });

  it('errors with ERR_SEEK_OUT_OF_RANGE for a `from` past the end, and reads nothing', () => {
    const seen: unknown[] = [];
    let failure: unknown;
    fromBuffer(ramp(4), { chunkFrames: 2, from: 5 }).subscribe({ next: (c) => seen.push(c), error: (e: unknown) => (failure = e) });
    expect(seen).toEqual([]);
    expect(failure).toMatchObject({ code: ErrorCode.SEEK_OUT_OF_RANGE });
  });

  it('refuses bad options at call time with ERR_INVALID_ARGUMENT', () => {
    const buffer = ramp(4);
    expect(() => fromBuffer(buffer, { chunkFrames: 0 })).toThrow(expect.objectContaining({ code: ErrorCode.INVALID_ARGUMENT }));
    expect(() => fromBuffer(buffer, { chunkFrames: 1.5 })).toThrow(expect.objectContaining({ code: ErrorCode.INVALID_ARGUMENT }));
    expect(() => fromBuffer(buffer, {})).toThrow(expect.objectContaining({ code: ErrorCode.INVALID_ARGUMENT }));
    expect(() => fromBuffer(buffer, { chunkFrames: 2, from: -1 })).toThrow(expect.objectContaining({ code: ErrorCode.INVALID_ARGUMENT }));
    const notABuffer: unknown = { config: { channels: 1, sampleRate: 8000 } };
    expect(() => fromBuffer(notABuffer as PositionalReader, { chunkFrames: 2 })).toThrow(expect.objectContaining({ code: ErrorCode.INVALID_ARGUMENT }));
  });

  it('with a pool, reads into its blocks and holds no more than the pool has while a slow consumer works', async () => {
    const pool = new BufferPool({ channels: 1 }, { blocks: 2, blockFrames: 4, onExhausted: 'wait' });
    let inUseSeen = 0;
    const positions = await lastValueFrom(
      fromBuffer(ramp(21), { pool }).pipe(
        concatMap((c) =>
          timer(1).pipe(
            map(() => {
              inUseSeen = Math.max(inUseSeen, pool.stats().inUse);
              expect(Array.from(c.data.subarray(0, c.frames))).toEqual(Array.from({ length: c.frames }, (_, i) => c.position + i));
              releaseChunk(c);
              return c.position;
            }),
          ),
        ),
        toArray(),
      ),
    );
    expect(positions).toEqual([0, 4, 8, 12, 16, 20]);
    expect(inUseSeen).toBe(2);
    expect(pool.stats()).toMatchObject({ inUse: 0, peakInUse: 2 });
  });

  it('with a pool, reads the next chunk in the very frame a slow consumer gives a block back (virtual time)', async () => {
    const pool = new BufferPool({ channels: 1 }, { blocks: 2, blockFrames: 1, onExhausted: 'wait' });
    const reads: [number, number][] = [];
    runMarbles(toEqual, ({ expectObservable, scheduler }) => {
      const slowSink = concatMap((c: BlockChunk) =>
        timer(3).pipe(
          map(() => {
            c.lease.release();
            return String(c.position);
          }),
        ),
      );
      const source = fromBuffer(ramp(4), { pool }).pipe(tap((c) => reads.push([scheduler.now(), c.position])));
      // Each chunk takes the consumer 3 ms; with two blocks, chunk n+2 is read when chunk n is released.
      expectObservable(source.pipe(slowSink)).toBe('3ms 0 2ms 1 2ms 2 2ms (3|)');
    });
    expect(reads).toEqual([
      [0, 0],
      [0, 1],
      [3, 2],
      [6, 3],
    ]);
    await new Promise((resolve) => setImmediate(resolve)); // the pool's own wait, queued when both blocks were out, got a block: it goes back
    expect(pool.stats()).toMatchObject({ inUse: 0, peakInUse: 2, waiting: 0 });
  });

  it('with a pool, refuses a chunk that does not fit a block', async () => {
    const pool = new BufferPool({ channels: 1 }, { blocks: 2, blockFrames: 4, onExhausted: 'wait' });
    await expect(lastValueFrom(fromBuffer(ramp(8, 2), { pool, chunkFrames: 3 }))).rejects.toMatchObject({ code: ErrorCode.INVALID_ARGUMENT });
    expect(pool.stats().inUse).toBe(0);
  });
});
