import type { OperatorFunction } from 'rxjs';
import { ArgumentError } from '../../core/errors.js';
import { checkBoolean, show } from '../../core/validate.js';
import type { AudioChunk } from '../../streams/chunk.js';
import type { RingWriter } from '../types.js';
import { checkChannels, chunkSink, validSamples, type Written } from './chunkSink.js';

/** Options of {@link intoRing}. */
export interface IntoRingOptions {
  /**
   * Close the ring when the sink stops (the source completed or failed, or the sink was
   * unsubscribed), so the consumer drains it and sees the end instead of waiting for ever.
   * Default true.
   */
  closeRing?: boolean;
}

/**
 * A sink that writes every chunk into a ring's producer side, waiting for room with
 * `writeAsync` (never blocking the event loop): while the ring is full the write waits, the
 * sink gives no block back and a pooled source reads nothing more, so a slow consumer slows
 * the whole pipeline down instead of growing memory. Emits a {@link Written} receipt per chunk.
 *
 * @example
 * fromWavFile('in.wav', { chunkFrames: 1024, pool }).pipe(intoRing(ring)).subscribe();
 *
 * @param ring - a RingBuffer (or a manager's ring); this sink takes the producer's role.
 * @param options - `closeRing`.
 * @throws {ArgumentError} `ERR_INVALID_ARGUMENT` for a bad argument; the ring's errors
 *   (e.g. `ERR_BUFFER_CLOSED` once the consumer closed it) are the Observable's error.
 */
export function intoRing(ring: RingWriter, options: IntoRingOptions = {}): OperatorFunction<AudioChunk, Written> {
  if (typeof (ring as Partial<RingWriter> | null)?.writeAsync !== 'function') {
    throw new ArgumentError(`intoRing needs a ring with writeAsync, got ${show(ring)}`);
  }
  const closeRing = checkBoolean('closeRing', options.closeRing ?? true, 'argument');
  return chunkSink(() => {
    // Wakes a write waiting for room when the sink stops.
    const stop = new AbortController();
    const end = (): void => {
      if (closeRing) ring.close();
    };
    return {
      write: async (chunk) => {
        checkChannels(chunk, ring.config.channels, 'a ring');
        await ring.writeAsync(validSamples(chunk), { signal: stop.signal });
      },
      finish: end,
      interrupt: () => stop.abort(),
      abort: () => {
        try {
          end();
        } catch {
          // a ring that cannot be closed any more is closed already
        }
      },
    };
  });
}
