/** The raw PCM byte formats the WHATWG streams speak, named as ffmpeg and sox name them. */
import { bytesPerSample, type SampleFormat } from '../../formats/codecs.js';
import { checkOneOf } from '../../core/validate.js';

/** Interleaved little-endian PCM: 32-bit float, signed 16-bit or packed signed 24-bit. */
export type PcmFormat = 'f32le' | 's16le' | 's24le';

const CODECS: Readonly<Record<PcmFormat, SampleFormat>> = { f32le: 'f32', s16le: 's16', s24le: 's24' };
const NAMES = Object.keys(CODECS) as PcmFormat[];

/**
 * Checks a {@link PcmFormat} option and returns the codec that reads and writes it.
 *
 * @example
 * pcmFormat('s24le'); // { format: 's24le', sample: 's24', sampleBytes: 3 }
 *
 * @param format - the option as the caller passed it.
 * @throws {ArgumentError} `ERR_INVALID_ARGUMENT` when it is not one of the names.
 */
export function pcmFormat(format: unknown): { format: PcmFormat; sample: SampleFormat; sampleBytes: number } {
  const name = checkOneOf('format', format, NAMES, 'argument');
  const sample = CODECS[name];
  return { format: name, sample, sampleBytes: bytesPerSample(sample) };
}
