/**
 * A positioned WAV reader for files of any size: the header is read once at open, then each
 * `read` is one positioned read of whole frames, decoded to Float32 into the caller's array.
 */
import { open, type FileHandle } from 'node:fs/promises';
import { ArgumentError, BufferStateError, ErrorCode } from '../core/errors.js';
import { show } from '../core/validate.js';
import { decodeInto } from './codecs.js';
import { checkIoMode, fileError, readAt, readAtSync, SerialQueue, type IoMode } from './fileIo.js';
import { readWavInfo, type WavInfo } from './wavHeader.js';

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** Options of {@link WavReader.open}. */
export interface WavReaderOptions {
  /** `'async'` (default) or `'sync'` reads of the samples: see {@link IoMode}. The header is always read asynchronously. */
  readonly io?: IoMode;
}

/** Reads the frames of a WAV, RF64 or Wave64 file as interleaved Float32. */
export class WavReader {
  /** The checked header. */
  readonly info: WavInfo;
  /** The path the file was opened from. */
  readonly path: string;
  #fh: FileHandle | null;
  #bytes = new Uint8Array(0);
  readonly #queue = new SerialQueue();
  readonly #sync: boolean;

  private constructor(fh: FileHandle, path: string, info: WavInfo, io: IoMode) {
    this.#fh = fh;
    this.#sync = io === 'sync';
    this.path = path;
    this.info = info;
  }

  /**
   * Opens a WAV file and reads its header (never its samples).
   *
   * @example
   * const reader = await WavReader.open('take1.wav');
   * const block = new Float32Array(8192 * reader.info.channels);
   * for (let at = 0, n; (n = await reader.read(block, at)) > 0; at += n) process(block.subarray(0, n * reader.info.channels));
   * await reader.close();
   *
   * @param path - the file to read.
   * @param options - `io`: how the samples are read (default `'async'`).
   * @throws {ArgumentError} `ERR_INVALID_ARGUMENT` for a bad option.
   * @throws {FileError} `ERR_FILE_NOT_FOUND` when there is no such file, `ERR_FILE_IO` when it cannot be opened or read.
   * @throws {WavFormatError} when it is not a WAV file this library reads (codes as for `parseWavHeaderBytes`).
   */
  static async open(path: string, options: WavReaderOptions = {}): Promise<WavReader> {
    const io = checkIoMode(options.io);
    let fh: FileHandle;
    try {
      fh = await open(path, 'r');
    } catch (error) {
      throw fileError(path, 'opening', error);
    }
    try {
      let size: number;
      try {
        size = (await fh.stat()).size;
      } catch (error) {
        throw fileError(path, 'stat', error);
      }
      return new WavReader(fh, path, await readWavInfo(fh, size, path), io);
    } catch (error) {
      await fh.close().catch(() => undefined);
      throw error;
    }
  }

  /**
   * Reads up to `target.length / channels` frames from frame `frameOffset` into `target`, as
   * interleaved Float32; fewer at the end of the data. One positioned read per call into a byte
   * buffer the reader keeps (it grows to the largest request). Overlapping calls run in turn.
   *
   * @example
   * const frames = await reader.read(block, 48000); // from one second in, at 48 kHz
   *
   * @param target - receives `frames × channels` samples from index 0; the rest is left as it was.
   * @param frameOffset - the first frame to read, 0-based; at or past the end the call returns 0.
   * @returns the frames read.
   * @throws {ArgumentError} `ERR_INVALID_ARGUMENT` when `target` is not a Float32Array or `frameOffset` not a frame index.
   * @throws {BufferStateError} `ERR_BUFFER_CLOSED` after {@link close}.
   * @throws {FileError} `ERR_FILE_IO` when the read fails.
   */
  async read(target: Float32Array, frameOffset: number): Promise<number> {
    if (!(target instanceof Float32Array)) throw new ArgumentError(`read target must be a Float32Array, got ${show(target)}`);
    if (!Number.isSafeInteger(frameOffset) || frameOffset < 0) {
      throw new ArgumentError(`frameOffset must be a whole number ≥ 0, got ${show(frameOffset)}`);
    }
    return await this.#queue.run(() => this.#read(target, frameOffset));
  }

  async #read(target: Float32Array, frameOffset: number): Promise<number> {
    const fh = this.#fh;
    if (fh === null) throw new BufferStateError(ErrorCode.BUFFER_CLOSED, `${this.path}: the WavReader is closed`);
    const { channels, blockAlign, frames, dataOffset, format } = this.info;
    const wanted = Math.min(Math.floor(target.length / channels), Math.max(0, frames - frameOffset));
    if (wanted === 0) return 0;
    const length = wanted * blockAlign;
    const position = dataOffset + frameOffset * blockAlign;
    if (format === 'f32' && LITTLE_ENDIAN) {
      // Float32 on a little-endian host: the file's bytes are the samples, read straight into `target`.
      const into = new Uint8Array(target.buffer, target.byteOffset, length);
      const got = this.#sync ? readAtSync(fh, into, length, position, this.path) : await readAt(fh, into, length, position, this.path);
      return Math.floor(got / blockAlign); // short only when the file shrank since open
    }
    if (this.#bytes.length < length) this.#bytes = new Uint8Array(length);
    const got = this.#sync ? readAtSync(fh, this.#bytes, length, position, this.path) : await readAt(fh, this.#bytes, length, position, this.path);
    const n = Math.floor(got / blockAlign);
    decodeInto(format, this.#bytes, target, n * channels);
    return n;
  }

  /**
   * Closes the file once pending reads have finished. Calling it again does nothing.
   *
   * @throws {FileError} `ERR_FILE_IO` when the system refuses to close the file.
   */
  async close(): Promise<void> {
    await this.#queue.idle();
    const fh = this.#fh;
    if (fh === null) return;
    this.#fh = null;
    this.#bytes = new Uint8Array(0);
    try {
      await fh.close();
    } catch (error) {
      throw fileError(this.path, 'closing', error);
    }
  }
}
