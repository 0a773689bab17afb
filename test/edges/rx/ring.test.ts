import { concatMap, lastValueFrom, map, timer, toArray } from 'rxjs';
import { describe, expect, it, vi } from 'vitest';
import { BufferPool } from '../../../src/buffers/pool.js';
import { MemoryBuffer } from '../../../src/buffers/memory.js';
import { attachRing, RingBuffer } from '../../../src/buffers/ring.js';
import { ErrorCode } from '../../../src/core/errors.js';
import { fromBuffer } from '../../../src/edges/rx/fromBuffer.js';
import { fromRing } from '../../../src/edges/rx/fromRing.js';
import { intoBuffer } from '../../../src/edges/rx/intoBuffer.js';
import { intoRing } from '../../../src/edges/rx/intoRing.js';

function filled(frames: number, channels: number): MemoryBuffer {
  const buffer = new MemoryBuffer({ channels, sampleRate: 48000 });
  buffer.write(Float32Array.from({ length: frames * channels }, (_, i) => i / 1024));
  buffer.seek(0);
  return buffer;
}

function ringPair(capacity: number, channels: number): { consumer: RingBuffer; producer: RingBuffer } {
  const consumer = new RingBuffer({ channels, sampleRate: 48000 }, { capacity });
  const producer = attachRing(consumer.share(), { role: 'producer' });
  return { consumer, producer };
}

describe('intoRing and fromRing', () => {
  it('carry every frame through a small ring to a slow consumer in order; the pool bounds the blocks in flight', async () => {
    const source = filled(1000, 2);
    const { consumer, producer } = ringPair(64, 2);
    const pool = new BufferPool({ channels: 2 }, { blocks: 3, blockFrames: 50, onExhausted: 'wait' });
    const copy = new MemoryBuffer({ channels: 2 });
    const producing = lastValueFrom(fromBuffer(source, { pool }).pipe(intoRing(producer), toArray()));
    const consuming = lastValueFrom(
      fromRing(consumer, { chunkFrames: 30 }).pipe(
        concatMap((chunk) => timer(1).pipe(map(() => chunk))),
        intoBuffer(copy),
        toArray(),
      ),
    );
    const [sent, received] = await Promise.all([producing, consuming]);
    expect(sent.map((r) => r.frames)).toEqual(Array.from({ length: 20 }, () => 50));
    expect(received.map((r) => r.position)).toEqual(Array.from({ length: 34 }, (_, i) => i * 30));
    expect(received.at(-1)!.frames).toBe(10);
    copy.seek(0);
    source.seek(0);
    expect(copy.read()).toEqual(source.read());
    expect(consumer.ended).toBe(true); // the sink closed the ring when its source completed
    expect(pool.stats()).toMatchObject({ inUse: 0 });
    expect(pool.stats().peakInUse).toBeLessThanOrEqual(3);
  });

  it('fromRing reads into pool blocks too, and stops with ERR_ABORTED when its signal is aborted', async () => {
    const { consumer, producer } = ringPair(16, 1);
    const pool = new BufferPool({ channels: 1 }, { blocks: 2, blockFrames: 4, onExhausted: 'wait' });
    const abort = new AbortController();
    const got: number[] = [];
    const done = lastValueFrom(
      fromRing(consumer, { pool, signal: abort.signal }).pipe(
        map((chunk) => {
          got.push(...chunk.data.subarray(0, chunk.frames));
          chunk.lease.release();
          return chunk.frames;
        }),
      ),
    );
    await producer.writeAsync(Float32Array.from([1, 2, 3, 4, 5, 6]));
    await vi.waitFor(() => expect(got).toEqual([1, 2, 3, 4]));
    abort.abort();
    await expect(done).rejects.toMatchObject({ code: ErrorCode.ABORTED });
    expect(pool.stats().inUse).toBe(0);
  });

  it('intoRing unsubscribed while waiting for room wakes its write, closes the ring and gives every block back', async () => {
    const { consumer, producer } = ringPair(8, 1);
    const pool = new BufferPool({ channels: 1 }, { blocks: 2, blockFrames: 8, onExhausted: 'wait' });
    let receipts = 0;
    const subscription = fromBuffer(filled(100, 1), { pool }).pipe(intoRing(producer)).subscribe({ next: () => receipts++ });
    // The first chunk fills the ring, the second waits for room, and the source waits for a block.
    await vi.waitFor(() => expect(receipts).toBe(1));
    expect(pool.stats()).toMatchObject({ waiting: 1, inUse: 2 });
    subscription.unsubscribe();
    await vi.waitFor(() => {
      expect(pool.stats().inUse).toBe(0);
      expect(consumer.ended).toBe(true);
    });
    expect(pool.stats().waiting).toBe(0);
  });

  it('errors with ERR_CHANNEL_MISMATCH for chunks of another channel count', async () => {
    const { producer } = ringPair(8, 2);
    await expect(lastValueFrom(fromBuffer(filled(4, 1), { chunkFrames: 2 }).pipe(intoRing(producer, { closeRing: false })))).rejects.toMatchObject({
      code: ErrorCode.CHANNEL_MISMATCH,
    });
    expect(producer.ended).toBe(false);
  });
});
