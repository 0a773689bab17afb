/** A positional buffer (memory, streaming, a WAV-backed buffer, a manager's buffer) as a {@link FrameSource}. */
import type { PositionalReader } from '../types.js';
import type { FrameSource } from './frameSource.js';

/**
 * Reads `buffer` from `from` (default: its position) to its end, moving its position as it
 * goes. Releasing leaves the buffer open: it belongs to the caller.
 *
 * @example
 * const source = bufferSource(memoryBuffer, 0);
 *
 * @param buffer - the buffer to read.
 * @param from - the frame to start at; default: where the buffer's position is.
 */
export function bufferSource(buffer: PositionalReader, from?: number): FrameSource {
  return {
    open() {
      if (from !== undefined) buffer.seek(from);
      return { channels: buffer.config.channels, sampleRate: buffer.config.sampleRate };
    },
    position: () => buffer.tell(),
    pull: (target: Float32Array) => buffer.readInto(target),
    release: () => undefined,
  };
}
