/**
 * The avbuf command, run as a user runs it: the built dist/cli/avbuf.js in a child
 * process (`npm test` builds first).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { avbuf, root } from '../helpers/cli.js';



describe('avbuf command', () => {
  it('runs the demo: audio back bit-exact, pool reused, pressure handled, everything closed', () => {
    const { code, stdout, stderr } = avbuf('demo');
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout).toContain('0 samples differ from what was written');
    expect(stdout).toMatch(/the main thread drained 96,000 with readAsync, 0 dropped, 0 samples off the tone; flow seen: empty → (.+ → )?ended/);
    expect(stdout).toMatch(/20,000 leases of 8,192-frame blocks, peak 2 in use, hit rate 100\.0 %/);
    expect(stdout).toContain('alert: memory normal → critical');
    expect(stdout).toContain('ERR_MEMORY_PRESSURE');
    expect(stdout).toContain('every buffer is closed; budget back to 0.00 MB');
  });

  it('prints the demo metrics as JSON with --json', () => {
    const { code, stdout } = avbuf('demo', '--json');
    expect(code).toBe(0);
    const result = JSON.parse(stdout.trim()) as {
      buffers: Record<string, { bufferType: string; writeCount: number; bytesWritten: number; errorCount: number }>;
      system: { totalBuffers: number; refusals: number; bufferTypes: Record<string, number> };
    };
    expect(Object.keys(result.buffers)).toEqual(['tone', 'live', 'blocks', 'big']);
    expect(result.buffers.tone).toMatchObject({ bufferType: 'memory', writeCount: 94, bytesWritten: 96000 * 2 * 4, errorCount: 0 });
    expect(result.buffers.live).toMatchObject({ bufferType: 'ring', bytesWritten: 96000 * 2 * 4, errorCount: 0 });
    expect(result.system).toMatchObject({ totalBuffers: 4, refusals: 1, bufferTypes: { memory: 2, pool: 1, streaming: 0, ring: 1 } });
  });

  it('prints its version and usage', () => {
    const pkg = JSON.parse(readFileSync(`${root}package.json`, 'utf8')) as { version: string };
    expect(avbuf('--version')).toMatchObject({ code: 0, stdout: `${pkg.version}\n` });
    expect(avbuf('--help').stdout).toContain('usage: avbuf <command>');
  });

  it('refuses an unknown command or option with exit code 2 and a clear line', () => {
    const unknown = avbuf('frobnicate');
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('unknown command "frobnicate"');
    const badOption = avbuf('demo', '--colour');
    expect(badOption.code).toBe(2);
    expect(badOption.stderr).toContain("Unknown option '--colour'");
    expect(avbuf().code).toBe(2);
  });
});
