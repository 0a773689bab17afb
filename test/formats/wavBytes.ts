/**
 * Byte-by-byte WAV builders for the format tests: headers are spelled out here field by field,
 * independently of src/formats/wavHeaderBuilder.ts, so the parser is checked against the
 * layout as published rather than against our own writer.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const le16 = (v: number): number[] => [v & 0xff, (v >>> 8) & 0xff];
export const le32 = (v: number): number[] => [v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, (v >>> 24) & 0xff];
export const le64 = (v: number): number[] => [...le32(v % 2 ** 32), ...le32(Math.floor(v / 2 ** 32))];
export const ascii = (s: string): number[] => Array.from(s, (c) => c.charCodeAt(0));

export function concat(...parts: ArrayLike<number>[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** A RIFF chunk: id, declared size (default: the body's length), body, pad byte when the body is odd. */
export function chunk(id: string, body: ArrayLike<number>, declared = body.length): Uint8Array {
  return concat(ascii(id), le32(declared), body, body.length % 2 === 1 ? [0] : []);
}

/** A 16-byte fmt body (PCM or float), optionally followed by a cbSize of 0 (18 bytes). */
export function fmtBody(o: { tag: number; channels: number; rate: number; bits: number; blockAlign?: number; cbSize?: boolean }): number[] {
  const blockAlign = o.blockAlign ?? (o.channels * o.bits) / 8;
  return [
    ...le16(o.tag),
    ...le16(o.channels),
    ...le32(o.rate),
    ...le32(o.rate * blockAlign),
    ...le16(blockAlign),
    ...le16(o.bits),
    ...(o.cbSize === true ? le16(0) : []),
  ];
}

/** A 40-byte WAVE_FORMAT_EXTENSIBLE fmt body whose SubFormat GUID carries `subTag`. */
export function fmtExtensible(o: { subTag: number; channels: number; rate: number; bits: number; validBits?: number; mask?: number }): number[] {
  const blockAlign = (o.channels * o.bits) / 8;
  return [
    ...le16(0xfffe),
    ...le16(o.channels),
    ...le32(o.rate),
    ...le32(o.rate * blockAlign),
    ...le16(blockAlign),
    ...le16(o.bits),
    ...le16(22),
    ...le16(o.validBits ?? o.bits),
    ...le32(o.mask ?? 0),
    ...le16(o.subTag),
    ...[0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x80, 0x00, 0x00, 0xaa, 0x00, 0x38, 0x9b, 0x71],
  ];
}

/** A RIFF/WAVE (or RF64) file: magic, RIFF size (default: the true size), 'WAVE', then the chunks. */
export function riffFile(chunks: Uint8Array[], o: { magic?: string; riffSize?: number } = {}): Uint8Array {
  const body = concat(ascii('WAVE'), ...chunks);
  return concat(ascii(o.magic ?? 'RIFF'), le32(o.riffSize ?? body.length), body);
}

const W64_ACF3 = [0xf3, 0xac, 0xd3, 0x11, 0x8c, 0xd1, 0x00, 0xc0, 0x4f, 0x8e, 0xdb, 0x8a];
/** The Wave64 GUID of a chunk id ('riff', 'list' or one of the ACF3 family such as 'fmt ', 'data', 'wave'). */
export function w64Guid(id: string): number[] {
  if (id === 'riff') return [...ascii('riff'), 0x2e, 0x91, 0xcf, 0x11, 0xa5, 0xd6, 0x28, 0xdb, 0x04, 0xc1, 0x00, 0x00];
  if (id === 'list') return [...ascii('list'), 0x2f, 0x91, 0xcf, 0x11, 0xa5, 0xd6, 0x28, 0xdb, 0x04, 0xc1, 0x00, 0x00];
  return [...ascii(id), ...W64_ACF3];
}
/** A Wave64 chunk: GUID, 64-bit size including the 24-byte header, body, zeros to the next multiple of 8. */
export function w64Chunk(id: string, body: ArrayLike<number>, declared = 24 + body.length): Uint8Array {
  return concat(w64Guid(id), le64(declared), body, new Array<number>((8 - (body.length % 8)) % 8).fill(0));
}
export function w64File(chunks: Uint8Array[]): Uint8Array {
  const rest = concat(w64Guid('wave'), ...chunks);
  return concat(w64Guid('riff'), le64(24 + rest.length), rest);
}

/** Little-endian s16 bytes of the given integer samples. */
export function s16Bytes(values: readonly number[]): number[] {
  return values.flatMap((v) => le16(v & 0xffff));
}

/** A fresh temporary folder and a function that deletes it. */
export function tempDir(prefix: string): { dir: string; file: (name: string) => string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), `avbuf-${prefix}-`));
  return { dir, file: (name) => join(dir, name), cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}
