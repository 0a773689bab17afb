/** A buffer, or a ring's consumer side, as a WHATWG stream of audio chunks with their timing. */
import { ReadableStream } from 'node:stream/web';
import { checkNumber } from '../../core/validate.js';
import type { AudioChunk } from '../../streams/chunk.js';
import type { PositionalReader, RingReader } from '../types.js';
import { checkReader } from './checkReader.js';
import { frameSourceOf } from './frameSource.js';

/** Options of {@link bufferChunkStream}. */
export interface BufferChunkStreamOptions {
  /** Frames per chunk at most. Default 4096. */
  readonly chunkFrames?: number;
  /** Chunks queued ahead of the reader. Default 1. */
  readonly highWaterMark?: number;
}

const DEFAULT_CHUNK_FRAMES = 4096;

/**
 * A `ReadableStream` of {@link AudioChunk}s read from `buffer` (as {@link bufferReadableStream}
 * reads it: a positional buffer from its position to its end, left open; a ring until it ends,
 * its end closed after). Each chunk owns its `data` (a reader of a web stream may keep what it
 * reads), `position` counts frames from the start of the stream (for a positional buffer,
 * from frame 0 of the buffer).
 *
 * @example
 * for await (const chunk of bufferChunkStream(buffer, { chunkFrames: 1024 })) {
 *   console.log(chunk.position, chunk.frames);
 * }
 *
 * @param buffer - a memory or streaming buffer, or a ring's consumer side.
 * @param options - the chunk size and how many chunks to read ahead.
 * @throws {ArgumentError} `ERR_INVALID_ARGUMENT` for a bad option or buffer.
 */
export function bufferChunkStream(buffer: PositionalReader | RingReader, options: BufferChunkStreamOptions = {}): ReadableStream<AudioChunk> {
  checkReader(buffer);
  const chunkFrames = checkNumber('chunkFrames', options.chunkFrames ?? DEFAULT_CHUNK_FRAMES, { min: 1, integer: true, kind: 'argument' });
  const highWaterMark = checkNumber('highWaterMark', options.highWaterMark ?? 1, { min: 0, integer: true, kind: 'argument' });
  const source = frameSourceOf(buffer);
  const stop = new AbortController();
  let released: Promise<void> | null = null;
  const release = (): Promise<void> => (released ??= source.release());
  return new ReadableStream<AudioChunk>(
    {
      async pull(controller) {
        const data = new Float32Array(chunkFrames * source.channels);
        const position = source.position;
        let frames: number;
        try {
          frames = await source.read(data, stop.signal);
        } catch (error) {
          await release();
          if (stop.signal.aborted) return;
          throw error;
        }
        if (stop.signal.aborted) return;
        if (frames === 0) {
          await release();
          controller.close();
          return;
        }
        const used = frames * source.channels;
        controller.enqueue({
          data: used === data.length ? data : data.slice(0, used),
          frames,
          channels: source.channels,
          sampleRate: source.sampleRate,
          position,
        });
      },
      async cancel() {
        stop.abort();
        await release();
      },
    },
    { highWaterMark },
  );
}
