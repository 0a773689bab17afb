/**
 * `npm run bench -- inspect`: what attaching the live inspector costs the data plane. The
 * cases of `bench -- memory` and `bench -- ring`, run on buffers of an AudioBufferManager,
 * with the inspector attached (its bus on the manager's actor system, its server, and one page
 * — a ws client in a worker thread decoding every message — connected, so metrics are sampled
 * at 10 Hz and sent) against the same without it (the bus detached and no page: the anchor),
 * interleaved in the same run (with, without, without, with, …), medians of the rounds.
 *
 * The work yields to the event loop about every millisecond, as a real application's does,
 * so that the inspector's timers and socket run during the measured time and their cost is
 * in the figures (a loop that never yields would hide it). Cases:
 *
 * a. memory buffer seek+write+seek+readInto of 1024 stereo frames (ns/op, at most 1.05x);
 * b. pool acquire+release of an 8192-frame stereo block (ns/op, at most 1.05x);
 * c. ring, 128- and 4096-frame stereo chunks from a worker to the main thread through a ring of
 *    65536 floats, read with readBlocking (floats/s, at least 0.95x).
 *
 * Options: --rounds=N (default 15, at least 5), --sample-ms=N (length of a sample, default 400:
 * four sampler periods), --floats=N (per ring run; default: what moves in --sample-ms, measured
 * by a warm-up run).
 */
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { setImmediate as yieldToLoop } from 'node:timers/promises';
import { AudioBufferManager } from '../src/actors/manager.js';
import { BufferType } from '../src/core/types.js';
import { openInspector, type BusSource, type InspectorHandle } from '../src/inspect/index.js';
import { makeChunk } from './fixtures/ring-loops.mjs';
import { consume, median, note, nsPerOpResult, perSecondResult, report, type Comparison, type ReportRow } from './harness.js';

const CHANNELS = 2;
const FRAMES = 1024;
const BLOCK_FRAMES = 8192;
const RING_FRAMES = 32768; // 65536 floats
const SLICE_MS = 1;
/** Pause after switching the inspector on or off, before a sample (two sampler periods). */
const SETTLE_MS = 200;
const TIMEOUT_MS = 10_000;
/** Actors with metrics: the manager, its memory monitor, and the three buffers. */
const SAMPLED_ACTORS = 5;

const CLIENT = fileURLToPath(new URL('./fixtures/inspect-client.mjs', import.meta.url));
const PRODUCER = fileURLToPath(new URL('./fixtures/ring-producer.mjs', import.meta.url));

interface Options {
  rounds: number;
  sampleMs: number;
  floats: number | undefined;
}

function parseArgs(args: readonly string[]): Options {
  const options: Options = { rounds: 15, sampleMs: 400, floats: undefined };
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    const eq = arg.indexOf('=');
    const key = eq >= 0 ? arg.slice(0, eq) : arg;
    const raw = eq >= 0 ? arg.slice(eq + 1) : args[++i];
    const value = Number(raw);
    if (raw === undefined || raw === '' || !Number.isInteger(value) || value <= 0) throw new Error(`${key} needs a positive whole number, got ${String(raw)}`);
    if (key === '--rounds') options.rounds = value;
    else if (key === '--sample-ms') options.sampleMs = value;
    else if (key === '--floats') options.floats = value;
    else throw new Error(`unknown option ${arg} (known: --rounds=N, --sample-ms=N, --floats=N)`);
  }
  if (options.rounds < 5) throw new Error(`--rounds must be at least 5, got ${options.rounds}`);
  if (options.floats !== undefined && options.floats % (4096 * CHANNELS) !== 0) throw new Error(`--floats must be a multiple of ${4096 * CHANNELS}`);
  return options;
}

/** A worker and promise-returning waits for its next message of a type. */
class Port {
  readonly worker: Worker;
  readonly #waiting = new Map<string, (message: Record<string, unknown>) => void>();
  #failure: Error | undefined;

  constructor(file: string, workerData?: unknown) {
    this.worker = new Worker(file, { workerData });
    this.worker.on('message', (message: Record<string, unknown>) => {
      if (message.type === 'error') {
        this.#failure = new Error(`${file}: ${String(message.message)}`);
        return;
      }
      const key = `${String(message.type)}/${typeof message.id === 'number' ? message.id : ''}`;
      const resolve = this.#waiting.get(key);
      this.#waiting.delete(key);
      resolve?.(message);
    });
    this.worker.on('error', (error) => (this.#failure = error));
  }

  next(type: string, id?: number): Promise<Record<string, unknown>> {
    if (this.#failure) return Promise.reject(this.#failure);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(this.#failure ?? new Error(`no ${type} from the worker within ${TIMEOUT_MS} ms`)), TIMEOUT_MS);
      this.#waiting.set(`${type}/${id ?? ''}`, (message) => {
        clearTimeout(timer);
        resolve(message);
      });
    });
  }
}

/** Switches the inspector on (bus attached, a page connected) and off (page gone, bus detached). */
class InspectorSwitch {
  readonly #manager: AudioBufferManager;
  readonly #inspector: InspectorHandle;
  readonly #client: Port;
  #source: BusSource | undefined;
  /** Messages, bytes and metrics the page received while on, summed. */
  readonly received = { messages: 0, bytes: 0, metrics: 0, ms: 0 };
  #onSince = 0;

  constructor(manager: AudioBufferManager, inspector: InspectorHandle, client: Port) {
    this.#manager = manager;
    this.#inspector = inspector;
    this.#client = client;
  }

  async on(): Promise<void> {
    this.#source ??= this.#inspector.bus.addManager(this.#manager);
    const connected = this.#client.next('connected');
    const wsUrl = this.#inspector.url.replace('http://', 'ws://').replace('/?token=', '/ws?token=');
    this.#client.worker.postMessage({ type: 'connect', url: wsUrl, pictureSize: this.#inspector.bus.picture().length });
    await connected;
    this.#onSince = performance.now();
  }

  async off(): Promise<void> {
    const done = this.#client.next('disconnected');
    this.#client.worker.postMessage({ type: 'disconnect' });
    const counts = (await done) as unknown as { messages: number; bytes: number; metrics: number };
    this.received.messages += counts.messages;
    this.received.bytes += counts.bytes;
    this.received.metrics += counts.metrics;
    this.received.ms += performance.now() - this.#onSince;
    // Wait for the server to see the page go, so the sampler has stopped.
    while (this.#inspector.clients > 0) await yieldToLoop();
    this.#source?.detach();
    this.#source = undefined;
  }
}

/** Runs `op` in slices of about SLICE_MS, yielding between them, for `iterations`; returns wall ms. */
async function timedSlices(op: (n: number) => number, iterations: number, slice: number): Promise<number> {
  let acc = 0;
  const t0 = performance.now();
  for (let done = 0; done < iterations; ) {
    const n = Math.min(slice, iterations - done);
    acc += op(n);
    done += n;
    await yieldToLoop();
  }
  const ms = performance.now() - t0;
  consume(acc);
  return ms;
}

/** Iterations of `op` that take about `ms` (after a warm-up). */
function calibrate(op: (n: number) => number, ms: number): number {
  let n = 1;
  for (;;) {
    const t0 = performance.now();
    consume(op(n));
    const elapsed = performance.now() - t0;
    if (elapsed >= 20) return Math.max(1, Math.round((n * ms) / elapsed));
    n *= 2;
  }
}

function comparisonOf(name: string, withNs: number[], withoutNs: number[], iterations: number): Comparison {
  return {
    ours: { name: `${name}, inspector attached`, iterations, nsPerOp: withNs, medianNsPerOp: median(withNs) },
    anchor: { name: 'no inspector', iterations, nsPerOp: withoutNs, medianNsPerOp: median(withoutNs) },
    rounds: withNs.length,
    pairRatios: withNs.map((t, i) => t / withoutNs[i]!),
  };
}

/**
 * Interleaves `sample` with the inspector on and off: on/off, off/on, … Each sample starts
 * SETTLE_MS after the switch (in both modes alike), so what is timed is the steady state of
 * an attached inspector, not the page's connection (its handshake and first picture).
 */
async function interleaved(rounds: number, inspector: InspectorSwitch, sample: () => Promise<number>): Promise<{ on: number[]; off: number[] }> {
  const on: number[] = [];
  const off: number[] = [];
  for (let round = 0; round < rounds; round++) {
    for (const attached of round % 2 === 0 ? [true, false] : [false, true]) {
      if (attached) await inspector.on();
      await sleep(SETTLE_MS);
      (attached ? on : off).push(await sample());
      if (attached) await inspector.off();
    }
  }
  return { on, off };
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export default async function run(args: readonly string[]): Promise<void> {
  const options = parseArgs(args);
  const manager = new AudioBufferManager({ memoryLimitMb: 256, monitorIntervalMs: 1000 });
  const mem = manager.createBuffer('mem', BufferType.MEMORY, { channels: CHANNELS }, { capacity: FRAMES, growable: false });
  const pool = manager.createBuffer('blocks', BufferType.POOL, { channels: CHANNELS }, { blocks: 8, blockFrames: BLOCK_FRAMES });
  const ring = manager.createBuffer('ring', BufferType.RING, { channels: CHANNELS }, { capacity: RING_FRAMES });
  // A server and a bus with no source yet: each round with the inspector attaches the manager.
  const inspector = await openInspector(() => () => undefined);
  const client = new Port(CLIENT);
  const go = new Int32Array(new SharedArrayBuffer(4));
  const producer = new Port(PRODUCER, { subject: 'avbuf', handle: ring.share(), go: go.buffer });
  const rows: ReportRow[] = [];
  const notes: string[] = [];
  const ringFloats: number[] = [];
  try {
    const sw = new InspectorSwitch(manager, inspector, client);
    await sw.on(); // once, to check it works before anything is timed
    await sw.off();

    // a. memory buffer
    const src = makeChunk(FRAMES * CHANNELS);
    const dst = new Float32Array(FRAMES * CHANNELS);
    const memOp = (n: number): number => {
      let acc = 0;
      for (let i = 0; i < n; i++) {
        mem.seek(0);
        mem.write(src);
        mem.seek(0);
        acc += mem.readInto(dst);
      }
      return acc + dst[n & 1023]!;
    };
    // b. pool
    const poolOp = (n: number): number => {
      let acc = 0;
      for (let i = 0; i < n; i++) {
        const b = pool.acquire();
        b.data[0] = i;
        acc += b.data[0];
        pool.release(b);
      }
      return acc;
    };
    for (const [name, op] of [
      ['memory buffer seek+write+seek+readInto, 1024 stereo frames', memOp],
      ['pool acquire+release, 8192-frame stereo blocks', poolOp],
    ] as const) {
      note(`inspect: ${name} ...`);
      const slice = calibrate(op, SLICE_MS);
      const iterations = Math.round((slice * options.sampleMs) / SLICE_MS);
      await timedSlices(op, Math.round(iterations / 4), slice); // warm-up
      const { on, off } = await interleaved(options.rounds, sw, async () => ((await timedSlices(op, iterations, slice)) * 1e6) / iterations);
      const c = comparisonOf(name, on, off, iterations);
      rows.push({ result: nsPerOpResult(`${name}: inspector attached vs not`, c, 1.05), comparison: c });
    }
    if (dst[0] !== src[0] || pool.stats().inUse !== 0) throw new Error('the memory or pool case changed its data or leaked a lease');

    // c. ring
    for (const chunkFrames of [128, 4096]) {
      const name = `ring, ${chunkFrames}-frame stereo chunks from a worker`;
      note(`inspect: ${name} ...`);
      const chunkFloats = chunkFrames * CHANNELS;
      const target = new Float32Array(chunkFloats);
      const perSlice = Math.max(1, Math.round(calibrateRing(chunkFrames)));
      const runOnce = (floats: number): Promise<number> => ringRun(producer, go, ring, target, floats / chunkFloats, perSlice);
      // Warm-up, and the size of a run of about --sample-ms (a whole number of the largest chunks).
      const warmFloats = 2 ** 22;
      await runOnce(warmFloats); // the first run is slow (compilation): measure the second
      const warmMs = await runOnce(warmFloats);
      const step = 4096 * CHANNELS;
      const floats = options.floats ?? Math.max(step, Math.round((warmFloats * options.sampleMs) / warmMs / step) * step);
      if (floats / chunkFloats >= 2 ** 23) throw new Error(`--floats is too large for exact chunk stamps at ${chunkFrames} frames`);
      const { on, off } = await interleaved(options.rounds, sw, async () => ((await runOnce(floats)) * 1e6) / floats);
      ringFloats.push(floats);
      const c = comparisonOf(name, on, off, floats);
      rows.push({ result: perSecondResult(`${name}: inspector attached vs not`, c, 0.95, 'floats/s'), comparison: c });
    }
    const r = sw.received;
    notes.push(
      `the page received ${r.messages} messages (${r.metrics} metrics, ${(r.bytes / 1024).toFixed(0)} KiB) in ${(r.ms / 1000).toFixed(1)} s with the inspector attached: ` +
        `${((r.metrics * 1000) / r.ms / SAMPLED_ACTORS).toFixed(1)} metrics/s for each of the ${SAMPLED_ACTORS} sampled actors (at most 10)`,
    );
  } finally {
    await client.worker.terminate();
    await producer.worker.terminate();
    await inspector.close();
    await manager.close();
  }
  console.log(
    `inspect: ${options.rounds} interleaved rounds; samples of ~${options.sampleMs} ms (ring runs of ${ringFloats.join(' and ')} floats); the work yields every ~${SLICE_MS} ms`,
  );
  for (const line of notes) console.log(`  ${line}`);
  report('inspect', rows);
}

/** Chunks per slice of about SLICE_MS for the ring (a chunk moves at ~2 GB/s between threads). */
function calibrateRing(chunkFrames: number): number {
  const bytesPerMs = 2e6;
  return (bytesPerMs * SLICE_MS) / (chunkFrames * CHANNELS * 4);
}

let nextRunId = 1;

/** One ring run: the worker produces `chunks` chunks, this thread reads them, yielding between slices. */
async function ringRun(
  producer: Port,
  go: Int32Array,
  ring: { readBlocking(target: Float32Array, timeoutMs?: number): number },
  target: Float32Array,
  chunks: number,
  perSlice: number,
): Promise<number> {
  const id = nextRunId++;
  const ready = producer.next('ready', id);
  producer.worker.postMessage({ id, chunkFloats: target.length, chunks });
  await ready;
  const done = producer.next('done', id);
  done.catch(() => undefined);
  const last = target.length - 1;
  const frames = target.length / CHANNELS;
  let checksum = 0;
  let misordered = 0;
  const t0 = performance.now();
  Atomics.store(go, 0, id);
  Atomics.notify(go, 0);
  for (let k = 0; k < chunks; ) {
    const end = Math.min(chunks, k + perSlice);
    for (; k < end; k++) {
      const n = ring.readBlocking(target, TIMEOUT_MS);
      if (n !== frames) throw new Error(`readBlocking read ${n} of ${frames} frames (chunk ${k})`);
      if (target[0] !== k) misordered++;
      checksum += target[0]! + target[last]!;
    }
    await yieldToLoop();
  }
  const ms = performance.now() - t0;
  const sent = await done;
  if (sent.checksum !== checksum || misordered !== 0) throw new Error(`ring run ${id}: checksum ${checksum} against ${String(sent.checksum)}, ${misordered} chunks out of order`);
  consume(checksum);
  return ms;
}
