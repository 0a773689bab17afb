/** The WHATWG streams over a manager's buffers and a streaming buffer; errors that fail a stream; teardown through Node's adapters. */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { finished } from 'node:stream/promises';
import { describe, expect, it } from 'vitest';
import { AudioBufferManager } from '../../../src/actors/manager.js';
import { MemoryBuffer } from '../../../src/buffers/memory.js';
import { RingBuffer, attachRing } from '../../../src/buffers/ring.js';
import { StreamingBuffer } from '../../../src/buffers/streaming.js';
import { ErrorCode, isAvbufError } from '../../../src/core/errors.js';
import { BufferType } from '../../../src/core/types.js';
import { bufferChunkStream } from '../../../src/edges/web/bufferChunkStream.js';
import { bufferReadableStream } from '../../../src/edges/web/bufferReadableStream.js';
import { bufferWritableStream } from '../../../src/edges/web/bufferWritableStream.js';
import { codeOf } from '../../helpers/errors.js';
import { bytesOf, exactSignal } from './pcm.js';

async function rejectionCode(promise: Promise<unknown>): Promise<string | null> {
  try {
    await promise;
    return null;
  } catch (error) {
    expect(isAvbufError(error), `expected an avbuf error, got ${String(error)}`).toBe(true);
    return (error as { code: string }).code;
  }
}

describe('WHATWG streams: buffer kinds, errors and teardown', () => {
  it("a manager's memory buffer and ring work as the plain ones do; the ring's stream closes the manager's ring at its end", async () => {
    const manager = new AudioBufferManager({ memoryLimitMb: 64 });
    try {
      const data = exactSignal('s16le', 500, 2);
      const memory = manager.createBuffer('mem', BufferType.MEMORY, { channels: 2, sampleRate: 48000 });
      await new Response(bytesOf('s16le', data)).body!.pipeTo(bufferWritableStream(memory, { format: 's16le' }) as never);
      memory.seek(0);
      expect(new Uint8Array(await new Response(bufferReadableStream(memory, { format: 's16le' }) as never).arrayBuffer())).toEqual(bytesOf('s16le', data));

      const ring = manager.createBuffer('ring', BufferType.RING, { channels: 2, sampleRate: 48000 }, { capacity: 64 });
      const producer = attachRing(ring.share(), { role: 'producer' });
      producer.write(data.subarray(0, 2 * 50));
      producer.close();
      const body = await new Response(bufferReadableStream(ring, { format: 'f32le' }) as never).arrayBuffer();
      expect(new Uint8Array(body)).toEqual(bytesOf('f32le', data.subarray(0, 2 * 50)));
      expect(ring.ended).toBe(true);
    } finally {
      await manager.close();
    }
  });

  it('a streaming buffer is written and read back through the streams', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'avbuf-web-'));
    try {
      const data = exactSignal('s24le', 20000, 2);
      const buffer = new StreamingBuffer({ channels: 2, sampleRate: 48000, chunkSize: 1024 }, { path: join(dir, 'spill.bin') });
      await new Response(bytesOf('s24le', data)).body!.pipeTo(bufferWritableStream(buffer, { format: 's24le' }) as never);
      buffer.seek(0);
      expect(new Uint8Array(await new Response(bufferReadableStream(buffer, { format: 's24le' }) as never).arrayBuffer())).toEqual(bytesOf('s24le', data));
      await buffer.close();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('a closed buffer is ERR_BUFFER_CLOSED at the call; a buffer closed while streaming fails the stream with it', async () => {
    const closed = new MemoryBuffer({ channels: 1 });
    closed.close();
    expect(codeOf(() => bufferReadableStream(closed, { format: 'f32le' }))).toBe(ErrorCode.BUFFER_CLOSED);
    expect(codeOf(() => bufferChunkStream(closed))).toBe(ErrorCode.BUFFER_CLOSED);

    const buffer = new MemoryBuffer({ channels: 1 });
    buffer.write(new Float32Array(100));
    buffer.seek(0);
    const reader = bufferReadableStream(buffer, { format: 'f32le', chunkFrames: 10 }).getReader();
    expect((await reader.read()).value!.length).toBe(40);
    buffer.close();
    expect(await rejectionCode(reader.read())).toBe(ErrorCode.BUFFER_CLOSED);
  });

  it("destroying Readable.fromWeb(stream) cancels the stream: the ring's consumer role is free again", async () => {
    const owner = new RingBuffer({ channels: 1 }, { capacity: 16 });
    const handle = owner.share();
    const consumer = attachRing(handle, { role: 'consumer' });
    const producer = attachRing(handle, { role: 'producer' });
    producer.write(new Float32Array(16));
    const readable = Readable.fromWeb(bufferReadableStream(consumer, { format: 'f32le', chunkFrames: 4 }));
    const first: unknown = await new Promise((resolve) => readable.once('data', resolve));
    expect((first as Buffer).length).toBe(16);
    readable.destroy();
    await finished(readable).catch(() => undefined);
    await new Promise((resolve) => setImmediate(resolve));
    expect(consumer.ended).toBe(true);
    expect(codeOf(() => attachRing(handle, { role: 'consumer' }))).toBe(null);
    expect(await rejectionCode(producer.writeAsync(new Float32Array(1)))).toBe(ErrorCode.BUFFER_CLOSED);
  });

  it("cancelling a chunk stream waiting on an empty ring frees the consumer role", async () => {
    const owner = new RingBuffer({ channels: 2 }, { capacity: 16 });
    const handle = owner.share();
    const consumer = attachRing(handle, { role: 'consumer' });
    const reader = bufferChunkStream(consumer).getReader();
    const pending = reader.read();
    await new Promise((resolve) => setTimeout(resolve, 10));
    await reader.cancel();
    expect((await pending).done).toBe(true);
    expect(codeOf(() => attachRing(handle, { role: 'consumer' }))).toBe(null);
  });
});
