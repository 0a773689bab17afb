/**
 * A WAV file as a Node Writable. The samples go to a temporary file beside the output,
 * renamed over it only once the header is final and the file closed: a stream that fails or
 * is destroyed leaves neither a half-written output nor the temporary file.
 */
import { randomUUID } from 'node:crypto';
import { rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { Writable } from 'node:stream';
import { checkNumber, checkString } from '../../core/validate.js';
import { fileError } from '../../formats/fileIo.js';
import type { WavContainer } from '../../formats/wavHeaderBuilder.js';
import { WavWriter } from '../../formats/wavWriter.js';
import { FrameWritable } from './frameWritable.js';
import { sampleFormatOf } from './pcmFormat.js';
import { resolveStreamOptions, type NodeStreamOptions } from './streamOptions.js';

/** Options of {@link wavFileWritable}. */
export interface WavFileWritableOptions extends NodeStreamOptions {
  /** Channels per frame. */
  readonly channels: number;
  /** Frames per second. */
  readonly sampleRate: number;
  /** `'auto'` (default: RIFF, RF64 past 4 GiB), `'riff'`, `'rf64'` or `'w64'`. */
  readonly container?: WavContainer | 'auto';
}

/**
 * Writes a WAV file from raw interleaved PCM bytes (stored as they come, in `format`: the
 * file's sample format is the stream's) or from {@link AudioChunk} objects (encoded to
 * `format`). The stream finishes only once the file is complete, closed and in place.
 *
 * @example
 * await pipeline(ffmpeg.stdout, wavFileWritable('out.wav', { format: 's16le', channels: 2, sampleRate: 48000 }));
 *
 * @param path - the file to write (replaced when the stream finishes).
 * @param options - `format` (default `'f32le'`), `channels`, `sampleRate`, `container`, `objectMode`, `highWaterMark`, `signal`.
 * @throws {ConfigError} `ERR_INVALID_CONFIG` for a bad option. The stream fails with
 *   `ERR_FRAME_MISALIGNED` when the bytes end inside a frame, `ERR_DISK_FULL` or `ERR_FILE_IO` from the file.
 */
export function wavFileWritable(path: string, options: WavFileWritableOptions): Writable {
  checkString('path', path, 'argument');
  const resolved = resolveStreamOptions(options);
  const channels = checkNumber('channels', options.channels, { min: 1, max: 1024, integer: true });
  const sampleRate = checkNumber('sampleRate', options.sampleRate, { min: 1, integer: true });
  // Hidden, beside the output (a rename never crosses file systems), unique per stream.
  const partial = join(dirname(path), `.${basename(path)}.avbuf-${process.pid}-${randomUUID().slice(0, 8)}.partial`);
  let writer: WavWriter | null = null;
  const sink = {
    async open(): Promise<void> {
      writer = await WavWriter.create(partial, {
        format: sampleFormatOf(resolved.format),
        channels,
        sampleRate,
        container: options.container ?? 'auto',
      });
    },
    write: (frames: Float32Array) => writer!.write(frames),
    writeBytes: resolved.objectMode ? undefined : (bytes: Uint8Array) => writer!.writeEncoded(bytes),
    async finish(): Promise<void> {
      await writer!.close();
      try {
        await rename(partial, path);
      } catch (error) {
        throw fileError(path, 'renaming the finished file onto', error);
      }
    },
    async abort(): Promise<void> {
      await writer?.abort();
      await rm(partial, { force: true });
    },
  };
  return new FrameWritable(sink, resolved, channels);
}
