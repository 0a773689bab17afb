/**
 * `npm run bench -- ring`: avbuf's RingBuffer against ringbuf.js 0.4.0 (a devDependency, for
 * this comparison only), moving stereo Float32 samples from a worker to the main thread
 * through a ring of 65536 floats, in one run:
 *
 * - chunks of 128 and 4096 frames, each alone and again with one extra busy thread (a third
 *   worker spinning from before the first to after the last run of the configuration);
 * - per configuration one warm-up run of each subject, then `--rounds` (default 5, at least
 *   3) interleaved rounds of avbuf, ringbuf.js (polling), ringbuf.js+notify and
 *   Float32Array.set, the order rotated by one each round;
 * - floats/s, medians of the rounds. Targets: avbuf ≥ 3x ringbuf.js at both chunk sizes,
 *   ≥ 2x with the busy thread. Informational rows: avbuf against ringbuf.js+notify (the same
 *   waiting as avbuf, see bench/fixtures/ring-loops.mjs) and avbuf as a fraction of a plain
 *   single-threaded Float32Array.set of the chunks into a SharedArrayBuffer.
 *
 * A run: the producer worker (bench/fixtures/ring-producer.mjs) prepares its chunk and says
 * ready; the main thread starts its clock, releases the worker through a shared flag and
 * consumes every chunk with blocking reads; the clock stops when the last float is in.
 * Both sides count floats and sum two stamped floats of every chunk; a run fails unless
 * the counts and the sums agree and every chunk arrived in order.
 *
 * Options: --rounds=N (interleaved rounds, default 5, at least 3), --floats=N (floats per
 * run, default 2^26 = 256 MiB, a multiple of 8192), --poll-ms=N (the polling sleep of the
 * ringbuf.js subject, default 1 ms).
 */
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { RingBuffer as RingbufJs } from 'ringbuf.js';
import { RingBuffer } from '../src/buffers/ring.js';
import {
  FLAG_INTS,
  POLL_MS,
  RingbufWaits,
  consumeAvbuf,
  consumeRingbuf,
  makeChunk,
  type LoopResult,
} from './fixtures/ring-loops.mjs';
import { consume, median, note, perSecondResult, report, type Comparison, type ReportRow } from './harness.js';

const CHANNELS = 2;
const RING_FLOATS = 65536;
const RING_FRAMES = RING_FLOATS / CHANNELS;
const DEFAULT_FLOATS = 2 ** 26;
const DEFAULT_ROUNDS = 5;
const MIN_ROUNDS = 3;
/** Warm-up runs move this fraction of a measured run. */
const WARMUP_FRACTION = 1 / 8;

const PRODUCER = fileURLToPath(new URL('./fixtures/ring-producer.mjs', import.meta.url));
const BUSY = fileURLToPath(new URL('./fixtures/busy.mjs', import.meta.url));

type SubjectName = 'avbuf' | 'ringbuf.js' | 'ringbuf.js+notify' | 'Float32Array.set';
const SUBJECTS: readonly SubjectName[] = ['avbuf', 'ringbuf.js', 'ringbuf.js+notify', 'Float32Array.set'];

interface Config {
  chunkFrames: number;
  busy: boolean;
  /** Minimum avbuf / ringbuf.js throughput ratio. */
  target: number;
}

const CONFIGS: readonly Config[] = [
  { chunkFrames: 128, busy: false, target: 3 },
  { chunkFrames: 4096, busy: false, target: 3 },
  { chunkFrames: 128, busy: true, target: 2 },
  { chunkFrames: 4096, busy: true, target: 2 },
];

interface Options {
  rounds: number;
  floats: number;
  pollMs: number;
}

function parseArgs(args: readonly string[]): Options {
  const options: Options = { rounds: DEFAULT_ROUNDS, floats: DEFAULT_FLOATS, pollMs: POLL_MS };
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    const eq = arg.indexOf('=');
    const key = eq >= 0 ? arg.slice(0, eq) : arg;
    const raw = eq >= 0 ? arg.slice(eq + 1) : args[++i];
    const value = Number(raw);
    const whole = key !== '--poll-ms';
    if (raw === undefined || raw === '' || !Number.isFinite(value) || value <= 0 || (whole && !Number.isInteger(value))) {
      throw new Error(`${key} needs a positive ${whole ? 'whole ' : ''}number, got ${String(raw)}`);
    }
    if (key === '--rounds') options.rounds = value;
    else if (key === '--floats') options.floats = value;
    else if (key === '--poll-ms') options.pollMs = value;
    else throw new Error(`unknown option ${arg} (known: --rounds=N, --floats=N, --poll-ms=N)`);
  }
  if (options.rounds < MIN_ROUNDS) throw new Error(`--rounds must be at least ${MIN_ROUNDS}, got ${options.rounds}`);
  const largest = Math.max(...CONFIGS.map((c) => c.chunkFrames)) * CHANNELS;
  if (options.floats % largest !== 0) throw new Error(`--floats must be a multiple of ${largest}, got ${options.floats}`);
  // The chunk stamps (k and 2k + 1) must be exact in a Float32.
  if (options.floats / (Math.min(...CONFIGS.map((c) => c.chunkFrames)) * CHANNELS) >= 2 ** 23) {
    throw new Error(`--floats is too large: at most 2^23 chunks of the smallest size`);
  }
  return options;
}

interface Message {
  type: string;
  id?: number;
  floats?: number;
  checksum?: number;
  ms?: number;
  message?: string;
  spins?: number;
}

/** A worker with promise-returning waits for its next message of a given type. */
class WorkerPort {
  readonly worker: Worker;
  #waiting = new Map<string, { resolve: (m: Message) => void; reject: (e: Error) => void }>();
  #failed: Error | null = null;

  constructor(file: string, workerData: unknown) {
    this.worker = new Worker(file, { workerData });
    this.worker.on('message', (m: Message) => {
      if (m.type === 'error') {
        this.#fail(new Error(`worker ${file}: ${m.message ?? 'failed'}`));
        return;
      }
      const key = `${m.type}/${m.id ?? ''}`;
      const waiter = this.#waiting.get(key);
      if (waiter === undefined) return;
      this.#waiting.delete(key);
      waiter.resolve(m);
    });
    this.worker.on('error', (error) => this.#fail(error));
    this.worker.on('exit', (code) => this.#fail(new Error(`worker ${file} exited with code ${code}`)));
  }

  /** The next message `type` (with `id`, when given). Call before causing it. */
  next(type: string, id?: number): Promise<Message> {
    if (this.#failed !== null) return Promise.reject(this.#failed);
    return new Promise((resolve, reject) => this.#waiting.set(`${type}/${id ?? ''}`, { resolve, reject }));
  }

  #fail(error: Error): void {
    this.#failed ??= error;
    for (const waiter of this.#waiting.values()) waiter.reject(error);
    this.#waiting.clear();
  }

  async terminate(): Promise<void> {
    this.#failed ??= new Error('terminated');
    await this.worker.terminate();
  }
}

/** One ring subject: its producer worker and the main thread's consumer. */
class RingSubject {
  readonly name: SubjectName;
  readonly port: WorkerPort;
  readonly go = new Int32Array(new SharedArrayBuffer(4));
  readonly consume: (target: Float32Array, chunks: number) => LoopResult;
  /** Runs whose counts, checksums and chunk order were checked. */
  checkedRuns = 0;
  #nextId = 1;

  constructor(name: 'avbuf' | 'ringbuf.js' | 'ringbuf.js+notify', pollMs: number) {
    this.name = name;
    if (name === 'avbuf') {
      const ring = new RingBuffer({ channels: CHANNELS }, { capacity: RING_FRAMES, name: 'bench ring' });
      if (ring.capacity * CHANNELS !== RING_FLOATS) throw new Error(`avbuf ring holds ${ring.capacity} frames, expected ${RING_FRAMES}`);
      this.port = new WorkerPort(PRODUCER, { subject: name, handle: ring.share(), go: this.go.buffer });
      this.consume = (target, chunks) => consumeAvbuf(ring, target, chunks);
    } else {
      const sab = RingbufJs.getStorageForCapacity(RING_FLOATS, Float32Array);
      const notify = name === 'ringbuf.js+notify';
      const flags = notify ? new Int32Array(new SharedArrayBuffer(FLAG_INTS * 4)) : null;
      const waits = new RingbufWaits(sab, flags, pollMs);
      if (new RingbufJs(sab, Float32Array).capacity() !== RING_FLOATS) throw new Error('ringbuf.js ring does not hold 65536 floats');
      this.port = new WorkerPort(PRODUCER, { subject: name, sab, flags: flags?.buffer, pollMs, go: this.go.buffer });
      this.consume = (target, chunks) => consumeRingbuf(waits, target, chunks);
    }
  }

  /** One run: returns the main thread's elapsed milliseconds, after checking both sides agree. */
  async run(target: Float32Array, chunks: number): Promise<number> {
    const id = this.#nextId++;
    const ready = this.port.next('ready', id);
    this.port.worker.postMessage({ id, chunkFloats: target.length, chunks });
    await ready;
    const done = this.port.next('done', id);
    // Awaited below; if consuming throws first, the worker's failure must not surface as an unhandled rejection.
    done.catch(() => undefined);
    target.fill(0);
    const t0 = performance.now();
    Atomics.store(this.go, 0, id);
    Atomics.notify(this.go, 0);
    const got = this.consume(target, chunks);
    const ms = performance.now() - t0;
    const sent = await done;
    const expected = chunks * target.length;
    if (got.floats !== expected || sent.floats !== expected) {
      throw new Error(`${this.name}: producer moved ${sent.floats} floats, consumer ${got.floats}, expected ${expected}`);
    }
    if (got.checksum !== sent.checksum) throw new Error(`${this.name}: checksums differ: producer ${sent.checksum}, consumer ${got.checksum}`);
    if (got.misordered !== 0) throw new Error(`${this.name}: ${got.misordered} chunks arrived out of order or torn`);
    consume(got.checksum);
    this.checkedRuns++;
    return ms;
  }
}

/** The anchor: the producer's chunk loop with a plain Float32Array.set into a shared array, one thread. */
function setAnchorRun(store: Float32Array, chunk: Float32Array, chunks: number): number {
  const len = chunk.length;
  const last = len - 1;
  const mask = store.length - 1;
  let pos = 0;
  let checksum = 0;
  const t0 = performance.now();
  for (let k = 0; k < chunks; k++) {
    chunk[0] = k;
    chunk[last] = 2 * k + 1;
    store.set(chunk, pos);
    checksum += store[pos]! + store[pos + last]!;
    pos = (pos + len) & mask;
  }
  const ms = performance.now() - t0;
  const expected = 1.5 * chunks * chunks - 0.5 * chunks; // Σ (k + 2k + 1) for k < chunks
  if (checksum !== expected) throw new Error(`Float32Array.set anchor: checksum ${checksum}, expected ${expected}`);
  consume(checksum);
  return ms;
}

async function startBusy(): Promise<{ stop: () => Promise<number> }> {
  const flag = new Int32Array(new SharedArrayBuffer(4));
  const port = new WorkerPort(BUSY, { stop: flag.buffer });
  await port.next('spinning');
  return {
    stop: async () => {
      const stopped = port.next('stopped');
      Atomics.store(flag, 0, 1);
      const { spins } = await stopped;
      await port.terminate();
      return spins ?? 0;
    },
  };
}

type Samples = Record<SubjectName, number[]>;

function label(c: Config): string {
  return `${c.chunkFrames}-frame chunks${c.busy ? ' + busy thread' : ''}`;
}

/** A Comparison (as the harness reports it) of two subjects' runs: ns per float, per round. */
function comparison(floats: number, ms: Samples, ours: SubjectName, anchor: SubjectName): Comparison {
  const timing = (name: SubjectName): Comparison['ours'] => {
    const nsPerOp = ms[name].map((t) => (t * 1e6) / floats);
    return { name, iterations: floats, nsPerOp, medianNsPerOp: median(nsPerOp) };
  };
  const a = ms[ours];
  const b = ms[anchor];
  return { ours: timing(ours), anchor: timing(anchor), rounds: a.length, pairRatios: a.map((t, i) => t / b[i]!) };
}

async function measure(config: Config, options: Options, subjects: readonly RingSubject[]): Promise<Samples> {
  const chunkFloats = config.chunkFrames * CHANNELS;
  const chunks = options.floats / chunkFloats;
  const warmupChunks = Math.max(1, Math.round(chunks * WARMUP_FRACTION));
  const target = new Float32Array(chunkFloats);
  const chunk = makeChunk(chunkFloats);
  const store = new Float32Array(new SharedArrayBuffer(RING_FLOATS * Float32Array.BYTES_PER_ELEMENT));
  const busy = config.busy ? await startBusy() : null;
  const ms: Samples = { avbuf: [], 'ringbuf.js': [], 'ringbuf.js+notify': [], 'Float32Array.set': [] };
  try {
    for (const s of subjects) await s.run(target, warmupChunks);
    setAnchorRun(store, chunk, warmupChunks);
    const order: (RingSubject | null)[] = [...subjects, null]; // null: the Float32Array.set anchor
    for (let round = 0; round < options.rounds; round++) {
      // Rotate the order each round, so that no subject always follows the same one (a
      // subject that sleeps a lot leaves the cores idle for the next one).
      for (let i = 0; i < order.length; i++) {
        const s = order[(round + i) % order.length]!;
        if (s === null) ms['Float32Array.set'].push(setAnchorRun(store, chunk, chunks));
        else ms[s.name].push(await s.run(target, chunks));
      }
    }
  } finally {
    if (busy !== null) {
      const spins = await busy.stop();
      note(`ring: busy thread looped ${spins.toExponential(2)} times`);
    }
  }
  return ms;
}

function floatsPerSec(floats: number, ms: number): string {
  return ((floats / ms) * 1e-3).toFixed(0);
}

export default async function run(args: readonly string[]): Promise<void> {
  const options = parseArgs(args);
  const rows: ReportRow[] = [];
  const summary: string[] = [];
  const subjects = (['avbuf', 'ringbuf.js', 'ringbuf.js+notify'] as const).map((name) => new RingSubject(name, options.pollMs));
  try {
    for (const config of CONFIGS) {
      note(`ring: ${label(config)}, ${options.rounds} rounds of ${options.floats} floats ...`);
      const ms = await measure(config, options, subjects);
      const f = options.floats;
      for (const s of SUBJECTS) {
        summary.push(`  ${label(config).padEnd(30)} ${s.padEnd(18)} ${ms[s].map((t) => floatsPerSec(f, t).padStart(6)).join(' ')}`);
      }
      const name = `ring ${label(config)}`;
      const poll = options.pollMs === POLL_MS ? '' : ` (polling every ${options.pollMs} ms)`;
      rows.push({
        result: perSecondResult(`${name}: avbuf vs ringbuf.js${poll}`, comparison(f, ms, 'avbuf', 'ringbuf.js'), config.target, 'floats/s'),
        comparison: comparison(f, ms, 'avbuf', 'ringbuf.js'),
      });
      rows.push({
        result: perSecondResult(`${name}: avbuf vs ringbuf.js+notify`, comparison(f, ms, 'avbuf', 'ringbuf.js+notify'), null, 'floats/s'),
        comparison: comparison(f, ms, 'avbuf', 'ringbuf.js+notify'),
      });
      rows.push({
        result: perSecondResult(`${name}: avbuf vs Float32Array.set`, comparison(f, ms, 'avbuf', 'Float32Array.set'), null, 'floats/s'),
        comparison: comparison(f, ms, 'avbuf', 'Float32Array.set'),
      });
    }
  } finally {
    await Promise.all(subjects.map((s) => s.port.terminate()));
  }
  console.log(
    `ring: ${options.floats} floats per run, ring of ${RING_FLOATS} floats, ringbuf.js polling every ${options.pollMs} ms; million floats/s of each round:`,
  );
  console.log(summary.join('\n'));
  const checked = subjects.map((s) => `${s.name} ${s.checkedRuns}`).join(', ');
  console.log(`checked runs (float counts and checksums equal on both sides, every chunk in order): ${checked}`);
  console.log('(in the notes below the table, an op is one float moved)');
  report('ring', rows);
}
