/** A memory or streaming buffer (or a manager's buffer) as a Node Writable. */
import type { Writable } from 'node:stream';
import type { PositionalWriter } from '../types.js';
import { FrameWritable } from './frameWritable.js';
import { resolveStreamOptions, type NodeStreamOptions } from './streamOptions.js';

/**
 * Writes raw interleaved PCM bytes (any split: a frame cut across two writes is joined) or
 * {@link AudioChunk} objects into a buffer at its position. It finishes once a buffer that
 * can `flush()` (a streaming buffer) has flushed; the buffer stays open. Frames written
 * before a failure stay in the buffer: it belongs to the caller.
 *
 * @example
 * const buffer = new StreamingBuffer({ channels: 2, sampleRate: 48000 });
 * await pipeline(ffmpeg.stdout, bufferWritable(buffer, { format: 'f32le' }));
 *
 * @param buffer - any positional buffer: `MemoryBuffer`, `StreamingBuffer`, a manager's buffer.
 * @param options - `format` or `objectMode`, `highWaterMark`, `signal`.
 * @throws {ArgumentError} `ERR_INVALID_ARGUMENT` for a bad option. The stream fails with
 *   `ERR_FRAME_MISALIGNED` when the bytes end inside a frame, and with the buffer's error when it refuses a write.
 */
export function bufferWritable(buffer: PositionalWriter, options: NodeStreamOptions = {}): Writable {
  const resolved = resolveStreamOptions(options);
  const sink = {
    write(frames: Float32Array): void {
      buffer.write(frames);
    },
    async finish(): Promise<void> {
      await buffer.flush?.();
    },
    abort: () => undefined,
  };
  return new FrameWritable(sink, resolved, buffer.config.channels);
}
