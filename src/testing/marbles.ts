/**
 * Virtual time without a test framework: the user's deep-equal assertion is a parameter, as
 * it is for rxjs's TestScheduler, so the kit works with vitest, jest, node:test or mocha.
 */
import type { SchedulerLike } from 'rxjs';
import { TestScheduler, type RunHelpers } from 'rxjs/testing';
import { ArgumentError } from '../core/errors.js';
import { NS_PER_MS } from '../core/time.js';

/** Throws when `actual` and `expected` are not deeply equal: `(a, e) => expect(a).toEqual(e)`, `assert.deepStrictEqual`… */
export type AssertDeepEqual = (actual: unknown, expected: unknown) => void;

/** What {@link runMarbles} hands its callback: rxjs's run helpers, the scheduler and its clock. */
export interface MarbleHelpers extends RunHelpers {
  /** The TestScheduler running the test (for `schedule`, `now`, `maxFrames`, an explicit `scheduler` option). */
  readonly scheduler: TestScheduler;
  /** Virtual time in ns ({@link virtualClock} of `scheduler`): a `now` option for timeWindow. */
  readonly clock: () => number;
}

/**
 * Runs `callback` in virtual time (TestScheduler's run mode: one marble character is 1 ms,
 * and operators on asyncScheduler — the default of avbuf's timing operators — run on the
 * virtual clock), then flushes and checks every `expectObservable`/`expectSubscriptions`
 * with `assertDeepEqual`.
 *
 * @example
 * // vitest or jest
 * runMarbles((a, e) => expect(a).toEqual(e), ({ cold, expectObservable }) => {
 *   const v = timedValues({ a: 0, b: 2 }, 'ms');
 *   expectObservable(cold('a-b|', v).pipe(timeWindow({ delay: 10 * MS, capacity: 8, tickMs: 1 }))).toBe('10ms a-(b|)', v);
 * });
 * // node:test
 * runMarbles(assert.deepStrictEqual, ({ cold, expectObservable }) => { … });
 *
 * @returns what `callback` returns.
 */
export function runMarbles<R>(assertDeepEqual: AssertDeepEqual, callback: (helpers: MarbleHelpers) => R): R {
  if (typeof assertDeepEqual !== 'function') throw new ArgumentError('runMarbles needs the deep-equal assertion of your test framework, e.g. (a, e) => expect(a).toEqual(e)');
  const scheduler = new TestScheduler(assertDeepEqual);
  const clock = virtualClock(scheduler);
  return scheduler.run((helpers) => callback({ ...helpers, scheduler, clock }));
}

/** A jump of a {@link virtualClock}: from virtual time `atMs` on, the clock reads `by` ns further ahead. */
export interface ClockJump {
  /** Scheduler time in ms from which the jump applies. */
  readonly atMs: number;
  /** How far the clock jumps ahead, in ns. */
  readonly by: number;
}

/** Options of {@link virtualClock}. */
export interface VirtualClockOptions {
  /** Jumps of the clock, as when the event loop was blocked: the running time leaps while the scheduler's frames do not. */
  readonly jumps?: readonly ClockJump[];
}

/**
 * The scheduler's time in nanoseconds, `scheduler.now() × 1e6` (plus any jumps that have
 * happened): the running-time clock the delay-line operators take as `now`. In a
 * TestScheduler run it starts at 0.
 *
 * @example
 * // The event loop "blocks" at 11 ms: running time leaps 3 ms ahead.
 * const now = virtualClock(scheduler, { jumps: [{ atMs: 11, by: 3 * MS }] });
 * source.pipe(timeWindow({ delay: 10 * MS, capacity: 8, now }));
 */
export function virtualClock(scheduler: SchedulerLike, options: VirtualClockOptions = {}): () => number {
  const jumps = [...(options.jumps ?? [])];
  for (const { atMs, by } of jumps) {
    if (!Number.isFinite(atMs) || !Number.isFinite(by)) throw new ArgumentError(`a clock jump needs finite atMs and by, got ${String(atMs)} and ${String(by)}`);
  }
  if (jumps.length === 0) return () => scheduler.now() * NS_PER_MS;
  return () => {
    const ms = scheduler.now();
    let ns = ms * NS_PER_MS;
    for (const jump of jumps) if (jump.atMs <= ms) ns += jump.by;
    return ns;
  };
}
