/**
 * The inspection bus without a server: what it says about a manager's actors (ids, machines,
 * kinds, parents, states), when it says it, the metrics it derives from the buffers, the
 * alerts it keeps, and what it never does (sample with nobody listening, pass on payloads).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createActor } from 'xstate';
import { AudioBufferManager } from '../../src/actors/manager.js';
import { BufferType } from '../../src/core/types.js';
import type { GstBufferManager, GstBufferStats } from '../../src/gst/manager.js';
import { InspectionBus } from '../../src/inspect/bus.js';
import { defaultCatalogue } from '../../src/inspect/index.js';
import type { ServerMessage } from '../../src/inspect/protocol.js';
import { delayLineMachine } from '../../src/machines/delayLine.js';
import { createDelayLine } from '../../src/gst/delayLine.js';

type Actor = Extract<ServerMessage, { t: 'actor' }>;
type Metrics = Extract<ServerMessage, { t: 'metrics' }>;

const managers: AudioBufferManager[] = [];
const buses: InspectionBus[] = [];
afterEach(async () => {
  for (const bus of buses.splice(0)) bus.close();
  await Promise.all(managers.splice(0).map((m) => m.close()));
});

function newManager(limitMb = 64): AudioBufferManager {
  const manager = new AudioBufferManager({ memoryLimitMb: limitMb, monitorIntervalMs: 0 });
  managers.push(manager);
  return manager;
}

function newBus(): InspectionBus {
  const bus = new InspectionBus({ catalogue: defaultCatalogue() });
  buses.push(bus);
  return bus;
}

/** Subscribes and records every message. */
function record(bus: InspectionBus): ServerMessage[] {
  const seen: ServerMessage[] = [];
  bus.subscribe((m) => seen.push(m));
  return seen;
}

const actorsIn = (messages: readonly ServerMessage[]): Actor[] => messages.filter((m): m is Actor => m.t === 'actor');
const lastActor = (messages: readonly ServerMessage[], id: string): Actor | undefined => actorsIn(messages).filter((m) => m.id === id).at(-1);

/** Every typed array or ArrayBuffer reachable from `value` (paths). */
function binaryPaths(value: unknown, path = '$'): string[] {
  if (ArrayBuffer.isView(value) || value instanceof ArrayBuffer || value instanceof SharedArrayBuffer) return [path];
  if (value === null || typeof value !== 'object') return [];
  return Object.entries(value as Record<string, unknown>).flatMap(([k, v]) => binaryPaths(v, `${path}.${k}`));
}

describe('InspectionBus: actors', () => {
  it('describes a manager attached after its buffers exist: hello first, then every actor with machine, kind, parent and state', () => {
    const manager = newManager();
    manager.createBuffer('mic', BufferType.MEMORY, { channels: 2 }, { capacity: 4800 });
    manager.createBuffer('live', BufferType.RING, { channels: 2 }, { capacity: 4096 });
    manager.createBuffer('blocks', BufferType.POOL, { channels: 2 }, { blocks: 4, blockFrames: 1024 });
    manager.createBuffer('disk', BufferType.STREAMING, { channels: 2, chunkSize: 1024, cacheSizeMb: 1 });
    const bus = newBus();
    bus.addManager(manager);
    const picture = bus.picture();
    expect(picture[0]).toMatchObject({ t: 'hello', machines: expect.any(Object) });
    const hello = picture[0] as Extract<ServerMessage, { t: 'hello' }>;
    expect(Object.keys(hello.machines).sort()).toEqual(['buffer', 'bufferManager', 'delayLine', 'fileJob', 'memoryMonitor', 'ringFlow']);
    const actors = Object.fromEntries(actorsIn(picture).map((a) => [a.id, a]));
    expect(Object.keys(actors).sort()).toEqual(['blocks', 'disk', 'live', 'live.flow', 'manager', 'memoryMonitor', 'mic']);
    expect(actors.manager).toMatchObject({ machine: 'bufferManager', kind: 'manager', parent: null, state: 'running', status: 'active' });
    expect(actors.memoryMonitor).toMatchObject({ machine: 'memoryMonitor', kind: 'memory monitor', parent: 'manager', state: 'normal' });
    expect(actors.mic).toMatchObject({ machine: 'buffer', kind: 'memory buffer', parent: 'manager', state: 'active', tags: ['accepting', 'open'] });
    expect(actors.live).toMatchObject({ machine: 'buffer', kind: 'ring buffer', state: 'active' });
    expect(actors['live.flow']).toMatchObject({ machine: 'ringFlow', kind: 'ring flow', parent: 'manager', state: 'empty', tags: [] });
    expect(actors.blocks).toMatchObject({ kind: 'pool buffer', state: 'active' });
    expect(actors.disk).toMatchObject({ kind: 'streaming buffer', state: 'active' });
  });

  it('publishes a new buffer, each state change once, and its removal when it closes', async () => {
    const manager = newManager();
    const bus = newBus();
    bus.addManager(manager);
    const seen = record(bus);
    const mic = manager.createBuffer('mic', BufferType.MEMORY, { channels: 1 }, { capacity: 480 });
    expect(actorsIn(seen).filter((a) => a.id === 'mic').map((a) => a.state)).toEqual(['initializing', 'active']);
    mic.pause();
    mic.pause(); // no change, no message
    mic.resume();
    await mic.close();
    expect(seen.filter((m) => (m.t === 'actor' && m.id === 'mic') || (m.t === 'removed' && m.id === 'mic')).map((m) => (m.t === 'actor' ? `${JSON.stringify(m.state)}/${m.status}` : 'removed'))).toEqual([
      '"initializing"/active',
      '"active"/active',
      '"paused"/active',
      '"active"/active',
      '"closing"/active',
      '"closed"/done',
      'removed',
    ]);
    expect(bus.picture().some((m) => 'id' in m && m.id === 'mic')).toBe(false);
  });

  it('removes a ring and its flow actor with it; a stopped monitor and manager go when the manager closes', async () => {
    const manager = newManager();
    manager.createBuffer('live', BufferType.RING, { channels: 2 }, { capacity: 1024 });
    const bus = newBus();
    bus.addManager(manager);
    const seen = record(bus);
    await manager.removeBuffer('live');
    expect(seen.filter((m) => m.t === 'removed').map((m) => (m as { id: string }).id).sort()).toEqual(['live', 'live.flow']);
    await manager.close();
    expect(seen.filter((m) => m.t === 'removed').map((m) => (m as { id: string }).id).sort()).toEqual(['live', 'live.flow', 'manager', 'memoryMonitor']);
    expect(actorsIn(bus.picture())).toEqual([]);
  });

  it('keeps two managers apart on one bus: a second root label and prefixed ids where they collide', () => {
    const a = newManager();
    const b = newManager();
    a.createBuffer('mic', BufferType.MEMORY, { channels: 1 }, { capacity: 480 });
    b.createBuffer('mic', BufferType.MEMORY, { channels: 1 }, { capacity: 480 });
    const bus = newBus();
    bus.addManager(a);
    bus.addManager(b);
    const ids = actorsIn(bus.picture()).map((x) => `${x.id}<${x.parent ?? ''}`).sort();
    expect(ids).toEqual(['manager-2/memoryMonitor<manager-2', 'manager-2/mic<manager-2', 'manager-2<', 'manager<', 'memoryMonitor<manager', 'mic<manager']);
  });

  it('never passes on an event payload: a typed array sent to an actor appears nowhere in what is published', () => {
    const manager = newManager();
    const mic = manager.createBuffer('mic', BufferType.MEMORY, { channels: 1 }, { capacity: 480 });
    const bus = newBus();
    bus.addManager(manager);
    const seen = record(bus);
    // An event carrying samples (as a careless integration might send): the bus reads only state.
    mic.actor.send({ type: 'PAUSE', samples: new Float32Array(1024) } as never);
    bus.sample();
    expect(lastActor(seen, 'mic')?.state).toBe('paused');
    expect(seen.length).toBeGreaterThan(1);
    expect(seen.flatMap((m) => binaryPaths(m))).toEqual([]);
    expect(bus.picture().flatMap((m) => binaryPaths(m))).toEqual([]);
    // The check itself finds one when there is one.
    expect(binaryPaths({ t: 'x', a: [{ b: new Float32Array(1) }] })).toEqual(['$.a.0.b']);
  });

  it('detaching a source removes its actors and stops listening to it', () => {
    const manager = newManager();
    const mic = manager.createBuffer('mic', BufferType.MEMORY, { channels: 1 }, { capacity: 480 });
    const bus = newBus();
    const source = bus.addManager(manager);
    const seen = record(bus);
    source.detach();
    expect(seen.filter((m) => m.t === 'removed').length).toBe(3);
    seen.length = 0;
    mic.pause();
    expect(seen).toEqual([]);
  });
});

describe('InspectionBus: metrics', () => {
  it('samples nothing while nobody listens, and starts when someone does', async () => {
    const manager = newManager();
    manager.createBuffer('mic', BufferType.MEMORY, { channels: 1 }, { capacity: 480 });
    const bus = newBus();
    bus.addManager(manager);
    await new Promise((resolve) => setTimeout(resolve, 350));
    expect(bus.picture().filter((m) => m.t === 'metrics')).toEqual([]);
    const seen = record(bus);
    await new Promise((resolve) => setTimeout(resolve, 350));
    const ids = new Set(seen.filter((m): m is Metrics => m.t === 'metrics').map((m) => m.id));
    expect([...ids].sort()).toEqual(['manager', 'memoryMonitor', 'mic']);
  });

  it('derives fill, throughput and counters from each buffer type', () => {
    const manager = newManager(64);
    const mic = manager.createBuffer('mic', BufferType.MEMORY, { channels: 2 }, { capacity: 48000, growable: false });
    const ring = manager.createBuffer('live', BufferType.RING, { channels: 2 }, { capacity: 4096 });
    const pool = manager.createBuffer('blocks', BufferType.POOL, { channels: 2 }, { blocks: 8, blockFrames: 1024 });
    const disk = manager.createBuffer('disk', BufferType.STREAMING, { channels: 2, chunkSize: 1024, cacheSizeMb: 1 });
    const bus = newBus();
    bus.addManager(manager);
    const seen = record(bus);
    const metricsOf = (id: string): Metrics => seen.filter((m): m is Metrics => m.t === 'metrics' && m.id === id).at(-1)!;

    bus.sample(1000);
    expect(metricsOf('mic')).toMatchObject({ fill: 0, throughput: null, unit: 'frames/s' });
    mic.write(new Float32Array(24000 * 2));
    ring.write(new Float32Array(1024 * 2));
    const leases = [pool.acquire(), pool.acquire(), pool.acquire()];
    disk.write(new Float32Array(3 * 1024 * 2));
    bus.sample(1500); // 0.5 s later

    expect(metricsOf('mic')).toMatchObject({ fill: 0.5, throughput: 48000, unit: 'frames/s', counters: { writes: 1, framesWritten: 24000, errors: 0 } });
    expect(metricsOf('live')).toMatchObject({ fill: 0.25, throughput: 2048, counters: { framesWritten: 1024, framesRead: 0, underruns: 0, overruns: 0, dropped: 0 } });
    expect(metricsOf('blocks')).toMatchObject({ fill: 3 / 8, throughput: 6, unit: 'leases/s', counters: { inUse: 3, exhaustions: 0 } });
    const cacheChunks = disk.getMetrics().cacheCapacityChunks;
    expect(metricsOf('disk')).toMatchObject({ fill: disk.getMetrics().cachedChunks / cacheChunks, throughput: 6144, counters: { framesWritten: 3072 } });
    const budget = manager.budget;
    expect(metricsOf('memoryMonitor')).toMatchObject({ fill: budget.usedBytes / budget.limitBytes, unit: 'MB', counters: { limitMb: 64 } });
    expect(metricsOf('manager').counters).toEqual({ buffers: 4 });
    for (const b of leases) pool.release(b);
  });

  it('never samples one actor twice within a period (10 Hz), whoever asks', () => {
    const manager = newManager();
    manager.createBuffer('mic', BufferType.MEMORY, { channels: 1 }, { capacity: 480 });
    const bus = newBus();
    bus.addManager(manager);
    const seen = record(bus);
    for (let t = 1000; t < 2000; t += 10) bus.sample(t); // asked at 100 Hz for one second
    const count = seen.filter((m) => m.t === 'metrics' && m.id === 'mic').length;
    expect(count).toBe(10);
  });
});

describe('InspectionBus: alerts', () => {
  it('turns memory alerts into alert messages from the monitor, and keeps the last 50', () => {
    const manager = newManager(8);
    const bus = newBus();
    bus.addManager(manager);
    const seen = record(bus);
    manager.createBuffer('big', BufferType.MEMORY, { channels: 2 }, { capacity: 800_000, growable: false }); // 6.1 MB of 8: 76 %
    const alert = seen.find((m) => m.t === 'alert');
    expect(alert).toMatchObject({ t: 'alert', source: 'memoryMonitor', level: 'warning' });
    expect((alert as { message: string }).message).toMatch(/^memory normal → warning: 76\.\d % of 8 MB$/);
    for (let i = 0; i < 60; i++) bus.alert('test', 'info', `note ${i}`);
    const kept = bus.picture().filter((m) => m.t === 'alert').map((m) => (m as { message: string }).message);
    expect(kept.length).toBe(50);
    expect(kept[0]).toBe('note 10');
    expect(kept.at(-1)).toBe('note 59');
  });

  it('raises an error alert when a buffer faults, with its last error', () => {
    const manager = newManager();
    const mic = manager.createBuffer('mic', BufferType.MEMORY, { channels: 1 }, { capacity: 480 });
    const bus = newBus();
    bus.addManager(manager);
    const seen = record(bus);
    mic.actor.send({ type: 'FAULT', error: 'disk gone' });
    expect(seen.filter((m) => m.t === 'alert')).toEqual([
      { t: 'alert', source: 'mic', level: 'error', message: 'memory buffer "mic" failed: disk gone', at: expect.any(Number) },
    ]);
  });

  it("watches a delay line's actor: states, window metrics, a stall (critical) and a pipeline error", () => {
    const actor = createActor(delayLineMachine, { id: 'line', input: { id: 'line', startTimeoutMs: 60_000, stallTimeoutMs: 60_000 } });
    const stats = { framesReceived: 0, framesSent: 0, frameBufferSize: 0, frameBufferCapacity: 210, audioBufferSize: 0, audioBufferCapacity: 700 } as GstBufferStats;
    // What the bus uses of a GstBufferManager: its actor, addInspector and getStats.
    let started = false;
    const line = {
      get actor() {
        return started ? actor : undefined;
      },
      addInspector(observer: Parameters<GstBufferManager['addInspector']>[0]) {
        const subscription = actor.system.inspect(observer);
        return () => subscription.unsubscribe();
      },
      getStats: () => ({ ...stats, framesDroppedOverflow: 1, framesDroppedLate: 2, audioDroppedOverflow: 0, audioDroppedLate: 0, appsrcStarved: 0, audioChunksReceived: 0, audioChunksSent: 0 }),
    } as unknown as GstBufferManager;
    const bus = newBus();
    bus.addDelayLine(line, 'line');
    const seen = record(bus);
    started = true;
    actor.start();
    actor.send({ type: 'SAMPLE' });
    actor.send({ type: 'FILLED' });
    actor.send({ type: 'PROGRESS' });
    expect(lastActor(seen, 'line')).toMatchObject({ machine: 'delayLine', kind: 'delay line', parent: null, state: { playing: 'flowing' }, tags: ['accepting', 'playing'] });
    bus.sample(1000);
    stats.frameBufferSize = 105;
    stats.framesSent = 30;
    bus.sample(2000);
    expect(seen.filter((m) => m.t === 'metrics').at(-1)).toMatchObject({ id: 'line', fill: 0.5, throughput: 30, unit: 'frames/s', counters: { framesOut: 30, dropped: 3 } });
    actor.send({ type: 'STALL', reason: 'no frame for 5 s' });
    actor.send({ type: 'ERROR', code: 'ERR_GST_PIPELINE', message: 'videotestsrc0: internal data stream error' });
    expect(seen.filter((m) => m.t === 'alert').map((m) => [(m as { level: string }).level, (m as { message: string }).message])).toEqual([
      ['critical', 'delay line "line" stalled: emergency shutdown'],
      ['error', 'delay line "line" failed: ERR_GST_PIPELINE: videotestsrc0: internal data stream error'],
    ]);
    expect(seen.at(-1)).toMatchObject({ t: 'removed', id: 'line' });
  });
});

describe('InspectionBus: a real delay line', () => {
  it('attached before start, follows the line through its states to stopped, with window metrics, then removes it', async () => {
    const line = createDelayLine({ delay: 0.5, width: 160, height: 120, framerate: 30, numBuffers: 45, probes: false, timeOverlay: false });
    const bus = newBus();
    bus.addDelayLine(line.manager);
    const seen = record(bus);
    line.manager.start();
    const sampler = setInterval(() => bus.sample(), 100);
    const result = await line.manager.whenStopped();
    clearInterval(sampler);
    expect(result.state).toBe('stopped');
    const states = actorsIn(seen).filter((a) => a.id === 'delay-line').map((a) => (typeof a.state === 'string' ? a.state : Object.keys(a.state)[0]));
    expect([...new Set(states)]).toEqual(['waiting', 'buffering', 'playing', 'shuttingDown', 'stopped']);
    expect(actorsIn(seen).find((a) => a.id === 'delay-line')).toMatchObject({ machine: 'delayLine', kind: 'delay line', parent: null });
    const metrics = seen.filter((m): m is Metrics => m.t === 'metrics' && m.id === 'delay-line');
    expect(metrics.length).toBeGreaterThan(3);
    expect(Math.max(...metrics.map((m) => m.fill ?? 0))).toBeGreaterThan(0);
    expect(metrics.at(-1)!.counters.framesIn).toBe(45);
    expect(seen.at(-1)).toMatchObject({ t: 'removed', id: 'delay-line' });
  });
});
