import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../../src/core/errors.js';
import { dbToGain, gain } from '../../src/streams/gain.js';
import { audioChunk, runMarbles } from '../../src/testing/index.js';
import { toEqual } from '../helpers/streams.js';


describe('gain', () => {
  it('scales every valid sample to fround(x * 10^(dB/20)), leaving the unused tail alone', () => {
    runMarbles(toEqual, ({ cold, expectObservable, expectSubscriptions }) => {
      const source = cold('-a--b|', { a: audioChunk({ samples: [1, -1, 0.5, 0.25] }), b: audioChunk({ samples: [0.3, 0.6, 9, 9], frames: 1 }) });
      const g = dbToGain(-6);
      const scaled = (x: number) => Math.fround(Math.fround(x) * g);
      expectObservable(source.pipe(gain(-6))).toBe('-a--b|', {
        a: audioChunk({ samples: [1, -1, 0.5, 0.25].map(scaled) }),
        b: audioChunk({ samples: [scaled(0.3), scaled(0.6), 9, 9], frames: 1 }),
      });
      expectSubscriptions(source.subscriptions).toBe('^----!');
    });
  });

  it('passes errors through and unsubscribes from the source when unsubscribed early', () => {
    runMarbles(toEqual, ({ cold, expectObservable, expectSubscriptions }) => {
      const source = cold('-a--#', { a: audioChunk({ samples: [1, 1] }) });
      expectObservable(source.pipe(gain(0))).toBe('-a--#', { a: audioChunk({ samples: [1, 1] }) });
      const long = cold('-a-a-a-a', { a: audioChunk({ samples: [0.5, 0.5] }) });
      expectObservable(long.pipe(gain(6)), '^--!').toBe('-a-', { a: audioChunk({ samples: [0.5, 0.5].map((x) => Math.fround(x * dbToGain(6))) }) });
      expectSubscriptions(long.subscriptions).toBe('^--!');
    });
  });

  it('refuses a gain that is not a finite number with ERR_INVALID_ARGUMENT', () => {
    expect(() => gain(Number.NaN)).toThrow(expect.objectContaining({ code: ErrorCode.INVALID_ARGUMENT }));
    expect(() => gain(Infinity)).toThrow(expect.objectContaining({ code: ErrorCode.INVALID_ARGUMENT }));
  });
});
