/** Any buffer or ring as an async iterable of AudioChunks, for `for await`. */
import { checkNumber } from '../../core/validate.js';
import type { AudioChunk } from '../../streams/chunk.js';
import type { PositionalReader, RingReader } from '../types.js';
import { bufferSource } from './bufferSource.js';
import { ringSource } from './ringSource.js';

/** Options of {@link chunksOf}. */
export interface ChunksOfOptions {
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
 *
 * @example
 * for await (const chunk of chunksOf(buffer, { chunkFrames: 4800 })) {
 *   console.log(chunk.position, chunk.frames);
 * }
 *
 * @param buffer - a positional buffer (memory, streaming, a manager's) or a ring's consumer side.
 * @param options - `chunkFrames`.
 * @throws {ConfigError} `ERR_INVALID_CONFIG` for a bad `chunkFrames` (when iteration starts).
 */
export async function* chunksOf(buffer: PositionalReader | RingReader, options: ChunksOfOptions = {}): AsyncGenerator<AudioChunk, void, undefined> {
  const chunkFrames = checkNumber('chunkFrames', options.chunkFrames ?? 8192, { min: 1, max: 2 ** 24, integer: true });
  const source = isRing(buffer) ? ringSource(buffer) : bufferSource(buffer);
  try {
    const { channels, sampleRate } = await source.open();
    const block = new Float32Array(chunkFrames * channels);
    for (;;) {
      const position = source.position();
      const frames = await source.pull(block);
      if (frames === 0) return;
      yield { data: block, frames, channels, sampleRate, position };
    }
  } finally {
    await source.release();
  }
}
