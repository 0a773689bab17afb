/**
 * The logger avbuf writes to: any object with pino's level methods. Silent by default,
 * so a library never prints unless its user asks.
 */

/** One level method, called as pino calls it: `(obj, msg?)` or `(msg)`. */
export type LogFn = (objOrMsg: unknown, msg?: string, ...args: unknown[]) => void;

/** A pino-compatible logger. `child` is used when present to bind `{ component, id }`. */
export interface Logger {
  trace: LogFn;
  debug: LogFn;
  info: LogFn;
  warn: LogFn;
  error: LogFn;
  child?: (bindings: Record<string, unknown>) => Logger;
}

const noop: LogFn = () => undefined;

/** A logger that discards everything; the default. */
export const silentLogger: Logger = Object.freeze({
  trace: noop,
  debug: noop,
  info: noop,
  warn: noop,
  error: noop,
});

/** `logger.child(bindings)` when the logger has it, the logger itself otherwise. */
export function childLogger(logger: Logger, bindings: Record<string, unknown>): Logger {
  return typeof logger.child === 'function' ? logger.child(bindings) : logger;
}
