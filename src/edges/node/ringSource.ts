/**
 * A ring's consumer side as a {@link FrameSource}. A pull takes what is there; only when the
 * ring is empty does it wait (`readAsync` for one frame, then whatever else arrived), so a
 * slow producer's frames flow out as they come rather than once a whole chunk is there.
 */
import type { RingReader } from '../types.js';
import type { FrameSource } from './frameSource.js';

/**
 * Reads a ring's consumer side; `release` closes that end (ending the ring's stream, freeing
 * the role), which also wakes a pull that is waiting.
 *
 * @example
 * const source = ringSource(attachRing(handle, { role: 'consumer' }));
 *
 * @param ring - the consumer side.
 */
export function ringSource(ring: RingReader): FrameSource {
  const channels = ring.config.channels;
  // A ring end without close() cannot be woken by closing it: wake its waits with a signal.
  const stop = ring.close === undefined ? new AbortController() : undefined;
  const waitOptions = stop === undefined ? {} : { signal: stop.signal };
  let read = 0;
  return {
    open: () => ({ channels, sampleRate: ring.config.sampleRate }),
    position: () => read,
    async pull(target: Float32Array): Promise<number> {
      let frames = ring.readInto(target);
      if (frames === 0) {
        frames = await ring.readAsync(target.subarray(0, channels), waitOptions);
        if (frames > 0 && target.length > channels) frames += ring.readInto(target.subarray(channels));
      }
      read += frames;
      return frames;
    },
    async release(): Promise<void> {
      stop?.abort();
      await ring.close?.();
    },
  };
}
