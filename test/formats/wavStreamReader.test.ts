/**
 * WavStreamReader over real pipes: sox and ffmpeg write a WAV of unknown length to their
 * stdout, the reader reads it from that pipe, and its frames equal what the same tool decodes
 * the same bytes to as raw f32 (bit-exact: every integer sample maps to one float). Then the
 * header variants found in the wild, spelled out byte by byte, and streams cut short.
 */
import { spawn, spawnSync } from 'node:child_process';
import { PassThrough, Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { isAvbufError } from '../../src/core/errors.js';
import { decodeInto, encodeInto, type SampleFormat } from '../../src/formats/codecs.js';
import { buildWavHeader } from '../../src/formats/wavHeaderBuilder.js';
import { WavStreamReader } from '../../src/formats/wavStreamReader.js';
import { requireProgram } from '../helpers/program.js';
import { ascii, chunk, concat, fmtBody, fmtExtensible, le32, le64, riffFile, w64Chunk, w64File } from './wavBytes.js';

const HAS_SOX = requireProgram('sox', 'sox');
const HAS_FFMPEG = requireProgram('ffmpeg', 'ffmpeg', '-version');

const FRAMES = 24_000; // half a second at 48 kHz: several pipe reads, frames split across them

/** Passes a byte stream through, keeping a copy of every byte. */
async function* tap(source: AsyncIterable<Uint8Array>, copy: Uint8Array[]): AsyncGenerator<Uint8Array> {
  for await (const bytes of source) {
    copy.push(Uint8Array.from(bytes));
    yield bytes;
  }
}

/** Every frame of a reader, joined. */
async function readAll(reader: WavStreamReader): Promise<Float32Array> {
  const parts: Float32Array[] = [];
  for await (const frames of reader) parts.push(frames);
  const out = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** Bytes as a Node stream, in pieces of the given sizes (the last piece takes the rest). */
function pieces(bytes: Uint8Array, sizes: readonly number[] = [bytes.length]): Readable {
  const parts: Uint8Array[] = [];
  let at = 0;
  for (const size of sizes) {
    if (at >= bytes.length) break;
    parts.push(bytes.slice(at, at + size));
    at += size;
  }
  if (at < bytes.length) parts.push(bytes.slice(at));
  return Readable.from(parts);
}

async function errorOf(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected a failure');
}

function floats(raw: Buffer): Float32Array {
  return new Float32Array(raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.length));
}

/** What the tool itself decodes `wav` to: raw native f32, read from a pipe. */
function toolDecode(tool: 'sox' | 'ffmpeg', wav: Uint8Array): Float32Array {
  const args =
    tool === 'sox'
      ? ['-D', '-t', 'wav', '-', '-t', 'f32', '-']
      : ['-hide_banner', '-loglevel', 'error', '-f', 'wav', '-i', '-', '-f', 'f32le', '-c:a', 'pcm_f32le', '-'];
  const r = spawnSync(tool, args, { input: wav, maxBuffer: 64 << 20 });
  expect(r.status, r.stderr.toString()).toBe(0);
  return floats(r.stdout);
}

const SOX_ENCODING: Record<string, string[]> = {
  s16: ['-b', '16', '-e', 'signed-integer'],
  s24: ['-b', '24', '-e', 'signed-integer'],
  f32: ['-b', '32', '-e', 'floating-point'],
};
const FFMPEG_CODEC: Record<string, string> = { s16: 'pcm_s16le', s24: 'pcm_s24le', f32: 'pcm_f32le' };

function producer(tool: 'sox' | 'ffmpeg', format: string, channels: number): string[] {
  const seconds = String(FRAMES / 48000);
  if (tool === 'sox') {
    const tones = ['sine 440', 'sine 660', 'square 110'].slice(0, channels).join(' ');
    return ['sox', '-D', '-R', '-n', '-r', '48000', '-c', String(channels), ...SOX_ENCODING[format]!, '-t', 'wav', '-', 'synth', seconds, ...tones.split(' '), 'gain', '-1'];
  }
  const exprs = ['0.8*sin(2*PI*440*t)', '0.5*sin(2*PI*660*t)+0.1*random(0)', '0.3*sin(2*PI*110*t)'].slice(0, channels).join('|');
  return ['ffmpeg', '-hide_banner', '-loglevel', 'error', '-f', 'lavfi', '-i', `aevalsrc=${exprs}:s=48000:d=${seconds}`, '-c:a', FFMPEG_CODEC[format]!, '-f', 'wav', '-'];
}

describe.each([
  { tool: 'sox' as const, present: HAS_SOX },
  { tool: 'ffmpeg' as const, present: HAS_FFMPEG },
])('$tool writes a WAV of unknown length to a pipe; WavStreamReader reads it from the pipe', ({ tool, present }) => {
  it.skipIf(!present).each([
    { format: 's16', channels: 2 },
    { format: 's24', channels: 2 },
    { format: 'f32', channels: 2 },
    { format: 'f32', channels: 3 },
  ])('$format × $channels: frames equal the tool’s own f32 decoding, bit for bit', async ({ format, channels }) => {
    const [command, ...args] = producer(tool, format, channels);
    const child = spawn(command!, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
    const copy: Uint8Array[] = [];
    const reader = await WavStreamReader.open(tap(child.stdout, copy), { name: tool, chunkFrames: 4096 });
    expect(reader.info.format).toBe(format);
    expect(reader.info.channels).toBe(channels);
    expect(reader.info.sampleRate).toBe(48000);
    // ffmpeg says "unknown" (0xFFFFFFFF); sox puts a placeholder it cannot correct on a pipe.
    if (tool === 'ffmpeg') expect(reader.info.dataBytes).toBeNull();
    else expect(reader.info.dataBytes).toBeGreaterThan(FRAMES * reader.info.blockAlign);
    const ours = await readAll(reader);
    expect(await exited, stderr).toBe(0);
    expect(reader.framesRead).toBe(FRAMES);
    const theirs = toolDecode(tool, concat(...copy));
    expect(ours.length).toBe(FRAMES * channels);
    expect(Buffer.from(ours.buffer).equals(Buffer.from(theirs.buffer))).toBe(true);
  });

  it.skipIf(!present)('a pipe cut inside a frame (head -c) gives ERR_WAV_TRUNCATED after the whole frames before the cut', async () => {
    const command = producer(tool, 's16', 2).map((a) => `'${a}'`).join(' ');
    const child = spawn('sh', ['-c', `${command} 2>/dev/null | head -c 20001`], { stdio: ['ignore', 'pipe', 'inherit'] });
    const reader = await WavStreamReader.open(child.stdout, { name: tool });
    const frames: Float32Array[] = [];
    const error = await errorOf(
      (async () => {
        for await (const f of reader) frames.push(f);
      })(),
    );
    expect(isAvbufError(error, 'ERR_WAV_TRUNCATED')).toBe(true);
    expect((20001 - reader.info.dataOffset) % 4).not.toBe(0); // the cut really falls inside a frame
    const whole = Math.floor((20001 - reader.info.dataOffset) / 4);
    expect(reader.framesRead).toBe(whole);
    expect(frames.reduce((n, f) => n + f.length / 2, 0)).toBe(whole);
  });
});

describe('header variants, read from a stream', () => {
  const samples = [0, 1, -1, 1000, -32768, 32767, 12, -12];
  const s16 = concat(...samples.map((v) => [v & 0xff, (v >> 8) & 0xff]));
  const expected = Float32Array.from(samples, (v) => v / 32768);
  const pcm16 = chunk('fmt ', fmtBody({ tag: 1, channels: 2, rate: 8000, bits: 16 }));
  const cases: { name: string; bytes: Uint8Array; dataBytes: number | null }[] = [
    { name: '16-byte PCM fmt, declared size', bytes: riffFile([pcm16, chunk('data', s16)]), dataBytes: 16 },
    { name: '18-byte fmt, LIST and JUNK before the data', bytes: riffFile([chunk('JUNK', new Uint8Array(28)), chunk('fmt ', fmtBody({ tag: 1, channels: 2, rate: 8000, bits: 16, cbSize: true })), chunk('LIST', concat(ascii('INFO'), chunk('ISFT', ascii('x\0')))), chunk('data', s16)]), dataBytes: 16 },
    { name: '40-byte WAVE_FORMAT_EXTENSIBLE', bytes: riffFile([chunk('fmt ', fmtExtensible({ subTag: 1, channels: 2, rate: 8000, bits: 16, mask: 3 })), chunk('data', s16)]), dataBytes: 16 },
    { name: 'data size 0 (read to the end)', bytes: riffFile([pcm16, chunk('data', s16, 0)], { riffSize: 0 }), dataBytes: null },
    { name: 'data size 0xFFFFFFFF (read to the end)', bytes: riffFile([pcm16, chunk('data', s16, 0xffffffff)], { riffSize: 0xffffffff }), dataBytes: null },
    { name: 'RF64 with its size in ds64', bytes: riffFile([chunk('ds64', [...le64(100), ...le64(16), ...le64(4), ...le32(0)]), pcm16, chunk('data', s16, 0xffffffff)], { magic: 'RF64', riffSize: 0xffffffff }), dataBytes: 16 },
    { name: 'RF64 streamed (ds64 sizes 0)', bytes: riffFile([chunk('ds64', new Uint8Array(28)), pcm16, chunk('data', s16, 0xffffffff)], { magic: 'RF64', riffSize: 0xffffffff }), dataBytes: null },
    { name: 'Wave64', bytes: w64File([w64Chunk('fmt ', fmtBody({ tag: 1, channels: 2, rate: 8000, bits: 16 })), w64Chunk('data', s16)]), dataBytes: 16 },
    { name: 'our own streamed header', bytes: concat(buildWavHeader({ format: 's16', channels: 2, sampleRate: 8000, container: 'riff', dataBytes: null }).bytes, s16), dataBytes: null },
  ];
  it.each(cases)('$name: the frames and the declared size', async ({ bytes, dataBytes }) => {
    // One byte at a time: every split, the header's included.
    const reader = await WavStreamReader.open(pieces(bytes, new Array<number>(bytes.length).fill(1)));
    expect(reader.info.dataBytes).toBe(dataBytes);
    expect(reader.info.frames).toBe(dataBytes === null ? null : dataBytes / 4);
    expect(reader.info.chunks.at(-1)?.id).toBe('data');
    expect(Array.from(await readAll(reader))).toEqual(Array.from(expected));
  });

  it('reads a WHATWG byte stream too (a fetch Response body)', async () => {
    const body = new Response(cases[4]!.bytes).body!;
    const reader = await WavStreamReader.open(body);
    expect(Array.from(await readAll(reader))).toEqual(Array.from(expected));
  });

  it('stops at a declared size and reads the trailing chunks to the end, so the producer is not cut off', async () => {
    const bytes = riffFile([pcm16, chunk('data', s16.subarray(0, 8)), chunk('LIST', concat(ascii('INFO'), chunk('ISFT', ascii('abc\0'))))]);
    let pulled = 0;
    async function* counted(): AsyncGenerator<Uint8Array> {
      for await (const b of pieces(bytes, [50, 3, 3]) as AsyncIterable<Uint8Array>) {
        pulled += b.length;
        yield b;
      }
    }
    const reader = await WavStreamReader.open(counted());
    expect(Array.from(await readAll(reader))).toEqual(Array.from(expected.subarray(0, 4)));
    expect(pulled).toBe(bytes.length);
  });

  it('decodes 24-bit and float samples split across reads at every offset', async () => {
    const values = Float32Array.from([0.5, -0.25, 1 / 8388608, -1, 0.999, 0.1, -0.3, 0.7, 0.123456, -0.654321, 0, 0.75]);
    for (const format of ['s24', 'f32', 'f64', 'u8', 's32'] as SampleFormat[]) {
      const header = buildWavHeader({ format, channels: 3, sampleRate: 44100, container: 'riff', dataBytes: null }).bytes;
      const data = new Uint8Array(values.length * { u8: 1, s16: 2, s24: 3, s32: 4, f32: 4, f64: 8 }[format]);
      encodeInto(format, values, data, values.length);
      const reference = new Float32Array(values.length);
      decodeInto(format, data, reference, values.length);
      for (let split = 1; split < 24; split++) {
        const reader = await WavStreamReader.open(pieces(concat(header, data), [header.length + split, 5, 7, 1]), { chunkFrames: 1 });
        expect(Array.from(await readAll(reader)), `${format} split ${split}`).toEqual(Array.from(reference));
      }
    }
  });
});

describe('streams that are not a whole WAV', () => {
  const wav = concat(buildWavHeader({ format: 's16', channels: 2, sampleRate: 8000, container: 'riff', dataBytes: null }).bytes, new Uint8Array(40));

  it('an empty stream is ERR_WAV_NOT_WAVE; bytes that are not a WAV are ERR_WAV_NOT_WAVE at once', async () => {
    expect(isAvbufError(await errorOf(WavStreamReader.open(pieces(new Uint8Array(0)))), 'ERR_WAV_NOT_WAVE')).toBe(true);
    expect(isAvbufError(await errorOf(WavStreamReader.open(pieces(Uint8Array.from(ascii('OggS, not a wave file at all'))))), 'ERR_WAV_NOT_WAVE')).toBe(true);
  });

  it.each([3, 11, 20, 40, 71])('a stream that ends inside the header (after %i bytes) is ERR_WAV_TRUNCATED', async (cut) => {
    const error = await errorOf(WavStreamReader.open(pieces(wav.subarray(0, cut), [1, 2, 5])));
    expect(isAvbufError(error, 'ERR_WAV_TRUNCATED')).toBe(true);
  });

  it('a stream that ends inside a frame is ERR_WAV_TRUNCATED, after the whole frames', async () => {
    const header = buildWavHeader({ format: 's16', channels: 2, sampleRate: 8000, container: 'riff', dataBytes: null }).bytes;
    const reader = await WavStreamReader.open(pieces(concat(header, new Uint8Array(4 * 5 + 3)), [header.length + 6]));
    const got: number[] = [];
    const error = await errorOf(
      (async () => {
        for await (const f of reader) got.push(f.length / 2);
      })(),
    );
    expect(isAvbufError(error, 'ERR_WAV_TRUNCATED')).toBe(true);
    expect((error as Error).message).toMatch(/inside a frame \(3 of 4 bytes\) after 5 frames/);
    expect(got.reduce((a, b) => a + b, 0)).toBe(5);
  });

  it('a source that fails gives ERR_FILE_IO with the cause; one that yields strings, ERR_INVALID_ARGUMENT', async () => {
    async function* failing(): AsyncGenerator<Uint8Array> {
      await Promise.resolve();
      yield wav.subarray(0, wav.length - 30); // the header and two and a half frames
      throw new Error('connection reset');
    }
    const reader = await WavStreamReader.open(failing());
    const error = await errorOf(readAll(reader));
    expect(isAvbufError(error, 'ERR_FILE_IO')).toBe(true);
    expect(((error as Error).cause as Error).message).toBe('connection reset');
    expect(isAvbufError(await errorOf(WavStreamReader.open(Readable.from(['RIFF']))), 'ERR_INVALID_ARGUMENT')).toBe(true);
  });

  it('the samples are read once; leaving the loop early releases the source', async () => {
    let released = false;
    async function* source(): AsyncGenerator<Uint8Array> {
      await Promise.resolve();
      try {
        yield wav.subarray(0, 60);
        yield wav.subarray(60);
        yield new Uint8Array(4000);
      } finally {
        released = true;
      }
    }
    const reader = await WavStreamReader.open(source());
    for await (const frames of reader) {
      expect(frames.length).toBe(2 * 10); // the 40 sample bytes that came with the end of the header
      break;
    }
    expect(released).toBe(true);
    expect(isAvbufError(await errorOf(readAll(reader)), 'ERR_BUFFER_CLOSED')).toBe(true);
  });
});

describe('readInto: frames decoded straight into the caller’s array', () => {
  const header = buildWavHeader({ format: 'f32', channels: 2, sampleRate: 8000, container: 'riff', dataBytes: null }).bytes;
  const samples = Float32Array.from({ length: 20 }, (_, i) => (i - 10) / 16);
  const data = new Uint8Array(samples.buffer.slice(0));

  it('an abort while it waits for bytes rejects at once with ERR_ABORTED, and the bytes that come later are not written', async () => {
    const pipe = new PassThrough();
    pipe.write(header);
    const reader = await WavStreamReader.open(pipe);
    const target = new Float32Array(8).fill(7);
    const abort = new AbortController();
    const pending = reader.readInto(target, abort.signal);
    await new Promise((resolve) => setImmediate(resolve)); // it waits for the samples: none came yet
    abort.abort();
    expect(isAvbufError(await errorOf(pending), 'ERR_ABORTED')).toBe(true); // no byte came: the abort alone settled it
    pipe.write(data);
    await new Promise((resolve) => setImmediate(resolve));
    expect(Array.from(target)).toEqual(new Array(8).fill(7));
    expect(pipe.destroyed).toBe(true); // let go once the pending read had its bytes
    expect(isAvbufError(await errorOf(reader.readInto(target)), 'ERR_BUFFER_CLOSED')).toBe(true);
  });

  it('one call at a time, room for a frame, not after frames(); close() lets the source go mid-way', async () => {
    const pipe = new PassThrough();
    pipe.write(concat(header, data.subarray(0, 24))); // three frames
    const reader = await WavStreamReader.open(pipe);
    expect(isAvbufError(await errorOf(reader.readInto(new Float32Array(1))), 'ERR_INVALID_ARGUMENT')).toBe(true);
    const target = new Float32Array(4);
    expect(await reader.readInto(target)).toBe(2);
    expect(Array.from(target)).toEqual(Array.from(samples.subarray(0, 4)));
    expect(await reader.readInto(target)).toBe(1);
    const waiting = reader.readInto(target);
    expect(isAvbufError(await errorOf(reader.readInto(target)), 'ERR_BUFFER_CLOSED')).toBe(true);
    pipe.write(data.subarray(24));
    expect(await waiting).toBe(2);
    expect(Array.from(target)).toEqual(Array.from(samples.subarray(6, 10)));
    expect(isAvbufError(await errorOf(readAll(reader)), 'ERR_BUFFER_CLOSED')).toBe(true);
    await reader.close();
    expect(pipe.destroyed).toBe(true);

    const other = await WavStreamReader.open(Readable.from([concat(header, data)]));
    expect((await readAll(other)).length).toBe(20);
    expect(isAvbufError(await errorOf(other.readInto(target)), 'ERR_BUFFER_CLOSED')).toBe(true);
  });
});
