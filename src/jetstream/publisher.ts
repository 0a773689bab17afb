/**
 * MediaPublisher: sends media records to a JetStream stream with a message id each
 * (`<producer>/<track>/<seq>`), so a retry — after a timeout, a leader election, a restart of
 * the producer — never stores a record twice. At most `maxInFlight` publishes wait for their
 * acknowledgement at once: `publish()` resolves when the record is on its way, and waits
 * while the window is full, so a slow or absent server slows the producer down instead of
 * growing its memory. A publish that fails is retried with the same id until `retryForMs`
 * has passed; while one is being retried no new record is sent.
 */
import type { JetStreamClient, JetStreamManager, PubAck } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import { BufferStateError, ErrorCode, JetStreamError } from '../core/errors.js';
import { checkNumber, checkString } from '../core/validate.js';
import { openEndpoint, type NatsEndpoint, type OpenEndpoint } from './endpoint.js';
import type { MediaStreamOptions, MediaStreamSpec } from './mediaStream.js';
import { trackSubject } from './mediaStream.js';
import { checkRecord, checkTrack, decodeRecord, encodeRecord, type MediaRecord } from './record.js';

/** Options of {@link MediaPublisher.open}. */
export type MediaPublisherOptions = NatsEndpoint &
  MediaStreamOptions & {
    /** The first part of every message id: the same producer restarted must use the same. Default: the stream's name. */
    readonly producer?: string;
    /** Publishes awaiting their acknowledgement at once. Default 64. */
    readonly maxInFlight?: number;
    /** How long one attempt waits for its acknowledgement, in ms. Default 2000. */
    readonly ackTimeoutMs?: number;
    /** How long a record is retried before the publisher fails with `ERR_NATS_PUBLISH`, in ms. Default 30,000. */
    readonly retryForMs?: number;
    /** Called once per retried attempt (for logs): the record's id, the attempt and the client's error. */
    readonly onRetry?: (id: string, attempt: number, error: unknown) => void;
  };

/** A publisher's counters. */
export interface PublisherMetrics {
  /** Records handed to `publish()`. */
  readonly published: number;
  /** Records JetStream acknowledged (stored, or known already). */
  readonly acked: number;
  /** Acknowledgements that said the id was stored already (a retry or a restarted producer). */
  readonly duplicates: number;
  /** Attempts that failed and were made again. */
  readonly retries: number;
  /** Publishes awaiting their acknowledgement now. */
  readonly inFlight: number;
  /** The window: most publishes allowed to await their acknowledgement. */
  readonly maxInFlight: number;
  /** Most publishes ever awaiting at once (never above `maxInFlight`). */
  readonly peakInFlight: number;
  /** Bytes sent (record framing included), once per record. */
  readonly bytes: number;
  /** Mean and largest time from send to acknowledgement, ms. */
  readonly meanAckMs: number;
  readonly maxAckMs: number;
}

/** Publishes media records to one stream; see the module comment. */
export class MediaPublisher {
  readonly spec: MediaStreamSpec;
  readonly producer: string;
  readonly maxInFlight: number;
  readonly #endpoint: OpenEndpoint;
  readonly #js: JetStreamClient;
  readonly #ackTimeoutMs: number;
  readonly #retryForMs: number;
  readonly #onRetry: MediaPublisherOptions['onRetry'];
  #inFlight = 0;
  #retrying = 0;
  #waiters: (() => void)[] = [];
  #failure: JetStreamError | undefined;
  /** Made on the first `lastStored` and kept (each manager costs a request). */
  #jsm: Promise<JetStreamManager> | undefined;
  #closed = false;
  #counts = { published: 0, acked: 0, duplicates: 0, retries: 0, peakInFlight: 0, bytes: 0, ackMsSum: 0, maxAckMs: 0 };

  private constructor(endpoint: OpenEndpoint, js: JetStreamClient, options: MediaPublisherOptions) {
    this.#endpoint = endpoint;
    this.#js = js;
    this.spec = endpoint.spec;
    this.producer = checkString('producer', options.producer ?? endpoint.spec.stream);
    this.maxInFlight = checkNumber('maxInFlight', options.maxInFlight ?? 64, { min: 1, max: 65_536, integer: true });
    this.#ackTimeoutMs = checkNumber('ackTimeoutMs', options.ackTimeoutMs ?? 2000, { min: 1 });
    this.#retryForMs = checkNumber('retryForMs', options.retryForMs ?? 30_000, { min: 0, infinite: true });
    this.#onRetry = options.onRetry;
  }

  /**
   * Connects (or takes `connection`), makes or updates the stream and returns a publisher.
   *
   * @throws {ConfigError} `ERR_INVALID_CONFIG` for a bad option.
   * @throws {JetStreamError} `ERR_NATS_UNAVAILABLE` (no server), `ERR_NATS_STREAM` (stream refused).
   */
  static async open(options: MediaPublisherOptions): Promise<MediaPublisher> {
    // Check the publisher's own options before connecting.
    checkNumber('maxInFlight', options.maxInFlight ?? 64, { min: 1, max: 65_536, integer: true });
    const endpoint = await openEndpoint(options, true);
    const { jetstream } = await import('@nats-io/jetstream');
    return new MediaPublisher(endpoint, jetstream(endpoint.nc), options);
  }

  /** The message id of a record: `<producer>/<track>/<seq>`. */
  messageId(record: Pick<MediaRecord, 'track' | 'seq'>): string {
    return `${this.producer}/${record.track}/${record.seq}`;
  }

  /**
   * Sends a record. Resolves once it is on its way (its acknowledgement is awaited in the
   * background; {@link flush} waits for all), after waiting while `maxInFlight` publishes are
   * unacknowledged or one is being retried. The record's `data` may be reused once this resolves.
   * A loop that awaits this for every record sends one socket write per record; {@link trySend}
   * lets records sent in one go share a write.
   *
   * @throws {ArgumentError} `ERR_INVALID_ARGUMENT` for a bad record (nothing is sent).
   * @throws {JetStreamError} `ERR_NATS_PUBLISH` once a record could not be stored in `retryForMs`.
   * @throws {BufferStateError} `ERR_BUFFER_CLOSED` after {@link close}.
   */
  async publish(record: MediaRecord): Promise<void> {
    while (!this.trySend(record)) await this.room();
  }

  /**
   * Sends a record now if the window has room (and no record is being retried), without
   * waiting: records sent in one synchronous run go out in one socket write. Returns false,
   * sending nothing, when there is no room: await {@link room} and try again.
   *
   * @example
   * for (const record of records) if (!publisher.trySend(record)) await publisher.publish(record);
   *
   * @throws as {@link publish} (a bad record is refused before the room is looked at).
   */
  trySend(record: MediaRecord): boolean {
    checkRecord(record);
    this.#check();
    if (this.#inFlight >= this.maxInFlight || this.#retrying > 0) return false;
    const bytes = encodeRecord(record);
    const id = this.messageId(record);
    this.#inFlight++;
    this.#counts.published++;
    this.#counts.bytes += bytes.byteLength;
    if (this.#inFlight > this.#counts.peakInFlight) this.#counts.peakInFlight = this.#inFlight;
    void this.#send(trackSubject(this.spec, record.track), bytes, id).finally(() => {
      this.#inFlight--;
      this.#wake();
    });
    return true;
  }

  /**
   * Resolves when the window may have room again (an acknowledgement came, a retry ended, or
   * the publisher failed or closed: the next send says which).
   */
  room(): Promise<void> {
    if (this.#failure !== undefined || this.#closed) return Promise.resolve();
    return new Promise<void>((resolve) => this.#waiters.push(resolve));
  }

  /**
   * Waits until every record sent so far is acknowledged.
   *
   * @throws {JetStreamError} `ERR_NATS_PUBLISH` when one could not be stored.
   */
  async flush(): Promise<void> {
    while (this.#inFlight > 0) {
      if (this.#failure) throw this.#failure;
      await new Promise<void>((resolve) => this.#waiters.push(resolve));
    }
    if (this.#failure) throw this.#failure;
  }

  /**
   * The sequence number of the last record of `track` the stream holds, or -1: a live producer
   * restarted continues after it (`seq + 1`) so its new records are not taken for repeats.
   */
  async lastStoredSeq(track: string): Promise<number> {
    return (await this.lastStored(track))?.seq ?? -1;
  }

  /** The last record of `track` the stream holds, or null when it holds none. */
  async lastStored(track: string): Promise<MediaRecord | null> {
    checkTrack(track);
    this.#jsm ??= import('@nats-io/jetstream').then(({ jetstreamManager }) => jetstreamManager(this.#endpoint.nc));
    const jsm = await this.#jsm;
    try {
      const message = await jsm.streams.getMessage(this.spec.stream, { last_by_subj: trackSubject(this.spec, track) });
      return message === null ? null : decodeRecord(message.data);
    } catch (error) {
      if (/not found/i.test((error as Error).message)) return null;
      throw new JetStreamError(ErrorCode.NATS_STREAM, `cannot read the last record of ${track}: ${(error as Error).message}`, { cause: error });
    }
  }

  /** The counters. */
  getMetrics(): PublisherMetrics {
    const c = this.#counts;
    return {
      published: c.published,
      acked: c.acked,
      duplicates: c.duplicates,
      retries: c.retries,
      inFlight: this.#inFlight,
      maxInFlight: this.maxInFlight,
      peakInFlight: c.peakInFlight,
      bytes: c.bytes,
      meanAckMs: c.acked === 0 ? 0 : c.ackMsSum / c.acked,
      maxAckMs: c.maxAckMs,
    };
  }

  /** The NATS connection the publisher sends on (readers of the same stream may share it). */
  get connection(): NatsConnection {
    return this.#endpoint.nc;
  }

  /** The failure that stopped the publisher, if one did. */
  get failure(): JetStreamError | undefined {
    return this.#failure;
  }

  /**
   * Waits for what is in flight (up to its retries), then closes the connection when the
   * publisher opened it. Idempotent.
   *
   * @throws {JetStreamError} `ERR_NATS_PUBLISH` when a record in flight could not be stored
   *   (the connection is closed all the same).
   */
  async close(): Promise<void> {
    if (this.#closed) return;
    try {
      await this.flush();
    } finally {
      this.#closed = true;
      this.#wake();
      if (this.#endpoint.owned) await this.#endpoint.nc.close();
    }
  }

  #check(): void {
    if (this.#failure) throw this.#failure;
    if (this.#closed) throw new BufferStateError(ErrorCode.BUFFER_CLOSED, `publisher of ${this.spec.stream} is closed`);
  }

  #wake(): void {
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const wake of waiters) wake();
  }

  async #send(subject: string, bytes: Uint8Array, id: string): Promise<void> {
    const started = performance.now();
    const deadline = started + this.#retryForMs;
    let retrying = false;
    try {
      for (let attempt = 1; ; attempt++) {
        let ack: PubAck;
        try {
          ack = await this.#js.publish(subject, bytes, { msgID: id, timeout: this.#ackTimeoutMs });
        } catch (error) {
          if (this.#failure) return;
          if (!retriable(error) || performance.now() >= deadline) {
            this.#fail(new JetStreamError(ErrorCode.NATS_PUBLISH, `record ${id} was not stored after ${attempt} attempt(s): ${(error as Error).message}`, { cause: error }));
            return;
          }
          if (!retrying) {
            retrying = true;
            this.#retrying++;
          }
          this.#counts.retries++;
          this.#onRetry?.(id, attempt, error);
          await sleep(Math.min(500, 25 * 2 ** Math.min(attempt, 5)));
          continue;
        }
        const ms = performance.now() - started;
        this.#counts.acked++;
        if (ack.duplicate) this.#counts.duplicates++;
        this.#counts.ackMsSum += ms;
        if (ms > this.#counts.maxAckMs) this.#counts.maxAckMs = ms;
        return;
      }
    } finally {
      if (retrying) this.#retrying--;
    }
  }

  #fail(error: JetStreamError): void {
    this.#failure ??= error;
    this.#wake();
  }
}

/** Errors worth another attempt: everything but a payload JetStream will never take. */
function retriable(error: unknown): boolean {
  const text = error instanceof Error ? error.message : String(error);
  return !/maximum payload|max_payload|message size exceeds|MAX_PAYLOAD/i.test(text);
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
