/** Where the readable streams pull frames from: a buffer, a ring's consumer side, a WAV file. */
import type { PositionalReader, RingReader } from '../types.js';

/** Frames pulled on demand as interleaved Float32; what a readable stream is written over. */
export interface FrameSource {
  readonly channels: number;
  readonly sampleRate: number;
  /** Frame position of the next frame in its stream. */
  readonly position: number;
  /**
   * Reads at least one frame into `target` (whole frames), waiting if need be; 0 only at the end.
   * `signal` abandons a wait (the wait rejects with an `ERR_ABORTED` error).
   */
  read(target: Float32Array, signal: AbortSignal): Promise<number>;
  /** Lets go of what the source holds (a ring role, a file handle). Called once. */
  release(): Promise<void>;
}

/**
 * The source over an avbuf buffer: a positional buffer is read from its position to its end
 * and left open (the app owns it); a ring's consumer side is read until the ring ends, and
 * its end is closed on release, since closing is what frees the consumer role.
 *
 * @example
 * const source = frameSourceOf(memoryBuffer);
 * const frames = await source.read(new Float32Array(1024 * 2), new AbortController().signal);
 *
 * @param buffer - a positional reader or a ring reader.
 */
export function frameSourceOf(buffer: PositionalReader | RingReader): FrameSource {
  const { channels, sampleRate } = buffer.config;
  if ('readAsync' in buffer) return ringSource(buffer, channels, sampleRate);
  let position = buffer.tell();
  return {
    channels,
    sampleRate,
    get position() {
      return position;
    },
    read(target) {
      const frames = buffer.readInto(target);
      position += frames;
      return Promise.resolve(frames);
    },
    release: () => Promise.resolve(),
  };
}

function ringSource(ring: RingReader, channels: number, sampleRate: number): FrameSource {
  let position = 0;
  return {
    channels,
    sampleRate,
    get position() {
      return position;
    },
    async read(target, signal) {
      let frames = ring.readInto(target);
      if (frames === 0) {
        // readAsync fills all of its target before it resolves, so it waits for one frame
        // only; whatever else has arrived by then is taken without waiting.
        frames = await ring.readAsync(target.subarray(0, channels), { signal });
        if (frames > 0) frames += ring.readInto(target.subarray(channels));
      }
      position += frames;
      return frames;
    },
    async release() {
      if (!('close' in ring) || typeof ring.close !== 'function') return;
      const closing: unknown = ring.close(); // a manager's ring closes asynchronously
      if (closing instanceof Promise) await closing;
    },
  };
}
