/** RingBuffer behaviours the model and stress tests do not pin. */
import { describe, expect, it } from 'vitest';
import { RingBuffer, attachRing } from '../../src/buffers/ring.js';
import { ErrorCode } from '../../src/core/errors.js';
import { codeOf } from '../helpers/errors.js';

/**
 * Forces one interleaving on one thread: the producer's last write and close land just
 * after the consumer found the ring empty. (A thread race cannot be scheduled on demand;
 * this hook on the consumer's own look at the ring stands in for it.)
 */
function lastWriteRacesTheEnd(): { consumer: RingBuffer } {
  const consumer = new RingBuffer({ channels: 1 }, { capacity: 8 });
  const producer = attachRing(consumer.share(), { role: 'producer' });
  let fired = false;
  consumer.availableRead = function (this: RingBuffer): number {
    const available = RingBuffer.prototype.availableRead.call(this);
    if (!fired && available === 0) {
      fired = true;
      producer.write(new Float32Array([42]));
      producer.close();
    }
    return available;
  };
  return { consumer };
}

describe('RingBuffer', () => {
  it('regression: readBlocking drains a last write that lands just before the end instead of returning 0', () => {
    const { consumer } = lastWriteRacesTheEnd();
    const out = new Float32Array(1);
    expect(consumer.readBlocking(out, 1000)).toBe(1);
    expect(out[0]).toBe(42);
    expect(consumer.readBlocking(out, 1000)).toBe(0);
  });

  it('regression: readAsync drains a last write that lands just before the end instead of returning 0', async () => {
    const { consumer } = lastWriteRacesTheEnd();
    const out = new Float32Array(1);
    expect(await consumer.readAsync(out, { timeoutMs: 1000 })).toBe(1);
    expect(out[0]).toBe(42);
  });

  it('counts a bad timeout on the side that asked', () => {
    const consumer = new RingBuffer({ channels: 1 }, { capacity: 8 });
    const producer = attachRing(consumer.share(), { role: 'producer' });
    expect(codeOf(() => producer.writeBlocking(new Float32Array(1), -1))).toBe(ErrorCode.INVALID_ARGUMENT);
    expect(codeOf(() => consumer.readBlocking(new Float32Array(1), Number.NaN))).toBe(ErrorCode.INVALID_ARGUMENT);
    expect(producer.getMetrics().errorCount).toBe(2);
  });

  it('refuses bad options with typed errors', () => {
    expect(codeOf(() => new RingBuffer({ channels: 2 }, { capacity: 0 }))).toBe(ErrorCode.INVALID_ARGUMENT);
    expect(codeOf(() => new RingBuffer({ channels: 2 }, { overflow: 'drop' as never }))).toBe(ErrorCode.INVALID_ARGUMENT);
    expect(codeOf(() => new RingBuffer({ channels: 2, maxMemoryMb: 1 }, { capacity: 1 << 20 }))).toBe(ErrorCode.CAPACITY);
  });

  it('writeBlocking under the error policy waits for room for the whole chunk, then throws ERR_RING_OVERFLOW at its timeout', () => {
    const ring = new RingBuffer({ channels: 1 }, { capacity: 4, overflow: 'error' });
    const consumer = attachRing(ring.share(), { role: 'consumer' });
    expect(ring.writeBlocking(new Float32Array(3), 10)).toBe(3);
    expect(codeOf(() => ring.writeBlocking(new Float32Array(2), 10))).toBe(ErrorCode.RING_OVERFLOW);
    expect(consumer.availableRead()).toBe(3); // nothing of the refused chunk went in
    expect(codeOf(() => ring.writeBlocking(new Float32Array(5), 10))).toBe(ErrorCode.RING_OVERFLOW); // never fits
  });
});

describe('RingBuffer across threads, sleeping on every wait', () => {
  // A soak of the wake-up protocol, not a deterministic regression test: the lost wake-up
  // once found here (a waker clearing the sleeper's flag) needs a thread to be descheduled
  // inside a few instructions, which no test can arrange without hooks in the hot path.
  it('loses no wake-up when every wait sleeps: 300,000 frames in tiny chunks through a 64-frame ring, in order', async () => {
    const { existsSync } = await import('node:fs');
    const { Worker } = await import('node:worker_threads');
    const { pathToFileURL, fileURLToPath } = await import('node:url');
    const dist = fileURLToPath(new URL('../../dist/buffers/ring.js', import.meta.url));
    if (!existsSync(dist)) throw new Error(`${dist} is missing: run "npm run build" (npm test does it)`);
    // spinChecks 0: every wait sleeps, so the wake-up protocol is exercised millions of times.
    const ring = new RingBuffer({ channels: 1 }, { capacity: 64, spinChecks: 0 });
    const frames = 300_000;
    const worker = new Worker(
      `const { workerData } = require('node:worker_threads');
       import(workerData.url).then(({ attachRing }) => {
         const ring = attachRing(workerData.handle, { role: 'producer', spinChecks: 0 });
         const chunk = new Float32Array(7);
         for (let sent = 0; sent < workerData.frames; ) {
           const n = Math.min(7, workerData.frames - sent);
           for (let i = 0; i < n; i++) chunk[i] = sent + i;
           const wrote = ring.writeBlocking(chunk.subarray(0, n), 10000);
           if (wrote !== n) throw new Error('short write: a lost wake-up');
           sent += n;
         }
         ring.close();
       });`,
      { eval: true, workerData: { url: pathToFileURL(dist).href, handle: ring.share(), frames } },
    );
    try {
      const target = new Float32Array(5);
      let expected = 0;
      // A lost wake-up shows as a read that waits its whole 10 s and returns short.
      while (expected < frames) {
        const n = ring.readBlocking(target, 10_000);
        expect(n === target.length || expected + n === frames, `short read at frame ${expected}: a lost wake-up`).toBe(true);
        for (let i = 0; i < n; i++) expect(target[i]).toBe(expected + i);
        expected += n;
      }
      expect(ring.readBlocking(target, 10_000)).toBe(0);
    } finally {
      await worker.terminate();
    }
  }, 60_000);
});
