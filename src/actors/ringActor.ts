/**
 * The ring actor: the AudioBuffer API over a {@link RingBuffer}, its lifecycle gated like
 * every buffer's, plus a flow actor (empty, flowing, overrun, ended) fed from the ring's
 * shared counters at most 10 times a second.
 */
import { defer, distinctUntilChanged, from, map, startWith, type Observable } from 'rxjs';
import type { ActorRefFrom } from 'xstate';
import type { AudioChunk } from '../core/chunk.js';
import type { BufferConfig } from '../core/config.js';
import type { AudioData } from '../core/frames.js';
import { BufferType } from '../core/types.js';
import { ringChunks, type ChunksOptions } from '../buffers/iterateChunks.js';
import type { RingBuffer, RingHandle, RingMetrics, RingRole, RingWaitOptions } from '../buffers/ring.js';
import type { ringFlowMachine } from '../machines/ringFlow.js';
import { MIN_METRICS_PERIOD_MS, type BufferLifecycleRef } from './bufferActor.js';
import type { RingFigures } from './bufferFigures.js';
import { AudioBufferActor } from './audioBufferActor.js';

export type RingFlowRef = ActorRefFrom<typeof ringFlowMachine>;
/** What a ring's data is doing: `empty`, `flowing`, `overrun` or `ended`. */
export type RingFlow = 'empty' | 'flowing' | 'overrun' | 'ended';

/**
 * A ring buffer as an actor, in the thread that created it. The other end, in a worker,
 * is `attachRing(ring.share())`: a plain {@link RingBuffer} with no actor of its own.
 */
export class RingAudioBuffer extends AudioBufferActor<RingBuffer> {
  /** The flow actor, a sibling of the lifecycle actor under the manager. */
  readonly flowActor: RingFlowRef;
  /** Emits the flow now and at each change; completes when the buffer is removed. */
  readonly flow$: Observable<RingFlow>;
  readonly #timer: NodeJS.Timeout;

  /** @internal Created by the manager. */
  constructor(id: string, config: Readonly<BufferConfig>, structure: RingBuffer, actor: BufferLifecycleRef, flowActor: RingFlowRef) {
    super(id, BufferType.RING, config, structure, actor);
    this.flowActor = flowActor;
    this.flow$ = defer(() =>
      from(flowActor).pipe(
        startWith(flowActor.getSnapshot()),
        map((s) => s.value),
        distinctUntilChanged(),
      ),
    );
    // 10 Hz at most, like every figure the actors publish (MIN_METRICS_PERIOD_MS); the timer
    // never keeps the process alive.
    this.#timer = setInterval(() => this.sampleFlow(), MIN_METRICS_PERIOD_MS);
    this.#timer.unref();
  }

  /** The flow as last sampled. */
  get flow(): RingFlow {
    return this.flowActor.getSnapshot().value;
  }

  /**
   * Samples the ring's counters into the flow actor now (also done every 100 ms). Sends
   * nothing when nothing changed, so an idle ring costs the actor system nothing.
   */
  sampleFlow(): RingFlow {
    const snapshot = this.flowActor.getSnapshot();
    if (snapshot.status !== 'active') return snapshot.value;
    const m = this.structure.getMetrics();
    const seen = snapshot.context;
    const ended = this.structure.ended;
    if (ended || m.availableRead !== seen.availableRead || m.overruns !== seen.overruns || m.droppedFrames !== seen.droppedFrames) {
      this.flowActor.send({ type: 'SAMPLE', availableRead: m.availableRead, overruns: m.overruns, droppedFrames: m.droppedFrames, ended });
    }
    return this.flow;
  }

  /** @throws {UnsupportedOperationError} always: a ring cannot seek. */
  override seek(frame: number): void {
    this.structure.seek(frame);
  }
  availableRead(): number {
    return this.structure.availableRead();
  }
  availableWrite(): number {
    return this.structure.availableWrite();
  }
  /** Consumer-side flush; returns frames discarded. */
  reset(): number {
    return this.structure.reset();
  }
  readBlocking(target: AudioData, timeoutMs?: number): number {
    return this.structure.readBlocking(target, timeoutMs);
  }
  writeBlocking(data: AudioData, timeoutMs?: number): number {
    return this.structure.writeBlocking(data, timeoutMs);
  }
  readAsync(target: AudioData, options?: RingWaitOptions): Promise<number> {
    return this.structure.readAsync(target, options);
  }
  writeAsync(data: AudioData, options?: RingWaitOptions): Promise<number> {
    return this.structure.writeAsync(data, options);
  }
  /**
   * Iterates this end as the ring's consumer until the producer closes the ring and it is
   * drained, as {@link RingBuffer.chunks} does, except that the iteration's end closes this
   * buffer (the actor: its lifecycle reaches `closed` and its flow `ended`) rather than the
   * data structure behind the actor's back. Leaving the loop early closes it too.
   *
   * @example
   * const ring = manager.createBuffer('in', BufferType.RING, { channels: 2 });
   * worker.postMessage(ring.share());
   * for await (const chunk of ring.chunks({ chunkFrames: 1024 })) play(chunk);
   *
   * @param options - `chunkFrames`.
   */
  override chunks(options?: ChunksOptions): AsyncGenerator<AudioChunk, void, undefined> {
    return ringChunks(this, options);
  }
  /** A handle to post to a worker; `attachRing(handle)` there gives the other end. */
  share(): RingHandle {
    return this.structure.share();
  }
  /** This end's role once claimed (by a first write or read). */
  get role(): RingRole | null {
    return this.structure.role;
  }
  /** True once either end closed the ring. */
  get ended(): boolean {
    return this.structure.ended;
  }
  /** Capacity in frames (a power of two). */
  get capacity(): number {
    return this.structure.capacity;
  }

  override getMetrics(): RingMetrics {
    return this.structure.getMetrics(this.state);
  }

  figures(): RingFigures {
    return { type: BufferType.RING, metrics: this.getMetrics() };
  }

  protected releaseResources(): void {
    clearInterval(this.#timer);
    this.structure.close();
    this.sampleFlow(); // the flow ends with the ring
  }

  override _detach(): void {
    clearInterval(this.#timer);
    super._detach();
  }
}
