/**
 * machineGraph against the real machines (what the graph says is what the machine does: each
 * transition replayed with XState's pure `transition`, each event the graph leaves out
 * ignored), on a synthetic machine using every kind of transition, and its drawings
 * (Mermaid, DOT) checked for structure, not against snapshots.
 */
import { spawnSync } from 'node:child_process';
import {
  and,
  assign,
  fromPromise,
  initialTransition,
  not,
  or,
  pathToStateValue,
  setup,
  stateIn,
  transition,
  type AnyMachineSnapshot,
  type AnyStateMachine,
} from 'xstate';
import { describe, expect, it } from 'vitest';
import { machineGraph, type GraphTransition, type MachineGraph } from '../../src/inspect/graph.js';
import { ALL_MACHINES } from '../../src/inspect/machines.js';
import { drawnEdges, toDot, toMermaid, transitionLabel } from '../../src/inspect/render.js';
import { bufferLifecycleMachine, delayLineMachine } from '../../src/machines/index.js';
import { requireProgram } from '../helpers/program.js';

/** Inputs the real machines need to start. */
const INPUTS: Record<string, unknown> = {
  buffer: { id: 'b', bufferType: 'memory' },
  delayLine: { id: 'd' },
  ringFlow: { id: 'r' },
  memoryMonitor: {},
  bufferManager: {},
};

/**
 * Events (and context) to try for the guarded transitions, so that each guard is passed by
 * one of them: written from what the guards test, not from the graph.
 */
type Candidate = { event: { type: string } & Record<string, unknown>; context?: Record<string, unknown> };
const CANDIDATES: Record<string, Candidate[]> = {
  memoryMonitor: [10, 80, 95].map((usedBytes) => ({ event: { type: 'SAMPLE', usedBytes, limitBytes: 100, rssBytes: 0, at: 0 } })),
  ringFlow: [0, 10].flatMap((availableRead) =>
    [0, 1].flatMap((overruns) => [false, true].map((ended) => ({ event: { type: 'SAMPLE', availableRead, overruns, droppedFrames: 0, ended } }))),
  ),
  bufferManager: [
    { event: { type: 'buffer.spawn', id: 'x', bufferType: 'ring' } },
    { event: { type: 'buffer.spawn', id: 'x', bufferType: 'memory' } },
    { event: { type: 'buffer.remove', id: 'x' }, context: { bufferIds: ['x'] } },
  ],
};

/** A snapshot of `machine` in the state at `path` (a compound state resolves to its initial child). */
function snapshotIn(machine: AnyStateMachine, path: string, context?: Record<string, unknown>): AnyMachineSnapshot {
  const [initial] = initialTransition(machine, INPUTS[machine.id]) as [AnyMachineSnapshot, unknown];
  return machine.resolveState({ value: pathToStateValue(path.split('.')), context: { ...initial.context, ...context } }) as AnyMachineSnapshot;
}

/** The leaf paths of a snapshot, e.g. ['playing.flowing']. */
const leaves = (snapshot: AnyMachineSnapshot): string[] =>
  (snapshot._nodes as { type: string; path: string[] }[]).filter((n) => n.type === 'atomic' || n.type === 'final').map((n) => n.path.join('.'));

const send = (machine: AnyStateMachine, from: AnyMachineSnapshot, type: string): [AnyMachineSnapshot, { type: string }[]] =>
  transition(machine, from, { type }) as [AnyMachineSnapshot, { type: string }[]];

/** The state an actor must be in when the transition applies: the root's apply in any top-level state. */
const sourcesOf = (graph: MachineGraph, t: GraphTransition): string[] =>
  t.source === '' ? graph.states.filter((s) => s.parent === null && s.type !== 'final').map((s) => s.id) : [t.source];

describe('machineGraph: the delay line', () => {
  const graph = machineGraph(delayLineMachine);

  it('lists the 7 top-level states and playing.starting / playing.flowing, in document order', () => {
    expect(graph.id).toBe('delayLine');
    expect(graph.initial).toBe('waiting');
    expect(graph.type).toBe('compound');
    expect(graph.states.filter((s) => s.parent === null).map((s) => s.id)).toEqual([
      'waiting',
      'buffering',
      'playing',
      'stalled',
      'shuttingDown',
      'stopped',
      'failed',
    ]);
    expect(graph.states.map((s) => s.id)).toEqual([
      'waiting',
      'buffering',
      'playing',
      'playing.starting',
      'playing.flowing',
      'stalled',
      'shuttingDown',
      'stopped',
      'failed',
    ]);
    expect(graph.states.find((s) => s.id === 'playing')).toMatchObject({ type: 'compound', initial: 'starting', parent: null });
    expect(graph.states.find((s) => s.id === 'playing.flowing')).toMatchObject({ key: 'flowing', parent: 'playing', type: 'atomic' });
    expect(graph.states.filter((s) => s.type === 'final').map((s) => s.id)).toEqual(['stopped', 'failed']);
  });

  it('names each timer by its delay, with the event type XState raises', () => {
    expect(graph.transitions.filter((t) => t.kind === 'after')).toEqual([
      {
        source: 'waiting',
        target: 'stalled',
        event: 'after startTimeout',
        eventType: 'xstate.after.startTimeout.delayLine.waiting',
        kind: 'after',
        actions: ['recordStall'],
        reenter: false,
      },
      {
        source: 'playing.flowing',
        target: 'stalled',
        event: 'after stallTimeout',
        eventType: 'xstate.after.stallTimeout.delayLine.playing.flowing',
        kind: 'after',
        actions: ['recordStall'],
        reenter: false,
      },
      {
        source: 'shuttingDown',
        target: 'failed',
        event: 'after shutdownTimeout',
        eventType: 'xstate.after.shutdownTimeout.delayLine.shuttingDown',
        kind: 'after',
        actions: ['recordShutdownTimeout'],
        reenter: false,
      },
    ]);
  });

  it('marks PROGRESS in flowing as re-entering (it restarts the stall timer) and PROGRESS in starting not', () => {
    const progress = graph.transitions.filter((t) => t.event === 'PROGRESS');
    expect(progress).toEqual([
      expect.objectContaining({ source: 'playing.starting', target: 'playing.flowing', reenter: false }),
      expect.objectContaining({ source: 'playing.flowing', target: 'playing.flowing', reenter: true }),
    ]);
    // What re-entering means: the timer is cancelled and raised again.
    const [, actions] = send(delayLineMachine, snapshotIn(delayLineMachine, 'playing.flowing'), 'PROGRESS');
    expect(actions.map((a) => a.type)).toEqual(['xstate.cancel', 'xstate.raise']);
  });

  it('keeps tags, descriptions and the entry actions, without the timers XState adds to entry and exit', () => {
    const byId = new Map(graph.states.map((s) => [s.id, s]));
    expect(byId.get('waiting')).toMatchObject({ tags: ['accepting'], entry: [], exit: [] });
    expect(byId.get('buffering')?.tags).toEqual(['accepting']);
    expect(byId.get('playing')?.tags).toEqual(['accepting', 'playing']);
    expect(byId.get('stalled')).toMatchObject({ tags: [], entry: ['emergency'], exit: [] });
    expect(byId.get('shuttingDown')).toMatchObject({ entry: ['stopPipelines'], exit: [] });
    expect(byId.get('failed')).toMatchObject({ entry: ['stopPipelines'], type: 'final' });
    expect(byId.get('playing.flowing')?.description).toContain('stallTimeoutMs');
    expect(graph.description).toContain('A/V delay line');
  });

  it('gives the compound state its own transitions once (STALL, STOP, ERROR from playing, not from each child)', () => {
    const fromPlaying = graph.transitions.filter((t) => t.source === 'playing');
    expect(fromPlaying.map((t) => `${t.event}->${t.target ?? ''}`)).toEqual(['STALL->stalled', 'STOP->shuttingDown', 'ERROR->failed']);
    expect(graph.transitions.filter((t) => t.source.startsWith('playing.') && t.event === 'STALL')).toEqual([]);
    expect(graph.transitions).toHaveLength(20);
  });
});

describe('machineGraph: the buffer lifecycle', () => {
  const graph = machineGraph(bufferLifecycleMachine);

  it('has the six lifecycle states and the events each one takes', () => {
    expect(graph.states.map((s) => `${s.id}:${s.type}`)).toEqual([
      'initializing:atomic',
      'active:atomic',
      'paused:atomic',
      'error:atomic',
      'closing:atomic',
      'closed:final',
    ]);
    const events = (state: string): string[] => graph.transitions.filter((t) => t.source === state).map((t) => t.event);
    expect(events('initializing')).toEqual(['READY', 'FAULT', 'CLOSE']);
    expect(events('active')).toEqual(['PAUSE', 'FAULT', 'CLOSE']);
    expect(events('paused')).toEqual(['RESUME', 'FAULT', 'CLOSE']);
    expect(events('error')).toEqual(['RECOVER', 'CLOSE']);
    expect(events('closing')).toEqual(['RELEASED', 'FAULT']);
    expect(events('closed')).toEqual([]);
    expect(graph.states.filter((s) => s.tags.includes('accepting')).map((s) => s.id)).toEqual(['active']);
    expect(graph.transitions.find((t) => t.source === 'error' && t.event === 'RECOVER')).toMatchObject({ target: 'active', actions: ['clearFault'] });
  });
});

describe('machineGraph agrees with what every machine does', () => {
  for (const { name, machine } of ALL_MACHINES) {
    const graph = machineGraph(machine);

    it(`${name}: each transition, from its source, has an event of its type that leads to its target`, () => {
      let replayed = 0;
      for (const t of graph.transitions) {
        const events = (CANDIDATES[machine.id] ?? []).filter((c) => c.event.type === t.eventType);
        if (events.length === 0) events.push({ event: { type: t.eventType } });
        for (const source of sourcesOf(graph, t)) {
          const outcomes = events.map(({ event, context }) => {
            const before = snapshotIn(machine, source, context);
            const [after, actions] = transition(machine, before, event as never);
            const next = after as AnyMachineSnapshot;
            // A targetless transition shows by what it does: its actions or a new context.
            const acted = actions.length > 0 || JSON.stringify(next.context) !== JSON.stringify(before.context);
            return t.target === null
              ? acted && JSON.stringify(leaves(next)) === JSON.stringify(leaves(before))
              : JSON.stringify(leaves(next)) === JSON.stringify(leaves(snapshotIn(machine, t.target)));
          });
          expect({ source, event: t.event, guard: t.guard, reached: outcomes.includes(true) }).toEqual({ source, event: t.event, guard: t.guard, reached: true });
          replayed++;
        }
      }
      expect(replayed).toBeGreaterThanOrEqual(graph.transitions.length);
    });

    it(`${name}: names only guards and actions the machine implements`, () => {
      const guards = Object.keys(machine.implementations.guards);
      const actions = Object.keys(machine.implementations.actions);
      const builtIn = ['assign', 'raise', 'sendTo', 'emit', 'log', 'cancel', 'spawnChild', 'stopChild', 'enqueueActions'];
      for (const t of graph.transitions) {
        if (t.guard !== undefined) expect(guards).toContain(t.guard);
        for (const a of t.actions) expect([...actions, ...builtIn]).toContain(a);
      }
      for (const s of graph.states) for (const a of [...s.entry, ...s.exit]) expect(actions).toContain(a);
    });

    it(`${name}: is plain JSON (a round trip gives it back unchanged)`, () => {
      expect(JSON.parse(JSON.stringify(graph))).toStrictEqual(graph);
      expect(machineGraph(machine)).toStrictEqual(graph);
    });
  }

  it('replays every transition of the unguarded machines exactly: the plain event from the source ends in the target', () => {
    for (const machine of [bufferLifecycleMachine, delayLineMachine] as AnyStateMachine[]) {
      const graph = machineGraph(machine);
      expect(graph.transitions.filter((t) => t.guard !== undefined)).toEqual([]);
      for (const t of graph.transitions) {
        const before = snapshotIn(machine, t.source);
        const [after] = send(machine, before, t.eventType);
        const expected = t.target === null ? leaves(before) : leaves(snapshotIn(machine, t.target));
        expect({ source: t.source, event: t.event, leaves: leaves(after) }).toEqual({ source: t.source, event: t.event, leaves: expected });
      }
    }
  });

  it('leaves out no transition: an event the graph has no transition for, in a state, changes nothing', () => {
    for (const machine of [bufferLifecycleMachine, delayLineMachine] as AnyStateMachine[]) {
      const graph = machineGraph(machine);
      const eventTypes = [...new Set(graph.transitions.map((t) => t.eventType))];
      let checked = 0;
      for (const leaf of graph.states.filter((s) => s.type === 'atomic')) {
        const ancestors = leaf.id.split('.').map((_, i, parts) => parts.slice(0, i + 1).join('.'));
        for (const type of eventTypes) {
          if (graph.transitions.some((t) => t.eventType === type && (t.source === '' || ancestors.includes(t.source)))) continue;
          const before = snapshotIn(machine, leaf.id);
          const [after] = send(machine, before, type);
          expect({ state: leaf.id, type, leaves: leaves(after) }).toEqual({ state: leaf.id, type, leaves: [leaf.id] });
          checked++;
        }
      }
      expect(checked).toBeGreaterThan(10);
    }
  });

  it('shows the buffer manager invoking the memory monitor and its root transition (any state)', () => {
    const graph = machineGraph(ALL_MACHINES.find((m) => m.exportName === 'bufferManagerMachine')!.machine);
    expect(graph.invokes).toEqual([{ state: 'running', id: 'memoryMonitor', src: 'memoryMonitor' }]);
    expect(graph.transitions[0]).toEqual({
      source: '',
      target: null,
      event: 'buffer.remove',
      eventType: 'buffer.remove',
      kind: 'event',
      guard: 'isKnownId',
      actions: ['stopBuffer', 'unlistBuffer'],
      reenter: false,
    });
    expect(graph.transitions.find((t) => t.event === 'CLOSED')?.actions).toEqual(['assign']);
  });
});

// ---------------------------------------------------------------------------------------
// Every kind of transition, on a machine made for it

const kitchenSink = setup({
  types: { events: {} as { type: 'GO' } | { type: 'a.b' } | { type: 'TICK' } | { type: 'we: "odd"; yes' } },
  actors: { fetcher: fromPromise(() => Promise.resolve(1)) },
  guards: { ok: () => true, ready: () => true },
  actions: { note: () => undefined, greet: () => undefined },
  delays: { soon: 10 },
}).createMachine({
  id: 'sink',
  initial: 'idle',
  entry: 'greet',
  on: { 'a.*': { actions: 'note' } },
  states: {
    idle: {
      entry: [{ type: 'note' }, assign({})],
      after: { 5000: 'loading', soon: { target: 'idle', reenter: true } },
      on: {
        GO: [
          { guard: and(['ok', not('ready')]), target: 'loading' },
          { guard: or(['ok', { type: 'ready' }]), target: 'both' },
          { guard: stateIn('idle'), target: '#sink.loading', description: 'by id' },
        ],
        'we: "odd"; yes': { target: 'odd key' },
      },
    },
    loading: {
      invoke: { id: 'fetch', src: 'fetcher', onDone: 'done', onError: { target: 'idle', actions: 'note' } },
    },
    both: {
      type: 'parallel',
      onDone: 'done',
      states: {
        left: { initial: 'l1', states: { l1: { on: { TICK: 'l2' } }, l2: { type: 'final' }, hist: { type: 'history', history: 'deep' } } },
        right: { initial: 'r1', states: { r1: { always: { target: 'r2', guard: 'ok' } }, r2: { type: 'final' } } },
      },
    },
    'odd key': { on: { TICK: { target: ['#sink.both.left.l2', '#sink.both.right.r2'] } } },
    done: { type: 'final' },
  },
});

describe('machineGraph: every kind of transition', () => {
  const graph = machineGraph(kitchenSink);
  const find = (pred: (t: GraphTransition) => boolean): GraphTransition[] => graph.transitions.filter(pred);

  it('names numeric and named delays, and keeps reenter', () => {
    expect(find((t) => t.kind === 'after').map((t) => [t.event, t.target, t.reenter, t.eventType])).toEqual([
      ['after 5000 ms', 'loading', false, 'xstate.after.5000.sink.idle'],
      ['after soon', 'idle', true, 'xstate.after.soon.sink.idle'],
    ]);
  });

  it('writes higher-order guards as expressions and keeps transition descriptions', () => {
    expect(find((t) => t.event === 'GO').map((t) => t.guard)).toEqual(['ok && !ready', 'ok || ready', 'in(idle)']);
    expect(find((t) => t.event === 'GO')[2]).toMatchObject({ target: 'loading', description: 'by id' });
  });

  it('tells invoke completions, a parallel state done, always and wildcard transitions apart', () => {
    expect(find((t) => t.kind === 'invoke').map((t) => [t.source, t.event, t.invoke, t.target, t.eventType])).toEqual([
      ['loading', 'done', 'fetch', 'done', 'xstate.done.actor.fetch'],
      ['loading', 'error', 'fetch', 'idle', 'xstate.error.actor.fetch'],
    ]);
    expect(find((t) => t.kind === 'done')).toEqual([expect.objectContaining({ source: 'both', event: 'done', target: 'done', eventType: 'xstate.done.state.sink.both' })]);
    expect(find((t) => t.kind === 'always')).toEqual([
      expect.objectContaining({ source: 'both.right.r1', event: 'always', eventType: '', target: 'both.right.r2', guard: 'ok' }),
    ]);
    expect(find((t) => t.source === '')).toEqual([expect.objectContaining({ event: 'a.*', kind: 'event', target: null, actions: ['note'] })]);
    expect(graph.invokes).toEqual([{ state: 'loading', id: 'fetch', src: 'fetcher' }]);
  });

  it('lists a transition into two parallel regions once per target', () => {
    expect(find((t) => t.source === 'odd key').map((t) => t.target)).toEqual(['both.left.l2', 'both.right.r2']);
  });

  it('records parallel, history and final states, root and entry actions', () => {
    const byId = new Map(graph.states.map((s) => [s.id, s]));
    expect(byId.get('both')).toMatchObject({ type: 'parallel' });
    expect(byId.get('both')?.initial).toBeUndefined();
    expect(byId.get('both.left')).toMatchObject({ type: 'compound', initial: 'l1', parent: 'both' });
    expect(byId.get('both.left.hist')).toMatchObject({ type: 'history', history: 'deep' });
    expect(byId.get('idle')?.entry).toEqual(['note', 'assign']);
    expect(graph.entry).toEqual(['greet']);
    expect(JSON.parse(JSON.stringify(graph))).toStrictEqual(graph);
  });
});

// ---------------------------------------------------------------------------------------
// Drawings

/** The Mermaid id given to each state, read back from the `state "…" as id` declarations (one per state, in order). */
function mermaidIds(text: string, graph: MachineGraph): Map<string, string> {
  const declared = [...text.matchAll(/^\s*state "([^"]*)" as (\S+?)\{?$/gm)].map((m) => m[2]!);
  expect(declared).toHaveLength(graph.states.length);
  return new Map(graph.states.map((s, i) => [s.id, declared[i]!]));
}

/** Lines inside the block opened by the line containing `opener`. */
function blockOf(lines: readonly string[], opener: string): string[] {
  const start = lines.findIndex((l) => l.includes(opener));
  expect(start).toBeGreaterThanOrEqual(0);
  let depth = 0;
  for (let i = start; i < lines.length; i++) {
    depth += (lines[i]!.trimEnd().endsWith('{') ? 1 : 0) - (lines[i]!.trim() === '}' ? 1 : 0);
    if (depth === 0) return lines.slice(start + 1, i);
  }
  throw new Error(`unbalanced block after ${opener}`);
}

const balanced = (text: string): boolean => {
  let depth = 0;
  for (const ch of text.replace(/"(?:[^"\\]|\\.)*"/g, '""')) {
    if (ch === '{') depth++;
    if (ch === '}' && --depth < 0) return false;
  }
  return depth === 0;
};

describe('toMermaid', () => {
  for (const { name, machine } of [...ALL_MACHINES, { name: 'kitchen sink', machine: kitchenSink as AnyStateMachine }]) {
    it(`${name}: declares every state once and draws every transition with its label`, () => {
      const graph = machineGraph(machine);
      const text = toMermaid(graph);
      const lines = text.split('\n');
      expect(lines[0]).toBe('stateDiagram-v2');
      expect(balanced(text)).toBe(true);
      const ids = mermaidIds(text, graph);
      const arrows = lines.map((l) => l.trim()).filter((l) => / --> /.test(l) && !l.includes('[*]'));
      const edges = drawnEdges(graph);
      expect(arrows).toHaveLength(edges.length);
      for (const { from, to, transition: t } of edges) {
        const label = transitionLabel(t).replace(/[:;]/g, ',').replace(/"/g, "'");
        expect(arrows).toContain(`${ids.get(from)!} --> ${ids.get(to)!} : ${label}`);
      }
      // One label per arrow: nothing after it that Mermaid would read as a second one.
      for (const a of arrows) expect(a.split(' : ')[1]).not.toMatch(/[:;\n]/);
      for (const s of graph.states.filter((x) => x.type === 'final')) expect(lines.map((l) => l.trim())).toContain(`${ids.get(s.id)!} --> [*]`);
    });
  }

  it('nests playing.starting and playing.flowing in a playing block, with its initial arrow, and draws flowing → stalled outside it', () => {
    const graph = machineGraph(delayLineMachine);
    const lines = toMermaid(graph).split('\n');
    const ids = mermaidIds(lines.join('\n'), graph);
    const playing = blockOf(lines, `as ${ids.get('playing')!}{`).map((l) => l.trim());
    expect(playing).toContain(`[*] --> ${ids.get('playing.starting')!}`);
    expect(playing).toContain(`state "starting" as ${ids.get('playing.starting')!}`);
    expect(playing).toContain(`state "flowing" as ${ids.get('playing.flowing')!}`);
    expect(playing).toContain(`${ids.get('playing.flowing')!} --> ${ids.get('playing.flowing')!} : PROGRESS`);
    // Mermaid would move `stalled` into the block if the arrow were written there.
    expect(playing.some((l) => l.includes(ids.get('stalled')!))).toBe(false);
    expect(lines.map((l) => l.trim())).toContain(`${ids.get('playing.flowing')!} --> ${ids.get('stalled')!} : after stallTimeout / recordStall`);
    expect(lines.map((l) => l.trim())).toContain(`[*] --> ${ids.get('waiting')!}`);
  });

  it('separates the regions of a parallel state with --', () => {
    const graph = machineGraph(kitchenSink);
    const lines = toMermaid(graph).split('\n');
    const ids = mermaidIds(lines.join('\n'), graph);
    const both = blockOf(lines, `as ${ids.get('both')!}{`).map((l) => l.trim());
    expect(both.filter((l) => l === '--')).toHaveLength(1);
    expect(both.indexOf('--')).toBeGreaterThan(both.indexOf(`state "left" as ${ids.get('both.left')!}{`));
    expect(both.indexOf('--')).toBeLessThan(both.indexOf(`state "right" as ${ids.get('both.right')!}{`));
  });
});

describe('toDot', () => {
  const hasDot = requireProgram('dot', 'graphviz', '-V');

  for (const { name, machine } of [...ALL_MACHINES, { name: 'kitchen sink', machine: kitchenSink as AnyStateMachine }]) {
    it(`${name}: a digraph with every state as a node or cluster and every transition as an edge`, () => {
      const graph = machineGraph(machine);
      const text = toDot(graph);
      expect(text.startsWith(`digraph "${graph.id}" {\n`)).toBe(true);
      expect(text.endsWith('}\n')).toBe(true);
      expect(balanced(text)).toBe(true);
      for (const s of graph.states) {
        if (s.type === 'compound' || s.type === 'parallel') expect(text).toContain(`subgraph "cluster_${s.id}" {`);
        else expect(text).toMatch(new RegExp(`^\\s*${JSON.stringify(s.id).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} \\[`, 'm'));
      }
      expect(text.match(/ -> .*\[label=/g)).toHaveLength(drawnEdges(graph).length);
    });
  }

  it('draws an arrow into a compound state to its border and targetless transitions dashed', () => {
    const delay = toDot(machineGraph(delayLineMachine));
    expect(delay).toContain('"buffering" -> "initial:playing" [label="FILLED / startPlayback", lhead="cluster_playing"];');
    expect(delay).toContain('"initial:playing" -> "stalled" [label="STALL / recordStall", ltail="cluster_playing"];');
    expect(delay).toContain('"stopped" [label="stopped", peripheries=2];');
    const monitor = toDot(machineGraph(ALL_MACHINES.find((m) => m.exportName === 'memoryMonitorMachine')!.machine));
    expect(monitor).toContain('"normal" -> "normal" [label="SAMPLE / record", style=dashed];');
  });

  it('escapes quotes in names and labels', () => {
    const text = toDot(machineGraph(kitchenSink));
    expect(text).toContain('"idle" -> "odd key" [label="we: \\"odd\\"; yes"];');
  });

  it.skipIf(!hasDot)('is accepted by Graphviz (dot -Tsvg), every machine', () => {
    for (const { name, machine } of [...ALL_MACHINES, { name: 'kitchen sink', machine: kitchenSink as AnyStateMachine }]) {
      const run = spawnSync('dot', ['-Tsvg'], { input: toDot(machineGraph(machine)), encoding: 'utf8' });
      expect({ name, status: run.status, error: run.stderr.split('\n').filter((l) => /error/i.test(l)) }).toEqual({ name, status: 0, error: [] });
      expect(run.stdout).toContain('<svg');
    }
  });
});
