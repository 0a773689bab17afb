/**
 * `avbuf inspect --demo`: the live inspector on a demo system (src/inspect/demo.ts), until
 * Ctrl-C or `--duration` seconds. Also the `--inspect` helper of `avbuf delay` and
 * `avbuf process`: the URL goes to stderr so that `--json` output on stdout stays clean.
 */
import { ConfigError } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import { stderrLogger } from './stderrLogger.js';

export const INSPECT_USAGE = 'usage: avbuf inspect --demo [--port N] [--host H] [--duration S]';

export interface InspectCommandOptions {
  demo?: boolean | undefined;
  port?: string | undefined;
  host?: string | undefined;
  duration?: string | undefined;
  verbose?: boolean | undefined;
}

/**
 * Parses `--port`: a whole number 0–65535 (0: a free port).
 * @throws {ConfigError} `ERR_INVALID_CONFIG` naming `--port`.
 */
export function parsePort(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const port = Number(text);
  if (text.trim() === '' || !Number.isInteger(port) || port < 0 || port > 65535) throw new ConfigError('--port', `must be a whole number 0-65535, got "${text}"`);
  return port;
}


/** Runs `avbuf inspect`; resolves to the exit code. */
export async function runInspect(options: InspectCommandOptions): Promise<number> {
  if (options.demo !== true) {
    process.stderr.write(`avbuf inspect: only --demo is available here; to inspect your own system call manager.inspect(), or add --inspect to avbuf delay / avbuf process\n${INSPECT_USAGE}\n`);
    return 2;
  }
  let port: number | undefined;
  let duration: number | undefined;
  try {
    port = parsePort(options.port);
    if (options.duration !== undefined) {
      duration = Number(options.duration);
      if (options.duration.trim() === '' || !(duration > 0) || !Number.isFinite(duration)) {
        throw new ConfigError('--duration', `must be a number of seconds > 0, got "${options.duration}"`);
      }
    }
  } catch (error) {
    process.stderr.write(`avbuf inspect: ${(error as Error).message}\n${INSPECT_USAGE}\n`);
    return 2;
  }
  const logger = stderrLogger(options.verbose === true);
  const { createInspectDemo } = await import('../inspect/demo.js');
  const { inspectManager } = await import('../inspect/index.js');
  // The demo's memory warnings are its point (the page shows them): only errors go to stderr.
  const demo = await createInspectDemo({ logger: options.verbose === true ? logger : { ...logger, warn: () => undefined } });
  let inspector;
  try {
    inspector = await inspectManager(demo.manager, { ...(port !== undefined ? { port } : {}), ...(options.host !== undefined ? { host: options.host } : {}), logger });
  } catch (error) {
    await demo.stop();
    process.stderr.write(`avbuf inspect: the inspector could not start: ${(error as Error).message}\n`);
    return 1;
  }
  if (demo.line !== undefined) inspector.bus.addDelayLine(demo.line);
  demo.start();
  process.stdout.write(`avbuf inspect: a demo system (memory, streaming, ring and pool buffers${demo.line ? ', a delay line' : ''})\n`);
  if (demo.gstSkipped !== undefined) process.stdout.write(`  (no delay line: ${demo.gstSkipped})\n`);
  process.stdout.write(`open ${inspector.url}\n`);
  process.stdout.write(duration !== undefined ? `running for ${duration} s; Ctrl-C stops earlier\n` : 'Ctrl-C stops\n');

  await new Promise<void>((resolve) => {
    const timer = duration !== undefined ? setTimeout(done, duration * 1000) : undefined;
    function done(): void {
      if (timer !== undefined) clearTimeout(timer);
      process.off('SIGINT', done);
      process.off('SIGTERM', done);
      resolve();
    }
    process.on('SIGINT', done);
    process.on('SIGTERM', done);
  });
  await demo.stop(); // closes the manager, and with it the inspector
  await inspector.close();
  process.stdout.write('stopped\n');
  return 0;
}

/**
 * Starts an inspector for `avbuf delay --inspect` / `avbuf process --inspect` with `attach`,
 * and prints its URL on stderr.
 */
export async function startCliInspector(
  command: string,
  attach: (bus: import('../inspect/bus.js').InspectionBus) => (() => void) | { detach(): void },
  options: { port?: string | undefined; host?: string | undefined; logger?: Logger },
): Promise<{ close(): Promise<void> }> {
  const { openInspector } = await import('../inspect/index.js');
  const port = parsePort(options.port);
  const inspector = await openInspector(attach, {
    ...(port !== undefined ? { port } : {}),
    ...(options.host !== undefined ? { host: options.host } : {}),
    logger: options.logger ?? stderrLogger(),
  });
  process.stderr.write(`avbuf ${command}: inspector at ${inspector.url}\n`);
  return inspector;
}
