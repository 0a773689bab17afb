/**
 * RingBuffer across real threads: a producer worker (test/fixtures/ring-producer.mjs) writes
 * 50 million sequence-numbered stereo frames (100 million floats) in random chunk sizes while
 * this thread, the consumer, reads them in random chunk sizes and checks every value: no loss,
 * no duplicate, no reordering, no torn frame, under each overflow policy, with the ring's
 * counters matching what both sides saw exactly.
 *
 * Both ends run the BUILT ring (dist/buffers/ring.js; a worker cannot load TypeScript on
 * Node 20), so build first: `npm test` does it, or `npm run build`.
 *
 * Chunk sizes come from a seeded PRNG; the seed is in every failure message, and
 * `AVBUF_STRESS_SEED=<seed> npx vitest run test/buffers/ring.stress.test.ts` replays the same
 * chunk sizes (the threads' interleaving cannot be replayed).
 */
import { existsSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type * as RingModule from '../../src/buffers/ring.js';
import { chunkSize, prng } from '../fixtures/random-chunks.mjs';

type RingBuffer = RingModule.RingBuffer;
type OverflowPolicy = RingModule.OverflowPolicy;

/** Stereo frames per run: 100 million floats. */
const FRAMES = 50_000_000;
const CHANNELS = 2;
const TEST_TIMEOUT_MS = 180_000;
/** The consumer fails when no frame arrives for this long (a dead or stuck producer). */
const STALL_LIMIT_MS = 60_000;
/** Chance per read that the consumer stops until the producer overflows again. */
const STALL_CHANCE = 1 / 512;

const DIST_RING = new URL('../../dist/buffers/ring.js', import.meta.url);
const SRC_RING = new URL('../../src/buffers/ring.ts', import.meta.url);
const PRODUCER = new URL('../fixtures/ring-producer.mjs', import.meta.url);

const BASE_SEED = process.env.AVBUF_STRESS_SEED !== undefined ? Number(process.env.AVBUF_STRESS_SEED) >>> 0 : (Math.random() * 2 ** 32) >>> 0;

interface Case {
  policy: OverflowPolicy;
  /** Ring capacity in frames. */
  capacity: number;
  /** Largest chunk, in frames, for writes and reads alike. */
  maxChunk: number;
}

const CASES: Case[] = [
  { policy: 'reject', capacity: 65536, maxChunk: 4096 },
  { policy: 'error', capacity: 65536, maxChunk: 4096 },
  { policy: 'overwrite', capacity: 65536, maxChunk: 4096 },
  // Rings as small as the largest chunk: wrap-arounds and waits on nearly every call.
  { policy: 'reject', capacity: 4096, maxChunk: 4096 },
  { policy: 'error', capacity: 4096, maxChunk: 4096 },
  // A small ring: most writes overflow, and chunks larger than the ring drop their own first frames.
  { policy: 'overwrite', capacity: 1024, maxChunk: 4096 },
];

/** What the producer worker posts (see the fixture). */
interface ProducerStats {
  chunks: number;
  writeCalls: number;
  stored: number;
  partialWrites: number;
  overflowErrors: number;
  chunkFramesDropped: number;
}
type ProducerMessage =
  | { ok: true; stats: ProducerStats }
  | { ok: false; error: { name?: string; code?: string; message: string; stack?: string } };
type ProducerOutcome = { ok: true; stats: ProducerStats } | { ok: false; why: string };

interface ConsumerStats {
  /** Frames read. */
  frames: number;
  /** Highest frame number seen (-1: none). */
  last: number;
  /** Frame numbers skipped between consecutive frames seen (and before the first). */
  skipped: number;
  /** readBlocking calls. */
  reads: number;
  /** Times the consumer stopped reading until the producer overflowed. */
  stalls: number;
}

// Frame f is [f mod 2^24, floor(f / 4)]: exact in Float32 for f < 2^26; together the two
// channels give f back, and they agree only when both come from the same frame (a torn frame
// mixes frames a multiple of the capacity apart, which the overlapping bits 2..23 tell apart).

// ---- consumer ---------------------------------------------------------------------------

const sleepCell = new Int32Array(new SharedArrayBuffer(4));
function sleep(ms: number): void {
  Atomics.wait(sleepCell, 0, 0, ms);
}

function describeFrame(a: number, b: number): string {
  const f = b * 4 + (a & 3);
  return `[${a}, ${b}] (channel 1 says frame ${f}, channel 0 says ${a} mod 2^24)`;
}

/** 'reject' and 'error': the frames must be exactly the next ones, in order. */
function checkExact(buf: Float32Array, n: number, s: ConsumerStats, where: string): void {
  let f = s.frames;
  for (let i = 0; i < n; i++, f++) {
    const a = buf[2 * i]!;
    const b = buf[2 * i + 1]!;
    if (a !== (f & 0xffffff) || b !== f >>> 2) {
      throw new Error(`${where}: expected frame ${f} = [${f & 0xffffff}, ${f >>> 2}], read ${describeFrame(a, b)}`);
    }
  }
  s.frames = f;
  s.last = f - 1;
}

/** 'overwrite': each frame whole, frame numbers strictly increasing; gaps add up the drops. */
function checkIncreasing(buf: Float32Array, n: number, s: ConsumerStats, where: string): void {
  let last = s.last;
  let skipped = 0;
  for (let i = 0; i < n; i++) {
    const a = buf[2 * i]!;
    const b = buf[2 * i + 1]!;
    const f = b * 4 + (a & 3);
    if ((f & 0xffffff) !== a || f >>> 2 !== b || f >= FRAMES) {
      throw new Error(`${where}: torn or foreign frame after frame ${last}: ${describeFrame(a, b)}`);
    }
    if (f <= last) {
      throw new Error(`${where}: frame ${f} read after frame ${last} (${f === last ? 'duplicate' : 'out of order'})`);
    }
    skipped += f - last - 1;
    last = f;
  }
  s.frames += n;
  s.skipped += skipped;
  s.last = last;
}

/**
 * Reads until the ring has ended and is drained, checking every frame. Reads block for at most
 * 100 ms at a time and the loop yields to the event loop every ~50 ms, so worker events and the
 * test timeout still get through.
 */
async function consume(ring: RingBuffer, kase: Case, seed: number, where: string, producerFailure: () => string | null): Promise<ConsumerStats> {
  const random = prng(seed ^ 0x5bd1e995);
  const buf = new Float32Array(kase.maxChunk * CHANNELS);
  const check = kase.policy === 'overwrite' ? checkIncreasing : checkExact;
  const s: ConsumerStats = { frames: 0, last: -1, skipped: 0, reads: 0, stalls: 0 };
  let progressAt = performance.now();
  for (;;) {
    const burstEnd = performance.now() + 50;
    while (performance.now() < burstEnd) {
      const size = chunkSize(random, kase.maxChunk);
      const view = size === kase.maxChunk ? buf : buf.subarray(0, size * CHANNELS);
      // Ended before the read, then nothing read: everything written has been read. A read
      // that returns 0 with `ended` seen only afterwards proves nothing: readBlocking's spin
      // loop checks for data, then for the end, and gives up if the producer's last write and
      // close() land between the two, leaving those frames for the next call.
      const endedBefore = ring.ended;
      const n = ring.readBlocking(view, 100);
      s.reads++;
      if (n > 0) {
        check(view, n, s, where);
        progressAt = performance.now();
      } else if (endedBefore) {
        return s;
      }
      if (n < size && !ring.ended) break; // timed out: let events in
      // Now and then (and once early on) stop until the producer overflows again, so every
      // run has overruns (and, under 'overwrite', drops) however fast this thread is.
      if (!ring.ended && (random() < STALL_CHANCE || (s.stalls === 0 && s.frames > 0))) {
        stallUntilOverflow(ring, kase, where);
        s.stalls++;
      }
    }
    await new Promise((resolve) => setImmediate(resolve));
    const failure = producerFailure();
    if (failure !== null) throw new Error(`${where}: the producer failed after ${s.frames} frames were read: ${failure}`);
    if (performance.now() - progressAt > STALL_LIMIT_MS) {
      throw new Error(`${where}: no frame for ${STALL_LIMIT_MS / 1000} s after ${s.frames} frames; the producer seems stuck`);
    }
  }
}

/**
 * Waits, reading nothing, until the producer has overflowed the ring. Under 'overwrite' the
 * producer never waits, so this waits for more drops. Under 'reject' and 'error' the producer
 * may already be waiting for room after an earlier overrun (and would wait forever for a new
 * one), so once there has been any overrun it is enough for the ring to be too full for a chunk.
 */
function stallUntilOverflow(ring: RingBuffer, kase: Case, where: string): void {
  const count = (): number => {
    const m = ring.getMetrics();
    return kase.policy === 'overwrite' ? m.droppedFrames : m.overruns;
  };
  const before = count();
  const done = (): boolean => {
    const now = count();
    if (now > before) return true;
    return kase.policy !== 'overwrite' && now > 0 && ring.availableWrite() < kase.maxChunk;
  };
  const giveUp = performance.now() + STALL_LIMIT_MS;
  while (!done() && !ring.ended) {
    if (performance.now() > giveUp) throw new Error(`${where}: the producer did not overflow a ring nobody read for ${STALL_LIMIT_MS / 1000} s`);
    sleep(0.2);
  }
}

// ---- the tests --------------------------------------------------------------------------

let Ring: typeof RingModule | undefined;
const live = new Set<Worker>();
const rings = new Set<RingBuffer>();

beforeAll(async () => {
  const built = fileURLToPath(DIST_RING);
  if (!existsSync(built)) {
    throw new Error(`${built} is missing: the producer worker runs the built library. Run \`npm run build\` (\`npm test\` builds dist first).`);
  }
  if (statSync(fileURLToPath(SRC_RING)).mtimeMs > statSync(built).mtimeMs) {
    throw new Error(`${built} is older than src/buffers/ring.ts: run \`npm run build\` so the stress test runs the current ring.`);
  }
  Ring = (await import(DIST_RING.href)) as typeof RingModule;
});

afterEach(async () => {
  for (const ring of rings) ring.close();
  rings.clear();
  await Promise.all([...live].map((worker) => worker.terminate()));
  live.clear();
});

/** Starts the producer worker; the outcome promise never rejects. */
function startProducer(ring: RingBuffer, kase: Case, seed: number): { outcome: Promise<ProducerOutcome>; failure: () => string | null } {
  const worker = new Worker(PRODUCER, {
    workerData: { handle: ring.share(), frames: FRAMES, maxChunk: kase.maxChunk, seed, policy: kase.policy },
  });
  live.add(worker);
  let settled = false;
  let failed: string | null = null;
  const outcome = new Promise<ProducerOutcome>((resolve) => {
    const fail = (why: string): void => {
      if (settled) return;
      settled = true;
      failed = why;
      resolve({ ok: false, why });
    };
    worker.once('message', (message: ProducerMessage) => {
      if (!message.ok) return fail(message.error.stack ?? `${message.error.code ?? message.error.name ?? 'Error'}: ${message.error.message}`);
      settled = true;
      resolve(message);
    });
    worker.once('error', (error) => fail(`worker error: ${error.stack ?? error.message}`));
    worker.once('exit', (code) => {
      live.delete(worker);
      fail(`the worker exited (code ${code}) without reporting`);
    });
  });
  return { outcome, failure: () => failed };
}

describe('RingBuffer across threads: 100 million sequence-numbered floats', () => {
  CASES.forEach((kase, index) => {
    const { policy, capacity, maxChunk } = kase;
    it(`'${policy}', ring of ${capacity} frames, chunks of 1..${maxChunk} frames`, async () => {
      const seed = (BASE_SEED + Math.imul(index + 1, 0x9e3779b9)) >>> 0;
      const where = `'${policy}' ring of ${capacity} (AVBUF_STRESS_SEED=${BASE_SEED}, case seed ${seed})`;
      if (Ring === undefined) throw new Error('the built ring was not loaded');
      const ring = new Ring.RingBuffer({ channels: CHANNELS }, { capacity, overflow: policy, name: `stress ring (${policy})` });
      rings.add(ring);
      expect(ring.capacity).toBe(capacity);

      const started = performance.now();
      const producer = startProducer(ring, kase, seed);
      const seen = await consume(ring, kase, seed, where, producer.failure);
      const outcome = await producer.outcome;
      const seconds = (performance.now() - started) / 1000;
      if (!outcome.ok) throw new Error(`${where}: the producer failed: ${outcome.why}`);
      const p = outcome.stats;
      const m = ring.getMetrics();

      console.log(
        `[ring stress] ${where}: ${FRAMES} frames in ${seconds.toFixed(1)} s; ` +
          `${p.chunks} chunks, ${p.writeCalls} writes, ${seen.reads} reads, ${seen.stalls} consumer stalls; ` +
          `overruns ${m.overruns}, partial writes ${p.partialWrites}, overflow errors ${p.overflowErrors}, ` +
          `dropped ${m.droppedFrames} (${p.chunkFramesDropped} from chunks larger than the ring), read ${m.framesRead}`,
      );

      // Both sides agree with the ring's counters.
      expect(p.stored, `${where}: frames the producer saw stored vs framesWritten`).toBe(m.framesWritten);
      expect(m.writeCount, `${where}: write calls vs writeCount`).toBe(p.writeCalls);
      expect(m.framesRead, `${where}: frames checked vs framesRead`).toBe(seen.frames);
      expect(m.availableRead, `${where}: frames left in the ring`).toBe(0);
      expect(m.overruns, `${where}: the consumer's stalls must have caused overruns`).toBeGreaterThan(0);

      if (policy === 'overwrite') {
        // Drops only of the oldest frames: what was read is strictly increasing and ends with the last frame.
        expect(seen.last, `${where}: last frame read`).toBe(FRAMES - 1);
        expect(m.droppedFrames, `${where}: the ring must have dropped frames`).toBeGreaterThan(0);
        expect(seen.skipped, `${where}: frames missing from what was read vs droppedFrames`).toBe(m.droppedFrames);
        expect(m.framesRead + m.droppedFrames, `${where}: framesRead + droppedFrames`).toBe(FRAMES);
        expect(m.framesWritten, `${where}: framesWritten`).toBe(FRAMES - p.chunkFramesDropped);
        expect(m.overruns, `${where}: overruns vs writes`).toBeLessThanOrEqual(p.writeCalls);
        if (capacity >= maxChunk) expect(p.chunkFramesDropped, `${where}: no chunk exceeds the ring`).toBe(0);
        expect(m.errorCount, `${where}: errorCount`).toBe(0);
      } else {
        // Nothing lost: every frame read once, in order.
        expect(seen.frames, `${where}: frames read`).toBe(FRAMES);
        expect(seen.last, `${where}: last frame read`).toBe(FRAMES - 1);
        expect(m.framesWritten, `${where}: framesWritten`).toBe(FRAMES);
        expect(m.droppedFrames, `${where}: droppedFrames`).toBe(0);
        if (policy === 'reject') {
          expect(m.overruns, `${where}: overruns vs write() calls that stored less than offered`).toBe(p.partialWrites);
          expect(m.errorCount, `${where}: errorCount`).toBe(0);
        } else {
          expect(m.overruns, `${where}: overruns vs RingOverflowErrors caught`).toBe(p.overflowErrors);
          expect(m.errorCount, `${where}: errorCount vs RingOverflowErrors caught`).toBe(p.overflowErrors);
          expect(p.writeCalls, `${where}: one successful write per chunk`).toBe(p.chunks);
        }
      }
    }, TEST_TIMEOUT_MS);
  });
});
