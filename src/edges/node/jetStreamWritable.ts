import { Writable } from 'node:stream';
import { ArgumentError } from '../../core/errors.js';
import { checkBoolean, checkNumber, show } from '../../core/validate.js';
import { MediaPublisher } from '../../jetstream/publisher.js';
import type { MediaRecord } from '../../jetstream/record.js';

/** Options of {@link jetStreamWritable}. */
export interface JetStreamWritableOptions {
  /** Close the publisher (and the connection it opened) when the stream finishes or is destroyed. Default false. */
  readonly closePublisher?: boolean;
  /** Records the stream buffers before `write()` returns false. Default 16. */
  readonly highWaterMark?: number;
}

/**
 * An object-mode `Writable` of media records that publishes each through a
 * {@link MediaPublisher}: a write completes once its record is on its way, and waits while
 * the publisher's window is full, so `pipeline` slows the source down instead of growing
 * memory. Finishing waits until JetStream acknowledged every record.
 *
 * @example
 * await pipeline(recordsReadable, jetStreamWritable(publisher));
 *
 * @throws {ArgumentError} `ERR_INVALID_ARGUMENT` when `publisher` is not a MediaPublisher; the
 *   publisher's errors (`ERR_NATS_PUBLISH`, a bad record) destroy the stream.
 */
export function jetStreamWritable(publisher: MediaPublisher, options: JetStreamWritableOptions = {}): Writable {
  if (!(publisher instanceof MediaPublisher)) throw new ArgumentError(`jetStreamWritable needs a MediaPublisher, got ${show(publisher)}`);
  const closePublisher = checkBoolean('closePublisher', options.closePublisher ?? false);
  const highWaterMark = checkNumber('highWaterMark', options.highWaterMark ?? 16, { min: 1, integer: true });
  return new Writable({
    objectMode: true,
    highWaterMark,
    write(record: MediaRecord, _encoding, callback) {
      try {
        if (publisher.trySend(record)) return callback();
      } catch (error) {
        return callback(error as Error);
      }
      publisher.publish(record).then(() => callback(), callback);
    },
    // What the stream buffered goes out in one synchronous run (one socket write) while the window has room.
    writev(chunks, callback) {
      void (async () => {
        for (const { chunk } of chunks as { chunk: MediaRecord }[]) {
          if (!publisher.trySend(chunk)) await publisher.publish(chunk);
        }
      })().then(() => callback(), callback);
    },
    final(callback) {
      (closePublisher ? publisher.close() : publisher.flush()).then(() => callback(), callback);
    },
    destroy(error, callback) {
      if (!closePublisher) return callback(error);
      publisher.close().then(
        () => callback(error),
        (closeError: unknown) => callback(error ?? (closeError as Error)),
      );
    },
  });
}
