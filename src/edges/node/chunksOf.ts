/** Any buffer or ring as an async iterable of AudioChunks, for `for await`. */
import { positionalChunks, ringChunks, type ChunksOptions } from '../../buffers/iterateChunks.js';
import type { AudioChunk } from '../../streams/chunk.js';
import type { PositionalReader, RingReader } from '../types.js';

/** Options of {@link chunksOf}. */
export interface ChunksOfOptions extends ChunksOptions {
  /** Frames per chunk (the last may be shorter). Default 8192. */
  readonly chunkFrames?: number;
}

function isRing(buffer: PositionalReader | RingReader): buffer is RingReader {
  return 'ended' in buffer && typeof buffer.readAsync === 'function';
}

/**
 * Iterates a buffer from its position to its end, or a ring's consumer side until the
 * producer closes it, in chunks of `chunkFrames` frames. One block is reused: a chunk is
 * valid until the next one is asked for (copy `chunk.data` to keep it). Leaving the loop
 * early closes a ring's end, as destroying {@link ringReadable} does; a buffer stays open.
 * The same iteration as `for await (const chunk of buffer)` and `buffer.chunks()` on avbuf's
 * own buffers (src/buffers/iterateChunks.ts); this function takes any structural buffer.
 *
 * @example
 * for await (const chunk of chunksOf(buffer, { chunkFrames: 4800 })) {
 *   console.log(chunk.position, chunk.frames);
 * }
 *
 * @param buffer - a positional buffer (memory, streaming, a manager's) or a ring's consumer side.
 * @param options - `chunkFrames`.
 * @throws {ArgumentError} `ERR_INVALID_ARGUMENT` for a bad `chunkFrames` (when iteration starts).
 */
export function chunksOf(buffer: PositionalReader | RingReader, options: ChunksOfOptions = {}): AsyncGenerator<AudioChunk, void, undefined> {
  return isRing(buffer) ? ringChunks(buffer, options) : positionalChunks(buffer, options);
}
