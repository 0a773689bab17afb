/**
 * BufferPool: fixed-size blocks of interleaved Float32 frames, allocated once and leased
 * out again and again, so a hot loop never allocates. `acquire` and `release` are a stack
 * pop and push; a trimmed (idle, freed under memory pressure) block is re-allocated on its
 * next lease and counted as a miss.
 */
import { unlimitedAccount, type MemoryAccount } from '../core/budget.js';
import { BYTES_PER_MB, resolveConfig, type BufferConfig, type BufferConfigInput } from '../core/config.js';
import { checkNumber, checkOneOf } from '../core/validate.js';
import { AbortError, ArgumentError, BufferStateError, CapacityError, ErrorCode, PoolError, type AvbufError } from '../core/errors.js';
import { Counter } from '../core/metrics.js';
import { BufferType, Gate, type BufferMetrics, type BufferState } from '../core/types.js';
import { CountedBuffer } from './countedBuffer.js';

/** What a pool does when every block is leased. */
export type ExhaustionPolicy = 'error' | 'grow' | 'wait';

/** Options of a {@link BufferPool} beyond its config. */
export interface BufferPoolOptions {
  /** Blocks allocated up front. Default 8. */
  blocks?: number;
  /** Frames per block. Default `config.chunkSize`. */
  blockFrames?: number;
  /**
   * When every block is leased: `'error'` throws `ERR_POOL_EXHAUSTED` (default); `'grow'`
   * allocates another block up to `maxBlocks`; `'wait'` makes `acquireAsync` wait for a
   * release (the synchronous `acquire` cannot wait and throws).
   */
  onExhausted?: ExhaustionPolicy;
  /** Ceiling for `'grow'`. Default: as many blocks as fit in `maxMemoryMb`. */
  maxBlocks?: number;
  /** Zero a block's samples when it is leased. Default false (a lease holds the last holder's data). */
  zeroOnAcquire?: boolean;
  /** Put the blocks in SharedArrayBuffers, so worker threads can fill or read them in place. Default false. */
  shared?: boolean;
  /** Who accounts for the storage; the manager passes its budget. */
  account?: MemoryAccount;
  /** A name for error messages. */
  name?: string;
}

/** A leased block. Valid until released; `data` is `frames × channels` interleaved floats. */
export interface PoolBlock {
  /** Slot of the block in its pool, stable for the pool's life. */
  readonly index: number;
  readonly frames: number;
  readonly channels: number;
  readonly data: Float32Array;
  readonly pool: BufferPool;
}

/** Options of {@link BufferPool.acquireAsync}. */
export interface AcquireOptions {
  /** Give up after this many milliseconds with `ERR_POOL_WAIT_TIMEOUT`. Default: wait forever. */
  timeoutMs?: number;
  /** Give up when aborted, with `ERR_ABORTED`. */
  signal?: AbortSignal;
}

/** A pool's figures. */
export interface PoolStats {
  readonly policy: ExhaustionPolicy;
  readonly blockFrames: number;
  readonly channels: number;
  readonly blockBytes: number;
  /** Blocks the pool has (leased, idle and trimmed). */
  readonly totalBlocks: number;
  /** Blocks whose storage is allocated. */
  readonly allocatedBlocks: number;
  /** Blocks not leased (allocated or trimmed). */
  readonly freeBlocks: number;
  readonly inUse: number;
  readonly peakInUse: number;
  readonly maxBlocks: number;
  /** `acquireAsync` calls waiting for a release. */
  readonly waiting: number;
  readonly acquires: number;
  readonly releases: number;
  /** Leases served by an allocated idle block. */
  readonly hits: number;
  /** Leases that had to allocate (growth or a trimmed block). */
  readonly misses: number;
  /** Leases refused because every block was leased. */
  readonly exhaustions: number;
  /** Bytes freed by `trimIdle` since creation. */
  readonly trimmedBytes: number;
}

const EMPTY = new Float32Array(0);
const POLICIES: readonly ExhaustionPolicy[] = ['error', 'grow', 'wait'];
const TIMEOUT_RULE = { min: 0, infinite: true, kind: 'argument' } as const;

class Block implements PoolBlock {
  data: Float32Array;
  leased = false;
  constructor(
    readonly pool: BufferPool,
    readonly index: number,
    readonly frames: number,
    readonly channels: number,
    data: Float32Array,
  ) {
    this.data = data;
  }
}

interface Waiter {
  resolve(block: PoolBlock): void;
  reject(error: AvbufError): void;
  cleanup(): void;
}

/**
 * A pool of pre-allocated audio blocks.
 *
 * @example
 * const pool = new BufferPool({ channels: 2 }, { blocks: 4, blockFrames: 8192 });
 * const block = pool.acquire();
 * block.data.fill(0.5);
 * pool.release(block);
 */
export class BufferPool extends CountedBuffer {
  readonly config: Readonly<BufferConfig>;
  readonly blockFrames: number;
  readonly channels: number;
  readonly blockBytes: number;
  readonly maxBlocks: number;
  readonly policy: ExhaustionPolicy;
  readonly #zero: boolean;
  readonly #shared: boolean;
  readonly #account: MemoryAccount;
  readonly #blocks: Block[] = [];
  /** Indices of blocks not leased; trimmed ones sink to the bottom because releases push on top. */
  readonly #free: number[] = [];
  readonly #waiters: Waiter[] = [];
  #allocated = 0;
  #inUse = 0;
  #peakInUse = 0;
  #acquires = 0;
  #releases = 0;
  #exhaustions = 0;
  #trimmedBytes = 0;

  /**
   * @throws {ConfigError} on a bad config; {@link ArgumentError} on bad options;
   *   {@link CapacityError} when the blocks exceed `maxMemoryMb`;
   *   {@link MemoryPressureError} when the account refuses the storage.
   */
  constructor(config: BufferConfigInput = {}, options: BufferPoolOptions = {}) {
    super(options.name ?? 'buffer pool');
    this.config = resolveConfig(config);
    this.channels = this.config.channels;
    this.blockFrames = checkNumber('blockFrames', options.blockFrames ?? this.config.chunkSize, { min: 1, integer: true, kind: 'argument' });
    this.blockBytes = this.blockFrames * this.channels * Float32Array.BYTES_PER_ELEMENT;
    const fit = Math.floor((this.config.maxMemoryMb * BYTES_PER_MB) / this.blockBytes);
    this.maxBlocks = checkNumber('maxBlocks', options.maxBlocks ?? fit, { min: 1, integer: true, kind: 'argument' });
    const blocks = checkNumber('blocks', options.blocks ?? 8, { min: 0, integer: true, kind: 'argument' });
    this.policy = checkOneOf('onExhausted', options.onExhausted ?? 'error', POLICIES, 'argument');
    if (Math.max(blocks, this.maxBlocks) > fit) {
      throw new CapacityError(
        `${Math.max(blocks, this.maxBlocks)} blocks of ${this.blockBytes} bytes exceed maxMemoryMb ${this.config.maxMemoryMb}`,
      );
    }
    if (blocks > this.maxBlocks) throw new ArgumentError(`blocks (${blocks}) exceeds maxBlocks (${this.maxBlocks})`);
    this.#zero = options.zeroOnAcquire ?? false;
    this.#shared = options.shared ?? false;
    this.#account = options.account ?? unlimitedAccount;
    this.#account.reserve(blocks * this.blockBytes);
    for (let i = 0; i < blocks; i++) {
      this.#blocks.push(new Block(this, i, this.blockFrames, this.channels, this.#newData()));
      this.#free.push(blocks - 1 - i);
    }
    this.#allocated = blocks;
    this._counters[Counter.MEMORY_BYTES] = blocks * this.blockBytes;
  }

  /**
   * Leases a block. Allocation-free when an idle block is allocated.
   * @throws {PoolError} `ERR_POOL_EXHAUSTED` when none is free and the policy cannot add one;
   *   {@link MemoryPressureError} when re-allocating a trimmed block is refused;
   *   {@link BufferStateError} when the pool is not accepting.
   */
  acquire(): PoolBlock {
    if (this._gate !== Gate.OPEN) throw this._refused();
    const block = this.#take();
    if (block === null) throw this._recordError(this.#exhausted());
    return block;
  }

  /** Like {@link acquire} but returns null instead of throwing when the pool is exhausted. */
  tryAcquire(): PoolBlock | null {
    if (this._gate !== Gate.OPEN) throw this._refused();
    const block = this.#take();
    if (block === null) this.#exhaustions++;
    return block;
  }

  /**
   * Leases a block, waiting for a release when the policy is `'wait'`.
   * Waiters are served first come, first served.
   * @throws (rejects) as {@link acquire}, plus `ERR_POOL_WAIT_TIMEOUT` and `ERR_ABORTED`.
   */
  async acquireAsync(options: AcquireOptions = {}): Promise<PoolBlock> {
    if (this._gate !== Gate.OPEN) throw this._refused();
    const { timeoutMs, signal } = options;
    if (timeoutMs !== undefined) this._checkArgument('timeoutMs', timeoutMs, TIMEOUT_RULE);
    if (signal?.aborted) throw this._recordError(new AbortError());
    const block = this.#take();
    if (block !== null) return block;
    if (this.policy !== 'wait') throw this._recordError(this.#exhausted());
    return this.#wait(timeoutMs, signal);
  }

  /**
   * Returns a leased block. A waiting `acquireAsync` gets it at once.
   * @throws {PoolError} `ERR_POOL_FOREIGN_BLOCK` for a block of another pool (or not a block);
   *   `ERR_POOL_DOUBLE_RELEASE` for a block that is not leased.
   */
  release(block: PoolBlock): void {
    if (this._gate === Gate.CLOSED) throw this._refused();
    if (!(block instanceof Block) || block.pool !== this) {
      throw this._recordError(new PoolError(ErrorCode.POOL_FOREIGN_BLOCK, `${this._name}: this block belongs to another pool`));
    }
    if (!block.leased) {
      throw this._recordError(
        new PoolError(ErrorCode.POOL_DOUBLE_RELEASE, `${this._name}: block ${block.index} was already released`),
      );
    }
    this.#releases++;
    const waiter = this.#waiters.shift();
    if (waiter !== undefined) {
      // Hand over directly: the block stays leased, so no one can take it in between.
      waiter.cleanup();
      this.#acquires++;
      this._counters[Counter.CACHE_HITS]! += 1;
      if (this.#zero) block.data.fill(0);
      waiter.resolve(block);
      return;
    }
    block.leased = false;
    this.#inUse--;
    this.#free.push(block.index);
  }

  /**
   * Frees the storage of idle blocks (they are re-allocated when next leased).
   * This is the pool's part of the manager's memory-pressure policy.
   * @param maxBytes - stop once this many bytes are freed. Default: all idle blocks.
   * @returns bytes freed.
   */
  trimIdle(maxBytes = Number.POSITIVE_INFINITY): number {
    let freed = 0;
    for (let i = this.#free.length - 1; i >= 0 && freed < maxBytes; i--) {
      const block = this.#blocks[this.#free[i]!]!;
      if (block.data.length === 0) continue;
      block.data = EMPTY;
      freed += this.blockBytes;
    }
    if (freed > 0) {
      this.#allocated -= freed / this.blockBytes;
      this.#trimmedBytes += freed;
      this._counters[Counter.MEMORY_BYTES] = this.#allocated * this.blockBytes;
      // Trimmed blocks go to the bottom so allocated ones are leased first.
      this.#free.sort((a, b) => this.#blocks[a]!.data.length - this.#blocks[b]!.data.length);
      this.#account.release(freed);
    }
    return freed;
  }

  /** The pool's figures. */
  stats(): PoolStats {
    return {
      policy: this.policy,
      blockFrames: this.blockFrames,
      channels: this.channels,
      blockBytes: this.blockBytes,
      totalBlocks: this.#blocks.length,
      allocatedBlocks: this.#allocated,
      freeBlocks: this.#free.length,
      inUse: this.#inUse,
      peakInUse: this.#peakInUse,
      maxBlocks: this.maxBlocks,
      waiting: this.#waiters.length,
      acquires: this.#acquires,
      releases: this.#releases,
      hits: this._counters[Counter.CACHE_HITS]!,
      misses: this._counters[Counter.CACHE_MISSES]!,
      exhaustions: this.#exhaustions,
      trimmedBytes: this.#trimmedBytes,
    };
  }

  /** Every buffer's metrics; `cacheHitRate` is the share of leases served without allocating. */
  getMetrics(state?: BufferState): BufferMetrics {
    return this._metrics(BufferType.POOL, state);
  }

  /**
   * Frees every block, leased or not (their `data` becomes empty), and rejects waiters
   * with `ERR_BUFFER_CLOSED`. Idempotent.
   */
  close(): void {
    if (!this._markClosed()) return;
    for (const block of this.#blocks) {
      block.data = EMPTY;
      block.leased = false;
    }
    this.#account.release(this.#allocated * this.blockBytes);
    this.#allocated = 0;
    this.#inUse = 0;
    this._counters[Counter.MEMORY_BYTES] = 0;
    const closed = new BufferStateError(ErrorCode.BUFFER_CLOSED, `${this._name} was closed while waiting`);
    for (const waiter of this.#waiters.splice(0)) {
      waiter.cleanup();
      waiter.reject(closed);
    }
  }

  #take(): Block | null {
    let block: Block;
    const index = this.#free.pop();
    if (index !== undefined) {
      block = this.#blocks[index]!;
      if (block.data.length === 0) {
        try {
          this.#allocate(block);
        } catch (error) {
          this.#free.push(index);
          throw this._recordError(error as AvbufError);
        }
      } else this._counters[Counter.CACHE_HITS]! += 1;
    } else if (this.policy === 'grow' && this.#blocks.length < this.maxBlocks) {
      try {
        this.#account.reserve(this.blockBytes);
      } catch (error) {
        throw this._recordError(error as AvbufError);
      }
      block = new Block(this, this.#blocks.length, this.blockFrames, this.channels, this.#newData());
      this.#blocks.push(block);
      this.#allocated++;
      this._counters[Counter.MEMORY_BYTES] = this.#allocated * this.blockBytes;
      this._counters[Counter.CACHE_MISSES]! += 1;
    } else return null;
    block.leased = true;
    this.#inUse++;
    if (this.#inUse > this.#peakInUse) this.#peakInUse = this.#inUse;
    this.#acquires++;
    if (this.#zero) block.data.fill(0);
    return block;
  }

  #allocate(block: Block): void {
    this.#account.reserve(this.blockBytes);
    block.data = this.#newData();
    this.#allocated++;
    this._counters[Counter.MEMORY_BYTES] = this.#allocated * this.blockBytes;
    this._counters[Counter.CACHE_MISSES]! += 1;
  }

  #newData(): Float32Array {
    const length = this.blockFrames * this.channels;
    return this.#shared ? new Float32Array(new SharedArrayBuffer(length * 4)) : new Float32Array(length);
  }

  #exhausted(): PoolError {
    this.#exhaustions++;
    return new PoolError(
      ErrorCode.POOL_EXHAUSTED,
      `${this._name}: all ${this.#blocks.length} blocks are leased (policy '${this.policy}')`,
    );
  }

  #wait(timeoutMs: number | undefined, signal: AbortSignal | undefined): Promise<PoolBlock> {
    return new Promise<PoolBlock>((resolve, reject) => {
      let timer: NodeJS.Timeout | undefined;
      const onAbort = (): void => {
        this.#dropWaiter(waiter);
        reject(this._recordError(new AbortError('waiting for a pool block was aborted')));
      };
      const waiter: Waiter = {
        resolve,
        reject,
        cleanup: () => {
          if (timer !== undefined) clearTimeout(timer);
          signal?.removeEventListener('abort', onAbort);
        },
      };
      if (timeoutMs !== undefined) {
        timer = setTimeout(() => {
          this.#dropWaiter(waiter);
          reject(this._recordError(new PoolError(ErrorCode.POOL_WAIT_TIMEOUT, `${this._name}: no block was released within ${timeoutMs} ms`)));
        }, timeoutMs);
      }
      signal?.addEventListener('abort', onAbort, { once: true });
      this.#waiters.push(waiter);
    });
  }

  #dropWaiter(waiter: Waiter): void {
    const i = this.#waiters.indexOf(waiter);
    if (i >= 0) this.#waiters.splice(i, 1);
    waiter.cleanup();
  }
}
