/**
 * processFile in the process, over real files and Node streams: the composition of public
 * parts gives what the command promises — the gain bit for bit (integer output encoded in
 * workers), progress from the sink's receipts up to the last frame, the summary — and its
 * failures: a stream cut inside a frame (ERR_WAV_TRUNCATED, no output left), normalize with a
 * stream (ArgumentError), a destination that fails (ERR_FILE_IO, the stream destroyed).
 */
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable, Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCode } from '../../src/core/errors.js';
import { decodeInto, encodeInto, type SampleFormat } from '../../src/formats/codecs.js';
import { WavReader } from '../../src/formats/wavReader.js';
import { WavWriter } from '../../src/formats/wavWriter.js';
import { processFile, type ProcessProgress } from '../../src/jobs/processFile.js';
import { heldWritable, readBack, streamedWav } from '../edges/rx/wavStreamKit.js';

const dir = mkdtempSync(join(tmpdir(), 'avbuf-job-'));
const input = join(dir, 'in.wav');
const FRAMES = 50_000;
let samples: Float32Array;

function quantized(values: Float32Array, format: SampleFormat): Float32Array {
  if (format === 'f32') return values;
  const bytes = new Uint8Array(values.length * 4);
  encodeInto(format, values, bytes, values.length);
  const out = new Float32Array(values.length);
  decodeInto(format, bytes, out, values.length);
  return out;
}

const withGain = (values: Float32Array, db: number): Float32Array => Float32Array.from(values, (x) => Math.fround(x * 10 ** (db / 20)));

async function readFile(path: string): Promise<{ data: Float32Array; format: string }> {
  const reader = await WavReader.open(path);
  const data = new Float32Array(reader.info.frames * reader.info.channels);
  await reader.read(data, 0);
  await reader.close();
  return { data, format: reader.info.format };
}

const same = (a: Float32Array, b: Float32Array): boolean => Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength));

beforeAll(async () => {
  samples = Float32Array.from({ length: FRAMES * 2 }, (_, i) => Math.fround(0.9 * Math.sin(i * 0.011)));
  const writer = await WavWriter.create(input, { format: 'f32', channels: 2, sampleRate: 48000 });
  await writer.write(samples);
  await writer.close();
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('processFile', () => {
  it('file → file in s24: the gain bit for bit through the worker encoder, progress from the receipts up to the last frame, and the summary', async () => {
    const output = join(dir, 'out24.wav');
    const progress: ProcessProgress[] = [];
    const summary = await processFile({ input, output, gainDb: -3, format: 's24', chunkFrames: 4096, onProgress: (p) => progress.push(p) });
    expect(summary).toMatchObject({ input, output, frames: FRAMES, channels: 2, sampleRate: 48000, inputFormat: 'f32', outputFormat: 's24', gainDb: -3, peakIn: null });
    const { data, format } = await readFile(output);
    expect(format).toBe('s24');
    expect(same(data, quantized(withGain(samples, -3), 's24'))).toBe(true);
    expect(progress.map((p) => p.framesDone)).toEqual(Array.from({ length: Math.ceil(FRAMES / 4096) }, (_, i) => Math.min((i + 1) * 4096, FRAMES)));
    expect(progress.every((p) => p.phase === 'process' && p.framesTotal === FRAMES && p.bytesDone === p.framesDone * 8)).toBe(true);
    expect(readdirSync(dir).filter((n) => n.endsWith('.partial'))).toEqual([]);
  });

  it('normalize: a scan pass through peak, then the gain that brings the peak to gainDb', async () => {
    const output = join(dir, 'norm.wav');
    const phases: string[] = [];
    const summary = await processFile({ input, output, gainDb: -1, normalize: true, chunkFrames: 16384, onProgress: (p) => phases.push(p.phase) });
    let peak = 0;
    for (const v of samples) peak = Math.max(peak, Math.abs(v));
    expect(summary.peakIn).toBe(peak);
    expect(summary.gainDb).toBeCloseTo(-1 - 20 * Math.log10(peak), 12);
    expect(phases).toEqual(['scan', 'scan', 'scan', 'scan', 'process', 'process', 'process', 'process']);
    expect(same((await readFile(output)).data, withGain(samples, summary.gainDb))).toBe(true);
  });

  it('stream → stream: an s16 WAV in reads and writes s16 by default, the gain bit for bit; progress has no total', async () => {
    const s16 = quantized(samples, 's16');
    const wav = streamedWav(s16, 2, 's16', 48000);
    const parts: Uint8Array[] = [];
    for (let at = 0; at < wav.length; at += 65536) parts.push(wav.subarray(at, at + 65536));
    const out = heldWritable(false);
    const progress: ProcessProgress[] = [];
    const summary = await processFile({ input: Readable.from(parts), output: out.writable, gainDb: -6, onProgress: (p) => progress.push(p) });
    expect(summary).toMatchObject({ input: '-', output: '-', frames: FRAMES, channels: 2, inputFormat: 's16', outputFormat: 's16', gainDb: -6 });
    expect(out.writable.writableFinished).toBe(true);
    const back = await readBack(out.bytes());
    expect(back.format).toBe('s16');
    expect(same(back.samples, quantized(withGain(s16, -6), 's16'))).toBe(true);
    expect(progress.at(-1)).toMatchObject({ framesDone: FRAMES, framesTotal: 0 });
    expect(progress.every((p, i) => i === 0 || p.framesDone > progress[i - 1]!.framesDone)).toBe(true);
  });

  it('a stream cut inside a frame: ERR_WAV_TRUNCATED, and neither OUT nor a partial file is left', async () => {
    const wav = streamedWav(samples.subarray(0, 2000), 2, 'f32', 48000);
    const output = join(dir, 'cut.wav');
    await expect(processFile({ input: Readable.from([wav.subarray(0, wav.length - 3)]), output })).rejects.toMatchObject({ code: ErrorCode.WAV_TRUNCATED });
    expect(existsSync(output)).toBe(false);
    expect(readdirSync(dir).filter((n) => n.endsWith('.partial'))).toEqual([]);
  });

  it('normalize with a streamed input is an ArgumentError, before anything is read', async () => {
    const stream = Readable.from([streamedWav([0, 0], 2)]);
    await expect(processFile({ input: stream, output: join(dir, 'never.wav'), normalize: true })).rejects.toMatchObject({ code: ErrorCode.INVALID_ARGUMENT });
    expect(stream.readableDidRead).toBe(false);
  });

  it('a destination that fails: ERR_FILE_IO, and the stream is destroyed', async () => {
    const failing = new Writable({
      write(_chunk, _encoding, callback) {
        callback(new Error('EPIPE: the reader went away'));
      },
    });
    failing.on('error', () => undefined);
    await expect(processFile({ input, output: failing, chunkFrames: 4096 })).rejects.toMatchObject({ code: ErrorCode.FILE_IO });
    expect(failing.destroyed).toBe(true);
  });
});
