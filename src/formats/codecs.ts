/**
 * Sample codecs between interleaved little-endian bytes (as WAV stores them) and Float32.
 *
 * Decoding scales integers by a power of two, so every 8, 16 and 24-bit value maps to an
 * exact float and back; 32-bit integers round to Float32's 24-bit mantissa.
 *
 * Encoding floats to integers: `v = Math.round(x * 2^(bits-1))` (ties toward +∞), then
 * clamped to the integer's range, so every x ≥ 1 gives the largest integer
 * (1 − 1 LSB), every x ≤ −1 the smallest, ±Infinity clamps the same way and NaN gives
 * 0 (silence). No dither. For every integer pattern `b`,
 * `decode(encode(decode(b))) === decode(b)` exactly.
 *
 * Floats are copied bit for bit (f32, NaN payloads included on little-endian hosts) or
 * rounded to nearest (f64 → Float32, as `Math.fround`); float encodes never clamp.
 */
import { ArgumentError } from '../core/errors.js';

/** How one sample is stored: unsigned 8-bit, signed 16/24 (packed)/32-bit, IEEE float 32/64. */
export type SampleFormat = 'u8' | 's16' | 's24' | 's32' | 'f32' | 'f64';

/** Every {@link SampleFormat}, in order of size. */
export const SAMPLE_FORMATS: readonly SampleFormat[] = Object.freeze(['u8', 's16', 's24', 's32', 'f32', 'f64']);

const BYTES: Readonly<Record<SampleFormat, number>> = { u8: 1, s16: 2, s24: 3, s32: 4, f32: 4, f64: 8 };

// Typed-array views read in host byte order; WAV is little-endian. Node runs big-endian
// only on s390x, where the DataView paths below take over.
const LITTLE_ENDIAN_HOST = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** True when `value` is one of the {@link SampleFormat} names. */
export function isSampleFormat(value: unknown): value is SampleFormat {
  return typeof value === 'string' && Object.hasOwn(BYTES, value);
}

/**
 * Bytes one sample of `format` takes in a file.
 *
 * @example
 * bytesPerSample('s24'); // 3
 *
 * @param format - the sample format.
 * @throws {ArgumentError} `ERR_INVALID_ARGUMENT` when `format` is not a {@link SampleFormat}.
 */
export function bytesPerSample(format: SampleFormat): number {
  if (!isSampleFormat(format)) throw new ArgumentError(`unknown sample format ${JSON.stringify(format)}`);
  return BYTES[format];
}

function checkSizes(verb: string, format: SampleFormat, bytes: Uint8Array, floats: Float32Array, samples: number): number {
  const size = bytesPerSample(format);
  if (!(bytes instanceof Uint8Array) || !(floats instanceof Float32Array)) {
    throw new ArgumentError(`${verb} needs a Uint8Array and a Float32Array`);
  }
  if (!Number.isInteger(samples) || samples < 0 || samples > floats.length || samples * size > bytes.length) {
    throw new ArgumentError(
      `${verb} ${samples} ${format} samples: out of range for ${bytes.length} bytes and ${floats.length} floats`,
    );
  }
  return size;
}

/**
 * Decodes `samples` interleaved samples of `format` from the start of `src` into the start of `dst`.
 * Allocates nothing proportional to `samples` (at most a typed-array view for the float formats).
 *
 * @example
 * const out = new Float32Array(2);
 * decodeInto('s16', new Uint8Array([0x00, 0x40, 0x00, 0x80]), out, 2); // out: [0.5, -1]
 *
 * @param format - how the bytes store each sample.
 * @param src - little-endian sample bytes, at least `samples × bytesPerSample(format)` long.
 * @param dst - receives the samples as floats, at least `samples` long.
 * @param samples - how many samples (not frames) to decode.
 * @throws {ArgumentError} `ERR_INVALID_ARGUMENT` when a format is unknown or an array is too short.
 */
export function decodeInto(format: SampleFormat, src: Uint8Array, dst: Float32Array, samples: number): void {
  checkSizes('decode', format, src, dst, samples);
  switch (format) {
    case 'u8':
      for (let i = 0; i < samples; i++) dst[i] = (src[i]! - 128) / 128;
      return;
    case 's16':
      for (let i = 0, o = 0; i < samples; i++, o += 2) dst[i] = (((src[o]! | (src[o + 1]! << 8)) << 16) >> 16) / 32768;
      return;
    case 's24':
      for (let i = 0, o = 0; i < samples; i++, o += 3) {
        dst[i] = (((src[o]! | (src[o + 1]! << 8) | (src[o + 2]! << 16)) << 8) >> 8) / 8388608;
      }
      return;
    case 's32':
      for (let i = 0, o = 0; i < samples; i++, o += 4) {
        dst[i] = (src[o]! | (src[o + 1]! << 8) | (src[o + 2]! << 16) | (src[o + 3]! << 24)) / 2147483648;
      }
      return;
    case 'f32':
      decodeF32(src, dst, samples);
      return;
    case 'f64':
      decodeF64(src, dst, samples);
      return;
  }
}

function decodeF32(src: Uint8Array, dst: Float32Array, samples: number): void {
  if (!LITTLE_ENDIAN_HOST) {
    const view = new DataView(src.buffer, src.byteOffset, samples * 4);
    for (let i = 0; i < samples; i++) dst[i] = view.getFloat32(i * 4, true);
    return;
  }
  // Both paths are a memcpy: the bits arrive untouched (a NaN through a JS number may not).
  if (src.byteOffset % 4 === 0) dst.set(new Float32Array(src.buffer, src.byteOffset, samples));
  else new Uint8Array(dst.buffer, dst.byteOffset, samples * 4).set(src.subarray(0, samples * 4));
}

function decodeF64(src: Uint8Array, dst: Float32Array, samples: number): void {
  if (LITTLE_ENDIAN_HOST && src.byteOffset % 8 === 0) {
    // A Float64Array → Float32Array set rounds each value to nearest, as Math.fround does.
    dst.set(new Float64Array(src.buffer, src.byteOffset, samples));
    return;
  }
  const view = new DataView(src.buffer, src.byteOffset, samples * 8);
  for (let i = 0; i < samples; i++) dst[i] = view.getFloat64(i * 8, true);
}

/**
 * Encodes `samples` floats from the start of `src` as interleaved `format` samples at the start of `dst`.
 * Integer formats round to nearest and clamp (see the module notes); float formats never clamp.
 *
 * @example
 * const bytes = new Uint8Array(6);
 * encodeInto('s16', new Float32Array([0.5, -1, 2]), bytes, 3); // bytes: 00 40 00 80 ff 7f
 *
 * @param format - how to store each sample.
 * @param src - the samples, at least `samples` long.
 * @param dst - receives the bytes, at least `samples × bytesPerSample(format)` long.
 * @param samples - how many samples (not frames) to encode.
 * @throws {ArgumentError} `ERR_INVALID_ARGUMENT` when a format is unknown or an array is too short.
 */
export function encodeInto(format: SampleFormat, src: Float32Array, dst: Uint8Array, samples: number): void {
  checkSizes('encode', format, dst, src, samples);
  switch (format) {
    case 'u8':
      for (let i = 0; i < samples; i++) dst[i] = toInt(src[i]!, 128) + 128;
      return;
    case 's16':
      for (let i = 0, o = 0; i < samples; i++, o += 2) {
        const v = toInt(src[i]!, 32768);
        dst[o] = v;
        dst[o + 1] = v >> 8;
      }
      return;
    case 's24':
      for (let i = 0, o = 0; i < samples; i++, o += 3) {
        const v = toInt(src[i]!, 8388608);
        dst[o] = v;
        dst[o + 1] = v >> 8;
        dst[o + 2] = v >> 16;
      }
      return;
    case 's32':
      for (let i = 0, o = 0; i < samples; i++, o += 4) {
        const v = toInt(src[i]!, 2147483648);
        dst[o] = v;
        dst[o + 1] = v >> 8;
        dst[o + 2] = v >> 16;
        dst[o + 3] = v >> 24;
      }
      return;
    case 'f32':
      if (LITTLE_ENDIAN_HOST) dst.set(new Uint8Array(src.buffer, src.byteOffset, samples * 4));
      else {
        const view = new DataView(dst.buffer, dst.byteOffset, samples * 4);
        for (let i = 0; i < samples; i++) view.setFloat32(i * 4, src[i]!, true);
      }
      return;
    case 'f64':
      encodeF64(src, dst, samples);
      return;
  }
}

function encodeF64(src: Float32Array, dst: Uint8Array, samples: number): void {
  if (LITTLE_ENDIAN_HOST && dst.byteOffset % 8 === 0) {
    new Float64Array(dst.buffer, dst.byteOffset, samples).set(src);
    return;
  }
  const view = new DataView(dst.buffer, dst.byteOffset, samples * 8);
  for (let i = 0; i < samples; i++) view.setFloat64(i * 8, src[i]!, true);
}

/** Rounds `x × scale` to nearest and clamps it to [−scale, scale − 1]; NaN → 0. */
function toInt(x: number, scale: number): number {
  const v = Math.round(x * scale);
  if (v >= scale) return scale - 1;
  if (v < -scale) return -scale;
  return v === v ? v : 0;
}
