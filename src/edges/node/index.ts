/**
 * `avbuf/node`: the Node streams of avbuf on their own — buffers, rings and WAV files as
 * `Readable`, `Writable` and `Duplex` — with the WAV helpers they work with, for an app (or a
 * short-lived command) that wants them without loading RxJS and XState: importing this entry
 * costs a fraction of importing 'avbuf' (docs/benchmarks.md, streams). Everything here is
 * exported from 'avbuf' too. docs/streams-node.md.
 */
export { PCM_FORMATS, type PcmFormat } from '../pcmFormat.js';
export type { PositionalReader, PositionalWriter, RingReader, RingWriter } from '../types.js';
export { bufferReadable, type BufferReadableOptions } from './bufferReadable.js';
export { bufferWritable } from './bufferWritable.js';
export { ringReadable } from './ringReadable.js';
export { ringWritable } from './ringWritable.js';
export { ringDuplex, type RingDuplexEnds } from './ringDuplex.js';
export { wavFileReadable, type WavFileReadableOptions } from './wavFileReadable.js';
export { wavFileWritable, type WavFileWritableOptions } from './wavFileWritable.js';
export { jetStreamReadable, type JetStreamReadableOptions } from './jetStreamReadable.js';
export { jetStreamWritable, type JetStreamWritableOptions } from './jetStreamWritable.js';
export { chunksOf, type ChunksOfOptions } from './chunksOf.js';
export { childOutput } from './childOutput.js';
export type { NodeStreamOptions } from './streamOptions.js';
export { BufferPool, type BufferPoolOptions } from '../../buffers/pool.js';
export { releaseChunk, isBlockChunk, type BlockChunk, type BlockLease } from '../rx/releaseChunk.js';
export { WavReader, WavStreamReader, WavStreamWriter, readWavInfo, type IoMode, type WavInfo, type WavReaderOptions, type WavStreamInfo } from '../../formats/index.js';
