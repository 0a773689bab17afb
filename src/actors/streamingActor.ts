/** The streaming buffer actor: the AudioBuffer API over a disk-backed {@link StreamingBuffer}. */
import type { BufferConfig } from '../core/config.js';
import type { AudioData } from '../core/frames.js';
import { BufferType } from '../core/types.js';
import type { SpillRecovery } from '../buffers/spill.js';
import type { StreamingBuffer, StreamingMetrics } from '../buffers/streaming.js';
import { BufferActor, type BufferLifecycleRef } from './bufferActor.js';
import type { AudioBuffer } from './memoryBufferActor.js';

/**
 * A streaming buffer as an actor. Closing flushes (when the spill file is kept) before the
 * storage is freed, so the actor passes through `closing` for as long as the flush takes;
 * a failed flush ends the buffer in `closed` with the error recorded.
 */
export class StreamingAudioBuffer extends BufferActor<StreamingBuffer> implements AudioBuffer {
  /** @internal Created by the manager. */
  constructor(id: string, config: Readonly<BufferConfig>, structure: StreamingBuffer, actor: BufferLifecycleRef) {
    super(id, BufferType.STREAMING, config, structure, actor);
  }

  write(data: AudioData): number {
    return this.structure.write(data);
  }
  read(frames?: number): Float32Array {
    return this.structure.read(frames);
  }
  readInto(target: AudioData): number {
    return this.structure.readInto(target);
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

  protected releaseResources(): Promise<void> {
    return this.structure.close();
  }
}
