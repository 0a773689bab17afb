/** The jetstream buffer actor: audio published to and read from a NATS JetStream media stream. */
import type { AudioChunk } from '../core/chunk.js';
import type { BufferConfig } from '../core/config.js';
import type { AudioData } from '../core/frames.js';
import { BufferType } from '../core/types.js';
import type { JetStreamBuffer, JetStreamChunksOptions, JetStreamMetrics } from '../jetstream/jetStreamBuffer.js';
import { BufferActor, type BufferLifecycleRef } from './bufferActor.js';
import type { JetStreamFigures } from './bufferFigures.js';

/**
 * A jetstream buffer as an actor. It stays `initializing` until the connection is made and
 * the stream exists ({@link ready}), then becomes `active`; when connecting fails it goes to
 * `error` with the typed error (`ERR_NATS_UNAVAILABLE`, `ERR_NATS_STREAM`). Unlike the
 * memory and streaming buffers its data calls are asynchronous: a write waits for the
 * publisher's window, a read for the server.
 *
 * @example
 * const net = manager.createBuffer('net', BufferType.JETSTREAM, { channels: 2, chunkSize: 480 }, { servers: 'nats://127.0.0.1:4222', stream: 'mic' });
 * await net.ready;
 * await net.write(samples);
 * for await (const chunk of net.chunks({ durable: 'player' })) play(chunk);
 */
export class JetStreamAudioBuffer extends BufferActor<JetStreamBuffer> {
  /** Resolves once the buffer is `active`; rejects with the error that put it in `error`. */
  readonly ready: Promise<void>;

  /** @internal Created by the manager. */
  constructor(id: string, config: Readonly<BufferConfig>, structure: JetStreamBuffer, actor: BufferLifecycleRef) {
    super(id, BufferType.JETSTREAM, config, structure, actor);
    this.ready = structure.ready;
  }

  /** The stream's name on the servers. */
  get stream(): string {
    return this.structure.getMetrics().stream;
  }

  /** Publishes frames as records of `chunkSize` frames; see {@link JetStreamBuffer.write}. */
  write(data: AudioData): Promise<number> {
    return this.structure.write(data);
  }

  /** Waits until JetStream acknowledged everything written. */
  flush(): Promise<void> {
    return this.structure.flush();
  }

  /** The track read back as chunks; see {@link JetStreamBuffer.chunks}. */
  chunks(options?: JetStreamChunksOptions): AsyncGenerator<AudioChunk, void, undefined> {
    return this.structure.chunks(options);
  }

  override getMetrics(): JetStreamMetrics {
    return this.structure.getMetrics(this.state);
  }

  figures(): JetStreamFigures {
    return { type: BufferType.JETSTREAM, metrics: this.getMetrics() };
  }

  protected releaseResources(): Promise<void> {
    return this.structure.close();
  }
}
