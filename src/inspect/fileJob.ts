/**
 * A file job (`avbuf process`) as an actor the inspector can show: its phase as a machine
 * (opening → scanning → processing → done / failed) and its progress as sampled metrics.
 * The job's own code runs beside it: progress callbacks only update plain numbers, and an
 * event is sent only when the phase changes, so the data path never waits on inspection.
 */
import { createActor, setup, type Actor } from 'xstate';
import type { ProcessProgress } from '../cli/process.js';
import type { InspectionBus, MetricsSample } from './bus.js';

export type FileJobEvent = { type: 'SCAN' } | { type: 'PROCESS' } | { type: 'DONE' } | { type: 'FAIL'; error: string };

export const fileJobMachine = setup({
  types: {
    events: {} as FileJobEvent,
    context: {} as { lastError: string | null },
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

/** A file job shown on an inspection bus. */
export interface FileJobTracker {
  /** Pass as `onProgress` of {@link processFile} (or call it from yours). */
  readonly onProgress: (progress: ProcessProgress) => void;
  /** The job finished (`error` undefined) or failed. */
  finish(error?: unknown): void;
  /** Stops showing the job. */
  detach(): void;
}

/**
 * Shows a file job on `bus` under `label`: its phase, its progress (fill = fraction done)
 * and its rate in MB/s, sampled like every actor's metrics.
 */
export function trackFileJob(bus: InspectionBus, label = 'process'): FileJobTracker {
  const actor: Actor<typeof fileJobMachine> = createActor(fileJobMachine);
  let latest: ProcessProgress | undefined;
  let lastBytes = 0;
  const sample = (dtMs: number): MetricsSample | null => {
    const p = latest;
    if (p === undefined) return null;
    const rate = dtMs > 0 ? ((p.bytesDone - lastBytes) * 1000) / dtMs / 1048576 : null;
    lastBytes = p.bytesDone;
    return {
      fill: p.framesTotal > 0 ? p.framesDone / p.framesTotal : null,
      throughput: rate === null ? null : Math.max(0, rate),
      unit: 'MB/s',
      counters: { framesDone: p.framesDone, framesTotal: p.framesTotal, seconds: Math.round(p.elapsedMs) / 1000 },
    };
  };
  const source = bus.addActor(actor, label, (_id, machineId) => (machineId === 'fileJob' ? sample : undefined));
  actor.start();
  return {
    onProgress(progress) {
      if (latest?.phase !== progress.phase) {
        // A scan restarts the byte count: its rate is of the first pass.
        lastBytes = 0;
        actor.send({ type: progress.phase === 'scan' ? 'SCAN' : 'PROCESS' });
      }
      latest = progress;
    },
    finish(error) {
      actor.send(error === undefined ? { type: 'DONE' } : { type: 'FAIL', error: describe(error) });
    },
    detach() {
      source.detach();
      actor.stop();
    },
  };
}

function describe(error: unknown): string {
  if (error instanceof Error) return error.message;
  return typeof error === 'string' ? error : JSON.stringify(error) ?? 'unknown error';
}
