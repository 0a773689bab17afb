/**
 * A real JetStream cluster of `nats-server`s on 127.0.0.1, for tests of replicated (R3)
 * streams and of a server dying under load. Each member is a {@link startNatsServer} server
 * with its own temporary store; all share the same route list.
 */
import { createServer } from 'node:net';
import { connect } from '@nats-io/transport-node';
import { ProcessError } from '../../core/errors.js';
import { checkNumber, checkString } from '../../core/validate.js';
import { _natsServerBinary, startNatsServer, type NatsServer } from './natsServer.js';

/** Options of {@link startNatsCluster}. */
export interface NatsClusterOptions {
  /** How many servers. Default `3` (the least for an R3 stream). */
  readonly nodes?: number;
  /** The program to run. Default: as {@link startNatsServer}'s. */
  readonly binary?: string;
  /** How long to wait for the cluster to elect a JetStream meta leader, in ms. Default `30000`. */
  readonly readyTimeoutMs?: number;
}

/** A running JetStream cluster started by {@link startNatsCluster}. */
export interface NatsCluster {
  /** Every member's client URL, in member order (give them all to a client so it fails over). */
  readonly urls: readonly string[];
  /** The members: `servers[i].kill()` crashes one, `restart()` brings it back on its old ports and store. */
  readonly servers: readonly NatsServer[];
  /** Stops every member and removes their stores. */
  stop(): Promise<void>;
}

/** How many times the cluster is started afresh when a reserved route port was taken in between. */
const START_ATTEMPTS = 3;
/** Pause between two checks for a meta leader. */
const POLL_MS = 100;

/**
 * Free route ports, reserved together (so they differ) and released just before the servers
 * bind them. Routes must be known to every member before any starts (JetStream refuses to
 * start a cluster member without configured routes), so `127.0.0.1:-1` cannot be used here
 * as it is for client ports; the short window in which another program could take one is
 * covered by starting again.
 */
async function freePorts(count: number): Promise<number[]> {
  const servers = await Promise.all(
    Array.from(
      { length: count },
      () =>
        new Promise<ReturnType<typeof createServer>>((resolve, reject) => {
          const server = createServer();
          server.once('error', reject);
          server.listen(0, '127.0.0.1', () => resolve(server));
        }),
    ),
  );
  const ports = servers.map((server) => {
    const address = server.address();
    return typeof address === 'object' && address !== null ? address.port : 0;
  });
  await Promise.all(servers.map((server) => new Promise<void>((resolve) => server.close(() => resolve()))));
  return ports;
}

/** Resolves once `url`'s server answers a JetStream account request, i.e. the cluster has a meta leader. */
async function waitForJetStream(url: string, deadline: number, binary: string): Promise<void> {
  const nc = await connect({ servers: url, reconnect: false });
  try {
    let last: unknown;
    while (Date.now() < deadline) {
      try {
        // JetStream's account-info request, made with the core client: it answers without an
        // error only once the meta group has a leader (before that: a 503 or no answer).
        const reply = (await nc.request('$JS.API.INFO', undefined, { timeout: 1000 })).json<{ error?: { description?: string } }>();
        if (reply.error === undefined) return;
        last = reply.error.description;
      } catch (error) {
        last = error;
      }
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    }
    throw new ProcessError(binary, null, null, `the cluster elected no JetStream meta leader in time (${url}: ${String(last)})`, { cause: last });
  } finally {
    await nc.close();
  }
}

/**
 * Resolves once a stream with one replica per node can be placed: a meta leader can answer
 * before every peer has joined the meta group, and an R3 stream made then fails with "no
 * suitable peers for placement". Makes and deletes a small memory stream to find out.
 */
async function waitForPlacement(url: string, nodes: number, deadline: number, binary: string): Promise<void> {
  const nc = await connect({ servers: url, reconnect: false });
  const probe = 'avbuf_cluster_probe';
  try {
    let last: unknown;
    while (Date.now() < deadline) {
      try {
        const config = { name: probe, subjects: [`${probe}.>`], num_replicas: nodes, storage: 'memory' };
        const reply = (await nc.request(`$JS.API.STREAM.CREATE.${probe}`, JSON.stringify(config), { timeout: 2000 })).json<{ error?: { description?: string } }>();
        if (reply.error === undefined) {
          await nc.request(`$JS.API.STREAM.DELETE.${probe}`, undefined, { timeout: 2000 });
          return;
        }
        last = reply.error.description;
      } catch (error) {
        last = error;
      }
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    }
    throw new ProcessError(binary, null, null, `the cluster could not place a stream on all ${nodes} nodes in time (${url}: ${String(last)})`, { cause: last });
  } finally {
    await nc.close();
  }
}

async function startOnce(nodes: number, binary: string, timeoutMs: number): Promise<NatsCluster> {
  const routePorts = await freePorts(nodes);
  const routes = routePorts.map((port) => `nats://127.0.0.1:${port}`);
  const started = await Promise.allSettled(
    routePorts.map((port, i) =>
      startNatsServer({ binary, serverName: `avbuf-n${i + 1}`, readyTimeoutMs: timeoutMs, cluster: { name: 'avbuf', port, routes } }),
    ),
  );
  const servers = started.flatMap((result) => (result.status === 'fulfilled' ? [result.value] : []));
  const stop = async (): Promise<void> => {
    await Promise.all(servers.map((server) => server.stop()));
  };
  const failed = started.find((result) => result.status === 'rejected');
  if (failed !== undefined) {
    await stop();
    throw failed.reason;
  }
  try {
    const deadline = Date.now() + timeoutMs;
    await Promise.all(servers.map((server) => waitForJetStream(server.url, deadline, binary)));
    await waitForPlacement(servers[0]!.url, nodes, deadline, binary);
  } catch (error) {
    await stop();
    throw error;
  }
  return { urls: servers.map((server) => server.url), servers, stop };
}

/**
 * Starts a JetStream cluster of real `nats-server`s on 127.0.0.1 (temporary stores, free
 * ports) and waits until JetStream has a meta leader, so an R3 stream can be created.
 *
 * @param options How many members and what to run; see {@link NatsClusterOptions}.
 * @returns The running cluster; call `stop()` when done.
 * @throws ProcessError (`ERR_PROCESS_FAILED`) when the program is missing, a member does not
 * start, or no meta leader is elected in time; ConfigError for bad options.
 *
 * @example
 * import { connect } from '@nats-io/transport-node';
 *  * import { startNatsCluster } from 'avbuf/testing/nats';
 *
 * const cluster = await startNatsCluster({ nodes: 3 });
 * const nc = await connect({ servers: [...cluster.urls] });
 * const jsm = await jetstreamManager(nc);
 * await jsm.streams.add({ name: 'audio', subjects: ['audio.>'], num_replicas: 3 });
 * await cluster.servers[0]!.kill(); // a crash: the stream keeps a quorum of two
 * await cluster.servers[0]!.restart();
 * await nc.close();
 * await cluster.stop();
 */
export async function startNatsCluster(options: NatsClusterOptions = {}): Promise<NatsCluster> {
  const nodes = checkNumber('nodes', options.nodes ?? 3, { min: 1, integer: true });
  const binary = options.binary === undefined ? _natsServerBinary() : checkString('binary', options.binary);
  const timeoutMs = checkNumber('readyTimeoutMs', options.readyTimeoutMs ?? 30_000, { min: 0, exclusive: true });
  for (let attempt = 1; ; attempt++) {
    try {
      return await startOnce(nodes, binary, timeoutMs);
    } catch (error) {
      const portTaken = error instanceof ProcessError && /address already in use/i.test(error.message);
      if (!portTaken || attempt >= START_ATTEMPTS) throw error;
    }
  }
}
