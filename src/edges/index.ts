/**
 * avbuf at the edges of an app: buffers and WAV files as RxJS sources and sinks, Node
 * streams and WHATWG streams. The public names of src/edges, all exported from 'avbuf'
 * (src/index.ts). Back-pressure and recipes: docs/streams.md and the three pages it links.
 */

// RxJS sources and sinks (src/edges/rx/)
export { fromBuffer, type FromBufferOptions } from './rx/fromBuffer.js';
export { fromRing } from './rx/fromRing.js';
export { fromWavFile, type FromWavFileOptions } from './rx/fromWavFile.js';
export type { ChunkSourceOptions, BlockPool } from './rx/chunkSource.js';
export { intoBuffer } from './rx/intoBuffer.js';
export { intoRing, type IntoRingOptions } from './rx/intoRing.js';
export { toWavFile, type ToWavFileOptions } from './rx/toWavFile.js';
export { fromWavStream, type FromWavStreamOptions } from './rx/fromWavStream.js';
export { toWavStream, type ToWavStreamOptions } from './rx/toWavStream.js';
export { encodeInWorker, isEncodedChunk, type EncodedChunk, type EncodedSamples } from './rx/encodeInWorker.js';
export type { Written } from './rx/chunkSink.js';
export { fromJetStream } from './rx/fromJetStream.js';
export { intoJetStream, type IntoJetStreamOptions, type Sent } from './rx/intoJetStream.js';
export { toMediaRecords, toAudioChunks, type ToMediaRecordsOptions, type ToAudioChunksOptions } from './rx/mediaRecords.js';
export { releaseChunk, isBlockChunk, type BlockChunk, type BlockLease } from './rx/releaseChunk.js';

// The structural interfaces the edges take
export type { PositionalReader, PositionalWriter, RingReader, RingWriter } from './types.js';

// The raw PCM byte formats the Node and WHATWG streams speak
export { PCM_FORMATS, type PcmFormat } from './pcmFormat.js';

// Node streams (src/edges/node/, also alone as 'avbuf/node'): docs/streams-node.md
export {
  bufferReadable,
  bufferWritable,
  ringReadable,
  ringWritable,
  ringDuplex,
  wavFileReadable,
  wavFileWritable,
  chunksOf,
  childOutput,
  jetStreamReadable,
  jetStreamWritable,
  type JetStreamReadableOptions,
  type JetStreamWritableOptions,
  type BufferReadableOptions,
  type RingDuplexEnds,
  type WavFileReadableOptions,
  type WavFileWritableOptions,
  type ChunksOfOptions,
  type NodeStreamOptions,
} from './node/index.js';

// WHATWG streams (src/edges/web/): docs/streams-web.md
export { bufferReadableStream, type BufferReadableStreamOptions } from './web/bufferReadableStream.js';
export { bufferChunkStream, type BufferChunkStreamOptions } from './web/bufferChunkStream.js';
export { bufferWritableStream, type BufferWritableStreamOptions } from './web/bufferWritableStream.js';
export { wavFileReadableStream, type WavFileReadableStreamOptions } from './web/wavFileReadableStream.js';
export { wavFileWritableStream, type WavFileWritableStreamOptions } from './web/wavFileWritableStream.js';
