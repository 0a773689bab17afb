/** The commands' logger: plain `level text` lines on stderr, so stdout stays clean for `--json`. */
import type { Logger } from '../core/logger.js';

/** A logger writing warnings and errors (everything with `verbose`) to stderr. */
export function stderrLogger(verbose = false): Logger {
  const write =
    (level: string) =>
    (objOrMsg: unknown, msg?: string): void => {
      const text = typeof objOrMsg === 'string' ? objOrMsg : (msg ?? JSON.stringify(objOrMsg));
      process.stderr.write(`${level} ${text}\n`);
    };
  const quiet = (): undefined => undefined;
  return { trace: quiet, debug: quiet, info: verbose ? write('info') : quiet, warn: write('warn'), error: write('error') };
}
