/**
 * Write-back: dirty chunks reach their store in large write calls. The chunk cache
 * (chunkCache.ts) decides which chunks go and when; this module writes them.
 */
import { deflateChunk, type ChunkStore, type SpillRecord } from './spill.js';

/** Dirty chunks are written back in batches of about this much: writes of 64 KiB were measured 3–4× slower than writes of 1 MiB here. */
export const WRITE_BATCH_BYTES = 1 << 20;

/** A chunk as a store takes it, already encoded (compressed in a worker, say). */
export type ChunkPayload = NonNullable<Parameters<ChunkStore['write']>[3]>;

/** What write-back needs of a chunk: its storage, its valid frames, and the flag it clears. */
export interface DirtyChunk {
  readonly data: Float32Array;
  /** Valid frames at the start of `data`. */
  readonly frames: number;
  /** Changed since last written; cleared once written. */
  dirty: boolean;
}

/** How {@link writeBack} writes. */
export interface WriteBackOptions {
  /** Interleaved channels of the chunks' data. */
  readonly channels: number;
  /** Compress chunks that come without a payload (deflate at level 1, on this thread). */
  readonly compress: boolean;
  /** Bytes per write call to aim at, when the store takes several chunks at once. */
  readonly batchBytes: number;
}

/**
 * Writes `batch` (pairs of chunk index and chunk) to `store`, `payloads[i]` standing for
 * chunk `i` when given, and marks each chunk clean once written. A store that takes
 * several chunks at once gets them in calls of about `batchBytes`: large writes, without
 * assembling a whole cache in one buffer.
 */
export function writeBack(
  store: ChunkStore,
  batch: ReadonlyArray<readonly [number, DirtyChunk]>,
  options: WriteBackOptions,
  payloads?: ReadonlyArray<ChunkPayload | undefined>,
): void {
  if (store.writeMany === undefined) {
    for (let i = 0; i < batch.length; i++) {
      const [index, chunk] = batch[i]!;
      store.write(index, chunk.data, chunk.frames, payloads?.[i] ?? compressed(chunk, options));
      chunk.dirty = false;
    }
    return;
  }
  for (let start = 0; start < batch.length; ) {
    const group: SpillRecord[] = [];
    let bytes = 0;
    let i = start;
    for (; i < batch.length && (group.length === 0 || bytes < options.batchBytes); i++) {
      const [index, chunk] = batch[i]!;
      const payload = payloads?.[i] ?? compressed(chunk, options);
      group.push({ chunk: index, data: chunk.data, frames: chunk.frames, ...(payload ? { payload } : {}) });
      bytes += payload?.bytes.length ?? chunk.frames * options.channels * 4;
    }
    store.writeMany(group);
    for (let k = start; k < i; k++) batch[k]![1].dirty = false;
    start = i;
  }
}

/**
 * The chunk compressed right here when asked: a chunk pushed out of the cache by a
 * synchronous call is needed back at once, so it cannot wait for a worker.
 */
function compressed(chunk: DirtyChunk, options: WriteBackOptions): ChunkPayload | undefined {
  if (!options.compress) return undefined;
  return { bytes: deflateChunk(new Uint8Array(chunk.data.buffer, chunk.data.byteOffset, chunk.frames * options.channels * 4)), enc: 'deflate' };
}
