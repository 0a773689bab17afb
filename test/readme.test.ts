/** The README's quick start runs as written, against the built package, and prints what its comments say. */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('..', import.meta.url));

describe('README', () => {
  it('quick start runs as written and prints what its comments promise', () => {
    const readme = readFileSync(`${root}README.md`, 'utf8');
    const code = /## Quick start\n\n```js\n([\s\S]*?)```/.exec(readme)?.[1];
    expect(code).toBeDefined();
    mkdirSync(`${root}test-results`, { recursive: true });
    // Inside the package, `import 'avbuf'` resolves to the package itself (dist/, built by npm test).
    const file = `${root}test-results/quickstart.mjs`;
    writeFileSync(file, code!);
    const run = spawnSync(process.execPath, [file], { encoding: 'utf8', timeout: 30_000 });
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(run.stdout.trim().split('\n')).toEqual(['480 true', '480 960', 'ERR_FRAME_MISALIGNED', '2 2', 'closed']);
  });

  it('delay line quick start runs as written against real GStreamer pipelines', () => {
    const readme = readFileSync(`${root}README.md`, 'utf8');
    const code = /## Delay line quick start\n\n```js\n([\s\S]*?)```/.exec(readme)?.[1];
    expect(code).toBeDefined();
    mkdirSync(`${root}test-results`, { recursive: true });
    const file = `${root}test-results/delay-quickstart.mjs`;
    writeFileSync(file, code!);
    const run = spawnSync(process.execPath, [file], { encoding: 'utf8', timeout: 30_000 });
    expect(run.status).toBe(0);
    expect(run.stdout.trim()).toBe('stopped 90 90 300');
  });

  it('names the two commands and what they do', () => {
    const readme = readFileSync(`${root}README.md`, 'utf8');
    expect(readme).toContain('npm run demo');
    expect(readme).toContain('npm test');
    for (const doc of ['docs/api.md', 'docs/errors.md', 'docs/metrics.md', 'docs/benchmarks.md', 'docs/migrating-from-python.md', 'docs/gst.md', 'docs/streams.md']) {
      expect(readme).toContain(doc);
      expect(readFileSync(`${root}${doc}`, 'utf8').length).toBeGreaterThan(500);
    }
  });
});
