/** The check every readable of this folder makes of its buffer argument. */
import { ArgumentError } from '../../core/errors.js';
import { show } from '../../core/validate.js';
import type { PositionalReader, RingReader } from '../types.js';

/**
 * Rejects what is not an avbuf buffer before any stream exists, so the mistake surfaces at
 * the call and not at the first read.
 *
 * @example
 * checkReader(buffer); // throws ERR_INVALID_ARGUMENT for, say, a Uint8Array
 *
 * @param buffer - what the caller passed as the buffer.
 * @throws {ArgumentError} `ERR_INVALID_ARGUMENT` when it has no `readInto` or no `config`.
 */
export function checkReader(buffer: unknown): asserts buffer is PositionalReader | RingReader {
  if (
    typeof buffer !== 'object' ||
    buffer === null ||
    !('readInto' in buffer) ||
    typeof buffer.readInto !== 'function' ||
    !('config' in buffer) ||
    typeof buffer.config !== 'object'
  ) {
    throw new ArgumentError(`buffer: expected an avbuf buffer or a ring's consumer side, got ${show(buffer)}`);
  }
}
