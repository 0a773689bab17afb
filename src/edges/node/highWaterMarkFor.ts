/** The highWaterMark an avbuf Node stream gives Node. */
import type { ResolvedStreamOptions } from './streamOptions.js';

// Two chunks in flight let a pull overlap the consumer's work on the previous chunk.
const DEFAULT_OBJECT_HWM = 2;

/**
 * The highWaterMark to give Node: the caller's, or one chunk's bytes, or two chunks in object mode.
 *
 * @example
 * new Readable({ objectMode: options.objectMode, highWaterMark: highWaterMarkFor(options, 2) });
 *
 * @param options - resolved options.
 * @param channels - channels per frame; stereo is assumed when it is not known yet (a WAV file before its header is read).
 */
export function highWaterMarkFor(options: ResolvedStreamOptions, channels = 2): number {
  if (options.highWaterMark !== undefined) return options.highWaterMark;
  return options.objectMode ? DEFAULT_OBJECT_HWM : options.chunkFrames * channels * options.bytesPerSample;
}
