/**
 * The scaffold every sink of this folder runs (internal): writes in arrival order, one at a
 * time; a synchronous write (a memory buffer) happens inline, so such a sink adds no delay.
 * Each chunk, once written, gives its pool block back and becomes a {@link Written} receipt:
 * the sink is where a chunk's life ends, so nothing downstream can see a block that is
 * already back in the pool. On an error or an unsubscription the chunks still queued are
 * given back unwritten and the target is aborted once, after the write in progress settled.
 */
import { Observable, type OperatorFunction, type Subscriber } from 'rxjs';
import { AudioDataError, ErrorCode } from '../../core/errors.js';
import type { AudioChunk } from '../../streams/chunk.js';
import { releaseChunk } from './releaseChunk.js';

/** What a sink emits for each chunk once it is written: the chunk's place in its stream. */
export interface Written {
  /** Frame position of the chunk's first frame. */
  readonly position: number;
  /** Frames written. */
  readonly frames: number;
}

/** What a sink writes to, made for one subscription. */
export interface SinkTarget {
  write(chunk: AudioChunk): void | Promise<void>;
  /** After the last write, when the source completed: the sink completes when this settles. */
  finish(): void | Promise<void>;
  /** After an error or an unsubscription (once), when the write in progress settled; must not throw. */
  abort(): void | Promise<void>;
  /** At once when the sink stops: wakes a write that could wait for ever (a full ring). Must not throw. */
  interrupt?(): void;
  /** The error to report for one the target raised (e.g. restated about the user's path). */
  reported?(error: unknown): unknown;
}

/** Refuses a chunk whose channel count is not the target's. */
export function checkChannels(chunk: AudioChunk, channels: number, what: string): void {
  if (chunk.channels !== channels) {
    throw new AudioDataError(ErrorCode.CHANNEL_MISMATCH, `a chunk of ${chunk.channels} channels cannot go into ${what} of ${channels}`);
  }
}

/** A WAV sink's layout: channels and sample rate. */
export interface WavShape {
  channels: number;
  sampleRate: number;
}

/**
 * The layout a WAV sink writes this chunk with — `fixed` once the first chunk set it, else the
 * options' channels and rate, else the chunk's — after refusing a chunk that does not fit it.
 * @throws {AudioDataError} `ERR_CHANNEL_MISMATCH` or `ERR_INVALID_AUDIO_DATA` (another rate).
 */
export function wavShapeFor(chunk: AudioChunk, fixed: WavShape | undefined, options: Partial<WavShape>, what: string): WavShape {
  const shape = fixed ?? { channels: options.channels ?? chunk.channels, sampleRate: options.sampleRate ?? chunk.sampleRate };
  checkChannels(chunk, shape.channels, what);
  if (chunk.sampleRate !== shape.sampleRate) {
    throw new AudioDataError(ErrorCode.INVALID_AUDIO_DATA, `a chunk at ${chunk.sampleRate} Hz cannot go into ${what} at ${shape.sampleRate} Hz`);
  }
  return shape;
}

/** The chunk's valid samples, without a copy. */
export function validSamples(chunk: AudioChunk): Float32Array {
  const n = chunk.frames * chunk.channels;
  return chunk.data.length === n ? chunk.data : chunk.data.subarray(0, n);
}

/** An operator that writes every chunk to the target `open` makes for each subscription. */
export function chunkSink(open: () => SinkTarget): OperatorFunction<AudioChunk, Written> {
  return (source) =>
    new Observable<Written>((subscriber) => {
      const target = open();
      /** No more notifications: failed or unsubscribed. */
      let stopped = false;
      /** Queued chunks are given back unwritten: the source failed, or the sink stopped. */
      let skipping = false;
      let done = false;
      let aborted = false;
      /** What the target's abort returned, when it returned a promise. */
      let aborting: Promise<void> | undefined;
      /** A synchronous target aborts synchronously, so its error is delivered in the same frame. */
      const abortOnce = (): Promise<void> | undefined => {
        if (!aborted) {
          aborted = true;
          try {
            const result = target.abort();
            if (result instanceof Promise) aborting = result.catch(() => undefined);
          } catch {
            // abort must not throw; a target that does counts as aborted
          }
        }
        return aborting;
      };
      /** The queue's tail while an asynchronous write is in progress; null when idle. */
      let tail: Promise<void> | null = null;
      /** The subscriber the source emits to, so a failure can stop a source that emits synchronously. */
      let upstream: Subscriber<AudioChunk> | undefined;
      const fail = (error: unknown): void => {
        if (stopped) return;
        stopped = true;
        skipping = true;
        // Unsubscribing here (not only when this subscription is torn down, which waits for the
        // source's subscribe call to return) stops a synchronous source's read loop at once.
        upstream?.unsubscribe();
        const reported = target.reported?.(error) ?? error;
        const aborting = abortOnce();
        if (aborting === undefined) subscriber.error(reported);
        else void aborting.then(() => subscriber.error(reported));
      };
      /** Runs `task` after what is queued; inline when nothing is. */
      const run = (task: () => void | Promise<void>): void => {
        if (tail === null) {
          let result: void | Promise<void>;
          try {
            result = task();
          } catch (error) {
            fail(error);
            return;
          }
          if (!(result instanceof Promise)) return;
          const settled: Promise<void> = result.then(
            () => {
              if (tail === settled) tail = null;
            },
            (error: unknown) => {
              if (tail === settled) tail = null;
              fail(error);
            },
          );
          tail = settled;
          return;
        }
        const settled: Promise<void> = tail.then(task).then(
          () => {
            if (tail === settled) tail = null;
          },
          (error: unknown) => {
            if (tail === settled) tail = null;
            fail(error);
          },
        );
        tail = settled;
      };
      const written = (chunk: AudioChunk): void => {
        releaseChunk(chunk);
        if (!stopped) subscriber.next({ position: chunk.position, frames: chunk.frames });
      };

      const upstreamSource = new Observable<AudioChunk>((inner) => {
        upstream = inner;
        return source.subscribe(inner);
      });
      const subscription = upstreamSource.subscribe({
        next: (chunk) =>
          run(() => {
            if (skipping) {
              releaseChunk(chunk);
              return;
            }
            let result: void | Promise<void>;
            try {
              result = target.write(chunk);
            } catch (error) {
              releaseChunk(chunk);
              throw error;
            }
            if (!(result instanceof Promise)) {
              written(chunk);
              return;
            }
            return result.then(
              () => written(chunk),
              (error: unknown) => {
                releaseChunk(chunk);
                throw error;
              },
            );
          }),
        error: (error: unknown) => {
          skipping = true;
          target.interrupt?.();
          run(() => fail(error));
        },
        complete: () =>
          run(() => {
            if (stopped) return;
            const finished = target.finish();
            const end = (): void => {
              done = true;
              subscriber.complete();
            };
            if (finished instanceof Promise) return finished.then(end);
            end();
          }),
      });
      return () => {
        subscription.unsubscribe();
        if (done) return;
        if (!stopped) {
          stopped = true;
          skipping = true;
          target.interrupt?.();
          // Unsubscribed: let the write in progress settle (queued chunks are given back), then abort.
          run(() => abortOnce());
        }
      };
    });
}
