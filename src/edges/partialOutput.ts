/**
 * The output of a file job or an edge sink (a WAV file) is written to a temporary file beside it and renamed over it only
 * when complete, so a failed run never leaves a truncated file that looks finished. Errors
 * about the temporary file are reported under the name the user gave.
 */
import { rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { FileError } from '../core/errors.js';

type FileErrorCode = ConstructorParameters<typeof FileError>[0];

/** A temporary file beside `output` that becomes `output` once complete. */
export class PartialOutput {
  /** The file the user asked for. */
  readonly output: string;
  /** The temporary file written meanwhile: hidden, beside `output`, named for this process. */
  readonly path: string;

  constructor(output: string) {
    this.output = output;
    this.path = join(dirname(output), `.${basename(output)}.avbuf-${process.pid}.partial`);
  }

  /** Renames the complete temporary file over the output. */
  async commit(): Promise<void> {
    await rename(this.path, this.output);
  }

  /** Deletes the temporary file if there is one; never rejects. */
  async discard(): Promise<void> {
    await rm(this.path, { force: true }).catch(() => undefined); // e.g. ENOTDIR when the output's folder is a file
  }

  /** The error to report when the temporary file could not be created: a {@link FileError} names the output. */
  creationError(error: unknown): unknown {
    if (!(error instanceof FileError)) return error;
    const reason = error.cause instanceof Error ? error.cause.message : error.message;
    return new FileError(error.code as FileErrorCode, this.output, `cannot create it: ${reason}`, { cause: error });
  }

  /** The error to report for `error`: one about the temporary file is restated about the output. */
  reported(error: unknown): unknown {
    if (!(error instanceof FileError) || error.path !== this.path) return error;
    return new FileError(error.code as FileErrorCode, this.output, error.message.slice(this.path.length + 2), { cause: error });
  }
}
