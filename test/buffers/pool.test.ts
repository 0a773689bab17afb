/** BufferPool behaviours the model test does not cover: waiting, timeouts, aborts, options. */
import { describe, expect, it } from 'vitest';
import { BufferPool } from '../../src/buffers/pool.js';
import { ErrorCode } from '../../src/core/errors.js';

describe('BufferPool', () => {
  it('hands a released block to the first waiter, in arrival order, under the wait policy', async () => {
    const pool = new BufferPool({ channels: 1 }, { blocks: 1, blockFrames: 8, onExhausted: 'wait' });
    const first = pool.acquire();
    first.data[0] = 42;
    const order: number[] = [];
    const w1 = pool.acquireAsync().then((b) => (order.push(1), b));
    const w2 = pool.acquireAsync().then((b) => (order.push(2), b));
    expect(pool.stats().waiting).toBe(2);
    expect(() => pool.acquire()).toThrow(expect.objectContaining({ code: ErrorCode.POOL_EXHAUSTED }));
    pool.release(first);
    const got = await w1;
    expect(got).toBe(first);
    expect(got.data[0]).toBe(42);
    expect(pool.stats()).toMatchObject({ inUse: 1, waiting: 1 });
    pool.release(got);
    await w2;
    expect(order).toEqual([1, 2]);
  });

  it('rejects a wait with ERR_POOL_WAIT_TIMEOUT after timeoutMs and forgets the waiter', async () => {
    const pool = new BufferPool({ channels: 1 }, { blocks: 1, blockFrames: 8, onExhausted: 'wait' });
    const held = pool.acquire();
    await expect(pool.acquireAsync({ timeoutMs: 20 })).rejects.toMatchObject({ code: ErrorCode.POOL_WAIT_TIMEOUT });
    expect(pool.stats().waiting).toBe(0);
    pool.release(held);
    expect(pool.stats().inUse).toBe(0); // nobody was handed the block
  });

  it('rejects a wait with ERR_ABORTED when its signal aborts', async () => {
    const pool = new BufferPool({ channels: 1 }, { blocks: 1, blockFrames: 8, onExhausted: 'wait' });
    pool.acquire();
    const controller = new AbortController();
    const waiting = pool.acquireAsync({ signal: controller.signal });
    controller.abort();
    await expect(waiting).rejects.toMatchObject({ code: ErrorCode.ABORTED });
    await expect(pool.acquireAsync({ signal: AbortSignal.abort() })).rejects.toMatchObject({ code: ErrorCode.ABORTED });
    expect(pool.stats().waiting).toBe(0);
  });

  it('rejects waiters with ERR_BUFFER_CLOSED on close', async () => {
    const pool = new BufferPool({ channels: 1 }, { blocks: 1, blockFrames: 8, onExhausted: 'wait' });
    pool.acquire();
    const waiting = pool.acquireAsync();
    pool.close();
    await expect(waiting).rejects.toMatchObject({ code: ErrorCode.BUFFER_CLOSED });
  });

  it('rejects acquireAsync at once with ERR_POOL_EXHAUSTED under the error policy', async () => {
    const pool = new BufferPool({ channels: 1 }, { blocks: 0, blockFrames: 8 });
    await expect(pool.acquireAsync()).rejects.toMatchObject({ code: ErrorCode.POOL_EXHAUSTED });
    expect(pool.tryAcquire()).toBeNull();
    expect(pool.stats().exhaustions).toBe(2);
  });

  it('zeroes blocks on lease when asked', () => {
    const pool = new BufferPool({ channels: 2 }, { blocks: 1, blockFrames: 4, zeroOnAcquire: true });
    const b = pool.acquire();
    b.data.fill(1);
    pool.release(b);
    expect(Array.from(pool.acquire().data)).toEqual(new Array(8).fill(0));
  });

  it('defaults to 8 blocks of chunkSize frames', () => {
    const pool = new BufferPool({ channels: 2, chunkSize: 4096 });
    expect(pool.stats()).toMatchObject({ totalBlocks: 8, blockFrames: 4096, blockBytes: 4096 * 2 * 4, policy: 'error' });
  });

  it.each([
    [{ blocks: -1 }, ErrorCode.INVALID_ARGUMENT],
    [{ blockFrames: 0 }, ErrorCode.INVALID_ARGUMENT],
    [{ onExhausted: 'block' as 'wait' }, ErrorCode.INVALID_ARGUMENT],
    [{ blocks: 4, maxBlocks: 2 }, ErrorCode.INVALID_ARGUMENT],
    [{ blocks: 100000, blockFrames: 8192 }, ErrorCode.CAPACITY],
  ])('refuses options %o with %s', (options, code) => {
    expect(() => new BufferPool({ channels: 2 }, options)).toThrow(expect.objectContaining({ code }));
  });

  it('refuses a negative timeout with ERR_INVALID_ARGUMENT', async () => {
    const pool = new BufferPool({ channels: 1 }, { blocks: 1, blockFrames: 8, onExhausted: 'wait' });
    await expect(pool.acquireAsync({ timeoutMs: -1 })).rejects.toMatchObject({ code: ErrorCode.INVALID_ARGUMENT });
  });
});

describe('BufferPool with shared blocks', () => {
  it('puts each block in its own SharedArrayBuffer when asked, so a worker can fill it in place', () => {
    const pool = new BufferPool({ channels: 2 }, { blocks: 2, blockFrames: 16, shared: true });
    const a = pool.acquire();
    const b = pool.acquire();
    expect(a.data.buffer).toBeInstanceOf(SharedArrayBuffer);
    expect(a.data.buffer).not.toBe(b.data.buffer);
    expect(new BufferPool({ channels: 1 }, { blocks: 1, blockFrames: 4 }).acquire().data.buffer).toBeInstanceOf(ArrayBuffer);
  });
});
