import { open } from 'node:fs/promises';
import type { OperatorFunction } from 'rxjs';
import { ArgumentError } from '../../core/errors.js';
import { checkBoolean, checkNumber, checkOneOf, checkString } from '../../core/validate.js';
import { SAMPLE_FORMATS, type SampleFormat } from '../../formats/codecs.js';
import { checkIoMode, fileError, type IoMode } from '../../formats/fileIo.js';
import { WavWriter } from '../../formats/wavWriter.js';
import type { WavContainer } from '../../formats/wavHeaderBuilder.js';
import type { AudioChunk } from '../../streams/chunk.js';
import { PartialOutput } from '../partialOutput.js';
import { chunkSink, validSamples, wavShapeFor, type Written } from './chunkSink.js';
import { isEncodedChunk } from './encodeInWorker.js';

/** Options of {@link toWavFile}. */
export interface ToWavFileOptions {
  /** How samples are stored: `'f32'` (default), `'s16'`, `'s24'`, `'s32'`, `'u8'`, `'f64'`. */
  format?: SampleFormat;
  /** `'auto'` (default: RIFF, RF64 past 4 GiB), `'riff'`, `'rf64'` or `'w64'`. */
  container?: WavContainer | 'auto';
  /** Channels, when no chunk may come (an empty stream still makes a valid file). Default: the first chunk's. */
  channels?: number;
  /** Sample rate, when no chunk may come. Default: the first chunk's. */
  sampleRate?: number;
  /** Sync the file to disk before renaming it into place, so completion means it survives a crash. Default true. */
  sync?: boolean;
  /**
   * How samples are written: `'async'` (default: on libuv's thread pool, overlapping the
   * source's reads) or `'sync'` (system calls on this thread: less CPU for a batch job, but
   * each write blocks the event loop).
   */
  io?: IoMode;
}

const CONTAINERS: readonly (WavContainer | 'auto')[] = ['auto', 'riff', 'rf64', 'w64'];

/**
 * A sink that writes every chunk to a WAV file and completes only once the file is whole:
 * written, its header patched, synced, closed and renamed into place. It writes to a
 * temporary file beside `path` (`.NAME.avbuf-PID.partial`), so on an error or an
 * unsubscription no half-written file is left behind and an existing `path` is untouched.
 * Writes are queued in order and overlap the source's reads; each written chunk gives its
 * pool block back and is emitted as a {@link Written} receipt. Chunks that carry their samples
 * encoded in the file's format (`encodeInWorker`) are written as they are.
 *
 * @example
 * await lastValueFrom(fromWavFile('in.wav', { chunkFrames: 8192, pool }).pipe(gain(-3), toWavFile('out.wav', { format: 's24' })));
 *
 * @param path - the file to make.
 * @param options - `format`, `container`, `channels`, `sampleRate`, `sync`, `io`.
 * @throws {ArgumentError} or {@link ConfigError} for a bad option at call time; the Observable
 *   errors with `ERR_CHANNEL_MISMATCH` or `ERR_INVALID_AUDIO_DATA` for a chunk unlike the first,
 *   and with the file's errors (`ERR_FILE_NOT_FOUND` for a missing folder, `ERR_DISK_FULL`, `ERR_FILE_IO`) named by `path`.
 */
export function toWavFile(path: string, options: ToWavFileOptions = {}): OperatorFunction<AudioChunk, Written> {
  checkString('path', path, 'argument');
  const format = checkOneOf('format', options.format ?? 'f32', SAMPLE_FORMATS, 'argument');
  const container = checkOneOf('container', options.container ?? 'auto', CONTAINERS, 'argument');
  const channels = options.channels === undefined ? undefined : checkNumber('channels', options.channels, { min: 1, integer: true, kind: 'argument' });
  const sampleRate = options.sampleRate === undefined ? undefined : checkNumber('sampleRate', options.sampleRate, { min: 1, integer: true, kind: 'argument' });
  const sync = checkBoolean('sync', options.sync ?? true, 'argument');
  const io = checkIoMode(options.io);

  return chunkSink(() => {
    const target = new PartialOutput(path);
    let creating: Promise<WavWriter> | undefined;
    let spec: { channels: number; sampleRate: number } | undefined;
    const writer = (shape: { channels: number; sampleRate: number }): Promise<WavWriter> => {
      spec ??= shape;
      creating ??= WavWriter.create(target.path, { format, container, io, ...shape }).catch((error: unknown) => {
        throw target.creationError(error);
      });
      return creating;
    };
    return {
      write: async (chunk) => {
        const shape = wavShapeFor(chunk, spec, { channels, sampleRate }, 'a WAV file');
        const out = await writer(shape);
        if (isEncodedChunk(chunk) && chunk.encoded.format === format) await out.writeEncoded(chunk.encoded.bytes);
        else await out.write(validSamples(chunk));
      },
      finish: async () => {
        if (creating === undefined && (channels === undefined || sampleRate === undefined)) {
          throw new ArgumentError(`${path}: no chunk came, and channels and sampleRate were not given to write an empty file`);
        }
        const out = await writer({ channels: channels!, sampleRate: sampleRate! });
        await out.close();
        try {
          if (sync) await syncFile(target.path);
        } catch (error) {
          throw fileError(target.path, 'syncing', error);
        }
        try {
          await target.commit();
        } catch (error) {
          throw fileError(path, 'renaming the finished file into place', error);
        }
      },
      abort: async () => {
        await creating?.then((out) => out.abort(), () => undefined);
        await target.discard();
      },
      reported: (error) => target.reported(error),
    };
  });
}

async function syncFile(file: string): Promise<void> {
  const fh = await open(file, 'r+');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}
