/**
 * What a delay line dropped, one figure per medium. Its stats count drops apart by reason
 * (the window was full, or the sample came too late) so that a cause can be told; a summary
 * (`avbuf delay`) or a live view (the inspector) shows the sum, written here once.
 */

/**
 * The drop counters of a delay line's stats (`GstBufferStats` in src/gst/manager.ts, whose
 * other fields are not needed here).
 */
export interface DropCounters {
  readonly framesDroppedOverflow: number;
  readonly framesDroppedLate: number;
  readonly audioDroppedOverflow: number;
  readonly audioDroppedLate: number;
}

/** Video frames and audio chunks a delay line dropped, whatever the reason. */
export interface DropCounts {
  readonly frames: number;
  readonly audioChunks: number;
}

/**
 * Sums a delay line's drops per medium.
 *
 * @example
 * const { frames, audioChunks } = dropCounts(line.manager.getStats());
 */
export function dropCounts(stats: DropCounters): DropCounts {
  return {
    frames: stats.framesDroppedOverflow + stats.framesDroppedLate,
    audioChunks: stats.audioDroppedOverflow + stats.audioDroppedLate,
  };
}
