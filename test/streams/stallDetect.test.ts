/**
 * stallDetect: marble tests in virtual time (a stall since subscription or since the last
 * item, once per silence, re-armed by the next item; completion, errors, teardown; one timer
 * scheduled however many items come), and a model test of random item timings.
 */
import fc from 'fast-check';
import { type SchedulerLike } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../../src/core/errors.js';
import { stallDetect, type StallEvent } from '../../src/streams/stallDetect.js';
import { completeAt, errorAt, nextAt, scheduledSource } from '../../src/testing/index.js';

const testScheduler = (): TestScheduler => new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
const stall = (silentForMs: number, itemsSeen: number, lastItemAt: number | undefined): StallEvent => ({ silentForMs, itemsSeen, lastItemAt });

describe('stallDetect', () => {
  it('emits once when nothing has come for timeoutMs since subscription', () => {
    testScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const source = cold('----------');
      expectObservable(source.pipe(stallDetect({ timeoutMs: 3 })), '^---------!').toBe('---s------', { s: stall(3, 0, undefined) });
      expectSubscriptions(source.subscriptions).toBe('^---------!');
    });
  });

  it('counts the silence from the last item, and re-arms after the next item', () => {
    testScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const source = cold('a-a-a------a----|');
      expectObservable(source.pipe(stallDetect({ timeoutMs: 3 }))).toBe('-------s------t-|', { s: stall(3, 3, 4), t: stall(3, 4, 11) });
      expectSubscriptions(source.subscriptions).toBe('^---------------!');
    });
  });

  it('emits one event for one long silence', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      expectObservable(cold('a 100ms |').pipe(stallDetect({ timeoutMs: 3 }))).toBe('3ms s 97ms |', { s: stall(3, 1, 0) });
    });
  });

  it('waits 5000 ms by default', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      expectObservable(cold('a 4998ms a').pipe(stallDetect()), '^ 12000ms !').toBe('4999ms 5000ms s', { s: stall(5000, 2, 4999) });
    });
  });

  it('passes errors through, after any stall', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      expectObservable(cold('a----#', undefined, new Error('source')).pipe(stallDetect({ timeoutMs: 2 }))).toBe('--s--#', { s: stall(2, 1, 0) }, new Error('source'));
    });
  });

  it('completes with the source and leaves no timer behind', () => {
    const ts = testScheduler();
    let pendingAfter = -1;
    ts.run(({ cold, expectObservable }) => {
      expectObservable(cold('a|').pipe(stallDetect({ timeoutMs: 5, scheduler: ts }))).toBe('-|');
      ts.schedule(() => (pendingAfter = ts.actions.length), 2);
    });
    expect(pendingAfter).toBe(0);
  });

  it('on unsubscription unsubscribes from the source and cancels the timer', () => {
    const ts = testScheduler();
    let pendingAfter = -1;
    ts.run(({ cold, expectObservable, expectSubscriptions }) => {
      const source = cold('a-a-a-a-a-');
      expectObservable(source.pipe(stallDetect({ timeoutMs: 5 })), '^--!').toBe('---');
      expectSubscriptions(source.subscriptions).toBe('^--!');
      ts.schedule(() => (pendingAfter = ts.actions.length), 4);
    });
    expect(pendingAfter).toBe(0);
  });

  it('asks the scheduler for one timer however many items and stalls come', () => {
    const ts = testScheduler();
    let scheduled = 0;
    const counting: SchedulerLike = {
      now: () => ts.now(),
      schedule: (...args: Parameters<SchedulerLike['schedule']>) => {
        scheduled++;
        return ts.schedule(...args);
      },
    };
    ts.run(({ cold, expectObservable }) => {
      expectObservable(cold('aaaaaaaaaa 10ms aaaaa 10ms a|').pipe(stallDetect({ timeoutMs: 5, scheduler: counting }))).toBe('14ms s 14ms t 6ms |', {
        s: stall(5, 10, 9),
        t: stall(5, 15, 24),
      });
    });
    expect(scheduled).toBe(1);
  });

  it('rejects a timeoutMs that is not a finite number > 0 with ERR_INVALID_CONFIG', () => {
    for (const timeoutMs of [0, -1, Number.NaN, Infinity, '5']) {
      expect(() => stallDetect({ timeoutMs } as never), String(timeoutMs)).toThrow(expect.objectContaining({ code: ErrorCode.INVALID_CONFIG, field: 'timeoutMs' }));
    }
    expect(() => stallDetect(5 as never)).toThrow(expect.objectContaining({ code: ErrorCode.INVALID_CONFIG, field: 'options' }));
  });
});

// ---------------------------------------------------------------------------------------------
// Model test


interface Scenario {
  /** A whole number of ms and a half, so a stall never ties with an item. */
  readonly timeoutMs: number;
  readonly times: readonly number[];
  readonly end: 'complete' | 'error' | 'unsubscribe' | 'none';
  readonly endAt: number;
  readonly explicitScheduler: boolean;
}
interface Outcome {
  stalls: [number, StallEvent][];
  end: [string, number] | null;
  lastFrame: number;
}

function model(s: Scenario): Outcome {
  const out: Outcome = { stalls: [], end: null, lastFrame: 0 };
  let since = 0;
  let armed = true;
  let itemsSeen = 0;
  let lastItemAt: number | undefined;
  const stallBefore = (t: number) => {
    if (armed && since + s.timeoutMs < t) {
      out.stalls.push([since + s.timeoutMs, stall(s.timeoutMs, itemsSeen, lastItemAt)]);
      out.lastFrame = since + s.timeoutMs;
      armed = false;
    }
  };
  for (const t of s.times) {
    stallBefore(t);
    out.lastFrame = t;
    itemsSeen++;
    lastItemAt = since = t;
    armed = true;
  }
  if (s.end === 'none') {
    stallBefore(Infinity);
    return out;
  }
  const endAt = s.end === 'unsubscribe' ? s.endAt + 0.25 : s.endAt;
  stallBefore(endAt);
  out.lastFrame = endAt;
  if (s.end !== 'unsubscribe') out.end = [s.end, endAt];
  return out;
}

function real(s: Scenario): Outcome {
  const out: Outcome = { stalls: [], end: null, lastFrame: 0 };
  const ts = new TestScheduler(() => undefined);
  ts.run(({ flush }) => {
    const messages = s.times.map((t, i) => nextAt(t, i));
    if (s.end === 'complete') messages.push(completeAt(s.endAt));
    if (s.end === 'error') messages.push(errorAt(s.endAt, new Error('source')));
    const sub = scheduledSource(ts, messages)
      .pipe(stallDetect({ timeoutMs: s.timeoutMs, ...(s.explicitScheduler ? { scheduler: ts } : {}) }))
      .subscribe({
        next: (e) => out.stalls.push([ts.now(), e]),
        error: () => (out.end = ['error', ts.now()]),
        complete: () => (out.end = ['complete', ts.now()]),
      });
    if (s.end === 'unsubscribe') ts.schedule(() => sub.unsubscribe(), s.endAt + 0.25);
    flush();
    out.lastFrame = ts.frame;
  });
  return out;
}

const scenario: fc.Arbitrary<Scenario> = fc
  .record({
    timeoutMs: fc.integer({ min: 0, max: 12 }).map((n) => n + 0.5),
    gaps: fc.array(fc.integer({ min: 0, max: 15 }), { maxLength: 30 }),
    end: fc.constantFrom('complete', 'error', 'unsubscribe', 'none' as const),
    endAfter: fc.integer({ min: 0, max: 30 }),
    explicitScheduler: fc.boolean(),
  })
  .map(({ gaps, endAfter, ...rest }) => {
    let t = 0;
    const times = gaps.map((g) => (t += g));
    return { ...rest, times, endAt: t + endAfter };
  });

describe('stallDetect against a reference model', () => {
  it('emits the stalls the model expects, at the same virtual times, and nothing runs after the end', () => {
    fc.assert(
      fc.property(scenario, (s) => {
        expect(real(s)).toEqual(model(s));
      }),
      { numRuns: 500 },
    );
  });
});
