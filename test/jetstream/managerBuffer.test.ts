/**
 * The `jetstream` buffer type in the manager, against a real `nats-server`: its actor is
 * `initializing` until connected and the stream exists, then `active`; audio written comes
 * back bit-exact and continuous through `chunks()`; pause refuses writes; the publisher's
 * window is reserved from the budget and given back on close; a producer made again continues
 * its numbering; no server → `error` with ERR_NATS_UNAVAILABLE; bad options throw before
 * anything opens; the inspector's sampler shows its figures.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AudioBufferManager } from '../../src/actors/manager.js';
import { BufferType } from '../../src/core/types.js';
import { bufferSampler } from '../../src/inspect/samplers.js';
import { sampleCounter, sineChunks } from '../../src/testing/index.js';
import { startNatsServer, type NatsServer } from '../../src/testing/nats/index.js';
import { _natsServerBinary } from '../../src/testing/nats/natsServer.js';
import { requireProgram } from '../helpers/program.js';

const HAS_NATS = requireProgram(_natsServerBinary(), 'nats-server');
const CONFIG = { channels: 2, sampleRate: 48_000, chunkSize: 480 };

describe.skipIf(!HAS_NATS)('the jetstream buffer type', () => {
  let server: NatsServer;
  let manager: AudioBufferManager;
  beforeAll(async () => {
    server = await startNatsServer();
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('goes active once connected; what is written comes back through chunks() bit-exact and continuous', async () => {
    manager = new AudioBufferManager({ memoryLimitMb: 64, monitorIntervalMs: 0 });
    const net = manager.createBuffer('net', BufferType.JETSTREAM, CONFIG, { servers: server.url, stream: 'net', maxInFlight: 16 });
    expect(net.state).toBe('initializing');
    await expect(net.write(new Float32Array(2))).rejects.toMatchObject({ code: 'ERR_BUFFER_NOT_ACCEPTING' });
    await net.ready;
    expect(net.state).toBe('active');
    // The window (16 records of 480 stereo frames and their framing) is reserved from the budget.
    expect(manager.budget.usedBytes).toBe(16 * (480 * 2 * 4 + 128));
    const sine = sineChunks({ count: 1, frames: 48_000, channels: 2, sampleRate: 48_000, frequency: 440 })[0]!.data;
    expect(await net.write(sine.subarray(0, 48_000))).toBe(24_000); // half a second, interleaved
    expect(await net.write([sine.subarray(48_000).filter((_, i) => i % 2 === 0), sine.subarray(48_000).filter((_, i) => i % 2 === 1)])).toBe(24_000); // planar
    await net.flush();
    const m = net.getMetrics();
    expect(m).toMatchObject({ bufferType: 'jetstream', state: 'active', connected: true, writeCount: 2, bytesWritten: 48_000 * 8, stream: 'net', subject: 'avbuf.net' });
    expect(m.publisher).toMatchObject({ published: 100, acked: 100, inFlight: 0, maxInFlight: 16 });

    const counter = sampleCounter({ start: 0 });
    const back: number[] = [];
    for await (const chunk of net.chunks({ durable: 'player' })) {
      counter.add(chunk);
      back.push(...chunk.data);
      if (counter.report().frames === 48_000) break;
    }
    expect(counter.report()).toMatchObject({ count: 100, gaps: [], overlaps: [] });
    expect(Float32Array.from(back)).toEqual(sine);
    expect(net.getMetrics()).toMatchObject({ readCount: 100, readers: { delivered: 100, lost: 0, duplicates: 0 } });
    expect(manager.getSystemMetrics().bufferTypes.jetstream).toBe(1);

    const sample = bufferSampler(() => net);
    sample(0);
    const shown = sample(100)!;
    expect(shown.counters).toMatchObject({ connected: 1, acked: 100, inFlight: 0, delivered: 100, lost: 0, framesWritten: 48_000, framesRead: 48_000 });
    expect(shown.fill).toBe(0);

    net.pause();
    await expect(net.write(new Float32Array(2))).rejects.toMatchObject({ code: 'ERR_BUFFER_NOT_ACCEPTING' });
    net.resume();
    await manager.removeBuffer('net');
    expect(net.state).toBe('closed');
    expect(net.getMetrics().connected).toBe(false);
    expect(manager.budget.usedBytes).toBe(0);

    // Made again on the same stream: its numbering and its timeline continue after what the stream holds.
    const again = manager.createBuffer('net', BufferType.JETSTREAM, CONFIG, { servers: server.url, stream: 'net' });
    await again.ready;
    await again.write(new Float32Array(960));
    await again.flush();
    const seqs: number[] = [];
    for await (const chunk of again.chunks({ start: { seq: 100 } })) {
      seqs.push(chunk.position);
      if (seqs.length === 2) break;
    }
    expect(seqs).toEqual([47_520, 48_000]); // the last of the first 100, then the new one right after it
    await manager.close();
  });

  it('no server: the buffer goes to error with ERR_NATS_UNAVAILABLE; bad options throw before anything opens', async () => {
    manager = new AudioBufferManager({ memoryLimitMb: 64, monitorIntervalMs: 0 });
    const gone = await startNatsServer();
    await gone.stop();
    const dead = manager.createBuffer('dead', BufferType.JETSTREAM, CONFIG, { servers: gone.url, stream: 'x', connectTimeoutMs: 300, backoffMs: 50 });
    await expect(dead.ready).rejects.toMatchObject({ code: 'ERR_NATS_UNAVAILABLE' });
    expect(dead.state).toBe('error');
    const bad: Record<string, unknown>[] = [
      { servers: server.url, stream: 'a.b' },
      { servers: 'http://nope', stream: 'ok' },
      { servers: server.url, stream: 'ok', maxInFlight: 0 },
      { servers: server.url, stream: 'ok', track: 'a b' },
    ];
    for (const options of bad) {
      expect(() => manager.createBuffer('bad', BufferType.JETSTREAM, CONFIG, options as never)).toThrow(expect.objectContaining({ code: 'ERR_INVALID_CONFIG' }));
      expect(manager.getBuffer('bad')).toBeUndefined();
    }
    const small = new AudioBufferManager({ memoryLimitMb: 1, monitorIntervalMs: 0 });
    expect(() => small.createBuffer('big', BufferType.JETSTREAM, { ...CONFIG, chunkSize: 48_000 }, { servers: server.url, stream: 'big' })).toThrow(
      expect.objectContaining({ code: 'ERR_MEMORY_PRESSURE' }),
    );
    await small.close();
    await manager.close();
  });
});
