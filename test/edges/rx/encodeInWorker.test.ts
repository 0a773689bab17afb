/**
 * encodeInWorker against the main thread's encoder, in real worker threads: every chunk's
 * bytes equal encodeInto's, in the order the chunks came, from shared pool blocks (in place)
 * or plain arrays (copied); the sinks write a chunk's encoded bytes as they are when the
 * format is theirs, and encode its samples when it is not.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { from, lastValueFrom, map, toArray, type Observable } from 'rxjs';
import { afterAll, describe, expect, it } from 'vitest';
import { BufferPool } from '../../../src/buffers/pool.js';
import { MemoryBuffer } from '../../../src/buffers/memory.js';
import { ErrorCode } from '../../../src/core/errors.js';
import { bytesPerSample, encodeInto, type SampleFormat } from '../../../src/formats/codecs.js';
import { WavReader } from '../../../src/formats/wavReader.js';
import { encodeInWorker, isEncodedChunk, type EncodedChunk } from '../../../src/edges/rx/encodeInWorker.js';
import { fromBuffer } from '../../../src/edges/rx/fromBuffer.js';
import { releaseChunk } from '../../../src/edges/rx/releaseChunk.js';
import { toWavFile } from '../../../src/edges/rx/toWavFile.js';
import { toWavStream } from '../../../src/edges/rx/toWavStream.js';
import type { AudioChunk } from '../../../src/streams/chunk.js';
import { closeWorkerPool } from '../../../src/workers/pool.js';
import { heldWritable, readBack } from './wavStreamKit.js';

const dir = mkdtempSync(join(tmpdir(), 'avbuf-rx-encode-'));
afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
  await closeWorkerPool();
});

function reference(samples: Float32Array, format: SampleFormat): Uint8Array {
  const bytes = new Uint8Array(samples.length * bytesPerSample(format));
  encodeInto(format, samples, bytes, samples.length);
  return bytes;
}

describe('encodeInWorker', () => {
  it('encodes every chunk as encodeInto does, in order, from shared pool blocks or plain arrays (property)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom<SampleFormat>('s16', 's24', 's32', 'u8', 'f64'),
        fc.integer({ min: 1, max: 2 }),
        fc.array(fc.integer({ min: 1, max: 3000 }), { minLength: 1, maxLength: 8 }),
        fc.boolean(),
        async (format, channels, sizes, pooled) => {
          const total = sizes.reduce((a, b) => a + b, 0);
          // Values past ±1 too: clamping happens in the worker as on the main thread.
          const samples = Float32Array.from({ length: total * channels }, (_, i) => Math.fround(1.2 * Math.sin(i * 0.71)));
          const buffer = new MemoryBuffer({ channels, sampleRate: 8000 });
          buffer.write(samples);
          const pool = new BufferPool({ channels }, { blocks: 3, blockFrames: 1000, onExhausted: 'wait', shared: true });
          // Chunks of uneven sizes, so a later (smaller) one may be done in a worker first.
          const source: Observable<AudioChunk> = pooled
            ? fromBuffer(buffer, { pool, from: 0 })
            : from(sizes.map((frames, k) => {
                const at = sizes.slice(0, k).reduce((a, b) => a + b, 0);
                return { data: samples.slice(at * channels, (at + frames) * channels), frames, channels, sampleRate: 8000, position: at };
              }));
          const parts = await lastValueFrom(
            source.pipe(
              encodeInWorker(format),
              map((chunk) => {
                expect(chunk.encoded.format).toBe(format);
                const copy = { position: chunk.position, bytes: Uint8Array.from(chunk.encoded.bytes) };
                releaseChunk(chunk);
                return copy;
              }),
              toArray(),
            ),
          );
          let next = 0;
          for (const part of parts) {
            expect(part.position).toBe(next);
            next += part.bytes.length / bytesPerSample(format) / channels;
          }
          expect(next).toBe(total);
          expect(Buffer.concat(parts.map((p) => p.bytes)).equals(Buffer.from(reference(samples, format)))).toBe(true);
          expect(pool.stats().inUse).toBe(0);
        },
      ),
      { numRuns: 25 },
    );
  });

  it('toWavFile and toWavStream write encoded bytes as they are when the format is theirs, and encode the samples when not', async () => {
    // A chunk whose encoded bytes deliberately differ from its samples shows which the sink wrote.
    const samples = Float32Array.from([0.5, -0.5]);
    const marked = new Uint8Array([1, 0, 2, 0]); // s16 1 and 2
    const chunk: EncodedChunk = { data: samples, frames: 1, channels: 2, sampleRate: 8000, position: 0, encoded: { format: 's16', bytes: marked } };
    expect(isEncodedChunk(chunk)).toBe(true);
    const plain: AudioChunk = { data: samples, frames: 1, channels: 2, sampleRate: 8000, position: 0 };
    expect(isEncodedChunk(plain)).toBe(false);

    const file = join(dir, 'marked.wav');
    await lastValueFrom(from([chunk]).pipe(toWavFile(file, { format: 's16', sync: false })));
    const reader = await WavReader.open(file);
    const back = new Float32Array(2);
    await reader.read(back, 0);
    await reader.close();
    expect(Array.from(back)).toEqual([1 / 32768, 2 / 32768]);

    const s16 = heldWritable(false);
    const s24 = heldWritable(false);
    await lastValueFrom(from([chunk]).pipe(toWavStream(s16.writable, { format: 's16' })));
    await lastValueFrom(from([chunk]).pipe(toWavStream(s24.writable, { format: 's24' })));
    expect(Array.from((await readBack(s16.bytes())).samples)).toEqual([1 / 32768, 2 / 32768]);
    expect(Array.from((await readBack(s24.bytes())).samples)).toEqual([0.5, -0.5]);
  });

  it('refuses an unknown format at call time with ERR_INVALID_ARGUMENT', () => {
    expect(() => encodeInWorker('mp3' as never)).toThrow(expect.objectContaining({ code: ErrorCode.INVALID_ARGUMENT }));
  });
});
