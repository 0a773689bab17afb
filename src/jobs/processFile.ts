/**
 * The file job: a WAV of any size through a gain into another WAV, in bounded memory, composed
 * of avbuf's public parts: a source (`fromWavFile`, or `fromWavStream` for a byte stream) →
 * the `gain` operator → (integer output: `encodeInWorker`) → a sink (`toWavFile`, or
 * `toWavStream` for a byte stream), with progress from the sink's receipts. `normalize` is a
 * first pass of the same source through the `peak` operator.
 *
 * The source reads into the blocks of a BufferPool under the 'wait' policy and reads the next
 * chunk only when a block is free; the sink gives a block back once its chunk is written. So
 * at most `blocks` chunks are in flight whatever the speeds of disk, pipe and processing: that
 * is the back-pressure, and the memory bound; reading, encoding and writing still overlap.
 * A file output is written beside OUT and renamed over it only when complete; a streamed
 * output gets a WAV header with the sizes a streaming writer leaves unknown, and ends early,
 * after whole frames, on a failure.
 */
import type { Writable } from 'node:stream';
import { connect, identity, ignoreElements, lastValueFrom, merge, tap, type Observable, type OperatorFunction } from 'rxjs';
import { BufferPool } from '../buffers/pool.js';
import { ArgumentError } from '../core/errors.js';
import { checkNumber, checkOneOf } from '../core/validate.js';
import { WavReader } from '../formats/wavReader.js';
import { WavStreamReader } from '../formats/wavStreamReader.js';
import { encodeInWorker } from '../edges/rx/encodeInWorker.js';
import { fromWavFile } from '../edges/rx/fromWavFile.js';
import { fromWavStream } from '../edges/rx/fromWavStream.js';
import { releaseChunk, type BlockChunk } from '../edges/rx/releaseChunk.js';
import { toWavFile } from '../edges/rx/toWavFile.js';
import { toWavStream } from '../edges/rx/toWavStream.js';
import type { Written } from '../edges/rx/chunkSink.js';
import type { AudioChunk } from '../streams/chunk.js';
import { gain } from '../streams/gain.js';
import { peak } from '../streams/peak.js';
import { closeWorkerPool } from '../workers/pool.js';

/** Output sample formats {@link processFile} (and `avbuf process`) writes. */
export const OUTPUT_FORMATS = ['f32', 's16', 's24'] as const;
/** One of {@link OUTPUT_FORMATS}. */
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];

/** Default chunk: 2 MiB of Float32 samples (`npm run bench -- process`, docs/benchmarks.md). */
const DEFAULT_CHUNK_SAMPLES = 524288;
/** Default chunk of a streamed input: what WavStreamReader yields by default (a pipe gives 64 KiB a read). */
const DEFAULT_STREAM_CHUNK_FRAMES = 8192;
/** Default chunks in flight. */
const DEFAULT_BLOCKS = 3;

/** What {@link processFile} reads, writes and does on the way. */
export interface ProcessOptions {
  /** The WAV file to read, or a WAV byte stream (stdin, a pipe: any async iterable of bytes), read once from its start. */
  input: string | AsyncIterable<Uint8Array>;
  /** The WAV file to write, or a byte stream (stdout, a pipe) that receives a streamed WAV and is ended when the job is done. */
  output: string | Writable;
  /** Gain in dB; with `normalize`, the peak level to normalize to (like `sox gain -n`). Default 0. */
  gainDb?: number;
  /** Scale so the loudest sample reaches `gainDb` dBFS (a first pass finds the peak; a file input only). */
  normalize?: boolean;
  /** Output sample format. Default: the input's when it is one of these, else f32. */
  format?: OutputFormat;
  /**
   * Frames per chunk. Default: 2 MiB of Float32 frames (reads and writes of 1 MiB or more were 3–4× faster than 64 KiB
   * here; 2 MiB chunks, 3 in flight, were ≈9% faster than 1 MiB × 4 on a 1 GiB file; 4 MiB × 3 was ≈1.7× slower).
   */
  chunkFrames?: number;
  /**
   * Kept for compatibility, checked and otherwise unused: the job reads the input one positioned read per chunk
   * straight into its pool blocks, with no cache.
   */
  cacheSizeMb?: number;
  /** Chunks in flight between reading and writing. Default 3: enough for a read, the processing and a write to overlap (6 MiB of blocks by default). */
  blocks?: number;
  /** Called as work progresses (at most once per chunk). */
  onProgress?: (progress: ProcessProgress) => void;
}

/** How far a file job has got, as given to {@link ProcessOptions.onProgress}. */
export interface ProcessProgress {
  phase: 'scan' | 'process';
  framesDone: number;
  /** Frames in the input; 0 when a streamed input does not say. */
  framesTotal: number;
  bytesDone: number;
  elapsedMs: number;
}

/** What a file job did, as {@link processFile} resolves to. */
export interface ProcessSummary {
  /** The input's path, or '-' for a stream. */
  input: string;
  /** The output's path, or '-' for a stream. */
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

/** The input, its header read: its shape, and its chunks from the start in a pool's blocks. */
interface JobInput {
  readonly name: string;
  readonly channels: number;
  readonly sampleRate: number;
  readonly format: string;
  /** Frames in the input; 0 when a streamed input does not say. */
  readonly frames: number;
  /** Frames per chunk unless told. */
  readonly chunkFrames: number;
  /** The chunks, a public source over the input (a stream's may be subscribed once). */
  chunks(pool: BufferPool): Observable<BlockChunk>;
  /** Lets the input go if it was never read; never throws. */
  close(): Promise<void>;
}

async function openInput(input: string | AsyncIterable<Uint8Array>, requestedChunk: number | undefined): Promise<JobInput> {
  if (typeof input === 'string') {
    // The header first, so the default chunk is 2 MiB of floats whatever the channel count.
    const probe = await WavReader.open(input);
    const info = probe.info;
    await probe.close();
    return {
      name: input,
      channels: info.channels,
      sampleRate: info.sampleRate,
      format: info.format,
      frames: info.frames,
      chunkFrames: requestedChunk ?? Math.max(1, Math.floor(DEFAULT_CHUNK_SAMPLES / info.channels)),
      chunks: (pool) => fromWavFile(input, { pool }),
      close: () => Promise.resolve(),
    };
  }
  const chunkFrames = requestedChunk ?? DEFAULT_STREAM_CHUNK_FRAMES;
  const reader = await WavStreamReader.open(input, { name: 'input stream', chunkFrames });
  return {
    name: '-',
    channels: reader.info.channels,
    sampleRate: reader.info.sampleRate,
    format: reader.info.format,
    // A size declared on a pipe may be a placeholder (sox writes 0x7FFFF000): the total is unknown.
    frames: 0,
    chunkFrames,
    chunks: (pool) => fromWavStream(reader, { pool }),
    close: () => reader.close(),
  };
}

/**
 * Processes `input` into `output`.
 * @throws {ArgumentError} on a bad option (`normalize` with a streamed input among them);
 *   {@link WavFormatError} / {@link FileError} for the files and streams.
 *   On any failure the partial output is deleted and `output` is left as it was; a streamed
 *   output ends early, after whole frames.
 */
export async function processFile(options: ProcessOptions): Promise<ProcessSummary> {
  const started = performance.now();
  const gainDb = checkNumber('gainDb', options.gainDb ?? 0, { kind: 'argument' });
  const requestedFormat = options.format === undefined ? undefined : checkOneOf('format', options.format, OUTPUT_FORMATS, 'argument');
  const requestedChunk = options.chunkFrames === undefined ? undefined : checkNumber('chunkFrames', options.chunkFrames, { min: 1, integer: true, kind: 'argument' });
  if (options.cacheSizeMb !== undefined) checkNumber('cacheSizeMb', options.cacheSizeMb, { min: 0 });
  if (typeof options.input !== 'string' && options.normalize === true) throw new ArgumentError('normalize reads the input twice: it needs a file, not a stream');

  const input = await openInput(options.input, requestedChunk);
  try {
    const { channels, sampleRate, frames: total } = input;
    const pool = new BufferPool({ channels, chunkSize: input.chunkFrames }, { blocks: options.blocks ?? DEFAULT_BLOCKS, onExhausted: 'wait', shared: true });
    try {
      const report = (phase: ProcessProgress['phase'], framesDone: number): void =>
        options.onProgress?.({ phase, framesDone, framesTotal: total, bytesDone: framesDone * channels * 4, elapsedMs: performance.now() - started });

      let applied = gainDb;
      let peakIn: number | null = null;
      if (options.normalize === true) {
        peakIn = await lastValueFrom(
          input.chunks(pool).pipe(
            tap((chunk) => report('scan', chunk.position + chunk.frames)),
            // `peak` sees each chunk first, then its block goes back to the pool.
            connect((chunks) => merge(chunks.pipe(peak()), chunks.pipe(tap(releaseChunk), ignoreElements()))),
          ),
        );
        applied = peakIn > 0 ? gainDb - 20 * Math.log10(peakIn) : 0;
      }

      const format = requestedFormat ?? (isOutputFormat(input.format) ? input.format : 'f32');
      // Integer output is encoded in worker threads, from the shared pool blocks, while earlier chunks are written.
      const encode: OperatorFunction<BlockChunk, AudioChunk> = format === 'f32' ? identity : encodeInWorker(format);
      const sink: OperatorFunction<AudioChunk, Written> =
        typeof options.output === 'string'
          ? toWavFile(options.output, { format, channels, sampleRate, sync: false })
          : toWavStream(options.output, { format, channels, sampleRate, name: 'output stream' });
      let framesDone = 0;
      await lastValueFrom(
        input.chunks(pool).pipe(
          gain(applied),
          encode,
          sink,
          tap((written) => {
            framesDone = written.position + written.frames;
            report('process', framesDone);
          }),
        ),
        { defaultValue: undefined },
      );
      if (format !== 'f32') await closeWorkerPool(); // let the process exit promptly
      return {
        input: input.name,
        output: typeof options.output === 'string' ? options.output : '-',
        frames: typeof options.input === 'string' ? total : framesDone,
        channels,
        sampleRate,
        inputFormat: input.format,
        outputFormat: format,
        gainDb: applied,
        peakIn,
        elapsedMs: performance.now() - started,
        maxRssBytes: process.resourceUsage().maxRSS * 1024,
      };
    } finally {
      pool.close();
    }
  } finally {
    await input.close();
  }
}

function isOutputFormat(format: string): format is OutputFormat {
  return (OUTPUT_FORMATS as readonly string[]).includes(format);
}
