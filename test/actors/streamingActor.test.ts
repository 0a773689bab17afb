/** The streaming buffer through the manager: spilling past the cache, flush, close, gating. */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AudioBufferManager } from '../../src/actors/manager.js';
import { StreamingBuffer } from '../../src/buffers/streaming.js';
import { ErrorCode } from '../../src/core/errors.js';
import { BufferType } from '../../src/core/types.js';
import { closeWorkerPool } from '../../src/workers/pool.js';
import { codeOf } from '../helpers/errors.js';

const dir = mkdtempSync(join(tmpdir(), 'avbuf-streaming-actor-'));
let manager: AudioBufferManager;
beforeEach(() => {
  manager = new AudioBufferManager({ monitorIntervalMs: 0 });
});
afterEach(async () => {
  await manager.close();
});
afterAll(async () => {
  await closeWorkerPool();
  rmSync(dir, { recursive: true, force: true });
});

/** 1 MB of cache, 64 KB chunks (8192 stereo frames): 16 chunks in memory at most. */
const CONFIG = { channels: 2, chunkSize: 8192, cacheSizeMb: 1 };

describe('streaming buffer actor', () => {
  it('holds 8 MB of audio in 1 MB of cache, spilling and reading back every frame', () => {
    const buf = manager.createBuffer('big', BufferType.STREAMING, CONFIG);
    const block = new Float32Array(4096 * 2);
    const total = 128 * 8192; // 1,048,576 frames = 8 MB
    for (let f = 0; f < total; f += 4096) {
      for (let i = 0; i < 4096; i++) block[2 * i] = block[2 * i + 1] = f + i;
      buf.write(block);
    }
    expect(buf.size()).toBe(total);
    expect(buf.getMetrics().memoryUsageMb).toBeLessThanOrEqual(1);
    expect(manager.budget.usedBytes).toBeLessThanOrEqual(1048576);
    buf.seek(0);
    let bad = 0;
    for (let f = 0; f < total; f += 4096) {
      expect(buf.readInto(block)).toBe(4096);
      for (let i = 0; i < 4096; i++) if (block[2 * i] !== f + i) bad++;
    }
    expect(bad).toBe(0);
    const m = buf.getMetrics();
    expect(m.bufferType).toBe('streaming');
    expect(m.spillBytes).toBeGreaterThan(7 * 1048576); // everything but the cached tail went to disk...
    expect(m.spillBytes / m.spillWrites).toBeGreaterThanOrEqual(1048576); // ...in writes of 1 MiB or more
    expect(m.cacheHitRate).toBeGreaterThan(0.4); // two 4096-frame reads per 8192-frame chunk, plus read-ahead
    expect(m.prefetches).toBeGreaterThan(0);
  });

  it('deletes its temporary spill file on close and keeps a named one, which reopens with the data', async () => {
    const temp = manager.createBuffer('temp', BufferType.STREAMING, CONFIG);
    temp.write(new Float32Array(100));
    const tempPath = temp.path;
    expect(existsSync(tempPath)).toBe(true);
    await manager.removeBuffer('temp');
    expect(existsSync(tempPath)).toBe(false);

    const path = join(dir, 'kept.avsp');
    const kept = manager.createBuffer('kept', BufferType.STREAMING, { ...CONFIG, enableCompression: true }, { path });
    kept.write(new Float32Array(20000).map((_, i) => Math.sin(i)));
    await kept.close(); // flushes (compressed in workers) before freeing
    expect(kept.state).toBe('closed');
    const again = StreamingBuffer.open(path);
    expect(again.size()).toBe(10000);
    expect(again.read(3)[2]).toBe(Math.fround(Math.sin(2)));
    await again.close();
  });

  it('gates data calls by state and counts bad input', () => {
    const buf = manager.createBuffer('g', BufferType.STREAMING, CONFIG);
    buf.pause();
    expect(codeOf(() => buf.write(new Float32Array(2)))).toBe(ErrorCode.BUFFER_NOT_ACCEPTING);
    buf.resume();
    expect(codeOf(() => buf.write(new Float32Array(3)))).toBe(ErrorCode.FRAME_MISALIGNED);
    expect(codeOf(() => buf.seek(1))).toBe(ErrorCode.SEEK_OUT_OF_RANGE);
    expect(buf.getMetrics().errorCount).toBe(3);
  });

  it('refuses to open what is not a spill file with ERR_SPILL_CORRUPT, and a missing one with ERR_FILE_NOT_FOUND', async () => {
    const { writeFileSync } = await import('node:fs');
    const bogus = join(dir, 'bogus.avsp');
    writeFileSync(bogus, 'RIFF....WAVE');
    expect(codeOf(() => StreamingBuffer.open(bogus))).toBe(ErrorCode.SPILL_CORRUPT);
    expect(codeOf(() => StreamingBuffer.open(join(dir, 'nope.avsp')))).toBe(ErrorCode.FILE_NOT_FOUND);
  });
});
