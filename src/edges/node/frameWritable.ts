/**
 * A Node Writable over a {@link FrameSink}: each write is called back once the sink took it
 * (a ring had room, a file write finished), which is how back-pressure reaches the writer;
 * the stream finishes only when the sink finished (flushed, closed, renamed), and a failure
 * or destroy() aborts the sink so nothing half-written is left.
 */
import { Writable } from 'node:stream';
import { FrameIntake } from './frameIntake.js';
import type { FrameSink } from './frameSink.js';
import { highWaterMarkFor } from './highWaterMarkFor.js';
import type { ResolvedStreamOptions } from './streamOptions.js';
import { settle } from './settle.js';
import { watchAbort } from './watchAbort.js';

/**
 * The Writable class behind every avbuf writable stream.
 *
 * @example
 * const writable = new FrameWritable(ringSink(ring), resolveStreamOptions({ format: 'f32le' }), ring.config.channels);
 */
export class FrameWritable extends Writable {
  readonly #intake: FrameIntake;
  readonly #unwatch: () => void;

  /**
   * @param sink - where the frames go.
   * @param options - resolved stream options.
   * @param channels - channels per frame.
   */
  constructor(sink: FrameSink, options: ResolvedStreamOptions, channels: number) {
    super({ objectMode: options.objectMode, highWaterMark: highWaterMarkFor(options, channels), decodeStrings: true });
    this.#intake = new FrameIntake(sink, options, channels);
    this.#unwatch = watchAbort(options.signal, this);
  }

  override _construct(callback: (error?: Error | null) => void): void {
    settle(this.#intake.open(), callback);
  }

  override _write(chunk: unknown, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    settle(this.#intake.write(chunk), callback);
  }

  override _final(callback: (error?: Error | null) => void): void {
    settle(this.#intake.final(), callback);
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    this.#unwatch();
    void this.#intake.release().then(() => callback(error));
  }
}
