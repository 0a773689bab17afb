/** runMarbles, virtualClock and scheduledSource: virtual time with the caller's assertion. */
import assert from 'node:assert/strict';
import { map, type Observable } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../../src/core/errors.js';
import { timeWindow } from '../../src/streams/timeWindow.js';
import { completeAt, errorAt, nextAt, runMarbles, scheduledSource, timedValues, virtualClock } from '../../src/testing/index.js';

const MS = 1_000_000;
const toEqual = (actual: unknown, expected: unknown): void => expect(actual).toEqual(expected);

describe('runMarbles', () => {
  it('runs a marble test in virtual time with vitest\'s expect, and returns what the callback returns', () => {
    const v = timedValues({ a: 0, b: 2 }, 'ms');
    const result = runMarbles(toEqual, ({ cold, expectObservable, expectSubscriptions }) => {
      const source = cold('a-b|', v);
      // timeWindow runs on asyncScheduler by default: run mode puts it on virtual time.
      expectObservable(source.pipe(timeWindow({ delay: 10 * MS, capacity: 8, tickMs: 1 }))).toBe('10ms a-(b|)', v);
      expectSubscriptions(source.subscriptions).toBe('^--!');
      return 'done';
    });
    expect(result).toBe('done');
  });

  it('fails through the given assertion when the output differs', () => {
    const seen: unknown[] = [];
    const failing = () =>
      runMarbles(
        (actual, expected) => {
          seen.push(actual, expected);
          expect(actual).toEqual(expected);
        },
        ({ cold, expectObservable }) => {
          expectObservable(cold('a-b|').pipe(map((x) => x.toUpperCase()))).toBe('a-b|', { a: 'A', b: 'b' });
        },
      );
    expect(failing).toThrow(/expected/);
    expect(seen).toHaveLength(2);
  });

  it('works with node:assert as the assertion', () => {
    runMarbles(assert.deepStrictEqual, ({ cold, expectObservable }) => {
      expectObservable(cold('a-b|', { a: 1, b: 2 }).pipe(map((x) => x * 10))).toBe('a-b|', { a: 10, b: 20 });
    });
    expect(() =>
      runMarbles(assert.deepStrictEqual, ({ cold, expectObservable }) => {
        expectObservable(cold('a|', { a: 1 })).toBe('a|', { a: 2 });
      }),
    ).toThrow(assert.AssertionError);
  });

  it('hands over the TestScheduler and a clock reading its time in ns', () => {
    const readings: [number, number][] = [];
    runMarbles(toEqual, ({ scheduler, clock }) => {
      expect(scheduler).toBeInstanceOf(TestScheduler);
      for (const at of [0, 3, 7.5]) scheduler.schedule(() => readings.push([scheduler.now(), clock()]), at);
    });
    expect(readings).toEqual([
      [0, 0],
      [3, 3 * MS],
      [7.5, 7.5 * MS],
    ]);
  });

  it('refuses to run without an assertion, with ERR_INVALID_ARGUMENT', () => {
    expect(() => runMarbles(undefined as never, () => undefined)).toThrow(expect.objectContaining({ code: ErrorCode.INVALID_ARGUMENT }));
  });
});

describe('virtualClock', () => {
  it('reads scheduler.now() × 1e6, plus the jumps that have happened', () => {
    let ms = 0;
    const scheduler = { now: () => ms, schedule: () => assert.fail('not used') };
    const plain = virtualClock(scheduler);
    const jumpy = virtualClock(scheduler, {
      jumps: [
        { atMs: 11, by: 3 * MS },
        { atMs: 20, by: 1 },
      ],
    });
    const read = (at: number) => ((ms = at), [plain(), jumpy()]);
    expect([read(0), read(10.5), read(11), read(19), read(20)]).toEqual([
      [0, 0],
      [10.5 * MS, 10.5 * MS],
      [11 * MS, 14 * MS],
      [19 * MS, 22 * MS],
      [20 * MS, 23 * MS + 1],
    ]);
    expect(() => virtualClock(scheduler, { jumps: [{ atMs: Number.NaN, by: 1 }] })).toThrow(expect.objectContaining({ code: ErrorCode.INVALID_ARGUMENT }));
  });
});

describe('scheduledSource', () => {
  const record = (scheduler: TestScheduler, source: Observable<string>, unsubscribeAt?: number) => {
    const log: [number, string][] = [];
    const sub = source.subscribe({
      next: (x) => log.push([scheduler.now(), x]),
      error: (e: unknown) => log.push([scheduler.now(), `error ${(e as Error).message}`]),
      complete: () => log.push([scheduler.now(), 'complete']),
    });
    if (unsubscribeAt !== undefined) scheduler.schedule(() => sub.unsubscribe(), unsubscribeAt);
    return log;
  };

  it('delivers each message at its frame after subscription, fractional frames included, same frames in array order', () => {
    runMarbles(toEqual, ({ scheduler, flush }) => {
      const log = record(scheduler, scheduledSource(scheduler, [nextAt(2, 'b'), nextAt(0.25, 'a'), nextAt(2, 'c'), completeAt(3)]));
      flush();
      expect(log).toEqual([
        [0.25, 'a'],
        [2, 'b'],
        [2, 'c'],
        [3, 'complete'],
      ]);
    });
  });

  it('errors at its frame and cancels what was not delivered on unsubscription', () => {
    runMarbles(toEqual, ({ scheduler, flush }) => {
      const errored = record(scheduler, scheduledSource(scheduler, [nextAt(1, 'a'), errorAt(2, new Error('boom')), nextAt(3, 'late')]));
      const cut = record(scheduler, scheduledSource(scheduler, [nextAt(1, 'a'), nextAt(3, 'b')]), 2);
      flush();
      expect(errored).toEqual([
        [1, 'a'],
        [2, 'error boom'],
      ]);
      expect(cut).toEqual([[1, 'a']]);
    });
  });
});
