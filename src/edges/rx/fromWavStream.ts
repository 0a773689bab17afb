import type { Observable } from 'rxjs';
import { ArgumentError } from '../../core/errors.js';
import { checkNumber, checkString, show } from '../../core/validate.js';
import { WavStreamReader } from '../../formats/wavStreamReader.js';
import type { AudioChunk } from '../../streams/chunk.js';
import { chunkSource, type BlockPool, type ChunkReader, type ChunkSourceOptions } from './chunkSource.js';
import type { BlockChunk } from './releaseChunk.js';

/** Options of {@link fromWavStream}. */
export interface FromWavStreamOptions extends ChunkSourceOptions {
  /** How error messages name the stream. Default `'WAV stream'`. */
  name?: string;
}

/** Most frames per chunk without a pool, unless told: WavStreamReader's own default. */
const DEFAULT_CHUNK_FRAMES = 8192;

/**
 * The frames of a WAV read from a byte stream that cannot seek (stdin, a child process's
 * stdout, a socket, a `fetch` body) as chunks decoded to Float32, in order; then completes.
 * The header is read on subscription (a size of "unknown", as ffmpeg and sox write to a pipe,
 * means "to the end of the stream"). One read is in flight at a time, and a chunk holds what
 * one read of the stream gave (at most `chunkFrames`): the next read starts only once the
 * chunk was emitted, and with a pool only once a block is free, so a slow consumer stops
 * the reading and the producer behind the pipe waits (the pipe fills). On an error or an
 * unsubscription the stream is let go (a Node `Readable` is destroyed, at once even while a
 * read waits for bytes). A stream is read once: subscribe once.
 *
 * @example
 * const sox = spawn('sox', ['in.flac', '-t', 'wav', '-']);
 * await lastValueFrom(fromWavStream(sox.stdout, { pool }).pipe(gain(-3), toWavFile('out.wav')));
 *
 * @param source - the bytes (a Node `Readable` in byte mode, a WHATWG `ReadableStream` of bytes,
 *   any async iterable of `Uint8Array`s), or a {@link WavStreamReader} already opened on them (its
 *   header read, so its `info` could be looked at first), whose samples were not read yet.
 * @param options - `chunkFrames` (default: a pool block's frames, else 8192), `pool`, `signal`, `name`.
 * @throws {ArgumentError} `ERR_INVALID_ARGUMENT` for a bad argument (at call time); the stream's
 *   errors are the Observable's: `ERR_WAV_NOT_WAVE` and the other header errors, `ERR_WAV_TRUNCATED`
 *   when it ends inside a frame (after the whole frames before it), `ERR_FILE_IO` when it fails,
 *   `ERR_BUFFER_CLOSED` for a reader whose samples were read already, `ERR_ABORTED` from `signal`.
 */
export function fromWavStream(source: AsyncIterable<Uint8Array> | WavStreamReader, options: FromWavStreamOptions & { pool: BlockPool }): Observable<BlockChunk>;
export function fromWavStream(source: AsyncIterable<Uint8Array> | WavStreamReader, options?: FromWavStreamOptions): Observable<AudioChunk>;
export function fromWavStream(source: AsyncIterable<Uint8Array> | WavStreamReader, options: FromWavStreamOptions = {}): Observable<AudioChunk> {
  if (typeof (source as Partial<AsyncIterable<Uint8Array>> | null)?.[Symbol.asyncIterator] !== 'function') {
    throw new ArgumentError(`fromWavStream needs async-iterable bytes (a Readable, a ReadableStream) or a WavStreamReader, got ${show(source)}`);
  }
  const requested = options.chunkFrames === undefined ? undefined : checkNumber('chunkFrames', options.chunkFrames, { min: 1, integer: true, kind: 'argument' });
  const name = checkString('name', options.name ?? 'WAV stream', 'argument');
  const pool = options.pool;
  return chunkSource(
    async (signal) => {
      let reader: WavStreamReader;
      if (source instanceof WavStreamReader) reader = source;
      else {
        // A pooled chunk is at most a block: the reader yields no more than fits one.
        const fits = pool === undefined ? DEFAULT_CHUNK_FRAMES : Math.max(1, pool.stats().blockFrames);
        reader = await WavStreamReader.open(source, { name, chunkFrames: requested ?? fits });
      }
      return streamReader(reader, source === reader ? undefined : source, signal);
    },
    { ...options, chunkFrames: requested ?? (pool === undefined ? DEFAULT_CHUNK_FRAMES : undefined) },
  );
}

/**
 * The reader as a {@link ChunkReader}: each read decodes what one read of the stream gave (or
 * the rest of it) straight into the target. `bytes` is the stream to destroy when let go
 * early, when it is a Node stream this source opened: a read that waits for bytes ends then.
 */
function streamReader(reader: WavStreamReader, bytes: unknown, signal: AbortSignal): ChunkReader {
  const { channels, sampleRate } = reader.info;
  let finished = false;
  return {
    channels,
    sampleRate,
    start: 0,
    async read(target) {
      const n = await reader.readInto(target, signal);
      if (n === 0) finished = true;
      return n;
    },
    async close() {
      if (finished) return;
      if (typeof (bytes as { destroy?: unknown } | undefined)?.destroy === 'function') (bytes as { destroy(): void }).destroy();
      await reader.close();
    },
  };
}
