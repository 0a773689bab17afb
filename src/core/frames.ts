/**
 * Frame helpers. Audio inside avbuf is interleaved Float32Array; a frame is one sample
 * per channel. Planar data (one Float32Array per channel) is accepted at the edges.
 */
import { AudioDataError, ErrorCode } from './errors.js';
import { show } from './validate.js';

/** Interleaved or planar audio, as `write` accepts it. */
export type AudioData = Float32Array | readonly Float32Array[];

/**
 * Validates `data` for a buffer of `channels` channels and returns its length in frames.
 * Never reads the samples, so it costs the same for any length.
 *
 * @throws {AudioDataError} `ERR_INVALID_AUDIO_DATA` when not Float32 data,
 *   `ERR_FRAME_MISALIGNED` when an interleaved length is not a multiple of `channels`,
 *   `ERR_CHANNEL_MISMATCH` when planar data has the wrong channel count or ragged lengths.
 */
export function framesOf(data: unknown, channels: number): number {
  if (data instanceof Float32Array) {
    const frames = data.length / channels;
    if (!Number.isInteger(frames)) {
      throw new AudioDataError(
        ErrorCode.FRAME_MISALIGNED,
        `interleaved length ${data.length} is not a multiple of ${channels} channels`,
      );
    }
    return frames;
  }
  if (Array.isArray(data)) return planarFrames(data, channels);
  throw new AudioDataError(
    ErrorCode.INVALID_AUDIO_DATA,
    `expected a Float32Array or an array of Float32Array (one per channel), got ${show(data)}`,
  );
}

function planarFrames(planes: readonly unknown[], channels: number): number {
  if (planes.length !== channels) {
    throw new AudioDataError(
      ErrorCode.CHANNEL_MISMATCH,
      `planar data has ${planes.length} channels, the buffer has ${channels}`,
    );
  }
  let frames = -1;
  for (let ch = 0; ch < planes.length; ch++) {
    const plane = planes[ch];
    if (!(plane instanceof Float32Array)) {
      throw new AudioDataError(ErrorCode.INVALID_AUDIO_DATA, `channel ${ch} is ${show(plane)}, expected a Float32Array`);
    }
    if (frames === -1) frames = plane.length;
    else if (plane.length !== frames) {
      throw new AudioDataError(
        ErrorCode.CHANNEL_MISMATCH,
        `planar channels differ in length: channel 0 has ${frames} frames, channel ${ch} has ${plane.length}`,
      );
    }
  }
  return frames;
}

/**
 * Writes `frames` frames of planar channels, from frame `from`, into `target` as interleaved
 * frames starting at float offset `offset`. The caller has validated the shapes with {@link framesOf}.
 */
export function interleaveInto(
  planes: readonly Float32Array[],
  target: Float32Array,
  offset: number,
  from = 0,
  frames = (planes[0]?.length ?? 0) - from,
): void {
  const channels = planes.length;
  for (let ch = 0; ch < channels; ch++) {
    const plane = planes[ch]!;
    for (let i = from, o = offset + ch, end = from + frames; i < end; i++, o += channels) target[o] = plane[i]!;
  }
}

/** Splits `frames` interleaved frames of `source`, from float offset `offset`, into the planar `targets` from frame `at`. */
export function deinterleaveInto(source: Float32Array, offset: number, targets: readonly Float32Array[], frames: number, at = 0): void {
  const channels = targets.length;
  for (let ch = 0; ch < channels; ch++) {
    const plane = targets[ch]!;
    for (let i = at, s = offset + ch, end = at + frames; i < end; i++, s += channels) plane[i] = source[s]!;
  }
}

/**
 * Interleaves planar channels into a new Float32Array.
 *
 * @example
 * interleave([new Float32Array([1, 2]), new Float32Array([3, 4])]); // Float32Array [1, 3, 2, 4]
 *
 * @param planes - one Float32Array per channel, all the same length.
 * @throws {AudioDataError} when the planes are not Float32Array or differ in length.
 */
export function interleave(planes: readonly Float32Array[]): Float32Array {
  if (!Array.isArray(planes) || planes.length === 0) {
    throw new AudioDataError(ErrorCode.CHANNEL_MISMATCH, 'expected at least one channel');
  }
  const frames = planarFrames(planes, planes.length);
  const out = new Float32Array(frames * planes.length);
  interleaveInto(planes, out, 0);
  return out;
}

/**
 * Splits interleaved frames into one new Float32Array per channel.
 *
 * @example
 * deinterleave(new Float32Array([1, 3, 2, 4]), 2); // [Float32Array [1, 2], Float32Array [3, 4]]
 *
 * @param data - interleaved samples.
 * @param channels - channels per frame.
 * @throws {AudioDataError} when `data` is not a Float32Array or not a whole number of frames.
 */
export function deinterleave(data: Float32Array, channels: number): Float32Array[] {
  const frames = framesOf(data, channels);
  const planes = Array.from({ length: channels }, () => new Float32Array(frames));
  deinterleaveInto(data, 0, planes, frames);
  return planes;
}
