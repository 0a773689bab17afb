/**
 * Items that flow through the delay-line operators: anything with a presentation time.
 * Times are nanoseconds of running time (see core/time.ts); GStreamer's BigInt values are
 * converted once, at the gst boundary.
 */
export interface Timed {
  /** Presentation time (running time) in nanoseconds. */
  readonly pts: number;
  /** Duration in nanoseconds (0 when unknown). */
  readonly duration: number;
}

/**
 * Why an operator let go of an item without emitting it: `overflow` (the window was full and
 * this was its oldest item), `late` (older than the playback position allows), `teardown`
 * (still held when the subscription ended). The callback is where held resources (GStreamer
 * samples) are released.
 */
export type DropReason = 'overflow' | 'late' | 'teardown';

/** Called once for every item an operator lets go of without emitting it. */
export type DropHandler<T> = (item: T, reason: DropReason) => void;
