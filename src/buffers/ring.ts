/**
 * RingBuffer: a wait-free single-producer/single-consumer ring of interleaved Float32
 * frames in SharedArrayBuffers, usable from two threads at once.
 *
 * Layout and why:
 * - Capacity is a power of two in frames, so a position is `index & mask`.
 * - The write and read indices are free-running int32 frame counters (they wrap at 2^32;
 *   `(w - r) | 0` is the fill as long as the capacity is below 2^31 frames). Each sits on
 *   its own 64-byte line so the two threads never write the same cache line.
 * - Each side caches the other side's index and reloads it only when the cached value
 *   says the ring is full (producer) or empty (consumer): most calls touch no line the
 *   other thread writes.
 * - Data moves with `TypedArray.set`, at most two copies per call (at the wrap).
 * - Indices are published with `Atomics.store` after the data is copied and observed with
 *   `Atomics.load` before it is read, which orders the data under the JS memory model.
 * - Under the overwrite policy the producer may move the read index (to drop the oldest
 *   frames) before it overwrites them; the consumer then commits its read with
 *   compare-and-swap and discards a copy that lost the race, so it never returns a torn
 *   or duplicated frame.
 *
 * Busy polling collapses when two cores are shared (measured here: pure spinning ranged
 * from 0.06 to 1.26 G floats/s with other work on the cores, docs/benchmarks.md), so
 * blocking calls spin briefly and then sleep with `Atomics.wait`.
 */
import { unlimitedAccount, type MemoryAccount } from '../core/budget.js';
import type { AudioChunk } from '../core/chunk.js';
import { BYTES_PER_MB, resolveConfig, type BufferConfig, type BufferConfigInput } from '../core/config.js';
import { checkNumber, checkOneOf, show, type NumberRule } from '../core/validate.js';
import {
  AbortError,
  BufferStateError,
  CapacityError,
  ErrorCode,
  HandleError,
  RingOverflowError,
  RingRoleError,
  UnsupportedOperationError,
  type AudioDataError,
  type AvbufError,
} from '../core/errors.js';
import { deinterleaveInto, framesOf, interleaveInto, type AudioData } from '../core/frames.js';
import { TIMING_SAMPLE_MASK, type ErrorRecord } from '../core/metrics.js';
import { BufferType, Gate, type BufferMetrics, type BufferState } from '../core/types.js';
import { GatedBuffer } from './gate.js';
import { ringChunks, type ChunksOptions } from './iterateChunks.js';

/** What a write does when the ring has no room for all of it. */
export type OverflowPolicy = 'reject' | 'overwrite' | 'error';

/** Options of a {@link RingBuffer} beyond its config. */
export interface RingBufferOptions {
  /** Capacity in frames, rounded up to a power of two. Default: `config.bufferSize`, rounded up. */
  capacity?: number;
  /**
   * When a write does not fit: `'reject'` writes what fits and returns the count (default);
   * `'overwrite'` drops the oldest frames to make room (GStreamer's leaky-downstream);
   * `'error'` writes nothing and throws `ERR_RING_OVERFLOW`.
   */
  overflow?: OverflowPolicy;
  /** Who accounts for the storage; the manager passes its budget. */
  account?: MemoryAccount;
  /** A name for error messages. */
  name?: string;
  /** Checks a blocking call spins before it sleeps (this end). Default 256; see docs/benchmarks.md. */
  spinChecks?: number;
}

/** What `share()` returns: plain data that `postMessage` can send to a worker. */
export interface RingHandle {
  readonly kind: typeof HANDLE_KIND;
  readonly data: SharedArrayBuffer;
  readonly control: SharedArrayBuffer;
  readonly counters: SharedArrayBuffer;
  readonly channels: number;
  readonly capacity: number;
  readonly sampleRate: number;
  readonly overflow: OverflowPolicy;
  readonly name: string;
}

/** Options of {@link attachRing}. */
export interface AttachOptions {
  /** Claim a role at once (otherwise the first write claims producer, the first read consumer). */
  role?: RingRole;
  /** Checks a blocking call spins before it sleeps (this end). Default 256. */
  spinChecks?: number;
}

export type RingRole = 'producer' | 'consumer';

/** Options of the promise-based waits. */
export interface RingWaitOptions {
  /** Give up after this many milliseconds, resolving with what moved so far. Default: no limit. */
  timeoutMs?: number;
  /** Give up when aborted, rejecting with `ERR_ABORTED`. */
  signal?: AbortSignal;
}

/** A ring's figures: every buffer's metrics plus fill, underruns, overruns and drops. */
export interface RingMetrics extends BufferMetrics {
  readonly capacity: number;
  readonly availableRead: number;
  readonly availableWrite: number;
  /** Frames written into the ring since creation. */
  readonly framesWritten: number;
  /** Frames read out of the ring since creation. */
  readonly framesRead: number;
  /** Read calls that returned fewer frames than asked. */
  readonly underruns: number;
  /** Write calls that could not store all their frames at once. */
  readonly overruns: number;
  /** Frames dropped by the overwrite policy (oldest first). */
  readonly droppedFrames: number;
  /** Frames discarded by `reset()`. */
  readonly flushedFrames: number;
}

const HANDLE_KIND = 'avbuf.ring/1';
const BYTES_PER_SAMPLE = Float32Array.BYTES_PER_ELEMENT;
const POLICIES: readonly OverflowPolicy[] = ['reject', 'overwrite', 'error'];
const ROLES: readonly RingRole[] = ['producer', 'consumer'];
const FRAMES_RULE = { min: 0, integer: true, kind: 'argument' } as const;
const TIMEOUT_RULE = { min: 0, infinite: true, kind: 'argument' } as const;

// Control block: int32 slots, each written by one side, each on its own 64-byte line.
const W = 0; // write index (producer)
const R = 16; // read index (consumer; the producer too under 'overwrite')
const CONSUMER_WAITING = 32;
const PRODUCER_WAITING = 48;
const FLAGS = 64;
const PRODUCER_ID = 80;
const CONSUMER_ID = 96;
const CONTROL_INTS = 112;
const FLAG_CLOSED = 1;

// Counters: producer's on one line, consumer's on another (each has one writer).
const P = 0;
const C = 16;
const WRITES = P + 0;
const BYTES_WRITTEN = P + 1;
const WRITE_TIME_MS = P + 2;
const WRITES_TIMED = P + 3;
const OVERRUNS = P + 4;
const DROPPED = P + 5;
const FRAMES_WRITTEN = P + 6;
const P_ERRORS = P + 7;
const READS = C + 0;
const BYTES_READ = C + 1;
const READ_TIME_MS = C + 2;
const READS_TIMED = C + 3;
const UNDERRUNS = C + 4;
const FLUSHED = C + 5;
const FRAMES_READ = C + 6;
const C_ERRORS = C + 7;
const COUNTER_SLOTS = 32;

/**
 * Spin checks before a blocking call sleeps. Long enough to ride out the gap between two
 * chunks of a busy producer, short enough not to starve it when both threads share a core
 * (measured here: pure spinning was 17× slower with the cores shared). Measured at
 * 128-frame chunks, 2^26 floats: 32 and 256 checks ≈ 0.7–0.9 G floats/s; 1024 checks and
 * an adaptive budget (doubling on success, up to 16384) fell to 0.25–0.55 G: a spinning
 * reader keeps pulling the index line the writer is storing to.
 */
const DEFAULT_SPIN_CHECKS = 256;

const canBlock = (() => {
  try {
    // Node allows Atomics.wait on the main thread too; some embedders do not.
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 1, 0);
    return true;
  } catch {
    return false;
  }
})();

let nextEndpoint = 1;
function endpointId(): number {
  // Unique across threads with overwhelming probability: 20 random bits and a local counter.
  return (((Math.random() * 0x7ff) | 0) << 20) + (nextEndpoint++ & 0xfffff) + 1;
}

function nextPowerOfTwo(n: number): number {
  return n <= 1 ? 1 : 2 ** Math.ceil(Math.log2(n));
}

/**
 * A wait-free SPSC ring buffer shared between threads.
 *
 * @example
 * // main thread
 * const ring = new RingBuffer({ channels: 2 }, { capacity: 32768 });
 * worker.postMessage(ring.share());
 * const out = new Float32Array(256);
 * const frames = await ring.readAsync(out);
 *
 * // worker
 * const ring = attachRing(handle, { role: 'producer' });
 * ring.writeBlocking(chunk, 1000);
 */
export class RingBuffer extends GatedBuffer {
  readonly config: Readonly<BufferConfig>;
  readonly channels: number;
  /** Capacity in frames (a power of two). */
  readonly capacity: number;
  readonly overflow: OverflowPolicy;
  readonly #mask: number;
  readonly #data: Float32Array;
  readonly #ctrl: Int32Array;
  readonly #c: Float64Array;
  readonly #handle: RingHandle;
  readonly #owner: boolean;
  readonly #account: MemoryAccount;
  readonly #id = endpointId();
  readonly #lastError: ErrorRecord = { message: null, code: null };
  #role: RingRole | null = null;
  /** Producer: its own write index and the last read index it saw. */
  #w = 0;
  #cachedR = 0;
  /** Consumer: its own read index (exact unless 'overwrite') and the last write index it saw. */
  #r = 0;
  #cachedW = 0;
  readonly #spinChecks: number;

  /**
   * @throws {ConfigError} on a bad config; {@link ArgumentError} on bad options;
   *   {@link CapacityError} beyond `maxMemoryMb`; {@link MemoryPressureError} when refused.
   */
  constructor(config: BufferConfigInput = {}, options: RingBufferOptions = {}, _attach?: RingHandle) {
    super(_attach?.name ?? options.name ?? 'ring buffer');
    this.#spinChecks = checkNumber('spinChecks', options.spinChecks ?? DEFAULT_SPIN_CHECKS, { min: 0, integer: true, kind: 'argument' });
    if (_attach !== undefined) {
      this.config = resolveConfig({ channels: _attach.channels, sampleRate: _attach.sampleRate });
      this.channels = _attach.channels;
      this.capacity = _attach.capacity;
      this.overflow = _attach.overflow;
      this.#data = new Float32Array(_attach.data);
      this.#ctrl = new Int32Array(_attach.control);
      this.#c = new Float64Array(_attach.counters);
      this.#handle = _attach;
      this.#owner = false;
      this.#account = unlimitedAccount;
      this.#mask = this.capacity - 1;
      return;
    }
    this.config = resolveConfig(config);
    this.channels = this.config.channels;
    this.overflow = checkOneOf('overflow', options.overflow ?? 'reject', POLICIES, 'argument');
    const asked = checkNumber('capacity', options.capacity ?? this.config.bufferSize, { min: 1, integer: true, kind: 'argument' });
    this.capacity = nextPowerOfTwo(asked);
    const bytes = this.capacity * this.channels * BYTES_PER_SAMPLE;
    if (this.capacity > 2 ** 30 || bytes > this.config.maxMemoryMb * BYTES_PER_MB) {
      throw new CapacityError(
        `a ring of ${this.capacity} frames × ${this.channels} channels needs ${(bytes / BYTES_PER_MB).toFixed(2)} MB, over maxMemoryMb ${this.config.maxMemoryMb}`,
      );
    }
    this.#account = options.account ?? unlimitedAccount;
    this.#account.reserve(bytes);
    this.#owner = true;
    this.#data = new Float32Array(new SharedArrayBuffer(bytes));
    this.#ctrl = new Int32Array(new SharedArrayBuffer(CONTROL_INTS * 4));
    this.#c = new Float64Array(new SharedArrayBuffer(COUNTER_SLOTS * 8));
    this.#handle = Object.freeze({
      kind: HANDLE_KIND,
      data: this.#data.buffer as SharedArrayBuffer,
      control: this.#ctrl.buffer as SharedArrayBuffer,
      counters: this.#c.buffer as SharedArrayBuffer,
      channels: this.channels,
      capacity: this.capacity,
      sampleRate: this.config.sampleRate,
      overflow: this.overflow,
      name: this._name,
    });
    this.#mask = this.capacity - 1;
  }

  /** A handle to post to a worker; {@link attachRing} there gives the other end. */
  share(): RingHandle {
    if (this._gate === Gate.CLOSED) throw this.#failC(this._gateError());
    return this.#handle;
  }

  /** The role this end holds, once claimed. */
  get role(): RingRole | null {
    return this.#role;
  }

  /** Frames that can be read now. */
  availableRead(): number {
    return (Atomics.load(this.#ctrl, W) - Atomics.load(this.#ctrl, R)) | 0;
  }

  /** Frames that can be written now without overflow. */
  availableWrite(): number {
    return this.capacity - this.availableRead();
  }

  /** True once either end closed the ring: nothing more will be written. */
  get ended(): boolean {
    return (Atomics.load(this.#ctrl, FLAGS) & FLAG_CLOSED) !== 0;
  }

  /**
   * Writes frames; how much depends on the overflow policy. Never blocks.
   * @param data - interleaved Float32Array or one Float32Array per channel.
   * @returns frames stored (fewer than offered under `'reject'` when full).
   * @throws {AudioDataError} on bad data; {@link RingOverflowError} under `'error'` when it does not all fit;
   *   {@link RingRoleError} when another end is the producer; `ERR_BUFFER_CLOSED` once the ring ended.
   */
  write(data: AudioData): number {
    const c = this.#c;
    const timed = (c[WRITES]! & TIMING_SAMPLE_MASK) === 0;
    const t0 = timed ? performance.now() : 0;
    const frames = this.#beginWrite(data);
    const n = this.#put(data, 0, frames);
    if (n < frames && this.overflow === 'reject') c[OVERRUNS]! += 1;
    this.#countWrite(n);
    if (timed) {
      c[WRITE_TIME_MS]! += performance.now() - t0;
      c[WRITES_TIMED]! += 1;
    }
    return n;
  }

  /**
   * Reads up to `frames` frames (default: all there are) into a new array. Never blocks.
   */
  read(frames?: number): Float32Array {
    if (frames !== undefined) this.#check('frames', frames, FRAMES_RULE, C_ERRORS);
    const out = new Float32Array((frames ?? this.availableRead()) * this.channels);
    const n = this.readInto(out);
    return n * this.channels === out.length ? out : out.slice(0, n * this.channels);
  }

  /**
   * Reads as many frames as fit in `target` and are available, without allocating. Never blocks.
   * @param target - interleaved (a whole number of frames long) or one Float32Array per channel.
   * @returns frames read; 0 when empty. Under `'overwrite'` samples past the returned count are unspecified.
   */
  readInto(target: AudioData): number {
    const c = this.#c;
    const timed = (c[READS]! & TIMING_SAMPLE_MASK) === 0;
    const t0 = timed ? performance.now() : 0;
    const room = this.#beginRead(target);
    const n = this.#take(target, 0, room);
    this.#countRead(n, room);
    if (timed) {
      c[READ_TIME_MS]! += performance.now() - t0;
      c[READS_TIMED]! += 1;
    }
    return n;
  }

  /**
   * Consumer-side flush: discards every frame in the ring. Returns frames discarded.
   */
  reset(): number {
    if (this._gate !== Gate.OPEN) throw this.#failC(this._gateError());
    if (this.#role !== 'consumer') this.#claim('consumer');
    let flushed: number;
    for (;;) {
      const r = Atomics.load(this.#ctrl, R);
      const w = Atomics.load(this.#ctrl, W);
      if (Atomics.compareExchange(this.#ctrl, R, r, w) === r) {
        flushed = (w - r) | 0;
        this.#r = w;
        this.#cachedW = w;
        break;
      }
    }
    this.#c[FLUSHED]! += flushed;
    this.#wake(PRODUCER_WAITING, R);
    return flushed;
  }

  /**
   * Fills `target`, waiting for the producer: spins briefly, then sleeps with
   * `Atomics.wait`. Blocks the calling thread (use {@link readAsync} on an event loop).
   * Waiting is not an underrun; returning short (timeout, end of stream) is.
   * @param timeoutMs - most time to wait in all. Default: no limit.
   * @returns frames read: all of `target` unless the timeout passed or the ring ended.
   */
  readBlocking(target: AudioData, timeoutMs = Number.POSITIVE_INFINITY): number {
    this.#assertCanBlock(timeoutMs, C_ERRORS);
    const room = this.#beginRead(target);
    let done = this.#take(target, 0, room);
    if (done < room) {
      // The clock is read only when a wait is needed: it cost a third of a 128-frame call.
      const deadline = performance.now() + timeoutMs;
      while (done < room && this.#awaitData(deadline)) done += this.#take(target, done, room - done);
    }
    this.#countRead(done, room);
    return done;
  }

  /**
   * Writes all of `data`, waiting for room: spins briefly, then sleeps with `Atomics.wait`.
   * Under `'overwrite'` it never waits; under `'error'` it waits for room for the whole
   * chunk and throws `ERR_RING_OVERFLOW` if the timeout passes first. Blocks the calling thread.
   * Waiting for room is back-pressure, not an overrun; returning short is.
   * @returns frames written: all unless the timeout passed.
   */
  writeBlocking(data: AudioData, timeoutMs = Number.POSITIVE_INFINITY): number {
    this.#assertCanBlock(timeoutMs, P_ERRORS);
    const frames = this.#beginWrite(data);
    let done: number;
    if (this.overflow === 'reject') {
      done = this.#put(data, 0, frames);
      if (done < frames) {
        const deadline = performance.now() + timeoutMs; // only when a wait is needed
        while (done < frames && this.#awaitRoom(deadline, 1)) done += this.#put(data, done, frames - done);
        if (done < frames) this.#c[OVERRUNS]! += 1;
      }
    } else {
      if (this.overflow === 'error' && this.availableWrite() < frames) {
        const deadline = performance.now() + timeoutMs;
        while (this.availableWrite() < frames && frames <= this.capacity && this.#awaitRoom(deadline, frames));
      }
      done = this.#put(data, 0, frames);
    }
    this.#countWrite(done);
    return done;
  }

  /**
   * Fills `target` without blocking the event loop (sleeps with `Atomics.waitAsync`).
   * @returns (resolves to) frames read: all of `target` unless the timeout passed or the ring ended.
   */
  async readAsync(target: AudioData, options: RingWaitOptions = {}): Promise<number> {
    const { deadline, signal } = this.#waitOptions(options, C_ERRORS);
    const room = this.#beginRead(target);
    let done = this.#take(target, 0, room);
    while (done < room && (await this.#awaitAsync(true, deadline, signal, 1))) done += this.#take(target, done, room - done);
    this.#countRead(done, room);
    return done;
  }

  /**
   * Writes all of `data` without blocking the event loop, waiting for room (as {@link writeBlocking}).
   * @returns (resolves to) frames written: all unless the timeout passed.
   */
  async writeAsync(data: AudioData, options: RingWaitOptions = {}): Promise<number> {
    const { deadline, signal } = this.#waitOptions(options, P_ERRORS);
    const frames = this.#beginWrite(data);
    let done: number;
    if (this.overflow === 'reject') {
      done = this.#put(data, 0, frames);
      while (done < frames && (await this.#awaitAsync(false, deadline, signal, 1))) done += this.#put(data, done, frames - done);
      if (done < frames) this.#c[OVERRUNS]! += 1;
    } else {
      if (this.overflow === 'error') {
        while (this.availableWrite() < frames && frames <= this.capacity && (await this.#awaitAsync(false, deadline, signal, frames)));
      }
      done = this.#put(data, 0, frames);
    }
    this.#countWrite(done);
    return done;
  }

  /**
   * Iterates this end as the ring's consumer until the producer closes the ring and it is
   * drained, in chunks of up to `chunkFrames` frames (default 8192): a chunk holds what is
   * there (only an empty ring is waited on, without blocking the event loop). One block is
   * reused for every chunk: copy `chunk.data` to keep it. Positions count from the first
   * frame this iteration read. The iteration ends by closing this end, also when the loop is
   * left early, so a producer waiting for room wakes (with a short count) and its next write
   * fails with `ERR_BUFFER_CLOSED`, instead of waiting for ever.
   *
   * @example
   * worker.postMessage(ring.share()); // the worker produces, then closes its end
   * for await (const chunk of ring.chunks({ chunkFrames: 1024 })) play(chunk);
   *
   * @param options - `chunkFrames`.
   * @throws {ArgumentError} `ERR_INVALID_ARGUMENT` for a bad `chunkFrames`; `ERR_BUFFER_CLOSED` when this end
   *   is closed, {@link RingRoleError} when it is the producer (when iteration starts).
   */
  chunks(options?: ChunksOptions): AsyncGenerator<AudioChunk, void, undefined> {
    return ringChunks(this, options);
  }

  /**
   * `for await (const chunk of ring)`: {@link chunks} with 8192-frame chunks.
   *
   * @example
   * for await (const chunk of ring) total += chunk.frames;
   */
  [Symbol.asyncIterator](): AsyncGenerator<AudioChunk, void, undefined> {
    return this.chunks();
  }

  /** Rings have no position to move to. @throws {UnsupportedOperationError} always. */
  seek(frame: number): never {
    throw this.#failC(new UnsupportedOperationError(`${this._name}: a ring buffer cannot seek (asked for frame ${show(frame)})`));
  }

  /** Frames read out of the ring since it was created (the consumer's position in the stream). */
  tell(): number {
    if (this._gate === Gate.CLOSED) throw this.#failC(this._gateError());
    return this.#c[FRAMES_READ]!;
  }

  /** Frames held now (same as {@link availableRead}). */
  size(): number {
    if (this._gate === Gate.CLOSED) throw this.#failC(this._gateError());
    return this.availableRead();
  }

  /**
   * Closes this end and ends the stream: the other end's writes fail with
   * `ERR_BUFFER_CLOSED`, its reads drain what is left and then return 0, its waits wake.
   * The creating end frees the storage accounting. Idempotent.
   */
  close(): void {
    if (!this._markClosed()) return;
    Atomics.or(this.#ctrl, FLAGS, FLAG_CLOSED);
    // Wake sleepers on both indices: they see the flag and return.
    Atomics.notify(this.#ctrl, W);
    Atomics.notify(this.#ctrl, R);
    if (this.#role !== null) Atomics.compareExchange(this.#ctrl, this.#role === 'producer' ? PRODUCER_ID : CONSUMER_ID, this.#id, 0);
    if (this.#owner) this.#account.release(this.capacity * this.channels * BYTES_PER_SAMPLE);
  }

  /** Figures of both ends (the counters are shared); `lastError` is this end's. */
  getMetrics(state?: BufferState): RingMetrics {
    const c = this.#c;
    const available = this.availableRead();
    return {
      bufferType: BufferType.RING,
      state: this._metricsState(state),
      memoryUsageMb: this._released || !this.#owner ? 0 : (this.capacity * this.channels * BYTES_PER_SAMPLE) / BYTES_PER_MB,
      readCount: c[READS]!,
      writeCount: c[WRITES]!,
      bytesRead: c[BYTES_READ]!,
      bytesWritten: c[BYTES_WRITTEN]!,
      avgReadTimeMs: c[READS_TIMED]! > 0 ? c[READ_TIME_MS]! / c[READS_TIMED]! : 0,
      avgWriteTimeMs: c[WRITES_TIMED]! > 0 ? c[WRITE_TIME_MS]! / c[WRITES_TIMED]! : 0,
      cacheHitRate: 0, // a ring has no cache
      errorCount: c[P_ERRORS]! + c[C_ERRORS]!,
      lastError: this.#lastError.message,
      lastErrorCode: this.#lastError.code,
      capacity: this.capacity,
      availableRead: available,
      availableWrite: this.capacity - available,
      framesWritten: c[FRAMES_WRITTEN]!,
      framesRead: c[FRAMES_READ]!,
      underruns: c[UNDERRUNS]!,
      overruns: c[OVERRUNS]!,
      droppedFrames: c[DROPPED]!,
      flushedFrames: c[FLUSHED]!,
    };
  }

  /** @internal Counts an error raised on this ring's behalf and returns it. */
  override _recordError<E extends AvbufError>(error: E): E {
    return this.#role === 'producer' ? this.#failP(error) : this.#failC(error);
  }

  // ---- internals -------------------------------------------------------------------

  #claim(role: RingRole): void {
    const slot = role === 'producer' ? PRODUCER_ID : CONSUMER_ID;
    if (this.#role !== null) {
      throw this.#fail(
        new RingRoleError(role, `${this._name}: this end is the ${this.#role}; a ring end cannot also be the ${role}`),
        this.#role === 'producer' ? P_ERRORS : C_ERRORS,
      );
    }
    const holder = Atomics.compareExchange(this.#ctrl, slot, 0, this.#id);
    if (holder !== 0 && holder !== this.#id) {
      throw this.#fail(
        new RingRoleError(role, `${this._name} already has a ${role}; a ring has one producer and one consumer`),
        role === 'producer' ? P_ERRORS : C_ERRORS,
      );
    }
    this.#role = role;
    if (role === 'producer') {
      this.#w = Atomics.load(this.#ctrl, W);
      this.#cachedR = Atomics.load(this.#ctrl, R);
    } else {
      this.#r = Atomics.load(this.#ctrl, R);
      this.#cachedW = Atomics.load(this.#ctrl, W);
    }
  }

  /** Claims a role now; {@link attachRing} calls it for `{ role }`. */
  _claim(role: RingRole): void {
    this.#claim(role);
  }

  /** Overwrite policy: moves the read index so `n` frames fit after `w`. */
  #dropOldest(w: number, n: number): void {
    for (;;) {
      const r = Atomics.load(this.#ctrl, R);
      const free = this.capacity - ((w - r) | 0);
      if (free >= n) {
        this.#cachedR = r;
        return;
      }
      const drop = n - free;
      if (Atomics.compareExchange(this.#ctrl, R, r, (r + drop) | 0) === r) {
        this.#cachedR = (r + drop) | 0;
        this.#c[DROPPED]! += drop;
        return;
      }
    }
  }

  /** Checks a write can start (gate, end of stream, role, data) and returns its frames. */
  #beginWrite(data: AudioData): number {
    if (this._gate !== Gate.OPEN) throw this.#failP(this._gateError());
    if ((Atomics.load(this.#ctrl, FLAGS) & FLAG_CLOSED) !== 0) {
      throw this.#failP(new BufferStateError(ErrorCode.BUFFER_CLOSED, `${this._name} has ended: nothing more can be written`));
    }
    if (this.#role !== 'producer') this.#claim('producer');
    try {
      return framesOf(data, this.channels);
    } catch (error) {
      throw this.#failP(error as AudioDataError);
    }
  }

  /**
   * Stores frames `[from, from + frames)` of `data` under the overflow policy and publishes
   * them. Returns frames stored. Counts the overruns the policy acts on ('overwrite' drops,
   * 'error' refusals); a short store under 'reject' is left to the caller to count.
   */
  #put(data: AudioData, from: number, frames: number): number {
    const cap = this.capacity;
    const w = this.#w;
    let free = cap - ((w - this.#cachedR) | 0);
    if (free < frames) {
      this.#cachedR = Atomics.load(this.#ctrl, R);
      free = cap - ((w - this.#cachedR) | 0);
    }
    let n = frames;
    if (free < frames) {
      if (this.overflow === 'reject') n = free;
      else if (this.overflow === 'error') {
        this.#c[OVERRUNS]! += 1;
        throw this.#failP(new RingOverflowError(frames, free));
      } else {
        this.#c[OVERRUNS]! += 1;
        // Keep the newest: frames of `data` beyond the capacity are dropped first, then the ring's oldest.
        if (frames > cap) {
          this.#c[DROPPED]! += frames - cap;
          from += frames - cap;
          n = cap;
        }
        this.#dropOldest(w, n);
      }
    }
    if (n > 0) {
      this.#copyIn(data, from, n, w);
      const next = (w + n) | 0;
      this.#w = next;
      Atomics.store(this.#ctrl, W, next);
      this.#wake(CONSUMER_WAITING, W);
    }
    return n;
  }

  #countWrite(frames: number): void {
    const c = this.#c;
    c[WRITES]! += 1;
    c[FRAMES_WRITTEN]! += frames;
    c[BYTES_WRITTEN]! += frames * this.channels * BYTES_PER_SAMPLE;
  }

  /** Checks a read can start (gate, role, target) and returns the frames the target holds. */
  #beginRead(target: AudioData): number {
    if (this._gate !== Gate.OPEN) throw this.#failC(this._gateError());
    if (this.#role !== 'consumer') this.#claim('consumer');
    try {
      return framesOf(target, this.channels);
    } catch (error) {
      throw this.#failC(error as AudioDataError);
    }
  }

  /** Moves up to `room` frames into `target` from frame `at`. Returns frames moved. */
  #take(target: AudioData, at: number, room: number): number {
    return this.overflow === 'overwrite' ? this.#takeRacing(target, at, room) : this.#takeOwned(target, at, room);
  }

  #countRead(frames: number, room: number): void {
    const c = this.#c;
    if (frames < room) c[UNDERRUNS]! += 1;
    c[READS]! += 1;
    c[FRAMES_READ]! += frames;
    c[BYTES_READ]! += frames * this.channels * BYTES_PER_SAMPLE;
  }

  /** Takes when this end alone moves the read index. */
  #takeOwned(target: AudioData, at: number, room: number): number {
    const r = this.#r;
    let available = (this.#cachedW - r) | 0;
    if (available < room) {
      this.#cachedW = Atomics.load(this.#ctrl, W);
      available = (this.#cachedW - r) | 0;
    }
    const n = room < available ? room : available;
    if (n === 0) return 0;
    this.#copyOut(target, at, n, r);
    const next = (r + n) | 0;
    this.#r = next;
    Atomics.store(this.#ctrl, R, next);
    this.#wake(PRODUCER_WAITING, R);
    return n;
  }

  /** Takes when the producer may move the read index too ('overwrite'): commit by CAS, retry on loss. */
  #takeRacing(target: AudioData, at: number, room: number): number {
    for (;;) {
      const r = Atomics.load(this.#ctrl, R);
      let available = (this.#cachedW - r) | 0;
      if (available < room) {
        this.#cachedW = Atomics.load(this.#ctrl, W);
        available = (this.#cachedW - r) | 0;
      }
      const n = room < available ? room : available;
      if (n === 0) return 0;
      this.#copyOut(target, at, n, r);
      // If the producer dropped frames meanwhile it moved R first, so the CAS fails and the copy is discarded.
      if (Atomics.compareExchange(this.#ctrl, R, r, (r + n) | 0) === r) {
        this.#r = (r + n) | 0;
        return n;
      }
    }
  }

  #copyIn(data: AudioData, from: number, n: number, w: number): void {
    const ch = this.channels;
    const at = w & this.#mask;
    const first = Math.min(n, this.capacity - at);
    if (data instanceof Float32Array) {
      if (from === 0 && first === n && n * ch === data.length) this.#data.set(data, at * ch);
      else {
        this.#data.set(data.subarray(from * ch, (from + first) * ch), at * ch);
        if (first < n) this.#data.set(data.subarray((from + first) * ch, (from + n) * ch), 0);
      }
    } else {
      interleaveInto(data, this.#data, at * ch, from, first);
      if (first < n) interleaveInto(data, this.#data, 0, from + first, n - first);
    }
  }

  #copyOut(target: AudioData, at: number, n: number, r: number): void {
    const ch = this.channels;
    const pos = r & this.#mask;
    const first = Math.min(n, this.capacity - pos);
    if (target instanceof Float32Array) {
      target.set(this.#data.subarray(pos * ch, (pos + first) * ch), at * ch);
      if (first < n) target.set(this.#data.subarray(0, (n - first) * ch), (at + first) * ch);
    } else {
      deinterleaveInto(this.#data, pos * ch, target, first, at);
      if (first < n) deinterleaveInto(this.#data, 0, target, n - first, at + first);
    }
  }

  /**
   * Wakes the other side if it sleeps. Only the sleeper lowers its flag. (Letting the waker
   * clear it with an exchange, to notify once per sleep, loses wake-ups: a waker delayed
   * between publishing its index and its exchange can clear a flag raised for the *next*
   * sleep, whose notify then never comes. Seen here as a deadlock in 1 run of 8 with short
   * spins; a notify nobody waits for costs ≈27 ns.)
   */
  #wake(flag: number, slot: number): void {
    if (Atomics.load(this.#ctrl, flag) !== 0) Atomics.notify(this.#ctrl, slot);
  }

  /** Waits until data is there, the ring ended, or the deadline passed. True when there is data. */
  #awaitData(deadline: number): boolean {
    return this.#await(W, CONSUMER_WAITING, deadline, () => this.availableRead() > 0);
  }

  /** Waits until there is room for `frames`, the ring ended, or the deadline passed. */
  #awaitRoom(deadline: number, frames: number): boolean {
    return this.#await(R, PRODUCER_WAITING, deadline, () => this.availableWrite() >= frames);
  }

  #await(slot: number, flag: number, deadline: number, ready: () => boolean): boolean {
    for (let i = 0; i < this.#spinChecks; i++) {
      if (ready()) return true;
      // The last write may land just before the end: look once more after seeing it.
      if (this.ended) return ready();
    }
    for (;;) {
      const seen = Atomics.load(this.#ctrl, slot);
      Atomics.store(this.#ctrl, flag, 1);
      // Re-check after raising the flag: the other side either sees the flag or we see its index.
      if (ready()) {
        Atomics.store(this.#ctrl, flag, 0);
        return true;
      }
      if (this.ended) {
        Atomics.store(this.#ctrl, flag, 0);
        return ready();
      }
      const left = deadline - performance.now();
      if (left <= 0) {
        Atomics.store(this.#ctrl, flag, 0);
        return false;
      }
      Atomics.wait(this.#ctrl, slot, seen, left === Number.POSITIVE_INFINITY ? undefined : left);
      Atomics.store(this.#ctrl, flag, 0);
      if (ready()) return true;
    }
  }

  /**
   * Async wait for the other side, for data (`forData`: at least one frame) or for room
   * (`frames` of it). Resolves true when there is something to do.
   */
  async #awaitAsync(forData: boolean, deadline: number, signal: AbortSignal | undefined, frames: number): Promise<boolean> {
    const watch = forData ? W : R;
    const flag = forData ? CONSUMER_WAITING : PRODUCER_WAITING;
    const ready = forData ? () => this.availableRead() >= frames : () => this.availableWrite() >= frames;
    for (;;) {
      if (signal?.aborted) throw this.#fail(new AbortError('waiting on the ring was aborted'), forData ? C_ERRORS : P_ERRORS);
      const seen = Atomics.load(this.#ctrl, watch);
      Atomics.store(this.#ctrl, flag, 1);
      if (ready()) {
        Atomics.store(this.#ctrl, flag, 0);
        return true;
      }
      if (this.ended || this._gate === Gate.CLOSED) {
        Atomics.store(this.#ctrl, flag, 0);
        return ready(); // the last write may land just before the end
      }
      const left = deadline - performance.now();
      if (left <= 0) {
        Atomics.store(this.#ctrl, flag, 0);
        return false;
      }
      // Wake at least every 50 ms to notice an abort signal.
      const step = Math.min(left, signal ? 50 : left);
      const result = Atomics.waitAsync(this.#ctrl, watch, seen, step === Number.POSITIVE_INFINITY ? undefined : step);
      if (result.async) await result.value;
      Atomics.store(this.#ctrl, flag, 0);
    }
  }

  /** Validates wait options; a bad one is counted on the side that asked (`slot`: each side writes its own). */
  #waitOptions(options: RingWaitOptions, slot: number): { deadline: number; signal: AbortSignal | undefined } {
    const { timeoutMs, signal } = options;
    if (timeoutMs !== undefined && !(timeoutMs >= 0)) this.#check('timeoutMs', timeoutMs, TIMEOUT_RULE, slot);
    return { deadline: performance.now() + (timeoutMs ?? Number.POSITIVE_INFINITY), signal };
  }

  #assertCanBlock(timeoutMs: number, slot: number): void {
    // Every blocking call passes here: the common case is decided inline, checkNumber only words the refusal.
    if (typeof timeoutMs !== 'number' || !(timeoutMs >= 0)) this.#check('timeoutMs', timeoutMs, TIMEOUT_RULE, slot);
    if (!canBlock) {
      throw this.#fail(new UnsupportedOperationError(`this thread cannot block (Atomics.wait is not allowed); use readAsync/writeAsync`), slot);
    }
  }

  /** {@link checkNumber} for a method argument, a failure counted on the side that asked (`slot`). */
  #check(field: string, value: unknown, rule: NumberRule, slot: number): void {
    try {
      checkNumber(field, value, rule);
    } catch (error) {
      throw this.#fail(error as AvbufError, slot);
    }
  }

  #failP<E extends AvbufError>(error: E): E {
    return this.#fail(error, P_ERRORS);
  }

  #failC<E extends AvbufError>(error: E): E {
    return this.#fail(error, C_ERRORS);
  }

  #fail<E extends AvbufError>(error: E, slot: number): E {
    // Errors are counted on the side of the call that failed; each side writes its own slot.
    this.#c[slot]! += 1;
    this.#lastError.message = error.message;
    this.#lastError.code = error.code;
    return error;
  }
}

/**
 * The other end of a ring, from a handle posted by {@link RingBuffer.share}.
 *
 * @example
 * // in a worker
 * parentPort.on('message', (handle) => {
 *   const ring = attachRing(handle, { role: 'producer' });
 *   ring.writeBlocking(samples);
 * });
 *
 * @throws {HandleError} `ERR_INVALID_HANDLE` when `handle` is not a ring handle;
 *   {@link RingRoleError} when `role` is already held.
 */
export function attachRing(handle: RingHandle, options: AttachOptions = {}): RingBuffer {
  if (
    handle === null ||
    typeof handle !== 'object' ||
    (handle as { kind?: unknown }).kind !== HANDLE_KIND ||
    !(handle.data instanceof SharedArrayBuffer) ||
    !(handle.control instanceof SharedArrayBuffer) ||
    !(handle.counters instanceof SharedArrayBuffer) ||
    handle.control.byteLength !== CONTROL_INTS * 4 ||
    handle.counters.byteLength !== COUNTER_SLOTS * 8 ||
    !Number.isInteger(handle.channels) ||
    handle.channels < 1 ||
    !Number.isInteger(handle.capacity) ||
    (handle.capacity & (handle.capacity - 1)) !== 0 ||
    handle.data.byteLength !== handle.capacity * handle.channels * BYTES_PER_SAMPLE
  ) {
    throw new HandleError(`not a ring handle (expected what RingBuffer.share() returns, kind "${HANDLE_KIND}")`);
  }
  const ring = new RingBuffer({}, options.spinChecks === undefined ? {} : { spinChecks: options.spinChecks }, handle);
  if (options.role !== undefined) ring._claim(checkOneOf('role', options.role, ROLES, 'argument'));
  return ring;
}
