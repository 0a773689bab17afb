/** The streaming buffer actor: the AudioBuffer API over a disk-backed {@link StreamingBuffer}. */
import type { BufferConfig } from '../core/config.js';
import { BufferType } from '../core/types.js';
import type { SpillRecovery } from '../buffers/spill.js';
import type { StreamingBuffer, StreamingMetrics } from '../buffers/streaming.js';
import type { BufferLifecycleRef } from './bufferActor.js';
import type { StreamingFigures } from './bufferFigures.js';
import { AudioBufferActor } from './audioBufferActor.js';

/**
 * A streaming buffer as an actor. Closing flushes (when the spill file is kept) before the
 * storage is freed, so the actor passes through `closing` for as long as the flush takes;
 * a failed flush ends the buffer in `closed` with the error recorded.
 */
export class StreamingAudioBuffer extends AudioBufferActor<StreamingBuffer> {
  /** @internal Created by the manager. */
  constructor(id: string, config: Readonly<BufferConfig>, structure: StreamingBuffer, actor: BufferLifecycleRef) {
    super(id, BufferType.STREAMING, config, structure, actor);
  }

  /** Writes dirty chunks and syncs the spill file; after it resolves a crash loses nothing written before. */
  flush(): Promise<void> {
    return this.structure.flush();
  }
  /** The spill file's path. */
  get path(): string {
    return this.structure.path;
  }
  /** What opening an existing spill file recovered. */
  get recovery(): SpillRecovery {
    return this.structure.recovery;
  }

  override getMetrics(): StreamingMetrics {
    return this.structure.getMetrics(this.state);
  }

  figures(): StreamingFigures {
    return { type: BufferType.STREAMING, metrics: this.getMetrics() };
  }

  protected releaseResources(): Promise<void> {
    return this.structure.close();
  }
}
