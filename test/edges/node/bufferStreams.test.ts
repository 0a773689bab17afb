/**
 * Memory and streaming buffers, and the buffers a manager hands out, through Node streams:
 * bytes and chunks round-trip, object-mode chunks carry their positions, the readable reads
 * only as far ahead as its highWaterMark (in chunks or in bytes), and bad input gets a typed code.
 */
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { describe, expect, it } from 'vitest';
import { AudioBufferManager } from '../../../src/actors/manager.js';
import { attachRing } from '../../../src/buffers/ring.js';
import { MemoryBuffer } from '../../../src/buffers/memory.js';
import { StreamingBuffer } from '../../../src/buffers/streaming.js';
import { ErrorCode } from '../../../src/core/errors.js';
import { BufferType } from '../../../src/core/types.js';
import { bufferReadable } from '../../../src/edges/node/bufferReadable.js';
import { bufferWritable } from '../../../src/edges/node/bufferWritable.js';
import { chunksOf } from '../../../src/edges/node/chunksOf.js';
import { ringReadable } from '../../../src/edges/node/ringReadable.js';
import type { AudioChunk } from '../../../src/streams/chunk.js';
import { codeOf } from '../../helpers/errors.js';
import { rejectionCode } from './streamErrors.js';

function ramp(samples: number): Float32Array {
  return Float32Array.from({ length: samples }, (_, i) => (i % 1000) / 1000);
}

async function turns(n: number): Promise<void> {
  for (let i = 0; i < n; i++) await new Promise((resolve) => setImmediate(resolve));
}

describe('bufferReadable / bufferWritable', () => {
  it('object mode: for await yields chunks with their positions from `from` to the end', async () => {
    const buffer = new MemoryBuffer({ channels: 2, sampleRate: 44100 });
    buffer.write(ramp(2 * 1000));
    const seen: Array<[number, number]> = [];
    for await (const chunk of bufferReadable(buffer, { from: 100, objectMode: true, chunkFrames: 400 }) as AsyncIterable<AudioChunk>) {
      seen.push([chunk.position, chunk.frames]);
      expect(chunk.data.subarray(0, 2)).toEqual(ramp(2 * 1000).subarray(chunk.position * 2, chunk.position * 2 + 2));
      expect([chunk.channels, chunk.sampleRate]).toEqual([2, 44100]);
    }
    expect(seen).toEqual([
      [100, 400],
      [500, 400],
      [900, 100],
    ]);
  });

  it('object mode chunks written to a buffer land in order; a chunk of other channels fails ERR_CHANNEL_MISMATCH', async () => {
    const buffer = new MemoryBuffer({ channels: 1, sampleRate: 48000 });
    const chunk = (value: number, channels = 1): AudioChunk => ({ data: new Float32Array(8).fill(value), frames: 4, channels, sampleRate: 48000, position: 0 });
    await pipeline(Readable.from([chunk(1), chunk(2)]), bufferWritable(buffer, { objectMode: true }));
    buffer.seek(0);
    expect(Array.from(buffer.read())).toEqual([1, 1, 1, 1, 2, 2, 2, 2]);
    expect(await rejectionCode(pipeline(Readable.from([chunk(3, 2)]), bufferWritable(buffer, { objectMode: true })))).toBe(ErrorCode.CHANNEL_MISMATCH);
  });

  it('highWaterMark in chunks: a readable nobody reads holds at most that many chunks ahead', async () => {
    const buffer = new MemoryBuffer({ channels: 1, sampleRate: 48000 });
    buffer.write(ramp(10_000));
    const readable = bufferReadable(buffer, { from: 0, objectMode: true, chunkFrames: 100, highWaterMark: 3 });
    readable.read(0);
    await turns(50);
    expect(readable.readableLength).toBe(3);
    expect(buffer.tell()).toBe(300);
    readable.destroy();
  });

  it('highWaterMark in bytes: a readable nobody reads holds at most that many bytes ahead', async () => {
    const buffer = new MemoryBuffer({ channels: 2, sampleRate: 48000 });
    buffer.write(ramp(2 * 10_000));
    const readable = bufferReadable(buffer, { from: 0, format: 's16le', chunkFrames: 100, highWaterMark: 1200 });
    readable.read(0);
    await turns(50);
    expect(readable.readableLength).toBe(1200);
    expect(buffer.tell()).toBe(300);
    readable.destroy();
  });

  it('a streaming buffer is written through, flushed, and reads back the same bytes', async () => {
    const buffer = new StreamingBuffer({ channels: 2, sampleRate: 48000, chunkSize: 1000 });
    const bytes = Buffer.from(ramp(2 * 5000).buffer);
    await pipeline(Readable.from([bytes.subarray(0, 9999), bytes.subarray(9999)]), bufferWritable(buffer, { format: 'f32le' }));
    expect(buffer.size()).toBe(5000);
    const parts: Buffer[] = [];
    for await (const part of bufferReadable(buffer, { from: 0 })) parts.push(part as Buffer);
    expect(Buffer.concat(parts).equals(bytes)).toBe(true);
    await buffer.close();
  });

  it("a manager's memory buffer and ring work as the plain ones do", async () => {
    const manager = new AudioBufferManager({ memoryLimitMb: 64 });
    try {
      const memory = manager.createBuffer('mem', BufferType.MEMORY, { channels: 2, sampleRate: 48000 });
      await pipeline(Readable.from([Buffer.from(ramp(2 * 300).buffer)]), bufferWritable(memory));
      const values: number[] = [];
      memory.seek(0);
      for await (const chunk of chunksOf(memory, { chunkFrames: 128 })) values.push(...chunk.data.subarray(0, chunk.frames * 2));
      expect(values).toEqual(Array.from(ramp(2 * 300)));

      const ring = manager.createBuffer('ring', BufferType.RING, { channels: 2, sampleRate: 48000 }, { capacity: 64 });
      const producer = attachRing(ring.share(), { role: 'producer' });
      producer.write(ramp(2 * 50));
      producer.close();
      const parts: Buffer[] = [];
      for await (const part of ringReadable(ring)) parts.push(part as Buffer);
      expect(Buffer.concat(parts).equals(Buffer.from(ramp(2 * 50).buffer))).toBe(true);
    } finally {
      await manager.close();
    }
  });

  it('bad options are refused at once with ERR_INVALID_ARGUMENT (as every edge: RxJS, Node, WHATWG) naming the option', () => {
    const buffer = new MemoryBuffer({ channels: 1 });
    expect(codeOf(() => bufferReadable(buffer, { format: 'u8' as 'f32le' }))).toBe(ErrorCode.INVALID_ARGUMENT);
    expect(codeOf(() => bufferReadable(buffer, { chunkFrames: 0 }))).toBe(ErrorCode.INVALID_ARGUMENT);
    expect(codeOf(() => bufferWritable(buffer, { highWaterMark: -1 }))).toBe(ErrorCode.INVALID_ARGUMENT);
  });

  it('reading a closed buffer fails the stream with ERR_BUFFER_CLOSED', async () => {
    const buffer = new MemoryBuffer({ channels: 1 });
    buffer.write(ramp(10));
    buffer.close();
    expect(await rejectionCode(Readable.prototype.toArray.call(bufferReadable(buffer)))).toBe(ErrorCode.BUFFER_CLOSED);
  });
});
