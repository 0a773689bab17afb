/**
 * The spec's AudioBuffer interface, and the actor base that gives it to every buffer type
 * with position-based data calls (memory, streaming, ring): each call goes straight to the
 * data structure, whose gate the actor keeps.
 */
import type { AudioData } from '../core/frames.js';
import { BufferActor, type GatedStructure, type ManagedBuffer } from './bufferActor.js';

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

/** The data calls of an {@link AudioBuffer}, as a data structure offers them. */
export type AudioStructure = GatedStructure & Pick<AudioBuffer, 'read' | 'readInto' | 'write' | 'seek' | 'tell' | 'size'>;

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
}
