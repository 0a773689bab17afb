/**
 * fromWavFile and toWavFile in virtual time (test/edges/rx/asyncMarbles.ts: file I/O settles
 * outside it, and each frame waits for it): a source reads without waiting for virtual time
 * unless a pool holds it back, and closes its handle by the frame it stops; a sink emits a
 * receipt per chunk in its frame and completes in the source's completion frame with the file
 * in place, and an error or an unsubscription at a frame leaves no file behind.
 */
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { concatMap, map, timer, type SchedulerLike } from 'rxjs';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { BufferPool } from '../../../src/buffers/pool.js';
import { ErrorCode } from '../../../src/core/errors.js';
import { fromWavFile } from '../../../src/edges/rx/fromWavFile.js';
import type { BlockChunk } from '../../../src/edges/rx/releaseChunk.js';
import { toWavFile } from '../../../src/edges/rx/toWavFile.js';
import { WavReader } from '../../../src/formats/wavReader.js';
import { WavWriter } from '../../../src/formats/wavWriter.js';
import { audioChunk } from '../../../src/testing/index.js';
import { runAsyncMarbles } from './asyncMarbles.js';

const dir = mkdtempSync(join(tmpdir(), 'avbuf-rx-wav-marbles-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const openFds = (): number => readdirSync('/proc/self/fd').length;
const leftovers = (): string[] => readdirSync(dir).filter((name) => name.endsWith('.partial'));

/** A mono f32 WAV at 8000 Hz holding `samples`. */
async function wavFile(name: string, samples: number[]): Promise<string> {
  const path = join(dir, name);
  const writer = await WavWriter.create(path, { format: 'f32', channels: 1, sampleRate: 8000 });
  await writer.write(Float32Array.from(samples));
  await writer.close();
  return path;
}

async function samplesOf(path: string): Promise<number[]> {
  const reader = await WavReader.open(path);
  const out = new Float32Array(reader.info.frames * reader.info.channels);
  await reader.read(out, 0);
  await reader.close();
  return Array.from(out);
}

const chunk = (samples: number[], position: number) => ({ data: Float32Array.from(samples), frames: samples.length, channels: 1, sampleRate: 8000, position });
const mono = (samples: number[], position: number) => audioChunk({ samples, channels: 1, position, sampleRate: 8000 });

/** A consumer that takes 3 ms per chunk, then gives its block back; emits the chunk's first sample. */
const slowConsumer = (scheduler: SchedulerLike) =>
  concatMap((c: BlockChunk) =>
    timer(3, scheduler).pipe(
      map(() => {
        const value = String(c.data[0]);
        c.lease.release(); // the source reads the next chunk into this block at once
        return value;
      }),
    ),
  );

describe('fromWavFile (marbles)', () => {
  it('without a pool, reads the whole file in frame 0 (nothing waits on virtual time) and completes with its handle closed', async () => {
    const path = await wavFile('three.wav', [0.5, 0.25, -0.5, 1, -1]);
    const fds = openFds();
    await runAsyncMarbles(({ expectObservable }) => {
      expectObservable(fromWavFile(path, { chunkFrames: 2 })).toBe('(abc|)', {
        a: chunk([0.5, 0.25], 0),
        b: chunk([-0.5, 1], 2),
        c: chunk([-1], 4),
      });
    });
    expect(openFds()).toBe(fds);
  });

  it('with a pool, a slow consumer holds the reads back: chunk n+2 is read in the frame chunk n\'s block comes back', async () => {
    const path = await wavFile('four.wav', [0, 1, 2, 3]);
    const pool = new BufferPool({ channels: 1 }, { blocks: 2, blockFrames: 1, onExhausted: 'wait' });
    await runAsyncMarbles(({ expectObservable, scheduler }) => {
      expectObservable(fromWavFile(path, { pool }).pipe(slowConsumer(scheduler))).toBe('3ms 0 2ms 1 2ms 2 2ms (3|)');
    });
    expect(pool.stats()).toMatchObject({ inUse: 0, peakInUse: 2 });
  });

  it('unsubscribed at a frame, it gives every block back and closes the file', async () => {
    const path = await wavFile('long.wav', Array.from({ length: 50 }, (_, i) => i));
    const pool = new BufferPool({ channels: 1 }, { blocks: 2, blockFrames: 1, onExhausted: 'wait' });
    const fds = openFds();
    await runAsyncMarbles(({ expectObservable, scheduler }) => {
      expectObservable(fromWavFile(path, { pool }).pipe(slowConsumer(scheduler)), '^----!').toBe('3ms 0-');
    });
    expect(pool.stats().inUse).toBe(0);
    await vi.waitFor(() => expect(openFds()).toBe(fds));
  });

  it('an abort at a frame errors with ERR_ABORTED in that frame, while the consumer still holds a chunk', async () => {
    const path = await wavFile('aborted.wav', Array.from({ length: 50 }, (_, i) => i));
    const pool = new BufferPool({ channels: 1 }, { blocks: 2, blockFrames: 1, onExhausted: 'wait' });
    const controller = new AbortController();
    await runAsyncMarbles(({ expectObservable, scheduler, at }) => {
      expectObservable(fromWavFile(path, { pool, signal: controller.signal }).pipe(slowConsumer(scheduler))).toBe(
        '3ms 0#',
        undefined,
        expect.objectContaining({ code: ErrorCode.ABORTED }),
      );
      at(4, () => controller.abort());
    });
    expect(pool.stats().inUse).toBe(0);
  });

  it('a missing file errors in frame 0 with ERR_FILE_NOT_FOUND', async () => {
    await runAsyncMarbles(({ expectObservable }) => {
      expectObservable(fromWavFile(join(dir, 'missing.wav'), { chunkFrames: 4 })).toBe('#', undefined, expect.objectContaining({ code: ErrorCode.FILE_NOT_FOUND }));
    });
  });
});

describe('toWavFile (marbles)', () => {
  it('emits a receipt per chunk in the frame it came, and completes in the source\'s completion frame with the file in place, not before', async () => {
    const output = join(dir, 'out.wav');
    const present: boolean[] = [];
    await runAsyncMarbles(({ cold, expectObservable, expectSubscriptions, at }) => {
      const source = cold('-a--b|', { a: mono([0.5, -0.5], 0), b: mono([0.25], 2) });
      expectObservable(source.pipe(toWavFile(output, { format: 'f32' }))).toBe('-a--b|', {
        a: { position: 0, frames: 2 },
        b: { position: 2, frames: 1 },
      });
      expectSubscriptions(source.subscriptions).toBe('^----!');
      at(4, () => present.push(existsSync(output)));
    });
    expect(present).toEqual([false]);
    expect(await samplesOf(output)).toEqual([0.5, -0.5, 0.25]);
    expect(leftovers()).toEqual([]);
  });

  it('a source error at a frame is the sink\'s error in that frame, and no file is left', async () => {
    const output = join(dir, 'failed.wav');
    await runAsyncMarbles(({ cold, expectObservable }) => {
      expectObservable(cold('-a-#', { a: mono([0.5], 0) }, new Error('upstream')).pipe(toWavFile(output))).toBe('-a-#', { a: { position: 0, frames: 1 } }, new Error('upstream'));
    });
    expect(existsSync(output)).toBe(false);
    expect(leftovers()).toEqual([]);
  });

  it('unsubscribed at a frame, it stops and deletes what it wrote', async () => {
    const output = join(dir, 'dropped.wav');
    await runAsyncMarbles(({ cold, expectObservable, expectSubscriptions }) => {
      const source = cold('-a-a-a|', { a: mono([0.5], 0) });
      expectObservable(source.pipe(toWavFile(output)), '^--!').toBe('-a-', { a: { position: 0, frames: 1 } });
      expectSubscriptions(source.subscriptions).toBe('^--!');
    });
    await vi.waitFor(() => expect(leftovers()).toEqual([]));
    expect(existsSync(output)).toBe(false);
  });

  it('a chunk unlike the first errors in its frame (ERR_CHANNEL_MISMATCH, ERR_INVALID_AUDIO_DATA), unsubscribing from the source', async () => {
    const channels = join(dir, 'channels.wav');
    const rate = join(dir, 'rate.wav');
    await runAsyncMarbles(({ cold, expectObservable, expectSubscriptions }) => {
      const stereo = cold('-a-b-c|', { a: mono([0.5], 0), b: audioChunk({ samples: [0.5, 0.5], channels: 2, position: 1, sampleRate: 8000 }), c: mono([0.5], 2) });
      const resampled = cold('a-b|', { a: mono([0.5], 0), b: audioChunk({ samples: [0.5], channels: 1, position: 1, sampleRate: 16000 }) });
      expectObservable(stereo.pipe(toWavFile(channels))).toBe('-a-#', { a: { position: 0, frames: 1 } }, expect.objectContaining({ code: ErrorCode.CHANNEL_MISMATCH }));
      expectObservable(resampled.pipe(toWavFile(rate))).toBe('a-#', { a: { position: 0, frames: 1 } }, expect.objectContaining({ code: ErrorCode.INVALID_AUDIO_DATA }));
      expectSubscriptions(stereo.subscriptions).toBe('^--!');
      expectSubscriptions(resampled.subscriptions).toBe('^-!');
    });
    expect(existsSync(channels)).toBe(false);
    expect(existsSync(rate)).toBe(false);
    expect(leftovers()).toEqual([]);
  });
});
