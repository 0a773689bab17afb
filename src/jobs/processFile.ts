/**
 * The file job: streams a WAV file of any size through a StreamingBuffer and a processing
 * step (RxJS operators over chunks) into another WAV file, in bounded memory.
 *
 * Reads come from the streaming buffer, which loads the next chunks ahead while the current
 * one is processed; writes are queued and overlap the next reads. Blocks come from a
 * BufferPool under the 'wait' policy, so at most `blocks` chunks are in flight whatever the
 * speeds of disk and processing: that is the back-pressure, and the memory bound.
 * The output is written to a temporary file beside OUT and renamed over it only when
 * complete (src/edges/partialOutput.ts).
 *
 * Either end may instead be a byte stream (stdin, stdout, a pipe: `avbuf process - -`): a WAV
 * read from a stream comes through WavStreamReader, one chunk at a time, the next read only
 * once the chunk is written (the back-pressure there); a WAV written to a stream goes through
 * WavStreamWriter, with the sizes a streaming writer leaves unknown.
 */
import type { Writable } from 'node:stream';
import { lastValueFrom, mergeMap } from 'rxjs';
import { BufferPool } from '../buffers/pool.js';
import { StreamingBuffer } from '../buffers/streaming.js';
import { ArgumentError } from '../core/errors.js';
import { checkNumber, checkOneOf } from '../core/validate.js';
import type { SampleFormat } from '../formats/codecs.js';
import { WavStreamReader } from '../formats/wavStreamReader.js';
import { WavStreamWriter } from '../formats/wavStreamWriter.js';
import { WavWriter } from '../formats/wavWriter.js';
import { dbToGain, gain } from '../streams/gain.js';
import { peak } from '../streams/peak.js';
import { closeWorkerPool } from '../workers/pool.js';
import { chunksOf, releasing, type BlockChunk } from './blockChunks.js';
import { encodeInWorker } from './encodeInWorker.js';
import { PartialOutput } from '../edges/partialOutput.js';

/** Output sample formats {@link processFile} (and `avbuf process`) writes. */
export const OUTPUT_FORMATS = ['f32', 's16', 's24'] as const;
/** One of {@link OUTPUT_FORMATS}. */
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];

/** Default chunk: 2 MiB of Float32 samples (`npm run bench -- process`, docs/benchmarks.md). */
const DEFAULT_CHUNK_SAMPLES = 524288;
/** Default chunks in flight. */
const DEFAULT_BLOCKS = 3;
/** Default cache of the streaming buffer, in MB. */
const DEFAULT_CACHE_MB = 8;

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
  /** Cache of the streaming buffer, in MB. Default 8. */
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

/** What the job writes through: a WAV file's writer or a WAV stream's; both take Float32 frames or encoded bytes. */
interface FrameWriter {
  write(interleaved: Float32Array): Promise<void>;
  writeEncoded(bytes: Uint8Array): Promise<void>;
  close(): Promise<unknown>;
  abort(): Promise<void>;
}

/** Where the job writes: a file (written beside and renamed when complete) or a byte stream. */
interface JobOutput {
  readonly name: string;
  open(spec: { format: SampleFormat; channels: number; sampleRate: number }): Promise<FrameWriter>;
  commit(): Promise<void>;
  discard(): Promise<void>;
  reported(error: unknown): unknown;
}

function jobOutput(output: string | Writable): JobOutput {
  if (typeof output === 'string') {
    const target = new PartialOutput(output);
    return {
      name: output,
      async open(spec) {
        try {
          return await WavWriter.create(target.path, { ...spec, container: 'auto' });
        } catch (error) {
          throw target.creationError(error);
        }
      },
      commit: () => target.commit(),
      discard: () => target.discard(),
      reported: (error) => target.reported(error),
    };
  }
  return {
    name: '-',
    open: (spec) => Promise.resolve(new WavStreamWriter(output, { ...spec, name: 'output stream' })),
    commit: () => Promise.resolve(),
    discard: () => Promise.resolve(),
    reported: (error) => error,
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
  if (typeof options.input !== 'string') {
    if (options.normalize === true) throw new ArgumentError('normalize reads the input twice: it needs a file, not a stream');
    return processStream(options.input, jobOutput(options.output), { gainDb, requestedFormat, requestedChunk, started, onProgress: options.onProgress });
  }
  // Peek at the channel count first so the default chunk is 2 MiB of floats whatever it is.
  const probe = await StreamingBuffer.openWav(options.input, { chunkSize: 1, cacheSizeMb: 0 });
  const probeChannels = probe.channels;
  await probe.close();
  const chunkFrames = requestedChunk ?? Math.max(1, Math.floor(DEFAULT_CHUNK_SAMPLES / probeChannels));
  const buffer = await StreamingBuffer.openWav(options.input, { chunkSize: chunkFrames, cacheSizeMb: options.cacheSizeMb ?? DEFAULT_CACHE_MB });
  const target = jobOutput(options.output);
  let writer: FrameWriter | undefined;
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

    const format = requestedFormat ?? (isOutputFormat(inputFormat) ? inputFormat : 'f32');
    writer = await target.open({ format, channels, sampleRate });
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
    await target.commit();
    if (format !== 'f32' || inputFormat !== 'f32') await closeWorkerPool(); // let the process exit promptly
    pool.close();
    return {
      input: options.input,
      output: target.name,
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
    await target.discard();
    throw target.reported(error);
  } finally {
    await buffer.close();
  }
}

/**
 * The job over a streamed input: chunks as the reader yields them, the gain applied as the
 * `gain` operator does (`Math.fround(x × factor)`, in place), each written before the next is
 * read, so memory holds one chunk whatever the speeds on either side.
 */
async function processStream(
  input: AsyncIterable<Uint8Array>,
  target: JobOutput,
  job: { gainDb: number; requestedFormat: OutputFormat | undefined; requestedChunk: number | undefined; started: number; onProgress: ProcessOptions['onProgress'] },
): Promise<ProcessSummary> {
  const reader = await WavStreamReader.open(input, { name: 'input stream', ...(job.requestedChunk === undefined ? {} : { chunkFrames: job.requestedChunk }) });
  const { channels, sampleRate, format: inputFormat } = reader.info;
  const format = job.requestedFormat ?? (isOutputFormat(inputFormat) ? inputFormat : 'f32');
  const factor = dbToGain(job.gainDb);
  let writer: FrameWriter | undefined;
  try {
    writer = await target.open({ format, channels, sampleRate });
    for await (const data of reader) {
      for (let i = 0; i < data.length; i++) data[i] = data[i]! * factor;
      await writer.write(data);
      const framesDone = reader.framesRead;
      // A size declared on a pipe may be a placeholder (sox writes 0x7FFFF000): the total is unknown.
      job.onProgress?.({ phase: 'process', framesDone, framesTotal: 0, bytesDone: framesDone * channels * 4, elapsedMs: performance.now() - job.started });
    }
    await writer.close();
    await target.commit();
    return {
      input: '-',
      output: target.name,
      frames: reader.framesRead,
      channels,
      sampleRate,
      inputFormat,
      outputFormat: format,
      gainDb: job.gainDb,
      peakIn: null,
      elapsedMs: performance.now() - job.started,
      maxRssBytes: process.resourceUsage().maxRSS * 1024,
    };
  } catch (error) {
    await writer?.abort();
    await target.discard();
    throw target.reported(error);
  } finally {
    await reader.close();
  }
}

function isOutputFormat(format: string): format is OutputFormat {
  return (OUTPUT_FORMATS as readonly string[]).includes(format);
}
