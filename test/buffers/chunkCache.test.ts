/**
 * ChunkCache and ChunkSpan on their own, over an in-memory chunk store: the walk over a
 * frame range, LRU eviction, write-behind batches, read-ahead and its stale copies, and a
 * model test (a map of chunk → contents plus a use order) of random writes, reads, peeks,
 * landings of reads ahead and flushes.
 */
import { inflateRawSync } from 'node:zlib';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ChunkCache } from '../../src/buffers/chunkCache.js';
import { ChunkSpan } from '../../src/buffers/chunkSpan.js';
import type { ChunkStore, SpillRecord, SpillRecovery } from '../../src/buffers/spill.js';
import type { ChunkPayload } from '../../src/buffers/writeBack.js';
import type { MemoryAccount } from '../../src/core/budget.js';
import { Counter, createCounters } from '../../src/core/metrics.js';

/** A chunk store in memory that logs every chunk written and answers reads ahead only when told. */
class MemoryStore implements ChunkStore {
  readonly path = 'memory';
  readonly sampleRate = 48000;
  readonly writable = true;
  readonly recovery: SpillRecovery = { recoveredChunks: 0, records: 0, lostBytes: 0 };
  size = 0;
  writes = 0;
  /** What each chunk holds: its valid frames, interleaved. */
  readonly stored = new Map<number, Float32Array>();
  /** Every chunk written, in order, as written. */
  readonly log: Array<{ chunk: number; data: number[]; compressed: boolean }> = [];
  readonly #pending: Array<() => void> = [];

  constructor(
    readonly channels: number,
    readonly chunkFrames: number,
    /** Reads ahead copy the chunk when asked (a disk that read early), else when answered. */
    readonly copyAtCall = false,
  ) {}

  framesOf(chunk: number): number {
    return (this.stored.get(chunk)?.length ?? 0) / this.channels;
  }

  totalFrames(): number {
    let end = 0;
    for (const [chunk, data] of this.stored) end = Math.max(end, chunk * this.chunkFrames + data.length / this.channels);
    return end;
  }

  read(chunk: number, into: Float32Array): number {
    const data = this.stored.get(chunk);
    if (data === undefined) return 0;
    into.set(data);
    return data.length / this.channels;
  }

  readAsync(chunk: number, into: Float32Array): Promise<number> {
    const early = this.copyAtCall ? this.stored.get(chunk)?.slice() : undefined;
    return new Promise((resolve) => {
      this.#pending.push(() => {
        if (!this.copyAtCall) {
          resolve(this.read(chunk, into));
          return;
        }
        if (early !== undefined) into.set(early);
        resolve((early?.length ?? 0) / this.channels);
      });
    });
  }

  write(chunk: number, data: Float32Array, frames: number, payload?: ChunkPayload): void {
    const copy = data.slice(0, frames * this.channels);
    if (payload !== undefined) {
      const raw = inflateRawSync(payload.bytes);
      expect(Array.from(new Float32Array(raw.buffer, raw.byteOffset, raw.byteLength / 4))).toEqual(Array.from(copy));
    }
    this.stored.set(chunk, copy);
    this.log.push({ chunk, data: Array.from(copy), compressed: payload !== undefined });
    this.writes++;
    this.size += copy.byteLength;
  }

  sync(): void {}
  close(): void {}

  /** Answers every read ahead asked so far, oldest first. */
  land(): void {
    for (const answer of this.#pending.splice(0)) answer();
  }
}

/** A store that also takes several chunks in one call, logging the size of each call. */
class BatchingStore extends MemoryStore {
  readonly calls: number[] = [];
  writeMany(records: ReadonlyArray<SpillRecord>): void {
    this.calls.push(records.length);
    for (const record of records) this.write(record.chunk, record.data, record.frames, record.payload);
  }
}

/** An account that keeps the books, so the test can compare them with the cache. */
class Books implements MemoryAccount {
  held = 0;
  reserve(bytes: number): void {
    this.held += bytes;
  }
  release(bytes: number): void {
    this.held -= bytes;
  }
}

const fill = (chunk: { data: Float32Array; frames: number; dirty: boolean }, values: number[]): void => {
  chunk.data.set(values);
  chunk.frames = values.length;
  chunk.dirty = true;
};

describe('ChunkSpan', () => {
  it('cuts a frame range at chunk boundaries into pieces of one chunk each', () => {
    const pieces: number[][] = [];
    const span = new ChunkSpan(4, 5, 10);
    while (span.next()) pieces.push([span.index, span.offset, span.frames, span.done, span.at]);
    expect(pieces).toEqual([
      [1, 1, 3, 0, 5],
      [2, 0, 4, 3, 8],
      [3, 0, 3, 7, 12],
    ]);
    expect(span.done).toBe(10);
  });

  it('walks nothing for an empty range and one piece for a range inside a chunk', () => {
    expect(new ChunkSpan(4, 3, 0).next()).toBe(false);
    const span = new ChunkSpan(8, 9, 6);
    expect(span.next()).toBe(true);
    expect([span.index, span.offset, span.frames, span.done]).toEqual([1, 1, 6, 0]);
    expect(span.next()).toBe(false);
  });
});

describe('ChunkCache', () => {
  it('holds at least three chunks and never more than its budget allows', () => {
    const store = new MemoryStore(2, 4); // 32-byte chunks
    expect(new ChunkCache(store, { budgetBytes: 0 }).capacity).toBe(3);
    expect(new ChunkCache(store, { budgetBytes: 32 * 5 + 31 }).capacity).toBe(5);
  });

  it('evicts the least recently used chunk, a hit making a chunk the most recent', () => {
    const store = new MemoryStore(1, 2);
    for (let i = 0; i < 5; i++) store.stored.set(i, Float32Array.of(i, i));
    const cache = new ChunkCache(store, { budgetBytes: 0 }); // 3 chunks
    cache.chunk(0, false);
    cache.chunk(1, false);
    cache.chunk(2, false);
    cache.chunk(0, false); // a hit: 1 is now the least recently used
    cache.chunk(3, false);
    expect([...cache.indices()]).toEqual([2, 0, 3]);
    expect(Array.from(cache.chunk(3, false).data)).toEqual([3, 3]);
  });

  it('writes a dirty chunk back before its buffer is reused, with the oldest dirty chunks in one batch', () => {
    const store = new BatchingStore(1, 2);
    const cache = new ChunkCache(store, { budgetBytes: 0 });
    fill(cache.chunk(0, true), [1, 1]);
    fill(cache.chunk(1, true), [2, 2]);
    fill(cache.chunk(2, true), [3, 3]);
    expect(store.writes).toBe(0); // write-behind: nothing yet
    cache.chunk(3, true); // needs 0's buffer: 0, 1 and 2 go in one call
    expect(store.calls).toEqual([3]);
    expect(store.log.map((entry) => [entry.chunk, entry.data])).toEqual([
      [0, [1, 1]],
      [1, [2, 2]],
      [2, [3, 3]],
    ]);
    expect(cache.dirtyCount).toBe(0); // 1 and 2 stay cached, clean
    expect([...cache.indices()]).toEqual([1, 2, 3]);
  });

  it('stops a write-behind batch at the batch size, and writes one chunk per call to a store without writeMany', () => {
    const store = new MemoryStore(1, 4);
    const cache = new ChunkCache(store, { budgetBytes: 4 * 16, writeBatchBytes: 32 }); // 4 chunks of 16 bytes, 2 per batch
    for (let i = 0; i < 4; i++) fill(cache.chunk(i, true), [i, i, i, i]);
    cache.chunk(4, true);
    expect(store.log.map((entry) => entry.chunk)).toEqual([0, 1]);
    expect(cache.dirtyCount).toBe(2);
  });

  it('compresses chunks written back by eviction when asked', () => {
    const store = new MemoryStore(1, 256);
    const cache = new ChunkCache(store, { budgetBytes: 0, compress: true });
    for (let i = 0; i < 4; i++) fill(cache.chunk(i, true), new Array<number>(256).fill(i));
    expect(store.log).toHaveLength(3);
    expect(store.log.every((entry) => entry.compressed)).toBe(true);
  });

  it('reads ahead of sequential reads into its own budget, and serves the landed chunks as hits', async () => {
    const store = new MemoryStore(1, 2);
    for (let i = 0; i < 8; i++) store.stored.set(i, Float32Array.of(i, -i));
    const counters = createCounters();
    const cache = new ChunkCache(store, { budgetBytes: 9 * 8, readAhead: 2, counters }); // 9 chunks, 2 in flight
    cache.chunk(0, false);
    cache.readAfter(0, 16);
    expect(cache.inflight).toBe(0); // one read is not a sequence yet
    cache.chunk(1, false);
    cache.readAfter(1, 16); // chunk 1 after chunk 0: 2 and 3 are loaded ahead
    expect(cache.inflight).toBe(2);
    expect(cache.prefetches).toBe(2);
    store.land();
    await cache.settle();
    expect([...cache.indices()]).toEqual([0, 1, 2, 3]);
    expect(Array.from(cache.chunk(2, false).data)).toEqual([2, -2]);
    expect(counters[Counter.CACHE_HITS]).toBe(1);
    expect(counters[Counter.CACHE_MISSES]).toBe(2);
  });

  it('does not read ahead past the end, chunks the store does not have, or after a jump', () => {
    const store = new MemoryStore(1, 2);
    for (let i = 0; i < 3; i++) store.stored.set(i, Float32Array.of(i, i));
    const cache = new ChunkCache(store, { budgetBytes: 9 * 8, readAhead: 2 });
    cache.readAfter(5, 6); // not sequential
    expect(cache.inflight).toBe(0);
    cache.readAfter(6, 6);
    expect(cache.inflight).toBe(0); // 7 and 8 are past the end
    cache.readAfter(7, 100);
    expect(cache.inflight).toBe(0); // 8 and 9 are not in the store
  });

  it('regression: drops a read-ahead copy of a chunk written while it was in flight', async () => {
    const store = new MemoryStore(1, 2, true);
    for (let i = 0; i < 4; i++) store.stored.set(i, Float32Array.of(1, 1));
    const cache = new ChunkCache(store, { budgetBytes: 0, readAhead: 1 }); // 3 buffers, 1 in flight
    for (const index of [0, 1]) {
      cache.chunk(index, false);
      cache.readAfter(index, 8);
    }
    expect(cache.loading(2)).toBeDefined(); // chunk 2 read ahead, its 1s copied now
    fill(cache.chunk(2, false), [2, 2]); // a load and a write meanwhile...
    cache.writeBack(cache.dirty()); // ...written back...
    cache.chunk(3, false);
    cache.chunk(0, false); // ...and pushed out
    expect([...cache.indices()]).toEqual([3, 0]);
    store.land();
    await cache.settle();
    expect([...cache.indices()]).toEqual([3, 0]); // the old copy was dropped
    expect(Array.from(cache.chunk(2, false).data)).toEqual([2, 2]);
  });

  it('gives every buffer back to the account on clear', () => {
    const books = new Books();
    const store = new MemoryStore(2, 4);
    const counters = createCounters();
    const cache = new ChunkCache(store, { budgetBytes: 0, account: books, counters });
    for (let i = 0; i < 5; i++) cache.chunk(i, true);
    expect(books.held).toBe(3 * 32);
    expect(counters[Counter.MEMORY_BYTES]).toBe(3 * 32);
    cache.clear();
    expect([books.held, counters[Counter.MEMORY_BYTES], cache.size, cache.allocated]).toEqual([0, 0, 0, 0]);
  });

  it('keeps a buffer whose load failed for the next chunk instead of losing it', () => {
    const store = new MemoryStore(1, 2);
    const cache = new ChunkCache(store, { budgetBytes: 0 });
    store.read = () => {
      throw new Error('disk gone');
    };
    expect(() => cache.chunk(0, false)).toThrow('disk gone');
    cache.chunk(1, true);
    expect(cache.allocated).toBe(1);
  });
});

// ---- model test ------------------------------------------------------------------------

/** Chunks the model test uses: few, so chunks come back after being pushed out. */
const CHUNKS = 8;

interface Model {
  readonly channels: number;
  readonly chunkFrames: number;
  /** The truth: what each chunk written so far holds (valid frames, interleaved). */
  readonly content: Map<number, number[]>;
  /** Use order, least recent first; the cache must hold the most recent of these. */
  readonly order: number[];
  /** Chunks changed since they were last written to the store. */
  readonly dirty: Set<number>;
  /** Reads ahead in flight, oldest first: true once the chunk was touched meanwhile. */
  readonly inflight: Map<number, boolean>;
  /** The chunk read last, so a command can read the next one (reads ahead need a sequence). */
  lastRead: number;
  nextStamp: number;
}

interface Real {
  readonly cache: ChunkCache;
  readonly store: MemoryStore;
  readonly books: Books;
  readonly counters: Float64Array;
  readonly readAhead: number;
}

function touch(m: Model, index: number): void {
  const at = m.order.indexOf(index);
  if (at >= 0) m.order.splice(at, 1);
  m.order.push(index);
  if (m.inflight.has(index)) m.inflight.set(index, true);
}

function endFrame(m: Model): number {
  let end = 0;
  for (const [chunk, data] of m.content) end = Math.max(end, chunk * m.chunkFrames + data.length / m.channels);
  return end;
}

/** Takes the store's new writes: each must be of a chunk changed since its last write, as it is now. */
function takeWrites(m: Model, r: Real): void {
  for (const entry of r.store.log.splice(0)) {
    expect(m.dirty.has(entry.chunk), `chunk ${entry.chunk} written again without a change`).toBe(true);
    expect(entry.data).toEqual(m.content.get(entry.chunk));
    m.dirty.delete(entry.chunk);
  }
}

/** Watches reads ahead started by the last call. */
function takeReadsAhead(m: Model, r: Real): void {
  for (let index = 0; index < CHUNKS + 4; index++) {
    if (r.cache.loading(index) !== undefined && !m.inflight.has(index)) m.inflight.set(index, false);
  }
}

function same(m: Model, r: Real): void {
  const { cache, store } = r;
  const chunkBytes = m.chunkFrames * m.channels * 4;
  // Capacity: cached and in-flight chunks share the budget, and the books agree.
  expect(cache.size + cache.inflight).toBeLessThanOrEqual(cache.capacity);
  expect(cache.allocated).toBeLessThanOrEqual(cache.capacity);
  expect(r.books.held).toBe(cache.allocated * chunkBytes);
  expect(r.counters[Counter.MEMORY_BYTES]).toBe(cache.allocated * chunkBytes);
  expect(cache.inflight).toBe(m.inflight.size);
  expect(cache.inflight).toBeLessThanOrEqual(Math.min(r.readAhead, Math.floor(cache.capacity / 3)));
  // LRU: the cache holds exactly the most recently used chunks, in use order.
  const cached = [...cache.indices()];
  expect(cached).toEqual(m.order.slice(m.order.length - cached.length));
  expect(cache.dirtyCount).toBe(m.dirty.size);
  // Nothing lost: a cached chunk holds the truth; any other chunk is in the store, clean.
  for (const [index, truth] of m.content) {
    if (cached.includes(index)) {
      const chunk = cache.peek(index)!;
      expect(Array.from(chunk.data.subarray(0, chunk.frames * m.channels))).toEqual(truth);
      expect(chunk.dirty).toBe(m.dirty.has(index));
    } else {
      expect(m.dirty.has(index), `chunk ${index} evicted while dirty`).toBe(false);
      expect(Array.from(store.stored.get(index) ?? [])).toEqual(truth);
    }
  }
}

class Write implements fc.AsyncCommand<Model, Real> {
  constructor(
    readonly index: number,
    readonly offset: number,
    readonly frames: number,
  ) {}
  check = (): boolean => true;
  async run(m: Model, r: Real): Promise<void> {
    const old = m.content.get(this.index) ?? [];
    const stored = old.length / m.channels;
    expect(r.cache.storedFrames(this.index)).toBe(stored);
    // As the streaming buffer writes: never past the stored frames, so no gap is left.
    const offset = Math.min(this.offset, stored, m.chunkFrames - 1);
    const n = Math.min(this.frames, m.chunkFrames - offset);
    const chunk = r.cache.chunk(this.index, offset === 0 && n >= stored);
    takeWrites(m, r); // the eviction's write-behind saw the chunks before this write
    const values = Array.from({ length: n * m.channels }, () => m.nextStamp++);
    chunk.data.set(values, offset * m.channels);
    chunk.frames = Math.max(chunk.frames, offset + n);
    chunk.dirty = true;
    const next = old.slice();
    next.splice(offset * m.channels, values.length, ...values);
    m.content.set(this.index, next);
    m.dirty.add(this.index);
    touch(m, this.index);
    same(m, r);
    await Promise.resolve();
  }
  toString = (): string => `write(${this.index}, @${this.offset}, ${this.frames})`;
}

/** Reads chunk `index`, or (`index` undefined) the chunk after the one read last. */
class Read implements fc.AsyncCommand<Model, Real> {
  constructor(readonly index?: number) {}
  check = (): boolean => true;
  async run(m: Model, r: Real): Promise<void> {
    const index = this.index ?? (m.lastRead + 1 + CHUNKS) % CHUNKS;
    const chunk = r.cache.chunk(index, false);
    takeWrites(m, r);
    touch(m, index);
    expect(Array.from(chunk.data.subarray(0, chunk.frames * m.channels))).toEqual(m.content.get(index) ?? []);
    r.cache.readAfter(index, endFrame(m));
    m.lastRead = index;
    takeWrites(m, r);
    takeReadsAhead(m, r);
    same(m, r);
    await Promise.resolve();
  }
  toString = (): string => (this.index === undefined ? 'readNext' : `read(${this.index})`);
}

class Peek implements fc.AsyncCommand<Model, Real> {
  constructor(readonly index: number) {}
  check = (): boolean => true;
  async run(m: Model, r: Real): Promise<void> {
    const chunk = r.cache.peek(this.index);
    if (chunk !== undefined) expect(Array.from(chunk.data.subarray(0, chunk.frames * m.channels))).toEqual(m.content.get(this.index) ?? []);
    same(m, r); // a peek changes no order
    await Promise.resolve();
  }
  toString = (): string => `peek(${this.index})`;
}

class Land implements fc.AsyncCommand<Model, Real> {
  check = (): boolean => true;
  async run(m: Model, r: Real): Promise<void> {
    r.store.land();
    await r.cache.settle();
    // A read ahead lands as the most recent chunk unless the chunk was touched meanwhile.
    for (const [index, touched] of m.inflight) if (!touched) touch(m, index);
    m.inflight.clear();
    same(m, r);
  }
  toString = (): string => 'land';
}

class Flush implements fc.AsyncCommand<Model, Real> {
  check = (): boolean => true;
  async run(m: Model, r: Real): Promise<void> {
    r.cache.writeBack(r.cache.dirty());
    takeWrites(m, r);
    expect(m.dirty.size).toBe(0);
    same(m, r);
    await Promise.resolve();
  }
  toString = (): string => 'flush';
}

describe('ChunkCache against a reference model', () => {
  it('loses nothing, writes each change back once before eviction, keeps LRU order and its capacity (300 sequences)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.record({
          channels: fc.integer({ min: 1, max: 2 }),
          chunkFrames: fc.integer({ min: 1, max: 4 }),
          capacity: fc.integer({ min: 3, max: 5 }),
          readAhead: fc.integer({ min: 0, max: 3 }),
          batchChunks: fc.integer({ min: 1, max: 4 }),
          batching: fc.boolean(),
          compress: fc.boolean(),
          copyAtCall: fc.boolean(),
          /** Chunks the store holds at the start, as a reopened spill file does. */
          stored: fc.nat(CHUNKS),
        }),
        fc.commands(
          [
            fc.tuple(fc.nat(CHUNKS - 1), fc.nat(4), fc.integer({ min: 1, max: 4 })).map(([i, o, n]) => new Write(i, o, n)),
            fc.nat(CHUNKS - 1).map((i) => new Read(i)),
            fc.constant(new Read()),
            fc.nat(CHUNKS - 1).map((i) => new Peek(i)),
            fc.constant(new Land()),
            fc.constant(new Flush()),
          ],
          { maxCommands: 80, size: 'large' },
        ),
        async (setup, cmds) => {
          const { channels, chunkFrames } = setup;
          const chunkBytes = chunkFrames * channels * 4;
          const store = setup.batching ? new BatchingStore(channels, chunkFrames, setup.copyAtCall) : new MemoryStore(channels, chunkFrames, setup.copyAtCall);
          const books = new Books();
          const counters = createCounters();
          const cache = new ChunkCache(store, {
            budgetBytes: setup.capacity * chunkBytes,
            readAhead: setup.readAhead,
            account: books,
            counters,
            compress: setup.compress,
            writeBatchBytes: setup.batchChunks * chunkBytes,
          });
          const model: Model = { channels, chunkFrames, content: new Map(), order: [], dirty: new Set(), inflight: new Map(), lastRead: -2, nextStamp: 1 };
          for (let index = 0; index < setup.stored; index++) {
            const values = Array.from({ length: chunkFrames * channels }, () => -model.nextStamp++);
            store.stored.set(index, Float32Array.from(values));
            model.content.set(index, values);
          }
          const real: Real = { cache, store, books, counters, readAhead: setup.readAhead };
          try {
            await fc.asyncModelRun(() => ({ model, real }), cmds);
          } finally {
            store.land(); // no read ahead is left waiting
            await cache.settle();
          }
        },
      ),
      { numRuns: 300 },
    );
  }, 120_000);
});
