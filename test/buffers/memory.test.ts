/** MemoryBuffer behaviours beside the model test: planar I/O, growth, limits, timing metrics. */
import { describe, expect, it } from 'vitest';
import { MemoryBuffer } from '../../src/buffers/memory.js';
import { MemoryBudget } from '../../src/core/budget.js';
import { ErrorCode } from '../../src/core/errors.js';

describe('MemoryBuffer', () => {
  it('writes planar data interleaved and reads it back planar', () => {
    const buf = new MemoryBuffer({ channels: 2 }, { capacity: 4 });
    expect(buf.write([new Float32Array([1, 2, 3]), new Float32Array([-1, -2, -3])])).toBe(3);
    buf.seek(0);
    expect(Array.from(buf.read())).toEqual([1, -1, 2, -2, 3, -3]);
    buf.seek(1);
    const planes = [new Float32Array(4), new Float32Array(4)];
    expect(buf.readInto(planes)).toBe(2);
    expect(planes.map((p) => Array.from(p))).toEqual([
      [2, 3, 0, 0],
      [-2, -3, 0, 0],
    ]);
  });

  it('overwrites in place and grows by doubling past its capacity', () => {
    const buf = new MemoryBuffer({ channels: 1 }, { capacity: 4 });
    buf.write(new Float32Array([1, 2, 3]));
    buf.seek(1);
    buf.write(new Float32Array([9, 9, 9, 9])); // ends at frame 5: capacity 4 → 8
    expect(buf.capacity).toBe(8);
    expect(buf.size()).toBe(5);
    buf.seek(0);
    expect(Array.from(buf.read())).toEqual([1, 9, 9, 9, 9]);
    expect(buf.getMetrics().memoryUsageMb).toBe(32 / 1048576);
  });

  it('refuses a write past a fixed capacity with ERR_CAPACITY, keeping the data', () => {
    const buf = new MemoryBuffer({ channels: 1 }, { capacity: 2, growable: false });
    buf.write(new Float32Array([1, 2]));
    buf.seek(1);
    expect(() => buf.write(new Float32Array([3, 4]))).toThrow(expect.objectContaining({ code: ErrorCode.CAPACITY }));
    buf.seek(0);
    expect(Array.from(buf.read())).toEqual([1, 2]);
  });

  it('refuses a capacity beyond maxMemoryMb at construction', () => {
    expect(() => new MemoryBuffer({ channels: 2, maxMemoryMb: 1 }, { capacity: 131073 })).toThrow(expect.objectContaining({ code: ErrorCode.CAPACITY }));
    expect(() => new MemoryBuffer({ channels: 2 }, { capacity: -1 })).toThrow(expect.objectContaining({ code: ErrorCode.INVALID_ARGUMENT }));
  });

  it('accounts its storage to a budget and gives it back on trim and close', () => {
    const budget = new MemoryBudget(1 << 20);
    const buf = new MemoryBuffer({ channels: 2 }, { capacity: 1000, account: budget });
    expect(budget.usedBytes).toBe(8000);
    buf.write(new Float32Array(2 * 1001)); // grows to 2000 frames
    expect(budget.usedBytes).toBe(16000);
    expect(buf.trim()).toBe(999 * 8);
    expect(budget.usedBytes).toBe(8008);
    buf.close();
    expect(budget.usedBytes).toBe(0);
  });

  it('reports mean read and write times from sampled calls', () => {
    const buf = new MemoryBuffer({ channels: 2 }, { capacity: 1024 });
    const data = new Float32Array(2048);
    for (let i = 0; i < 40; i++) {
      buf.seek(0);
      buf.write(data);
      buf.seek(0);
      buf.readInto(data);
    }
    const m = buf.getMetrics();
    expect(m.writeCount).toBe(40);
    expect(m.readCount).toBe(40);
    expect(m.avgWriteTimeMs).toBeGreaterThan(0);
    expect(m.avgReadTimeMs).toBeGreaterThan(0);
    expect(m.avgWriteTimeMs).toBeLessThan(1000);
    expect(m.bytesWritten).toBe(40 * 8192);
    expect(m.cacheHitRate).toBe(0);
  });

  it('returns an empty array when reading at the end', () => {
    const buf = new MemoryBuffer({ channels: 2 });
    expect(buf.read(10).length).toBe(0);
    expect(buf.readInto(new Float32Array(4))).toBe(0);
    expect(buf.getMetrics().readCount).toBe(2);
  });
});
