/**
 * The numbers and GUIDs of the WAV family (RIFF/WAVE, RF64, Sony Wave64), shared by the
 * header parser and the header builder. Internal: not re-exported from the index.
 */

/** wFormatTag values this library reads and writes. */
export const FORMAT_PCM = 0x0001;
export const FORMAT_IEEE_FLOAT = 0x0003;
export const FORMAT_EXTENSIBLE = 0xfffe;

/** Names of common format tags we refuse, for error messages. */
export const FORMAT_TAG_NAMES: Readonly<Record<number, string>> = {
  0x0000: 'unknown (0)',
  0x0002: 'Microsoft ADPCM',
  0x0006: 'A-law',
  0x0007: 'μ-law',
  0x0011: 'IMA ADPCM',
  0x0031: 'GSM 6.10',
  0x0050: 'MPEG',
  0x0055: 'MPEG layer 3',
  0x00ff: 'AAC',
  0x2000: 'AC-3',
  0xf1ac: 'FLAC',
};

/**
 * The last 14 bytes of every KSDATAFORMAT_SUBTYPE GUID in WAVE_FORMAT_EXTENSIBLE
 * (0000xxxx-0000-0010-8000-00aa00389b71, little-endian fields); the first two bytes are the format tag.
 */
export const SUBFORMAT_TAIL: readonly number[] = [0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x80, 0x00, 0x00, 0xaa, 0x00, 0x38, 0x9b, 0x71];

/**
 * Wave64 chunk GUIDs: 'fmt ', 'data', 'fact', 'wave', 'junk'… are the 4 ASCII bytes followed by
 * this tail (xxxxxxxx-ACF3-11D3-8CD1-00C04F8EDB8A as stored).
 */
export const W64_TAIL: readonly number[] = [0xf3, 0xac, 0xd3, 0x11, 0x8c, 0xd1, 0x00, 0xc0, 0x4f, 0x8e, 0xdb, 0x8a];
/** The tail of the Wave64 'riff' GUID (66666972-912E-11CF-A5D6-28DB04C10000). */
export const W64_RIFF_TAIL: readonly number[] = [0x2e, 0x91, 0xcf, 0x11, 0xa5, 0xd6, 0x28, 0xdb, 0x04, 0xc1, 0x00, 0x00];
/** The tail of the Wave64 'list' GUID (7473696C-912F-11CF-A5D6-28DB04C10000). */
export const W64_LIST_TAIL: readonly number[] = [0x2f, 0x91, 0xcf, 0x11, 0xa5, 0xd6, 0x28, 0xdb, 0x04, 0xc1, 0x00, 0x00];

/** The 16 bytes of the Wave64 GUID whose first four bytes are `id` ('riff', 'list' or an ACF3 chunk such as 'fmt '). */
export function w64Guid(id: string): Uint8Array {
  const tail = id === 'riff' ? W64_RIFF_TAIL : id === 'list' ? W64_LIST_TAIL : W64_TAIL;
  const out = new Uint8Array(16);
  for (let i = 0; i < 4; i++) out[i] = id.charCodeAt(i);
  out.set(tail, 4);
  return out;
}

/** Sizes at which the 32-bit RIFF fields run out. */
export const U32_MAX = 0xffffffff;
/** Larger sizes than this are not exact as numbers: a header claiming one is refused. */
export const MAX_SIZE = 2 ** 53;
/** Most channels a header may declare before it is taken as damaged. */
export const MAX_CHANNELS = 1024;

/** Bytes of the 'JUNK' chunk body reserved after 'WAVE' so that 'ds64' can replace it in place (EBU Tech 3306). */
export const DS64_BODY_BYTES = 28;

/**
 * The default WAVE_FORMAT_EXTENSIBLE channel mask for a channel count, as ffmpeg writes them:
 * 1 = FC, 2 = FL FR, 3 = FL FR FC, 4 = quad, 5 = 5.0, 6 = 5.1, 7 = 6.1, 8 = 7.1; other counts
 * get 0 (no speaker assignment).
 */
export function defaultChannelMask(channels: number): number {
  return [0, 0x4, 0x3, 0x7, 0x33, 0x37, 0x3f, 0x13f, 0x63f][channels] ?? 0;
}
