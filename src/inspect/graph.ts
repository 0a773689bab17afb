/**
 * A machine definition as plain data: its states and transitions, JSON-safe, for drawing
 * (`avbuf machines`, docs/machines.md, the inspector page) and for checking against what the
 * machine does. Read from XState's own state nodes, so what is drawn is what runs: the
 * transitions are the ones XState selects from, timers carry the name of their delay, and
 * an event's exact type (`eventType`) is kept beside its readable name.
 */
import { and, not, or, stateIn, type AnyStateMachine, type AnyTransitionDefinition, type StateNode, type UnknownAction } from 'xstate';

/** How a state node behaves (XState's node types). */
export type StateType = 'atomic' | 'compound' | 'parallel' | 'final' | 'history';

/** What causes a transition. */
export type TransitionKind =
  /** An event sent to the actor (`on`). */
  | 'event'
  /** A timer started on entering the source (`after`). */
  | 'after'
  /** Taken as soon as its guard allows, with no event (`always`). */
  | 'always'
  /** An invoked actor finished, failed or changed (`invoke.onDone` / `onError` / `onSnapshot`). */
  | 'invoke'
  /** The source's own children reached a final state (`onDone` of a compound or parallel state). */
  | 'done';

export interface GraphState {
  /** Dotted path from the machine's root, e.g. `playing.flowing`. */
  id: string;
  /** The last segment of the path: the key in its parent's `states`. */
  key: string;
  /** The parent's path, or null for a top-level state. */
  parent: string | null;
  type: StateType;
  /** Key of the child entered first (compound states only). */
  initial?: string;
  /** History states only. */
  history?: 'shallow' | 'deep';
  description?: string;
  tags: string[];
  /** Names of the actions run on entering (XState's timer bookkeeping left out). */
  entry: string[];
  /** Names of the actions run on leaving (XState's timer bookkeeping left out). */
  exit: string[];
}

export interface GraphTransition {
  /**
   * Path of the state that owns the transition; `''` for the machine's root, whose
   * transitions apply in every state.
   */
  source: string;
  /** Path of the target, or null for a targetless transition (actions only, no state change). */
  target: string | null;
  /**
   * Readable name of the cause: the event descriptor (`SAMPLE`, `buffer.*`), `after 5000 ms`
   * or `after stallTimeout` (a named delay), `always`, or `done` / `error` / `snapshot`
   * (kind `invoke`, with `invoke` naming the actor; `done` for kind `done`).
   */
  event: string;
  /**
   * The event type XState matches, as the inspection API reports it: `SAMPLE`,
   * `xstate.after.stallTimeout.delayLine.playing.flowing`, `xstate.done.actor.<id>`;
   * `''` for `always`.
   */
  eventType: string;
  kind: TransitionKind;
  /** Id of the invoked actor (kind `invoke` only). */
  invoke?: string;
  /** The guard: its name, or an expression of names (`!a`, `a && b`, `in(state)`), or `inline`. */
  guard?: string;
  /** Names of the actions, in order. */
  actions: string[];
  /** True when the source (or target) is exited and entered again although it stays active. */
  reenter: boolean;
  description?: string;
}

export interface GraphInvoke {
  /** Path of the invoking state; `''` for the root. */
  state: string;
  id: string;
  /** The actor's name in `setup({ actors })`, or XState's generated name for inline logic. */
  src: string;
}

/** A machine definition as plain JSON-safe data. */
export interface MachineGraph {
  /** The machine's id (`createMachine({ id })`). */
  id: string;
  description?: string;
  /** The root's type: `compound` for most machines, `parallel` when its children are regions. */
  type: StateType;
  /** Path of the top-level state entered first; null when the root is parallel or has no states. */
  initial: string | null;
  /** The root's entry actions. */
  entry: string[];
  /** The root's exit actions. */
  exit: string[];
  /** Every state below the root, depth first, in document order. */
  states: GraphState[];
  /**
   * Every transition, state by state in the order of `states` (the root's first); within a
   * state in the order XState tries them: `on`, `onDone`, invoke completions, `after`, `always`.
   * A transition with several targets (into parallel regions) is listed once per target.
   */
  transitions: GraphTransition[];
  invokes: GraphInvoke[];
}

// XState's state nodes are typed with the machine's own parameters; the walk needs none.
type AnyStateNode = StateNode<any, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const pathOf = (node: { readonly path: readonly string[] }): string => node.path.join('.');

/**
 * The states and transitions of an XState v5 machine, as plain data.
 *
 * @example
 * const graph = machineGraph(delayLineMachine);
 * graph.states.map((s) => s.id); // ['waiting', 'buffering', 'playing', 'playing.starting', …]
 *
 * @param machine - any machine from `setup({...}).createMachine({...})` or `createMachine`.
 * @returns JSON-safe data: `JSON.parse(JSON.stringify(graph))` equals `graph`.
 */
export function machineGraph(machine: AnyStateMachine): MachineGraph {
  const root = machine.root as AnyStateNode;
  const states: GraphState[] = [];
  const transitions: GraphTransition[] = [];
  const invokes: GraphInvoke[] = [];

  const visit = (node: AnyStateNode): void => {
    if (node.parent) states.push(stateOf(node));
    transitions.push(...transitionsOf(node));
    for (const def of node.invoke) invokes.push({ state: pathOf(node), id: def.id, src: typeof def.src === 'string' ? def.src : 'inline' });
    for (const child of Object.values(node.states) as AnyStateNode[]) visit(child);
  };
  visit(root);

  const initial = root.type === 'compound' ? root.initial.target[0] : undefined;
  return {
    id: machine.id,
    ...(root.description !== undefined && { description: root.description }),
    type: root.type,
    initial: initial ? pathOf(initial) : null,
    entry: root.entry.filter(isUserAction).map(actionName),
    exit: root.exit.filter(isUserAction).map(actionName),
    states,
    transitions,
    invokes,
  };
}

function stateOf(node: AnyStateNode): GraphState {
  const parent = node.parent!;
  const initial = node.type === 'compound' ? node.initial.target[0] : undefined;
  return {
    id: pathOf(node),
    key: node.key,
    parent: parent.parent ? pathOf(parent) : null,
    type: node.type,
    ...(initial && { initial: initial.key }),
    ...(node.type === 'history' && node.history !== false && { history: node.history }),
    ...(node.description !== undefined && { description: node.description }),
    tags: [...node.tags],
    entry: node.entry.filter(isUserAction).map(actionName),
    exit: node.exit.filter(isUserAction).map(actionName),
  };
}

function transitionsOf(node: AnyStateNode): GraphTransition[] {
  // Invoke completions are stored under XState's event types; map them back to the invoke.
  const completions = new Map<string, { invoke: string; event: string }>();
  for (const def of node.invoke) {
    completions.set(`xstate.done.actor.${def.id}`, { invoke: def.id, event: 'done' });
    completions.set(`xstate.error.actor.${def.id}`, { invoke: def.id, event: 'error' });
    completions.set(`xstate.snapshot.${def.id}`, { invoke: def.id, event: 'snapshot' });
  }
  const out: GraphTransition[] = [];
  const add = (t: AnyTransitionDefinition, eventType: string, cause: Pick<GraphTransition, 'kind' | 'event'> & { invoke?: string }): void => {
    const targets: ({ readonly path: readonly string[] } | null)[] = t.target && t.target.length > 0 ? [...(t.target as readonly AnyStateNode[])] : [null];
    for (const target of targets) {
      out.push({
        source: pathOf(node),
        target: target ? pathOf(target) : null,
        event: cause.event,
        eventType,
        kind: cause.kind,
        ...(cause.invoke !== undefined && { invoke: cause.invoke }),
        ...(t.guard !== undefined && { guard: guardName(t.guard) }),
        actions: t.actions.map(actionName),
        reenter: t.reenter,
        ...(typeof t.description === 'string' && { description: t.description }),
      });
    }
  };
  for (const [eventType, list] of node.transitions) {
    for (const t of list) {
      const delay = (t as { delay?: unknown }).delay;
      const completion = completions.get(eventType);
      // `after` keys are numbers of milliseconds or names from `setup({ delays })`.
      if (delay !== undefined) add(t, eventType, { kind: 'after', event: typeof delay === 'number' ? `after ${delay} ms` : `after ${typeof delay === 'string' ? delay : 'delay'}` });
      else if (completion) add(t, eventType, { kind: 'invoke', ...completion });
      else if (eventType === `xstate.done.state.${node.id}`) add(t, eventType, { kind: 'done', event: 'done' });
      else add(t, eventType, { kind: 'event', event: eventType });
    }
  }
  for (const t of node.always ?? []) add(t, '', { kind: 'always', event: 'always' });
  return out;
}

/**
 * XState implements `after` with a delayed `raise` added to the state's entry and a `cancel`
 * to its exit, both with the id `xstate.after.…`: bookkeeping, not the machine's actions.
 */
function isUserAction(action: UnknownAction): boolean {
  if (typeof action !== 'function') return true;
  const a = action as { type?: unknown; id?: unknown; sendId?: unknown };
  if (a.type === 'xstate.raise') return !(typeof a.id === 'string' && a.id.startsWith('xstate.after.'));
  if (a.type === 'xstate.cancel') return !(typeof a.sendId === 'string' && a.sendId.startsWith('xstate.after.'));
  return true;
}

/** Names a function would get from the config key it was written under, not a real name. */
const POSITIONAL_NAMES = new Set(['', 'anonymous', 'entry', 'exit', 'actions', 'guard']);

/** `'record'`, `{ type: 'alert', params }` → `alert`, `assign(...)` → `assign`, an inline function → its name or `inline`. */
function actionName(action: UnknownAction): string {
  if (typeof action === 'string') return action;
  if (typeof action === 'function') {
    const type = (action as { type?: unknown }).type;
    if (typeof type === 'string') return type.replace(/^xstate\./, '');
    return POSITIONAL_NAMES.has(action.name) ? 'inline' : action.name;
  }
  return typeof action === 'object' && action !== null && typeof action.type === 'string' ? action.type : 'inline';
}

/**
 * The evaluators of XState's higher-order guards, taken from guards made here: compared by
 * identity, so a minifier that renames the functions does not matter.
 */
const checkOf = (guard: unknown): unknown => (guard as { check?: unknown }).check;
const NOT = checkOf(not('x'));
const AND = checkOf(and(['x']));
const OR = checkOf(or(['x']));
const IN = checkOf(stateIn('x'));

/** A guard's name; the higher-order guards `not`, `and`, `or` and `stateIn` as expressions. */
function guardName(guard: unknown): string {
  if (typeof guard === 'string') return guard;
  if (typeof guard === 'object' && guard !== null && typeof (guard as { type?: unknown }).type === 'string') {
    return (guard as { type: string }).type;
  }
  if (typeof guard !== 'function') return 'inline';
  const g = guard as { check?: unknown; guards?: readonly unknown[]; stateValue?: unknown; name: string };
  const inner = (g.guards ?? []).map((x) => {
    const name = guardName(x);
    return /\s/.test(name) ? `(${name})` : name;
  });
  if (g.check === NOT) return `!${inner[0] ?? ''}`;
  if (g.check === AND) return inner.join(' && ');
  if (g.check === OR) return inner.join(' || ');
  if (g.check === IN) return `in(${typeof g.stateValue === 'string' ? g.stateValue : JSON.stringify(g.stateValue)})`;
  return POSITIONAL_NAMES.has(g.name) ? 'inline' : g.name;
}
