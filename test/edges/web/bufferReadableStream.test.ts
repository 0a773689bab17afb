/** bufferReadableStream: a buffer or a ring as a WHATWG byte stream, read with BYOB and default readers. */
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { RingBuffer, attachRing } from '../../../src/buffers/ring.js';
import { ErrorCode } from '../../../src/core/errors.js';
import { bufferReadableStream } from '../../../src/edges/web/bufferReadableStream.js';
import { codeOf } from '../../helpers/errors.js';
import { bytesOf, concat, exactSignal, memoryWith } from './pcm.js';

describe('bufferReadableStream', () => {
  it('a BYOB read encodes into the memory the caller gave (the returned view is over that memory)', async () => {
    const data = exactSignal('s16le', 100, 2);
    const stream = bufferReadableStream(memoryWith(data, 2), { format: 's16le' });
    const reader = stream.getReader({ mode: 'byob' });
    const memory = new ArrayBuffer(64);
    const { value, done } = await reader.read(new Uint8Array(memory, 8, 40));
    expect(done).toBe(false);
    expect(value!.byteOffset).toBe(8);
    expect(value!.buffer.byteLength).toBe(64); // the same memory, transferred: no copy between
    expect([...value!]).toEqual([...bytesOf('s16le', data).subarray(0, 40)]);
    await reader.cancel();
  });

  it('a view that is not whole frames gets whole frames; one smaller than a frame gets whole samples, then the rest of that frame', async () => {
    const data = exactSignal('s24le', 10, 2); // 6-byte frames of 3-byte samples
    const expected = bytesOf('s24le', data);
    const reader = bufferReadableStream(memoryWith(data, 2), { format: 's24le' }).getReader({ mode: 'byob' });
    const sizes: number[] = [];
    const got: Uint8Array[] = [];
    for (const size of [13, 5, 2, 4, 1, 100]) {
      const { value } = await reader.read(new Uint8Array(size));
      sizes.push(value!.length);
      got.push(value!.slice());
    }
    // 13 → two frames; 5 → one sample of the next frame; 2 → 2 bytes of its second sample; 4 → its last byte; 1 → 1 byte; 100 → the rest of that frame
    expect(sizes).toEqual([12, 3, 2, 1, 1, 5]);
    expect([...concat(got)]).toEqual([...expected.subarray(0, 24)]);
  });

  it('Float32Array views read f32le as the samples themselves, element by element', async () => {
    const data = exactSignal('f32le', 33, 3);
    const reader = bufferReadableStream(memoryWith(data, 3), { format: 'f32le', chunkFrames: 8 }).getReader({ mode: 'byob' });
    const samples: number[] = [];
    for (let size = 1; ; size = (size % 7) + 1) {
      const { value, done } = await reader.read(new Float32Array(size));
      if (done) break;
      samples.push(...value);
    }
    expect(samples).toEqual([...data]);
  });

  it('the default reader delivers chunkFrames frames per chunk, the last one shorter', async () => {
    const data = exactSignal('f32le', 250, 2);
    const chunks: Uint8Array[] = [];
    for await (const chunk of bufferReadableStream(memoryWith(data, 2), { format: 'f32le', chunkFrames: 100 })) chunks.push(chunk);
    expect(chunks.map((c) => c.length)).toEqual([800, 800, 400]);
    expect(concat(chunks)).toEqual(bytesOf('f32le', data));
  });

  it.each(['f32le', 's16le', 's24le'] as const)('new Response(stream).arrayBuffer() holds every frame of the buffer in %s', async (format) => {
    const data = exactSignal(format, 5000, 3);
    const body = await new Response(bufferReadableStream(memoryWith(data, 3), { format, chunkFrames: 777 })).arrayBuffer();
    expect(new Uint8Array(body)).toEqual(bytesOf(format, data));
  });

  it('reads a positional buffer from its position, and leaves the buffer open', async () => {
    const data = exactSignal('f32le', 100, 1);
    const buffer = memoryWith(data, 1);
    buffer.seek(40);
    const body = await new Response(bufferReadableStream(buffer, { format: 'f32le' })).arrayBuffer();
    expect(new Uint8Array(body)).toEqual(bytesOf('f32le', data.subarray(40)));
    expect(buffer.size()).toBe(100);
  });

  it('Readable.fromWeb turns it into a Node Readable with the same bytes', async () => {
    const data = exactSignal('s16le', 3000, 2);
    const chunks: Buffer[] = [];
    for await (const chunk of Readable.fromWeb(bufferReadableStream(memoryWith(data, 2), { format: 's16le' }))) chunks.push(chunk as Buffer);
    expect(new Uint8Array(Buffer.concat(chunks))).toEqual(bytesOf('s16le', data));
  });

  it("reads a ring's consumer side as the producer writes, to the ring's end, then frees the consumer role", async () => {
    const ring = new RingBuffer({ channels: 2 }, { capacity: 64 });
    const handle = ring.share();
    const producer = attachRing(handle, { role: 'producer' });
    const data = exactSignal('f32le', 1000, 2);
    const writing = (async () => {
      for (let at = 0; at < 1000; at += 90) {
        await producer.writeAsync(data.subarray(at * 2, Math.min(1000, at + 90) * 2));
        await new Promise((resolve) => setImmediate(resolve));
      }
      producer.close();
    })();
    const body = await new Response(bufferReadableStream(ring, { format: 'f32le', chunkFrames: 50 })).arrayBuffer();
    await writing;
    expect(new Uint8Array(body)).toEqual(bytesOf('f32le', data));
    expect(ring.ended).toBe(true);
    expect(codeOf(() => attachRing(handle, { role: 'consumer' }))).toBe(null);
  });

  it("back-pressure: nothing is read from the ring until the stream's reader asks, so a producer waiting for room stays waiting", async () => {
    const consumer = new RingBuffer({ channels: 1 }, { capacity: 16 });
    const producer = attachRing(consumer.share());
    let written = 0;
    const writing = producer.writeAsync(new Float32Array(48).fill(0.25)).then((n) => (written = n));
    const reader = bufferReadableStream(consumer, { format: 'f32le', chunkFrames: 16 }).getReader();
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(consumer.availableRead()).toBe(16);
    expect(written).toBe(0);
    let bytes = 0;
    while (bytes < 48 * 4) bytes += (await reader.read()).value!.length;
    await writing;
    expect(written).toBe(48);
    await reader.cancel();
  });

  it('cancel() while waiting on an empty ring settles the read as done and frees the consumer role', async () => {
    const owner = new RingBuffer({ channels: 1 }, { capacity: 16 });
    const handle = owner.share();
    const consumer = attachRing(handle);
    const reader = bufferReadableStream(consumer, { format: 's16le' }).getReader({ mode: 'byob' });
    const pending = reader.read(new Uint8Array(64));
    await new Promise((resolve) => setTimeout(resolve, 20));
    await reader.cancel();
    expect((await pending).done).toBe(true);
    expect(consumer.ended).toBe(true);
    expect(codeOf(() => attachRing(handle, { role: 'consumer' }))).toBe(null);
  });

  it('bad arguments are typed errors at the call', () => {
    const buffer = memoryWith(new Float32Array(4), 1);
    expect(codeOf(() => bufferReadableStream(buffer, { format: 'u8' as never }))).toBe(ErrorCode.INVALID_ARGUMENT);
    expect(codeOf(() => bufferReadableStream(buffer, { format: 'f32le', chunkFrames: 0 }))).toBe(ErrorCode.INVALID_ARGUMENT);
    expect(codeOf(() => bufferReadableStream(new Uint8Array(4) as never, { format: 'f32le' }))).toBe(ErrorCode.INVALID_ARGUMENT);
  });
});
