/** A WAV file of any size as a WHATWG byte stream of raw PCM. */
import type { ReadableStream } from 'node:stream/web';
import { checkNumber, checkString } from '../../core/validate.js';
import { WavReader } from '../../formats/wavReader.js';
import type { FrameSource } from './frameSource.js';
import { pcmByteStream } from './pcmByteStream.js';
import { pcmFormat, type PcmFormat } from '../pcmFormat.js';

/** Options of {@link wavFileReadableStream}. */
export interface WavFileReadableStreamOptions {
  /** How the bytes store each sample. Default: the file's own format when it is one of these, else `'f32le'`. */
  readonly format?: PcmFormat;
  /** Frames read from the file per read at most. Default 8192. */
  readonly chunkFrames?: number;
}

const NATIVE: Partial<Record<string, PcmFormat>> = { f32: 'f32le', s16: 's16le', s24: 's24le' };

/**
 * Opens a WAV, RF64 or Wave64 file and streams its samples as interleaved PCM bytes
 * (`type: 'bytes'`, BYOB reads decode into the caller's memory). One chunk is in memory at a
 * time, whatever the file's size. The file is closed at the end, on `cancel()` or on an
 * error; a stream that is never read to its end must be cancelled to close it.
 *
 * @example
 * const stream = await wavFileReadableStream('take1.wav', { format: 's16le' });
 * return new Response(stream, { headers: { 'content-type': 'audio/L16' } });
 *
 * @param path - the file to read.
 * @param options - the byte format and the chunk size.
 * @returns (resolves to) the stream, once the file is open and its header checked.
 * @throws {FileError} `ERR_FILE_NOT_FOUND` or `ERR_FILE_IO` when the file cannot be opened.
 * @throws {WavFormatError} when it is not a WAV file avbuf reads.
 * @throws {ArgumentError} `ERR_INVALID_ARGUMENT` for a bad option.
 */
export async function wavFileReadableStream(path: string, options: WavFileReadableStreamOptions = {}): Promise<ReadableStream<Uint8Array>> {
  checkString('path', path, 'argument');
  const chunkFrames = checkNumber('chunkFrames', options.chunkFrames ?? 8192, { min: 1, integer: true, kind: 'argument' });
  if (options.format !== undefined) pcmFormat(options.format);
  const reader = await WavReader.open(path);
  const { channels, sampleRate, format } = reader.info;
  const codec = pcmFormat(options.format ?? NATIVE[format] ?? 'f32le');
  let position = 0;
  const source: FrameSource = {
    channels,
    sampleRate,
    get position() {
      return position;
    },
    async read(target) {
      const frames = await reader.read(target, position);
      position += frames;
      return frames;
    },
    release: () => reader.close(),
  };
  return pcmByteStream(source, codec, chunkFrames);
}
