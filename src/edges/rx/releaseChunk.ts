/**
 * Chunks whose samples live in a BufferPool block, and how their block goes back: the lease
 * travels on the chunk (operators that copy a chunk with a spread keep it), and giving it
 * back twice is harmless, so a sink and a source's teardown may both try.
 */
import type { PoolBlock } from '../../buffers/pool.js';
import type { AudioChunk } from '../../streams/chunk.js';

/** A chunk's hold on its pool block. */
export interface BlockLease {
  /** The block the chunk's `data` lives in. */
  readonly block: PoolBlock;
  /** True once the block went back to its pool. */
  readonly released: boolean;
  /** Gives the block back to its pool; later calls do nothing. */
  release(): void;
}

/** A chunk from a pooled source: `data` is a pool block, valid until the lease is released. */
export interface BlockChunk extends AudioChunk {
  readonly lease: BlockLease;
}

/**
 * True when `chunk` came from a pooled source and holds a block.
 *
 * @example
 * chunks$.subscribe((chunk) => {
 *   if (isBlockChunk(chunk)) keepUntilPlayed(chunk, () => chunk.lease.release());
 * });
 *
 * @param chunk - any chunk.
 */
export function isBlockChunk(chunk: AudioChunk): chunk is BlockChunk {
  return (chunk as Partial<BlockChunk>).lease !== undefined;
}

/**
 * Gives a pooled chunk's block back to its pool (a fresh chunk has nothing to give back).
 * The sinks (`intoBuffer`, `intoRing`, `toWavFile`) call it once they have written a chunk;
 * call it yourself for a pooled chunk you drop, or the source waits for that block.
 *
 * @example
 * fromBuffer(buffer, { chunkFrames: 4096, pool }).subscribe((chunk) => {
 *   meter(chunk);
 *   releaseChunk(chunk);
 * });
 *
 * @param chunk - any chunk; only a {@link BlockChunk}'s block is released, and only once.
 */
export function releaseChunk(chunk: AudioChunk): void {
  if (isBlockChunk(chunk)) chunk.lease.release();
}
