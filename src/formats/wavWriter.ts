/**
 * A streaming WAV writer: appends encoded frames at increasing positions and patches the
 * sizes into the header at close, switching a RIFF file past 4 GiB to RF64 in place.
 */
import { open, unlink, type FileHandle } from 'node:fs/promises';
import { AudioDataError, BufferStateError, CapacityError, ErrorCode } from '../core/errors.js';
import { framesOf } from '../core/frames.js';
import { bytesPerSample, encodeInto, type SampleFormat } from './codecs.js';
import { checkIoMode, fileError, SerialQueue, writeAt, writeAtSync, type IoMode } from './fileIo.js';
import { parseWavHeaderBytes, type WavInfo } from './wavHeader.js';
import { buildWavHeader, type WavContainer, type WavHeaderSpec } from './wavHeaderBuilder.js';
import { U32_MAX } from './wavConstants.js';

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** What {@link WavWriter.create} makes. */
export interface WavWriterOptions {
  /** How samples are stored. */
  readonly format: SampleFormat;
  /** Channels per frame, 1..1024. */
  readonly channels: number;
  /** Frames per second, a whole number. */
  readonly sampleRate: number;
  /**
   * `'auto'` (default): RIFF, turned into RF64 at close when the file passes 4 GiB;
   * `'riff'`: RIFF only (a write that would pass 4 GiB is refused); `'rf64'`: RF64 from the
   * start; `'w64'`: Sony Wave64.
   */
  readonly container?: WavContainer | 'auto';
  /** `'async'` (default) or `'sync'` writes of the samples: see {@link IoMode}. The header is always written asynchronously. */
  readonly io?: IoMode;
}

/** Writes interleaved Float32 frames to a WAV, RF64 or Wave64 file. */
export class WavWriter {
  /** The file being written. */
  readonly path: string;
  readonly #spec: Omit<WavHeaderSpec, 'dataBytes'>;
  readonly #dataOffset: number;
  readonly #blockAlign: number;
  readonly #queue = new SerialQueue();
  /** Only a regular file is deleted on abort: a writer to /dev/null or a FIFO must not unlink the device. */
  readonly #regularFile: boolean;
  readonly #sync: boolean;
  #fh: FileHandle | null;
  #dataBytes = 0;
  /** Bytes accepted by `write` calls, written or queued; what the RIFF limit is checked against. */
  #acceptedBytes = 0;
  #bytes = new Uint8Array(0);
  #state: 'open' | 'closing' | 'closed' | 'aborted' = 'open';
  #closing: Promise<WavInfo> | null = null;

  private constructor(fh: FileHandle, path: string, spec: Omit<WavHeaderSpec, 'dataBytes'>, dataOffset: number, regularFile: boolean, io: IoMode) {
    this.#fh = fh;
    this.#sync = io === 'sync';
    this.#regularFile = regularFile;
    this.path = path;
    this.#spec = spec;
    this.#dataOffset = dataOffset;
    this.#blockAlign = spec.channels * bytesPerSample(spec.format);
  }

  /**
   * Creates (or truncates) `path` and writes a provisional header whose sizes read as "to the end
   * of the file", so a file cut short by a crash still opens with {@link WavReader}.
   *
   * @example
   * const writer = await WavWriter.create('out.wav', { format: 's24', channels: 2, sampleRate: 48000 });
   * await writer.write(block); // interleaved Float32, whole frames
   * const info = await writer.close();
   *
   * @param path - the file to write.
   * @param options - format, channels, sample rate, container and `io` (default `'async'`).
   * @throws {ArgumentError} `ERR_INVALID_ARGUMENT` when an option is out of range.
   * @throws {FileError} `ERR_FILE_NOT_FOUND` when the folder does not exist, `ERR_DISK_FULL`, or `ERR_FILE_IO`.
   */
  static async create(path: string, options: WavWriterOptions): Promise<WavWriter> {
    const spec = {
      format: options.format,
      channels: options.channels,
      sampleRate: options.sampleRate,
      container: options.container ?? 'auto',
    };
    const header = buildWavHeader({ ...spec, dataBytes: null }); // validates the options
    const io = checkIoMode(options.io);
    let fh: FileHandle;
    try {
      fh = await open(path, 'w');
    } catch (error) {
      throw fileError(path, 'creating', error);
    }
    let regularFile = false;
    try {
      regularFile = (await fh.stat()).isFile();
      await writeAt(fh, header.bytes, header.bytes.length, 0, path);
    } catch (error) {
      await fh.close().catch(() => undefined);
      if (regularFile) await unlink(path).catch(() => undefined);
      throw fileError(path, 'creating', error);
    }
    return new WavWriter(fh, path, spec, header.dataOffset, regularFile, io);
  }

  /** Frames accepted so far (written or waiting to be written). */
  get frames(): number {
    return this.#acceptedBytes / this.#blockAlign;
  }

  /**
   * Encodes interleaved frames and appends them to the file, in one positioned write. Calls
   * that overlap are written in call order; leave `interleaved` unchanged until the promise settles.
   * Write in large blocks (1 MiB or more: smaller I/O calls were 3–4× slower here).
   * A failed write is not counted: the next write and `close` carry on from the frames before it.
   *
   * @param interleaved - whole frames, any number of them.
   * @throws {AudioDataError} `ERR_INVALID_AUDIO_DATA` or `ERR_FRAME_MISALIGNED` for data that is not whole Float32 frames.
   * @throws {CapacityError} `ERR_CAPACITY` when a `'riff'` file would pass 4 GiB (nothing is written).
   * @throws {BufferStateError} `ERR_BUFFER_CLOSED` once `close` or `abort` has been called.
   * @throws {FileError} `ERR_DISK_FULL` when the disk is full, `ERR_FILE_IO` for other failures.
   */
  async write(interleaved: Float32Array): Promise<void> {
    // Checked before the first await, so the call order is the file order and a refused call changes nothing.
    framesOf(interleaved, this.#spec.channels);
    this.#checkOpen();
    const length = interleaved.length * bytesPerSample(this.#spec.format);
    const total = this.#acceptedBytes + length;
    if (this.#spec.container === 'riff' && this.#dataOffset - 8 + total + (total & 1) > U32_MAX) {
      throw new CapacityError(`${this.path}: a RIFF file holds at most 4 GiB; use container 'auto', 'rf64' or 'w64'`);
    }
    if (length === 0) return;
    this.#acceptedBytes = total;
    await this.#queue.run(() => this.#write(interleaved, length));
  }

  /**
   * Appends frames already encoded in the file's sample format (for instance by a worker
   * thread): whole frames, written as they are, in one positioned write. Same rules as
   * {@link write}; leave `bytes` unchanged until the promise settles.
   * @throws {AudioDataError} `ERR_FRAME_MISALIGNED` when `bytes` is not whole frames.
   */
  async writeEncoded(bytes: Uint8Array): Promise<void> {
    if (bytes.length % this.#blockAlign !== 0) {
      throw new AudioDataError(ErrorCode.FRAME_MISALIGNED, `${bytes.length} bytes are not whole frames of ${this.#blockAlign} bytes`);
    }
    this.#checkOpen();
    const length = bytes.length;
    const total = this.#acceptedBytes + length;
    if (this.#spec.container === 'riff' && this.#dataOffset - 8 + total + (total & 1) > U32_MAX) {
      throw new CapacityError(`${this.path}: a RIFF file holds at most 4 GiB; use container 'auto', 'rf64' or 'w64'`);
    }
    if (length === 0) return;
    this.#acceptedBytes = total;
    await this.#queue.run(async () => {
      try {
        await this.#writeAt(bytes, length);
        this.#dataBytes += length;
      } catch (error) {
        this.#acceptedBytes -= length;
        throw error;
      }
    });
  }

  async #write(interleaved: Float32Array, length: number): Promise<void> {
    try {
      let bytes: Uint8Array;
      if (this.#spec.format === 'f32' && LITTLE_ENDIAN) {
        // Float32 on a little-endian host is already the file's bytes: no copy.
        bytes = new Uint8Array(interleaved.buffer, interleaved.byteOffset, length);
      } else {
        if (this.#bytes.length < length) this.#bytes = new Uint8Array(length);
        encodeInto(this.#spec.format, interleaved, this.#bytes, interleaved.length);
        bytes = this.#bytes;
      }
      await this.#writeAt(bytes, length);
      this.#dataBytes += length;
    } catch (error) {
      this.#acceptedBytes -= length;
      throw error;
    }
  }

  /** Appends `length` bytes at the end of the data, as the writer's `io` says. */
  async #writeAt(bytes: Uint8Array, length: number): Promise<void> {
    const position = this.#dataOffset + this.#dataBytes;
    if (this.#sync) writeAtSync(this.#fh!, bytes, length, position, this.path);
    else await writeAt(this.#fh!, bytes, length, position, this.path);
  }

  #checkOpen(): void {
    if (this.#state !== 'open') throw new BufferStateError(ErrorCode.BUFFER_CLOSED, `${this.path}: the WavWriter is ${this.#state}`);
  }

  /**
   * Waits for pending writes, patches the final sizes into the header (RIFF becomes RF64 here
   * under `'auto'` when the file passed 4 GiB), adds the pad byte after odd-sized data, and closes
   * the file. Calling it again returns the same info.
   *
   * @returns the header of the finished file, as {@link WavReader} will read it.
   * @throws {BufferStateError} `ERR_BUFFER_CLOSED` after {@link abort}.
   * @throws {FileError} `ERR_DISK_FULL` or `ERR_FILE_IO` when the header cannot be written.
   */
  close(): Promise<WavInfo> {
    if (this.#state === 'aborted') {
      return Promise.reject(new BufferStateError(ErrorCode.BUFFER_CLOSED, `${this.path}: the WavWriter was aborted`));
    }
    this.#closing ??= this.#close();
    return this.#closing;
  }

  async #close(): Promise<WavInfo> {
    this.#state = 'closing';
    await this.#queue.idle();
    const fh = this.#fh!;
    try {
      const layout = buildWavHeader({ ...this.#spec, dataBytes: this.#dataBytes });
      const end = this.#dataOffset + this.#dataBytes;
      if (layout.padBytes > 0) await writeAt(fh, new Uint8Array(layout.padBytes), layout.padBytes, end, this.path);
      await writeAt(fh, layout.bytes, layout.bytes.length, 0, this.path);
      try {
        if (this.#regularFile) await fh.truncate(layout.fileBytes); // drops what a failed write may have left past the end
      } catch (error) {
        throw fileError(this.path, 'truncating', error);
      }
      return parseWavHeaderBytes(layout.bytes, layout.fileBytes, this.path);
    } finally {
      this.#state = 'closed';
      this.#fh = null;
      this.#bytes = new Uint8Array(0);
      await fh.close().catch(() => undefined);
    }
  }

  /**
   * Stops writing, closes and deletes the file (a regular file only: never a device or FIFO),
   * once pending writes have settled. Does nothing
   * once `close` or `abort` has been called; never throws.
   */
  async abort(): Promise<void> {
    if (this.#state !== 'open') return;
    this.#state = 'aborted';
    await this.#queue.idle();
    const fh = this.#fh;
    this.#fh = null;
    this.#bytes = new Uint8Array(0);
    await fh?.close().catch(() => undefined);
    if (this.#regularFile) await unlink(this.path).catch(() => undefined);
  }
}
