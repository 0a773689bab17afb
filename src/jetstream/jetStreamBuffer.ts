/**
 * JetStreamBuffer: the data structure of the `jetstream` buffer type. Audio written to it is
 * cut into records of `chunkSize` frames and published to a JetStream media stream (one
 * track); `chunks()` reads a stream back as audio chunks through a durable consumer, in this
 * process or any other. Its memory is the publisher's window (`maxInFlight` records), reserved
 * from the manager's budget when it is made; the stream itself lives on the servers, bounded
 * by its retention.
 */
import type { NatsConnection } from '@nats-io/transport-node';
import type { AudioChunk } from '../core/chunk.js';
import type { BufferConfig } from '../core/config.js';
import type { AudioDataError, AvbufError } from '../core/errors.js';
import { framesOf, interleave, type AudioData } from '../core/frames.js';
import { Counter } from '../core/metrics.js';
import { BufferType, Gate, type BufferMetrics, type BufferState } from '../core/types.js';
import { checkNumber } from '../core/validate.js';
import { checkServers } from './connection.js';
import type { MemoryAccount } from '../core/budget.js';
import { CountedBuffer } from '../buffers/countedBuffer.js';
import type { NatsEndpoint } from './endpoint.js';
import { resolveMediaStream, type MediaStreamOptions } from './mediaStream.js';
import { MediaPublisher, type MediaPublisherOptions, type PublisherMetrics } from './publisher.js';
import { MediaReader, type MediaReaderOptions, type ReaderMetrics } from './reader.js';
import { audioChunkOf, audioRecord, checkTrack } from './record.js';

const BYTES_PER_SAMPLE = 4;
/** A record's framing beside its samples (msgpack array, format map, stamps), rounded up. */
const RECORD_OVERHEAD = 128;

/** Options of a `jetstream` buffer (the manager's `createBuffer(id, 'jetstream', config, options)`). */
export type JetStreamBufferOptions = NatsEndpoint & JetStreamBufferSettings;

/** A jetstream buffer's options besides where NATS is. */
export type JetStreamBufferSettings = MediaStreamOptions &
  Pick<MediaPublisherOptions, 'producer' | 'maxInFlight' | 'ackTimeoutMs' | 'retryForMs'> & {
    /** The track written and read. Default `audio`. */
    readonly track?: string;
    /** Budget the publisher's window is reserved from. */
    readonly account?: MemoryAccount;
    /** What error messages call this buffer. */
    readonly name?: string;
  };

/** Options of {@link JetStreamBuffer.chunks}. */
export type JetStreamChunksOptions = Omit<MediaReaderOptions, keyof NatsEndpoint | keyof MediaStreamOptions | 'tracks'>;

/** A jetstream buffer's metrics: the common ones, with the publisher's and its readers'. */
export interface JetStreamMetrics extends BufferMetrics {
  readonly stream: string;
  readonly subject: string;
  /** True while the connection is up (false while it reconnects, and before it is made). */
  readonly connected: boolean;
  /** Times the connection was lost and made again. */
  readonly reconnects: number;
  readonly publisher: PublisherMetrics | null;
  /** The readers opened by `chunks()`, added up (open and closed). */
  readonly readers: ReaderMetrics;
}

const NO_READERS: ReaderMetrics = { received: 0, delivered: 0, redelivered: 0, duplicates: 0, beforeStart: 0, gaps: 0, lost: 0, corrupt: 0, held: 0, bytes: 0, refetches: 0 };

/** The `jetstream` buffer type's structure; see the module comment. */
export class JetStreamBuffer extends CountedBuffer {
  readonly config: Readonly<BufferConfig>;
  readonly track: string;
  /** Resolves once connected and the stream is made (the actor becomes active then); rejects with the typed error. */
  readonly ready: Promise<void>;
  readonly #options: JetStreamBufferOptions;
  readonly #account: MemoryAccount | undefined;
  readonly #reserved: number;
  readonly #readers = new Set<MediaReader>();
  #closedReaders: ReaderMetrics = NO_READERS;
  #publisher: MediaPublisher | undefined;
  #connected = false;
  #reconnects = 0;
  #seq = 0;
  #position = 0;

  /**
   * Starts connecting at once; {@link ready} tells when it is done.
   *
   * @throws {ConfigError} `ERR_INVALID_CONFIG` for a bad option; {@link MemoryPressureError}
   *   when the budget refuses the window (nothing is opened then).
   */
  constructor(config: Readonly<BufferConfig>, options: JetStreamBufferOptions) {
    super(options.name ?? 'jetstream buffer');
    this.config = config;
    this.track = checkTrack(options.track ?? 'audio', 'config');
    // Everything that can be checked is checked now: a bad option throws before anything opens.
    resolveMediaStream(options);
    const servers = (options as { servers?: unknown }).servers;
    if (options.connection === undefined) checkServers(servers);
    const window = checkNumber('maxInFlight', options.maxInFlight ?? 64, { min: 1, max: 65_536, integer: true });
    this.#options = options;
    this.#reserved = window * (config.chunkSize * config.channels * BYTES_PER_SAMPLE + RECORD_OVERHEAD);
    options.account?.reserve(this.#reserved);
    this.#account = options.account;
    this._counters[Counter.MEMORY_BYTES] = this.#reserved;
    this._gate = Gate.NOT_READY;
    this.ready = this.#open();
    this.ready.catch(() => undefined); // the actor reports it; no unhandled rejection
  }

  async #open(): Promise<void> {
    const publisher = await MediaPublisher.open(this.#options as MediaPublisherOptions);
    if (this._released) {
      await publisher.close();
      return;
    }
    this.#publisher = publisher;
    this.#connected = true;
    void this.#watch(publisher.connection);
    // A producer made again continues the track: its numbering (so its new records are not taken
    // for repeats) and its timeline (the next frame starts where the last record ended).
    const last = await publisher.lastStored(this.track);
    if (last !== null) {
      this.#seq = last.seq + 1;
      const rate = last.format.kind === 'audio' ? last.format.sampleRate : this.config.sampleRate;
      this.#position = Math.round(((last.pts + last.duration) * rate) / 1e9);
    }
  }

  async #watch(nc: NatsConnection): Promise<void> {
    for await (const status of nc.status()) {
      if (status.type === 'disconnect') this.#connected = false;
      else if (status.type === 'reconnect') {
        this.#connected = true;
        this.#reconnects++;
      }
    }
    this.#connected = false;
  }

  /**
   * Publishes interleaved (or planar) frames as records of `chunkSize` frames. Resolves once
   * each is on its way, waiting while the publisher's window is full.
   *
   * @returns frames written.
   * @throws {BufferStateError} when the buffer is not active; {@link AudioDataError} for bad
   *   data; `ERR_NATS_PUBLISH` once a record could not be stored.
   */
  async write(data: AudioData): Promise<number> {
    if (this._gate !== Gate.OPEN) throw this._refused();
    const { channels, sampleRate, chunkSize } = this.config;
    let frames: number;
    try {
      frames = framesOf(data, channels);
    } catch (error) {
      throw this._recordError(error as AudioDataError);
    }
    const samples = data instanceof Float32Array ? data : interleave(data);
    const publisher = this.#publisher!;
    try {
      for (let at = 0; at < frames; at += chunkSize) {
        const n = Math.min(chunkSize, frames - at);
        const chunk: AudioChunk = { data: samples.subarray(at * channels, (at + n) * channels), frames: n, channels, sampleRate, position: this.#position };
        const record = audioRecord(chunk, { track: this.track, seq: this.#seq });
        if (!publisher.trySend(record)) await publisher.publish(record);
        this.#seq++;
        this.#position += n;
      }
    } catch (error) {
      throw this._recordError(error as AvbufError);
    }
    const c = this._counters;
    c[Counter.WRITES]! += 1;
    c[Counter.BYTES_WRITTEN]! += frames * channels * BYTES_PER_SAMPLE;
    return frames;
  }

  /** Waits until JetStream acknowledged everything written. */
  async flush(): Promise<void> {
    if (this._gate === Gate.CLOSED) throw this._refused();
    await this.#publisher?.flush();
  }

  /**
   * The track read back as audio chunks (positions from PTS), through a durable consumer when
   * `durable` is given (resuming where the last reader of that name stopped). Ends when the
   * loop is left or the buffer closes.
   *
   * @throws {BufferStateError} when the buffer is not active; the reader's errors.
   */
  async *chunks(options: JetStreamChunksOptions = {}): AsyncGenerator<AudioChunk, void, undefined> {
    if (this._gate !== Gate.OPEN) throw this._refused();
    const reader = await MediaReader.open({
      ...(options as MediaReaderOptions),
      connection: this.#publisher!.connection,
      stream: this.#options.stream,
      subject: this.#options.subject,
      tracks: [this.track],
    } as MediaReaderOptions);
    this.#readers.add(reader);
    try {
      for await (const record of reader) {
        const rate = record.format.kind === 'audio' ? record.format.sampleRate : 0;
        const chunk = audioChunkOf(record, Math.round((record.pts * rate) / 1e9));
        this._counters[Counter.READS]! += 1;
        this._counters[Counter.BYTES_READ]! += record.data.byteLength;
        yield chunk;
      }
    } finally {
      await reader.close();
      this.#readers.delete(reader);
      this.#closedReaders = addReaders(this.#closedReaders, reader.getMetrics());
    }
  }

  /** Figures; `state` is `active` or `closed` unless an actor says otherwise. */
  getMetrics(state?: BufferState): JetStreamMetrics {
    let readers = this.#closedReaders;
    for (const reader of this.#readers) readers = addReaders(readers, reader.getMetrics());
    return {
      ...this._metrics(BufferType.JETSTREAM, state),
      stream: this.#options.stream,
      subject: this.#options.subject ?? `avbuf.${this.#options.stream}`,
      connected: this.#connected && !this._released,
      reconnects: this.#reconnects,
      publisher: this.#publisher?.getMetrics() ?? null,
      readers,
    };
  }

  /** Closes the readers, waits for the publisher's acknowledgements and closes the connection. Idempotent. */
  async close(): Promise<void> {
    if (!this._markClosed()) return;
    try {
      await Promise.all([...this.#readers].map((reader) => reader.close()));
      await this.ready.catch(() => undefined);
      await this.#publisher?.close();
    } finally {
      this.#account?.release(this.#reserved);
      this._counters[Counter.MEMORY_BYTES] = 0;
      this.#connected = false;
    }
  }
}

function addReaders(a: ReaderMetrics, b: ReaderMetrics): ReaderMetrics {
  const out: Record<keyof ReaderMetrics, number> = { ...a };
  for (const key of Object.keys(out) as (keyof ReaderMetrics)[]) out[key] += b[key];
  return out;
}
