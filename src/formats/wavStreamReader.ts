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
import { AbortError, ArgumentError, BufferStateError, ErrorCode, isAvbufError, WavFormatError } from '../core/errors.js';
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
  /** The first bytes of the samples, read with the header; null once taken. */
  #rest: Uint8Array | null;
  /** 'frames' while a `frames()` loop reads, 'into' once `readInto` was called. */
  #state: 'ready' | 'frames' | 'into' | 'done' = 'ready';
  /** A `readInto` has not settled. */
  #busy = false;
  #frames = 0;
  /** Sample bytes still due by the header's size (Infinity: to the end of the stream). */
  #remaining: number;
  /** What is left of the last read: whole frames first, maybe part of one at the end. */
  #bytes: Uint8Array | null = null;
  /** A frame split across reads, being put together; whole once `#carried` is a frame's bytes. */
  readonly #carry: Uint8Array;
  #carried = 0;
  /**
   * Where misaligned f32 bytes are moved before they go into shared memory: ffmpeg's pipe header
   * is 102 bytes, so its samples sit 2 bytes off a 4-byte boundary, and V8 copies such bytes into
   * a SharedArrayBuffer one at a time (about 7× slower here than an aligned Float32 copy).
   */
  #scratch = new Uint8Array(0);

  private constructor(iterator: AsyncIterator<unknown>, info: WavStreamInfo, rest: Uint8Array, name: string, chunkFrames: number) {
    this.#iterator = iterator;
    this.info = info;
    this.#rest = rest;
    this.name = name;
    this.#chunkFrames = chunkFrames;
    this.#remaining = info.dataBytes ?? Infinity;
    this.#carry = new Uint8Array(info.blockAlign);
  }

  /**
   * Reads the header from the start of a byte stream; the samples are then read by iterating
   * the reader (once), or with {@link readInto}.
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
    this.#begin('frames');
    const channels = this.info.channels;
    let finished = false;
    try {
      for (let atHand = await this.#fill(); atHand > 0; atHand = await this.#fill()) {
        const n = Math.min(this.#chunkFrames, atHand);
        const out = new Float32Array(n * channels);
        this.#decode(out, n);
        yield out;
      }
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
   * Decodes the next frames straight into `target`, with no chunk of its own in between: the
   * frames left of the stream's last read, or, when none are, of the next read; as many as fit
   * `target` (`chunkFrames` does not apply). One call at a time; once called, the samples are
   * read this way only, and {@link close} lets the source go.
   *
   * @example
   * const block = new Float32Array(8192 * reader.info.channels);
   * for (let n = await reader.readInto(block); n > 0; n = await reader.readInto(block)) consume(block.subarray(0, n * reader.info.channels));
   *
   * @param target - where the frames go, interleaved from its start; room for at least one frame.
   * @param signal - rejects the call at once with `ERR_ABORTED` when aborted (nothing is written
   *   into `target` then, even when the bytes come later); the reader is done after that.
   * @returns the frames decoded into `target`; 0 at the end of the samples.
   * @throws {ArgumentError} `ERR_INVALID_ARGUMENT` when `target` is not a Float32Array with room for a frame.
   * @throws {BufferStateError} `ERR_BUFFER_CLOSED` while another call is pending, after `frames()`, or once the reader is done.
   * @throws {WavFormatError} `ERR_WAV_TRUNCATED` when the stream ends inside a frame (the whole frames before it were read).
   * @throws {FileError} `ERR_FILE_IO` when the source fails; the source is released after any error.
   */
  async readInto(target: Float32Array, signal?: AbortSignal): Promise<number> {
    const channels = this.info.channels;
    if (!(target instanceof Float32Array) || target.length < channels) {
      throw new ArgumentError(`${this.name}: readInto needs a Float32Array with room for a frame of ${channels} samples, got ${show(target)}`);
    }
    if (this.#busy) throw new BufferStateError(ErrorCode.BUFFER_CLOSED, `${this.name}: readInto is already waiting for bytes`);
    if (this.#state !== 'into') this.#begin('into');
    this.#busy = true;
    try {
      const atHand = await (signal === undefined ? this.#fill() : untilAborted(this.#fill(), signal, this.name));
      if (atHand === 0) this.#state = 'done';
      const n = Math.min(Math.floor(target.length / channels), atHand);
      if (n > 0) this.#decode(target, n);
      return n;
    } catch (error) {
      this.#state = 'done';
      this.#rest = this.#bytes = null;
      const releasing = release(this.#iterator);
      // Aborted: the read may still wait for bytes, and the source goes once it has them.
      if (signal?.aborted !== true) await releasing;
      throw error;
    } finally {
      this.#busy = false;
    }
  }

  /**
   * Releases the source without reading (more of) the samples (a Node `Readable` is
   * destroyed). Does nothing while a `frames()` loop reads (leave the loop instead) or once the
   * samples were read; never throws. A `readInto` waiting for bytes holds the source until they
   * come: destroy a Node stream to end that wait.
   */
  async close(): Promise<void> {
    if (this.#state !== 'ready' && this.#state !== 'into') return;
    this.#state = 'done';
    this.#rest = this.#bytes = null;
    await release(this.#iterator);
  }

  #begin(mode: 'frames' | 'into'): void {
    if (this.#state !== 'ready') {
      const how = this.#state === 'done' ? 'done' : 'reading';
      throw new BufferStateError(ErrorCode.BUFFER_CLOSED, `${this.name}: the samples of a stream can be read once, and the reader is ${how}`);
    }
    this.#state = mode;
  }

  /** Whole frames at hand without reading: a frame put together across reads, then the last read's. */
  #atHand(): number {
    const blockAlign = this.info.blockAlign;
    return (this.#carried === blockAlign ? 1 : 0) + (this.#bytes === null ? 0 : Math.floor(this.#bytes.length / blockAlign));
  }

  /**
   * Reads until whole frames are at hand; resolves to how many, 0 at the end of the samples
   * (after reading and dropping what follows a declared size, so the producer is not cut off).
   */
  async #fill(): Promise<number> {
    const blockAlign = this.info.blockAlign;
    for (;;) {
      const atHand = this.#atHand();
      if (atHand > 0) return atHand;
      // Less than a frame is left of the last read: it starts the next frame.
      if (this.#bytes !== null) {
        this.#carry.set(this.#bytes, this.#carried);
        this.#carried += this.#bytes.length;
        this.#bytes = null;
      }
      let chunk: Uint8Array | null = null;
      if (this.#remaining > 0) {
        chunk = this.#rest ?? (await pull(this.#iterator, this.name));
        this.#rest = null;
      }
      if (chunk === null) {
        if (this.#carried > 0) {
          throw new WavFormatError(
            ErrorCode.WAV_TRUNCATED,
            `${this.name}: the stream ends inside a frame (${this.#carried} of ${blockAlign} bytes) after ${this.#frames} frames`,
          );
        }
        if (this.#remaining === 0) while ((await pull(this.#iterator, this.name)) !== null);
        return 0;
      }
      let bytes = this.#remaining < chunk.length ? chunk.subarray(0, this.#remaining) : chunk;
      this.#remaining -= bytes.length;
      if (this.#carried > 0) {
        // A frame split across reads: complete it from the head of this read.
        const take = Math.min(blockAlign - this.#carried, bytes.length);
        this.#carry.set(bytes.subarray(0, take), this.#carried);
        this.#carried += take;
        bytes = bytes.subarray(take);
      }
      this.#bytes = bytes;
    }
  }

  /** Decodes the first `n` frames at hand (n ≤ {@link #atHand}) into `target`. */
  #decode(target: Float32Array, n: number): void {
    const { channels, blockAlign, format } = this.info;
    let first = 0;
    if (this.#carried === blockAlign) {
      decodeInto(format, this.#carry, target, channels);
      this.#carried = 0;
      first = 1;
    }
    if (n > first) {
      const bytes = this.#bytes!;
      const length = (n - first) * blockAlign;
      decodeInto(format, this.#alignedFor(target, bytes, length), target.subarray(first * channels), (n - first) * channels);
      this.#bytes = bytes.subarray(length);
    }
    this.#frames += n;
  }

  /** `bytes`, or their first `length` copied to 4-byte-aligned memory when floats go misaligned into shared memory. */
  #alignedFor(target: Float32Array, bytes: Uint8Array, length: number): Uint8Array {
    if (this.info.format !== 'f32' || bytes.byteOffset % 4 === 0 || !(target.buffer instanceof SharedArrayBuffer)) return bytes;
    if (this.#scratch.length < length) this.#scratch = new Uint8Array(length);
    this.#scratch.set(bytes.subarray(0, length));
    return this.#scratch;
  }
}

/** `pending`, or an `ERR_ABORTED` rejection as soon as `signal` aborts (`pending` then settles unseen). */
async function untilAborted<T>(pending: Promise<T>, signal: AbortSignal, name: string): Promise<T> {
  const aborted = (): AbortError => new AbortError(`${name}: the source was aborted`);
  if (signal.aborted) {
    pending.catch(() => undefined);
    throw aborted();
  }
  let onAbort = (): void => undefined;
  const stopped = new Promise<never>((_, reject) => {
    onAbort = () => reject(aborted());
    signal.addEventListener('abort', onAbort, { once: true });
  });
  try {
    return await Promise.race([pending, stopped]);
  } finally {
    signal.removeEventListener('abort', onAbort);
    pending.catch(() => undefined);
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
