/**
 * A WAV file as a Node Writable. The samples go to a temporary file beside the output,
 * renamed over it only once the header is final and the file closed: a stream that fails or
 * is destroyed leaves neither a half-written output nor the temporary file.
 */
import type { Writable } from 'node:stream';
import { checkNumber, checkString } from '../../core/validate.js';
import type { WavContainer } from '../../formats/wavHeaderBuilder.js';
import { checkIoMode, fileError, type IoMode } from '../../formats/fileIo.js';
import { WavWriter } from '../../formats/wavWriter.js';
import { PartialOutput } from '../partialOutput.js';
import { FrameWritable } from './frameWritable.js';
import { sampleFormatOf } from '../pcmFormat.js';
import { resolveStreamOptions, type NodeStreamOptions } from './streamOptions.js';

/** Options of {@link wavFileWritable}. */
export interface WavFileWritableOptions extends NodeStreamOptions {
  /** Channels per frame. */
  readonly channels: number;
  /** Frames per second. */
  readonly sampleRate: number;
  /** `'auto'` (default: RIFF, RF64 past 4 GiB), `'riff'`, `'rf64'` or `'w64'`. */
  readonly container?: WavContainer | 'auto';
  /**
   * `'async'` (default): each write goes through Node's thread pool. `'sync'`: each write is
   * a system call on this thread (about half the CPU time here; holds the event loop while
   * the disk takes it: for tools and batch jobs, not servers).
   */
  readonly io?: IoMode;
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
 * @param options - `format` (default `'f32le'`), `channels`, `sampleRate`, `container`, `objectMode`, `highWaterMark`, `signal`, `io`.
 * @throws {ArgumentError} `ERR_INVALID_ARGUMENT` for a bad option. The stream fails with
 *   `ERR_FRAME_MISALIGNED` when the bytes end inside a frame, `ERR_DISK_FULL` or `ERR_FILE_IO` from the file.
 */
export function wavFileWritable(path: string, options: WavFileWritableOptions): Writable {
  checkString('path', path, 'argument');
  const resolved = resolveStreamOptions(options);
  const channels = checkNumber('channels', options.channels, { min: 1, max: 1024, integer: true });
  const sampleRate = checkNumber('sampleRate', options.sampleRate, { min: 1, integer: true });
  const io = checkIoMode(options.io);
  const partial = new PartialOutput(path);
  let writer: WavWriter | null = null;
  // Errors about the temporary file are restated about the file the caller named.
  const reported = async (work: Promise<unknown>): Promise<void> => {
    try {
      await work;
    } catch (error) {
      throw partial.reported(error);
    }
  };
  const sink = {
    async open(): Promise<void> {
      try {
        writer = await WavWriter.create(partial.path, {
          format: sampleFormatOf(resolved.format),
          channels,
          sampleRate,
          container: options.container ?? 'auto',
          io,
        });
      } catch (error) {
        throw partial.creationError(error);
      }
    },
    write: (frames: Float32Array) => reported(writer!.write(frames)),
    writeBytes: resolved.objectMode ? undefined : (bytes: Uint8Array) => reported(writer!.writeEncoded(bytes)),
    async finish(): Promise<void> {
      await reported(writer!.close());
      try {
        await partial.commit();
      } catch (error) {
        throw fileError(path, 'moving the finished file into place', error);
      }
    },
    async abort(): Promise<void> {
      await writer?.abort();
      await partial.discard();
    },
  };
  return new FrameWritable(sink, resolved, channels);
}
