/**
 * The spill file: an append-only log of chunk records that survives a crash.
 *
 *   file   = FILE_MAGIC, u32 header length, msgpackr { v, channels, sampleRate, chunkFrames }
 *   record = RECORD_MAGIC, u32 header length, msgpackr { chunk, frames, bytes, crc, enc, seq }, payload
 *
 * A chunk written again appends a new record; the newest valid record of a chunk wins.
 * Reopening scans the records and keeps every one whose magic, header and CRC-32 check out,
 * stopping at the first that does not (a torn tail left by a crash): what was flushed before
 * the crash comes back bit-exact, and the report says how many bytes were not recoverable.
 */
import { closeSync, fstatSync, fsyncSync, ftruncateSync, openSync, read, readSync, writeSync } from 'node:fs';
import { promisify } from 'node:util';
import { crc32, deflateRawSync, inflateRaw, inflateRawSync } from 'node:zlib';
import { createRequire } from 'node:module';
import type { Packr } from 'msgpackr';
import { ErrorCode, FileError } from '../core/errors.js';

const FILE_MAGIC = Buffer.from('AVBUFSP1', 'latin1');
const RECORD_MAGIC = Buffer.from('AVCK', 'latin1');
const RECORD_PREFIX = RECORD_MAGIC.length + 4;
/** Largest header a record may claim: anything bigger is corruption, not a header. */
const MAX_HEADER = 4096;
/**
 * msgpackr is loaded on first use of a spill file: a streaming buffer over a WAV file
 * (the file job) never needs it (≈1 MiB of RSS and start-up time saved).
 */
let packrInstance: Packr | undefined;
const packr = {
  pack: (value: unknown): Buffer => getPackr().pack(value),
  unpack: (bytes: Uint8Array): unknown => getPackr().unpack(bytes),
};
function getPackr(): Packr {
  if (packrInstance === undefined) {
    const { Packr: PackrClass } = createRequire(import.meta.url)('msgpackr') as typeof import('msgpackr');
    packrInstance = new PackrClass({ useRecords: false });
  }
  return packrInstance;
}
const readAsync = promisify(read);
const inflateAsync = promisify(inflateRaw);

/** How a record's payload is stored. */
export type SpillEncoding = 'raw' | 'deflate';

export interface SpillFileHeader {
  v: 1;
  channels: number;
  sampleRate: number;
  chunkFrames: number;
}

interface RecordHeader {
  chunk: number;
  frames: number;
  bytes: number;
  crc: number;
  enc: SpillEncoding;
  seq: number;
}

interface IndexEntry {
  /** Offset of the payload. */
  offset: number;
  bytes: number;
  frames: number;
  enc: SpillEncoding;
  crc: number;
}

/** One chunk to write: its first `frames` frames, optionally as an already encoded payload. */
export interface SpillRecord {
  chunk: number;
  data: Float32Array;
  frames: number;
  payload?: { bytes: Uint8Array; enc: SpillEncoding };
}

/** What reopening a spill file found. */
export interface SpillRecovery {
  /** Chunks whose newest record checked out. */
  recoveredChunks: number;
  /** Records read and verified (a chunk written twice counts twice). */
  records: number;
  /** Bytes at the end that did not form a valid record (a write cut short by a crash); dropped. */
  lostBytes: number;
}

/**
 * Where a streaming buffer's chunks live: a spill file, or (read-only) a WAV file's data.
 * Chunk `i` holds frames `[i × chunkFrames, (i + 1) × chunkFrames)`, interleaved Float32.
 */
export interface ChunkStore {
  readonly path: string;
  readonly channels: number;
  readonly sampleRate: number;
  readonly chunkFrames: number;
  /** False for a store that cannot take writes (a WAV opened for reading). */
  readonly writable: boolean;
  readonly recovery: SpillRecovery;
  /** Bytes the store takes on disk. */
  readonly size: number;
  /** Write calls made so far. */
  readonly writes: number;
  framesOf(chunk: number): number;
  totalFrames(): number;
  read(chunk: number, into: Float32Array): number;
  readAsync(chunk: number, into: Float32Array): Promise<number>;
  /** Stores that can read any frame range straight into a caller's array (no chunk copy) have this. */
  readFramesAsync?(frame: number, frames: number, into: Float32Array): Promise<number>;
  write(chunk: number, data: Float32Array, frames: number, payload?: { bytes: Uint8Array; enc: SpillEncoding }): void;
  /** Writes several chunks in one go (large I/O); stores that cannot write need not have it. */
  writeMany?(records: ReadonlyArray<SpillRecord>): void;
  sync(): void;
  close(): void;
}

/**
 * One spill file, opened for reading and appending. Synchronous I/O: the streaming buffer
 * calls it on cache misses and evictions, and runs it in Piscina workers for bulk work.
 */
export class SpillFile implements ChunkStore {
  readonly path: string;
  readonly writable = true;
  readonly header: SpillFileHeader;
  readonly recovery: SpillRecovery;
  readonly #fd: number;
  readonly #index = new Map<number, IndexEntry>();
  #end: number;
  #seq = 0;
  #writes = 0;
  #closed = false;

  private constructor(path: string, fd: number, header: SpillFileHeader, end: number, recovery: SpillRecovery) {
    this.path = path;
    this.#fd = fd;
    this.header = header;
    this.#end = end;
    this.recovery = recovery;
  }

  /** Creates (or truncates) a spill file. */
  static create(path: string, header: Omit<SpillFileHeader, 'v'>): SpillFile {
    const fd = openOrThrow(path, 'w+');
    const body = packr.pack({ v: 1, ...header });
    const prefix = Buffer.alloc(FILE_MAGIC.length + 4);
    FILE_MAGIC.copy(prefix, 0);
    prefix.writeUInt32LE(body.length, FILE_MAGIC.length);
    writeAll(fd, path, Buffer.concat([prefix, body]), 0);
    return new SpillFile(path, fd, { v: 1, ...header }, prefix.length + body.length, { recoveredChunks: 0, records: 0, lostBytes: 0 });
  }

  /**
   * Opens an existing spill file, recovering every intact record and cutting off a torn tail.
   * @throws {FileError} `ERR_FILE_NOT_FOUND`; `ERR_SPILL_CORRUPT` when the file header itself is damaged.
   */
  static open(path: string): SpillFile {
    const fd = openOrThrow(path, 'r+');
    try {
      const size = fstatSync(fd).size;
      const head = readAt(fd, path, 0, Math.min(size, FILE_MAGIC.length + 4 + MAX_HEADER));
      if (head.length < FILE_MAGIC.length + 4 || !head.subarray(0, FILE_MAGIC.length).equals(FILE_MAGIC)) {
        throw new FileError(ErrorCode.SPILL_CORRUPT, path, 'not an avbuf spill file (bad magic)');
      }
      const headerLength = head.readUInt32LE(FILE_MAGIC.length);
      const start = FILE_MAGIC.length + 4;
      if (headerLength > MAX_HEADER || start + headerLength > head.length) {
        throw new FileError(ErrorCode.SPILL_CORRUPT, path, 'the spill file header is damaged');
      }
      const header = unpackHeader(head.subarray(start, start + headerLength)) as Partial<SpillFileHeader> | null;
      if (header?.v !== 1 || !isWhole(header.channels, 1) || !isWhole(header.sampleRate, 1) || !isWhole(header.chunkFrames, 1)) {
        throw new FileError(ErrorCode.SPILL_CORRUPT, path, 'the spill file header is damaged');
      }
      const file = new SpillFile(path, fd, header as SpillFileHeader, start + headerLength, { recoveredChunks: 0, records: 0, lostBytes: 0 });
      file.#scan(size);
      return file;
    } catch (error) {
      closeSync(fd);
      throw error;
    }
  }

  get channels(): number {
    return this.header.channels;
  }
  get sampleRate(): number {
    return this.header.sampleRate;
  }
  get chunkFrames(): number {
    return this.header.chunkFrames;
  }

  /** Chunk indices present in the file. */
  chunks(): number[] {
    return [...this.#index.keys()];
  }

  /** Frames stored for `chunk`, or 0 when it has no record. */
  framesOf(chunk: number): number {
    return this.#index.get(chunk)?.frames ?? 0;
  }

  /** Frames from the start to the end of the furthest chunk. */
  totalFrames(): number {
    let end = 0;
    for (const [chunk, entry] of this.#index) end = Math.max(end, chunk * this.header.chunkFrames + entry.frames);
    return end;
  }

  /**
   * Reads chunk `chunk` into `into` (interleaved). Returns frames read (0 when absent).
   * @throws {FileError} `ERR_SPILL_CORRUPT` when the record no longer matches its checksum.
   */
  read(chunk: number, into: Float32Array): number {
    const entry = this.#index.get(chunk);
    if (entry === undefined) return 0;
    const payload = readAt(this.#fd, this.path, entry.offset, entry.bytes);
    if (payload.length !== entry.bytes || crc32(payload) !== entry.crc) {
      throw new FileError(ErrorCode.SPILL_CORRUPT, this.path, `chunk ${chunk} no longer matches its checksum`);
    }
    const raw = entry.enc === 'deflate' ? inflateRawSync(payload) : payload;
    const samples = entry.frames * this.header.channels;
    new Uint8Array(into.buffer, into.byteOffset, samples * 4).set(raw.subarray(0, samples * 4));
    return entry.frames;
  }

  /**
   * Reads chunk `chunk` into `into` without blocking the thread (libuv's pool does the read
   * and any decompression). Resolves to frames read (0 when absent).
   */
  async readAsync(chunk: number, into: Float32Array): Promise<number> {
    const entry = this.#index.get(chunk);
    if (entry === undefined || this.#closed) return 0;
    const payload = Buffer.allocUnsafe(entry.bytes);
    const { bytesRead } = await readAsync(this.#fd, payload, 0, entry.bytes, entry.offset);
    if (bytesRead !== entry.bytes || crc32(payload) !== entry.crc) {
      throw new FileError(ErrorCode.SPILL_CORRUPT, this.path, `chunk ${chunk} no longer matches its checksum`);
    }
    const raw = entry.enc === 'deflate' ? await inflateAsync(payload) : payload;
    const samples = entry.frames * this.header.channels;
    new Uint8Array(into.buffer, into.byteOffset, samples * 4).set(raw.subarray(0, samples * 4));
    return entry.frames;
  }

  /**
   * Appends a record for `chunk` holding the first `frames` frames of `data`.
   * @param payload - an already encoded payload (e.g. compressed in a worker), with its encoding.
   */
  write(chunk: number, data: Float32Array, frames: number, payload?: { bytes: Uint8Array; enc: SpillEncoding }): void {
    this.writeMany([{ chunk, data, frames, ...(payload ? { payload } : {}) }]);
  }

  /**
   * Appends the records of several chunks with one write call: batching dirty chunks into
   * writes of 1 MiB or more (64 KiB writes were 3–4× slower here than 1 MiB).
   */
  writeMany(records: ReadonlyArray<SpillRecord>): void {
    this.#assertOpen();
    const parts: Uint8Array[] = [];
    const entries: Array<[number, IndexEntry]> = [];
    let at = this.#end;
    for (const { chunk, data, frames, payload } of records) {
      const raw = new Uint8Array(data.buffer, data.byteOffset, frames * this.header.channels * 4);
      const body = payload ?? { bytes: raw, enc: 'raw' as const };
      const crc = crc32(body.bytes);
      const header = packr.pack({ chunk, frames, bytes: body.bytes.length, crc, enc: body.enc, seq: ++this.#seq } satisfies RecordHeader);
      const prefix = Buffer.alloc(RECORD_PREFIX);
      RECORD_MAGIC.copy(prefix, 0);
      prefix.writeUInt32LE(header.length, RECORD_MAGIC.length);
      parts.push(prefix, header, body.bytes);
      at += prefix.length + header.length;
      entries.push([chunk, { offset: at, bytes: body.bytes.length, frames, enc: body.enc, crc }]);
      at += body.bytes.length;
    }
    writeAll(this.#fd, this.path, Buffer.concat(parts), this.#end);
    this.#writes++;
    this.#end = at;
    // The index moves only once the bytes are written: a failed write leaves it as it was.
    for (const [chunk, entry] of entries) this.#index.set(chunk, entry);
  }

  /** Forces what was written to the disk: records written before a sync survive a crash. */
  sync(): void {
    this.#assertOpen();
    fsyncSync(this.#fd);
  }

  /** Write calls made so far (each may hold several records). */
  get writes(): number {
    return this.#writes;
  }

  /** Bytes the file takes (records of rewritten chunks included). */
  get size(): number {
    return this.#end;
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    closeSync(this.#fd);
  }

  #scan(size: number): void {
    let at = this.#end;
    let records = 0;
    const prefix = Buffer.alloc(RECORD_PREFIX);
    while (at + RECORD_PREFIX <= size) {
      if (readSync(this.#fd, prefix, 0, RECORD_PREFIX, at) !== RECORD_PREFIX || !prefix.subarray(0, 4).equals(RECORD_MAGIC)) break;
      const headerLength = prefix.readUInt32LE(4);
      if (headerLength > MAX_HEADER || at + RECORD_PREFIX + headerLength > size) break;
      const header = unpackHeader(readAt(this.#fd, this.path, at + RECORD_PREFIX, headerLength)) as Partial<RecordHeader> | null;
      if (
        header === null ||
        !isWhole(header.chunk, 0) ||
        !isWhole(header.frames, 0) ||
        !isWhole(header.bytes, 0) ||
        typeof header.crc !== 'number' ||
        (header.enc !== 'raw' && header.enc !== 'deflate')
      ) {
        break;
      }
      const offset = at + RECORD_PREFIX + headerLength;
      if (offset + header.bytes! > size) break;
      const payload = readAt(this.#fd, this.path, offset, header.bytes!);
      if (crc32(payload) !== header.crc) break;
      this.#index.set(header.chunk!, { offset, bytes: header.bytes!, frames: header.frames!, enc: header.enc, crc: header.crc });
      this.#seq = Math.max(this.#seq, header.seq ?? 0);
      records++;
      at = offset + header.bytes!;
    }
    // A torn tail is cut off so new records follow the last good one.
    if (at < size) ftruncateSync(this.#fd, at);
    this.#end = at;
    (this as { recovery: SpillRecovery }).recovery = { recoveredChunks: this.#index.size, records, lostBytes: size - at };
  }

  #assertOpen(): void {
    if (this.#closed) throw new FileError(ErrorCode.FILE_IO, this.path, 'the spill file is closed');
  }
}

/** Compresses a chunk payload (in a worker, or inline). */
export function deflateChunk(raw: Uint8Array): Uint8Array {
  return deflateRawSync(raw, { level: 1 });
}

function unpackHeader(bytes: Uint8Array): unknown {
  try {
    return packr.unpack(bytes);
  } catch {
    return null;
  }
}

function isWhole(value: unknown, min: number): boolean {
  return typeof value === 'number' && Number.isInteger(value) && value >= min;
}

function openOrThrow(path: string, flags: string): number {
  try {
    return openSync(path, flags);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new FileError(code === 'ENOENT' ? ErrorCode.FILE_NOT_FOUND : ErrorCode.FILE_IO, path, `cannot open: ${(error as Error).message}`, {
      cause: error,
    });
  }
}

function readAt(fd: number, path: string, position: number, length: number): Buffer {
  const buffer = Buffer.allocUnsafe(length);
  let done = 0;
  try {
    while (done < length) {
      const n = readSync(fd, buffer, done, length - done, position + done);
      if (n === 0) break;
      done += n;
    }
  } catch (error) {
    throw new FileError(ErrorCode.FILE_IO, path, `read failed: ${(error as Error).message}`, { cause: error });
  }
  return done === length ? buffer : buffer.subarray(0, done);
}

function writeAll(fd: number, path: string, bytes: Uint8Array, position: number): void {
  let done = 0;
  try {
    while (done < bytes.length) done += writeSync(fd, bytes, done, bytes.length - done, position + done);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new FileError(code === 'ENOSPC' ? ErrorCode.DISK_FULL : ErrorCode.FILE_IO, path, `write failed: ${(error as Error).message}`, {
      cause: error,
    });
  }
}
