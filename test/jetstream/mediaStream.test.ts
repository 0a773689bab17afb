/**
 * avbuf/jetstream against a real `nats-server` (started per file on loopback, temporary store):
 * publishing with a bounded window and message ids, reading back through durable consumers in
 * order and without repeats, resuming exactly where a reader stopped, replay from a sequence,
 * a PTS or a time, retention by bytes, typed errors for a missing server, a missing stream, a
 * message that is not a record, and bad options.
 */
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isAvbufError } from '../../src/core/errors.js';
import { connectNats } from '../../src/jetstream/connection.js';
import { retentionFor } from '../../src/jetstream/mediaStream.js';
import { MediaPublisher } from '../../src/jetstream/publisher.js';
import { MediaReader, type MediaReaderOptions, type ReceivedRecord } from '../../src/jetstream/reader.js';
import { audioChunkOf, audioRecord, type MediaRecord } from '../../src/jetstream/record.js';
import { sampleCounter } from '../../src/testing/continuity.js';
import { startNatsServer, type NatsServer } from '../../src/testing/nats/index.js';
import { _natsServerBinary } from '../../src/testing/nats/natsServer.js';
import { requireProgram } from '../helpers/program.js';

const HAS_NATS = requireProgram(_natsServerBinary(), 'nats-server');
const CHUNK = 480;

/** Record `seq` of a 48 kHz stereo stream of 10 ms chunks whose first sample is `seq` (so content is checkable). */
function chunkRecord(seq: number, track = 'audio'): MediaRecord {
  const data = new Float32Array(CHUNK * 2);
  data[0] = seq;
  return audioRecord({ data, frames: CHUNK, channels: 2, sampleRate: 48_000, position: seq * CHUNK }, { seq, track });
}

async function publishAll(publisher: MediaPublisher, from: number, to: number, track = 'audio'): Promise<void> {
  for (let seq = from; seq < to; seq++) await publisher.publish(chunkRecord(seq, track));
  await publisher.flush();
}

/** Reads `count` records (or until `idleMs` passes without one), then leaves the loop. */
async function take(reader: MediaReader, count: number, idleMs = 1500): Promise<ReceivedRecord[]> {
  const out: ReceivedRecord[] = [];
  if (count === 0) return out;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const arm = (): void => {
    clearTimeout(timer);
    timer = setTimeout(() => void reader.close(), idleMs);
  };
  arm();
  for await (const record of reader) {
    out.push(record);
    arm();
    if (out.length === count) break;
  }
  clearTimeout(timer);
  return out;
}

describe.skipIf(!HAS_NATS)('media streams on JetStream', () => {
  let server: NatsServer;
  let nc: NatsConnection;
  let streamNo = 0;
  /** A fresh stream name per test. */
  const fresh = (): string => `media${++streamNo}`;

  beforeAll(async () => {
    server = await startNatsServer();
    nc = await connect({ servers: server.url });
  });
  afterAll(async () => {
    await nc?.close();
    await server?.stop();
  });

  const reader = (stream: string, options: Partial<MediaReaderOptions> = {}): Promise<MediaReader> =>
    MediaReader.open({ servers: server.url, stream, ...options } as MediaReaderOptions);

  it('publishes with at most maxInFlight unacknowledged and reads everything back in order, samples intact', async () => {
    const stream = fresh();
    const publisher = await MediaPublisher.open({ servers: server.url, stream, maxInFlight: 4 });
    await publishAll(publisher, 0, 500);
    const metrics = publisher.getMetrics();
    expect(metrics).toMatchObject({ published: 500, acked: 500, duplicates: 0, inFlight: 0, peakInFlight: 4 });
    await publisher.close();

    const counter = sampleCounter({ start: 0 });
    const records = await take(await reader(stream, { durable: 'all' }), 500);
    expect(records.map((r) => r.seq)).toEqual([...Array(500).keys()]);
    expect(records.map((r) => r.streamSeq)).toEqual(records.map((_, i) => i + 1));
    for (const record of records) {
      const chunk = audioChunkOf(record, record.seq * CHUNK);
      expect(chunk.data[0]).toBe(record.seq);
      counter.add(chunk);
    }
    expect(counter.report()).toMatchObject({ count: 500, frames: 500 * CHUNK, gaps: [], overlaps: [] });
    expect((await (await jetstreamManager(nc)).streams.info(stream)).state.messages).toBe(500);
  });

  it('a producer restarted with the same ids stores nothing twice; lastStoredSeq lets a live one continue', async () => {
    const stream = fresh();
    const first = await MediaPublisher.open({ servers: server.url, stream, producer: 'cam1' });
    await publishAll(first, 0, 120);
    await first.close();
    const again = await MediaPublisher.open({ servers: server.url, stream, producer: 'cam1' });
    await publishAll(again, 60, 150); // 60 repeats, then 30 new
    expect(again.getMetrics()).toMatchObject({ acked: 90, duplicates: 60 });
    expect(await again.lastStoredSeq('audio')).toBe(149);
    expect(await again.lastStoredSeq('video')).toBe(-1);
    await again.close();
    expect((await (await jetstreamManager(nc)).streams.info(stream)).state.messages).toBe(150);
  });

  it('a reader drops records repeated under other ids and passes on the held ones in seq order', async () => {
    const stream = fresh();
    const a = await MediaPublisher.open({ servers: server.url, stream, producer: 'a', maxInFlight: 1 });
    const b = await MediaPublisher.open({ servers: server.url, stream, producer: 'b', maxInFlight: 1 });
    // Stored as 0 1 3 2 (out of order), then 1 2 again under another producer's ids, then 4.
    for (const seq of [0, 1, 3, 2]) await a.publish(chunkRecord(seq));
    await a.flush();
    for (const seq of [1, 2]) await b.publish(chunkRecord(seq));
    await b.flush();
    await a.publish(chunkRecord(4));
    await a.close();
    await b.close();
    const r = await reader(stream);
    const records = await take(r, 5);
    expect(records.map((x) => x.seq)).toEqual([0, 1, 2, 3, 4]);
    expect(r.getMetrics()).toMatchObject({ received: 7, delivered: 5, duplicates: 2, gaps: 0, lost: 0 });
  });

  it('a record missing for gapTimeoutMs is counted lost and the held ones go on', async () => {
    const stream = fresh();
    const publisher = await MediaPublisher.open({ servers: server.url, stream });
    for (const seq of [0, 1, 3, 4]) await publisher.publish(chunkRecord(seq));
    await publisher.close();
    const r = await reader(stream, { gapTimeoutMs: 200 });
    const records = await take(r, 4);
    expect(records.map((x) => x.seq)).toEqual([0, 1, 3, 4]);
    expect(r.getMetrics()).toMatchObject({ gaps: 1, lost: 1, held: 0 });
  });

  it('a durable resumes exactly where the last reader stopped, without waiting for redelivery', async () => {
    const stream = fresh();
    const publisher = await MediaPublisher.open({ servers: server.url, stream });
    await publishAll(publisher, 0, 500);
    await publisher.close();
    // ackWaitMs of a minute: were the durable not moved back to its ack floor, the records the
    // first reader pulled but never passed on would come only after it, and this test time out.
    const options = { durable: 'player', ackWaitMs: 60_000, batch: 64 };
    const first = await take(await reader(stream, options), 200);
    const second = await take(await reader(stream, options), 300);
    expect([...first, ...second].map((x) => x.seq)).toEqual([...Array(500).keys()]);
    const info = await (await jetstreamManager(nc)).consumers.info(stream, 'player');
    expect(info.ack_floor.stream_seq).toBe(500);
    // An app that kept its own place (what its sink wrote) skips what it has.
    const resumed = await take(await reader(stream, { resume: { audio: 449 } }), 50);
    expect(resumed.map((x) => x.seq)).toEqual([...Array(50).keys()].map((i) => 450 + i));
  });

  it('replays from a stream sequence, a PTS and a wall-clock time', async () => {
    const stream = fresh();
    const publisher = await MediaPublisher.open({ servers: server.url, stream });
    await publishAll(publisher, 0, 100);
    await publishAll(publisher, 0, 100, 'video'); // a second track, stored after the audio
    await new Promise((resolve) => setTimeout(resolve, 50));
    const between = new Date();
    await new Promise((resolve) => setTimeout(resolve, 50));
    await publishAll(publisher, 100, 150);
    await publisher.close();

    const fromSeq = await take(await reader(stream, { start: { seq: 101 } }), 150);
    expect(fromSeq[0]).toMatchObject({ streamSeq: 101, track: 'video', seq: 0 });
    // PTS 0.5 s + 3 ms lies in chunk 50 of each track: both start there.
    const fromPts = await take(await reader(stream, { start: { pts: 503_000_000 } }), 150);
    const firstOf = (track: string, list: ReceivedRecord[]): number | undefined => list.find((x) => x.track === track)?.seq;
    expect([firstOf('audio', fromPts), firstOf('video', fromPts)]).toEqual([50, 50]);
    expect(fromPts.filter((x) => x.track === 'audio').map((x) => x.seq)).toEqual([...Array(100).keys()].map((i) => 50 + i));
    const fromTime = await take(await reader(stream, { start: { time: between } }), 50);
    expect(fromTime.map((x) => x.seq)).toEqual([...Array(50).keys()].map((i) => 100 + i));
    expect(fromTime.every((x) => x.storedAt >= between.getTime() - 1)).toBe(true);
    // One track only.
    const videoOnly = await take(await reader(stream, { tracks: ['video'] }), 100);
    expect(videoOnly.every((x) => x.track === 'video') && videoOnly.length === 100).toBe(true);
  });

  it('keeps the stream within its byte limit, dropping the oldest records', async () => {
    const stream = fresh();
    const publisher = await MediaPublisher.open({ servers: server.url, stream, maxBytes: 64 * 1024 });
    await publishAll(publisher, 0, 200); // ≈ 780 KB of records
    await publisher.close();
    const { state } = await (await jetstreamManager(nc)).streams.info(stream);
    expect(state.bytes).toBeLessThanOrEqual(64 * 1024);
    expect(state.first_seq).toBeGreaterThan(150);
    expect(state.last_seq).toBe(200);
    const r = await reader(stream);
    const records = await take(r, 200, 800);
    expect(records.at(-1)?.seq).toBe(199);
    expect(records[0]!.seq).toBe(state.first_seq - 1);
    expect(retentionFor({ delaySeconds: 7, bytesPerSecond: 384_000 })).toEqual({ maxAgeMs: 9000, maxBytes: 4_320_000 });
    expect(retentionFor({ delaySeconds: 60, marginSeconds: 5, bytesPerSecond: 1000 })).toEqual({ maxAgeMs: 65_000, maxBytes: 81_250 });
  });

  it('records the limits removed are skipped at once and counted lost, not waited for', async () => {
    const stream = fresh();
    const publisher = await MediaPublisher.open({ servers: server.url, stream, maxBytes: 64 * 1024 });
    await publishAll(publisher, 0, 200);
    await publisher.close();
    // The app holds up to seq 2; 3… were removed by the byte limit. A minute's gap timeout: were
    // the removal not seen, this would wait for it (and time out).
    const r = await reader(stream, { resume: { audio: 2 }, gapTimeoutMs: 60_000 });
    const records = await take(r, 5);
    const { state } = await (await jetstreamManager(nc)).streams.info(stream);
    expect(records.map((x) => x.seq)).toEqual([...Array(5).keys()].map((i) => state.first_seq - 1 + i));
    expect(r.getMetrics()).toMatchObject({ gaps: 1, lost: state.first_seq - 1 - 3 });
  });

  it('a message that is not a record is skipped and counted, or fails the read with ERR_MEDIA_RECORD', async () => {
    const stream = fresh();
    const publisher = await MediaPublisher.open({ servers: server.url, stream });
    await publishAll(publisher, 0, 2);
    await jetstream(nc).publish(`avbuf.${stream}.audio`, new TextEncoder().encode('not msgpack of a record'));
    await publishAll(publisher, 2, 4);
    await publisher.close();
    const skipping = await reader(stream);
    expect((await take(skipping, 4)).map((x) => x.seq)).toEqual([0, 1, 2, 3]);
    expect(skipping.getMetrics().corrupt).toBe(1);
    const failing = await reader(stream, { onCorrupt: 'fail' });
    const seen: number[] = [];
    await expect(
      (async () => {
        for await (const record of failing) seen.push(record.seq);
      })(),
    ).rejects.toMatchObject({ code: 'ERR_MEDIA_RECORD' });
    expect(seen).toEqual([0, 1]);
  });

  it('no server at start: retries with growing backoff, then ERR_NATS_UNAVAILABLE; connects once the server is back', async () => {
    const gone = await startNatsServer();
    await gone.kill();
    const waits: number[] = [];
    const error = await connectNats({ servers: gone.url, connectTimeoutMs: 1500, backoffMs: 50, maxBackoffMs: 400, onRetry: (_e, _n, wait) => waits.push(wait) }).catch((e: unknown) => e);
    expect(isAvbufError(error, 'ERR_NATS_UNAVAILABLE')).toBe(true);
    expect(waits.length).toBeGreaterThanOrEqual(3);
    expect(waits[2]!).toBeGreaterThan(waits[0]!);
    expect(Math.max(...waits)).toBeLessThanOrEqual(400 * 1.2);
    const connecting = connectNats({ servers: gone.url, backoffMs: 50, maxBackoffMs: 200 });
    await new Promise((resolve) => setTimeout(resolve, 300));
    await gone.restart();
    const connection = await connecting;
    expect(connection.isClosed()).toBe(false);
    await connection.close();
    await gone.stop();
  });

  it('refuses bad options before connecting, and a reader of a stream that does not exist with ERR_NATS_STREAM', async () => {
    const bad: [string, Record<string, unknown>][] = [
      ['servers', { servers: [], stream: 'ok' }],
      ['servers', { servers: 'http://x', stream: 'ok' }],
      ['stream', { servers: server.url, stream: 'a.b' }],
      ['maxInFlight', { servers: server.url, stream: 'ok', maxInFlight: 0 }],
      ['replicas', { servers: server.url, stream: 'ok', replicas: 0 }],
      ['duplicateWindowMs', { servers: server.url, stream: 'ok', maxAgeMs: 1000, duplicateWindowMs: 2000 }],
    ];
    for (const [field, options] of bad) {
      const error = await MediaPublisher.open(options as never).catch((e: unknown) => e);
      expect(isAvbufError(error, 'ERR_INVALID_CONFIG'), field).toBe(true);
      expect((error as Error).message).toContain(field);
    }
    const badReader = await MediaReader.open({ servers: server.url, stream: 'ok', start: { seq: 0 } }).catch((e: unknown) => e);
    expect(isAvbufError(badReader, 'ERR_INVALID_CONFIG')).toBe(true);
    const missing = await MediaReader.open({ servers: server.url, stream: 'nothere' }).catch((e: unknown) => e);
    expect(isAvbufError(missing, 'ERR_NATS_STREAM')).toBe(true);
    const publisher = await MediaPublisher.open({ servers: server.url, stream: fresh() });
    await expect(publisher.publish({ ...chunkRecord(0), seq: -1 })).rejects.toMatchObject({ code: 'ERR_INVALID_ARGUMENT' });
    expect(publisher.getMetrics().published).toBe(0);
    await publisher.close();
    await expect(publisher.publish(chunkRecord(0))).rejects.toMatchObject({ code: 'ERR_BUFFER_CLOSED' });
  });
});
