/**
 * Rings through Node streams, both ends in this thread (the worker-thread path is in
 * ffmpegSox.integration.test.ts): frames arrive in order, a reader that stops reading stops
 * the writer (the ring stays full, write callbacks stop), destroy frees the ring's role and
 * the other side sees the end.
 */
import { once } from 'node:events';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { describe, expect, it } from 'vitest';
import { attachRing, RingBuffer } from '../../../src/buffers/ring.js';
import { ErrorCode } from '../../../src/core/errors.js';
import { chunksOf } from '../../../src/edges/node/chunksOf.js';
import { ringDuplex } from '../../../src/edges/node/ringDuplex.js';
import { ringReadable } from '../../../src/edges/node/ringReadable.js';
import { ringWritable } from '../../../src/edges/node/ringWritable.js';
import type { AudioChunk } from '../../../src/streams/chunk.js';
import { rejectionCode } from './streamErrors.js';

/** A ring and a second end of it: one to produce into, one to consume from. */
function ringPair(capacity: number, channels = 2): { producer: RingBuffer; consumer: RingBuffer } {
  const producer = new RingBuffer({ channels, sampleRate: 48000 }, { capacity });
  const consumer = attachRing(producer.share());
  return { producer, consumer };
}

function ramp(samples: number): Float32Array {
  return Float32Array.from({ length: samples }, (_, i) => i / samples);
}

/** Lets the event loop turn until `done()` holds or `turns` have passed; returns whether it held. */
async function settleUntil(done: () => boolean, turns = 2000): Promise<boolean> {
  for (let i = 0; i < turns && !done(); i++) await new Promise((resolve) => setImmediate(resolve));
  return done();
}

async function collectFloats(readable: Readable): Promise<Float32Array> {
  const parts: Buffer[] = [];
  for await (const part of readable) parts.push(part as Buffer);
  const bytes = Buffer.concat(parts);
  return new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length));
}

describe('ringWritable → ring → ringReadable', () => {
  it('f32le bytes through a ring smaller than the stream arrive complete and in order', async () => {
    const { producer, consumer } = ringPair(256);
    const samples = ramp(2 * 10_000);
    const bytes = Buffer.from(samples.buffer);
    const written = pipeline(Readable.from([bytes.subarray(0, 5), bytes.subarray(5, 33_333), bytes.subarray(33_333)]), ringWritable(producer));
    const [back] = await Promise.all([collectFloats(ringReadable(consumer, { chunkFrames: 100 })), written]);
    expect(back).toEqual(samples);
    expect(producer.ended).toBe(true);
  });

  it('object mode: chunks carry the frame position of their first frame', async () => {
    const { producer, consumer } = ringPair(64, 1);
    const writing = pipeline(
      Readable.from([0, 1, 2].map((i): AudioChunk => ({ data: Float32Array.of(i, i, i), frames: 3, channels: 1, sampleRate: 48000, position: i * 3 }))),
      ringWritable(producer, { objectMode: true }),
    );
    let expected = 0;
    const values: number[] = [];
    for await (const chunk of ringReadable(consumer, { objectMode: true, chunkFrames: 4 }) as AsyncIterable<AudioChunk>) {
      expect(chunk.position).toBe(expected);
      expected += chunk.frames;
      values.push(...chunk.data.subarray(0, chunk.frames));
    }
    await writing;
    expect(values).toEqual([0, 0, 0, 1, 1, 1, 2, 2, 2]);
  });

  it('back-pressure: while nothing reads, the ring fills and the writable stops calling back; reading resumes it with nothing lost', async () => {
    const { producer, consumer } = ringPair(128, 1);
    const writable = ringWritable(producer, { highWaterMark: 0 });
    const chunks = Array.from({ length: 40 }, (_, i) => Buffer.from(Float32Array.from({ length: 32 }, (_, j) => i * 32 + j).buffer));
    let calledBack = 0;
    for (const chunk of chunks) writable.write(chunk, () => calledBack++);
    writable.end();
    // The reader exists but is paused: it pulls at most its highWaterMark, then stops.
    const readable = ringReadable(consumer, { chunkFrames: 32, highWaterMark: 128 });
    readable.pause();
    expect(await settleUntil(() => producer.availableWrite() === 0)).toBe(true);
    const stalledAt = calledBack;
    await settleUntil(() => false, 200);
    expect(calledBack).toBe(stalledAt);
    expect(stalledAt).toBeLessThan(chunks.length);
    expect(producer.availableWrite()).toBe(0);
    const back = await collectFloats(readable.resume());
    expect(calledBack).toBe(chunks.length);
    expect(Array.from(back)).toEqual(Array.from({ length: 40 * 32 }, (_, i) => i));
  });

  it('destroying the readable closes its end: the producer fails with ERR_BUFFER_CLOSED and the consumer role is free again', async () => {
    const { producer, consumer } = ringPair(64, 1);
    const handle = producer.share();
    const readable = ringReadable(consumer);
    const writing = pipeline(
      Readable.from(
        (function* () {
          for (let i = 0; ; i++) yield Buffer.alloc(1024, i);
        })(),
      ),
      ringWritable(producer),
    );
    readable.once('data', () => readable.destroy());
    await once(readable, 'close');
    expect(await rejectionCode(writing)).toBe(ErrorCode.BUFFER_CLOSED);
    expect(attachRing(handle, { role: 'consumer' }).role).toBe('consumer');
  });

  it('an aborted signal ends a readable waiting on an empty ring with ERR_ABORTED and closes its end', async () => {
    const { producer, consumer } = ringPair(64, 1);
    const controller = new AbortController();
    const reading = rejectionCode(collectFloats(ringReadable(consumer, { signal: controller.signal })));
    await settleUntil(() => false, 20);
    controller.abort();
    expect(await reading).toBe(ErrorCode.ABORTED);
    expect(producer.ended).toBe(true);
  });

  it('ringDuplex: bytes written to the producer side come out of the consumer side', async () => {
    const { producer, consumer } = ringPair(32, 2);
    const samples = ramp(2 * 1000);
    const duplex = ringDuplex({ producer, consumer }, { format: 'f32le', chunkFrames: 16 });
    const [back] = await Promise.all([collectFloats(duplex), pipeline(Readable.from([Buffer.from(samples.buffer)]), duplex)]);
    expect(back).toEqual(samples);
  });

  it('chunksOf a ring yields every frame once, then ends when the producer closes', async () => {
    const { producer, consumer } = ringPair(16, 1);
    const writing = pipeline(Readable.from([Buffer.from(ramp(100).buffer)]), ringWritable(producer));
    const values: number[] = [];
    for await (const chunk of chunksOf(consumer, { chunkFrames: 7 })) values.push(...chunk.data.subarray(0, chunk.frames));
    await writing;
    expect(values).toEqual(Array.from(ramp(100)));
  });
});
