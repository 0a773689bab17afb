import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../../src/core/errors.js';
import { deinterleave, framesOf, interleave } from '../../src/core/frames.js';
import { framesToNs, nsToFrames, secondsToNs, nsToSeconds } from '../../src/core/time.js';

describe('frame helpers', () => {
  it('interleaves and deinterleaves as inverses, for any channel count and length', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 8 }), fc.integer({ min: 0, max: 64 }), (channels, frames) => {
        const planes = Array.from({ length: channels }, (_, c) => Float32Array.from({ length: frames }, (_x, i) => c * 1000 + i));
        const inter = interleave(planes);
        expect(inter.length).toBe(channels * frames);
        if (frames > 0) expect(inter[channels * (frames - 1) + (channels - 1)]).toBe((channels - 1) * 1000 + frames - 1);
        expect(deinterleave(inter, channels)).toEqual(planes);
      }),
      { numRuns: 300 },
    );
  });

  it('places sample i of channel c at i * channels + c', () => {
    expect(Array.from(interleave([new Float32Array([1, 2]), new Float32Array([3, 4])]))).toEqual([1, 3, 2, 4]);
  });

  it('counts frames of interleaved and planar data and names what is wrong', () => {
    expect(framesOf(new Float32Array(6), 3)).toBe(2);
    expect(framesOf([new Float32Array(5), new Float32Array(5)], 2)).toBe(5);
    expect(() => framesOf(new Float32Array(5), 2)).toThrow(expect.objectContaining({ code: ErrorCode.FRAME_MISALIGNED }));
    expect(() => framesOf(new Float64Array(4), 2)).toThrow(expect.objectContaining({ code: ErrorCode.INVALID_AUDIO_DATA }));
    expect(() => framesOf([new Float32Array(1)], 2)).toThrow(expect.objectContaining({ code: ErrorCode.CHANNEL_MISMATCH }));
    expect(() => interleave([])).toThrow(expect.objectContaining({ code: ErrorCode.CHANNEL_MISMATCH }));
  });
});

describe('time units', () => {
  it('converts frames, seconds and nanoseconds', () => {
    expect(framesToNs(48000, 48000)).toBe(1e9);
    expect(framesToNs(1, 44100)).toBe(22676);
    expect(nsToFrames(1e9, 44100)).toBe(44100);
    expect(nsToFrames(22675, 44100)).toBe(0);
    expect(secondsToNs(7)).toBe(7e9);
    expect(nsToSeconds(2.5e9)).toBe(2.5);
  });

  it('keeps whole frames exact through ns and back at common rates', () => {
    fc.assert(
      fc.property(fc.constantFrom(8000, 44100, 48000, 96000, 192000), fc.integer({ min: 0, max: 2 ** 31 }), (rate, frames) => {
        expect(nsToFrames(framesToNs(frames, rate) + 1, rate)).toBe(frames);
      }),
    );
  });
});
