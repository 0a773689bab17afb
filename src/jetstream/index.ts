/**
 * avbuf/jetstream: audio and video between processes and hosts on NATS JetStream. Media
 * records (msgpack, with PTS, duration, sequence and format) published with a message id
 * each and a bounded window of unacknowledged publishes, read back through durable consumers
 * with explicit acknowledgements, replayed from a sequence, a PTS or a wall-clock time.
 * The NATS client is loaded on first use. docs/jetstream.md.
 */
export { connectNats, type ConnectNatsOptions } from './connection.js';
export type { NatsEndpoint } from './endpoint.js';
export {
  ensureMediaStream,
  resolveMediaStream,
  retentionFor,
  trackSubject,
  type MediaRetention,
  type MediaStorage,
  type MediaStreamOptions,
  type MediaStreamSpec,
  type RetentionForOptions,
} from './mediaStream.js';
export { JetStreamBuffer, type JetStreamBufferOptions, type JetStreamBufferSettings, type JetStreamChunksOptions, type JetStreamMetrics } from './jetStreamBuffer.js';
export { MediaPublisher, type MediaPublisherOptions, type PublisherMetrics } from './publisher.js';
export { MediaReader, seqAtPts, type MediaReaderOptions, type ReadStart, type ReceivedRecord, type ReaderMetrics } from './reader.js';
export {
  RECORD_VERSION,
  audioChunkOf,
  audioRecord,
  checkRecord,
  decodeRecord,
  encodeRecord,
  type AudioRecordFormat,
  type ClockRecordFormat,
  type AudioRecordOptions,
  type MediaRecord,
  type RecordFormat,
  type VideoRecordFormat,
} from './record.js';
