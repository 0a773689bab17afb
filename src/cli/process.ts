/**
 * The file job: streams a WAV file of any size through a StreamingBuffer and a processing
 * step (RxJS operators over chunks) into another WAV file, in bounded memory.
 *
 * Reads come from the streaming buffer, which loads the next chunks ahead while the current
 * one is processed; writes are queued and overlap the next reads. Blocks come from a
 * BufferPool under the 'wait' policy, so at most `blocks` chunks are in flight whatever the
 * speeds of disk and processing: that is the back-pressure, and the memory bound.
 * The output is written to a temporary file beside OUT and renamed over it only when
 * complete: a failed run never leaves a truncated OUT that looks finished.
 */
import { rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { Observable, concatMap, lastValueFrom, mergeMap, type OperatorFunction } from 'rxjs';
import { BufferPool, type PoolBlock } from '../buffers/pool.js';
import { StreamingBuffer } from '../buffers/streaming.js';
import { ArgumentError, FileError } from '../core/errors.js';

type FileErrorCode = ConstructorParameters<typeof FileError>[0];
import { WavWriter } from '../formats/wavWriter.js';
import { bytesPerSample } from '../formats/codecs.js';
import { closeWorkerPool, runCodec } from '../workers/pool.js';
import type { AudioChunk } from '../streams/chunk.js';
import { gain } from '../streams/gain.js';
import { peak } from '../streams/peak.js';

/** Output sample formats `avbuf process` writes. */
export const OUTPUT_FORMATS = ['f32', 's16', 's24'] as const;
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];

/** Default chunk: 2 MiB of Float32 samples (`npm run bench -- process`, docs/benchmarks.md). */
const DEFAULT_CHUNK_SAMPLES = 524288;
/** Default chunks in flight. */
const DEFAULT_BLOCKS = 3;

export interface ProcessOptions {
  input: string;
  output: string;
  /** Gain in dB; with `normalize`, the peak level to normalize to (like `sox gain -n`). Default 0. */
  gainDb?: number;
  /** Scale so the loudest sample reaches `gainDb` dBFS (a first pass finds the peak). */
  normalize?: boolean;
  /** Output sample format. Default: the input's when it is one of these, else f32. */
  format?: OutputFormat;
  /**
   * Frames per chunk. Default: 2 MiB of Float32 frames (reads and writes of 1 MiB or more were 3–4× faster than 64 KiB
   * here; 2 MiB chunks, 3 in flight, were ≈9% faster than 1 MiB × 4 on a 1 GiB file; 4 MiB × 3 was ≈1.7× slower).
   */
  chunkFrames?: number;
  /** Cache of the streaming buffer, in MB. Default 8. */
  cacheSizeMb?: number;
  /** Chunks in flight between reading and writing. Default 3: enough for a read, the processing and a write to overlap (6 MiB of blocks by default). */
  blocks?: number;
  /** Called as work progresses (at most once per chunk). */
  onProgress?: (progress: ProcessProgress) => void;
}

export interface ProcessProgress {
  phase: 'scan' | 'process';
  framesDone: number;
  framesTotal: number;
  bytesDone: number;
  elapsedMs: number;
}

export interface ProcessSummary {
  input: string;
  output: string;
  frames: number;
  channels: number;
  sampleRate: number;
  inputFormat: string;
  outputFormat: OutputFormat;
  gainDb: number;
  peakIn: number | null;
  elapsedMs: number;
  /** Peak resident set size of the process, in bytes. */
  maxRssBytes: number;
}

type BlockChunk = AudioChunk & { block: PoolBlock };

/**
 * Processes `input` into `output`.
 * @throws {ArgumentError} on a bad option; {@link WavFormatError} / {@link FileError} for the files.
 *   On any failure the partial output is deleted and `output` is left as it was.
 */
export async function processFile(options: ProcessOptions): Promise<ProcessSummary> {
  const started = performance.now();
  const gainDb = options.gainDb ?? 0;
  if (typeof gainDb !== 'number' || !Number.isFinite(gainDb)) throw new ArgumentError(`--gain must be a number of dB, got ${String(options.gainDb)}`);
  if (options.format !== undefined && !OUTPUT_FORMATS.includes(options.format)) {
    throw new ArgumentError(`--format must be one of ${OUTPUT_FORMATS.join(', ')}, got ${options.format}`);
  }
  if (options.chunkFrames !== undefined && !(Number.isInteger(options.chunkFrames) && options.chunkFrames > 0)) {
    throw new ArgumentError(`chunkFrames must be a whole number > 0, got ${String(options.chunkFrames)}`);
  }
  // Peek at the channel count first so the default chunk is 2 MiB of floats whatever it is.
  const probe = await StreamingBuffer.openWav(options.input, { chunkSize: 1, cacheSizeMb: 0 });
  const probeChannels = probe.channels;
  await probe.close();
  const chunkFrames = options.chunkFrames ?? Math.max(1, Math.floor(DEFAULT_CHUNK_SAMPLES / probeChannels));
  const buffer = await StreamingBuffer.openWav(options.input, { chunkSize: chunkFrames, cacheSizeMb: options.cacheSizeMb ?? 8 });
  const partial = join(dirname(options.output), `.${basename(options.output)}.avbuf-${process.pid}.partial`);
  let writer: WavWriter | undefined;
  try {
    const channels = buffer.channels;
    const sampleRate = buffer.sampleRate;
    const total = buffer.size();
    const inputFormat = buffer.wavInfo?.format ?? 'f32';
    const pool = new BufferPool({ channels, chunkSize: chunkFrames }, { blocks: options.blocks ?? DEFAULT_BLOCKS, onExhausted: 'wait', shared: true });
    const report = (phase: ProcessProgress['phase'], framesDone: number): void =>
      options.onProgress?.({ phase, framesDone, framesTotal: total, bytesDone: framesDone * channels * 4, elapsedMs: performance.now() - started });

    let applied = gainDb;
    let peakIn: number | null = null;
    if (options.normalize === true) {
      peakIn = await lastValueFrom(chunksOf(buffer, pool, (done) => report('scan', done)).pipe(releasing(pool, peak())));
      applied = peakIn > 0 ? gainDb - 20 * Math.log10(peakIn) : 0;
    }

    const format = options.format ?? (OUTPUT_FORMATS.includes(inputFormat as OutputFormat) ? (inputFormat as OutputFormat) : 'f32');
    try {
      writer = await WavWriter.create(partial, { format, channels, sampleRate, container: 'auto' });
    } catch (error) {
      // Name what the user gave, not the temporary file beside it.
      if (error instanceof FileError) throw new FileError(error.code as FileErrorCode, options.output, `cannot create it: ${(error.cause as Error | undefined)?.message ?? error.message}`, { cause: error });
      throw error;
    }
    const out = writer;
    let writes: Promise<void> = Promise.resolve();
    /** Encoded bytes of each pool block, in shared memory for the worker to fill. */
    const encodedBytes = new Map<number, Uint8Array>();
    await lastValueFrom(
      chunksOf(buffer, pool).pipe(
        gain(applied),
        // Integer output is encoded in a worker (from the shared block into shared bytes) while
        // earlier chunks are still being written; writes are chained so they stay in order.
        mergeMap(async (chunk: BlockChunk) => {
          const samples = chunk.frames * channels;
          const encoded = format === 'f32' ? null : encodeInWorker(chunk, samples, format, encodedBytes);
          const turn = writes.then(async () => {
            if (encoded === null) await out.write(chunk.data.subarray(0, samples));
            else await out.writeEncoded(await encoded);
          });
          writes = turn.catch(() => undefined);
          await turn;
          pool.release(chunk.block);
          report('process', chunk.position + chunk.frames);
        }),
      ),
      { defaultValue: undefined },
    );
    await writer.close();
    await rename(partial, options.output);
    if (format !== 'f32' || inputFormat !== 'f32') await closeWorkerPool(); // let the process exit promptly
    pool.close();
    return {
      input: options.input,
      output: options.output,
      frames: total,
      channels,
      sampleRate,
      inputFormat,
      outputFormat: format,
      gainDb: applied,
      peakIn,
      elapsedMs: performance.now() - started,
      maxRssBytes: process.resourceUsage().maxRSS * 1024,
    };
  } catch (error) {
    await writer?.abort();
    await rm(partial, { force: true }).catch(() => undefined); // e.g. ENOTDIR when OUT's folder is a file
    // Name the file the user asked for, not the temporary one beside it.
    if (error instanceof FileError && error.path === partial) {
      throw new FileError(error.code as FileErrorCode, options.output, error.message.slice(partial.length + 2), { cause: error });
    }
    throw error;
  } finally {
    await buffer.close();
  }
}

/**
 * The buffer's frames as chunks in pool blocks, from the start, in order. Reads are started
 * as soon as a block is free and several run at once (the pool's size bounds them), so
 * reading overlaps processing and writing; a new block is taken only when one is free, so
 * reading waits for writing.
 */
function chunksOf(buffer: StreamingBuffer, pool: BufferPool, onChunk?: (framesDone: number) => void): Observable<BlockChunk> {
  const started = new Observable<{ block: PoolBlock; position: number; read: Promise<number> }>((subscriber) => {
    let stopped = false;
    void (async () => {
      try {
        buffer.seek(0);
        const total = buffer.size();
        for (let position = 0; position < total && !stopped; ) {
          const block = await pool.acquireAsync();
          if (stopped) {
            pool.release(block);
            return;
          }
          const frames = Math.min(block.frames, total - position);
          const read = buffer.readAsync(frames === block.frames ? block.data : block.data.subarray(0, frames * buffer.channels));
          read.catch(() => undefined); // awaited in order below; this keeps a failure from going unhandled meanwhile
          subscriber.next({ block, position, read });
          position += frames;
        }
        subscriber.complete();
      } catch (error) {
        subscriber.error(error);
      }
    })();
    return () => {
      stopped = true;
    };
  });
  return started.pipe(
    concatMap(async ({ block, position, read }) => {
      const frames = await read;
      onChunk?.(position + frames);
      return { data: block.data, frames, channels: buffer.channels, sampleRate: buffer.sampleRate, position, block };
    }),
  );
}

/** Encodes a chunk's samples to `format` in a worker thread; resolves to the encoded bytes. */
async function encodeInWorker(chunk: BlockChunk, samples: number, format: OutputFormat, cache: Map<number, Uint8Array>): Promise<Uint8Array> {
  const width = bytesPerSample(format);
  let bytes = cache.get(chunk.block.index);
  if (bytes === undefined) {
    bytes = new Uint8Array(new SharedArrayBuffer(chunk.block.frames * chunk.channels * width));
    cache.set(chunk.block.index, bytes);
  }
  await runCodec({
    op: 'encode',
    format,
    bytes: bytes.buffer as SharedArrayBuffer,
    bytesOffset: 0,
    bytesLength: samples * width,
    floats: chunk.data.buffer as SharedArrayBuffer,
    floatsOffset: chunk.data.byteOffset,
    samples,
  });
  return bytes.subarray(0, samples * width);
}

/** Runs `operator` on the chunks and gives each block back to the pool once the operator has seen it. */
function releasing<R>(pool: BufferPool, operator: OperatorFunction<AudioChunk, R>): OperatorFunction<BlockChunk, R> {
  return (source) =>
    operator(
      new Observable<AudioChunk>((subscriber) =>
        source.subscribe({
          next: (chunk) => {
            subscriber.next(chunk);
            pool.release(chunk.block);
          },
          error: (error: unknown) => subscriber.error(error),
          complete: () => subscriber.complete(),
        }),
      ),
    );
}
