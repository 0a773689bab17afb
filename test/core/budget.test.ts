import { describe, expect, it } from 'vitest';
import { MemoryBudget } from '../../src/core/budget.js';
import { ErrorCode, MemoryPressureError } from '../../src/core/errors.js';

describe('MemoryBudget', () => {
  it('reserves and releases, tracking the peak', () => {
    const b = new MemoryBudget(1000);
    b.reserve(600);
    b.reserve(300);
    b.release(500);
    expect([b.usedBytes, b.peakBytes, b.ratio]).toEqual([400, 900, 0.4]);
  });

  it('runs reclaimers in priority order, only until enough is freed', () => {
    const b = new MemoryBudget(1000);
    b.reserve(900);
    const calls: string[] = [];
    const reclaimer = (name: string, bytes: number) => (needed: number) => {
      calls.push(`${name}:${needed}`);
      b.release(bytes);
      return bytes;
    };
    b.addReclaimer('late', reclaimer('late', 100), 10);
    b.addReclaimer('first', reclaimer('first', 150), 0);
    b.addReclaimer('never', reclaimer('never', 500), 20);
    b.reserve(300); // needs 200: first frees 150, late frees 100
    expect(calls).toEqual(['first:200', 'late:50']);
    expect(b.usedBytes).toBe(950);
    expect(b.reclaimedBytes).toBe(250);
  });

  it('refuses with ERR_MEMORY_PRESSURE when reclaimers cannot free enough, reserving nothing', () => {
    const b = new MemoryBudget(1000);
    b.reserve(800);
    const remove = b.addReclaimer('small', () => 0);
    let error: unknown;
    try {
      b.reserve(300);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(MemoryPressureError);
    expect(error).toMatchObject({ code: ErrorCode.MEMORY_PRESSURE, requestedBytes: 300, usedBytes: 800, limitBytes: 1000 });
    expect(b.usedBytes).toBe(800);
    expect(b.refusals).toBe(1);
    remove();
    expect(b.reclaim()).toBe(0);
  });

  it('refuses a limit that is not a positive number', () => {
    expect(() => new MemoryBudget(0)).toThrow(expect.objectContaining({ code: ErrorCode.INVALID_ARGUMENT }));
    expect(() => new MemoryBudget(Number.NaN)).toThrow(expect.objectContaining({ code: ErrorCode.INVALID_ARGUMENT }));
  });
});
