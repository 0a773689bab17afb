/**
 * fromRing in virtual time (test/edges/rx/asyncMarbles.ts: a ring's waits settle outside it):
 * a chunk comes in the frame its last frame is written, the source completes in the frame the
 * producer closes (after a short last chunk), unsubscription and abort at given frames close
 * the consumer's end, and with a pool a slow consumer holds the reads back.
 */
import { concatMap, map, timer } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { BufferPool } from '../../../src/buffers/pool.js';
import { RingBuffer, attachRing } from '../../../src/buffers/ring.js';
import { ErrorCode } from '../../../src/core/errors.js';
import { fromRing } from '../../../src/edges/rx/fromRing.js';
import type { BlockChunk } from '../../../src/edges/rx/releaseChunk.js';
import { runAsyncMarbles } from './asyncMarbles.js';

/** A mono ring and its producer end, with `capacity` frames. */
function ring(capacity = 16): { consumer: RingBuffer; producer: RingBuffer } {
  const consumer = new RingBuffer({ channels: 1, sampleRate: 8000 }, { capacity });
  return { consumer, producer: attachRing(consumer.share(), { role: 'producer' }) };
}

const chunk = (samples: number[], position: number) => ({ data: Float32Array.from(samples), frames: samples.length, channels: 1, sampleRate: 8000, position });

describe('fromRing (marbles)', () => {
  it('emits a chunk in the frame its last frame is written, and a short last chunk and completion in the frame the producer closes', async () => {
    const { consumer, producer } = ring();
    await runAsyncMarbles(({ expectObservable, at }) => {
      expectObservable(fromRing(consumer, { chunkFrames: 2 })).toBe('--a-b-(c|)', {
        a: chunk([1, 2], 0),
        b: chunk([3, 4], 2),
        c: chunk([5], 4),
      });
      for (const frame of [1, 2, 3, 4, 5]) at(frame, () => producer.write(Float32Array.of(frame)));
      at(6, () => producer.close());
    });
  });

  it('a write of several chunks at once emits them all in its frame', async () => {
    const { consumer, producer } = ring();
    await runAsyncMarbles(({ expectObservable, at }) => {
      expectObservable(fromRing(consumer, { chunkFrames: 2 })).toBe('---(abc|)', {
        a: chunk([1, 2], 0),
        b: chunk([3, 4], 2),
        c: chunk([5, 6], 4),
      });
      at(3, () => {
        producer.write(Float32Array.of(1, 2, 3, 4, 5, 6));
        producer.close();
      });
    });
  });

  it('unsubscribed at a frame, it stops reading: a frame written later stays in the ring, whose end stays open', async () => {
    const { consumer, producer } = ring();
    await runAsyncMarbles(({ expectObservable, at }) => {
      expectObservable(fromRing(consumer, { chunkFrames: 1 }), '^--!').toBe('-a-', { a: chunk([9], 0) });
      at(1, () => producer.write(Float32Array.of(9)));
      at(4, () => producer.write(Float32Array.of(10)));
    });
    // Unlike intoRing (which closes the ring when it stops), fromRing leaves the consumer's end
    // to its owner: nothing was read after the unsubscription, and the ring has not ended.
    expect(consumer.ended).toBe(false);
    expect(Array.from(consumer.read())).toEqual([10]);
  });

  it('an abort signal at a frame ends the source with ERR_ABORTED in that frame', async () => {
    const { consumer, producer } = ring();
    const controller = new AbortController();
    await runAsyncMarbles(({ expectObservable, at }) => {
      expectObservable(fromRing(consumer, { chunkFrames: 1, signal: controller.signal })).toBe('-a-#', { a: chunk([1], 0) }, expect.objectContaining({ code: ErrorCode.ABORTED }));
      at(1, () => producer.write(Float32Array.of(1)));
      at(3, () => controller.abort());
    });
  });

  it('with a pool, a slow consumer holds the reads back: chunk n+2 is read in the frame chunk n\'s block comes back', async () => {
    const { consumer, producer } = ring();
    producer.write(Float32Array.of(0, 1, 2, 3));
    producer.close();
    const pool = new BufferPool({ channels: 1 }, { blocks: 2, blockFrames: 1, onExhausted: 'wait' });
    await runAsyncMarbles(({ expectObservable, scheduler }) => {
      const slow = concatMap((c: BlockChunk) =>
        timer(3, scheduler).pipe(
          map(() => {
            const value = String(c.data[0]);
            c.lease.release(); // the source reads the next chunk into this block at once
            return value;
          }),
        ),
      );
      expectObservable(fromRing(consumer, { pool }).pipe(slow)).toBe('3ms 0 2ms 1 2ms 2 2ms (3|)');
    });
    expect(pool.stats()).toMatchObject({ inUse: 0, peakInUse: 2 });
  });

  it('errors in frame 0 with ERR_RING_ROLE_TAKEN when another end is the consumer', async () => {
    const { consumer } = ring();
    const other = attachRing(consumer.share(), { role: 'consumer' });
    await runAsyncMarbles(({ expectObservable }) => {
      expectObservable(fromRing(consumer, { chunkFrames: 1 })).toBe('#', undefined, expect.objectContaining({ code: ErrorCode.RING_ROLE_TAKEN }));
    });
    other.close();
  });
});
