/** The examples run as written, against the built package (npm test builds it first). */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('..', import.meta.url));

describe('examples', () => {
  it('ring-worker: a worker producer feeds the main thread every frame, 10 blocks of 100 ms at -9 dBFS', () => {
    const run = spawnSync(process.execPath, [`${root}examples/ring-worker/main.mjs`], { encoding: 'utf8', timeout: 60_000 });
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    const lines = run.stdout.trim().split('\n');
    expect(lines.filter((l) => / 4800 frames {2}-9\.0 dBFS/.test(l))).toHaveLength(10);
    expect(lines.at(-1)).toBe('received 48000 frames; written 48000, dropped 0, overruns 0, underruns 0');
  });
});
