/** WavWriter → file → WavReader for every sample format and container, hand-built files through the reader, and both classes' behaviours. */
import { existsSync, lstatSync, mkdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { ErrorCode, FileError } from '../../src/core/errors.js';
import { SAMPLE_FORMATS, bytesPerSample, decodeInto, type SampleFormat } from '../../src/formats/codecs.js';
import { parseWavHeaderBytes } from '../../src/formats/wavHeader.js';
import { WavReader } from '../../src/formats/wavReader.js';
import { WavWriter } from '../../src/formats/wavWriter.js';
import { ascii, chunk, concat, fmtBody, fmtExtensible, le32, riffFile, s16Bytes, tempDir } from './wavBytes.js';

const tmp = tempDir('wavrt');
afterAll(() => tmp.cleanup());

/** A seeded xorshift so every run writes the same bytes. */
function randomBytes(n: number, seed: number): Uint8Array {
  const out = new Uint8Array(n);
  let x = seed | 1;
  for (let i = 0; i < n; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 0xff;
  }
  return out;
}

/**
 * Samples every format stores exactly: decoded random bytes of that format (so every value is
 * on the format's grid; for f32 every bit pattern, NaN payloads included).
 */
function exactSamples(format: SampleFormat, samples: number, seed: number): Float32Array {
  const source = format === 'f64' ? 'f32' : format; // f64 stores any float32 exactly
  const out = new Float32Array(samples);
  decodeInto(source, randomBytes(samples * bytesPerSample(source), seed), out, samples);
  if (format === 'f64') for (let i = 0; i < samples; i++) if (Number.isNaN(out[i])) out[i] = i; // NaN payloads do not survive f32 → f64 → f32
  return out;
}
const bitsOf = (f: Float32Array): Uint32Array => new Uint32Array(f.buffer, f.byteOffset, f.length);

async function readAll(path: string): Promise<{ reader: WavReader; samples: Float32Array }> {
  const reader = await WavReader.open(path);
  const samples = new Float32Array(reader.info.frames * reader.info.channels);
  expect(await reader.read(samples, 0)).toBe(reader.info.frames);
  await reader.close();
  return { reader, samples };
}

describe('WavWriter → WavReader round trip', () => {
  const containers = ['auto', 'rf64', 'w64'] as const;
  for (const format of SAMPLE_FORMATS) {
    for (const container of containers) {
      it(`${format} in ${container}: 1, 2 and 3 channels come back exactly (odd frame counts, several writes)`, async () => {
        for (const channels of [1, 2, 3]) {
          const frames = 1001;
          const input = exactSamples(format, frames * channels, channels * 7919 + format.length);
          const path = tmp.file(`rt-${format}-${container}-${channels}.wav`);
          const writer = await WavWriter.create(path, { format, channels, sampleRate: 44100, container });
          for (const [from, to] of [[0, 1], [1, 500], [500, 500], [500, frames]] as const) {
            await writer.write(input.subarray(from * channels, to * channels));
          }
          expect(writer.frames).toBe(frames);
          const info = await writer.close();
          expect(info).toMatchObject({ container: container === 'auto' ? 'riff' : container, format, channels, sampleRate: 44100, frames, sizeFrom: 'header' });
          const padded = info.dataBytes + (container === 'w64' ? 0 : info.dataBytes & 1); // RIFF pads odd data; Wave64's last chunk is not padded
          expect(statSync(path).size).toBe(info.dataOffset + padded);
          const { reader, samples } = await readAll(path);
          expect(reader.info).toEqual(info);
          expect(bitsOf(samples)).toEqual(bitsOf(input)); // bit-exact: ints quantised to their grid, f32 as written
        }
      });
    }
  }
});

describe("io: 'sync'", () => {
  for (const format of SAMPLE_FORMATS) {
    it(`${format}: written and read back with synchronous system calls, bit-exact and the same file as with 'async'`, async () => {
      const channels = 2;
      const frames = 777;
      const input = exactSamples(format, frames * channels, 31 + format.length);
      const files: Buffer[] = [];
      for (const io of ['sync', 'async'] as const) {
        const path = tmp.file(`io-${io}-${format}.wav`);
        const writer = await WavWriter.create(path, { format, channels, sampleRate: 48000, io });
        for (const [from, to] of [[0, 3], [3, 400], [400, frames]] as const) await writer.write(input.subarray(from * channels, to * channels));
        await writer.close();
        files.push(readFileSync(path));
        const reader = await WavReader.open(path, { io });
        const back = new Float32Array(frames * channels);
        expect(await reader.read(back.subarray(0, 100 * channels), 0)).toBe(100);
        expect(await reader.read(back.subarray(100 * channels), 100)).toBe(frames - 100);
        expect(await reader.read(back, frames)).toBe(0);
        await reader.close();
        expect(bitsOf(back)).toEqual(bitsOf(input));
      }
      expect(files[0]!.equals(files[1]!)).toBe(true);
    });
  }
});

describe('WavWriter headers', () => {
  async function header(format: SampleFormat, channels: number, container: 'auto' | 'rf64' | 'w64' = 'auto'): Promise<{ bytes: Buffer; info: ReturnType<typeof parseWavHeaderBytes> }> {
    const path = tmp.file(`h-${format}-${channels}-${container}.wav`);
    const writer = await WavWriter.create(path, { format, channels, sampleRate: 48000, container });
    await writer.write(new Float32Array(channels * 3));
    await writer.close();
    const bytes = readFileSync(path);
    return { bytes, info: parseWavHeaderBytes(bytes) };
  }

  it('reserves a 36-byte JUNK chunk after WAVE, then a 16-byte PCM fmt for s16 stereo (data at 80)', async () => {
    const { bytes, info } = await header('s16', 2);
    expect(bytes.subarray(0, 4).toString('latin1')).toBe('RIFF');
    expect(bytes.readUInt32LE(4)).toBe(bytes.length - 8);
    expect(info.chunks.map((c) => [c.id, c.offset, c.size])).toEqual([
      ['JUNK', 12, 28],
      ['fmt ', 48, 16],
      ['data', 72, 12],
    ]);
    expect(info).toMatchObject({ formatTag: 1, extensible: false, dataOffset: 80 });
  });

  it('writes float as an 18-byte IEEE-float fmt with a fact chunk holding the frame count', async () => {
    const { bytes, info } = await header('f32', 2);
    expect(info.chunks.map((c) => c.id)).toEqual(['JUNK', 'fmt ', 'fact', 'data']);
    expect(info).toMatchObject({ formatTag: 3, extensible: false, dataOffset: 94 });
    const fact = info.chunks[2]!;
    expect(bytes.readUInt32LE(fact.offset + 8)).toBe(3);
  });

  it('writes s24, s32 and more than 2 channels as WAVE_FORMAT_EXTENSIBLE with a channel mask, and a fact chunk', async () => {
    expect((await header('s24', 2)).info).toMatchObject({ formatTag: 0xfffe, extensible: true, channelMask: 0x3, validBits: 24, dataOffset: 116 });
    expect((await header('s32', 1)).info).toMatchObject({ extensible: true, channelMask: 0x4 });
    expect((await header('s16', 6)).info).toMatchObject({ format: 's16', extensible: true, channelMask: 0x3f });
    expect((await header('f64', 8)).info).toMatchObject({ format: 'f64', extensible: true, channelMask: 0x63f });
    expect((await header('u8', 12)).info).toMatchObject({ format: 'u8', extensible: true, channelMask: 0 });
    expect((await header('s24', 2)).info.chunks.map((c) => c.id)).toEqual(['JUNK', 'fmt ', 'fact', 'data']);
  });

  it("forced 'rf64' puts the 64-bit sizes in ds64 and 0xFFFFFFFF in the 32-bit fields", async () => {
    const { bytes, info } = await header('s16', 2, 'rf64');
    expect(bytes.subarray(0, 4).toString('latin1')).toBe('RF64');
    expect(bytes.readUInt32LE(4)).toBe(0xffffffff);
    expect(bytes.subarray(12, 16).toString('latin1')).toBe('ds64');
    expect(bytes.readBigUInt64LE(20)).toBe(BigInt(bytes.length - 8)); // riff size
    expect(bytes.readBigUInt64LE(28)).toBe(12n); // data size
    expect(bytes.readBigUInt64LE(36)).toBe(3n); // sample count
    expect(bytes.readUInt32LE(info.dataOffset - 4)).toBe(0xffffffff);
  });

  it('adds the pad byte after odd-sized data, counted in the RIFF size', async () => {
    const path = tmp.file('odd.wav');
    const writer = await WavWriter.create(path, { format: 'u8', channels: 1, sampleRate: 8000 });
    await writer.write(new Float32Array([0.5, -0.5, 0]));
    const info = await writer.close();
    const bytes = readFileSync(path);
    expect(bytes.length).toBe(info.dataOffset + 4);
    expect(Array.from(bytes.subarray(info.dataOffset))).toEqual([192, 64, 128, 0]);
    expect(bytes.readUInt32LE(4)).toBe(bytes.length - 8);
    expect(bytes.readUInt32LE(info.dataOffset - 4)).toBe(3);
  });

  it('leaves a provisional header that reads to the end of the file until close', async () => {
    const path = tmp.file('provisional.wav');
    const writer = await WavWriter.create(path, { format: 's16', channels: 1, sampleRate: 8000 });
    await writer.write(new Float32Array([0.25, 0.5]));
    const early = parseWavHeaderBytes(readFileSync(path));
    expect(early).toMatchObject({ sizeFrom: 'eof', frames: 2 });
    await writer.close();
    expect(parseWavHeaderBytes(readFileSync(path))).toMatchObject({ sizeFrom: 'header', frames: 2 });
  });
});

describe('hand-built files through WavReader', () => {
  const FMT = fmtBody({ tag: 1, channels: 2, rate: 44100, bits: 16 });
  const PCM = [100, -100, 200, -200, 300, -300, 32767, -32768];
  const EXPECTED = PCM.map((v) => v / 32768);

  async function readBytes(name: string, bytes: Uint8Array): Promise<number[]> {
    const path = tmp.file(name);
    writeFileSync(path, bytes);
    return Array.from((await readAll(path)).samples);
  }

  it('reads the samples behind JUNK, bext, fact, LIST and an odd chunk, and stops before a LIST after them', async () => {
    const bytes = riffFile([
      chunk('JUNK', new Uint8Array(28)),
      chunk('bext', new Uint8Array(602)),
      chunk('fmt ', FMT),
      chunk('odd!', [1, 2, 3]),
      chunk('fact', le32(4)),
      chunk('LIST', concat(ascii('INFO'), chunk('INAM', ascii('x\0')))),
      chunk('data', s16Bytes(PCM)),
      chunk('LIST', concat(ascii('INFO'), chunk('ICMT', ascii('tail\0\0')))),
    ]);
    expect(await readBytes('busy.wav', bytes)).toEqual(EXPECTED);
  });

  it('reads data at byte 58 (sox float) and 114 (ffmpeg 5.1 s24)', async () => {
    const floats = new Float32Array([0.5, -0.25, 1e-30, -0]);
    const sox = riffFile([chunk('fmt ', fmtBody({ tag: 3, channels: 2, rate: 48000, bits: 32, cbSize: true })), chunk('fact', le32(2)), chunk('data', new Uint8Array(floats.buffer))]);
    expect(parseWavHeaderBytes(sox).dataOffset).toBe(58);
    expect(await readBytes('sox58.wav', sox)).toEqual(Array.from(floats));

    const s24 = Array.from({ length: 6 }, (_, ch) => (ch + 1) * 100000 * (ch % 2 === 0 ? 1 : -1));
    const s24Bytes = s24.flatMap((v) => le32(v & 0xffffff).slice(0, 3));
    const ffmpeg = riffFile([
      chunk('fmt ', fmtExtensible({ subTag: 1, channels: 6, rate: 48000, bits: 24, mask: 0x3f })),
      chunk('LIST', concat(ascii('INFO'), chunk('ISFT', ascii('Lavf58.76.100\0')))),
      chunk('fact', le32(1)),
      chunk('data', s24Bytes),
    ]);
    expect(parseWavHeaderBytes(ffmpeg).dataOffset).toBe(114);
    expect(await readBytes('ffmpeg114.wav', ffmpeg)).toEqual(s24.map((v) => v / 8388608));
  });

  it('reads everything to the end of the file when the data size is 0 or 0xFFFFFFFF, in whole frames', async () => {
    for (const declared of [0, 0xffffffff]) {
      const bytes = concat(riffFile([chunk('fmt ', FMT), chunk('data', s16Bytes(PCM), declared)]), [0x01]); // a stray byte: not a whole frame
      expect(await readBytes(`eof-${declared}.wav`, bytes)).toEqual(EXPECTED);
    }
  });

  it('reads what is there when the declared data size runs past the end of the file', async () => {
    const bytes = riffFile([chunk('fmt ', FMT), chunk('data', s16Bytes(PCM), 1 << 30)]);
    expect(await readBytes('clamped.wav', bytes.subarray(0, bytes.length - 2))).toEqual(EXPECTED.slice(0, 6));
  });
});

describe('WavReader', () => {
  const path = tmp.file('reader.wav');
  const FRAMES = 1000;
  const input = new Float32Array(FRAMES * 2).map((_, i) => ((i % 200) - 100) / 128);

  async function makeFile(): Promise<WavReader> {
    if (!existsSync(path)) {
      const writer = await WavWriter.create(path, { format: 's16', channels: 2, sampleRate: 8000 });
      await writer.write(input);
      await writer.close();
    }
    return WavReader.open(path);
  }

  it('reads from any frame offset, short at the end and 0 past it', async () => {
    const reader = await makeFile();
    const block = new Float32Array(2 * 64);
    expect(await reader.read(block, 500)).toBe(64);
    expect(Array.from(block)).toEqual(Array.from(input.subarray(1000, 1128)));
    expect(await reader.read(block, 990)).toBe(10);
    expect(Array.from(block.subarray(0, 20))).toEqual(Array.from(input.subarray(1980, 2000)));
    expect(await reader.read(block, 1000)).toBe(0);
    expect(await reader.read(block, 5000)).toBe(0);
    await reader.close();
  });

  it('reads whole frames only when the target is not a multiple of the channels, leaving the rest as it was', async () => {
    const reader = await makeFile();
    const block = new Float32Array(5).fill(7);
    expect(await reader.read(block, 0)).toBe(2);
    expect(Array.from(block)).toEqual([...Array.from(input.subarray(0, 4)), 7]);
    expect(await reader.read(new Float32Array(1), 0)).toBe(0);
    await reader.close();
  });

  it('answers overlapping reads correctly, each into its own target', async () => {
    const reader = await makeFile();
    const offsets = [0, 900, 17, 333, 512, 999];
    const targets = offsets.map((_, i) => new Float32Array(2 * (10 + i * 30)));
    const counts = await Promise.all(offsets.map((at, i) => reader.read(targets[i]!, at)));
    offsets.forEach((at, i) => {
      const n = Math.min(targets[i]!.length / 2, FRAMES - at);
      expect(counts[i]).toBe(n);
      expect(Array.from(targets[i]!.subarray(0, 2 * n))).toEqual(Array.from(input.subarray(2 * at, 2 * (at + n))));
    });
    await reader.close();
  });

  it('refuses bad arguments with ERR_INVALID_ARGUMENT and reads after close with ERR_BUFFER_CLOSED', async () => {
    const reader = await makeFile();
    await expect(reader.read(new Float64Array(4) as unknown as Float32Array, 0)).rejects.toMatchObject({ code: ErrorCode.INVALID_ARGUMENT });
    await expect(reader.read(new Float32Array(4), -1)).rejects.toMatchObject({ code: ErrorCode.INVALID_ARGUMENT });
    await expect(reader.read(new Float32Array(4), 1.5)).rejects.toMatchObject({ code: ErrorCode.INVALID_ARGUMENT });
    await reader.close();
    await reader.close();
    await expect(reader.read(new Float32Array(4), 0)).rejects.toMatchObject({ code: ErrorCode.BUFFER_CLOSED });
  });

  it('reports a missing file as ERR_FILE_NOT_FOUND and a directory as ERR_FILE_IO with the system error as cause', async () => {
    const missing = WavReader.open(tmp.file('nope.wav'));
    await expect(missing).rejects.toBeInstanceOf(FileError);
    await expect(missing).rejects.toMatchObject({ code: ErrorCode.FILE_NOT_FOUND, path: tmp.file('nope.wav') });
    const dir = tmp.file('a-directory');
    mkdirSync(dir);
    const error = (await WavReader.open(dir).catch((e: unknown) => e)) as FileError;
    expect(error.code).toBe(ErrorCode.FILE_IO);
    expect((error.cause as { code?: string }).code).toBe('EISDIR');
  });

  it('reports a file that is not a WAV with its WavFormatError code', async () => {
    const png = tmp.file('image.png');
    writeFileSync(png, new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]));
    await expect(WavReader.open(png)).rejects.toMatchObject({ code: ErrorCode.WAV_NOT_WAVE });
    const empty = tmp.file('empty.wav');
    writeFileSync(empty, new Uint8Array(0));
    await expect(WavReader.open(empty)).rejects.toMatchObject({ code: ErrorCode.WAV_NOT_WAVE, message: `${empty}: empty file, not a WAV` });
  });
});

describe('WavWriter', () => {
  it('writes overlapping write calls in call order', async () => {
    const path = tmp.file('order.wav');
    const writer = await WavWriter.create(path, { format: 'f32', channels: 1, sampleRate: 8000 });
    await Promise.all([1, 2, 3, 4].map((v) => writer.write(new Float32Array(100).fill(v / 8))));
    await writer.close();
    const { samples } = await readAll(path);
    expect([0, 100, 200, 300].map((i) => samples[i])).toEqual([0.125, 0.25, 0.375, 0.5]);
    expect(samples.length).toBe(400);
  });

  it('refuses data that is not whole Float32 frames, writing nothing', async () => {
    const path = tmp.file('refuse.wav');
    const writer = await WavWriter.create(path, { format: 's16', channels: 2, sampleRate: 8000 });
    await expect(writer.write(new Float32Array(3))).rejects.toMatchObject({ code: ErrorCode.FRAME_MISALIGNED });
    await expect(writer.write([1, 2] as unknown as Float32Array)).rejects.toMatchObject({ code: ErrorCode.INVALID_AUDIO_DATA });
    await writer.write(new Float32Array(0));
    expect(writer.frames).toBe(0);
    expect((await writer.close()).frames).toBe(0);
  });

  it('returns the same info from a second close and refuses writes after close', async () => {
    const writer = await WavWriter.create(tmp.file('twice.wav'), { format: 's16', channels: 1, sampleRate: 8000 });
    await writer.write(new Float32Array(10));
    const [a, b] = await Promise.all([writer.close(), writer.close()]);
    expect(b).toBe(a);
    expect(await writer.close()).toBe(a);
    await expect(writer.write(new Float32Array(1))).rejects.toMatchObject({ code: ErrorCode.BUFFER_CLOSED });
    await writer.abort(); // after close: nothing to do, the file stays
    expect(existsSync(tmp.file('twice.wav'))).toBe(true);
  });

  it('abort deletes the file, and close after abort is refused', async () => {
    const path = tmp.file('aborted.wav');
    const writer = await WavWriter.create(path, { format: 'f64', channels: 2, sampleRate: 8000 });
    await writer.write(new Float32Array(64));
    await writer.abort();
    await writer.abort();
    expect(existsSync(path)).toBe(false);
    await expect(writer.close()).rejects.toMatchObject({ code: ErrorCode.BUFFER_CLOSED });
    await expect(writer.write(new Float32Array(2))).rejects.toMatchObject({ code: ErrorCode.BUFFER_CLOSED });
  });

  it('refuses bad options with ERR_INVALID_ARGUMENT before touching the disk', async () => {
    const path = tmp.file('never.wav');
    const bad = [
      { format: 's12' as SampleFormat, channels: 2, sampleRate: 8000 },
      { format: 's16' as const, channels: 0, sampleRate: 8000 },
      { format: 's16' as const, channels: 1025, sampleRate: 8000 },
      { format: 's16' as const, channels: 2, sampleRate: 44100.5 },
      { format: 's16' as const, channels: 2, sampleRate: 8000, container: 'aiff' as 'riff' },
    ];
    for (const options of bad) await expect(WavWriter.create(path, options)).rejects.toMatchObject({ code: ErrorCode.INVALID_ARGUMENT });
    expect(existsSync(path)).toBe(false);
  });

  it('reports a missing folder as ERR_FILE_NOT_FOUND and a full disk as ERR_DISK_FULL', async () => {
    await expect(WavWriter.create(tmp.file('no/such/dir.wav'), { format: 's16', channels: 1, sampleRate: 8000 })).rejects.toMatchObject({
      code: ErrorCode.FILE_NOT_FOUND,
    });
    // Through symlinks, so that even a writer that wrongly deleted its path would only remove the link.
    const full = tmp.file('full.wav');
    symlinkSync('/dev/full', full);
    await expect(WavWriter.create(full, { format: 's16', channels: 1, sampleRate: 8000 })).rejects.toMatchObject({ code: ErrorCode.DISK_FULL, path: full });
    expect(lstatSync(full).isSymbolicLink()).toBe(true);
  });

  it('does not delete what is not a regular file on abort (a link to /dev/null stays)', async () => {
    const sink = tmp.file('sink.wav');
    symlinkSync('/dev/null', sink);
    const writer = await WavWriter.create(sink, { format: 's16', channels: 1, sampleRate: 8000 });
    await writer.write(new Float32Array(8));
    await writer.abort();
    expect(lstatSync(sink).isSymbolicLink()).toBe(true);
  });
});
