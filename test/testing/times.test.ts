/** frameTimes, chunkTimes and videoFrames stamp PTS as GStreamer's test sources do. */
import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../../src/core/errors.js';
import { chunkTimes, frameTimes, videoFrames } from '../../src/testing/index.js';

const invalid = expect.objectContaining({ code: ErrorCode.INVALID_ARGUMENT });
const durations = (pts: number[]): number[] => pts.slice(1).map((p, i) => p - pts[i]!);

describe('frameTimes', () => {
  it('stamps frame i at floor(i × 1e9 / fps), truncated as gst_util_uint64_scale does', () => {
    expect(frameTimes(30, 4)).toEqual([0, 33333333, 66666666, 100000000]);
    expect(frameTimes(25, 3)).toEqual([0, 40000000, 80000000]);
    expect(frameTimes(30, 0)).toEqual([]);
  });

  it('takes a fractional rate as [num, den], and a start added to every stamp', () => {
    // gst-launch-1.0 videotestsrc ! video/x-raw,framerate=30000/1001 ! identity silent=false: 0, .033366666, .066733333, .100100000
    expect(frameTimes([30000, 1001], 4)).toEqual([0, 33366666, 66733333, 100100000]);
    expect(frameTimes([30000, 1001], 2, 5_000_000)).toEqual([5000000, 38366666]);
    expect(frameTimes([30, 1], 4)).toEqual(frameTimes(30, 4));
  });

  it('stays exact to the ns where i × 1e9 × den passes 2^53', () => {
    // Frame 4607085 at 30000/1001, 42.7 hours in, starts at 4607085 × 1001 / 30000 s =
    // 153723.0695 s exactly; Math.floor(4607085 * 1e9 * 1001 / 30000) says 153723069499999.
    // Frame 1 at 30000/(1001 × 4607085) is the same product.
    expect(Math.floor((4607085 * 1e9 * 1001) / 30000)).toBe(153_723_069_499_999);
    expect(frameTimes([30000, 1001 * 4607085], 2)).toEqual([0, 153_723_069_500_000]);
    expect(chunkTimes(30000, 1001 * 4607085, 2)).toEqual([0, 153_723_069_500_000]);
  });

  it('refuses rates that are not positive integers or fractions of them, with ERR_INVALID_ARGUMENT', () => {
    for (const fps of [0, -30, 29.97, Number.NaN, [30000, 0], [30000.5, 1001], [30] as never]) {
      expect(() => frameTimes(fps as number, 1), String(fps)).toThrow(invalid);
    }
    expect(() => frameTimes(30, -1)).toThrow(invalid);
    expect(() => frameTimes(30, 1.5)).toThrow(invalid);
    expect(() => frameTimes(30, 1, Number.NaN)).toThrow(invalid);
  });
});

describe('chunkTimes', () => {
  it('stamps chunk i at floor(i × framesPerChunk × 1e9 / sampleRate), as audiotestsrc does', () => {
    expect(chunkTimes(48000, 480, 3)).toEqual([0, 10000000, 20000000]);
    // gst-launch-1.0 audiotestsrc samplesperbuffer=1000 ! audio/x-raw,rate=44100 ! identity silent=false:
    // pts 0, .022675736, .045351473, .068027210; durations .022675736, .022675737, .022675737
    const pts = chunkTimes(44100, 1000, 4);
    expect(pts).toEqual([0, 22675736, 45351473, 68027210]);
    expect(durations(pts)).toEqual([22675736, 22675737, 22675737]);
    expect(chunkTimes(44100, 1000, 2, 1_000_000_000)).toEqual([1_000_000_000, 1_022_675_736]);
  });

  it('refuses a rate, chunk size or count out of range with ERR_INVALID_ARGUMENT', () => {
    expect(() => chunkTimes(0, 480, 1)).toThrow(invalid);
    expect(() => chunkTimes(48000, 0, 1)).toThrow(invalid);
    expect(() => chunkTimes(48000, 480, -1)).toThrow(invalid);
    expect(() => chunkTimes(44100.5, 480, 1)).toThrow(invalid);
  });
});

describe('videoFrames', () => {
  it('makes frames at 30 fps by default, each lasting until the next PTS', () => {
    expect(videoFrames(4)).toEqual([
      { index: 0, pts: 0, duration: 33333333 },
      { index: 1, pts: 33333333, duration: 33333333 },
      { index: 2, pts: 66666666, duration: 33333334 },
      { index: 3, pts: 100000000, duration: 33333333 },
    ]);
  });

  it('gives the durations videotestsrc gives at 30000/1001, from a start PTS', () => {
    // Measured with gst-launch-1.0: durations .033366666, .033366667, .033366667, .033366666.
    const frames = videoFrames(4, { fps: [30000, 1001], start: 7_000_000_000 });
    expect(frames.map((f) => f.duration)).toEqual([33366666, 33366667, 33366667, 33366666]);
    expect(frames.map((f) => f.pts)).toEqual(frameTimes([30000, 1001], 4, 7_000_000_000));
  });

  it('refuses a bad count, rate or start with ERR_INVALID_ARGUMENT', () => {
    expect(() => videoFrames(-1)).toThrow(invalid);
    expect(() => videoFrames(1, { fps: 0 })).toThrow(invalid);
    expect(() => videoFrames(1, { start: Infinity })).toThrow(invalid);
  });
});
