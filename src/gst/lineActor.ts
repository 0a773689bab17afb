/**
 * The delay line's actor: {@link delayLineMachine} (waiting → buffering → playing → stalled /
 * shuttingDown → stopped / failed) given the line's work, with its state logged, inspectors
 * attached whenever they come, and events sent only while it runs.
 *
 * High-rate samples never travel as its events (an event costs ≈6 µs here, an operator step
 * ≈0.2 µs): the paths tell it only SAMPLE (the first), FILLED, PROGRESS (≤ 10 Hz) and STALL.
 */
import { createActor, type Actor, type InspectionEvent, type SnapshotFrom } from 'xstate';
import { ErrorCode, GstError } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import { delayLineMachine, delayLineTimeoutOf, type DelayLineEvent } from '../machines/delayLine.js';
import type { ResolvedDelayOptions } from './delayOptions.js';
import type { GstBufferStats } from './delayStats.js';

/** The running delay-line machine. */
export type DelayLineActor = Actor<typeof delayLineMachine>;

/** A snapshot of {@link DelayLineActor}. */
export type DelayLineSnapshot = SnapshotFrom<typeof delayLineMachine>;

/** What the machine's actions do, supplied by the line. */
export interface LineWork {
  /** FILLED: set the playback pipeline playing. */
  readonly startPlayback: () => void;
  /** Entering `stalled`, with why (a silent source, or nothing sent while playing). */
  readonly stalled: (reason: string) => void;
  /** Entering `shuttingDown` or `failed`: stop both pipelines (called again on failure: idempotent). */
  readonly stopPipelines: () => void;
  /** The machine reached `stopped` or `failed`. */
  readonly done: (snapshot: DelayLineSnapshot) => void;
}

/** How a delay line ended. */
export interface StopResult {
  state: 'stopped' | 'failed';
  reason: 'requested' | 'stall' | 'error' | null;
  error: GstError | null;
  stats: GstBufferStats;
}

/** The line's actor, from start() on; inspectors may attach before. */
export class LineActor {
  #actor: DelayLineActor | undefined;
  readonly #inspectors = new Set<{ observer: (event: InspectionEvent) => void; detach: (() => void) | undefined }>();

  /** The actor, once started. */
  get actor(): DelayLineActor | undefined {
    return this.#actor;
  }

  /** The current state name ('idle' before start). */
  get state(): string {
    const snapshot = this.#actor?.getSnapshot();
    return snapshot ? stateName(snapshot) : 'idle';
  }

  /** Attaches an inspection observer now, or as the actor starts; returns its detach function. */
  addInspector(observer: (event: InspectionEvent) => void): () => void {
    const entry = { observer, detach: undefined as (() => void) | undefined };
    if (this.#actor) entry.detach = inspect(this.#actor, observer);
    this.#inspectors.add(entry);
    return () => {
      entry.detach?.();
      this.#inspectors.delete(entry);
    };
  }

  /** Creates and starts the actor, with the line's id and timeouts. */
  start(options: ResolvedDelayOptions, work: LineWork, log: Logger): void {
    const stallTimeoutMs = options.stallTimeout * 1000;
    const stallS = options.stallTimeout;
    const machine = delayLineMachine.provide({
      actions: {
        startPlayback: () => work.startPlayback(),
        emergency: ({ event }) => {
          if (event.type === 'STALL') work.stalled(event.reason);
          else if (delayLineTimeoutOf(event) === 'startTimeout') work.stalled(`no sample received within ${stallS} s of start`);
          else work.stalled(`no frame sent for ${stallS} s while playing`);
        },
        stopPipelines: () => work.stopPipelines(),
      },
    });
    // Stopping may take the playback pipeline's drain time plus 2 s for the state changes;
    // past that the line fails with ERR_GST_SHUTDOWN_TIMEOUT instead of hanging.
    const shutdownTimeoutMs = options.shutdownTimeout * 1000 + 2000;
    const id = options.id;
    const actor = createActor(machine, { id, input: { id, startTimeoutMs: stallTimeoutMs, stallTimeoutMs, shutdownTimeoutMs } });
    this.#actor = actor;
    for (const entry of this.#inspectors) entry.detach = inspect(actor, entry.observer);
    let lastState = '';
    actor.subscribe((snapshot) => {
      const name = stateName(snapshot);
      if (name !== lastState) {
        lastState = name;
        log.info({ state: name }, `[BUFFER] ${name}`);
      }
      if (snapshot.status === 'done') work.done(snapshot);
    });
    actor.start();
  }

  /** Sends `event` while the actor runs (a finished actor warns on every event). */
  send(event: DelayLineEvent): void {
    const actor = this.#actor;
    if (actor && actor.getSnapshot().status === 'active') actor.send(event);
  }
}

/** The error a finished machine recorded (a pipeline error, or a shutdown timeout), or null. */
export function machineError(snapshot: DelayLineSnapshot): GstError | null {
  const recorded = snapshot.context.error;
  if (!recorded) return null;
  return new GstError(recorded.code === ErrorCode.GST_SHUTDOWN_TIMEOUT ? ErrorCode.GST_SHUTDOWN_TIMEOUT : ErrorCode.GST_PIPELINE, recorded.message);
}

/** The result of a finished line: failed with its error, or stopped (with the error only for a stall, which says why). */
export function stopResultOf(snapshot: DelayLineSnapshot, error: GstError | null, stats: GstBufferStats): StopResult {
  const state = snapshot.value === 'failed' ? 'failed' : 'stopped';
  return { state, reason: snapshot.context.stopReason, error: state === 'failed' || error?.code === ErrorCode.GST_STALL ? error : null, stats };
}

function stateName(snapshot: DelayLineSnapshot): string {
  const value = snapshot.value;
  if (typeof value === 'string') return value;
  const [outer] = Object.keys(value);
  return outer ?? 'unknown';
}

function inspect(actor: DelayLineActor, observer: (event: InspectionEvent) => void): () => void {
  const subscription = actor.system.inspect(observer);
  return () => subscription.unsubscribe();
}
