/**
 * Audio chunks as media records and back: the two operators between avbuf's chunk pipelines
 * and a JetStream media stream (src/jetstream/).
 */
import { map, type OperatorFunction } from 'rxjs';
import { checkNumber } from '../../core/validate.js';
import type { AudioChunk } from '../../streams/chunk.js';
import { audioChunkOf, audioRecord, checkTrack, type MediaRecord } from '../../jetstream/record.js';
import { releaseChunk } from './releaseChunk.js';

/** Options of {@link toMediaRecords}. */
export interface ToMediaRecordsOptions {
  /** Track name (a subject token). Default `audio`. */
  readonly track?: string;
  /** Sequence number of the first record. Default 0 (a live producer that restarts continues after `publisher.lastStoredSeq(track)`). */
  readonly startSeq?: number;
  /** PTS of the stream's frame 0, ns. Default 0. */
  readonly startPts?: number;
}

/**
 * Each audio chunk as an f32le media record, numbered from `startSeq`, stamped from its
 * position and rate. The samples are copied (a pooled chunk's block goes back at once), so
 * records may be held while they wait for the publisher's window.
 *
 * @example
 * fromWavFile('in.wav', { chunkFrames: 480 }).pipe(toMediaRecords(), intoJetStream(publisher)).subscribe();
 *
 * @throws {ConfigError} `ERR_INVALID_CONFIG` for a bad option.
 */
export function toMediaRecords(options: ToMediaRecordsOptions = {}): OperatorFunction<AudioChunk, MediaRecord> {
  const track = checkTrack(options.track ?? 'audio', 'config');
  const startSeq = checkNumber('startSeq', options.startSeq ?? 0, { min: 0, integer: true });
  const startPts = checkNumber('startPts', options.startPts ?? 0, {});
  return (source) => {
    let seq = startSeq;
    return source.pipe(
      map((chunk) => {
        const copy = { ...chunk, data: chunk.data.slice(0, chunk.frames * chunk.channels) };
        releaseChunk(chunk);
        return audioRecord(copy, { track, seq: seq++, startPts });
      }),
    );
  };
}

/** Options of {@link toAudioChunks}. */
export interface ToAudioChunksOptions {
  /** PTS of the stream's frame 0, ns: a chunk's position is `(pts − startPts) × rate / 1e9`. Default 0. */
  readonly startPts?: number;
}

/**
 * Each f32le audio record as an audio chunk, positioned by its PTS (so `sampleCounter` from
 * avbuf/testing sees a gap where records are missing).
 *
 * @throws {JetStreamError} `ERR_MEDIA_RECORD` (as the Observable's error) for a record that is
 *   not f32le audio.
 */
export function toAudioChunks(options: ToAudioChunksOptions = {}): OperatorFunction<MediaRecord, AudioChunk> {
  const startPts = checkNumber('startPts', options.startPts ?? 0, {});
  return map((record) => {
    const rate = record.format.kind === 'audio' ? record.format.sampleRate : 0;
    return audioChunkOf(record, Math.round(((record.pts - startPts) * rate) / 1e9));
  });
}
