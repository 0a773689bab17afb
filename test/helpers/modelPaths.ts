/**
 * Paths for model-based tests: every shortest path (one per reachable state), plus one
 * path per transition (the shortest path to its source, then its event), so each state
 * and each transition of a machine is replayed against the real actor.
 */
import type { EventObject, Snapshot } from 'xstate';
import type { TestModel } from 'xstate/graph';

type AnyTestPath<S extends Snapshot<unknown>, E extends EventObject> = ReturnType<TestModel<S, E, unknown>['getShortestPaths']>[number];

export function pathsCoveringEveryTransition<S extends Snapshot<unknown> & { value: unknown }, E extends EventObject>(
  model: TestModel<S, E, unknown>,
  serialize: (snapshot: S) => string,
): Array<AnyTestPath<S, E>> {
  const shortest = model.getShortestPaths({ allowDuplicatePaths: true });
  const byState = new Map(shortest.map((p) => [serialize(p.state), p]));
  const out = new Map<string, AnyTestPath<S, E>>();
  const eventsOf = (p: AnyTestPath<S, E>): E[] => p.steps.map((s) => s.event).filter((e) => !e.type.startsWith('xstate.'));
  for (const p of shortest) out.set(eventsOf(p).map((e) => JSON.stringify(e)).join('|'), p);
  for (const [stateKey, { transitions }] of Object.entries(model.getAdjacencyMap())) {
    const head = byState.get(stateKey);
    if (head === undefined) continue;
    for (const { event } of Object.values(transitions)) {
      const events = [...eventsOf(head), event];
      const key = events.map((e) => JSON.stringify(e)).join('|');
      if (out.has(key)) continue;
      const [path] = model.getPathsFromEvents(events, {});
      if (path !== undefined) out.set(key, path);
    }
  }
  return [...out.values()];
}

/** A test title from a path: the state it reaches and the events that lead there. */
export function describePath(path: { state: { value: unknown }; steps: Array<{ event: EventObject }> }): string {
  const events = path.steps.map((s) => s.event.type).filter((t) => !t.startsWith('xstate.'));
  return `${JSON.stringify(path.state.value)} via ${events.join(' → ') || '(start)'}`;
}
