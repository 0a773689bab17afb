/**
 * avbuf/testing/nats (the NATS launcher) against the real `nats-server` (Debian package `nats-server`)
 * and the official client: a single JetStream server (de-duplication by message id, a durable
 * consumer with explicit acks), a 3-node cluster that keeps an R3 stream through a kill -9 of
 * its leader, loopback-only listeners, no process or directory left behind, and the typed
 * errors when the program is missing or the server will not start.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, readlinkSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { AckPolicy, jetstream, jetstreamManager, type JetStreamClient, type JetStreamManager } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isAvbufError } from '../../src/core/errors.js';
import { startNatsCluster, startNatsServer, type NatsCluster, type NatsServer } from '../../src/testing/nats/index.js';
import { _natsServerBinary } from '../../src/testing/nats/natsServer.js';
import { requireProgram } from '../helpers/program.js';

const HAS_NATS = requireProgram(_natsServerBinary(), 'nats-server');
const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** True while a process with this id exists. */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** The local addresses (`ip:port`) a process listens on, from /proc: its socket inodes matched against the kernel's TCP tables. */
function listeningAddresses(pid: number): string[] {
  const inodes = new Set<string>();
  for (const fd of readdirSync(`/proc/${pid}/fd`)) {
    try {
      const match = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`));
      if (match?.[1] !== undefined) inodes.add(match[1]);
    } catch {
      // The descriptor closed while we looked.
    }
  }
  const out: string[] = [];
  for (const table of ['tcp', 'tcp6']) {
    for (const line of readFileSync(`/proc/${pid}/net/${table}`, 'utf8').split('\n').slice(1)) {
      const fields = line.trim().split(/\s+/);
      const [local, state, inode] = [fields[1], fields[3], fields[9]];
      if (local === undefined || state !== '0A' || inode === undefined || !inodes.has(inode)) continue;
      const [hexIp = '', hexPort = ''] = local.split(':');
      const ip = table === 'tcp' ? hexIp.match(/../g)!.reverse().map((b) => parseInt(b, 16)).join('.') : `[${hexIp}]`;
      out.push(`${ip}:${parseInt(hexPort, 16)}`);
    }
  }
  return out.sort();
}

/** Resolves with the connection's next status event of the given type. */
async function nextStatus(nc: NatsConnection, type: string): Promise<void> {
  for await (const status of nc.status()) if (status.type === type) return;
}

/** Publishes with a message id, retrying (same id, so never stored twice) while the cluster fails over. */
async function publishRetrying(js: JetStreamClient, subject: string, data: Uint8Array, msgID: string): Promise<void> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    try {
      await js.publish(subject, data, { msgID, timeout: 2000 });
      return;
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

/**
 * Reads through the durable consumer, acking each message, until `received` (stream sequence →
 * payload) holds `total` messages. A message whose ack was lost in a failover comes again: it
 * is acked again and kept once (by its stream sequence), as JetStream's at-least-once delivery
 * asks of a consumer.
 */
async function consumeUntil(js: JetStreamClient, stream: string, durable: string, received: Map<number, string>, total: number): Promise<string[]> {
  const deadline = Date.now() + 30_000;
  while (received.size < total && Date.now() < deadline) {
    try {
      // Looked up again each round: during a failover the consumer's info request times out.
      const consumer = await js.consumers.get(stream, durable);
      const batch = await consumer.fetch({ max_messages: total - received.size, expires: 2000 });
      for await (const msg of batch) {
        if (!received.has(msg.seq)) received.set(msg.seq, decoder.decode(msg.data));
        await msg.ackAck();
      }
    } catch {
      // A lookup, fetch or ack that straddles a failover fails or ends early; the next round carries on.
    }
  }
  return [...received.entries()].sort(([a], [b]) => a - b).map(([, text]) => text);
}

describe.skipIf(!HAS_NATS)('a single JetStream server', () => {
  let server: NatsServer;
  let nc: NatsConnection;
  let jsm: JetStreamManager;
  let js: JetStreamClient;

  beforeAll(async () => {
    server = await startNatsServer({ jetstream: true });
    nc = await connect({ servers: server.url });
    jsm = await jetstreamManager(nc);
    js = jetstream(nc);
  });
  afterAll(async () => {
    await nc?.close();
    await server?.stop();
  });

  it('listens on 127.0.0.1 only: one client port, no monitoring port', () => {
    expect(server.url).toBe(`nats://127.0.0.1:${server.port}`);
    expect(listeningAddresses(server.pid!)).toEqual([`127.0.0.1:${server.port}`]);
  });

  it('stores a message published twice with the same id once, and a durable consumer with explicit acks reads each message once', async () => {
    await jsm.streams.add({ name: 'audio', subjects: ['audio.>'] });
    const first = await js.publish('audio.left', encoder.encode('chunk 1'), { msgID: 'chunk-1' });
    const again = await js.publish('audio.left', encoder.encode('chunk 1'), { msgID: 'chunk-1' });
    await js.publish('audio.left', encoder.encode('chunk 2'), { msgID: 'chunk-2' });
    expect([first.duplicate, again.duplicate, again.seq]).toEqual([false, true, first.seq]);
    expect((await jsm.streams.info('audio')).state.messages).toBe(2);

    await jsm.consumers.add('audio', { durable_name: 'player', ack_policy: AckPolicy.Explicit });
    expect(await consumeUntil(js, 'audio', 'player', new Map(), 2)).toEqual(['chunk 1', 'chunk 2']);
    const info = await jsm.consumers.info('audio', 'player');
    expect([info.num_ack_pending, info.num_pending, info.ack_floor.stream_seq]).toEqual([0, 0, 2]);
  });

  it('keeps its port and its stored messages through kill -9 and restart', async () => {
    const { port, pid } = server;
    const reconnected = nextStatus(nc, 'reconnect');
    await server.kill('SIGKILL');
    expect(alive(pid!)).toBe(false);
    await server.restart();
    expect(server.port).toBe(port);
    // The client reconnects to the same URL by itself. (A JetStream request sent while it is
    // still disconnected timed out even after the reconnect here, with nats.js 3.3.1.)
    await reconnected;
    expect((await jsm.streams.info('audio')).state.messages).toBe(2);
  });
});

describe.skipIf(!HAS_NATS)('the launcher cleans up and fails with typed errors', () => {
  it('removes its temporary store and leaves no process behind on stop', async () => {
    const server = await startNatsServer();
    const { pid, storeDir } = server;
    expect(existsSync(storeDir!)).toBe(true);
    await server.stop();
    expect([alive(pid!), existsSync(storeDir!)]).toEqual([false, false]);
  });

  it.each([
    ['return', 0, null],
    ['throw', 1, null],
    ['kill', null, 'SIGKILL'],
  ])('leaves no server and no store behind when the process that started them ends without stop() (%s)', async (how, status, signal) => {
    const fixture = fileURLToPath(new URL('fixtures/abandon.ts', import.meta.url));
    const run = spawnSync(process.execPath, ['--import', 'tsx', fixture, how], { encoding: 'utf8', timeout: 60_000 });
    expect([run.status, run.signal], run.stderr).toEqual([status, signal]);
    const { pids, storeDirs } = JSON.parse(run.stdout) as { pids: number[]; storeDirs: string[] };
    expect(pids).toHaveLength(4);
    // The servers die (and their new parent reaps them) a moment after the process ends.
    const left = (): [number[], string[]] => [pids.filter(alive), storeDirs.filter((dir) => existsSync(dir))];
    const deadline = Date.now() + 15_000;
    while (left().flat().length > 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
    expect(left()).toEqual([[], []]);
  });

  it('finds Debian\'s /usr/sbin/nats-server when the PATH (an ordinary user\'s) has no sbin directory', () => {
    const saved = process.env['PATH'];
    try {
      process.env['PATH'] = '/usr/local/bin:/usr/bin:/bin';
      expect(_natsServerBinary()).toBe('/usr/sbin/nats-server');
    } finally {
      process.env['PATH'] = saved;
    }
  });

  it('names the Debian package when the program is missing', async () => {
    const error: unknown = await startNatsServer({ binary: '/nonexistent/nats-server' }).catch((e: unknown) => e);
    expect(isAvbufError(error, 'ERR_PROCESS_FAILED')).toBe(true);
    expect((error as Error).message).toContain('apt-get install nats-server');
  });

  it('quotes the server\'s last log lines when it is not ready in time', async () => {
    const binary = fileURLToPath(new URL('fixtures/mute-server.sh', import.meta.url));
    const error: unknown = await startNatsServer({ binary, readyTimeoutMs: 500 }).catch((e: unknown) => e);
    expect(isAvbufError(error, 'ERR_PROCESS_FAILED')).toBe(true);
    expect((error as Error).message).toBe(`${binary}: not ready within 500 ms; its last log lines:\n[1] starting, but never ready`);
  });

  it('quotes the server\'s last log lines when it exits before it is ready', async () => {
    // A store directory under a regular file cannot be created: nats-server stops with a fatal error.
    const error: unknown = await startNatsServer({ storeDir: '/dev/null/store' }).catch((e: unknown) => e);
    expect(isAvbufError(error, 'ERR_PROCESS_FAILED')).toBe(true);
    expect((error as Error).message).toMatch(/exited before it was ready[\s\S]*\[FTL\]/);
  });
});

describe.skipIf(!HAS_NATS)('a 3-node JetStream cluster', () => {
  let cluster: NatsCluster;
  let nc: NatsConnection;

  beforeAll(async () => {
    cluster = await startNatsCluster({ nodes: 3 });
    nc = await connect({ servers: [...cluster.urls], maxReconnectAttempts: -1, reconnectTimeWait: 100 });
  });
  afterAll(async () => {
    await nc?.close();
    await cluster?.stop();
  });

  it('routes and clients listen on 127.0.0.1 only', () => {
    for (const server of cluster.servers) {
      const addresses = listeningAddresses(server.pid!);
      expect(addresses).toHaveLength(2); // client and route
      expect(addresses.every((a) => a.startsWith('127.0.0.1:'))).toBe(true);
    }
  });

  it('keeps an R3 stream through a kill -9 of its leader: nothing lost, nothing repeated, and the member rejoins', async () => {
    const jsm = await jetstreamManager(nc);
    const js = jetstream(nc);
    await jsm.streams.add({ name: 'video', subjects: ['video.>'], num_replicas: 3 });
    await jsm.consumers.add('video', { durable_name: 'archive', ack_policy: AckPolicy.Explicit });
    const sent = Array.from({ length: 200 }, (_, i) => `frame ${i}`);
    for (const [i, text] of sent.slice(0, 100).entries()) await publishRetrying(js, 'video.cam1', encoder.encode(text), `f${i}`);
    const received = new Map<number, string>();
    await consumeUntil(js, 'video', 'archive', received, 50);

    const leaderName = (await jsm.streams.info('video')).cluster?.leader;
    const victim = cluster.servers.find((_, i) => `avbuf-n${i + 1}` === leaderName)!;
    const victimPid = victim.pid!;
    await victim.kill('SIGKILL');
    expect(alive(victimPid)).toBe(false);

    for (const [i, text] of sent.slice(100).entries()) await publishRetrying(js, 'video.cam1', encoder.encode(text), `f${i + 100}`);
    expect(await consumeUntil(js, 'video', 'archive', received, 200)).toEqual(sent);
    const info = await jsm.streams.info('video');
    expect([info.state.messages, info.cluster?.leader === leaderName]).toEqual([200, false]);

    await victim.restart();
    const deadline = Date.now() + 30_000;
    let replicas: string[] = [];
    while (Date.now() < deadline) {
      replicas = ((await jsm.streams.info('video')).cluster?.replicas ?? []).filter((r) => r.current && !r.offline).map((r) => r.name);
      if (replicas.includes(leaderName!)) break;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    expect(replicas).toContain(leaderName);
  });
});
