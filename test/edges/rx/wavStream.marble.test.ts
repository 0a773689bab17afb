/**
 * fromWavStream and toWavStream in virtual time (test/edges/rx/asyncMarbles.ts: stream reads
 * and writes settle outside it): a chunk in the frame its bytes came, the next read only in
 * the frame a block came back; a receipt in the frame the stream's reader took the bytes,
 * completion once the stream finished; an error or an unsubscription at a given frame.
 */
import { PassThrough } from 'node:stream';
import { map } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { BufferPool } from '../../../src/buffers/pool.js';
import { ErrorCode } from '../../../src/core/errors.js';
import { fromWavStream } from '../../../src/edges/rx/fromWavStream.js';
import { releaseChunk, type BlockChunk } from '../../../src/edges/rx/releaseChunk.js';
import { toWavStream } from '../../../src/edges/rx/toWavStream.js';
import type { AudioChunk } from '../../../src/streams/chunk.js';
import { audioChunk } from '../../../src/testing/index.js';
import { runAsyncMarbles } from './asyncMarbles.js';
import { heldWritable, readBack, streamedWav } from './wavStreamKit.js';

/** A chunk's place and samples, as the diagrams compare them. */
const seen = (c: { position: number; frames: number; channels: number; data: Float32Array }) => ({
  position: c.position,
  samples: Array.from(c.data.subarray(0, c.frames * c.channels)),
});

const stereo = (samples: number[], position: number) => audioChunk({ samples, channels: 2, position, sampleRate: 8000 });

describe('fromWavStream (marbles)', () => {
  it('emits the frames of each read in the frame its bytes came, a frame split across two reads with the second, and completes at the end', async () => {
    const wav = streamedWav([1, 2, 3, 4, 5, 6, 7, 8], 2); // 4 stereo f32 frames, 8 bytes each
    const header = wav.length - 32;
    const pipe = new PassThrough();
    await runAsyncMarbles(({ expectObservable, at }) => {
      expectObservable(fromWavStream(pipe).pipe(map(seen))).toBe('-a-b-(c|)', {
        a: { position: 0, samples: [1, 2] },
        b: { position: 1, samples: [3, 4, 5, 6] },
        c: { position: 3, samples: [7, 8] },
      });
      at(1, () => pipe.write(wav.subarray(0, header + 12))); // the header, a frame and half of the next
      at(3, () => pipe.write(wav.subarray(header + 12, header + 28)));
      at(5, () => pipe.end(wav.subarray(header + 28)));
    });
  });

  it('with a pool, reads the next chunk only in the frame the consumer gives its block back', async () => {
    const wav = streamedWav([1, 2, 3, 4, 5, 6], 1);
    const header = wav.length - 24;
    const pulls: number[] = [];
    const pool = new BufferPool({ channels: 1 }, { blocks: 1, blockFrames: 2, onExhausted: 'wait', shared: true });
    const held: BlockChunk[] = [];
    await runAsyncMarbles(({ expectObservable, at, scheduler }) => {
      // Every piece is there at once: what paces the reads is the pool.
      async function* bytes(): AsyncGenerator<Uint8Array> {
        for (const [from, to] of [
          [0, header + 8],
          [header + 8, header + 16],
          [header + 16, header + 24],
        ] as const) {
          pulls.push(scheduler.frame);
          yield await Promise.resolve(wav.slice(from, to));
        }
      }
      const chunks = fromWavStream(bytes(), { pool }).pipe(
        map((c) => {
          held.push(c);
          return seen(c);
        }),
      );
      expectObservable(chunks).toBe('a--b-c-|', {
        a: { position: 0, samples: [1, 2] },
        b: { position: 2, samples: [3, 4] },
        c: { position: 4, samples: [5, 6] },
      });
      at(3, () => releaseChunk(held[0]!));
      at(5, () => releaseChunk(held[1]!));
      at(5, () => expect(pool.stats().inUse).toBe(1));
      at(7, () => releaseChunk(held[2]!)); // the source completed when its last block came back
    });
    expect(pulls).toEqual([0, 3, 5]);
    expect(pool.stats()).toMatchObject({ inUse: 0, waiting: 0 });
  });

  it('lets the stream go at once when unsubscribed while a read waits for bytes: the Readable is destroyed and the pool has every block back', async () => {
    const wav = streamedWav([1, 2, 3, 4], 1);
    const pipe = new PassThrough();
    const pool = new BufferPool({ channels: 1 }, { blocks: 2, blockFrames: 8, onExhausted: 'wait' });
    await runAsyncMarbles(({ expectObservable, at }) => {
      expectObservable(fromWavStream(pipe, { pool }).pipe(map((c) => (releaseChunk(c), c.position))), '^---!').toBe('-a--', { a: 0 });
      at(1, () => pipe.write(wav.subarray(0, wav.length - 8))); // two of four frames; then nothing more comes
    }, { frames: 6 });
    expect(pipe.destroyed).toBe(true);
    expect(pool.stats()).toMatchObject({ inUse: 0 });
  });

  it('errors with ERR_WAV_TRUNCATED in the frame the stream ends inside a frame, after the whole frames, and with ERR_ABORTED when its signal aborts mid-read', async () => {
    const wav = streamedWav([1, 2, 3, 4], 2);
    const cut = new PassThrough();
    const waiting = new PassThrough();
    const stop = new AbortController();
    await runAsyncMarbles(({ expectObservable, at }) => {
      expectObservable(fromWavStream(cut, { name: 'cut' }).pipe(map(seen))).toBe('-a-#', { a: { position: 0, samples: [1, 2] } }, expect.objectContaining({ code: ErrorCode.WAV_TRUNCATED }));
      at(1, () => cut.write(wav.subarray(0, wav.length - 8)));
      at(3, () => cut.end(wav.subarray(wav.length - 8, wav.length - 3)));
      expectObservable(fromWavStream(waiting, { signal: stop.signal }).pipe(map(seen))).toBe('-a--#', { a: { position: 0, samples: [1, 2] } }, expect.objectContaining({ code: ErrorCode.ABORTED }));
      at(1, () => waiting.write(wav.subarray(0, wav.length - 8)));
      at(4, () => stop.abort());
    });
    expect(waiting.destroyed).toBe(true);
  });
});

describe('toWavStream (marbles)', () => {
  it('emits a receipt in the frame the reader took the bytes, and completes in the frame the stream finished', async () => {
    const out = heldWritable(true);
    await runAsyncMarbles(({ cold, expectObservable, expectSubscriptions, at }) => {
      const source = cold('-a-b|', { a: stereo([1, 2, 3, 4], 0), b: stereo([5, 6], 2) });
      expectObservable(source.pipe(toWavStream(out.writable))).toBe('---a-(b|)', {
        a: { position: 0, frames: 2 },
        b: { position: 2, frames: 1 },
      });
      expectSubscriptions(source.subscriptions).toBe('^---!');
      at(3, () => expect(out.take()).toBe(true)); // header and a
      at(5, () => expect(out.take()).toBe(true)); // b; then the end
    });
    expect(out.writable.writableFinished).toBe(true);
    const back = await readBack(out.bytes());
    expect(back).toMatchObject({ format: 'f32', channels: 2 });
    expect(Array.from(back.samples)).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it('on a source error ends the stream early after the whole frames written, and passes the error on once the stream is down', async () => {
    const out = heldWritable(false);
    const boom = new Error('upstream failed');
    await runAsyncMarbles(({ cold, expectObservable }) => {
      const source = cold('-a-#', { a: stereo([1, 2], 0) }, boom);
      expectObservable(source.pipe(toWavStream(out.writable, { format: 's16' }))).toBe('-a-#', { a: { position: 0, frames: 1 } }, boom);
    });
    expect(out.writable.destroyed).toBe(true);
    expect(out.writable.writableFinished).toBe(false);
    const back = await readBack(out.bytes());
    expect(back).toMatchObject({ format: 's16', channels: 2 });
    expect(back.samples.length).toBe(2);
  });

  it('refuses a chunk unlike the first (ERR_CHANNEL_MISMATCH, the stream destroyed) and an empty source without a shape; writes an empty WAV with one', async () => {
    const mismatched = heldWritable(false);
    const empty = heldWritable(false);
    const shaped = heldWritable(false);
    await runAsyncMarbles(({ cold, expectObservable }) => {
      const source = cold('-ab|', { a: stereo([1, 2], 0), b: audioChunk({ samples: [3], channels: 1, position: 1, sampleRate: 8000 }) });
      expectObservable(source.pipe(toWavStream(mismatched.writable))).toBe('-a#', { a: { position: 0, frames: 1 } }, expect.objectContaining({ code: ErrorCode.CHANNEL_MISMATCH }));
      expectObservable(cold<AudioChunk>('--|').pipe(toWavStream(empty.writable))).toBe('--#', undefined, expect.objectContaining({ code: ErrorCode.INVALID_ARGUMENT }));
      expectObservable(cold<AudioChunk>('--|').pipe(toWavStream(shaped.writable, { channels: 3, sampleRate: 44100 }))).toBe('--|');
    });
    expect(mismatched.writable.destroyed).toBe(true);
    const back = await readBack(shaped.bytes());
    expect(back).toMatchObject({ channels: 3 });
    expect(back.samples.length).toBe(0);
  });

  it('refuses what is not a Writable and bad options at call time with ERR_INVALID_ARGUMENT', () => {
    const { writable } = heldWritable(false);
    expect(() => toWavStream({} as never)).toThrow(expect.objectContaining({ code: ErrorCode.INVALID_ARGUMENT }));
    expect(() => toWavStream(writable, { format: 'mp3' as never })).toThrow(expect.objectContaining({ code: ErrorCode.INVALID_ARGUMENT }));
    expect(() => toWavStream(writable, { channels: 0 })).toThrow(expect.objectContaining({ code: ErrorCode.INVALID_ARGUMENT }));
    expect(() => fromWavStream(42 as never)).toThrow(expect.objectContaining({ code: ErrorCode.INVALID_ARGUMENT }));
    expect(() => fromWavStream(new PassThrough(), { chunkFrames: 0 })).toThrow(expect.objectContaining({ code: ErrorCode.INVALID_ARGUMENT }));
  });
});
