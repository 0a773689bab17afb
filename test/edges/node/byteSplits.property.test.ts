/**
 * Raw PCM bytes cut anywhere (mid-sample, mid-frame, empty pieces) arrive whole: written
 * through bufferWritable into a memory buffer and read back through bufferReadable, the
 * bytes are the ones sent, for each format. A stream that ends inside a frame fails with
 * ERR_FRAME_MISALIGNED and nothing of the partial frame is written.
 */
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MemoryBuffer } from '../../../src/buffers/memory.js';
import { ErrorCode } from '../../../src/core/errors.js';
import { bufferReadable } from '../../../src/edges/node/bufferReadable.js';
import { bufferWritable } from '../../../src/edges/node/bufferWritable.js';
import type { PcmFormat } from '../../../src/edges/pcmFormat.js';
import { rejectionCode } from './streamErrors.js';

const BYTES: Record<PcmFormat, number> = { f32le: 4, s16le: 2, s24le: 3 };

/** Cuts `bytes` at the given points (sorted, duplicates kept: they make empty pieces). */
function cut(bytes: Uint8Array, points: number[]): Buffer[] {
  const at = [0, ...points.map((p) => Math.floor(p * bytes.length)).sort((a, b) => a - b), bytes.length];
  return at.slice(1).map((end, i) => Buffer.from(bytes.subarray(at[i], end)));
}

async function collect(readable: Readable): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const part of readable) parts.push(part as Buffer);
  return Buffer.concat(parts);
}

/** Float32 bit patterns that are numbers (a NaN's payload is not promised through a JS number). */
function finiteF32(bytes: Uint8Array): Uint8Array {
  const floats = new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length));
  for (let i = 0; i < floats.length; i++) if (!Number.isFinite(floats[i])) floats[i] = i;
  return new Uint8Array(floats.buffer);
}

describe('bufferWritable → bufferReadable, raw bytes split anywhere', () => {
  for (const format of ['f32le', 's16le', 's24le'] as const) {
    it(`${format}: every split of the byte stream round-trips bit-exactly`, async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.integer({ min: 1, max: 3 }),
          fc.uint8Array({ maxLength: 2400 }),
          fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { maxLength: 12 }),
          fc.integer({ min: 1, max: 64 }),
          async (channels, random, points, chunkFrames) => {
            const frameBytes = channels * BYTES[format];
            const frames = Math.floor(random.length / frameBytes);
            let bytes: Uint8Array = random.subarray(0, frames * frameBytes);
            if (format === 'f32le') bytes = finiteF32(bytes);
            const buffer = new MemoryBuffer({ channels, sampleRate: 48000 });
            await pipeline(Readable.from(cut(bytes, points)), bufferWritable(buffer, { format }));
            expect(buffer.size()).toBe(frames);
            const back = await collect(bufferReadable(buffer, { from: 0, format, chunkFrames }));
            expect(back.equals(Buffer.from(bytes))).toBe(true);
          },
        ),
        { numRuns: 60 },
      );
    });

    it(`${format}: a stream ending inside a frame fails with ERR_FRAME_MISALIGNED and keeps only whole frames`, async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.integer({ min: 1, max: 3 }),
          fc.integer({ min: 0, max: 50 }),
          fc.integer({ min: 1, max: 11 }),
          fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { maxLength: 6 }),
          async (channels, frames, extra, points) => {
            const frameBytes = channels * BYTES[format];
            const tail = extra % frameBytes;
            fc.pre(tail !== 0);
            const bytes = new Uint8Array(frames * frameBytes + tail);
            const buffer = new MemoryBuffer({ channels, sampleRate: 48000 });
            const failure = rejectionCode(pipeline(Readable.from(cut(bytes, points)), bufferWritable(buffer, { format })));
            expect(await failure).toBe(ErrorCode.FRAME_MISALIGNED);
            expect(buffer.size()).toBe(frames);
          },
        ),
        { numRuns: 40 },
      );
    });
  }
});
