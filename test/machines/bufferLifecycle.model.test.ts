/**
 * Model-based test of the buffer lifecycle: every shortest path of the machine
 * (xstate/graph) is replayed against a real memory buffer actor, and in each state the
 * buffer's data calls are checked to be accepted or refused as the state says.
 */
import { createActor } from 'xstate';
import { createTestModel } from 'xstate/graph';
import { describe, expect, it } from 'vitest';
import { MemoryAudioBuffer } from '../../src/actors/memoryBufferActor.js';
import { MemoryBuffer } from '../../src/buffers/memory.js';
import { resolveConfig } from '../../src/core/config.js';
import { ErrorCode } from '../../src/core/errors.js';
import { codeOf } from '../helpers/errors.js';
import { bufferLifecycleMachine, type BufferLifecycleEvent } from '../../src/machines/bufferLifecycle.js';
import { describePath, pathsCoveringEveryTransition } from '../helpers/modelPaths.js';

/**
 * A memory buffer whose release waits for the test, as a streaming buffer's flush does,
 * so the `closing` state can be observed. The release itself is the real one.
 */
class DeferredReleaseBuffer extends MemoryAudioBuffer {
  finishRelease: ((ok: boolean) => void) | undefined;
  protected override releaseResources(): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.finishRelease = (ok) => {
        void super.releaseResources(); // synchronous for a memory buffer
        if (ok) resolve();
        else reject(new Error('flush failed'));
      };
    });
  }
}

interface Sut {
  buffer: DeferredReleaseBuffer;
  structure: MemoryBuffer;
  closing?: Promise<void>;
}

function makeSut(): Sut {
  const config = resolveConfig({ channels: 2 });
  const structure = new MemoryBuffer(config, { capacity: 8, name: 'sut' });
  const actor = createActor(bufferLifecycleMachine, { input: { id: 'sut', bufferType: 'memory' } }).start();
  const buffer = new DeferredReleaseBuffer('sut', config, structure, actor);
  return { buffer, structure };
}


const ONE_FRAME = new Float32Array([0.25, -0.25]);

describe('buffer lifecycle machine, model-based', () => {
  const events: BufferLifecycleEvent[] = [
    { type: 'READY' },
    { type: 'PAUSE' },
    { type: 'RESUME' },
    { type: 'FAULT', error: 'disk on fire' },
    { type: 'RECOVER' },
    { type: 'CLOSE' },
    { type: 'RELEASED' },
  ];
  // Counters in context would make every fault a new state; the value is the state.
  const serialize = (snapshot: { value: unknown }): string => JSON.stringify(snapshot.value);
  const model = createTestModel(bufferLifecycleMachine, {
    input: { id: 'sut', bufferType: 'memory' },
    events,
    serializeState: serialize,
  });
  const shortest = model.getShortestPaths({ allowDuplicatePaths: true });
  const paths = pathsCoveringEveryTransition(model, serialize);

  it('has a shortest path to every state and a path through every transition', () => {
    expect(shortest.map((p) => p.state.value).sort()).toEqual([
      'active',
      'closed',
      'closing',
      'error',
      'initializing',
      'paused',
    ]);
    // 13 transitions (3 each from initializing, active and paused; 2 each from error and
    // closing), each a path of its own, plus the empty path to the initial state.
    expect(paths.length).toBe(14);
  });

  for (const path of paths) {
    it(`reaches ${describePath(path)}`, async () => {
      let sut = makeSut();
      const gateCode = (): string | null => codeOf(() => sut.buffer.write(ONE_FRAME));
      await path.test({
        events: {
          READY: () => sut.buffer._ready(),
          PAUSE: () => sut.buffer.pause(),
          RESUME: () => sut.buffer.resume(),
          RECOVER: () => sut.buffer.recover(),
          FAULT: async () => {
            if (sut.buffer.state === 'closing') {
              sut.buffer.finishRelease?.(false);
              await expect(sut.closing).rejects.toThrow('flush failed');
            } else sut.buffer._fault(new Error('disk on fire'));
          },
          CLOSE: () => {
            sut.closing = sut.buffer.close();
          },
          RELEASED: async () => {
            sut.buffer.finishRelease?.(true);
            await sut.closing;
          },
        },
        states: {
          initializing: () => {
            expect(sut.buffer.state).toBe('initializing');
            expect(gateCode()).toBe(ErrorCode.BUFFER_NOT_ACCEPTING);
          },
          active: () => {
            expect(sut.buffer.state).toBe('active');
            const at = sut.buffer.tell();
            expect(gateCode()).toBeNull();
            sut.buffer.seek(at);
            expect(Array.from(sut.buffer.read(1))).toEqual([0.25, -0.25]);
            expect(sut.buffer.actor.getSnapshot().context.lastError).toBeNull();
          },
          paused: () => {
            expect(sut.buffer.state).toBe('paused');
            expect(gateCode()).toBe(ErrorCode.BUFFER_NOT_ACCEPTING);
            expect(codeOf(() => sut.buffer.read(1))).toBe(ErrorCode.BUFFER_NOT_ACCEPTING);
          },
          error: () => {
            expect(sut.buffer.state).toBe('error');
            expect(gateCode()).toBe(ErrorCode.BUFFER_FAILED);
            expect(sut.buffer.actor.getSnapshot().context.lastError).toBe('disk on fire');
          },
          closing: () => {
            expect(sut.buffer.state).toBe('closing');
            expect(gateCode()).toBe(ErrorCode.BUFFER_CLOSED);
          },
          closed: () => {
            expect(sut.buffer.state).toBe('closed');
            expect(gateCode()).toBe(ErrorCode.BUFFER_CLOSED);
            expect(sut.structure.closed).toBe(true);
            expect(sut.buffer.getMetrics().memoryUsageMb).toBe(0);
          },
        },
      });
      sut = makeSut(); // each path starts from a fresh actor
    });
  }
});
