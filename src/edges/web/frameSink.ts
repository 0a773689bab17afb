/** Where the writable streams put whole frames of bytes: a buffer, a ring's producer side, a WAV file. */
import { AbortError, BufferStateError, CapacityError, ErrorCode } from '../../core/errors.js';
import { decodeInto } from '../../formats/codecs.js';
import type { PositionalWriter, RingWriter } from '../types.js';
import type { pcmFormat } from '../pcmFormat.js';

/** Takes encoded whole frames; what a writable stream is written over. */
export interface FrameSink {
  readonly channels: number;
  /** Stores `bytes` (whole frames in the stream's format), waiting for room if need be. */
  write(bytes: Uint8Array, signal: AbortSignal): Promise<void>;
  /** Everything was written: make it final. */
  close(): Promise<void>;
  /** Stop: drop what is not final and let go of what the sink holds. Never rejects. */
  abort(): Promise<void>;
}

/**
 * The sink over an avbuf buffer: bytes are decoded `chunkFrames` frames at a time and
 * written at a positional buffer's position (left open: the app owns it) or into a ring's
 * producer side, waiting for room; the ring's end is closed when the stream closes or
 * aborts (the consumer then reads what is left and sees the end).
 *
 * @example
 * const sink = frameSinkOf(ring, pcmFormat('s16le'), 4096);
 *
 * @param buffer - a positional writer or a ring writer.
 * @param codec - the checked byte format.
 * @param chunkFrames - frames decoded per buffer write at most.
 */
export function frameSinkOf(buffer: PositionalWriter | RingWriter, codec: ReturnType<typeof pcmFormat>, chunkFrames: number): FrameSink {
  const { channels } = buffer.config;
  const frameBytes = channels * codec.sampleBytes;
  const floats = new Float32Array(chunkFrames * channels);
  const isRing = 'writeAsync' in buffer;
  async function put(data: Float32Array, signal: AbortSignal): Promise<number> {
    return isRing ? await settledOrAborted(buffer.writeAsync(data, { signal }), signal) : buffer.write(data);
  }
  let closing: Promise<unknown> | null = null;
  // A manager's ring closes asynchronously; a RingBuffer at once.
  const end = (): Promise<unknown> => (closing ??= isRing ? Promise.resolve(buffer.close()) : Promise.resolve());
  return {
    channels,
    async write(bytes, signal) {
      for (let at = 0; at < bytes.length; ) {
        const frames = Math.min(chunkFrames, (bytes.length - at) / frameBytes);
        const data = floats.subarray(0, frames * channels);
        decodeInto(codec.sample, bytes.subarray(at), data, frames * channels);
        const written = await put(data, signal);
        if (written < frames) {
          throw isRing
            ? new BufferStateError(ErrorCode.BUFFER_CLOSED, `the ring ended with ${frames - written} frames of a write not written`)
            : new CapacityError(`the buffer took ${written} of ${frames} frames: it is full`);
        }
        at += frames * frameBytes;
      }
    },
    async close() {
      await end();
    },
    async abort() {
      await end().catch(() => undefined);
    },
  };
}

/**
 * The ring notices an abort at its next wake (up to 50 ms later), and a pending
 * `Atomics.waitAsync` does not keep Node's event loop alive: a script whose only work left is
 * that wait would exit with the write unsettled. Failing at once lets the caller close the
 * ring, which wakes the wait; its late outcome is dropped.
 */
async function settledOrAborted<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  let onAbort = (): void => undefined;
  const aborted = new Promise<never>((_resolve, reject) => {
    onAbort = () => reject(new AbortError('a write waiting for room in the ring was aborted'));
  });
  // Whichever loses the race settles unobserved: mark both handled.
  work.catch(() => undefined);
  aborted.catch(() => undefined);
  if (signal.aborted) onAbort();
  else signal.addEventListener('abort', onAbort, { once: true });
  try {
    return await Promise.race([work, aborted]);
  } finally {
    signal.removeEventListener('abort', onAbort);
  }
}
