/**
 * The inspector's local server: node:http for the page and its assets, `ws` for the live
 * messages (src/inspect/protocol.ts), msgpackr-encoded as binary frames.
 *
 * Security model: it listens on 127.0.0.1 unless a host is given explicitly; the page and the
 * WebSocket need a random token (compared in constant time) that only the URL printed to the
 * user carries, so another local user, or a web page in the user's browser, cannot attach.
 * Host and Origin headers are checked against loopback names as well (DNS rebinding).
 *
 * Robustness: a client message that is not a known message, not valid msgpack, or larger than
 * MAX_CLIENT_MESSAGE_BYTES is dropped and logged and the client stays connected; a frame over
 * {@link WS_MAX_PAYLOAD_BYTES} is never buffered whole: `ws` closes that client's connection
 * (1009) and the others go on. A slow page gets metrics dropped, never queued without bound;
 * actor, removed and alert messages are always sent, and a client that stops reading
 * altogether is disconnected.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Packr, Unpackr } from 'msgpackr';
import { WebSocket, WebSocketServer, type RawData } from 'ws';
import { ConfigError } from '../core/errors.js';
import { childLogger, silentLogger, type Logger } from '../core/logger.js';
import type { InspectionBus } from './bus.js';
import { MAX_CLIENT_MESSAGE_BYTES, type ClientMessage, type ServerMessage } from './protocol.js';

/**
 * Largest frame `ws` accepts before closing the connection (1009). Above the protocol's
 * {@link MAX_CLIENT_MESSAGE_BYTES} so that a moderately oversized message is dropped with the
 * connection kept, and small enough that no frame is ever buffered beyond it.
 */
export const WS_MAX_PAYLOAD_BYTES = 64 * 1024;

export interface InspectorOptions {
  /** What to serve: the bus's picture and live messages. */
  bus: InspectionBus;
  /** TCP port; 0 (the default) picks a free one. */
  port?: number;
  /** Interface to listen on. Default 127.0.0.1; anything beyond loopback is logged as a warning. */
  host?: string;
  /** The access token (default: 32 random bytes, hex). */
  token?: string;
  logger?: Logger;
  /** Folder of the built page (index.html and assets/). Default: found beside the build. */
  pageDir?: string;
  /** A client's unsent bytes above which its metrics are dropped. Default 1 MiB. */
  slowClientBytes?: number;
  /** A client's unsent bytes above which it is disconnected. Default 16 MiB. */
  maxClientBacklogBytes?: number;
}

/** A running inspector. */
export interface Inspector {
  /** The page's address, token included: open it in a browser. */
  readonly url: string;
  readonly port: number;
  readonly host: string;
  readonly token: string;
  /** Clients connected now. */
  readonly clients: number;
  /** The listening address (for checks). */
  address(): AddressInfo;
  /** Disconnects every client and stops listening. Idempotent. */
  close(): Promise<void>;
}

const CONTENT_TYPES: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.html': 'text/html; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.woff': 'font/woff',
  '.txt': 'text/plain; charset=utf-8',
};

/** A file name in assets/: no separators, no leading dot, so nothing outside can be named. */
const ASSET_NAME = /^[A-Za-z0-9_-][A-Za-z0-9._-]*$/;

const COMMON_HEADERS = {
  'cache-control': 'no-store',
  'x-content-type-options': 'nosniff',
  // The token is in the page's URL: never send it on as a referrer.
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
} as const;

const PLACEHOLDER = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>avbuf inspector</title></head>
<body><h1>avbuf inspector</h1>
<p>The inspector page is not built: run <code>npm run build</code> (it bundles the page into dist/inspect/page/).
The server and its WebSocket at <code>/ws</code> work without it.</p></body></html>
`;

/** Logs a client's dropped messages: the first ones each, then one line per this many. */
const LOG_EVERY_DROP_AFTER = 10;
const LOG_DROP_PERIOD = 100;

interface Client {
  readonly ws: WebSocket;
  readonly id: number;
  readonly remote: string;
  droppedMessages: number;
  droppedMetrics: number;
  /** True while metrics are being dropped for this client (logged once per episode). */
  slow: boolean;
}

/**
 * Starts the inspector's server.
 *
 * @example
 * const bus = new InspectionBus({ catalogue: defaultCatalogue() });
 * bus.addManager(manager);
 * const inspector = await startInspector({ bus });
 * console.error(`inspector: ${inspector.url}`);
 * // …
 * await inspector.close();
 *
 * @param options - see {@link InspectorOptions}; only `bus` is required.
 * @throws {ConfigError} `ERR_INVALID_CONFIG` when `token` is shorter than 16 characters.
 */
export async function startInspector(options: InspectorOptions): Promise<Inspector> {
  const { bus } = options;
  const log = childLogger(options.logger ?? silentLogger, { component: 'avbuf.inspect.server' });
  const explicitHost = options.host !== undefined;
  const host = options.host ?? '127.0.0.1';
  const token = options.token ?? randomBytes(32).toString('hex');
  // The value is not shown in the message: a token is a secret, even a short one.
  if (typeof token !== 'string' || token.length < 16) throw new ConfigError('token', 'the inspector token must be a string of at least 16 characters');
  const tokenDigest = digest(token);
  const slowBytes = options.slowClientBytes ?? 1024 * 1024;
  const maxBacklog = options.maxClientBacklogBytes ?? 16 * 1024 * 1024;
  const loopback = isLoopback(host);
  if (explicitHost && !loopback) {
    log.warn({ host }, `inspector: listening on ${host}, beyond loopback: anyone who can reach it and has the token can watch`);
  }

  // Records would need the page to share structures; plain maps decode with msgpackr's unpack.
  const packr = new Packr({ useRecords: false });
  const unpackr = new Unpackr({ useRecords: false, mapsAsObjects: true });
  const clients = new Set<Client>();
  let nextClientId = 1;
  let unsubscribe: (() => void) | undefined;
  let port = 0;

  // Looked up on each page request, so a page built while the server runs is served.
  const pageDir = (): string | undefined => (options.pageDir !== undefined ? (hasPage(options.pageDir) ? options.pageDir : undefined) : findPageDir());
  if (pageDir() === undefined) {
    log.warn('inspector: the page is not built (no dist/inspect/page/index.html): serving a placeholder; run npm run build');
  }

  const allowedHost = (value: string | undefined): boolean => {
    if (!loopback) return true; // the user chose an interface: names for it are theirs to pick
    if (value === undefined) return false;
    return LOOPBACK_NAMES.some((name) => value === `${name}:${port}`);
  };

  const server = createServer((req, res) => {
    void handleHttp(req, res).catch((error: unknown) => {
      log.error({ err: error }, 'inspector: request failed');
      if (!res.headersSent) send(res, 500, 'text/plain; charset=utf-8', 'internal error\n');
      else res.destroy();
    });
  });
  server.on('clientError', (_error, socket) => socket.destroy());

  async function handleHttp(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = parseUrl(req.url);
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      send(res, 405, 'text/plain; charset=utf-8', 'method not allowed\n', { allow: 'GET, HEAD' });
      return;
    }
    if (url === undefined || !allowedHost(req.headers.host)) {
      send(res, 403, 'text/plain; charset=utf-8', 'forbidden\n');
      return;
    }
    const path = url.pathname;
    if (path === '/' || path === '/index.html') {
      if (!tokenMatches(url.searchParams.get('token'), tokenDigest)) {
        log.info({ remote: req.socket.remoteAddress }, 'inspector: page request without the right token refused');
        send(res, 403, 'text/plain; charset=utf-8', 'forbidden: open the URL with its token\n');
        return;
      }
      const dir = pageDir();
      const html = dir === undefined ? PLACEHOLDER : await readFile(join(dir, 'index.html'), 'utf8');
      send(res, 200, 'text/html; charset=utf-8', html, {
        'content-security-policy': contentSecurityPolicy(req.headers.host ?? `${host}:${port}`),
      });
      return;
    }
    if (path.startsWith('/assets/')) {
      const name = path.slice('/assets/'.length);
      const dir = pageDir();
      const type = CONTENT_TYPES[extensionOf(name)];
      if (dir !== undefined && ASSET_NAME.test(name) && type !== undefined) {
        const file = join(dir, 'assets', name);
        let body: Buffer | undefined;
        try {
          body = await readFile(file);
        } catch {
          body = undefined;
        }
        if (body !== undefined) {
          send(res, 200, type, body);
          return;
        }
      }
    }
    send(res, 404, 'text/plain; charset=utf-8', 'not found\n');
  }

  // ---- WebSocket -----------------------------------------------------------------------

  const wss = new WebSocketServer({ noServer: true, maxPayload: WS_MAX_PAYLOAD_BYTES, perMessageDeflate: false, clientTracking: false });

  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => socket.destroy());
    const url = parseUrl(req.url);
    const refuse = (status: number, text: string, why: string): void => {
      log.warn({ remote: req.socket.remoteAddress, why }, `inspector: WebSocket refused (${status})`);
      socket.once('finish', () => socket.destroy());
      socket.end(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
    };
    if (url?.pathname !== '/ws') return refuse(404, 'Not Found', 'not /ws');
    if (!tokenMatches(url.searchParams.get('token'), tokenDigest)) return refuse(401, 'Unauthorized', 'no token or a wrong one');
    if (!allowedHost(req.headers.host)) return refuse(403, 'Forbidden', `Host ${String(req.headers.host)}`);
    const origin = req.headers.origin;
    if (origin !== undefined && !allowedOrigin(origin)) return refuse(403, 'Forbidden', `Origin ${origin}`);
    wss.handleUpgrade(req, socket, head, (ws) => onConnection(ws, req));
  });

  const allowedOrigin = (origin: string): boolean => {
    const parsed = parseUrl(origin);
    if (parsed === undefined || parsed.protocol !== 'http:') return false;
    return loopback ? LOOPBACK_NAMES.some((name) => parsed.host === `${name}:${port}`) : parsed.port === String(port);
  };

  function onConnection(ws: WebSocket, req: IncomingMessage): void {
    const client: Client = { ws, id: nextClientId++, remote: String(req.socket.remoteAddress), droppedMessages: 0, droppedMetrics: 0, slow: false };
    clients.add(client);
    log.info({ client: client.id, remote: client.remote }, 'inspector: page connected');
    ws.on('message', (data, isBinary) => onClientMessage(client, data, isBinary));
    ws.on('error', (error) => {
      // ws reports an oversized frame (over maxPayload) here and closes the connection with 1009.
      log.warn({ client: client.id, err: error }, `inspector: client connection error: ${error.message}`);
    });
    ws.on('close', () => {
      clients.delete(client);
      log.info({ client: client.id, droppedMessages: client.droppedMessages, droppedMetrics: client.droppedMetrics }, 'inspector: page disconnected');
      if (clients.size === 0) {
        unsubscribe?.();
        unsubscribe = undefined;
      }
    });
    // The picture first, then live messages: both on this turn, so nothing falls between.
    for (const message of bus.picture()) deliver(client, packr.pack(message), message.t === 'metrics');
    unsubscribe ??= bus.subscribe(broadcast);
  }

  function broadcast(message: ServerMessage, droppable: boolean): void {
    if (clients.size === 0) return;
    // Encoded once for every client (msgpackr never overwrites an earlier result).
    const bytes = packr.pack(message);
    for (const client of clients) deliver(client, bytes, droppable);
  }

  function deliver(client: Client, bytes: Uint8Array, droppable: boolean): void {
    const ws = client.ws;
    if (ws.readyState !== WebSocket.OPEN) return;
    const backlog = ws.bufferedAmount;
    if (backlog > maxBacklog) {
      log.warn({ client: client.id, backlog }, 'inspector: a page stopped reading; disconnecting it');
      ws.terminate();
      return;
    }
    if (droppable && backlog > slowBytes) {
      client.droppedMetrics++;
      if (!client.slow) log.warn({ client: client.id, backlog }, 'inspector: a page is slow; dropping its metrics until it catches up');
      client.slow = true;
      return;
    }
    if (droppable) client.slow = false;
    ws.send(bytes, { binary: true });
  }

  function onClientMessage(client: Client, data: RawData, isBinary: boolean): void {
    const bytes = Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data as ArrayBuffer);
    let problem: string | undefined;
    if (!isBinary) problem = 'a text frame (the protocol is binary msgpack)';
    else if (bytes.length > MAX_CLIENT_MESSAGE_BYTES) problem = `${bytes.length} bytes, over the ${MAX_CLIENT_MESSAGE_BYTES}-byte limit`;
    else {
      let decoded: unknown;
      try {
        decoded = unpackr.unpack(bytes);
      } catch (error) {
        problem = `not valid msgpack (${error instanceof Error ? error.message.slice(0, 80) : 'decode error'})`;
      }
      if (problem === undefined && !isClientMessage(decoded)) problem = 'not a known client message';
    }
    if (problem === undefined) return; // a ping: its arrival is all it says
    client.droppedMessages++;
    const n = client.droppedMessages;
    if (n <= LOG_EVERY_DROP_AFTER || n % LOG_DROP_PERIOD === 0) {
      log.warn({ client: client.id, bytes: bytes.length, dropped: n }, `inspector: dropped a client message: ${problem}`);
    }
  }

  // ---- listen / close --------------------------------------------------------------------

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ port: options.port ?? 0, host }, () => {
      server.off('error', reject);
      resolve();
    });
  });
  server.on('error', (error) => log.error({ err: error }, 'inspector: server error'));
  const address = server.address() as AddressInfo;
  port = address.port;
  const urlHost = urlHostOf(host);
  const url = `http://${urlHost}:${port}/?token=${token}`;
  log.info({ host, port }, `inspector listening on http://${urlHost}:${port}/`);

  let closing: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closing ??= (async () => {
      unsubscribe?.();
      unsubscribe = undefined;
      for (const client of clients) client.ws.close(1001, 'inspector closing');
      // Give the close frames a moment, then cut whatever is left.
      await new Promise((resolve) => setTimeout(resolve, 20).unref());
      for (const client of clients) client.ws.terminate();
      clients.clear();
      wss.close();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      log.info('inspector closed');
    })();
    return closing;
  };

  return {
    url,
    port,
    host,
    token,
    get clients() {
      return clients.size;
    },
    address: () => address,
    close,
  };
}

// ---- helpers -----------------------------------------------------------------------------

const LOOPBACK_NAMES = ['127.0.0.1', 'localhost', '[::1]'];

function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

function urlHostOf(host: string): string {
  if (host === '0.0.0.0' || host === '::' || host === '') return '127.0.0.1';
  return host.includes(':') ? `[${host}]` : host;
}

function digest(text: string): Buffer {
  return createHash('sha256').update(text).digest();
}

/** Constant-time: both sides are hashed to 32 bytes first, so not even the length leaks. */
function tokenMatches(candidate: string | null, expected: Buffer): boolean {
  if (candidate === null) return false;
  return timingSafeEqual(digest(candidate), expected);
}

function parseUrl(raw: string | undefined): URL | undefined {
  if (raw === undefined) return undefined;
  try {
    return new URL(raw, 'http://inspector.invalid');
  } catch {
    return undefined;
  }
}

function extensionOf(name: string): string {
  const dot = name.lastIndexOf('.');
  return dot > 0 ? name.slice(dot).toLowerCase() : '';
}

function send(res: ServerResponse, status: number, type: string, body: string | Buffer, headers: Record<string, string> = {}): void {
  const payload = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
  res.writeHead(status, { ...COMMON_HEADERS, 'content-type': type, 'content-length': payload.length, ...headers });
  res.end(res.req.method === 'HEAD' ? undefined : payload);
}

/** Scripts and styles from this server only; the socket back to this server only. */
function contentSecurityPolicy(hostHeader: string): string {
  return [
    "default-src 'self'",
    "img-src 'self' data: blob:",
    "style-src 'self' 'unsafe-inline'",
    `connect-src 'self' ws://${hostHeader}`,
    "frame-ancestors 'none'",
    "base-uri 'none'",
    "form-action 'none'",
  ].join('; ');
}

function isClientMessage(value: unknown): value is ClientMessage {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
  const message = value as Record<string, unknown>;
  return message.t === 'ping' && typeof message.at === 'number' && Number.isFinite(message.at);
}

/** The built page: beside this module in dist/, or dist/ of the checkout when run from src/. */
export function findPageDir(): string | undefined {
  const candidates = [new URL('./page/', import.meta.url), new URL('../../dist/inspect/page/', import.meta.url)];
  for (const candidate of candidates) {
    const dir = fileURLToPath(candidate);
    if (hasPage(dir)) return dir;
  }
  return undefined;
}

function hasPage(dir: string): boolean {
  return existsSync(join(dir, 'index.html')) && existsSync(join(dir, 'assets'));
}
