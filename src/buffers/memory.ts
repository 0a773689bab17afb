/**
 * MemoryBuffer: interleaved Float32 frames in one growable array, read and written at a
 * position like a file. The data calls are synchronous and allocation-free except `read`
 * (which returns a new array) and growth (amortised by doubling).
 */
import { unlimitedAccount, type MemoryAccount } from '../core/budget.js';
import { BYTES_PER_MB, resolveConfig, type BufferConfig, type BufferConfigInput } from '../core/config.js';
import { show } from '../core/validate.js';
import {
  ArgumentError,
  AudioDataError,
  CapacityError,
  SeekError,
  type AvbufError,
} from '../core/errors.js';
import { deinterleaveInto, framesOf, interleaveInto, type AudioData } from '../core/frames.js';
import {
  Counter,
  TIMING_SAMPLE_MASK,
  createCounters,
  metricsFromCounters,
  recordError,
  type ErrorRecord,
} from '../core/metrics.js';
import { BufferState, BufferType, Gate, type BufferMetrics } from '../core/types.js';
import { gateError } from './gate.js';

/** Options of a {@link MemoryBuffer} beyond its config. */
export interface MemoryBufferOptions {
  /** Initial capacity in frames. Default: `config.bufferSize`. */
  capacity?: number;
  /** The spec's name for `capacity` (`create_audio_buffer(..., size=8192)`). */
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
export class MemoryBuffer {
  readonly config: Readonly<BufferConfig>;
  readonly channels: number;
  /** Most frames the buffer may hold (from `maxMemoryMb`). */
  readonly maxFrames: number;
  readonly #name: string;
  readonly #growable: boolean;
  readonly #account: MemoryAccount;
  readonly #counters = createCounters();
  readonly #lastError: ErrorRecord = { message: null, code: null };
  #data: Float32Array;
  #position = 0;
  #size = 0;
  #gate: Gate = Gate.OPEN;
  /** Storage freed. Separate from the gate: the actor shuts the gate before it frees. */
  #released = false;
  /** Set while growth waits on the account, whose reclaimers may call trim() on this buffer. */
  #growing = false;

  /**
   * @param config - buffer config (defaults fill the rest).
   * @param options - capacity, growth and memory accounting.
   * @throws {ConfigError} on a bad config; {@link CapacityError} when the capacity exceeds
   *   `maxMemoryMb`; {@link MemoryPressureError} when the account refuses the storage.
   */
  constructor(config: BufferConfigInput = {}, options: MemoryBufferOptions = {}) {
    this.config = resolveConfig(config);
    this.channels = this.config.channels;
    this.#name = options.name ?? 'memory buffer';
    this.#growable = options.growable ?? true;
    this.#account = options.account ?? unlimitedAccount;
    this.maxFrames = Math.floor((this.config.maxMemoryMb * BYTES_PER_MB) / (this.channels * BYTES_PER_SAMPLE));
    const capacity = options.capacity ?? options.size ?? this.config.bufferSize;
    if (!Number.isInteger(capacity) || capacity < 0) {
      throw new ArgumentError(`capacity must be a whole number of frames >= 0, got ${show(capacity)}`);
    }
    if (capacity > this.maxFrames) {
      throw new CapacityError(
        `capacity of ${capacity} frames needs ${mb(capacity * this.channels * BYTES_PER_SAMPLE)}, over maxMemoryMb ${this.config.maxMemoryMb}`,
      );
    }
    const bytes = capacity * this.channels * BYTES_PER_SAMPLE;
    this.#account.reserve(bytes);
    this.#data = new Float32Array(capacity * this.channels);
    this.#counters[Counter.MEMORY_BYTES] = bytes;
  }

  /** Capacity of the current storage in frames. */
  get capacity(): number {
    return this.#data.length / this.channels;
  }

  /** Bytes of sample storage held. */
  get memoryBytes(): number {
    return this.#counters[Counter.MEMORY_BYTES]!;
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
    const c = this.#counters;
    const timed = (c[Counter.WRITES]! & TIMING_SAMPLE_MASK) === 0;
    const t0 = timed ? performance.now() : 0;
    if (this.#gate !== Gate.OPEN) throw this.#fail(gateError(this.#gate, this.#name));
    let frames: number;
    try {
      frames = framesOf(data, this.channels);
    } catch (error) {
      throw this.#fail(error as AudioDataError);
    }
    const end = this.#position + frames;
    if (end * this.channels > this.#data.length) this.#grow(end);
    if (data instanceof Float32Array) this.#data.set(data, this.#position * this.channels);
    else interleaveInto(data, this.#data, this.#position * this.channels);
    this.#position = end;
    if (end > this.#size) this.#size = end;
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
    const c = this.#counters;
    const timed = (c[Counter.READS]! & TIMING_SAMPLE_MASK) === 0;
    const t0 = timed ? performance.now() : 0;
    if (this.#gate !== Gate.OPEN) throw this.#fail(gateError(this.#gate, this.#name));
    const available = this.#size - this.#position;
    let n = available;
    if (frames !== undefined) {
      if (typeof frames !== 'number' || !Number.isInteger(frames) || frames < 0) {
        throw this.#fail(new ArgumentError(`frames must be a whole number >= 0, got ${show(frames)}`));
      }
      if (frames < n) n = frames;
    }
    const start = this.#position * this.channels;
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
    const c = this.#counters;
    const timed = (c[Counter.READS]! & TIMING_SAMPLE_MASK) === 0;
    const t0 = timed ? performance.now() : 0;
    if (this.#gate !== Gate.OPEN) throw this.#fail(gateError(this.#gate, this.#name));
    let room: number;
    try {
      room = framesOf(target, this.channels);
    } catch (error) {
      throw this.#fail(error as AudioDataError);
    }
    const available = this.#size - this.#position;
    const n = room < available ? room : available;
    const start = this.#position * this.channels;
    if (target instanceof Float32Array) {
      // subarray + set is one memcpy; measured faster than a copy loop from 16 frames up.
      if (n > 0) target.set(this.#data.subarray(start, start + n * this.channels));
    } else deinterleaveInto(this.#data, start, target, n);
    this.#afterRead(n, timed, t0);
    return n;
  }

  /**
   * Moves the position to frame `frame`.
   * @throws {SeekError} `ERR_SEEK_OUT_OF_RANGE` unless `frame` is a whole number in `0..size()`.
   */
  seek(frame: number): void {
    if (this.#gate !== Gate.OPEN) throw this.#fail(gateError(this.#gate, this.#name));
    if (typeof frame !== 'number' || !Number.isInteger(frame) || frame < 0 || frame > this.#size) {
      throw this.#fail(new SeekError(`seek to ${show(frame)} is outside 0..${this.#size}`));
    }
    this.#position = frame;
  }

  /** The position in frames. */
  tell(): number {
    if (this.#gate === Gate.CLOSED) throw this.#fail(gateError(this.#gate, this.#name));
    return this.#position;
  }

  /** Frames of data held (the end of the furthest write). */
  size(): number {
    if (this.#gate === Gate.CLOSED) throw this.#fail(gateError(this.#gate, this.#name));
    return this.#size;
  }

  /**
   * Shrinks the storage to the data held, giving the spare capacity back. Part of the
   * manager's pressure policy (after idle pool blocks). Returns bytes freed.
   */
  trim(): number {
    if (this.#gate === Gate.CLOSED || this.#growing) return 0;
    const spare = this.#data.length - this.#size * this.channels;
    if (spare === 0) return 0;
    this.#data = this.#data.slice(0, this.#size * this.channels);
    const freed = spare * BYTES_PER_SAMPLE;
    this.#counters[Counter.MEMORY_BYTES] = this.#data.length * BYTES_PER_SAMPLE;
    this.#account.release(freed);
    return freed;
  }

  /** Frees the storage. Idempotent; every later call but `getMetrics` gets `ERR_BUFFER_CLOSED`. */
  close(): void {
    if (this.#released) return;
    this.#released = true;
    this.#gate = Gate.CLOSED;
    this.#account.release(this.#data.length * BYTES_PER_SAMPLE);
    this.#data = EMPTY;
    this.#counters[Counter.MEMORY_BYTES] = 0;
  }

  get closed(): boolean {
    return this.#released;
  }

  /** Figures for this buffer; `state` is `active` or `closed` unless an actor says otherwise. */
  getMetrics(state?: BufferState): BufferMetrics {
    return metricsFromCounters(
      this.#counters,
      BufferType.MEMORY,
      state ?? (this.#gate === Gate.CLOSED ? BufferState.CLOSED : BufferState.ACTIVE),
      this.#lastError,
    );
  }

  /** @internal Set by the owning actor on entering and leaving states. */
  _setGate(gate: Gate): void {
    if (this.#gate !== Gate.CLOSED) this.#gate = gate;
  }

  /** @internal Counts an error raised on this buffer's behalf (by its actor) and returns it. */
  _recordError<E extends AvbufError>(error: E): E {
    return recordError(this.#counters, this.#lastError, error);
  }

  #afterRead(frames: number, timed: boolean, t0: number): void {
    const c = this.#counters;
    this.#position += frames;
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
      throw this.#fail(
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
      throw this.#fail(error as AvbufError);
    } finally {
      this.#growing = false;
    }
    let grown: Float32Array;
    try {
      grown = new Float32Array(next * this.channels);
    } catch (cause) {
      // The engine refused the allocation although the budget allowed it.
      this.#account.release(addedBytes);
      throw this.#fail(new CapacityError(`could not allocate ${mb(next * this.channels * BYTES_PER_SAMPLE)}: ${String(cause)}`));
    }
    grown.set(this.#data.subarray(0, this.#size * this.channels));
    this.#data = grown;
    this.#counters[Counter.MEMORY_BYTES] = grown.length * BYTES_PER_SAMPLE;
  }

  #fail<E extends AvbufError>(error: E): E {
    return recordError(this.#counters, this.#lastError, error);
  }
}

function mb(bytes: number): string {
  return `${(bytes / BYTES_PER_MB).toFixed(2)} MB`;
}

