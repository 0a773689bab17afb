/**
 * The GStreamer A/V delay line (the Python BufferManager's "buffer thread"; docs/gst.md),
 * as plain data: wait for the first sample, fill the window, start playback, watch for
 * stalls, stop. No I/O: the actions that do work (`startPlayback`, `emergency`,
 * `stopPipelines`) do nothing here; the delay line supplies them (src/gst/lineActor.ts) with
 * `delayLineMachine.provide({ actions: { ... } })`. The counters (frames received and
 * sent) stay outside: the runtime turns them into SAMPLE, FILLED and PROGRESS events.
 */
import { assign, setup, type SnapshotFrom } from 'xstate';
import { ErrorCode } from '../core/errors.js';

/** The timeouts a delay line starts with when its input does not name them. */
export const DELAY_LINE_DEFAULTS = {
  /** How long to wait for the first sample before declaring a stall. */
  startTimeoutMs: 5000,
  /** How long playback may send nothing before it is a stall (5 s, as in the Python BufferManager). */
  stallTimeoutMs: 5000,
  /** How long stopping both pipelines may take before the line fails. */
  shutdownTimeoutMs: 2000,
} as const;

export interface DelayLineInput {
  id: string;
  /** Default {@link DELAY_LINE_DEFAULTS}.startTimeoutMs. */
  startTimeoutMs?: number;
  /** Default {@link DELAY_LINE_DEFAULTS}.stallTimeoutMs. */
  stallTimeoutMs?: number;
  /** Default {@link DELAY_LINE_DEFAULTS}.shutdownTimeoutMs. */
  shutdownTimeoutMs?: number;
}

/** Why the line stopped, or is stopping: asked to, stalled, or failed. */
export type DelayLineStopReason = 'requested' | 'stall' | 'error';

export interface DelayLineErrorInfo {
  code: string;
  message: string;
}

/** JSON-safe, so `getPersistedSnapshot()` works; counters live outside the machine. */
export interface DelayLineContext {
  id: string;
  startTimeoutMs: number;
  stallTimeoutMs: number;
  shutdownTimeoutMs: number;
  stopReason: DelayLineStopReason | null;
  error: DelayLineErrorInfo | null;
}

export type DelayLineEvent =
  /** The first sample arrived (sent once). */
  | { type: 'SAMPLE' }
  /** The fill gate opened (30 % of the window by default). */
  | { type: 'FILLED' }
  /** Frames were sent since the last look at the counters (at most 10 Hz, only on progress). */
  | { type: 'PROGRESS' }
  /** The source went silent (detected by the runtime). */
  | { type: 'STALL'; reason: string }
  /** The user asked to stop. */
  | { type: 'STOP' }
  /** The runtime finished stopping both pipelines. */
  | { type: 'STOPPED' }
  /** A pipeline posted an error on its bus, or similar. */
  | { type: 'ERROR'; code: string; message: string };

/** The named delays; each timer's event is `xstate.after.<name>.<state id>`. */
export type DelayLineTimeout = 'startTimeout' | 'stallTimeout' | 'shutdownTimeout';

const TIMEOUTS: readonly DelayLineTimeout[] = ['startTimeout', 'stallTimeout', 'shutdownTimeout'];

export const delayLineMachine = setup({
  types: {
    input: {} as DelayLineInput,
    context: {} as DelayLineContext,
    events: {} as DelayLineEvent,
    tags: {} as 'accepting' | 'playing',
  },
  delays: {
    startTimeout: ({ context }) => context.startTimeoutMs,
    stallTimeout: ({ context }) => context.stallTimeoutMs,
    shutdownTimeout: ({ context }) => context.shutdownTimeoutMs,
  },
  actions: {
    // Work, supplied by the runtime through `provide`; no-ops here.
    /** Set the playback pipeline playing (on FILLED). */
    startPlayback: () => undefined,
    /** Call the user's emergency-shutdown callback (on entering `stalled`). */
    emergency: () => undefined,
    /** Stop both pipelines (on entering `shuttingDown` and `failed`; must be idempotent). */
    stopPipelines: () => undefined,
    // Bookkeeping, part of the machine.
    recordStall: assign({ stopReason: 'stall' as const }),
    recordStopRequest: assign({ stopReason: ({ context }) => context.stopReason ?? 'requested' }),
    recordError: assign(({ event }) =>
      event.type === 'ERROR'
        ? { stopReason: 'error' as const, error: { code: event.code, message: event.message } }
        : {},
    ),
    recordShutdownTimeout: assign(({ context }) => ({
      error: {
        code: ErrorCode.GST_SHUTDOWN_TIMEOUT,
        message: `delay line ${context.id}: the pipelines did not stop within ${context.shutdownTimeoutMs} ms`,
      },
    })),
  },
}).createMachine({
  id: 'delayLine',
  description:
    'A/V delay line: waits for the first sample, fills the window, plays it out delayed, and stops on request, on a stall or on an error.',
  initial: 'waiting',
  context: ({ input }) => ({
    id: input.id,
    startTimeoutMs: input.startTimeoutMs ?? DELAY_LINE_DEFAULTS.startTimeoutMs,
    stallTimeoutMs: input.stallTimeoutMs ?? DELAY_LINE_DEFAULTS.stallTimeoutMs,
    shutdownTimeoutMs: input.shutdownTimeoutMs ?? DELAY_LINE_DEFAULTS.shutdownTimeoutMs,
    stopReason: null,
    error: null,
  }),
  states: {
    waiting: {
      description: 'No sample yet from the analysis pipeline; a stall if none comes within startTimeoutMs.',
      tags: ['accepting'],
      on: {
        SAMPLE: 'buffering',
        STALL: { target: 'stalled', actions: 'recordStall' },
        STOP: { target: 'shuttingDown', actions: 'recordStopRequest' },
        ERROR: { target: 'failed', actions: 'recordError' },
      },
      after: { startTimeout: { target: 'stalled', actions: 'recordStall' } },
    },
    buffering: {
      description: 'Samples arriving, filling the window until the fill gate opens.',
      tags: ['accepting'],
      on: {
        FILLED: { target: 'playing', actions: 'startPlayback' },
        STALL: { target: 'stalled', actions: 'recordStall' },
        STOP: { target: 'shuttingDown', actions: 'recordStopRequest' },
        ERROR: { target: 'failed', actions: 'recordError' },
      },
    },
    playing: {
      description: 'The playback pipeline runs, sending the window out delayed.',
      tags: ['accepting', 'playing'],
      initial: 'starting',
      on: {
        STALL: { target: 'stalled', actions: 'recordStall' },
        STOP: { target: 'shuttingDown', actions: 'recordStopRequest' },
        ERROR: { target: 'failed', actions: 'recordError' },
      },
      states: {
        starting: {
          description:
            'Playback started, nothing sent yet. No stall timer: with an exact delay the first frame is only due after the delay.',
          on: { PROGRESS: 'flowing' },
        },
        flowing: {
          description: 'Frames being sent; a stall if none is sent within stallTimeoutMs (each PROGRESS restarts the timer).',
          on: { PROGRESS: { target: 'flowing', reenter: true } },
          after: { stallTimeout: { target: '#delayLine.stalled', actions: 'recordStall' } },
        },
      },
    },
    stalled: {
      description:
        "Stalled: the user's emergency callback runs; the runtime sends STOP itself if there is no callback or it does not stop.",
      on: {
        STOP: 'shuttingDown',
        ERROR: { target: 'failed', actions: 'recordError' },
      },
      entry: 'emergency',
    },
    shuttingDown: {
      description: 'Stopping both pipelines; failed if they have not stopped within shutdownTimeoutMs.',
      entry: 'stopPipelines',
      on: {
        STOPPED: 'stopped',
        ERROR: { target: 'failed', actions: 'recordError' },
      },
      after: { shutdownTimeout: { target: 'failed', actions: 'recordShutdownTimeout' } },
    },
    stopped: {
      description: 'Both pipelines stopped; stopReason says why.',
      type: 'final',
    },
    failed: {
      description: 'An error, or a shutdown that timed out (context.error); the pipelines are stopped once more.',
      type: 'final',
      entry: 'stopPipelines',
    },
  },
});

export type DelayLineSnapshot = SnapshotFrom<typeof delayLineMachine>;

/** True while the line takes samples in (waiting, buffering, playing): the data-plane gate. */
export const isAccepting = (snapshot: Pick<DelayLineSnapshot, 'hasTag'>): boolean => snapshot.hasTag('accepting');

/**
 * Which timer an event is, or null for any other event: an action reached by a timeout (the
 * `emergency` on a stall timeout, say) sees the timer's event, not a STALL.
 */
export function delayLineTimeoutOf(event: { type: string }): DelayLineTimeout | null {
  const match = /^xstate\.after\.([^.]+)\./.exec(event.type);
  const name = match?.[1];
  return TIMEOUTS.find((t) => t === name) ?? null;
}
