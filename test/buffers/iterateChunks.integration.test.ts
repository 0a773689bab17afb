/**
 * A ring iterated (`for await (const chunk of ring)`) on the main thread while a real worker
 * thread produces into it. The worker runs the BUILT ring (dist/buffers/ring.js: a worker
 * cannot load TypeScript on Node 20); `node scripts/setup.mjs` or `npm test` builds it.
 */
import { existsSync } from 'node:fs';
import { pathToFileURL, fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { afterEach, describe, expect, it } from 'vitest';
import { RingBuffer } from '../../src/buffers/ring.js';
import { ErrorCode } from '../../src/core/errors.js';

const distRing = fileURLToPath(new URL('../../dist/buffers/ring.js', import.meta.url));

/**
 * The producer: writes stereo frame f as [f, -f] in chunks of 1..maxChunk frames (a fixed
 * pseudo-random sequence) with writeBlocking, `frames` of them (or until the ring ends when
 * `frames` is -1), then closes its end. Posts { sent, code } once: the frames it wrote and the
 * error code that stopped it (null when it finished).
 */
const PRODUCER = `
const { workerData, parentPort } = require('node:worker_threads');
import(workerData.url).then(({ attachRing }) => {
  const ring = attachRing(workerData.handle, { role: 'producer' });
  const chunk = new Float32Array(workerData.maxChunk * 2);
  let seed = 12345, sent = 0;
  try {
    while (workerData.frames < 0 || sent < workerData.frames) {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      let n = 1 + (seed % workerData.maxChunk);
      if (workerData.frames >= 0) n = Math.min(n, workerData.frames - sent);
      for (let i = 0; i < n; i++) { chunk[2 * i] = sent + i; chunk[2 * i + 1] = -(sent + i); }
      const wrote = ring.writeBlocking(chunk.subarray(0, 2 * n), 10000);
      sent += wrote;
      if (wrote < n) { if (ring.ended) continue; throw new Error('short write without the end: a lost wake-up'); }
    }
    ring.close();
    parentPort.postMessage({ sent, code: null });
  } catch (error) {
    parentPort.postMessage({ sent, code: error.code ?? String(error) });
  }
});`;

const live = new Set<Worker>();
afterEach(async () => {
  await Promise.all([...live].map((worker) => worker.terminate()));
  live.clear();
});

function produce(ring: RingBuffer, frames: number, maxChunk: number): Promise<{ sent: number; code: string | null }> {
  if (!existsSync(distRing)) throw new Error(`${distRing} is missing: run "node scripts/setup.mjs" or "npm run build"`);
  const worker = new Worker(PRODUCER, { eval: true, workerData: { url: pathToFileURL(distRing).href, handle: ring.share(), frames, maxChunk } });
  live.add(worker);
  return new Promise((resolve, reject) => {
    worker.once('message', resolve);
    worker.once('error', reject);
  });
}

describe('a ring iterated while a worker thread produces', () => {
  it('yields all 200,000 frames once, in order, through a 256-frame ring, and ends when the worker closes', async () => {
    const ring = new RingBuffer({ channels: 2, sampleRate: 48000 }, { capacity: 256 });
    const outcome = produce(ring, 200_000, 300);
    let expected = 0;
    let position = 0;
    let bad = 0;
    for await (const chunk of ring.chunks({ chunkFrames: 100 })) {
      expect(chunk.position).toBe(position);
      for (let i = 0; i < chunk.frames; i++) {
        if (chunk.data[2 * i] !== expected || chunk.data[2 * i + 1] !== -expected) bad++;
        expected++;
      }
      position += chunk.frames;
    }
    expect(bad).toBe(0);
    expect(expected).toBe(200_000);
    expect(await outcome).toEqual({ sent: 200_000, code: null });
    expect(ring.closed).toBe(true);
  }, 60_000);

  it('leaving the loop early closes the consumer end: the worker blocked on a full ring wakes and stops with ERR_BUFFER_CLOSED', async () => {
    const ring = new RingBuffer({ channels: 2, sampleRate: 48000 }, { capacity: 64 });
    const outcome = produce(ring, -1, 50);
    let frames = 0;
    for await (const chunk of ring) {
      for (let i = 0; i < chunk.frames; i++) expect(chunk.data[2 * i]).toBe(frames + i);
      frames += chunk.frames;
      if (frames >= 5000) break;
    }
    const { sent, code } = await outcome;
    expect(code).toBe(ErrorCode.BUFFER_CLOSED);
    expect(sent).toBeGreaterThanOrEqual(frames);
    expect(ring.ended).toBe(true);
  }, 60_000);
});
