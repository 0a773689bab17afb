/**
 * `npm run bench -- jetstream`: avbuf's JetStream sink and source (`MediaPublisher`,
 * `MediaReader`, `avbuf/jetstream`) against the official client (`@nats-io/transport-node` +
 * `@nats-io/jetstream`) used directly on the same bytes (issue 13), through one real
 * nats-server on loopback (`startNatsServer()`: Debian's nats-server, temporary store), on 48
 * kHz stereo f32 audio in 10 ms chunks (480 frames, 3840 bytes of samples a chunk). Every
 * connection is the client's `connect({ servers })` with its defaults, given to avbuf as
 * `connection`, so both sides run on the same client set-up.
 *
 * - `throughput`: per round, a fresh file-storage stream for each side (the anchor's made
 *   with the limits `ensureMediaStream` gives avbuf's); publish `--chunks` chunks as fast as
 *   a window of 64 unacknowledged publishes allows (`publisher.trySend(record)`, else
 *   `await publisher.publish(record)`, as intoJetStream and jetStreamWritable send; maxInFlight
 *   64, for avbuf; for the anchor `js.publish(subject, bytes, { msgID
 *   })` kept in a window of 64 promises, awaited only while the window is full, as plain client
 *   code would) until all are acknowledged; then read them all back through a new durable
 *   pull consumer with explicit acks (`MediaReader`, which checks every seq, for avbuf;
 *   `consumers.add` with `AckPolicy.Explicit` (max_ack_pending 1024, as MediaReader's) +
 *   `consume({ max_messages: 256 })` + `msg.ack()` for the anchor). chunks/s for publish, for
 *   consume and for the two as one figure (publish all, then read all); this process's CPU per
 *   chunk beside them, and the nats-server's. Rounds interleaved, the order swapped every
 *   round; medians; target avbuf ≥ 0.8× the anchor for each. One untimed warm-up round of
 *   each first.
 * - `latency`: one chunk every 10 ms on a drift-free schedule (due times from
 *   `performance.now()` at the start) for `--latency-s` seconds while a reader on its own
 *   connection reads; latency = when the reader yields the record − when `publish` was
 *   called (a table by seq; one process, so one clock). The first second is a warm-up and not
 *   counted. p50, p99 and max; target p99 ≤ 20 ms. The official client (window publish,
 *   `consume` + ack) the same way, as the anchor.
 * - `streams64`: `--streams` (64) media streams, one JetStream stream each (avbuf's layout:
 *   one JetStream stream per media stream, the track `audio` on `avbuf.<stream>.audio`),
 *   max_bytes 64 MiB each, their publishers sharing one connection and their readers another,
 *   each publisher on its own drift-free 10 ms schedule (phases spread over the 10 ms) for
 *   `--streams-s` seconds. Every seq 0..N-1 must come out of every reader exactly once (`lost`
 *   counts the records missing or repeated; readers get 10 s after the last publish). CPU:
 *   `process.cpuUsage()` of this process and utime + stime of the nats-server (from
 *   /proc/<pid>/stat) over the run, per stream per second of audio; the event loop's
 *   utilisation while publishing; how often the server dropped a connection (e.g. as a slow
 *   consumer). The official client the same way after it, as the anchor.
 *
 * Nothing is asserted about timing: the table and the JSON line report (a failed check of
 * the data itself, e.g. a record out of order in the throughput rounds, fails the run).
 *
 * Options: --rounds=N (throughput rounds, default 5, at least 3), --chunks=N (chunks per
 * throughput round, default 20000), --latency-s=N (default 10), --streams=N (default 64),
 * --streams-s=N (default 10), --only=throughput,latency,streams64.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import {
  AckPolicy,
  DiscardPolicy,
  RetentionPolicy,
  StorageType,
  jetstream,
  jetstreamManager,
  type JetStreamClient,
  type JetStreamManager,
} from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import type { AudioChunk } from '../src/core/chunk.js';
import { MediaPublisher, MediaReader, audioRecord } from '../src/jetstream/index.js';
import { startNatsServer, type NatsServer } from '../src/testing/nats/index.js';
import { consume, makeResult, median, note, perSecondResult, report, type Comparison, type ReportRow } from './harness.js';

const SAMPLE_RATE = 48_000;
const CHANNELS = 2;
const CHUNK_MS = 10;
const CHUNK_FRAMES = (SAMPLE_RATE * CHUNK_MS) / 1000;
const CHUNK_BYTES = CHUNK_FRAMES * CHANNELS * 4;
/** Unacknowledged publishes at once: MediaPublisher's default maxInFlight, and the anchor's window. */
const WINDOW = 64;
/** Messages per pull: MediaReader's default batch, and the anchor's max_messages. */
const BATCH = 256;
/** MediaReader's default max_ack_pending, given to the anchor's consumer too. */
const MAX_ACK_PENDING = 1024;
const THROUGHPUT_TARGET = 0.8;
const LATENCY_TARGET_MS = 20;
/** Records of the latency run's first second are not counted (JIT, the first pulls). */
const WARMUP_MS = 1000;
/** How long after the last publish the readers may take before what is missing counts as lost. */
const DRAIN_LIMIT_MS = 10_000;
const NS_PER_MS = 1_000_000;
/** avbuf's default stream size limit (1 GiB), given to the anchor's streams too. */
const DEFAULT_MAX_BYTES = 1024 ** 3;
/**
 * The size limit of each of the many streams: JetStream reserves a stream's max_bytes from its
 * store's limit (75 % of the free disk by default), which 64 × 1 GiB can exceed; 10 s of a
 * stream is ~4 MB.
 */
const MANY_MAX_BYTES = 64 * 1024 ** 2;

const GROUPS = ['throughput', 'latency', 'streams64'] as const;
type Group = (typeof GROUPS)[number];

interface Options {
  rounds: number;
  chunks: number;
  latencyS: number;
  streams: number;
  streamsS: number;
  only: Set<Group>;
}

function parseArgs(args: readonly string[]): Options {
  const options: Options = { rounds: 5, chunks: 20_000, latencyS: 10, streams: 64, streamsS: 10, only: new Set(GROUPS) };
  for (const arg of args) {
    const eq = arg.indexOf('=');
    const key = eq >= 0 ? arg.slice(0, eq) : arg;
    const value = eq >= 0 ? arg.slice(eq + 1) : '';
    const whole = (min: number): number => {
      const n = Number(value);
      if (!Number.isInteger(n) || n < min) throw new Error(`${key} needs a whole number >= ${min}, got "${value}"`);
      return n;
    };
    if (key === '--rounds') options.rounds = whole(3);
    else if (key === '--chunks') options.chunks = whole(100);
    else if (key === '--latency-s') options.latencyS = whole(2);
    else if (key === '--streams') options.streams = whole(1);
    else if (key === '--streams-s') options.streamsS = whole(1);
    else if (key === '--only') {
      const names = value.split(',');
      const bad = names.filter((n) => !(GROUPS as readonly string[]).includes(n));
      if (bad.length > 0 || value === '') throw new Error(`--only takes ${GROUPS.join(', ')} (comma-separated), got "${value}"`);
      options.only = new Set(names as Group[]);
    } else throw new Error(`unknown option ${arg} (known: --rounds=N, --chunks=N, --latency-s=N, --streams=N, --streams-s=N, --only=NAME[,NAME])`);
  }
  return options;
}

// ---------------------------------------------------------------------------------------------
// Shared pieces

/** A 10 ms stereo f32 chunk (a 440 Hz tone); its `position` is set per record. */
function makeChunk(): AudioChunk {
  const data = new Float32Array(CHUNK_FRAMES * CHANNELS);
  for (let i = 0; i < CHUNK_FRAMES; i++) {
    const v = 0.5 * Math.sin((2 * Math.PI * 440 * i) / SAMPLE_RATE);
    data[2 * i] = v;
    data[2 * i + 1] = -v;
  }
  return { data, frames: CHUNK_FRAMES, channels: CHANNELS, sampleRate: SAMPLE_RATE, position: 0 };
}

/** The chunk's samples as bytes: what the anchor publishes. */
function payloadOf(chunk: AudioChunk): Uint8Array {
  return new Uint8Array(chunk.data.buffer, chunk.data.byteOffset, chunk.data.byteLength);
}

function open(server: NatsServer, name: string): Promise<NatsConnection> {
  return connect({ servers: server.url, name });
}

/**
 * The anchor's stream: the configuration `ensureMediaStream` gives avbuf's (file storage,
 * limits retention, an hour and 1 GiB, discard old, 120 s duplicate window, one replica).
 */
async function addAnchorStream(jsm: JetStreamManager, stream: string, subject: string, maxBytes = DEFAULT_MAX_BYTES): Promise<void> {
  await jsm.streams.add({
    name: stream,
    subjects: [`${subject}.>`],
    num_replicas: 1,
    storage: StorageType.File,
    retention: RetentionPolicy.Limits,
    max_age: 3_600_000 * NS_PER_MS,
    max_bytes: maxBytes,
    duplicate_window: 120_000 * NS_PER_MS,
    discard: DiscardPolicy.Old,
  });
}

/** The anchor's durable pull consumer, as the issue names it (max_ack_pending as MediaReader's). */
async function addAnchorConsumer(jsm: JetStreamManager, stream: string, name: string): Promise<void> {
  await jsm.consumers.add(stream, { durable_name: name, ack_policy: AckPolicy.Explicit, max_ack_pending: MAX_ACK_PENDING });
}

/**
 * `js.publish` with at most `size` awaiting their acknowledgement: the anchor's window, used
 * as plain client code would: `if (window.full) await window.room(); window.send(…)`, so a
 * publish made while there is room is not awaited (the client then sends the publishes made
 * in one go in one write).
 */
class PublishWindow {
  #inFlight = 0;
  #wake: (() => void) | undefined;
  #failure: unknown;
  acked = 0;
  duplicates = 0;

  constructor(
    private readonly js: JetStreamClient,
    private readonly size: number,
  ) {}

  /** Whether `size` publishes await their acknowledgement. */
  get full(): boolean {
    return this.#inFlight >= this.size;
  }

  /** Resolves once fewer than `size` are in flight. */
  async room(): Promise<void> {
    while (this.#inFlight >= this.size) await this.#wait();
    this.#check();
  }

  /** Sends one (call when not {@link full}). */
  send(subject: string, payload: Uint8Array, msgID: string): void {
    this.#check();
    this.#inFlight++;
    void this.js.publish(subject, payload, { msgID }).then(
      (ack) => {
        this.acked++;
        if (ack.duplicate) this.duplicates++;
        this.#done();
      },
      (error: unknown) => {
        this.#failure ??= error;
        this.#done();
      },
    );
  }

  /** Sends one once there is room. */
  async publish(subject: string, payload: Uint8Array, msgID: string): Promise<void> {
    if (this.full) await this.room();
    this.send(subject, payload, msgID);
  }

  /** Waits until every publish is acknowledged. */
  async flush(): Promise<void> {
    while (this.#inFlight > 0) await this.#wait();
    this.#check();
  }

  #wait(): Promise<void> {
    return new Promise((resolve) => (this.#wake = resolve));
  }

  #done(): void {
    this.#inFlight--;
    const wake = this.#wake;
    this.#wake = undefined;
    wake?.();
  }

  #check(): void {
    if (this.#failure !== undefined) throw new Error(`anchor publish failed: ${this.#failure instanceof Error ? this.#failure.message : JSON.stringify(this.#failure)}`, { cause: this.#failure });
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Sleeps until `performance.now()` reaches `due` (at once when it has). */
async function until(due: number): Promise<void> {
  const wait = due - performance.now();
  if (wait > 0) await sleep(wait);
}

/** CPU ms of this process since `start` (user + system, all threads). */
function cpuMsSince(start: NodeJS.CpuUsage): number {
  const d = process.cpuUsage(start);
  return (d.user + d.system) / 1000;
}

/** write system calls this process has made (socket writes among them), from /proc/self/io. */
function writeCalls(): number {
  const match = /^syscw:\s*(\d+)/m.exec(readFileSync('/proc/self/io', 'utf8'));
  return match?.[1] === undefined ? NaN : Number(match[1]);
}

let clockTicks: number | undefined;
/** The server's CPU time so far, ms (utime + stime from /proc/<pid>/stat). */
function serverCpuMs(server: NatsServer): number {
  if (server.pid === undefined) throw new Error('the nats-server is not running');
  clockTicks ??= Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout.trim()) || 100;
  const stat = readFileSync(`/proc/${server.pid}/stat`, 'utf8');
  // Fields after the command name (which may hold spaces), from field 3 (state): utime is 14, stime 15.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / clockTicks;
}

/** The nearest-rank percentile `p` (0..1) of sorted values. */
function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))]!;
}

interface LatencyStats {
  n: number;
  p50: number;
  p99: number;
  max: number;
}

function latencyStats(values: readonly number[]): LatencyStats {
  const sorted = [...values].sort((a, b) => a - b);
  return { n: sorted.length, p50: percentile(sorted, 0.5), p99: percentile(sorted, 0.99), max: sorted[sorted.length - 1] ?? NaN };
}

const fmtStats = (s: LatencyStats): string => `p50 ${s.p50.toFixed(2)} ms, p99 ${s.p99.toFixed(2)} ms, max ${s.max.toFixed(2)} ms (n=${s.n})`;
const int = (n: number): string => Math.round(n).toLocaleString('en-US');

function spreadNote(values: readonly number[], unit: string, digits: number): string {
  const sorted = [...values].sort((a, b) => a - b);
  return `median ${median(values).toFixed(digits)} ${unit} (${sorted[0]!.toFixed(digits)}–${sorted[sorted.length - 1]!.toFixed(digits)}, n=${values.length})`;
}

/** `nats-server --version` of the program startNatsServer runs (the PATH's, else Debian's). */
function serverVersion(): string {
  for (const binary of ['nats-server', '/usr/sbin/nats-server']) {
    const r = spawnSync(binary, ['--version'], { encoding: 'utf8' });
    if (r.status === 0) return r.stdout.trim();
  }
  return 'nats-server';
}

/** Deletes the streams a run made (one a set-up failure left unmade is passed over). */
async function deleteStreams(jsm: JetStreamManager, names: readonly string[]): Promise<void> {
  for (const name of names) await jsm.streams.delete(name).catch(() => false);
}

let streamCounter = 0;
/** A stream name never used before in this run. */
function freshName(kind: string): string {
  return `bench_${kind}_${process.pid}_${++streamCounter}`;
}

// ---------------------------------------------------------------------------------------------
// Throughput

interface ThroughputRun {
  publishMs: number;
  consumeMs: number;
  publishCpuMs: number;
  consumeCpuMs: number;
  serverCpuMs: number;
  /** write system calls of this process (/proc/self/io syscw) while publishing and while consuming. */
  publishWrites: number;
  consumeWrites: number;
}

type ThroughputSubject = (server: NatsServer, chunks: number) => Promise<ThroughputRun>;

const avbufThroughput: ThroughputSubject = async (server, chunks) => {
  const nc = await open(server, 'bench avbuf throughput');
  const stream = freshName('avbuf');
  const chunk = makeChunk();
  try {
    const server0 = serverCpuMs(server);
    let cpu = process.cpuUsage();
    let writes = writeCalls();
    const t0 = performance.now();
    const publisher = await MediaPublisher.open({ connection: nc, stream, storage: 'file', maxInFlight: WINDOW });
    for (let seq = 0; seq < chunks; seq++) {
      chunk.position = seq * CHUNK_FRAMES;
      const record = audioRecord(chunk, { seq });
      // As the sinks send: at once while the window has room (one socket write for a run of records).
      if (!publisher.trySend(record)) await publisher.publish(record);
    }
    await publisher.flush();
    const t1 = performance.now();
    const publishCpuMs = cpuMsSince(cpu);
    const publishWrites = writeCalls() - writes;
    const pm = publisher.getMetrics();
    await publisher.close();
    if (pm.acked !== chunks || pm.duplicates !== 0 || pm.retries !== 0) throw new Error(`avbuf publisher: ${JSON.stringify(pm)}`);

    cpu = process.cpuUsage();
    writes = writeCalls();
    const t2 = performance.now();
    const reader = await MediaReader.open({ connection: nc, stream, durable: 'bench', start: 'first' });
    let next = 0;
    let sum = 0;
    for await (const record of reader) {
      if (record.seq !== next || record.data.byteLength !== CHUNK_BYTES) throw new Error(`avbuf reader: record ${record.seq} (${record.data.byteLength} bytes), expected ${next}`);
      sum += record.data[record.data.byteLength - 1]!;
      if (++next === chunks) break;
    }
    const t3 = performance.now();
    const consumeCpuMs = cpuMsSince(cpu);
    const consumeWrites = writeCalls() - writes;
    consume(sum);
    const rm = reader.getMetrics();
    if (rm.delivered !== chunks || rm.lost !== 0 || rm.duplicates !== 0) throw new Error(`avbuf reader: ${JSON.stringify(rm)}`);
    const serverMs = serverCpuMs(server) - server0;
    await (await jetstreamManager(nc)).streams.delete(stream);
    return { publishMs: t1 - t0, consumeMs: t3 - t2, publishCpuMs, consumeCpuMs, serverCpuMs: serverMs, publishWrites, consumeWrites };
  } finally {
    await nc.close();
  }
};

const anchorThroughput: ThroughputSubject = async (server, chunks) => {
  const nc = await open(server, 'bench anchor throughput');
  const stream = freshName('anchor');
  const subject = `anchor.${stream}`;
  const payload = payloadOf(makeChunk());
  try {
    const jsm = await jetstreamManager(nc);
    const js = jetstream(nc);
    const server0 = serverCpuMs(server);
    let cpu = process.cpuUsage();
    let writes = writeCalls();
    const t0 = performance.now();
    await addAnchorStream(jsm, stream, subject);
    const window = new PublishWindow(js, WINDOW);
    const track = `${subject}.audio`;
    for (let seq = 0; seq < chunks; seq++) {
      if (window.full) await window.room();
      window.send(track, payload, `${stream}/audio/${seq}`);
    }
    await window.flush();
    const t1 = performance.now();
    const publishCpuMs = cpuMsSince(cpu);
    const publishWrites = writeCalls() - writes;
    if (window.acked !== chunks || window.duplicates !== 0) throw new Error(`anchor publish: ${window.acked} acknowledged (${window.duplicates} duplicates) of ${chunks}`);

    cpu = process.cpuUsage();
    writes = writeCalls();
    const t2 = performance.now();
    await addAnchorConsumer(jsm, stream, 'bench');
    const consumer = await js.consumers.get(stream, 'bench');
    const messages = await consumer.consume({ max_messages: BATCH });
    let count = 0;
    let sum = 0;
    for await (const msg of messages) {
      if (msg.data.byteLength !== CHUNK_BYTES) throw new Error(`anchor consume: a message of ${msg.data.byteLength} bytes`);
      sum += msg.data[CHUNK_BYTES - 1]!;
      msg.ack();
      if (++count === chunks) break;
    }
    await messages.close();
    await nc.flush();
    const t3 = performance.now();
    const consumeCpuMs = cpuMsSince(cpu);
    const consumeWrites = writeCalls() - writes;
    consume(sum);
    const serverMs = serverCpuMs(server) - server0;
    await jsm.streams.delete(stream);
    return { publishMs: t1 - t0, consumeMs: t3 - t2, publishCpuMs, consumeCpuMs, serverCpuMs: serverMs, publishWrites, consumeWrites };
  } finally {
    await nc.close();
  }
};

/** A harness Comparison of per-chunk times (ns) of the rounds, a round being one sample of `chunks` operations. */
function roundsComparison(chunks: number, oursName: string, ours: readonly number[], anchorName: string, anchor: readonly number[]): Comparison {
  return {
    ours: { name: oursName, iterations: chunks, nsPerOp: [...ours], medianNsPerOp: median(ours) },
    anchor: { name: anchorName, iterations: chunks, nsPerOp: [...anchor], medianNsPerOp: median(anchor) },
    rounds: ours.length,
    pairRatios: ours.map((x, i) => x / anchor[i]!),
  };
}

async function throughput(server: NatsServer, options: Options, rows: ReportRow[], lines: string[]): Promise<void> {
  const { chunks, rounds } = options;
  const subjects: [string, ThroughputSubject][] = [
    ['avbuf', avbufThroughput],
    ['anchor', anchorThroughput],
  ];
  const warmChunks = Math.min(chunks, 2000);
  for (const [name, run] of subjects) {
    const r = await run(server, warmChunks);
    note(`throughput: warm-up ${name}: ${warmChunks} chunks, publish ${r.publishMs.toFixed(0)} ms, consume ${r.consumeMs.toFixed(0)} ms`);
  }
  const runs: Record<string, ThroughputRun[]> = { avbuf: [], anchor: [] };
  for (let round = 0; round < rounds; round++) {
    const order = round % 2 === 0 ? subjects : [...subjects].reverse();
    const parts: string[] = [];
    for (const [name, run] of order) {
      const r = await run(server, chunks);
      runs[name]!.push(r);
      parts.push(
        `${name} publish ${int((chunks * 1000) / r.publishMs)}/s, consume ${int((chunks * 1000) / r.consumeMs)}/s ` +
          `(CPU ${((r.publishCpuMs * 1000) / chunks).toFixed(1)} + ${((r.consumeCpuMs * 1000) / chunks).toFixed(1)} µs/chunk, server ${((r.serverCpuMs * 1000) / chunks).toFixed(1)} µs/chunk)`,
      );
    }
    note(`throughput: round ${round + 1}/${rounds}: ${parts.join('; ')}`);
  }
  const ours = runs['avbuf']!;
  const anchor = runs['anchor']!;
  const perChunk = (rs: ThroughputRun[], pick: (r: ThroughputRun) => number): number[] => rs.map((r) => (pick(r) * NS_PER_MS) / chunks);
  const c = `throughput ${int(chunks)} × 10 ms stereo f32 (${CHUNK_BYTES} B), file storage`;
  const cases: [string, string, string, (r: ThroughputRun) => number][] = [
    ['publish', 'MediaPublisher.publish (maxInFlight 64)', 'js.publish, window of 64', (r) => r.publishMs],
    ['consume', 'MediaReader (durable, explicit ack)', 'consumer.consume + ack', (r) => r.consumeMs],
    ['publish all, then read all', 'MediaPublisher + MediaReader', 'js.publish + consume', (r) => r.publishMs + r.consumeMs],
  ];
  lines.push(`throughput: ${rounds} interleaved rounds (order swapped each round) of ${int(chunks)} chunks; a fresh stream per round and side; one warm-up round of ${warmChunks} each first`);
  for (const [what, oursName, anchorName, pick] of cases) {
    const comparison = roundsComparison(chunks, oursName, perChunk(ours, pick), anchorName, perChunk(anchor, pick));
    rows.push({ result: perSecondResult(`${c}: ${what}, avbuf vs official client`, comparison, THROUGHPUT_TARGET, 'chunks/s'), comparison });
    const rate = (rs: ThroughputRun[]): number[] => rs.map((r) => (chunks * 1000) / pick(r));
    lines.push(`  ${what}: avbuf ${spreadNote(rate(ours), 'chunks/s', 0)}; official client ${spreadNote(rate(anchor), 'chunks/s', 0)}`);
  }
  const cpuPer = (rs: ThroughputRun[], pick: (r: ThroughputRun) => number): number => median(rs.map((r) => (pick(r) * 1000) / chunks));
  for (const [what, pick] of [
    ['publish', (r: ThroughputRun) => r.publishCpuMs],
    ['consume', (r: ThroughputRun) => r.consumeCpuMs],
  ] as const) {
    rows.push({
      result: makeResult({ case: `${c}: ${what}, CPU of this process per chunk (info)`, metric: 'µs CPU/chunk', better: 'lower', ours: cpuPer(ours, pick), anchor: cpuPer(anchor, pick), anchorName: 'official client', target: null }),
    });
  }
  const per = (rs: ThroughputRun[], pick: (r: ThroughputRun) => number): string => median(rs.map((r) => pick(r) / chunks)).toFixed(3);
  lines.push(
    `  nats-server CPU per chunk (publish + consume): avbuf ${cpuPer(ours, (r) => r.serverCpuMs).toFixed(1)} µs, official client ${cpuPer(anchor, (r) => r.serverCpuMs).toFixed(1)} µs (medians)`,
    `  write system calls of this process per chunk (/proc/self/io syscw; socket writes): publish avbuf ${per(ours, (r) => r.publishWrites)}, official client ${per(anchor, (r) => r.publishWrites)}; ` +
      `consume (the acks) avbuf ${per(ours, (r) => r.consumeWrites)}, official client ${per(anchor, (r) => r.consumeWrites)} (medians)`,
  );
}

// ---------------------------------------------------------------------------------------------
// Latency at real-time rate

interface LatencyRun {
  stats: LatencyStats;
  /** Records that never came out (or came out twice). */
  lost: number;
  /** How late the schedule's publishes were, ms (p99 and max). */
  lateP99: number;
  lateMax: number;
}

/** Publishes `total` chunks on a drift-free 10 ms schedule, calling `send(seq)` at each due time. */
async function realTime(total: number, phaseMs: number, send: (seq: number, late: number) => Promise<void>): Promise<void> {
  const start = performance.now() + 20 + phaseMs;
  for (let seq = 0; seq < total; seq++) {
    const due = start + seq * CHUNK_MS;
    await until(due);
    await send(seq, performance.now() - due);
  }
}

/** Waits for `done` or until `limitMs` has passed; returns whether it finished. */
async function within(done: Promise<void>, limitMs: number): Promise<boolean> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), limitMs)));
  try {
    return await Promise.race([done.then(() => true as const), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

type LatencySubject = (server: NatsServer, total: number, warm: number) => Promise<LatencyRun>;

function latencyRun(sent: Float64Array, got: Float64Array, counts: Uint8Array, late: number[], warm: number): LatencyRun {
  const values: number[] = [];
  let lost = 0;
  for (let seq = 0; seq < counts.length; seq++) {
    if (counts[seq] !== 1) lost += counts[seq] === 0 ? 1 : counts[seq]! - 1;
    else if (seq >= warm) values.push(got[seq]! - sent[seq]!);
  }
  const lateSorted = late.slice(warm).sort((a, b) => a - b);
  return { stats: latencyStats(values), lost, lateP99: percentile(lateSorted, 0.99), lateMax: lateSorted[lateSorted.length - 1] ?? NaN };
}

const avbufLatency: LatencySubject = async (server, total, warm) => {
  const pubNc = await open(server, 'bench avbuf latency publisher');
  const subNc = await open(server, 'bench avbuf latency reader');
  const stream = freshName('avbuf_lat');
  const chunk = makeChunk();
  const sent = new Float64Array(total);
  const got = new Float64Array(total);
  const counts = new Uint8Array(total);
  const late: number[] = [];
  try {
    const publisher = await MediaPublisher.open({ connection: pubNc, stream, storage: 'file', maxInFlight: WINDOW });
    const reader = await MediaReader.open({ connection: subNc, stream, durable: 'bench', start: 'first' });
    let received = 0;
    const reading = (async () => {
      for await (const record of reader) {
        got[record.seq] = performance.now();
        counts[record.seq]!++;
        if (++received === total) break;
      }
    })();
    await realTime(total, 0, async (seq, lateMs) => {
      late.push(lateMs);
      chunk.position = seq * CHUNK_FRAMES;
      sent[seq] = performance.now();
      await publisher.publish(audioRecord(chunk, { seq }));
    });
    await publisher.flush();
    await publisher.close();
    if (!(await within(reading, DRAIN_LIMIT_MS))) await reader.close();
    await reading;
    await (await jetstreamManager(pubNc)).streams.delete(stream);
    return latencyRun(sent, got, counts, late, warm);
  } finally {
    await pubNc.close();
    await subNc.close();
  }
};

const anchorLatency: LatencySubject = async (server, total, warm) => {
  const pubNc = await open(server, 'bench anchor latency publisher');
  const subNc = await open(server, 'bench anchor latency consumer');
  const stream = freshName('anchor_lat');
  const subject = `anchor.${stream}`;
  const payload = payloadOf(makeChunk());
  const sent = new Float64Array(total);
  const got = new Float64Array(total);
  const counts = new Uint8Array(total);
  const late: number[] = [];
  try {
    const jsm = await jetstreamManager(pubNc);
    await addAnchorStream(jsm, stream, subject);
    await addAnchorConsumer(jsm, stream, 'bench');
    const window = new PublishWindow(jetstream(pubNc), WINDOW);
    const messages = await jetstream(subNc).consumers.get(stream, 'bench').then((c) => c.consume({ max_messages: BATCH }));
    let received = 0;
    const reading = (async () => {
      for await (const msg of messages) {
        const seq = msg.info.streamSequence - 1; // a fresh stream: stream sequence 1 is seq 0
        got[seq] = performance.now();
        counts[seq]!++;
        msg.ack();
        if (++received === total) break;
      }
    })();
    const track = `${subject}.audio`;
    await realTime(total, 0, async (seq, lateMs) => {
      late.push(lateMs);
      sent[seq] = performance.now();
      await window.publish(track, payload, `${stream}/audio/${seq}`);
    });
    await window.flush();
    if (!(await within(reading, DRAIN_LIMIT_MS))) await messages.close();
    await reading;
    await messages.close();
    await subNc.flush();
    await jsm.streams.delete(stream);
    return latencyRun(sent, got, counts, late, warm);
  } finally {
    await pubNc.close();
    await subNc.close();
  }
};

async function latency(server: NatsServer, options: Options, rows: ReportRow[], lines: string[]): Promise<void> {
  const total = (options.latencyS * 1000) / CHUNK_MS;
  const warm = WARMUP_MS / CHUNK_MS;
  const runs: Record<string, LatencyRun> = {};
  for (const [name, run] of [
    ['avbuf', avbufLatency],
    ['anchor', anchorLatency],
  ] as const) {
    const r = await run(server, total, warm);
    runs[name] = r;
    note(`latency: ${name}: ${fmtStats(r.stats)}; ${r.lost} lost or repeated; publishes late by p99 ${r.lateP99.toFixed(2)} ms, max ${r.lateMax.toFixed(2)} ms`);
  }
  const ours = runs['avbuf']!;
  const anchor = runs['anchor']!;
  lines.push(
    `latency: one 10 ms chunk every 10 ms for ${options.latencyS} s (drift-free schedule), reader on its own connection; publish() call → record out of the reader; the first ${WARMUP_MS / 1000} s not counted`,
    `  avbuf MediaPublisher → MediaReader: ${fmtStats(ours.stats)}; ${ours.lost} of ${total} lost or repeated; the schedule's publishes late by p99 ${ours.lateP99.toFixed(2)} ms, max ${ours.lateMax.toFixed(2)} ms`,
    `  official client js.publish → consume: ${fmtStats(anchor.stats)}; ${anchor.lost} of ${total} lost or repeated; late by p99 ${anchor.lateP99.toFixed(2)} ms, max ${anchor.lateMax.toFixed(2)} ms`,
  );
  const c = `latency at real time (10 ms chunks, ${options.latencyS} s)`;
  rows.push(
    {
      result: makeResult({ case: `${c}: p99 avbuf vs the 20 ms target`, metric: 'ms', better: 'lower', ours: ours.stats.p99, anchor: LATENCY_TARGET_MS, anchorName: `target ${LATENCY_TARGET_MS} ms`, target: 1 }),
    },
    ...(['p50', 'p99', 'max'] as const).map((k) => ({
      result: makeResult({ case: `${c}: ${k} avbuf vs official client (info)`, metric: 'ms', better: 'lower', ours: ours.stats[k], anchor: anchor.stats[k], anchorName: 'official client', target: null }),
    })),
  );
}

// ---------------------------------------------------------------------------------------------
// Many real-time streams at once

interface ManyRun {
  /** Records missing or repeated, over all streams. */
  lost: number;
  published: number;
  seconds: number;
  cpuMs: number;
  serverCpuMs: number;
  stats: LatencyStats;
  lateP99: number;
  lateMax: number;
  /** The subject's own counters, summed over the streams (retries, acknowledgement times …). */
  counters: string;
  /** Event-loop utilisation of this process while publishing (0..1). */
  elu: number;
  /** Times the server dropped the publishers' and the readers' connection (each reconnected by itself). */
  disconnects: { publishers: number; readers: number };
}

/** Counts a connection's disconnects (the server closing it, e.g. as a slow consumer) until it closes. */
function countDisconnects(nc: NatsConnection): { count: number } {
  const counter = { count: 0 };
  void (async () => {
    for await (const status of nc.status()) if (status.type === 'disconnect') counter.count++;
  })();
  return counter;
}

/** One stream of a many-streams run: its publisher's and its reader's side. */
interface StreamPair {
  send(seq: number): Promise<void>;
  /** Waits for every publish to be acknowledged. */
  flush(): Promise<void>;
  /** Reads until every record came, calling `got` for each. */
  read(got: (seq: number) => void): Promise<void>;
  /** Stops reading (a read that has not ended then ends). */
  stop(): Promise<void>;
  /** Counters to sum over the streams. */
  counters(): Record<string, number>;
}

/** Sums counters over the streams; `max…` ones are maxima. */
function sumCounters(all: readonly Record<string, number>[]): string {
  const sum: Record<string, number> = {};
  for (const c of all) for (const [k, v] of Object.entries(c)) sum[k] = k.startsWith('max') ? Math.max(sum[k] ?? 0, v) : (sum[k] ?? 0) + v;
  return Object.entries(sum)
    .map(([k, v]) => `${k} ${Number.isInteger(v) ? v : v.toFixed(1)}`)
    .join(', ');
}

type ManySubject = (server: NatsServer, streams: number, total: number) => Promise<ManyRun>;

/** Opens the publishers' and the readers' connections, runs `body`, adds their disconnects, closes them. */
async function withConnections(server: NatsServer, who: string, body: (pubNc: NatsConnection, subNc: NatsConnection) => Promise<ManyRun>): Promise<ManyRun> {
  const pubNc = await open(server, `bench ${who} streams publishers`);
  const subNc = await open(server, `bench ${who} streams readers`);
  const pubDrops = countDisconnects(pubNc);
  const subDrops = countDisconnects(subNc);
  try {
    const run = await body(pubNc, subNc);
    return { ...run, disconnects: { publishers: pubDrops.count, readers: subDrops.count } };
  } finally {
    await pubNc.close();
    await subNc.close();
  }
}

/** Runs `streams` real-time publishers and their readers; `setup` makes stream `i`'s pair. */
async function manyStreams(
  server: NatsServer,
  streams: number,
  total: number,
  setup: (i: number) => Promise<StreamPair>,
): Promise<ManyRun> {
  const warm = Math.min(WARMUP_MS / CHUNK_MS, total - 1);
  const pairs: StreamPair[] = [];
  for (let i = 0; i < streams; i++) pairs.push(await setup(i));
  const counts = pairs.map(() => new Uint8Array(total));
  const sent = pairs.map(() => new Float64Array(total));
  const latencies: number[] = [];
  const late: number[] = [];
  const cpu = process.cpuUsage();
  const server0 = serverCpuMs(server);
  const elu0 = performance.eventLoopUtilization();
  const t0 = performance.now();
  const reading = pairs.map((p, i) =>
    p.read((seq) => {
      if (counts[i]![seq]!++ === 0 && seq >= warm) latencies.push(performance.now() - sent[i]![seq]!);
    }),
  );
  await Promise.all(
    pairs.map((p, i) =>
      realTime(total, (i * CHUNK_MS) / streams, async (seq, lateMs) => {
        late.push(lateMs);
        sent[i]![seq] = performance.now();
        await p.send(seq);
      }),
    ),
  );
  await Promise.all(pairs.map((p) => p.flush()));
  const elu = performance.eventLoopUtilization(elu0).utilization;
  const all = Promise.all(reading).then(() => undefined);
  if (!(await within(all, DRAIN_LIMIT_MS))) await Promise.all(pairs.map((p) => p.stop()));
  await all;
  const seconds = (performance.now() - t0) / 1000;
  const cpuMs = cpuMsSince(cpu);
  const serverMs = serverCpuMs(server) - server0;
  const counters = sumCounters(pairs.map((p) => p.counters()));
  await Promise.all(pairs.map((p) => p.stop()));
  let lost = 0;
  for (const c of counts) for (const n of c) if (n !== 1) lost += n === 0 ? 1 : n - 1;
  const lateSorted = late.sort((a, b) => a - b);
  return {
    lost,
    published: streams * total,
    seconds,
    cpuMs,
    serverCpuMs: serverMs,
    stats: latencyStats(latencies),
    lateP99: percentile(lateSorted, 0.99),
    lateMax: lateSorted[lateSorted.length - 1] ?? NaN,
    counters,
    elu,
    disconnects: { publishers: 0, readers: 0 },
  };
}

const avbufMany: ManySubject = (server, streams, total) =>
  withConnections(server, 'avbuf', async (pubNc, subNc) => {
    const names: string[] = [];
    try {
      return await manyStreams(server, streams, total, async (i) => {
        const stream = freshName(`avbuf_s${i}`);
        names.push(stream);
        const chunk = makeChunk();
        const publisher = await MediaPublisher.open({ connection: pubNc, stream, storage: 'file', maxBytes: MANY_MAX_BYTES, maxInFlight: WINDOW });
        const reader = await MediaReader.open({ connection: subNc, stream, durable: 'bench', start: 'first' });
        return {
          send: (seq) => {
            chunk.position = seq * CHUNK_FRAMES;
            return publisher.publish(audioRecord(chunk, { seq }));
          },
          flush: () => publisher.close(),
          read: async (got) => {
            let n = 0;
            for await (const record of reader) {
              got(record.seq);
              if (++n === total) break;
            }
          },
          stop: () => reader.close(),
          counters: () => {
            const p = publisher.getMetrics();
            const r = reader.getMetrics();
            return {
              'publish retries': p.retries,
              'duplicate acks': p.duplicates,
              'max ack ms': p.maxAckMs,
              'max in flight': p.peakInFlight,
              redelivered: r.redelivered,
              'reader duplicates': r.duplicates,
              'reader gaps': r.gaps,
            'reader skipped as lost': r.lost,
            };
          },
        };
      });
    } finally {
      await deleteStreams(await jetstreamManager(pubNc), names);
    }
  });

const anchorMany: ManySubject = (server, streams, total) =>
  withConnections(server, 'anchor', async (pubNc, subNc) => {
    const names: string[] = [];
    const jsm = await jetstreamManager(pubNc);
    const js = jetstream(pubNc);
    const jsSub = jetstream(subNc);
    const payload = payloadOf(makeChunk());
    try {
      return await manyStreams(server, streams, total, async (i) => {
        const stream = freshName(`anchor_s${i}`);
        names.push(stream);
        const track = `anchor.${stream}.audio`;
        await addAnchorStream(jsm, stream, `anchor.${stream}`, MANY_MAX_BYTES);
        await addAnchorConsumer(jsm, stream, 'bench');
        const window = new PublishWindow(js, WINDOW);
        const messages = await (await jsSub.consumers.get(stream, 'bench')).consume({ max_messages: BATCH });
        return {
          send: (seq) => window.publish(track, payload, `${stream}/audio/${seq}`),
          flush: () => window.flush(),
          read: async (got) => {
            let n = 0;
            for await (const msg of messages) {
              got(msg.info.streamSequence - 1);
              msg.ack();
              if (++n === total) break;
            }
          },
          stop: async () => {
            await messages.close();
          },
          counters: () => ({ 'duplicate acks': window.duplicates }),
        };
      });
    } finally {
      await subNc.flush();
      await deleteStreams(jsm, names);
    }
  });

async function streams64(server: NatsServer, options: Options, rows: ReportRow[], lines: string[]): Promise<void> {
  const { streams, streamsS } = options;
  const total = (streamsS * 1000) / CHUNK_MS;
  const runs: Record<string, ManyRun> = {};
  for (const [name, run] of [
    ['avbuf', avbufMany],
    ['anchor', anchorMany],
  ] as const) {
    const r = await run(server, streams, total);
    runs[name] = r;
    note(
      `streams${streams}: ${name}: ${r.lost} of ${int(r.published)} lost or repeated; ${r.seconds.toFixed(1)} s; CPU ${r.cpuMs.toFixed(0)} ms (this process), ` +
        `${r.serverCpuMs.toFixed(0)} ms (nats-server); event loop ${(r.elu * 100).toFixed(0)} % busy; connection drops: readers ${r.disconnects.readers}, publishers ${r.disconnects.publishers}; ` +
        `latency ${fmtStats(r.stats)}; publishes late by p99 ${r.lateP99.toFixed(2)} ms, max ${r.lateMax.toFixed(2)} ms; ${r.counters}`,
    );
  }
  const ours = runs['avbuf']!;
  const anchor = runs['anchor']!;
  /** ms of CPU per stream per second of audio (= ‰ of one core per stream). */
  const perStream = (cpuMs: number): number => cpuMs / streams / streamsS;
  const describe = (r: ManyRun): string =>
    `${r.lost} of ${int(r.published)} records lost or repeated; CPU per stream per second of audio: this process ${perStream(r.cpuMs).toFixed(2)} ms, ` +
    `nats-server ${perStream(r.serverCpuMs).toFixed(2)} ms (all ${streams}: ${((r.cpuMs / (r.seconds * 1000)) * 100).toFixed(0)} % and ${((r.serverCpuMs / (r.seconds * 1000)) * 100).toFixed(0)} % of a core over ${r.seconds.toFixed(1)} s); ` +
    `event loop ${(r.elu * 100).toFixed(0)} % busy while publishing; the server dropped the readers' connection ${r.disconnects.readers} times, the publishers' ${r.disconnects.publishers} times; ` +
    `latency ${fmtStats(r.stats)}; publishes late by p99 ${r.lateP99.toFixed(2)} ms, max ${r.lateMax.toFixed(2)} ms; ${r.counters}`;
  lines.push(
    `streams${streams}: ${streams} streams × ${streamsS} s of 10 ms chunks in real time (phases spread over 10 ms; latency from the second second on), one JetStream stream (file, max_bytes ${MANY_MAX_BYTES / 1024 ** 2} MiB) each, publishers on one connection, readers on another`,
    `  avbuf: ${describe(ours)}`,
    `  official client: ${describe(anchor)}`,
  );
  const c = `${streams} real-time stereo streams × ${streamsS} s`;
  rows.push(
    {
      result: makeResult({ case: `${c}: avbuf records lost or repeated`, metric: 'records', better: 'lower', ours: ours.lost, anchor: ours.published, anchorName: 'records published', target: 0 }),
    },
    {
      result: makeResult({ case: `${c}: CPU of this process per stream (info)`, metric: 'ms CPU/stream/s', better: 'lower', ours: perStream(ours.cpuMs), anchor: perStream(anchor.cpuMs), anchorName: 'official client', target: null }),
    },
    {
      result: makeResult({ case: `${c}: nats-server CPU per stream (info)`, metric: 'ms CPU/stream/s', better: 'lower', ours: perStream(ours.serverCpuMs), anchor: perStream(anchor.serverCpuMs), anchorName: 'official client', target: null }),
    },
    {
      result: makeResult({ case: `${c}: latency p99 avbuf vs official client (info)`, metric: 'ms', better: 'lower', ours: ours.stats.p99, anchor: anchor.stats.p99, anchorName: 'official client', target: null }),
    },
  );
}

// ---------------------------------------------------------------------------------------------

const RUNNERS: Record<Group, (server: NatsServer, options: Options, rows: ReportRow[], lines: string[]) => Promise<void>> = {
  throughput,
  latency,
  streams64,
};

export default async function run(args: readonly string[]): Promise<void> {
  const options = parseArgs(args);
  const server = await startNatsServer();
  const version = serverVersion();
  note(`jetstream: ${version} on ${server.url} (pid ${server.pid ?? '?'}), store ${server.storeDir ?? '?'}`);
  const onSignal = (signal: NodeJS.Signals): void => {
    void server.stop().finally(() => {
      process.stderr.write(`jetstream: interrupted (${signal}); server stopped\n`);
      process.exit(130);
    });
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    const rows: ReportRow[] = [];
    const lines: string[] = [];
    for (const group of GROUPS) if (options.only.has(group)) await RUNNERS[group](server, options, rows, lines);
    console.log(`jetstream: ${version} on loopback (one server, file storage), 48 kHz stereo f32 in 10 ms chunks (${CHUNK_BYTES} bytes); the official client is @nats-io/transport-node + @nats-io/jetstream`);
    for (const line of lines) console.log(line);
    report('jetstream', rows);
  } finally {
    process.removeListener('SIGINT', onSignal);
    process.removeListener('SIGTERM', onSignal);
    await server.stop();
  }
}
