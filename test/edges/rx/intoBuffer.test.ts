import { describe, expect, it } from 'vitest';
import { BufferPool } from '../../../src/buffers/pool.js';
import { MemoryBuffer } from '../../../src/buffers/memory.js';
import { ErrorCode } from '../../../src/core/errors.js';
import type { PositionalWriter } from '../../../src/edges/types.js';
import { intoBuffer } from '../../../src/edges/rx/intoBuffer.js';
import type { BlockChunk } from '../../../src/edges/rx/releaseChunk.js';
import { fromBuffer } from '../../../src/edges/rx/fromBuffer.js';
import { audioChunk, runMarbles } from '../../../src/testing/index.js';
import { toEqual } from '../../helpers/streams.js';

describe('intoBuffer', () => {
  it('writes each chunk as it arrives (its valid frames only) and emits a receipt in the same frame', () => {
    const buffer = new MemoryBuffer({ channels: 2 });
    runMarbles(toEqual, ({ cold, expectObservable, expectSubscriptions }) => {
      const source = cold('-a--b|', {
        a: audioChunk({ samples: [1, 2, 3, 4], channels: 2 }),
        b: audioChunk({ samples: [5, 6, 9, 9], channels: 2, frames: 1, position: 2 }),
      });
      expectObservable(source.pipe(intoBuffer(buffer))).toBe('-a--b|', { a: { position: 0, frames: 2 }, b: { position: 2, frames: 1 } });
      expectSubscriptions(source.subscriptions).toBe('^----!');
    });
    buffer.seek(0);
    expect(Array.from(buffer.read())).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it('errors with ERR_CHANNEL_MISMATCH on a chunk of another channel count, unsubscribing from the source', () => {
    const buffer = new MemoryBuffer({ channels: 2 });
    runMarbles(toEqual, ({ cold, expectObservable, expectSubscriptions }) => {
      const source = cold('-a-b-c|', {
        a: audioChunk({ samples: [1, 2], channels: 2 }),
        b: audioChunk({ samples: [1, 2, 3], channels: 3, position: 1 }),
        c: audioChunk({ samples: [1, 2], channels: 2, position: 2 }),
      });
      expectObservable(source.pipe(intoBuffer(buffer))).toBe(
        '-a-#',
        { a: { position: 0, frames: 1 } },
        expect.objectContaining({ code: ErrorCode.CHANNEL_MISMATCH }),
      );
      expectSubscriptions(source.subscriptions).toBe('^--!');
    });
    expect(buffer.size()).toBe(1);
  });

  it('regression: a failing write stops a synchronous source at once instead of letting it read to the end', () => {
    const source = new MemoryBuffer({ channels: 1 });
    source.write(new Float32Array(10_000));
    let failure: unknown;
    fromBuffer(source, { chunkFrames: 100, from: 0 })
      .pipe(intoBuffer(new MemoryBuffer({ channels: 2 })))
      .subscribe({ error: (e: unknown) => (failure = e) });
    expect(failure).toMatchObject({ code: ErrorCode.CHANNEL_MISMATCH });
    expect(source.tell()).toBe(100); // one chunk read, not all hundred
  });

  it('passes a source error on and stops writing when unsubscribed', () => {
    const buffer = new MemoryBuffer({ channels: 1 });
    runMarbles(toEqual, ({ cold, expectObservable }) => {
      expectObservable(cold('-a-#', { a: audioChunk({ samples: [1], channels: 1 }) }).pipe(intoBuffer(buffer))).toBe('-a-#', { a: { position: 0, frames: 1 } });
      const long = cold('-a-a-a-a|', { a: audioChunk({ samples: [7], channels: 1 }) });
      expectObservable(long.pipe(intoBuffer(buffer)), '^--!').toBe('-a-', { a: { position: 0, frames: 1 } });
    });
    expect(buffer.size()).toBe(2);
  });

  it('gives a pooled chunk\'s block back once written, so the pool ends with nothing leased', () => {
    const source = new MemoryBuffer({ channels: 1 });
    source.write(Float32Array.from({ length: 10 }, (_, i) => i));
    const pool = new BufferPool({ channels: 1 }, { blocks: 1, blockFrames: 3, onExhausted: 'error' });
    const copy = new MemoryBuffer({ channels: 1 });
    const seen: BlockChunk[] = [];
    // A pool of ONE block under 'error': only a sink that gives each block back before the next read lets this finish.
    fromBuffer(source, { pool, from: 0 }).subscribe({ next: (c) => seen.push(c) }).unsubscribe();
    expect(pool.stats().inUse).toBe(0); // unsubscribing gave the undelivered lease back
    let receipts = 0;
    let failed: unknown = null;
    fromBuffer(source, { pool, from: 0 }).pipe(intoBuffer(copy)).subscribe({ next: () => receipts++, error: (e: unknown) => (failed = e) });
    expect(failed).toBe(null);
    expect(receipts).toBe(4);
    expect(pool.stats()).toMatchObject({ inUse: 0, acquires: 6 }); // 1 above, 4 chunks and the read that found the end
    copy.seek(0);
    expect(Array.from(copy.read())).toEqual(Array.from({ length: 10 }, (_, i) => i));
    expect(seen).toHaveLength(1);
  });

  it('refuses a target without write with ERR_INVALID_ARGUMENT', () => {
    const notABuffer: unknown = {};
    expect(() => intoBuffer(notABuffer as PositionalWriter)).toThrow(expect.objectContaining({ code: ErrorCode.INVALID_ARGUMENT }));
  });
});
