/**
 * What a buffer reports about itself, tagged by its type: its metrics with the type they
 * have for that buffer type, plus the figures only that type knows. A live view (the
 * inspector's samplers in src/inspect/samplers.ts) switches on `type` and reads each
 * variant's fields as they are typed, so it needs no knowledge of the actor classes.
 */
import type { BufferMetrics, BufferType } from '../core/types.js';
import type { PoolStats } from '../buffers/pool.js';
import type { RingMetrics } from '../buffers/ring.js';
import type { StreamingMetrics } from '../buffers/streaming.js';
import type { JetStreamMetrics } from '../jetstream/jetStreamBuffer.js';

/** A memory buffer's figures: how much of its storage holds frames. */
export interface MemoryFigures {
  readonly type: typeof BufferType.MEMORY;
  readonly metrics: BufferMetrics;
  /** Capacity of the current storage, in frames. */
  readonly capacity: number;
  /** Frames held, or null once the buffer is closing (its storage is being freed). */
  readonly size: number | null;
}

/** A streaming buffer's figures: its metrics carry the chunk cache's. */
export interface StreamingFigures {
  readonly type: typeof BufferType.STREAMING;
  readonly metrics: StreamingMetrics;
}

/** A ring's figures: its metrics carry the frames moved and the overruns. */
export interface RingFigures {
  readonly type: typeof BufferType.RING;
  readonly metrics: RingMetrics;
}

/** A pool's figures: its metrics and its lease statistics. */
export interface PoolFigures {
  readonly type: typeof BufferType.POOL;
  readonly metrics: BufferMetrics;
  readonly stats: PoolStats;
}

/** A jetstream buffer's figures: its metrics carry the publisher's and its readers'. */
export interface JetStreamFigures {
  readonly type: typeof BufferType.JETSTREAM;
  readonly metrics: JetStreamMetrics;
}

/** The figures of a buffer of any type; `type` tells which. */
export type BufferFigures = MemoryFigures | StreamingFigures | RingFigures | PoolFigures | JetStreamFigures;
