/**
 * Audio chunk factories: {@link AudioChunk}s that also carry a PTS and a duration, stamped as
 * GStreamer's audio sources stamp them (see times.ts).
 */
import { ArgumentError } from '../core/errors.js';
import type { AudioChunk } from '../streams/chunk.js';
import type { Timed } from '../streams/timed.js';
import { _count, _finite, _positive } from './check.js';
import { _stampNs } from './times.js';

/** An {@link AudioChunk} with a presentation time: what the kit's audio factories make. */
export interface TestAudioChunk extends AudioChunk, Timed {}

/**
 * The samples of a chunk: one value for every sample, or a function of the frame's index in
 * its stream (`position + i`, not the index in the chunk) and the channel. Values are rounded
 * to Float32 when stored.
 */
export type SampleFill = number | ((frame: number, channel: number) => number);

/** Options of {@link audioChunk}. Times in nanoseconds. */
export interface AudioChunkOptions {
  /** Valid frames. Default: every frame of `samples`; required without `samples`. */
  readonly frames?: number;
  /** Interleaved channels. Default 2. */
  readonly channels?: number;
  /** Frames per second. Default 48000. */
  readonly sampleRate?: number;
  /** Frame position of the first frame in its stream. Default 0. */
  readonly position?: number;
  /**
   * PTS in ns. Default: the stamp of `position`, `floor(position × 1e9 / sampleRate)`; the
   * duration then reaches exactly the stamp of the next chunk's first frame.
   */
  readonly pts?: number;
  /** The samples, as a value or a function (see {@link SampleFill}). Default 0 (silence). */
  readonly fill?: SampleFill;
  /**
   * The interleaved samples, copied (not with `fill`). When longer than `frames × channels`,
   * the rest is an unused tail, like a pooled block's (operators must leave it alone).
   */
  readonly samples?: ArrayLike<number>;
}

/** Options of {@link audioChunks}. Times in nanoseconds. */
export interface AudioChunksOptions {
  /** How many chunks. */
  readonly count: number;
  /** Frames in each chunk. */
  readonly frames: number;
  /** Interleaved channels. Default 2. */
  readonly channels?: number;
  /** Frames per second. Default 48000. */
  readonly sampleRate?: number;
  /** Frame position of the first chunk's first frame. Default 0. */
  readonly position?: number;
  /**
   * The first chunk's PTS in ns; the others follow at the stamps of their first frames,
   * counted from it. Default: every chunk at the stamp of its own position.
   */
  readonly pts?: number;
  /** The samples, as a value or a function of the frame's index in the stream (see {@link SampleFill}). Default 0. */
  readonly fill?: SampleFill;
}

/** @internal the factories' default channel count. */
export const _DEFAULT_CHANNELS = 2;
/** @internal the factories' default sample rate. */
export const _DEFAULT_SAMPLE_RATE = 48000;

/**
 * One audio chunk with a PTS: a fresh `Float32Array`, `frames × channels` samples long (or
 * `samples`' length), filled with `fill`.
 *
 * @example
 * audioChunk({ frames: 480 }); // 10 ms of stereo silence at 48 kHz, pts 0, duration 10000000
 * audioChunk({ frames: 480, fill: 0.5, position: 480 }); // the next 10 ms at 0.5, pts 10000000
 * audioChunk({ samples: [0.3, 0.6, 9, 9], frames: 1 }); // one stereo frame and an unused tail
 * audioChunk({ frames: 4, channels: 1, fill: (n) => n / 4 }); // 0, 0.25, 0.5, 0.75
 *
 * @throws {ArgumentError} `ERR_INVALID_ARGUMENT` when an option is out of range, or both `fill` and `samples` are given.
 */
export function audioChunk(options: AudioChunkOptions): TestAudioChunk {
  const channels = options.channels ?? _DEFAULT_CHANNELS;
  const sampleRate = options.sampleRate ?? _DEFAULT_SAMPLE_RATE;
  const position = options.position ?? 0;
  _positive('channels', channels);
  _positive('sampleRate', sampleRate);
  _count('position', position);
  const { samples, fill } = options;
  let frames = options.frames;
  if (samples !== undefined) {
    if (fill !== undefined) throw new ArgumentError('give either fill or samples, not both');
    if (frames === undefined) {
      if (samples.length % channels !== 0) throw new ArgumentError(`samples hold ${samples.length} values, not a whole number of ${channels}-channel frames`);
      frames = samples.length / channels;
    }
  }
  if (frames === undefined) throw new ArgumentError('frames is required without samples');
  _count('frames', frames);
  if (samples !== undefined && samples.length < frames * channels) {
    throw new ArgumentError(`${frames} frames of ${channels} channels need ${frames * channels} samples, got ${samples.length}`);
  }
  let pts: number;
  let duration: number;
  if (options.pts === undefined) {
    pts = _stampNs(position, sampleRate);
    duration = _stampNs(position + frames, sampleRate) - pts;
  } else {
    _finite('pts', options.pts);
    pts = options.pts;
    duration = _stampNs(frames, sampleRate);
  }
  const data = samples === undefined ? filled(frames, channels, position, fill ?? 0) : Float32Array.from(samples);
  return { data, frames, channels, sampleRate, position, pts, duration };
}

/**
 * `count` consecutive chunks of one stream: positions follow on, and each PTS plus its
 * duration is exactly the next chunk's PTS, so nothing is missing and nothing repeats.
 *
 * @example
 * // 100 chunks a second, as the delay-line spec has them: PTS 0, 10, 20 ms.
 * const chunks = audioChunks({ count: 3, frames: 480, fill: (n, ch) => (ch === 0 ? n : -n) / 48000 });
 * chunks[2].position; // 960
 *
 * @throws {ArgumentError} `ERR_INVALID_ARGUMENT` when an option is out of range.
 */
export function audioChunks(options: AudioChunksOptions): TestAudioChunk[] {
  const { count, frames } = options;
  const channels = options.channels ?? _DEFAULT_CHANNELS;
  const sampleRate = options.sampleRate ?? _DEFAULT_SAMPLE_RATE;
  const position = options.position ?? 0;
  const fill = options.fill ?? 0;
  _count('count', count);
  _count('frames', frames);
  _positive('channels', channels);
  _positive('sampleRate', sampleRate);
  _count('position', position);
  if (options.pts !== undefined) _finite('pts', options.pts);
  // With a given first PTS, stamps count from the first chunk (a source's timestamp offset);
  // without, from frame 0 of the stream (the stamp of each chunk's own position).
  const first = options.pts;
  const stamp = (frame: number): number => (first === undefined ? _stampNs(frame, sampleRate) : first + _stampNs(frame - position, sampleRate));
  const chunks: TestAudioChunk[] = [];
  for (let k = 0; k < count; k++) {
    const at = position + k * frames;
    const pts = stamp(at);
    const data = filled(frames, channels, at, fill);
    chunks.push({ data, frames, channels, sampleRate, position: at, pts, duration: stamp(at + frames) - pts });
  }
  return chunks;
}

/** A new block of `frames` interleaved frames, the first at `position` in its stream. */
function filled(frames: number, channels: number, position: number, fill: SampleFill): Float32Array {
  const data = new Float32Array(frames * channels);
  if (typeof fill === 'number') return data.fill(fill);
  for (let i = 0; i < frames; i++) {
    for (let c = 0; c < channels; c++) data[i * channels + c] = fill(position + i, c);
  }
  return data;
}
