/**
 * A child process's stdout as a Readable that fails when the process does. A pipe from a
 * killed ffmpeg simply ends (often on a frame boundary, so nothing looks wrong in the bytes);
 * only the exit status tells that the output is incomplete, so this stream waits for it
 * before it ends.
 */
import type { ChildProcess } from 'node:child_process';
import { Readable } from 'node:stream';
import { ArgumentError, ProcessError } from '../../core/errors.js';

type Exit = { code: number | null; signal: NodeJS.Signals | null; error?: Error };

function exitOf(child: ChildProcess): Promise<Exit> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve({ code: child.exitCode, signal: child.signalCode });
  return new Promise((resolve) => {
    child.once('exit', (code, signal) => resolve({ code, signal }));
    // A command that cannot start emits 'error' and never 'exit'.
    child.once('error', (error) => resolve({ code: null, signal: null, error }));
  });
}

function failure(command: string, { code, signal, error }: Exit): ProcessError | null {
  if (error !== undefined) return new ProcessError(command, null, null, `could not run: ${error.message}`, { cause: error });
  if (signal !== null) return new ProcessError(command, null, signal, `ended by ${signal} before its output was complete`);
  if (code !== 0) return new ProcessError(command, code, null, `exited with code ${code}: its output is incomplete`);
  return null;
}

/**
 * The stdout of `child` as a byte Readable that ends only once the process exited with code
 * 0, and fails with `ERR_PROCESS_FAILED` when it could not start, exited non-zero or was
 * killed. Destroying the stream (a pipeline failing downstream) kills the process if it is
 * still running, so no child is left behind.
 *
 * @example
 * const ffmpeg = spawn('ffmpeg', ['-i', 'in.flac', '-f', 'f32le', '-ac', '2', '-ar', '48000', '-']);
 * await pipeline(childOutput(ffmpeg), ringWritable(ring, { format: 'f32le' }));
 *
 * @param child - a spawned process whose stdout is a pipe (`stdio[1]: 'pipe'`, the default).
 * @throws {ArgumentError} `ERR_INVALID_ARGUMENT` when the child has no stdout pipe.
 */
export function childOutput(child: ChildProcess): Readable {
  const stdout = child.stdout;
  if (stdout === null) throw new ArgumentError('childOutput needs a child process spawned with a stdout pipe');
  const command = child.spawnfile;
  const exited = exitOf(child);
  async function* output(): AsyncGenerator<Buffer> {
    try {
      for await (const chunk of stdout!) yield chunk as Buffer;
      const failed = failure(command, await exited);
      if (failed !== null) throw failed;
    } finally {
      if (child.exitCode === null && child.signalCode === null) child.kill();
    }
  }
  return Readable.from(output(), { objectMode: false });
}
