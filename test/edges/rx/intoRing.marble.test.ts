/**
 * intoRing in virtual time (test/edges/rx/asyncMarbles.ts: a ring's waits settle outside it):
 * a receipt per chunk, in order, in the frame the ring took it; completion after the source
 * completes and the last write; errors and unsubscription at given frames close the ring;
 * a full ring holds the sink (and a pooled source behind it) until the consumer reads.
 */
import { describe, expect, it } from 'vitest';
import { BufferPool } from '../../../src/buffers/pool.js';
import { MemoryBuffer } from '../../../src/buffers/memory.js';
import { RingBuffer, attachRing } from '../../../src/buffers/ring.js';
import { ErrorCode } from '../../../src/core/errors.js';
import { fromBuffer } from '../../../src/edges/rx/fromBuffer.js';
import { intoRing } from '../../../src/edges/rx/intoRing.js';
import { audioChunk } from '../../../src/testing/index.js';
import { runAsyncMarbles } from './asyncMarbles.js';

/** A mono ring and its producer end (the sink's), with `capacity` frames. */
function ring(capacity: number): { consumer: RingBuffer; producer: RingBuffer } {
  const consumer = new RingBuffer({ channels: 1, sampleRate: 8000 }, { capacity });
  return { consumer, producer: attachRing(consumer.share(), { role: 'producer' }) };
}

const mono = (samples: number[], position: number) => audioChunk({ samples, channels: 1, position, sampleRate: 8000 });

describe('intoRing (marbles)', () => {
  it('emits a receipt per chunk in the frame the ring takes it, in order, and completes with the source, closing the ring', async () => {
    const { consumer, producer } = ring(16);
    await runAsyncMarbles(({ cold, expectObservable, expectSubscriptions }) => {
      const source = cold('-a--b-c|', { a: mono([1, 2], 0), b: mono([3], 2), c: mono([4, 5, 6], 3) });
      expectObservable(source.pipe(intoRing(producer))).toBe('-a--b-c|', {
        a: { position: 0, frames: 2 },
        b: { position: 2, frames: 1 },
        c: { position: 3, frames: 3 },
      });
      expectSubscriptions(source.subscriptions).toBe('^------!');
    });
    expect(consumer.ended).toBe(true);
    expect(Array.from(consumer.read())).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it('a full ring holds a chunk until the consumer reads: its receipt, and the completion after it, come in the frame of that read', async () => {
    const { consumer, producer } = ring(2);
    const reads: number[][] = [];
    await runAsyncMarbles(({ cold, expectObservable, expectSubscriptions, at }) => {
      const source = cold('abc|', { a: mono([1, 2], 0), b: mono([3, 4], 2), c: mono([5, 6], 4) });
      expectObservable(source.pipe(intoRing(producer))).toBe('a 4ms b 2ms (c|)', {
        a: { position: 0, frames: 2 },
        b: { position: 2, frames: 2 },
        c: { position: 4, frames: 2 },
      });
      // The source completed at frame 3; the sink still had b and c to write.
      expectSubscriptions(source.subscriptions).toBe('^--!');
      at(5, () => reads.push(Array.from(consumer.read())));
      at(8, () => reads.push(Array.from(consumer.read())));
    });
    expect(reads).toEqual([
      [1, 2],
      [3, 4],
    ]);
    expect(Array.from(consumer.read())).toEqual([5, 6]);
    expect(consumer.ended).toBe(true);
  });

  it('back-pressure reaches a pooled source: with one block, the next chunk is read only in the frame the full ring took the last', async () => {
    const { consumer, producer } = ring(2);
    const memory = new MemoryBuffer({ channels: 1, sampleRate: 8000 });
    memory.write(Float32Array.from([1, 2, 3, 4, 5, 6]));
    const pool = new BufferPool({ channels: 1 }, { blocks: 1, blockFrames: 2, onExhausted: 'wait' });
    await runAsyncMarbles(({ expectObservable, at }) => {
      expectObservable(fromBuffer(memory, { pool, from: 0 }).pipe(intoRing(producer))).toBe('a 2ms b 2ms (c|)', {
        a: { position: 0, frames: 2 },
        b: { position: 2, frames: 2 },
        c: { position: 4, frames: 2 },
      });
      at(3, () => {
        // The source has read chunk b into the pool's only block and waits for it back: c is not read yet.
        expect(memory.tell()).toBe(4);
        expect(pool.stats().inUse).toBe(1);
        consumer.read();
      });
      at(6, () => {
        expect(memory.tell()).toBe(6);
        consumer.read();
      });
    });
    expect(pool.stats()).toMatchObject({ inUse: 0, peakInUse: 1 });
    expect(Array.from(consumer.read())).toEqual([5, 6]);
  });

  it('passes a source error on in its frame and closes the ring; the consumer drains what was written', async () => {
    const { consumer, producer } = ring(16);
    await runAsyncMarbles(({ cold, expectObservable, expectSubscriptions }) => {
      const source = cold('-a-#', { a: mono([7, 8], 0) }, new Error('upstream'));
      expectObservable(source.pipe(intoRing(producer))).toBe('-a-#', { a: { position: 0, frames: 2 } }, new Error('upstream'));
      expectSubscriptions(source.subscriptions).toBe('^--!');
    });
    expect(consumer.ended).toBe(true);
    expect(Array.from(consumer.read())).toEqual([7, 8]);
  });

  it('unsubscribed at a frame, it stops writing and closes the ring; closeRing: false leaves it open', async () => {
    const closing = ring(16);
    const open = ring(16);
    await runAsyncMarbles(({ cold, expectObservable, expectSubscriptions }) => {
      const values = { a: mono([1], 0) };
      const first = cold('-a-a-a|', values);
      const second = cold('-a-a-a|', values);
      expectObservable(first.pipe(intoRing(closing.producer)), '^--!').toBe('-a-', { a: { position: 0, frames: 1 } });
      expectObservable(second.pipe(intoRing(open.producer, { closeRing: false })), '^---!').toBe('-a-a', { a: { position: 0, frames: 1 } });
      expectSubscriptions(first.subscriptions).toBe('^--!');
      expectSubscriptions(second.subscriptions).toBe('^---!');
    });
    expect(closing.consumer.ended).toBe(true);
    expect(closing.consumer.availableRead()).toBe(1);
    expect(open.consumer.ended).toBe(false);
    expect(open.consumer.availableRead()).toBe(2);
  });

  it('errors with ERR_BUFFER_CLOSED in the frame of the first chunk after the consumer closed its end', async () => {
    const { consumer, producer } = ring(16);
    await runAsyncMarbles(({ cold, expectObservable, expectSubscriptions, at }) => {
      const source = cold('-a--b-c|', { a: mono([1], 0), b: mono([2], 1), c: mono([3], 2) });
      expectObservable(source.pipe(intoRing(producer))).toBe('-a--#', { a: { position: 0, frames: 1 } }, expect.objectContaining({ code: ErrorCode.BUFFER_CLOSED }));
      expectSubscriptions(source.subscriptions).toBe('^---!');
      at(2, () => consumer.close());
    });
  });
});
