import { Observable } from 'rxjs';
import { MediaReader, type MediaReaderOptions, type ReceivedRecord } from '../../jetstream/reader.js';

/**
 * A media stream's records as an Observable, read through a {@link MediaReader}: given
 * options, each subscription opens its own reader (a durable named in them resumes where the
 * last one stopped) and closes it when unsubscribed; given a reader, the subscription reads
 * it (one at a time) and closes it at the end. A record is acknowledged once the subscriber's
 * `next` returned for it, so what a subscriber was handling when its process died comes again.
 * A live stream has no end: the Observable completes only when the reader is closed.
 *
 * @example
 * fromJetStream({ servers: 'nats://127.0.0.1:4222', stream: 'mic', durable: 'player' })
 *   .pipe(toAudioChunks())
 *   .subscribe((chunk) => play(chunk));
 *
 * @returns the records; the reader's errors (`ERR_NATS_UNAVAILABLE`, `ERR_NATS_STREAM`,
 *   `ERR_MEDIA_RECORD` with `onCorrupt: 'fail'`, a bad option's `ERR_INVALID_CONFIG`) are its error.
 */
export function fromJetStream(source: MediaReader | MediaReaderOptions): Observable<ReceivedRecord> {
  return new Observable<ReceivedRecord>((subscriber) => {
    let reader: MediaReader | undefined;
    let stopped = false;
    void (async () => {
      try {
        reader = source instanceof MediaReader ? source : await MediaReader.open(source);
        if (stopped) return await reader.close();
        for await (const record of reader) {
          subscriber.next(record);
          if (subscriber.closed) break;
        }
        subscriber.complete();
      } catch (error) {
        subscriber.error(error);
      }
    })();
    return () => {
      stopped = true;
      void reader?.close();
    };
  });
}
