/** A ring's producer side as a Node Writable. */
import type { Writable } from 'node:stream';
import type { RingWriter } from '../types.js';
import { FrameWritable } from './frameWritable.js';
import { ringSink } from './ringSink.js';
import { resolveStreamOptions, type NodeStreamOptions } from './streamOptions.js';

/**
 * Writes raw interleaved PCM bytes (any split) or {@link AudioChunk} objects into a ring's
 * producer side. Each write is called back only once the ring took all of it (it waits for
 * room with `writeAsync`), so a full ring stops the writer: back-pressure reaches a pipe's
 * producer (ffmpeg blocks on its stdout). Ending the stream closes the ring, and the consumer
 * reads what is left, then sees the end; so does a failure or destroy().
 *
 * @example
 * const ring = new RingBuffer({ channels: 2, sampleRate: 48000 }, { capacity: 32768 });
 * worker.postMessage(ring.share()); // the worker reads from it
 * await pipeline(ffmpeg.stdout, ringWritable(ring, { format: 'f32le' }));
 *
 * @param ring - the producer side: a `RingBuffer` (or an end from `attachRing`) or a manager's ring.
 * @param options - `format` or `objectMode`, `highWaterMark`, `signal`.
 * @throws {ArgumentError} `ERR_INVALID_ARGUMENT` for a bad option. The stream fails with
 *   `ERR_FRAME_MISALIGNED` when the bytes end inside a frame, `ERR_BUFFER_CLOSED` when the consumer closed the ring.
 */
export function ringWritable(ring: RingWriter, options: NodeStreamOptions = {}): Writable {
  return new FrameWritable(ringSink(ring), resolveStreamOptions(options), ring.config.channels);
}
