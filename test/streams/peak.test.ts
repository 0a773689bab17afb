import { TestScheduler } from 'rxjs/testing';
import { describe, expect, it } from 'vitest';
import type { AudioChunk } from '../../src/streams/chunk.js';
import { peak } from '../../src/streams/peak.js';

const chunk = (values: number[], frames = values.length): AudioChunk => ({
  data: Float32Array.from(values),
  frames,
  channels: 1,
  sampleRate: 8000,
  position: 0,
});
const scheduler = (): TestScheduler => new TestScheduler((actual, expected) => expect(actual).toEqual(expected));

describe('peak', () => {
  it('emits the largest absolute valid sample when the stream completes, ignoring NaN and the unused tail', () => {
    scheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const source = cold('-a-b-c|', { a: chunk([0.1, -0.75]), b: chunk([Number.NaN, 0.5]), c: chunk([0.2, 5], 1) });
      expectObservable(source.pipe(peak())).toBe('------(p|)', { p: Math.fround(0.75) });
      expectSubscriptions(source.subscriptions).toBe('^-----!');
    });
  });

  it('emits 0 for an empty stream and nothing when unsubscribed before the end', () => {
    scheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      expectObservable(cold<AudioChunk>('--|').pipe(peak())).toBe('--(p|)', { p: 0 });
      const source = cold('-a-a-a|', { a: chunk([1]) });
      expectObservable(source.pipe(peak()), '^--!').toBe('---');
      expectSubscriptions(source.subscriptions).toBe('^--!');
    });
  });
});
