import { reduce, type OperatorFunction } from 'rxjs';
import type { AudioChunk } from './chunk.js';

/**
 * Reduces a stream of chunks to its peak absolute sample value (0 for silence or no
 * chunks), emitted when the stream completes. NaN samples are ignored.
 *
 * @example
 * const peak = await lastValueFrom(chunks$.pipe(peak()));
 * const normalizeDb = -20 * Math.log10(peak);
 */
export function peak(): OperatorFunction<AudioChunk, number> {
  return reduce((max, chunk) => {
    const data = chunk.data;
    let m = max;
    for (let i = 0, n = chunk.frames * chunk.channels; i < n; i++) {
      const v = Math.abs(data[i]!);
      if (v > m) m = v;
    }
    return m;
  }, 0);
}
