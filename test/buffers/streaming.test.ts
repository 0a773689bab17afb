/** StreamingBuffer behaviours beside the model test. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { StreamingBuffer } from '../../src/buffers/streaming.js';
import { ErrorCode } from '../../src/core/errors.js';
import { codeOf } from '../helpers/errors.js';

const dir = mkdtempSync(join(tmpdir(), 'avbuf-streaming-unit-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const settle = async (): Promise<void> => {
  for (let i = 0; i < 20; i++) await new Promise((resolve) => setImmediate(resolve));
};

describe('StreamingBuffer', () => {
  it('regression: a chunk read ahead and then rewritten, spilled and evicted before the read-ahead lands keeps the new data', async () => {
    // 4-frame chunks, a cache of 3 chunks, one chunk read ahead.
    const buf = new StreamingBuffer({ channels: 1, chunkSize: 4, cacheSizeMb: 48 / 1048576 }, { path: join(dir, 'stale.avsp'), readAhead: 1 });
    buf.write(new Float32Array(16).fill(1)); // chunks 0..3 hold 1s
    await buf.flush();
    buf.seek(0);
    buf.read(4); // chunk 0
    buf.read(4); // chunk 1: sequential, so chunk 2 is read ahead (still in flight)
    buf.seek(8);
    buf.write(new Float32Array(4).fill(2)); // chunk 2 now holds 2s (dirty)
    buf.seek(0);
    buf.read(8); // chunks 0 and 1 become recent...
    buf.seek(12);
    buf.read(4); // ...and chunk 3 pushes chunk 2 out (written back first)
    await settle(); // the read-ahead of chunk 2 lands now, with the old 1s
    buf.seek(8);
    expect(Array.from(buf.read(4))).toEqual([2, 2, 2, 2]);
    await buf.close();
  });

  it('compresses chunks spilled by eviction as well as by flush when enableCompression is set', async () => {
    const path = join(dir, 'compressed.avsp');
    const buf = new StreamingBuffer({ channels: 2, chunkSize: 4096, cacheSizeMb: (3 * 4096 * 8) / 1048576, enableCompression: true }, { path });
    const quiet = new Float32Array(4096 * 2).map((_, i) => (i % 64) / 64); // very compressible
    for (let i = 0; i < 32; i++) buf.write(quiet);
    const raw = 32 * 4096 * 8;
    expect(buf.getMetrics().spillBytes).toBeLessThan(raw / 10); // 29 chunks evicted, compressed on the spot
    await buf.close(); // the last 3 are compressed in workers
    const again = StreamingBuffer.open(path);
    expect(again.size()).toBe(32 * 4096);
    again.seek(31 * 4096);
    expect(Array.from(again.read(4096))).toEqual(Array.from(quiet));
    await again.close();
    const { closeWorkerPool } = await import('../../src/workers/pool.js');
    await closeWorkerPool();
  });

  it('refuses writes when opened read-only over a WAV file', async () => {
    const { writeFileSync } = await import('node:fs');
    // A minimal 16-bit mono WAV of 4 frames, written byte by byte.
    const data = Buffer.from(new Int16Array([0, 16384, -16384, 32767]).buffer);
    const header = Buffer.alloc(44);
    header.write('RIFF', 0, 'latin1');
    header.writeUInt32LE(36 + data.length, 4);
    header.write('WAVEfmt ', 8, 'latin1');
    header.writeUInt32LE(16, 16);
    header.writeUInt16LE(1, 20);
    header.writeUInt16LE(1, 22);
    header.writeUInt32LE(8000, 24);
    header.writeUInt32LE(16000, 28);
    header.writeUInt16LE(2, 32);
    header.writeUInt16LE(16, 34);
    header.write('data', 36, 'latin1');
    header.writeUInt32LE(data.length, 40);
    const path = join(dir, 'tiny.wav');
    writeFileSync(path, Buffer.concat([header, data]));
    const buf = await StreamingBuffer.openWav(path, { chunkSize: 2 });
    expect(buf.size()).toBe(4);
    expect(buf.sampleRate).toBe(8000);
    expect(Array.from(buf.read())).toEqual([0, 0.5, -0.5, 32767 / 32768]);
    expect(codeOf(() => buf.write(new Float32Array(1)))).toBe(ErrorCode.UNSUPPORTED_OPERATION);
    await buf.close();
  });
});

describe('StreamingBuffer over an integer WAV', () => {
  it('decodes large reads into shared memory in a worker thread, sample for sample as the main thread does', async () => {
    const { WavWriter } = await import('../../src/formats/wavWriter.js');
    const { closeWorkerPool } = await import('../../src/workers/pool.js');
    const path = join(dir, 's24.wav');
    const frames = 100_000; // 600 kB of 24-bit stereo: over the worker threshold
    const source = Float32Array.from({ length: frames * 2 }, (_, i) => Math.sin(i * 0.01) * 0.7);
    const writer = await WavWriter.create(path, { format: 's24', channels: 2, sampleRate: 48000 });
    await writer.write(source);
    await writer.close();
    const onMain = await StreamingBuffer.openWav(path, { chunkSize: 8192 });
    const expected = onMain.read(); // chunk by chunk on the main thread
    await onMain.close();
    // 65536-frame chunks: 384 kB of bytes per read, over the worker threshold.
    const inWorker = await StreamingBuffer.openWav(path, { chunkSize: 65536, cacheSizeMb: 1 });
    const target = new Float32Array(new SharedArrayBuffer(frames * 2 * 4));
    const { workerPool } = await import('../../src/workers/pool.js');
    const before = (await workerPool()).completed;
    expect(await inWorker.readAsync(target)).toBe(frames);
    expect((await workerPool()).completed - before).toBe(1); // the first, full chunk went to a worker; the 34,464-frame tail did not
    expect(Array.from(target)).toEqual(Array.from(expected));
    // 24-bit: within one step of the source
    let worst = 0;
    for (let i = 0; i < target.length; i++) worst = Math.max(worst, Math.abs(target[i]! - source[i]!));
    expect(worst).toBeLessThanOrEqual(1 / 8388608);
    await inWorker.close();
    await closeWorkerPool();
  });
});
