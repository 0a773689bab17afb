/**
 * Marble tests for sources and sinks whose work settles outside virtual time (a ring's
 * `readAsync`/`writeAsync` woken by `Atomics.waitAsync`, file reads and writes): TestScheduler's
 * run mode flushes every frame in one synchronous go, before any of that work settles. Here
 * virtual time advances one frame at a time instead, and between frames the test waits (in
 * real time) until the frame's work has settled: no file request is in flight (watched with
 * async_hooks), the notifications the expected diagrams put at or before that frame have
 * arrived, and the event loop has turned a few times with nothing new, so a late or extra
 * notification lands in the frame where it really came. The diagrams are read as in run mode
 * (one character is one frame, `3ms` advances three); the values are compared with toEqual
 * (asymmetric matchers work, e.g. `expect.objectContaining({ code })` for an error).
 */
import { createHook } from 'node:async_hooks';
import { Observable, VirtualTimeScheduler, type ObservableNotification, type Subscription } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { expect } from 'vitest';
import { scheduledSource } from '../../../src/testing/index.js';

/** One notification as it was seen (or is expected): its frame and what it was. */
interface Seen {
  frame: number;
  kind: 'N' | 'E' | 'C';
  value?: unknown;
  error?: unknown;
}

interface Test {
  actual: Seen[];
  expected: Seen[] | undefined;
}

/** A cold source made from a diagram, with the frames at which it was subscribed and unsubscribed. */
export interface LoggedCold<T> extends Observable<T> {
  readonly subscriptions: { subscribedFrame: number; unsubscribedFrame: number }[];
}

/** What the test body gets. */
export interface AsyncMarbleHelpers {
  readonly scheduler: TestScheduler;
  /** A cold Observable from a diagram, delivered on the scheduler. */
  readonly cold: <T>(marbles: string, values?: Record<string, T>, error?: unknown) => LoggedCold<T>;
  /** Subscribes at frame 0 (or as `subscription` says: `'^--!'`) and records what comes. */
  readonly expectObservable: (
    observable: Observable<unknown>,
    subscription?: string,
  ) => { toBe: (marbles: string, values?: Record<string, unknown>, error?: unknown) => void };
  /** Checks a cold source's subscription log against `'^---!'` diagrams. */
  readonly expectSubscriptions: (log: LoggedCold<unknown>['subscriptions']) => { toBe: (...marbles: string[]) => void };
  /** Runs `action` at `frame` (a producer's write, a consumer's read …). */
  readonly at: (frame: number, action: () => void) => void;
}

/** Options of {@link runAsyncMarbles}. */
export interface AsyncMarbleOptions {
  /** Virtual frames to run. Default: the last frame any diagram names, plus 3. */
  readonly frames?: number;
  /** Longest real wait for a frame's expected notifications; a notification that has not come by then is missing. Default 5000 ms. */
  readonly waitMs?: number;
}

const toSeen = ({ frame, notification }: { frame: number; notification: ObservableNotification<unknown> }): Seen => {
  if (notification.kind === 'N') return { frame, kind: 'N', value: notification.value };
  if (notification.kind === 'E') return { frame, kind: 'E', error: notification.error };
  return { frame, kind: 'C' };
};

const turn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** Async resources that are I/O in flight: file system requests (callback and promise APIs), closes, stream writes. */
const IO_REQUEST = /^(FSREQ|FILEHANDLECLOSEREQ|WRITEWRAP|SHUTDOWNWRAP)/;
/** Turns of the event loop with nothing in flight that make a frame settled. */
const QUIET_TURNS = 5;

/**
 * Builds the test with `body` (synchronously, as in run mode), then advances virtual time a
 * frame at a time, waiting between frames as described above, and finally compares every
 * `expectObservable` and `expectSubscriptions` with its diagram.
 *
 * @example
 * await runAsyncMarbles(({ cold, expectObservable }) => {
 *   expectObservable(cold('-a|', values).pipe(intoRing(ring))).toBe('-a|', receipts);
 * });
 */
export async function runAsyncMarbles(body: (helpers: AsyncMarbleHelpers) => void, options: AsyncMarbleOptions = {}): Promise<void> {
  // What TestScheduler.run does for its diagrams (one character, one frame); outside run() only this static says so.
  // eslint-disable-next-line @typescript-eslint/no-deprecated
  const previousFactor = TestScheduler.frameTimeFactor;
  // eslint-disable-next-line @typescript-eslint/no-deprecated
  TestScheduler.frameTimeFactor = 1;
  const inFlight = new Set<number>();
  const hook = createHook({
    init: (id, type) => {
      if (IO_REQUEST.test(type)) inFlight.add(id);
    },
    destroy: (id) => {
      inFlight.delete(id);
    },
  }).enable();
  try {
    const scheduler = new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
    const tests: Test[] = [];
    const subscriptionChecks: (() => void)[] = [];
    let lastFrame = 0;
    const seeFrame = (frame: number): void => {
      if (Number.isFinite(frame) && frame > lastFrame) lastFrame = frame;
    };

    const helpers: AsyncMarbleHelpers = {
      scheduler,
      cold: <T>(marbles: string, values?: Record<string, T>, error?: unknown): LoggedCold<T> => {
        const messages = TestScheduler.parseMarbles(marbles, values, error, false, true);
        for (const message of messages) seeFrame(message.frame);
        const subscriptions: LoggedCold<T>['subscriptions'] = [];
        const source = new Observable<T>((subscriber) => {
          const log = { subscribedFrame: scheduler.frame, unsubscribedFrame: Infinity };
          subscriptions.push(log);
          const inner = scheduledSource<T>(
            scheduler,
            messages.map((m) => ({ frame: m.frame, notification: m.notification })),
          ).subscribe(subscriber);
          return () => {
            log.unsubscribedFrame = scheduler.frame;
            inner.unsubscribe();
          };
        });
        return Object.assign(source, { subscriptions });
      },
      expectObservable: (observable, subscription) => {
        const test: Test = { actual: [], expected: undefined };
        tests.push(test);
        const { subscribedFrame, unsubscribedFrame } = TestScheduler.parseMarblesAsSubscriptions(subscription ?? null, true);
        const from = subscribedFrame === Infinity ? 0 : subscribedFrame;
        seeFrame(unsubscribedFrame);
        let running: Subscription | undefined;
        scheduler.schedule(() => {
          running = observable.subscribe({
            next: (value) => test.actual.push({ frame: scheduler.frame, kind: 'N', value }),
            error: (error: unknown) => test.actual.push({ frame: scheduler.frame, kind: 'E', error }),
            complete: () => test.actual.push({ frame: scheduler.frame, kind: 'C' }),
          });
        }, from);
        if (unsubscribedFrame !== Infinity) scheduler.schedule(() => running?.unsubscribe(), unsubscribedFrame);
        return {
          toBe: (marbles, values, error) => {
            test.expected = TestScheduler.parseMarbles(marbles, values, error, false, true).map(toSeen);
            for (const seen of test.expected) seeFrame(seen.frame);
          },
        };
      },
      expectSubscriptions: (log) => {
        return {
          toBe: (...marbles) => {
            const expected = marbles.map((m) => TestScheduler.parseMarblesAsSubscriptions(m, true));
            for (const e of expected) seeFrame(e.unsubscribedFrame);
            subscriptionChecks.push(() =>
              expect(log.map((l) => ({ subscribedFrame: l.subscribedFrame, unsubscribedFrame: l.unsubscribedFrame }))).toEqual(
                expected.map((e) => ({ subscribedFrame: e.subscribedFrame, unsubscribedFrame: e.unsubscribedFrame })),
              ),
            );
          },
        };
      },
      at: (frame, action) => {
        seeFrame(frame);
        scheduler.schedule(action, frame);
      },
    };

    body(helpers);
    const frames = options.frames ?? lastFrame + 3;
    const waitMs = options.waitMs ?? 5000;
    for (let frame = 0; frame <= frames; frame++) {
      scheduler.maxFrames = frame;
      // An action at every frame, so the clock reads `frame` while this frame's async work settles.
      scheduler.schedule(() => undefined, frame - scheduler.frame);
      VirtualTimeScheduler.prototype.flush.call(scheduler);
      const due = (test: Test): number => test.expected?.filter((seen) => seen.frame <= frame).length ?? 0;
      const deadline = Date.now() + waitMs;
      for (let quiet = 0; quiet < QUIET_TURNS && Date.now() < deadline; ) {
        await turn();
        // A request's destroy hook comes a turn after its callback, so a read that starts the next one is never missed.
        const busy = inFlight.size > 0 || tests.some((test) => test.actual.length < due(test));
        quiet = busy ? 0 : quiet + 1;
      }
    }
    for (const test of tests) {
      expect(test.expected, 'every expectObservable needs a toBe').toBeDefined();
      expect(test.actual).toEqual(test.expected);
    }
    for (const check of subscriptionChecks) check();
  } finally {
    hook.disable();
    // eslint-disable-next-line @typescript-eslint/no-deprecated
    TestScheduler.frameTimeFactor = previousFactor;
  }
}
