/** What a writable avbuf Node stream writes into: a buffer, a ring's producer side or a WAV file. */

/**
 * Where a writable stream's frames go.
 *
 * @example
 * const sink: FrameSink = { write: (frames) => void buffer.write(frames), finish: () => undefined, abort: () => undefined };
 */
export interface FrameSink {
  /** Opens what needs opening (a file). */
  open?(): Promise<void>;
  /** Takes interleaved whole frames; the array may be reused once the returned promise settles. */
  write(frames: Float32Array): Promise<void> | void;
  /**
   * Takes whole frames already encoded in the stream's byte format, when the sink stores that
   * format as it is (a WAV file of the same format): no decode, no encode.
   */
  writeBytes?(bytes: Uint8Array): Promise<void>;
  /** The stream ended cleanly: make the data complete (flush, close, rename). */
  finish(): Promise<void> | void;
  /** The stream failed or was destroyed: let go of everything, leave nothing half-written. Never throws. */
  abort(): Promise<void> | void;
}
