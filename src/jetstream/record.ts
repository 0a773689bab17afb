/**
 * A media record: one audio chunk or one video frame with its timing, as one JetStream
 * message. The wire form is a msgpack array, `[1, track, seq, pts, duration, format, key,
 * data]` (msgpackr, no record extension, so any msgpack reader decodes it):
 *
 * - `track` names the media in the stream (`audio`, `video`, `cam2` …) and is the last token
 *   of the subject it is published on;
 * - `seq` counts the track's records from 0, one by one: a reader tells a lost record from a
 *   repeated one by it, and the publisher's message id (`<producer>/<track>/<seq>`) lets
 *   JetStream store a record once however often it was sent;
 * - `pts` and `duration` are nanoseconds of running time, as GStreamer stamps them;
 * - `format` says how to read `data`: PCM samples, or a video frame in a named codec.
 */
import { createRequire } from 'node:module';
import type { Packr } from 'msgpackr';
import type { AudioChunk } from '../core/chunk.js';
import { ErrorCode, JetStreamError } from '../core/errors.js';
import { checkNumber, checkString, invalid, show } from '../core/validate.js';

/** Version of the wire form, its first element. */
export const RECORD_VERSION = 1;

/** PCM audio: interleaved samples of `encoding` (`f32le`, `s16le` …). */
export interface AudioRecordFormat {
  readonly kind: 'audio';
  /** Sample encoding, e.g. `f32le` (what {@link audioRecord} writes). */
  readonly encoding: string;
  readonly sampleRate: number;
  readonly channels: number;
}

/** One video frame in `codec` (`jpeg`, `vp8`, `raw` …). */
export interface VideoRecordFormat {
  readonly kind: 'video';
  /** The frame's encoding, e.g. `jpeg` (intra-only, so any frame can start a replay). */
  readonly codec: string;
  readonly width: number;
  readonly height: number;
  /** Frame rate as `[numerator, denominator]`. */
  readonly fps: readonly [number, number];
}

/**
 * Not media: where the capture pipeline's clock is served (a GStreamer `GstNetTimeProvider`)
 * and the pipeline's base time, so a player in another process can render on that clock at
 * base time + delay. `data` is empty. Published on the track `clock`.
 */
export interface ClockRecordFormat {
  readonly kind: 'clock';
  /** The time provider's address and UDP port. */
  readonly address: string;
  readonly port: number;
  /** The capture pipeline's base time, ns, as a decimal string (a clock time may exceed 2^53). */
  readonly baseTime: string;
}

/** How a record's `data` is to be read. */
export type RecordFormat = AudioRecordFormat | VideoRecordFormat | ClockRecordFormat;

/** One audio chunk or video frame with its timing; see the module comment for each field. */
export interface MediaRecord {
  readonly track: string;
  readonly seq: number;
  /** Presentation time (running time), ns. */
  readonly pts: number;
  /** Duration, ns. */
  readonly duration: number;
  readonly format: RecordFormat;
  /** A frame a decoder can start at (every audio chunk; an intra frame). */
  readonly key: boolean;
  readonly data: Uint8Array;
}

/** A track name: a NATS subject token (letters, digits, `_`, `-`). */
const TRACK = /^[A-Za-z0-9_-]{1,64}$/;

let packrInstance: Packr | undefined;
/** msgpackr, loaded on first use (the rest of avbuf never pays for it). */
function packr(): Packr {
  if (packrInstance === undefined) {
    const { Packr: PackrClass } = createRequire(import.meta.url)('msgpackr') as typeof import('msgpackr');
    packrInstance = new PackrClass({ useRecords: false, variableMapSize: true });
  }
  return packrInstance;
}

/** Checks a track name (a subject token). */
export function checkTrack(track: unknown, kind: 'config' | 'argument' = 'argument'): string {
  const name = checkString('track', track, kind);
  if (!TRACK.test(name)) invalid('track', `must be 1–64 letters, digits, '_' or '-', got ${show(track)}`, kind);
  return name;
}

function checkFormat(format: unknown): RecordFormat {
  const f = format as { kind?: unknown; encoding?: unknown; sampleRate?: unknown; channels?: unknown; codec?: unknown; width?: unknown; height?: unknown; fps?: unknown } | null;
  if (f?.kind === 'audio') {
    checkString('format.encoding', f.encoding, 'argument');
    checkNumber('format.sampleRate', f.sampleRate, { min: 1, integer: true, kind: 'argument' });
    checkNumber('format.channels', f.channels, { min: 1, integer: true, kind: 'argument' });
    return f as unknown as AudioRecordFormat;
  }
  if (f?.kind === 'video') {
    checkString('format.codec', f.codec, 'argument');
    checkNumber('format.width', f.width, { min: 1, integer: true, kind: 'argument' });
    checkNumber('format.height', f.height, { min: 1, integer: true, kind: 'argument' });
    if (!Array.isArray(f.fps) || f.fps.length !== 2) invalid('format.fps', `must be [numerator, denominator], got ${show(f.fps)}`, 'argument');
    checkNumber('format.fps[0]', (f.fps as unknown[])[0], { min: 1, integer: true, kind: 'argument' });
    checkNumber('format.fps[1]', (f.fps as unknown[])[1], { min: 1, integer: true, kind: 'argument' });
    return f as unknown as VideoRecordFormat;
  }
  if (f?.kind === 'clock') {
    const c = format as { address?: unknown; port?: unknown; baseTime?: unknown };
    checkString('format.address', c.address, 'argument');
    checkNumber('format.port', c.port, { min: 1, max: 65_535, integer: true, kind: 'argument' });
    if (typeof c.baseTime !== 'string' || !/^\d{1,20}$/.test(c.baseTime)) invalid('format.baseTime', `must be a decimal string of ns, got ${show(c.baseTime)}`, 'argument');
    return format as ClockRecordFormat;
  }
  return invalid('format.kind', `must be 'audio', 'video' or 'clock', got ${show(f?.kind)}`, 'argument');
}

/**
 * Checks a record before it is sent.
 *
 * @throws {ArgumentError} `ERR_INVALID_ARGUMENT` naming the field that is wrong.
 */
export function checkRecord(record: MediaRecord): MediaRecord {
  if (record === null || typeof record !== 'object') invalid('record', `must be a media record, got ${show(record)}`, 'argument');
  checkTrack(record.track);
  checkNumber('seq', record.seq, { min: 0, integer: true, kind: 'argument' });
  checkNumber('pts', record.pts, { kind: 'argument' });
  checkNumber('duration', record.duration, { min: 0, kind: 'argument' });
  checkFormat(record.format);
  if (typeof record.key !== 'boolean') invalid('key', `must be a boolean, got ${show(record.key)}`, 'argument');
  if (!(record.data instanceof Uint8Array)) invalid('data', `must be a Uint8Array, got ${show(record.data)}`, 'argument');
  return record;
}

/** The wire form of a checked record (a new buffer: `record.data` may be reused at once). */
export function encodeRecord(record: MediaRecord): Uint8Array {
  return packr().pack([RECORD_VERSION, record.track, record.seq, record.pts, record.duration, record.format, record.key, record.data]);
}

/**
 * A record from its wire form. `data` is a view into `bytes`.
 *
 * @throws {JetStreamError} `ERR_MEDIA_RECORD` when `bytes` is not a record of this version.
 */
export function decodeRecord(bytes: Uint8Array): MediaRecord {
  let value: unknown;
  try {
    value = packr().unpack(bytes);
  } catch (error) {
    throw new JetStreamError(ErrorCode.MEDIA_RECORD, `not a media record: ${(error as Error).message}`, { cause: error });
  }
  if (!Array.isArray(value) || value.length !== 8 || value[0] !== RECORD_VERSION) {
    throw new JetStreamError(ErrorCode.MEDIA_RECORD, `not a media record of version ${RECORD_VERSION} (got ${show(value)})`);
  }
  const [, track, seq, pts, duration, format, key, data] = value as unknown[];
  const record = { track, seq, pts, duration, format, key, data } as MediaRecord;
  try {
    return checkRecord(record);
  } catch (error) {
    throw new JetStreamError(ErrorCode.MEDIA_RECORD, `not a media record: ${(error as Error).message}`, { cause: error });
  }
}

/** Options of {@link audioRecord}. */
export interface AudioRecordOptions {
  /** Track name. Default `audio`. */
  readonly track?: string;
  /** The record's sequence number. */
  readonly seq: number;
  /** PTS of the stream's frame 0, ns (the chunk's PTS is this plus its position). Default 0. */
  readonly startPts?: number;
}

/**
 * An f32le record of an audio chunk's valid frames: PTS and duration from its position and
 * rate (ns, rounded as GStreamer's audio sources round). `data` views the chunk's samples.
 */
export function audioRecord(chunk: AudioChunk, options: AudioRecordOptions): MediaRecord {
  const { frames, channels, sampleRate, position } = chunk;
  const startPts = options.startPts ?? 0;
  const pts = startPts + Math.round((position * 1e9) / sampleRate);
  const end = startPts + Math.round(((position + frames) * 1e9) / sampleRate);
  const samples = chunk.data.subarray(0, frames * channels);
  return {
    track: options.track ?? 'audio',
    seq: options.seq,
    pts,
    duration: end - pts,
    format: { kind: 'audio', encoding: 'f32le', sampleRate, channels },
    key: true,
    data: new Uint8Array(samples.buffer, samples.byteOffset, samples.byteLength),
  };
}

/**
 * The audio chunk an f32le record holds, at `position` (frames). Its samples are a view of
 * `record.data` when aligned, else a copy.
 *
 * @throws {JetStreamError} `ERR_MEDIA_RECORD` for a record that is not f32le audio, or whose
 *   data is not a whole number of frames.
 */
export function audioChunkOf(record: MediaRecord, position: number): AudioChunk {
  const format = record.format;
  if (format.kind !== 'audio' || format.encoding !== 'f32le') {
    throw new JetStreamError(ErrorCode.MEDIA_RECORD, `record ${record.track}/${record.seq} is not f32le audio`);
  }
  const bytesPerFrame = 4 * format.channels;
  const { data } = record;
  if (data.byteLength % bytesPerFrame !== 0) {
    throw new JetStreamError(ErrorCode.MEDIA_RECORD, `record ${record.track}/${record.seq} holds ${data.byteLength} bytes, not whole frames of ${bytesPerFrame}`);
  }
  const samples =
    data.byteOffset % 4 === 0
      ? new Float32Array(data.buffer, data.byteOffset, data.byteLength / 4)
      : new Float32Array(new Uint8Array(data).buffer); // a Buffer's slice() is a view, not a copy
  return { data: samples, frames: data.byteLength / bytesPerFrame, channels: format.channels, sampleRate: format.sampleRate, position };
}
