import { Readable } from 'node:stream';
import { checkNumber } from '../../core/validate.js';
import { MediaReader, type MediaReaderOptions, type ReceivedRecord } from '../../jetstream/reader.js';

/** Options of {@link jetStreamReadable}. */
export interface JetStreamReadableOptions {
  /** Records the stream buffers ahead of its consumer. Default 16. */
  readonly highWaterMark?: number;
}

/**
 * A media stream as an object-mode `Readable` of records, read through a {@link MediaReader}
 * (opened from the options, or the one given). The stream reads ahead only up to its
 * `highWaterMark`, and a record is acknowledged once the stream took the next one, so at most
 * that many records are acknowledged before the app has seen them. Destroying the stream
 * closes the reader (a durable keeps its place); a live stream never ends by itself.
 *
 * @example
 * await pipeline(jetStreamReadable({ servers, stream: 'mic', durable: 'archive' }), archiveWritable);
 *
 * @throws {ConfigError} `ERR_INVALID_CONFIG` for a bad `highWaterMark`; the reader's errors
 *   (`ERR_NATS_UNAVAILABLE`, `ERR_NATS_STREAM` …) destroy the stream.
 */
export function jetStreamReadable(source: MediaReader | MediaReaderOptions, options: JetStreamReadableOptions = {}): Readable {
  const highWaterMark = checkNumber('highWaterMark', options.highWaterMark ?? 16, { min: 1, integer: true });
  let reader: MediaReader | undefined;
  let records: AsyncIterator<ReceivedRecord> | undefined;
  return new Readable({
    objectMode: true,
    highWaterMark,
    construct(callback) {
      (source instanceof MediaReader ? Promise.resolve(source) : MediaReader.open(source)).then(
        (opened) => {
          reader = opened;
          records = opened[Symbol.asyncIterator]();
          callback();
        },
        (error: unknown) => callback(error as Error),
      );
    },
    read() {
      records!.next().then(
        (result) => this.push(result.done === true ? null : result.value),
        (error: unknown) => this.destroy(error as Error),
      );
    },
    destroy(error, callback) {
      (reader?.close() ?? Promise.resolve()).then(
        () => callback(error),
        () => callback(error),
      );
    },
  });
}
