/**
 * The WHATWG streams against a model (the bytes of the signal, in order): random BYOB view
 * sizes, random write splits and a ring in between round-trip bit-exactly in every format;
 * nothing is lost, repeated or reordered, and the ring's ends are closed after.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MemoryBuffer } from '../../../src/buffers/memory.js';
import { RingBuffer, attachRing } from '../../../src/buffers/ring.js';
import { bufferChunkStream } from '../../../src/edges/web/bufferChunkStream.js';
import { bufferReadableStream } from '../../../src/edges/web/bufferReadableStream.js';
import { bufferWritableStream } from '../../../src/edges/web/bufferWritableStream.js';
import type { PcmFormat } from '../../../src/edges/pcmFormat.js';
import type { ReadableStream } from 'node:stream/web';
import { bytesOf, concat, contents, exactSignal, memoryWith } from './pcm.js';

const FORMATS: PcmFormat[] = ['f32le', 's16le', 's24le'];

const signal = fc.record({
  format: fc.constantFrom(...FORMATS),
  channels: fc.integer({ min: 1, max: 3 }),
  frames: fc.integer({ min: 0, max: 200 }),
  seed: fc.integer({ min: 1, max: 2 ** 31 - 1 }),
});

/** Reads a byte stream to its end with BYOB views of the given sizes, in turn; checks each read fits its view. */
async function readByob(stream: ReadableStream<Uint8Array>, sizes: readonly number[]): Promise<Uint8Array> {
  const reader = stream.getReader({ mode: 'byob' });
  const got: Uint8Array[] = [];
  for (let i = 0; ; i++) {
    const size = sizes[i % sizes.length]!;
    const { value, done } = await reader.read(new Uint8Array(size));
    if (done) return concat(got);
    expect(value.length).toBeGreaterThan(0);
    expect(value.length).toBeLessThanOrEqual(size);
    got.push(value.slice());
  }
}

/** Cuts `bytes` at the given fractions, in order. */
function split(bytes: Uint8Array, cuts: readonly number[]): Uint8Array[] {
  const points = [...new Set(cuts.map((c) => Math.floor(c * bytes.length)))].sort((a, b) => a - b);
  const pieces: Uint8Array[] = [];
  let at = 0;
  for (const p of [...points, bytes.length]) {
    pieces.push(bytes.slice(at, p));
    at = p;
  }
  return pieces;
}

const sizes = fc.array(fc.integer({ min: 1, max: 40 }), { minLength: 1, maxLength: 8 });
const cuts = fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { maxLength: 12 });

describe('WHATWG streams, property tests', () => {
  it('BYOB reads of random view sizes deliver exactly the bytes of the buffer, in order', async () => {
    await fc.assert(
      fc.asyncProperty(signal, sizes, fc.integer({ min: 1, max: 64 }), async ({ format, channels, frames, seed }, views, chunkFrames) => {
        const data = exactSignal(format, frames, channels, seed);
        const got = await readByob(bufferReadableStream(memoryWith(data, channels), { format, chunkFrames }), views);
        expect(got).toEqual(bytesOf(format, data));
      }),
      { numRuns: 150 },
    );
  });

  it('random write splits store exactly the frames of the bytes, bit for bit', async () => {
    await fc.assert(
      fc.asyncProperty(signal, cuts, fc.integer({ min: 1, max: 64 }), async ({ format, channels, frames, seed }, at, chunkFrames) => {
        const data = exactSignal(format, frames, channels, seed);
        const bytes = bytesOf(format, data);
        const buffer = new MemoryBuffer({ channels });
        const writer = bufferWritableStream(buffer, { format, chunkFrames }).getWriter();
        for (const piece of split(bytes, at)) await writer.write(piece);
        await writer.close();
        expect(bytesOf(format, contents(buffer))).toEqual(bytes);
      }),
      { numRuns: 150 },
    );
  });

  it('through a small ring (writable → ring → readable), random splits and views round-trip bit-exactly and both ends close', async () => {
    await fc.assert(
      fc.asyncProperty(
        signal,
        cuts,
        sizes,
        fc.integer({ min: 1, max: 16 }),
        async ({ format, channels, frames, seed }, at, views, capacity) => {
          const data = exactSignal(format, frames, channels, seed);
          const bytes = bytesOf(format, data);
          const consumer = new RingBuffer({ channels }, { capacity });
          const producer = attachRing(consumer.share());
          const writing = (async () => {
            const writer = bufferWritableStream(producer, { format, highWaterMark: 16 }).getWriter();
            for (const piece of split(bytes, at)) await writer.write(piece);
            await writer.close();
          })();
          const got = await readByob(bufferReadableStream(consumer, { format, chunkFrames: 5 }), views);
          await writing;
          expect(got).toEqual(bytes);
          expect(producer.ended && consumer.ended).toBe(true);
        },
      ),
      { numRuns: 100 },
    );
  });

  it('bufferChunkStream: chunks cover the buffer once, in order, positions contiguous', async () => {
    await fc.assert(
      fc.asyncProperty(signal, fc.integer({ min: 1, max: 64 }), async ({ format, channels, frames, seed }, chunkFrames) => {
        const data = exactSignal(format, frames, channels, seed);
        const parts: Float32Array[] = [];
        let next = 0;
        for await (const chunk of bufferChunkStream(memoryWith(data, channels), { chunkFrames })) {
          expect(chunk.position).toBe(next);
          expect(chunk.channels).toBe(channels);
          expect(chunk.data.length).toBe(chunk.frames * channels);
          next += chunk.frames;
          parts.push(chunk.data);
        }
        expect(next).toBe(frames);
        const joined = new Float32Array(frames * channels);
        parts.reduce((o, p) => (joined.set(p, o), o + p.length), 0);
        expect(joined).toEqual(data);
      }),
      { numRuns: 100 },
    );
  });
});
