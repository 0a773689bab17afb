/**
 * MemoryBuffer: interleaved Float32 frames in one growable array, read and written at a
 * position like a file. The data calls are synchronous and allocation-free except `read`
 * (which returns a new array) and growth (amortised by doubling).
 */
import { unlimitedAccount, type MemoryAccount } from '../core/budget.js';
import { BYTES_PER_MB, resolveConfig, type BufferConfig, type BufferConfigInput } from '../core/config.js';
import { checkNumber } from '../core/validate.js';
import { AudioDataError, CapacityError, type AvbufError } from '../core/errors.js';
import { deinterleaveInto, framesOf, interleaveInto, type AudioData } from '../core/frames.js';
import { Counter, TIMING_SAMPLE_MASK } from '../core/metrics.js';
import { BufferType, Gate, type BufferMetrics, type BufferState } from '../core/types.js';
import { PositionedBuffer } from './positionedBuffer.js';

/** Options of a {@link MemoryBuffer} beyond its config. */
export interface MemoryBufferOptions {
  /** Initial capacity in frames. Default: `config.bufferSize`. */
  capacity?: number;
  /** The Python API's name for `capacity` (`create_audio_buffer(..., size=8192)`, docs/migrating-from-python.md). */
  size?: number;
  /** Grow (doubling) up to `maxMemoryMb` when a write passes the end. Default true. */
  growable?: boolean;
  /** Who accounts for the storage; the manager passes its budget. Default: unaccounted. */
  account?: MemoryAccount;
  /** A name for error messages. */
  name?: string;
}

const BYTES_PER_SAMPLE = Float32Array.BYTES_PER_ELEMENT;
const EMPTY = new Float32Array(0);
const FRAMES_RULE = { min: 0, integer: true, kind: 'argument' } as const;

/**
 * An in-memory audio buffer.
 *
 * @example
 * const buf = new MemoryBuffer({ channels: 2 }, { capacity: 8192 });
 * buf.write(new Float32Array(2048));   // 1024 frames
 * buf.seek(0);
 * const out = new Float32Array(2048);
 * buf.readInto(out);                   // 1024
 */
export class MemoryBuffer extends PositionedBuffer {
  readonly config: Readonly<BufferConfig>;
  readonly channels: number;
  /** Most frames the buffer may hold (from `maxMemoryMb`). */
  readonly maxFrames: number;
  readonly #growable: boolean;
  readonly #account: MemoryAccount;
  #data: Float32Array;
  /** Set while growth waits on the account, whose reclaimers may call trim() on this buffer. */
  #growing = false;

  /**
   * @param config - buffer config (defaults fill the rest).
   * @param options - capacity, growth and memory accounting.
   * @throws {ConfigError} on a bad config; {@link CapacityError} when the capacity exceeds
   *   `maxMemoryMb`; {@link MemoryPressureError} when the account refuses the storage.
   */
  constructor(config: BufferConfigInput = {}, options: MemoryBufferOptions = {}) {
    super(options.name ?? 'memory buffer');
    this.config = resolveConfig(config);
    this.channels = this.config.channels;
    this.#growable = options.growable ?? true;
    this.#account = options.account ?? unlimitedAccount;
    this.maxFrames = Math.floor((this.config.maxMemoryMb * BYTES_PER_MB) / (this.channels * BYTES_PER_SAMPLE));
    const capacity = checkNumber('capacity', options.capacity ?? options.size ?? this.config.bufferSize, { min: 0, integer: true, kind: 'argument' });
    if (capacity > this.maxFrames) {
      throw new CapacityError(
        `capacity of ${capacity} frames needs ${mb(capacity * this.channels * BYTES_PER_SAMPLE)}, over maxMemoryMb ${this.config.maxMemoryMb}`,
      );
    }
    const bytes = capacity * this.channels * BYTES_PER_SAMPLE;
    this.#account.reserve(bytes);
    this.#data = new Float32Array(capacity * this.channels);
    this._counters[Counter.MEMORY_BYTES] = bytes;
  }

  /** Capacity of the current storage in frames. */
  get capacity(): number {
    return this.#data.length / this.channels;
  }

  /** Bytes of sample storage held. */
  get memoryBytes(): number {
    return this._counters[Counter.MEMORY_BYTES]!;
  }

  /**
   * Writes frames at the position, overwriting what is there and growing past the end,
   * and moves the position after them. Bad data is rejected whole.
   *
   * @param data - interleaved Float32Array, or one Float32Array per channel.
   * @returns frames written.
   * @throws {AudioDataError} `ERR_INVALID_AUDIO_DATA`, `ERR_FRAME_MISALIGNED`, `ERR_CHANNEL_MISMATCH`;
   *   {@link CapacityError} past `maxMemoryMb`; {@link MemoryPressureError} when growth is refused;
   *   {@link BufferStateError} when the buffer is not accepting data.
   */
  write(data: AudioData): number {
    const c = this._counters;
    const timed = (c[Counter.WRITES]! & TIMING_SAMPLE_MASK) === 0;
    const t0 = timed ? performance.now() : 0;
    if (this._gate !== Gate.OPEN) throw this._refused();
    let frames: number;
    try {
      frames = framesOf(data, this.channels);
    } catch (error) {
      throw this._recordError(error as AudioDataError);
    }
    const end = this._position + frames;
    if (end * this.channels > this.#data.length) this.#grow(end);
    if (data instanceof Float32Array) this.#data.set(data, this._position * this.channels);
    else interleaveInto(data, this.#data, this._position * this.channels);
    this._position = end;
    if (end > this._size) this._size = end;
    c[Counter.WRITES]! += 1;
    c[Counter.BYTES_WRITTEN]! += frames * this.channels * BYTES_PER_SAMPLE;
    if (timed) {
      c[Counter.WRITE_TIME_MS]! += performance.now() - t0;
      c[Counter.WRITES_TIMED]! += 1;
    }
    return frames;
  }

  /**
   * Reads up to `frames` frames from the position into a new array and moves the position.
   * @param frames - how many frames; default all up to the end.
   * @returns interleaved frames; shorter than asked at the end, empty at the end.
   */
  read(frames?: number): Float32Array {
    const c = this._counters;
    const timed = (c[Counter.READS]! & TIMING_SAMPLE_MASK) === 0;
    const t0 = timed ? performance.now() : 0;
    if (this._gate !== Gate.OPEN) throw this._refused();
    const available = this._size - this._position;
    let n = available;
    if (frames !== undefined && this._checkArgument('frames', frames, FRAMES_RULE) < n) n = frames;
    const start = this._position * this.channels;
    const out = this.#data.slice(start, start + n * this.channels);
    this.#afterRead(n, timed, t0);
    return out;
  }

  /**
   * Reads into `target` without allocating: as many frames as fit, or as remain.
   * @param target - interleaved Float32Array (a whole number of frames long) or one Float32Array per channel.
   * @returns frames read (0 at the end).
   */
  readInto(target: AudioData): number {
    const c = this._counters;
    const timed = (c[Counter.READS]! & TIMING_SAMPLE_MASK) === 0;
    const t0 = timed ? performance.now() : 0;
    if (this._gate !== Gate.OPEN) throw this._refused();
    let room: number;
    try {
      room = framesOf(target, this.channels);
    } catch (error) {
      throw this._recordError(error as AudioDataError);
    }
    const available = this._size - this._position;
    const n = room < available ? room : available;
    const start = this._position * this.channels;
    if (target instanceof Float32Array) {
      // subarray + set is one memcpy; measured faster than a copy loop from 16 frames up.
      if (n > 0) target.set(this.#data.subarray(start, start + n * this.channels));
    } else deinterleaveInto(this.#data, start, target, n);
    this.#afterRead(n, timed, t0);
    return n;
  }

  /**
   * Shrinks the storage to the data held, giving the spare capacity back. Part of the
   * manager's pressure policy (after idle pool blocks). Returns bytes freed.
   */
  trim(): number {
    if (this._gate === Gate.CLOSED || this.#growing) return 0;
    const spare = this.#data.length - this._size * this.channels;
    if (spare === 0) return 0;
    this.#data = this.#data.slice(0, this._size * this.channels);
    const freed = spare * BYTES_PER_SAMPLE;
    this._counters[Counter.MEMORY_BYTES] = this.#data.length * BYTES_PER_SAMPLE;
    this.#account.release(freed);
    return freed;
  }

  /** Frees the storage. Idempotent; every later call but `getMetrics` gets `ERR_BUFFER_CLOSED`. */
  close(): void {
    if (!this._markClosed()) return;
    this.#account.release(this.#data.length * BYTES_PER_SAMPLE);
    this.#data = EMPTY;
    this._counters[Counter.MEMORY_BYTES] = 0;
  }

  /** Figures for this buffer; `state` is `active` or `closed` unless an actor says otherwise. */
  getMetrics(state?: BufferState): BufferMetrics {
    return this._metrics(BufferType.MEMORY, state);
  }

  #afterRead(frames: number, timed: boolean, t0: number): void {
    const c = this._counters;
    this._position += frames;
    c[Counter.READS]! += 1;
    c[Counter.BYTES_READ]! += frames * this.channels * BYTES_PER_SAMPLE;
    if (timed) {
      c[Counter.READ_TIME_MS]! += performance.now() - t0;
      c[Counter.READS_TIMED]! += 1;
    }
  }

  #grow(endFrame: number): void {
    const current = this.capacity;
    if (!this.#growable || endFrame > this.maxFrames) {
      throw this._recordError(
        new CapacityError(
          this.#growable
            ? `writing to frame ${endFrame} needs ${mb(endFrame * this.channels * BYTES_PER_SAMPLE)}, over maxMemoryMb ${this.config.maxMemoryMb}`
            : `writing to frame ${endFrame} passes the fixed capacity of ${current} frames`,
        ),
      );
    }
    const next = Math.min(this.maxFrames, Math.max(endFrame, current * 2));
    const addedBytes = (next - current) * this.channels * BYTES_PER_SAMPLE;
    this.#growing = true;
    try {
      this.#account.reserve(addedBytes);
    } catch (error) {
      throw this._recordError(error as AvbufError);
    } finally {
      this.#growing = false;
    }
    let grown: Float32Array;
    try {
      grown = new Float32Array(next * this.channels);
    } catch (cause) {
      // The engine refused the allocation although the budget allowed it.
      this.#account.release(addedBytes);
      throw this._recordError(new CapacityError(`could not allocate ${mb(next * this.channels * BYTES_PER_SAMPLE)}: ${String(cause)}`));
    }
    grown.set(this.#data.subarray(0, this._size * this.channels));
    this.#data = grown;
    this._counters[Counter.MEMORY_BYTES] = grown.length * BYTES_PER_SAMPLE;
  }
}

function mb(bytes: number): string {
  return `${(bytes / BYTES_PER_MB).toFixed(2)} MB`;
}

