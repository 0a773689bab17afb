/** A WAV (RF64, Wave64) file of any size as a Node Readable. */
import type { Readable } from 'node:stream';
import { ErrorCode, WavFormatError } from '../../core/errors.js';
import { checkBoolean, checkString } from '../../core/validate.js';
import { checkIoMode, type IoMode } from '../../formats/fileIo.js';
import { WavReader } from '../../formats/wavReader.js';
import { FrameReadable } from './frameReadable.js';
import { resolveStreamOptions, type NodeStreamOptions } from './streamOptions.js';

/** Options of {@link wavFileReadable}. */
export interface WavFileReadableOptions extends NodeStreamOptions {
  /**
   * Read a file whose data chunk declares more bytes than the file holds (a copy or a
   * recording cut short) to its end without failing. Default false: the stream gives the
   * frames that are there, then fails with `ERR_WAV_TRUNCATED`.
   */
  readonly allowTruncated?: boolean;
  /**
   * `'async'` (default): each read goes through Node's thread pool. `'sync'`: each read is a
   * system call on this thread, which took about half the CPU time here for a file in the
   * page cache, but holds the event loop while the disk answers (for tools and batch jobs,
   * not servers).
   */
  readonly io?: IoMode;
}

/**
 * Reads a WAV file's samples chunk by chunk (one positioned read per chunk; never the whole
 * file) as raw interleaved PCM bytes or {@link AudioChunk} objects. The file is opened when
 * the stream starts and closed when it ends or is destroyed.
 *
 * @example
 * await pipeline(wavFileReadable('take1.wav', { format: 's24le' }), sox.stdin);
 * for await (const chunk of wavFileReadable('take1.wav', { objectMode: true })) meter(chunk);
 *
 * @param path - the WAV file.
 * @param options - `format` (of the bytes out; default `'f32le'`) or `objectMode` (and `pool`), `chunkFrames`, `highWaterMark`, `signal`, `allowTruncated`, `io`.
 * @throws {ArgumentError} `ERR_INVALID_ARGUMENT` for a bad option. The stream fails with
 *   `ERR_FILE_NOT_FOUND`, `ERR_FILE_IO` or a WAV format code from the file, and with
 *   `ERR_WAV_TRUNCATED` after the last whole frame of a file cut short.
 */
export function wavFileReadable(path: string, options: WavFileReadableOptions = {}): Readable {
  checkString('path', path, 'argument');
  const resolved = resolveStreamOptions(options);
  const allowTruncated = checkBoolean('allowTruncated', options.allowTruncated ?? false);
  const io = checkIoMode(options.io);
  let reader: WavReader | null = null;
  let at = 0;
  const source = {
    async open() {
      reader = await WavReader.open(path, { io });
      return { channels: reader.info.channels, sampleRate: reader.info.sampleRate };
    },
    position: () => at,
    async pull(target: Float32Array): Promise<number> {
      const frames = await reader!.read(target, at);
      at += frames;
      // A size of 0 or 0xFFFFFFFF (a streaming writer's) means "to the end": only a declared size can be cut short.
      if (frames === 0 && reader!.info.sizeFrom === 'clamped' && !allowTruncated) {
        throw new WavFormatError(ErrorCode.WAV_TRUNCATED, `${path}: the data chunk declares more than the file holds; it ends after ${at} whole frames`);
      }
      return frames;
    },
    async release(): Promise<void> {
      await reader?.close();
    },
  };
  return new FrameReadable(source, resolved);
}
