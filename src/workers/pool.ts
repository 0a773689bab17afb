/**
 * The Piscina pool avbuf's heavy work runs on, created on first use. Worker files must be
 * JavaScript on Node 20, so they are loaded from dist/ even when avbuf runs from its
 * TypeScript sources (tests): `npm run build` first.
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Piscina } from 'piscina';
import { ErrorCode, FileError } from '../core/errors.js';

let pool: Piscina | undefined;

/** Path of a built worker module, e.g. `workerFile('compress')`. */
export function workerFile(name: string): string {
  const here = fileURLToPath(import.meta.url);
  const dir = here.endsWith('.ts') ? join(dirname(here), '..', '..', 'dist', 'workers') : dirname(here);
  const file = join(dir, `${name}.js`);
  if (!existsSync(file)) throw new FileError(ErrorCode.FILE_NOT_FOUND, file, 'worker module missing: run `npm run build`');
  return file;
}

/**
 * The shared pool (2 threads at most here: the machine has 2 cores and the main thread
 * works too). Piscina is loaded on first use, so code that never needs a worker does not
 * pay for it at start-up.
 */
export async function workerPool(): Promise<Piscina> {
  if (pool === undefined) {
    const { Piscina: PiscinaClass } = await import('piscina');
    pool ??= new PiscinaClass({ filename: workerFile('compress'), maxThreads: 2, idleTimeout: 1000 });
    // Piscina emits 'error' on the pool for a worker failure outside a task, and an 'error'
    // event with no listener is thrown, crashing the process. A failed task still rejects its
    // own promise.
    pool.on('error', () => undefined);
  }
  return pool;
}

/**
 * Runs a conversion in a worker (see src/workers/codec.ts): both sides must be
 * SharedArrayBuffer views, so the worker reads and writes them in place.
 */
export function runCodec(task: import('./codec.js').CodecTask): Promise<number> {
  return workerPool().then((p) => p.run(task, { filename: workerFile('codec') }) as Promise<number>);
}

/** Destroys the pool (it is re-created on next use). */
export async function closeWorkerPool(): Promise<void> {
  const p = pool;
  pool = undefined;
  if (p !== undefined) await p.destroy();
}
