/**
 * The GStreamer loader: here, where node-gtk and GStreamer are installed, and — for real — where
 * node-gtk is missing: a copy of the built dist/ in a fresh directory without node-gtk, run in
 * a child process (`npm test` builds first).
 */
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCode, GstError } from '../../src/core/errors.js';
import { GST_DEBIAN_PACKAGES, isGstAvailable, loadGst, requireElements } from '../../src/gst/loader.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const dist = path.join(root, 'dist');

describe('loadGst where GStreamer is installed', () => {
  it('loads GStreamer 1.x once, and isGstAvailable() says so', () => {
    expect(isGstAvailable()).toBe(true);
    const runtime = loadGst();
    expect(runtime.version).toMatch(/^1\.\d+\.\d+$/);
    expect(loadGst()).toBe(runtime); // initialised once
    expect(typeof runtime.Gst.parseLaunch).toBe('function');
  });

  it('requireElements names every missing element with ERR_GST_UNAVAILABLE, and passes for installed ones', () => {
    expect(() => requireElements(['videotestsrc', 'audiotestsrc', 'appsink', 'appsrc', 'vp8enc', 'webmmux'])).not.toThrow();
    let error: unknown;
    try {
      requireElements(['videotestsrc', 'nosuchelement', 'nosuchelement2']);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(GstError);
    expect((error as GstError).code).toBe(ErrorCode.GST_UNAVAILABLE);
    // Each missing element is named with its package (these two are in no package: see
    // test/gst/elements.test.ts for the hint of a known element).
    expect((error as GstError).message).toMatch(/not found: nosuchelement \(not in the table[^)]*\), nosuchelement2 \(not in the table/);
    expect((error as GstError).message).not.toContain('videotestsrc');
  });
});

describe('where node-gtk is missing', () => {
  let dir = '';

  /** Runs an ES module snippet with `dir` as its working directory; it prints one JSON line. */
  function runIn(cwd: string, code: string): { status: number | null; json: Record<string, unknown>; stderr: string } {
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', code], {
      cwd,
      encoding: 'utf8',
      timeout: 30_000,
      // No NODE_PATH, and a HOME without ~/.node_modules: only the copy's own node_modules count.
      env: { PATH: process.env.PATH ?? '', HOME: cwd },
    });
    const line = r.stdout.trim().split('\n').at(-1) ?? '';
    let json: Record<string, unknown>;
    try {
      json = JSON.parse(line) as Record<string, unknown>;
    } catch {
      throw new Error(`the child printed no JSON line (status ${r.status}): ${r.stdout}${r.stderr}`);
    }
    return { status: r.status, json, stderr: r.stderr };
  }

  /** What a failed loadGst() threw, as JSON, plus what a second call and isGstAvailable() do. */
  const PROBE = (modulePath: string): string => `
    const m = await import(${JSON.stringify(modulePath)});
    const out = { available: m.isGstAvailable() };
    for (const key of ['first', 'second']) {
      try { m.loadGst(); out[key] = 'loaded'; }
      catch (e) { out[key] = { name: e.name, code: e.code, message: e.message, isError: e instanceof Error }; }
    }
    console.log(JSON.stringify(out));`;

  beforeAll(() => {
    if (!existsSync(path.join(dist, 'gst', 'loader.js'))) throw new Error(`${dist}/gst/loader.js is missing: run "npm run build" (npm test does it for you)`);
    dir = mkdtempSync(path.join(tmpdir(), 'avbuf-no-gtk-'));
    // A bare copy: dist and a package.json, no node_modules.
    mkdirSync(path.join(dir, 'bare'));
    cpSync(dist, path.join(dir, 'bare', 'dist'), { recursive: true });
    writeFileSync(path.join(dir, 'bare', 'package.json'), JSON.stringify({ name: 'avbuf-copy', version: '0.0.0', type: 'module' }));
    // An installed copy: its real dependencies (rxjs, xstate) but not the optional node-gtk.
    mkdirSync(path.join(dir, 'installed', 'node_modules'), { recursive: true });
    cpSync(dist, path.join(dir, 'installed', 'dist'), { recursive: true });
    writeFileSync(path.join(dir, 'installed', 'package.json'), JSON.stringify({ name: 'avbuf-copy', version: '0.0.0', type: 'module' }));
    for (const dep of ['rxjs', 'xstate']) symlinkSync(path.join(root, 'node_modules', dep), path.join(dir, 'installed', 'node_modules', dep), 'dir');
  });

  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  function expectUnavailable(result: { status: number | null; json: Record<string, unknown> }): void {
    expect(result.status).toBe(0);
    expect(result.json.available).toBe(false);
    const first = result.json.first as { name: string; code: string; message: string; isError: boolean };
    expect(first).toMatchObject({ name: 'GstError', code: ErrorCode.GST_UNAVAILABLE, isError: true });
    expect(first.message).toContain('node-gtk is not installed');
    // Names every Debian package to install, as one apt-get line.
    expect(first.message).toContain(`apt-get install ${GST_DEBIAN_PACKAGES.join(' ')}`);
    for (const pkg of ['libgirepository1.0-dev', 'gir1.2-gstreamer-1.0', 'gir1.2-gst-plugins-base-1.0', 'gstreamer1.0-plugins-good']) {
      expect(first.message).toContain(pkg);
    }
    // The failure is remembered: a second call throws the same.
    expect(result.json.second).toEqual(first);
  }

  it('a bare copy of dist (no node_modules): loadGst() throws ERR_GST_UNAVAILABLE naming the Debian packages', () => {
    // gst/index.js needs rxjs, which a bare copy lacks; the loader itself imports only core.
    const index = runIn(path.join(dir, 'bare'), `
      try { await import('./dist/gst/index.js'); console.log(JSON.stringify({ imported: true })); }
      catch (e) { console.log(JSON.stringify({ imported: false, code: e.code, message: e.message })); }`);
    expect(index.json).toMatchObject({ imported: false, code: 'ERR_MODULE_NOT_FOUND' });
    expect(index.json.message).toContain("'rxjs'");

    expectUnavailable(runIn(path.join(dir, 'bare'), PROBE('./dist/gst/loader.js')));
  });

  it('an installed copy without node-gtk: importing avbuf/gst works, the first GStreamer call throws ERR_GST_UNAVAILABLE', () => {
    expectUnavailable(runIn(path.join(dir, 'installed'), PROBE('./dist/gst/index.js')));
  });

  it('an installed copy without node-gtk: `avbuf delay` exits 1 with ERR_GST_UNAVAILABLE and the packages to install', () => {
    const r = spawnSync(process.execPath, [path.join(dir, 'installed', 'dist', 'cli', 'avbuf.js'), 'delay', '--delay', '1', '--duration', '1', '--out', path.join(dir, 'x.webm')], {
      cwd: path.join(dir, 'installed'),
      encoding: 'utf8',
      timeout: 30_000,
      env: { PATH: process.env.PATH ?? '', HOME: path.join(dir, 'installed') },
    });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/^avbuf delay: ERR_GST_UNAVAILABLE: node-gtk is not installed/);
    expect(r.stderr).toContain('libgirepository1.0-dev');
    expect(r.stderr).toContain('gir1.2-gstreamer-1.0');
    expect(existsSync(path.join(dir, 'x.webm'))).toBe(false);
  });
});
