/**
 * The phases of a file job (`processFile`, `avbuf process`): opening → an optional scan
 * (for normalisation) → processing → done or failed. The job's data path never waits on
 * it: whoever runs the actor sends an event only when the phase changes.
 */
import { setup } from 'xstate';

export type FileJobEvent = { type: 'SCAN' } | { type: 'PROCESS' } | { type: 'DONE' } | { type: 'FAIL'; error: string };

export interface FileJobContext {
  lastError: string | null;
}

/** The file job's phases as a machine, as plain data (no actions, no I/O). */
export const fileJobMachine = setup({
  types: {
    events: {} as FileJobEvent,
    context: {} as FileJobContext,
  },
}).createMachine({
  id: 'fileJob',
  description: 'A file processed in bounded memory: an optional scan (for normalisation), then the processing pass.',
  initial: 'opening',
  context: { lastError: null },
  states: {
    opening: {
      description: 'Reading the input header.',
      on: { SCAN: 'scanning', PROCESS: 'processing', DONE: 'done', FAIL: 'failed' },
    },
    scanning: {
      description: 'First pass: measuring the peak.',
      on: { PROCESS: 'processing', FAIL: 'failed' },
    },
    processing: {
      description: 'Reading, processing and writing chunks.',
      on: { DONE: 'done', FAIL: 'failed' },
    },
    done: { type: 'final', description: 'The output file is complete.' },
    failed: { type: 'final', description: 'The job failed; the partial output was deleted.' },
  },
});
