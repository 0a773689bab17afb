/** sampleCounter and ptsContinuity find lost and repeated frames (gaps and overlaps). */
import { from, lastValueFrom, tap, toArray } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../../src/core/errors.js';
import type { AudioChunk } from '../../src/streams/chunk.js';
import { gain } from '../../src/streams/gain.js';
import { audioChunks, ptsContinuity, sampleCounter, videoFrames } from '../../src/testing/index.js';

const invalid = expect.objectContaining({ code: ErrorCode.INVALID_ARGUMENT });

describe('sampleCounter', () => {
  it('reports every frame and no gap or overlap for a contiguous stream', async () => {
    const counter = sampleCounter({ start: 0 });
    await lastValueFrom(from(audioChunks({ count: 100, frames: 480 })).pipe(tap(counter.add), gain(-3), toArray()));
    expect(counter.report()).toEqual({ count: 100, frames: 48000, end: 48000, gaps: [], overlaps: [] });
  });

  it('catches a planted gap and a planted overlap, with where and how many frames', () => {
    const chunks = audioChunks({ count: 6, frames: 100 });
    const counter = sampleCounter();
    // Lose chunk 2 (frames 200-299); then send chunk 4 twice.
    for (const c of [chunks[0]!, chunks[1]!, chunks[3]!, chunks[4]!, chunks[4]!, chunks[5]!]) counter.add(c);
    expect(counter.report()).toEqual({
      count: 6,
      frames: 600,
      end: 600,
      gaps: [{ index: 2, expected: 200, actual: 300, size: 100 }],
      overlaps: [{ index: 4, expected: 500, actual: 400, size: 100 }],
    });
  });

  it('counts a late start as a gap only when told where the stream starts', () => {
    const late = audioChunks({ count: 2, frames: 10, position: 30 });
    const anywhere = sampleCounter();
    const fromZero = sampleCounter({ start: 0 });
    for (const c of late) {
      anywhere.add(c);
      fromZero.add(c);
    }
    expect(anywhere.report().gaps).toEqual([]);
    expect(fromZero.report().gaps).toEqual([{ index: 0, expected: 0, actual: 30, size: 30 }]);
    expect(sampleCounter({ start: 5 }).report()).toEqual({ count: 0, frames: 0, end: 5, gaps: [], overlaps: [] });
  });

  it('keeps only numbers, so a block reused between chunks is counted right', () => {
    const block: AudioChunk = { data: new Float32Array(20), frames: 10, channels: 2, sampleRate: 48000, position: 0 };
    const counter = sampleCounter();
    for (const position of [0, 10, 25, 35]) {
      block.position = position;
      counter.add(block);
    }
    expect(counter.report().gaps).toEqual([{ index: 2, expected: 20, actual: 25, size: 5 }]);
    expect(() => sampleCounter({ start: -1 })).toThrow(invalid);
  });
});

describe('ptsContinuity', () => {
  it('finds no gap in the kit\'s own video frames and audio chunks', () => {
    expect(ptsContinuity(videoFrames(300, { fps: [30000, 1001] }))).toEqual({ count: 300, gaps: [], overlaps: [] });
    expect(ptsContinuity(audioChunks({ count: 50, frames: 1000, sampleRate: 44100 }))).toEqual({ count: 50, gaps: [], overlaps: [] });
  });

  it('catches a planted gap and overlap by PTS, in ns', () => {
    const [a, b, c, d] = videoFrames(4, { fps: 25 });
    const report = ptsContinuity([a!, c!, b!, d!]);
    expect(report).toEqual({
      count: 4,
      gaps: [
        { index: 1, expected: 40_000_000, actual: 80_000_000, size: 40_000_000 },
        { index: 3, expected: 80_000_000, actual: 120_000_000, size: 40_000_000 },
      ],
      overlaps: [{ index: 2, expected: 120_000_000, actual: 40_000_000, size: 80_000_000 }],
    });
  });

  it('ignores differences within the tolerance, and checks the first PTS against start', () => {
    const rounded = [
      { pts: 0, duration: 20833 },
      { pts: 20834, duration: 20833 },
      { pts: 41666, duration: 20833 },
    ];
    expect(ptsContinuity(rounded)).toMatchObject({ gaps: [{ index: 1, size: 1 }], overlaps: [{ index: 2, size: 1 }] });
    expect(ptsContinuity(rounded, { tolerance: 1 })).toMatchObject({ gaps: [], overlaps: [] });
    expect(ptsContinuity(rounded, { tolerance: 1, start: -10 }).gaps).toEqual([{ index: 0, expected: -10, actual: 0, size: 10 }]);
    expect(() => ptsContinuity([], { tolerance: -1 })).toThrow(invalid);
  });
});
