import type { Writable } from 'node:stream';
import type { OperatorFunction } from 'rxjs';
import { ArgumentError } from '../../core/errors.js';
import { checkNumber, checkOneOf, checkString, show } from '../../core/validate.js';
import { SAMPLE_FORMATS, type SampleFormat } from '../../formats/codecs.js';
import { WavStreamWriter } from '../../formats/wavStreamWriter.js';
import type { AudioChunk } from '../../streams/chunk.js';
import { chunkSink, validSamples, wavShapeFor, type Written } from './chunkSink.js';
import { isEncodedChunk } from './encodeInWorker.js';

/** Options of {@link toWavStream}. */
export interface ToWavStreamOptions {
  /** How samples are stored: `'f32'` (default), `'s16'`, `'s24'`, `'s32'`, `'u8'`, `'f64'`. */
  format?: SampleFormat;
  /** Channels, when no chunk may come (an empty stream still gets a header). Default: the first chunk's. */
  channels?: number;
  /** Sample rate, when no chunk may come. Default: the first chunk's. */
  sampleRate?: number;
  /** How error messages name the destination. Default `'WAV stream'`. */
  name?: string;
}

/**
 * A sink that writes every chunk as a streamed WAV to a Node `Writable` (stdout, a child
 * process's stdin, a socket) and completes once the stream is ended and flushed ('finish').
 * The header goes first with the sizes a streaming writer cannot know (0xFFFFFFFF, "to the end
 * of the stream", as ffmpeg writes to a pipe; ffmpeg and sox read it back), with the first
 * frames. A chunk counts as written, gives its pool block back and is emitted as a
 * {@link Written} receipt once the destination took its bytes below its highWaterMark, so a
 * slow reader of the stream holds the blocks and slows a pooled source down. Chunks that
 * carry their samples encoded in the stream's format ({@link encodeInWorker}) are sent as they are.
 *
 * On an error or an unsubscription the stream is ended early, after whole frames only, by
 * destroying it (the reader sees the stream stop). Subscribe once per destination: a second
 * subscription would write a second header into the same stream.
 *
 * @example
 * const ffmpeg = spawn('ffmpeg', ['-f', 'wav', '-i', '-', 'out.flac']);
 * await lastValueFrom(fromWavFile('in.wav', { chunkFrames: 8192 }).pipe(gain(-3), toWavStream(ffmpeg.stdin, { format: 's16' })));
 *
 * @param writable - the destination, a Node `Writable` in byte mode; ended when the source completes.
 * @param options - `format`, `channels`, `sampleRate`, `name`.
 * @throws {ArgumentError} `ERR_INVALID_ARGUMENT` for a bad argument (at call time); the Observable
 *   errors with `ERR_CHANNEL_MISMATCH` or `ERR_INVALID_AUDIO_DATA` for a chunk unlike the first, and
 *   with `ERR_FILE_IO` when the destination fails (a reader that went away: EPIPE) or closes early.
 */
export function toWavStream(writable: Writable, options: ToWavStreamOptions = {}): OperatorFunction<AudioChunk, Written> {
  if (typeof (writable as Partial<Writable> | null)?.write !== 'function' || typeof (writable as Partial<Writable>).end !== 'function') {
    throw new ArgumentError(`toWavStream needs a Node Writable, got ${show(writable)}`);
  }
  const format = checkOneOf('format', options.format ?? 'f32', SAMPLE_FORMATS, 'argument');
  const channels = options.channels === undefined ? undefined : checkNumber('channels', options.channels, { min: 1, max: 1024, integer: true, kind: 'argument' });
  const sampleRate = options.sampleRate === undefined ? undefined : checkNumber('sampleRate', options.sampleRate, { min: 1, integer: true, kind: 'argument' });
  const name = checkString('name', options.name ?? 'WAV stream', 'argument');

  return chunkSink(() => {
    let writer: WavStreamWriter | undefined;
    /** The stream's shape: the options', else the first chunk's. */
    let spec: { channels: number; sampleRate: number } | undefined;
    const open = (shape: { channels: number; sampleRate: number }): WavStreamWriter => {
      spec ??= shape;
      writer ??= new WavStreamWriter(writable, { format, name, ...spec });
      return writer;
    };
    return {
      write: async (chunk) => {
        const shape = wavShapeFor(chunk, spec, { channels, sampleRate }, 'a WAV stream');
        const out = open(shape);
        if (isEncodedChunk(chunk) && chunk.encoded.format === format) await out.writeEncoded(chunk.encoded.bytes);
        else await out.write(validSamples(chunk));
      },
      finish: async () => {
        if (writer === undefined && (channels === undefined || sampleRate === undefined)) {
          throw new ArgumentError(`${name}: no chunk came, and channels and sampleRate were not given to write an empty WAV`);
        }
        await open({ channels: channels!, sampleRate: sampleRate! }).close();
      },
      abort: async () => {
        // Destroying the stream ends it where it is: after whole frames, as the writer sends only those.
        if (writer !== undefined) await writer.abort();
        else writable.destroy();
      },
    };
  });
}
