/**
 * The inspector from the command line, as a user runs it (the built dist/cli/avbuf.js in a
 * child process; `npm test` builds first): `avbuf inspect --demo` prints a URL whose page is
 * served and whose socket speaks; `avbuf process --inspect` prints the URL on stderr only.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { unpack } from 'msgpackr';
import { afterAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { WavWriter } from '../../src/formats/wavWriter.js';
import type { ServerMessage } from '../../src/inspect/protocol.js';
import { cli, requireBuiltCli } from '../helpers/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'avbuf-inspect-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('avbuf inspect', () => {
  it('--demo --duration 3 prints a URL whose page is served (403 without the token) and whose socket shows the demo, then exits 0', async () => {
    requireBuiltCli();
    const child = spawn(process.execPath, [cli, 'inspect', '--demo', '--duration', '3'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (text: string) => (stdout += text));
    child.stderr.setEncoding('utf8').on('data', (text: string) => (stderr += text));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    try {
      const deadline = Date.now() + 20_000;
      let url: string | undefined;
      while (url === undefined) {
        url = /open (http:\/\/127\.0\.0\.1:\d+\/\?token=[0-9a-f]{64})\n/.exec(stdout)?.[1];
        if (Date.now() > deadline) throw new Error(`no URL printed; stdout: ${stdout}; stderr: ${stderr}`);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      const page = await fetch(url);
      expect(page.status).toBe(200);
      expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
      expect(await page.text()).toMatch(/^<!doctype html>/i);
      expect((await fetch(url.replace(/\?token=.*/, ''))).status).toBe(403);

      // The socket: hello, then the demo's buffers.
      const ws = new WebSocket(url.replace('http://', 'ws://').replace('/?token=', '/ws?token='));
      const messages: ServerMessage[] = [];
      ws.on('message', (data: Buffer) => messages.push(unpack(data) as ServerMessage));
      await new Promise((resolve) => setTimeout(resolve, 800));
      ws.terminate();
      expect(messages[0]?.t).toBe('hello');
      const ids = new Set(messages.flatMap((m) => (m.t === 'actor' ? [m.id] : [])));
      for (const id of ['manager', 'memoryMonitor', 'mic', 'recording', 'live', 'live.flow', 'blocks']) expect(ids, id).toContain(id);
      expect(messages.some((m) => m.t === 'metrics' && m.id === 'live')).toBe(true);

      expect(await exited).toBe(0);
      expect(stdout).toContain('stopped');
    } finally {
      child.kill();
    }
  });

  it('without --demo says what exists and exits 2', () => {
    requireBuiltCli();
    const r = spawnSync(process.execPath, [cli, 'inspect'], { encoding: 'utf8', timeout: 30_000 });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('usage: avbuf inspect --demo');
  });

  it('delay --inspect --json prints the inspector URL on stderr and only the JSON summary on stdout', () => {
    requireBuiltCli();
    const out = join(dir, 'delay.webm');
    const r = spawnSync(process.execPath, [cli, 'delay', '--delay', '1', '--duration', '2', '--out', out, '--json', '--inspect'], { encoding: 'utf8', timeout: 60_000 });
    expect(r.stderr).toMatch(/^avbuf delay: inspector at http:\/\/127\.0\.0\.1:\d+\/\?token=[0-9a-f]{64}$/m);
    expect(r.status).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0]!)).toMatchObject({ state: 'stopped', out });
  });

  it('process --inspect prints the inspector URL on stderr and leaves stdout as without it', async () => {
    requireBuiltCli();
    const input = join(dir, 'in.wav');
    const writer = await WavWriter.create(input, { format: 'f32', channels: 2, sampleRate: 48000 });
    await writer.write(new Float32Array(48000 * 2).fill(0.25));
    await writer.close();
    const r = spawnSync(process.execPath, [cli, 'process', input, join(dir, 'out.wav'), '--gain', '-6', '--inspect'], { encoding: 'utf8', timeout: 60_000 });
    expect(r.status).toBe(0);
    expect(r.stderr).toMatch(/^avbuf process: inspector at http:\/\/127\.0\.0\.1:\d+\/\?token=[0-9a-f]{64}$/m);
    expect(r.stdout).not.toContain('inspector');
    expect(r.stdout).toContain(`processed ${input} → ${join(dir, 'out.wav')}`);
  });
});
