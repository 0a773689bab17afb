/**
 * A streaming buffer read as chunks in the blocks of a buffer pool: the pool's size bounds
 * the reads in flight, and its `'wait'` policy is the job's back-pressure.
 */
import { Observable, concatMap, type OperatorFunction } from 'rxjs';
import type { BufferPool, PoolBlock } from '../buffers/pool.js';
import type { StreamingBuffer } from '../buffers/streaming.js';
import type { AudioChunk } from '../streams/chunk.js';

/** A chunk whose data lives in a pool block: give `block` back to the pool once it is written. */
export type BlockChunk = AudioChunk & { block: PoolBlock };

/**
 * The buffer's frames as chunks in pool blocks, from the start, in order. Reads are started
 * as soon as a block is free and several run at once (the pool's size bounds them), so
 * reading overlaps processing and writing; a new block is taken only when one is free, so
 * reading waits for writing.
 */
export function chunksOf(buffer: StreamingBuffer, pool: BufferPool, onChunk?: (framesDone: number) => void): Observable<BlockChunk> {
  const started = new Observable<{ block: PoolBlock; position: number; read: Promise<number> }>((subscriber) => {
    let stopped = false;
    void (async () => {
      try {
        buffer.seek(0);
        const total = buffer.size();
        for (let position = 0; position < total && !stopped; ) {
          const block = await pool.acquireAsync();
          if (stopped) {
            pool.release(block);
            return;
          }
          const frames = Math.min(block.frames, total - position);
          const read = buffer.readAsync(frames === block.frames ? block.data : block.data.subarray(0, frames * buffer.channels));
          read.catch(() => undefined); // awaited in order below; this keeps a failure from going unhandled meanwhile
          subscriber.next({ block, position, read });
          position += frames;
        }
        subscriber.complete();
      } catch (error) {
        subscriber.error(error);
      }
    })();
    return () => {
      stopped = true;
    };
  });
  return started.pipe(
    concatMap(async ({ block, position, read }) => {
      const frames = await read;
      onChunk?.(position + frames);
      return { data: block.data, frames, channels: buffer.channels, sampleRate: buffer.sampleRate, position, block };
    }),
  );
}

/** Runs `operator` on the chunks and gives each block back to the pool once the operator has seen it. */
export function releasing<R>(pool: BufferPool, operator: OperatorFunction<AudioChunk, R>): OperatorFunction<BlockChunk, R> {
  return (source) =>
    operator(
      new Observable<AudioChunk>((subscriber) =>
        source.subscribe({
          next: (chunk) => {
            subscriber.next(chunk);
            pool.release(chunk.block);
          },
          error: (error: unknown) => subscriber.error(error),
          complete: () => subscriber.complete(),
        }),
      ),
    );
}
