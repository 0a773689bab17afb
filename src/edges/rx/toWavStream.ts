import { WriteStream } from 'node:fs';
import { Socket } from 'node:net';
import type { Writable } from 'node:stream';
import type { OperatorFunction } from 'rxjs';
import { ArgumentError } from '../../core/errors.js';
import { checkNumber, checkOneOf, checkString, show } from '../../core/validate.js';
import { SAMPLE_FORMATS, type SampleFormat } from '../../formats/codecs.js';
import { WavStreamWriter } from '../../formats/wavStreamWriter.js';
import type { AudioChunk } from '../../streams/chunk.js';
import { chunkSink, validSamples, wavShapeFor, type Written } from './chunkSink.js';
import { isEncodedChunk } from './encodeInWorker.js';
import { isBlockChunk } from './releaseChunk.js';

/** Float32Array bytes are f32le as they are in memory. */
const LITTLE_ENDIAN_HOST = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/**
 * True for a destination done with a chunk's bytes when its write callback runs (the kernel or
 * the file took them: a pipe, a socket, stdout, a file stream). Others may keep the very bytes
 * after that (a PassThrough hands them to its reader), so they get a copy of a pool block's samples.
 */
function takesBytesByCallback(writable: Writable): boolean {
  return writable instanceof Socket || writable instanceof WriteStream;
}

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
 * carry their samples encoded in the stream's format ({@link encodeInWorker}) are sent as they are,
 * and so are the samples of pooled chunks written as f32 to a pipe, socket or file stream (a
 * little-endian host's Float32Array is already f32le): such a chunk's block is given back once
 * the destination let go of its bytes.
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

  const sendsBlocks = format === 'f32' && LITTLE_ENDIAN_HOST && takesBytesByCallback(writable);

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
        else if (sendsBlocks && isBlockChunk(chunk)) {
          // A pool block stays lent until this write resolves, and writeEncoded resolves only once
          // the destination let go of the bytes: the block's own bytes go out, with no copy.
          const samples = validSamples(chunk);
          await out.writeEncoded(new Uint8Array(samples.buffer, samples.byteOffset, samples.byteLength));
        } else await out.write(validSamples(chunk));
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
