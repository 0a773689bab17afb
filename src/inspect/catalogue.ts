/** The inspector's default catalogue: every avbuf machine, drawn for the page. */
import type { AnyStateMachine } from 'xstate';
import type { MachineCatalogue } from './bus.js';
import { machineGraph } from './graph.js';
import { ALL_MACHINES } from './machines.js';
import { fieldOf } from './snapshot.js';

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
