/**
 * A file job (`processFile`, `avbuf process`) as an actor the inspector can show: its phase
 * as src/machines/fileJob.ts and its progress as sampled metrics. The job's own code runs
 * beside it: progress callbacks only update plain numbers, and an event is sent only when
 * the phase changes, so the data path never waits on inspection.
 */
import { createActor, type Actor } from 'xstate';
import type { ProcessProgress } from '../jobs/processFile.js';
import { fileJobMachine } from '../machines/fileJob.js';
import type { InspectionBus, MetricsSample } from './bus.js';

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
