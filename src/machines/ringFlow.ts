/**
 * The flow of a ring buffer, beside its lifecycle: empty, flowing, overrun (the producer
 * outran the consumer since the last sample), ended. The ring actor feeds it SAMPLE
 * events from the ring's shared counters at most 10 times a second, so the data plane
 * never waits on it; the counters it keeps are the last ones seen.
 */
import { assign, setup } from 'xstate';

export interface RingFlowSample {
  /** Frames readable at the sample. */
  availableRead: number;
  /** The ring's overrun count (writes that could not store everything at once). */
  overruns: number;
  /** The ring's dropped-frame count (overwrite policy). */
  droppedFrames: number;
  /** True once either end closed the ring. */
  ended: boolean;
}

export type RingFlowEvent = { type: 'SAMPLE' } & RingFlowSample;

export interface RingFlowContext {
  id: string;
  availableRead: number;
  overruns: number;
  droppedFrames: number;
}

export const ringFlowMachine = setup({
  types: {
    input: {} as { id: string },
    context: {} as RingFlowContext,
    events: {} as RingFlowEvent,
  },
  guards: {
    ended: ({ event }) => event.ended,
    overran: ({ context, event }) => event.overruns > context.overruns || event.droppedFrames > context.droppedFrames,
    empty: ({ event }) => event.availableRead === 0,
  },
  actions: {
    record: assign(({ event }) => ({
      availableRead: event.availableRead,
      overruns: event.overruns,
      droppedFrames: event.droppedFrames,
    })),
  },
}).createMachine({
  id: 'ringFlow',
  description: 'What the data in a ring is doing, sampled at most 10 times a second.',
  initial: 'empty',
  context: ({ input }) => ({ id: input.id, availableRead: 0, overruns: 0, droppedFrames: 0 }),
  on: {
    // Guards are checked in order: an end wins, then an overrun since the last sample.
    SAMPLE: [
      { guard: 'ended', target: '.ended', actions: 'record' },
      { guard: 'overran', target: '.overrun', actions: 'record' },
      { guard: 'empty', target: '.empty', actions: 'record' },
      { target: '.flowing', actions: 'record' },
    ],
  },
  states: {
    empty: { description: 'Nothing to read: the consumer is waiting on the producer.' },
    flowing: { description: 'Data in the ring, no overrun since the last sample.' },
    overrun: { description: 'The producer found the ring full since the last sample.' },
    ended: { description: 'Either end closed the ring; the consumer drains what is left.', type: 'final' },
  },
});
