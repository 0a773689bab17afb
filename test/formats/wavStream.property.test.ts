/**
 * Properties of the WAV stream reader and writer against a simple model (the data chunk's
 * bytes decoded in one piece): however the byte stream is split, the split falling anywhere
 * (inside the header too), the frames come out the same, none lost, repeated or reordered; a
 * stream cut anywhere gives the whole frames before the cut and a typed error exactly when the
 * cut is not on a frame boundary; what the writer writes, the reader reads back.
 */
import { PassThrough, Readable } from 'node:stream';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isAvbufError } from '../../src/core/errors.js';
import { bytesPerSample, decodeInto, encodeInto, SAMPLE_FORMATS, type SampleFormat } from '../../src/formats/codecs.js';
import { buildWavHeader } from '../../src/formats/wavHeaderBuilder.js';
import { WavStreamReader } from '../../src/formats/wavStreamReader.js';
import { WavStreamWriter } from '../../src/formats/wavStreamWriter.js';
import { ascii, chunk, concat, fmtBody, le32, riffFile } from './wavBytes.js';

type Variant = 'streamed' | 'declared' | 'rf64' | 'w64' | 'list';

interface Case {
  readonly format: SampleFormat;
  readonly channels: number;
  readonly frames: number;
  readonly variant: Variant;
  readonly seed: number;
}

const caseArb: fc.Arbitrary<Case> = fc.record({
  format: fc.constantFrom(...SAMPLE_FORMATS),
  channels: fc.integer({ min: 1, max: 4 }),
  frames: fc.integer({ min: 0, max: 40 }),
  variant: fc.constantFrom<Variant>('streamed', 'declared', 'rf64', 'w64', 'list'),
  seed: fc.integer({ min: 1, max: 0x7fffffff }),
});

/** A WAV of the case: its bytes, where the samples start and the model's frames. */
function makeWav(c: Case): { bytes: Uint8Array; dataOffset: number; blockAlign: number; model: Float32Array } {
  const blockAlign = c.channels * bytesPerSample(c.format);
  const data = new Uint8Array(c.frames * blockAlign);
  let s = c.seed;
  for (let i = 0; i < data.length; i++) {
    s = (s * 1103515245 + 12345) >>> 0;
    data[i] = s >>> 24;
  }
  // Random f32 bytes include NaNs, whose payloads must survive (the codec copies bits). f64 NaNs
  // are narrowed by the engine, which need not keep a payload: keep f64 samples finite.
  if (c.format === 'f64') for (let i = 7; i < data.length; i += 8) data[i]! &= 0x3f;
  const model = new Float32Array(c.frames * c.channels);
  decodeInto(c.format, data, model, model.length);
  let header: Uint8Array;
  if (c.variant === 'list') {
    // A hand-made header with a LIST chunk of odd size (and its pad byte) before the data, size unknown.
    const bits = bytesPerSample(c.format) * 8;
    const tag = c.format === 'f32' || c.format === 'f64' ? 3 : 1;
    const fmt = chunk('fmt ', fmtBody({ tag, channels: c.channels, rate: 22050, bits, cbSize: tag === 3 }));
    const list = chunk('LIST', concat(ascii('INFO'), chunk('ISFT', ascii('odd'))));
    const full = riffFile([fmt, list, chunk('data', [], 0xffffffff)], { riffSize: 0xffffffff });
    header = full;
  } else {
    const container = c.variant === 'rf64' ? 'rf64' : c.variant === 'w64' ? 'w64' : 'riff';
    header = buildWavHeader({ format: c.format, channels: c.channels, sampleRate: 22050, container, dataBytes: c.variant === 'declared' ? data.length : null }).bytes;
  }
  return { bytes: concat(header, data), dataOffset: header.length, blockAlign, model };
}

/** The byte stream split at the given cut points (any order, repeats allowed). */
function split(bytes: Uint8Array, cuts: readonly number[]): Readable {
  const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
  const parts: Uint8Array[] = [];
  let at = 0;
  for (const p of [...points, bytes.length]) {
    parts.push(bytes.slice(at, p)); // empty pieces too: a source may yield them
    at = p;
  }
  return Readable.from(parts);
}

function bitsOf(values: Float32Array): number[] {
  return Array.from(new Uint32Array(values.buffer, values.byteOffset, values.length));
}

async function readChunks(reader: WavStreamReader): Promise<{ chunks: Float32Array[]; error: unknown }> {
  const chunks: Float32Array[] = [];
  try {
    for await (const frames of reader) chunks.push(frames);
    return { chunks, error: null };
  } catch (error) {
    return { chunks, error };
  }
}

function joined(chunks: readonly Float32Array[]): Float32Array {
  const out = new Float32Array(chunks.reduce((n, c) => n + c.length, 0));
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}

describe('WavStreamReader, any split of the byte stream', () => {
  it('gives the model’s frames, in chunks of whole frames no larger than chunkFrames', async () => {
    await fc.assert(
      fc.asyncProperty(caseArb, fc.array(fc.nat(), { maxLength: 30 }), fc.integer({ min: 1, max: 9 }), async (c, cuts, chunkFrames) => {
        const { bytes, model } = makeWav(c);
        const reader = await WavStreamReader.open(split(bytes, cuts), { chunkFrames });
        expect(reader.info).toMatchObject({ format: c.format, channels: c.channels, sampleRate: 22050 });
        // A declared size of 0 is what streaming writers put for "unknown": it reads as no size.
        expect(reader.info.frames).toBe(c.variant === 'declared' && c.frames > 0 ? c.frames : null);
        const { chunks, error } = await readChunks(reader);
        expect(error).toBeNull();
        for (const frames of chunks) {
          expect(frames.length % c.channels).toBe(0);
          expect(frames.length / c.channels).toBeGreaterThanOrEqual(1);
          expect(frames.length / c.channels).toBeLessThanOrEqual(chunkFrames);
        }
        expect(bitsOf(joined(chunks))).toEqual(bitsOf(model));
        expect(reader.framesRead).toBe(c.frames);
      }),
      { numRuns: 300 },
    );
  });

  it('a stream cut anywhere: the whole frames before the cut, and ERR_WAV_TRUNCATED exactly when the cut splits a frame or the header', async () => {
    await fc.assert(
      fc.asyncProperty(caseArb, fc.nat(), fc.array(fc.nat(), { maxLength: 8 }), async (c, cutSeed, cuts) => {
        const { bytes, dataOffset, blockAlign, model } = makeWav(c);
        const cut = cutSeed % (bytes.length + 1);
        const stream = split(bytes.subarray(0, cut), cuts);
        if (cut < dataOffset) {
          let error: unknown;
          await WavStreamReader.open(stream).catch((e: unknown) => (error = e));
          expect(isAvbufError(error, cut === 0 ? 'ERR_WAV_NOT_WAVE' : 'ERR_WAV_TRUNCATED')).toBe(true);
          return;
        }
        const reader = await WavStreamReader.open(stream);
        const { chunks, error } = await readChunks(reader);
        const whole = Math.floor((cut - dataOffset) / blockAlign);
        if ((cut - dataOffset) % blockAlign === 0) expect(error).toBeNull();
        else expect(isAvbufError(error, 'ERR_WAV_TRUNCATED')).toBe(true);
        expect(bitsOf(joined(chunks))).toEqual(bitsOf(model.subarray(0, whole * c.channels)));
      }),
      { numRuns: 300 },
    );
  });
});

/** Every frame `readInto` gives, into a target of `room` samples (maybe not whole frames), until 0 or an error. */
async function readIntoAll(reader: WavStreamReader, room: number, shared = false): Promise<{ chunks: Float32Array[]; error: unknown }> {
  const chunks: Float32Array[] = [];
  // NaN marks: a sample readInto did not write stays a NaN of this payload.
  const target = new Float32Array(shared ? new SharedArrayBuffer(room * 4) : new ArrayBuffer(room * 4));
  new Uint32Array(target.buffer).fill(0x7fc0dead);
  try {
    for (let n = await reader.readInto(target); n > 0; n = await reader.readInto(target)) {
      expect(n * reader.info.channels).toBeLessThanOrEqual(room);
      chunks.push(target.slice(0, n * reader.info.channels));
      new Uint32Array(target.buffer).fill(0x7fc0dead);
    }
    return { chunks, error: null };
  } catch (error) {
    return { chunks, error };
  }
}

describe('WavStreamReader.readInto, any split of the byte stream and any target', () => {
  it('gives the model’s frames, as many as fit the target (shared memory or not) each time, and ends with 0', async () => {
    await fc.assert(
      fc.asyncProperty(caseArb, fc.array(fc.nat(), { maxLength: 30 }), fc.integer({ min: 1, max: 9 }), fc.nat(3), fc.boolean(), async (c, cuts, frames, extra, shared) => {
        const { bytes, model } = makeWav(c);
        const reader = await WavStreamReader.open(split(bytes, cuts), { chunkFrames: 1 }); // chunkFrames is frames()'s only
        const { chunks, error } = await readIntoAll(reader, frames * c.channels + (extra % c.channels), shared);
        expect(error).toBeNull();
        expect(bitsOf(joined(chunks))).toEqual(bitsOf(model));
        expect(reader.framesRead).toBe(c.frames);
        await expect(reader.readInto(new Float32Array(c.channels))).rejects.toMatchObject({ code: 'ERR_BUFFER_CLOSED' });
      }),
      { numRuns: 300 },
    );
  });

  it('a stream cut anywhere after the header: the whole frames before the cut, and ERR_WAV_TRUNCATED exactly when the cut splits a frame', async () => {
    await fc.assert(
      fc.asyncProperty(caseArb, fc.nat(), fc.array(fc.nat(), { maxLength: 8 }), fc.integer({ min: 1, max: 5 }), async (c, cutSeed, cuts, frames) => {
        const { bytes, dataOffset, blockAlign, model } = makeWav(c);
        const cut = dataOffset + (cutSeed % (bytes.length - dataOffset + 1));
        const reader = await WavStreamReader.open(split(bytes.subarray(0, cut), cuts));
        const { chunks, error } = await readIntoAll(reader, frames * c.channels);
        const whole = Math.floor((cut - dataOffset) / blockAlign);
        if ((cut - dataOffset) % blockAlign === 0) expect(error).toBeNull();
        else expect(isAvbufError(error, 'ERR_WAV_TRUNCATED')).toBe(true);
        expect(bitsOf(joined(chunks))).toEqual(bitsOf(model.subarray(0, whole * c.channels)));
      }),
      { numRuns: 300 },
    );
  });
});

describe('WavStreamWriter → WavStreamReader', () => {
  it('reads back what was written, in any write sizes, through a stream with a small highWaterMark', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom<SampleFormat>(...SAMPLE_FORMATS),
        fc.integer({ min: 1, max: 3 }),
        fc.array(fc.integer({ min: 0, max: 50 }), { maxLength: 12 }),
        fc.integer({ min: 1, max: 256 }),
        async (format, channels, writes, highWaterMark) => {
          const pipe = new PassThrough({ highWaterMark });
          const writer = new WavStreamWriter(pipe, { format, channels, sampleRate: 8000 });
          const reading = WavStreamReader.open(pipe).then(readChunks);
          const written: Float32Array[] = [];
          let n = 0;
          for (const frames of writes) {
            const block = Float32Array.from({ length: frames * channels }, () => Math.sin(n++ / 3) * 0.9);
            written.push(block);
            await writer.write(block);
          }
          expect(await writer.close()).toBe(writes.reduce((a, b) => a + b, 0));
          const { chunks, error } = await reading;
          expect(error).toBeNull();
          const sent = joined(written);
          const bytes = new Uint8Array(sent.length * bytesPerSample(format));
          encodeInto(format, sent, bytes, sent.length);
          const expected = new Float32Array(sent.length);
          decodeInto(format, bytes, expected, sent.length);
          expect(bitsOf(joined(chunks))).toEqual(bitsOf(expected));
        },
      ),
      { numRuns: 150 },
    );
  });

  it('the streamed header declares no size: RIFF and data sizes are 0xFFFFFFFF', () => {
    const header = new PassThrough();
    const writer = new WavStreamWriter(header, { format: 's16', channels: 2, sampleRate: 8000 });
    expect(Array.from(writer.header.subarray(4, 8))).toEqual(le32(0xffffffff));
    expect(Array.from(writer.header.subarray(-4))).toEqual(le32(0xffffffff));
    expect(String.fromCharCode(...writer.header.subarray(-8, -4))).toBe('data');
  });
});
