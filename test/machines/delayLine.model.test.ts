/**
 * Model-based test of the delay line: every shortest path and a path through every
 * transition (every event offered in every state, timers included) is replayed against a
 * real actor, with recording actions and a simulated clock. A timer is a synthetic event
 * `xstate.after.<delay>.<state id>` in the graph (that is how XState names it, and the pure
 * transition takes it like any event); the executor advances the clock to fire it instead.
 * At each step a small table written from the spec (not from the machine) says where the
 * line must be, with which tags, context and action calls.
 */
import { createActor, SimulatedClock, type AnyEventObject } from 'xstate';
import { TestModel } from 'xstate/graph';
import { describe, expect, it, vi } from 'vitest';
import {
  DELAY_LINE_DEFAULTS,
  delayLineMachine,
  isAccepting,
  delayLineTimeoutOf,
  type DelayLineContext,
  type DelayLineEvent,
  type DelayLineInput,
  type DelayLineSnapshot,
  type DelayLineStopReason,
} from '../../src/machines/delayLine.js';
import { pathsCoveringEveryTransition } from '../helpers/modelPaths.js';

// ---------------------------------------------------------------------------------------
// The spec, as a table

type Leaf = 'waiting' | 'buffering' | 'playing.starting' | 'playing.flowing' | 'stalled' | 'shuttingDown' | 'stopped' | 'failed';
type ActionName = 'startPlayback' | 'emergency' | 'stopPipelines';

const AFTER = {
  startTimeout: 'xstate.after.startTimeout.delayLine.waiting',
  stallTimeout: 'xstate.after.stallTimeout.delayLine.playing.flowing',
  shutdownTimeout: 'xstate.after.shutdownTimeout.delayLine.shuttingDown',
} as const;
type AfterType = (typeof AFTER)[keyof typeof AFTER];
type Key = DelayLineEvent['type'] | AfterType;

/** Where each event leads from each state (events not listed are ignored). */
const NEXT: Record<Leaf, Partial<Record<Key, Leaf>>> = {
  waiting: { SAMPLE: 'buffering', [AFTER.startTimeout]: 'stalled', STALL: 'stalled', STOP: 'shuttingDown', ERROR: 'failed' },
  buffering: { FILLED: 'playing.starting', STALL: 'stalled', STOP: 'shuttingDown', ERROR: 'failed' },
  'playing.starting': { PROGRESS: 'playing.flowing', STALL: 'stalled', STOP: 'shuttingDown', ERROR: 'failed' },
  'playing.flowing': { PROGRESS: 'playing.flowing', [AFTER.stallTimeout]: 'stalled', STALL: 'stalled', STOP: 'shuttingDown', ERROR: 'failed' },
  stalled: { STOP: 'shuttingDown', ERROR: 'failed' },
  shuttingDown: { STOPPED: 'stopped', [AFTER.shutdownTimeout]: 'failed', ERROR: 'failed' },
  stopped: {},
  failed: {},
};
const TAGS: Record<Leaf, string[]> = {
  waiting: ['accepting'],
  buffering: ['accepting'],
  'playing.starting': ['accepting', 'playing'],
  'playing.flowing': ['accepting', 'playing'],
  stalled: [],
  shuttingDown: [],
  stopped: [],
  failed: [],
};
const FINAL: ReadonlySet<Leaf> = new Set<Leaf>(['stopped', 'failed']);

/** Entry actions of each state, and the one transition action (FILLED → startPlayback). */
function actionsOf(from: Leaf, key: Key, to: Leaf): ActionName[] {
  const out: ActionName[] = [];
  if (from === 'buffering' && key === 'FILLED') out.push('startPlayback');
  if (to !== from && to === 'stalled') out.push('emergency');
  if (to !== from && (to === 'shuttingDown' || to === 'failed')) out.push('stopPipelines');
  return out;
}

const leafOf = (value: unknown): Leaf =>
  (typeof value === 'string' ? value : Object.entries(value as Record<string, string>).map(([k, v]) => `${k}.${v}`)[0]) as Leaf;

// ---------------------------------------------------------------------------------------
// The system under test: a real actor, recording actions, a simulated clock

const INPUT = { id: 'line-1', startTimeoutMs: 3000, stallTimeoutMs: 1500, shutdownTimeoutMs: 700 } satisfies DelayLineInput;
const PIPELINE_ERROR = { type: 'ERROR', code: 'ERR_GST_PIPELINE', message: 'playback: not-negotiated' } as const;

interface Call {
  action: ActionName;
  /** The type of the event that led to the call (a timer's `xstate.after...` for a timeout). */
  event: string;
}

function makeSut(input: DelayLineInput = INPUT) {
  const calls: Call[] = [];
  const record = (action: ActionName) => ({ event }: { event: AnyEventObject }) => {
    calls.push({ action, event: event.type });
  };
  const clock = new SimulatedClock();
  const machine = delayLineMachine.provide({
    actions: { startPlayback: record('startPlayback'), emergency: record('emergency'), stopPipelines: record('stopPipelines') },
  });
  const actor = createActor(machine, { input, clock });
  actor.start();
  return { actor, clock, calls, machine };
}

/** What the spec says the line must look like after the steps so far. */
interface Expected {
  leaf: Leaf;
  stopReason: DelayLineStopReason | null;
  error: DelayLineContext['error'];
  calls: Call[];
}

function advance(expected: Expected, event: { type: string }): void {
  const key = event.type as Key;
  const to = NEXT[expected.leaf][key];
  if (to === undefined) return; // ignored
  expected.calls.push(...actionsOf(expected.leaf, key, to).map((action) => ({ action, event: event.type })));
  if (key === 'ERROR') {
    const e = event as Extract<DelayLineEvent, { type: 'ERROR' }>;
    expected.stopReason = 'error';
    expected.error = { code: e.code, message: e.message };
  } else if (to === 'stalled') expected.stopReason = 'stall';
  else if (to === 'shuttingDown') expected.stopReason ??= 'requested';
  else if (key === AFTER.shutdownTimeout) {
    expected.error = {
      code: 'ERR_GST_SHUTDOWN_TIMEOUT',
      message: `delay line line-1: the pipelines did not stop within 700 ms`,
    };
  }
  expected.leaf = to;
}

// ---------------------------------------------------------------------------------------

describe('delay line machine, model-based', () => {
  const all: Array<DelayLineEvent | { type: AfterType }> = [
    { type: 'SAMPLE' },
    { type: 'FILLED' },
    { type: 'PROGRESS' },
    { type: 'STALL', reason: 'no sample for 5 s' },
    { type: 'STOP' },
    { type: 'STOPPED' },
    PIPELINE_ERROR,
  ];
  // Every plain event in every state (those a state ignores must leave it as it is), and
  // each timer only in the state that arms it: elsewhere advancing the clock does nothing.
  const events = (snapshot: DelayLineSnapshot): DelayLineEvent[] => {
    const leaf = leafOf(snapshot.value);
    const timers = Object.values(AFTER).filter((t) => NEXT[leaf][t] !== undefined);
    return [...all, ...timers.map((type) => ({ type }))] as DelayLineEvent[];
  };
  const serialize = (snapshot: DelayLineSnapshot): string =>
    JSON.stringify([snapshot.value, snapshot.context.stopReason, snapshot.context.error?.code ?? null]);
  // createTestModel refuses machines with `after`; TestModel traverses them with the events given.
  const model = new TestModel(delayLineMachine, {
    input: INPUT,
    events,
    serializeState: serialize,
    stateMatcher: (_snapshot, key) => key === '*',
  });
  const shortest = model.getShortestPaths({ allowDuplicatePaths: true });
  const paths = pathsCoveringEveryTransition(model, serialize);

  it('names its timers as the test drives them', () => {
    const eventTypes = (id: string) => delayLineMachine.getStateNodeById(id).after.map((t) => t.eventType);
    expect(eventTypes('delayLine.waiting')).toEqual([AFTER.startTimeout]);
    expect(eventTypes('delayLine.playing.flowing')).toEqual([AFTER.stallTimeout]);
    expect(eventTypes('delayLine.shuttingDown')).toEqual([AFTER.shutdownTimeout]);
    expect(eventTypes('delayLine.playing.starting')).toEqual([]);
  });

  it('has a shortest path to every state, with every stop reason', () => {
    expect(shortest.map((p) => serialize(p.state)).sort()).toEqual(
      [
        ['waiting', null, null],
        ['buffering', null, null],
        [{ playing: 'starting' }, null, null],
        [{ playing: 'flowing' }, null, null],
        ['stalled', 'stall', null],
        ['shuttingDown', 'requested', null],
        ['shuttingDown', 'stall', null],
        ['stopped', 'requested', null],
        ['stopped', 'stall', null],
        ['failed', 'error', 'ERR_GST_PIPELINE'],
        ['failed', 'requested', 'ERR_GST_SHUTDOWN_TIMEOUT'],
        ['failed', 'stall', 'ERR_GST_SHUTDOWN_TIMEOUT'],
      ]
        .map((s) => JSON.stringify(s))
        .sort(),
    );
    // 7 non-final states (shuttingDown twice, by reason) × 7 plain events, plus the timers
    // (waiting 1, flowing 1, shuttingDown 2), each a path of its own, plus the empty path.
    expect(paths.length).toBe(7 * 7 + 4 + 1);
  });

  for (const path of paths) {
    // describePath leaves out every `xstate.*` event, the timers too, so the title is made here.
    const via = path.steps
      .map((s): string => delayLineTimeoutOf(s.event) ?? s.event.type)
      .filter((type) => type !== 'xstate.init');
    it(`reaches ${JSON.stringify(path.state.value)} via ${via.join(' → ') || '(start)'} (${path.state.context.stopReason ?? 'running'})`, async () => {
      const { actor, clock, calls } = makeSut();
      const expected: Expected = { leaf: 'waiting', stopReason: null, error: null, calls: [] };
      const send = (step: { event: { type: string } }) => {
        advance(expected, step.event);
        actor.send(step.event as DelayLineEvent);
      };
      /** A timer: just short of it nothing happens; at it, it fires. */
      const elapse = (ms: number) => (step: { event: { type: string } }) => {
        const before = actor.getSnapshot();
        clock.increment(ms - 1);
        expect(actor.getSnapshot()).toBe(before);
        advance(expected, step.event);
        clock.increment(1);
      };
      // Keyed by event type; the timers' types are not in the machine's event union.
      const executors: Record<Key, (step: { event: { type: string } }) => void> = {
        SAMPLE: send,
        FILLED: send,
        PROGRESS: send,
        STALL: send,
        STOP: send,
        STOPPED: send,
        ERROR: send,
        [AFTER.startTimeout]: elapse(INPUT.startTimeoutMs),
        [AFTER.stallTimeout]: elapse(INPUT.stallTimeoutMs),
        [AFTER.shutdownTimeout]: elapse(INPUT.shutdownTimeoutMs),
      };
      try {
        await path.test({
          events: executors,
          states: {
            '*': (state) => {
              const snapshot = actor.getSnapshot();
              // The spec's table, the model and the actor agree.
              expect(leafOf(snapshot.value)).toBe(expected.leaf);
              expect(leafOf(state.value)).toBe(expected.leaf);
              expect(snapshot.tags).toEqual(new Set(TAGS[expected.leaf]));
              expect(isAccepting(snapshot)).toBe(TAGS[expected.leaf].includes('accepting'));
              expect(snapshot.status).toBe(FINAL.has(expected.leaf) ? 'done' : 'active');
              expect(snapshot.context).toEqual({ ...INPUT, stopReason: expected.stopReason, error: expected.error });
              expect(state.context).toEqual(snapshot.context);
              expect(calls).toEqual(expected.calls);
            },
          },
        });
      } finally {
        actor.stop();
      }
    });
  }
});

describe('delay line machine, directly', () => {
  const toFlowing = (sut: ReturnType<typeof makeSut>) => {
    for (const type of ['SAMPLE', 'FILLED', 'PROGRESS'] as const) sut.actor.send({ type });
    expect(sut.actor.getSnapshot().value).toEqual({ playing: 'flowing' });
  };

  it('takes the defaults when the input names no timeout', () => {
    const { actor } = makeSut({ id: 'd' });
    expect(actor.getSnapshot().context).toEqual({
      id: 'd',
      startTimeoutMs: 5000,
      stallTimeoutMs: 5000,
      shutdownTimeoutMs: 2000,
      stopReason: null,
      error: null,
    });
    expect(DELAY_LINE_DEFAULTS).toEqual({ startTimeoutMs: 5000, stallTimeoutMs: 5000, shutdownTimeoutMs: 2000 });
  });

  it('restarts the stall timer on every PROGRESS', () => {
    const sut = makeSut();
    toFlowing(sut);
    const ms = INPUT.stallTimeoutMs;
    sut.clock.increment(ms - 1);
    sut.actor.send({ type: 'PROGRESS' });
    sut.clock.increment(ms - 1);
    expect(sut.actor.getSnapshot().value).toEqual({ playing: 'flowing' });
    sut.actor.send({ type: 'PROGRESS' });
    sut.clock.increment(ms - 1);
    expect(sut.actor.getSnapshot().value).toEqual({ playing: 'flowing' });
    expect(sut.calls.map((c) => c.action)).toEqual(['startPlayback']);
    sut.clock.increment(1);
    expect(sut.actor.getSnapshot().value).toBe('stalled');
    expect(sut.actor.getSnapshot().context.stopReason).toBe('stall');
    expect(sut.calls).toEqual([
      { action: 'startPlayback', event: 'FILLED' },
      { action: 'emergency', event: AFTER.stallTimeout },
    ]);
    expect(delayLineTimeoutOf({ type: sut.calls[1]!.event })).toBe('stallTimeout');
  });

  it('has no stall timer before the first PROGRESS (exact delay: the first frame is due after the delay)', () => {
    const sut = makeSut();
    sut.actor.send({ type: 'SAMPLE' });
    sut.actor.send({ type: 'FILLED' });
    sut.clock.increment(INPUT.stallTimeoutMs * 10);
    expect(sut.actor.getSnapshot().value).toEqual({ playing: 'starting' });
    expect(sut.calls.map((c) => c.action)).toEqual(['startPlayback']);
  });

  it('stalls from waiting when no sample comes within startTimeoutMs (default 5 s)', () => {
    const sut = makeSut({ id: 'd' });
    sut.clock.increment(4999);
    expect(sut.actor.getSnapshot().value).toBe('waiting');
    sut.clock.increment(1);
    expect(sut.actor.getSnapshot().value).toBe('stalled');
    expect(sut.actor.getSnapshot().context.stopReason).toBe('stall');
    expect(sut.calls).toEqual([{ action: 'emergency', event: AFTER.startTimeout }]);
  });

  it('a sample in time cancels the start timer', () => {
    const sut = makeSut();
    sut.clock.increment(INPUT.startTimeoutMs - 1);
    sut.actor.send({ type: 'SAMPLE' });
    sut.clock.increment(INPUT.startTimeoutMs * 10);
    expect(sut.actor.getSnapshot().value).toBe('buffering');
    expect(sut.calls).toEqual([]);
  });

  it('fails with ERR_GST_SHUTDOWN_TIMEOUT when the pipelines do not stop in time (default 2 s)', () => {
    const sut = makeSut({ id: 'd' });
    sut.actor.send({ type: 'SAMPLE' });
    sut.actor.send({ type: 'STOP' });
    sut.clock.increment(1999);
    expect(sut.actor.getSnapshot().value).toBe('shuttingDown');
    sut.clock.increment(1);
    const snapshot = sut.actor.getSnapshot();
    expect(snapshot.value).toBe('failed');
    expect(snapshot.status).toBe('done');
    expect(snapshot.context.stopReason).toBe('requested');
    expect(snapshot.context.error).toEqual({
      code: 'ERR_GST_SHUTDOWN_TIMEOUT',
      message: 'delay line d: the pipelines did not stop within 2000 ms',
    });
    expect(sut.calls).toEqual([
      { action: 'stopPipelines', event: 'STOP' },
      { action: 'stopPipelines', event: AFTER.shutdownTimeout },
    ]);
  });

  it('a stall keeps its reason through STOP, STOPPED', () => {
    const sut = makeSut();
    toFlowing(sut);
    sut.actor.send({ type: 'STALL', reason: 'source silent' });
    sut.actor.send({ type: 'STOP' });
    sut.actor.send({ type: 'STOPPED' });
    expect(sut.actor.getSnapshot().value).toBe('stopped');
    expect(sut.actor.getSnapshot().context.stopReason).toBe('stall');
    expect(sut.calls).toEqual([
      { action: 'startPlayback', event: 'FILLED' },
      { action: 'emergency', event: 'STALL' },
      { action: 'stopPipelines', event: 'STOP' },
    ]);
    // STOPPED cancelled the shutdown timer.
    sut.clock.increment(INPUT.shutdownTimeoutMs * 10);
    expect(sut.actor.getSnapshot().value).toBe('stopped');
    expect(sut.calls).toHaveLength(3);
  });

  it('the emergency action sees the STALL and its reason', () => {
    const seen: unknown[] = [];
    const machine = delayLineMachine.provide({ actions: { emergency: ({ event }) => seen.push(event) } });
    const actor = createActor(machine, { input: { id: 'e' } }).start();
    actor.send({ type: 'STALL', reason: 'no video for 5 s' });
    expect(seen).toEqual([{ type: 'STALL', reason: 'no video for 5 s' }]);
    actor.stop();
  });

  it('ignores every event in the final states', () => {
    // XState warns about each event sent to an actor that is done; the runtime should not send any.
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    const stopped = makeSut();
    stopped.actor.send({ type: 'STOP' });
    stopped.actor.send({ type: 'STOPPED' });
    const failed = makeSut();
    failed.actor.send(PIPELINE_ERROR);
    for (const sut of [stopped, failed]) {
      const before = sut.actor.getSnapshot();
      const callsBefore = [...sut.calls];
      expect(before.status).toBe('done');
      for (const event of [
        { type: 'SAMPLE' },
        { type: 'FILLED' },
        { type: 'PROGRESS' },
        { type: 'STALL', reason: 'x' },
        { type: 'STOP' },
        { type: 'STOPPED' },
        { type: 'ERROR', code: 'ERR_OTHER', message: 'later' },
      ] as const)
        sut.actor.send(event);
      sut.clock.increment(60_000);
      expect(sut.actor.getSnapshot().value).toBe(before.value);
      expect(sut.actor.getSnapshot().context).toEqual(before.context);
      expect(sut.calls).toEqual(callsBefore);
    }
    expect(failed.actor.getSnapshot().context.error).toEqual({ code: 'ERR_GST_PIPELINE', message: 'playback: not-negotiated' });
    expect(failed.calls).toEqual([{ action: 'stopPipelines', event: 'ERROR' }]);
    expect(warn).toHaveBeenCalledTimes(2 * 7);
    warn.mockRestore();
  });

  it('round-trips getPersistedSnapshot through JSON', () => {
    const sut = makeSut();
    toFlowing(sut);
    sut.actor.send({ type: 'STALL', reason: 'x' });
    sut.actor.send({ type: 'STOP' });
    const persisted = sut.actor.getPersistedSnapshot();
    const json = JSON.parse(JSON.stringify(persisted)) as typeof persisted;
    expect(json).toEqual(persisted);
    const restored = createActor(delayLineMachine, { snapshot: json, input: INPUT }).start();
    expect(restored.getSnapshot().value).toBe('shuttingDown');
    expect(restored.getSnapshot().context).toEqual({ ...INPUT, stopReason: 'stall', error: null });
    restored.send({ type: 'STOPPED' });
    expect(restored.getSnapshot().status).toBe('done');
    restored.stop();
  });

  it('a restored actor has no timer running: XState does not persist pending delays', () => {
    const sut = makeSut();
    toFlowing(sut);
    const json = JSON.parse(JSON.stringify(sut.actor.getPersistedSnapshot())) as ReturnType<typeof sut.actor.getPersistedSnapshot>;
    const clock = new SimulatedClock();
    const restored = createActor(delayLineMachine, { snapshot: json, input: INPUT, clock }).start();
    clock.increment(INPUT.stallTimeoutMs * 10);
    expect(restored.getSnapshot().value).toEqual({ playing: 'flowing' });
    // The next PROGRESS re-enters flowing and so re-arms the timer.
    restored.send({ type: 'PROGRESS' });
    clock.increment(INPUT.stallTimeoutMs);
    expect(restored.getSnapshot().value).toBe('stalled');
    restored.stop();
  });

  it('delayLineTimeoutOf names only the three timers', () => {
    expect(delayLineTimeoutOf({ type: AFTER.startTimeout })).toBe('startTimeout');
    expect(delayLineTimeoutOf({ type: AFTER.shutdownTimeout })).toBe('shutdownTimeout');
    expect(delayLineTimeoutOf({ type: 'STALL' })).toBeNull();
    expect(delayLineTimeoutOf({ type: 'xstate.after.1000.delayLine.waiting' })).toBeNull();
  });

  it('describes the machine and every state (for the diagrams)', () => {
    const nodes = [delayLineMachine.root, ...Object.values(delayLineMachine.root.states)];
    nodes.push(...Object.values(delayLineMachine.root.states.playing!.states));
    expect(nodes).toHaveLength(1 + 7 + 2);
    for (const node of nodes) expect(node.description, node.id).toMatch(/\w{3,}/);
  });
});
