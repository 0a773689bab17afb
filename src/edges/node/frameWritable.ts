/**
 * A Node Writable over a {@link FrameSink}: each write is called back once the sink took it
 * (a ring had room, a file write finished), which is how back-pressure reaches the writer;
 * the stream finishes only when the sink finished (flushed, closed, renamed), and a failure
 * or destroy() aborts the sink so nothing half-written is left.
 */
import { Writable } from 'node:stream';
import { FrameIntake } from './frameIntake.js';
import type { FrameSink } from './frameSink.js';
import { highWaterMarkFor, type ResolvedStreamOptions } from './streamOptions.js';
import { watchAbort } from './abortWatch.js';
import { settle } from './settle.js';

/** The Writable class behind every avbuf writable stream. */
export class FrameWritable extends Writable {
  readonly #sink: FrameSink;
  readonly #intake: FrameIntake;
  readonly #unwatch: () => void;
  #finished = false;

  /**
   * @param sink - where the frames go.
   * @param options - resolved stream options.
   * @param channels - channels per frame.
   */
  constructor(sink: FrameSink, options: ResolvedStreamOptions, channels: number) {
    super({ objectMode: options.objectMode, highWaterMark: highWaterMarkFor(options, channels), decodeStrings: true });
    this.#sink = sink;
    this.#intake = new FrameIntake(sink, options, channels);
    this.#unwatch = watchAbort(options.signal, this);
  }

  override _construct(callback: (error?: Error | null) => void): void {
    if (this.#sink.open === undefined) {
      callback();
      return;
    }
    settle(this.#sink.open(), callback);
  }

  override _write(chunk: unknown, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    settle(this.#intake.write(chunk), callback);
  }

  override _final(callback: (error?: Error | null) => void): void {
    settle(this.#intake.final(), callback, () => {
      this.#finished = true;
    });
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    this.#unwatch();
    if (this.#finished) {
      callback(error);
      return;
    }
    void this.#intake.abort().then(() => callback(error));
  }
}
