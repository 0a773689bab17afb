/**
 * The delay line across processes: capture in one (appsinks → JetStream), play out in another
 * (JetStream → appsrcs) `delay` seconds later, on the capture pipeline's own clock.
 *
 * - **Clock.** The capture pipeline serves its clock with a `GstNetTimeProvider`; it publishes
 *   the provider's address and port and its base time as a `clock` record. The player follows
 *   that clock with a `GstNetClientClock` and sets its pipeline's base time to the capture's
 *   base time + delay, so a frame stamped with running time `pts` renders when the capture
 *   clock reads `base + pts + delay`: the same exactness as the local line's shared clock.
 * - **Bytes.** node-gtk copies a buffer's bytes into a JS Array (≈ 120 ns a byte: 12 ms for a
 *   720p JPEG), so the capture side never reads bytes through it: each track is teed to a
 *   `tcpclientsink` on loopback, which this process reads as native Buffers, and to an appsink
 *   that gives each buffer's PTS, duration and size; the two are paired in order. Playing out,
 *   `Gst.Buffer.newWrapped` takes a Buffer in ≈ 0.06 ms.
 * - **Video** goes as JPEG (`jpegenc`, intra-only): any frame can start a replay, a lost frame
 *   damages only itself, and a 720p frame (≈ 80–150 KB) fits a JetStream message.
 */
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import type { Subscription } from 'rxjs';
import { ErrorCode, GstError } from '../core/errors.js';
import { checkNumber, checkString } from '../core/validate.js';
import { connectNats, type ConnectNatsOptions } from '../jetstream/connection.js';
import { retentionFor, trackSubject, resolveMediaStream } from '../jetstream/mediaStream.js';
import { MediaPublisher } from '../jetstream/publisher.js';
import { MediaReader } from '../jetstream/reader.js';
import { decodeRecord, type ClockRecordFormat, type MediaRecord, type RecordFormat } from '../jetstream/record.js';
import { fromAppSink } from './appSink.js';
import { APPSRC_PROPERTIES } from './appSrc.js';
import type { GstAppSink, GstAppSrc, GstPipeline } from './binding.js';
import { loadGst, loadGstNet, requireElements } from './loader.js';
import { parsePipeline, setPipelineState, stopPipeline } from './pipeline.js';
import { RenderProbe, type ProbeSummary } from './probe.js';

/** Options of {@link startPublishLine}. */
export interface PublishLineOptions {
  /** NATS server URLs. */
  readonly servers: ConnectNatsOptions['servers'];
  /** The JetStream stream. Default `delay`. */
  readonly stream?: string;
  /** Test source picture (default 1280×720 at 30 fps). */
  readonly width?: number;
  readonly height?: number;
  readonly framerate?: number;
  /** Audio rate (default 48000) and chunks per second (default 100). */
  readonly sampleRate?: number;
  readonly audioChunksPerSec?: number;
  /** Include audio. Default true. */
  readonly audio?: boolean;
  /** JPEG quality, 1–100. Default 85. */
  readonly quality?: number;
  /** The longest delay a player will use, s: the stream keeps that much history and a margin. Default 7. */
  readonly delaySeconds?: number;
  /** Address the clock is served on (the players must reach it). Default 127.0.0.1. */
  readonly clockAddress?: string;
}

/** A running capture half; see {@link startPublishLine}. */
export interface PublishedLine {
  readonly stream: string;
  /** Where the capture clock is served, and the capture pipeline's base time. */
  readonly clock: { readonly address: string; readonly port: number; readonly baseTime: bigint };
  readonly publisher: MediaPublisher;
  /** Records published per track. */
  counts(): { video: number; audio: number };
  /** Stops capturing, waits for every acknowledgement, closes the connection. Idempotent. */
  stop(): Promise<void>;
}

/** Options of {@link startPlayLine}. */
export interface PlayLineOptions {
  readonly servers: ConnectNatsOptions['servers'];
  /** The JetStream stream. Default `delay`. */
  readonly stream?: string;
  /** Seconds between capture and playout. Default 7. */
  readonly delay?: number;
  /** How long to wait for the capture clock, ms. Default 5000. */
  readonly syncTimeoutMs?: number;
}

/** A running playout half; see {@link startPlayLine}. */
export interface PlayedLine {
  /** Measured delay (ms) at the video and audio sinks against the capture clock, and their skew (audio − video median). */
  measured(): { video: ProbeSummary | undefined; audio: ProbeSummary | undefined; skewMs: number | undefined };
  /** Records pushed per track. */
  counts(): { video: number; audio: number };
  stop(): Promise<void>;
}

const QUEUE = 'queue max-size-time=2000000000 max-size-buffers=0 max-size-bytes=0';
const POSITIVE_INTEGER = { min: 1, integer: true } as const;
/** How often the capture half publishes its clock record again, ms. */
const CLOCK_RECORD_EVERY_MS = 1000;
/** How long before its render time the player pushes a record, ns. */
const PUSH_LEAD_NS = 1_000_000_000;
/** How far ahead of its render time the player starts reading, ns. */
const START_AHEAD_NS = 300_000_000;

/** A loopback TCP server for one `tcpclientsink`: the bytes it sends, taken in order. */
class ByteTap {
  readonly #server: Server;
  readonly #chunks: Buffer[] = [];
  #length = 0;
  #socket: Socket | undefined;
  onData: () => void = () => undefined;

  private constructor(server: Server) {
    this.#server = server;
    server.on('connection', (socket) => {
      this.#socket = socket;
      socket.on('data', (chunk: Buffer) => {
        this.#chunks.push(chunk);
        this.#length += chunk.length;
        this.onData();
      });
      socket.on('error', () => undefined); // the pipeline closing it
    });
  }

  static async open(): Promise<ByteTap> {
    const server = createServer();
    await new Promise<void>((resolve, reject) => server.once('error', reject).listen(0, '127.0.0.1', resolve));
    return new ByteTap(server);
  }

  get port(): number {
    return (this.#server.address() as AddressInfo).port;
  }

  /** The next `n` bytes, or undefined until they have all come. */
  take(n: number): Buffer | undefined {
    if (this.#length < n) return undefined;
    this.#length -= n;
    const first = this.#chunks[0]!;
    if (first.length >= n) {
      const out = first.subarray(0, n);
      if (first.length === n) this.#chunks.shift();
      else this.#chunks[0] = first.subarray(n);
      return out;
    }
    const out = Buffer.allocUnsafe(n);
    let at = 0;
    while (at < n) {
      const chunk = this.#chunks[0]!;
      const part = Math.min(chunk.length, n - at);
      chunk.copy(out, at, 0, part);
      at += part;
      if (part === chunk.length) this.#chunks.shift();
      else this.#chunks[0] = chunk.subarray(part);
    }
    return out;
  }

  close(): void {
    this.#socket?.destroy();
    this.#server.close();
  }
}

/**
 * Starts the capture half: live test sources (a moving ball with the running time drawn on it,
 * and a 440 Hz tone), JPEG video and f32 audio, published to `stream` with the capture clock.
 *
 * @throws {GstError} `ERR_GST_UNAVAILABLE` for a missing element; {@link JetStreamError} as
 *   {@link MediaPublisher.open}.
 */
export async function startPublishLine(options: PublishLineOptions): Promise<PublishedLine> {
  const width = checkNumber('width', options.width ?? 1280, POSITIVE_INTEGER);
  const height = checkNumber('height', options.height ?? 720, POSITIVE_INTEGER);
  const framerate = checkNumber('framerate', options.framerate ?? 30, POSITIVE_INTEGER);
  const sampleRate = checkNumber('sampleRate', options.sampleRate ?? 48_000, POSITIVE_INTEGER);
  const chunksPerSec = checkNumber('audioChunksPerSec', options.audioChunksPerSec ?? 100, POSITIVE_INTEGER);
  const quality = checkNumber('quality', options.quality ?? 85, { min: 1, max: 100, integer: true });
  const delaySeconds = checkNumber('delaySeconds', options.delaySeconds ?? 7, { min: 0 });
  const clockAddress = checkString('clockAddress', options.clockAddress ?? '127.0.0.1');
  const withAudio = options.audio ?? true;
  const spec = resolveMediaStream({ stream: options.stream ?? 'delay' });
  requireElements(['videotestsrc', 'audiotestsrc', 'timeoverlay', 'jpegenc', 'tee', 'queue', 'tcpclientsink', 'appsink']);
  const { Gst } = loadGst();
  const GstNet = loadGstNet();

  const channels = 2;
  const videoFormat: RecordFormat = { kind: 'video', codec: 'jpeg', width, height, fps: [framerate, 1] };
  const audioFormat: RecordFormat = { kind: 'audio', encoding: 'f32le', sampleRate, channels };
  const bytesPerSecond = width * height * framerate * 0.25 + sampleRate * channels * 4;
  const publisher = await MediaPublisher.open({
    servers: options.servers,
    stream: spec.stream,
    ...retentionFor({ delaySeconds, bytesPerSecond }),
    duplicateWindowMs: Math.min(120_000, Math.ceil((delaySeconds + 2) * 1000)),
  });
  const taps = { video: await ByteTap.open(), audio: withAudio ? await ByteTap.open() : undefined };
  const appsink = (name: string): string => `appsink name=${name} sync=false emit-signals=false max-buffers=0 drop=false enable-last-sample=false`;
  const description =
    `videotestsrc is-live=true pattern=ball ! video/x-raw,format=I420,width=${width},height=${height},framerate=${framerate}/1 ` +
    `! timeoverlay halignment=center valignment=center font-desc="Sans 36" ! jpegenc quality=${quality} ! tee name=vt ` +
    `vt. ! ${QUEUE} ! tcpclientsink host=127.0.0.1 port=${taps.video.port} sync=false vt. ! ${QUEUE} ! ${appsink('video')}` +
    (taps.audio
      ? ` audiotestsrc is-live=true wave=sine freq=440 volume=0.3 samplesperbuffer=${sampleRate / chunksPerSec} ` +
        `! audio/x-raw,format=F32LE,rate=${sampleRate},channels=${channels},layout=interleaved ! tee name=at ` +
        `at. ! ${QUEUE} ! tcpclientsink host=127.0.0.1 port=${taps.audio.port} sync=false at. ! ${QUEUE} ! ${appsink('audio')}`
      : '');
  const pipeline = parsePipeline(description);
  setPipelineState(pipeline, 'PLAYING');
  pipeline.getState(5n * Gst.SECOND);
  const clock = pipeline.getClock();
  if (clock === null) throw new GstError(ErrorCode.GST_STATE, 'the capture pipeline has no clock after starting');
  const baseTime = pipeline.getBaseTime();
  const provider = GstNet.NetTimeProvider.new(clock, clockAddress, 0);
  const clockFormat: ClockRecordFormat = { kind: 'clock', address: clockAddress, port: provider.port, baseTime: baseTime.toString() };
  const seqs = { video: (await publisher.lastStoredSeq('video')) + 1, audio: (await publisher.lastStoredSeq('audio')) + 1 };
  const counts = { video: 0, audio: 0 };
  // The clock record again every second: the stream keeps only `delay + margin` of history,
  // and a player started later must still find it.
  let clockSeq = (await publisher.lastStoredSeq('clock')) + 1;
  const clockRecord = (): MediaRecord => {
    const pts = Number(clock.getTime() - baseTime);
    return { track: 'clock', seq: clockSeq++, pts, duration: 0, format: clockFormat, key: true, data: new Uint8Array(0) };
  };
  await publisher.publish(clockRecord());

  // Records wait here, in order, while the publisher's window is full.
  const waiting: MediaRecord[] = [];
  let sending = false;
  const send = (record: MediaRecord): void => {
    if (waiting.length === 0 && !sending && publisher.trySend(record)) return;
    waiting.push(record);
    if (sending) return;
    sending = true;
    void (async () => {
      try {
        for (let next = waiting.shift(); next !== undefined; next = waiting.shift()) await publisher.publish(next);
      } catch {
        // the publisher failed: its failure is reported by stop()
      } finally {
        sending = false;
      }
    })();
  };

  const clockTimer = setInterval(() => send(clockRecord()), CLOCK_RECORD_EVERY_MS);
  const subscriptions: Subscription[] = [];
  for (const track of ['video', 'audio'] as const) {
    const tap = taps[track];
    if (tap === undefined) continue;
    const sink = pipeline.getByName(track) as GstAppSink;
    const metas: { pts: number; duration: number; size: number }[] = [];
    const format = track === 'video' ? videoFormat : audioFormat;
    const drain = (): void => {
      for (let meta = metas[0]; meta !== undefined; meta = metas[0]) {
        const data = tap.take(meta.size);
        if (data === undefined) return;
        metas.shift();
        counts[track]++;
        send({ track, seq: seqs[track]++, pts: meta.pts, duration: meta.duration, format, key: true, data });
      }
    };
    tap.onData = drain;
    subscriptions.push(
      fromAppSink(sink, { pollIntervalMs: 5 }).subscribe((held) => {
        metas.push({ pts: held.pts, duration: held.duration, size: held.size });
        held.release();
        drain();
      }),
    );
  }

  let stopping: Promise<void> | undefined;
  return {
    stream: spec.stream,
    clock: { address: clockAddress, port: provider.port, baseTime },
    publisher,
    counts: () => ({ ...counts }),
    stop() {
      stopping ??= (async () => {
        clearInterval(clockTimer);
        await stopPipeline(pipeline);
        for (const s of subscriptions) s.unsubscribe();
        taps.video.close();
        taps.audio?.close();
        while (sending || waiting.length > 0) await new Promise((resolve) => setTimeout(resolve, 10));
        await publisher.close();
      })();
      return stopping;
    },
  };
}

/**
 * Starts the playout half: follows the capture clock named by the stream's last `clock`
 * record, and plays the video and audio records `delay` seconds after they were captured,
 * measuring each buffer's render time at the sinks.
 *
 * @throws {GstError} `ERR_GST_STATE` when the stream has no clock record or the clock does
 *   not sync within `syncTimeoutMs`; `ERR_GST_UNAVAILABLE` for a missing element.
 */
export async function startPlayLine(options: PlayLineOptions): Promise<PlayedLine> {
  const delay = checkNumber('delay', options.delay ?? 7, { min: 0 });
  const syncTimeoutMs = checkNumber('syncTimeoutMs', options.syncTimeoutMs ?? 5000, { min: 1 });
  const spec = resolveMediaStream({ stream: options.stream ?? 'delay' });
  requireElements(['appsrc', 'jpegdec', 'queue', 'identity', 'fakesink']);
  const { Gst } = loadGst();
  const GstNet = loadGstNet();
  const nc = await connectNats({ servers: options.servers });
  const { jetstreamManager } = await import('@nats-io/jetstream');
  const jsm = await jetstreamManager(nc);
  const last = async (track: string): Promise<MediaRecord | undefined> => {
    const message = await jsm.streams.getMessage(spec.stream, { last_by_subj: trackSubject(spec, track) }).catch(() => null);
    return message === null ? undefined : decodeRecord(message.data);
  };
  const clockRecord = await last('clock');
  if (clockRecord?.format.kind !== 'clock') {
    await nc.close();
    throw new GstError(ErrorCode.GST_STATE, `stream ${spec.stream} holds no clock record: is its capture half running (avbuf delay --publish)?`);
  }
  const clockFormat = clockRecord.format;
  const captureBase = BigInt(clockFormat.baseTime);
  const netClock = GstNet.NetClientClock.new('avbuf-play', clockFormat.address, clockFormat.port, 0n);
  if (!netClock.waitForSync(BigInt(syncTimeoutMs) * 1_000_000n)) {
    await nc.close();
    throw new GstError(ErrorCode.GST_STATE, `the capture clock at ${clockFormat.address}:${clockFormat.port} did not sync within ${syncTimeoutMs} ms`);
  }
  const video = (await last('video'))?.format;
  const audio = (await last('audio'))?.format;
  if (video?.kind !== 'video') {
    await nc.close();
    throw new GstError(ErrorCode.GST_STATE, `stream ${spec.stream} holds no video record yet`);
  }
  const appsrc = (name: string, caps: string): string => `appsrc name=${name} is-live=true ${APPSRC_PROPERTIES} caps="${caps}"`;
  const probe = (name: string): string => `identity sync=true ! identity name=${name} signal-handoffs=false ! fakesink sync=false`;
  const description =
    `${appsrc('video', `image/jpeg,width=${video.width},height=${video.height},framerate=${video.fps[0]}/${video.fps[1]}`)} ! jpegdec ! ${QUEUE} ! ${probe('vprobe')}` +
    (audio?.kind === 'audio'
      ? ` ${appsrc('audio', `audio/x-raw,format=F32LE,rate=${audio.sampleRate},channels=${audio.channels},layout=interleaved`)} ! ${QUEUE} ! ${probe('aprobe')}`
      : '');
  const pipeline: GstPipeline = parsePipeline(description);
  const delayNs = BigInt(Math.round(delay * 1e9));
  pipeline.useClock(netClock);
  pipeline.setStartTime(Gst.CLOCK_TIME_NONE);
  pipeline.setBaseTime(captureBase + delayNs);
  const videoProbe = new RenderProbe(pipeline.getByName('vprobe')!);
  const audioProbeElement = pipeline.getByName('aprobe');
  const audioProbe = audioProbeElement ? new RenderProbe(audioProbeElement) : undefined;
  videoProbe.attach(netClock, captureBase);
  audioProbe?.attach(netClock, captureBase);
  setPipelineState(pipeline, 'PLAYING');

  const sources = { video: pipeline.getByName('video') as GstAppSrc, audio: pipeline.getByName('audio') as GstAppSrc | null };
  const now = Number(netClock.getTime() - captureBase);
  const reader = await MediaReader.open({
    connection: nc,
    stream: spec.stream,
    tracks: sources.audio ? ['video', 'audio'] : ['video'],
    start: { pts: Math.max(0, now - Number(delayNs) + START_AHEAD_NS) },
  });
  const counts = { video: 0, audio: 0 };
  // The wait before a push, cut short when the line stops (a long delay means a long wait).
  const pause = new AbortController();
  const reading = (async () => {
    for await (const record of reader) {
      // Pushed a second before it is due: the window stays in the stream (on the servers), not
      // in this process, however long the delay.
      const wait = (record.pts - PUSH_LEAD_NS + Number(captureBase + delayNs - netClock.getTime())) / 1e6;
      if (wait > 1) {
        await new Promise<void>((resolve) => {
          const abort = (): void => (clearTimeout(timer), resolve());
          const timer = setTimeout(() => (pause.signal.removeEventListener('abort', abort), resolve()), wait);
          pause.signal.addEventListener('abort', abort, { once: true });
        });
      }
      if (pause.signal.aborted) break;
      const track = record.track === 'audio' ? 'audio' : 'video';
      const src = sources[track];
      if (src === null) continue;
      const buffer = Gst.Buffer.newWrapped(record.data);
      buffer.pts = BigInt(record.pts);
      buffer.duration = BigInt(record.duration);
      if (src.pushBuffer(buffer) === 0) counts[track]++;
    }
  })();

  let stopping: Promise<void> | undefined;
  return {
    measured() {
      const v = videoProbe.summary();
      const a = audioProbe?.summary();
      return { video: v, audio: a, skewMs: v && a ? a.median - v.median : undefined };
    },
    counts: () => ({ ...counts }),
    stop() {
      stopping ??= (async () => {
        // The probes' handoff handlers run on this thread while a streaming thread waits for
        // them: take them off and let those already queued run before the state change, which
        // waits for the streaming threads (as the local line's shutdown does).
        videoProbe.detach();
        audioProbe?.detach();
        await new Promise((resolve) => setTimeout(resolve, 50));
        pause.abort();
        await reader.close();
        await reading.catch(() => undefined);
        await stopPipeline(pipeline);
        await nc.close();
      })();
      return stopping;
    },
  };
}
