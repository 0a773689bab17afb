import { map, type OperatorFunction } from 'rxjs';
import { ArgumentError } from '../core/errors.js';
import type { AudioChunk } from './chunk.js';

/** The linear factor of a gain in decibels. */
export function dbToGain(db: number): number {
  return 10 ** (db / 20);
}

/**
 * Multiplies every sample by a gain given in decibels, in place: each sample becomes
 * `Math.fround(x * 10 ** (db / 20))` (the product is taken in double precision and rounded
 * once when stored).
 *
 * @example
 * chunks$.pipe(gain(-3)).subscribe(write);
 *
 * @param db - gain in dB; negative attenuates.
 * @typeParam C - the chunk type, passed through (chunks may carry more, e.g. their pool block).
 * @throws {ArgumentError} `ERR_INVALID_ARGUMENT` when `db` is not a finite number.
 */
export function gain<C extends AudioChunk>(db: number): OperatorFunction<C, C> {
  if (typeof db !== 'number' || !Number.isFinite(db)) throw new ArgumentError(`gain must be a finite number of dB, got ${String(db)}`);
  const factor = dbToGain(db);
  return map((chunk) => {
    const data = chunk.data;
    // A plain indexed loop: V8 keeps it on unboxed floats, ≈1 ns a sample here.
    for (let i = 0, n = chunk.frames * chunk.channels; i < n; i++) data[i] = data[i]! * factor;
    return chunk;
  });
}
