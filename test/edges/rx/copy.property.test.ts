/**
 * Source → sink copies checked against the simplest model there is: the samples themselves.
 * For random contents, channel counts, chunk sizes, pool sizes and consumer delays, what
 * arrives is bit for bit what was sent (nothing lost, repeated or reordered), the receipts
 * tile the stream, and every pool block is back when the copy is done.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { concatMap, delay, lastValueFrom, of, toArray } from 'rxjs';
import { afterAll, describe, expect, it } from 'vitest';
import { BufferPool } from '../../../src/buffers/pool.js';
import { MemoryBuffer } from '../../../src/buffers/memory.js';
import { attachRing, RingBuffer } from '../../../src/buffers/ring.js';
import { fromBuffer } from '../../../src/edges/rx/fromBuffer.js';
import { fromRing } from '../../../src/edges/rx/fromRing.js';
import { fromWavFile } from '../../../src/edges/rx/fromWavFile.js';
import { intoBuffer } from '../../../src/edges/rx/intoBuffer.js';
import { intoRing } from '../../../src/edges/rx/intoRing.js';
import type { Written } from '../../../src/edges/rx/chunkSink.js';
import { toWavFile } from '../../../src/edges/rx/toWavFile.js';

const dir = mkdtempSync(join(tmpdir(), 'avbuf-rx-copy-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Channels and interleaved samples of that many whole frames. */
const audio = (maxFrames: number) =>
  fc.integer({ min: 1, max: 4 }).chain((channels) =>
    fc.integer({ min: 0, max: maxFrames }).chain((frames) =>
      fc.record({
        channels: fc.constant(channels),
        samples: fc.float32Array({ minLength: frames * channels, maxLength: frames * channels, noNaN: true }),
      }),
    ),
  );

const bits = (samples: Float32Array): number[] => Array.from(new Uint32Array(samples.buffer, samples.byteOffset, samples.length));

function holding(channels: number, samples: Float32Array): MemoryBuffer {
  const buffer = new MemoryBuffer({ channels, sampleRate: 48000 });
  buffer.write(samples);
  buffer.seek(0);
  return buffer;
}

function contents(buffer: MemoryBuffer): Float32Array {
  buffer.seek(0);
  return buffer.read();
}

/** Receipts in order that cover `from..from+frames` exactly, each at most `chunk` frames. */
function expectTiling(receipts: Written[], from: number, frames: number, chunk: number): void {
  let at = from;
  for (const r of receipts) {
    expect(r.position).toBe(at);
    expect(r.frames).toBeGreaterThan(0);
    expect(r.frames).toBeLessThanOrEqual(chunk);
    at += r.frames;
  }
  expect(at).toBe(from + frames);
}

describe('source → sink copies (property)', () => {
  it('memory → fromBuffer → intoBuffer copies from `from` to the end bit-exactly, pooled or not', () => {
    fc.assert(
      fc.property(audio(300), fc.integer({ min: 1, max: 64 }), fc.option(fc.integer({ min: 1, max: 4 })), fc.nat(), ({ channels, samples }, chunkFrames, blocks, fromSeed) => {
        const frames = samples.length / channels;
        const from = frames === 0 ? 0 : fromSeed % (frames + 1);
        const pool = blocks === null ? undefined : new BufferPool({ channels }, { blocks, blockFrames: chunkFrames, onExhausted: 'wait' });
        const copy = new MemoryBuffer({ channels });
        const receipts: Written[] = [];
        let completed = false;
        fromBuffer(holding(channels, samples), { chunkFrames, from, pool })
          .pipe(intoBuffer(copy))
          .subscribe({ next: (r) => receipts.push(r), complete: () => (completed = true) });
        // A synchronous sink gives each block back before the next read, so it all ran in this turn.
        expect(completed).toBe(true);
        expect(bits(contents(copy))).toEqual(bits(samples.subarray(from * channels)));
        expectTiling(receipts, from, frames - from, chunkFrames);
        if (pool !== undefined) expect(pool.stats().inUse).toBe(0);
      }),
      { numRuns: 300 },
    );
  });

  it('memory → pooled fromBuffer → intoRing → fromRing → a slow consumer → intoBuffer: bit-exact, blocks in flight ≤ the pool', async () => {
    await fc.assert(
      fc.asyncProperty(
        audio(400),
        fc.integer({ min: 1, max: 40 }),
        fc.integer({ min: 1, max: 40 }),
        fc.integer({ min: 1, max: 4 }),
        fc.integer({ min: 1, max: 64 }),
        fc.array(fc.integer({ min: 0, max: 2 }), { minLength: 1, maxLength: 8 }),
        async ({ channels, samples }, sendFrames, readFrames, blocks, capacity, delays) => {
          const frames = samples.length / channels;
          const consumer = new RingBuffer({ channels, sampleRate: 48000 }, { capacity });
          const producer = attachRing(consumer.share(), { role: 'producer' });
          const pool = new BufferPool({ channels }, { blocks, blockFrames: sendFrames, onExhausted: 'wait' });
          const copy = new MemoryBuffer({ channels });
          let n = 0;
          const [sent, received] = await Promise.all([
            lastValueFrom(fromBuffer(holding(channels, samples), { pool }).pipe(intoRing(producer), toArray())),
            lastValueFrom(
              fromRing(consumer, { chunkFrames: readFrames }).pipe(
                concatMap((chunk) => of(chunk).pipe(delay(delays[n++ % delays.length]!))),
                intoBuffer(copy),
                toArray(),
              ),
            ),
          ]);
          expect(bits(contents(copy))).toEqual(bits(samples));
          expectTiling(sent, 0, frames, sendFrames);
          expectTiling(received, 0, frames, readFrames);
          expect(pool.stats().inUse).toBe(0);
          expect(pool.stats().peakInUse).toBeLessThanOrEqual(blocks);
        },
      ),
      { numRuns: 40 },
    );
  });

  it('memory → WAV file → pooled fromWavFile → toWavFile (f32), each side with io async or sync: bit-exact through two files', async () => {
    let run = 0;
    const io = fc.constantFrom<'async' | 'sync'>('async', 'sync');
    await fc.assert(
      fc.asyncProperty(audio(500), fc.integer({ min: 1, max: 128 }), fc.integer({ min: 1, max: 3 }), io, io, async ({ channels, samples }, chunkFrames, blocks, readIo, writeIo) => {
        const first = join(dir, `first-${run}.wav`);
        const second = join(dir, `second-${run++}.wav`);
        const frames = samples.length / channels;
        await lastValueFrom(fromBuffer(holding(channels, samples), { chunkFrames }).pipe(toWavFile(first, { channels, sampleRate: 48000, io: writeIo })), {
          defaultValue: null,
        });
        const pool = new BufferPool({ channels }, { blocks, blockFrames: chunkFrames, onExhausted: 'wait' });
        const receipts = await lastValueFrom(
          fromWavFile(first, { pool, io: readIo }).pipe(toWavFile(second, { channels, sampleRate: 48000, sync: false, io: writeIo }), toArray()),
        );
        expectTiling(receipts, 0, frames, chunkFrames);
        const copy = new MemoryBuffer({ channels });
        await lastValueFrom(fromWavFile(second, { chunkFrames: 97, io: readIo }).pipe(intoBuffer(copy)), { defaultValue: null });
        expect(bits(contents(copy))).toEqual(bits(samples));
        expect(pool.stats().inUse).toBe(0);
      }),
      { numRuns: 40 },
    );
  });
});

