/**
 * The base of the buffers read and written at a position like a file (memory, streaming):
 * the position, the size, `seek`, `tell` and `size` over them, and iteration in chunks.
 */
import type { AudioChunk } from '../core/chunk.js';
import type { BufferConfig } from '../core/config.js';
import { SeekError } from '../core/errors.js';
import type { AudioData } from '../core/frames.js';
import { Gate } from '../core/types.js';
import { show } from '../core/validate.js';
import { CountedBuffer } from './countedBuffer.js';
import { positionalChunks, type ChunksOptions } from './iterateChunks.js';

/** A {@link CountedBuffer} with a position and a size in frames. */
export abstract class PositionedBuffer extends CountedBuffer {
  /** Where the next read or write starts, in frames. */
  protected _position = 0;
  /** Frames held: the end of the furthest write. */
  protected _size = 0;

  abstract readonly config: Readonly<BufferConfig>;
  /** Reads into `target` at the position without allocating; returns frames read (0 at the end). */
  abstract readInto(target: AudioData): number;

  /**
   * Moves the position to frame `frame`.
   * @throws {SeekError} `ERR_SEEK_OUT_OF_RANGE` unless `frame` is a whole number in `0..size()`.
   */
  seek(frame: number): void {
    if (this._gate !== Gate.OPEN) throw this._refused();
    if (typeof frame !== 'number' || !Number.isInteger(frame) || frame < 0 || frame > this._size) {
      throw this._recordError(new SeekError(`seek to ${show(frame)} is outside 0..${this._size}`));
    }
    this._position = frame;
  }

  /** The position in frames. */
  tell(): number {
    this._assertNotClosed();
    return this._position;
  }

  /** Frames of data held (the end of the furthest write). */
  size(): number {
    this._assertNotClosed();
    return this._size;
  }

  /**
   * Iterates the buffer from its position to its end in chunks of `chunkFrames` frames
   * (default 8192), moving the position as it goes. One block is reused for every chunk: a
   * chunk is valid until the next one is asked for (copy `chunk.data` to keep it). Leaving
   * the loop early leaves the buffer open, its position after the last chunk read.
   *
   * @example
   * buffer.seek(0);
   * for await (const chunk of buffer.chunks({ chunkFrames: 4800 })) meter(chunk.data.subarray(0, chunk.frames * chunk.channels));
   *
   * @param options - `chunkFrames`.
   * @throws {ArgumentError} `ERR_INVALID_ARGUMENT` for a bad `chunkFrames`; `ERR_BUFFER_CLOSED` on a closed buffer
   *   (both when iteration starts).
   */
  chunks(options?: ChunksOptions): AsyncGenerator<AudioChunk, void, undefined> {
    return positionalChunks(this, options);
  }

  /**
   * `for await (const chunk of buffer)`: {@link chunks} with 8192-frame chunks.
   *
   * @example
   * for await (const chunk of buffer) total += chunk.frames;
   */
  [Symbol.asyncIterator](): AsyncGenerator<AudioChunk, void, undefined> {
    return this.chunks();
  }
}
