/**
 * avbuf: audio and video buffers for Node.js. The public API, curated: everything a
 * user imports from 'avbuf' is listed here. The subpaths: 'avbuf/machines' (machine
 * definitions), 'avbuf/streams' (RxJS operators), 'avbuf/gst' (the GStreamer delay line),
 * 'avbuf/inspect' (the live inspector), 'avbuf/testing' (helpers for marble tests).
 */

// Vocabulary and configuration
export { BufferType, BufferState, BUFFER_TYPES, type BufferMetrics } from './core/types.js';
export {
  resolveConfig,
  DEFAULT_BUFFER_CONFIG,
  BYTES_PER_MB,
  type BufferConfig,
  type BufferConfigInput,
} from './core/config.js';

// Errors
export {
  AvbufError,
  ErrorCode,
  type ErrorCodeValue,
  ConfigError,
  ArgumentError,
  AudioDataError,
  SeekError,
  BufferStateError,
  CapacityError,
  MemoryPressureError,
  PoolError,
  ManagerError,
  UnsupportedOperationError,
  AbortError,
  RingOverflowError,
  RingRoleError,
  HandleError,
  WavFormatError,
  FileError,
  CloseError,
  InspectorError,
  ProcessError,
  isAvbufError,
} from './core/errors.js';

// Frames, time, logging, memory accounting
export { interleave, deinterleave, framesOf, type AudioData } from './core/frames.js';
export { framesToNs, nsToFrames, secondsToNs, nsToSeconds, NS_PER_MS, NS_PER_SECOND } from './core/time.js';
export { silentLogger, type Logger, type LogFn } from './core/logger.js';
export { MemoryBudget, unlimitedAccount, type MemoryAccount, type Reclaimer } from './core/budget.js';

// Data structures (usable without actors)
export { MemoryBuffer, type MemoryBufferOptions } from './buffers/memory.js';
export {
  BufferPool,
  type BufferPoolOptions,
  type PoolBlock,
  type PoolStats,
  type ExhaustionPolicy,
  type AcquireOptions,
} from './buffers/pool.js';

export {
  RingBuffer,
  attachRing,
  type RingBufferOptions,
  type RingHandle,
  type RingMetrics,
  type RingRole,
  type RingWaitOptions,
  type OverflowPolicy,
  type AttachOptions,
} from './buffers/ring.js';

export { StreamingBuffer, type StreamingBufferOptions, type StreamingMetrics } from './buffers/streaming.js';
export { type SpillRecovery } from './buffers/spill.js';
export { closeWorkerPool } from './workers/pool.js';

// WAV files
export {
  WavReader,
  WavWriter,
  readWavInfo,
  parseWavHeaderBytes,
  decodeInto,
  encodeInto,
  bytesPerSample,
  SAMPLE_FORMATS,
  type SampleFormat,
  type WavInfo,
  type WavChunk,
  type WavWriterOptions,
  type WavReaderOptions,
  type IoMode,
  IO_MODES,
  type WavContainer,
  WavStreamReader,
  WavStreamWriter,
  type WavStreamReaderOptions,
  type WavStreamWriterOptions,
  type WavStreamInfo,
} from './formats/index.js';

// Chunks, and iterating a buffer (`for await (const chunk of buffer)`, `buffer.chunks({ chunkFrames })`)
export type { AudioChunk } from './core/chunk.js';
export type { ChunksOptions } from './buffers/iterateChunks.js';

// The edges: buffers and WAV files as RxJS sources and sinks, Node streams, WHATWG streams (docs/streams.md)
export * from './edges/index.js';

// Media on NATS JetStream (also alone as 'avbuf/jetstream'; docs/jetstream.md). The client loads on first use.
export * from './jetstream/index.js';

// File job and stream operators
export { processFile, type ProcessOptions, type ProcessProgress, type ProcessSummary, type OutputFormat } from './jobs/processFile.js';

// Actors and the manager
export { type ManagedBuffer, type BufferLifecycleRef, MIN_METRICS_PERIOD_MS } from './actors/bufferActor.js';
export type { BufferFigures, MemoryFigures, StreamingFigures, RingFigures, PoolFigures, JetStreamFigures } from './actors/bufferFigures.js';
export { MemoryAudioBuffer } from './actors/memoryBufferActor.js';
export { AudioBufferActor, type AudioBuffer } from './actors/audioBufferActor.js';
export { PooledBuffer } from './actors/poolActor.js';
export { RingAudioBuffer, type RingFlow, type RingFlowRef } from './actors/ringActor.js';
export { StreamingAudioBuffer } from './actors/streamingActor.js';
export { JetStreamAudioBuffer } from './actors/jetStreamActor.js';
export {
  AudioBufferManager,
  getAudioBufferManager,
  createAudioBuffer,
  type AudioBufferManagerOptions,
  type MemoryOptions,
  type PoolOptions,
  type RingOptions,
  type StreamingOptions,
  type JetStreamOptions,
  type SystemMetrics,
  type ManagerAttachment,
} from './actors/manager.js';
// `manager.inspect()`: the manager cannot import the inspector (it sits below it), so the
// inspector adds the method. This module is light: it loads the inspector on the first call.
import './inspect/managerInspect.js';
export type { InspectOptions, InspectorHandle } from './inspect/managerInspect.js';
export type { MemoryAlert, MemoryLevel } from './machines/memoryMonitor.js';
