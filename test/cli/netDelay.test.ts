/**
 * The delay line across processes, run as a user runs it: `avbuf delay --publish` and
 * `avbuf delay --play` (the built dist/cli/avbuf.js) in two child processes through a real
 * nats-server. The player renders on the capture clock (GstNetTimeProvider →
 * GstNetClientClock): the delay measured at its sinks is within 5 ms of the target for video
 * and audio, and the two within 5 ms of each other. A player with no capture running fails
 * with a typed error instead of waiting.
 */
import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isGstAvailable } from '../../src/gst/loader.js';
import { startNatsServer, type NatsServer } from '../../src/testing/nats/index.js';
import { _natsServerBinary } from '../../src/testing/nats/natsServer.js';
import { cli, requireBuiltCli } from '../helpers/cli.js';
import { requireProgram } from '../helpers/program.js';

const HAS_NATS = requireProgram(_natsServerBinary(), 'nats-server');

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function avbuf(args: string[], timeoutMs = 60_000): { done: Promise<Run>; output: () => string } {
  requireBuiltCli();
  const child = spawn(process.execPath, [cli, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  const done = new Promise<Run>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
  return { done, output: () => stdout };
}

interface Measured {
  median: number;
  count: number;
}

describe.skipIf(!HAS_NATS || !isGstAvailable())('avbuf delay --publish / --play (two processes)', () => {
  let server: NatsServer;
  beforeAll(async () => {
    server = await startNatsServer();
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('plays 1 s after capture on the capture clock: delay within 5 ms, A/V within 5 ms', async () => {
    // --delay 1 on the capture side too: the stream keeps 1 s + a 2 s margin of history.
    const publish = avbuf(['delay', '--publish', server.url, '--stream', 'cross', '--delay', '1', '--duration', '12']);
    // The player needs the capture clock record and a video record in the stream.
    const deadline = Date.now() + 20_000;
    while (!publish.output().includes('capture clock served') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    // Longer than that history: the player must still find the capture clock (published again every second).
    await new Promise((r) => setTimeout(r, 4500));
    const play = await avbuf(['delay', '--play', server.url, '--stream', 'cross', '--delay', '1', '--duration', '4', '--json']).done;
    expect(play.code, play.stderr).toBe(0);
    const summary = JSON.parse(play.stdout.trim().split('\n').at(-1)!) as {
      records: { video: number; audio: number };
      measured: { video: Measured; audio: Measured; skewMs: number };
    };
    expect(summary.records.video).toBeGreaterThan(60);
    expect(summary.records.audio).toBeGreaterThan(200);
    expect(summary.measured.video.count).toBeGreaterThan(60);
    expect(Math.abs(summary.measured.video.median - 1000)).toBeLessThanOrEqual(5);
    expect(Math.abs(summary.measured.audio.median - 1000)).toBeLessThanOrEqual(5);
    expect(Math.abs(summary.measured.skewMs)).toBeLessThanOrEqual(5);
    const published = await publish.done;
    expect(published.code, published.stderr).toBe(0);
    const last = JSON.parse(published.stdout.trim().split('\n').at(-1)!) as { records: { video: number }; publisher: { acked: number; published: number } };
    expect(last.publisher.acked).toBe(last.publisher.published);
    expect(last.records.video).toBeGreaterThan(200);
  }, 60_000);

  it('a player with no capture running exits 1 with ERR_GST_STATE', async () => {
    const play = await avbuf(['delay', '--play', server.url, '--stream', 'nobody', '--duration', '2']).done;
    expect(play.code).toBe(1);
    expect(play.stderr).toMatch(/ERR_GST_STATE: stream nobody holds no clock record/);
  });

  it('refuses --publish with --play together', async () => {
    const both = await avbuf(['delay', '--publish', server.url, '--play', server.url]).done;
    expect(both.code).toBe(2);
    expect(both.stderr).toContain('run each in its own process');
  });
});
