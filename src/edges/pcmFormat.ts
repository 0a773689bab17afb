/**
 * The raw PCM byte formats the edges speak (Node streams and WHATWG streams alike):
 * interleaved little-endian samples with no header, named as ffmpeg names them and as
 * `ffmpeg -f f32le` and `sox -t f32` read and write them.
 */
import { checkOneOf } from '../core/validate.js';
import { bytesPerSample, type SampleFormat } from '../formats/codecs.js';

/** Interleaved little-endian PCM: 32-bit float, signed 16-bit or packed signed 24-bit. */
export type PcmFormat = 'f32le' | 's16le' | 's24le';

/** Every {@link PcmFormat}. */
export const PCM_FORMATS: readonly PcmFormat[] = Object.freeze(['f32le', 's16le', 's24le']);

const SAMPLE: Readonly<Record<PcmFormat, SampleFormat>> = { f32le: 'f32', s16le: 's16', s24le: 's24' };

/**
 * The codec sample format of a {@link PcmFormat} (`'s16le'` → `'s16'`).
 *
 * @example
 * sampleFormatOf('s24le'); // 's24'
 *
 * @param format - a checked PCM format.
 */
export function sampleFormatOf(format: PcmFormat): SampleFormat {
  return SAMPLE[format];
}

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
  const name = checkOneOf('format', format, PCM_FORMATS, 'argument');
  const sample = SAMPLE[name];
  return { format: name, sample, sampleBytes: bytesPerSample(sample) };
}
