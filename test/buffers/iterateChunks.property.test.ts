/**
 * Iterating a buffer (`for await (const chunk of buffer)`, `buffer.chunks()`) against a plain
 * model, the array of samples the buffer holds: for random contents, start positions and
 * chunk sizes the chunks carry every frame from the position to the end exactly once, in
 * order, at contiguous positions; leaving the loop early loses nothing (a buffer goes on from
 * where the loop stopped) and, for a ring, closes the consumer's end.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { MemoryBuffer } from '../../src/buffers/memory.js';
import { RingBuffer, attachRing } from '../../src/buffers/ring.js';
import { StreamingBuffer } from '../../src/buffers/streaming.js';
import type { AudioChunk } from '../../src/core/chunk.js';
import { ErrorCode } from '../../src/core/errors.js';
import { closeWorkerPool } from '../../src/workers/pool.js';

const dir = mkdtempSync(join(tmpdir(), 'avbuf-iterate-'));
afterAll(async () => {
  await closeWorkerPool();
  rmSync(dir, { recursive: true, force: true });
});

const SAMPLE_RATE = 8000;

/** Sample i of a buffer holds i (exact in Float32 far beyond these sizes): a lost, repeated or moved frame shows. */
const ramp = (samples: number): Float32Array => Float32Array.from({ length: samples }, (_, i) => i);

/** What the chunks say, checked chunk by chunk: shape, size and contiguity; returns their valid samples in order. */
async function drain(chunks: AsyncIterable<AudioChunk>, channels: number, chunkFrames: number, firstPosition: number, limit = Infinity): Promise<{ samples: number[]; count: number; blocks: Set<Float32Array> }> {
  const samples: number[] = [];
  const blocks = new Set<Float32Array>();
  let position = firstPosition;
  let count = 0;
  for await (const chunk of chunks) {
    expect(chunk.channels).toBe(channels);
    expect(chunk.sampleRate).toBe(SAMPLE_RATE);
    expect(chunk.position).toBe(position);
    expect(chunk.frames).toBeGreaterThan(0);
    expect(chunk.frames).toBeLessThanOrEqual(chunkFrames);
    expect(chunk.data.length).toBe(chunkFrames * channels);
    samples.push(...chunk.data.subarray(0, chunk.frames * channels));
    blocks.add(chunk.data);
    position += chunk.frames;
    count++;
    if (count >= limit) break;
  }
  return { samples, count, blocks };
}

const layout = fc.record({
  channels: fc.integer({ min: 1, max: 3 }),
  frames: fc.integer({ min: 0, max: 2000 }),
  chunkFrames: fc.integer({ min: 1, max: 300 }),
  startFraction: fc.double({ min: 0, max: 1, noNaN: true }),
  stopAfter: fc.integer({ min: 1, max: 8 }),
});

describe('positional buffers are async-iterable', () => {
  it('a MemoryBuffer yields every frame from its position to its end once, in order, in full chunks but the last, one reused block', async () => {
    await fc.assert(
      fc.asyncProperty(layout, async ({ channels, frames, chunkFrames, startFraction }) => {
        const buffer = new MemoryBuffer({ channels, sampleRate: SAMPLE_RATE });
        buffer.write(ramp(frames * channels));
        const start = Math.floor(startFraction * frames);
        buffer.seek(start);
        const { samples, count, blocks } = await drain(buffer.chunks({ chunkFrames }), channels, chunkFrames, start);
        expect(samples).toEqual(Array.from(ramp(frames * channels).subarray(start * channels)));
        expect(count).toBe(Math.ceil((frames - start) / chunkFrames)); // full chunks but the last
        expect(blocks.size).toBeLessThanOrEqual(1);
        expect(buffer.tell()).toBe(frames);
        expect(buffer.closed).toBe(false);
      }),
      { numRuns: 200 },
    );
  });

  it('leaving the loop early keeps a buffer open at the frame after the last chunk: a second loop goes on with nothing lost or repeated', async () => {
    await fc.assert(
      fc.asyncProperty(layout, async ({ channels, frames, chunkFrames, startFraction, stopAfter }) => {
        const buffer = new MemoryBuffer({ channels, sampleRate: SAMPLE_RATE });
        buffer.write(ramp(frames * channels));
        const start = Math.floor(startFraction * frames);
        buffer.seek(start);
        const first = await drain(buffer.chunks({ chunkFrames }), channels, chunkFrames, start, stopAfter);
        const stoppedAt = buffer.tell();
        expect(stoppedAt).toBe(start + first.samples.length / channels);
        expect(buffer.closed).toBe(false);
        const rest = await drain(buffer, channels, 8192, stoppedAt);
        expect([...first.samples, ...rest.samples]).toEqual(Array.from(ramp(frames * channels).subarray(start * channels)));
      }),
      { numRuns: 200 },
    );
  });

  it('a StreamingBuffer yields the same frames across its chunk cache and spill file (tiny cache, chunks evicted and reloaded)', async () => {
    await fc.assert(
      fc.asyncProperty(layout, fc.integer({ min: 16, max: 200 }), async ({ channels, frames, chunkFrames, startFraction }, chunkSize) => {
        const buffer = new StreamingBuffer({ channels, sampleRate: SAMPLE_RATE, chunkSize, cacheSizeMb: (3 * chunkSize * channels * 4) / 2 ** 20 }, { path: join(dir, `s-${Math.random()}.avsp`), keep: false });
        try {
          buffer.write(ramp(frames * channels));
          const start = Math.floor(startFraction * frames);
          buffer.seek(start);
          const { samples } = await drain(buffer.chunks({ chunkFrames }), channels, chunkFrames, start);
          expect(samples).toEqual(Array.from(ramp(frames * channels).subarray(start * channels)));
          expect(buffer.tell()).toBe(frames);
        } finally {
          await buffer.close();
        }
      }),
      { numRuns: 40 },
    );
  });

  it('`for await (const chunk of buffer)` reads 8192-frame chunks', async () => {
    const buffer = new MemoryBuffer({ channels: 2, sampleRate: SAMPLE_RATE });
    buffer.write(ramp(20_000 * 2));
    buffer.seek(0);
    const sizes: [number, number][] = [];
    for await (const chunk of buffer) sizes.push([chunk.position, chunk.frames]);
    expect(sizes).toEqual([
      [0, 8192],
      [8192, 8192],
      [16384, 3616],
    ]);
  });
});

describe('a ring is async-iterable on its consumer side', () => {
  it('yields every frame a concurrent producer writes once, in order, until the producer closes and the ring is drained', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 2 }),
        fc.integer({ min: 1, max: 64 }),
        fc.array(fc.integer({ min: 1, max: 50 }), { maxLength: 30 }),
        fc.integer({ min: 1, max: 40 }),
        async (channels, capacity, writes, chunkFrames) => {
          const consumer = new RingBuffer({ channels, sampleRate: SAMPLE_RATE }, { capacity });
          const producer = attachRing(consumer.share(), { role: 'producer' });
          const total = writes.reduce((a, b) => a + b, 0);
          const all = ramp(total * channels);
          // The producer waits for room (a ring smaller than a write), so the two interleave.
          const produced = (async () => {
            let at = 0;
            for (const n of writes) {
              expect(await producer.writeAsync(all.subarray(at * channels, (at + n) * channels))).toBe(n);
              at += n;
            }
            producer.close();
          })();
          const { samples } = await drain(consumer.chunks({ chunkFrames }), channels, chunkFrames, 0);
          await produced;
          expect(samples).toEqual(Array.from(all));
          expect(consumer.closed).toBe(true); // the end of the stream closes this end
        },
      ),
      { numRuns: 100 },
    );
  });

  it('leaving the loop early closes the consumer end: a producer waiting for room wakes, and its next write fails with ERR_BUFFER_CLOSED', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 16 }), fc.integer({ min: 1, max: 5 }), async (chunkFrames, stopAfter) => {
        const consumer = new RingBuffer({ channels: 1, sampleRate: SAMPLE_RATE }, { capacity: 8 });
        const producer = attachRing(consumer.share(), { role: 'producer' });
        let sent = 0;
        let failure: unknown;
        // A producer that would run for ever (frame i holds i): only the consumer's close stops it.
        const produced = (async () => {
          try {
            for (;;) sent += await producer.writeAsync(Float32Array.from([sent, sent + 1, sent + 2]));
          } catch (error) {
            failure = error;
          }
        })();
        const { samples, count } = await drain(consumer.chunks({ chunkFrames }), 1, chunkFrames, 0, stopAfter);
        expect(count).toBe(stopAfter);
        expect(consumer.closed).toBe(true);
        expect(consumer.ended).toBe(true);
        await produced;
        expect(failure).toMatchObject({ code: ErrorCode.BUFFER_CLOSED });
        // What came out is the start of what went in, in order.
        expect(samples).toEqual(Array.from({ length: samples.length }, (_, i) => i));
        expect(sent).toBeGreaterThanOrEqual(samples.length);
      }),
      { numRuns: 50 },
    );
  });
});

describe('a closed buffer is not iterable', () => {
  it('gives ERR_BUFFER_CLOSED for a closed MemoryBuffer, StreamingBuffer and RingBuffer, when the loop starts', async () => {
    const memory = new MemoryBuffer({ channels: 1 });
    memory.close();
    const streaming = new StreamingBuffer({ channels: 1 }, { path: join(dir, 'closed.avsp'), keep: false });
    await streaming.close();
    const ring = new RingBuffer({ channels: 1 }, { capacity: 8 });
    ring.close();
    for (const buffer of [memory, streaming, ring]) {
      await expect(drain(buffer, 1, 8192, 0)).rejects.toMatchObject({ code: ErrorCode.BUFFER_CLOSED });
    }
  });

  it('refuses a bad chunkFrames with ERR_INVALID_ARGUMENT when the loop starts', async () => {
    const memory = new MemoryBuffer({ channels: 1 });
    for (const chunkFrames of [0, 1.5, -1, 2 ** 25]) {
      await expect(drain(memory.chunks({ chunkFrames }), 1, 1, 0)).rejects.toMatchObject({ code: ErrorCode.INVALID_ARGUMENT });
    }
  });
});
