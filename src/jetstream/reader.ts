/**
 * MediaReader: reads a media stream back through a JetStream pull consumer with explicit
 * acknowledgements, as an async iterable of records in each track's `seq` order.
 *
 * - **Durable**: with `durable`, the consumer keeps its place on the server; a reader opened
 *   again after a crash starts at the first record not acknowledged (the consumer is moved
 *   back to its ack floor, so nothing waits for a redelivery timeout).
 * - **Acknowledged once used**: a record is acknowledged when the loop's body is done with
 *   it (the loop asks for the next one, or is left), so a record the app was handling when
 *   it died is delivered again. To make that
 *   exactly once, give `resume` the last `seq` per track your sink kept.
 * - **Nothing repeated, nothing reordered**: a record whose `seq` was already passed on (a
 *   redelivery, a retried publish, a producer restarted with the same ids) is dropped and
 *   counted; one that arrives ahead of a missing one is held until the missing one comes or
 *   `gapTimeoutMs` passes (then counted as lost).
 * - **Replay**: `start` reads from a stream sequence, a PTS or a wall-clock time.
 */
import type { Consumer, ConsumerConfig, ConsumerMessages, JetStreamClient, JetStreamManager, JsMsg } from '@nats-io/jetstream';
import { BufferStateError, ErrorCode, JetStreamError } from '../core/errors.js';
import { checkBoolean, checkNumber, checkOneOf, checkString, invalid, show } from '../core/validate.js';
import { openEndpoint, type NatsEndpoint, type OpenEndpoint } from './endpoint.js';
import { isNotFound, streamError, trackSubject, type MediaStreamOptions, type MediaStreamSpec } from './mediaStream.js';
import { checkTrack, decodeRecord, type MediaRecord } from './record.js';

/**
 * Where a new consumer starts: `first` (the oldest record kept), `new` (records published from
 * now on), `{ seq }` (a stream sequence), `{ pts }` (the first record of each track whose
 * span reaches this PTS, ns) or `{ time }` (records stored at or after this wall-clock time).
 */
export type ReadStart = 'first' | 'new' | { readonly seq: number } | { readonly pts: number } | { readonly time: Date | number };

/** Options of {@link MediaReader.open}. */
export type MediaReaderOptions = NatsEndpoint &
  MediaStreamOptions & {
    /** Name of a durable consumer (kept on the server, resumed by the next reader of that name). Default: an ephemeral one. */
    readonly durable?: string;
    /** Where a new consumer starts; an existing durable resumes where it stopped unless `reset`. Default `first`. */
    readonly start?: ReadStart;
    /** Delete an existing durable and start again at `start`. Default false. */
    readonly reset?: boolean;
    /** Read only these tracks. Default: all. */
    readonly tracks?: readonly string[];
    /** The last `seq` per track the app already holds: those records and earlier ones are skipped. */
    readonly resume?: Readonly<Record<string, number>>;
    /** Records delivered and not yet acknowledged, at most (the server stops there). Default 1024. */
    readonly maxAckPending?: number;
    /** Records asked for per pull. Default 256. */
    readonly batch?: number;
    /** How long the server waits for an acknowledgement before delivering again, ms. Default 10,000. */
    readonly ackWaitMs?: number;
    /**
     * How long a record ahead of a missing one is held before the missing one is counted lost,
     * ms. Default `ackWaitMs` + 1000: a record delivered when the connection dropped comes again
     * only after `ackWaitMs`. (Records the stream's limits removed are skipped at once.)
     */
    readonly gapTimeoutMs?: number;
    /** A message that is not a media record: `skip` (acknowledged and counted) or `fail` (the read fails with `ERR_MEDIA_RECORD`). Default `skip`. */
    readonly onCorrupt?: 'skip' | 'fail';
  };

/** A record as read: with its place in the stream. */
export interface ReceivedRecord extends MediaRecord {
  /** Its JetStream stream sequence (give it to `start: { seq }` to read from here again). */
  readonly streamSeq: number;
  /** When JetStream stored it, ms since the epoch. */
  readonly storedAt: number;
}

/** A reader's counters. */
export interface ReaderMetrics {
  /** Messages that came from the server (redeliveries included). */
  readonly received: number;
  /** Records passed on. */
  readonly delivered: number;
  /** Messages the server marked as delivered before. */
  readonly redelivered: number;
  /** Records dropped because their `seq` was passed on already. */
  readonly duplicates: number;
  /** Records dropped because they end before a `{ pts }` start. */
  readonly beforeStart: number;
  /** Times a track skipped missing records after `gapTimeoutMs`, and how many records it skipped. */
  readonly gaps: number;
  readonly lost: number;
  /** Messages that were not media records. */
  readonly corrupt: number;
  /** Records held ahead of a missing one now. */
  readonly held: number;
  /** Bytes of the records passed on. */
  readonly bytes: number;
  /** Pulls made again after one failed (a leader election, a reconnect). */
  readonly refetches: number;
}

interface TrackState {
  next: number | undefined;
  readonly held: Map<number, Pending>;
  oldestHeldAt: number;
  /** Stream sequence of the last record passed on (0 before the first). */
  lastStreamSeq: number;
}

interface Pending {
  readonly record: ReceivedRecord;
  readonly msg: JsMsg;
}

const NS_PER_MS = 1_000_000;
/** The consumer's ack wait, ms. */
const DEFAULT_ACK_WAIT_MS = 10_000;
/** How long one pull waits for records before it is made again, ms. */
const FETCH_EXPIRES_MS = 5000;
/** Wait before pulling again after a pull failed (a leader election, a reconnect), ms. */
const REFETCH_DELAY_MS = 100;

/** Reads a media stream; see the module comment. */
export class MediaReader implements AsyncIterable<ReceivedRecord> {
  readonly spec: MediaStreamSpec;
  /** The consumer's name on the server (the durable's, or the ephemeral one's). */
  readonly consumerName: string;
  readonly #endpoint: OpenEndpoint;
  readonly #consumer: Consumer;
  readonly #jsm: JetStreamManager;
  readonly #options: Required<Pick<MediaReaderOptions, 'batch' | 'gapTimeoutMs' | 'onCorrupt'>>;
  readonly #resume: Readonly<Record<string, number>>;
  /** The tracks to pass on when several were asked for (filtered here, not on the server). */
  readonly #only: ReadonlySet<string> | undefined;
  readonly #startPts: number | undefined;
  readonly #tracks = new Map<string, TrackState>();
  readonly #ready: Pending[] = [];
  #messages: ConsumerMessages | undefined;
  #wake: (() => void) | undefined;
  #pumpWake: (() => void) | undefined;
  #acks: JsMsg[] = [];
  #ackTimer: ReturnType<typeof setImmediate> | undefined;
  #failure: Error | undefined;
  #ended = false;
  #closed = false;
  #iterating = false;
  #timer: ReturnType<typeof setInterval> | undefined;
  #counts = { received: 0, delivered: 0, redelivered: 0, duplicates: 0, beforeStart: 0, gaps: 0, lost: 0, corrupt: 0, bytes: 0, refetches: 0 };

  private constructor(endpoint: OpenEndpoint, jsm: JetStreamManager, consumer: Consumer, name: string, options: MediaReaderOptions, startPts: number | undefined) {
    this.#endpoint = endpoint;
    this.#jsm = jsm;
    this.spec = endpoint.spec;
    this.#consumer = consumer;
    this.consumerName = name;
    this.#options = {
      batch: options.batch ?? 256,
      gapTimeoutMs: options.gapTimeoutMs ?? (options.ackWaitMs ?? DEFAULT_ACK_WAIT_MS) + 1000,
      onCorrupt: options.onCorrupt ?? 'skip',
    };
    this.#resume = options.resume ?? {};
    this.#only = options.tracks === undefined || options.tracks.length === 1 ? undefined : new Set(options.tracks);
    this.#startPts = startPts;
  }

  /**
   * Connects (or takes `connection`), finds the stream and makes or resumes the consumer.
   *
   * @throws {ConfigError} `ERR_INVALID_CONFIG` for a bad option.
   * @throws {JetStreamError} `ERR_NATS_UNAVAILABLE` (no server), `ERR_NATS_STREAM` (no such
   *   stream, or the consumer was refused).
   */
  static async open(options: MediaReaderOptions): Promise<MediaReader> {
    const checked = checkReaderOptions(options);
    const endpoint = await openEndpoint(options, false);
    try {
      const { jetstream, jetstreamManager } = await import('@nats-io/jetstream');
      const jsm = await jetstreamManager(endpoint.nc);
      const { config, startPts } = await consumerConfig(jsm, endpoint.spec, options, checked);
      const name = await ensureConsumer(jsm, endpoint.spec.stream, config, options.reset ?? false);
      const js: JetStreamClient = jetstream(endpoint.nc);
      const consumer = await js.consumers.get(endpoint.spec.stream, name);
      return new MediaReader(endpoint, jsm, consumer, name, options, startPts);
    } catch (error) {
      if (endpoint.owned) await endpoint.nc.close();
      throw error instanceof JetStreamError ? error : streamError(`cannot read stream ${endpoint.spec.stream}`, error);
    }
  }

  /**
   * The records, in each track's order, until {@link close} (a durable read never ends by
   * itself: a live stream has no end). A record is acknowledged when the next is asked for.
   * One loop at a time.
   *
   * @throws {JetStreamError} `ERR_MEDIA_RECORD` with `onCorrupt: 'fail'`; `ERR_NATS_STREAM`
   *   when the consumer or stream is deleted under it.
   */
  async *[Symbol.asyncIterator](): AsyncGenerator<ReceivedRecord, void, undefined> {
    if (this.#iterating) throw new BufferStateError(ErrorCode.BUFFER_NOT_ACCEPTING, `reader ${this.consumerName} is read by another loop already`);
    if (this.#closed) return;
    this.#iterating = true;
    void this.#pump();
    this.#timer = setInterval(() => this.#checkGaps(), Math.max(10, Math.min(250, this.#options.gapTimeoutMs / 4)));
    let unacked: JsMsg | undefined;
    try {
      for (;;) {
        if (this.#closed) return; // closed from the loop's body, or from outside while it waited
        const next = this.#ready.shift();
        if (next !== undefined) {
          const pump = this.#pumpWake;
          this.#pumpWake = undefined;
          pump?.();
          this.#counts.delivered++;
          this.#counts.bytes += next.record.data.byteLength;
          unacked = next.msg;
          yield next.record;
          unacked = undefined;
          this.#ack(next.msg);
          continue;
        }
        if (this.#failure !== undefined) throw this.#failure;
        if (this.#ended) return;
        await new Promise<void>((resolve) => (this.#wake = resolve));
      }
    } finally {
      // The loop was left (break, return or a throw) after its body ran for this one.
      if (unacked !== undefined) this.#ack(unacked);
      this.#sendAcks();
      this.#iterating = false;
      await this.close();
    }
  }

  /** The counters. */
  getMetrics(): ReaderMetrics {
    let held = 0;
    for (const track of this.#tracks.values()) held += track.held.size;
    return { ...this.#counts, held };
  }

  /**
   * Stops reading, sends the acknowledgements made so far, and closes the connection when the
   * reader opened it. Records held or not yet read stay unacknowledged: the durable gives them
   * to the next reader. Idempotent.
   */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    clearInterval(this.#timer);
    this.#signal();
    this.#pumpWake?.();
    try {
      await this.#messages?.close();
    } catch {
      // already closed by the server or the connection
    }
    this.#sendAcks();
    try {
      await this.#endpoint.nc.flush();
    } catch {
      // the connection is gone: unsent acknowledgements become redeliveries
    }
    if (this.#endpoint.owned) await this.#endpoint.nc.close();
  }

  /**
   * Pulls batches of at most `batch` records (a fetch each: `consume()` of the client buffers
   * without bound when the limits remove records delivered and not yet acknowledged, since
   * those no longer count against max_ack_pending) and pulls the next only once half of the
   * last is read, so what is not taken stays on the server, under its limits, however slow
   * the loop.
   */
  async #pump(): Promise<void> {
    try {
      while (!this.#closed) {
        try {
          this.#messages = await this.#consumer.fetch({ max_messages: this.#options.batch, expires: FETCH_EXPIRES_MS });
          if (this.#closed) await this.#messages.close();
          for await (const msg of this.#messages) {
            this.#take(msg);
            if (this.#failure !== undefined) return;
          }
        } catch (error) {
          // A leader election, missed heartbeats, a connection being made again: pull again.
          // A consumer or stream that was deleted is the end.
          if (this.#closed || isNotFound(error)) throw error;
          this.#counts.refetches++;
          await new Promise((resolve) => setTimeout(resolve, REFETCH_DELAY_MS));
          continue;
        }
        // The next pull once half the batch is read: the loop never waits for a round trip,
        // and at most a batch and a half waits here.
        while (this.#ready.length > this.#options.batch / 2 && !this.#closed) {
          await new Promise<void>((resolve) => (this.#pumpWake = resolve));
        }
      }
    } catch (error) {
      if (!this.#closed) this.#failure ??= error instanceof JetStreamError ? error : streamError(`reading ${this.spec.stream} failed`, error);
    } finally {
      this.#ended = true;
      this.#signal();
    }
  }

  #take(msg: JsMsg): void {
    this.#counts.received++;
    if (msg.redelivered) this.#counts.redelivered++;
    let record: MediaRecord;
    try {
      record = decodeRecord(msg.data);
    } catch (error) {
      this.#counts.corrupt++;
      if (this.#options.onCorrupt === 'fail') {
        this.#failure ??= new JetStreamError(ErrorCode.MEDIA_RECORD, `message ${msg.info.streamSequence} of ${this.spec.stream}: ${(error as Error).message}`, { cause: error });
        this.#signal();
        return;
      }
      this.#ack(msg);
      return;
    }
    if (this.#only !== undefined && !this.#only.has(record.track)) {
      this.#ack(msg);
      return;
    }
    const received: ReceivedRecord = {
      ...record,
      streamSeq: msg.info.streamSequence,
      storedAt: Math.floor(msg.info.timestampNanos / NS_PER_MS), // the client parses it into a number
    };
    const track = this.#track(record.track);
    if (track.next === undefined) {
      const resumed = this.#resume[record.track];
      track.next = resumed === undefined ? record.seq : resumed + 1;
    }
    if (record.seq < track.next || track.held.has(record.seq)) {
      this.#counts.duplicates++;
      this.#ack(msg);
      return;
    }
    if (record.seq > track.next) {
      const first = track.held.size === 0;
      if (first) track.oldestHeldAt = performance.now();
      track.held.set(record.seq, { record: received, msg });
      if (first) void this.#checkRemoved(track);
      return;
    }
    this.#pass(track, { record: received, msg });
    this.#drain(track);
  }

  #track(name: string): TrackState {
    let track = this.#tracks.get(name);
    if (track === undefined) {
      track = { next: undefined, held: new Map(), oldestHeldAt: 0, lastStreamSeq: 0 };
      this.#tracks.set(name, track);
    }
    return track;
  }

  /** Passes on the track's next record (or drops it when it ends before a `{ pts }` start). */
  #pass(track: TrackState, pending: Pending): void {
    track.next = pending.record.seq + 1;
    track.lastStreamSeq = Math.max(track.lastStreamSeq, pending.record.streamSeq);
    const { pts, duration } = pending.record;
    if (this.#startPts !== undefined && pts + Math.max(duration, 1) <= this.#startPts) {
      this.#counts.beforeStart++;
      this.#ack(pending.msg);
      return;
    }
    this.#ready.push(pending);
    this.#signal();
  }

  #drain(track: TrackState): void {
    for (let next = track.held.get(track.next!); next !== undefined; next = track.held.get(track.next!)) {
      track.held.delete(next.record.seq);
      this.#pass(track, next);
    }
    if (track.held.size > 0) track.oldestHeldAt = performance.now();
  }

  /** Gives up on records missing for longer than `gapTimeoutMs`: the held ones after them go on. */
  #checkGaps(): void {
    const now = performance.now();
    for (const track of this.#tracks.values()) {
      if (track.held.size > 0 && now - track.oldestHeldAt >= this.#options.gapTimeoutMs) this.#skipGap(track);
    }
  }

  /**
   * A track just started holding: when the stream's limits removed records after the last one
   * passed on (a reader slower than the retention), the missing ones are gone, not late: skip
   * them now instead of after `gapTimeoutMs`.
   */
  async #checkRemoved(track: TrackState): Promise<void> {
    try {
      const { state } = await this.#jsm.streams.info(this.spec.stream);
      if (track.held.size > 0 && state.first_seq > track.lastStreamSeq + 1) this.#skipGap(track);
    } catch {
      // no answer (reconnecting): the gap timeout decides
    }
  }

  /** Counts the records missing before the first held one as lost, and goes on from it. */
  #skipGap(track: TrackState): void {
    const first = Math.min(...track.held.keys());
    this.#counts.gaps++;
    this.#counts.lost += first - track.next!;
    track.next = first;
    this.#drain(track);
  }

  /**
   * Acknowledges a record: acknowledgements made in one run of the event loop go out together
   * (at setImmediate), in one socket write instead of one each.
   */
  #ack(msg: JsMsg): void {
    this.#acks.push(msg);
    this.#ackTimer ??= setImmediate(() => this.#sendAcks());
  }

  #sendAcks(): void {
    if (this.#ackTimer !== undefined) clearImmediate(this.#ackTimer);
    this.#ackTimer = undefined;
    const acks = this.#acks;
    this.#acks = [];
    for (const msg of acks) msg.ack();
  }

  #signal(): void {
    const wake = this.#wake;
    this.#wake = undefined;
    wake?.();
  }
}

interface CheckedReader {
  readonly tracks: readonly string[] | undefined;
  readonly maxAckPending: number;
  readonly ackWaitMs: number;
}

function checkReaderOptions(options: MediaReaderOptions): CheckedReader {
  if (options.durable !== undefined && !/^[A-Za-z0-9_-]{1,64}$/.test(checkString('durable', options.durable))) {
    invalid('durable', `must be 1–64 letters, digits, '_' or '-', got ${show(options.durable)}`);
  }
  checkStart(options.start ?? 'first');
  checkBoolean('reset', options.reset ?? false);
  const tracks = options.tracks?.map((track) => checkTrack(track, 'config'));
  if (tracks !== undefined && tracks.length === 0) invalid('tracks', 'must name at least one track, or be left out for all');
  for (const [track, seq] of Object.entries(options.resume ?? {})) {
    checkTrack(track, 'config');
    checkNumber(`resume.${track}`, seq, { min: -1, integer: true });
  }
  checkNumber('batch', options.batch ?? 256, { min: 1, max: 10_000, integer: true });
  if (options.gapTimeoutMs !== undefined) checkNumber('gapTimeoutMs', options.gapTimeoutMs, { min: 1 });
  checkOneOf('onCorrupt', options.onCorrupt ?? 'skip', ['skip', 'fail'] as const);
  return {
    tracks,
    maxAckPending: checkNumber('maxAckPending', options.maxAckPending ?? 1024, { min: 1, integer: true }),
    ackWaitMs: checkNumber('ackWaitMs', options.ackWaitMs ?? DEFAULT_ACK_WAIT_MS, { min: 100 }),
  };
}

function checkStart(start: ReadStart): void {
  if (start === 'first' || start === 'new') return;
  const s = start as Partial<{ seq: number; pts: number; time: Date | number }> | null;
  if (s !== null && typeof s === 'object') {
    if ('seq' in s) return void checkNumber('start.seq', s.seq, { min: 1, integer: true });
    if ('pts' in s) return void checkNumber('start.pts', s.pts, {});
    if ('time' in s) {
      const ms = s.time instanceof Date ? s.time.getTime() : s.time;
      return void checkNumber('start.time', ms, { min: 0 });
    }
  }
  invalid('start', `must be 'first', 'new', { seq }, { pts } or { time }, got ${show(start)}`);
}

/** The consumer's configuration for these options, with the PTS to start at when reading from one. */
async function consumerConfig(
  jsm: JetStreamManager,
  spec: MediaStreamSpec,
  options: MediaReaderOptions,
  checked: CheckedReader,
): Promise<{ config: Partial<ConsumerConfig>; startPts: number | undefined }> {
  const { AckPolicy, DeliverPolicy } = await import('@nats-io/jetstream');
  try {
    await jsm.streams.info(spec.stream);
  } catch (error) {
    if (isNotFound(error)) throw new JetStreamError(ErrorCode.NATS_STREAM, `stream ${spec.stream} does not exist (its publisher makes it)`, { cause: error });
    throw error;
  }
  const start = options.start ?? 'first';
  const config: Partial<ConsumerConfig> = {
    ack_policy: AckPolicy.Explicit,
    ack_wait: checked.ackWaitMs * NS_PER_MS,
    max_ack_pending: checked.maxAckPending,
  };
  if (options.durable !== undefined) config.durable_name = options.durable;
  else config.inactive_threshold = 30_000 * NS_PER_MS;
  // One track is filtered on the server; several are filtered here (a consumer with several
  // subjects needs nats-server 2.10, Debian 12 ships 2.9).
  if (checked.tracks?.length === 1) config.filter_subject = trackSubject(spec, checked.tracks[0]!);
  let startPts: number | undefined;
  if (start === 'first') config.deliver_policy = DeliverPolicy.All;
  else if (start === 'new') config.deliver_policy = DeliverPolicy.New;
  else if ('seq' in start) {
    config.deliver_policy = DeliverPolicy.StartSequence;
    config.opt_start_seq = start.seq;
  } else if ('time' in start) {
    config.deliver_policy = DeliverPolicy.StartTime;
    config.opt_start_time = new Date(start.time).toISOString();
  } else {
    startPts = start.pts;
    config.deliver_policy = DeliverPolicy.StartSequence;
    config.opt_start_seq = await seqAtPts(jsm, spec.stream, start.pts);
  }
  return { config, startPts };
}

/**
 * A stream sequence at or before the first record whose span reaches `pts`: a binary search
 * over the records kept (tracks interleave, so it starts a second earlier and the reader
 * drops, per track, what ends before `pts`).
 */
export async function seqAtPts(jsm: JetStreamManager, stream: string, pts: number): Promise<number> {
  const { state } = await jsm.streams.info(stream);
  const target = pts - 1e9;
  let lo = state.first_seq;
  let hi = state.last_seq + 1;
  while (lo < hi) {
    const mid = Math.floor((lo + hi) / 2);
    const message = await jsm.streams.getMessage(stream, { seq: mid }).catch(() => null);
    if (message === null) {
      lo = mid + 1; // removed by the limits while we looked: only the oldest go
      continue;
    }
    let end: number;
    try {
      const record = decodeRecord(message.data);
      end = record.pts + record.duration;
    } catch {
      lo = mid + 1;
      continue;
    }
    if (end <= target) lo = mid + 1;
    else hi = mid;
  }
  return Math.max(1, Math.min(lo, state.last_seq + 1));
}

/**
 * Makes the consumer, or takes the existing durable: deleted first with `reset`, and moved
 * back to its ack floor when a reader left records unacknowledged (it died), so they come
 * again at once and in order. Returns the consumer's name.
 */
async function ensureConsumer(jsm: JetStreamManager, stream: string, config: Partial<ConsumerConfig>, reset: boolean): Promise<string> {
  const durable = config.durable_name;
  if (durable !== undefined) {
    let existing;
    try {
      existing = await jsm.consumers.info(stream, durable);
    } catch (error) {
      if (!isNotFound(error)) throw error;
    }
    if (existing !== undefined) {
      if (!reset && existing.num_ack_pending === 0) return durable;
      const floor = existing.ack_floor.stream_seq;
      await jsm.consumers.delete(stream, durable);
      if (!reset) {
        const { DeliverPolicy } = await import('@nats-io/jetstream');
        config = { ...existing.config, deliver_policy: DeliverPolicy.StartSequence, opt_start_seq: floor + 1, opt_start_time: undefined };
      }
    }
  }
  const info = await jsm.consumers.add(stream, config);
  return info.name;
}
