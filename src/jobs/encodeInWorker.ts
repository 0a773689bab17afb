/**
 * Integer encoding of a chunk in a worker thread, from its shared pool block into shared
 * bytes kept per block, so nothing is copied or transferred and the main thread is free to
 * write earlier chunks meanwhile.
 */
import { bytesPerSample, type SampleFormat } from '../formats/codecs.js';
import { runCodec } from '../workers/pool.js';
import type { BlockChunk } from './blockChunks.js';

/**
 * Encodes the first `samples` samples of `chunk` to `format` in a worker; resolves to the
 * encoded bytes, a view of the shared buffer `cache` keeps for the chunk's block (reused by
 * every later chunk in that block).
 */
export async function encodeInWorker(chunk: BlockChunk, samples: number, format: SampleFormat, cache: Map<number, Uint8Array>): Promise<Uint8Array> {
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
