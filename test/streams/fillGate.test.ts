/**
 * fillGate: marble tests in virtual time (opening when filled, by timeout, on completion;
 * errors; teardown before and while opening), the fill level's rounding, and a model test:
 * random arrivals, capacities, thresholds in hundredths, timeouts and endings against a
 * reference model computed with integer arithmetic.
 */
import fc from 'fast-check';
import { take } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../../src/core/errors.js';
import { fillGate, fillGateLevel, type FillGateOpenInfo } from '../../src/streams/fillGate.js';
import type { DropReason } from '../../src/streams/timed.js';
import { completeAt, errorAt, nextAt, scheduledSource } from '../../src/testing/index.js';

const testScheduler = (): TestScheduler => new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
const recorder = (ts?: TestScheduler) => {
  const drops: [string, DropReason][] = [];
  const opens: (FillGateOpenInfo & { at: number })[] = [];
  return {
    drops,
    opens,
    onDrop: (item: string, reason: DropReason) => void drops.push([item, reason]),
    onOpen: (info: FillGateOpenInfo) => void opens.push({ ...info, at: ts?.now() ?? -1 }),
  };
};

describe('fillGate', () => {
  it('holds items until ceil(30 % of capacity) are held, then emits them and passes the rest through', () => {
    const ts = testScheduler();
    const r = recorder(ts);
    ts.run(({ cold, expectObservable, expectSubscriptions }) => {
      const source = cold('a-b-c----d|');
      expectObservable(source.pipe(fillGate({ capacity: 10, onOpen: r.onOpen }))).toBe('----(abc)d|');
      expectSubscriptions(source.subscriptions).toBe('^---------!');
    });
    expect(r.opens).toEqual([{ held: 3, reason: 'filled', at: 4 }]);
  });

  it('emits the very objects it received', () => {
    const items = [{ n: 1 }, { n: 2 }, { n: 3 }];
    const out: unknown[] = [];
    testScheduler().run(({ cold }) => {
      cold('abc|', { a: items[0], b: items[1], c: items[2] })
        .pipe(fillGate({ capacity: 2, threshold: 1 }))
        .subscribe((x) => out.push(x));
    });
    expect(out).toEqual(items);
    expect(out.every((x, i) => x === items[i])).toBe(true);
  });

  it('opens after timeoutMs since the first held item when it does not fill, and only once', () => {
    const ts = testScheduler();
    const r = recorder(ts);
    ts.run(({ cold, expectObservable }) => {
      expectObservable(cold('-a-b------c|').pipe(fillGate({ capacity: 10, timeoutMs: 5, onOpen: r.onOpen }))).toBe('------(ab)c|');
    });
    expect(r.opens).toEqual([{ held: 2, reason: 'timeout', at: 6 }]);
  });

  it('does not time out once it has opened by filling', () => {
    const ts = testScheduler();
    const r = recorder(ts);
    ts.run(({ cold, expectObservable }) => {
      expectObservable(cold('ab------c|').pipe(fillGate({ capacity: 2, threshold: 1, timeoutMs: 5, onOpen: r.onOpen, scheduler: ts }))).toBe('-(ab)---c|');
    });
    expect(r.opens).toEqual([{ held: 2, reason: 'filled', at: 1 }]);
  });

  it('opens when the source completes before it filled, emits what it holds and completes', () => {
    const ts = testScheduler();
    const r = recorder(ts);
    ts.run(({ cold, expectObservable }) => {
      expectObservable(cold('a-b|').pipe(fillGate({ capacity: 10, onOpen: r.onOpen }))).toBe('---(ab|)');
      expectObservable(cold('--|').pipe(fillGate({ capacity: 10, onOpen: r.onOpen }))).toBe('--|');
    });
    expect(r.opens).toEqual([
      { held: 0, reason: 'complete', at: 2 },
      { held: 2, reason: 'complete', at: 3 },
    ]);
  });

  it('on a source error before opening drops the held items as teardown and errors; after opening only errors', () => {
    const r = recorder();
    testScheduler().run(({ cold, expectObservable }) => {
      expectObservable(cold('a-b-#').pipe(fillGate({ capacity: 10, onDrop: r.onDrop, onOpen: r.onOpen }))).toBe('----#');
      expectObservable(cold('a-b-#').pipe(fillGate({ capacity: 1, onDrop: r.onDrop }))).toBe('a-b-#');
    });
    expect(r.drops).toEqual([
      ['a', 'teardown'],
      ['b', 'teardown'],
    ]);
    expect(r.opens).toEqual([]);
  });

  it('on unsubscription before opening drops the held items as teardown and cancels the timeout', () => {
    const ts = testScheduler();
    const r = recorder(ts);
    let pendingAfter = -1;
    ts.run(({ cold, expectObservable, expectSubscriptions }) => {
      const source = cold('a-b-c-d-e|');
      expectObservable(source.pipe(fillGate({ capacity: 10, timeoutMs: 8, onDrop: r.onDrop, onOpen: r.onOpen, scheduler: ts })), '^--!').toBe('---');
      expectSubscriptions(source.subscriptions).toBe('^--!');
      ts.schedule(() => (pendingAfter = ts.actions.length), 4);
    });
    expect(r.drops).toEqual([
      ['a', 'teardown'],
      ['b', 'teardown'],
    ]);
    expect(r.opens).toEqual([]);
    expect(pendingAfter).toBe(0);
  });

  it('drops the held items not yet emitted, once, when the consumer unsubscribes while it opens', () => {
    const r = recorder();
    testScheduler().run(({ cold, expectObservable }) => {
      expectObservable(cold('abc-d|').pipe(fillGate({ capacity: 3, threshold: 1, onDrop: r.onDrop }), take(1))).toBe('--(a|)');
    });
    expect(r.drops).toEqual([
      ['b', 'teardown'],
      ['c', 'teardown'],
    ]);
  });

  it('waits for ceil(threshold × capacity) items, a product that is an integer but for rounding counting as that integer', () => {
    expect(fillGateLevel(10, 0.3)).toBe(3);
    expect(fillGateLevel(210, 0.3)).toBe(63);
    expect(0.07 * 100).toBeGreaterThan(7); // 7.000000000000001 in doubles
    expect(fillGateLevel(100, 0.07)).toBe(7);
    expect(fillGateLevel(100, 0.14)).toBe(14);
    expect(fillGateLevel(7, 0.3)).toBe(3);
    expect(fillGateLevel(3, 0.3)).toBe(1);
    expect(fillGateLevel(1, 0.01)).toBe(1);
    expect(fillGateLevel(5, 1)).toBe(5);
  });

  it('rejects bad options with ERR_INVALID_CONFIG naming the field', () => {
    const cases: [string, Record<string, unknown>][] = [
      ['capacity', { capacity: 0 }],
      ['capacity', { capacity: 2.5 }],
      ['capacity', { capacity: undefined }],
      ['threshold', { threshold: 0 }],
      ['threshold', { threshold: 1.01 }],
      ['threshold', { threshold: Number.NaN }],
      ['timeoutMs', { timeoutMs: -1 }],
      ['timeoutMs', { timeoutMs: Number.NaN }],
      ['onOpen', { onOpen: 'x' }],
      ['onDrop', { onDrop: {} }],
    ];
    for (const [field, bad] of cases) {
      expect(() => fillGate({ capacity: 10, ...bad }), field).toThrow(expect.objectContaining({ code: ErrorCode.INVALID_CONFIG, field }));
    }
    expect(() => fillGate(null as never)).toThrow(expect.objectContaining({ code: ErrorCode.INVALID_CONFIG, field: 'options' }));
    expect(() => fillGate({ capacity: 1, threshold: 1, timeoutMs: 0 })).not.toThrow();
  });
});

// ---------------------------------------------------------------------------------------------
// Model test


interface Scenario {
  readonly capacity: number;
  /** The threshold in hundredths. */
  readonly percent: number;
  /** Infinity, or a whole number of ms and a half (so it never ties with an arrival). */
  readonly timeoutMs: number;
  readonly times: readonly number[];
  readonly end: 'complete' | 'error' | 'unsubscribe' | 'none';
  /** complete/error at this frame; unsubscription a quarter of a ms later. */
  readonly endAt: number;
  readonly explicitScheduler: boolean;
}
interface Outcome {
  emitted: [number, number][];
  opens: [number, number, string][];
  drops: [number, DropReason][];
  end: [string, number] | null;
  /** Virtual time of the last thing that ran: an arrival, the source's end, the timeout, the unsubscription. */
  lastFrame: number;
}

function model(s: Scenario): Outcome {
  const out: Outcome = { emitted: [], opens: [], drops: [], end: null, lastFrame: 0 };
  const level = Math.max(1, Math.ceil((s.percent * s.capacity) / 100)); // integer arithmetic: exact
  const held: number[] = [];
  let open = false;
  const openAt = (t: number, reason: string) => {
    out.lastFrame = Math.max(out.lastFrame, t);
    open = true;
    out.opens.push([t, held.length, reason]);
    for (const i of held.splice(0)) out.emitted.push([t, i]);
  };
  const events = s.times.map((t, i) => ({ t, i }));
  if (s.end !== 'none') events.push({ t: s.end === 'unsubscribe' ? s.endAt + 0.25 : s.endAt, i: -1 });
  for (const { t, i } of events) {
    const deadline = held.length > 0 ? s.times[held[0]!]! + s.timeoutMs : Infinity;
    if (!open && deadline < t) openAt(deadline, 'timeout');
    out.lastFrame = t;
    if (i >= 0) {
      if (open) out.emitted.push([t, i]);
      else {
        held.push(i);
        if (held.length >= level) openAt(t, 'filled');
      }
    } else if (s.end === 'complete') {
      if (!open) openAt(t, 'complete');
      out.end = ['complete', t];
      return out;
    } else {
      for (const h of held) out.drops.push([h, 'teardown']);
      if (s.end === 'error') out.end = ['error', t];
      return out;
    }
  }
  if (!open && held.length > 0 && s.timeoutMs !== Infinity) openAt(s.times[held[0]!]! + s.timeoutMs, 'timeout');
  return out;
}

function real(s: Scenario): Outcome {
  const out: Outcome = { emitted: [], opens: [], drops: [], end: null, lastFrame: 0 };
  const ts = new TestScheduler(() => undefined);
  ts.run(({ flush }) => {
    const messages = s.times.map((t, i) => nextAt(t, i));
    if (s.end === 'complete') messages.push(completeAt(s.endAt));
    if (s.end === 'error') messages.push(errorAt(s.endAt, new Error('source')));
    const gate = fillGate<number>({
      capacity: s.capacity,
      threshold: s.percent / 100,
      timeoutMs: s.timeoutMs,
      onOpen: ({ held, reason }) => out.opens.push([ts.now(), held, reason]),
      onDrop: (item, reason) => out.drops.push([item, reason]),
      ...(s.explicitScheduler ? { scheduler: ts } : {}),
    });
    const sub = scheduledSource(ts, messages)
      .pipe(gate)
      .subscribe({
        next: (i) => out.emitted.push([ts.now(), i]),
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
    level: fc.oneof(
      fc.record({ capacity: fc.integer({ min: 1, max: 30 }), percent: fc.integer({ min: 1, max: 100 }) }),
      // Pairs whose product p/100 × c lands just above an integer in doubles (0.14 × 50 = 7.000000000000001).
      fc.constantFrom([28, 25], [56, 25], [14, 50], [28, 50], [56, 50]).map(([percent, capacity]) => ({ capacity, percent })),
    ),
    timeoutMs: fc.oneof(fc.constant(Infinity), fc.integer({ min: 0, max: 20 }).map((n) => n + 0.5)),
    gaps: fc.array(fc.integer({ min: 0, max: 4 }), { maxLength: 40 }),
    end: fc.constantFrom('complete', 'error', 'unsubscribe', 'none' as const),
    endAfter: fc.integer({ min: 0, max: 10 }),
    explicitScheduler: fc.boolean(),
  })
  .map(({ level, gaps, endAfter, ...rest }) => {
    let t = 0;
    const times = gaps.map((g) => (t += g));
    return { ...rest, ...level, times, endAt: t + endAfter };
  });

describe('fillGate against a reference model', () => {
  it('opens, emits, drops and ends as the model does, at the same virtual times', () => {
    fc.assert(
      fc.property(scenario, (s) => {
        const expected = model(s);
        const actual = real(s);
        expect(actual).toEqual(expected);
        // Every item is emitted or dropped, at most once.
        const seen = [...actual.emitted.map(([, i]) => i), ...actual.drops.map(([i]) => i)].sort((x, y) => x - y);
        expect(new Set(seen).size).toBe(seen.length);
      }),
      { numRuns: 500 },
    );
  });
});
