/**
 * The lifecycle of every buffer, as plain data: no I/O, so it can be drawn, exported and
 * model-tested. The buffer actor (src/actors/) sends READY / RELEASED when its data
 * structure has finished allocating or freeing, and FAULT when something broke inside it.
 */
import { assign, setup } from 'xstate';
import type { BufferType } from '../core/types.js';

export interface BufferLifecycleInput {
  id: string;
  bufferType: BufferType;
}

/** JSON-safe, so `getPersistedSnapshot()` works; counters live outside the machine. */
export interface BufferLifecycleContext {
  id: string;
  bufferType: BufferType;
  lastError: string | null;
  faults: number;
}

export type BufferLifecycleEvent =
  | { type: 'READY' }
  | { type: 'PAUSE' }
  | { type: 'RESUME' }
  | { type: 'FAULT'; error: string }
  | { type: 'RECOVER' }
  | { type: 'CLOSE' }
  | { type: 'RELEASED' };

export const bufferLifecycleMachine = setup({
  types: {
    input: {} as BufferLifecycleInput,
    context: {} as BufferLifecycleContext,
    events: {} as BufferLifecycleEvent,
    tags: {} as 'accepting' | 'open',
  },
  actions: {
    recordFault: assign({
      lastError: ({ event }) => (event.type === 'FAULT' ? event.error : null),
      faults: ({ context }) => context.faults + 1,
    }),
    clearFault: assign({ lastError: null }),
  },
}).createMachine({
  id: 'buffer',
  description: 'Lifecycle of one buffer: data calls are accepted only while active.',
  initial: 'initializing',
  context: ({ input }) => ({ id: input.id, bufferType: input.bufferType, lastError: null, faults: 0 }),
  states: {
    initializing: {
      description: 'Storage being allocated or files opened.',
      tags: ['open'],
      on: {
        READY: 'active',
        FAULT: { target: 'error', actions: 'recordFault' },
        CLOSE: 'closing',
      },
    },
    active: {
      description: 'Accepting reads and writes.',
      tags: ['accepting', 'open'],
      on: {
        PAUSE: 'paused',
        FAULT: { target: 'error', actions: 'recordFault' },
        CLOSE: 'closing',
      },
    },
    paused: {
      description: 'Holding its data; data calls are refused until resumed.',
      tags: ['open'],
      on: {
        RESUME: 'active',
        FAULT: { target: 'error', actions: 'recordFault' },
        CLOSE: 'closing',
      },
    },
    error: {
      description: 'A fault inside the buffer; data calls are refused until recovered.',
      tags: ['open'],
      on: {
        RECOVER: { target: 'active', actions: 'clearFault' },
        CLOSE: 'closing',
      },
    },
    closing: {
      description: 'Flushing and freeing storage.',
      on: {
        RELEASED: 'closed',
        FAULT: { target: 'closed', actions: 'recordFault' },
      },
    },
    closed: {
      description: 'Storage freed; only metrics remain.',
      type: 'final',
    },
  },
});
