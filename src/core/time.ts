/**
 * Time units. Inside streams time is a number of nanoseconds: a double is exact to the
 * nanosecond up to 2^53 ns, about 104 days of running time. GStreamer's BigInt clock
 * values are converted once, at the gst boundary.
 */

export const NS_PER_MS = 1_000_000;
export const NS_PER_SECOND = 1_000_000_000;

/** Duration of `frames` frames at `sampleRate`, in nanoseconds (rounded to the nearest ns). */
export function framesToNs(frames: number, sampleRate: number): number {
  return Math.round((frames * NS_PER_SECOND) / sampleRate);
}

/** Whole frames that fit in `ns` nanoseconds at `sampleRate` (rounded down). */
export function nsToFrames(ns: number, sampleRate: number): number {
  return Math.floor((ns * sampleRate) / NS_PER_SECOND);
}

/** Seconds to nanoseconds. */
export function secondsToNs(seconds: number): number {
  return Math.round(seconds * NS_PER_SECOND);
}

/** Nanoseconds to seconds. */
export function nsToSeconds(ns: number): number {
  return ns / NS_PER_SECOND;
}
