/**
 * The memory monitor: classifies each usage sample as normal, warning or critical and
 * emits an `alert` when the level changes. Hysteresis keeps a level from flapping when
 * usage hovers at a threshold. The manager feeds it SAMPLE events from a timer and runs
 * the pressure policy on critical alerts.
 */
import { assign, emit, setup } from 'xstate';

export type MemoryLevel = 'normal' | 'warning' | 'critical';

export interface MemoryMonitorInput {
  /** used/limit at or above which usage is a warning. Default 0.75. */
  warningRatio?: number;
  /** used/limit at or above which usage is critical. Default 0.9. */
  criticalRatio?: number;
  /** How far below a threshold usage must fall to leave its level. Default 0.05. */
  hysteresis?: number;
}

export interface MemorySample {
  usedBytes: number;
  limitBytes: number;
  rssBytes: number;
  /** Milliseconds since the epoch. */
  at: number;
}

export interface MemoryMonitorContext {
  warningRatio: number;
  criticalRatio: number;
  hysteresis: number;
  ratio: number;
  usedBytes: number;
  limitBytes: number;
  rssBytes: number;
  samples: number;
  alerts: number;
}

/** An alert raised when the memory level changes. */
export interface MemoryAlert {
  type: 'alert';
  level: MemoryLevel;
  previous: MemoryLevel;
  ratio: number;
  usedBytes: number;
  limitBytes: number;
  rssBytes: number;
  at: number;
}

export type MemoryMonitorEvent = { type: 'SAMPLE' } & MemorySample;

type Ctx = { context: MemoryMonitorContext; event: MemoryMonitorEvent };
type LevelGuard = 'atCritical' | 'atWarning' | 'belowCritical' | 'belowWarning';

/** A change of level on a sample: record it, count it, and emit the alert. */
const to = (level: MemoryLevel, previous: MemoryLevel, guard: LevelGuard) =>
  ({
    guard,
    target: level,
    actions: ['record', 'countAlert', { type: 'alert', params: { level, previous } }],
  }) as const;
/** A sample that leaves the level as it is. */
const STAY = { actions: 'record' } as const;
const ratioOf = (e: MemorySample): number => (e.limitBytes > 0 ? e.usedBytes / e.limitBytes : 0);

export const memoryMonitorMachine = setup({
  types: {
    // The assertion declares the input type for XState; all its fields are optional.
    // eslint-disable-next-line @typescript-eslint/no-unnecessary-type-assertion
    input: {} as MemoryMonitorInput,
    context: {} as MemoryMonitorContext,
    events: {} as MemoryMonitorEvent,
    emitted: {} as MemoryAlert,
  },
  guards: {
    atCritical: ({ context, event }: Ctx) => ratioOf(event) >= context.criticalRatio,
    atWarning: ({ context, event }: Ctx) => ratioOf(event) >= context.warningRatio,
    belowCritical: ({ context, event }: Ctx) => ratioOf(event) < context.criticalRatio - context.hysteresis,
    belowWarning: ({ context, event }: Ctx) => ratioOf(event) < context.warningRatio - context.hysteresis,
  },
  actions: {
    record: assign(({ context, event }: Ctx) => ({
      ratio: ratioOf(event),
      usedBytes: event.usedBytes,
      limitBytes: event.limitBytes,
      rssBytes: event.rssBytes,
      samples: context.samples + 1,
    })),
    countAlert: assign({ alerts: ({ context }) => context.alerts + 1 }),
    alert: emit(({ event }: Ctx, params: { level: MemoryLevel; previous: MemoryLevel }) => ({
      type: 'alert' as const,
      level: params.level,
      previous: params.previous,
      ratio: ratioOf(event),
      usedBytes: event.usedBytes,
      limitBytes: event.limitBytes,
      rssBytes: event.rssBytes,
      at: event.at,
    })),
  },
}).createMachine({
  id: 'memoryMonitor',
  description: 'Classifies memory samples and alerts when the level changes.',
  initial: 'normal',
  context: ({ input }) => ({
    warningRatio: input.warningRatio ?? 0.75,
    criticalRatio: input.criticalRatio ?? 0.9,
    hysteresis: input.hysteresis ?? 0.05,
    ratio: 0,
    usedBytes: 0,
    limitBytes: 0,
    rssBytes: 0,
    samples: 0,
    alerts: 0,
  }),
  states: {
    normal: {
      on: { SAMPLE: [to('critical', 'normal', 'atCritical'), to('warning', 'normal', 'atWarning'), STAY] },
    },
    warning: {
      on: { SAMPLE: [to('critical', 'warning', 'atCritical'), to('normal', 'warning', 'belowWarning'), STAY] },
    },
    critical: {
      // Falling far enough goes straight to normal; otherwise one level down.
      on: { SAMPLE: [to('normal', 'critical', 'belowWarning'), to('warning', 'critical', 'belowCritical'), STAY] },
    },
  },
});
