/**
 * The inspector's server with real sockets: the token on the page and on the WebSocket, what
 * a page receives from a manager with buffers of every type (and how fast), what it never
 * receives (typed arrays), how bad client messages are dropped and logged while other pages
 * are served, and the HTTP routes (no way out of assets/, loopback only by default).
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Packr, pack, unpack } from 'msgpackr';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { AudioBufferManager } from '../../src/actors/manager.js';
import type { Logger } from '../../src/core/logger.js';
import { BufferType } from '../../src/core/types.js';
import { InspectionBus, defaultCatalogue, startInspector, type Inspector } from '../../src/inspect/index.js';
import { MAX_CLIENT_MESSAGE_BYTES, MAX_METRICS_HZ, type ServerMessage } from '../../src/inspect/protocol.js';

// ---- helpers -----------------------------------------------------------------------------

interface LogEntry {
  level: string;
  fields: Record<string, unknown>;
  message: string;
}

/** A logger that keeps what it is given. */
function capturingLogger(): Logger & { entries: LogEntry[] } {
  const entries: LogEntry[] = [];
  const at =
    (level: string) =>
    (objOrMsg: unknown, msg?: string): void => {
      if (typeof objOrMsg === 'string') entries.push({ level, fields: {}, message: objOrMsg });
      else entries.push({ level, fields: (objOrMsg ?? {}) as Record<string, unknown>, message: msg ?? '' });
    };
  return { entries, trace: at('trace'), debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}

/** A page: a ws client that decodes and keeps every message. */
class Page {
  readonly messages: { at: number; message: ServerMessage }[] = [];
  readonly ws: WebSocket;
  closeCode: number | undefined;
  readonly opened: Promise<void>;

  constructor(url: string) {
    this.ws = new WebSocket(url);
    this.ws.on('message', (data: Buffer) => this.messages.push({ at: performance.now(), message: unpack(data) as ServerMessage }));
    this.ws.on('close', (code) => (this.closeCode = code));
    this.ws.on('error', () => undefined);
    this.opened = new Promise((resolve, reject) => {
      this.ws.once('open', () => resolve());
      this.ws.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
      this.ws.once('error', reject);
    });
  }

  of<T extends ServerMessage['t']>(t: T): Extract<ServerMessage, { t: T }>[] {
    return this.messages.map((m) => m.message).filter((m): m is Extract<ServerMessage, { t: T }> => m.t === t);
  }

  async waitFor<T>(find: () => T | undefined, what: string, ms = 2000): Promise<T> {
    const deadline = performance.now() + ms;
    for (;;) {
      const found = find();
      if (found !== undefined) return found;
      if (performance.now() > deadline) throw new Error(`page: timed out after ${ms} ms waiting for ${what}`);
      await sleep(5);
    }
  }

  close(): void {
    this.ws.terminate();
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

const wsUrl = (inspector: Inspector, token: string | null = inspector.token): string =>
  `ws://127.0.0.1:${inspector.port}/ws${token === null ? '' : `?token=${token}`}`;

/** The HTTP status a WebSocket handshake gets (101 when accepted). */
function handshakeStatus(url: string, headers: Record<string, string> = {}): Promise<number> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { headers });
    ws.once('open', () => {
      ws.terminate();
      resolve(101);
    });
    ws.once('unexpected-response', (_req, res) => {
      resolve(res.statusCode ?? 0);
      res.resume();
    });
    ws.once('error', (error) => reject(error));
  });
}

/** A raw GET (the path is sent as given, not normalised). */
function get(port: number, path: string, headers: Record<string, string> = {}): Promise<{ status: number; type: string; body: string; headers: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method: 'GET', headers }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, type: String(res.headers['content-type']), body, headers: res.headers }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** Every typed array or ArrayBuffer reachable from `value` (paths). */
function binaryPaths(value: unknown, path = '$'): string[] {
  if (ArrayBuffer.isView(value) || value instanceof ArrayBuffer) return [path];
  if (value === null || typeof value !== 'object') return [];
  return Object.entries(value as Record<string, unknown>).flatMap(([k, v]) => binaryPaths(v, `${path}.${k}`));
}

/** Deterministic "random" bytes (mulberry32). */
function randomBytesSeeded(length: number, seed: number): Buffer {
  let a = seed >>> 0;
  const out = Buffer.alloc(length);
  for (let i = 0; i < length; i++) {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    out[i] = ((t ^ (t >>> 14)) >>> 0) & 0xff;
  }
  return out;
}

// ---- fixtures ----------------------------------------------------------------------------

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** A manager with a memory, a ring, a pool and a streaming buffer, inspected. */
async function inspectedManager(logger?: Logger): Promise<{ manager: AudioBufferManager; inspector: Inspector }> {
  const manager = new AudioBufferManager({ memoryLimitMb: 64, monitorIntervalMs: 0 });
  manager.createBuffer('mic', BufferType.MEMORY, { channels: 2 }, { capacity: 4800 });
  manager.createBuffer('live', BufferType.RING, { channels: 2 }, { capacity: 4096 });
  manager.createBuffer('blocks', BufferType.POOL, { channels: 2 }, { blocks: 4, blockFrames: 1024 });
  manager.createBuffer('disk', BufferType.STREAMING, { channels: 2, chunkSize: 1024, cacheSizeMb: 1 });
  const inspector = await manager.inspect(logger ? { logger } : {});
  cleanups.push(() => manager.close());
  return { manager, inspector };
}

function openPage(url: string): Page {
  const page = new Page(url);
  cleanups.push(() => page.close());
  return page;
}

// ---- WebSocket -----------------------------------------------------------------------------

describe('inspector WebSocket', () => {
  it('refuses a connection without the token and with a wrong one (401), accepts the right one', async () => {
    const { inspector } = await inspectedManager();
    expect(await handshakeStatus(wsUrl(inspector, null))).toBe(401);
    expect(await handshakeStatus(wsUrl(inspector, 'f'.repeat(64)))).toBe(401);
    expect(await handshakeStatus(wsUrl(inspector, inspector.token.slice(0, -1)))).toBe(401);
    expect(await handshakeStatus(`ws://127.0.0.1:${inspector.port}/other?token=${inspector.token}`)).toBe(404);
    expect(await handshakeStatus(wsUrl(inspector))).toBe(101);
  });

  it("refuses a browser page from another origin (403), even with the token", async () => {
    const { inspector } = await inspectedManager();
    expect(await handshakeStatus(wsUrl(inspector), { origin: 'http://evil.example' })).toBe(403);
    expect(await handshakeStatus(wsUrl(inspector), { origin: `http://127.0.0.1:${inspector.port}` })).toBe(101);
    expect(await handshakeStatus(wsUrl(inspector), { origin: `http://localhost:${inspector.port}` })).toBe(101);
  });

  it('sends hello, then every actor of a manager with buffers of four types, their state changes within 1 s, and removals', async () => {
    const { manager, inspector } = await inspectedManager();
    const page = openPage(wsUrl(inspector));
    await page.opened;
    await page.waitFor(() => (page.of('actor').length >= 7 ? true : undefined), 'the first picture');
    expect(page.messages[0]!.message).toMatchObject({ t: 'hello', version: expect.any(String), startedAt: expect.any(Number) });
    const hello = page.of('hello')[0]!;
    expect(Object.keys(hello.machines)).toEqual(expect.arrayContaining(['buffer', 'bufferManager', 'memoryMonitor', 'ringFlow', 'delayLine']));
    const actors = Object.fromEntries(page.of('actor').map((a) => [a.id, a]));
    expect(actors.mic).toMatchObject({ machine: 'buffer', kind: 'memory buffer', parent: 'manager', state: 'active', status: 'active' });
    expect(actors.live).toMatchObject({ machine: 'buffer', kind: 'ring buffer', state: 'active' });
    expect(actors['live.flow']).toMatchObject({ machine: 'ringFlow', state: 'empty' });
    expect(actors.blocks).toMatchObject({ machine: 'buffer', kind: 'pool buffer', state: 'active' });
    expect(actors.disk).toMatchObject({ machine: 'buffer', kind: 'streaming buffer', state: 'active' });
    expect(actors.manager).toMatchObject({ machine: 'bufferManager', state: 'running', parent: null });
    expect(actors.memoryMonitor).toMatchObject({ machine: 'memoryMonitor', state: 'normal' });

    const t0 = performance.now();
    manager.getBuffer('mic')!.pause();
    const paused = await page.waitFor(
      () => page.messages.find((m) => m.message.t === 'actor' && m.message.id === 'mic' && m.message.state === 'paused'),
      'mic paused',
      1000,
    );
    expect(paused.at - t0).toBeLessThan(1000);
    expect(paused.message).toMatchObject({ t: 'actor', id: 'mic', state: 'paused', tags: ['open'] });

    await manager.getBuffer('blocks')!.close();
    const removed = await page.waitFor(() => page.of('removed').find((m) => m.id === 'blocks'), 'blocks removed', 1000);
    expect(removed).toMatchObject({ t: 'removed', id: 'blocks' });
    expect(page.of('actor').filter((a) => a.id === 'blocks').at(-1)).toMatchObject({ state: 'closed', status: 'done' });

    // A page that connects now gets the picture as it is: no blocks, mic paused.
    const late = openPage(wsUrl(inspector));
    await late.waitFor(() => (late.of('actor').length >= 6 ? true : undefined), 'the late picture');
    expect(late.of('actor').map((a) => a.id).sort()).toEqual(['disk', 'live', 'live.flow', 'manager', 'memoryMonitor', 'mic']);
    expect(late.of('actor').find((a) => a.id === 'mic')?.state).toBe('paused');
  });

  it(`sends metrics at most ${MAX_METRICS_HZ} times a second per actor (counted over 2 s), and never a typed array`, async () => {
    const { manager, inspector } = await inspectedManager();
    const page = openPage(wsUrl(inspector));
    await page.opened;
    // Data flowing meanwhile, so the figures change.
    const mic = manager.getBuffer('mic') as ReturnType<AudioBufferManager['createBuffer']> & { write(d: Float32Array): number; seek(f: number): void };
    const feed = setInterval(() => {
      mic.seek(0);
      mic.write(new Float32Array(960 * 2));
    }, 10);
    cleanups.push(() => clearInterval(feed));
    await sleep(200); // past the picture
    const from = performance.now();
    await sleep(2000);
    const to = performance.now();
    clearInterval(feed);
    const counts = new Map<string, number>();
    for (const { at, message } of page.messages) {
      if (message.t === 'metrics' && at >= from && at < to) counts.set(message.id, (counts.get(message.id) ?? 0) + 1);
    }
    expect([...counts.keys()].sort()).toEqual(['blocks', 'disk', 'live', 'manager', 'memoryMonitor', 'mic']);
    for (const [id, n] of counts) {
      expect(n, id).toBeLessThanOrEqual(2 * MAX_METRICS_HZ + 1);
      expect(n, id).toBeGreaterThanOrEqual(5); // they do flow (fewer on a loaded machine)
    }
    const micMetrics = page.of('metrics').filter((m) => m.id === 'mic');
    expect(micMetrics.some((m) => m.throughput !== null && m.throughput > 0)).toBe(true);
    expect(micMetrics.at(-1)).toMatchObject({ fill: 0.2, unit: 'frames/s' });

    // Every message, decoded: plain data only.
    expect(page.messages.length).toBeGreaterThan(40);
    expect(page.messages.flatMap((m) => binaryPaths(m.message))).toEqual([]);
    // The check finds a typed array when the encoding carries one.
    expect(binaryPaths(unpack(pack({ t: 'metrics', counters: new Float32Array(2) })))).toEqual(['$.counters']);
  });

  it('drops and logs a malformed and an oversized message from one page while another keeps receiving', async () => {
    const logger = capturingLogger();
    const { manager, inspector } = await inspectedManager(logger);
    const a = openPage(wsUrl(inspector));
    const b = openPage(wsUrl(inspector));
    await Promise.all([a.opened, b.opened]);
    const drops = (): LogEntry[] => logger.entries.filter((e) => e.level === 'warn' && e.message.startsWith('inspector: dropped a client message'));

    a.ws.send(new Packr({ useRecords: false }).pack({ t: 'ping', at: Date.now() })); // valid: not logged
    a.ws.send(randomBytesSeeded(200, 1));
    a.ws.send(new Packr({ useRecords: false }).pack({ t: 'subscribe', everything: true })); // valid msgpack, unknown message
    a.ws.send('{"t":"ping"}'); // a text frame
    a.ws.send(Buffer.alloc(MAX_CLIENT_MESSAGE_BYTES + 1000, 0x91)); // oversized, under ws's frame limit
    await a.waitFor(() => (drops().length >= 4 ? true : undefined), 'four drops logged');
    await sleep(50);
    const reasons = drops().map((e) => e.message);
    expect(reasons).toHaveLength(4);
    expect(reasons[0]).toMatch(/not valid msgpack|not a known client message/);
    expect(reasons[1]).toBe('inspector: dropped a client message: not a known client message');
    expect(reasons[2]).toBe('inspector: dropped a client message: a text frame (the protocol is binary msgpack)');
    expect(reasons[3]).toBe(`inspector: dropped a client message: ${MAX_CLIENT_MESSAGE_BYTES + 1000} bytes, over the ${MAX_CLIENT_MESSAGE_BYTES}-byte limit`);
    expect(drops().every((e) => e.fields.client === drops()[0]!.fields.client)).toBe(true);

    // Both pages are still served, A included (its messages were dropped, not its connection).
    manager.getBuffer('mic')!.pause();
    await a.waitFor(() => a.of('actor').find((m) => m.id === 'mic' && m.state === 'paused'), 'A sees mic paused');
    await b.waitFor(() => b.of('actor').find((m) => m.id === 'mic' && m.state === 'paused'), 'B sees mic paused');

    // A frame over ws's limit is never buffered whole: ws closes that page's connection (1009); B goes on.
    a.ws.send(Buffer.alloc(1024 * 1024, 0xc1));
    await a.waitFor(() => a.closeCode, 'A closed');
    expect(a.closeCode).toBe(1009);
    expect(logger.entries.some((e) => e.level === 'warn' && /client connection error: .*payload/i.test(e.message))).toBe(true);
    const seenBefore = b.messages.length;
    manager.getBuffer('mic')!.resume();
    await b.waitFor(
      () => b.messages.slice(seenBefore).find(({ message: m }) => m.t === 'actor' && m.id === 'mic' && m.state === 'active'),
      'B sees mic active again',
    );
    expect(inspector.clients).toBe(1);
  });
});

// ---- HTTP --------------------------------------------------------------------------------

describe('inspector HTTP', () => {
  let pageDir: string;
  beforeAll(() => {
    pageDir = mkdtempSync(join(tmpdir(), 'avbuf-page-'));
    mkdirSync(join(pageDir, 'assets'));
    writeFileSync(join(pageDir, 'index.html'), '<!doctype html><title>test page</title><script type="module" src="/assets/page.js"></script>');
    writeFileSync(join(pageDir, 'assets', 'page.js'), 'export const page = 1;\n');
    writeFileSync(join(pageDir, 'assets', 'page.css'), 'body { margin: 0 }\n');
    writeFileSync(join(pageDir, 'secret.txt'), 'not an asset\n');
  });
  afterAll(() => rmSync(pageDir, { recursive: true, force: true }));

  async function start(options: { pageDir?: string; host?: string; logger?: Logger } = {}): Promise<Inspector> {
    const bus = new InspectionBus({ catalogue: defaultCatalogue() });
    const inspector = await startInspector({ bus, ...options });
    cleanups.push(async () => {
      await inspector.close();
      bus.close();
    });
    return inspector;
  }

  it('serves the page only with the token (403 without or with a wrong one), as HTML', async () => {
    const inspector = await start({ pageDir });
    expect((await get(inspector.port, '/')).status).toBe(403);
    expect((await get(inspector.port, '/?token=nope')).status).toBe(403);
    const ok = await get(inspector.port, `/?token=${inspector.token}`);
    expect(ok).toMatchObject({ status: 200, type: 'text/html; charset=utf-8' });
    expect(ok.body).toContain('<title>test page</title>');
    expect(ok.headers['referrer-policy']).toBe('no-referrer');
    expect(ok.headers['cache-control']).toBe('no-store');
    expect(inspector.url).toBe(`http://127.0.0.1:${inspector.port}/?token=${inspector.token}`);
    expect(inspector.token).toMatch(/^[0-9a-f]{64}$/);
  });

  it('serves assets with their content types and nothing outside assets/', async () => {
    const inspector = await start({ pageDir });
    expect(await get(inspector.port, '/assets/page.js')).toMatchObject({ status: 200, type: 'text/javascript; charset=utf-8', body: 'export const page = 1;\n' });
    expect(await get(inspector.port, '/assets/page.css')).toMatchObject({ status: 200, type: 'text/css; charset=utf-8' });
    for (const path of [
      '/assets/../package.json',
      '/assets/../secret.txt',
      '/assets/%2e%2e/secret.txt',
      '/assets/..%2fsecret.txt',
      '/assets/..%5csecret.txt',
      '/assets/',
      '/assets/missing.js',
      '/secret.txt',
      '/package.json',
      '/ws',
    ]) {
      expect((await get(inspector.port, path)).status, path).toBe(404);
    }
  });

  it('refuses a Host that is not a loopback name (DNS rebinding), even with the token', async () => {
    const inspector = await start({ pageDir });
    expect((await get(inspector.port, `/?token=${inspector.token}`, { host: `evil.example:${inspector.port}` })).status).toBe(403);
    expect((await get(inspector.port, `/?token=${inspector.token}`, { host: `localhost:${inspector.port}` })).status).toBe(200);
  });

  it('serves a placeholder page (and logs why) when the page is not built', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'avbuf-nopage-'));
    cleanups.push(() => rmSync(empty, { recursive: true, force: true }));
    const logger = capturingLogger();
    const inspector = await start({ pageDir: empty, logger });
    expect(logger.entries.some((e) => e.level === 'warn' && e.message.includes('the page is not built'))).toBe(true);
    expect((await get(inspector.port, '/')).status).toBe(403);
    const ok = await get(inspector.port, `/?token=${inspector.token}`);
    expect(ok).toMatchObject({ status: 200, type: 'text/html; charset=utf-8' });
    expect(ok.body).toContain('The inspector page is not built');
    expect((await get(inspector.port, '/assets/page.js')).status).toBe(404);
  });

  it('listens on 127.0.0.1 by default, and warns when asked to listen beyond loopback', async () => {
    const logger = capturingLogger();
    const local = await start({ logger });
    expect(local.address()).toMatchObject({ address: '127.0.0.1', family: 'IPv4' });
    expect(logger.entries.filter((e) => e.message.includes('beyond loopback'))).toEqual([]);
    const wide = await start({ host: '0.0.0.0', logger });
    expect(wide.address().address).toBe('0.0.0.0');
    expect(logger.entries.filter((e) => e.level === 'warn' && e.message.includes('beyond loopback'))).toHaveLength(1);
  });
});
