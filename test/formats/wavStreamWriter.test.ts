/**
 * WavStreamWriter into real pipes: its output goes into the stdin of ffmpeg and sox, which
 * decode it back to raw f32 bit-exactly (float) or exactly as our own codec rounds (integers);
 * ffprobe and soxi describe its header read from a pipe. Then back-pressure on a Writable that
 * holds its writes, and a consumer that goes away (EPIPE).
 */
import { spawn } from 'node:child_process';
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { isAvbufError } from '../../src/core/errors.js';
import { bytesPerSample, decodeInto, encodeInto, type SampleFormat } from '../../src/formats/codecs.js';
import { WavStreamWriter } from '../../src/formats/wavStreamWriter.js';
import { requireProgram } from '../helpers/program.js';

const HAS_SOX = requireProgram('sox', 'sox');
const HAS_FFMPEG = requireProgram('ffmpeg', 'ffmpeg', '-version');

/** Runs `command`, feeding its stdin through a WavStreamWriter with `frames`; resolves to its stdout and exit code. */
async function throughWriter(
  command: string[],
  options: { format: SampleFormat; channels: number; sampleRate: number },
  frames: Float32Array,
  blockFrames = 4096,
): Promise<{ stdout: Buffer; code: number | null; stderr: string; written: number }> {
  const child = spawn(command[0]!, command.slice(1), { stdio: ['pipe', 'pipe', 'pipe'] });
  const out: Buffer[] = [];
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => out.push(d));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
  const writer = new WavStreamWriter(child.stdin, { ...options, name: command[0] });
  const step = blockFrames * options.channels;
  for (let at = 0; at < frames.length; at += step) await writer.write(frames.subarray(at, at + step));
  const written = await writer.close();
  const code = await exited;
  return { stdout: Buffer.concat(out), code, stderr, written };
}

function floats(raw: Buffer): Float32Array {
  return new Float32Array(raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.length));
}

/** A deterministic signal in [-1, 1), with values that sit on and between integer steps. */
function signal(frames: number, channels: number): Float32Array {
  const out = new Float32Array(frames * channels);
  let seed = 12345;
  for (let i = 0; i < out.length; i++) {
    seed = (seed * 1103515245 + 12345) >>> 0;
    out[i] = i % 7 === 0 ? Math.sin(i / 50) * 0.9 : seed / 2 ** 31 - 1;
  }
  out[0] = -1;
  out[1] = 0.5;
  return out;
}

/** What a float signal is once stored as `format` and decoded by our codec. */
function stored(format: SampleFormat, values: Float32Array): Float32Array {
  const bytes = new Uint8Array(values.length * bytesPerSample(format));
  encodeInto(format, values, bytes, values.length);
  const back = new Float32Array(values.length);
  decodeInto(format, bytes, back, values.length);
  return back;
}

const FFMPEG_DECODE = ['ffmpeg', '-hide_banner', '-loglevel', 'error', '-f', 'wav', '-i', '-', '-f', 'f32le', '-c:a', 'pcm_f32le', '-'];
const SOX_DECODE = ['sox', '-D', '-t', 'wav', '-', '-t', 'f32', '-'];

/**
 * sox carries every sample as a 32-bit integer inside and writes floats from it in steps of
 * 2^-24, so a float passes through sox unchanged when it is a multiple of 2^-24 in [-1, 1);
 * ffmpeg copies float samples as they are.
 */
function onSoxGrid(values: Float32Array): Float32Array {
  return values.map((x) => Math.round(x * 2 ** 24) / 2 ** 24);
}

describe.each([
  { tool: 'ffmpeg', present: HAS_FFMPEG, decode: FFMPEG_DECODE, grid: (x: Float32Array) => x },
  { tool: 'sox', present: HAS_SOX, decode: SOX_DECODE, grid: onSoxGrid },
])('WavStreamWriter → a pipe → $tool', ({ present, decode, grid }) => {
  it.skipIf(!present).each([
    { format: 's16' as const, channels: 1 },
    { format: 's16' as const, channels: 2 },
    { format: 's24' as const, channels: 2 },
    { format: 'f32' as const, channels: 2 },
    { format: 'f32' as const, channels: 3 },
  ])('$format × $channels decodes back exactly', async ({ format, channels }) => {
    const input = grid(signal(20_000, channels));
    // 1000-frame blocks: many writes, none a multiple of a pipe's 64 KiB.
    const result = await throughWriter(decode, { format, channels, sampleRate: 48000 }, input, 1000);
    expect(result.code, result.stderr).toBe(0);
    expect(result.written).toBe(20_000);
    const back = floats(result.stdout);
    const expected = format === 'f32' ? input : stored(format, input);
    expect(back.length).toBe(expected.length);
    expect(Buffer.from(back.buffer).equals(Buffer.from(expected.buffer))).toBe(true);
  });
});

describe('the streamed header, read from a pipe', () => {
  it.skipIf(!HAS_FFMPEG).each([
    { format: 's16' as const, channels: 2, codec: 'pcm_s16le', bits: 16 },
    { format: 's24' as const, channels: 2, codec: 'pcm_s24le', bits: 24 },
    { format: 'f32' as const, channels: 1, codec: 'pcm_f32le', bits: 32 },
  ])('ffprobe: $codec, $channels channels, 44100 Hz', async ({ format, channels, codec, bits }) => {
    const probe = ['ffprobe', '-v', 'error', '-show_streams', '-of', 'json', '-i', '-'];
    const result = await throughWriter(probe, { format, channels, sampleRate: 44100 }, signal(4410, channels));
    expect(result.code, result.stderr).toBe(0);
    const { streams } = JSON.parse(result.stdout.toString()) as { streams: { codec_name: string; channels: number; sample_rate: string; bits_per_sample: number }[] };
    expect(streams).toHaveLength(1);
    expect(streams[0]).toMatchObject({ codec_name: codec, channels, sample_rate: '44100', bits_per_sample: bits });
  });

  it.skipIf(!HAS_SOX).each([
    { format: 's16' as const, channels: 2, encoding: 'Signed Integer PCM', precision: '16-bit' },
    { format: 's24' as const, channels: 3, encoding: 'Signed Integer PCM', precision: '24-bit' },
    { format: 'f32' as const, channels: 2, encoding: 'Floating Point PCM', precision: '25-bit' },
  ])('soxi: $format, $channels channels, 96000 Hz', async ({ format, channels, encoding, precision }) => {
    const result = await throughWriter(['soxi', '-'], { format, channels, sampleRate: 96000 }, signal(960, channels));
    expect(result.code, result.stderr).toBe(0);
    const text = result.stdout.toString();
    expect(text).toMatch(new RegExp(`Channels\\s*: ${channels}\\n`));
    expect(text).toMatch(/Sample Rate\s*: 96000\n/);
    expect(text).toMatch(new RegExp(`Precision\\s*: ${precision}\\n`));
    expect(text).toContain(encoding);
  });
});

describe('back-pressure and failures', () => {
  /** A Writable that keeps each write's callback until `release` is called. */
  function heldWritable(highWaterMark: number): { stream: Writable; chunks: Uint8Array[]; release: () => void } {
    const chunks: Uint8Array[] = [];
    let pending: (() => void) | null = null;
    const stream = new Writable({
      highWaterMark,
      write(chunk: Uint8Array, _encoding, callback) {
        chunks.push(Uint8Array.from(chunk));
        pending = () => callback();
      },
    });
    return {
      stream,
      chunks,
      release: () => {
        const p = pending;
        pending = null;
        p?.();
      },
    };
  }

  const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

  it('sends the header with the first frames, then a write waits while the destination is full and resolves once it drained', async () => {
    const { stream, chunks, release } = heldWritable(64);
    const writer = new WavStreamWriter(stream, { format: 's16', channels: 2, sampleRate: 8000 });
    await tick();
    expect(chunks).toHaveLength(0);
    let resolved = false;
    const first = writer.write(new Float32Array(64)).then(() => (resolved = true)); // 128 bytes: past the 64-byte mark
    const second = writer.write(new Float32Array(2).fill(0.5));
    await tick();
    expect(resolved).toBe(false);
    expect(chunks.map((c) => c.length)).toEqual([writer.header.length + 128]); // one write; the second waits behind it
    expect(Array.from(chunks[0]!.subarray(0, writer.header.length))).toEqual(Array.from(writer.header));
    release();
    await first;
    expect(resolved).toBe(true);
    await second;
    expect(chunks.map((c) => c.length)).toEqual([writer.header.length + 128, 4]);
    const closed = writer.close();
    await tick();
    release();
    expect(await closed).toBe(33);
  });

  it('writeEncoded resolves only once the destination has written the bytes, which it does not copy', async () => {
    const { stream, chunks, release } = heldWritable(1 << 20);
    const writer = new WavStreamWriter(stream, { format: 's16', channels: 1, sampleRate: 8000 });
    await writer.write(new Float32Array(2)); // the header goes with these
    let resolved = false;
    const done = writer.writeEncoded(new Uint8Array([1, 2, 3, 4])).then(() => (resolved = true));
    await tick();
    release(); // the header and the first frames
    await tick();
    expect(Array.from(chunks[1] ?? [])).toEqual([1, 2, 3, 4]);
    expect(resolved).toBe(false); // below the highWaterMark, yet still held by the destination
    release();
    await done;
    expect(resolved).toBe(true);
    expect(writer.frames).toBe(4);
  });

  it('a consumer that goes away (EPIPE) fails the next write with ERR_FILE_IO, and close with it too', async () => {
    const child = spawn('head', ['-c', '100'], { stdio: ['pipe', 'ignore', 'ignore'] });
    await new Promise((resolve) => child.on('spawn', resolve));
    const writer = new WavStreamWriter(child.stdin, { format: 'f32', channels: 2, sampleRate: 48000, name: 'head' });
    let error: unknown;
    try {
      for (let i = 0; i < 10_000; i++) await writer.write(new Float32Array(16384));
    } catch (e) {
      error = e;
    }
    expect(isAvbufError(error, 'ERR_FILE_IO')).toBe(true);
    expect((error as Error).message).toMatch(/^head: /);
    let closeError: unknown;
    await writer.close().catch((e: unknown) => (closeError = e));
    expect(isAvbufError(closeError, 'ERR_FILE_IO')).toBe(true);
  });

  it('refuses partial frames and writes after close, with typed errors; closing with no frames sends the header alone', async () => {
    const { stream, chunks, release } = heldWritable(1 << 20);
    const writer = new WavStreamWriter(stream, { format: 's16', channels: 2, sampleRate: 8000 });
    await expect(writer.write(new Float32Array(3))).rejects.toMatchObject({ code: 'ERR_FRAME_MISALIGNED' });
    await expect(writer.writeEncoded(new Uint8Array(6))).rejects.toMatchObject({ code: 'ERR_FRAME_MISALIGNED' });
    const closed = writer.close();
    await tick();
    release();
    expect(await closed).toBe(0);
    await expect(writer.write(new Float32Array(2))).rejects.toMatchObject({ code: 'ERR_BUFFER_CLOSED' });
    expect(chunks.map((c) => c.length)).toEqual([writer.header.length]);
    expect(() => new WavStreamWriter(stream, { format: 's16', channels: 0, sampleRate: 8000 })).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARGUMENT' }));
  });
});
