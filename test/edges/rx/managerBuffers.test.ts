/** The sources and sinks take a manager's buffers as they take the data structures: memory, streaming, ring and pool. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { lastValueFrom, toArray } from 'rxjs';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { AudioBufferManager } from '../../../src/actors/manager.js';
import { MemoryBuffer } from '../../../src/buffers/memory.js';
import { attachRing } from '../../../src/buffers/ring.js';
import { StreamingBuffer } from '../../../src/buffers/streaming.js';
import { BufferType } from '../../../src/core/types.js';
import { fromBuffer } from '../../../src/edges/rx/fromBuffer.js';
import { fromRing } from '../../../src/edges/rx/fromRing.js';
import { fromWavFile } from '../../../src/edges/rx/fromWavFile.js';
import { intoBuffer } from '../../../src/edges/rx/intoBuffer.js';
import { intoRing } from '../../../src/edges/rx/intoRing.js';
import { toWavFile } from '../../../src/edges/rx/toWavFile.js';

const dir = mkdtempSync(join(tmpdir(), 'avbuf-rx-manager-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let manager: AudioBufferManager;
afterEach(async () => {
  await manager.close();
});

const ramp = (n: number): Float32Array => Float32Array.from({ length: n }, (_, i) => i / n);

describe('a manager\'s buffers as sources and sinks', () => {
  it('memory → streaming → memory through a manager\'s pool, bit-exact, every block back', async () => {
    manager = new AudioBufferManager({ monitorIntervalMs: 0 });
    const mic = manager.createBuffer('mic', BufferType.MEMORY, { channels: 2 });
    const disk = manager.createBuffer('disk', BufferType.STREAMING, { channels: 2, chunkSize: 64, cacheSizeMb: 1 });
    const out = manager.createBuffer('out', BufferType.MEMORY, { channels: 2 });
    const blocks = manager.createBuffer('blocks', BufferType.POOL, { channels: 2 }, { blocks: 2, blockFrames: 100, onExhausted: 'wait' });
    mic.write(ramp(2 * 1000));
    await lastValueFrom(fromBuffer(mic, { pool: blocks, from: 0 }).pipe(intoBuffer(disk)));
    const receipts = await lastValueFrom(fromBuffer(disk, { chunkFrames: 333, from: 0 }).pipe(intoBuffer(out), toArray()));
    expect(receipts.map((r) => r.frames)).toEqual([333, 333, 333, 1]);
    out.seek(0);
    expect(out.read()).toEqual(ramp(2 * 1000));
    expect(blocks.stats().inUse).toBe(0);
  });

  it('a manager\'s ring between intoRing and fromRing', async () => {
    manager = new AudioBufferManager({ monitorIntervalMs: 0 });
    const ring = manager.createBuffer('ring', BufferType.RING, { channels: 1 }, { capacity: 128 });
    const producer = attachRing(ring.share(), { role: 'producer' });
    const [, chunks] = await Promise.all([
      lastValueFrom(fromBuffer(memoryOf(ramp(1000)), { chunkFrames: 50, from: 0 }).pipe(intoRing(producer))),
      lastValueFrom(fromRing(ring, { chunkFrames: 100 }).pipe(toArray())),
    ]);
    const got = new Float32Array(1000);
    for (const c of chunks) got.set(c.data, c.position);
    expect(got).toEqual(ramp(1000));
  });

  it('a StreamingBuffer over a WAV file reads as the file does', async () => {
    manager = new AudioBufferManager({ monitorIntervalMs: 0 });
    const path = join(dir, 'take.wav');
    const mic = manager.createBuffer('mic2', BufferType.MEMORY, { channels: 1, sampleRate: 22050 });
    mic.write(ramp(5000));
    await lastValueFrom(fromBuffer(mic, { chunkFrames: 777, from: 0 }).pipe(toWavFile(path)));
    const wav = await StreamingBuffer.openWav(path, { chunkSize: 256 });
    const [viaBuffer, viaFile] = await Promise.all([
      lastValueFrom(fromBuffer(wav, { chunkFrames: 1000, from: 0 }).pipe(toArray())),
      lastValueFrom(fromWavFile(path, { chunkFrames: 1000 }).pipe(toArray())),
    ]);
    await wav.close();
    expect(viaBuffer).toEqual(viaFile);
    expect(viaFile.map((c) => [c.position, c.frames, c.sampleRate])).toEqual([0, 1000, 2000, 3000, 4000].map((p) => [p, 1000, 22050]));
  });
});

function memoryOf(samples: Float32Array): MemoryBuffer {
  const buffer = new MemoryBuffer({ channels: 1 });
  buffer.write(samples);
  return buffer;
}
