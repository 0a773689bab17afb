/**
 * Connecting to NATS: the official client (`@nats-io/transport-node`, loaded on first use),
 * with a first connection that retries with backoff instead of failing at once when the
 * server is not there yet, and a connection that reconnects by itself for ever once made.
 */
import type { NatsConnection } from '@nats-io/transport-node';
import { ErrorCode, JetStreamError } from '../core/errors.js';
import { checkFunction, checkNumber, checkString, invalid, show } from '../core/validate.js';

/** Options of {@link connectNats}. */
export interface ConnectNatsOptions {
  /** Server URLs (`nats://127.0.0.1:4222`), one or many; a cluster's members are found from any of them. */
  readonly servers: string | readonly string[];
  /** A name the server shows for this connection. Default `avbuf`. */
  readonly name?: string;
  /**
   * How long to keep trying the first connection, in ms, before failing with
   * `ERR_NATS_UNAVAILABLE`. Default 30,000; `Infinity` tries until `signal` aborts.
   */
  readonly connectTimeoutMs?: number;
  /** First wait between attempts, in ms; it doubles up to `maxBackoffMs`, with ±20 % jitter. Default 100. */
  readonly backoffMs?: number;
  /** Longest wait between attempts, in ms. Default 2000. */
  readonly maxBackoffMs?: number;
  /** Called after each failed attempt with the typed error, the attempt number and the wait before the next. */
  readonly onRetry?: (error: JetStreamError, attempt: number, waitMs: number) => void;
  /** Stops trying (the promise rejects with the last `ERR_NATS_UNAVAILABLE`). */
  readonly signal?: AbortSignal;
}

/** Milliseconds between reconnect attempts once connected (the client's own reconnect loop). */
const RECONNECT_WAIT_MS = 250;

/** The servers as a checked list of URLs. */
export function checkServers(servers: unknown): string[] {
  const list = typeof servers === 'string' ? [servers] : servers;
  if (!Array.isArray(list) || list.length === 0) invalid('servers', `must be a URL or a non-empty list of URLs, got ${show(servers)}`);
  return list.map((url: unknown) => {
    const text = checkString('servers', url);
    if (!/^(nats|tls|wss?):\/\/[^\s]+$/.test(text) && !/^[^\s/:]+:\d+$/.test(text)) {
      invalid('servers', `must be nats://host:port URLs, got ${show(url)}`);
    }
    return text;
  });
}

/**
 * Connects to NATS. While no server answers it tries again, waiting `backoffMs` doubled each
 * time up to `maxBackoffMs`, and reports each failure to `onRetry`; once connected, the
 * connection reconnects by itself (every 250 ms, for ever) when the server goes away, and
 * JetStream requests made meanwhile fail with the client's timeout.
 *
 * @throws {ConfigError} `ERR_INVALID_CONFIG` for a bad option.
 * @throws {JetStreamError} `ERR_NATS_UNAVAILABLE` when no server answered within `connectTimeoutMs`.
 */
export async function connectNats(options: ConnectNatsOptions): Promise<NatsConnection> {
  const servers = checkServers(options.servers);
  const name = checkString('name', options.name ?? 'avbuf');
  const timeoutMs = checkNumber('connectTimeoutMs', options.connectTimeoutMs ?? 30_000, { min: 0, infinite: true });
  let wait = checkNumber('backoffMs', options.backoffMs ?? 100, { min: 1 });
  const maxWait = checkNumber('maxBackoffMs', options.maxBackoffMs ?? 2000, { min: wait });
  const onRetry = checkFunction('onRetry', options.onRetry);
  const { connect } = await import('@nats-io/transport-node');
  const deadline = Date.now() + timeoutMs;
  for (let attempt = 1; ; attempt++) {
    try {
      return await connect({
        servers,
        name,
        timeout: Math.max(100, Math.min(2000, deadline - Date.now())),
        reconnect: true,
        maxReconnectAttempts: -1,
        reconnectTimeWait: RECONNECT_WAIT_MS,
        reconnectJitter: 50,
        pingInterval: 5000,
        // The client otherwise makes two Error objects per request for async stack traces: a
        // third of a publish's CPU (measured in bench/jetstream).
        noAsyncTraces: true,
      });
    } catch (cause) {
      const error = new JetStreamError(
        ErrorCode.NATS_UNAVAILABLE,
        `no NATS server answered at ${servers.join(', ')} (attempt ${attempt}): ${(cause as Error).message}`,
        { cause },
      );
      const sleep = Math.round(wait * (0.8 + 0.4 * Math.random()));
      if (options.signal?.aborted || Date.now() + sleep > deadline) throw error;
      onRetry?.(error, attempt, sleep);
      await delay(sleep, options.signal);
      wait = Math.min(maxWait, wait * 2);
    }
  }
}

/** Waits `ms`, or less when `signal` aborts. */
function delay(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}
