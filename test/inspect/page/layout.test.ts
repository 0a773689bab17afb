/**
 * The inspector page's diagram layout, in Node (it is pure geometry): every avbuf machine
 * laid out from its real graph, checked for the properties that make a diagram readable.
 */
import { createMachine } from 'xstate';
import { describe, expect, it } from 'vitest';
import { machineGraph } from '../../../src/inspect/graph.js';
import { ALL_MACHINES } from '../../../src/inspect/machines.js';
import { clipToBox, eventLabel, labelWidth, layoutMachine, type MachineLayout, type StateBox } from '../../../src/inspect/page/layout.js';
import { allStates, readGraph, type PageGraph } from '../../../src/inspect/page/machineGraph.js';

interface Rect {
  x: number;
  y: number;
  w: number;
  h: number;
}

const overlaps = (a: Rect, b: Rect): boolean => a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;
const inside = (inner: Rect, outer: Rect): boolean =>
  inner.x >= outer.x && inner.y >= outer.y && inner.x + inner.w <= outer.x + outer.w && inner.y + inner.h <= outer.y + outer.h;
const onBorder = (p: { x: number; y: number }, b: Rect): boolean => {
  const e = 0.01;
  const withinX = p.x >= b.x - e && p.x <= b.x + b.w + e;
  const withinY = p.y >= b.y - e && p.y <= b.y + b.h + e;
  return withinX && withinY && (Math.abs(p.x - b.x) < e || Math.abs(p.x - b.x - b.w) < e || Math.abs(p.y - b.y) < e || Math.abs(p.y - b.y - b.h) < e);
};
/** Label text as the page sets it: 10 px monospace, centred (or starting) at labelAt. */
const labelRect = (edge: MachineLayout['edges'][number]): Rect => {
  const w = labelWidth(edge.label);
  return { x: edge.labelAnchor === 'middle' ? edge.labelAt.x - w / 2 : edge.labelAt.x, y: edge.labelAt.y - 6, w, h: 12 };
};

/** A machine with what the avbuf ones lack: parallel regions, a deep target, an arrow to an ancestor. */
const regionsMachine = createMachine({
  id: 'regions',
  type: 'parallel',
  states: {
    audio: {
      initial: 'idle',
      states: { idle: { on: { PLAY: 'playing' } }, playing: { on: { STOP: 'idle', RESET: '#regions.audio' } } },
    },
    video: {
      initial: 'off',
      states: {
        off: { on: { ON: 'on.sd' } },
        on: { initial: 'sd', states: { sd: { on: { UP: 'hd' } }, hd: { on: { DOWN: 'sd' } } }, on: { OFF: 'off' } },
      },
    },
  },
});

const graphs: [string, PageGraph][] = [...ALL_MACHINES.map((m) => m.machine), regionsMachine].map((machine) => {
  const graph = readGraph(machine.id, JSON.parse(JSON.stringify(machineGraph(machine))));
  if (!graph) throw new Error(`no graph for ${machine.id}`);
  return [machine.id, graph];
});

describe('readGraph', () => {
  it('builds the state tree from the graph sent in hello, compound states holding their children', () => {
    const graph = graphs.find(([id]) => id === 'delayLine')![1];
    expect(graph.root.children.map((c) => c.key)).toEqual(['waiting', 'buffering', 'playing', 'stalled', 'shuttingDown', 'stopped', 'failed']);
    const playing = graph.root.children.find((c) => c.key === 'playing')!;
    expect(playing.type).toBe('compound');
    expect(playing.initial).toBe('starting');
    expect(playing.children.map((c) => c.id)).toEqual(['playing.starting', 'playing.flowing']);
    expect(graph.root.initial).toBe('waiting');
  });

  it('merges the transitions between two states into one arrow, with guards in the label', () => {
    const delay = graphs.find(([id]) => id === 'delayLine')![1];
    const waitingToStalled = delay.arrows.filter((a) => a.source === 'waiting' && a.target === 'stalled');
    expect(waitingToStalled).toHaveLength(1);
    expect(waitingToStalled[0]!.events).toEqual(['STALL', 'after startTimeout']);
    const monitor = graphs.find(([id]) => id === 'memoryMonitor')![1];
    expect(monitor.arrows.find((a) => a.source === 'normal' && a.target === 'critical')!.events).toEqual(['SAMPLE [atCritical]']);
    // The samples that keep the level are targetless: no arrow, listed as internal.
    expect(monitor.internal.get('normal')).toEqual(['SAMPLE']);
    // A self-transition (re-entering flowing) is an arrow from a state to itself.
    expect(delay.arrows).toContainEqual({ source: 'playing.flowing', target: 'playing.flowing', events: ['PROGRESS'] });
  });

  it('reads what it can of a partial graph and refuses what is no graph', () => {
    expect(readGraph('x', null)).toBeNull();
    expect(readGraph('x', { states: 'no' })).toBeNull();
    const partial = readGraph('m', {
      states: [{ id: 'a' }, { id: 'b.c', parent: 'b' }, { id: 7 }],
      transitions: [{ source: 'a', target: 'b.c', event: 'GO' }, { source: 'nowhere', target: 'a' }],
    })!;
    // 'b.c' names a parent that is not there: it hangs from the root, and keeps its key.
    expect(allStates(partial.root).map((s) => s.id)).toEqual(['', 'a', 'b.c']);
    expect(partial.root.children.map((s) => s.key)).toEqual(['a', 'c']);
    expect(partial.arrows).toEqual([{ source: 'a', target: 'b.c', events: ['GO'] }]);
  });
});

describe('layoutMachine', () => {
  it.each(graphs)('%s: every state has a box inside its parent, and siblings never overlap', (_id, graph) => {
    const layout = layoutMachine(graph);
    const byId = new Map<string, StateBox>(layout.boxes.map((b) => [b.state.id, b]));
    expect([...byId.keys()].sort()).toEqual(allStates(graph.root).slice(1).map((s) => s.id).sort());
    for (const box of layout.boxes) {
      expect(inside(box, { x: 0, y: 0, w: layout.width, h: layout.height }), `${box.state.id} inside the diagram`).toBe(true);
      for (const child of box.state.children) expect(inside(byId.get(child.id)!, box), `${child.id} inside ${box.state.id}`).toBe(true);
      for (const sibling of layout.boxes) {
        if (sibling === box || sibling.depth !== box.depth || byId.get(sibling.state.id) === undefined) continue;
        const sameParent = sibling.state.id.split('.').slice(0, -1).join('.') === box.state.id.split('.').slice(0, -1).join('.');
        if (sameParent) expect(overlaps(box, sibling), `${box.state.id} / ${sibling.state.id}`).toBe(false);
      }
    }
  });

  it.each(graphs)('%s: every arrow is drawn from its source to its target, labels clear of states and of each other', (_id, graph) => {
    const layout = layoutMachine(graph);
    const byId = new Map<string, StateBox>(layout.boxes.map((b) => [b.state.id, b]));
    expect(layout.edges.map((e) => e.arrow).sort((a, b) => `${a.source}>${a.target}`.localeCompare(`${b.source}>${b.target}`))).toEqual(
      [...graph.arrows].sort((a, b) => `${a.source}>${a.target}`.localeCompare(`${b.source}>${b.target}`)),
    );
    const atomic = layout.boxes.filter((b) => b.state.children.length === 0);
    for (const edge of layout.edges) {
      const from = byId.get(edge.arrow.source);
      const to = byId.get(edge.arrow.target);
      const first = edge.points[0]!;
      const last = edge.points[edge.points.length - 1]!;
      const within = (inner: string, outer: string): boolean => outer === '' || inner.startsWith(`${outer}.`);
      // A compound's own transitions into its children start at its entry point; transitions
      // from inside back to the compound (re-entering it) end there.
      if (within(edge.arrow.target, edge.arrow.source)) expect(layout.entryPoints).toContainEqual(first);
      else expect(onBorder(first, from!), `${edge.label} starts on ${edge.arrow.source}`).toBe(true);
      if (within(edge.arrow.source, edge.arrow.target)) expect(layout.entryPoints).toContainEqual(last);
      else expect(onBorder(last, to!), `${edge.label} ends on ${edge.arrow.target}`).toBe(true);
      expect(edge.label).toBe(edge.arrow.events.map(eventLabel).join(', '));
      for (const box of atomic) expect(overlaps(labelRect(edge), box), `label ${edge.label} over ${box.state.id}`).toBe(false);
      for (const other of layout.edges) {
        if (other !== edge) expect(overlaps(labelRect(edge), labelRect(other)), `labels ${edge.label} / ${other.label}`).toBe(false);
      }
    }
  });

  it('puts the initial state at the top and the final states below it', () => {
    const graph = graphs.find(([id]) => id === 'buffer')![1];
    const layout = layoutMachine(graph);
    const y = (id: string): number => layout.boxes.find((b) => b.state.id === id)!.y;
    expect(y('initializing')).toBe(Math.min(...layout.boxes.map((b) => b.y)));
    expect(y('closed')).toBe(Math.max(...layout.boxes.map((b) => b.y)));
    expect(y('active')).toBeLessThan(y('paused'));
    expect(layout.boxes.find((b) => b.state.id === 'initializing')!.initial).toBe(true);
  });

  it('is deterministic, so one layout per machine serves every actor that runs it', () => {
    for (const [, graph] of graphs) expect(layoutMachine(graph)).toEqual(layoutMachine(graph));
  });

  it('names timers and actor completions shortly in labels', () => {
    expect(eventLabel('xstate.after.stallTimeout.delayLine.playing.flowing')).toBe('after stallTimeout');
    expect(eventLabel('xstate.done.actor.job')).toBe('done job');
    expect(eventLabel('PAUSE')).toBe('PAUSE');
  });

  it('clips a line from a box centre at its border', () => {
    const box = { x: 0, y: 0, w: 100, h: 20 };
    expect(clipToBox(box, { x: 50, y: 100 })).toEqual({ x: 50, y: 20 });
    expect(clipToBox(box, { x: 250, y: 10 })).toEqual({ x: 100, y: 10 });
    expect(clipToBox(box, { x: 60, y: 12 })).toEqual({ x: 60, y: 12 });
  });
});
