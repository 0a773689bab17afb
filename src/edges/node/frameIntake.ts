/**
 * The writing half of every avbuf Node stream: takes raw PCM bytes (cut into whole frames,
 * the rest carried to the next write) or AudioChunk objects, and hands whole interleaved
 * frames to its sink.
 */
import { AudioDataError, ErrorCode } from '../../core/errors.js';
import { framesOf } from '../../core/frames.js';
import { show } from '../../core/validate.js';
import { decodeInto } from '../../formats/codecs.js';
import type { AudioChunk } from '../../streams/chunk.js';
import { releaseChunk } from '../rx/releaseChunk.js';
import { FrameAligner } from './frameAligner.js';
import type { FrameSink } from './frameSink.js';
import { sampleFormatOf } from '../pcmFormat.js';
import type { ResolvedStreamOptions } from './streamOptions.js';

/**
 * Feeds a {@link FrameSink} from what a Writable is given.
 *
 * @example
 * const intake = new FrameIntake(ringSink(ring), resolveStreamOptions({ format: 's16le' }), 2);
 * await intake.write(Buffer.from([0, 64, 0, 192, 0])); // one frame now, one byte carried
 */
export class FrameIntake {
  readonly #sink: FrameSink;
  readonly #options: ResolvedStreamOptions;
  readonly #channels: number;
  readonly #aligner: FrameAligner;
  #floats = new Float32Array(0);
  #finished = false;

  constructor(sink: FrameSink, options: ResolvedStreamOptions, channels: number) {
    this.#sink = sink;
    this.#options = options;
    this.#channels = channels;
    this.#aligner = new FrameAligner(channels * options.bytesPerSample);
  }

  /** Node's `_construct`: opens the sink (a file) if it needs opening. */
  async open(): Promise<void> {
    await this.#sink.open?.();
  }

  /** Takes one written item: bytes in byte mode, an AudioChunk (or interleaved Float32Array) in object mode. */
  async write(chunk: unknown): Promise<void> {
    if (this.#options.objectMode) {
      try {
        const frames = this.#framesOfChunk(chunk);
        if (frames.length > 0) await this.#sink.write(frames);
      } finally {
        // A pooled chunk's block goes back once written (or refused): the sink keeps no view of it.
        if (chunk instanceof Object && (chunk as Partial<AudioChunk>).data instanceof Float32Array) releaseChunk(chunk as AudioChunk);
      }
      return;
    }
    // Node hands a byte-mode _write a Buffer (strings are decoded to one before).
    const whole = this.#aligner.take(chunk as Uint8Array);
    if (whole.length === 0) return;
    if (this.#sink.writeBytes !== undefined) {
      await this.#sink.writeBytes(whole);
      return;
    }
    const samples = whole.length / this.#options.bytesPerSample;
    if (this.#floats.length < samples) this.#floats = new Float32Array(samples);
    decodeInto(sampleFormatOf(this.#options.format), whole, this.#floats, samples);
    await this.#sink.write(this.#floats.subarray(0, samples));
  }

  /**
   * The stream ended: checks that it ended on a frame boundary, then finishes the sink.
   * @throws {AudioDataError} `ERR_FRAME_MISALIGNED` when the bytes stopped inside a frame.
   */
  async final(): Promise<void> {
    this.#aligner.end();
    await this.#sink.finish();
    this.#finished = true;
  }

  /** Node's `_destroy`: aborts the sink unless it finished (a failure or destroy()); never throws. */
  async release(): Promise<void> {
    if (this.#finished) return;
    try {
      await this.#sink.abort();
    } catch {
      // abort() is a best-effort release; the stream already carries the error that matters.
    }
  }

  #framesOfChunk(chunk: unknown): Float32Array {
    const channels = this.#channels;
    if (chunk instanceof Float32Array) {
      framesOf(chunk, channels);
      return chunk;
    }
    if (chunk === null || typeof chunk !== 'object' || !((chunk as Partial<AudioChunk>).data instanceof Float32Array)) {
      throw new AudioDataError(ErrorCode.INVALID_AUDIO_DATA, `expected an AudioChunk or an interleaved Float32Array, got ${show(chunk)}`);
    }
    const { data, frames, channels: chunkChannels } = chunk as AudioChunk;
    if (chunkChannels !== channels) {
      throw new AudioDataError(ErrorCode.CHANNEL_MISMATCH, `a chunk of ${show(chunkChannels)} channels written to a stream of ${channels}`);
    }
    if (!Number.isSafeInteger(frames) || frames < 0 || frames * channels > data.length) {
      throw new AudioDataError(ErrorCode.INVALID_AUDIO_DATA, `a chunk of ${show(frames)} frames does not fit its data of ${data.length} samples`);
    }
    return data.subarray(0, frames * channels);
  }
}
