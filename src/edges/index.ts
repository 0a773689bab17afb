/**
 * avbuf at the edges of an app: buffers and WAV files as RxJS sources and sinks, Node
 * streams and WHATWG streams. The public names of src/edges, for src/index.ts (and a subpath
 * if the package gets one). Back-pressure and recipes: docs/streams-rxjs.md.
 */

// RxJS sources and sinks (src/edges/rx/)
export { fromBuffer, type FromBufferOptions } from './rx/fromBuffer.js';
export { fromRing } from './rx/fromRing.js';
export { fromWavFile } from './rx/fromWavFile.js';
export type { ChunkSourceOptions, BlockPool } from './rx/chunkSource.js';
export { intoBuffer } from './rx/intoBuffer.js';
export { intoRing, type IntoRingOptions } from './rx/intoRing.js';
export { toWavFile, type ToWavFileOptions } from './rx/toWavFile.js';
export type { Written } from './rx/chunkSink.js';
export { releaseChunk, isBlockChunk, type BlockChunk, type BlockLease } from './rx/releaseChunk.js';

// The structural interfaces the edges take
export type { PositionalReader, PositionalWriter, RingReader, RingWriter } from './types.js';

// Node streams (src/edges/node/): exports added here by the lead

// WHATWG streams (src/edges/web/): exports added here by the lead
