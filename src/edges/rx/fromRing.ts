import type { Observable } from 'rxjs';
import { ArgumentError } from '../../core/errors.js';
import { show } from '../../core/validate.js';
import type { AudioChunk } from '../../streams/chunk.js';
import type { RingReader } from '../types.js';
import { checkChunkFrames, chunkSource, type BlockPool, type ChunkSourceOptions } from './chunkSource.js';
import type { BlockChunk } from './releaseChunk.js';

/**
 * A ring's consumer side as chunks of `chunkFrames` frames: each chunk waits (with
 * `readAsync`, never blocking the event loop) until the producer has written it whole; the
 * source completes once the ring has ended and is drained (its last chunk may be shorter).
 * Positions count frames from the first one this source read. The producer waits for room
 * when this source is slow, so the ring's capacity bounds what it holds; with a pool, the
 * source also stops reading while every block is out.
 *
 * @example
 * const ring = new RingBuffer({ channels: 2 }, { capacity: 65536 });
 * fromRing(ring, { chunkFrames: 1024 }).subscribe((chunk) => play(chunk));
 *
 * @param ring - a RingBuffer (or a manager's ring); this source takes the consumer's role.
 * @param options - `chunkFrames`, `pool`, `signal` (aborting ends the source with `ERR_ABORTED`).
 * @throws {ArgumentError} `ERR_INVALID_ARGUMENT` for a bad option; the ring's errors (e.g.
 *   `ERR_RING_ROLE_TAKEN`) are the Observable's error.
 */
export function fromRing(ring: RingReader, options: ChunkSourceOptions & { pool: BlockPool }): Observable<BlockChunk>;
export function fromRing(ring: RingReader, options: ChunkSourceOptions): Observable<AudioChunk>;
export function fromRing(ring: RingReader, options: ChunkSourceOptions): Observable<AudioChunk> {
  if (typeof (ring as Partial<RingReader> | null)?.readAsync !== 'function') {
    throw new ArgumentError(`fromRing needs a ring with readAsync, got ${show(ring)}`);
  }
  checkChunkFrames(options);
  return chunkSource(
    () => ({
      channels: ring.config.channels,
      sampleRate: ring.config.sampleRate,
      start: 0,
      read: (target, _position, signal) => ring.readAsync(target, { signal }),
    }),
    options,
  );
}
