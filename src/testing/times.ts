/**
 * Presentation times stamped the way GStreamer's sources stamp them: the n-th unit (video
 * frame, audio frame) of a stream at `num/den` units per second starts at
 * `floor(n × 1e9 × den / num)` ns — `gst_util_uint64_scale`, which truncates. Consecutive
 * stamps therefore tile time with no gap and no overlap, and a duration is the next stamp
 * minus this one (33333333, 33333333, 33333334 ns at 30 fps, as videotestsrc gives them).
 */
import { ArgumentError } from '../core/errors.js';
import { _count, _finite, _positive } from './check.js';

/** A frame rate: frames per second as a whole number, or a fraction `[num, den]` (NTSC's 29.97 is `[30000, 1001]`). */
export type FrameRate = number | readonly [num: number, den: number];

const NS_PER_SECOND = 1_000_000_000n;

/**
 * `floor(n × 1e9 × den / num)`, computed exactly: in doubles the product passes 2^53 within
 * hours of 30000/1001 video, and a quotient rounded up to an integer would floor one ns late.
 *
 * @internal shared by the testing kit's factories; not part of the public API.
 */
export function _stampNs(n: number, num: number, den = 1): number {
  return Number((BigInt(n) * NS_PER_SECOND * BigInt(den)) / BigInt(num));
}

/**
 * The exact PTS of `count` consecutive video frames, as videotestsrc stamps them.
 *
 * @example
 * frameTimes(30, 4); // [0, 33333333, 66666666, 100000000]
 * frameTimes([30000, 1001], 2, 5_000_000); // [5000000, 38366666]
 *
 * @param fps - frames per second: a positive integer, or `[num, den]`.
 * @param count - how many frames.
 * @param start - the first frame's PTS in ns (added to every stamp, like a source's timestamp offset). Default 0.
 * @throws {ArgumentError} `ERR_INVALID_ARGUMENT` when an argument is out of range.
 */
export function frameTimes(fps: FrameRate, count: number, start = 0): number[] {
  const [num, den] = _rate(fps);
  _count('count', count);
  _finite('start', start);
  return Array.from({ length: count }, (_, i) => start + _stampNs(i, num, den));
}

/**
 * The exact PTS of `count` consecutive audio chunks of `framesPerChunk` frames, as
 * audiotestsrc stamps them (its `samplesperbuffer` is `framesPerChunk`).
 *
 * @example
 * chunkTimes(48000, 480, 3); // [0, 10000000, 20000000]
 * chunkTimes(44100, 1000, 3); // [0, 22675736, 45351473]
 *
 * @param sampleRate - frames per second, a positive integer.
 * @param framesPerChunk - frames in each chunk, a positive integer.
 * @param count - how many chunks.
 * @param start - the first chunk's PTS in ns. Default 0.
 * @throws {ArgumentError} `ERR_INVALID_ARGUMENT` when an argument is out of range.
 */
export function chunkTimes(sampleRate: number, framesPerChunk: number, count: number, start = 0): number[] {
  _positive('sampleRate', sampleRate);
  _positive('framesPerChunk', framesPerChunk);
  _count('count', count);
  _finite('start', start);
  return Array.from({ length: count }, (_, i) => start + _stampNs(i * framesPerChunk, sampleRate));
}

/** @internal `[num, den]` of a {@link FrameRate}, checked. */
export function _rate(fps: FrameRate): [number, number] {
  if (typeof fps === 'number') {
    if (!Number.isSafeInteger(fps) || fps <= 0) throw new ArgumentError(`fps must be a positive integer or [num, den] (29.97 is [30000, 1001]), got ${String(fps)}`);
    return [fps, 1];
  }
  if (!Array.isArray(fps) || fps.length !== 2) throw new ArgumentError(`fps must be a positive integer or [num, den], got ${String(fps)}`);
  const [num, den] = fps;
  _positive('fps numerator', num);
  _positive('fps denominator', den);
  return [num, den];
}
