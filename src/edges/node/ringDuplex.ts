/**
 * A Duplex over a ring: what is written goes into one ring's producer side, what is read
 * comes out of a ring's consumer side (the same ring through two ends, or two rings with a
 * worker thread between them). Each side has the back-pressure of {@link ringWritable} and
 * {@link ringReadable}.
 */
import { Duplex } from 'node:stream';
import { ArgumentError } from '../../core/errors.js';
import type { RingReader, RingWriter } from '../types.js';
import { FrameIntake } from './frameIntake.js';
import { FrameOutlet } from './frameOutlet.js';
import { highWaterMarkFor } from './highWaterMarkFor.js';
import { ringSink } from './ringSink.js';
import { ringSource } from './ringSource.js';
import { settle } from './settle.js';
import { resolveStreamOptions, type NodeStreamOptions } from './streamOptions.js';
import { watchAbort } from './watchAbort.js';

/** The two ends a {@link ringDuplex} joins. */
export interface RingDuplexEnds {
  /** Where written data goes (the producer side). */
  readonly producer: RingWriter;
  /** Where read data comes from (the consumer side). */
  readonly consumer: RingReader;
}

class RingDuplex extends Duplex {
  readonly #outlet: FrameOutlet;
  readonly #intake: FrameIntake;
  readonly #unwatch: () => void;

  constructor(ends: RingDuplexEnds, options: NodeStreamOptions) {
    const resolved = resolveStreamOptions(options);
    const { producer, consumer } = ends;
    super({
      objectMode: resolved.objectMode,
      readableHighWaterMark: highWaterMarkFor(resolved, consumer.config.channels),
      writableHighWaterMark: highWaterMarkFor(resolved, producer.config.channels),
      decodeStrings: true,
      allowHalfOpen: true,
    });
    this.#outlet = new FrameOutlet(ringSource(consumer), resolved);
    this.#intake = new FrameIntake(ringSink(producer), resolved, producer.config.channels);
    this.#unwatch = watchAbort(resolved.signal, this);
  }

  override _construct(callback: (error?: Error | null) => void): void {
    settle(this.#outlet.open(), callback);
  }

  override _read(): void {
    this.#outlet.pushNext(this);
  }

  override _write(chunk: unknown, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    settle(this.#intake.write(chunk), callback);
  }

  override _final(callback: (error?: Error | null) => void): void {
    settle(this.#intake.final(), callback);
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    this.#unwatch();
    void this.#intake
      .release()
      .then(() => this.#outlet.release())
      .then(
        () => callback(error),
        (releaseError: unknown) => callback(error ?? (releaseError as Error)),
      );
  }
}

/**
 * A Duplex whose writable side feeds a ring's producer and whose readable side drains a
 * ring's consumer, in raw PCM bytes or AudioChunk objects.
 *
 * @example
 * const ring = new RingBuffer({ channels: 2 }, { capacity: 16384 });
 * const duplex = ringDuplex({ producer: ring, consumer: attachRing(ring.share()) }, { format: 's16le' });
 * await pipeline(ffmpeg.stdout, duplex, sox.stdin);
 *
 * @param ends - the producer side written to and the consumer side read from.
 * @param options - mode, format, chunk size, highWaterMark, signal (one set for both sides).
 * @throws {ArgumentError} `ERR_INVALID_ARGUMENT` when `ends` lacks a side or a bad option.
 */
export function ringDuplex(ends: RingDuplexEnds, options: NodeStreamOptions = {}): Duplex {
  if (ends === null || typeof ends !== 'object' || ends.producer == null || ends.consumer == null) {
    throw new ArgumentError('ringDuplex needs { producer, consumer }: a ring end to write to and one to read from');
  }
  return new RingDuplex(ends, options);
}
