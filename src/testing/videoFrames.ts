import type { Timed } from '../streams/timed.js';
import { _count, _finite } from './check.js';
import { _rate, _stampNs, type FrameRate } from './times.js';

/** A video frame stand-in: its index in the stream, PTS and duration in ns. */
export interface TestVideoFrame extends Timed {
  /** Position in the stream: 0 for the first frame, 1 for the next… */
  readonly index: number;
}

/** Options of {@link videoFrames}. */
export interface VideoFramesOptions {
  /** Frames per second: a positive integer or `[num, den]`. Default 30. */
  readonly fps?: FrameRate;
  /** The first frame's PTS in ns. Default 0. */
  readonly start?: number;
}

/**
 * `count` consecutive video frames stamped as videotestsrc stamps them: frame `i` at
 * `start + floor(i × 1e9 × den / num)`, each lasting until the next one's PTS.
 *
 * @example
 * videoFrames(3);
 * // [{ index: 0, pts: 0, duration: 33333333 },
 * //  { index: 1, pts: 33333333, duration: 33333333 },
 * //  { index: 2, pts: 66666666, duration: 33333334 }]
 * videoFrames(2, { fps: [30000, 1001], start: 7_000_000_000 });
 *
 * @throws {ArgumentError} `ERR_INVALID_ARGUMENT` when an argument is out of range.
 */
export function videoFrames(count: number, options: VideoFramesOptions = {}): TestVideoFrame[] {
  const [num, den] = _rate(options.fps ?? 30);
  const start = options.start ?? 0;
  _count('count', count);
  _finite('start', start);
  const frames: TestVideoFrame[] = [];
  for (let i = 0; i < count; i++) {
    const pts = start + _stampNs(i, num, den);
    frames.push({ index: i, pts, duration: start + _stampNs(i + 1, num, den) - pts });
  }
  return frames;
}
