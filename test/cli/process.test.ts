/**
 * `avbuf process` as a user runs it: the built command in a child process, on files made
 * here; good runs checked sample by sample, bad ones for one clear line, a non-zero exit
 * and no OUT left behind (or an existing OUT left as it was).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { avbuf } from '../helpers/cli.js';
import { decodeInto, encodeInto } from '../../src/formats/codecs.js';
import { WavReader } from '../../src/formats/wavReader.js';
import { WavWriter } from '../../src/formats/wavWriter.js';
import { cli } from '../helpers/cli.js';
import { requireProgram } from '../helpers/program.js';

const dir = mkdtempSync(join(tmpdir(), 'avbuf-process-'));
const input = join(dir, 'in.wav');
const FRAMES = 300_000; // a few chunks at a small --chunk-frames
let samples: Float32Array;


async function readAll(path: string): Promise<{ data: Float32Array; format: string; channels: number }> {
  const reader = await WavReader.open(path);
  const data = new Float32Array(reader.info.frames * reader.info.channels);
  await reader.read(data, 0);
  await reader.close();
  return { data, format: reader.info.format, channels: reader.info.channels };
}

beforeAll(async () => {
  samples = Float32Array.from({ length: FRAMES * 2 }, (_, i) => Math.fround(0.9 * Math.sin(i * 0.0137) * (i % 7 === 0 ? -1 : 1)));
  const writer = await WavWriter.create(input, { format: 'f32', channels: 2, sampleRate: 44100 });
  await writer.write(samples);
  await writer.close();
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('avbuf process', () => {
  it('applies --gain -3 bit-exactly (fround(x × 10^(-3/20))) in small chunks, printing progress and a summary', async () => {
    const out = join(dir, 'gain.wav');
    const run = avbuf('process', input, out, '--gain', '-3', '--chunk-frames', '4096', '--cache-mb', '1');
    expect(run.stderr).toMatch(/processing: 100%/);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(`processed ${input} → ${out}`);
    expect(run.stdout).toContain('300,000 frames × 2 channels at 44100 Hz');
    const { data, format } = await readAll(out);
    expect(format).toBe('f32');
    const g = 10 ** (-3 / 20);
    let differ = 0;
    for (let i = 0; i < samples.length; i++) if (data[i] !== Math.fround(samples[i]! * g)) differ++;
    expect(data.length).toBe(samples.length);
    expect(differ).toBe(0);
  });

  it('normalizes the peak to --gain dBFS and writes 16-bit output', async () => {
    const out = join(dir, 'norm.wav');
    const run = avbuf('process', input, out, '--normalize', '--gain', '-1', '--format', 's16');
    expect(run.code).toBe(0);
    const { data, format } = await readAll(out);
    expect(format).toBe('s16');
    let peak = 0;
    for (const v of data) peak = Math.max(peak, Math.abs(v));
    expect(20 * Math.log10(peak)).toBeCloseTo(-1, 2);
  });

  it.each([
    ['a missing input', () => [join(dir, 'nope.wav')], 'ERR_FILE_NOT_FOUND'],
    ['an input that is not a WAV', () => [(writeFileSync(join(dir, 'text.wav'), 'just some text, not audio'), join(dir, 'text.wav'))], 'ERR_WAV_NOT_WAVE'],
    ['an output in a folder that does not exist', () => [input, join(dir, 'no-such-dir', 'out.wav')], 'ERR_FILE_NOT_FOUND'],
    ['an output under a file', () => [input, join(input, 'out.wav')], 'ERR_FILE'],
  ] as const)('refuses %s with one line and exit code 1', (_what, args, code) => {
    const [inPath, outPath = join(dir, 'never.wav')] = args();
    const run = avbuf('process', inPath!, outPath);
    expect(run.code).toBe(1);
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
    expect(run.stderr).toMatch(new RegExp(`^avbuf process: ${code}.*${outPath.includes('never') ? '' : 'out\\.wav'}`));
    expect(existsSync(outPath)).toBe(false);
  });

  it('refuses bad options with usage and exit code 2', () => {
    expect(avbuf('process', input, join(dir, 'x.wav'), '--gain', 'loud').code).toBe(2);
    expect(avbuf('process', input, join(dir, 'x.wav'), '--format', 'mp3').code).toBe(2);
    expect(avbuf('process', input).code).toBe(2);
  });

  it.skipIf(process.getuid?.() !== 0)('on a full disk (a 1 MiB tmpfs, mounted as root) exits 1 with ERR_DISK_FULL and leaves the old OUT as it was', () => {
    const mnt = join(dir, 'tiny');
    mkdirSync(mnt);
    const mount = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', mnt]);
    if (mount.status !== 0) throw new Error(`could not mount a tmpfs: ${mount.stderr.toString()}`);
    try {
      const out = join(mnt, 'out.wav');
      writeFileSync(out, 'the previous result');
      const run = avbuf('process', input, out, '--gain', '-3'); // 2.4 MB of output into 1 MiB
      expect(run.code).toBe(1);
      // Progress lines come first; the last line names the failure and OUT, not the temporary file.
      expect(run.stderr.trim().split('\n').at(-1)).toMatch(new RegExp(`^avbuf process: ERR_DISK_FULL: ${out}: disk full`));
      expect(readFileSync(out, 'utf8')).toBe('the previous result');
      expect(readdirSync(mnt)).toEqual(['out.wav']); // the partial file is gone
    } finally {
      spawnSync('umount', [mnt]);
    }
  });
});

describe('avbuf process - - (WAV through pipes)', () => {
  const HAS_TOOLS = requireProgram('sox', 'sox') && requireProgram('ffmpeg', 'ffmpeg', '-version');
  const s16Input = join(dir, 'in16.wav');
  let s16Samples: Float32Array;
  beforeAll(async () => {
    // 16-bit, so sox copies the samples to its pipe unchanged.
    const bytes = new Uint8Array(samples.length * 2);
    encodeInto('s16', samples, bytes, samples.length);
    s16Samples = new Float32Array(samples.length);
    decodeInto('s16', bytes, s16Samples, samples.length);
    const writer = await WavWriter.create(s16Input, { format: 's16', channels: 2, sampleRate: 44100 });
    await writer.write(s16Samples);
    await writer.close();
  });

  /** Runs a shell pipeline under bash with pipefail: any stage failing fails it. */
  function pipeline(command: string): { code: number | null; stdout: Buffer; stderr: string } {
    const r = spawnSync('bash', ['-c', `set -o pipefail; ${command}`], { maxBuffer: 64 << 20, timeout: 60_000 });
    return { code: r.status, stdout: r.stdout, stderr: r.stderr.toString() };
  }

  it.skipIf(!HAS_TOOLS)('sox … -t wav - | avbuf process - - --gain -3 | ffmpeg -i - …: the samples arrive with the gain, bit for bit, and stdout carries only the WAV', () => {
    const run = pipeline(
      `sox -D '${s16Input}' -t wav - | '${process.execPath}' '${cli}' process - - --gain -3 --format f32 | ffmpeg -hide_banner -loglevel error -f wav -i - -f f32le -c:a pcm_f32le -`,
    );
    expect(run.code, run.stderr).toBe(0);
    // The summary went to stderr: stdout was the WAV itself.
    expect(run.stderr).toContain('processed - → -');
    expect(run.stderr).toContain('300,000 frames × 2 channels at 44100 Hz');
    const out = new Float32Array(run.stdout.buffer.slice(run.stdout.byteOffset, run.stdout.byteOffset + run.stdout.length));
    expect(out.length).toBe(s16Samples.length);
    const g = 10 ** (-3 / 20);
    let differ = 0;
    for (let i = 0; i < out.length; i++) if (out[i] !== Math.fround(s16Samples[i]! * g)) differ++;
    expect(differ).toBe(0);
  });

  it.skipIf(!HAS_TOOLS)('a file to stdout in the input’s format (s16) that sox reads from the pipe, and stdin to a file', async () => {
    const run = pipeline(`'${process.execPath}' '${cli}' process '${s16Input}' - --gain -3 | sox -t wav - -t f32 -`);
    expect(run.code, run.stderr).toBe(0);
    const g = 10 ** (-3 / 20);
    const expected = Float32Array.from(s16Samples, (x) => Math.fround(x * g));
    const bytes = new Uint8Array(expected.length * 2);
    encodeInto('s16', expected, bytes, expected.length);
    decodeInto('s16', bytes, expected, expected.length);
    const out = new Float32Array(run.stdout.buffer.slice(run.stdout.byteOffset, run.stdout.byteOffset + run.stdout.length));
    expect(Buffer.from(out.buffer).equals(Buffer.from(expected.buffer))).toBe(true);

    const file = join(dir, 'from-stdin.wav');
    const fromStdin = pipeline(`cat '${s16Input}' | '${process.execPath}' '${cli}' process - '${file}'`);
    expect(fromStdin.code, fromStdin.stderr).toBe(0);
    expect(fromStdin.stdout.length).toBe(0);
    const { data, format } = await readAll(file);
    expect(format).toBe('s16');
    expect(Array.from(data)).toEqual(Array.from(s16Samples));
  });

  it('stdin cut inside a frame: exit 1 with ERR_WAV_TRUNCATED and no OUT left; --normalize with stdin is a usage error', () => {
    const out = join(dir, 'cut.wav');
    const run = pipeline(`head -c 100001 '${s16Input}' | '${process.execPath}' '${cli}' process - '${out}'`);
    expect(run.code).toBe(1);
    expect(run.stderr.trim().split('\n').at(-1)).toMatch(/^avbuf process: ERR_WAV_TRUNCATED: input stream: the stream ends inside a frame/);
    expect(existsSync(out)).toBe(false);
    expect(pipeline(`cat '${s16Input}' | '${process.execPath}' '${cli}' process - '${out}' --normalize`).code).toBe(2);
  });
});
