/**
 * StreamingBuffer: a disk-backed buffer for audio far larger than memory. Frames live in
 * chunks of `chunkSize` frames in a spill file (or, read-only, a WAV file); a chunk cache
 * bounded by `cacheSizeMb` (and `maxMemoryMb`) holds the chunks in use, writes back dirty
 * ones as it evicts them and reads ahead of sequential reads (chunkCache.ts).
 *
 * The data calls are synchronous like every buffer's: a hit is a copy, a miss a positioned
 * read of one chunk. Chunk storage is SharedArrayBuffer-backed so Piscina workers can read
 * it in place (compression on flush) without a copy.
 */
import { randomUUID } from 'node:crypto';
import { rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BYTES_PER_MB, resolveConfig, type BufferConfig, type BufferConfigInput } from '../core/config.js';
import { checkNumber } from '../core/validate.js';
import { UnsupportedOperationError, type AudioDataError, type AvbufError } from '../core/errors.js';
import { deinterleaveInto, framesOf, interleaveInto, type AudioData } from '../core/frames.js';
import { Counter, TIMING_SAMPLE_MASK } from '../core/metrics.js';
import { BufferType, Gate, type BufferMetrics, type BufferState } from '../core/types.js';
import type { MemoryAccount } from '../core/budget.js';
import { workerPool } from '../workers/pool.js';
import { ChunkCache } from './chunkCache.js';
import { ChunkSpan } from './chunkSpan.js';
import { PositionedBuffer } from './positionedBuffer.js';
import { SpillFile, type ChunkStore, type SpillRecovery } from './spill.js';
import { WavChunkStore } from './wavStore.js';
import type { ChunkPayload } from './writeBack.js';
import type { WavInfo } from '../formats/wavHeader.js';

/** Options of a {@link StreamingBuffer} beyond its config. */
export interface StreamingBufferOptions {
  /** Spill file. Default: a new file in the OS temp folder, deleted on close. */
  path?: string;
  /** Keep the spill file on close. Default: true when `path` is given. */
  keep?: boolean;
  /** The Python API's `estimated_size` in frames (docs/migrating-from-python.md): a hint, nothing is allocated for it. */
  estimatedSize?: number;
  /** Chunks loaded ahead of sequential reads. Default 2. */
  readAhead?: number;
  /** Who accounts for the cache memory; the manager passes its budget. */
  account?: MemoryAccount;
  /** A name for error messages. */
  name?: string;
}

/** A streaming buffer's figures: every buffer's metrics, plus the cache and the spill file. */
export interface StreamingMetrics extends BufferMetrics {
  readonly cachedChunks: number;
  readonly cacheCapacityChunks: number;
  readonly dirtyChunks: number;
  readonly spillBytes: number;
  /** Write calls to the spill file: `spillBytes / spillWrites` is the write size. */
  readonly spillWrites: number;
  readonly prefetches: number;
}

const FRAMES_RULE = { min: 0, integer: true, kind: 'argument' } as const;

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
export class StreamingBuffer extends PositionedBuffer {
  readonly config: Readonly<BufferConfig>;
  readonly channels: number;
  readonly chunkFrames: number;
  /** Chunk buffers the buffer may hold, cached or being read ahead: the memory bound. */
  readonly cacheChunks: number;
  readonly #store: ChunkStore;
  readonly #keep: boolean;
  readonly #cache: ChunkCache;

  /**
   * @throws {ConfigError}; {@link FileError} when the spill file cannot be made or opened
   *   (`ERR_SPILL_CORRUPT` for a damaged one); {@link ArgumentError} on bad options.
   */
  constructor(config: BufferConfigInput = {}, options: StreamingBufferOptions = {}, _open?: ChunkStore) {
    super(options.name ?? 'streaming buffer');
    this.config = resolveConfig(config);
    const readAhead = checkNumber('readAhead', options.readAhead ?? 2, { min: 0, integer: true, kind: 'argument' });
    if (_open !== undefined) {
      this.#store = _open;
      this.channels = _open.channels;
      this.chunkFrames = _open.chunkFrames;
      this.#keep = options.keep ?? true;
    } else {
      this.channels = this.config.channels;
      this.chunkFrames = this.config.chunkSize;
      this.#keep = options.keep ?? options.path !== undefined;
      const path = options.path ?? join(tmpdir(), `avbuf-spill-${randomUUID()}.avsp`);
      this.#store = SpillFile.create(path, { channels: this.channels, sampleRate: this.config.sampleRate, chunkFrames: this.chunkFrames });
    }
    this.#cache = new ChunkCache(this.#store, {
      budgetBytes: Math.min(this.config.cacheSizeMb, this.config.maxMemoryMb) * BYTES_PER_MB,
      readAhead,
      account: options.account,
      counters: this._counters,
      compress: this.config.enableCompression,
    });
    this.cacheChunks = this.#cache.capacity;
    this._size = this.#store.totalFrames();
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
   * read within the cache. `write` gets `ERR_UNSUPPORTED_OPERATION`; `flush` has nothing to write.
   * @throws {WavFormatError} for a file that is not a readable WAV; {@link FileError} when it cannot be opened.
   */
  static async openWav(path: string, config: BufferConfigInput = {}, options: Omit<StreamingBufferOptions, 'path' | 'keep'> = {}): Promise<StreamingBuffer> {
    const chunkFrames = resolveConfig(config).chunkSize;
    const store = await WavChunkStore.open(path, chunkFrames);
    return new StreamingBuffer({ ...config, channels: store.channels, sampleRate: store.sampleRate }, { ...options, keep: true }, store);
  }

  /** The WAV header when the buffer was opened over a WAV file. */
  get wavInfo(): WavInfo | undefined {
    return this.#store instanceof WavChunkStore ? this.#store.info : undefined;
  }

  /** Sample rate of the data (from the file when opened over one). */
  get sampleRate(): number {
    return this.#store.sampleRate;
  }

  /** What reopening found (all zeros for a new file). */
  get recovery(): SpillRecovery {
    return this.#store.recovery;
  }

  /** The spill file's path. */
  get path(): string {
    return this.#store.path;
  }

  /** Writes at the position (overwriting, extending past the end); returns frames written. */
  write(data: AudioData): number {
    const c = this._counters;
    const timed = (c[Counter.WRITES]! & TIMING_SAMPLE_MASK) === 0;
    const t0 = timed ? performance.now() : 0;
    if (this._gate !== Gate.OPEN) throw this._refused();
    if (!this.#store.writable) throw this._recordError(new UnsupportedOperationError(`${this._name} was opened read-only over ${this.#store.path}`));
    const frames = this.#framesOf(data);
    const ch = this.channels;
    const span = new ChunkSpan(this.chunkFrames, this._position, frames);
    try {
      while (span.next()) {
        const { index, offset, frames: n, done } = span;
        // A write covering the whole stored part of a chunk need not load it first.
        const chunk = this.#cache.chunk(index, offset === 0 && n >= this.#cache.storedFrames(index));
        if (data instanceof Float32Array) chunk.data.set(data.subarray(done * ch, (done + n) * ch), offset * ch);
        else interleaveInto(data, chunk.data, offset * ch, done, n);
        chunk.frames = Math.max(chunk.frames, offset + n);
        chunk.dirty = true;
      }
    } catch (error) {
      // An I/O failure part-way: what was copied stays (chunks are whole), position moves by it.
      this._position += span.done;
      this._size = Math.max(this._size, this._position);
      throw this._recordError(error as AvbufError);
    }
    this._position += frames;
    if (this._position > this._size) this._size = this._position;
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
    if (frames !== undefined) this._checkArgument('frames', frames, FRAMES_RULE);
    if (this._gate !== Gate.OPEN) throw this._refused();
    const left = this._size - this._position;
    const out = new Float32Array(Math.min(frames ?? left, left) * this.channels);
    this.readInto(out);
    return out;
  }

  /** Reads into `target` (interleaved or planar) without allocating; returns frames read. */
  readInto(target: AudioData): number {
    const c = this._counters;
    const timed = (c[Counter.READS]! & TIMING_SAMPLE_MASK) === 0;
    const t0 = timed ? performance.now() : 0;
    if (this._gate !== Gate.OPEN) throw this._refused();
    const room = this.#framesOf(target);
    const ch = this.channels;
    const total = Math.min(room, this._size - this._position);
    try {
      for (const span = new ChunkSpan(this.chunkFrames, this._position, total); span.next(); ) {
        const { index, offset, frames: n, done } = span;
        const chunk = this.#cache.chunk(index, false);
        if (target instanceof Float32Array) target.set(chunk.data.subarray(offset * ch, (offset + n) * ch), done * ch);
        else deinterleaveInto(chunk.data, offset * ch, target, n, done);
        this.#cache.readAfter(index, this._size);
      }
    } catch (error) {
      throw this._recordError(error as AvbufError);
    }
    this._position += total;
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
    if (this._gate !== Gate.OPEN) throw this._refused();
    const room = this.#framesOf(target);
    const ch = this.channels;
    const store = this.#store;
    const start = this._position;
    const total = Math.min(room, this._size - start);
    this._position += total;
    const c = this._counters;
    c[Counter.READS]! += 1;
    c[Counter.BYTES_READ]! += total * ch * 4;
    try {
      for (const span = new ChunkSpan(this.chunkFrames, start, total); span.next(); ) {
        const loading = this.#cache.loading(span.index);
        if (loading !== undefined) await loading;
        const { index, offset, frames: n, done } = span;
        if (store.readFramesAsync === undefined) {
          target.set(this.#cache.chunk(index, false).data.subarray(offset * ch, (offset + n) * ch), done * ch);
          continue;
        }
        const cached = this.#cache.peek(index);
        if (cached !== undefined) target.set(cached.data.subarray(offset * ch, (offset + n) * ch), done * ch);
        else await store.readFramesAsync(span.at, n, target.subarray(done * ch, (done + n) * ch));
      }
    } catch (error) {
      throw this._recordError(error as AvbufError);
    }
    return total;
  }

  /**
   * Writes every dirty chunk to the spill file and syncs it to disk: after `flush()`
   * resolves, a crash loses nothing written before it. With `enableCompression` the chunks
   * are compressed in Piscina workers, which read them in place.
   */
  async flush(): Promise<void> {
    if (this._released) throw this._refused();
    if (!this.#store.writable) return; // nothing can be dirty
    const dirty = this.#cache.dirty();
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
      this.#cache.writeBack(dirty, compressed.map((bytes): ChunkPayload => ({ bytes, enc: 'deflate' })));
    } else this.#cache.writeBack(dirty);
    this.#store.sync();
  }

  /** Flushes, frees the cache and closes the spill file (deleting it unless kept). Idempotent. */
  async close(): Promise<void> {
    if (this._released) return;
    this._gate = Gate.CLOSED;
    // Reads ahead still use the file descriptor: let them finish before it is closed.
    await this.#cache.settle();
    try {
      if (this.#keep) await this.flush();
    } finally {
      this._released = true;
      this.#cache.clear();
      this.#store.close();
      if (!this.#keep) rmSync(this.#store.path, { force: true });
    }
  }

  getMetrics(state?: BufferState): StreamingMetrics {
    return {
      ...this._metrics(BufferType.STREAMING, state),
      cachedChunks: this.#cache.size,
      cacheCapacityChunks: this.#cache.capacity,
      dirtyChunks: this.#cache.dirtyCount,
      spillBytes: this._released ? 0 : this.#store.size,
      spillWrites: this.#store.writes,
      prefetches: this.#cache.prefetches,
    };
  }

  /** Frames of `data` (interleaved or planar), or the counted AudioDataError. */
  #framesOf(data: AudioData): number {
    try {
      return framesOf(data, this.channels);
    } catch (error) {
      throw this._recordError(error as AudioDataError);
    }
  }
}
