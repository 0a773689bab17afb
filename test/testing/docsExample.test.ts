import { tap, type MonoTypeOperatorFunction } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { dbToGain, gain, timeWindow } from '../../src/streams/index.js';
import { audioChunks, marbleValues, nextAt, runMarbles, sampleCounter, scheduledSource, type TestAudioChunk } from '../../src/testing/index.js';

const MS = 1_000_000; // avbuf's stream times are nanoseconds
const toEqual = (actual: unknown, expected: unknown) => expect(actual).toEqual(expected);

/** The pipeline under test: −6 dB, then played 50 ms late (checked every 1 ms of virtual time). */
function delayLine(capacity: number): MonoTypeOperatorFunction<TestAudioChunk> {
  return (chunks$) => chunks$.pipe(gain(-6), timeWindow({ delay: 50 * MS, capacity, tickMs: 1 }));
}

describe('my delay line', () => {
  it('plays each 10 ms chunk 50 ms after its PTS, 6 dB quieter', () => {
    runMarbles(toEqual, ({ cold, expectObservable }) => {
      // Four chunks of 480 stereo frames at 48 kHz (10 ms each, PTS 0, 10, 20, 30 ms), all samples 0.5.
      const input = marbleValues('abcd', audioChunks({ count: 4, frames: 480, fill: 0.5 }));
      // gain works in place: build what should come out as separate chunks.
      const output = marbleValues('abcd', audioChunks({ count: 4, frames: 480, fill: 0.5 * dbToGain(-6) }));
      const played = cold('a 9ms b 9ms c 9ms d|', input).pipe(delayLine(8));
      expectObservable(played).toBe('50ms a 9ms b 9ms c 9ms (d|)', output);
    });
  });

  it('loses no sample when the window holds the whole delay, and reports what it lost when it cannot', () => {
    const play = (capacity: number) => {
      const counter = sampleCounter({ start: 0 });
      runMarbles(toEqual, ({ scheduler }) => {
        // One second of live audio: chunk k arrives at its PTS, k × 10 ms.
        const chunks = audioChunks({ count: 100, frames: 480 });
        const live = scheduledSource(scheduler, chunks.map((c) => nextAt(c.pts / MS, c)));
        live.pipe(delayLine(capacity), tap(counter.add)).subscribe();
      });
      return counter.report();
    };
    // 50 ms of 10 ms chunks: five held at once.
    expect(play(5)).toEqual({ count: 100, frames: 48000, end: 48000, gaps: [], overlaps: [] });
    // With room for four, each arrival pushes out the oldest: only the last four play.
    expect(play(4)).toEqual({ count: 4, frames: 1920, end: 48000, gaps: [{ index: 0, expected: 0, actual: 46080, size: 46080 }], overlaps: [] });
  });
});
