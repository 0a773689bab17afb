/**
 * A Node Readable over a {@link FrameSource}: one pull per `_read`, so Node's highWaterMark
 * decides how far it reads ahead; a consumer that stops reading stops the pulls (and, for a
 * ring, the producer behind it).
 */
import { Readable } from 'node:stream';
import { FrameOutlet } from './frameOutlet.js';
import type { FrameSource } from './frameSource.js';
import { highWaterMarkFor } from './highWaterMarkFor.js';
import type { ResolvedStreamOptions } from './streamOptions.js';
import { settle } from './settle.js';
import { watchAbort } from './watchAbort.js';

/**
 * The Readable class behind every avbuf readable stream.
 *
 * @example
 * const readable = new FrameReadable(bufferSource(buffer), resolveStreamOptions({ format: 's16le' }), buffer.config.channels);
 */
export class FrameReadable extends Readable {
  readonly #outlet: FrameOutlet;
  readonly #unwatch: () => void;

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
    this.#outlet.pushNext(this);
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
