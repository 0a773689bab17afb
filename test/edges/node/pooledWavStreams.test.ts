// The Node WAV streams' batch set-up: object-mode chunks read into a BufferPool's blocks and
// given back by the writable, and synchronous file I/O (`io: 'sync'`). Against a simple
// model (the file's samples, in order): nothing lost, repeated or reordered whatever the
// chunk size, pool size and I/O mode, and every block back in the pool at the end.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { BufferPool } from '../../../src/buffers/pool.js';
import { ErrorCode } from '../../../src/core/errors.js';
import { isBlockChunk, type BlockChunk } from '../../../src/edges/rx/releaseChunk.js';
import { wavFileReadable } from '../../../src/edges/node/wavFileReadable.js';
import { wavFileWritable } from '../../../src/edges/node/wavFileWritable.js';
import { WavReader } from '../../../src/formats/wavReader.js';
import { WavWriter } from '../../../src/formats/wavWriter.js';
import type { AudioChunk } from '../../../src/streams/chunk.js';
import { rejectionCode } from './streamErrors.js';

const dir = mkdtempSync(join(tmpdir(), 'avbuf-pooled-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Interleaved samples that name their index: exact in Float32. */
function numbered(samples: number): Float32Array {
  return Float32Array.from({ length: samples }, (_, i) => (i % 65536) / 65536 - 0.5);
}

async function writeWav(path: string, samples: Float32Array, channels: number): Promise<void> {
  const writer = await WavWriter.create(path, { format: 'f32', channels, sampleRate: 48000 });
  await writer.write(samples);
  await writer.close();
}

async function readWav(path: string, io: 'async' | 'sync' = 'async'): Promise<Float32Array> {
  const reader = await WavReader.open(path, { io });
  const samples = new Float32Array(reader.info.frames * reader.info.channels);
  await reader.read(samples, 0);
  await reader.close();
  return samples;
}

describe('pooled object-mode WAV streams', () => {
  it('property: file → gain → file through a pool, any chunk size, pool size and io: the model\'s samples, every block back', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 3 }),
        fc.integer({ min: 0, max: 5000 }),
        fc.integer({ min: 1, max: 700 }),
        fc.integer({ min: 1, max: 6 }),
        fc.constantFrom('async' as const, 'sync' as const),
        async (channels, frames, chunkFrames, blocks, io) => {
          const input = join(dir, 'in.wav');
          const output = join(dir, 'out.wav');
          const samples = numbered(frames * channels);
          await writeWav(input, samples, channels);
          const pool = new BufferPool({ channels, sampleRate: 48000 }, { blocks, blockFrames: chunkFrames, onExhausted: 'wait' });
          const positions: number[] = [];
          await pipeline(
            wavFileReadable(input, { objectMode: true, chunkFrames, pool, io }),
            new Transform({
              objectMode: true,
              transform(chunk: AudioChunk, _encoding, callback) {
                expect(isBlockChunk(chunk)).toBe(true);
                positions.push(chunk.position);
                for (let i = 0; i < chunk.frames * channels; i++) chunk.data[i] = chunk.data[i]! * 2;
                callback(null, chunk);
              },
            }),
            wavFileWritable(output, { objectMode: true, channels, sampleRate: 48000, io }),
          );
          const model = samples.map((x) => x * 2);
          expect(await readWav(output, io)).toEqual(model);
          expect(positions).toEqual(Array.from({ length: Math.ceil(frames / chunkFrames) }, (_, i) => i * chunkFrames));
          expect(pool.stats()).toMatchObject({ inUse: 0, waiting: 0 });
          pool.close();
        },
      ),
      { numRuns: 40 },
    );
  });

  it('a consumer holding every block stops the reads until it gives one back', async () => {
    const input = join(dir, 'held.wav');
    await writeWav(input, numbered(2 * 100), 2);
    const pool = new BufferPool({ channels: 2 }, { blocks: 2, blockFrames: 10, onExhausted: 'wait' });
    const held: BlockChunk[] = [];
    const readable = wavFileReadable(input, { objectMode: true, chunkFrames: 10, pool });
    readable.on('data', (chunk: BlockChunk) => held.push(chunk));
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(held.map((chunk) => chunk.position)).toEqual([0, 10]); // both blocks lent; no third read
    expect(pool.stats().waiting).toBe(1);
    held[0]!.lease.release();
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(held.map((chunk) => chunk.position)).toEqual([0, 10, 20]);
    readable.destroy();
    for (const chunk of held) chunk.lease.release();
    pool.close();
  });

  it('refuses a pool without object mode, a block too small for a chunk, and a bad io with ERR_INVALID_ARGUMENT', async () => {
    const input = join(dir, 'small.wav');
    await writeWav(input, numbered(2 * 10), 2);
    const pool = new BufferPool({ channels: 2 }, { blocks: 2, blockFrames: 4, onExhausted: 'wait' });
    expect(() => wavFileReadable(input, { pool })).toThrow(expect.objectContaining({ code: ErrorCode.INVALID_ARGUMENT }));
    expect(await rejectionCode(pipeline(wavFileReadable(input, { objectMode: true, chunkFrames: 8, pool }), wavFileWritable(join(dir, 'x.wav'), { objectMode: true, channels: 2, sampleRate: 48000 })))).toBe(
      ErrorCode.INVALID_ARGUMENT,
    );
    expect(pool.stats().inUse).toBe(0);
    for (const io of ['fast', 1, 'SYNC']) {
      expect(() => wavFileReadable(input, { io: io as never })).toThrow(expect.objectContaining({ code: ErrorCode.INVALID_ARGUMENT }));
      expect(() => wavFileWritable(join(dir, 'y.wav'), { channels: 2, sampleRate: 48000, io: io as never })).toThrow(
        expect.objectContaining({ code: ErrorCode.INVALID_ARGUMENT }),
      );
      await expect(WavReader.open(input, { io: io as never })).rejects.toMatchObject({ code: ErrorCode.INVALID_ARGUMENT });
      await expect(WavWriter.create(join(dir, 'z.wav'), { format: 'f32', channels: 2, sampleRate: 48000, io: io as never })).rejects.toMatchObject({
        code: ErrorCode.INVALID_ARGUMENT,
      });
    }
    pool.close();
  });
});
