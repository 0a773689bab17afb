/**
 * The inspector's catalogue of machines (what the page can draw), and the default one: every
 * avbuf machine.
 */
import type { AnyStateMachine } from 'xstate';
import { machineGraph } from './graph.js';
import { ALL_MACHINES } from './machines.js';
import { fieldOf } from './snapshot.js';

/**
 * The machines the page can draw: graphs keyed by machine key, and how to find an actor's key
 * from its logic. `keyOf` returns undefined for a machine the page has no graph of (its actor
 * is still shown, with the machine's id as the key).
 */
export interface MachineCatalogue {
  /** Graph of each machine (see src/inspect/graph.ts), by machine key; sent in `hello`. */
  graphs(): Record<string, unknown>;
  keyOf(logic: unknown): string | undefined;
}

/**
 * Every avbuf machine, keyed by the machine's id: `buffer`, `bufferManager`,
 * `memoryMonitor`, `ringFlow`, `delayLine`, `fileJob`. Graphs are drawn once, when the first
 * page connects.
 *
 * @example
 * const bus = new InspectionBus({ catalogue: defaultCatalogue() });
 */
export function defaultCatalogue(): MachineCatalogue {
  const machines: AnyStateMachine[] = ALL_MACHINES.map((m) => m.machine);
  const ids = new Set(machines.map((m) => m.id));
  let graphs: Record<string, unknown> | undefined;
  return {
    graphs: () => (graphs ??= Object.fromEntries(machines.map((m) => [m.id, machineGraph(m)]))),
    // By id, not identity: a machine given its actions with `provide()` (the delay line's) is a new object.
    keyOf: (logic) => {
      const id = fieldOf(logic, 'id');
      return typeof id === 'string' && ids.has(id) ? id : undefined;
    },
  };
}
