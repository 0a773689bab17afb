/**
 * StreamingBuffer against a plain reference model (an array of frames): random writes,
 * reads, seeks, flushes and reopenings across chunk boundaries, with a tiny cache so
 * chunks are evicted, spilled and reloaded all the time.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { StreamingBuffer } from '../../src/buffers/streaming.js';
import { ErrorCode } from '../../src/core/errors.js';
import { closeWorkerPool } from '../../src/workers/pool.js';
import { expectCode } from '../helpers/errors.js';

const dir = mkdtempSync(join(tmpdir(), 'avbuf-streaming-'));
afterAll(async () => {
  await closeWorkerPool();
  rmSync(dir, { recursive: true, force: true });
});

interface Model {
  channels: number;
  data: number[];
  pos: number;
  reads: number;
  writes: number;
  errors: number;
  lastErrorCode: string | null;
}
interface Real {
  buf: StreamingBuffer;
  path: string;
  config: { channels: number; chunkSize: number; cacheSizeMb: number; enableCompression: boolean };
}

function same(m: Model, r: Real): void {
  expect(r.buf.tell()).toBe(m.pos);
  expect(r.buf.size()).toBe(m.data.length / m.channels);
  const metrics = r.buf.getMetrics();
  expect(metrics).toMatchObject({ readCount: m.reads, writeCount: m.writes, errorCount: m.errors, lastErrorCode: m.lastErrorCode });
  expect(metrics.cachedChunks).toBeLessThanOrEqual(metrics.cacheCapacityChunks);
  expect(metrics.memoryUsageMb * 1048576).toBeLessThanOrEqual(
    Math.max(3 * r.config.chunkSize * m.channels * 4, r.config.cacheSizeMb * 1048576) + 1e-6,
  );
}

class Write implements fc.AsyncCommand<Model, Real> {
  constructor(
    readonly frames: number,
    readonly planar: boolean,
  ) {}
  check = (): boolean => true;
  async run(m: Model, r: Real): Promise<void> {
    const ch = m.channels;
    const values = Array.from({ length: this.frames * ch }, () => Math.fround(Math.random() * 2 - 1));
    const interleaved = Float32Array.from(values);
    const data = this.planar
      ? Array.from({ length: ch }, (_, c) => Float32Array.from({ length: this.frames }, (_x, i) => interleaved[i * ch + c]!))
      : interleaved;
    expect(r.buf.write(data)).toBe(this.frames);
    for (let i = 0; i < values.length; i++) m.data[m.pos * ch + i] = values[i]!;
    m.pos += this.frames;
    m.writes++;
    same(m, r);
    await Promise.resolve();
  }
  toString = (): string => `write(${this.frames}${this.planar ? ' planar' : ''})`;
}

class Read implements fc.AsyncCommand<Model, Real> {
  constructor(
    readonly frames: number,
    readonly planar: boolean,
  ) {}
  check = (): boolean => true;
  async run(m: Model, r: Real): Promise<void> {
    const ch = m.channels;
    const n = Math.min(this.frames, m.data.length / ch - m.pos);
    const expected = m.data.slice(m.pos * ch, (m.pos + n) * ch);
    if (this.planar) {
      const planes = Array.from({ length: ch }, () => new Float32Array(this.frames));
      expect(r.buf.readInto(planes)).toBe(n);
      for (let c = 0; c < ch; c++) expect(Array.from(planes[c]!.subarray(0, n))).toEqual(expected.filter((_, i) => i % ch === c));
    } else {
      const out = new Float32Array(this.frames * ch);
      expect(r.buf.readInto(out)).toBe(n);
      expect(Array.from(out.subarray(0, n * ch))).toEqual(expected);
    }
    m.pos += n;
    m.reads++;
    same(m, r);
    // Let reads ahead land between steps, as they would in a real program.
    await new Promise((resolve) => setImmediate(resolve));
  }
  toString = (): string => `read(${this.frames}${this.planar ? ' planar' : ''})`;
}

class Seek implements fc.AsyncCommand<Model, Real> {
  constructor(readonly where: number) {}
  check = (): boolean => true;
  async run(m: Model, r: Real): Promise<void> {
    const size = m.data.length / m.channels;
    const target = this.where >= 0 && this.where <= 1 ? Math.round(this.where * size) : this.where;
    if (Number.isInteger(target) && target >= 0 && target <= size) {
      r.buf.seek(target);
      m.pos = target;
    } else expectCode(() => r.buf.seek(target), ErrorCode.SEEK_OUT_OF_RANGE, m);
    same(m, r);
    await Promise.resolve();
  }
  toString = (): string => `seek(${this.where})`;
}

class FlushAndReopen implements fc.AsyncCommand<Model, Real> {
  constructor(readonly reopen: boolean) {}
  check = (): boolean => true;
  async run(m: Model, r: Real): Promise<void> {
    await r.buf.flush();
    if (this.reopen) {
      await r.buf.close();
      r.buf = StreamingBuffer.open(r.path, { cacheSizeMb: r.config.cacheSizeMb }, { keep: true });
      // Everything came back from disk; counters start again with the new object.
      expect(r.buf.recovery.lostBytes).toBe(0);
      expect(r.buf.size()).toBe(m.data.length / m.channels);
      r.buf.seek(0);
      const all = r.buf.read();
      expect(Array.from(all)).toEqual(m.data);
      r.buf.seek(m.pos);
      m.reads = 1;
      m.writes = 0;
      m.errors = 0;
      m.lastErrorCode = null;
    }
    same(m, r);
  }
  toString = (): string => (this.reopen ? 'flush+reopen' : 'flush');
}

describe('StreamingBuffer against a reference model', () => {
  it('keeps the same frames, position and size as the model across evictions, flushes and reopenings (300 sequences)', async () => {
    let run = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 3 }),
        fc.constantFrom(4, 7, 16),
        fc.boolean(),
        fc.commands(
          [
            fc.tuple(fc.integer({ min: 0, max: 40 }), fc.boolean()).map(([n, p]) => new Write(n, p)),
            fc.tuple(fc.integer({ min: 0, max: 40 }), fc.boolean()).map(([n, p]) => new Read(n, p)),
            fc.oneof(fc.double({ min: 0, max: 1, noNaN: true }), fc.constantFrom(-1, 1e6, 0.5)).map((w) => new Seek(w)),
            fc.boolean().map((reopen) => new FlushAndReopen(reopen)),
          ],
          { maxCommands: 40 },
        ),
        async (channels, chunkSize, enableCompression, cmds) => {
          const path = join(dir, `spill-${run++}.avsp`);
          // A cache of three chunks at most: evictions on almost every step.
          const config = { channels, chunkSize, cacheSizeMb: (3 * chunkSize * channels * 4) / 1048576, enableCompression };
          const real: Real = { buf: new StreamingBuffer(config, { path }), path, config };
          const model: Model = { channels, data: [], pos: 0, reads: 0, writes: 0, errors: 0, lastErrorCode: null };
          try {
            await fc.asyncModelRun(() => ({ model, real }), cmds);
          } finally {
            await real.buf.close();
            rmSync(path, { force: true });
          }
        },
      ),
      { numRuns: 300 },
    );
  }, 120_000);
});
