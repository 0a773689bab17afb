/**
 * The pull loop every source of this folder runs (internal): read a chunk, emit it, read the
 * next. With a pool, each chunk is read into a block taken from the pool first, so the
 * source reads only as fast as the consumers give blocks back: the pool's size bounds the
 * chunks in flight, which is the back-pressure (docs/streams-rxjs.md). Without one, each
 * chunk is a fresh array the consumer owns, and a synchronous reader (a memory buffer) emits
 * in one loop, the next chunk only after the consumer's `next` returned.
 */
import { Observable, type Subscriber } from 'rxjs';
import type { AcquireOptions, PoolBlock, PoolStats } from '../../buffers/pool.js';
import { AbortError, ArgumentError } from '../../core/errors.js';
import { checkNumber } from '../../core/validate.js';
import type { AudioChunk } from '../../streams/chunk.js';
import type { BlockChunk, BlockLease } from './releaseChunk.js';

/** What a source reads from, once opened for one subscription. */
export interface ChunkReader {
  readonly channels: number;
  readonly sampleRate: number;
  /** Frame position of the first chunk. */
  readonly start: number;
  /** Reads whole frames into `target` from `position`; 0 means the end. */
  read(target: Float32Array, position: number, signal: AbortSignal): number | Promise<number>;
  /** Called once when the subscription ends (before completion is announced, when it completes). */
  close?(): void | Promise<void>;
  /**
   * Read one chunk ahead: as soon as a read returned a whole chunk, the next read starts (into
   * a block the pool has free), before the chunk goes downstream, so the read runs on the
   * thread pool while the consumers work on the chunk. For readers whose reads take a while
   * (a file); at most one read is in flight, and chunks are emitted in order.
   */
  readonly readAhead?: boolean;
}

/**
 * What a pooled source needs of a pool: a BufferPool, or the pool a manager hands out
 * (`manager.createBuffer(id, BufferType.POOL, …)`).
 */
export interface BlockPool {
  tryAcquire(): PoolBlock | null;
  acquireAsync(options?: AcquireOptions): Promise<PoolBlock>;
  release(block: PoolBlock): void;
  stats(): Pick<PoolStats, 'blockFrames' | 'channels'>;
}

/** The options every source takes. */
export interface ChunkSourceOptions {
  /** Frames per chunk (the last may be shorter). With a pool, default: as many as fit in a block. */
  chunkFrames?: number;
  /**
   * Read into this pool's blocks (use `onExhausted: 'wait'`): chunks are {@link BlockChunk}s,
   * given back by the sinks or {@link releaseChunk}, and the source completes once every block
   * it lent is back.
   */
  pool?: BlockPool;
  /** Stops the source with `ERR_ABORTED`. */
  signal?: AbortSignal;
}

class Lease implements BlockLease {
  released = false;
  constructor(
    readonly block: PoolBlock,
    private readonly returned: (lease: Lease) => void,
  ) {}

  release(): void {
    if (this.released) return;
    this.released = true;
    this.returned(this);
  }
}

/** Checks a source's `chunkFrames` when given (a method argument). */
export function checkChunkFrames(options: ChunkSourceOptions): void {
  if (options.chunkFrames !== undefined) checkNumber('chunkFrames', options.chunkFrames, { min: 1, integer: true, kind: 'argument' });
  else if (options.pool === undefined) throw new ArgumentError('chunkFrames: a source without a pool needs chunkFrames');
}

function resolveFrames(options: ChunkSourceOptions, channels: number): number {
  const pool = options.pool;
  if (pool === undefined) return options.chunkFrames!;
  const { blockFrames, channels: blockChannels } = pool.stats();
  const room = Math.floor((blockFrames * blockChannels) / channels);
  const frames = options.chunkFrames ?? room;
  if (frames > room || frames < 1) {
    throw new ArgumentError(`chunkFrames: ${frames} frames of ${channels} channels do not fit a pool block of ${blockFrames} × ${blockChannels} samples`);
  }
  return frames;
}

/** An Observable of chunks read by the reader `open` makes for each subscription. */
export function chunkSource(open: (signal: AbortSignal) => ChunkReader | Promise<ChunkReader>, options: ChunkSourceOptions): Observable<AudioChunk> {
  return new Observable<AudioChunk>((subscriber) => runSource(subscriber, open, options));
}

function runSource(
  subscriber: Subscriber<AudioChunk>,
  open: (signal: AbortSignal) => ChunkReader | Promise<ChunkReader>,
  options: ChunkSourceOptions,
): () => void {
  const stop = new AbortController();
  const signal = options.signal === undefined ? stop.signal : AbortSignal.any([stop.signal, options.signal]);
  const pool = options.pool;
  /** The loop stopped for want of a block. */
  let wanting = false;
  /** A wait for a block is queued at the pool. */
  let acquiring = false;
  /** Leases emitted and not given back yet. */
  const held = new Set<Lease>();
  /** The end was read; completion waits for every lease to come back. */
  let ending = false;
  /** The end was read and the reader closed. */
  let readerClosed = false;
  /** Completed: nothing is lent any more. */
  let finished = false;
  let reader: ChunkReader | undefined;
  let closing: Promise<void> | undefined;
  let frames = 0;
  /** Frame position of the next read. */
  let position = 0;
  /** An asynchronous read is in flight: the loop resumes when it settles. */
  let reading = false;

  /** Closes the reader once; null when it has nothing to close, so a memory source ends synchronously. */
  const closeReader = (): Promise<void> | null => {
    if (reader?.close === undefined) return null;
    closing ??= Promise.resolve().then(() => reader!.close!());
    return closing;
  };
  const fail = (error: unknown): void => {
    if (subscriber.closed) return;
    // A failed source owns nothing any more: close first, so an error means the handle is gone.
    const closed = closeReader();
    if (closed === null) subscriber.error(error);
    else void closed.then(() => subscriber.error(error), () => subscriber.error(error));
  };
  const giveBack = (block: PoolBlock | null): void => {
    if (block !== null) pool!.release(block);
  };
  /** A callback of a read or a wait: what it throws (a pool closed meanwhile) fails the source instead of going unhandled. */
  const guarded =
    <A>(callback: (value: A) => void) =>
    (value: A): void => {
      try {
        callback(value);
      } catch (error) {
        fail(error);
      }
    };

  /**
   * A pooled source completes only once every block it lent is back: until then a stage that
   * drops a chunk (an error, an unsubscription) still tears this source down, which takes the
   * dropped blocks back. After completion there would be no one left to do that.
   */
  const completeWhenReturned = (): void => {
    if (!readerClosed || held.size > 0 || subscriber.closed) return;
    finished = true;
    subscriber.complete();
  };
  const returned = (lease: Lease): void => {
    held.delete(lease);
    if (wanting && !subscriber.closed) {
      // The source is waiting for a block and one of its own comes back: read into it at once,
      // in the same instant as the release (so virtual time sees the read when the sink freed
      // the block), instead of through the pool's promise. A wait already queued at the pool
      // stays: the block it gets later goes back.
      wanting = false;
      if (step(lease.block)) pump();
      return;
    }
    giveBack(lease.block);
    if (ending) completeWhenReturned();
  };

  const emit = (block: PoolBlock | null, target: Float32Array, n: number, at: number): boolean => {
    if (subscriber.closed) {
      giveBack(block);
      return false;
    }
    if (n === 0) {
      giveBack(block);
      ending = true;
      const closed = closeReader();
      const ended = (): void => {
        readerClosed = true;
        completeWhenReturned();
      };
      if (closed === null) ended();
      else void closed.then(ended, fail);
      return false;
    }
    const ch = reader!.channels;
    const chunk: AudioChunk = {
      data: block !== null ? block.data : n === frames ? target : target.slice(0, n * ch),
      frames: n,
      channels: ch,
      sampleRate: reader!.sampleRate,
      position: at,
    };
    if (block === null) subscriber.next(chunk);
    else {
      const lease = new Lease(block, returned);
      held.add(lease);
      const pooled: BlockChunk = { ...chunk, lease };
      subscriber.next(pooled);
    }
    return !subscriber.closed;
  };

  /**
   * Reads one chunk; true when it was emitted synchronously and the loop may go on. `ahead`:
   * the chunk before is not emitted yet, so even a synchronous result waits its turn.
   */
  const step = (block: PoolBlock | null, ahead = false): boolean => {
    if (signal.aborted) {
      giveBack(block);
      fail(new AbortError('the source was aborted'));
      return false;
    }
    const ch = reader!.channels;
    const target = block === null ? new Float32Array(frames * ch) : block.data.subarray(0, frames * ch);
    const at = position;
    let result: number | Promise<number>;
    try {
      result = reader!.read(target, at, signal);
    } catch (error) {
      giveBack(block);
      fail(error);
      return false;
    }
    if (typeof result === 'number' && !ahead) {
      position = at + result;
      return emit(block, target, result, at);
    }
    reading = true;
    Promise.resolve(result).then(
      guarded((n: number) => {
        reading = false;
        position = at + n;
        // The next read goes out before this chunk goes downstream (`readAhead`), so it runs meanwhile.
        if (n === frames && reader!.readAhead === true) readNextAhead();
        if (emit(block, target, n, at) && !reading) pump();
      }),
      guarded((error: unknown) => {
        reading = false;
        fail(error);
        giveBack(block);
      }),
    );
    return false;
  };

  /** Starts the next read now if a block is free at once; else the loop waits for one after the emit. */
  const readNextAhead = (): void => {
    if (subscriber.closed || signal.aborted) return;
    let block: PoolBlock | null = null;
    if (pool !== undefined) {
      try {
        block = pool.tryAcquire();
      } catch {
        return; // the pool was closed: the loop meets the same error after the emit and fails
      }
      if (block === null) return;
    }
    step(block, true);
  };

  const pump = (): void => {
    for (;;) {
      if (subscriber.closed || reading) return;
      let block: PoolBlock | null = null;
      if (pool !== undefined) {
        try {
          block = pool.tryAcquire();
        } catch (error) {
          fail(error);
          return;
        }
        if (block === null) {
          // Every block is out: wait for a consumer to give one back (one of this source's
          // own, see `returned`, or any, through the pool).
          wanting = true;
          if (acquiring) return;
          acquiring = true;
          pool.acquireAsync({ signal }).then(
            guarded((got: PoolBlock) => {
              acquiring = false;
              if (!wanting || subscriber.closed) {
                giveBack(got);
                return;
              }
              wanting = false;
              if (step(got)) pump();
            }),
            (error: unknown) => {
              acquiring = false;
              fail(signal.aborted && !stop.signal.aborted ? new AbortError('the source was aborted') : error);
            },
          );
          return;
        }
      }
      if (!step(block)) return;
    }
  };

  const started = (opened: ChunkReader): void => {
    reader = opened;
    if (subscriber.closed) {
      void closeReader()?.catch(() => undefined);
      return;
    }
    try {
      frames = resolveFrames(options, opened.channels);
    } catch (error) {
      fail(error);
      return;
    }
    position = opened.start;
    pump();
  };

  try {
    const opened = open(signal);
    if (opened instanceof Promise) opened.then(guarded(started), fail);
    else started(opened);
  } catch (error) {
    fail(error);
  }

  return () => {
    stop.abort();
    if (!finished) {
      // Unsubscribed or failed: what was emitted and not given back is dropped downstream.
      for (const lease of [...held]) {
        try {
          lease.release();
        } catch {
          // the pool was closed meanwhile: nothing is leased any more
        }
      }
    }
    void closeReader()?.catch(() => undefined);
  };
}
