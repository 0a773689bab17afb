/**
 * WAV header parsing for RIFF/WAVE, RF64 (and BW64) and Sony Wave64, without ever reading
 * the samples: the walk asks for a few bytes at a time (chunk headers, the fmt and ds64
 * bodies), so a file of any size costs a handful of small positioned reads.
 *
 * One parser serves both entry points: it is a generator that yields read requests
 * `{ offset, length }` and receives the bytes. {@link parseWavHeaderBytes} answers from a
 * byte array, synchronously; {@link readWavInfo} answers from a file handle.
 *
 * The walk is bounded by the file's size, not by the RIFF size field, which streaming writers
 * leave at 0 or 0xFFFFFFFF and others get wrong. Chunks after the data are only listed, and
 * anything odd there ends the list rather than the parse.
 */
import type { FileHandle } from 'node:fs/promises';
import { ArgumentError, ErrorCode, WavFormatError } from '../core/errors.js';
import { bytesPerSample, type SampleFormat } from './codecs.js';
import { readAt } from './fileIo.js';
import {
  FORMAT_EXTENSIBLE,
  FORMAT_IEEE_FLOAT,
  FORMAT_PCM,
  FORMAT_TAG_NAMES,
  MAX_CHANNELS,
  MAX_SIZE,
  SUBFORMAT_TAIL,
  U32_MAX,
  W64_LIST_TAIL,
  W64_RIFF_TAIL,
  W64_TAIL,
} from './wavConstants.js';

/** One chunk met while walking the file. */
export interface WavChunk {
  /** The 4-character chunk id ('fmt ', 'data', 'LIST'…); in Wave64, the id its GUID stands for, or the GUID itself. */
  readonly id: string;
  /** Byte offset of the chunk's header in the file. */
  readonly offset: number;
  /** Bytes of the chunk's body as declared (for 'data': the bytes used, after ds64, end-of-file and clamping). */
  readonly size: number;
}

/** What a WAV header says, checked and resolved against the file's size. */
export interface WavInfo {
  /** 'riff' (RIFF/WAVE), 'rf64' (RF64 or BW64 with a ds64 chunk) or 'w64' (Sony Wave64). */
  readonly container: 'riff' | 'rf64' | 'w64';
  /** How each sample is stored. */
  readonly format: SampleFormat;
  /** Channels per frame, 1..1024. */
  readonly channels: number;
  /** Frames per second. */
  readonly sampleRate: number;
  /** Bits of each stored sample (the container size: 32 for 24-in-32). */
  readonly bitsPerSample: number;
  /** Bits that carry signal (EXTENSIBLE's wValidBitsPerSample; otherwise `bitsPerSample`). */
  readonly validBits: number;
  /** The fmt chunk's wFormatTag: 1 (PCM), 3 (IEEE float) or 0xFFFE (EXTENSIBLE). */
  readonly formatTag: number;
  /** Bytes per frame: `channels × bitsPerSample / 8`. */
  readonly blockAlign: number;
  /** Byte offset of the first sample in the file. */
  readonly dataOffset: number;
  /** Bytes of whole frames available: `frames × blockAlign`. */
  readonly dataBytes: number;
  /** Frames available. */
  readonly frames: number;
  /**
   * Where `dataBytes` came from: `'header'` (the declared size, all present), `'eof'` (size 0 or
   * 0xFFFFFFFF from a streaming writer: everything to the end of the file) or `'clamped'` (the
   * declared size runs past the end of the file: what is there).
   */
  readonly sizeFrom: 'header' | 'eof' | 'clamped';
  /** True when the fmt chunk is WAVE_FORMAT_EXTENSIBLE. */
  readonly extensible: boolean;
  /** EXTENSIBLE's dwChannelMask (speaker positions), or null without EXTENSIBLE. */
  readonly channelMask: number | null;
  /** Every chunk walked, in file order, the data chunk included. */
  readonly chunks: readonly WavChunk[];
}

/** A request from the parser: `length` bytes at `offset` (the answer may be shorter at the end of the file). */
interface ReadRequest {
  readonly offset: number;
  readonly length: number;
}

type Steps<T> = Generator<ReadRequest, T, Uint8Array>;

/** Chunks walked before the data chunk before the header is taken as damaged. */
const MAX_CHUNKS_BEFORE_DATA = 4096;
/** Chunks after the data chunk listed at most (they are walked leniently and only listed). */
const MAX_CHUNKS_AFTER_DATA = 256;
/** Bytes read in one go at the start of a file: covers the whole header of nearly every file. */
const PREFIX_BYTES = 4096;

const EMPTY = new Uint8Array(0);
const ascii = (s: string): number[] => Array.from(s, (c) => c.charCodeAt(0));
const RIFF_MAGICS = [ascii('RIFF'), ascii('RF64'), ascii('BW64')];
const WAVE = ascii('WAVE');
const W64_RIFF = [...ascii('riff'), ...W64_RIFF_TAIL];
const W64_WAVE = [...ascii('wave'), ...W64_TAIL];

function u16(b: Uint8Array, o: number): number {
  return b[o]! | (b[o + 1]! << 8);
}
function u32(b: Uint8Array, o: number): number {
  return (b[o]! | (b[o + 1]! << 8) | (b[o + 2]! << 16) | (b[o + 3]! << 24)) >>> 0;
}
/** A 64-bit little-endian size; values past 2^53 come out inexact, and callers refuse them. */
function u64(b: Uint8Array, o: number): number {
  return u32(b, o + 4) * 0x100000000 + u32(b, o);
}
function text(b: Uint8Array, o: number, n: number): string {
  return String.fromCharCode(...b.subarray(o, o + n));
}
function matches(b: Uint8Array, o: number, pattern: readonly number[]): boolean {
  for (let i = 0; i < pattern.length; i++) if (b[o + i] !== pattern[i]) return false;
  return true;
}
/** True when the bytes of `b` from `o` are a (possibly empty) prefix of `pattern`. */
function prefixOf(b: Uint8Array, o: number, pattern: readonly number[]): boolean {
  for (let i = 0; o + i < b.length && i < pattern.length; i++) if (b[o + i] !== pattern[i]) return false;
  return true;
}
function hex(value: number, digits: number): string {
  return value.toString(16).toUpperCase().padStart(digits, '0');
}
/** A GUID in its usual text form, from its 16 stored bytes (the first three fields little-endian). */
function guidText(b: Uint8Array, o: number): string {
  const bytes = (from: number, to: number): string => Array.from(b.subarray(o + from, o + to), (x) => hex(x, 2)).join('');
  return `${hex(u32(b, o), 8)}-${hex(u16(b, o + 4), 4)}-${hex(u16(b, o + 6), 4)}-${bytes(8, 10)}-${bytes(10, 16)}`;
}
function w64Id(b: Uint8Array, o: number): string {
  if (matches(b, o + 4, W64_TAIL) || matches(b, o + 4, W64_RIFF_TAIL) || matches(b, o + 4, W64_LIST_TAIL)) return text(b, o, 4);
  return guidText(b, o);
}

interface Fmt {
  readonly format: SampleFormat;
  readonly formatTag: number;
  readonly channels: number;
  readonly sampleRate: number;
  readonly bitsPerSample: number;
  readonly validBits: number;
  readonly blockAlign: number;
  readonly extensible: boolean;
  readonly channelMask: number | null;
}

type Fail = (code: ConstructorParameters<typeof WavFormatError>[0], message: string) => WavFormatError;

function tagName(tag: number): string {
  const name = FORMAT_TAG_NAMES[tag];
  return `0x${hex(tag, 4)}${name === undefined ? '' : ` (${name})`}`;
}

/** Reads a fmt chunk body (its first `b.length` ≤ 40 bytes; `bodySize` is the declared size). */
function parseFmt(b: Uint8Array, bodySize: number, fail: Fail): Fmt {
  const formatTag = u16(b, 0);
  const channels = u16(b, 2);
  const sampleRate = u32(b, 4);
  const blockAlign = u16(b, 12);
  const bitsPerSample = u16(b, 14);
  if (channels === 0) throw fail(ErrorCode.WAV_INVALID_HEADER, 'fmt chunk declares zero channels');
  if (channels > MAX_CHANNELS) throw fail(ErrorCode.WAV_INVALID_HEADER, `fmt chunk declares ${channels} channels (at most ${MAX_CHANNELS})`);
  if (sampleRate === 0) throw fail(ErrorCode.WAV_INVALID_HEADER, 'fmt chunk declares a sample rate of 0');
  let tag = formatTag;
  let validBits = bitsPerSample;
  let channelMask: number | null = null;
  if (formatTag === FORMAT_EXTENSIBLE) {
    if (bodySize < 40) {
      throw fail(ErrorCode.WAV_INVALID_HEADER, `WAVE_FORMAT_EXTENSIBLE fmt chunk of ${bodySize} bytes (needs 40)`);
    }
    if (!matches(b, 26, SUBFORMAT_TAIL)) {
      throw fail(ErrorCode.WAV_UNSUPPORTED_FORMAT, `unsupported WAVE_FORMAT_EXTENSIBLE SubFormat GUID ${guidText(b, 24)}`);
    }
    // 0 means "not given"; a value above the container size is a writer's slip, not a reason to refuse.
    validBits = Math.min(u16(b, 18) || bitsPerSample, bitsPerSample);
    channelMask = u32(b, 20);
    tag = u16(b, 24);
  }
  const format = sampleFormatOf(tag, bitsPerSample, formatTag === FORMAT_EXTENSIBLE, fail);
  const bytes = bytesPerSample(format);
  if (blockAlign !== channels * bytes) {
    throw fail(ErrorCode.WAV_INVALID_HEADER, `blockAlign ${blockAlign} is not ${channels} channels × ${bytes} bytes`);
  }
  return { format, formatTag, channels, sampleRate, bitsPerSample, validBits, blockAlign, extensible: formatTag === FORMAT_EXTENSIBLE, channelMask };
}

function sampleFormatOf(tag: number, bits: number, extensible: boolean, fail: Fail): SampleFormat {
  if (tag === FORMAT_PCM) {
    if (bits === 8) return 'u8';
    if (bits === 16) return 's16';
    if (bits === 24) return 's24';
    if (bits === 32) return 's32';
    throw fail(ErrorCode.WAV_UNSUPPORTED_FORMAT, `unsupported ${bits}-bit integer PCM (8, 16, 24 and 32 are read)`);
  }
  if (tag === FORMAT_IEEE_FLOAT) {
    if (bits === 32) return 'f32';
    if (bits === 64) return 'f64';
    throw fail(ErrorCode.WAV_UNSUPPORTED_FORMAT, `unsupported ${bits}-bit IEEE float (32 and 64 are read)`);
  }
  throw fail(ErrorCode.WAV_UNSUPPORTED_FORMAT, `unsupported ${extensible ? 'SubFormat' : 'format tag'} ${tagName(tag)}`);
}

/** The container's chunk layout: RIFF-style (8-byte headers, 2-byte alignment) or Wave64 (24-byte headers with GUIDs, 8-byte alignment). */
interface Layout {
  readonly container: WavInfo['container'];
  readonly headerBytes: number;
  readonly firstChunk: number;
  /** Reads a chunk header: id, body size (null when the size field says "unknown"), and whether the size is past 2^53 or below the header. */
  readonly header: (b: Uint8Array) => { id: string; size: number | null; bad: string | null };
  /** Offset of the chunk after one whose body of `size` bytes starts at `body`. */
  readonly next: (body: number, size: number) => number;
}

const riffLayout = (container: 'riff' | 'rf64'): Layout => ({
  container,
  headerBytes: 8,
  firstChunk: 12,
  header: (b) => {
    const size = u32(b, 4);
    // 0xFFFFFFFF: "see ds64" in RF64, "unknown" from streaming writers; only the data chunk gives it meaning.
    return { id: text(b, 0, 4), size: size === U32_MAX ? null : size, bad: null };
  },
  next: (body, size) => body + size + (size & 1),
});

const w64Layout: Layout = {
  container: 'w64',
  headerBytes: 24,
  firstChunk: 40,
  header: (b) => {
    const id = w64Id(b, 0);
    const lo = u32(b, 16);
    const hi = u32(b, 20);
    if (hi === U32_MAX && lo === U32_MAX) return { id, size: null, bad: null };
    const total = u64(b, 16);
    if (total === 0) return { id, size: null, bad: null };
    if (total > MAX_SIZE) return { id, size: null, bad: `chunk '${id}' claims ${total} bytes (more than 2^53)` };
    if (total < 24) return { id, size: null, bad: `chunk '${id}' claims ${total} bytes, less than its own 24-byte header` };
    return { id, size: total - 24, bad: null };
  },
  next: (body, size) => body + size + ((8 - ((24 + size) % 8)) % 8),
};

/**
 * The parser: yields read requests, receives the bytes (shorter at the end of the file),
 * returns the checked {@link WavInfo} or throws a {@link WavFormatError}.
 */
function* parseSteps(fileSize: number, name: string): Steps<WavInfo> {
  const fail: Fail = (code, message) => new WavFormatError(code, `${name}: ${message}`);
  /** Up to `length` bytes at `offset`: fewer at the end of the file (or of the bytes given). */
  function* read(offset: number, length: number): Steps<Uint8Array> {
    const n = Math.min(length, fileSize - offset);
    if (n <= 0) return EMPTY;
    return yield { offset, length: n };
  }

  if (fileSize === 0) throw fail(ErrorCode.WAV_NOT_WAVE, 'empty file, not a WAV');
  const head = yield* read(0, 40);
  let layout: Layout;
  if (RIFF_MAGICS.some((magic) => matches(head, 0, magic))) {
    if (!prefixOf(head, 8, WAVE)) throw fail(ErrorCode.WAV_NOT_WAVE, `a RIFF file of form '${text(head, 8, 4)}', not WAVE`);
    if (head.length < 12) throw fail(ErrorCode.WAV_TRUNCATED, `file ends inside the RIFF header (${head.length} bytes)`);
    layout = riffLayout(head[1] === 0x49 ? 'riff' : 'rf64'); // 'RIFF' against 'RF64' and 'BW64'
  } else if (matches(head, 0, W64_RIFF)) {
    if (!prefixOf(head, 24, W64_WAVE)) throw fail(ErrorCode.WAV_NOT_WAVE, 'a Wave64 file whose form is not WAVE');
    if (head.length < 40) throw fail(ErrorCode.WAV_TRUNCATED, `file ends inside the Wave64 header (${head.length} bytes)`);
    layout = w64Layout;
  } else if (matches(head, 0, ascii('RIFX'))) {
    throw fail(ErrorCode.WAV_UNSUPPORTED_FORMAT, 'big-endian RIFX files are not supported');
  } else if ((head.length < 4 && RIFF_MAGICS.some((magic) => prefixOf(head, 0, magic))) || (head.length < 16 && prefixOf(head, 0, W64_RIFF))) {
    throw fail(ErrorCode.WAV_TRUNCATED, `file ends inside the header (${head.length} bytes)`);
  } else {
    throw fail(ErrorCode.WAV_NOT_WAVE, `not a WAV file (starts with ${Array.from(head.subarray(0, 4), (x) => hex(x, 2)).join(' ')})`);
  }
  return yield* walk(layout, fileSize, read, fail);
}

function* walk(
  layout: Layout,
  fileSize: number,
  read: (offset: number, length: number) => Steps<Uint8Array>,
  fail: Fail,
): Steps<WavInfo> {
  const H = layout.headerBytes;
  function* readAll(offset: number, length: number): Steps<Uint8Array> {
    const b = yield* read(offset, length);
    if (b.length < length) throw fail(ErrorCode.WAV_TRUNCATED, `the header runs past the ${offset + b.length} bytes available`);
    return b;
  }
  const chunks: WavChunk[] = [];
  let fmt: Fmt | null = null;
  let ds64Data: number | null = null;
  let pos = layout.firstChunk;
  for (let count = 0; ; count++) {
    if (count >= MAX_CHUNKS_BEFORE_DATA) throw fail(ErrorCode.WAV_INVALID_HEADER, `more than ${MAX_CHUNKS_BEFORE_DATA} chunks before the data chunk`);
    if (pos >= fileSize) {
      throw fail(ErrorCode.WAV_TRUNCATED, `file ends at byte ${fileSize} before the ${fmt === null ? 'fmt and data chunks' : 'data chunk'}`);
    }
    const hb = yield* read(pos, H);
    if (hb.length < H) throw fail(ErrorCode.WAV_TRUNCATED, `file ends inside a chunk header at byte ${pos}`);
    const { id, size, bad } = layout.header(hb);
    if (bad !== null) throw fail(ErrorCode.WAV_INVALID_HEADER, bad);
    const body = pos + H;

    if (id === 'data') {
      if (fmt === null) throw fail(ErrorCode.WAV_INVALID_HEADER, 'data chunk before any fmt chunk');
      let declared = size;
      if (layout.container === 'rf64' && size === null) {
        if (ds64Data === null) throw fail(ErrorCode.WAV_INVALID_HEADER, 'RF64 data chunk of size 0xFFFFFFFF without a ds64 chunk');
        declared = ds64Data;
      }
      const available = fileSize - body;
      let bytes: number;
      let sizeFrom: WavInfo['sizeFrom'];
      if (declared === null || declared === 0) [bytes, sizeFrom] = [available, 'eof'];
      else if (declared > available) [bytes, sizeFrom] = [available, 'clamped'];
      else [bytes, sizeFrom] = [declared, 'header'];
      chunks.push({ id, offset: pos, size: bytes });
      if (sizeFrom === 'header') yield* walkAfterData(layout, fileSize, layout.next(body, bytes), chunks, read);
      const dataBytes = bytes - (bytes % fmt.blockAlign);
      return {
        container: layout.container,
        format: fmt.format,
        channels: fmt.channels,
        sampleRate: fmt.sampleRate,
        bitsPerSample: fmt.bitsPerSample,
        validBits: fmt.validBits,
        formatTag: fmt.formatTag,
        blockAlign: fmt.blockAlign,
        dataOffset: body,
        dataBytes,
        frames: dataBytes / fmt.blockAlign,
        sizeFrom,
        extensible: fmt.extensible,
        channelMask: fmt.channelMask,
        chunks,
      };
    }

    if (size === null) throw fail(ErrorCode.WAV_TRUNCATED, `chunk '${id}' at byte ${pos} claims 0xFFFFFFFF bytes, past the end of the file`);
    if (body + size > fileSize) {
      throw fail(ErrorCode.WAV_TRUNCATED, `file ends inside chunk '${id}' (${size} bytes at byte ${body}) before the data chunk`);
    }
    if (id === 'fmt ' && fmt === null) {
      if (size < 16) throw fail(ErrorCode.WAV_INVALID_HEADER, `fmt chunk of ${size} bytes (at least 16)`);
      fmt = parseFmt(yield* readAll(body, Math.min(size, 40)), size, fail);
    } else if (id === 'ds64' && layout.container === 'rf64') {
      if (size < 28) throw fail(ErrorCode.WAV_INVALID_HEADER, `ds64 chunk of ${size} bytes (at least 28)`);
      const b = yield* readAll(body, 28);
      const [riffSize, dataSize, sampleCount] = [u64(b, 0), u64(b, 8), u64(b, 16)];
      if (Math.max(riffSize, dataSize, sampleCount) > MAX_SIZE) {
        throw fail(ErrorCode.WAV_INVALID_HEADER, `ds64 chunk claims sizes past 2^53 (riff ${riffSize}, data ${dataSize}, samples ${sampleCount})`);
      }
      ds64Data = dataSize;
    }
    chunks.push({ id, offset: pos, size });
    pos = layout.next(body, size);
  }
}

/** Lists the chunks after the data chunk; anything odd there (garbage, a cut-off chunk) just ends the list. */
function* walkAfterData(
  layout: Layout,
  fileSize: number,
  start: number,
  chunks: WavChunk[],
  read: (offset: number, length: number) => Steps<Uint8Array>,
): Steps<void> {
  let pos = start;
  for (let count = 0; count < MAX_CHUNKS_AFTER_DATA && pos + layout.headerBytes <= fileSize; count++) {
    const hb = yield* read(pos, layout.headerBytes);
    if (hb.length < layout.headerBytes) return;
    const { id, size, bad } = layout.header(hb);
    const body = pos + layout.headerBytes;
    if (bad !== null || size === null || body + size > fileSize) return;
    chunks.push({ id, offset: pos, size });
    pos = layout.next(body, size);
  }
}

function checkFileSize(fileSize: number): void {
  if (!Number.isSafeInteger(fileSize) || fileSize < 0) throw new ArgumentError(`fileSize must be a whole number of bytes, got ${fileSize}`);
}

/**
 * Parses a WAV header from the bytes at the start of a file, synchronously.
 * Never reads more than the header from `bytes`, never allocates in proportion to a size the
 * header claims, and ends after at most 4096 chunks.
 *
 * @example
 * const info = parseWavHeaderBytes(await fs.readFile('short.wav'));
 * console.log(info.format, info.channels, info.frames);
 *
 * @param bytes - the file's first bytes: at least the whole header (everything before the samples).
 * @param fileSize - the whole file's size in bytes (default `bytes.length`); the data chunk is checked against it.
 * @param name - how error messages name the file.
 * @returns the checked header; `dataOffset + dataBytes <= fileSize` and `frames × blockAlign === dataBytes`.
 * @throws {WavFormatError} `ERR_WAV_NOT_WAVE`, `ERR_WAV_TRUNCATED` (also when the header runs past
 *   `bytes`), `ERR_WAV_UNSUPPORTED_FORMAT` or `ERR_WAV_INVALID_HEADER`; nothing else for any bytes.
 * @throws {ArgumentError} `ERR_INVALID_ARGUMENT` when `bytes` is not a Uint8Array or `fileSize` is not a byte count.
 */
export function parseWavHeaderBytes(bytes: Uint8Array, fileSize: number = bytes.length, name = 'WAV data'): WavInfo {
  if (!(bytes instanceof Uint8Array)) throw new ArgumentError('parseWavHeaderBytes needs a Uint8Array');
  checkFileSize(fileSize);
  const have = Math.min(bytes.length, fileSize);
  const steps = parseSteps(fileSize, name);
  for (let step = steps.next(); ; ) {
    if (step.done === true) return step.value;
    const { offset, length } = step.value;
    step = steps.next(bytes.subarray(Math.min(offset, have), Math.min(offset + length, have)));
  }
}

/**
 * Reads and checks the header of an open WAV file with positioned reads: one 4 KiB read at the
 * start, then a small read per chunk header beyond it. Never reads the samples.
 *
 * @example
 * const fh = await open('take1.wav', 'r');
 * const info = await readWavInfo(fh, (await fh.stat()).size, 'take1.wav');
 *
 * @param fh - the file, open for reading.
 * @param fileSize - its size in bytes.
 * @param path - its path, for error messages.
 * @throws {WavFormatError} as {@link parseWavHeaderBytes}, with `path` in the message.
 * @throws {FileError} `ERR_FILE_IO` when a read fails.
 */
export async function readWavInfo(fh: FileHandle, fileSize: number, path: string): Promise<WavInfo> {
  checkFileSize(fileSize);
  const prefix = new Uint8Array(Math.min(fileSize, PREFIX_BYTES));
  const have = await readAt(fh, prefix, prefix.length, 0, path);
  const steps = parseSteps(fileSize, path);
  for (let step = steps.next(); ; ) {
    if (step.done === true) return step.value;
    const { offset, length } = step.value;
    if (offset + length <= have) {
      step = steps.next(prefix.subarray(offset, offset + length));
    } else {
      const chunk = new Uint8Array(length); // at most 40 bytes: the parser asks for headers, never bodies
      step = steps.next(chunk.subarray(0, await readAt(fh, chunk, length, offset, path)));
    }
  }
}
