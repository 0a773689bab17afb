/**
 * Ties a stream to an AbortSignal. Node's own `addAbortSignal` destroys with Node's
 * AbortError (`ABORT_ERR`); avbuf's streams fail with an avbuf `ERR_ABORTED` instead, so
 * callers match one code whichever part gave up.
 */
import { AbortError } from '../../core/errors.js';

/**
 * Destroys `stream` with an `ERR_ABORTED` {@link AbortError} when `signal` aborts (at once
 * when it already has); returns the function that stops watching.
 *
 * @example
 * const stop = watchAbort(options.signal, this);
 *
 * @param signal - the caller's signal, if any.
 * @param stream - what to destroy.
 */
export function watchAbort(signal: AbortSignal | undefined, stream: { destroy(error: Error): unknown }): () => void {
  if (signal === undefined) return () => undefined;
  const abort = (): void => void stream.destroy(new AbortError(`the stream was aborted${reasonOf(signal)}`));
  if (signal.aborted) {
    process.nextTick(abort);
    return () => undefined;
  }
  signal.addEventListener('abort', abort, { once: true });
  return () => signal.removeEventListener('abort', abort);
}

function reasonOf(signal: AbortSignal): string {
  const reason: unknown = signal.reason;
  return reason instanceof Error && reason.name !== 'AbortError' ? `: ${reason.message}` : '';
}
