/**
 * The inspector page in a real browser: Debian's headless Chromium driven by playwright-core
 * against `manager.inspect()`. Everything is asserted through the DOM hooks the page exposes
 * (`data-actor-id`, `data-state`, lit `data-state-id` nodes with `data-active`), never pixels;
 * a screenshot is saved to test-results/inspector.png for people.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AudioBufferManager, BufferType } from '../../src/index.js';
import type { InspectorHandle } from '../../src/inspect/index.js';
import { startNatsServer, type NatsServer } from '../../src/testing/nats/index.js';

const CHROMIUM = '/usr/bin/chromium';
/** How this machine runs Chromium headless (see the environment notes): no sandbox, no GPU, and no background traffic. */
const CHROMIUM_FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
const ROOT = path.resolve(import.meta.dirname, '../..');
const SCREENSHOT = path.join(ROOT, 'test-results/inspector.png');
/** The bound: the diagram follows a state change within a second. */
const FOLLOW_MS = 1000;

const card = (id: string): string => `[data-actor-id="${id}"]`;
const lit = (id: string, state: string): string => `${card(id)} g.state[data-state-id="${state}"][data-active="true"]`;

const chromiumMissing = !existsSync(CHROMIUM);

// Without the browser, one failing test says what to install (instead of every test failing on it).
it.runIf(chromiumMissing)(`finds Debian's Chromium at ${CHROMIUM}`, () => {
  throw new Error(`${CHROMIUM} is missing: this test drives Debian's Chromium. Install it with \`apt-get install chromium\` (npm run setup does, as root).`);
});

describe.skipIf(chromiumMissing)('inspector page in headless Chromium', () => {
  let manager: AudioBufferManager;
  let inspector: InspectorHandle;
  let context: BrowserContext;
  let page: Page;
  let profile: string;
  let nats: NatsServer;
  /** Requests (and sockets) to anything but 127.0.0.1: the page must work offline. */
  const external: string[] = [];
  const local: string[] = [];
  const pageErrors: string[] = [];

  beforeAll(async () => {
    // The page the server serves is the built one: build it now so the test sees these sources.
    execFileSync(process.execPath, [path.join(ROOT, 'scripts/build-page.mjs'), '--quiet'], { cwd: ROOT, stdio: 'inherit' });

    manager = new AudioBufferManager({ monitorIntervalMs: 200, memoryLimitMb: 16 });
    const mem = manager.createBuffer('mic', BufferType.MEMORY, { channels: 2 }, { capacity: 48_000 });
    mem.write(new Float32Array(2 * 4800).fill(0.25));
    const ring = manager.createBuffer('input', BufferType.RING, { channels: 2 }, { capacity: 4096 });
    ring.write(new Float32Array(2 * 1024));
    manager.createBuffer('blocks', BufferType.POOL, { channels: 2 }, { blocks: 4, blockFrames: 1024 });
    manager.createBuffer('recording', BufferType.STREAMING, { channels: 2, chunkSize: 4096 });
    // A buffer on a real nats-server (test/jetstream/ fails, naming the package, where it is missing).
    nats = await startNatsServer();
    const net = manager.createBuffer('net', BufferType.JETSTREAM, { channels: 2, chunkSize: 480 }, { servers: nats.url, stream: 'page', maxInFlight: 4 });
    await net.ready;
    await net.write(new Float32Array(2 * 4800));
    await net.flush();
    inspector = await manager.inspect({ port: 0 });

    profile = await mkdtemp(path.join(tmpdir(), 'avbuf-chromium-'));
    context = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, headless: true, args: CHROMIUM_FLAGS, viewport: { width: 1500, height: 1100 } });
    await context.route('**/*', async (route) => {
      const url = new URL(route.request().url());
      if (url.hostname === '127.0.0.1') {
        local.push(url.pathname);
        await route.continue();
      } else {
        external.push(url.href);
        await route.abort('blockedbyclient');
      }
    });
    page = context.pages()[0] ?? (await context.newPage());
    page.on('pageerror', (error) => pageErrors.push(error.message));
    page.on('websocket', (ws) => {
      if (new URL(ws.url()).hostname !== '127.0.0.1') external.push(ws.url());
    });
    await page.goto(inspector.url);
    await page.waitForSelector('body[data-connection="open"]', { timeout: 10_000 });
  });

  afterAll(async () => {
    await context?.close();
    await manager?.close();
    await nats?.stop();
    if (profile) await rm(profile, { recursive: true, force: true });
  });

  it('shows a card for every actor, with its current state and that state lit in its diagram', async () => {
    for (const id of ['mic', 'input', 'blocks', 'recording']) {
      const state = manager.getBuffer(id)!.state;
      await page.waitForSelector(`${card(id)}[data-state="${state}"]`, { timeout: 5000 });
      await page.waitForSelector(lit(id, state), { timeout: 5000 });
      // One machine, one lit state: the buffer lifecycle has no nesting.
      expect(await page.locator(`${card(id)} g.state[data-active="true"]`).count()).toBe(1);
    }
    expect(await page.getAttribute(card('mic'), 'data-kind')).toBe('memory buffer');
    // The ring's flow actor and the manager with its memory monitor are actors too.
    await page.waitForSelector(card('input.flow'), { timeout: 5000 });
    const ids = await Promise.all((await page.locator('[data-actor-id]').all()).map((c) => c.getAttribute('data-actor-id')));
    expect(ids).toEqual(expect.arrayContaining(['mic', 'input', 'input.flow', 'blocks', 'recording']));
    // The diagram draws the machine: six states and the arrows between them, labelled.
    expect(await page.locator(`${card('mic')} g.state`).count()).toBe(6);
    const labels = await page.locator(`${card('mic')} g.edge text`).allTextContents();
    expect(labels).toEqual(expect.arrayContaining(['PAUSE', 'RESUME', 'READY']));
  });

  it('shows a jetstream buffer with its publisher figures', async () => {
    await page.waitForSelector(`${card('net')}[data-state="active"]`, { timeout: 5000 });
    expect(await page.getAttribute(card('net'), 'data-kind')).toBe('jetstream buffer');
    await page.waitForSelector(`${card('net')} .metrics:not([hidden]) .counters dd`, { timeout: 5000 });
    const counters = await page.locator(`${card('net')} .counters dt`).allTextContents();
    expect(counters).toEqual(expect.arrayContaining(['connected', 'acked', 'inFlight', 'framesWritten']));
    expect(await page.locator(`${card('net')} .counters dd`).nth(counters.indexOf('acked')).textContent()).toBe('10');
    expect(await page.locator(`${card('net')} .counters dd`).nth(counters.indexOf('connected')).textContent()).toBe('1');
  });

  it('follows a pause and a resume within a second', async () => {
    const mic = manager.getBuffer('mic')!;
    mic.pause();
    expect(mic.state).toBe('paused');
    await page.waitForSelector(`${card('mic')}[data-state="paused"] g.state[data-state-id="paused"][data-active="true"]`, { timeout: FOLLOW_MS });
    expect(await page.locator(lit('mic', 'active')).count()).toBe(0);

    mic.resume();
    await page.waitForSelector(`${card('mic')}[data-state="active"]`, { timeout: FOLLOW_MS });
    await page.waitForSelector(lit('mic', 'active'), { timeout: FOLLOW_MS });
    expect(await page.locator(lit('mic', 'paused')).count()).toBe(0);
  });

  it('shows the connection lost, and reconnects by itself when the server is back', async () => {
    const { port, token } = inspector;
    await inspector.close();
    await page.waitForSelector('body[data-connection="closed"]', { timeout: 5000 });
    expect(await page.textContent('#connection')).toMatch(/retrying in/);
    inspector = await manager.inspect({ port, token });
    // Backoff is at most 5 s; the server sends everything again on connect.
    await page.waitForSelector('body[data-connection="open"]', { timeout: 10_000 });
    await page.waitForSelector(`${card('mic')}[data-state="active"]`, { timeout: 5000 });
    expect(await page.locator(card('mic')).count()).toBe(1);
  });

  it('shows fill, throughput and counters of a buffer with metrics', async () => {
    await page.waitForSelector(`${card('mic')} .metrics:not([hidden]) .counters dd`, { timeout: 5000 });
    const counters = await page.locator(`${card('mic')} .counters dt`).allTextContents();
    expect(counters).toEqual(expect.arrayContaining(['framesWritten', 'errors']));
    const written = counters.indexOf('framesWritten');
    expect(await page.locator(`${card('mic')} .counters dd`).nth(written).textContent()).toBe('4,800');
    // A sparkline has a line once two samples have come (the charts are redrawn twice a second).
    await page.waitForSelector(`${card('mic')} .chart.fill path.line[d*="L"]`, { state: 'attached', timeout: 3000 });
    expect(await page.textContent(`${card('mic')} .chart.fill .chart-value`)).toBe('10 %');
  });

  it('takes the card away when its buffer is closed', async () => {
    await manager.getBuffer('blocks')!.close();
    await page.waitForSelector(card('blocks'), { state: 'detached', timeout: FOLLOW_MS });
    await manager.removeBuffer('recording');
    await page.waitForSelector(card('recording'), { state: 'detached', timeout: FOLLOW_MS });
    expect(await page.locator(card('mic')).count()).toBe(1);
  });

  it('saves a screenshot of the page under test-results/', async () => {
    // Let the charts fill a little first.
    await page.waitForTimeout(1500);
    await mkdir(path.dirname(SCREENSHOT), { recursive: true });
    await page.screenshot({ path: SCREENSHOT, fullPage: true });
    const png = await readFile(SCREENSHOT);
    expect(png.subarray(1, 4).toString('latin1')).toBe('PNG');
    expect(png.length).toBeGreaterThan(10_000);
  });

  it('loads everything from 127.0.0.1 and nothing from anywhere else, without page errors', async () => {
    expect(external).toEqual([]);
    expect(local).toEqual(expect.arrayContaining(['/', '/assets/page.js', '/assets/page.css']));
    expect(pageErrors).toEqual([]);

    // Control: a request elsewhere is seen (and stopped) by the same interception.
    const probe = await context.newPage();
    await probe.goto('http://example.invalid/probe').catch(() => undefined);
    await probe.close();
    expect(external).toEqual(['http://example.invalid/probe']);
  });
});
