/**
 * The raw PCM byte formats the Node streams speak: interleaved little-endian samples with no
 * header, as `ffmpeg -f f32le` and `sox -t f32` read and write them.
 */
import type { SampleFormat } from '../../formats/codecs.js';

/** A raw interleaved little-endian PCM byte format, named as ffmpeg names it. */
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
