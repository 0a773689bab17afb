/**
 * Cuts a byte stream into whole frames. Pipes deliver bytes in chunks of any size (a chunk
 * may end mid-sample or mid-frame); the bytes of an unfinished frame are carried over to the
 * next chunk, so every frame reaches the sink whole and in order.
 */
import { AudioDataError, ErrorCode } from '../../core/errors.js';

/**
 * Turns chunks of bytes into runs of whole frames, carrying the rest to the next chunk.
 *
 * @example
 * const aligner = new FrameAligner(8); // stereo f32
 * aligner.take(new Uint8Array(12)).length; // 8: one frame; 4 bytes carried
 * aligner.take(new Uint8Array(4)).length; // 8: the carried half and these
 * aligner.end(); // fine: nothing carried
 */
export class FrameAligner {
  readonly #frameBytes: number;
  readonly #carry: Uint8Array;
  #carried = 0;
  #joined = new Uint8Array(0);

  /** @param frameBytes - bytes of one frame (channels × bytes per sample). */
  constructor(frameBytes: number) {
    this.#frameBytes = frameBytes;
    this.#carry = new Uint8Array(frameBytes);
  }

  /** Bytes of an unfinished frame held back from the chunks so far. */
  get pendingBytes(): number {
    return this.#carried;
  }

  /**
   * The whole frames of what was carried plus `bytes`, keeping the rest for the next call.
   * The result is a view of `bytes` (no copy) when nothing was carried, else of a scratch
   * array: valid until the next call.
   */
  take(bytes: Uint8Array): Uint8Array {
    const fb = this.#frameBytes;
    const carried = this.#carried;
    const total = carried + bytes.length;
    const whole = total - (total % fb);
    let out: Uint8Array;
    if (carried === 0) out = bytes.subarray(0, whole);
    else if (whole === 0) out = bytes.subarray(0, 0);
    else {
      if (this.#joined.length < whole) this.#joined = new Uint8Array(Math.max(whole, this.#joined.length * 2));
      out = this.#joined.subarray(0, whole);
      out.set(this.#carry.subarray(0, carried));
      out.set(bytes.subarray(0, whole - carried), carried);
    }
    // What is left is shorter than a frame; it starts after the bytes used above.
    const used = whole - carried;
    if (used < 0) {
      this.#carry.set(bytes, carried);
      this.#carried = total;
    } else {
      this.#carry.set(bytes.subarray(used));
      this.#carried = bytes.length - used;
    }
    return out;
  }

  /**
   * Says the stream ended.
   * @throws {AudioDataError} `ERR_FRAME_MISALIGNED` when it ended inside a frame.
   */
  end(): void {
    if (this.#carried !== 0) {
      throw new AudioDataError(
        ErrorCode.FRAME_MISALIGNED,
        `the byte stream ended ${this.#carried} bytes into a frame of ${this.#frameBytes} bytes: not a whole number of frames`,
      );
    }
  }
}
