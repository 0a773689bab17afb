/**
 * Metric counters: one Float64Array per buffer, bumped on the hot path, read by
 * `getMetrics()`. A Float64Array (not an object) so a shared buffer can keep its
 * counters in a SharedArrayBuffer and so a bump never allocates.
 */
import { BYTES_PER_MB } from './config.js';
import type { AvbufError } from './errors.js';
import type { BufferMetrics, BufferState, BufferType } from './types.js';

/** Slot of each counter in the counters array. */
export const Counter = {
  READS: 0,
  WRITES: 1,
  BYTES_READ: 2,
  BYTES_WRITTEN: 3,
  READ_TIME_MS: 4,
  READS_TIMED: 5,
  WRITE_TIME_MS: 6,
  WRITES_TIMED: 7,
  CACHE_HITS: 8,
  CACHE_MISSES: 9,
  ERRORS: 10,
  MEMORY_BYTES: 11,
} as const;

/** Number of slots a counters array needs. */
export const COUNTER_SLOTS = 12;

/**
 * Calls whose count is a multiple of this are timed. Measured here: `performance.now()`
 * costs ≈64 ns, and two copies of 1024 stereo frames ≈220 ns, so timing every call
 * would alone double the cost of a small read or write. The mean of a 1-in-16 sample
 * is an unbiased estimate of the mean of all calls.
 */
export const TIMING_SAMPLE_MASK = 15;

/** Allocates a zeroed counters array (in a SharedArrayBuffer when `shared`). */
export function createCounters(shared = false): Float64Array {
  const bytes = COUNTER_SLOTS * Float64Array.BYTES_PER_ELEMENT;
  return new Float64Array(shared ? new SharedArrayBuffer(bytes) : new ArrayBuffer(bytes));
}

/** The last error a buffer recorded, kept beside its counters. */
export interface ErrorRecord {
  message: string | null;
  code: string | null;
}

/** Counts an error in `counters` and remembers it in `record`; returns the error for `throw`. */
export function recordError<E extends AvbufError>(counters: Float64Array, record: ErrorRecord, error: E): E {
  counters[Counter.ERRORS]! += 1;
  record.message = error.message;
  record.code = error.code;
  return error;
}

/** Derives the spec's {@link BufferMetrics} from a counters array. */
export function metricsFromCounters(
  counters: Float64Array,
  bufferType: BufferType,
  state: BufferState,
  lastError: ErrorRecord,
): BufferMetrics {
  const c = counters;
  const readsTimed = c[Counter.READS_TIMED]!;
  const writesTimed = c[Counter.WRITES_TIMED]!;
  const lookups = c[Counter.CACHE_HITS]! + c[Counter.CACHE_MISSES]!;
  return {
    bufferType,
    state,
    memoryUsageMb: c[Counter.MEMORY_BYTES]! / BYTES_PER_MB,
    readCount: c[Counter.READS]!,
    writeCount: c[Counter.WRITES]!,
    bytesRead: c[Counter.BYTES_READ]!,
    bytesWritten: c[Counter.BYTES_WRITTEN]!,
    avgReadTimeMs: readsTimed > 0 ? c[Counter.READ_TIME_MS]! / readsTimed : 0,
    avgWriteTimeMs: writesTimed > 0 ? c[Counter.WRITE_TIME_MS]! / writesTimed : 0,
    cacheHitRate: lookups > 0 ? c[Counter.CACHE_HITS]! / lookups : 0,
    errorCount: c[Counter.ERRORS]!,
    lastError: lastError.message,
    lastErrorCode: lastError.code,
  };
}
