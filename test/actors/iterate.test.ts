/**
 * The buffers a manager hands out are async-iterable like their data structures: memory and
 * streaming from the position to the end, a ring on its consumer side (here with a real
 * worker thread producing, running the BUILT ring from dist/), all behind the actor's gate.
 * A pool is not: it holds no stream of frames.
 */
import { existsSync } from 'node:fs';
import { pathToFileURL, fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AudioBufferManager } from '../../src/actors/manager.js';
import type { AudioChunk } from '../../src/core/chunk.js';
import { ErrorCode } from '../../src/core/errors.js';
import { BufferType } from '../../src/core/types.js';

let manager: AudioBufferManager;
beforeEach(() => {
  manager = new AudioBufferManager({ monitorIntervalMs: 0 });
});
afterEach(async () => {
  await manager.close();
});

const distRing = fileURLToPath(new URL('../../dist/buffers/ring.js', import.meta.url));

/** The valid samples of every chunk, in order, with the positions checked contiguous from `first`. */
async function collect(chunks: AsyncIterable<AudioChunk>, first = 0): Promise<number[]> {
  const samples: number[] = [];
  let position = first;
  for await (const chunk of chunks) {
    expect(chunk.position).toBe(position);
    position += chunk.frames;
    samples.push(...chunk.data.subarray(0, chunk.frames * chunk.channels));
  }
  return samples;
}

const ramp = (n: number): Float32Array => Float32Array.from({ length: n }, (_, i) => i);

describe('manager buffers are async-iterable', () => {
  it('a memory buffer yields its frames from the position to the end, in 8192-frame chunks by default', async () => {
    const buffer = manager.createBuffer('m', BufferType.MEMORY, { channels: 2, sampleRate: 8000 });
    buffer.write(ramp(20_000 * 2));
    buffer.seek(100);
    const frames: number[] = [];
    const samples: number[] = [];
    for await (const chunk of buffer) {
      frames.push(chunk.frames);
      samples.push(...chunk.data.subarray(0, chunk.frames * 2));
    }
    expect(frames).toEqual([8192, 8192, 3516]);
    expect(samples).toEqual(Array.from(ramp(20_000 * 2).subarray(200)));
    expect(buffer.tell()).toBe(20_000);
  });

  it('a streaming buffer yields the same with chunks({ chunkFrames })', async () => {
    const buffer = manager.createBuffer('s', BufferType.STREAMING, { channels: 1, chunkSize: 64 });
    buffer.write(ramp(1000));
    buffer.seek(0);
    expect(await collect(buffer.chunks({ chunkFrames: 37 }))).toEqual(Array.from(ramp(1000)));
  });

  it('the gate applies: a paused buffer gives ERR_BUFFER_NOT_ACCEPTING, a closed one ERR_BUFFER_CLOSED', async () => {
    const buffer = manager.createBuffer('g', BufferType.MEMORY, { channels: 1 });
    buffer.write(ramp(10));
    buffer.seek(0);
    buffer.pause();
    await expect(collect(buffer)).rejects.toMatchObject({ code: ErrorCode.BUFFER_NOT_ACCEPTING });
    buffer.resume();
    await buffer.close();
    await expect(collect(buffer)).rejects.toMatchObject({ code: ErrorCode.BUFFER_CLOSED });
  });

  it('a pool is not iterable: it lends blocks, it holds no stream of frames', () => {
    const pool = manager.createBuffer('p', BufferType.POOL, { channels: 1 }, { blocks: 2, blockFrames: 16 });
    expect(Symbol.asyncIterator in pool).toBe(false);
  });
});

describe('a manager ring is async-iterable on its consumer side', () => {
  /** A worker writing mono frames 0..frames-1 (or for ever, when frames is -1) in chunks of 1..97, then closing its end. */
  function produce(handle: unknown, frames: number): Promise<{ sent: number; code: string | null }> {
    if (!existsSync(distRing)) throw new Error(`${distRing} is missing: run "node scripts/setup.mjs" or "npm run build"`);
    const worker = new Worker(
      `const { workerData, parentPort } = require('node:worker_threads');
       import(workerData.url).then(({ attachRing }) => {
         const ring = attachRing(workerData.handle, { role: 'producer' });
         const chunk = new Float32Array(97);
         let sent = 0;
         try {
           while (workerData.frames < 0 || sent < workerData.frames) {
             let n = 1 + (sent % 97);
             if (workerData.frames >= 0) n = Math.min(n, workerData.frames - sent);
             for (let i = 0; i < n; i++) chunk[i] = sent + i;
             sent += ring.writeBlocking(chunk.subarray(0, n), 10000);
           }
           ring.close();
           parentPort.postMessage({ sent, code: null });
         } catch (error) {
           parentPort.postMessage({ sent, code: error.code ?? String(error) });
         }
       });`,
      { eval: true, workerData: { url: pathToFileURL(distRing).href, handle, frames } },
    );
    return new Promise((resolve, reject) => {
      worker.once('message', (message: { sent: number; code: string | null }) => {
        void worker.terminate();
        resolve(message);
      });
      worker.once('error', reject);
    });
  }

  it('yields every frame a worker writes once, in order; the end of the stream closes the buffer (state closed, flow ended)', async () => {
    const ring = manager.createBuffer('r', BufferType.RING, { channels: 1 }, { capacity: 128 });
    const outcome = produce(ring.share(), 50_000);
    const samples = await collect(ring.chunks({ chunkFrames: 64 }));
    expect(samples.length).toBe(50_000);
    expect(samples.every((value, i) => value === i)).toBe(true);
    expect(await outcome).toEqual({ sent: 50_000, code: null });
    expect(ring.state).toBe('closed');
    expect(ring.flow).toBe('ended');
  }, 60_000);

  it('leaving the loop early closes the buffer: the worker waiting for room stops with ERR_BUFFER_CLOSED', async () => {
    const ring = manager.createBuffer('r2', BufferType.RING, { channels: 1 }, { capacity: 64 });
    const outcome = produce(ring.share(), -1);
    let read = 0;
    for await (const chunk of ring) {
      read += chunk.frames;
      if (read >= 1000) break;
    }
    expect(ring.state).toBe('closed');
    const { code, sent } = await outcome;
    expect(code).toBe(ErrorCode.BUFFER_CLOSED);
    expect(sent).toBeGreaterThanOrEqual(read);
  }, 60_000);
});
