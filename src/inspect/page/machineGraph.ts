/**
 * The page's view of a machine graph (src/inspect/graph.ts, sent in 'hello'): the same data
 * read defensively from the wire into a tree, so a field the page does not know or a
 * graph from a newer server never breaks the page. No DOM here: the layout tests run in Node.
 */

/** One state, with its children, as the page draws it. */
export interface StateTree {
  /** Dotted path from the machine's root (`playing.flowing`); `''` for the root. */
  id: string;
  key: string;
  type: 'atomic' | 'compound' | 'parallel' | 'final' | 'history';
  /** Key of the child entered first (compound states). */
  initial: string | null;
  tags: string[];
  description: string;
  children: StateTree[];
}

/** One arrow: a transition with a target, or several of them between the same two states. */
export interface Arrow {
  source: string;
  target: string;
  /** Readable causes with their guards, in the graph's order (`PAUSE`, `after stallTimeout`, `SAMPLE [empty]`). */
  events: string[];
}

export interface PageGraph {
  /** The machine's id (`createMachine({ id })`). */
  id: string;
  root: StateTree;
  arrows: Arrow[];
  /** Targetless transitions by the state that owns them (actions only, no arrow drawn). */
  internal: Map<string, string[]>;
}

const STATE_TYPES = new Set(['atomic', 'compound', 'parallel', 'final', 'history']);

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
const str = (value: unknown, fallback = ''): string => (typeof value === 'string' ? value : fallback);
const strings = (value: unknown): string[] => (Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : []);
const stateType = (value: unknown, fallback: StateTree['type']): StateTree['type'] =>
  typeof value === 'string' && STATE_TYPES.has(value) ? (value as StateTree['type']) : fallback;

/**
 * Reads a MachineGraph from 'hello' into a tree. States whose parent is missing hang from
 * the root, so a partial graph still draws; returns null for something that is no graph.
 */
export function readGraph(machineKey: string, raw: unknown): PageGraph | null {
  if (!isRecord(raw) || !Array.isArray(raw.states)) return null;
  const root: StateTree = {
    id: '',
    key: str(raw.id, machineKey),
    type: stateType(raw.type, 'compound'),
    initial: null,
    tags: [],
    description: str(raw.description),
    children: [],
  };
  const byId = new Map<string, StateTree>([['', root]]);
  const parents = new Map<StateTree, string>();
  for (const s of raw.states) {
    if (!isRecord(s) || typeof s.id !== 'string' || s.id === '' || byId.has(s.id)) continue;
    const key = str(s.key, s.id.slice(s.id.lastIndexOf('.') + 1));
    const node: StateTree = {
      id: s.id,
      key,
      type: stateType(s.type, 'atomic'),
      initial: typeof s.initial === 'string' ? s.initial : null,
      tags: strings(s.tags),
      description: str(s.description),
      children: [],
    };
    byId.set(s.id, node);
    parents.set(node, str(s.parent));
  }
  for (const [node, parentId] of parents) (byId.get(parentId) ?? root).children.push(node);
  // The root's initial is a path; a compound's is a key.
  const rootInitial = str(raw.initial);
  root.initial = rootInitial === '' ? null : rootInitial.slice(rootInitial.lastIndexOf('.') + 1);
  for (const node of byId.values()) if (node.children.length > 0 && node.type === 'atomic') node.type = 'compound';

  const arrows = new Map<string, Arrow>();
  const internal = new Map<string, string[]>();
  for (const t of Array.isArray(raw.transitions) ? raw.transitions : []) {
    if (!isRecord(t)) continue;
    const source = str(t.source);
    if (!byId.has(source)) continue;
    // The guard tells apart transitions on one event (`SAMPLE [atWarning]`, `SAMPLE [atCritical]`).
    const guard = str(t.guard);
    const event = `${str(t.event, str(t.eventType, '?'))}${guard === '' ? '' : ` [${guard}]`}`;
    const target = typeof t.target === 'string' && byId.has(t.target) ? t.target : null;
    if (target === null) {
      const list = internal.get(source) ?? [];
      if (!list.includes(event)) list.push(event);
      internal.set(source, list);
      continue;
    }
    const pair = `${source}\u0000${target}`;
    const arrow = arrows.get(pair) ?? { source, target, events: [] };
    if (!arrow.events.includes(event)) arrow.events.push(event);
    arrows.set(pair, arrow);
  }
  return { id: root.key, root, arrows: [...arrows.values()], internal };
}

/** Every state of the tree, the root first, depth first. */
export function allStates(root: StateTree): StateTree[] {
  const out: StateTree[] = [];
  const walk = (node: StateTree): void => {
    out.push(node);
    node.children.forEach(walk);
  };
  walk(root);
  return out;
}
