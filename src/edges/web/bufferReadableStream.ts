/** A buffer, or a ring's consumer side, as a WHATWG byte stream of raw PCM. */
import type { ReadableStream } from 'node:stream/web';
import { checkNumber } from '../../core/validate.js';
import type { PositionalReader, RingReader } from '../types.js';
import { checkReader } from './checkReader.js';
import { frameSourceOf } from './frameSource.js';
import { pcmByteStream } from './pcmByteStream.js';
import { pcmFormat, type PcmFormat } from '../pcmFormat.js';

/** Options of {@link bufferReadableStream}. */
export interface BufferReadableStreamOptions {
  /** How the bytes store each sample. */
  readonly format: PcmFormat;
  /** Frames read from the buffer per read at most; the default reader's chunk. Default 4096. */
  readonly chunkFrames?: number;
}

/** Frames per read when the caller does not say: 32 KiB of stereo f32. */
const DEFAULT_CHUNK_FRAMES = 4096;

/**
 * A `ReadableStream` of type `'bytes'` over `buffer`: interleaved PCM in `format`, from the
 * buffer's position to its end (a positional buffer, left open) or until the ring ends (a
 * ring's consumer side, whose end is closed when the stream ends or is cancelled, which frees
 * the consumer role). A BYOB reader's view is filled in place; views that are not whole frames
 * are served sample by sample, never losing or repeating a byte.
 *
 * @example
 * const stream = bufferReadableStream(buffer, { format: 's16le' });
 * const reader = stream.getReader({ mode: 'byob' });
 * const { value } = await reader.read(new Uint8Array(4096)); // encoded into this memory
 * const body = await new Response(bufferReadableStream(buffer, { format: 'f32le' })).arrayBuffer();
 *
 * @param buffer - a memory or streaming buffer (read at its position), or a ring's consumer side.
 * @param options - the byte format and the chunk size.
 * @throws {ArgumentError} `ERR_INVALID_ARGUMENT` for a bad format, chunk size or buffer.
 */
export function bufferReadableStream(buffer: PositionalReader | RingReader, options: BufferReadableStreamOptions): ReadableStream<Uint8Array> {
  checkReader(buffer);
  const codec = pcmFormat(options?.format);
  const chunkFrames = checkNumber('chunkFrames', options.chunkFrames ?? DEFAULT_CHUNK_FRAMES, { min: 1, integer: true, kind: 'argument' });
  return pcmByteStream(frameSourceOf(buffer), codec, chunkFrames);
}
