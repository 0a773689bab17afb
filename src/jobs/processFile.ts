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
 */
import { lastValueFrom, mergeMap } from 'rxjs';
import { BufferPool } from '../buffers/pool.js';
import { StreamingBuffer } from '../buffers/streaming.js';
import { checkNumber, checkOneOf } from '../core/validate.js';
import { WavWriter } from '../formats/wavWriter.js';
import { gain } from '../streams/gain.js';
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

/** How far a file job has got, as given to {@link ProcessOptions.onProgress}. */
export interface ProcessProgress {
  phase: 'scan' | 'process';
  framesDone: number;
  framesTotal: number;
  bytesDone: number;
  elapsedMs: number;
}

/** What a file job did, as {@link processFile} resolves to. */
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

/**
 * Processes `input` into `output`.
 * @throws {ArgumentError} on a bad option; {@link WavFormatError} / {@link FileError} for the files.
 *   On any failure the partial output is deleted and `output` is left as it was.
 */
export async function processFile(options: ProcessOptions): Promise<ProcessSummary> {
  const started = performance.now();
  const gainDb = checkNumber('gainDb', options.gainDb ?? 0, { kind: 'argument' });
  const requestedFormat = options.format === undefined ? undefined : checkOneOf('format', options.format, OUTPUT_FORMATS, 'argument');
  const requestedChunk = options.chunkFrames === undefined ? undefined : checkNumber('chunkFrames', options.chunkFrames, { min: 1, integer: true, kind: 'argument' });
  // Peek at the channel count first so the default chunk is 2 MiB of floats whatever it is.
  const probe = await StreamingBuffer.openWav(options.input, { chunkSize: 1, cacheSizeMb: 0 });
  const probeChannels = probe.channels;
  await probe.close();
  const chunkFrames = requestedChunk ?? Math.max(1, Math.floor(DEFAULT_CHUNK_SAMPLES / probeChannels));
  const buffer = await StreamingBuffer.openWav(options.input, { chunkSize: chunkFrames, cacheSizeMb: options.cacheSizeMb ?? DEFAULT_CACHE_MB });
  const target = new PartialOutput(options.output);
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

    const format = requestedFormat ?? (isOutputFormat(inputFormat) ? inputFormat : 'f32');
    try {
      writer = await WavWriter.create(target.path, { format, channels, sampleRate, container: 'auto' });
    } catch (error) {
      throw target.creationError(error);
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
    await target.commit();
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
    await target.discard();
    throw target.reported(error);
  } finally {
    await buffer.close();
  }
}

function isOutputFormat(format: string): format is OutputFormat {
  return (OUTPUT_FORMATS as readonly string[]).includes(format);
}
