/**
 * A read-only chunk store over a WAV file's data: chunk `i` is read with one positioned
 * read and decoded to Float32 (any sample format the reader knows).
 */
import { closeSync, fstatSync, openSync, read, readSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { promisify } from 'node:util';
import { ErrorCode, FileError, UnsupportedOperationError } from '../core/errors.js';
import { decodeInto } from '../formats/codecs.js';
import { readWavInfo, type WavInfo } from '../formats/wavHeader.js';
import type { ChunkStore, SpillRecovery } from './spill.js';
import { runCodec } from '../workers/pool.js';

const readAsync = promisify(read);
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
/** Below this a worker round trip (≈0.1 ms) costs more than decoding on the spot. */
const WORKER_MIN_BYTES = 256 * 1024;
const NOTHING_RECOVERED: SpillRecovery = Object.freeze({ recoveredChunks: 0, records: 0, lostBytes: 0 });

export class WavChunkStore implements ChunkStore {
  readonly path: string;
  readonly info: WavInfo;
  readonly chunkFrames: number;
  readonly writable = false;
  readonly writes = 0;
  readonly recovery = NOTHING_RECOVERED;
  readonly size: number;
  readonly #fd: number;
  /** Bytes of one chunk, reused by every synchronous read. */
  readonly #bytes: Uint8Array;
  #closed = false;

  private constructor(path: string, fd: number, info: WavInfo, chunkFrames: number, size: number) {
    this.path = path;
    this.#fd = fd;
    this.info = info;
    this.chunkFrames = chunkFrames;
    this.size = size;
    this.#bytes = new Uint8Array(chunkFrames * info.blockAlign);
  }

  /** Opens `path` and reads its header. */
  static async open(path: string, chunkFrames: number): Promise<WavChunkStore> {
    let fh;
    try {
      fh = await open(path, 'r');
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      throw new FileError(code === 'ENOENT' ? ErrorCode.FILE_NOT_FOUND : ErrorCode.FILE_IO, path, `cannot open: ${(error as Error).message}`, {
        cause: error,
      });
    }
    try {
      const size = (await fh.stat()).size;
      const info = await readWavInfo(fh, size, path);
      const fd = openSync(path, 'r');
      return new WavChunkStore(path, fd, info, chunkFrames, fstatSync(fd).size);
    } finally {
      await fh.close();
    }
  }

  get channels(): number {
    return this.info.channels;
  }
  get sampleRate(): number {
    return this.info.sampleRate;
  }

  framesOf(chunk: number): number {
    return Math.max(0, Math.min(this.chunkFrames, this.info.frames - chunk * this.chunkFrames));
  }

  totalFrames(): number {
    return this.info.frames;
  }

  read(chunk: number, into: Float32Array): number {
    const frames = this.framesOf(chunk);
    if (frames === 0) return 0;
    const length = frames * this.info.blockAlign;
    const position = this.info.dataOffset + chunk * this.chunkFrames * this.info.blockAlign;
    let done = 0;
    try {
      while (done < length) {
        const n = readSync(this.#fd, this.#bytes, done, length - done, position + done);
        if (n === 0) break;
        done += n;
      }
    } catch (error) {
      throw new FileError(ErrorCode.FILE_IO, this.path, `read failed: ${(error as Error).message}`, { cause: error });
    }
    if (done < length) throw new FileError(ErrorCode.FILE_IO, this.path, 'the file is shorter than its header says (was it truncated while open?)');
    decodeInto(this.info.format, this.#bytes, into, frames * this.info.channels);
    return frames;
  }

  async readAsync(chunk: number, into: Float32Array): Promise<number> {
    const frames = this.framesOf(chunk);
    if (frames === 0 || this.#closed) return 0;
    const length = frames * this.info.blockAlign;
    const bytes = new Uint8Array(length);
    const position = this.info.dataOffset + chunk * this.chunkFrames * this.info.blockAlign;
    const { bytesRead } = await readAsync(this.#fd, bytes, 0, length, position);
    if (bytesRead < length) throw new FileError(ErrorCode.FILE_IO, this.path, 'short read');
    decodeInto(this.info.format, bytes, into, frames * this.info.channels);
    return frames;
  }

  /**
   * Reads frames `[frame, frame + frames)` straight into `into`. Float32 data goes from the
   * disk into `into`'s own bytes with no copy at all; other formats are decoded from a scratch buffer.
   */
  async readFramesAsync(frame: number, frames: number, into: Float32Array): Promise<number> {
    const n = Math.max(0, Math.min(frames, this.info.frames - frame));
    if (n === 0 || this.#closed) return 0;
    const length = n * this.info.blockAlign;
    const direct = this.info.format === 'f32' && LITTLE_ENDIAN;
    // Large conversions into shared memory go to a worker thread, which decodes in place.
    const inWorker = !direct && into.buffer instanceof SharedArrayBuffer && length >= WORKER_MIN_BYTES;
    const bytes = direct
      ? new Uint8Array(into.buffer, into.byteOffset, length)
      : inWorker
        ? new Uint8Array(new SharedArrayBuffer(length))
        : new Uint8Array(length);
    const position = this.info.dataOffset + frame * this.info.blockAlign;
    let done = 0;
    while (done < length) {
      const { bytesRead } = await readAsync(this.#fd, bytes, done, length - done, position + done);
      if (bytesRead === 0) throw new FileError(ErrorCode.FILE_IO, this.path, 'the file is shorter than its header says');
      done += bytesRead;
    }
    if (inWorker) {
      await runCodec({
        op: 'decode',
        format: this.info.format,
        bytes: bytes.buffer as SharedArrayBuffer,
        bytesOffset: 0,
        bytesLength: length,
        floats: into.buffer,
        floatsOffset: into.byteOffset,
        samples: n * this.info.channels,
      });
    } else if (!direct) decodeInto(this.info.format, bytes, into, n * this.info.channels);
    return n;
  }

  write(): void {
    throw new UnsupportedOperationError(`${this.path} is open read-only`);
  }

  sync(): void {
    // nothing is ever written
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    closeSync(this.#fd);
  }
}
