/**
 * ChunkCache: the chunks of a {@link ChunkStore} in use, held in a fixed budget of chunk
 * buffers.
 *
 * - LRU: a Map's insertion order is the use order (a hit is deleted and set again), so
 *   the least recently used chunk is the first entry.
 * - Write-behind: writing into a chunk only marks it dirty. Dirty chunks reach the store
 *   when the least recently used chunk's buffer is needed for another chunk (the oldest
 *   dirty chunks go in one batch, see writeBack.ts) or when the owner writes them all.
 * - Read-ahead: reads of consecutive chunks load the next `readAhead` chunks
 *   asynchronously, into buffers from the same budget. A chunk loaded or written while its
 *   read-ahead is in flight is marked stale, and the read-ahead's copy, which may be older,
 *   is dropped when it lands.
 *
 * Chunk buffers are SharedArrayBuffer-backed so worker threads can read them in place.
 */
import { unlimitedAccount, type MemoryAccount } from '../core/budget.js';
import { Counter, createCounters } from '../core/metrics.js';
import type { ChunkStore } from './spill.js';
import { WRITE_BATCH_BYTES, writeBack, type ChunkPayload, type DirtyChunk, type WriteBackOptions } from './writeBack.js';

/** One cached chunk. A caller that writes into `data` raises `frames` to cover it and sets `dirty`. */
export interface CachedChunk extends DirtyChunk {
  /** Valid frames at the start of `data`. */
  frames: number;
}

/** Options of a {@link ChunkCache}. */
export interface ChunkCacheOptions {
  /** Bytes of chunk buffers the cache may hold, cached or being read ahead; three chunks' worth at the least. */
  readonly budgetBytes: number;
  /** Chunks loaded ahead of sequential reads. Default 0. */
  readonly readAhead?: number;
  /** Who accounts for the chunk buffers. Default: unaccounted. */
  readonly account?: MemoryAccount;
  /** Counters (core/metrics.ts) where hits, misses and memory bytes are counted: the owner's. Default: the cache's own. */
  readonly counters?: Float64Array;
  /** Compress chunks written back by eviction (deflate, level 1). Default false. */
  readonly compress?: boolean;
  /** Bytes a write-behind batch aims at. Default {@link WRITE_BATCH_BYTES}. */
  readonly writeBatchBytes?: number;
}

/**
 * An LRU cache of a store's chunks with write-behind and read-ahead.
 *
 * @example
 * const cache = new ChunkCache(store, { budgetBytes: 16 << 20, readAhead: 2 });
 * const chunk = cache.chunk(7, false); // loaded on a miss, now the most recent
 * chunk.data[0] = 1;
 * chunk.dirty = true;                  // reaches the store on eviction or writeBack
 * cache.writeBack(cache.dirty());
 */
export class ChunkCache {
  /** Chunk buffers the cache may hold, cached or being read ahead: its memory bound. */
  readonly capacity: number;
  readonly #store: ChunkStore;
  readonly #chunkFrames: number;
  readonly #chunkBytes: number;
  readonly #readAhead: number;
  readonly #maxInflight: number;
  readonly #account: MemoryAccount;
  readonly #counters: Float64Array;
  readonly #writing: WriteBackOptions;
  /** Map order is LRU order: the first entry is the least recently used. */
  readonly #chunks = new Map<number, CachedChunk>();
  /** Chunk buffers back from a dropped read-ahead or a failed load, used before any new allocation. */
  readonly #spare: Float32Array[] = [];
  readonly #inflight = new Map<number, Promise<void>>();
  /** Chunks touched while being read ahead. */
  readonly #stale = new Set<number>();
  #allocated = 0;
  #lastRead = -2;
  #prefetches = 0;
  #cleared = false;

  constructor(store: ChunkStore, options: ChunkCacheOptions) {
    this.#store = store;
    this.#chunkFrames = store.chunkFrames;
    this.#chunkBytes = store.chunkFrames * store.channels * 4;
    // Three buffers at the least, so one chunk can be read while the next is loaded.
    this.capacity = Math.max(3, Math.floor(options.budgetBytes / this.#chunkBytes));
    this.#readAhead = options.readAhead ?? 0;
    this.#maxInflight = Math.min(this.#readAhead, Math.floor(this.capacity / 3));
    this.#account = options.account ?? unlimitedAccount;
    this.#counters = options.counters ?? createCounters();
    this.#writing = { channels: store.channels, compress: options.compress ?? false, batchBytes: options.writeBatchBytes ?? WRITE_BATCH_BYTES };
  }

  /** Chunks cached. */
  get size(): number {
    return this.#chunks.size;
  }

  /** Cached chunks changed since they were last written to the store. */
  get dirtyCount(): number {
    let dirty = 0;
    for (const chunk of this.#chunks.values()) if (chunk.dirty) dirty++;
    return dirty;
  }

  /** Chunk buffers allocated (cached, being read ahead or spare): never more than {@link capacity}. */
  get allocated(): number {
    return this.#allocated;
  }

  /** Read-aheads started since creation. */
  get prefetches(): number {
    return this.#prefetches;
  }

  /** Read-aheads in flight. */
  get inflight(): number {
    return this.#inflight.size;
  }

  /** Indices of the cached chunks, least recently used first. */
  indices(): IterableIterator<number> {
    return this.#chunks.keys();
  }

  /** Frames of chunk `index` that exist, in the cache or in the store. */
  storedFrames(index: number): number {
    return this.#chunks.get(index)?.frames ?? this.#store.framesOf(index);
  }

  /**
   * Chunk `index`, now the most recently used: from the cache, or loaded from the store on
   * a miss (`fresh`: not loaded, for a caller about to overwrite every stored frame).
   * @throws the store's error when the load fails; the account's when a buffer is refused.
   */
  chunk(index: number, fresh: boolean): CachedChunk {
    if (this.#inflight.has(index)) this.#stale.add(index);
    const hit = this.#chunks.get(index);
    if (hit !== undefined) {
      this.#chunks.delete(index);
      this.#chunks.set(index, hit);
      this.#counters[Counter.CACHE_HITS]! += 1;
      return hit;
    }
    this.#counters[Counter.CACHE_MISSES]! += 1;
    const data = this.#buffer();
    let frames = 0;
    if (!fresh) {
      try {
        frames = this.#store.read(index, data);
      } catch (error) {
        this.#spare.push(data);
        throw error;
      }
    }
    const chunk: CachedChunk = { data, frames, dirty: false };
    this.#chunks.set(index, chunk);
    return chunk;
  }

  /** Chunk `index` if cached, counting a hit or a miss, without loading it or changing the LRU order. */
  peek(index: number): CachedChunk | undefined {
    const cached = this.#chunks.get(index);
    this.#counters[cached === undefined ? Counter.CACHE_MISSES : Counter.CACHE_HITS]! += 1;
    return cached;
  }

  /** The read-ahead of chunk `index` while it is in flight. */
  loading(index: number): Promise<void> | undefined {
    return this.#inflight.get(index);
  }

  /**
   * Notes a read of chunk `index`: when it follows the chunk read last, the next chunks
   * that exist below frame `endFrame` are read ahead.
   */
  readAfter(index: number, endFrame: number): void {
    if (index === this.#lastRead + 1) this.#prefetch(index + 1, endFrame);
    this.#lastRead = index;
  }

  /** The dirty chunks with their indices, least recently used first. */
  dirty(): Array<[number, CachedChunk]> {
    return [...this.#chunks].filter(([, chunk]) => chunk.dirty);
  }

  /** Writes `batch` to the store (`payloads[i]` already encodes chunk `i`, when given); the chunks stay cached, clean. */
  writeBack(batch: ReadonlyArray<readonly [number, CachedChunk]>, payloads?: ReadonlyArray<ChunkPayload | undefined>): void {
    writeBack(this.#store, batch, this.#writing, payloads);
  }

  /** Resolves once every read-ahead in flight has landed or failed (they use the store's file). */
  async settle(): Promise<void> {
    await Promise.allSettled(this.#inflight.values());
  }

  /** Drops every chunk, dirty or not, and gives the buffers' memory back to the account. */
  clear(): void {
    this.#cleared = true;
    this.#chunks.clear();
    this.#spare.length = 0;
    this.#account.release(this.#allocated * this.#chunkBytes);
    this.#allocated = 0;
    this.#counters[Counter.MEMORY_BYTES] = 0;
  }

  /**
   * A chunk buffer: a spare one, a new one while under the budget, or the least recently
   * used chunk's (written to the store first when dirty: the write-behind).
   */
  #buffer(): Float32Array {
    const spare = this.#spare.pop();
    if (spare !== undefined) return spare;
    if (this.#allocated < this.capacity || this.#chunks.size === 0) {
      this.#account.reserve(this.#chunkBytes);
      this.#allocated++;
      this.#counters[Counter.MEMORY_BYTES] = this.#allocated * this.#chunkBytes;
      return new Float32Array(new SharedArrayBuffer(this.#chunkBytes));
    }
    const [oldest, victim] = this.#chunks.entries().next().value as [number, CachedChunk];
    if (victim.dirty) this.#writeBehind();
    this.#chunks.delete(oldest);
    return victim.data;
  }

  /** Writes the least recently used dirty chunks, oldest first, in one batch of about the batch size (at least the oldest). */
  #writeBehind(): void {
    const batch: Array<[number, CachedChunk]> = [];
    let bytes = 0;
    for (const entry of this.#chunks) {
      if (!entry[1].dirty) continue;
      batch.push(entry);
      bytes += entry[1].frames * this.#writing.channels * 4;
      if (bytes >= this.#writing.batchBytes) break;
    }
    writeBack(this.#store, batch, this.#writing);
  }

  /** Loads the chunks from `from` on ahead of a sequential reader, asynchronously. */
  #prefetch(from: number, endFrame: number): void {
    for (let index = from; index < from + this.#readAhead; index++) {
      if (index * this.#chunkFrames >= endFrame || this.#chunks.has(index) || this.#inflight.has(index)) continue;
      if (this.#store.framesOf(index) === 0) continue;
      if (this.#inflight.size >= this.#maxInflight) return;
      this.#prefetches++;
      const data = this.#buffer();
      const loading = this.#store.readAsync(index, data).then(
        (frames) => {
          this.#inflight.delete(index);
          // A write or a load may have touched the chunk meanwhile (and it may even have been
          // written back and evicted since): then this copy may be older and is dropped.
          const stale = this.#stale.delete(index);
          if (this.#cleared) return;
          if (stale || this.#chunks.has(index)) this.#spare.push(data);
          else this.#chunks.set(index, { data, frames, dirty: false });
        },
        () => {
          // A failed read-ahead is not an error: the reader loads the chunk itself and sees any failure.
          this.#inflight.delete(index);
          this.#stale.delete(index);
          if (!this.#cleared) this.#spare.push(data);
        },
      );
      this.#inflight.set(index, loading);
    }
  }
}
