/** The pool actor: lease and return blocks of a {@link BufferPool}, gated by its lifecycle. */
import type { BufferConfig } from '../core/config.js';
import { BufferType } from '../core/types.js';
import type { AcquireOptions, BufferPool, PoolBlock, PoolStats } from '../buffers/pool.js';
import { BufferActor, type BufferLifecycleRef } from './bufferActor.js';
import type { PoolFigures } from './bufferFigures.js';

/**
 * A pool of pre-allocated blocks as an actor. Leasing is refused unless the actor is
 * `active`; returning a block is accepted in every state but `closed`. Unlike the other
 * buffers it is not async-iterable: it holds no stream of frames (blocks are lent and come
 * back in any order, with no position or end), so there is nothing to read in order. Iterate
 * the buffer the blocks are filled from instead, or `fromBuffer(…, { pool })`.
 */
export class PooledBuffer extends BufferActor<BufferPool> {
  /** @internal Created by the manager. */
  constructor(id: string, config: Readonly<BufferConfig>, structure: BufferPool, actor: BufferLifecycleRef) {
    super(id, BufferType.POOL, config, structure, actor);
  }

  /** Leases a block; see {@link BufferPool.acquire}. */
  acquire(): PoolBlock {
    return this.structure.acquire();
  }
  /** Leases a block or returns null when exhausted. */
  tryAcquire(): PoolBlock | null {
    return this.structure.tryAcquire();
  }
  /** Leases a block, waiting for a release under the `'wait'` policy. */
  acquireAsync(options?: AcquireOptions): Promise<PoolBlock> {
    return this.structure.acquireAsync(options);
  }
  /** Returns a leased block. */
  release(block: PoolBlock): void {
    this.structure.release(block);
  }
  /** Frees the storage of idle blocks; returns bytes freed. */
  trimIdle(maxBytes?: number): number {
    return this.structure.trimIdle(maxBytes);
  }
  /** Leases, hits, misses and block counts. */
  stats(): PoolStats {
    return this.structure.stats();
  }

  figures(): PoolFigures {
    return { type: BufferType.POOL, metrics: this.getMetrics(), stats: this.stats() };
  }

  protected releaseResources(): void {
    this.structure.close();
  }
}
