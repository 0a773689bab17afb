/** Node's stream hooks take callbacks; avbuf's halves return promises. This joins the two. */

/**
 * Calls `callback()` when `work` resolves (after `onDone`), `callback(error)` when it rejects.
 *
 * @example
 * settle(this.#intake.write(chunk), callback);
 *
 * @param work - the promise of the step.
 * @param callback - Node's callback for the step.
 * @param onDone - runs before the callback on success.
 */
export function settle(work: Promise<unknown>, callback: (error?: Error | null) => void, onDone?: () => void): void {
  work.then(
    () => {
      onDone?.();
      callback();
    },
    // avbuf's sources and sinks reject with AvbufErrors (Errors), never with other values.
    (error: unknown) => callback(error as Error),
  );
}
