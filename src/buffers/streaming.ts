/**
 * StreamingBuffer: a disk-backed buffer for audio far larger than memory. Frames live in
 * chunks of `chunkSize` frames in a spill file; an LRU cache bounded by `cacheSizeMb`
 * (and `maxMemoryMb`) holds the chunks in use. Writes land in cached chunks and reach the
 * disk when a dirty chunk is evicted or on `flush()` (write-behind); sequential reads load
 * the next chunks asynchronously before they are asked for (read-ahead).
 *
 * The data calls are synchronous like every buffer's: a hit is a copy, a miss a positioned
 * read of one chunk. Chunk storage is SharedArrayBuffer-backed so Piscina workers can read
 * it in place (compression on flush) without a copy.
 */
import { randomUUID } from 'node:crypto';
import { rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { unlimitedAccount, type MemoryAccount } from '../core/budget.js';
import { BYTES_PER_MB, resolveConfig, type BufferConfig, type BufferConfigInput } from '../core/config.js';
import { show } from '../core/validate.js';
import { ArgumentError, SeekError, UnsupportedOperationError, type AudioDataError, type AvbufError } from '../core/errors.js';
import { deinterleaveInto, framesOf, interleaveInto, type AudioData } from '../core/frames.js';
import { Counter, TIMING_SAMPLE_MASK, createCounters, metricsFromCounters, recordError, type ErrorRecord } from '../core/metrics.js';
import { BufferState, BufferType, Gate, type BufferMetrics } from '../core/types.js';
import { workerPool } from '../workers/pool.js';
import { gateError } from './gate.js';
import { SpillFile, deflateChunk, type ChunkStore, type SpillRecord, type SpillRecovery } from './spill.js';
import { WavChunkStore } from './wavStore.js';
import type { WavInfo } from '../formats/wavHeader.js';

/** Options of a {@link StreamingBuffer} beyond its config. */
export interface StreamingBufferOptions {
  /** Spill file. Default: a new file in the OS temp folder, deleted on close. */
  path?: string;
  /** Keep the spill file on close. Default: true when `path` is given. */
  keep?: boolean;
  /** The spec's `estimated_size` in frames: a hint, nothing is allocated for it. */
  estimatedSize?: number;
  /** Chunks loaded ahead of sequential reads. Default 2. */
  readAhead?: number;
  /** Who accounts for the cache memory; the manager passes its budget. */
  account?: MemoryAccount;
  /** A name for error messages. */
  name?: string;
}

/**
 * Dirty chunks are written back in batches of about this much: writes of 64 KiB were
 * measured 3–4× slower than writes of 1 MiB here (DESIGN.md).
 */
const WRITE_BATCH_BYTES = 1 << 20;

/** A streaming buffer's figures: the spec's, plus the cache and the spill file. */
export interface StreamingMetrics extends BufferMetrics {
  readonly cachedChunks: number;
  readonly cacheCapacityChunks: number;
  readonly dirtyChunks: number;
  readonly spillBytes: number;
  /** Write calls to the spill file: `spillBytes / spillWrites` is the write size. */
  readonly spillWrites: number;
  readonly prefetches: number;
}

interface CachedChunk {
  data: Float32Array;
  /** Valid frames in the chunk. */
  frames: number;
  dirty: boolean;
}

/**
 * A disk-backed streaming buffer.
 *
 * @example
 * const buf = new StreamingBuffer({ channels: 2, chunkSize: 8192, cacheSizeMb: 16 });
 * buf.write(hourOfAudio);          // spills to disk as the cache fills
 * buf.seek(0);
 * buf.readInto(block);             // reads back, loading chunks ahead
 * await buf.close();
 */
export class StreamingBuffer {
  readonly config: Readonly<BufferConfig>;
  readonly channels: number;
  readonly chunkFrames: number;
  /** Chunk buffers the buffer may hold, cached or being read ahead: the memory bound. */
  readonly cacheChunks: number;
  readonly #name: string;
  readonly #spill: ChunkStore;
  readonly #keep: boolean;
  readonly #readAhead: number;
  readonly #account: MemoryAccount;
  readonly #counters = createCounters();
  readonly #lastError: ErrorRecord = { message: null, code: null };
  /** Map order is LRU order: the first entry is the least recently used. */
  readonly #cache = new Map<number, CachedChunk>();
  /** Chunk buffers freed by eviction, reused before any new allocation. */
  readonly #spare: Float32Array[] = [];
  readonly #inflight = new Map<number, Promise<void>>();
  readonly #maxInflight: number;
  /** Chunks touched while being read ahead: the read-ahead copy may be older; it is dropped. */
  readonly #stale = new Set<number>();
  #allocated = 0;
  #position = 0;
  #size: number;
  #lastChunkRead = -2;
  #prefetches = 0;
  #gate: Gate = Gate.OPEN;
  #released = false;

  /**
   * @throws {ConfigError}; {@link FileError} when the spill file cannot be made or opened
   *   (`ERR_SPILL_CORRUPT` for a damaged one); {@link ArgumentError} on bad options.
   */
  constructor(config: BufferConfigInput = {}, options: StreamingBufferOptions = {}, _open?: ChunkStore) {
    this.config = resolveConfig(config);
    this.#name = options.name ?? 'streaming buffer';
    const readAhead = options.readAhead ?? 2;
    if (!Number.isInteger(readAhead) || readAhead < 0) throw new ArgumentError(`readAhead must be a whole number >= 0, got ${show(readAhead)}`);
    this.#readAhead = readAhead;
    this.#account = options.account ?? unlimitedAccount;
    if (_open !== undefined) {
      this.#spill = _open;
      this.channels = _open.channels;
      this.chunkFrames = _open.chunkFrames;
      this.#keep = options.keep ?? true;
    } else {
      this.channels = this.config.channels;
      this.chunkFrames = this.config.chunkSize;
      this.#keep = options.keep ?? options.path !== undefined;
      const path = options.path ?? join(tmpdir(), `avbuf-spill-${randomUUID()}.avsp`);
      this.#spill = SpillFile.create(path, { channels: this.channels, sampleRate: this.config.sampleRate, chunkFrames: this.chunkFrames });
    }
    const chunkBytes = this.chunkFrames * this.channels * 4;
    const budget = Math.min(this.config.cacheSizeMb, this.config.maxMemoryMb) * BYTES_PER_MB;
    // Every chunk buffer (cached or being read ahead) comes out of one budget of slots:
    // three at the least, so one can be read while the next is loaded.
    this.cacheChunks = Math.max(3, Math.floor(budget / chunkBytes));
    this.#maxInflight = Math.min(this.#readAhead, Math.floor(this.cacheChunks / 3));
    this.#size = this.#spill.totalFrames();
  }

  /**
   * Reopens a spill file after a crash or a clean close: every record that was flushed and
   * checks out is recovered; `recovery` says what was found and what was lost.
   */
  static open(path: string, config: BufferConfigInput = {}, options: Omit<StreamingBufferOptions, 'path'> = {}): StreamingBuffer {
    return new StreamingBuffer(config, { ...options, path }, SpillFile.open(path));
  }

  /**
   * Opens a WAV file as a read-only streaming buffer: chunks of `chunkSize` frames are
   * read and decoded on demand (sequential reads load ahead), so a file of any size is
   * read within the cache. `write` and `flush` get `ERR_UNSUPPORTED_OPERATION`.
   * @throws {WavFormatError} for a file that is not a readable WAV; {@link FileError} when it cannot be opened.
   */
  static async openWav(path: string, config: BufferConfigInput = {}, options: Omit<StreamingBufferOptions, 'path' | 'keep'> = {}): Promise<StreamingBuffer> {
    const chunkFrames = resolveConfig(config).chunkSize;
    const store = await WavChunkStore.open(path, chunkFrames);
    return new StreamingBuffer({ ...config, channels: store.channels, sampleRate: store.sampleRate }, { ...options, keep: true }, store);
  }

  /** The WAV header when the buffer was opened over a WAV file. */
  get wavInfo(): WavInfo | undefined {
    return this.#spill instanceof WavChunkStore ? this.#spill.info : undefined;
  }

  /** Sample rate of the data (from the file when opened over one). */
  get sampleRate(): number {
    return this.#spill.sampleRate;
  }

  /** What reopening found (all zeros for a new file). */
  get recovery(): SpillRecovery {
    return this.#spill.recovery;
  }

  /** The spill file's path. */
  get path(): string {
    return this.#spill.path;
  }

  /** Writes at the position (overwriting, extending past the end); returns frames written. */
  write(data: AudioData): number {
    const c = this.#counters;
    const timed = (c[Counter.WRITES]! & TIMING_SAMPLE_MASK) === 0;
    const t0 = timed ? performance.now() : 0;
    if (this.#gate !== Gate.OPEN) throw this.#fail(gateError(this.#gate, this.#name));
    if (!this.#spill.writable) throw this.#fail(new UnsupportedOperationError(`${this.#name} was opened read-only over ${this.#spill.path}`));
    const frames = this.#framesOf(data);
    const ch = this.channels;
    let done = 0;
    try {
      while (done < frames) {
        const at = this.#position + done;
        const index = Math.floor(at / this.chunkFrames);
        const offset = at - index * this.chunkFrames;
        const n = Math.min(frames - done, this.chunkFrames - offset);
        // A write covering the whole stored part of a chunk need not load it first.
        const chunk = this.#chunk(index, offset === 0 && n >= this.#storedFrames(index));
        if (data instanceof Float32Array) chunk.data.set(data.subarray(done * ch, (done + n) * ch), offset * ch);
        else interleaveInto(data, chunk.data, offset * ch, done, n);
        chunk.frames = Math.max(chunk.frames, offset + n);
        chunk.dirty = true;
        done += n;
      }
    } catch (error) {
      // An I/O failure part-way: what was copied stays (chunks are whole), position moves by it.
      this.#position += done;
      this.#size = Math.max(this.#size, this.#position);
      throw this.#fail(error as AvbufError);
    }
    this.#position += frames;
    if (this.#position > this.#size) this.#size = this.#position;
    c[Counter.WRITES]! += 1;
    c[Counter.BYTES_WRITTEN]! += frames * ch * 4;
    if (timed) {
      c[Counter.WRITE_TIME_MS]! += performance.now() - t0;
      c[Counter.WRITES_TIMED]! += 1;
    }
    return frames;
  }

  /** Reads up to `frames` frames (default: to the end) into a new array. */
  read(frames?: number): Float32Array {
    if (frames !== undefined && (typeof frames !== 'number' || !Number.isInteger(frames) || frames < 0)) {
      throw this.#fail(new ArgumentError(`frames must be a whole number >= 0, got ${show(frames)}`));
    }
    if (this.#gate !== Gate.OPEN) throw this.#fail(gateError(this.#gate, this.#name));
    const n = Math.min(frames ?? this.#size - this.#position, this.#size - this.#position);
    const out = new Float32Array(n * this.channels);
    this.readInto(out);
    return out;
  }

  /** Reads into `target` (interleaved or planar) without allocating; returns frames read. */
  readInto(target: AudioData): number {
    const c = this.#counters;
    const timed = (c[Counter.READS]! & TIMING_SAMPLE_MASK) === 0;
    const t0 = timed ? performance.now() : 0;
    if (this.#gate !== Gate.OPEN) throw this.#fail(gateError(this.#gate, this.#name));
    const room = this.#framesOf(target);
    const ch = this.channels;
    const total = Math.min(room, this.#size - this.#position);
    let done = 0;
    try {
      while (done < total) {
        const at = this.#position + done;
        const index = Math.floor(at / this.chunkFrames);
        const offset = at - index * this.chunkFrames;
        const n = Math.min(total - done, this.chunkFrames - offset);
        const chunk = this.#chunk(index, false);
        if (target instanceof Float32Array) target.set(chunk.data.subarray(offset * ch, (offset + n) * ch), done * ch);
        else deinterleaveInto(chunk.data, offset * ch, target, n, done);
        if (index === this.#lastChunkRead + 1) this.#prefetch(index + 1);
        this.#lastChunkRead = index;
        done += n;
      }
    } catch (error) {
      throw this.#fail(error as AvbufError);
    }
    this.#position += total;
    c[Counter.READS]! += 1;
    c[Counter.BYTES_READ]! += total * ch * 4;
    if (timed) {
      c[Counter.READ_TIME_MS]! += performance.now() - t0;
      c[Counter.READS_TIMED]! += 1;
    }
    return total;
  }

  /**
   * Reads from the position into `target` without blocking the thread; the position moves
   * at the call, so several reads can be in flight at once (a pipeline) and they return
   * consecutive frames. Chunks in the cache are copied from it (they may hold unflushed
   * writes); the rest is read from the file straight into `target` when the store can
   * (a WAV file), without going through the cache: a long sequential pass does not push
   * out what the cache holds.
   * @returns (resolves to) frames read.
   */
  async readAsync(target: Float32Array): Promise<number> {
    if (this.#gate !== Gate.OPEN) throw this.#fail(gateError(this.#gate, this.#name));
    const room = this.#framesOf(target);
    const ch = this.channels;
    const start = this.#position;
    const total = Math.min(room, this.#size - start);
    this.#position += total;
    const c = this.#counters;
    c[Counter.READS]! += 1;
    c[Counter.BYTES_READ]! += total * ch * 4;
    let done = 0;
    try {
      while (done < total) {
        const at = start + done;
        const index = Math.floor(at / this.chunkFrames);
        const offset = at - index * this.chunkFrames;
        const n = Math.min(total - done, this.chunkFrames - offset);
        const loading = this.#inflight.get(index);
        if (loading !== undefined) await loading;
        const cached = this.#cache.get(index);
        if (cached !== undefined) {
          c[Counter.CACHE_HITS]! += 1;
          target.set(cached.data.subarray(offset * ch, (offset + n) * ch), done * ch);
        } else {
          c[Counter.CACHE_MISSES]! += 1;
          if (this.#spill.readFramesAsync !== undefined) {
            await this.#spill.readFramesAsync(at, n, target.subarray(done * ch, (done + n) * ch));
          } else {
            const chunk = this.#chunk(index, false);
            target.set(chunk.data.subarray(offset * ch, (offset + n) * ch), done * ch);
          }
        }
        done += n;
      }
    } catch (error) {
      throw this.#fail(error as AvbufError);
    }
    return total;
  }

  /** Moves the position; any frame in `0..size()`. */
  seek(frame: number): void {
    if (this.#gate !== Gate.OPEN) throw this.#fail(gateError(this.#gate, this.#name));
    if (typeof frame !== 'number' || !Number.isInteger(frame) || frame < 0 || frame > this.#size) {
      throw this.#fail(new SeekError(`seek to ${show(frame)} is outside 0..${this.#size}`));
    }
    this.#position = frame;
  }

  tell(): number {
    if (this.#gate === Gate.CLOSED) throw this.#fail(gateError(this.#gate, this.#name));
    return this.#position;
  }

  size(): number {
    if (this.#gate === Gate.CLOSED) throw this.#fail(gateError(this.#gate, this.#name));
    return this.#size;
  }

  /**
   * Writes every dirty chunk to the spill file and syncs it to disk: after `flush()`
   * resolves, a crash loses nothing written before it. With `enableCompression` the chunks
   * are compressed in Piscina workers, which read them in place.
   */
  async flush(): Promise<void> {
    if (this.#released) throw this.#fail(gateError(Gate.CLOSED, this.#name));
    if (!this.#spill.writable) return; // nothing can be dirty
    const dirty = [...this.#cache].filter(([, chunk]) => chunk.dirty);
    if (this.config.enableCompression && dirty.length > 0) {
      const pool = await workerPool();
      const compressed = await Promise.all(
        dirty.map(([, chunk]) =>
          pool.run({
            buffer: chunk.data.buffer,
            byteOffset: chunk.data.byteOffset,
            byteLength: chunk.frames * this.channels * 4,
          }) as Promise<Uint8Array>,
        ),
      );
      this.#storeMany(dirty, compressed.map((bytes) => ({ bytes, enc: 'deflate' as const })));
    } else this.#storeMany(dirty);
    this.#spill.sync();
  }

  /** Flushes, frees the cache and closes the spill file (deleting it unless kept). Idempotent. */
  async close(): Promise<void> {
    if (this.#released) return;
    this.#gate = Gate.CLOSED;
    // Reads ahead still use the file descriptor: let them finish before it is closed.
    await Promise.allSettled(this.#inflight.values());
    try {
      if (this.#keep) await this.flush();
    } finally {
      this.#released = true;
      this.#cache.clear();
      this.#spare.length = 0;
      this.#account.release(this.#allocated * this.#chunkBytes);
      this.#allocated = 0;
      this.#counters[Counter.MEMORY_BYTES] = 0;
      this.#spill.close();
      if (!this.#keep) rmSync(this.#spill.path, { force: true });
    }
  }

  get closed(): boolean {
    return this.#released;
  }

  getMetrics(state?: BufferState): StreamingMetrics {
    let dirty = 0;
    for (const chunk of this.#cache.values()) if (chunk.dirty) dirty++;
    return {
      ...metricsFromCounters(
        this.#counters,
        BufferType.STREAMING,
        state ?? (this.#gate === Gate.CLOSED ? BufferState.CLOSED : BufferState.ACTIVE),
        this.#lastError,
      ),
      cachedChunks: this.#cache.size,
      cacheCapacityChunks: this.cacheChunks,
      dirtyChunks: dirty,
      spillBytes: this.#released ? 0 : this.#spill.size,
      spillWrites: this.#spill.writes,
      prefetches: this.#prefetches,
    };
  }

  /** @internal Set by the owning actor. */
  _setGate(gate: Gate): void {
    if (this.#gate !== Gate.CLOSED) this.#gate = gate;
  }

  /** @internal Counts an error raised on this buffer's behalf and returns it. */
  _recordError<E extends AvbufError>(error: E): E {
    return this.#fail(error);
  }

  get #chunkBytes(): number {
    return this.chunkFrames * this.channels * 4;
  }

  /** Frames of chunk `index` that exist (in the cache or on disk). */
  #storedFrames(index: number): number {
    return this.#cache.get(index)?.frames ?? this.#spill.framesOf(index);
  }

  /** The cached chunk `index`, loading it (unless `fresh`) on a miss. Moves it to most recent. */
  #chunk(index: number, fresh: boolean): CachedChunk {
    const c = this.#counters;
    if (this.#inflight.has(index)) this.#stale.add(index);
    const hit = this.#cache.get(index);
    if (hit !== undefined) {
      this.#cache.delete(index);
      this.#cache.set(index, hit);
      c[Counter.CACHE_HITS]! += 1;
      return hit;
    }
    c[Counter.CACHE_MISSES]! += 1;
    const data = this.#buffer();
    const chunk: CachedChunk = { data, frames: fresh ? 0 : this.#spill.read(index, data), dirty: false };
    this.#insert(index, chunk);
    return chunk;
  }

  #insert(index: number, chunk: CachedChunk): void {
    this.#cache.set(index, chunk);
  }

  /**
   * Write-behind: writes the least recently used dirty chunks, oldest first, in one batch of
   * about {@link WRITE_BATCH_BYTES} (always at least the oldest). They stay cached, clean.
   */
  #writeBack(): void {
    const batch: Array<[number, CachedChunk]> = [];
    let bytes = 0;
    for (const entry of this.#cache) {
      if (!entry[1].dirty) continue;
      batch.push(entry);
      bytes += entry[1].frames * this.channels * 4;
      if (bytes >= WRITE_BATCH_BYTES) break;
    }
    this.#storeMany(batch);
  }

  /** Writes chunks in one write call when the store can (compressing them here when asked). */
  #storeMany(batch: ReadonlyArray<readonly [number, CachedChunk]>, payloads?: ReadonlyArray<Parameters<ChunkStore['write']>[3]>): void {
    if (this.#spill.writeMany === undefined) {
      batch.forEach(([index, chunk], i) => this.#store(index, chunk, payloads?.[i]));
      return;
    }
    // Groups of about WRITE_BATCH_BYTES: large writes, without assembling a whole cache in one buffer.
    for (let start = 0; start < batch.length; ) {
      const group: SpillRecord[] = [];
      let bytes = 0;
      let i = start;
      for (; i < batch.length && (group.length === 0 || bytes < WRITE_BATCH_BYTES); i++) {
        const [index, chunk] = batch[i]!;
        const payload = payloads?.[i] ?? this.#compressInline(chunk);
        group.push({ chunk: index, data: chunk.data, frames: chunk.frames, ...(payload ? { payload } : {}) });
        bytes += payload?.bytes.length ?? chunk.frames * this.channels * 4;
      }
      this.#spill.writeMany(group);
      for (let k = start; k < i; k++) batch[k]![1].dirty = false;
      start = i;
    }
  }

  #compressInline(chunk: CachedChunk): Parameters<ChunkStore['write']>[3] {
    if (!this.config.enableCompression) return undefined;
    return { bytes: deflateChunk(new Uint8Array(chunk.data.buffer, chunk.data.byteOffset, chunk.frames * this.channels * 4)), enc: 'deflate' };
  }

  /**
   * Writes a chunk to the spill file. `flush()` passes payloads compressed in workers; a
   * chunk pushed out of the cache by a synchronous call is compressed right here (zlib at
   * level 1), since its buffer is needed back at once.
   */
  #store(index: number, chunk: CachedChunk, payload?: Parameters<ChunkStore['write']>[3]): void {
    this.#spill.write(index, chunk.data, chunk.frames, payload ?? this.#compressInline(chunk));
    chunk.dirty = false;
  }

  /**
   * A chunk buffer: a spare one, a new one while under the budget, or the least recently
   * used cached chunk's (written to the spill file first when dirty: the write-behind).
   */
  #buffer(): Float32Array {
    const spare = this.#spare.pop();
    if (spare !== undefined) return spare;
    if (this.#allocated < this.cacheChunks || this.#cache.size === 0) {
      this.#account.reserve(this.#chunkBytes);
      this.#allocated++;
      this.#counters[Counter.MEMORY_BYTES] = this.#allocated * this.#chunkBytes;
      return new Float32Array(new SharedArrayBuffer(this.#chunkBytes));
    }
    const [oldest, victim] = this.#cache.entries().next().value as [number, CachedChunk];
    if (victim.dirty) this.#writeBack();
    this.#cache.delete(oldest);
    return victim.data;
  }

  /** Loads the chunks after `from` ahead of a sequential reader, asynchronously. */
  #prefetch(from: number): void {
    for (let index = from; index < from + this.#readAhead; index++) {
      if (index * this.chunkFrames >= this.#size || this.#cache.has(index) || this.#inflight.has(index)) continue;
      if (this.#spill.framesOf(index) === 0) continue;
      if (this.#inflight.size >= this.#maxInflight) return;
      this.#prefetches++;
      const data = this.#buffer();
      const loading = this.#spill.readAsync(index, data).then(
        (frames) => {
          this.#inflight.delete(index);
          // A write or a load may have touched the chunk meanwhile (and it may even have been
          // written back and evicted since): then this copy may be older and is dropped.
          const stale = this.#stale.delete(index);
          if (this.#released || stale || this.#cache.has(index)) this.#spare.push(data);
          else this.#insert(index, { data, frames, dirty: false });
        },
        () => {
          // A failed read-ahead is not an error: the reader loads the chunk itself and sees any failure.
          this.#inflight.delete(index);
          this.#stale.delete(index);
          this.#spare.push(data);
        },
      );
      this.#inflight.set(index, loading);
    }
  }

  /** Frames of `data` (interleaved or planar), or the counted AudioDataError. */
  #framesOf(data: AudioData): number {
    try {
      return framesOf(data, this.channels);
    } catch (error) {
      throw this.#fail(error as AudioDataError);
    }
  }

  #fail<E extends AvbufError>(error: E): E {
    return recordError(this.#counters, this.#lastError, error);
  }
}
