/**
 * The buffer actor: binds a data structure to the lifecycle machine. The machine owns
 * the state; the data structure owns the samples and counters. On every state change
 * the actor sets the data structure's gate (a plain number checked by each data call),
 * so data never travels as an XState event.
 */
import { defer, distinctUntilChanged, from, interval, map, startWith, takeWhile, type Observable, type SchedulerLike } from 'rxjs';
import type { ActorRefFrom, Subscription } from 'xstate';
import type { BufferConfig } from '../core/config.js';
import { ArgumentError, type AvbufError } from '../core/errors.js';
import { BufferState, Gate, type BufferMetrics, type BufferType } from '../core/types.js';
import { gateError } from '../buffers/gate.js';
import type { BufferLifecycleEvent, bufferLifecycleMachine } from '../machines/bufferLifecycle.js';
import type { BufferFigures } from './bufferFigures.js';

/** The actor reference of one buffer's lifecycle machine. */
export type BufferLifecycleRef = ActorRefFrom<typeof bufferLifecycleMachine>;

/** What the actor needs from a data structure. */
export interface GatedStructure {
  _setGate(gate: Gate): void;
  _recordError<E extends AvbufError>(error: E): E;
  getMetrics(state?: BufferState): BufferMetrics;
}

/**
 * Shortest period at which metrics may be published: 100 ms (10 Hz). Metrics are control-plane
 * figures: an XState event costs microseconds, so anything faster would tax the data path.
 */
export const MIN_METRICS_PERIOD_MS = 100;

const GATE_OF_STATE: Record<BufferState, Gate> = {
  initializing: Gate.NOT_READY,
  active: Gate.OPEN,
  paused: Gate.PAUSED,
  error: Gate.FAILED,
  closing: Gate.CLOSED,
  closed: Gate.CLOSED,
};

/** What every managed buffer offers, whatever its type. */
export interface ManagedBuffer {
  readonly id: string;
  readonly type: BufferType;
  readonly config: Readonly<BufferConfig>;
  /** The current lifecycle state. */
  readonly state: BufferState;
  /** The lifecycle actor, for inspection and `getPersistedSnapshot()`. */
  readonly actor: BufferLifecycleRef;
  /** Emits the current state, then each change; completes when the buffer is removed. */
  readonly state$: Observable<BufferState>;
  pause(): void;
  resume(): void;
  recover(): void;
  close(): Promise<void>;
  getMetrics(): BufferMetrics;
  /** The metrics with the figures only this buffer's type has, tagged by type (see {@link BufferFigures}). */
  figures(): BufferFigures;
  metrics$(periodMs?: number, scheduler?: SchedulerLike): Observable<BufferMetrics>;
}

/**
 * Base of the buffer actors. Subclasses add the data methods of their type and say how
 * their structure is released.
 */
export abstract class BufferActor<S extends GatedStructure> implements ManagedBuffer {
  readonly id: string;
  readonly type: BufferType;
  readonly config: Readonly<BufferConfig>;
  readonly actor: BufferLifecycleRef;
  readonly state$: Observable<BufferState>;
  protected readonly structure: S;
  readonly #subscription: Subscription;
  #closing: Promise<void> | undefined;

  protected constructor(id: string, type: BufferType, config: Readonly<BufferConfig>, structure: S, actor: BufferLifecycleRef) {
    this.id = id;
    this.type = type;
    this.config = config;
    this.structure = structure;
    this.actor = actor;
    structure._setGate(GATE_OF_STATE[this.state]);
    // XState notifies observers synchronously inside send(), so the gate is set before
    // pause()/close() return.
    this.#subscription = actor.subscribe((snapshot) => {
      structure._setGate(GATE_OF_STATE[snapshot.value]);
    });
    this.state$ = defer(() =>
      from(actor).pipe(
        startWith(actor.getSnapshot()),
        map((snapshot) => snapshot.value),
        distinctUntilChanged(),
      ),
    );
  }

  get state(): BufferState {
    return this.actor.getSnapshot().value;
  }

  /** @internal Marks the buffer ready; the manager calls it once the buffer is registered. */
  _ready(): void {
    this.actor.send({ type: 'READY' });
  }

  /**
   * Stops accepting data calls, keeping the data. No-op when already paused.
   * @throws {BufferStateError} when closed, failed or not ready.
   */
  pause(): void {
    this.#lifecycle({ type: 'PAUSE' }, BufferState.PAUSED);
  }

  /** Accepts data calls again. No-op when active. */
  resume(): void {
    this.#lifecycle({ type: 'RESUME' }, BufferState.ACTIVE);
  }

  /** Leaves the error state for active. No-op when active. */
  recover(): void {
    this.#lifecycle({ type: 'RECOVER' }, BufferState.ACTIVE);
  }

  /**
   * Closes the buffer: data calls are refused at once, storage is freed, and the state
   * becomes `closed`. Idempotent; metrics stay readable.
   */
  close(): Promise<void> {
    if (this.#closing !== undefined) return this.#closing;
    if (this.state === BufferState.CLOSED) return (this.#closing = Promise.resolve());
    this.actor.send({ type: 'CLOSE' });
    const fault = (error: unknown): never => {
      this.actor.send({ type: 'FAULT', error: error instanceof Error ? error.message : String(error) });
      throw error;
    };
    let released: void | Promise<void>;
    try {
      released = this.releaseResources();
    } catch (error) {
      this.#closing = Promise.reject(error instanceof Error ? error : new Error(String(error)));
      this.#closing.catch(() => undefined); // the caller's await sees it; no unhandled rejection
      this.actor.send({ type: 'FAULT', error: error instanceof Error ? error.message : String(error) });
      return this.#closing;
    }
    const finish = (): void => this.actor.send({ type: 'RELEASED' });
    this.#closing = released instanceof Promise ? released.then(finish, fault) : Promise.resolve(finish());
    return this.#closing;
  }

  getMetrics(): BufferMetrics {
    return this.structure.getMetrics(this.state);
  }

  abstract figures(): BufferFigures;

  /**
   * Publishes metrics every `periodMs` (100 ms at the least: 10 Hz), ending after the
   * `closed` figures.
   * @param periodMs - period; default 100.
   * @param scheduler - for virtual-time tests.
   */
  metrics$(periodMs = MIN_METRICS_PERIOD_MS, scheduler?: SchedulerLike): Observable<BufferMetrics> {
    if (typeof periodMs !== 'number' || !(periodMs >= MIN_METRICS_PERIOD_MS)) {
      throw this.structure._recordError(
        new ArgumentError(`metrics are published at most every ${MIN_METRICS_PERIOD_MS} ms (10 Hz), got ${periodMs}`),
      );
    }
    return interval(periodMs, scheduler).pipe(
      map(() => this.getMetrics()),
      takeWhile((m) => m.state !== BufferState.CLOSED, true),
    );
  }

  /**
   * @internal Moves the buffer to its error state (from initializing, active or paused),
   * for structures and integrations whose I/O broke; data calls are refused until `recover()`.
   */
  _fault(error: unknown): void {
    this.actor.send({ type: 'FAULT', error: error instanceof Error ? error.message : String(error) });
  }

  /** Frees the structure's storage; may be async (flushes). */
  protected abstract releaseResources(): void | Promise<void>;

  /** @internal Stops observing the actor; the manager calls it when the buffer is removed. */
  _detach(): void {
    this.#subscription.unsubscribe();
  }

  #lifecycle(event: BufferLifecycleEvent, target: BufferState): void {
    const snapshot = this.actor.getSnapshot();
    if (snapshot.value === target) return;
    if (!snapshot.can(event)) throw this.structure._recordError(gateError(GATE_OF_STATE[snapshot.value], `buffer "${this.id}"`));
    this.actor.send(event);
  }
}
