/**
 * fromWavStream → (a slow stage) → toWavStream against a simple model, for any split of the
 * bytes into reads, any pool and any pace: the samples that come out are the samples that
 * went in (nothing lost, repeated or reordered, quantized only by the format), the receipts
 * follow one another, and every block goes back. Teardown at any point (an unsubscription or
 * a failing stage) lets the input stream go, ends the output after whole frames and leaves
 * no block out.
 */
import fc from 'fast-check';
import { concatMap, delay, lastValueFrom, map, of, take, toArray } from 'rxjs';
import { describe, expect, it, vi } from 'vitest';
import { BufferPool } from '../../../src/buffers/pool.js';
import { decodeInto, encodeInto, type SampleFormat } from '../../../src/formats/codecs.js';
import { fromWavStream } from '../../../src/edges/rx/fromWavStream.js';
import { WavStreamReader } from '../../../src/formats/wavStreamReader.js';
import { toWavStream } from '../../../src/edges/rx/toWavStream.js';
import { byteStream, heldWritable, readBack, split, streamedWav } from './wavStreamKit.js';

/** What `samples` become once stored in `format` and read back. */
function quantized(samples: Float32Array, format: SampleFormat): Float32Array {
  if (format === 'f32') return samples;
  const bytes = new Uint8Array(samples.length * 4);
  encodeInto(format, samples, bytes, samples.length);
  const out = new Float32Array(samples.length);
  decodeInto(format, bytes, out, samples.length);
  return out;
}

const case_ = fc.record({
  channels: fc.integer({ min: 1, max: 3 }),
  frames: fc.integer({ min: 0, max: 300 }),
  format: fc.constantFrom<SampleFormat>('f32', 's16', 's24'),
  cuts: fc.array(fc.integer({ min: 1, max: 4000 }), { maxLength: 12 }),
  pool: fc.option(fc.record({ blocks: fc.integer({ min: 1, max: 3 }), blockFrames: fc.integer({ min: 1, max: 64 }) }), { nil: undefined }),
  chunkFrames: fc.option(fc.integer({ min: 1, max: 100 }), { nil: undefined }),
  delays: fc.array(fc.integer({ min: 0, max: 2 }), { minLength: 1, maxLength: 5 }),
  /** Pass a WavStreamReader opened with these frames per chunk (maybe more than a block holds) instead of the bytes. */
  readerChunk: fc.option(fc.integer({ min: 1, max: 200 }), { nil: undefined }),
});

describe('fromWavStream → toWavStream (property)', () => {
  it('carries every sample through in order, for any reads, pool and pace, with receipts back to back and every block back', async () => {
    await fc.assert(
      fc.asyncProperty(case_, async ({ channels, frames, format, cuts, pool: poolSpec, chunkFrames, delays, readerChunk }) => {
        const samples = Float32Array.from({ length: frames * channels }, (_, i) => Math.fround(Math.sin(i * 0.37) * 0.9));
        const input = quantized(samples, format);
        const wav = streamedWav(input, channels, format);
        const pool = poolSpec === undefined ? undefined : new BufferPool({ channels }, { ...poolSpec, onExhausted: 'wait' });
        const fits = pool === undefined || chunkFrames === undefined || chunkFrames * channels <= poolSpec!.blockFrames * channels;
        const out = heldWritable(false);
        let n = 0;
        const slow = concatMap(<T>(chunk: T) => of(chunk).pipe(delay(delays[n++ % delays.length]!)));
        const bytes = byteStream(split(wav, cuts));
        const source = readerChunk === undefined ? bytes : await WavStreamReader.open(bytes, { chunkFrames: readerChunk });
        const receipts = await lastValueFrom(
          fromWavStream(source, { ...(pool ? { pool } : {}), ...(chunkFrames && fits ? { chunkFrames } : {}) }).pipe(
            slow,
            toWavStream(out.writable, { format, channels, sampleRate: 8000 }),
            toArray(),
          ),
        );
        let next = 0;
        for (const r of receipts) {
          expect(r.position).toBe(next);
          expect(r.frames).toBeGreaterThan(0);
          next += r.frames;
        }
        expect(next).toBe(frames);
        const back = await readBack(out.bytes());
        expect(back.format).toBe(format);
        expect(Buffer.from(back.samples.buffer).equals(Buffer.from(input.buffer))).toBe(true);
        if (pool) expect(pool.stats()).toMatchObject({ inUse: 0, waiting: 0 });
      }),
      { numRuns: 60 },
    );
  });

  it('at teardown (an unsubscription after any receipt, or a stage failing on any chunk) lets the input go, ends the output after whole frames, and every block is back', async () => {
    await fc.assert(
      fc.asyncProperty(
        case_.filter((c) => c.frames > 0),
        fc.constantFrom('unsubscribe', 'error'),
        fc.nat(),
        async ({ channels, frames, cuts, pool: poolSpec, delays }, how, stopSeed) => {
          const wav = streamedWav(Float32Array.from({ length: frames * channels }, (_, i) => i), channels);
          const input = byteStream(split(wav, cuts));
          const pool = new BufferPool({ channels }, { blocks: poolSpec?.blocks ?? 2, blockFrames: poolSpec?.blockFrames ?? 16, onExhausted: 'wait' });
          const out = heldWritable(false);
          const stopAt = 1 + (stopSeed % 4);
          let n = 0;
          const slow = concatMap(<T>(chunk: T) => of(chunk).pipe(delay(delays[n++ % delays.length]!)));
          const boom = new Error('a stage failed');
          const failing = map(<T>(chunk: T, i: number) => {
            if (how === 'error' && i === stopAt - 1) throw boom;
            return chunk;
          });
          const pipeline = fromWavStream(input, { pool }).pipe(slow, failing, toWavStream(out.writable));
          let completed = false;
          if (how === 'unsubscribe') {
            await lastValueFrom(pipeline.pipe(take(stopAt), toArray()));
          } else {
            const result = await lastValueFrom(pipeline, { defaultValue: undefined }).then(
              () => 'completed',
              (error: unknown) => error,
            );
            completed = result === 'completed'; // fewer chunks than stopAt: nothing failed
            if (!completed) expect(result).toBe(boom);
          }
          await vi.waitFor(() => {
            expect(pool.stats()).toMatchObject({ inUse: 0, waiting: 0 });
            expect(input.destroyed || input.readableEnded).toBe(true);
            expect(out.writable.destroyed || out.writable.writableFinished).toBe(true);
          });
          if (how === 'error' && !completed) expect(out.writable.destroyed).toBe(true);
          // Whole frames only, whatever was cut: the bytes read back as a WAV without ERR_WAV_TRUNCATED.
          if (out.bytes().length > 0) {
            const back = await readBack(out.bytes());
            expect(Array.from(back.samples)).toEqual(Array.from({ length: back.samples.length }, (_, i) => i));
          }
        },
      ),
      { numRuns: 60 },
    );
  });
});
