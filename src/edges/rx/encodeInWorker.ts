/**
 * Encoding chunks to a WAV sample format in worker threads, ahead of a WAV sink, so the main
 * thread is free to read and write other chunks meanwhile (integer encoding of a 2 MiB chunk
 * takes a few milliseconds, about as long as writing it).
 */
import { concatMap, map, type OperatorFunction } from 'rxjs';
import { checkOneOf } from '../../core/validate.js';
import { bytesPerSample, SAMPLE_FORMATS, type SampleFormat } from '../../formats/codecs.js';
import type { AudioChunk } from '../../streams/chunk.js';
import { runCodec } from '../../workers/pool.js';

/** A chunk's samples, already encoded in a WAV sample format. */
export interface EncodedSamples {
  /** The sample format of `bytes`. */
  readonly format: SampleFormat;
  /** The chunk's valid frames, encoded: `frames × channels × bytes per sample` bytes. */
  readonly bytes: Uint8Array;
}

/** A chunk that carries its samples encoded, as {@link encodeInWorker} emits it. */
export interface EncodedChunk extends AudioChunk {
  readonly encoded: EncodedSamples;
}

/**
 * True when `chunk` carries encoded samples (from {@link encodeInWorker}).
 *
 * @example
 * if (isEncodedChunk(chunk) && chunk.encoded.format === 's16') await writer.writeEncoded(chunk.encoded.bytes);
 *
 * @param chunk - any chunk.
 */
export function isEncodedChunk(chunk: AudioChunk): chunk is EncodedChunk {
  const encoded = (chunk as Partial<EncodedChunk>).encoded;
  return encoded !== undefined && encoded.bytes instanceof Uint8Array;
}

/**
 * An operator that encodes every chunk to `format` in a worker thread (the shared Piscina
 * pool) and passes it on with the encoded bytes as `encoded`, in the order the chunks came.
 * `toWavFile` and `toWavStream` write those bytes as they are when `format` is theirs, instead
 * of encoding on the main thread. Each chunk's encoding starts as it arrives, so several run
 * at once; with a pooled source, the pool bounds them.
 *
 * Chunks whose samples live in shared memory (pool blocks of a `BufferPool` made with
 * `shared: true`) are encoded in place, with nothing copied; other chunks are copied into
 * shared memory first. The encoded bytes of a chunk whose samples are reused (a pool block)
 * are kept per block and reused too: they are valid for as long as the chunk's samples are,
 * that is until the chunk is given back ({@link releaseChunk}, which the sinks do once written).
 *
 * @example
 * const pool = new BufferPool({ channels: 2 }, { blocks: 3, blockFrames: 262144, onExhausted: 'wait', shared: true });
 * await lastValueFrom(fromWavFile('in.wav', { pool }).pipe(gain(-3), encodeInWorker('s16'), toWavFile('out.wav', { format: 's16' })));
 * await closeWorkerPool(); // or the idle workers keep the process alive for a second
 *
 * @param format - the sample format to encode to: `'s16'`, `'s24'`, `'s32'`, `'u8'`, `'f32'` or `'f64'`.
 * @typeParam C - the chunk type, passed through (a pooled chunk keeps its lease).
 * @throws {ArgumentError} `ERR_INVALID_ARGUMENT` for an unknown format (at call time); a worker's failure is the Observable's error.
 */
export function encodeInWorker<C extends AudioChunk>(format: SampleFormat): OperatorFunction<C, C & EncodedChunk> {
  checkOneOf('format', format, SAMPLE_FORMATS, 'argument');
  const width = bytesPerSample(format);
  return (source) => {
    /** Encoded bytes per samples array: a pool block's are reused with the block. */
    const kept = new WeakMap<Float32Array, Uint8Array>();
    const encode = async (chunk: C): Promise<C & EncodedChunk> => {
      const samples = chunk.frames * chunk.channels;
      let floats = chunk.data;
      let bytes: Uint8Array | undefined;
      if (floats.buffer instanceof SharedArrayBuffer) {
        bytes = kept.get(floats);
        if (bytes === undefined || bytes.length < samples * width) {
          bytes = new Uint8Array(new SharedArrayBuffer(floats.length * width));
          kept.set(floats, bytes);
        }
      } else {
        floats = new Float32Array(new SharedArrayBuffer(samples * 4));
        floats.set(chunk.data.subarray(0, samples));
        bytes = new Uint8Array(new SharedArrayBuffer(samples * width));
      }
      await runCodec({
        op: 'encode',
        format,
        bytes: bytes.buffer as SharedArrayBuffer,
        bytesOffset: 0,
        bytesLength: samples * width,
        floats: floats.buffer as SharedArrayBuffer,
        floatsOffset: floats.byteOffset,
        samples,
      });
      return { ...chunk, encoded: { format, bytes: bytes.subarray(0, samples * width) } };
    };
    return source.pipe(
      // Started at once, awaited in order: encodings overlap, the chunks keep their order.
      map((chunk) => {
        const encoding = encode(chunk);
        encoding.catch(() => undefined); // awaited below, in turn; meanwhile a failure is not unhandled
        return encoding;
      }),
      concatMap((encoding) => encoding),
    );
  };
}
