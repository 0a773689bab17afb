/**
 * The base of the buffers read and written at a position like a file (memory, streaming):
 * the position, the size, and `seek`, `tell` and `size` over them.
 */
import { SeekError } from '../core/errors.js';
import { Gate } from '../core/types.js';
import { show } from '../core/validate.js';
import { CountedBuffer } from './countedBuffer.js';

/** A {@link CountedBuffer} with a position and a size in frames. */
export abstract class PositionedBuffer extends CountedBuffer {
  /** Where the next read or write starts, in frames. */
  protected _position = 0;
  /** Frames held: the end of the furthest write. */
  protected _size = 0;

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
}
