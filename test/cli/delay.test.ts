/**
 * `avbuf delay`, run as a user runs it: the built dist/cli/avbuf.js in a child process (`npm
 * test` builds first), live test sources through a 1 s delay line into a WebM file, which is
 * then decoded for real — with gst-launch-1.0, and frame by frame with GStreamer here.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli, requireBuiltCli } from '../helpers/cli.js';
import { decodeWebm } from '../helpers/gst.js';


interface Run {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** True when the test had to kill the command (it did not end in time). */
  killed: boolean;
  ms: number;
}

/** Runs avbuf; `onSpawn` may signal it; killed with SIGKILL after `timeoutMs`. */
function avbuf(args: string[], { timeoutMs = 30_000, onSpawn }: { timeoutMs?: number; onSpawn?: (pid: number) => void } = {}): Promise<Run> {
  requireBuiltCli();
  const started = performance.now();
  const child = spawn(process.execPath, [cli, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  let killed = false;
  const timer = setTimeout(() => {
    killed = true;
    child.kill('SIGKILL');
  }, timeoutMs);
  if (child.pid !== undefined) onSpawn?.(child.pid);
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr, killed, ms: performance.now() - started });
    });
  });
}

interface Summary {
  state: string;
  reason: string | null;
  error: { code: string; message: string } | null;
  out: string;
  fileBytes: number;
  framesReceived: number;
  framesSent: number;
  framesDropped: number;
  audioChunksReceived: number;
  audioChunksSent: number;
  audioChunksDropped: number;
  measuredDelayMs: { video: number | null; audio: number | null; videoP95: number | null };
  skewMs: number | null;
}

/** The one JSON line `--json` prints. */
function summaryOf(run: Run): Summary {
  const lines = run.stdout.trim().split('\n');
  expect(lines, `stdout: ${run.stdout}\nstderr: ${run.stderr}`).toHaveLength(1);
  return JSON.parse(lines[0]!) as Summary;
}

/** gst-launch-1.0 decodes the whole file, both streams, without an error. */
function gstLaunchDecodes(file: string): { status: number | null; stderr: string } {
  const r = spawnSync(
    'gst-launch-1.0',
    ['-q', 'filesrc', `location=${file}`, '!', 'matroskademux', 'name=d', 'd.video_0', '!', 'queue', '!', 'vp8dec', '!', 'fakesink', 'd.audio_0', '!', 'queue', '!', 'vorbisdec', '!', 'fakesink'],
    { encoding: 'utf8', timeout: 30_000 },
  );
  return { status: r.status, stderr: r.stderr };
}

/** The file holds every frame and audio chunk the summary says was sent. */
function expectFileHoldsWhatWasSent(summary: Summary): void {
  expect(gstLaunchDecodes(summary.out)).toEqual({ status: 0, stderr: '' });
  const decoded = decodeWebm(summary.out);
  expect(decoded.error).toBeNull();
  expect(decoded.eos).toBe(true);
  expect(decoded.videoFrames).toBe(summary.framesSent);
  expect([decoded.width, decoded.height]).toEqual([640, 360]);
  // Vorbis regroups the 10 ms chunks; the audio time must match within a block or two.
  expect(Math.abs(decoded.audioMs - summary.audioChunksSent * 10)).toBeLessThan(50);
}

describe('avbuf delay', () => {
  let dir = '';
  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'avbuf-delay-'));
  });
  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('runs 3 s with a 1 s delay: one JSON summary, nothing dropped, delay 1000 ms at the sinks, A/V in sync, a WebM that decodes', async () => {
    const out = path.join(dir, 'a.webm');
    const run = await avbuf(['delay', '--delay', '1', '--duration', '3', '--out', out, '--json']);
    expect(run.killed).toBe(false);
    expect(run.code, run.stderr).toBe(0);
    const s = summaryOf(run);
    expect(s).toMatchObject({ state: 'stopped', reason: 'requested', error: null, out, framesDropped: 0, audioChunksDropped: 0 });
    expect(s.framesReceived).toBeGreaterThan(0);
    expect(s.framesSent).toBeGreaterThan(0);
    // 3 s of a 30 fps source, of which the last second (the delay) is still held at the end.
    expect(s.framesReceived).toBeGreaterThanOrEqual(80);
    expect(s.framesReceived).toBeLessThanOrEqual(95);
    expect(s.framesSent).toBeLessThan(s.framesReceived);
    expect(s.measuredDelayMs.video).not.toBeNull();
    expect(Math.abs(s.measuredDelayMs.video! - 1000)).toBeLessThanOrEqual(5);
    expect(s.skewMs).not.toBeNull();
    expect(Math.abs(s.skewMs!)).toBeLessThan(5);
    expect(s.fileBytes).toBeGreaterThan(0);
    expect(s.fileBytes).toBe(statSync(out).size);
    expectFileHoldsWhatWasSent(s);
  });

  it('Ctrl-C (SIGINT) stops it early: exit 0 within seconds, reason "interrupted", the file finished and decodable', async () => {
    const out = path.join(dir, 'interrupted.webm');
    let sentAt = 0;
    const run = await avbuf(['delay', '--delay', '1', '--duration', '60', '--out', out, '--json'], {
      timeoutMs: 20_000,
      onSpawn: (pid) => {
        setTimeout(() => {
          sentAt = performance.now();
          process.kill(pid, 'SIGINT');
        }, 2500);
      },
    });
    expect(run.killed).toBe(false);
    expect(run.code, run.stderr).toBe(0);
    expect(run.signal).toBeNull();
    expect(sentAt).toBeGreaterThan(0);
    expect(run.ms).toBeLessThan(2500 + 5000); // stopped at the interrupt, not at --duration 60
    const s = summaryOf(run);
    expect(s).toMatchObject({ state: 'stopped', reason: 'interrupted', error: null, framesDropped: 0 });
    expect(s.framesSent).toBeGreaterThan(0);
    expect(s.fileBytes).toBeGreaterThan(0);
    expectFileHoldsWhatWasSent(s);
  });

  it.each([
    [['--delay', 'abc'], /avbuf delay: invalid config field "--delay": must be a number of seconds > 0, got "abc"/],
    [['--delay', '0'], /avbuf delay: invalid config field "--delay": must be a number of seconds > 0, got "0"/],
    [['--duration=-1'], /avbuf delay: invalid config field "--duration": must be a number of seconds > 0, got "-1"/],
    [['--out', 'x.mp4'], /avbuf delay: --out must name a \.webm file, got x\.mp4/],
  ])('refuses %j with exit code 2 and a message', async (args, message) => {
    const run = await avbuf(['delay', ...args, '--json']);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(message);
    expect(run.stdout).toBe('');
  });

  it('avbuf --help lists the delay command with its options', async () => {
    const run = await avbuf(['--help']);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('delay [--source test|URI] [--delay S] [--duration S] [--out FILE.webm] [--json] [--verbose]');
  });

  // Regression (fixed; this is how it was found): (src/gst/manager.ts #doShutdown `return this.#stopped;` + #finish
  // `void this.#stopping.finally(finalise)`): after a pipeline error whenStopped() never
  // settles (a promise cycle), so the command waits forever; even SIGTERM only sets
  // "interrupted" and waits on the same promise. See test/gst/faults.test.ts.
  it('an output that cannot be written: exit 1 within seconds with ERR_GST_PIPELINE naming filesink', async () => {
    const run = await avbuf(['delay', '--delay', '1', '--duration', '3', '--out', '/nonexistent-dir/x.webm', '--json'], { timeoutMs: 15_000 });
    expect(run.killed, 'avbuf delay was still running after 15 s').toBe(false);
    expect(run.code).toBe(1);
    const s = summaryOf(run);
    expect(s.state).toBe('failed');
    expect(s.error?.code).toBe('ERR_GST_PIPELINE');
    expect(s.error?.message).toMatch(/filesink\d*: .*\/nonexistent-dir\/x\.webm/);
  });
});
