/**
 * The JetStream edges against a real `nats-server`: audio chunks → toMediaRecords →
 * intoJetStream, read back with fromJetStream → toAudioChunks bit-exact and continuous; an
 * unsubscribed source leaves its durable where it stopped; Node streams (jetStreamWritable
 * under `pipeline`, with the publisher's window bounding what is in flight, and
 * jetStreamReadable, destroyed mid-stream and resumed); errors arrive typed.
 */
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { firstValueFrom, from, lastValueFrom, map, take, toArray } from 'rxjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AudioChunk } from '../../src/core/chunk.js';
import { jetStreamReadable } from '../../src/edges/node/jetStreamReadable.js';
import { jetStreamWritable } from '../../src/edges/node/jetStreamWritable.js';
import { fromJetStream } from '../../src/edges/rx/fromJetStream.js';
import { intoJetStream } from '../../src/edges/rx/intoJetStream.js';
import { toAudioChunks, toMediaRecords } from '../../src/edges/rx/mediaRecords.js';
import { MediaPublisher } from '../../src/jetstream/publisher.js';
import type { ReceivedRecord } from '../../src/jetstream/reader.js';
import { audioRecord, type MediaRecord } from '../../src/jetstream/record.js';
import { sampleCounter, sineChunks } from '../../src/testing/index.js';
import { startNatsServer, type NatsServer } from '../../src/testing/nats/index.js';
import { _natsServerBinary } from '../../src/testing/nats/natsServer.js';
import { requireProgram } from '../helpers/program.js';

const HAS_NATS = requireProgram(_natsServerBinary(), 'nats-server');

function record(seq: number): MediaRecord {
  const data = new Float32Array(96).fill(seq);
  return audioRecord({ data, frames: 48, channels: 2, sampleRate: 48_000, position: seq * 48 }, { seq });
}

describe.skipIf(!HAS_NATS)('JetStream as RxJS and Node streams', () => {
  let server: NatsServer;
  let n = 0;
  const fresh = (): string => `shape${++n}`;
  beforeAll(async () => {
    server = await startNatsServer();
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('RxJS: a sine through intoJetStream and back through fromJetStream is bit-exact and continuous', async () => {
    const stream = fresh();
    const chunks = sineChunks({ count: 300, frames: 480, channels: 2, sampleRate: 48_000, frequency: 997 });
    const publisher = await MediaPublisher.open({ servers: server.url, stream, maxInFlight: 8 });
    const sent = await lastValueFrom(from(chunks).pipe(toMediaRecords(), intoJetStream(publisher, { closePublisher: true }), toArray()));
    expect(sent.map((s) => s.seq)).toEqual([...Array(300).keys()]);
    expect(publisher.getMetrics()).toMatchObject({ acked: 300, inFlight: 0 });
    expect(publisher.getMetrics().peakInFlight).toBeLessThanOrEqual(8);

    const counter = sampleCounter({ start: 0 });
    const back = await lastValueFrom(
      fromJetStream({ servers: server.url, stream, durable: 'rx' }).pipe(take(300), toAudioChunks(), map((c) => (counter.add(c), c)), toArray()),
    );
    expect(counter.report()).toMatchObject({ count: 300, frames: 300 * 480, gaps: [], overlaps: [] });
    back.forEach((chunk: AudioChunk, i) => expect(chunk.data).toEqual(chunks[i]!.data.subarray(0, 960)));
  });

  it('RxJS: unsubscribing closes the reader and the durable resumes after the last record the subscriber saw', async () => {
    const stream = fresh();
    const publisher = await MediaPublisher.open({ servers: server.url, stream });
    for (let seq = 0; seq < 100; seq++) await publisher.publish(record(seq));
    await publisher.close();
    const options = { servers: server.url, stream, durable: 'resume' };
    const first = await lastValueFrom(fromJetStream(options).pipe(take(30), toArray()));
    const rest = await lastValueFrom(fromJetStream(options).pipe(take(70), toArray()));
    expect([...first, ...rest].map((r) => r.seq)).toEqual([...Array(100).keys()]);
  });

  it('RxJS: errors are typed — a missing stream, a bad record', async () => {
    await expect(firstValueFrom(fromJetStream({ servers: server.url, stream: 'missing' }))).rejects.toMatchObject({ code: 'ERR_NATS_STREAM' });
    const publisher = await MediaPublisher.open({ servers: server.url, stream: fresh() });
    await expect(lastValueFrom(from([record(0), { ...record(1), track: 'no.dots' }]).pipe(intoJetStream(publisher)))).rejects.toMatchObject({
      code: 'ERR_INVALID_ARGUMENT',
    });
    expect(publisher.getMetrics().published).toBe(1);
    await publisher.close();
    expect(() => intoJetStream({} as unknown as MediaPublisher)).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARGUMENT' }));
  });

  it('Node: pipeline into jetStreamWritable holds at most the window in flight; jetStreamReadable reads it back, destroyed and resumed', async () => {
    const stream = fresh();
    const publisher = await MediaPublisher.open({ servers: server.url, stream, maxInFlight: 2 });
    await pipeline(Readable.from((function* () {
      for (let seq = 0; seq < 400; seq++) yield record(seq);
    })()), jetStreamWritable(publisher));
    expect(publisher.getMetrics()).toMatchObject({ published: 400, acked: 400, inFlight: 0, peakInFlight: 2 });
    await publisher.close();

    const options = { servers: server.url, stream, durable: 'node' };
    const seen: number[] = [];
    const readable = jetStreamReadable(options, { highWaterMark: 4 });
    for await (const r of readable as AsyncIterable<ReceivedRecord>) {
      seen.push(r.seq);
      if (seen.length === 150) break; // destroys the stream, which closes the reader
    }
    // The stream had read ahead up to its highWaterMark: those records were acknowledged, not seen.
    const resumed: number[] = [];
    await pipeline(
      jetStreamReadable(options),
      new Writable({
        objectMode: true,
        write(r: ReceivedRecord, _e, callback) {
          resumed.push(r.seq);
          callback(resumed.at(-1) === 399 ? new Error('done') : null);
        },
      }),
    ).catch((error: unknown) => expect((error as Error).message).toBe('done'));
    const first = resumed[0]!;
    expect(first).toBeGreaterThanOrEqual(150);
    expect(first).toBeLessThanOrEqual(150 + 4 + 1);
    expect(resumed).toEqual([...Array(400 - first).keys()].map((i) => first + i));
  });

  it('Node: a publish failure destroys the writable with the typed error', async () => {
    const publisher = await MediaPublisher.open({ servers: server.url, stream: fresh() });
    const error = await pipeline(Readable.from([record(0), { ...record(1), seq: -5 }]), jetStreamWritable(publisher, { closePublisher: true })).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'ERR_INVALID_ARGUMENT' });
    await expect(publisher.publish(record(2))).rejects.toMatchObject({ code: 'ERR_BUFFER_CLOSED' });
  });
});
