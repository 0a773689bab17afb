/**
 * toMediaRecords and toAudioChunks in virtual time: one record per chunk in the frame the
 * chunk came, numbered from startSeq and stamped from position and rate; back to chunks
 * positioned by PTS (a missing record shows as a gap); pooled blocks go back at once; errors
 * and completion pass through.
 */
import { map, type Observable } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { MemoryBuffer } from '../../../src/buffers/memory.js';
import { BufferPool } from '../../../src/buffers/pool.js';
import { fromBuffer } from '../../../src/edges/rx/fromBuffer.js';
import { toAudioChunks, toMediaRecords } from '../../../src/edges/rx/mediaRecords.js';
import type { MediaRecord } from '../../../src/jetstream/record.js';
import { audioChunk, runMarbles, sampleCounter } from '../../../src/testing/index.js';
import type { AudioChunk } from '../../../src/core/chunk.js';

const assert = (actual: unknown, expected: unknown): void => expect(actual).toEqual(expected);
const stereo = (position: number, frames = 2) =>
  audioChunk({ channels: 2, sampleRate: 1000, position, frames, fill: (frame, channel) => frame * 10 + channel });

/** What a test compares of a record: its stamps and its samples as numbers. */
const view = (r: MediaRecord) => ({ track: r.track, seq: r.seq, pts: r.pts, duration: r.duration, samples: [...new Float32Array(r.data.slice().buffer)] });
const viewChunk = (c: AudioChunk) => ({ position: c.position, frames: c.frames, samples: [...c.data.subarray(0, c.frames * c.channels)] });

describe('toMediaRecords / toAudioChunks (marbles)', () => {
  it('a record per chunk in its frame, numbered from startSeq, PTS and duration from position and rate', () => {
    runMarbles(assert, ({ cold, expectObservable }) => {
      const source = cold('-a-b--c|', { a: stereo(0), b: stereo(2), c: stereo(4, 1) });
      const records: Observable<ReturnType<typeof view>> = source.pipe(toMediaRecords({ track: 'mic', startSeq: 7, startPts: 1000 }), map(view));
      expectObservable(records).toBe('-a-b--c|', {
        a: { track: 'mic', seq: 7, pts: 1000, duration: 2_000_000, samples: [0, 1, 10, 11] },
        b: { track: 'mic', seq: 8, pts: 2_001_000, duration: 2_000_000, samples: [20, 21, 30, 31] },
        c: { track: 'mic', seq: 9, pts: 4_001_000, duration: 1_000_000, samples: [40, 41] },
      });
    });
  });

  it('records back to chunks positioned by PTS: the samples are the same, and a missing record is a gap', () => {
    const counter = sampleCounter({ start: 0 });
    runMarbles(assert, ({ cold, expectObservable }) => {
      const source = cold('ab-c-#', { a: stereo(0), b: stereo(2), c: stereo(6) }, new Error('boom'));
      const chunks = source.pipe(toMediaRecords({ startPts: 5 }), toAudioChunks({ startPts: 5 }), map((c) => (counter.add(c), viewChunk(c))));
      expectObservable(chunks).toBe('ab-c-#', { a: viewChunk(stereo(0)), b: viewChunk(stereo(2)), c: viewChunk(stereo(6)) }, new Error('boom'));
    });
    expect(counter.report().gaps).toEqual([{ index: 2, expected: 4, actual: 6, size: 2 }]);
  });

  it('copies a pooled chunk and gives its block back at once', async () => {
    const pool = new BufferPool({ channels: 1 }, { blocks: 1, blockFrames: 4, onExhausted: 'wait' });
    const buffer = new MemoryBuffer({ channels: 1, sampleRate: 1000 }, { capacity: 12 });
    buffer.write(Float32Array.from({ length: 12 }, (_, i) => i));
    buffer.seek(0);
    const records: MediaRecord[] = [];
    await new Promise<void>((resolve, reject) =>
      fromBuffer(buffer, { chunkFrames: 4, pool })
        .pipe(toMediaRecords())
        .subscribe({ next: (r) => records.push(r), complete: resolve, error: reject }),
    );
    // One block for three chunks: each went back before the next was read, and no record shares it.
    expect(records.map((r) => [...new Float32Array(r.data.slice().buffer)])).toEqual([[0, 1, 2, 3], [4, 5, 6, 7], [8, 9, 10, 11]]);
    expect(pool.stats().inUse).toBe(0);
  });

  it('refuses bad options', () => {
    expect(() => toMediaRecords({ track: 'a.b' })).toThrow(expect.objectContaining({ code: 'ERR_INVALID_CONFIG' }));
    expect(() => toMediaRecords({ startSeq: -1 })).toThrow(expect.objectContaining({ code: 'ERR_INVALID_CONFIG' }));
    expect(() => toAudioChunks({ startPts: Number.NaN })).toThrow(expect.objectContaining({ code: 'ERR_INVALID_CONFIG' }));
  });
});
