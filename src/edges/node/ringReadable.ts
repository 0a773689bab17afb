/** A ring's consumer side as a Node Readable. */
import type { Readable } from 'node:stream';
import type { RingReader } from '../types.js';
import { FrameReadable } from './frameReadable.js';
import { ringSource } from './ringSource.js';
import { resolveStreamOptions, type NodeStreamOptions } from './streamOptions.js';

/**
 * Reads a ring's consumer side until the producer closes it, as raw interleaved PCM bytes or
 * {@link AudioChunk} objects. It waits with `readAsync` (the event loop stays free) and
 * reads only while its consumer wants more (highWaterMark), so a consumer that stops
 * reading leaves the ring full and the producer waiting. Ending or destroying the stream
 * closes this end of the ring (its role is free again; the producer's next write fails with
 * `ERR_BUFFER_CLOSED`).
 *
 * @example
 * const ring = new RingBuffer({ channels: 2, sampleRate: 48000 }, { capacity: 32768 });
 * worker.postMessage(ring.share()); // the worker writes into it
 * await pipeline(ringReadable(ring, { format: 's16le' }), sox.stdin);
 *
 * @param ring - the consumer side: a `RingBuffer` (or an end from `attachRing`) or a manager's ring.
 * @param options - `format` or `objectMode`, `chunkFrames`, `highWaterMark`, `signal`.
 * @throws {ArgumentError} `ERR_INVALID_ARGUMENT` for a bad option.
 */
export function ringReadable(ring: RingReader, options: NodeStreamOptions = {}): Readable {
  return new FrameReadable(ringSource(ring), resolveStreamOptions(options), ring.config.channels);
}
