/**
 * Interoperability with sox (Debian package `sox`): files sox makes, read by WavReader and
 * compared with sox's own decoding; files WavWriter makes, described by soxi and decoded by
 * sox back to what we wrote. Skipped only where sox is not installed.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { bytesPerSample, decodeInto, encodeInto, type SampleFormat } from '../../src/formats/codecs.js';
import { WavReader } from '../../src/formats/wavReader.js';
import { WavWriter } from '../../src/formats/wavWriter.js';
import { tempDir } from './wavBytes.js';
import { requireProgram } from '../helpers/program.js';

const HAS_SOX = requireProgram('sox', 'sox');
const tmp = tempDir('wavsox');
afterAll(() => tmp.cleanup());

/** Runs a sox tool; fails the test on a non-zero exit or a sox FAIL line, returns stdout. */
function run(tool: 'sox' | 'soxi', args: string[]): Buffer {
  const result = spawnSync(tool, args, { maxBuffer: 64 << 20 });
  const stderr = result.stderr.toString();
  expect(result.status, `${tool} ${args.join(' ')}: ${stderr}`).toBe(0);
  expect(stderr).not.toContain('FAIL');
  return result.stdout;
}

/** sox's own decoding of a file: raw native-endian Float32, no dither. */
function soxDecode(path: string, type?: string): Float32Array {
  const raw = run('sox', ['-D', ...(type === undefined ? [] : ['-t', type]), path, '-t', 'f32', '-']);
  return new Float32Array(raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.length));
}

async function readAll(path: string): Promise<{ info: WavReader['info']; samples: Float32Array }> {
  const reader = await WavReader.open(path);
  try {
    const samples = new Float32Array(reader.info.frames * reader.info.channels);
    expect(await reader.read(samples, 0)).toBe(reader.info.frames);
    return { info: reader.info, samples };
  } finally {
    await reader.close();
  }
}

function maxDifference(a: Float32Array, b: Float32Array): number {
  expect(a.length).toBe(b.length);
  let max = 0;
  for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs(a[i]! - b[i]!));
  return max;
}

describe('files sox makes, read by WavReader', () => {
  const cases = [
    { format: 'u8', channels: 1, args: ['-b', '8', '-e', 'unsigned-integer'], dataOffset: 44, lsb: 2 ** -7 },
    { format: 's16', channels: 2, args: ['-b', '16', '-e', 'signed-integer'], dataOffset: 44, lsb: 2 ** -15 },
    { format: 's24', channels: 2, args: ['-b', '24', '-e', 'signed-integer'], dataOffset: 80, lsb: 2 ** -23 },
    // Float32 cannot carry a 32-bit LSB: the bound is one float32 step below 1 (sox rounds some halves the other way).
    { format: 's32', channels: 2, args: ['-b', '32', '-e', 'signed-integer'], dataOffset: 80, lsb: 2 ** -24 },
    { format: 'f32', channels: 2, args: ['-b', '32', '-e', 'floating-point'], dataOffset: 58, lsb: 2 ** -24 },
    { format: 'f64', channels: 1, args: ['-b', '64', '-e', 'floating-point'], dataOffset: 58, lsb: 2 ** -24 },
    { format: 's16', channels: 6, args: ['-b', '16', '-e', 'signed-integer'], dataOffset: 80, lsb: 2 ** -15 },
    { format: 's24', channels: 3, args: ['-b', '24', '-e', 'signed-integer'], dataOffset: 80, lsb: 2 ** -23 },
    { format: 'f32', channels: 4, args: ['-b', '32', '-e', 'floating-point'], dataOffset: 58, lsb: 2 ** -24 },
  ] as const;

  for (const c of cases) {
    it.skipIf(!HAS_SOX)(`${c.format} × ${c.channels} channels: same frames as sox decodes, within 1 LSB`, async () => {
      const path = tmp.file(`sox-${c.format}-${c.channels}.wav`);
      const tones = Array.from({ length: c.channels }, (_, ch) => ['sine', String(330 + 110 * ch)]).flat();
      run('sox', ['-D', '-n', '-r', '48000', '-c', String(c.channels), ...c.args, path, 'synth', '0.05', ...tones, 'vol', '0.9']);
      const { info, samples } = await readAll(path);
      expect(info).toMatchObject({ format: c.format, channels: c.channels, sampleRate: 48000, frames: 2400, dataOffset: c.dataOffset, sizeFrom: 'header' });
      expect(Number(run('soxi', ['-s', path]).toString())).toBe(info.frames);
      const theirs = soxDecode(path);
      expect(maxDifference(samples, theirs)).toBeLessThanOrEqual(c.lsb);
      if (c.format === 's32') {
        // ours is the nearest float to each stored integer: never farther from it than sox's
        const bytes = readFileSync(path).subarray(info.dataOffset);
        for (let i = 0; i < samples.length; i++) {
          const exact = bytes.readInt32LE(4 * i) / 2 ** 31;
          expect(Math.abs(samples[i]! - exact)).toBeLessThanOrEqual(Math.abs(theirs[i]! - exact));
        }
      }
      // channel order: each channel is its own tone, so the channels differ
      if (c.channels > 1) expect(samples[2 * c.channels]).not.toBe(samples[2 * c.channels + 1]);
    });
  }

  it.skipIf(!HAS_SOX)('a Wave64 file sox makes reads the same as sox decodes it', async () => {
    const path = tmp.file('sox.w64');
    run('sox', ['-D', '-n', '-r', '44100', '-c', '2', '-b', '24', '-e', 'signed-integer', path, 'synth', '0.05', 'sine', '440', 'sine', '550', 'vol', '0.9']);
    const { info, samples } = await readAll(path);
    expect(info).toMatchObject({ container: 'w64', format: 's24', channels: 2, frames: 2205 });
    expect(maxDifference(samples, soxDecode(path))).toBeLessThanOrEqual(2 ** -23);
  });
});

describe('files WavWriter makes, read by sox', () => {
  /** A 0.05 s two-tone signal on the s24 grid, so sox's 32-bit integer pipeline carries it exactly. */
  function signal(channels: number, frames: number): Float32Array {
    const out = new Float32Array(channels * frames);
    for (let i = 0; i < frames; i++) {
      for (let ch = 0; ch < channels; ch++) out[i * channels + ch] = Math.round(0.8 * Math.sin((2 * Math.PI * (440 + 110 * ch) * i) / 48000) * 8388608) / 8388608;
    }
    return out;
  }
  /** What `format` stores of `input`. */
  function quantised(format: SampleFormat, input: Float32Array): Float32Array {
    const bytes = new Uint8Array(input.length * bytesPerSample(format));
    encodeInto(format, input, bytes, input.length);
    const out = new Float32Array(input.length);
    decodeInto(format, bytes, out, input.length);
    return out;
  }
  const expectedEncoding: Record<SampleFormat, string> = {
    u8: 'Unsigned Integer PCM',
    s16: 'Signed Integer PCM',
    s24: 'Signed Integer PCM',
    s32: 'Signed Integer PCM',
    f32: 'Floating Point PCM',
    f64: 'Floating Point PCM',
  };

  // sox 14.4.2 misreads float Wave64 samples, its own files included (0.0575 comes back as 0.5008):
  // for those, only what soxi reports is checked.
  const cases: { format: SampleFormat; channels: number; container: 'auto' | 'rf64' | 'w64'; soxDecodes?: false }[] = [
    { format: 'u8', channels: 1, container: 'auto' },
    { format: 's16', channels: 2, container: 'auto' },
    { format: 's24', channels: 2, container: 'auto' },
    { format: 's32', channels: 2, container: 'auto' },
    { format: 'f32', channels: 2, container: 'auto' },
    { format: 'f64', channels: 1, container: 'auto' },
    { format: 's16', channels: 6, container: 'auto' },
    { format: 'f32', channels: 3, container: 'auto' },
    { format: 's24', channels: 2, container: 'rf64' },
    { format: 'f32', channels: 2, container: 'rf64' },
    { format: 's16', channels: 2, container: 'w64' },
    { format: 's24', channels: 3, container: 'w64' },
    { format: 'f32', channels: 1, container: 'w64', soxDecodes: false },
  ];

  for (const { format, channels, container, soxDecodes } of cases) {
    it.skipIf(!HAS_SOX)(`${format} × ${channels} channels (${container}): soxi reports it right and sox decodes what we wrote`, async () => {
      const path = tmp.file(`ours-${format}-${channels}-${container}.${container === 'w64' ? 'w64' : 'wav'}`);
      const frames = 2401; // odd: the pad byte after u8 mono data
      const input = signal(channels, frames);
      const writer = await WavWriter.create(path, { format, channels, sampleRate: 48000, container });
      await writer.write(input.subarray(0, 1000 * channels));
      await writer.write(input.subarray(1000 * channels));
      await writer.close();

      const soxi = (flag: string): string => run('soxi', [flag, path]).toString().trim();
      expect([soxi('-c'), soxi('-r'), soxi('-b'), soxi('-s'), soxi('-e')]).toEqual([
        String(channels),
        '48000',
        String(bytesPerSample(format) * 8),
        String(frames),
        expectedEncoding[format],
      ]);
      if (soxDecodes === false) return;
      const decoded = soxDecode(path);
      const expected = quantised(format, input);
      expect(maxDifference(decoded, expected)).toBe(0);
      if (format === 'f32') expect(maxDifference(decoded, input)).toBe(0);
    });
  }
});
