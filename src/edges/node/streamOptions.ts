/**
 * The options every avbuf Node stream takes, resolved and checked once: the mode (raw PCM
 * bytes or AudioChunk objects), the chunk size, the highWaterMark and the abort signal.
 */
import { bytesPerSample } from '../../formats/codecs.js';
import { checkBoolean, checkNumber, checkOneOf, invalid, show } from '../../core/validate.js';
import { PCM_FORMATS, sampleFormatOf, type PcmFormat } from '../pcmFormat.js';
import type { BlockPool } from '../rx/chunkSource.js';

/** Options of the avbuf Node streams. */
export interface NodeStreamOptions {
  /** Raw interleaved little-endian bytes of this format (default `'f32le'`); ignored in object mode. */
  readonly format?: PcmFormat;
  /** Stream {@link AudioChunk} objects (with their position) instead of bytes. Default false. */
  readonly objectMode?: boolean;
  /** Frames a readable reads per chunk. Default 8192 (64 KiB of stereo f32). */
  readonly chunkFrames?: number;
  /**
   * What the stream holds before it pushes back: bytes in byte mode (default: one chunk's
   * bytes), chunks in object mode (default 2).
   */
  readonly highWaterMark?: number;
  /** Aborting it destroys the stream with an `ERR_ABORTED` {@link AbortError}. */
  readonly signal?: AbortSignal;
  /**
   * A readable in object mode reads each chunk into a block of this pool (a `BufferPool` made
   * with `onExhausted: 'wait'`) instead of new memory, and waits for a free block when all
   * are lent: the pool's size bounds what is in flight, and the same few blocks stay in the
   * CPU's cache. Every avbuf writable gives a chunk's block back once it has written it; a
   * consumer of your own calls `releaseChunk(chunk)` when done with it. Ignored by writables.
   */
  readonly pool?: BlockPool;
}

/** {@link NodeStreamOptions} resolved: every field set, checked. */
export interface ResolvedStreamOptions {
  readonly objectMode: boolean;
  readonly format: PcmFormat;
  readonly bytesPerSample: number;
  readonly chunkFrames: number;
  /** The caller's, if given (the default depends on the channel count: see `highWaterMarkFor`). */
  readonly highWaterMark: number | undefined;
  readonly signal: AbortSignal | undefined;
  readonly pool: BlockPool | undefined;
}

// Audio processed in 4096–8192-frame chunks ran fastest here; larger blocks only matter for file I/O.
const DEFAULT_CHUNK_FRAMES = 8192;

/**
 * Checks `options` once (a bad one throws an `ArgumentError`, `ERR_INVALID_ARGUMENT`, naming it).
 *
 * @example
 * const resolved = resolveStreamOptions({ format: 's16le' });
 *
 * @param options - what the caller passed.
 * @param defaultFormat - the byte format when none is given.
 */
export function resolveStreamOptions(options: NodeStreamOptions = {}, defaultFormat: PcmFormat = 'f32le'): ResolvedStreamOptions {
  if (options === null || typeof options !== 'object') invalid('options', `expected an object, got ${show(options)}`, 'argument');
  const objectMode = checkBoolean('objectMode', options.objectMode ?? false, 'argument');
  const format = checkOneOf('format', options.format ?? defaultFormat, PCM_FORMATS, 'argument');
  const chunkFrames = checkNumber('chunkFrames', options.chunkFrames ?? DEFAULT_CHUNK_FRAMES, { min: 1, max: 2 ** 24, integer: true, kind: 'argument' });
  const hwm = options.highWaterMark;
  const highWaterMark = hwm === undefined ? undefined : checkNumber('highWaterMark', hwm, { min: 0, integer: true, kind: 'argument' });
  const signal = options.signal;
  if (signal !== undefined && !(signal instanceof AbortSignal)) invalid('signal', `expected an AbortSignal, got ${show(signal)}`, 'argument');
  const pool = options.pool;
  if (pool !== undefined) {
    if (pool === null || typeof pool !== 'object' || typeof pool.acquireAsync !== 'function' || typeof pool.release !== 'function') {
      invalid('pool', `expected a BufferPool, got ${show(pool)}`, 'argument');
    }
    if (!objectMode) invalid('pool', 'a pool lends blocks to AudioChunk objects: it needs objectMode: true', 'argument');
  }
  return { objectMode, format, bytesPerSample: bytesPerSample(sampleFormatOf(format)), chunkFrames, highWaterMark, signal, pool };
}
