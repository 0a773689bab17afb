/**
 * ptsSync: marble tests in virtual time (release by video, late drops, maxHoldMs, video
 * completion and errors, audio completion and errors, teardown), and a model test: random
 * interleavings of audio and video with PTS going back and forth, against a reference model
 * written with arrays, sort and filter.
 */
import fc from 'fast-check';
import { Observable, tap } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../../src/core/errors.js';
import { dropRecorder, toEqual } from '../helpers/streams.js';
import { createPtsSyncStats, ptsSync, type PtsSyncStats } from '../../src/streams/ptsSync.js';
import type { DropReason, Timed } from '../../src/streams/timed.js';
import {
  audioChunks,
  completeAt,
  errorAt,
  nextAt,
  runMarbles,
  sampleCounter,
  scheduledSource,
  timedValues,
  videoFrames,
  type ScheduledMessage,
  type TimedValue,
} from '../../src/testing/index.js';

const MS = 1_000_000;
const HALF_MS = MS / 2;

const stats = (s: Partial<PtsSyncStats>): PtsSyncStats => ({ ...createPtsSyncStats(), ...s });

describe('ptsSync', () => {
  it('holds audio until a video item comes within `window` of it, and emits audio already within the window at once', () => {
    const st = createPtsSyncStats();
    const audio = timedValues({ a: 0, b: 5, c: 30, d: 25, e: 35 }, 'ms');
    runMarbles(toEqual, ({ cold, expectObservable, expectSubscriptions }) => {
      const video$ = cold('-v---w---|', timedValues({ v: 0, w: 20 }, 'ms'));
      const audio$ = cold('a-b-c-d-e-|', audio);
      // a waits for v; b is within v + 10 ms; c waits for w (exactly w + 10 ms); d is within w + 10 ms; e waits for the video to complete.
      expectObservable(audio$.pipe(ptsSync(video$, { window: 10 * MS, stats: st }))).toBe('-ab--cd--e|', audio);
      expectSubscriptions(video$.subscriptions).toBe('^--------!');
      expectSubscriptions(audio$.subscriptions).toBe('^---------!');
    });
    expect(st).toEqual(stats({ emitted: 5, lastVideoPts: 20 * MS }));
  });

  it('uses the spec defaults: a 100 ms window and a 50 ms tolerance', () => {
    const r = dropRecorder();
    const audio = timedValues({ a: 100, b: 101, c: -51, d: -50 }, 'ms');
    runMarbles(toEqual, ({ cold, expectObservable }) => {
      expectObservable(cold('-abcd', audio).pipe(ptsSync(cold('v', timedValues({ v: 0 })), { onDrop: r.onDrop }))).toBe('-a--d', audio);
    });
    expect(r.drops).toEqual([['c', 'late']]);
  });

  it('drops audio that ended more than `tolerance` before the last video PTS as late; audio completing while held waits for the video', () => {
    const r = dropRecorder();
    const st = createPtsSyncStats();
    // Video at 100 ms, tolerance 5 ms: a ends at 90 ms (late), b ends at 95 ms (in time), c is ahead.
    const audio = timedValues({ a: [80, 10], b: [85, 10], c: 120 }, 'ms');
    runMarbles(toEqual, ({ cold, expectObservable, expectSubscriptions }) => {
      const video$ = cold('v-------|', timedValues({ v: 100 }, 'ms'));
      const audio$ = cold('-a-b-c|', audio);
      expectObservable(audio$.pipe(ptsSync(video$, { window: 10 * MS, tolerance: 5 * MS, onDrop: r.onDrop, stats: st }))).toBe('---b----(c|)', audio);
      expectSubscriptions(audio$.subscriptions).toBe('^-----!');
      expectSubscriptions(video$.subscriptions).toBe('^-------!');
    });
    expect(r.drops).toEqual([['a', 'late']]);
    expect(st).toEqual(stats({ emitted: 2, droppedLate: 1, lastVideoPts: 100 * MS }));
  });

  it('emits the very objects it received', () => {
    const { a } = timedValues({ a: 0 });
    const out: TimedValue[] = [];
    runMarbles(toEqual, ({ cold }) => {
      cold('-a|', { a })
        .pipe(ptsSync(cold('v|', timedValues({ v: 0 }))))
        .subscribe((x) => out.push(x));
    });
    expect(out).toHaveLength(1);
    expect(out[0]).toBe(a);
  });

  it('releases held audio when the video has been silent for maxHoldMs', () => {
    const { a, b, c } = timedValues({ a: 50, b: 60, c: 70 }, 'ms');
    runMarbles(toEqual, ({ cold, expectObservable }) => {
      const video$ = cold('v', timedValues({ v: 0 }));
      // Held from 2 (a): released at 12. c held from 16, the audio completes at 17: released and complete at 26.
      expectObservable(cold('--a-b-----------c|', { a, b, c }).pipe(ptsSync(video$, { window: 10 * MS, maxHoldMs: 10 }))).toBe('12ms (ab) 10ms (c|)', {
        a,
        b,
        c,
      });
    });
  });

  it('counts the maxHoldMs silence from the last video item while audio is held', () => {
    const { a } = timedValues({ a: 50 }, 'ms');
    runMarbles(toEqual, ({ cold, expectObservable, expectSubscriptions, scheduler }) => {
      const video$ = cold('v-----w', timedValues({ v: 0, w: 5 }, 'ms'));
      const audio$ = cold('--a|', { a });
      expectObservable(audio$.pipe(ptsSync(video$, { window: 10 * MS, maxHoldMs: 10, scheduler }))).toBe('16ms (a|)', { a });
      expectSubscriptions(video$.subscriptions).toBe('^---------------!');
    });
  });

  it('runs no maxHoldMs timer once nothing is held', () => {
    const seen: number[] = [];
    let pendingAfter = -1;
    runMarbles(toEqual, ({ cold, scheduler }) => {
      cold('a', timedValues({ a: 50 }, 'ms'))
        .pipe(ptsSync(cold('-v', timedValues({ v: 100 }, 'ms')), { maxHoldMs: 10, scheduler }))
        .subscribe(() => seen.push(scheduler.now()));
      scheduler.schedule(() => (pendingAfter = scheduler.actions.length), 2);
    });
    expect(seen).toEqual([1]);
    expect(pendingAfter).toBe(0);
  });

  it('after the video completes, emits what it holds and lets later audio through', () => {
    const audio = timedValues({ a: 500, b: 0, c: 900 }, 'ms');
    runMarbles(toEqual, ({ cold, expectObservable }) => {
      expectObservable(cold('a--b-c|', audio).pipe(ptsSync(cold('-v|', timedValues({ v: 0 })), { window: 0 }))).toBe('--ab-c|', audio);
    });
  });

  it('errors when the video errors, dropping held audio as teardown', () => {
    const r = dropRecorder();
    const st = createPtsSyncStats();
    const { a } = timedValues({ a: 0 });
    runMarbles(toEqual, ({ cold, expectObservable, expectSubscriptions }) => {
      const video$ = cold<Timed>('--#', undefined, new Error('video'));
      const audio$ = cold('a----', { a });
      expectObservable(audio$.pipe(ptsSync(video$, { onDrop: r.onDrop, stats: st }))).toBe('--#', undefined, new Error('video'));
      expectSubscriptions(audio$.subscriptions).toBe('^-!');
      expectSubscriptions(video$.subscriptions).toBe('^-!');
    });
    expect(r.drops).toEqual([['a', 'teardown']]);
    expect(st).toEqual(stats({ discarded: 1 }));
  });

  it('errors when the audio errors, dropping held audio as teardown and unsubscribing from the video', () => {
    const r = dropRecorder();
    const { a } = timedValues({ a: 0 });
    runMarbles(toEqual, ({ cold, expectObservable, expectSubscriptions }) => {
      const video$ = cold<Timed>('-----');
      const audio$ = cold('a-#', { a }, new Error('audio'));
      expectObservable(audio$.pipe(ptsSync(video$, { onDrop: r.onDrop }))).toBe('--#', undefined, new Error('audio'));
      expectSubscriptions(video$.subscriptions).toBe('^-!');
    });
    expect(r.drops).toEqual([['a', 'teardown']]);
  });

  it('completes once the audio has completed with nothing held, unsubscribing from the video', () => {
    const { a } = timedValues({ a: 0 });
    runMarbles(toEqual, ({ cold, expectObservable, expectSubscriptions }) => {
      const video$ = cold('v------', timedValues({ v: 0 }));
      expectObservable(cold('-a-|', { a }).pipe(ptsSync(video$))).toBe('-a-|', { a });
      expectSubscriptions(video$.subscriptions).toBe('^--!');
    });
  });

  it('on unsubscription drops held audio as teardown, cancels the maxHoldMs timer and unsubscribes from both', () => {
    const r = dropRecorder();
    const st = createPtsSyncStats();
    const audio = timedValues({ a: 0, b: 200, c: 300 }, 'ms');
    let pendingAfter = -1;
    runMarbles(toEqual, ({ cold, expectObservable, expectSubscriptions, scheduler }) => {
      const video$ = cold('v-------', timedValues({ v: 0 }));
      const audio$ = cold('a-b-c---', audio);
      expectObservable(audio$.pipe(ptsSync(video$, { maxHoldMs: 10, onDrop: r.onDrop, stats: st, scheduler })), '^----!').toBe('a----', audio);
      expectSubscriptions(audio$.subscriptions).toBe('^----!');
      expectSubscriptions(video$.subscriptions).toBe('^----!');
      // Right after the unsubscription nothing is left scheduled (the timer would fire at 12).
      scheduler.schedule(() => (pendingAfter = scheduler.actions.length), 6);
    });
    expect(pendingAfter).toBe(0);
    expect(r.drops).toEqual([
      ['b', 'teardown'],
      ['c', 'teardown'],
    ]);
    expect(st).toEqual(stats({ emitted: 1, discarded: 2, lastVideoPts: 0 }));
  });

  it('holds live audio that comes before the first video frame and releases all of it, in order and whole, when the video starts', () => {
    // One second of audio in the spec's 10 ms chunks from 0 ms; 30 fps video from 500 ms. Each arrives at its PTS.
    const chunks = audioChunks({ count: 100, frames: 480 });
    const frames = videoFrames(15, { start: 500 * MS });
    const counter = sampleCounter({ start: 0 });
    const released = runMarbles(toEqual, ({ scheduler }) => {
      const at: number[] = [];
      const audio$ = scheduledSource(scheduler, [...chunks.map((c) => nextAt(c.pts / MS, c)), completeAt(1000)]);
      const video$ = scheduledSource(scheduler, [...frames.map((f) => nextAt(Math.ceil(f.pts / MS), f)), completeAt(1000)]);
      audio$.pipe(ptsSync(video$), tap(counter.add)).subscribe(() => at.push(scheduler.now()));
      return at;
    });
    expect(counter.report()).toEqual({ count: 100, frames: 48000, end: 48000, gaps: [], overlaps: [] });
    expect(released).toEqual(chunks.map((_, k) => Math.max(500, 10 * k)));
  });

  it('rejects bad options with ERR_INVALID_CONFIG naming the field, and a video that is not an Observable', () => {
    const video$ = new Observable<Timed>();
    const cases: [string, Record<string, unknown>][] = [
      ['window', { window: -1 }],
      ['window', { window: Infinity }],
      ['tolerance', { tolerance: Number.NaN }],
      ['maxHoldMs', { maxHoldMs: -1 }],
      ['maxHoldMs', { maxHoldMs: Number.NaN }],
      ['onDrop', { onDrop: 1 }],
      ['stats', { stats: 'x' }],
    ];
    for (const [field, bad] of cases) {
      expect(() => ptsSync(video$, bad), field).toThrow(expect.objectContaining({ code: ErrorCode.INVALID_CONFIG, field }));
    }
    expect(() => ptsSync([] as never)).toThrow(expect.objectContaining({ code: ErrorCode.INVALID_ARGUMENT }));
    expect(() => ptsSync(video$, { window: 0, tolerance: 0, maxHoldMs: 0 })).not.toThrow();
  });
});

// ---------------------------------------------------------------------------------------------
// Model test


type End = 'complete' | 'error' | 'none';
interface AudioIn {
  readonly t: number;
  readonly pts: number;
  readonly duration: number;
}
interface VideoIn {
  readonly t: number;
  readonly pts: number;
}
interface Scenario {
  readonly window: number;
  readonly tolerance: number;
  readonly maxHoldMs: number;
  /** Audio at odd frames, video at even ones, unsubscription at a quarter past, maxHoldMs ends at half past: no ties. */
  readonly audio: readonly AudioIn[];
  readonly video: readonly VideoIn[];
  readonly audioEnd: End;
  readonly audioEndAt: number;
  readonly videoEnd: End;
  readonly videoEndAt: number;
  readonly unsubscribeAt: number | null;
  readonly explicitScheduler: boolean;
}
interface Outcome {
  emitted: [number, number][];
  drops: [number, DropReason][];
  end: [string, number] | null;
  stats: PtsSyncStats;
  /** Virtual time of the last thing that ran: a source event, the timer, the unsubscription. */
  lastFrame: number;
}

type Event =
  | { t: number; kind: 'audio'; i: number; pts: number; duration: number }
  | { t: number; kind: 'video'; pts: number }
  | { t: number; kind: 'audioEnd' | 'videoEnd'; end: End }
  | { t: number; kind: 'unsubscribe' };

/** The reference: events in time order; the maxHoldMs deadline is checked before each. */
function model(s: Scenario): Outcome {
  const out: Outcome = { emitted: [], drops: [], end: null, stats: createPtsSyncStats(), lastFrame: 0 };
  const st = out.stats;
  const events: Event[] = [
    ...s.audio.map((a, i) => ({ kind: 'audio' as const, i, ...a })),
    ...s.video.map((v) => ({ kind: 'video' as const, ...v })),
    ...(s.audioEnd === 'none' ? [] : [{ t: s.audioEndAt, kind: 'audioEnd' as const, end: s.audioEnd }]),
    ...(s.videoEnd === 'none' ? [] : [{ t: s.videoEndAt, kind: 'videoEnd' as const, end: s.videoEnd }]),
    ...(s.unsubscribeAt === null ? [] : [{ t: s.unsubscribeAt, kind: 'unsubscribe' as const }]),
  ].sort((x, y) => x.t - y.t);
  let held: { i: number; pts: number }[] = [];
  let lastVideo: number | undefined;
  let videoDone = false;
  let audioDone = false;
  let holdFrom = 0;
  let ended = false;
  const release = (t: number, upTo: number) => {
    out.lastFrame = Math.max(out.lastFrame, t);
    const out_ = held.filter((h) => h.pts <= upTo);
    held = held.filter((h) => h.pts > upTo);
    for (const h of out_) out.emitted.push([t, h.i]);
    st.emitted += out_.length;
    if (held.length === 0 && audioDone) {
      out.end = ['complete', t];
      ended = true;
    }
  };
  const discard = () => {
    for (const h of held) out.drops.push([h.i, 'teardown']);
    st.discarded += held.length;
    held = [];
    ended = true;
  };
  for (const ev of events) {
    if (held.length > 0 && holdFrom + s.maxHoldMs < ev.t) release(holdFrom + s.maxHoldMs, Infinity);
    if (ended) break;
    out.lastFrame = ev.t;
    switch (ev.kind) {
      case 'audio':
        if (videoDone || (lastVideo !== undefined && ev.pts <= lastVideo + s.window && ev.pts + ev.duration >= lastVideo - s.tolerance)) {
          out.emitted.push([ev.t, ev.i]);
          st.emitted++;
        } else if (lastVideo !== undefined && ev.pts + ev.duration < lastVideo - s.tolerance) {
          out.drops.push([ev.i, 'late']);
          st.droppedLate++;
        } else {
          if (held.length === 0) holdFrom = ev.t;
          held = [...held, { i: ev.i, pts: ev.pts }].sort((x, y) => x.pts - y.pts || x.i - y.i);
        }
        break;
      case 'video':
        lastVideo = ev.pts;
        if (held.length > 0) holdFrom = ev.t;
        release(ev.t, ev.pts + s.window);
        break;
      case 'videoEnd':
        if (ev.end === 'error') {
          discard();
          out.end = ['error', ev.t];
        } else {
          videoDone = true;
          release(ev.t, Infinity);
        }
        break;
      case 'audioEnd':
        if (ev.end === 'error') {
          discard();
          out.end = ['error', ev.t];
        } else {
          audioDone = true;
          if (held.length === 0) {
            out.end = ['complete', ev.t];
            ended = true;
          }
        }
        break;
      case 'unsubscribe':
        discard();
        break;
    }
    if (ended) break;
  }
  if (!ended && held.length > 0 && s.maxHoldMs !== Infinity) release(holdFrom + s.maxHoldMs, Infinity);
  st.held = held.length;
  st.lastVideoPts = lastVideo;
  // The unsubscription runs at its time even when the output ended before.
  if (s.unsubscribeAt !== null) out.lastFrame = Math.max(out.lastFrame, s.unsubscribeAt);
  return out;
}

type A = { i: number } & Timed;

function real(s: Scenario): Outcome {
  const out: Outcome = { emitted: [], drops: [], end: null, stats: createPtsSyncStats(), lastFrame: 0 };
  runMarbles(toEqual, ({ scheduler: ts, flush }) => {
    ts.maxFrames = 100_000;
    const endMessage = (end: End, frame: number): ScheduledMessage<never>[] =>
      end === 'complete' ? [completeAt(frame)] : end === 'error' ? [errorAt(frame, new Error('end'))] : [];
    const audio$ = scheduledSource<A>(ts, [...s.audio.map((a, i) => nextAt(a.t, { i, pts: a.pts, duration: a.duration })), ...endMessage(s.audioEnd, s.audioEndAt)]);
    const video$ = scheduledSource<Timed>(ts, [...s.video.map((v) => nextAt(v.t, { pts: v.pts, duration: 0 })), ...endMessage(s.videoEnd, s.videoEndAt)]);
    const sync = ptsSync<A>(video$, {
      window: s.window,
      tolerance: s.tolerance,
      maxHoldMs: s.maxHoldMs,
      onDrop: (item, reason) => out.drops.push([item.i, reason]),
      stats: out.stats,
      ...(s.explicitScheduler ? { scheduler: ts } : {}),
    });
    const sub = audio$.pipe(sync).subscribe({
      next: (item) => out.emitted.push([ts.now(), item.i]),
      error: () => (out.end = ['error', ts.now()]),
      complete: () => (out.end = ['complete', ts.now()]),
    });
    if (s.unsubscribeAt !== null) ts.schedule(() => sub.unsubscribe(), s.unsubscribeAt);
    flush();
    out.lastFrame = ts.frame;
  });
  return out;
}

const END = fc.constantFrom<End>('complete', 'complete', 'error', 'none');
const scenario: fc.Arbitrary<Scenario> = fc
  .record({
    window: fc.integer({ min: 0, max: 40 }).map((n) => n * HALF_MS),
    tolerance: fc.integer({ min: 0, max: 20 }).map((n) => n * HALF_MS),
    maxHoldMs: fc.oneof(fc.constant(Infinity), fc.integer({ min: 0, max: 15 }).map((n) => n + 0.5)),
    audioStart: fc.integer({ min: 0, max: 40 }).map((n) => n * HALF_MS),
    videoStart: fc.integer({ min: 0, max: 40 }).map((n) => n * HALF_MS),
    audioSteps: fc.array(
      fc.record({
        gap: fc.integer({ min: 1, max: 4 }),
        step: fc.integer({ min: -8, max: 20 }).map((n) => n * HALF_MS),
        duration: fc.integer({ min: 0, max: 10 }).map((n) => n * HALF_MS),
      }),
      { maxLength: 20 },
    ),
    videoSteps: fc.array(fc.record({ gap: fc.integer({ min: 1, max: 6 }), step: fc.integer({ min: -10, max: 40 }).map((n) => n * HALF_MS) }), { maxLength: 12 }),
    audioEnd: END,
    audioEndAfter: fc.integer({ min: 0, max: 10 }),
    videoEnd: END,
    videoEndAfter: fc.integer({ min: 0, max: 20 }),
    unsubscribeAt: fc.option(fc.integer({ min: 0, max: 60 }).map((n) => n + 0.25), { nil: null }),
    explicitScheduler: fc.boolean(),
  })
  .map((r): Scenario => {
    let slot = 0;
    let pts = r.audioStart;
    const audio = r.audioSteps.map(({ gap, step, duration }) => {
      slot += gap;
      pts += step;
      return { t: 2 * slot + 1, pts, duration };
    });
    const audioEndAt = 2 * (slot + 1 + r.audioEndAfter) + 1;
    slot = 0;
    pts = r.videoStart;
    const video = r.videoSteps.map(({ gap, step }) => {
      pts += step;
      const v = { t: 2 * slot, pts };
      slot += gap;
      return v;
    });
    const videoEndAt = 2 * (slot + r.videoEndAfter);
    return { ...r, audio, video, audioEndAt, videoEndAt };
  });

describe('ptsSync against a reference model', () => {
  it('emits, drops, completes and counts as the model does, at the same virtual times', () => {
    fc.assert(
      fc.property(scenario, (s) => {
        const expected = model(s);
        const actual = real(s);
        expect(actual.emitted).toEqual(expected.emitted);
        expect(actual.drops).toEqual(expected.drops);
        expect(actual.end).toEqual(expected.end);
        expect(actual.stats).toEqual(expected.stats);
        // Nothing runs after the end: no timer fires once the output has ended or nothing is held.
        expect(actual.lastFrame).toBe(expected.lastFrame);
      }),
      { numRuns: 500 },
    );
  });
});
