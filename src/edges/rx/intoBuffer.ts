import type { OperatorFunction } from 'rxjs';
import { ArgumentError } from '../../core/errors.js';
import { show } from '../../core/validate.js';
import type { AudioChunk } from '../../streams/chunk.js';
import type { PositionalWriter } from '../types.js';
import { checkChannels, chunkSink, validSamples, type Written } from './chunkSink.js';

/**
 * A sink that writes every chunk at a memory or streaming buffer's position (which moves on
 * after it), synchronously as each arrives, gives a pooled chunk's block back, and emits a
 * {@link Written} receipt for it; it completes when the source does.
 *
 * @example
 * const copy = new MemoryBuffer({ channels: 2 });
 * await lastValueFrom(fromWavFile('in.wav', { chunkFrames: 8192 }).pipe(intoBuffer(copy)), { defaultValue: undefined });
 *
 * @param buffer - any {@link PositionalWriter}: MemoryBuffer, StreamingBuffer, a manager's buffer.
 * @throws {ArgumentError} `ERR_INVALID_ARGUMENT` when `buffer` cannot be written; a chunk of another
 *   channel count errors the Observable with `ERR_CHANNEL_MISMATCH`, a refused write with the buffer's error.
 */
export function intoBuffer(buffer: PositionalWriter): OperatorFunction<AudioChunk, Written> {
  if (typeof (buffer as Partial<PositionalWriter> | null)?.write !== 'function') {
    throw new ArgumentError(`intoBuffer needs a buffer with write, got ${show(buffer)}`);
  }
  return chunkSink(() => ({
    write: (chunk) => {
      checkChannels(chunk, buffer.config.channels, 'a buffer');
      buffer.write(validSamples(chunk));
    },
    finish: () => undefined,
    abort: () => undefined,
  }));
}
