import type { AudioChunksOptions, TestAudioChunk } from './audioChunk.js';
import { _DEFAULT_SAMPLE_RATE, audioChunks } from './audioChunk.js';
import { _finite } from './check.js';

/** Options of {@link sineChunks}: those of {@link audioChunks} without `fill`, and the tone. */
export interface SineChunksOptions extends Omit<AudioChunksOptions, 'fill'> {
  /** Frequency in Hz. Default 1000. */
  readonly frequency?: number;
  /** Peak value. Default 0.5 (−6 dBFS). */
  readonly amplitude?: number;
  /** Phase at frame 0 of the stream, in radians. Default 0. */
  readonly phase?: number;
}

/**
 * Consecutive chunks of one continuous sine, the same on every channel: the sample of frame
 * `n` of the stream is `Math.fround(amplitude * Math.sin((2 * Math.PI * frequency * n) / sampleRate + phase))`.
 * Each sample is computed from its frame index (no running phase to drift), so the chunks
 * joined end to end are exactly one long sine, whatever the chunk size. PTS and positions as
 * {@link audioChunks}.
 *
 * @example
 * // One second of a 440 Hz stereo tone at −6 dBFS in 10 ms chunks.
 * const chunks = sineChunks({ count: 100, frames: 480, frequency: 440 });
 *
 * @throws {ArgumentError} `ERR_INVALID_ARGUMENT` when an option is out of range.
 */
export function sineChunks(options: SineChunksOptions): TestAudioChunk[] {
  const { frequency = 1000, amplitude = 0.5, phase = 0, ...rest } = options;
  _finite('frequency', frequency);
  _finite('amplitude', amplitude);
  _finite('phase', phase);
  const sampleRate = rest.sampleRate ?? _DEFAULT_SAMPLE_RATE;
  return audioChunks({ ...rest, fill: (n) => amplitude * Math.sin((2 * Math.PI * frequency * n) / sampleRate + phase) });
}
