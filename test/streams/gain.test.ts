import { TestScheduler } from 'rxjs/testing';
import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../../src/core/errors.js';
import type { AudioChunk } from '../../src/streams/chunk.js';
import { dbToGain, gain } from '../../src/streams/gain.js';

const chunk = (values: number[], frames = values.length / 2): AudioChunk => ({
  data: Float32Array.from(values),
  frames,
  channels: 2,
  sampleRate: 48000,
  position: 0,
});
const scheduler = (): TestScheduler => new TestScheduler((actual, expected) => expect(actual).toEqual(expected));

describe('gain', () => {
  it('scales every valid sample to fround(x * 10^(dB/20)), leaving the unused tail alone', () => {
    scheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const source = cold('-a--b|', { a: chunk([1, -1, 0.5, 0.25]), b: chunk([0.3, 0.6, 9, 9], 1) });
      const g = dbToGain(-6);
      expectObservable(source.pipe(gain(-6))).toBe('-a--b|', {
        a: chunk([1, -1, 0.5, 0.25].map((x) => Math.fround(Math.fround(x) * g))),
        b: { ...chunk([0.3, 0.6, 9, 9], 1), data: Float32Array.from([Math.fround(Math.fround(0.3) * g), Math.fround(Math.fround(0.6) * g), 9, 9]) },
      });
      expectSubscriptions(source.subscriptions).toBe('^----!');
    });
  });

  it('passes errors through and unsubscribes from the source when unsubscribed early', () => {
    scheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const source = cold('-a--#', { a: chunk([1, 1]) });
      expectObservable(source.pipe(gain(0))).toBe('-a--#', { a: chunk([1, 1]) });
      const long = cold('-a-a-a-a', { a: chunk([0.5, 0.5]) });
      expectObservable(long.pipe(gain(6)), '^--!').toBe('-a-', { a: chunk([0.5, 0.5].map((x) => Math.fround(x * dbToGain(6)))) });
      expectSubscriptions(long.subscriptions).toBe('^--!');
    });
  });

  it('refuses a gain that is not a finite number with ERR_INVALID_ARGUMENT', () => {
    expect(() => gain(Number.NaN)).toThrow(expect.objectContaining({ code: ErrorCode.INVALID_ARGUMENT }));
    expect(() => gain(Infinity)).toThrow(expect.objectContaining({ code: ErrorCode.INVALID_ARGUMENT }));
  });
});
