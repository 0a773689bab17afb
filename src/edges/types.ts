/**
 * What the edges (RxJS sources and sinks, Node streams, WHATWG streams) need of a buffer,
 * written structurally so that every avbuf buffer fits: the data structures of src/buffers
 * and the buffers a manager hands out (src/actors) alike, without this folder importing the
 * actors. Positions and sizes are in frames; audio is interleaved Float32.
 */
import type { AudioData } from '../core/frames.js';

/** A buffer read at a position like a file: memory and streaming buffers, WAV-backed buffers. */
export interface PositionalReader {
  readonly config: { readonly channels: number; readonly sampleRate: number };
  /** Reads into `target` at the position, advancing it; returns frames read (0 at the end). */
  readInto(target: AudioData): number;
  /** Frames held. */
  size(): number;
  /** The position. */
  tell(): number;
  /** Moves the position. */
  seek(frame: number): void;
}

/** A buffer written at a position (memory, streaming). */
export interface PositionalWriter {
  readonly config: { readonly channels: number; readonly sampleRate: number };
  /** Writes interleaved or planar frames at the position; returns frames written. */
  write(data: AudioData): number;
  /** Makes what was written durable (a streaming buffer's spill file), when the buffer can. */
  flush?(): Promise<void>;
}

/** The consumer side of a ring (a RingBuffer, or a manager's ring actor). */
export interface RingReader {
  readonly config: { readonly channels: number; readonly sampleRate: number };
  /** Reads what is there now, up to `target`'s size; 0 when empty. */
  readInto(target: AudioData): number;
  /** Waits until at least one frame is there (or the stream ended: then 0). */
  readAsync(target: AudioData, options?: { timeoutMs?: number; signal?: AbortSignal }): Promise<number>;
  /** True once either end closed the ring: nothing more will be written. */
  readonly ended: boolean;
  /** Closes this end (frees its role, ends the stream), when the end can be closed. */
  close?(): unknown;
}

/** The producer side of a ring. */
export interface RingWriter {
  readonly config: { readonly channels: number; readonly sampleRate: number };
  /** Waits for room and writes all of `data`; resolves to frames written. */
  writeAsync(data: AudioData, options?: { timeoutMs?: number; signal?: AbortSignal }): Promise<number>;
  /** Ends the stream (the consumer reads what is left, then sees the end). */
  close(): unknown;
}
