/** The memory buffer actor: the AudioBuffer API over a {@link MemoryBuffer}. */
import type { BufferConfig } from '../core/config.js';
import type { AudioData } from '../core/frames.js';
import { BufferType } from '../core/types.js';
import { MemoryBuffer } from '../buffers/memory.js';
import { BufferActor, type BufferLifecycleRef, type ManagedBuffer } from './bufferActor.js';

/** The spec's AudioBuffer: a buffer with position-based reads and writes. Sizes and positions are in frames. */
export interface AudioBuffer extends ManagedBuffer {
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
}

/**
 * A memory buffer as an actor. Data calls go straight to the {@link MemoryBuffer}; they
 * are accepted only while the actor is `active`.
 */
export class MemoryAudioBuffer extends BufferActor<MemoryBuffer> implements AudioBuffer {
  /** @internal Created by the manager. */
  constructor(id: string, config: Readonly<BufferConfig>, structure: MemoryBuffer, actor: BufferLifecycleRef) {
    super(id, BufferType.MEMORY, config, structure, actor);
  }

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
  /** Capacity of the current storage in frames. */
  get capacity(): number {
    return this.structure.capacity;
  }

  protected releaseResources(): void | Promise<void> {
    this.structure.close();
  }
}
