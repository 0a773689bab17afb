/**
 * Paths for model-based tests: every shortest path (one per reachable state), plus one
 * path per transition (the shortest path to its source, then its event), so each state
 * and each transition of a machine is replayed against the real actor.
 */
import type { EventObject, Snapshot } from 'xstate';
import type { AdjacencyValue, StatePath, TestModel, TestParam, TestPathResult } from 'xstate/graph';

export interface CoveringPath<S extends Snapshot<unknown>, E extends EventObject> extends StatePath<S, E> {
  test(params: TestParam<S, E>): Promise<TestPathResult>;
}

/**
 * @param model - the test model (its events and serializeState decide the graph).
 * @param serialize - the same state serializer the model uses.
 */
export function pathsCoveringEveryTransition<S extends Snapshot<unknown>, E extends EventObject, I>(
  model: TestModel<S, E, I>,
  serialize: (snapshot: S) => string,
): Array<CoveringPath<S, E>> {
  const shortest = model.getShortestPaths({ allowDuplicatePaths: true });
  const byState = new Map(shortest.map((p) => [serialize(p.state), p]));
  const out = new Map<string, StatePath<S, E>>();
  const keyOf = (p: StatePath<S, E>): string => p.steps.map((s) => JSON.stringify(s.event)).join('|');
  for (const p of shortest) out.set(keyOf(p), p);
  const adjacency = Object.entries(model.getAdjacencyMap()) as Array<[string, AdjacencyValue<S, E>]>;
  for (const [stateKey, { state: source, transitions }] of adjacency) {
    const head = byState.get(stateKey);
    // Nothing leaves a final state (the graph still lists root-level transitions out of it).
    if (head === undefined || (source as { status?: string }).status === 'done') continue;
    for (const { event, state } of Object.values(transitions)) {
      // Steps hold the state reached by their event (the first step is xstate.init).
      const steps = [...head.steps, { event, state }];
      const path: StatePath<S, E> = { state, steps, weight: steps.length };
      const key = keyOf(path);
      if (!out.has(key)) out.set(key, path);
    }
  }
  return [...out.values()].map((path) => ({ ...path, test: (params) => model.testPath(path, params) }));
}

/** A test title from a path: the state it reaches and the events that lead there. */
export function describePath<E extends EventObject>(
  path: { state: unknown; steps: Array<{ event: E }> },
  label: (event: E) => string = (event) => event.type,
): string {
  const events = path.steps.filter((s) => !s.event.type.startsWith('xstate.')).map((s) => label(s.event));
  const value = (path.state as { value?: unknown }).value;
  return `${JSON.stringify(value)} via ${events.join(' → ') || '(start)'}`;
}
