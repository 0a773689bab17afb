/**
 * Builds the header bytes (everything before the first sample) of the WAV files the writer
 * makes, laid out as sox and ffmpeg lay theirs out:
 *
 * - u8/s16 with 1–2 channels: a 16-byte PCM fmt chunk;
 * - f32/f64 with 1–2 channels: an 18-byte IEEE-float fmt chunk and a 'fact' chunk;
 * - s24, s32 or more than 2 channels: a 40-byte WAVE_FORMAT_EXTENSIBLE fmt chunk (SubFormat PCM
 *   or IEEE float, validBits = bits, the default channel mask) and a 'fact' chunk.
 *
 * RIFF files always carry a 36-byte 'JUNK' chunk right after 'WAVE' (EBU Tech 3306), so a
 * file that outgrows 4 GiB becomes RF64 in place: 'RIFF' → 'RF64', 'JUNK' → 'ds64' with the
 * 64-bit sizes, the 32-bit size fields → 0xFFFFFFFF. RIFF and RF64 headers of a format have the
 * same length, so the samples never move.
 */
import { ArgumentError, CapacityError } from '../core/errors.js';
import { bytesPerSample, isSampleFormat, type SampleFormat } from './codecs.js';
import {
  DS64_BODY_BYTES,
  FORMAT_EXTENSIBLE,
  FORMAT_IEEE_FLOAT,
  FORMAT_PCM,
  MAX_CHANNELS,
  MAX_SIZE,
  SUBFORMAT_TAIL,
  U32_MAX,
  defaultChannelMask,
  w64Guid,
} from './wavConstants.js';

/** A container the writer makes. */
export type WavContainer = 'riff' | 'rf64' | 'w64';

/** What a header describes. */
export interface WavHeaderSpec {
  /** How samples are stored. */
  readonly format: SampleFormat;
  /** Channels per frame, 1..1024. */
  readonly channels: number;
  /** Frames per second, a whole number 1..4294967295. */
  readonly sampleRate: number;
  /** The container; `'auto'` is RIFF while the file fits in 4 GiB and RF64 beyond. */
  readonly container: WavContainer | 'auto';
  /** Bytes of sample data (whole frames), or null while unknown: the sizes then say "to the end of the file". */
  readonly dataBytes: number | null;
}

/** The bytes of a header and where things fall in the file it starts. */
export interface WavHeaderLayout {
  /** The header: every byte before the first sample. */
  readonly bytes: Uint8Array;
  /** The container the header is for ('auto' resolved). */
  readonly container: WavContainer;
  /** Offset of the first sample: `bytes.length`. */
  readonly dataOffset: number;
  /** Zero bytes to write after the samples: the RIFF pad byte after odd-sized data (Wave64's last chunk is not padded). */
  readonly padBytes: number;
  /** Size of the complete file: header, samples and pad; 0 while `dataBytes` is unknown. */
  readonly fileBytes: number;
}

/** Bytes the 32-bit RIFF size may count at most: a RIFF file is at most 4 GiB − 1 + 8 bytes long. */
const RIFF_SIZE_LIMIT = U32_MAX;

function fmtBody(format: SampleFormat, channels: number, sampleRate: number): { body: Uint8Array; fact: boolean } {
  const bytes = bytesPerSample(format);
  const float = format === 'f32' || format === 'f64';
  const extensible = format === 's24' || format === 's32' || channels > 2;
  const body = new Uint8Array(extensible ? 40 : float ? 18 : 16);
  const view = new DataView(body.buffer);
  const blockAlign = channels * bytes;
  view.setUint16(0, extensible ? FORMAT_EXTENSIBLE : float ? FORMAT_IEEE_FLOAT : FORMAT_PCM, true);
  view.setUint16(2, channels, true);
  view.setUint32(4, sampleRate, true);
  view.setUint32(8, Math.min(sampleRate * blockAlign, U32_MAX), true);
  view.setUint16(12, blockAlign, true);
  view.setUint16(14, bytes * 8, true);
  if (body.length >= 18) view.setUint16(16, extensible ? 22 : 0, true);
  if (extensible) {
    view.setUint16(18, bytes * 8, true);
    view.setUint32(20, defaultChannelMask(channels), true);
    view.setUint16(24, float ? FORMAT_IEEE_FLOAT : FORMAT_PCM, true);
    body.set(SUBFORMAT_TAIL, 26);
  }
  return { body, fact: float || extensible };
}

function checkSpec(spec: WavHeaderSpec): number {
  const { format, channels, sampleRate, container, dataBytes } = spec;
  if (!isSampleFormat(format)) throw new ArgumentError(`unknown sample format ${JSON.stringify(format)}`);
  if (!Number.isInteger(channels) || channels < 1 || channels > MAX_CHANNELS) {
    throw new ArgumentError(`channels must be a whole number 1..${MAX_CHANNELS}, got ${String(channels)}`);
  }
  if (!Number.isInteger(sampleRate) || sampleRate < 1 || sampleRate > U32_MAX) {
    throw new ArgumentError(`sampleRate must be a whole number 1..${U32_MAX}, got ${String(sampleRate)}`);
  }
  if (!['auto', 'riff', 'rf64', 'w64'].includes(container)) {
    throw new ArgumentError(`container must be 'auto', 'riff', 'rf64' or 'w64', got ${JSON.stringify(container)}`);
  }
  const blockAlign = channels * bytesPerSample(format);
  if (dataBytes !== null && (!Number.isSafeInteger(dataBytes) || dataBytes < 0 || dataBytes % blockAlign !== 0 || dataBytes > MAX_SIZE / 2)) {
    throw new ArgumentError(`dataBytes must be whole frames of ${blockAlign} bytes, got ${String(dataBytes)}`);
  }
  return blockAlign;
}

/**
 * Builds the header of a WAV file for the given format and data size.
 *
 * @example
 * // The header a writer patches in at close for 5 GiB of stereo float: RF64, same length as RIFF.
 * const { bytes, container } = buildWavHeader({ format: 'f32', channels: 2, sampleRate: 48000, container: 'auto', dataBytes: 5 * 2 ** 30 });
 * // container === 'rf64'; bytes starts with 'RF64', then 'WAVE', 'ds64'…
 *
 * @param spec - format, channels, rate, container and data size.
 * @returns the header bytes, the resolved container, the pad after the data and the file's size.
 * @throws {ArgumentError} `ERR_INVALID_ARGUMENT` when a field is out of range or `dataBytes` is not whole frames.
 * @throws {CapacityError} `ERR_CAPACITY` when `container` is `'riff'` and the file would pass 4 GiB.
 */
export function buildWavHeader(spec: WavHeaderSpec): WavHeaderLayout {
  const blockAlign = checkSpec(spec);
  const { format, channels, sampleRate, dataBytes } = spec;
  const { body: fmt, fact } = fmtBody(format, channels, sampleRate);
  const frames = dataBytes === null ? null : dataBytes / blockAlign;
  if (spec.container === 'w64') return buildW64(fmt, fact, dataBytes, frames);

  const length = 12 + 8 + DS64_BODY_BYTES + 8 + fmt.length + (fact ? 12 : 0) + 8;
  const padBytes = dataBytes === null ? 0 : dataBytes & 1;
  const riffSize = dataBytes === null ? null : length - 8 + dataBytes + padBytes;
  const tooBig = riffSize !== null && riffSize > RIFF_SIZE_LIMIT;
  if (spec.container === 'riff' && tooBig) {
    throw new CapacityError(`a RIFF file holds at most 4 GiB; ${String(dataBytes)} bytes of samples need RF64 or W64`);
  }
  const container = spec.container === 'rf64' || tooBig ? 'rf64' : 'riff';
  const out = new Uint8Array(length);
  const view = new DataView(out.buffer);
  const u32 = (at: number, value: number | null): void => view.setUint32(at, value === null || value > U32_MAX ? U32_MAX : value, true);
  const u64 = (at: number, value: number): void => {
    view.setUint32(at, value % 0x100000000, true);
    view.setUint32(at + 4, Math.floor(value / 0x100000000), true);
  };
  let at = 0;
  const id = (s: string): void => {
    for (let i = 0; i < 4; i++) out[at + i] = s.charCodeAt(i);
    at += 4;
  };
  id(container === 'rf64' ? 'RF64' : 'RIFF');
  u32(at, container === 'rf64' ? null : riffSize);
  at += 4;
  id('WAVE');
  id(container === 'rf64' ? 'ds64' : 'JUNK');
  u32(at, DS64_BODY_BYTES);
  at += 4;
  if (container === 'rf64') {
    // riff size, data size, sample count, table length 0; zeros while unknown (read as "to the end").
    u64(at, riffSize ?? 0);
    u64(at + 8, dataBytes ?? 0);
    u64(at + 16, frames ?? 0);
  }
  at += DS64_BODY_BYTES;
  id('fmt ');
  u32(at, fmt.length);
  out.set(fmt, at + 4);
  at += 4 + fmt.length;
  if (fact) {
    id('fact');
    u32(at, 4);
    u32(at + 4, container === 'rf64' ? null : frames ?? 0);
    at += 8;
  }
  id('data');
  u32(at, container === 'rf64' ? null : dataBytes);
  return { bytes: out, container, dataOffset: length, padBytes, fileBytes: riffSize === null ? 0 : riffSize + 8 };
}

function buildW64(fmt: Uint8Array, fact: boolean, dataBytes: number | null, frames: number | null): WavHeaderLayout {
  const align8 = (n: number): number => (8 - (n % 8)) % 8;
  const fmtChunk = 24 + fmt.length;
  const length = 40 + fmtChunk + align8(fmtChunk) + (fact ? 32 : 0) + 24;
  // The data chunk ends the file, so it is not padded to 8 bytes: libsndfile (and sox through it)
  // writes it so, and reads padding after the last chunk as samples.
  const padBytes = 0;
  const fileBytes = dataBytes === null ? 0 : length + dataBytes;
  const out = new Uint8Array(length);
  const view = new DataView(out.buffer);
  let at = 0;
  const chunk = (id: string, size: number): void => {
    out.set(w64Guid(id), at);
    view.setUint32(at + 16, size % 0x100000000, true);
    view.setUint32(at + 20, Math.floor(size / 0x100000000), true);
    at += 24;
  };
  chunk('riff', fileBytes);
  out.set(w64Guid('wave'), at);
  at += 16;
  chunk('fmt ', fmtChunk);
  out.set(fmt, at);
  at += fmt.length + align8(fmtChunk);
  if (fact) {
    chunk('fact', 32);
    view.setUint32(at, (frames ?? 0) % 0x100000000, true);
    view.setUint32(at + 4, Math.floor((frames ?? 0) / 0x100000000), true);
    at += 8;
  }
  // A data size of 0 reads as "to the end of the file" while the size is unknown.
  chunk('data', dataBytes === null ? 0 : 24 + dataBytes);
  return { bytes: out, container: 'w64', dataOffset: length, padBytes, fileBytes };
}
