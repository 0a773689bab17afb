/**
 * A buffer as an async iterable of AudioChunks: the one loop behind `for await (const chunk
 * of buffer)`, `buffer.chunks()` (memory, streaming and ring buffers, and the buffers a
 * manager hands out) and `chunksOf` (src/edges/node/chunksOf.ts).
 *
 * One block is allocated per iteration and reused for every chunk: iterating costs no
 * allocation per chunk (the reads are the buffers' allocation-free `readInto`), and a chunk
 * is valid until the next one is asked for. A consumer that keeps chunks copies `data`.
 */
import type { AudioChunk } from '../core/chunk.js';
import { checkNumber } from '../core/validate.js';

/** Frames per chunk when none is asked for: 8192, as `chunksOf` and the Node streams use (chunks of 4096–8192 frames processed fastest when measured here). */
export const DEFAULT_CHUNK_FRAMES = 8192;

/** Options of a buffer's `chunks()`. */
export interface ChunksOptions {
  /** Frames per chunk (the last may be shorter). Default {@link DEFAULT_CHUNK_FRAMES}. */
  readonly chunkFrames?: number;
}

/** Channels per frame and frames per second. */
interface Layout {
  readonly channels: number;
  readonly sampleRate: number;
}

/** What iterating a buffer read at a position needs (memory, streaming, a manager's buffer). */
export interface PositionalChunkReader {
  readonly config: Layout;
  /** Reads into `target` at the position, moving it; 0 at the end. */
  readInto(target: Float32Array): number;
  /** The position. */
  tell(): number;
}

/** What iterating a ring's consumer side needs (a RingBuffer, a manager's ring). */
export interface RingChunkReader {
  readonly config: Layout;
  /** Reads what is there now; 0 when empty. */
  readInto(target: Float32Array): number;
  /** Waits for frames; resolves to 0 once the ring ended and is drained. */
  readAsync(target: Float32Array, options?: { readonly signal?: AbortSignal }): Promise<number>;
  /** Closes this end (ends the stream, frees the role), when the end can be closed. */
  close?(): unknown;
}

/** One iteration's reads: where the next chunk starts, a read into the block, and the end. */
interface Pull {
  position(): number;
  pull(block: Float32Array): number | Promise<number>;
  release(): unknown;
}

/**
 * Iterates a positional buffer from its position to its end, moving the position as it goes.
 * Leaving the loop early leaves the buffer open (it is the caller's) with its position after
 * the last chunk read.
 *
 * @example
 * for await (const chunk of positionalChunks(buffer, { chunkFrames: 4800 })) meter(chunk.data.subarray(0, chunk.frames * chunk.channels));
 *
 * @param buffer - the buffer to read.
 * @param options - `chunkFrames` (default 8192).
 * @throws {ArgumentError} `ERR_INVALID_ARGUMENT` for a bad `chunkFrames`, when iteration starts;
 *   the buffer's errors (`ERR_BUFFER_CLOSED` …) from the step that met them.
 */
export function positionalChunks(buffer: PositionalChunkReader, options: ChunksOptions = {}): AsyncGenerator<AudioChunk, void, undefined> {
  return iterate(buffer.config, options, {
    position: () => buffer.tell(),
    pull: (block) => buffer.readInto(block),
    release: () => undefined,
  });
}

/**
 * Iterates a ring's consumer side until the producer closes the ring and it is drained. A
 * chunk holds what was there when it was asked for (at least one frame): only an empty ring
 * is waited on, so a slow producer's frames come out as they arrive. Positions count frames
 * from the first one this iteration read. The iteration ends by closing this end (at the
 * end of the stream, or when the loop is left early: a producer waiting for room wakes with
 * a short count and its next write fails with `ERR_BUFFER_CLOSED`, instead of waiting for ever).
 *
 * @example
 * for await (const chunk of ringChunks(ring)) play(chunk);
 *
 * @param ring - the consumer side; iterating takes the consumer's role.
 * @param options - `chunkFrames` (default 8192).
 * @throws {ArgumentError} `ERR_INVALID_ARGUMENT` for a bad `chunkFrames`, when iteration starts;
 *   the ring's errors (`ERR_BUFFER_CLOSED`, `ERR_RING_ROLE_TAKEN` …) from the step that met them.
 */
export function ringChunks(ring: RingChunkReader, options: ChunksOptions = {}): AsyncGenerator<AudioChunk, void, undefined> {
  const channels = ring.config.channels;
  // A ring end without close() cannot be woken by closing it: wake its wait with a signal.
  const stop = ring.close === undefined ? new AbortController() : undefined;
  const waitOptions = stop === undefined ? {} : { signal: stop.signal };
  let read = 0;
  return iterate(ring.config, options, {
    position: () => read,
    async pull(block) {
      let frames = ring.readInto(block);
      if (frames === 0) {
        frames = await ring.readAsync(block.subarray(0, channels), waitOptions);
        if (frames > 0 && block.length > channels) frames += ring.readInto(block.subarray(channels));
      }
      read += frames;
      return frames;
    },
    async release() {
      stop?.abort();
      await ring.close?.();
    },
  });
}

async function* iterate(layout: Layout, options: ChunksOptions, source: Pull): AsyncGenerator<AudioChunk, void, undefined> {
  const chunkFrames = checkNumber('chunkFrames', options.chunkFrames ?? DEFAULT_CHUNK_FRAMES, { min: 1, max: 2 ** 24, integer: true, kind: 'argument' });
  try {
    const { channels, sampleRate } = layout;
    const block = new Float32Array(chunkFrames * channels);
    for (;;) {
      const position = source.position();
      const frames = await source.pull(block);
      if (frames === 0) return;
      yield { data: block, frames, channels, sampleRate, position };
    }
  } finally {
    await source.release();
  }
}
