/**
 * figures(): each buffer type describes itself, tagged by its type, with the figures only
 * that type has — what the inspector's samplers read instead of casting.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { AudioBufferManager } from '../../src/actors/manager.js';
import { BufferType } from '../../src/core/types.js';

let manager: AudioBufferManager | undefined;
afterEach(async () => {
  await manager?.close();
  manager = undefined;
});

describe('buffer figures', () => {
  it('a memory buffer reports its capacity and frames held, and a null size once closed, without counting an error', async () => {
    manager = new AudioBufferManager({ monitorIntervalMs: 0 });
    const mic = manager.createBuffer('mic', BufferType.MEMORY, { channels: 2 }, { capacity: 4800, growable: false });
    mic.write(new Float32Array(1200 * 2));
    const figures = mic.figures();
    expect(figures).toMatchObject({ type: 'memory', capacity: 4800, size: 1200 });
    expect(figures.metrics).toEqual(mic.getMetrics());
    await mic.close();
    expect(mic.figures()).toMatchObject({ type: 'memory', size: null, metrics: { state: 'closed', errorCount: 0 } });
  });

  it('a ring and a streaming buffer report their own metrics types', () => {
    manager = new AudioBufferManager({ monitorIntervalMs: 0 });
    const ring = manager.createBuffer('live', BufferType.RING, { channels: 2 }, { capacity: 1024 });
    ring.write(new Float32Array(256 * 2));
    const disk = manager.createBuffer('disk', BufferType.STREAMING, { channels: 2, chunkSize: 1024, cacheSizeMb: 1 });
    const ringFigures = ring.figures();
    expect(ringFigures.type).toBe('ring');
    if (ringFigures.type === 'ring') expect(ringFigures.metrics).toMatchObject({ capacity: 1024, availableRead: 256, framesWritten: 256 });
    const diskFigures = disk.figures();
    expect(diskFigures.type).toBe('streaming');
    if (diskFigures.type === 'streaming') expect(diskFigures.metrics.cacheCapacityChunks).toBeGreaterThan(0);
  });

  it('a pool reports its lease statistics beside its metrics', () => {
    manager = new AudioBufferManager({ monitorIntervalMs: 0 });
    const pool = manager.createBuffer('blocks', BufferType.POOL, { channels: 2 }, { blocks: 4, blockFrames: 256 });
    const block = pool.acquire();
    const figures = pool.figures();
    expect(figures).toMatchObject({ type: 'pool', stats: { totalBlocks: 4, inUse: 1, acquires: 1 }, metrics: { bufferType: 'pool' } });
    pool.release(block);
  });

  it('is what getBuffer() hands out, whatever the type', () => {
    manager = new AudioBufferManager({ monitorIntervalMs: 0 });
    for (const type of [BufferType.MEMORY, BufferType.RING, BufferType.POOL, BufferType.STREAMING]) manager.createBuffer(type, type, { channels: 1 });
    expect(manager.bufferIds().map((id) => manager!.getBuffer(id)!.figures().type)).toEqual(['memory', 'ring', 'pool', 'streaming']);
  });
});
