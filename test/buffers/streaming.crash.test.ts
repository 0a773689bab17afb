/**
 * A crash: a child process writing to a spill file is killed with SIGKILL at a random
 * moment; reopening recovers everything it had flushed, bit-exact, and never returns a
 * damaged chunk (a torn last record is dropped and reported).
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { StreamingBuffer } from '../../src/buffers/streaming.js';

const writer = fileURLToPath(new URL('../fixtures/spill-writer.mjs', import.meta.url));
const dist = fileURLToPath(new URL('../../dist/buffers/streaming.js', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'avbuf-crash-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const CHUNK = 4096;

/** Runs the writer until it has flushed `flushes` times plus a random extra delay, then SIGKILLs it. */
async function crashWriter(path: string, flushes: number): Promise<number> {
  const child = spawn(process.execPath, [writer, path, String(CHUNK), '8'], { stdio: ['ignore', 'pipe', 'inherit'] });
  let flushed = 0;
  let seen = 0;
  await new Promise<void>((resolve, reject) => {
    child.on('error', reject);
    child.on('exit', (code, signal) => (signal === 'SIGKILL' ? resolve() : reject(new Error(`writer exited early: ${code ?? signal}`))));
    child.stdout.setEncoding('utf8').on('data', (text: string) => {
      for (const line of text.split('\n')) {
        const m = /^flushed (\d+)$/.exec(line);
        if (m === null) continue;
        flushed = Number(m[1]);
        if (++seen === flushes) setTimeout(() => child.kill('SIGKILL'), Math.random() * 15);
      }
    });
  });
  return flushed;
}

describe('StreamingBuffer after a crash', () => {
  it.each([1, 2, 3, 4, 5])('recovers every flushed frame bit-exact after SIGKILL (run %i)', async (run) => {
    if (!existsSync(dist)) throw new Error(`${dist} is missing: run "npm run build" (npm test does it)`);
    const path = join(dir, `crash-${run}.avsp`);
    const flushed = await crashWriter(path, 3 + run);
    const buf = StreamingBuffer.open(path, {}, { keep: true });
    try {
      const recovered = buf.size();
      // Everything flushed is there; more may be (chunks evicted after the last flush).
      expect(recovered).toBeGreaterThanOrEqual(flushed);
      expect(recovered % CHUNK).toBe(0); // whole chunks only: a torn record is never half-used
      expect(buf.recovery.recoveredChunks).toBe(recovered / CHUNK);
      const block = new Float32Array(CHUNK * 2);
      let bad = 0;
      for (let f = 0; f < recovered; ) {
        const n = buf.readInto(block);
        for (let i = 0; i < n; i++) if (block[2 * i] !== f + i || block[2 * i + 1] !== -(f + i)) bad++;
        f += n;
      }
      expect(bad).toBe(0);
    } finally {
      await buf.close();
    }
  }, 60_000);

  it('reports and cuts off a torn last record', async () => {
    const { appendFileSync, statSync } = await import('node:fs');
    const path = join(dir, 'torn.avsp');
    const buf = new StreamingBuffer({ channels: 1, chunkSize: 16 }, { path });
    buf.write(new Float32Array(40).map((_, i) => i));
    await buf.close();
    const good = statSync(path).size;
    // Half a record: the magic, a header length, and some bytes of nothing.
    appendFileSync(path, Buffer.concat([Buffer.from('AVCK', 'latin1'), Buffer.from([20, 0, 0, 0]), Buffer.alloc(7, 0xee)]));
    const again = StreamingBuffer.open(path);
    expect(again.recovery).toEqual({ recoveredChunks: 3, records: 3, lostBytes: 15 });
    expect(statSync(path).size).toBe(good);
    expect(Array.from(again.read())).toEqual(Array.from({ length: 40 }, (_, i) => i));
    await again.close();
  });
});
