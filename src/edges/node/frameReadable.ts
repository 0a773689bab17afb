/**
 * A Node Readable over a {@link FrameSource}: one pull per `_read`, so Node's highWaterMark
 * decides how far it reads ahead; a consumer that stops reading stops the pulls (and, for a
 * ring, the producer behind it).
 */
import { Readable } from 'node:stream';
import { FrameOutlet } from './frameOutlet.js';
import type { FrameSource } from './frameSource.js';
import { highWaterMarkFor, type ResolvedStreamOptions } from './streamOptions.js';
import { watchAbort } from './abortWatch.js';
import { settle } from './settle.js';

/** The Readable class behind every avbuf readable stream. */
export class FrameReadable extends Readable {
  readonly #outlet: FrameOutlet;
  readonly #unwatch: () => void;
  #pulling = false;

  /**
   * @param source - where the frames come from.
   * @param options - resolved stream options.
   * @param channels - channels per frame when known now (for the default highWaterMark).
   */
  constructor(source: FrameSource, options: ResolvedStreamOptions, channels?: number) {
    super({ objectMode: options.objectMode, highWaterMark: highWaterMarkFor(options, channels) });
    this.#outlet = new FrameOutlet(source, options);
    this.#unwatch = watchAbort(options.signal, this);
  }

  override _construct(callback: (error?: Error | null) => void): void {
    settle(this.#outlet.open(), callback);
  }

  override _read(): void {
    if (this.#pulling) return;
    this.#pulling = true;
    this.#outlet.next().then(
      (item) => {
        this.#pulling = false;
        if (!this.destroyed) this.push(item);
      },
      (error: unknown) => {
        this.#pulling = false;
        this.destroy(error as Error);
      },
    );
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    this.#unwatch();
    Promise.resolve()
      .then(() => this.#outlet.release())
      .then(
        () => callback(error),
        (releaseError: unknown) => callback(error ?? (releaseError as Error)),
      );
  }
}
