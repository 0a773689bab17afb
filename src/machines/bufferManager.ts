/**
 * The manager, the root actor: it spawns one lifecycle actor per buffer and invokes the
 * memory monitor while running. Which ids exist is its context (JSON-safe); the buffers'
 * data structures live beside the actors in src/actors/.
 */
import { assign, enqueueActions, setup, spawnChild } from 'xstate';
import type { BufferType } from '../core/types.js';
import { bufferLifecycleMachine } from './bufferLifecycle.js';
import { memoryMonitorMachine, type MemoryMonitorInput } from './memoryMonitor.js';
import { ringFlowMachine } from './ringFlow.js';

/** Id of the flow actor that accompanies ring buffer `id`. */
export const flowActorId = (id: string): string => `${id}.flow`;

export interface BufferManagerInput {
  monitor?: MemoryMonitorInput;
}

export interface BufferManagerContext {
  bufferIds: string[];
  monitor: MemoryMonitorInput;
}

export type BufferManagerEvent =
  | { type: 'buffer.spawn'; id: string; bufferType: BufferType }
  | { type: 'buffer.remove'; id: string }
  | { type: 'CLOSE' }
  | { type: 'CLOSED' };

export const bufferManagerMachine = setup({
  types: {
    // The assertion declares the input type for XState; all its fields are optional.
    // eslint-disable-next-line @typescript-eslint/no-unnecessary-type-assertion
    input: {} as BufferManagerInput,
    context: {} as BufferManagerContext,
    events: {} as BufferManagerEvent,
  },
  actors: {
    buffer: bufferLifecycleMachine,
    memoryMonitor: memoryMonitorMachine,
    ringFlow: ringFlowMachine,
  },
  actions: {
    spawnBuffer: spawnChild('buffer', {
      id: ({ event }) => (event.type === 'buffer.spawn' ? event.id : ''),
      input: ({ event }) =>
        event.type === 'buffer.spawn' ? { id: event.id, bufferType: event.bufferType } : { id: '', bufferType: 'memory' as const },
    }),
    spawnFlow: spawnChild('ringFlow', {
      id: ({ event }) => (event.type === 'buffer.spawn' ? flowActorId(event.id) : ''),
      input: ({ event }) => ({ id: event.type === 'buffer.spawn' ? event.id : '' }),
    }),
    listBuffer: assign({
      bufferIds: ({ context, event }) => (event.type === 'buffer.spawn' ? [...context.bufferIds, event.id] : context.bufferIds),
    }),
    stopBuffer: enqueueActions(({ event, enqueue }) => {
      if (event.type !== 'buffer.remove') return;
      enqueue.stopChild(event.id);
      // A ring's flow actor goes with it (stopping an id that is not there does nothing).
      enqueue.stopChild(flowActorId(event.id));
    }),
    unlistBuffer: assign({
      bufferIds: ({ context, event }) =>
        event.type === 'buffer.remove' ? context.bufferIds.filter((id) => id !== event.id) : context.bufferIds,
    }),
  },
  guards: {
    isNewId: ({ context, event }) => event.type === 'buffer.spawn' && !context.bufferIds.includes(event.id),
    isNewRing: ({ context, event }) =>
      event.type === 'buffer.spawn' && event.bufferType === 'ring' && !context.bufferIds.includes(event.id),
    isKnownId: ({ context, event }) => event.type === 'buffer.remove' && context.bufferIds.includes(event.id),
  },
}).createMachine({
  id: 'bufferManager',
  description: 'Root actor: owns the buffer actors and the memory monitor.',
  initial: 'running',
  context: ({ input }) => ({ bufferIds: [], monitor: input.monitor ?? {} }),
  on: {
    // Accepted while running and while closing (the close sequence removes buffers one by one).
    'buffer.remove': { guard: 'isKnownId', actions: ['stopBuffer', 'unlistBuffer'] },
  },
  states: {
    running: {
      invoke: {
        id: 'memoryMonitor',
        systemId: 'memoryMonitor',
        src: 'memoryMonitor',
        input: ({ context }) => context.monitor,
      },
      on: {
        'buffer.spawn': [
          // A ring gets a second child beside its lifecycle: its flow.
          { guard: 'isNewRing', actions: ['spawnBuffer', 'spawnFlow', 'listBuffer'] },
          { guard: 'isNewId', actions: ['spawnBuffer', 'listBuffer'] },
        ],
        CLOSE: 'closing',
      },
    },
    closing: {
      description: 'Closing every buffer; the actor layer sends CLOSED when done.',
      on: {
        // Buffers left (if any) stop with the machine; none is listed once it is closed.
        CLOSED: { target: 'closed', actions: assign({ bufferIds: [] }) },
      },
    },
    closed: { type: 'final' },
  },
});
