/**
 * A WAV reader over a byte stream that cannot seek: stdin, a child process's stdout, a socket,
 * a `fetch` body. The header comes from the first bytes (wavStreamHeader.ts); the samples
 * follow as interleaved Float32 chunks, one or more per read, with a frame split across two
 * reads carried over to the next.
 *
 * The samples end where the header says when it declares a size, and at the end of the stream
 * when it does not (a data size of 0 or 0xFFFFFFFF, as ffmpeg writes to a pipe). A stream that
 * ends before a declared size, on a frame boundary, is complete: sox writes a placeholder size
 * (0x7FFFF000) to a pipe, since it cannot seek back to put the real one. What follows the
 * declared samples (a pad byte, trailing chunks) is read and dropped, so a producer that
 * writes them is never cut off by a closed pipe.
 */
import { ArgumentError, BufferStateError, ErrorCode, isAvbufError, WavFormatError } from '../core/errors.js';
import { checkNumber, checkString, show } from '../core/validate.js';
import { decodeInto } from './codecs.js';
import { fileError } from './fileIo.js';
import { readStreamHeader, type WavStreamInfo } from './wavStreamHeader.js';

/** Options of {@link WavStreamReader.open}. */
export interface WavStreamReaderOptions {
  /** Most frames in one chunk the reader yields, a whole number ≥ 1. Default 8192. */
  readonly chunkFrames?: number;
  /** How error messages name the stream. Default `'WAV stream'`. */
  readonly name?: string;
}

/** Frames per yielded chunk unless told: 4096–8192-frame chunks processed fastest here. */
const DEFAULT_CHUNK_FRAMES = 8192;

/** Reads a WAV from a non-seekable byte stream as interleaved Float32 chunks. */
export class WavStreamReader implements AsyncIterable<Float32Array> {
  /** What the header says; `dataBytes` and `frames` are null when the length is unknown. */
  readonly info: WavStreamInfo;
  /** How error messages name the stream. */
  readonly name: string;
  readonly #iterator: AsyncIterator<unknown>;
  readonly #chunkFrames: number;
  #rest: Uint8Array | null;
  #state: 'ready' | 'reading' | 'done' = 'ready';
  #frames = 0;

  private constructor(iterator: AsyncIterator<unknown>, info: WavStreamInfo, rest: Uint8Array, name: string, chunkFrames: number) {
    this.#iterator = iterator;
    this.info = info;
    this.#rest = rest;
    this.name = name;
    this.#chunkFrames = chunkFrames;
  }

  /**
   * Reads the header from the start of a byte stream; the samples are then read by iterating
   * the reader (once).
   *
   * @example
   * const sox = spawn('sox', ['in.flac', '-t', 'wav', '-']);
   * const reader = await WavStreamReader.open(sox.stdout, { name: 'sox' });
   * for await (const frames of reader) process(frames); // interleaved, reader.info.channels per frame
   *
   * @param source - the bytes: a Node `Readable` (not in object or string mode), a WHATWG
   *   `ReadableStream` of bytes, or any async iterable of `Uint8Array`s.
   * @param options - chunk size and the stream's name for messages.
   * @returns the reader, its header read; the source is released if the header is refused.
   * @throws {WavFormatError} `ERR_WAV_NOT_WAVE`, `ERR_WAV_TRUNCATED` (the stream ends inside the
   *   header), `ERR_WAV_UNSUPPORTED_FORMAT` or `ERR_WAV_INVALID_HEADER`.
   * @throws {ArgumentError} `ERR_INVALID_ARGUMENT` when `source` is not async-iterable or yields something other than bytes.
   * @throws {ConfigError} `ERR_INVALID_CONFIG` when an option is out of range.
   * @throws {FileError} `ERR_FILE_IO` when the source fails (its error is the `cause`).
   */
  static async open(source: AsyncIterable<Uint8Array>, options: WavStreamReaderOptions = {}): Promise<WavStreamReader> {
    const chunkFrames = checkNumber('chunkFrames', options.chunkFrames ?? DEFAULT_CHUNK_FRAMES, { min: 1, integer: true });
    const name = checkString('name', options.name ?? 'WAV stream');
    const iterate = (source as Partial<AsyncIterable<Uint8Array>> | null)?.[Symbol.asyncIterator];
    if (typeof iterate !== 'function') throw new ArgumentError(`a WAV stream's source must be async-iterable bytes, got ${show(source)}`);
    const iterator: AsyncIterator<unknown> = iterate.call(source);
    try {
      const { info, rest } = await readStreamHeader(() => pull(iterator, name), name);
      return new WavStreamReader(iterator, info, rest, name, chunkFrames);
    } catch (error) {
      await release(iterator);
      throw error;
    }
  }

  /** Frames yielded so far. */
  get framesRead(): number {
    return this.#frames;
  }

  /**
   * The samples, as interleaved Float32 chunks of whole frames (at most `chunkFrames` each);
   * each chunk is a new array the caller may keep. Leaving the loop early releases the source.
   *
   * @example
   * for await (const frames of reader.frames()) total += frames.length / reader.info.channels;
   *
   * @throws {WavFormatError} `ERR_WAV_TRUNCATED` when the stream ends inside a frame (the whole frames before it were yielded).
   * @throws {BufferStateError} `ERR_BUFFER_CLOSED` when the samples were already read, or the reader closed.
   * @throws {FileError} `ERR_FILE_IO` when the source fails.
   */
  async *frames(): AsyncGenerator<Float32Array, void, undefined> {
    if (this.#state !== 'ready') {
      throw new BufferStateError(ErrorCode.BUFFER_CLOSED, `${this.name}: the samples of a stream can be read once, and the reader is ${this.#state}`);
    }
    this.#state = 'reading';
    const { channels, blockAlign, format } = this.info;
    const carry = new Uint8Array(blockAlign);
    let carried = 0;
    let remaining = this.info.dataBytes ?? Infinity;
    let chunk = this.#rest;
    this.#rest = null;
    let finished = false;
    try {
      while (remaining > 0) {
        chunk ??= await pull(this.#iterator, this.name);
        if (chunk === null) break;
        let bytes = remaining < chunk.length ? chunk.subarray(0, remaining) : chunk;
        chunk = null;
        remaining -= bytes.length;
        // A frame split across reads: complete it from the head of this read.
        let head = 0;
        if (carried > 0) {
          const take = Math.min(blockAlign - carried, bytes.length);
          carry.set(bytes.subarray(0, take), carried);
          carried += take;
          bytes = bytes.subarray(take);
          if (carried === blockAlign) [head, carried] = [1, 0];
        }
        const whole = Math.floor(bytes.length / blockAlign);
        for (let done = 0, from = 0; done < head + whole; ) {
          const n = Math.min(this.#chunkFrames, head + whole - done);
          const out = new Float32Array(n * channels);
          const first = done === 0 ? head : 0;
          if (first === 1) decodeInto(format, carry, out, channels);
          decodeInto(format, bytes.subarray(from), out.subarray(first * channels), (n - first) * channels);
          from += (n - first) * blockAlign;
          done += n;
          this.#frames += n;
          yield out;
        }
        const tail = bytes.length - whole * blockAlign;
        if (tail > 0) {
          carry.set(bytes.subarray(whole * blockAlign), carried);
          carried += tail;
        }
      }
      if (carried > 0) {
        throw new WavFormatError(
          ErrorCode.WAV_TRUNCATED,
          `${this.name}: the stream ends inside a frame (${carried} of ${blockAlign} bytes) after ${this.#frames} frames`,
        );
      }
      if (remaining === 0) while ((await pull(this.#iterator, this.name)) !== null);
      finished = true;
    } finally {
      this.#state = 'done';
      if (!finished) await release(this.#iterator);
    }
  }

  /** The same as {@link frames}: a reader is iterated with `for await`. */
  [Symbol.asyncIterator](): AsyncGenerator<Float32Array, void, undefined> {
    return this.frames();
  }

  /**
   * Releases the source without reading the samples (a Node `Readable` is destroyed). Does
   * nothing once the samples are being read (leave the loop instead) or were read; never throws.
   */
  async close(): Promise<void> {
    if (this.#state !== 'ready') return;
    this.#state = 'done';
    this.#rest = null;
    await release(this.#iterator);
  }
}

/** The source's next chunk, or null at its end; a source failure becomes a typed error. */
async function pull(iterator: AsyncIterator<unknown>, name: string): Promise<Uint8Array | null> {
  let result: IteratorResult<unknown>;
  try {
    result = await iterator.next();
  } catch (error) {
    throw isAvbufError(error) ? error : fileError(name, 'reading', error);
  }
  if (result.done === true) return null;
  if (!(result.value instanceof Uint8Array)) {
    throw new ArgumentError(`${name}: a WAV stream's source must yield Uint8Arrays (Buffers), got ${show(result.value)}`);
  }
  return result.value;
}

async function release(iterator: AsyncIterator<unknown>): Promise<void> {
  try {
    await iterator.return?.();
  } catch {
    // The source failed while being let go: nothing more is read from it either way.
  }
}
