/**
 * A WAV writer for a destination that cannot seek back: a pipe, stdout, a socket. The header
 * goes first with the sizes a streaming writer cannot know, 0xFFFFFFFF in both the RIFF and the
 * data size, as ffmpeg writes to a pipe; ffmpeg, ffprobe, sox and soxi (and this library's
 * readers) take those as "the samples run to the end of the stream". The samples follow in
 * whole frames, so a consumer never sees a partial frame, however the stream ends. The header
 * goes out in one write with the first frames: soxi and sox without `-t wav` detect the
 * format from their first read of a pipe, and fail ("RIFF header not found") when that read
 * returns a header alone, as it does when the samples come a moment later.
 *
 * Back-pressure: a write resolves once the destination took the bytes below its
 * highWaterMark; when it is full, the write waits for its 'drain'. Writes that overlap are
 * queued and sent in call order, one at a time, so memory stays bounded by the destination's
 * buffer plus the writes the caller has in flight.
 */
import type { Writable } from 'node:stream';
import { AudioDataError, BufferStateError, ErrorCode, FileError, isAvbufError } from '../core/errors.js';
import { framesOf } from '../core/frames.js';
import { checkString, show } from '../core/validate.js';
import { bytesPerSample, encodeInto, type SampleFormat } from './codecs.js';
import { fileError, SerialQueue } from './fileIo.js';
import { buildWavHeader } from './wavHeaderBuilder.js';

/** Options of {@link WavStreamWriter}. */
export interface WavStreamWriterOptions {
  /** How samples are stored. */
  readonly format: SampleFormat;
  /** Channels per frame, 1..1024. */
  readonly channels: number;
  /** Frames per second, a whole number. */
  readonly sampleRate: number;
  /** How error messages name the destination. Default `'WAV stream'`. */
  readonly name?: string;
}

/** Writes interleaved Float32 frames as a streamed WAV (unknown length) to a Node `Writable`. */
export class WavStreamWriter {
  /** How error messages name the destination. */
  readonly name: string;
  /** The header sent first: the sizes say "unknown". */
  readonly header: Uint8Array;
  readonly #target: Writable;
  readonly #format: SampleFormat;
  readonly #channels: number;
  readonly #blockAlign: number;
  readonly #queue = new SerialQueue();
  #acceptedBytes = 0;
  #state: 'open' | 'closing' | 'closed' | 'aborted' = 'open';
  #headerSent = false;
  #failure: Error | null = null;
  #closing: Promise<number> | null = null;
  readonly #onError = (error: unknown): void => {
    this.#failure ??= this.#wrap(error);
  };

  /**
   * Starts a streamed WAV on `target`; its header is sent with the first frames (or at close).
   *
   * @example
   * const writer = new WavStreamWriter(process.stdout, { format: 's16', channels: 2, sampleRate: 48000, name: 'stdout' });
   * for await (const frames of source) await writer.write(frames);
   * await writer.close(); // ends stdout once everything is flushed
   *
   * @param target - the destination, a Node `Writable` in byte mode (stdout, a child's stdin, a socket, a file stream).
   * @param options - format, channels, rate and the name for messages.
   * @throws {ArgumentError} `ERR_INVALID_ARGUMENT` when format, channels or rate are out of range.
   * @throws {ConfigError} `ERR_INVALID_CONFIG` when `name` is not a non-empty string.
   */
  constructor(target: Writable, options: WavStreamWriterOptions) {
    this.name = checkString('name', options.name ?? 'WAV stream');
    const { format, channels, sampleRate } = options;
    // Plain RIFF: its 0xFFFFFFFF sizes are read as "to the end" by every reader tried, at any length.
    this.header = buildWavHeader({ format, channels, sampleRate, container: 'riff', dataBytes: null }).bytes;
    this.#target = target;
    this.#format = format;
    this.#channels = channels;
    this.#blockAlign = channels * bytesPerSample(format);
    target.on('error', this.#onError);
  }

  /** Frames accepted so far (sent or queued). */
  get frames(): number {
    return this.#acceptedBytes / this.#blockAlign;
  }

  /**
   * Encodes interleaved frames (a copy: `interleaved` may change as soon as the call returns)
   * and sends them; resolves once the destination has room for more.
   *
   * @param interleaved - whole frames, any number of them.
   * @throws {AudioDataError} `ERR_INVALID_AUDIO_DATA` or `ERR_FRAME_MISALIGNED` for data that is not whole Float32 frames.
   * @throws {BufferStateError} `ERR_BUFFER_CLOSED` once `close` or `abort` has been called.
   * @throws {FileError} `ERR_FILE_IO` when the destination failed (a closed pipe: EPIPE), or closed before the bytes were taken.
   */
  async write(interleaved: Float32Array): Promise<void> {
    // Checked and queued before the first await, so the call order is the stream's order.
    framesOf(interleaved, this.#channels);
    this.#checkOpen();
    const bytes = new Uint8Array(interleaved.length * bytesPerSample(this.#format));
    encodeInto(this.#format, interleaved, bytes, interleaved.length);
    await this.#send(bytes);
  }

  /**
   * Sends frames already encoded in the stream's sample format (for instance by a worker
   * thread), as they are, without a copy: it resolves only once the destination has written
   * them (its write callback), so the caller may reuse `bytes` from then on. Else as {@link write}.
   *
   * @param bytes - whole frames of the stream's format.
   * @throws {AudioDataError} `ERR_FRAME_MISALIGNED` when `bytes` is not whole frames.
   */
  async writeEncoded(bytes: Uint8Array): Promise<void> {
    if (!(bytes instanceof Uint8Array) || bytes.length % this.#blockAlign !== 0) {
      throw new AudioDataError(ErrorCode.FRAME_MISALIGNED, `${this.name}: ${show(bytes)} is not whole frames of ${this.#blockAlign} bytes`);
    }
    this.#checkOpen();
    await this.#send(bytes, true);
  }

  #send(bytes: Uint8Array, untilWritten = false): Promise<void> {
    if (bytes.length === 0) {
      return this.#queue.run(() => {
        this.#throwIfFailed();
        return Promise.resolve();
      });
    }
    this.#acceptedBytes += bytes.length;
    return this.#queue.run(async () => {
      this.#throwIfFailed();
      // Another writer to the same destination may have filled it.
      if (this.#target.writableNeedDrain) await this.#settle('drain');
      let out = bytes;
      if (!this.#headerSent) {
        out = new Uint8Array(this.header.length + bytes.length);
        out.set(this.header);
        out.set(bytes, this.header.length);
        this.#headerSent = true;
      }
      if (untilWritten && out === bytes) await this.#written(out);
      else if (!this.#target.write(out)) await this.#settle('drain');
    });
  }

  /** Writes `bytes` and waits for the destination's callback: it has let go of them. */
  #written(bytes: Uint8Array): Promise<void> {
    return new Promise((resolve, reject) => {
      this.#target.write(bytes, (error) => (error == null ? resolve() : reject(this.#wrap(error))));
    });
  }

  #checkOpen(): void {
    if (this.#state !== 'open') throw new BufferStateError(ErrorCode.BUFFER_CLOSED, `${this.name}: the WavStreamWriter is ${this.#state}`);
  }

  #throwIfFailed(): void {
    if (this.#failure !== null) throw this.#failure;
  }

  /** Waits for `event` on the destination; an error or an early close rejects instead. */
  #settle(event: 'drain' | 'finish'): Promise<void> {
    const target = this.#target;
    return new Promise((resolve, reject) => {
      const done = (error: Error | null): void => {
        target.off(event, onEvent);
        target.off('error', onError);
        target.off('close', onClose);
        if (error === null) resolve();
        else reject(error);
      };
      const onEvent = (): void => done(null);
      const onError = (error: unknown): void => done(this.#wrap(error));
      const onClose = (): void =>
        done(this.#failure ?? new FileError(ErrorCode.FILE_IO, this.name, `the stream closed before ${event === 'drain' ? 'taking every frame' : 'finishing'}`));
      if (this.#failure !== null) return done(this.#failure);
      if (target.destroyed || target.closed) return onClose();
      target.on(event, onEvent);
      target.on('error', onError);
      target.on('close', onClose);
    });
  }

  #wrap(error: unknown): Error {
    return isAvbufError(error) ? error : fileError(this.name, 'writing', error);
  }

  /**
   * Waits for the queued writes, ends the destination and waits until it has flushed
   * everything ('finish'). Calling it again returns the same promise.
   *
   * @returns the frames written.
   * @throws {BufferStateError} `ERR_BUFFER_CLOSED` after {@link abort}.
   * @throws {FileError} `ERR_FILE_IO` when the destination failed or closed before finishing.
   */
  close(): Promise<number> {
    if (this.#state === 'aborted') return Promise.reject(new BufferStateError(ErrorCode.BUFFER_CLOSED, `${this.name}: the WavStreamWriter was aborted`));
    this.#closing ??= this.#close();
    return this.#closing;
  }

  async #close(): Promise<number> {
    this.#state = 'closing';
    try {
      await this.#queue.idle();
      this.#throwIfFailed();
      if (!this.#headerSent) {
        this.#headerSent = true;
        this.#target.write(this.header); // no frames: a WAV of none
      }
      const finished = this.#settle('finish');
      this.#target.end();
      await finished;
      return this.frames;
    } finally {
      // The error listener stays: a late EPIPE on a stream nobody else listens to must not crash the process.
      this.#state = 'closed';
    }
  }

  /**
   * Stops writing and destroys the destination (the consumer sees the stream end early, after
   * whole frames only). Does nothing once `close` or `abort` has been called; never throws.
   */
  async abort(): Promise<void> {
    if (this.#state !== 'open') return;
    this.#state = 'aborted';
    await this.#queue.idle();
    this.#target.destroy();
  }
}
