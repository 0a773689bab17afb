/**
 * `avbuf/rx`: the RxJS sources, sinks and operators of avbuf on their own — buffers, rings,
 * WAV files and WAV byte streams as sources and sinks of `AudioChunk`s, the chunk operators of
 * 'avbuf/streams', the pool that bounds what is in flight and the WAV reader — for an app (or
 * a short-lived command) that composes files with RxJS without loading XState, the manager and
 * the inspector: importing this entry costs little more than importing `rxjs` itself
 * (docs/benchmarks.md, streams). Everything here is exported from 'avbuf' and 'avbuf/streams'
 * too. docs/streams-rxjs.md.
 */
export { fromBuffer, type FromBufferOptions } from './fromBuffer.js';
export { fromRing } from './fromRing.js';
export { fromWavFile, type FromWavFileOptions } from './fromWavFile.js';
export type { ChunkSourceOptions, BlockPool } from './chunkSource.js';
export { intoBuffer } from './intoBuffer.js';
export { intoRing, type IntoRingOptions } from './intoRing.js';
export { toWavFile, type ToWavFileOptions } from './toWavFile.js';
export { fromWavStream, type FromWavStreamOptions } from './fromWavStream.js';
export { toWavStream, type ToWavStreamOptions } from './toWavStream.js';
export { encodeInWorker, isEncodedChunk, type EncodedChunk, type EncodedSamples } from './encodeInWorker.js';
export type { Written } from './chunkSink.js';
export { fromJetStream } from './fromJetStream.js';
export { intoJetStream, type IntoJetStreamOptions, type Sent } from './intoJetStream.js';
export { toMediaRecords, toAudioChunks, type ToMediaRecordsOptions, type ToAudioChunksOptions } from './mediaRecords.js';
export { releaseChunk, isBlockChunk, type BlockChunk, type BlockLease } from './releaseChunk.js';
export type { PositionalReader, PositionalWriter, RingReader, RingWriter } from '../types.js';
export {
  gain,
  dbToGain,
  peak,
  timeWindow,
  createTimeWindowStats,
  ptsSync,
  createPtsSyncStats,
  fillGate,
  fillGateLevel,
  stallDetect,
  type AudioChunk,
  type Timed,
  type DropReason,
  type DropHandler,
  type TimeWindowOptions,
  type TimeWindowStats,
  type PtsSyncOptions,
  type PtsSyncStats,
  type FillGateOptions,
  type FillGateOpenInfo,
  type FillGateOpenReason,
  type StallDetectOptions,
  type StallEvent,
} from '../../streams/index.js';
export { BufferPool, type BufferPoolOptions } from '../../buffers/pool.js';
export { WavReader, readWavInfo, type IoMode, type WavInfo, type WavReaderOptions } from '../../formats/index.js';
