/**
 * The header of a WAV that arrives as a byte stream (a pipe, stdin, a socket): its length is
 * unknown and nothing can be read twice, so the first bytes are gathered until the one header
 * parser of wavHeader.ts, run on that prefix, finds the data chunk.
 *
 * The prefix is parsed as if the stream were endless (a size of 2^53 − 1 bytes): a header read
 * that runs past the bytes gathered so far fails with ERR_WAV_TRUNCATED, which here only
 * means "wait for more". Every other failure is final at once. When the stream ends, the
 * prefix is parsed once more with its true length, which names the real reason.
 */
import { ErrorCode, WavFormatError } from '../core/errors.js';
import { parseWavHeaderBytes, type WavChunk, type WavInfo } from './wavHeader.js';

/** What the header of a streamed WAV says. */
export interface WavStreamInfo extends Omit<WavInfo, 'dataBytes' | 'frames' | 'sizeFrom' | 'chunks'> {
  /**
   * Bytes of whole frames the header declares, or null when it says "unknown" (a data size of
   * 0 or 0xFFFFFFFF, as ffmpeg writes to a pipe): the samples then run to the end of the stream.
   */
  readonly dataBytes: number | null;
  /** Frames declared (`dataBytes / blockAlign`), or null when unknown. */
  readonly frames: number | null;
  /** The chunks before the samples, in stream order, ending with the data chunk (its size as declared, 0 when unknown). */
  readonly chunks: readonly WavChunk[];
}

/** A parsed stream header and the sample bytes that came with it. */
export interface StreamHeader {
  readonly info: WavStreamInfo;
  /** Bytes after the header in the reads so far: the first sample bytes. */
  readonly rest: Uint8Array;
}

/** Most bytes gathered before the data chunk: a header larger than this is taken as damaged rather than held in memory. */
export const MAX_STREAM_HEADER_BYTES = 64 * 1024 * 1024;

const ENDLESS = Number.MAX_SAFE_INTEGER;

/** Gathers the first bytes of a stream in one growing array (doubling, so many tiny reads stay linear). */
class Prefix {
  #bytes = new Uint8Array(4096);
  length = 0;

  add(chunk: Uint8Array): void {
    if (this.length + chunk.length > this.#bytes.length) {
      const grown = new Uint8Array(Math.max(this.#bytes.length * 2, this.length + chunk.length));
      grown.set(this.#bytes.subarray(0, this.length));
      this.#bytes = grown;
    }
    this.#bytes.set(chunk, this.length);
    this.length += chunk.length;
  }

  get bytes(): Uint8Array {
    return this.#bytes.subarray(0, this.length);
  }
}

function streamInfo(info: WavInfo): WavStreamInfo {
  // The parser stops at the first data chunk; chunks listed after it came from bytes that are samples here.
  const dataIndex = info.chunks.findIndex((chunk) => chunk.id === 'data');
  const dataBytes = info.sizeFrom === 'eof' ? null : info.dataBytes;
  const chunks = info.chunks.slice(0, dataIndex + 1).map((chunk, i) => (i === dataIndex ? { ...chunk, size: dataBytes ?? 0 } : chunk));
  return {
    container: info.container,
    format: info.format,
    channels: info.channels,
    sampleRate: info.sampleRate,
    bitsPerSample: info.bitsPerSample,
    validBits: info.validBits,
    formatTag: info.formatTag,
    blockAlign: info.blockAlign,
    dataOffset: info.dataOffset,
    extensible: info.extensible,
    channelMask: info.channelMask,
    dataBytes,
    frames: dataBytes === null ? null : dataBytes / info.blockAlign,
    chunks,
  };
}

/**
 * Reads the header from the start of `reads` (the stream's chunks, pulled one at a time) and
 * returns it with the sample bytes that came with it. Pulls no more than the header needs,
 * plus the rest of the read that completed it.
 *
 * @param next - pulls the stream's next chunk; `null` at its end.
 * @param name - how error messages name the stream.
 * @throws {WavFormatError} `ERR_WAV_NOT_WAVE`, `ERR_WAV_TRUNCATED` (the stream ends inside the
 *   header), `ERR_WAV_UNSUPPORTED_FORMAT` or `ERR_WAV_INVALID_HEADER` (also for a header over 64 MiB).
 */
export async function readStreamHeader(next: () => Promise<Uint8Array | null>, name: string): Promise<StreamHeader> {
  const prefix = new Prefix();
  for (;;) {
    const chunk = await next();
    if (chunk === null) {
      // The true length gives the true reason (a cut header, an empty stream, a fmt chunk that never came).
      parseWavHeaderBytes(prefix.bytes, prefix.length, name);
      throw new WavFormatError(ErrorCode.WAV_TRUNCATED, `${name}: the stream ends inside the header (${prefix.length} bytes)`);
    }
    if (chunk.length === 0) continue;
    prefix.add(chunk);
    let info: WavInfo;
    try {
      info = parseWavHeaderBytes(prefix.bytes, ENDLESS, name);
    } catch (error) {
      if (!(error instanceof WavFormatError) || error.code !== ErrorCode.WAV_TRUNCATED) throw error;
      if (prefix.length > MAX_STREAM_HEADER_BYTES) {
        throw new WavFormatError(ErrorCode.WAV_INVALID_HEADER, `${name}: more than ${MAX_STREAM_HEADER_BYTES} bytes before the data chunk`);
      }
      continue;
    }
    return { info: streamInfo(info), rest: prefix.bytes.slice(info.dataOffset) };
  }
}
