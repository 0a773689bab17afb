/** A memory or streaming buffer (or a manager's buffer) as a Node Readable. */
import type { Readable } from 'node:stream';
import { checkNumber } from '../../core/validate.js';
import type { PositionalReader } from '../types.js';
import { bufferSource } from './bufferSource.js';
import { FrameReadable } from './frameReadable.js';
import { resolveStreamOptions, type NodeStreamOptions } from './streamOptions.js';

/** Options of {@link bufferReadable}. */
export interface BufferReadableOptions extends NodeStreamOptions {
  /** The frame to start at. Default: the buffer's position. */
  readonly from?: number;
}

/**
 * Reads a buffer from its position (or `from`) to its end as raw interleaved PCM bytes or
 * as {@link AudioChunk} objects (with each chunk's frame position). The buffer stays open.
 *
 * @example
 * const buffer = new MemoryBuffer({ channels: 2, sampleRate: 48000 });
 * buffer.write(samples);
 * await pipeline(bufferReadable(buffer, { from: 0, format: 's16le' }), createWriteStream('out.raw'));
 * for await (const chunk of bufferReadable(buffer, { from: 0, objectMode: true, chunkFrames: 4800 })) use(chunk);
 *
 * @param buffer - any positional buffer: `MemoryBuffer`, `StreamingBuffer`, a manager's buffer.
 * @param options - `format` or `objectMode`, `chunkFrames`, `highWaterMark`, `signal`, `from`.
 * @throws {ArgumentError} `ERR_INVALID_ARGUMENT` for a bad option.
 */
export function bufferReadable(buffer: PositionalReader, options: BufferReadableOptions = {}): Readable {
  const resolved = resolveStreamOptions(options);
  const from = options.from === undefined ? undefined : checkNumber('from', options.from, { min: 0, integer: true });
  return new FrameReadable(bufferSource(buffer, from), resolved, buffer.config.channels);
}
