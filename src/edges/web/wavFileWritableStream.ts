/** A WHATWG writable stream of raw PCM that becomes a WAV file once it is complete. */
import { rename, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { WritableStream } from 'node:stream/web';
import { isAvbufError } from '../../core/errors.js';
import { checkNumber, checkString } from '../../core/validate.js';
import { fileError } from '../../formats/fileIo.js';
import type { WavContainer } from '../../formats/wavHeaderBuilder.js';
import { WavWriter } from '../../formats/wavWriter.js';
import type { FrameSink } from './frameSink.js';
import { pcmByteSink } from './pcmByteSink.js';
import { pcmFormat, type PcmFormat } from '../pcmFormat.js';

/** Options of {@link wavFileWritableStream}. */
export interface WavFileWritableStreamOptions {
  /** How the incoming bytes store each sample; the file stores them the same way. */
  readonly format: PcmFormat;
  /** Channels per frame. */
  readonly channels: number;
  /** Frames per second. */
  readonly sampleRate: number;
  /** `'auto'` (default: RIFF, RF64 past 4 GiB), `'riff'`, `'rf64'` or `'w64'`. */
  readonly container?: WavContainer | 'auto';
  /** Bytes the stream queues before `writer.ready` waits. Default 1 MiB (the file writes' best size here). */
  readonly highWaterMark?: number;
}

let made = 0;

/**
 * A `WritableStream<Uint8Array>` of interleaved PCM in `format` that writes a WAV file of any
 * size. The bytes go to a hidden temporary file beside `path`; `close()` resolves once the
 * header holds the final sizes and the file has been renamed to `path`. `abort()`, an error,
 * or closing mid-frame (`ERR_FRAME_MISALIGNED`) delete the temporary file and leave `path`
 * as it was.
 *
 * @example
 * const file = await wavFileWritableStream('upload.wav', { format: 's16le', channels: 2, sampleRate: 48000 });
 * await request.body.pipeTo(file); // resolves when upload.wav is complete
 *
 * @param path - the WAV file to make.
 * @param options - the byte format, channels, sample rate, container and queue size.
 * @returns (resolves to) the stream, once the temporary file is open.
 * @throws {ArgumentError} `ERR_INVALID_ARGUMENT` for a bad option.
 * @throws {FileError} `ERR_FILE_NOT_FOUND` when the folder does not exist, `ERR_DISK_FULL` or `ERR_FILE_IO`.
 */
export async function wavFileWritableStream(path: string, options: WavFileWritableStreamOptions): Promise<WritableStream<Uint8Array>> {
  checkString('path', path, 'argument');
  const codec = pcmFormat(options?.format);
  const highWaterMark = checkNumber('highWaterMark', options.highWaterMark ?? 1 << 20, { min: 0, kind: 'argument' });
  const partial = join(dirname(path), `.${basename(path)}.avbuf-${process.pid}-${made++}.partial`);
  const writer = await WavWriter.create(partial, {
    format: codec.sample,
    channels: options.channels,
    sampleRate: options.sampleRate,
    container: options.container ?? 'auto',
  });
  const sink: FrameSink = {
    channels: options.channels,
    write: (bytes) => writer.writeEncoded(bytes),
    async close() {
      try {
        await writer.close();
        await rename(partial, path);
      } catch (error) {
        // The writer has closed its file either way; abort() would no longer delete it.
        await unlink(partial).catch(() => undefined);
        throw isAvbufError(error) ? error : fileError(path, 'renaming the finished file into place', error);
      }
    },
    abort: () => writer.abort(),
  };
  return pcmByteSink(sink, codec, highWaterMark);
}
