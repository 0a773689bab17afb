import { concat, concatMap, defer, from, ignoreElements, of, type Observable, type OperatorFunction } from 'rxjs';
import { ArgumentError } from '../../core/errors.js';
import { checkBoolean, show } from '../../core/validate.js';
import { MediaPublisher } from '../../jetstream/publisher.js';
import type { MediaRecord } from '../../jetstream/record.js';

/** What {@link intoJetStream} emits per record once it is on its way. */
export interface Sent {
  readonly track: string;
  readonly seq: number;
}

/** Options of {@link intoJetStream}. */
export interface IntoJetStreamOptions {
  /** Close the publisher (and the connection it opened) when the source completes. Default false: the publisher is yours. */
  readonly closePublisher?: boolean;
}

/**
 * A sink that publishes every media record, one at a time in arrival order, through a
 * {@link MediaPublisher}: while its window of unacknowledged publishes is full the sink
 * waits, so records queue here instead of on the connection (and a pooled source upstream
 * stops reading). Emits a {@link Sent} receipt per record; when the source completes it waits
 * until JetStream acknowledged every record, then completes.
 *
 * @example
 * const publisher = await MediaPublisher.open({ servers: 'nats://127.0.0.1:4222', stream: 'mic' });
 * chunks$.pipe(toMediaRecords(), intoJetStream(publisher)).subscribe();
 *
 * @throws {ArgumentError} `ERR_INVALID_ARGUMENT` when `publisher` is not a MediaPublisher; the
 *   publisher's errors (`ERR_NATS_PUBLISH`, a bad record's `ERR_INVALID_ARGUMENT`) are the
 *   Observable's error.
 */
export function intoJetStream(publisher: MediaPublisher, options: IntoJetStreamOptions = {}): OperatorFunction<MediaRecord, Sent> {
  if (!(publisher instanceof MediaPublisher)) throw new ArgumentError(`intoJetStream needs a MediaPublisher, got ${show(publisher)}`);
  const closePublisher = checkBoolean('closePublisher', options.closePublisher ?? false);
  return (source: Observable<MediaRecord>) =>
    concat(
      source.pipe(
        // Sent at once while the window has room (records of one synchronous run share a
        // socket write), else after waiting for it.
        concatMap((record) => {
          const sent: Sent = { track: record.track, seq: record.seq };
          return publisher.trySend(record) ? of(sent) : from(publisher.publish(record).then(() => sent));
        }),
      ),
      // After the last receipt, every acknowledgement before completing.
      defer(() => (closePublisher ? publisher.close() : publisher.flush())).pipe(ignoreElements()),
    );
}
