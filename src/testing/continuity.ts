/**
 * Checks that a stream lost nothing and repeated nothing: each item must start where the one
 * before it ended, by frame position ({@link sampleCounter}) or by PTS ({@link ptsContinuity}).
 */
import { ArgumentError } from '../core/errors.js';
import type { AudioChunk } from '../streams/chunk.js';
import type { Timed } from '../streams/timed.js';
import { _count, _finite } from './check.js';

/** An item that does not start where the one before it ended. */
export interface Discontinuity {
  /** Its index among the items checked (0 for the first). */
  readonly index: number;
  /** Where it should have started: the previous item's end (or the expected start). */
  readonly expected: number;
  /** Where it starts. */
  readonly actual: number;
  /** How far apart the two are: frames (or ns) missing for a gap, repeated for an overlap. */
  readonly size: number;
}

/** What a continuity check found, in frames ({@link sampleCounter}) or ns ({@link ptsContinuity}). */
export interface ContinuityReport {
  /** Items checked. */
  readonly count: number;
  /** Items that start after the previous one ended: something was lost before them. */
  readonly gaps: readonly Discontinuity[];
  /** Items that start before the previous one ended: something was repeated. */
  readonly overlaps: readonly Discontinuity[];
}

/** A {@link ContinuityReport} in frames, with the frames counted. */
export interface SampleReport extends ContinuityReport {
  /** Frames received (valid frames of every chunk, overlaps included). */
  readonly frames: number;
  /** Where the stream reached: the last chunk's position plus its frames (the expected start when none came). */
  readonly end: number | undefined;
}

/** Counts the frames of a chunk stream as it passes; see {@link sampleCounter}. */
export interface SampleCounter {
  /** Records one chunk (its position and frame count; the chunk is not kept). Pass it to `tap`. */
  readonly add: (chunk: AudioChunk) => void;
  /** What was found so far. */
  readonly report: () => SampleReport;
}

/** Options of {@link sampleCounter}. */
export interface SampleCounterOptions {
  /** Position the first chunk must start at, so that losing the first chunks counts as a gap. Default: wherever it starts. */
  readonly start?: number;
}

/**
 * Checks a stream of audio chunks for lost and repeated frames by their `position`: each chunk
 * must start at the previous one's `position + frames`. It records numbers only, so it can
 * watch a pipeline whose blocks are reused (a chunk is not to be kept after the next one).
 *
 * @example
 * const counter = sampleCounter({ start: 0 });
 * await lastValueFrom(chunks$.pipe(tap(counter.add), gain(-3), toArray()));
 * const { frames, gaps, overlaps } = counter.report();
 * assert.deepStrictEqual([frames, gaps, overlaps], [48000, [], []]);
 *
 * @throws {ArgumentError} `ERR_INVALID_ARGUMENT` when `start` is not an integer ≥ 0.
 */
export function sampleCounter(options: SampleCounterOptions = {}): SampleCounter {
  if (options.start !== undefined) _count('start', options.start);
  let next = options.start;
  let count = 0;
  let frames = 0;
  const gaps: Discontinuity[] = [];
  const overlaps: Discontinuity[] = [];
  return {
    add: (chunk) => {
      const index = count++;
      frames += chunk.frames;
      if (next !== undefined && chunk.position !== next) {
        const found = { index, expected: next, actual: chunk.position, size: Math.abs(chunk.position - next) };
        (chunk.position > next ? gaps : overlaps).push(found);
      }
      next = chunk.position + chunk.frames;
    },
    report: () => ({ count, frames, end: next, gaps: [...gaps], overlaps: [...overlaps] }),
  };
}

/** Options of {@link ptsContinuity}. */
export interface PtsContinuityOptions {
  /** Differences up to this many ns are not counted (for stamps rounded elsewhere). Default 0. */
  readonly tolerance?: number;
  /** PTS the first item must start at. Default: wherever it starts. */
  readonly start?: number;
}

/**
 * Checks timed items for gaps and overlaps by PTS: each item must start at the previous one's
 * `pts + duration` (so the items need durations, as the kit's factories give them).
 *
 * @example
 * const out = [];
 * // … collect what a pipeline emitted into `out` …
 * const { gaps, overlaps } = ptsContinuity(out);
 * // gaps: [{ index: 3, expected: 30000000, actual: 40000000, size: 10000000 }] — 10 ms lost before item 3
 *
 * @throws {ArgumentError} `ERR_INVALID_ARGUMENT` when `tolerance` is negative or an option is not finite.
 */
export function ptsContinuity(items: Iterable<Timed>, options: PtsContinuityOptions = {}): ContinuityReport {
  const tolerance = options.tolerance ?? 0;
  _finite('tolerance', tolerance);
  if (tolerance < 0) throw new ArgumentError(`tolerance must be ≥ 0, got ${tolerance}`);
  if (options.start !== undefined) _finite('start', options.start);
  let next = options.start;
  let count = 0;
  const gaps: Discontinuity[] = [];
  const overlaps: Discontinuity[] = [];
  for (const item of items) {
    const index = count++;
    if (next !== undefined && Math.abs(item.pts - next) > tolerance) {
      (item.pts > next ? gaps : overlaps).push({ index, expected: next, actual: item.pts, size: Math.abs(item.pts - next) });
    }
    next = item.pts + item.duration;
  }
  return { count, gaps, overlaps };
}
