import { describe, it } from 'vitest';
import type { AudioChunk } from '../../src/streams/chunk.js';
import { peak } from '../../src/streams/peak.js';
import { audioChunk, marbleValues, runMarbles, sineChunks } from '../../src/testing/index.js';
import { toEqual } from '../helpers/streams.js';

/** A mono 8 kHz chunk of these samples; `frames` short of them leaves an unused tail. */
const mono = (samples: number[], frames?: number) => audioChunk({ samples, frames, channels: 1, sampleRate: 8000 });

describe('peak', () => {
  it('emits the largest absolute valid sample when the stream completes, ignoring NaN and the unused tail', () => {
    runMarbles(toEqual, ({ cold, expectObservable, expectSubscriptions }) => {
      const source = cold('-a-b-c|', { a: mono([0.1, -0.75]), b: mono([Number.NaN, 0.5]), c: mono([0.2, 5], 1) });
      expectObservable(source.pipe(peak())).toBe('------(p|)', { p: Math.fround(0.75) });
      expectSubscriptions(source.subscriptions).toBe('^-----!');
    });
  });

  it('finds the crest of a sine wherever it falls among the chunks, by absolute value', () => {
    runMarbles(toEqual, ({ cold, expectObservable }) => {
      // 1 kHz at 48 kHz: the crests (+0.5 and −0.5) are frames 12 and 36; chunks of 10 frames split them up.
      const chunks = sineChunks({ count: 5, frames: 10, amplitude: 0.5 });
      const v = marbleValues('abcde', chunks);
      expectObservable(cold('abcde|', v).pipe(peak())).toBe('-----(p|)', { p: 0.5 });
      // Frames 0-9 rise to frame 9; frames 30-39 hold the trough.
      expectObservable(cold('a|', v).pipe(peak())).toBe('-(p|)', { p: Math.fround(0.5 * Math.sin((2 * Math.PI * 1000 * 9) / 48000)) });
      expectObservable(cold('d|', v).pipe(peak())).toBe('-(p|)', { p: 0.5 });
    });
  });

  it('emits 0 for an empty stream and nothing when unsubscribed before the end', () => {
    runMarbles(toEqual, ({ cold, expectObservable, expectSubscriptions }) => {
      expectObservable(cold<AudioChunk>('--|').pipe(peak())).toBe('--(p|)', { p: 0 });
      const source = cold('-a-a-a|', { a: mono([1]) });
      expectObservable(source.pipe(peak()), '^--!').toBe('---');
      expectSubscriptions(source.subscriptions).toBe('^--!');
    });
  });
});
