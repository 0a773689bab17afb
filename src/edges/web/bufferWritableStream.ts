/** A buffer, or a ring's producer side, as a WHATWG writable stream of raw PCM. */
import type { WritableStream } from 'node:stream/web';
import { ArgumentError } from '../../core/errors.js';
import { checkNumber, show } from '../../core/validate.js';
import type { PositionalWriter, RingWriter } from '../types.js';
import { frameSinkOf } from './frameSink.js';
import { pcmByteSink } from './pcmByteSink.js';
import { pcmFormat, type PcmFormat } from '../pcmFormat.js';

/** Options of {@link bufferWritableStream}. */
export interface BufferWritableStreamOptions {
  /** How the bytes store each sample. */
  readonly format: PcmFormat;
  /** Bytes the stream queues before `writer.ready` waits. Default 65536. */
  readonly highWaterMark?: number;
  /** Frames decoded per buffer write at most. Default 4096. */
  readonly chunkFrames?: number;
  /**
   * Fails a write waiting for room at once (`ERR_ABORTED`) and closes the ring. Pass the signal
   * you give `pipeTo` here too: `pipeTo` itself lets the write in flight finish before it aborts,
   * which never happens while the ring stays full.
   */
  readonly signal?: AbortSignal;
}

/**
 * A `WritableStream<Uint8Array>` of interleaved PCM in `format` into `buffer`: written at a
 * positional buffer's position (the buffer stays open), or into a ring's producer side,
 * waiting for room (the ring's end is closed when the stream closes or aborts). Bytes may
 * arrive in any split; closing with part of a frame left over fails with
 * `ERR_FRAME_MISALIGNED`.
 *
 * @example
 * await Readable.toWeb(process.stdin).pipeTo(bufferWritableStream(ring, { format: 'f32le' }));
 *
 * @param buffer - a memory or streaming buffer, or a ring's producer side.
 * @param options - the byte format, the queue's size in bytes and the decode chunk.
 * @throws {ArgumentError} `ERR_INVALID_ARGUMENT` for a bad option or buffer.
 */
export function bufferWritableStream(buffer: PositionalWriter | RingWriter, options: BufferWritableStreamOptions): WritableStream<Uint8Array> {
  if (typeof buffer !== 'object' || buffer === null || !('config' in buffer) || !('write' in buffer || 'writeAsync' in buffer)) {
    throw new ArgumentError(`buffer: expected an avbuf buffer or a ring's producer side, got ${show(buffer)}`);
  }
  const codec = pcmFormat(options?.format);
  const highWaterMark = checkNumber('highWaterMark', options.highWaterMark ?? 65536, { min: 0, kind: 'argument' });
  const chunkFrames = checkNumber('chunkFrames', options.chunkFrames ?? 4096, { min: 1, integer: true, kind: 'argument' });
  if (options.signal !== undefined && !(options.signal instanceof AbortSignal)) {
    throw new ArgumentError(`signal: expected an AbortSignal, got ${show(options.signal)}`);
  }
  return pcmByteSink(frameSinkOf(buffer, codec, chunkFrames), codec, highWaterMark, options.signal);
}
