import type { Observable } from 'rxjs';
import { ArgumentError } from '../../core/errors.js';
import { checkNumber, show } from '../../core/validate.js';
import type { AudioChunk } from '../../streams/chunk.js';
import type { PositionalReader } from '../types.js';
import { checkChunkFrames, chunkSource, type BlockPool, type ChunkSourceOptions } from './chunkSource.js';
import type { BlockChunk } from './releaseChunk.js';

/** Options of {@link fromBuffer}. */
export interface FromBufferOptions extends ChunkSourceOptions {
  /** The first frame to read. Default: the buffer's position when subscribed. */
  from?: number;
}

/**
 * The frames of a memory or streaming buffer (or a manager's buffer) from its position, or
 * `from`, to its end, as chunks of `chunkFrames` frames; then completes. The buffer is sought
 * to each chunk's position before it is read, so the buffer's position ends after the last
 * frame read. Without a pool, each chunk is a fresh array (yours to keep) and a memory buffer
 * is read in one synchronous loop; with a pool, each chunk is read into a block taken from
 * it, and the next is read only when a block is free (see docs/streams-rxjs.md).
 *
 * @example
 * const copy = new MemoryBuffer({ channels: 2 });
 * fromBuffer(buffer, { chunkFrames: 4096 }).pipe(gain(-3), intoBuffer(copy)).subscribe();
 *
 * @param buffer - any {@link PositionalReader}: MemoryBuffer, StreamingBuffer, a manager's buffer.
 * @param options - `chunkFrames`, `from`, `pool`, `signal`.
 * @throws {ArgumentError} `ERR_INVALID_ARGUMENT` for a bad option (at call time); a read's error
 *   (e.g. `ERR_BUFFER_CLOSED`, `ERR_SEEK_OUT_OF_RANGE` for a `from` past the end) is the Observable's error.
 */
export function fromBuffer(buffer: PositionalReader, options: FromBufferOptions & { pool: BlockPool }): Observable<BlockChunk>;
export function fromBuffer(buffer: PositionalReader, options: FromBufferOptions): Observable<AudioChunk>;
export function fromBuffer(buffer: PositionalReader, options: FromBufferOptions): Observable<AudioChunk> {
  if (typeof (buffer as Partial<PositionalReader> | null)?.readInto !== 'function') {
    throw new ArgumentError(`fromBuffer needs a buffer with readInto, seek and tell, got ${show(buffer)}`);
  }
  checkChunkFrames(options);
  const from = options.from === undefined ? undefined : checkNumber('from', options.from, { min: 0, integer: true, kind: 'argument' });
  return chunkSource(
    () => ({
      channels: buffer.config.channels,
      sampleRate: buffer.config.sampleRate,
      start: from ?? buffer.tell(),
      read: (target, position) => {
        buffer.seek(position);
        return buffer.readInto(target);
      },
    }),
    options,
  );
}
