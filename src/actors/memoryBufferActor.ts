/** The memory buffer actor: the AudioBuffer API over a {@link MemoryBuffer}. */
import type { BufferConfig } from '../core/config.js';
import { BufferType } from '../core/types.js';
import { MemoryBuffer } from '../buffers/memory.js';
import type { BufferLifecycleRef } from './bufferActor.js';
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

  protected releaseResources(): void | Promise<void> {
    this.structure.close();
  }
}
