/**
 * The buffer actor: gating by state, state$ and metrics$ (marble tests in virtual time),
 * persisted snapshots.
 */
import { TestScheduler } from 'rxjs/testing';
import { take } from 'rxjs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AudioBufferManager } from '../../src/actors/manager.js';
import { ErrorCode } from '../../src/core/errors.js';
import { BufferType } from '../../src/core/types.js';
import type { MemoryAudioBuffer } from '../../src/actors/memoryBufferActor.js';

let manager: AudioBufferManager;
let buf: MemoryAudioBuffer;
beforeEach(() => {
  manager = new AudioBufferManager({ monitorIntervalMs: 0 });
  buf = manager.createBuffer('b', BufferType.MEMORY, { channels: 2 }, { capacity: 64 });
});
afterEach(async () => {
  await manager.close();
});

const scheduler = (): TestScheduler => new TestScheduler((actual, expected) => expect(actual).toEqual(expected));

describe('buffer actor', () => {
  it('is active once created and accepts data', () => {
    expect(buf.state).toBe('active');
    expect(buf.write(new Float32Array([1, 2, 3, 4]))).toBe(2);
  });

  it('refuses data calls while paused and accepts them again after resume, keeping the data', () => {
    buf.write(new Float32Array([1, 2, 3, 4]));
    buf.pause();
    expect(() => buf.read()).toThrow(expect.objectContaining({ code: ErrorCode.BUFFER_NOT_ACCEPTING }));
    buf.pause(); // idempotent
    buf.resume();
    buf.seek(0);
    expect(Array.from(buf.read())).toEqual([1, 2, 3, 4]);
  });

  it('goes to error on a fault, refuses data with ERR_BUFFER_FAILED, and recovers', () => {
    buf._fault(new Error('disk gone'));
    expect(buf.state).toBe('error');
    expect(buf.actor.getSnapshot().context.lastError).toBe('disk gone');
    expect(() => buf.write(new Float32Array(2))).toThrow(expect.objectContaining({ code: ErrorCode.BUFFER_FAILED }));
    expect(() => buf.pause()).toThrow(expect.objectContaining({ code: ErrorCode.BUFFER_FAILED }));
    buf.recover();
    expect(buf.state).toBe('active');
    expect(buf.write(new Float32Array(2))).toBe(1);
  });

  it('keeps a JSON-safe persisted snapshot that restores to the same state', () => {
    buf.pause();
    const persisted = buf.actor.getPersistedSnapshot();
    const roundTrip = JSON.parse(JSON.stringify(persisted)) as typeof persisted;
    expect(roundTrip).toEqual(persisted);
    expect((roundTrip as unknown as { value: string }).value).toBe('paused');
  });

  it('state$ emits the current state, each change, and completes when the buffer is removed', () => {
    const seen: string[] = [];
    let completed = false;
    buf.state$.subscribe({ next: (s) => seen.push(s), complete: () => (completed = true) });
    buf.pause();
    buf.resume();
    buf._fault('x');
    buf.recover();
    return manager.removeBuffer('b').then(() => {
      expect(seen).toEqual(['active', 'paused', 'active', 'error', 'active', 'closing', 'closed']);
      expect(completed).toBe(true);
    });
  });

  it('metrics$ publishes every period in virtual time and ends after the closed figures', () => {
    scheduler().run(({ expectObservable, cold }) => {
      // The buffer is written at 150 ms and closed at 350 ms (virtual time).
      cold('150ms a 199ms b').subscribe((step) => {
        if (step === 'a') buf.write(new Float32Array(8));
        else void buf.close();
      });
      const states = buf.metrics$(100);
      expectObservable(states, '^ 1000ms !').toBe('100ms a 99ms b 99ms c 99ms (d|)', {
        a: expect.objectContaining({ state: 'active', writeCount: 0 }),
        b: expect.objectContaining({ state: 'active', writeCount: 1, bytesWritten: 32 }),
        c: expect.objectContaining({ state: 'active', writeCount: 1 }),
        d: expect.objectContaining({ state: 'closed', memoryUsageMb: 0 }),
      });
    });
  });

  it('metrics$ stops publishing when unsubscribed early', () => {
    scheduler().run(({ expectObservable }) => {
      expectObservable(buf.metrics$(250).pipe(take(2))).toBe('250ms a 249ms (b|)', {
        a: expect.objectContaining({ state: 'active' }),
        b: expect.objectContaining({ state: 'active' }),
      });
      expectObservable(buf.metrics$(100), '^ 250ms !').toBe('100ms a 99ms b', {
        a: expect.objectContaining({ readCount: 0 }),
        b: expect.objectContaining({ readCount: 0 }),
      });
    });
  });

  it('refuses a metrics period under 100 ms (more than 10 Hz) with ERR_INVALID_ARGUMENT', () => {
    expect(() => buf.metrics$(50)).toThrow(expect.objectContaining({ code: ErrorCode.INVALID_ARGUMENT }));
    expect(buf.getMetrics().errorCount).toBe(1);
  });
});
