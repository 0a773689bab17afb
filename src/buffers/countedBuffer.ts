/**
 * The base of the buffers that keep their figures in a counters array of their own
 * (memory, streaming, pool): errors are counted there and metrics derived from it.
 * A ring keeps its counters in shared memory, one line per side, and counts for itself.
 */
import type { AvbufError } from '../core/errors.js';
import { createCounters, metricsFromCounters, recordError, type ErrorRecord } from '../core/metrics.js';
import type { BufferMetrics, BufferState, BufferType } from '../core/types.js';
import { GatedBuffer } from './gate.js';

/** A {@link GatedBuffer} with its own counters (see core/metrics.ts) and last error. */
export abstract class CountedBuffer extends GatedBuffer {
  /** Bumped by the data calls, read by `getMetrics()`. */
  protected readonly _counters: Float64Array = createCounters();
  protected readonly _lastError: ErrorRecord = { message: null, code: null };

  /** @internal Counts an error raised on this buffer's behalf and returns it. */
  override _recordError<E extends AvbufError>(error: E): E {
    return recordError(this._counters, this._lastError, error);
  }

  /** The metrics every buffer reports, from the counters. */
  protected _metrics(type: BufferType, state: BufferState | undefined): BufferMetrics {
    return metricsFromCounters(this._counters, type, this._metricsState(state), this._lastError);
  }
}
