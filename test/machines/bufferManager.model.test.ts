/**
 * Model-based test of the manager machine: every state and transition replayed against a
 * real AudioBufferManager (creating and removing real buffers, closing for real).
 */
import { TestModel } from 'xstate/graph';
import { describe, expect, it } from 'vitest';
import { AudioBufferManager } from '../../src/actors/manager.js';
import { ErrorCode } from '../../src/core/errors.js';
import { BufferType } from '../../src/core/types.js';
import { bufferManagerMachine, type BufferManagerEvent } from '../../src/machines/bufferManager.js';
import { describePath, pathsCoveringEveryTransition } from '../helpers/modelPaths.js';

describe('buffer manager machine, model-based', () => {
  const spawnable: BufferManagerEvent[] = [
    { type: 'buffer.spawn', id: 'a', bufferType: BufferType.MEMORY },
    { type: 'buffer.spawn', id: 'b', bufferType: BufferType.POOL },
    { type: 'buffer.remove', id: 'a' },
    { type: 'buffer.remove', id: 'b' },
    { type: 'CLOSE' },
  ];
  // While closing, the manager itself removes the buffers and then sends CLOSED.
  const events = (snapshot: { value: unknown }): BufferManagerEvent[] =>
    snapshot.value === 'closing' ? [{ type: 'CLOSED' }] : snapshot.value === 'running' ? spawnable : [];
  const serialize = (snapshot: { value: unknown; context: { bufferIds: string[] } }): string =>
    JSON.stringify([snapshot.value, [...snapshot.context.bufferIds].sort()]);
  // createTestModel refuses machines with `invoke` (the memory monitor); TestModel itself
  // traverses them, and the monitor's own behaviour has its own model-based test.
  const model = new TestModel(bufferManagerMachine, {
    input: {},
    events,
    serializeState: serialize,
    stateMatcher: (snapshot, key) => snapshot.matches(key as 'running'),
  });
  const paths = pathsCoveringEveryTransition(model, serialize);

  it('covers running with every set of buffers, closing and closed', () => {
    const states = model.getShortestPaths({ allowDuplicatePaths: true }).map((p) => serialize(p.state));
    expect(states).toHaveLength(4 + 4 + 1); // running × {∅,a,b,ab}, closing × the same, closed
  });

  for (const path of paths) {
    it(`reaches ${describePath(path, (e) => ('id' in e ? `${e.type}(${e.id})` : e.type))} with ${JSON.stringify(path.state.context.bufferIds)}`, async () => {
      const manager = new AudioBufferManager({ monitorIntervalMs: 0 });
      let closing: Promise<void> | undefined;
      try {
        await path.test({
          events: {
            'buffer.spawn': (step) => {
              const event = step.event as Extract<BufferManagerEvent, { type: 'buffer.spawn' }>;
              const create = () => manager.createBuffer(event.id, event.bufferType, { channels: 1 }, { blocks: 2, blockFrames: 16 });
              if (manager.getBuffer(event.id) !== undefined) {
                const before = manager.getSystemMetrics();
                expect(create).toThrow(expect.objectContaining({ code: ErrorCode.BUFFER_EXISTS }));
                expect(manager.getSystemMetrics()).toEqual({ ...before, rssMb: expect.any(Number) as number });
              } else expect(create().state).toBe('active');
            },
            'buffer.remove': async (step) => {
              const event = step.event as Extract<BufferManagerEvent, { type: 'buffer.remove' }>;
              const buffer = manager.getBuffer(event.id);
              expect(await manager.removeBuffer(event.id)).toBe(buffer !== undefined);
              if (buffer !== undefined) expect(buffer.state).toBe('closed');
            },
            CLOSE: () => {
              closing = manager.close();
              // Closing is transient (buffers close concurrently, in a microtask or a flush),
              // so it is observed here, synchronously, before anything can finish.
              expect(manager.actor.getSnapshot().value).toBe('closing');
            },
            CLOSED: async () => {
              await closing;
            },
          },
          states: {
            running: (snapshot) => {
              const ids = snapshot.context.bufferIds;
              expect(manager.actor.getSnapshot().value).toBe('running');
              expect(manager.bufferIds().sort()).toEqual([...ids].sort());
              expect(Object.keys(manager.actor.getSnapshot().children).sort()).toEqual([...ids, 'memoryMonitor'].sort());
              const metrics = manager.getSystemMetrics();
              expect(metrics.totalBuffers).toBe(ids.length);
              expect(metrics.bufferTypes.memory).toBe(ids.includes('a') ? 1 : 0);
              expect(metrics.bufferTypes.pool).toBe(ids.includes('b') ? 1 : 0);
              expect(Object.keys(metrics.poolStats)).toEqual(ids.includes('b') ? ['b'] : []);
              // a: 1024 mono frames; b: 2 blocks of 16 mono frames
              expect(manager.budget.usedBytes).toBe((ids.includes('a') ? 4096 : 0) + (ids.includes('b') ? 128 : 0));
            },
            closing: () => {
              expect(manager.closed).toBe(true);
              expect(() => manager.createBuffer('c', BufferType.MEMORY)).toThrow(expect.objectContaining({ code: ErrorCode.MANAGER_CLOSED }));
            },
            closed: () => {
              expect(manager.actor.getSnapshot().status).toBe('done');
              expect(manager.bufferIds()).toEqual([]);
              expect(manager.budget.usedBytes).toBe(0);
            },
          },
        });
      } finally {
        await manager.close();
      }
    });
  }
});
