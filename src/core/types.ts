/** Shared vocabulary: buffer types, lifecycle states and the metrics every buffer reports. */

/** The four kinds of buffer avbuf manages. */
export const BufferType = {
  /** In-memory, random access; grows up to `maxMemoryMb`. */
  MEMORY: 'memory',
  /** Disk-backed with a bounded chunk cache, for files far larger than memory. */
  STREAMING: 'streaming',
  /** Wait-free single-producer/single-consumer ring, shareable between threads. */
  RING: 'ring',
  /** Pre-allocated fixed-size blocks leased and returned. */
  POOL: 'pool',
  /** Audio published to a NATS JetStream media stream and read back from it, in this process or another. */
  JETSTREAM: 'jetstream',
} as const;
export type BufferType = (typeof BufferType)[keyof typeof BufferType];

/** Every buffer type, in declaration order. */
export const BUFFER_TYPES: readonly BufferType[] = Object.freeze(Object.values(BufferType));

/**
 * Lifecycle states of a buffer actor. Data calls are accepted only in `ACTIVE`.
 *
 * ```
 * initializing ──READY──▶ active ◀──RESUME── paused
 *       │                  │  └────PAUSE────▶  │
 *       └──FAULT──▶ error ◀┴──────FAULT────────┘
 *                     └──RECOVER──▶ active
 * any open state ──CLOSE──▶ closing ──RELEASED──▶ closed
 * ```
 */
export const BufferState = {
  INITIALIZING: 'initializing',
  ACTIVE: 'active',
  PAUSED: 'paused',
  ERROR: 'error',
  CLOSING: 'closing',
  CLOSED: 'closed',
} as const;
export type BufferState = (typeof BufferState)[keyof typeof BufferState];

/** A buffer's performance and health figures, as the spec lists them. */
export interface BufferMetrics {
  readonly bufferType: BufferType;
  readonly state: BufferState;
  /** Bytes of sample storage the buffer holds, in MB of 1,048,576 bytes. */
  readonly memoryUsageMb: number;
  /** Successful read calls (`read`, `readInto`). */
  readonly readCount: number;
  /** Successful write calls. */
  readonly writeCount: number;
  readonly bytesRead: number;
  readonly bytesWritten: number;
  /** Mean duration of a read call, from a 1-in-16 sample of calls (see docs/metrics.md). */
  readonly avgReadTimeMs: number;
  /** Mean duration of a write call, from a 1-in-16 sample of calls. */
  readonly avgWriteTimeMs: number;
  /** hits / (hits + misses) of the buffer's cache; for pools, the share of leases served without allocating. 0 when nothing was looked up. */
  readonly cacheHitRate: number;
  /** Calls rejected with an error since creation. */
  readonly errorCount: number;
  /** Message of the last error, or null. */
  readonly lastError: string | null;
  /** Code of the last error, or null. */
  readonly lastErrorCode: string | null;
}

/**
 * The gate a data structure checks on every data call. The owning actor sets it on
 * entering and leaving states; a plain number keeps the hot path free of XState.
 */
export const Gate = {
  OPEN: 0,
  NOT_READY: 1,
  PAUSED: 2,
  FAILED: 3,
  CLOSED: 4,
} as const;
export type Gate = (typeof Gate)[keyof typeof Gate];
