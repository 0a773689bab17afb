/**
 * A ring's producer side as a {@link FrameSink}. A write resolves once the ring took every
 * frame (`writeAsync` waits for room), so a Writable over it calls back only then: a consumer
 * that stops reading fills the ring and stops the writer.
 */
import { BufferStateError, ErrorCode } from '../../core/errors.js';
import type { RingWriter } from '../types.js';
import type { FrameSink } from './frameSink.js';

/**
 * Writes into a ring's producer side; `finish` and `abort` close that end (the consumer reads
 * what is left, then sees the end), which also wakes a write that is waiting for room.
 *
 * @example
 * const sink = ringSink(ring);
 *
 * @param ring - the producer side.
 */
export function ringSink(ring: RingWriter): FrameSink {
  const channels = ring.config.channels;
  return {
    async write(frames: Float32Array): Promise<void> {
      const wanted = frames.length / channels;
      const written = await ring.writeAsync(frames);
      if (written < wanted) {
        throw new BufferStateError(
          ErrorCode.BUFFER_CLOSED,
          `the ring's stream ended after ${written} of ${wanted} frames were written: its other end closed it`,
        );
      }
    },
    async finish(): Promise<void> {
      await ring.close();
    },
    async abort(): Promise<void> {
      await ring.close();
    },
  };
}
