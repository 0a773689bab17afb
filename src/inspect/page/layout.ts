/**
 * Lays a machine out for drawing: each compound state's children in layers, top to bottom,
 * the compound sized around them. Within a level it is a small Sugiyama layout:
 *
 * 1. arrows between the children (an arrow from or to a descendant counts for the child that
 *    contains it) are made acyclic by reversing the back edges found by a depth-first search
 *    from the initial child, so the initial state comes first;
 * 2. longest-path layering, with every rank doubled: each arrow then crosses at least one odd
 *    layer, where its label sits as a node of its own, so labels never overlap each other or a
 *    state;
 * 3. long arrows get a point in each layer they cross, the layers are ordered by barycenters,
 *    and x positions come from a least-squares fit to the neighbours under the ordering
 *    constraints (pool-adjacent-violators), which keeps arrows short and mostly straight.
 *
 * Pure geometry, no DOM: text widths are estimated for the monospace font the page uses.
 */
import type { Arrow, PageGraph, StateTree } from './machineGraph.js';

export interface Point {
  x: number;
  y: number;
}

/** A state's box, in the diagram's coordinates. */
export interface StateBox {
  state: StateTree;
  x: number;
  y: number;
  w: number;
  h: number;
  /** Nesting depth: 1 for a top-level state. */
  depth: number;
  /** True when this is the initial child of its parent (drawn with the initial mark). */
  initial: boolean;
  /** True when the parent is a parallel state: this state is one of its regions. */
  region: boolean;
}

export interface EdgeRoute {
  arrow: Arrow;
  /** The label text: the arrow's events, joined. */
  label: string;
  /** From the source's border to the target's border. */
  points: Point[];
  /** Centre of the label. */
  labelAt: Point;
  labelAnchor: 'start' | 'middle';
}

export interface MachineLayout {
  width: number;
  height: number;
  /** Parents before children, so children are drawn on top. */
  boxes: StateBox[];
  edges: EdgeRoute[];
  /**
   * Where the arrows of a compound's own transitions into its children start (XState's
   * `on: { SAMPLE: '.ended' }` on the root, say): one point per such compound, at the top.
   */
  entryPoints: Point[];
}

/** Estimated advance of one character of the state names (12 px monospace) and labels (10 px). */
const NAME_CHAR = 7.3;
const LABEL_CHAR = 6.1;
const NODE_H = 28;
const NODE_MIN_W = 64;
const NODE_PAD_X = 12;
const LABEL_H = 13;
/** A compound's title row, and the room around its children. */
const HEADER_H = 20;
const PAD = 12;
/** Room above a level's first layer for the initial mark. */
const INITIAL_H = 12;
const LAYER_GAP = 8;
const NODE_GAP = 18;
const DUMMY_W = 6;
/** The point the arrows of a compound's own transitions into its children start from. */
const ENTRY_W = 8;
/** How far a self-loop reaches out to the right of its state. */
const LOOP_W = 16;

const nameWidth = (text: string): number => text.length * NAME_CHAR;
export const labelWidth = (text: string): number => text.length * LABEL_CHAR + 4;

/** Shortens XState's generated causes for the label (`xstate.after.x.y` → `after x`). */
export function eventLabel(event: string): string {
  const after = /^xstate\.after\.([^.]+)\./.exec(event);
  if (after) return `after ${after[1]!}`;
  return event.replace(/^xstate\.done\.actor\./, 'done ').replace(/^xstate\.error\.actor\./, 'error ');
}
const arrowLabel = (arrow: Arrow): string => arrow.events.map(eventLabel).join(', ');

/** A laid-out subtree: its size, and its children's offsets inside it. */
interface Sized {
  state: StateTree;
  w: number;
  h: number;
  /** Room taken on the right beyond `w` (a self-loop and its label). */
  extra: number;
  children: { sized: Sized; dx: number; dy: number }[];
  /**
   * Level arrows' routes relative to this box: arrows between two children (or things inside
   * them), and arrows from this state itself into them, which start at `entry`.
   */
  routes: { arrow: Arrow; points: Point[]; labelAt: Point; fromEntry: boolean; toEntry: boolean }[];
  entry: Point | null;
}

/** Lays out a machine; deterministic, so a layout can be cached per machine. */
export function layoutMachine(graph: PageGraph): MachineLayout {
  const parentOf = new Map<string, StateTree>();
  const byId = new Map<string, StateTree>();
  const index = (node: StateTree): void => {
    byId.set(node.id, node);
    for (const child of node.children) {
      parentOf.set(child.id, node);
      index(child);
    }
  };
  index(graph.root);

  /** The child of `parent` that is `id` or contains it. */
  const childContaining = (parent: StateTree, id: string): StateTree | undefined => {
    let node = byId.get(id);
    while (node && parentOf.get(node.id) !== parent) node = parentOf.get(node.id);
    return node;
  };

  const selfLoops = new Map<string, Arrow>();
  for (const arrow of graph.arrows) if (arrow.source === arrow.target) selfLoops.set(arrow.source, arrow);

  const size = (state: StateTree): Sized => {
    const loop = selfLoops.get(state.id);
    const extra = loop ? LOOP_W + labelWidth(arrowLabel(loop)) : 0;
    if (state.children.length === 0) {
      const w = Math.max(NODE_MIN_W, nameWidth(state.key) + 2 * NODE_PAD_X);
      return { state, w, h: NODE_H, extra, children: [], routes: [], entry: null };
    }
    const sized = state.children.map(size);
    const level = layoutLevel(state, sized, graph.arrows, childContaining);
    const isRoot = state.id === '';
    const top = isRoot ? 4 : HEADER_H;
    const side = isRoot ? 4 : PAD;
    const w = Math.max(level.width + 2 * side, isRoot ? 0 : nameWidth(state.key) + 2 * PAD);
    // Centre narrow content under a wide title.
    const shiftX = side + (w - 2 * side - level.width) / 2;
    return {
      state,
      w,
      h: top + level.height + side,
      extra,
      children: level.placed.map((p) => ({ sized: p.sized, dx: p.x + shiftX, dy: p.y + top })),
      routes: level.routes.map((r) => ({
        arrow: r.arrow,
        points: r.points.map((pt) => ({ x: pt.x + shiftX, y: pt.y + top })),
        labelAt: { x: r.labelAt.x + shiftX, y: r.labelAt.y + top },
        fromEntry: r.fromEntry,
        toEntry: r.toEntry,
      })),
      entry: level.entry ? { x: level.entry.x + shiftX, y: level.entry.y + top } : null,
    };
  };

  const rootSized = size(graph.root);
  const boxes: StateBox[] = [];
  const boxOf = new Map<string, StateBox>();
  const edges: EdgeRoute[] = [];
  const entryPoints: Point[] = [];
  const pending: { sized: Sized; x: number; y: number }[] = [];

  const place = (sized: Sized, x: number, y: number, depth: number, initial: boolean, region: boolean): void => {
    if (sized.state.id !== '') {
      const box: StateBox = { state: sized.state, x, y, w: sized.w, h: sized.h, depth, initial, region };
      boxes.push(box);
      boxOf.set(sized.state.id, box);
    }
    pending.push({ sized, x, y });
    for (const c of sized.children) place(c.sized, x + c.dx, y + c.dy, depth + 1, sized.state.initial === c.sized.state.key, sized.state.type === 'parallel');
  };
  place(rootSized, 0, 0, 0, false, false);

  // Routes need every box's final position: ends are clipped to the real source and target,
  // which may sit inside the children the level laid out.
  for (const { sized, x, y } of pending) {
    if (sized.entry) entryPoints.push({ x: sized.entry.x + x, y: sized.entry.y + y });
    for (const r of sized.routes) {
      const mid = r.points.map((p) => ({ x: p.x + x, y: p.y + y }));
      // An end at the entry point is that point; any other end is clipped to its state's box.
      const start = r.fromEntry ? mid.shift() : mid[0];
      const end = r.toEntry ? mid.pop() : mid[mid.length - 1];
      const from = boxOf.get(r.arrow.source);
      const to = boxOf.get(r.arrow.target);
      if (!start || !end || (!r.fromEntry && !from) || (!r.toEntry && !to)) continue;
      const first = r.fromEntry || !from ? start : clipToBox(from, start);
      const last = r.toEntry || !to ? end : clipToBox(to, mid[mid.length - 1] ?? first);
      edges.push({ arrow: r.arrow, label: arrowLabel(r.arrow), points: [first, ...mid, last], labelAt: { x: r.labelAt.x + x, y: r.labelAt.y + y }, labelAnchor: 'middle' });
    }
  }
  for (const arrow of selfLoops.values()) {
    const box = boxOf.get(arrow.source);
    if (!box) continue;
    const right = box.x + box.w;
    const top = box.y + box.h * 0.3;
    const bottom = box.y + box.h * 0.7;
    edges.push({
      arrow,
      label: arrowLabel(arrow),
      points: [
        { x: right, y: top },
        { x: right + LOOP_W - 4, y: top - 6 },
        { x: right + LOOP_W - 4, y: bottom + 6 },
        { x: right, y: bottom },
      ],
      labelAt: { x: right + LOOP_W, y: box.y + box.h / 2 },
      labelAnchor: 'start',
    });
  }
  return { width: Math.ceil(rootSized.w + rootSized.extra), height: Math.ceil(rootSized.h), boxes, edges, entryPoints };
}

const center = (b: { x: number; y: number; w: number; h: number }): Point => ({ x: b.x + b.w / 2, y: b.y + b.h / 2 });

/** Where the line from the box's centre towards `toward` leaves the box. */
export function clipToBox(box: { x: number; y: number; w: number; h: number }, toward: Point): Point {
  const c = center(box);
  const dx = toward.x - c.x;
  const dy = toward.y - c.y;
  if (dx === 0 && dy === 0) return c;
  const t = Math.min(dx === 0 ? Infinity : box.w / 2 / Math.abs(dx), dy === 0 ? Infinity : box.h / 2 / Math.abs(dy));
  return t >= 1 ? toward : { x: c.x + dx * t, y: c.y + dy * t };
}

// ---------------------------------------------------------------------------------------------
// One level: the children of one compound state

interface LevelNode {
  /** A child state, or an arrow's point (label or bend). */
  sized: Sized | null;
  w: number;
  h: number;
  layer: number;
  /** Position in its layer, then its x (left edge). */
  order: number;
  x: number;
  up: LevelNode[];
  down: LevelNode[];
}

interface LevelResult {
  width: number;
  height: number;
  placed: { sized: Sized; x: number; y: number }[];
  routes: { arrow: Arrow; points: Point[]; labelAt: Point; fromEntry: boolean; toEntry: boolean }[];
  entry: Point | null;
}

function layoutLevel(
  parent: StateTree,
  children: Sized[],
  arrows: Arrow[],
  childContaining: (parent: StateTree, id: string) => StateTree | undefined,
): LevelResult {
  const nodeOf = new Map<StateTree, LevelNode>();
  const nodes: LevelNode[] = children.map((sized) => {
    const node: LevelNode = { sized, w: sized.w + sized.extra, h: sized.h, layer: 0, order: 0, x: 0, up: [], down: [] };
    nodeOf.set(sized.state, node);
    return node;
  });

  // Arrows between two different children, by the children that contain their ends. The
  // parent's own transitions into its children start from one point above them all, its
  // entry point; arrows from inside back to the parent itself (re-entering it) end there.
  const level: { arrow: Arrow; from: LevelNode; to: LevelNode }[] = [];
  const ends = arrows.map((arrow) => ({ arrow, a: childContaining(parent, arrow.source), b: childContaining(parent, arrow.target) }));
  const entry: LevelNode | null = ends.some(({ arrow, a, b }) => (arrow.source === parent.id && b) || (arrow.target === parent.id && a))
    ? { sized: null, w: ENTRY_W, h: ENTRY_W, layer: 0, order: 0, x: 0, up: [], down: [] }
    : null;
  for (const { arrow, a, b } of ends) {
    if (entry && arrow.source === parent.id && b) level.push({ arrow, from: entry, to: nodeOf.get(b)! });
    else if (entry && arrow.target === parent.id && a) level.push({ arrow, from: nodeOf.get(a)!, to: entry });
    else if (a && b && a !== b) level.push({ arrow, from: nodeOf.get(a)!, to: nodeOf.get(b)! });
  }

  // 1. Depth-first from the initial child: an arrow back to a node on the stack is reversed.
  const start = [...nodes].sort((p, q) => Number(q.sized!.state.key === parent.initial) - Number(p.sized!.state.key === parent.initial));
  const out = new Map<LevelNode, typeof level>();
  // Arrows into the entry point always point up, so they are reversed from the start.
  const reversed = new Set<(typeof level)[number]>(level.filter((e) => e.to === entry));
  for (const e of level) if (e.from !== entry && e.to !== entry) out.set(e.from, [...(out.get(e.from) ?? []), e]);
  const seen = new Set<LevelNode>();
  const onStack = new Set<LevelNode>();
  const discovery: LevelNode[] = [];
  const dfs = (n: LevelNode): void => {
    seen.add(n);
    onStack.add(n);
    discovery.push(n);
    for (const e of out.get(n) ?? []) {
      if (onStack.has(e.to)) reversed.add(e);
      else if (!seen.has(e.to)) dfs(e.to);
    }
    onStack.delete(n);
  };
  for (const n of start) if (!seen.has(n)) dfs(n);
  // The entry point last: the children keep their own order, the initial one first.
  if (entry) discovery.push(entry);

  // 2. Longest-path ranks over the acyclic edges, relaxed to a fixed point (a DAG needs at
  // most one pass per node); the entry point is ranked apart, above everything.
  const dag = level.map((e) => (reversed.has(e) ? { ...e, from: e.to, to: e.from, back: true } : { ...e, back: false }));
  const rank = new Map<LevelNode, number>(nodes.map((n) => [n, 0]));
  for (let changed = true, guard = 0; changed && guard <= nodes.length; guard++) {
    changed = false;
    for (const e of dag) {
      if (e.from === entry) continue;
      const r = rank.get(e.from)! + 1;
      if (r > rank.get(e.to)!) {
        rank.set(e.to, r);
        changed = true;
      }
    }
  }
  // The entry point alone in the first layer, above every child.
  for (const n of nodes) n.layer = 2 * (rank.get(n)! + (entry ? 1 : 0));

  // 3. A point for every layer an arrow crosses; the first one after its source carries the label.
  const all: LevelNode[] = entry ? [entry, ...nodes] : [...nodes];
  const chains: { arrow: Arrow; chain: LevelNode[]; label: LevelNode; back: boolean }[] = [];
  for (const e of dag) {
    const chain: LevelNode[] = [e.from];
    // Back arrows get their label next to their real source, which is the lower end.
    const labelLayer = e.back ? e.to.layer - 1 : e.from.layer + 1;
    let label: LevelNode | undefined;
    for (let layer = e.from.layer + 1; layer < e.to.layer; layer++) {
      const isLabel = layer === labelLayer;
      const text = isLabel ? arrowLabel(e.arrow) : '';
      const point: LevelNode = {
        sized: null,
        w: isLabel ? labelWidth(text) : DUMMY_W,
        h: isLabel ? LABEL_H : 0,
        layer,
        order: 0,
        x: 0,
        up: [],
        down: [],
      };
      if (isLabel) label = point;
      chain.push(point);
      all.push(point);
    }
    chain.push(e.to);
    for (let i = 1; i < chain.length; i++) {
      chain[i - 1]!.down.push(chain[i]!);
      chain[i]!.up.push(chain[i - 1]!);
    }
    chains.push({ arrow: e.arrow, chain, label: label ?? chain[1]!, back: e.back });
  }

  const layerCount = Math.max(0, ...all.map((n) => n.layer)) + 1;
  const layers: LevelNode[][] = Array.from({ length: layerCount }, () => []);
  // Initial order: discovery order for states; an arrow's points go between its two ends.
  const firstSeen = new Map<LevelNode, number>(discovery.map((n, i) => [n, i]));
  for (const { chain } of chains) {
    const between = (firstSeen.get(chain[0]!)! + firstSeen.get(chain[chain.length - 1]!)!) / 2 + 0.25;
    for (const point of chain.slice(1, -1)) firstSeen.set(point, between);
  }
  for (const n of all) layers[n.layer]!.push(n);
  const keyOf = (n: LevelNode): number => firstSeen.get(n)!;
  for (const layer of layers) {
    layer.sort((p, q) => keyOf(p) - keyOf(q));
    layer.forEach((n, i) => (n.order = i));
  }
  const barycenter = (n: LevelNode, side: LevelNode[]): number =>
    side.length === 0 ? n.order : side.reduce((sum, m) => sum + m.order, 0) / side.length;
  for (let sweep = 0; sweep < 6; sweep++) {
    const down = sweep % 2 === 0;
    const sequence = down ? layers.slice(1) : layers.slice(0, -1).reverse();
    for (const layer of sequence) {
      const weight = new Map(layer.map((n) => [n, barycenter(n, down ? n.up : n.down)]));
      layer.sort((p, q) => weight.get(p)! - weight.get(q)! || p.order - q.order);
      layer.forEach((n, i) => (n.order = i));
    }
  }

  // x: start packed, then fit each node's centre to the mean of its neighbours' centres.
  for (const layer of layers) {
    let x = 0;
    for (const n of layer) {
      n.x = x;
      x += n.w + NODE_GAP;
    }
  }
  const mid = (n: LevelNode): number => n.x + n.w / 2;
  for (let sweep = 0; sweep < 12; sweep++) {
    const down = sweep % 2 === 0;
    const sequence = down ? layers.slice(1) : layers.slice(0, -1).reverse();
    for (const layer of sequence) {
      const desired = layer.map((n) => {
        const side = down ? n.up : n.down;
        // Both sides once the layout has settled a little: it straightens chains of points.
        const near = sweep > 3 ? [...n.up, ...n.down] : side;
        return near.length === 0 ? mid(n) : near.reduce((s, m) => s + mid(m), 0) / near.length;
      });
      // Points weigh more than states: long arrows stay straight, states move around them.
      fitInOrder(layer, desired, layer.map((n) => (n.sized ? 1 : 2)));
    }
  }
  const minX = Math.min(...all.map((n) => n.x));
  for (const n of all) n.x -= minX;

  // y: each layer as tall as its tallest node; empty label layers shrink to the gap. The
  // initial child's layer gets room above for the initial mark.
  const layerTop: number[] = [];
  let y = 0;
  for (const layer of layers) {
    if (layer.some((n) => n.sized?.state.key === parent.initial)) y += INITIAL_H;
    layerTop.push(y);
    const h = Math.max(0, ...layer.map((n) => n.h));
    y += h + (h > 0 || layer.length > 0 ? LAYER_GAP : 0);
  }
  const height = Math.max(0, y - LAYER_GAP);
  const width = Math.max(0, ...all.map((n) => n.x + n.w));
  const yOf = (n: LevelNode): number => layerTop[n.layer]! + (n.sized ? 0 : Math.max(0, ...layers[n.layer]!.map((m) => m.h)) / 2);

  return {
    width,
    height,
    placed: nodes.map((n) => ({ sized: n.sized!, x: n.x, y: layerTop[n.layer]! })),
    routes: chains.map(({ arrow, chain, label, back }) => {
      // The entry point is part of the route (there is no box to clip to); back arrows into
      // the entry point were reversed, so the entry point is the chain's first node then too.
      const atEntry = chain[0] === entry;
      const inner = chain.slice(atEntry ? 0 : 1, -1).map((n) => ({ x: n.x + n.w / 2, y: yOf(n) }));
      return {
        arrow,
        points: back ? inner.reverse() : inner,
        labelAt: { x: label.x + label.w / 2, y: yOf(label) },
        fromEntry: atEntry && !back,
        toEntry: atEntry && back,
      };
    }),
    entry: entry ? { x: entry.x + entry.w / 2, y: yOf(entry) } : null,
  };
}

/**
 * Moves the nodes of one layer as close as possible (least squares, weighted) to the desired
 * centres while keeping their order and gaps: isotonic regression by pool-adjacent-violators,
 * after subtracting each node's minimum offset from the first.
 */
function fitInOrder(layer: LevelNode[], desiredMid: number[], weights: number[]): void {
  const offsets: number[] = [];
  let offset = 0;
  layer.forEach((n, i) => {
    offsets.push(offset);
    offset += n.w + (i + 1 < layer.length ? NODE_GAP : 0);
  });
  // Targets for the left edges, minus the offsets: they must be non-decreasing.
  const target = layer.map((n, i) => desiredMid[i]! - n.w / 2 - offsets[i]!);
  const blocks: { value: number; weight: number; count: number }[] = [];
  target.forEach((t, i) => {
    blocks.push({ value: t, weight: weights[i]!, count: 1 });
    while (blocks.length > 1 && blocks[blocks.length - 2]!.value > blocks[blocks.length - 1]!.value) {
      const b = blocks.pop()!;
      const a = blocks.pop()!;
      const weight = a.weight + b.weight;
      blocks.push({ value: (a.value * a.weight + b.value * b.weight) / weight, weight, count: a.count + b.count });
    }
  });
  let i = 0;
  for (const b of blocks) {
    for (let k = 0; k < b.count; k++, i++) layer[i]!.x = b.value + offsets[i]!;
  }
}
