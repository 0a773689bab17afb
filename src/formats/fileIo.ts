/**
 * Positioned file I/O for the WAV reader and writer: loops over short reads and writes,
 * and turns system errors into {@link FileError}s. Internal: not re-exported from the index.
 */
import { readSync, writeSync } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import { ErrorCode, FileError } from '../core/errors.js';
import { checkOneOf } from '../core/validate.js';

/**
 * How a WAV reader or writer moves its samples. `'async'` (the default): Node's thread pool,
 * so the event loop never waits for the disk. `'sync'`: the system call on the calling
 * thread, which for files in the page cache or on a fast local disk took about half the CPU
 * time here (no hand-off to a pool thread and back, and the bytes stay in the caller's CPU
 * cache), but holds the event loop for each read or write: for command-line tools and batch
 * jobs, not for a server answering requests.
 */
export type IoMode = 'async' | 'sync';

/** The I/O modes, for validation. */
export const IO_MODES: readonly IoMode[] = ['async', 'sync'];

/** An `io` option as given: `'async'` when absent; anything but {@link IO_MODES} is `ERR_INVALID_ARGUMENT`. */
export function checkIoMode(io: unknown): IoMode {
  return checkOneOf('io', io ?? 'async', IO_MODES, 'argument');
}

function systemCode(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

/** Wraps a system error from `action` on `path`: ENOENT → ERR_FILE_NOT_FOUND, ENOSPC → ERR_DISK_FULL, else ERR_FILE_IO. */
export function fileError(path: string, action: string, error: unknown): FileError {
  if (error instanceof FileError) return error;
  const code = systemCode(error);
  const detail = error instanceof Error ? error.message : String(error);
  if (code === 'ENOENT') return new FileError(ErrorCode.FILE_NOT_FOUND, path, `no such file (${action})`, { cause: error });
  if (code === 'ENOSPC' || code === 'EDQUOT') {
    return new FileError(ErrorCode.DISK_FULL, path, `disk full while ${action}: ${detail}`, { cause: error });
  }
  return new FileError(ErrorCode.FILE_IO, path, `${action} failed: ${detail}`, { cause: error });
}

/**
 * Reads `length` bytes at `position` into the start of `buffer`; fewer only at the end of the file.
 * One `read` call unless the system returns short.
 * @throws {FileError} as {@link fileError} maps the system error.
 */
export async function readAt(fh: FileHandle, buffer: Uint8Array, length: number, position: number, path: string): Promise<number> {
  let done = 0;
  try {
    while (done < length) {
      const { bytesRead } = await fh.read(buffer, done, length - done, position + done);
      if (bytesRead === 0) break;
      done += bytesRead;
    }
  } catch (error) {
    throw fileError(path, 'reading', error);
  }
  return done;
}

/**
 * {@link readAt} with the synchronous system call, on the file's descriptor.
 * @throws {FileError} as {@link fileError} maps the system error.
 */
export function readAtSync(fh: FileHandle, buffer: Uint8Array, length: number, position: number, path: string): number {
  let done = 0;
  try {
    while (done < length) {
      const bytesRead = readSync(fh.fd, buffer, done, length - done, position + done);
      if (bytesRead === 0) break;
      done += bytesRead;
    }
  } catch (error) {
    throw fileError(path, 'reading', error);
  }
  return done;
}

/**
 * {@link writeAt} with the synchronous system call, on the file's descriptor.
 * @throws {FileError} as {@link fileError} maps the system error; `ERR_FILE_IO` when the system writes nothing.
 */
export function writeAtSync(fh: FileHandle, buffer: Uint8Array, length: number, position: number, path: string): void {
  let done = 0;
  try {
    while (done < length) {
      const bytesWritten = writeSync(fh.fd, buffer, done, length - done, position + done);
      if (bytesWritten === 0) throw new FileError(ErrorCode.FILE_IO, path, `writing failed: the system wrote 0 of ${length - done} bytes`);
      done += bytesWritten;
    }
  } catch (error) {
    throw fileError(path, 'writing', error);
  }
}

/**
 * Writes the first `length` bytes of `buffer` at `position`, all of them.
 * @throws {FileError} as {@link fileError} maps the system error; `ERR_FILE_IO` when the system writes nothing.
 */
export async function writeAt(fh: FileHandle, buffer: Uint8Array, length: number, position: number, path: string): Promise<void> {
  let done = 0;
  try {
    while (done < length) {
      const { bytesWritten } = await fh.write(buffer, done, length - done, position + done);
      if (bytesWritten === 0) throw new FileError(ErrorCode.FILE_IO, path, `writing failed: the system wrote 0 of ${length - done} bytes`);
      done += bytesWritten;
    }
  } catch (error) {
    throw fileError(path, 'writing', error);
  }
}

/**
 * Runs async jobs one after another: the reader and writer share one byte buffer and one
 * file position between calls, so calls that overlap must not interleave.
 */
export class SerialQueue {
  #tail: Promise<unknown> = Promise.resolve();

  /** Runs `job` after every job queued before it has settled; resolves or rejects as `job` does. */
  run<T>(job: () => Promise<T>): Promise<T> {
    const result = this.#tail.then(job, job);
    this.#tail = result.then(
      () => undefined,
      () => undefined,
    );
    return result;
  }

  /** Resolves once every job queued so far has settled. */
  idle(): Promise<unknown> {
    return this.#tail;
  }
}
