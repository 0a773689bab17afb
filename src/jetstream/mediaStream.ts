/**
 * A media stream on JetStream: one JetStream stream per media stream, its tracks on subjects
 * `<subject>.<track>`, kept by limits (age and bytes, the oldest records dropped first) so a
 * consumer that falls behind never holds the producer back, and de-duplicated by message id
 * within `duplicateWindowMs`.
 */
import type { JetStreamManager, StreamInfo } from '@nats-io/jetstream';
import { ErrorCode, JetStreamError } from '../core/errors.js';
import { checkNumber, checkOneOf, checkString, invalid, show } from '../core/validate.js';

/** Where a stream and its messages live: `file` survives a server restart, `memory` does not. */
export type MediaStorage = 'file' | 'memory';

/** How much history a media stream keeps. */
export interface MediaRetention {
  /** Records older than this are dropped, in ms; `Infinity` keeps them. */
  readonly maxAgeMs: number;
  /** When the stream holds more bytes than this, its oldest records are dropped; `Infinity`: no limit. */
  readonly maxBytes: number;
}

/** Options of {@link ensureMediaStream}. */
export interface MediaStreamOptions {
  /** The JetStream stream's name (letters, digits, `_`, `-`). */
  readonly stream: string;
  /** Subject prefix; a track is published on `<subject>.<track>`. Default `avbuf.<stream>`. */
  readonly subject?: string;
  /** Copies kept, one per server (1, or 3 on a 3-node cluster). Default 1. */
  readonly replicas?: number;
  /** Default `file`. */
  readonly storage?: MediaStorage;
  /** Age limit in ms. Default 3,600,000 (an hour); see {@link retentionFor} for a delay window's. */
  readonly maxAgeMs?: number;
  /** Size limit in bytes. Default 1 GiB. */
  readonly maxBytes?: number;
  /** How long a message id is remembered for de-duplication, in ms; at most `maxAgeMs`. Default 120,000. */
  readonly duplicateWindowMs?: number;
}

/** A media stream as made: its resolved names and limits. */
export interface MediaStreamSpec {
  readonly stream: string;
  readonly subject: string;
  readonly replicas: number;
  readonly storage: MediaStorage;
  readonly retention: MediaRetention;
  readonly duplicateWindowMs: number;
}

/** Options of {@link retentionFor}. */
export interface RetentionForOptions {
  /** The delay (or timeshift) the stream must cover, in seconds. */
  readonly delaySeconds: number;
  /** History kept beyond the delay, in seconds. Default 10 % of the delay, at least 2 s. */
  readonly marginSeconds?: number;
  /** Bytes the stream takes per second (all tracks, with the records' framing). */
  readonly bytesPerSecond: number;
}

const NAME = /^[A-Za-z0-9_-]{1,64}$/;
const SUBJECT = /^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$/;
const NS_PER_MS = 1_000_000;

/**
 * The retention a delay window needs: `delay + margin` of history by age, and by bytes that
 * much at `bytesPerSecond` with a quarter more for framing and bursts. An archive passes its
 * own `maxAgeMs`/`maxBytes` instead.
 *
 * @example
 * retentionFor({ delaySeconds: 7, bytesPerSecond: 48_000 * 2 * 4 }); // { maxAgeMs: 9000, maxBytes: 4320000 }
 */
export function retentionFor(options: RetentionForOptions): MediaRetention {
  const delay = checkNumber('delaySeconds', options.delaySeconds, { min: 0 });
  const margin = checkNumber('marginSeconds', options.marginSeconds ?? Math.max(2, delay * 0.1), { min: 0 });
  const rate = checkNumber('bytesPerSecond', options.bytesPerSecond, { min: 0, exclusive: true });
  const seconds = delay + margin;
  return { maxAgeMs: Math.ceil(seconds * 1000), maxBytes: Math.ceil(seconds * rate * 1.25) };
}

/** Resolves and checks a media stream's options. */
export function resolveMediaStream(options: MediaStreamOptions): MediaStreamSpec {
  const stream = checkString('stream', options.stream);
  if (!NAME.test(stream)) invalid('stream', `must be 1–64 letters, digits, '_' or '-', got ${show(stream)}`);
  const subject = checkString('subject', options.subject ?? `avbuf.${stream}`);
  if (!SUBJECT.test(subject)) invalid('subject', `must be dot-separated tokens without wildcards, got ${show(subject)}`);
  const replicas = checkNumber('replicas', options.replicas ?? 1, { min: 1, max: 5, integer: true });
  const storage = checkOneOf('storage', options.storage ?? 'file', ['file', 'memory'] as const);
  const maxAgeMs = checkNumber('maxAgeMs', options.maxAgeMs ?? 3_600_000, { min: 1, infinite: true });
  const maxBytes = checkNumber('maxBytes', options.maxBytes ?? 1024 ** 3, { min: 1, infinite: true });
  const duplicateWindowMs = checkNumber('duplicateWindowMs', options.duplicateWindowMs ?? Math.min(120_000, maxAgeMs), {
    min: 1,
    max: maxAgeMs,
  });
  return { stream, subject, replicas, storage, retention: { maxAgeMs, maxBytes }, duplicateWindowMs };
}

/** The subject a track of a stream is published on. */
export function trackSubject(spec: Pick<MediaStreamSpec, 'subject'>, track: string): string {
  return `${spec.subject}.${track}`;
}

/**
 * Makes the media stream, or brings an existing one's limits to these (its subjects must
 * already be these). Storage and replicas of an existing stream are kept as they are.
 *
 * @throws {JetStreamError} `ERR_NATS_STREAM` when JetStream refuses (e.g. subjects that overlap
 *   another stream's, more replicas than servers).
 */
export async function ensureMediaStream(jsm: JetStreamManager, options: MediaStreamOptions): Promise<MediaStreamSpec> {
  const spec = resolveMediaStream(options);
  const { StorageType, RetentionPolicy, DiscardPolicy } = await import('@nats-io/jetstream');
  const limits = {
    max_age: Number.isFinite(spec.retention.maxAgeMs) ? spec.retention.maxAgeMs * NS_PER_MS : 0,
    max_bytes: Number.isFinite(spec.retention.maxBytes) ? spec.retention.maxBytes : -1,
    duplicate_window: (Number.isFinite(spec.duplicateWindowMs) ? spec.duplicateWindowMs : 120_000) * NS_PER_MS,
    discard: DiscardPolicy.Old,
  };
  let info: StreamInfo | undefined;
  try {
    info = await jsm.streams.info(spec.stream);
  } catch (error) {
    if (!isNotFound(error)) throw streamError(`cannot read stream ${spec.stream}`, error);
  }
  try {
    if (info === undefined) {
      await jsm.streams.add({
        name: spec.stream,
        subjects: [`${spec.subject}.>`],
        num_replicas: spec.replicas,
        storage: spec.storage === 'file' ? StorageType.File : StorageType.Memory,
        retention: RetentionPolicy.Limits,
        ...limits,
      });
    } else {
      if (!info.config.subjects?.includes(`${spec.subject}.>`)) {
        throw new JetStreamError(
          ErrorCode.NATS_STREAM,
          `stream ${spec.stream} exists with subjects ${JSON.stringify(info.config.subjects)}, not ${spec.subject}.>`,
        );
      }
      const c = info.config;
      if (c.max_age !== limits.max_age || c.max_bytes !== limits.max_bytes || c.duplicate_window !== limits.duplicate_window) {
        await jsm.streams.update(spec.stream, { ...c, ...limits });
      }
    }
  } catch (error) {
    if (error instanceof JetStreamError) throw error;
    throw streamError(`cannot make stream ${spec.stream}`, error);
  }
  return spec;
}

/** True for the client's "stream not found" (and "consumer not found") errors. */
export function isNotFound(error: unknown): boolean {
  const e = error as { code?: unknown; api_error?: { err_code?: number }; message?: unknown } | null;
  const code = e?.api_error?.err_code;
  return code === 10059 || code === 10014 || (typeof e?.message === 'string' && /not found/i.test(e.message));
}

/** A typed error around the client's. */
export function streamError(what: string, cause: unknown): JetStreamError {
  return new JetStreamError(ErrorCode.NATS_STREAM, `${what}: ${(cause as Error)?.message ?? String(cause)}`, { cause });
}
