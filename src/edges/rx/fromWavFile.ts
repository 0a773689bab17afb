import type { Observable } from 'rxjs';
import { checkString } from '../../core/validate.js';
import { checkIoMode, type IoMode } from '../../formats/fileIo.js';
import { WavReader } from '../../formats/wavReader.js';
import type { AudioChunk } from '../../streams/chunk.js';
import { checkChunkFrames, chunkSource, type BlockPool, type ChunkSourceOptions } from './chunkSource.js';
import type { BlockChunk } from './releaseChunk.js';

/** Options of {@link fromWavFile}. */
export interface FromWavFileOptions extends ChunkSourceOptions {
  /**
   * How samples are read: `'async'` (default: on libuv's thread pool, one chunk read ahead, so
   * the event loop stays free) or `'sync'` (system calls on this thread: about half the CPU
   * for a batch job over page-cached files, but each read blocks the event loop).
   */
  io?: IoMode;
}

/**
 * The frames of a WAV, RF64 or Wave64 file of any size as chunks of `chunkFrames` frames,
 * decoded to Float32: the file is opened on subscription and read one positioned read per
 * chunk (never loaded whole), and its handle is closed before the source completes or
 * errors, and on unsubscription. Each read starts as soon as the one before returned, while
 * that chunk goes downstream. With a pool, a chunk is read only when a block is free.
 *
 * @example
 * await lastValueFrom(fromWavFile('in.wav', { chunkFrames: 8192, pool }).pipe(gain(-3), toWavFile('out.wav')));
 *
 * @param path - the file to read.
 * @param options - `chunkFrames`, `pool`, `signal`, `io`.
 * @throws {ArgumentError} `ERR_INVALID_ARGUMENT` for a bad option (at call time); the file's
 *   errors (`ERR_FILE_NOT_FOUND`, `ERR_WAV_NOT_WAVE`, `ERR_FILE_IO` …) are the Observable's error.
 */
export function fromWavFile(path: string, options: FromWavFileOptions & { pool: BlockPool }): Observable<BlockChunk>;
export function fromWavFile(path: string, options: FromWavFileOptions): Observable<AudioChunk>;
export function fromWavFile(path: string, options: FromWavFileOptions): Observable<AudioChunk> {
  checkString('path', path, 'argument');
  checkChunkFrames(options);
  const io = checkIoMode(options.io);
  return chunkSource(async () => {
    const reader = await WavReader.open(path, { io });
    return {
      channels: reader.info.channels,
      sampleRate: reader.info.sampleRate,
      start: 0,
      read: (target, position) => reader.read(target, position),
      close: () => reader.close(),
      // A synchronous read has nothing to overlap: it would only hold one more block.
      readAhead: io === 'async',
    };
  }, options);
}
