/**
 * The ring actor: lifecycle gating, flow sampling, metrics, and real cross-thread use
 * (a worker producing into a ring the main thread drains with readAsync).
 */
import { Worker } from 'node:worker_threads';
import { existsSync } from 'node:fs';
import { pathToFileURL, fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AudioBufferManager } from '../../src/actors/manager.js';
import type { RingAudioBuffer } from '../../src/actors/ringActor.js';
import { attachRing } from '../../src/buffers/ring.js';
import { ErrorCode } from '../../src/core/errors.js';
import { BufferType } from '../../src/core/types.js';
import { codeOf } from '../helpers/errors.js';

let manager: AudioBufferManager;
let ring: RingAudioBuffer;
beforeEach(() => {
  manager = new AudioBufferManager({ monitorIntervalMs: 0 });
  ring = manager.createBuffer('ring', BufferType.RING, { channels: 2 }, { capacity: 1000 });
});
afterEach(async () => {
  await manager.close();
});

const distRing = fileURLToPath(new URL('../../dist/buffers/ring.js', import.meta.url));

describe('ring actor', () => {
  it('rounds the capacity up to a power of two and accounts its storage in the budget', () => {
    expect(ring.capacity).toBe(1024);
    expect(manager.budget.usedBytes).toBe(1024 * 2 * 4);
    expect(manager.getSystemMetrics().bufferTypes.ring).toBe(1);
    expect(Object.keys(manager.actor.getSnapshot().children).sort()).toEqual(['memoryMonitor', 'ring', 'ring.flow']);
  });

  it('moves frames between two ends and reports them in RingMetrics', () => {
    const producer = attachRing(ring.share(), { role: 'producer' });
    expect(producer.write(new Float32Array([1, 2, 3, 4]))).toBe(2);
    expect(ring.availableRead()).toBe(2);
    expect(Array.from(ring.read())).toEqual([1, 2, 3, 4]);
    expect(ring.getMetrics()).toMatchObject({ bufferType: 'ring', state: 'active', framesWritten: 2, framesRead: 2, capacity: 1024 });
    expect(ring.tell()).toBe(2);
  });

  it('refuses data calls while paused and refuses seek with ERR_UNSUPPORTED_OPERATION', () => {
    ring.pause();
    expect(codeOf(() => ring.read(1))).toBe(ErrorCode.BUFFER_NOT_ACCEPTING);
    ring.resume();
    expect(codeOf(() => ring.seek(0))).toBe(ErrorCode.UNSUPPORTED_OPERATION);
    expect(ring.getMetrics().errorCount).toBe(2);
  });

  it('samples its flow into the flow actor: empty, flowing, overrun, ended', async () => {
    const producer = attachRing(ring.share(), { role: 'producer' });
    const flows: string[] = [];
    ring.flow$.subscribe((f) => flows.push(f));
    expect(ring.sampleFlow()).toBe('empty');
    producer.write(new Float32Array(200));
    expect(ring.sampleFlow()).toBe('flowing');
    producer.write(new Float32Array(2 * 2000)); // only 924 frames fit: an overrun
    expect(ring.sampleFlow()).toBe('overrun');
    ring.reset();
    expect(ring.sampleFlow()).toBe('empty');
    await ring.close();
    expect(ring.flow).toBe('ended');
    expect(flows).toEqual(['empty', 'flowing', 'overrun', 'empty', 'ended']);
  });

  it('samples the flow on its own at 10 Hz', async () => {
    const producer = attachRing(ring.share(), { role: 'producer' });
    producer.write(new Float32Array(20));
    const flow = await new Promise<string>((resolve) => ring.flow$.subscribe((f) => f !== 'empty' && resolve(f)));
    expect(flow).toBe('flowing');
  });

  it('readBlocking returns what arrived when its timeout passes, counting an underrun', () => {
    const producer = attachRing(ring.share(), { role: 'producer' });
    producer.write(new Float32Array([5, 6]));
    const target = new Float32Array(8);
    expect(ring.readBlocking(target, 20)).toBe(1);
    expect(target[0]).toBe(5);
    expect(ring.getMetrics()).toMatchObject({ underruns: 1, readCount: 1, framesRead: 1 });
  });

  it('writeBlocking waits for room and gives up at its timeout with what fit', () => {
    const producer = attachRing(ring.share(), { role: 'producer' });
    expect(producer.writeBlocking(new Float32Array(2 * 1500), 20)).toBe(1024);
    expect(ring.availableRead()).toBe(1024);
    expect(ring.getMetrics()).toMatchObject({ overruns: 1, writeCount: 1, framesWritten: 1024 });
  });

  it('readAsync resolves on the producer’s write without blocking the event loop, and honours abort', async () => {
    const producer = attachRing(ring.share(), { role: 'producer' });
    const target = new Float32Array(2 * 3);
    let ticks = 0;
    const timer = setInterval(() => ticks++, 1);
    const reading = ring.readAsync(target, { timeoutMs: 5000 });
    setTimeout(() => producer.write(new Float32Array([1, 1, 2, 2, 3, 3])), 30);
    expect(await reading).toBe(3);
    clearInterval(timer);
    expect(ticks).toBeGreaterThan(3); // timers ran while the read waited
    expect(Array.from(target)).toEqual([1, 1, 2, 2, 3, 3]);
    const controller = new AbortController();
    const waiting = ring.readAsync(new Float32Array(2), { signal: controller.signal });
    setTimeout(() => controller.abort(), 10);
    await expect(waiting).rejects.toMatchObject({ code: ErrorCode.ABORTED });
  });

  it('a worker produces while the main thread drains with readAsync: every frame arrives in order', async () => {
    if (!existsSync(distRing)) throw new Error(`${distRing} is missing: run "npm run build" (npm test does it)`);
    const frames = 200_000;
    const worker = new Worker(
      `const { workerData, parentPort } = require('node:worker_threads');
       import(workerData.url).then(({ attachRing }) => {
         const ring = attachRing(workerData.handle, { role: 'producer' });
         const chunk = new Float32Array(2 * 333);
         let next = 0;
         while (next < workerData.frames) {
           const n = Math.min(333, workerData.frames - next);
           for (let i = 0; i < n; i++) { chunk[2 * i] = next + i; chunk[2 * i + 1] = -(next + i); }
           next += ring.writeBlocking(chunk.subarray(0, 2 * n), 10000);
         }
         ring.close();
         parentPort.postMessage('done');
       });`,
      { eval: true, workerData: { url: pathToFileURL(distRing).href, handle: ring.share(), frames } },
    );
    try {
      const target = new Float32Array(2 * 1000);
      let expected = 0;
      let bad = 0;
      for (;;) {
        const n = await ring.readAsync(target, { timeoutMs: 10_000 });
        for (let i = 0; i < n; i++) {
          if (target[2 * i] !== expected || target[2 * i + 1] !== -expected) bad++;
          expected++;
        }
        if (n < 1000 && ring.ended && ring.availableRead() === 0) break;
      }
      expect(bad).toBe(0);
      expect(expected).toBe(frames);
      // Waiting on each other is back-pressure, not an overrun.
      expect(ring.getMetrics()).toMatchObject({ framesWritten: frames, framesRead: frames, droppedFrames: 0, overruns: 0 });
    } finally {
      await worker.terminate();
    }
  });

  it('removing the ring stops both of its actors', async () => {
    await manager.removeBuffer('ring');
    expect(Object.keys(manager.actor.getSnapshot().children)).toEqual(['memoryMonitor']);
    expect(ring.state).toBe('closed');
    expect(manager.budget.usedBytes).toBe(0);
  });
});

describe('attachRing', () => {
  it('refuses what is not a ring handle with ERR_INVALID_HANDLE', () => {
    for (const bad of [null, {}, { kind: 'avbuf.ring/1' }, { ...ring.share(), capacity: 1000 }]) {
      expect(codeOf(() => attachRing(bad as never))).toBe(ErrorCode.INVALID_HANDLE);
    }
  });

  it('refuses a second consumer with ERR_RING_ROLE_TAKEN', () => {
    ring.read(0); // the managed end claims the consumer role
    expect(codeOf(() => attachRing(ring.share(), { role: 'consumer' }))).toBe(ErrorCode.RING_ROLE_TAKEN);
    expect(codeOf(() => attachRing(ring.share(), { role: 'reader' as never }))).toBe(ErrorCode.INVALID_ARGUMENT);
  });
});
