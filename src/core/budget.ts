/**
 * Memory accounting. Buffers reserve the bytes of their sample storage before they
 * allocate it and release them when they free it; a budget with a limit runs its
 * reclaimers (idle pool blocks first) before refusing with a typed error.
 */
import { ArgumentError, MemoryPressureError } from './errors.js';

/** What a buffer needs from whoever accounts for its memory. */
export interface MemoryAccount {
  /**
   * Accounts for `bytes` about to be allocated.
   * @throws {MemoryPressureError} when the bytes cannot be had; nothing is reserved then.
   */
  reserve(bytes: number): void;
  /** Gives back bytes that were freed. */
  release(bytes: number): void;
}

/** An account that never refuses and keeps no books: for buffers used without a manager. */
export const unlimitedAccount: MemoryAccount = Object.freeze({
  reserve: () => undefined,
  release: () => undefined,
});

/**
 * Frees memory on demand. Returns the bytes it freed (after releasing them to the budget).
 * @param neededBytes - how many more bytes the pending reservation needs.
 */
export type Reclaimer = (neededBytes: number) => number;

interface ReclaimerEntry {
  readonly priority: number;
  readonly name: string;
  readonly reclaim: Reclaimer;
}

/** A memory budget shared by the buffers of one manager. */
export class MemoryBudget implements MemoryAccount {
  #used = 0;
  #peak = 0;
  #limit: number;
  #reclaimed = 0;
  #refusals = 0;
  readonly #reclaimers: ReclaimerEntry[] = [];

  /** @param limitBytes - the most bytes the budget lets its buffers hold. */
  constructor(limitBytes: number) {
    if (!Number.isFinite(limitBytes) || limitBytes <= 0) {
      throw new ArgumentError(`memory limit must be a finite number of bytes > 0, got ${limitBytes}`);
    }
    this.#limit = limitBytes;
  }

  get usedBytes(): number {
    return this.#used;
  }
  get peakBytes(): number {
    return this.#peak;
  }
  get limitBytes(): number {
    return this.#limit;
  }
  /** Bytes freed by reclaimers since creation. */
  get reclaimedBytes(): number {
    return this.#reclaimed;
  }
  /** Reservations refused since creation. */
  get refusals(): number {
    return this.#refusals;
  }
  /** used / limit. */
  get ratio(): number {
    return this.#used / this.#limit;
  }

  /**
   * Registers a reclaimer; lower `priority` runs first. Returns a function that removes it.
   * Pools register at priority 0 (idle blocks are the cheapest memory to give back).
   */
  addReclaimer(name: string, reclaim: Reclaimer, priority = 10): () => void {
    const entry: ReclaimerEntry = { name, reclaim, priority };
    this.#reclaimers.push(entry);
    this.#reclaimers.sort((a, b) => a.priority - b.priority);
    return () => {
      const i = this.#reclaimers.indexOf(entry);
      if (i >= 0) this.#reclaimers.splice(i, 1);
    };
  }

  reserve(bytes: number): void {
    if (this.#used + bytes > this.#limit) {
      this.reclaim(this.#used + bytes - this.#limit);
      if (this.#used + bytes > this.#limit) {
        this.#refusals++;
        throw new MemoryPressureError(bytes, this.#used, this.#limit);
      }
    }
    this.#used += bytes;
    if (this.#used > this.#peak) this.#peak = this.#used;
  }

  release(bytes: number): void {
    this.#used = Math.max(0, this.#used - bytes);
  }

  /**
   * Runs reclaimers in priority order until `neededBytes` are freed (all of them when
   * `neededBytes` is Infinity). Returns the bytes freed.
   * @param maxPriority - run only reclaimers of this priority or lower (cheaper).
   */
  reclaim(neededBytes = Number.POSITIVE_INFINITY, maxPriority = Number.POSITIVE_INFINITY): number {
    let freed = 0;
    for (const entry of [...this.#reclaimers]) {
      if (freed >= neededBytes || entry.priority > maxPriority) break;
      freed += entry.reclaim(neededBytes - freed);
    }
    this.#reclaimed += freed;
    return freed;
  }
}
