/**
 * AudioBufferManager: creation rules, system metrics, alerts, the pressure policy and the
 * process-wide manager.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { AudioBufferManager, createAudioBuffer, getAudioBufferManager } from '../../src/actors/manager.js';
import { BYTES_PER_MB } from '../../src/core/config.js';
import { ErrorCode } from '../../src/core/errors.js';
import type { Logger } from '../../src/core/logger.js';
import { BufferType } from '../../src/core/types.js';
import type { MemoryAlert } from '../../src/machines/memoryMonitor.js';

let manager: AudioBufferManager | undefined;
afterEach(async () => {
  await manager?.close();
  manager = undefined;
});

const KB = 1024;

describe('AudioBufferManager', () => {
  it('creates buffers by type, finds them by id and reports the spec system metrics', () => {
    manager = new AudioBufferManager({ monitorIntervalMs: 0 });
    const mem = manager.createBuffer('mem', BufferType.MEMORY, { channels: 2 }, { capacity: 1024 });
    const pool = manager.createBuffer('pool', BufferType.POOL, { channels: 2 }, { blocks: 4, blockFrames: 1024 });
    expect(manager.getBuffer('mem')).toBe(mem);
    expect(manager.getBuffer('pool')).toBe(pool);
    expect(manager.getBuffer('nope')).toBeUndefined();
    expect(manager.bufferIds()).toEqual(['mem', 'pool']);
    const m = manager.getSystemMetrics();
    expect(m.totalBuffers).toBe(2);
    expect(m.totalMemoryMb).toBe((8 * KB + 4 * 8 * KB) / BYTES_PER_MB);
    expect(m.bufferTypes).toEqual({ memory: 1, streaming: 0, ring: 0, pool: 1, jetstream: 0 });
    expect(Object.keys(m.poolStats)).toEqual(['pool']);
    expect(m.poolStats.pool).toMatchObject({ totalBlocks: 4, inUse: 0, blockFrames: 1024 });
    expect(m.memoryLevel).toBe('normal');
    expect(m.memoryLimitMb).toBe(2048);
  });

  it('accepts the spec name `size` for a memory buffer capacity', () => {
    manager = new AudioBufferManager({ monitorIntervalMs: 0 });
    const buf = manager.createBuffer('m', BufferType.MEMORY, { channels: 2 }, { size: 8192 });
    expect(buf.capacity).toBe(8192);
  });

  it('refuses a duplicate id with ERR_BUFFER_EXISTS and keeps the first buffer', () => {
    manager = new AudioBufferManager({ monitorIntervalMs: 0 });
    const first = manager.createBuffer('x', BufferType.MEMORY);
    first.write(new Float32Array([1, 2]));
    expect(() => manager!.createBuffer('x', BufferType.POOL)).toThrow(expect.objectContaining({ code: ErrorCode.BUFFER_EXISTS }));
    expect(manager.getBuffer('x')).toBe(first);
    expect(first.size()).toBe(1);
  });

  it('creates every buffer type of the spec', async () => {
    manager = new AudioBufferManager({ monitorIntervalMs: 0 });
    for (const type of [BufferType.MEMORY, BufferType.STREAMING, BufferType.RING, BufferType.POOL]) {
      expect(manager.createBuffer(type, type).type).toBe(type);
    }
    expect(manager.getSystemMetrics().bufferTypes).toEqual({ memory: 1, streaming: 1, ring: 1, pool: 1, jetstream: 0 });
    await manager.close();
  });

  it('refuses an unknown type, an empty id and a config of another type, creating nothing', () => {
    manager = new AudioBufferManager({ monitorIntervalMs: 0 });
    expect(() => manager!.createBuffer('t', 'tape' as BufferType)).toThrow(
      expect.objectContaining({ code: ErrorCode.UNSUPPORTED_BUFFER_TYPE, message: expect.stringContaining('memory, streaming, ring, pool') as string }),
    );
    expect(() => manager!.createBuffer('', BufferType.MEMORY)).toThrow(expect.objectContaining({ code: ErrorCode.INVALID_ARGUMENT }));
    expect(() => manager!.createBuffer('c', BufferType.MEMORY, { bufferType: BufferType.POOL })).toThrow(
      expect.objectContaining({ code: ErrorCode.INVALID_CONFIG, field: 'bufferType' }),
    );
    expect(() => manager!.createBuffer('c', BufferType.MEMORY, { channels: 0 })).toThrow(
      expect.objectContaining({ code: ErrorCode.INVALID_CONFIG, field: 'channels' }),
    );
    expect(manager.bufferIds()).toEqual([]);
    expect(manager.budget.usedBytes).toBe(0);
    expect(Object.keys(manager.actor.getSnapshot().children)).toEqual(['memoryMonitor']);
  });

  it('removes a buffer, closing it and freeing its memory; the id can be used again', async () => {
    manager = new AudioBufferManager({ monitorIntervalMs: 0 });
    const buf = manager.createBuffer('r', BufferType.MEMORY, { channels: 1 }, { capacity: 256 });
    expect(manager.budget.usedBytes).toBe(1 * KB);
    expect(await manager.removeBuffer('r')).toBe(true);
    expect(buf.state).toBe('closed');
    expect(manager.budget.usedBytes).toBe(0);
    expect(await manager.removeBuffer('r')).toBe(false);
    expect(manager.createBuffer('r', BufferType.POOL).state).toBe('active');
  });

  it('follows the spec pattern buffer.close() then removeBuffer(id)', async () => {
    manager = new AudioBufferManager({ monitorIntervalMs: 0 });
    const buf = manager.createBuffer('p', BufferType.MEMORY);
    await buf.close();
    expect(manager.getBuffer('p')).toBe(buf); // closed buffers stay listed until removed
    expect(await manager.removeBuffer('p')).toBe(true);
    expect(manager.bufferIds()).toEqual([]);
  });

  it('closes every buffer on close and refuses new ones with ERR_MANAGER_CLOSED', async () => {
    manager = new AudioBufferManager({ monitorIntervalMs: 0 });
    const a = manager.createBuffer('a', BufferType.MEMORY);
    const b = manager.createBuffer('b', BufferType.POOL);
    await manager.close();
    expect([a.state, b.state]).toEqual(['closed', 'closed']);
    expect(manager.budget.usedBytes).toBe(0);
    expect(() => manager!.createBuffer('c', BufferType.MEMORY)).toThrow(expect.objectContaining({ code: ErrorCode.MANAGER_CLOSED }));
    await expect(manager.close()).resolves.toBeUndefined();
  });

  it('raises warning, critical and normal alerts as usage crosses the lines, on alerts$ and on("alert")', async () => {
    manager = new AudioBufferManager({ memoryLimitMb: 1, monitorIntervalMs: 0 });
    const fromObservable: MemoryAlert[] = [];
    const fromEvents: MemoryAlert[] = [];
    manager.alerts$.subscribe((a) => fromObservable.push(a));
    manager.on('alert', (a) => fromEvents.push(a));
    // 0.8 MB mono, full (nothing spare to trim): warning
    const w = manager.createBuffer('w', BufferType.MEMORY, { channels: 1 }, { capacity: 209715 });
    w.write(new Float32Array(209715));
    expect(manager.memoryLevel).toBe('warning');
    const c = manager.createBuffer('c', BufferType.MEMORY, { channels: 1 }, { capacity: 39322 });
    c.write(new Float32Array(39322));
    expect(manager.memoryLevel).toBe('critical');
    await manager.removeBuffer('w');
    expect(manager.memoryLevel).toBe('normal');
    expect(fromObservable.map((a) => [a.previous, a.level])).toEqual([
      ['normal', 'warning'],
      ['warning', 'critical'],
      ['critical', 'normal'],
    ]);
    expect(fromEvents).toEqual(fromObservable);
    expect(fromObservable[1]!.ratio).toBeCloseTo(0.95, 5);
    expect(fromObservable[1]!.rssBytes).toBeGreaterThan(10 * BYTES_PER_MB);
  });

  it('samples memory on its timer', async () => {
    manager = new AudioBufferManager({ memoryLimitMb: 1, monitorIntervalMs: 20 });
    const buf = manager.createBuffer('g', BufferType.MEMORY, { channels: 1 }, { capacity: 1 });
    expect(manager.memoryLevel).toBe('normal');
    buf.write(new Float32Array(209715)); // grows past the warning line without a create or remove
    const alert = await new Promise<MemoryAlert>((resolve) => manager!.on('alert', resolve));
    expect(alert.level).toBe('warning');
  });

  it('on critical usage frees idle pool blocks first, keeping leased ones', () => {
    manager = new AudioBufferManager({ memoryLimitMb: 1, monitorIntervalMs: 0 });
    const pool = manager.createBuffer('pool', BufferType.POOL, { channels: 1 }, { blocks: 8, blockFrames: 16384 }); // 8 × 64 KB
    const held = pool.acquire();
    held.data.fill(0.5);
    const big = manager.createBuffer('big', BufferType.MEMORY, { channels: 1 }, { capacity: 117965 });
    big.write(new Float32Array(117965)); // 0.5 + 0.45 = 0.95: critical
    expect(manager.memoryLevel).toBe('critical');
    manager.sampleMemory();
    // The policy trimmed idle blocks until usage was back under the warning line.
    const stats = pool.stats();
    expect(stats.inUse).toBe(1);
    expect(stats.allocatedBlocks).toBeLessThan(8);
    expect(stats.trimmedBytes).toBeGreaterThan(0);
    expect(manager.budget.usedBytes / manager.budget.limitBytes).toBeLessThan(0.75);
    expect(held.data[0]).toBe(0.5); // the leased block was not touched
    expect(big.size()).toBe(117965);
    expect(manager.getSystemMetrics().reclaimedMb).toBeGreaterThan(0);
  });

  it('frees idle pool blocks before refusing, then refuses with ERR_MEMORY_PRESSURE and creates nothing', () => {
    manager = new AudioBufferManager({ memoryLimitMb: 1, monitorIntervalMs: 0, criticalRatio: 1, warningRatio: 0.99 });
    const pool = manager.createBuffer('pool', BufferType.POOL, { channels: 1 }, { blocks: 8, blockFrames: 16384 }); // 0.5 MB
    const held = [pool.acquire(), pool.acquire()];
    // 700 KB fits only once 3 idle 64 KB blocks are freed; the budget frees just those.
    const fits = manager.createBuffer('fits', BufferType.MEMORY, { channels: 1 }, { capacity: 179200 });
    fits.write(new Float32Array(fits.capacity));
    expect(pool.stats().allocatedBlocks).toBe(5);
    expect(held.every((b) => b.data.length === 16384)).toBe(true);
    const before = { used: manager.budget.usedBytes, ids: manager.bufferIds() };
    // 512 KB cannot fit even after the last 3 idle blocks go: refused, nothing created.
    expect(() => manager!.createBuffer('nope', BufferType.MEMORY, { channels: 1 }, { capacity: 131072 })).toThrow(
      expect.objectContaining({ code: ErrorCode.MEMORY_PRESSURE }),
    );
    expect(pool.stats().allocatedBlocks).toBe(2);
    expect(manager.budget.usedBytes).toBe(before.used - 3 * 65536);
    expect(manager.bufferIds()).toEqual(before.ids);
    expect(manager.getBuffer('nope')).toBeUndefined();
    expect(manager.getSystemMetrics().refusals).toBe(1);
    // A write that needs more memory is refused whole: size and data stay.
    const more = manager.createBuffer('small', BufferType.MEMORY, { channels: 1 }, { capacity: 16 });
    more.write(new Float32Array(16).fill(1));
    expect(() => more.write(new Float32Array(52429))).toThrow(expect.objectContaining({ code: ErrorCode.MEMORY_PRESSURE }));
    expect(more.size()).toBe(16);
    expect(more.getMetrics().errorCount).toBe(1);
  });

  it('writes to an injected pino-style logger', async () => {
    const lines: Array<[string, unknown, string | undefined]> = [];
    const make = (bindings: Record<string, unknown>): Logger => ({
      trace: (o, m) => lines.push(['trace', { ...bindings, ...(o as object) }, m]),
      debug: (o, m) => lines.push(['debug', { ...bindings, ...(o as object) }, m]),
      info: (o, m) => lines.push(['info', { ...bindings, ...(o as object) }, m]),
      warn: (o, m) => lines.push(['warn', { ...bindings, ...(o as object) }, m]),
      error: (o, m) => lines.push(['error', { ...bindings, ...(o as object) }, m]),
      child: (b) => make({ ...bindings, ...b }),
    });
    manager = new AudioBufferManager({ monitorIntervalMs: 0, logger: make({}) });
    manager.createBuffer('l', BufferType.MEMORY);
    await manager.removeBuffer('l');
    expect(lines).toContainEqual(['info', expect.objectContaining({ component: 'avbuf.manager', id: 'l', type: 'memory' }), 'buffer created']);
    expect(lines).toContainEqual(['info', expect.objectContaining({ id: 'l' }), 'buffer removed']);
  });

  it.each([
    ['memoryLimitMb', { memoryLimitMb: -1 }],
    ['warningRatio', { warningRatio: 1.5 }],
    ['criticalRatio', { criticalRatio: 0 }],
    ['warningRatio', { warningRatio: 0.9, criticalRatio: 0.8 }],
    ['monitorIntervalMs', { monitorIntervalMs: -5 }],
  ])('refuses a bad %s option with ERR_INVALID_CONFIG naming it', (field, options) => {
    expect(() => new AudioBufferManager(options)).toThrow(expect.objectContaining({ code: ErrorCode.INVALID_CONFIG, field }));
  });
});

describe('process-wide manager', () => {
  it('createAudioBuffer uses getAudioBufferManager(), which is recreated after close', async () => {
    const buf = createAudioBuffer('global', BufferType.MEMORY, { channels: 2 }, { size: 8192 });
    const global = getAudioBufferManager();
    expect(global.getBuffer('global')).toBe(buf);
    expect(getAudioBufferManager()).toBe(global);
    await global.close();
    const fresh = getAudioBufferManager();
    expect(fresh).not.toBe(global);
    expect(fresh.bufferIds()).toEqual([]);
    await fresh.close();
  });
});
