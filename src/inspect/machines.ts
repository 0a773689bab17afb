/**
 * Every machine avbuf defines, with the name a reader knows it by: what `avbuf machines`
 * prints and docs/machines.md shows. A machine added to src/machines/index.ts belongs here.
 */
import type { AnyStateMachine } from 'xstate';
import {
  bufferLifecycleMachine,
  bufferManagerMachine,
  delayLineMachine,
  fileJobMachine,
  memoryMonitorMachine,
  ringFlowMachine,
} from '../machines/index.js';
import { machineGraph } from './graph.js';
import type { NamedMachineGraph } from './render.js';

export interface NamedMachine {
  /** Human name, e.g. `Delay line`. */
  name: string;
  /** Its export from `avbuf/machines`. */
  exportName: string;
  machine: AnyStateMachine;
}

/** Every machine exported from `avbuf/machines`, in the order the docs present them. */
export const ALL_MACHINES: readonly NamedMachine[] = [
  { name: 'Buffer lifecycle', exportName: 'bufferLifecycleMachine', machine: bufferLifecycleMachine },
  { name: 'Buffer manager', exportName: 'bufferManagerMachine', machine: bufferManagerMachine },
  { name: 'Memory monitor', exportName: 'memoryMonitorMachine', machine: memoryMonitorMachine },
  { name: 'Ring flow', exportName: 'ringFlowMachine', machine: ringFlowMachine },
  { name: 'Delay line', exportName: 'delayLineMachine', machine: delayLineMachine },
  { name: 'File job', exportName: 'fileJobMachine', machine: fileJobMachine },
];

/** The graphs of {@link ALL_MACHINES}, named. */
export function allMachineGraphs(): NamedMachineGraph[] {
  return ALL_MACHINES.map(({ name, exportName, machine }) => ({ name, exportName, graph: machineGraph(machine) }));
}
