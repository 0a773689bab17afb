/**
 * timeWindow: marble tests in virtual time (values, timing, overflow, late drops, errors,
 * completion, teardown), and a model test: random schedules of arrivals with PTS jitter,
 * clock jumps, capacity, delay, keepBehind, lead and tick period, against a reference model
 * written with arrays, sort and filter.
 */
import fc from 'fast-check';
import { take } from 'rxjs';
import { describe, expect, it, vi } from 'vitest';
import { ErrorCode } from '../../src/core/errors.js';
import { dropRecorder, toEqual } from '../helpers/streams.js';
import type { DropReason } from '../../src/streams/timed.js';
import { TimedQueue } from '../../src/streams/operator.js';
import { createTimeWindowStats, timeWindow, type TimeWindowStats } from '../../src/streams/timeWindow.js';
import {
  completeAt,
  errorAt,
  nextAt,
  ptsContinuity,
  runMarbles,
  scheduledSource,
  timedValues,
  videoFrames,
  virtualClock,
  type ClockJump,
  type ScheduledMessage,
  type TestVideoFrame,
  type TimedValue,
} from '../../src/testing/index.js';

const MS = 1_000_000;
const HALF_MS = MS / 2;

const stats = (s: Partial<TimeWindowStats>): TimeWindowStats => ({ ...createTimeWindowStats(), ...s });

describe('timeWindow', () => {
  const { a, b, c } = timedValues({ a: 0, b: 2, c: 4 }, 'ms');

  it('emits each item `delay` after its PTS, in order, then completes after the last', () => {
    const st = createTimeWindowStats();
    runMarbles(toEqual, ({ cold, expectObservable, expectSubscriptions }) => {
      const source = cold('a-b-c|', { a, b, c });
      expectObservable(source.pipe(timeWindow({ delay: 10 * MS, capacity: 8, tickMs: 1, stats: st }))).toBe('----------a-b-(c|)', { a, b, c });
      expectSubscriptions(source.subscriptions).toBe('^----!');
    });
    expect(st).toEqual(stats({ received: 3, emitted: 3, maxSize: 3 }));
  });

  it('checks the playout every tickMs (default 5 ms) while items are held', () => {
    runMarbles(toEqual, ({ cold, expectObservable }) => {
      expectObservable(cold('a-b-c|', { a, b, c }).pipe(timeWindow({ delay: 10 * MS, capacity: 8 }))).toBe('----------a----(bc|)', { a, b, c });
    });
  });

  it('releases items `lead` ahead of the playback position', () => {
    runMarbles(toEqual, ({ cold, expectObservable }) => {
      expectObservable(cold('a-b-c|', { a, b, c }).pipe(timeWindow({ delay: 10 * MS, lead: 3 * MS, capacity: 8, tickMs: 1 }))).toBe(
        '-------a-b-(c|)',
        { a, b, c },
      );
    });
  });

  it('puts an out-of-order item at its place, after items of equal PTS', () => {
    const { b2, c8 } = timedValues({ b2: 2, c8: 8 }, 'ms');
    runMarbles(toEqual, ({ cold, expectObservable }) => {
      expectObservable(cold('a-cbd|', { a, b, c: c8, d: b2 }).pipe(timeWindow({ delay: 10 * MS, capacity: 8, tickMs: 1 }))).toBe(
        '----------a-(bd)--(c|)',
        { a, b, c: c8, d: b2 },
      );
    });
  });

  it('emits the very objects it received', () => {
    const out: TimedValue[] = [];
    runMarbles(toEqual, ({ cold }) => {
      cold('a-b|', { a, b })
        .pipe(timeWindow({ delay: MS, capacity: 2, tickMs: 1 }))
        .subscribe((item) => out.push(item));
    });
    expect(out).toHaveLength(2);
    expect(out[0]).toBe(a);
    expect(out[1]).toBe(b);
  });

  it('drops the lowest-PTS held item as overflow before holding one more than capacity, or the new item when it is the lowest', () => {
    const r = dropRecorder();
    const st = createTimeWindowStats();
    runMarbles(toEqual, ({ cold, expectObservable }) => {
      const { x, y, z } = timedValues({ x: 0, y: 1, z: 2 }, 'ms');
      expectObservable(cold('xyz|', { x, y, z }).pipe(timeWindow({ delay: 10 * MS, capacity: 2, tickMs: 1, onDrop: r.onDrop, stats: st }))).toBe(
        '-----------y(z|)',
        { y, z },
      );
      // z then y arrive, then x, older than both: x itself is the one dropped.
      expectObservable(cold('zyx|', { x, y, z }).pipe(timeWindow({ delay: 10 * MS, capacity: 2, tickMs: 1, onDrop: r.onDrop }))).toBe(
        '-----------y(z|)',
        { y, z },
      );
    });
    expect(r.drops).toEqual([
      ['x', 'overflow'],
      ['x', 'overflow'],
    ]);
    expect(st).toEqual(stats({ received: 3, emitted: 2, droppedOverflow: 1, maxSize: 2 }));
  });

  it('drops held items as late when the clock jumps more than keepBehind past them, and emits the ones that became due', () => {
    const r = dropRecorder();
    const st = createTimeWindowStats();
    runMarbles(toEqual, ({ cold, expectObservable, scheduler }) => {
      // The event loop "blocks" at 11 ms: running time jumps 3 ms ahead.
      const now = virtualClock(scheduler, { jumps: [{ atMs: 11, by: 3 * MS }] });
      const window = timeWindow({ delay: 10 * MS, keepBehind: MS, capacity: 8, tickMs: 1, now, scheduler, onDrop: r.onDrop, stats: st });
      expectObservable(cold('a-b-c|', { a, b, c }).pipe(window)).toBe('----------a(c|)', { a, c });
    });
    expect(r.drops).toEqual([['b', 'late']]);
    expect(st).toEqual(stats({ received: 3, emitted: 2, droppedLate: 1, maxSize: 3 }));
  });

  it('drops held items as late when the ticks come too seldom to play them in time', () => {
    const r = dropRecorder();
    runMarbles(toEqual, ({ cold, expectObservable }) => {
      const { late } = timedValues({ late: 12 }, 'ms');
      const window = timeWindow({ delay: 10 * MS, keepBehind: 5 * MS, capacity: 8, tickMs: 20, onDrop: r.onDrop });
      expectObservable(cold('a-l|', { a, l: late }).pipe(window)).toBe('40ms |');
    });
    expect(r.drops).toEqual([
      ['a', 'late'],
      ['late', 'late'],
    ]);
  });

  it('drops an item that arrives already late at once, and emits one that arrives already due at once', () => {
    const r = dropRecorder();
    const st = createTimeWindowStats();
    runMarbles(toEqual, ({ cold, expectObservable }) => {
      const { due } = timedValues({ due: 20 }, 'ms');
      const window = timeWindow({ delay: 10 * MS, keepBehind: 5 * MS, capacity: 8, onDrop: r.onDrop, stats: st });
      expectObservable(cold('30ms a d|', { a, d: due }).pipe(window)).toBe('31ms d|', { d: due });
    });
    expect(r.drops).toEqual([['a', 'late']]);
    expect(st).toEqual(stats({ received: 2, emitted: 1, droppedLate: 1 }));
  });

  it('on a source error drops the held items as teardown and errors at once', () => {
    const r = dropRecorder();
    const st = createTimeWindowStats();
    runMarbles(toEqual, ({ cold, expectObservable, expectSubscriptions }) => {
      const source = cold('a-b-#', { a, b }, new Error('boom'));
      expectObservable(source.pipe(timeWindow({ delay: 10 * MS, capacity: 8, onDrop: r.onDrop, stats: st }))).toBe('----#', undefined, new Error('boom'));
      expectSubscriptions(source.subscriptions).toBe('^---!');
    });
    expect(r.drops).toEqual([
      ['a', 'teardown'],
      ['b', 'teardown'],
    ]);
    expect(st).toEqual(stats({ received: 2, discarded: 2, maxSize: 2 }));
  });

  it('on unsubscription drops every held item as teardown exactly once and unsubscribes from the source', () => {
    const r = dropRecorder();
    const st = createTimeWindowStats();
    const { d } = timedValues({ d: 6 }, 'ms');
    runMarbles(toEqual, ({ cold, expectObservable, expectSubscriptions }) => {
      const source = cold('a-b-c-d-|', { a, b, c, d });
      const window = timeWindow({ delay: 4 * MS, capacity: 8, tickMs: 1, onDrop: r.onDrop, stats: st });
      expectObservable(source.pipe(window), '^------!').toBe('----a-b-', { a, b });
      expectSubscriptions(source.subscriptions).toBe('^------!');
    });
    expect(r.drops).toEqual([
      ['c', 'teardown'],
      ['d', 'teardown'],
    ]);
    expect(st).toEqual(stats({ received: 4, emitted: 2, discarded: 2, maxSize: 2 }));
  });

  it('stops at once when a consumer unsubscribes while it emits, dropping the rest once', () => {
    const r = dropRecorder();
    const st = createTimeWindowStats();
    const { a2 } = timedValues({ a2: 0 }, 'ms');
    runMarbles(toEqual, ({ cold, expectObservable }) => {
      const window = timeWindow({ delay: 10 * MS, capacity: 8, tickMs: 1, onDrop: r.onDrop, stats: st });
      expectObservable(cold('ab|', { a, b: a2 }).pipe(window, take(1))).toBe('10ms (a|)', { a });
    });
    expect(r.drops).toEqual([['a2', 'teardown']]);
    expect(st).toEqual(stats({ received: 2, emitted: 1, discarded: 1, maxSize: 2 }));
  });

  it('runs no timer while nothing is held', () => {
    const seen: number[] = [];
    const now = runMarbles(toEqual, ({ cold, flush, scheduler, clock }) => {
      const now = vi.fn(clock);
      scheduler.maxFrames = 1000; // a timer that never stops would leave actions behind instead of hanging
      cold('a 50ms b', { a, b: timedValues({ b: 51 }, 'ms').b })
        .pipe(timeWindow({ delay: 10 * MS, capacity: 8, now, scheduler }))
        .subscribe(() => seen.push(scheduler.now()));
      flush();
      expect(scheduler.actions).toHaveLength(0);
      return now;
    });
    expect(seen).toEqual([10, 61]);
    // Arrivals at 0 and 51; ticks at 5 and 10 (a out, window empty: no more), then 56 and 61.
    expect(now).toHaveBeenCalledTimes(6);
  });

  it('plays every frame of live 30 fps video 7 s late through the spec\'s window of 210, and loses frames with one less', () => {
    // Frames arrive at their PTS, rounded up to the 1 ms of virtual time; the clock reads whole ms.
    const frames = videoFrames(400);
    const run = (capacity: number) =>
      runMarbles(toEqual, ({ scheduler }) => {
        const played: { frame: TestVideoFrame; at: number }[] = [];
        const st = createTimeWindowStats();
        scheduledSource(scheduler, [...frames.map((f) => nextAt(Math.ceil(f.pts / MS), f)), completeAt(14_000)])
          .pipe(timeWindow({ delay: 7000 * MS, capacity, tickMs: 1, stats: st }))
          .subscribe((frame) => played.push({ frame, at: scheduler.now() * MS }));
        return { played, st };
      });
    const spec = run(210);
    expect(spec.played).toHaveLength(400);
    expect(ptsContinuity(spec.played.map((p) => p.frame), { start: 0 })).toEqual({ count: 400, gaps: [], overlaps: [] });
    expect(spec.played.every(({ frame, at }) => at - frame.pts >= 7000 * MS && at - frame.pts < 7001 * MS)).toBe(true);
    expect(spec.st).toMatchObject({ maxSize: 210, droppedOverflow: 0 });
    // One short: every arrival from the 210th on sheds the oldest frame, so frames 0-190 never play.
    const short = run(209);
    const lost = frames[191]!.pts;
    expect(short.st).toMatchObject({ maxSize: 209, droppedOverflow: 191, emitted: 209 });
    expect(ptsContinuity(short.played.map((p) => p.frame), { start: 0 })).toEqual({ count: 209, gaps: [{ index: 0, expected: 0, actual: lost, size: lost }], overlaps: [] });
  });

  it('rejects bad options with ERR_INVALID_CONFIG naming the field', () => {
    const ok = { delay: MS, capacity: 1 };
    const cases: [string, Record<string, unknown>][] = [
      ['delay', { delay: 0 }],
      ['delay', { delay: -1 }],
      ['delay', { delay: Number.NaN }],
      ['delay', { delay: Infinity }],
      ['delay', { delay: undefined }],
      ['capacity', { capacity: 0 }],
      ['capacity', { capacity: 1.5 }],
      ['capacity', { capacity: Infinity }],
      ['keepBehind', { keepBehind: -1 }],
      ['lead', { lead: Number.NaN }],
      ['tickMs', { tickMs: 0 }],
      ['tickMs', { tickMs: Infinity }],
      ['now', { now: 5 }],
      ['onDrop', { onDrop: 'x' }],
      ['stats', { stats: 3 }],
    ];
    for (const [field, bad] of cases) {
      expect(() => timeWindow({ ...ok, ...bad }), field).toThrow(expect.objectContaining({ code: ErrorCode.INVALID_CONFIG, field }));
    }
    expect(() => timeWindow(undefined as never)).toThrow(expect.objectContaining({ code: ErrorCode.INVALID_CONFIG, field: 'options' }));
    expect(() => timeWindow({ ...ok, keepBehind: 0, lead: 0, tickMs: 0.5 })).not.toThrow();
  });
});

// ---------------------------------------------------------------------------------------------
// Model test

interface Arrival {
  readonly t: number;
  readonly pts: number;
}
interface Scenario {
  readonly capacity: number;
  readonly delay: number;
  readonly keepBehind: number;
  readonly lead: number;
  readonly tickMs: number;
  readonly arrivals: readonly Arrival[];
  /** Clock jumps: from `atMs` on, running time is `by` ns further ahead. */
  readonly jumps: readonly ClockJump[];
  readonly end: 'complete' | 'error' | 'unsubscribe' | 'none';
  readonly endAt: number;
  readonly explicitScheduler: boolean;
}
interface Outcome {
  emitted: [number, number][];
  drops: [number, DropReason][];
  end: [string, number] | null;
  stats: TimeWindowStats;
  /** Virtual time of the last thing that ran: an arrival, the source's end, a tick, the unsubscription. */
  lastFrame: number;
}


const runningTime = (s: Scenario, t: number): number => t * MS + s.jumps.filter((j) => j.atMs <= t).reduce((sum, j) => sum + j.by, 0);

/**
 * The reference: a simulation over whole milliseconds. At each one, the source's arrivals
 * and its end come first (each arrival plays out, then is dropped, emitted or held), then the
 * tick if one is due; unsubscription comes half a millisecond later.
 */
function model(s: Scenario): Outcome {
  const out: Outcome = { emitted: [], drops: [], end: null, stats: createTimeWindowStats(), lastFrame: 0 };
  const st = out.stats;
  let held: { i: number; pts: number }[] = [];
  let nextTick: number | null = null;
  let sourceDone = false;
  const playout = (t: number) => {
    const position = runningTime(s, t) - s.delay;
    const late = held.filter((h) => h.pts < position - s.keepBehind);
    const due = held.filter((h) => h.pts >= position - s.keepBehind && h.pts <= position + s.lead);
    held = held.filter((h) => h.pts > position + s.lead);
    for (const h of late) out.drops.push([h.i, 'late']);
    for (const h of due) out.emitted.push([t, h.i]);
    st.droppedLate += late.length;
    st.emitted += due.length;
  };
  const lastT = s.arrivals.length ? s.arrivals[s.arrivals.length - 1]!.t : 0;
  for (let t = 0; t < 100_000; t++) {
    s.arrivals.forEach((arr, i) => {
      if (arr.t !== t) return;
      out.lastFrame = t;
      st.received++;
      playout(t);
      const position = runningTime(s, t) - s.delay;
      if (arr.pts < position - s.keepBehind) {
        out.drops.push([i, 'late']);
        st.droppedLate++;
      } else if (arr.pts <= position + s.lead) {
        out.emitted.push([t, i]);
        st.emitted++;
      } else {
        held.push({ i, pts: arr.pts });
        held.sort((x, y) => x.pts - y.pts || x.i - y.i); // stable: equal PTS in arrival order
        if (held.length > s.capacity) {
          out.drops.push([held.shift()!.i, 'overflow']);
          st.droppedOverflow++;
        }
        st.maxSize = Math.max(st.maxSize, held.length);
        nextTick ??= t + s.tickMs;
      }
    });
    if (s.endAt === t && s.end !== 'none') out.lastFrame = s.end === 'unsubscribe' ? t + 0.5 : t;
    if (s.endAt === t && s.end === 'complete') {
      sourceDone = true;
      playout(t);
      if (held.length === 0) return { ...out, end: ['complete', t] };
    }
    if (s.endAt === t && s.end === 'error') {
      for (const h of held) out.drops.push([h.i, 'teardown']);
      st.discarded += held.length;
      return { ...out, end: ['error', t] };
    }
    if (nextTick === t) {
      out.lastFrame = Math.max(out.lastFrame, t);
      playout(t);
      nextTick = held.length > 0 ? t + s.tickMs : null;
      if (held.length === 0 && sourceDone) return { ...out, end: ['complete', t] };
    }
    if (s.endAt === t && s.end === 'unsubscribe') {
      for (const h of held) out.drops.push([h.i, 'teardown']);
      st.discarded += held.length;
      return out;
    }
    if (s.end === 'none' && t >= lastT && nextTick === null) return out;
  }
  throw new Error('model did not finish');
}

interface Arrived {
  readonly i: number;
  readonly pts: number;
  readonly duration: number;
}

function real(s: Scenario): Outcome {
  const out: Outcome = { emitted: [], drops: [], end: null, stats: createTimeWindowStats(), lastFrame: 0 };
  runMarbles(toEqual, ({ scheduler: ts, flush }) => {
    ts.maxFrames = 100_000;
    const messages: ScheduledMessage<Arrived>[] = s.arrivals.map((arr, i) => nextAt(arr.t, { i, pts: arr.pts, duration: 0 }));
    if (s.end === 'complete') messages.push(completeAt(s.endAt));
    if (s.end === 'error') messages.push(errorAt(s.endAt, new Error('source')));
    const window = timeWindow<Arrived>({
      delay: s.delay,
      capacity: s.capacity,
      keepBehind: s.keepBehind,
      lead: s.lead,
      tickMs: s.tickMs,
      now: virtualClock(ts, { jumps: s.jumps }),
      onDrop: (item, reason) => out.drops.push([item.i, reason]),
      stats: out.stats,
      ...(s.explicitScheduler ? { scheduler: ts } : {}),
    });
    const sub = scheduledSource(ts, messages)
      .pipe(window)
      .subscribe({
        next: (item) => {
          out.emitted.push([ts.now(), item.i]);
          expect(out.stats.size).toBeLessThanOrEqual(s.capacity);
        },
        error: () => (out.end = ['error', ts.now()]),
        complete: () => (out.end = ['complete', ts.now()]),
      });
    if (s.end === 'unsubscribe') ts.schedule(() => sub.unsubscribe(), s.endAt + 0.5);
    flush();
    out.lastFrame = ts.frame;
  });
  return out;
}

const scenario: fc.Arbitrary<Scenario> = fc
  .record({
    capacity: fc.integer({ min: 1, max: 6 }),
    delay: fc.integer({ min: 1, max: 15 }).map((ms) => ms * MS),
    // Times in steps of half a millisecond, so that ties (PTS exactly at a bound, equal PTS) are common.
    keepBehind: fc.integer({ min: 0, max: 16 }).map((n) => n * HALF_MS),
    lead: fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 10 }).map((n) => n * HALF_MS)),
    tickMs: fc.integer({ min: 1, max: 4 }),
    steps: fc.array(fc.record({ gap: fc.integer({ min: 0, max: 4 }), jitter: fc.integer({ min: -12, max: 12 }).map((n) => n * HALF_MS) }), { maxLength: 25 }),
    jumps: fc.array(fc.record({ atMs: fc.integer({ min: 0, max: 80 }), by: fc.integer({ min: 0, max: 40 }).map((n) => n * HALF_MS) }), { maxLength: 3 }),
    end: fc.constantFrom('complete', 'error', 'unsubscribe', 'none' as const),
    endAfter: fc.integer({ min: 0, max: 30 }),
    explicitScheduler: fc.boolean(),
  })
  .map(({ steps, endAfter, ...rest }) => {
    let t = 0;
    const arrivals = steps.map(({ gap, jitter }) => {
      t += gap;
      return { t, pts: t * MS + jitter };
    });
    return { ...rest, arrivals, endAt: t + endAfter };
  });

describe('timeWindow against a reference model', () => {
  it('emits, drops and counts as the model does, at the same virtual times, never holding more than capacity', () => {
    fc.assert(
      fc.property(scenario, (s) => {
        const expected = model(s);
        const actual = real(s);
        expect(actual.emitted).toEqual(expected.emitted);
        expect(actual.drops).toEqual(expected.drops);
        expect(actual.end).toEqual(expected.end);
        expect(actual.stats).toEqual(expected.stats);
        expect(actual.stats.maxSize).toBeLessThanOrEqual(s.capacity);
        // Every item that came is accounted for exactly once: emitted or dropped.
        expect(actual.emitted.length + actual.drops.length).toBe(s.arrivals.length);
        // Nothing runs after the end, and no tick runs once the window was found empty.
        expect(actual.lastFrame).toBe(expected.lastFrame);
      }),
      { numRuns: 500 },
    );
  });
});

describe('TimedQueue (the window\'s store)', () => {
  it('keeps items in PTS order (equal PTS in arrival order) through long runs that make it compact', () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ push: fc.integer({ min: 0, max: 900 }), shift: fc.integer({ min: 0, max: 900 }), disorder: fc.integer({ min: 0, max: 5 }) }), {
          minLength: 1,
          maxLength: 8,
        }),
        (batches) => {
          const queue = new TimedQueue<{ pts: number; duration: number; seq: number }>();
          const reference: { pts: number; duration: number; seq: number }[] = [];
          let seq = 0;
          let pts = 0;
          for (const batch of batches) {
            for (let k = 0; k < batch.push; k++) {
              // Mostly in order; every few items one that goes back `disorder` steps.
              pts += 2;
              const item = { pts: k % 7 === 3 ? pts - batch.disorder * 2 : pts, duration: 0, seq: seq++ };
              queue.insert(item);
              reference.push(item);
            }
            reference.sort((x, y) => x.pts - y.pts || x.seq - y.seq);
            const peeked: unknown[] = [];
            const shifted: unknown[] = [];
            for (let k = 0; k < batch.shift; k++) {
              peeked.push(queue.peek());
              shifted.push(queue.shift());
            }
            const expected = reference.splice(0, batch.shift);
            while (expected.length < batch.shift) expected.push(undefined as never);
            expect(peeked).toEqual(expected);
            expect(shifted).toEqual(expected);
            expect(shifted.every((item, k) => item === expected[k])).toBe(true);
            expect(queue.size).toBe(reference.length);
          }
          const rest: unknown[] = [];
          for (let item = queue.shift(); item !== undefined; item = queue.shift()) rest.push(item);
          expect(rest).toEqual(reference);
          expect(queue.size).toBe(0);
          expect(queue.peek()).toBeUndefined();
        },
      ),
      { numRuns: 100 },
    );
  });
});
