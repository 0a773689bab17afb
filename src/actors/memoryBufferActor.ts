/** The memory buffer actor: the AudioBuffer API over a {@link MemoryBuffer}. */
import type { BufferConfig } from '../core/config.js';
import { BufferState, BufferType } from '../core/types.js';
import { MemoryBuffer } from '../buffers/memory.js';
import type { BufferLifecycleRef } from './bufferActor.js';
import type { MemoryFigures } from './bufferFigures.js';
import { AudioBufferActor } from './audioBufferActor.js';

/**
 * A memory buffer as an actor. Data calls go straight to the {@link MemoryBuffer}; they
 * are accepted only while the actor is `active`.
 */
export class MemoryAudioBuffer extends AudioBufferActor<MemoryBuffer> {
  /** @internal Created by the manager. */
  constructor(id: string, config: Readonly<BufferConfig>, structure: MemoryBuffer, actor: BufferLifecycleRef) {
    super(id, BufferType.MEMORY, config, structure, actor);
  }

  /** Capacity of the current storage in frames. */
  get capacity(): number {
    return this.structure.capacity;
  }

  figures(): MemoryFigures {
    const state = this.state;
    // A closing buffer's gate is shut: asking its size would be refused and counted as an error.
    const open = state !== BufferState.CLOSING && state !== BufferState.CLOSED;
    return { type: BufferType.MEMORY, metrics: this.structure.getMetrics(state), capacity: this.capacity, size: open ? this.size() : null };
  }

  protected releaseResources(): void | Promise<void> {
    this.structure.close();
  }
}
