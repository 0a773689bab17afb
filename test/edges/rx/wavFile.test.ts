import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { concatMap, EMPTY, lastValueFrom, map, take, throwError, timer, toArray } from 'rxjs';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { BufferPool } from '../../../src/buffers/pool.js';
import { ErrorCode } from '../../../src/core/errors.js';
import { fromWavFile } from '../../../src/edges/rx/fromWavFile.js';
import { toWavFile } from '../../../src/edges/rx/toWavFile.js';
import { WavReader } from '../../../src/formats/wavReader.js';
import { WavWriter } from '../../../src/formats/wavWriter.js';
import { audioChunk } from '../../../src/testing/index.js';

const dir = mkdtempSync(join(tmpdir(), 'avbuf-rx-wav-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const openFds = (): number => readdirSync('/proc/self/fd').length;
const leftovers = (): string[] => readdirSync(dir).filter((name) => name.endsWith('.partial'));

async function wavFile(name: string, samples: Float32Array, channels: number): Promise<string> {
  const path = join(dir, name);
  const writer = await WavWriter.create(path, { format: 'f32', channels, sampleRate: 48000 });
  await writer.write(samples);
  await writer.close();
  return path;
}

async function readAll(path: string): Promise<Float32Array> {
  const reader = await WavReader.open(path);
  const out = new Float32Array(reader.info.frames * reader.info.channels);
  await reader.read(out, 0);
  await reader.close();
  return out;
}

const noise = (n: number): Float32Array => Float32Array.from({ length: n }, (_, i) => Math.sin(i * 0.37) * 0.9);

describe('fromWavFile and toWavFile', () => {
  it('copy a stereo f32 file bit-exactly through pool blocks, chunk by chunk, and leave nothing open', async () => {
    const samples = noise(2 * 1000);
    const input = await wavFile('in.wav', samples, 2);
    const output = join(dir, 'out.wav');
    const fds = openFds();
    const pool = new BufferPool({ channels: 2 }, { blocks: 3, blockFrames: 128, onExhausted: 'wait' });
    const receipts = await lastValueFrom(fromWavFile(input, { pool }).pipe(toWavFile(output), toArray()));
    expect(receipts.map((r) => r.position)).toEqual(Array.from({ length: 8 }, (_, i) => i * 128));
    expect(receipts.at(-1)).toEqual({ position: 896, frames: 104 });
    expect(Array.from(await readAll(output))).toEqual(Array.from(samples));
    expect(pool.stats()).toMatchObject({ inUse: 0 });
    expect(pool.stats().peakInUse).toBeLessThanOrEqual(3);
    expect(leftovers()).toEqual([]);
    expect(openFds()).toBe(fds);
  });

  it('complete only once the file is in place: the output exists when the sink completes, and not before', async () => {
    const output = join(dir, 'late.wav');
    const existed: boolean[] = [];
    const chunks = [audioChunk({ samples: [0.5, -0.5], channels: 1 }), audioChunk({ samples: [0.25], channels: 1, position: 2 })];
    await new Promise<void>((resolve, reject) => {
      timer(0, 1)
        .pipe(
          take(2),
          map((i) => chunks[i]!),
          toWavFile(output, { format: 's16' }),
        )
        .subscribe({ next: () => existed.push(existsSync(output)), error: reject, complete: resolve });
    });
    expect(existed).toEqual([false, false]);
    const back = await readAll(output);
    expect(Array.from(back)).toEqual([16384 / 32768, -16384 / 32768, 8192 / 32768]);
  });

  it('leave no partial file and keep an existing output as it was when unsubscribed mid-stream', async () => {
    const input = await wavFile('long.wav', noise(4000), 1);
    const output = join(dir, 'kept.wav');
    writeFileSync(output, 'the old take');
    const fds = openFds();
    const pool = new BufferPool({ channels: 1 }, { blocks: 2, blockFrames: 100, onExhausted: 'wait' });
    let written = 0;
    const slow = concatMap(<T>(c: T) => timer(5).pipe(map(() => c)));
    const subscription = fromWavFile(input, { pool }).pipe(slow, toWavFile(output)).subscribe({ next: () => written++ });
    await vi.waitFor(() => expect(written).toBeGreaterThanOrEqual(3));
    subscription.unsubscribe();
    expect(written).toBeLessThan(40); // 40 chunks in all: this one stopped mid-stream
    await vi.waitFor(() => {
      expect(leftovers()).toEqual([]);
      expect(pool.stats().inUse).toBe(0);
      expect(openFds()).toBe(fds);
    });
    expect(readFileSync(output, 'utf8')).toBe('the old take');
  });

  it('on a source error, delete the partial file and pass the error on', async () => {
    const output = join(dir, 'failed.wav');
    const boom = new Error('upstream failed');
    const source = timer(0, 1).pipe(
      take(3),
      concatMap((i) => (i < 2 ? [audioChunk({ samples: [0.1, 0.2], channels: 2, position: i })] : throwError(() => boom))),
    );
    await expect(lastValueFrom(source.pipe(toWavFile(output)))).rejects.toBe(boom);
    expect(existsSync(output)).toBe(false);
    expect(leftovers()).toEqual([]);
  });

  it('write an empty file when told the shape, and refuse an empty stream without it', async () => {
    const output = join(dir, 'empty.wav');
    await lastValueFrom(EMPTY.pipe(toWavFile(output, { channels: 2, sampleRate: 44100 })), { defaultValue: null });
    const reader = await WavReader.open(output);
    expect(reader.info).toMatchObject({ channels: 2, sampleRate: 44100, frames: 0 });
    await reader.close();
    await expect(lastValueFrom(EMPTY.pipe(toWavFile(join(dir, 'none.wav'))), { defaultValue: null })).rejects.toMatchObject({
      code: ErrorCode.INVALID_ARGUMENT,
    });
    expect(leftovers()).toEqual([]);
  });

  it('refuse a chunk unlike the first: ERR_CHANNEL_MISMATCH, nothing left behind', async () => {
    const output = join(dir, 'mixed.wav');
    const source = timer(0, 1).pipe(
      take(2),
      map((i) => audioChunk({ samples: [0.1, 0.2], channels: i + 1 })),
    );
    await expect(lastValueFrom(source.pipe(toWavFile(output)))).rejects.toMatchObject({ code: ErrorCode.CHANNEL_MISMATCH });
    expect(existsSync(output)).toBe(false);
    expect(leftovers()).toEqual([]);
  });

  it('report a missing input as ERR_FILE_NOT_FOUND and a missing output folder under the output\'s name', async () => {
    await expect(lastValueFrom(fromWavFile(join(dir, 'nope.wav'), { chunkFrames: 8 }))).rejects.toMatchObject({ code: ErrorCode.FILE_NOT_FOUND });
    const output = join(dir, 'no-such-folder', 'x.wav');
    const error: unknown = await lastValueFrom(timer(0).pipe(map(() => audioChunk({ samples: [0, 0] })), toWavFile(output))).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: ErrorCode.FILE_NOT_FOUND, path: output });
  });

  it('refuse bad options at call time with ERR_INVALID_ARGUMENT', () => {
    expect(() => fromWavFile('', { chunkFrames: 8 })).toThrow(expect.objectContaining({ code: ErrorCode.INVALID_ARGUMENT }));
    expect(() => fromWavFile('x.wav', { chunkFrames: -1 })).toThrow(expect.objectContaining({ code: ErrorCode.INVALID_ARGUMENT }));
    const bad: unknown = 'mp3';
    expect(() => toWavFile('x.wav', { format: bad as 'f32' })).toThrow(expect.objectContaining({ code: ErrorCode.INVALID_ARGUMENT }));
    expect(() => toWavFile('x.wav', { channels: 0 })).toThrow(expect.objectContaining({ code: ErrorCode.INVALID_ARGUMENT }));
    const io: unknown = 'mmap';
    expect(() => fromWavFile('x.wav', { chunkFrames: 8, io: io as 'sync' })).toThrow(expect.objectContaining({ code: ErrorCode.INVALID_ARGUMENT, message: expect.stringContaining('io') }));
    expect(() => toWavFile('x.wav', { io: io as 'sync' })).toThrow(expect.objectContaining({ code: ErrorCode.INVALID_ARGUMENT, message: expect.stringContaining('io') }));
  });
});
