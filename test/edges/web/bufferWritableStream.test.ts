/** bufferWritableStream: PCM bytes in any split into a buffer or a ring, with back-pressure and typed errors. */
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { MemoryBuffer } from '../../../src/buffers/memory.js';
import { RingBuffer, attachRing } from '../../../src/buffers/ring.js';
import { ErrorCode, isAvbufError } from '../../../src/core/errors.js';
import { bufferWritableStream } from '../../../src/edges/web/bufferWritableStream.js';
import { codeOf } from '../../helpers/errors.js';
import { bytesOf, contents, exactSignal } from './pcm.js';

async function rejectionCode(promise: Promise<unknown>): Promise<string | null> {
  try {
    await promise;
    return null;
  } catch (error) {
    expect(isAvbufError(error), `expected an avbuf error, got ${String(error)}`).toBe(true);
    return (error as { code: string }).code;
  }
}

const tick = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 5));

describe('bufferWritableStream', () => {
  it('Readable.toWeb(nodeReadable).pipeTo(it) writes every frame, frames split across chunks carried over', async () => {
    const data = exactSignal('s24le', 2000, 2);
    const bytes = bytesOf('s24le', data);
    const pieces = [bytes.subarray(0, 7), bytes.subarray(7, 4000), bytes.subarray(4000, 4001), bytes.subarray(4001)];
    const buffer = new MemoryBuffer({ channels: 2 });
    await Readable.toWeb(Readable.from(pieces.map((p) => Buffer.from(p)))).pipeTo(bufferWritableStream(buffer, { format: 's24le' }));
    expect(contents(buffer)).toEqual(data);
  });

  it('closing with part of a frame left over fails with ERR_FRAME_MISALIGNED', async () => {
    const writer = bufferWritableStream(new MemoryBuffer({ channels: 2 }), { format: 's16le' }).getWriter();
    await writer.write(new Uint8Array(6)); // one frame and a half
    expect(await rejectionCode(writer.close())).toBe(ErrorCode.FRAME_MISALIGNED);
  });

  it('a chunk that is not bytes fails with ERR_INVALID_AUDIO_DATA', async () => {
    const writer = bufferWritableStream(new MemoryBuffer({ channels: 1 }), { format: 'f32le' }).getWriter();
    expect(await rejectionCode(writer.write('abc' as never))).toBe(ErrorCode.INVALID_AUDIO_DATA);
  });

  it("back-pressure: a full ring holds the write, the queue fills to highWaterMark and writer.ready waits until the consumer reads", async () => {
    const consumer = new RingBuffer({ channels: 1 }, { capacity: 16 });
    const producer = attachRing(consumer.share());
    const writer = bufferWritableStream(producer, { format: 'f32le', highWaterMark: 128 }).getWriter();
    const writes: Promise<void>[] = [];
    for (let i = 0; i < 4; i++) writes.push(writer.write(bytesOf('f32le', new Float32Array(16).fill(i))));
    await tick();
    // 16 frames fit the ring; the second write waits for room and the queue holds 128 bytes more.
    expect(consumer.availableRead()).toBe(16);
    expect(writer.desiredSize).toBeLessThanOrEqual(0);
    let ready = false;
    void writer.ready.then(() => (ready = true));
    await tick();
    expect(ready).toBe(false);
    const out = new Float32Array(64);
    let got = 0;
    while (got < 64) {
      got += await consumer.readAsync(out.subarray(got, got + 1));
      got += consumer.readInto(out.subarray(got));
    }
    await Promise.all(writes);
    expect(ready).toBe(true);
    expect([...out]).toEqual([...new Float32Array(64).map((_, i) => Math.floor(i / 16))]);
    await writer.close();
    expect(consumer.ended).toBe(true);
  });

  it('writer.abort() ends a write waiting for room with ERR_ABORTED and closes the ring, freeing the producer role', async () => {
    const consumer = new RingBuffer({ channels: 1 }, { capacity: 16 });
    const handle = consumer.share();
    const producer = attachRing(handle, { role: 'producer' });
    const writer = bufferWritableStream(producer, { format: 'f32le' }).getWriter();
    const waiting = writer.write(new Uint8Array(4 * 32)); // twice the ring
    await tick();
    await writer.abort(new Error('stop'));
    expect(await rejectionCode(waiting)).toBe(ErrorCode.ABORTED);
    expect(producer.ended).toBe(true);
    expect(codeOf(() => attachRing(handle, { role: 'producer' }))).toBe(null);
  });

  it("pipeTo's AbortSignal, given to the stream too, stops a pipe stuck on a full ring and closes the ring", async () => {
    const consumer = new RingBuffer({ channels: 1 }, { capacity: 16 });
    const handle = consumer.share();
    const producer = attachRing(handle, { role: 'producer' });
    const abort = new AbortController();
    const endless = new ReadableStream<Uint8Array>({ pull: (c) => c.enqueue(new Uint8Array(256)) });
    const piping = endless.pipeTo(bufferWritableStream(producer, { format: 'f32le', signal: abort.signal }), { signal: abort.signal });
    await tick();
    abort.abort();
    expect(await rejectionCode(piping)).toBe(ErrorCode.ABORTED);
    expect(producer.ended).toBe(true);
    expect(codeOf(() => attachRing(handle, { role: 'producer' }))).toBe(null);
  });

  it('writing into a ring whose consumer closed fails with ERR_BUFFER_CLOSED', async () => {
    const consumer = new RingBuffer({ channels: 1 }, { capacity: 16 });
    const producer = attachRing(consumer.share());
    consumer.close();
    const writer = bufferWritableStream(producer, { format: 's16le' }).getWriter();
    expect(await rejectionCode(writer.write(new Uint8Array(8)))).toBe(ErrorCode.BUFFER_CLOSED);
  });

  it('bad arguments are typed errors at the call', () => {
    const buffer = new MemoryBuffer({ channels: 1 });
    expect(codeOf(() => bufferWritableStream(buffer, { format: 'f64le' as never }))).toBe(ErrorCode.INVALID_ARGUMENT);
    expect(codeOf(() => bufferWritableStream(buffer, { format: 'f32le', highWaterMark: -1 }))).toBe(ErrorCode.INVALID_ARGUMENT);
    expect(codeOf(() => bufferWritableStream({} as never, { format: 'f32le' }))).toBe(ErrorCode.INVALID_ARGUMENT);
  });
});
