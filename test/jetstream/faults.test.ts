/**
 * Faults, caused for real: producing and consuming processes (test/jetstream/fixtures/) and
 * nats-servers are killed with SIGKILL mid-run and started again.
 *
 * - the consuming process dies twice and restarts: every record arrives once, in order;
 * - the producing process dies and restarts with the same ids: nothing is stored twice;
 * - the leader of an R3 stream dies mid-run and comes back: nothing lost or repeated downstream;
 * - a consumer 10× slower than the producer: the stream stays within its byte limit, the
 *   producer within its window, and the consumer skips what the limits removed, counting it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MediaReader } from '../../src/jetstream/reader.js';
import { sampleCounter, type SampleCounter } from '../../src/testing/index.js';
import { startNatsCluster, startNatsServer, type NatsServer } from '../../src/testing/nats/index.js';
import { _natsServerBinary } from '../../src/testing/nats/natsServer.js';
import { requireProgram } from '../helpers/program.js';

const HAS_NATS = requireProgram(_natsServerBinary(), 'nats-server');
const FIXTURES = fileURLToPath(new URL('./fixtures/', import.meta.url));

interface Child {
  readonly process: ChildProcess;
  readonly output: string[];
  readonly exited: Promise<number | null>;
}

/** Every process started, killed at the end whatever happened. */
const started: ChildProcess[] = [];

function run(fixture: string, args: (string | number)[]): Child {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(FIXTURES, fixture), ...args.map(String)], { stdio: ['ignore', 'pipe', 'pipe'] });
  started.push(child);
  const output: string[] = [];
  let errors = '';
  child.stdout.setEncoding('utf8').on('data', (text: string) => output.push(...text.trim().split('\n')));
  child.stderr.setEncoding('utf8').on('data', (text: string) => (errors += text));
  const exited = new Promise<number | null>((resolve) =>
    child.on('exit', (code) => {
      if (code !== 0 && code !== null) console.error(`${fixture} exited ${code}: ${errors}`);
      resolve(code);
    }),
  );
  return { process: child, output, exited };
}

async function until(check: () => boolean, what: string, timeoutMs = 60_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

const lines = (file: string): string[] => {
  try {
    return readFileSync(file, 'utf8').trim().split('\n').filter(Boolean);
  } catch {
    return [];
  }
};

/** The consumer's file as seqs, after checking each line's first sample is its seq. */
function seqsOf(file: string): number[] {
  return lines(file).map((line) => {
    const [seq, first] = line.split(' ').map(Number);
    expect(first).toBe(seq);
    return seq!;
  });
}

/** avbuf/testing's continuity check over what the consumer wrote: record `seq` is frames seq × 480 … +480. */
function continuity(seqs: number[]): ReturnType<SampleCounter['report']> {
  const counter = sampleCounter({ start: 0 });
  for (const seq of seqs) counter.add({ data: new Float32Array(0), frames: 480, channels: 2, sampleRate: 48_000, position: seq * 480 });
  return counter.report();
}

const range = (n: number): number[] => [...Array(n).keys()];

describe.skipIf(!HAS_NATS)('JetStream faults (kill -9 of real processes)', () => {
  let dir: string;
  let server: NatsServer;
  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'avbuf-faults-'));
    server = await startNatsServer();
  });
  afterAll(async () => {
    for (const child of started) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await server?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('the consuming process dies twice and restarts: every record arrives once, in order', async () => {
    const N = 1500;
    const producer = run('producer.ts', [server.url, 'consumerdies', 0, N, 0, 1]);
    expect(await producer.exited).toBe(0);
    const out = path.join(dir, 'consumer.txt');
    for (const killAt of [300, 900]) {
      const consumer = run('consumer.ts', [server.url, 'consumerdies', 'player', out, N - 1, 2]);
      await until(() => lines(out).length >= killAt, `${killAt} records`);
      consumer.process.kill('SIGKILL');
      await consumer.exited;
    }
    const last = run('consumer.ts', [server.url, 'consumerdies', 'player', out, N - 1, 0]);
    expect(await last.exited).toBe(0);
    expect(seqsOf(out)).toEqual(range(N));
    expect(continuity(seqsOf(out))).toMatchObject({ count: N, frames: N * 480, gaps: [], overlaps: [] });
  });

  it('the producing process dies and restarts with the same ids: nothing is stored twice', async () => {
    const N = 1000;
    const first = run('producer.ts', [server.url, 'producerdies', 0, N, 400, 1]);
    await until(() => first.output.includes('sent 500'), 'record 500');
    first.process.kill('SIGKILL');
    await first.exited;
    const again = run('producer.ts', [server.url, 'producerdies', 0, N, 0, 1]);
    expect(await again.exited).toBe(0);
    const done = JSON.parse(again.output.find((l) => l.startsWith('done '))!.slice(5)) as { acked: number; duplicates: number };
    expect(done.acked).toBe(N);
    expect(done.duplicates).toBeGreaterThanOrEqual(500);
    const nc = await connect({ servers: server.url });
    expect((await (await jetstreamManager(nc)).streams.info('producerdies')).state.messages).toBe(N);
    await nc.close();
    const reader = await MediaReader.open({ servers: server.url, stream: 'producerdies' });
    const seqs: number[] = [];
    for await (const record of reader) if (seqs.push(record.seq) === N) break;
    expect(seqs).toEqual(range(N));
    expect(reader.getMetrics().duplicates).toBe(0);
  });

  it('the leader of an R3 stream dies mid-run and comes back: nothing lost or repeated downstream', async () => {
    const cluster = await startNatsCluster({ nodes: 3 });
    try {
      const N = 1500;
      const urls = cluster.urls.join(',');
      const out = path.join(dir, 'cluster.txt');
      const producer = run('producer.ts', [urls, 'failover', 0, N, 200, 3]);
      await until(() => producer.output.includes('sent 0'), 'the first record');
      const consumer = run('consumer.ts', [urls, 'failover', 'player', out, N - 1, 0]);
      await until(() => producer.output.includes('sent 400'), 'record 400');
      const nc = await connect({ servers: [...cluster.urls] });
      const leaderName = (await (await jetstreamManager(nc)).streams.info('failover')).cluster?.leader;
      await nc.close();
      const leader = cluster.servers.find((s) => s.name === leaderName)!;
      expect(leader).toBeDefined();
      await leader.kill();
      await new Promise((resolve) => setTimeout(resolve, 2000));
      await leader.restart();
      expect(await producer.exited).toBe(0);
      expect(await consumer.exited).toBe(0);
      expect(seqsOf(out)).toEqual(range(N));
      expect(continuity(seqsOf(out))).toMatchObject({ count: N, frames: N * 480, gaps: [], overlaps: [] });
      const nc2 = await connect({ servers: [...cluster.urls] });
      expect((await (await jetstreamManager(nc2)).streams.info('failover')).state.messages).toBe(N);
      await nc2.close();
    } finally {
      await cluster.stop();
    }
  }, 120_000);

  it('a consumer 10× slower: the stream stays within its byte limit, the producer within its window, the lost records counted', async () => {
    const N = 1500;
    const limit = 256 * 1024;
    const out = path.join(dir, 'slow.txt');
    const producer = run('producer.ts', [server.url, 'slow', 0, N, 500, 1, limit]);
    await until(() => producer.output.includes('sent 0'), 'the first record');
    // At most 64 records delivered and not yet handled: the consumer cannot hoard what the limits drop.
    const consumer = run('consumer.ts', [server.url, 'slow', 'slow', out, N - 1, 20, 64]);
    const nc = await connect({ servers: server.url });
    const jsm = await jetstreamManager(nc);
    let maxBytes = 0;
    let producerDone = false;
    void producer.exited.then(() => (producerDone = true));
    while (!producerDone) {
      maxBytes = Math.max(maxBytes, (await jsm.streams.info('slow')).state.bytes);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(await producer.exited).toBe(0);
    const done = JSON.parse(producer.output.find((l) => l.startsWith('done '))!.slice(5)) as { acked: number; peakInFlight: number; maxInFlight: number };
    expect(done.acked).toBe(N);
    expect(done.peakInFlight).toBeLessThanOrEqual(done.maxInFlight);
    expect(maxBytes).toBeGreaterThan(limit / 2);
    expect(maxBytes).toBeLessThanOrEqual(limit);
    expect(await consumer.exited).toBe(0);
    await nc.close();
    const seqs = seqsOf(out);
    // In order, never repeated, ending at the last record; what the limits removed was skipped.
    expect(seqs.every((seq, i) => i === 0 || seq > seqs[i - 1]!)).toBe(true);
    expect(seqs.at(-1)).toBe(N - 1);
    expect(seqs.length).toBeLessThan(N / 2);
    const metrics = JSON.parse(consumer.output.find((l) => l.startsWith('done '))!.slice(5)) as { lost: number; delivered: number; duplicates: number; redelivered: number };
    // A record held past the consumer's ack wait (2 s; this loop takes 20 ms a record) may come
    // again: the reader drops it (above, nothing was written twice); nothing else repeats.
    expect(metrics.duplicates).toBeLessThanOrEqual(metrics.redelivered);
    // From the first it found (the oldest the stream kept when it started), every record was
    // either passed on or counted lost.
    expect(metrics.lost).toBeGreaterThan(0);
    expect(metrics.lost + seqs.length).toBe(N - seqs[0]!);
  }, 120_000);
});
