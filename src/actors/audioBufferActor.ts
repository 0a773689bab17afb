/**
 * The spec's AudioBuffer interface, and the actor base that gives it to every buffer type
 * with position-based data calls (memory, streaming, ring): each call goes straight to the
 * data structure, whose gate the actor keeps. A pool is not one of them: it lends blocks
 * and takes them back in any order, so it has no position, no end and no frames to iterate.
 */
import type { AudioChunk } from '../core/chunk.js';
import type { AudioData } from '../core/frames.js';
import type { ChunksOptions } from '../buffers/iterateChunks.js';
import { BufferActor, type GatedStructure, type ManagedBuffer } from './bufferActor.js';

/**
 * The spec's AudioBuffer: a buffer with position-based reads and writes, iterable in chunks
 * (`for await (const chunk of buffer)`). Sizes and positions are in frames.
 */
export interface AudioBuffer extends ManagedBuffer, AsyncIterable<AudioChunk> {
  /** Reads up to `frames` frames (default: to the end) into a new interleaved array. */
  read(frames?: number): Float32Array;
  /** Reads into `target` (interleaved, or one array per channel) without allocating; returns frames read. */
  readInto(target: AudioData): number;
  /** Writes interleaved or planar frames at the position; returns frames written. */
  write(data: AudioData): number;
  /** Moves the position. */
  seek(frame: number): void;
  /** The position. */
  tell(): number;
  /** Frames held. */
  size(): number;
  /**
   * Iterates in chunks of `chunkFrames` frames (default 8192), one block reused: from the
   * position to the end, or for a ring until its producer closes it and it is drained.
   */
  chunks(options?: ChunksOptions): AsyncGenerator<AudioChunk, void, undefined>;
}

/** The data calls of an {@link AudioBuffer}, as a data structure offers them. */
export type AudioStructure = GatedStructure & Pick<AudioBuffer, 'read' | 'readInto' | 'write' | 'seek' | 'tell' | 'size' | 'chunks'>;

/** Base of the actors whose structure has the AudioBuffer data calls. */
export abstract class AudioBufferActor<S extends AudioStructure> extends BufferActor<S> implements AudioBuffer {
  read(frames?: number): Float32Array {
    return this.structure.read(frames);
  }
  readInto(target: AudioData): number {
    return this.structure.readInto(target);
  }
  write(data: AudioData): number {
    return this.structure.write(data);
  }
  seek(frame: number): void {
    this.structure.seek(frame);
  }
  tell(): number {
    return this.structure.tell();
  }
  size(): number {
    return this.structure.size();
  }
  /**
   * Iterates the buffer in chunks of `chunkFrames` frames (default 8192), as its data
   * structure does (MemoryBuffer, StreamingBuffer: from the position to the end; a ring: see
   * {@link RingAudioBuffer.chunks}). The gate applies: a paused buffer's iteration fails with
   * `ERR_BUFFER_NOT_ACCEPTING`, a closed one's with `ERR_BUFFER_CLOSED`.
   *
   * @example
   * const buffer = manager.createBuffer('take', BufferType.MEMORY, { channels: 2 });
   * for await (const chunk of buffer.chunks({ chunkFrames: 4800 })) meter(chunk);
   *
   * @param options - `chunkFrames`.
   */
  chunks(options?: ChunksOptions): AsyncGenerator<AudioChunk, void, undefined> {
    return this.structure.chunks(options);
  }
  /**
   * `for await (const chunk of buffer)`: {@link chunks} with 8192-frame chunks.
   *
   * @example
   * for await (const chunk of buffer) total += chunk.frames;
   */
  [Symbol.asyncIterator](): AsyncGenerator<AudioChunk, void, undefined> {
    return this.chunks();
  }
}
