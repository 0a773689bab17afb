/**
 * The reading half of every avbuf Node stream: pulls a chunk of frames from its source and
 * hands it out as raw PCM bytes (a new Buffer each time: Node keeps what was pushed) or as an
 * {@link AudioChunk} (a new block each time, for the same reason).
 */
import type { Readable } from 'node:stream';
import { encodeInto } from '../../formats/codecs.js';
import type { PoolBlock } from '../../buffers/pool.js';
import { ArgumentError } from '../../core/errors.js';
import type { AudioChunk } from '../../streams/chunk.js';
import type { BlockChunk, BlockLease } from '../rx/releaseChunk.js';
import type { FrameLayout, FrameSource } from './frameSource.js';
import { sampleFormatOf } from '../pcmFormat.js';
import type { ResolvedStreamOptions } from './streamOptions.js';

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/**
 * A Float32Array of `length` whose memory is not zeroed first: every chunk gets its own block
 * (Node keeps what was pushed), and the source overwrites the frames it reports, so zeroing
 * them was pure cost (about a tenth of an object-mode pipeline's CPU time, bench/streams.ts).
 */
function uninitialisedFloats(length: number): Float32Array {
  const bytes = Buffer.allocUnsafeSlow(length * 4);
  return new Float32Array(bytes.buffer, bytes.byteOffset, length);
}

/** A pooled chunk's hold on its block: given back once, by whoever is done with the chunk last. */
class Lease implements BlockLease {
  released = false;
  constructor(
    readonly block: PoolBlock,
    private readonly pool: { release(block: PoolBlock): void },
  ) {}

  release(): void {
    if (this.released) return;
    this.released = true;
    this.pool.release(this.block);
  }
}

/**
 * Turns a {@link FrameSource} into the items a Readable pushes.
 *
 * @example
 * const outlet = new FrameOutlet(bufferSource(buffer, 0), resolveStreamOptions({ objectMode: true }));
 * await outlet.open();
 * const chunk = await outlet.next(); // an AudioChunk, or null at the end
 */
export class FrameOutlet {
  readonly #source: FrameSource;
  readonly #options: ResolvedStreamOptions;
  #layout: FrameLayout | null = null;
  /** Byte mode reads into one block and encodes from it. */
  #block = new Float32Array(0);
  #pulling = false;

  constructor(source: FrameSource, options: ResolvedStreamOptions) {
    this.#source = source;
    this.#options = options;
  }

  /** Opens the source; must be called (and settled) before {@link next}. */
  async open(): Promise<FrameLayout> {
    const layout = await this.#source.open();
    const pool = this.#options.pool;
    if (pool !== undefined) {
      const { blockFrames, channels } = pool.stats();
      if (blockFrames * channels < this.#options.chunkFrames * layout.channels) {
        throw new ArgumentError(
          `pool: a block of ${blockFrames} × ${channels} samples cannot hold a chunk of ${this.#options.chunkFrames} frames of ${layout.channels} channels`,
        );
      }
    }
    this.#layout = layout;
    return layout;
  }

  /** The next chunk as bytes or as an AudioChunk; null at the end of the source. */
  async next(): Promise<Buffer | AudioChunk | null> {
    const { channels, sampleRate } = this.#layout!;
    const { chunkFrames, objectMode, format, bytesPerSample } = this.#options;
    const position = this.#source.position();
    if (objectMode && this.#options.pool !== undefined) return await this.#nextPooled(position);
    if (objectMode) {
      const block = uninitialisedFloats(chunkFrames * channels);
      const frames = await this.#source.pull(block);
      if (frames === 0) return null;
      const data = frames === chunkFrames ? block : block.slice(0, frames * channels);
      return { data, frames, channels, sampleRate, position };
    }
    if (format === 'f32le' && LITTLE_ENDIAN) {
      // f32le is the memory layout: the frames are read straight into the bytes pushed.
      const bytes = Buffer.allocUnsafeSlow(chunkFrames * channels * 4);
      const frames = await this.#source.pull(new Float32Array(bytes.buffer, bytes.byteOffset, chunkFrames * channels));
      if (frames === 0) return null;
      // A short last chunk: the tail past its frames is zeroed, so no stale memory rides along in `.buffer`.
      return frames === chunkFrames ? bytes : bytes.fill(0, frames * channels * 4).subarray(0, frames * channels * 4);
    }
    if (this.#block.length !== chunkFrames * channels) this.#block = new Float32Array(chunkFrames * channels);
    const frames = await this.#source.pull(this.#block);
    if (frames === 0) return null;
    const samples = frames * channels;
    const bytes = Buffer.allocUnsafe(samples * bytesPerSample);
    encodeInto(sampleFormatOf(format), this.#block, bytes, samples);
    return bytes;
  }

  /** An AudioChunk read into a block of the pool, which travels with it as its lease. */
  async #nextPooled(position: number): Promise<BlockChunk | null> {
    const { channels, sampleRate } = this.#layout!;
    const { chunkFrames, pool, signal } = this.#options;
    const block = pool!.tryAcquire() ?? (await pool!.acquireAsync(signal === undefined ? {} : { signal }));
    let frames: number;
    try {
      frames = await this.#source.pull(block.data.subarray(0, chunkFrames * channels));
    } catch (error) {
      pool!.release(block);
      throw error;
    }
    if (frames === 0) {
      pool!.release(block);
      return null;
    }
    return { data: block.data.subarray(0, frames * channels), frames, channels, sampleRate, position, lease: new Lease(block, pool!) };
  }

  /**
   * Node's `_read`: pulls the next chunk and pushes it into `stream` (the end as null). One
   * pull at a time: Node may ask again before the last one settled. A failure destroys the stream.
   */
  pushNext(stream: Readable): void {
    if (this.#pulling) return;
    this.#pulling = true;
    this.next().then(
      (item) => {
        this.#pulling = false;
        if (!stream.destroyed) stream.push(item);
      },
      (error: unknown) => {
        this.#pulling = false;
        stream.destroy(error as Error); // sources reject with AvbufErrors
      },
    );
  }

  /** Lets go of the source; once. */
  release(): Promise<void> | void {
    return this.#source.release();
  }
}
