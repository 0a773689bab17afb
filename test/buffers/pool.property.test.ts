/**
 * BufferPool against a plain reference model: 1,000 random sequences of leases, returns,
 * double and foreign returns, trims under a tight memory budget and close, with stats,
 * metrics and the blocks' contents compared after every step.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BufferPool, type PoolBlock } from '../../src/buffers/pool.js';
import { MemoryBudget } from '../../src/core/budget.js';
import { ErrorCode } from '../../src/core/errors.js';
import { expectCode } from '../helpers/errors.js';

interface ModelBlock {
  allocated: boolean;
  leased: boolean;
  /** The stamp the last holder wrote into data[0] (0 after (re)allocation). */
  stamp: number;
}

interface Model {
  policy: 'error' | 'grow';
  zero: boolean;
  maxBlocks: number;
  blockBytes: number;
  budgetLimit: number;
  budgetUsed: number;
  blocks: ModelBlock[];
  free: number[];
  peak: number;
  acquires: number;
  releases: number;
  hits: number;
  misses: number;
  exhaustions: number;
  trimmed: number;
  errors: number;
  lastErrorCode: string | null;
  closed: boolean;
  nextStamp: number;
}

interface Real {
  pool: BufferPool;
  budget: MemoryBudget;
  other: BufferPool;
  /** Blocks currently leased, in lease order, paired with their model index. */
  leased: PoolBlock[];
  /** Blocks that were leased and returned (for double releases). */
  returned: PoolBlock[];
}

const inUse = (m: Model): number => m.blocks.filter((b) => b.leased).length;
const allocated = (m: Model): number => m.blocks.filter((b) => b.allocated).length;

function sameState(model: Model, real: Real): void {
  const s = real.pool.stats();
  const m = real.pool.getMetrics();
  expect(m.errorCount).toBe(model.errors);
  expect(m.lastErrorCode).toBe(model.lastErrorCode);
  expect(real.budget.usedBytes).toBe(model.budgetUsed);
  if (model.closed) {
    expect(m.state).toBe('closed');
    expect(m.memoryUsageMb).toBe(0);
    return;
  }
  expect(s).toMatchObject({
    totalBlocks: model.blocks.length,
    allocatedBlocks: allocated(model),
    freeBlocks: model.free.length,
    inUse: inUse(model),
    peakInUse: model.peak,
    acquires: model.acquires,
    releases: model.releases,
    hits: model.hits,
    misses: model.misses,
    exhaustions: model.exhaustions,
    trimmedBytes: model.trimmed,
  });
  expect(m.memoryUsageMb * 1048576).toBe(allocated(model) * model.blockBytes);
  const lookups = model.hits + model.misses;
  expect(m.cacheHitRate).toBe(lookups === 0 ? 0 : model.hits / lookups);
  expect(real.leased.length).toBe(inUse(model));
}

/** The model's lease: which block, and the error code if refused. */
function modelTake(model: Model): { index: number } | { code: string } | null {
  const index = model.free[model.free.length - 1];
  if (index !== undefined) {
    const block = model.blocks[index]!;
    if (!block.allocated) {
      // Re-allocating a trimmed block needs budget; the budget reclaims idle blocks of this pool first.
      if (!modelReserve(model, index)) return { code: ErrorCode.MEMORY_PRESSURE };
      block.allocated = true;
      block.stamp = 0;
      model.misses++;
    } else model.hits++;
    model.free.pop();
  } else if (model.policy === 'grow' && model.blocks.length < model.maxBlocks) {
    if (!modelReserve(model, -1)) return { code: ErrorCode.MEMORY_PRESSURE };
    model.blocks.push({ allocated: true, leased: false, stamp: 0 });
    model.misses++;
    const i = model.blocks.length - 1;
    return lease(model, i);
  } else return null;
  return lease(model, index);
}

function lease(model: Model, i: number): { index: number } {
  const block = model.blocks[i]!;
  block.leased = true;
  if (model.zero) block.stamp = 0;
  model.acquires++;
  model.peak = Math.max(model.peak, inUse(model));
  return { index: i };
}

/** Budget reservation of one block, reclaiming idle allocated blocks (top of the free stack first). */
function modelReserve(model: Model, taking: number): boolean {
  if (model.budgetUsed + model.blockBytes > model.budgetLimit) {
    modelTrim(model, model.budgetUsed + model.blockBytes - model.budgetLimit, taking);
    if (model.budgetUsed + model.blockBytes > model.budgetLimit) return false;
  }
  model.budgetUsed += model.blockBytes;
  return true;
}

/** Frees idle allocated blocks from the top of the free stack (skipping `taking`) until `maxBytes`; returns bytes freed. */
function modelTrim(model: Model, maxBytes: number, taking: number): number {
  let freed = 0;
  for (let k = model.free.length - 1; k >= 0 && freed < maxBytes; k--) {
    const b = model.blocks[model.free[k]!]!;
    if (model.free[k] === taking || !b.allocated) continue;
    b.allocated = false;
    b.stamp = 0;
    freed += model.blockBytes;
  }
  if (freed > 0) {
    model.trimmed += freed;
    model.budgetUsed -= freed;
    sortFree(model, taking);
  }
  return freed;
}

/** Trimmed blocks sink to the bottom of the free stack, keeping order otherwise (a stable sort). */
function sortFree(model: Model, taking: number): void {
  const rest = model.free.filter((i) => i !== taking);
  const sorted = [...rest.filter((i) => !model.blocks[i]!.allocated), ...rest.filter((i) => model.blocks[i]!.allocated)];
  if (taking >= 0 && model.free.includes(taking)) sorted.push(taking);
  model.free = sorted;
}

class AcquireCmd implements fc.Command<Model, Real> {
  constructor(readonly tryOnly: boolean) {}
  check = (): boolean => true;
  run(model: Model, real: Real): void {
    if (model.closed) {
      expectCode(() => real.pool.acquire(), ErrorCode.BUFFER_CLOSED, model);
      return sameState(model, real);
    }
    const result = modelTake(model);
    if (result === null) {
      model.exhaustions++;
      if (this.tryOnly) expect(real.pool.tryAcquire()).toBeNull();
      else expectCode(() => real.pool.acquire(), ErrorCode.POOL_EXHAUSTED, model);
    } else if ('code' in result) {
      expectCode(() => (this.tryOnly ? real.pool.tryAcquire() : real.pool.acquire()), result.code, model);
    } else {
      const block = this.tryOnly ? real.pool.tryAcquire() : real.pool.acquire();
      expect(block).not.toBeNull();
      expect(block!.index).toBe(result.index);
      expect(block!.data.length).toBe(block!.frames * block!.channels);
      const mb = model.blocks[result.index]!;
      expect(block!.data[0]).toBe(mb.stamp); // contents survive a return unless trimmed or zeroed
      mb.stamp = ++model.nextStamp;
      block!.data[0] = mb.stamp;
      real.leased.push(block!);
    }
    sameState(model, real);
  }
  toString = (): string => (this.tryOnly ? 'tryAcquire()' : 'acquire()');
}

class ReleaseCmd implements fc.Command<Model, Real> {
  constructor(readonly pick: number) {}
  check = (m: Model): boolean => m.closed || inUse(m) > 0;
  run(model: Model, real: Real): void {
    if (model.closed) {
      const any = real.returned[0] ?? real.leased[0];
      if (any) expectCode(() => real.pool.release(any), ErrorCode.BUFFER_CLOSED, model);
      return sameState(model, real);
    }
    const k = this.pick % real.leased.length;
    const block = real.leased.splice(k, 1)[0]!;
    real.pool.release(block);
    real.returned.push(block);
    model.blocks[block.index]!.leased = false;
    model.free.push(block.index);
    model.releases++;
    sameState(model, real);
  }
  toString = (): string => `release(#${this.pick})`;
}

class BadReleaseCmd implements fc.Command<Model, Real> {
  constructor(readonly kind: 'twice' | 'foreign' | 'notABlock') {}
  check = (m: Model): boolean => !m.closed;
  run(model: Model, real: Real): void {
    if (this.kind === 'twice') {
      const block = real.returned.find((b) => !model.blocks[b.index]!.leased);
      if (block === undefined) return;
      expectCode(() => real.pool.release(block), ErrorCode.POOL_DOUBLE_RELEASE, model);
    } else if (this.kind === 'foreign') {
      const foreign = real.other.acquire();
      expectCode(() => real.pool.release(foreign), ErrorCode.POOL_FOREIGN_BLOCK, model);
      real.other.release(foreign);
    } else {
      const fake = { index: 0, frames: 1, channels: 1, data: new Float32Array(1), pool: real.pool };
      expectCode(() => real.pool.release(fake), ErrorCode.POOL_FOREIGN_BLOCK, model);
    }
    sameState(model, real);
  }
  toString = (): string => `badRelease(${this.kind})`;
}

class TrimCmd implements fc.Command<Model, Real> {
  constructor(readonly maxBlocks: number | undefined) {}
  check = (): boolean => true;
  run(model: Model, real: Real): void {
    const limit = this.maxBlocks === undefined ? undefined : this.maxBlocks * model.blockBytes;
    const expected = model.closed ? 0 : modelTrim(model, limit ?? Number.POSITIVE_INFINITY, -1);
    expect(real.pool.trimIdle(limit)).toBe(expected);
    sameState(model, real);
  }
  toString = (): string => `trimIdle(${this.maxBlocks ?? ''})`;
}

class CloseCmd implements fc.Command<Model, Real> {
  check = (): boolean => true;
  run(model: Model, real: Real): void {
    real.pool.close();
    if (!model.closed) model.budgetUsed -= allocated(model) * model.blockBytes;
    model.closed = true;
    for (const block of real.leased) expect(block.data.length).toBe(0); // leases are invalidated
    sameState(model, real);
  }
  toString = (): string => 'close()';
}

const commands = [
  fc.boolean().map((t) => new AcquireCmd(t)),
  fc.nat(100).map((k) => new ReleaseCmd(k)),
  fc.constantFrom('twice', 'foreign', 'notABlock' as const).map((k) => new BadReleaseCmd(k)),
  fc.option(fc.integer({ min: 1, max: 3 }), { nil: undefined }).map((n) => new TrimCmd(n)),
  fc.constant(new CloseCmd()),
];

describe('BufferPool against a reference model', () => {
  it('keeps the same leases, stats, metrics, budget and block contents as the model over 1,000 random sequences', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 5 }),
        fc.integer({ min: 1, max: 4 }),
        fc.constantFrom('error', 'grow' as const),
        fc.boolean(),
        fc.integer({ min: 0, max: 4 }),
        fc.commands(commands, { maxCommands: 80 }),
        (blocks, channels, policy, zero, budgetSlack, cmds) => {
          const blockFrames = 16;
          const blockBytes = blockFrames * channels * 4;
          const maxBlocks = blocks + 3;
          // A budget that fits the initial blocks plus a few more: re-allocations and growth hit it.
          const budgetLimit = (blocks + budgetSlack) * blockBytes || blockBytes;
          const setup = () => {
            const budget = new MemoryBudget(budgetLimit);
            const pool = new BufferPool(
              { channels },
              { blocks, blockFrames, onExhausted: policy, maxBlocks, zeroOnAcquire: zero, account: budget },
            );
            budget.addReclaimer('pool', (needed) => pool.trimIdle(needed), 0);
            const model: Model = {
              policy,
              zero,
              maxBlocks,
              blockBytes,
              budgetLimit,
              budgetUsed: blocks * blockBytes,
              blocks: Array.from({ length: blocks }, () => ({ allocated: true, leased: false, stamp: 0 })),
              free: Array.from({ length: blocks }, (_, i) => blocks - 1 - i),
              peak: 0,
              acquires: 0,
              releases: 0,
              hits: 0,
              misses: 0,
              exhaustions: 0,
              trimmed: 0,
              errors: 0,
              lastErrorCode: null,
              closed: false,
              nextStamp: 0,
            };
            const other = new BufferPool({ channels }, { blocks: 1, blockFrames });
            return { model, real: { pool, budget, other, leased: [], returned: [] } satisfies Real };
          };
          fc.modelRun(setup, cmds);
        },
      ),
      { numRuns: 1000 },
    );
  });
});
