/**
 * `fromAppSink`: an appsink's samples as an Observable of {@link HeldSample}s, by signal or
 * by polling.
 *
 * - `poll` (the default): `tryPullSample(0)` on a timer (30–40 µs a call here). GStreamer's
 *   threads never wait for JavaScript, so stopping a pipeline can never deadlock.
 * - `signal`: the appsink's `new-sample` signal. Each one blocks the streaming thread until
 *   the handler has run on the JS thread (60–120 µs here); changing the pipeline's state from
 *   JS while a handler waits deadlocks, so {@link stopPipeline} turns `emit-signals` off and
 *   lets pending handlers finish first.
 *
 * Timestamps become numbers of nanoseconds of running time here, once.
 */
import { Observable, asyncScheduler, type SchedulerLike } from 'rxjs';
import { checkNumber, checkOneOf } from '../core/validate.js';
import type { GstAppSink, GstSample } from './binding.js';
import { loadGst } from './loader.js';
import { SampleTracker, type HeldSample } from './sample.js';
import { emptyBuffer } from './pipeline.js';

/** How samples are taken from an appsink: polled on a timer, or by its `new-sample` signal. */
export type AppSinkMode = 'poll' | 'signal';

/** The modes, for checks and messages. */
export const APPSINK_MODES: readonly AppSinkMode[] = ['poll', 'signal'];

/** Options of {@link fromAppSink}. */
export interface AppSinkOptions {
  /** How samples are taken: 'poll' (default) or 'signal'. */
  mode?: AppSinkMode;
  /** Poll interval in ms (poll mode; default 5). */
  pollIntervalMs?: number;
  /** Most samples taken in one poll (default 64), so one poll cannot starve the event loop. */
  maxPerPoll?: number;
  /** Scheduler of the poll timer (default asyncScheduler). */
  scheduler?: SchedulerLike;
  /**
   * Poll on each emission of this Observable instead of a timer of its own (poll mode), so
   * several polls and windows share one wake-up of the JS thread.
   */
  tick?: Observable<unknown>;
  /** Receives the sink's sample tracker (its counts, and `flush()` once the pipeline stopped). */
  tracker?: (tracker: SampleTracker) => void;
}

/** GStreamer's "no time" (2^64 − 1), which a buffer without a timestamp carries. */
const CLOCK_TIME_NONE = 0xffffffffffffffffn;
const TIME_FORMAT = 3; // GST_FORMAT_TIME

/**
 * Wraps a pulled sample: its timestamps become numbers of nanoseconds of running time (through
 * the sample's segment), once, here. A buffer without a timestamp takes the previous one's.
 */
export function holdSample(tracker: SampleTracker, sample: GstSample): HeldSample {
  const buffer = sample.getBuffer();
  if (!buffer) return tracker.hold(sample, tracker.lastPts, 0, 0);
  const rawPts = buffer.pts;
  const rawDuration = buffer.duration;
  const size = Number(buffer.getSize());
  let pts = tracker.lastPts;
  if (rawPts !== CLOCK_TIME_NONE) {
    const segment = (sample as unknown as { getSegment(): { toRunningTime(format: number, position: bigint): bigint } | null }).getSegment();
    const running = segment ? segment.toRunningTime(TIME_FORMAT, rawPts) : rawPts;
    pts = Number(running === CLOCK_TIME_NONE ? rawPts : running);
  }
  return tracker.hold(sample, pts, rawDuration === CLOCK_TIME_NONE ? 0 : Number(rawDuration), size);
}

/**
 * The samples of `sink` as they arrive. Unsubscribing stops taking samples (signal mode:
 * disconnects and turns `emit-signals` off); samples already delivered stay held until
 * released.
 *
 * @example
 * const sub = fromAppSink(pipeline.getByName('video') as GstAppSink).subscribe((s) => {
 *   appsrc.push(s); // pushes, then releases the sample
 * });
 */
export function fromAppSink(sink: GstAppSink, options: AppSinkOptions = {}): Observable<HeldSample> {
  const mode = checkOneOf('mode', options.mode ?? 'poll', APPSINK_MODES);
  const pollIntervalMs = checkNumber('pollIntervalMs', options.pollIntervalMs ?? 5, { min: 0 });
  const maxPerPoll = checkNumber('maxPerPoll', options.maxPerPoll ?? 64, { min: 1, integer: true });
  const scheduler = options.scheduler ?? asyncScheduler;

  return new Observable<HeldSample>((subscriber) => {
    const { Gst } = loadGst();
    const tracker = new SampleTracker(emptyBuffer());
    options.tracker?.(tracker);
    const take = (sample: GstSample): void => {
      subscriber.next(holdSample(tracker, sample));
    };

    if (mode === 'signal') {
      const handler = (): number => {
        if (subscriber.closed) return Gst.FlowReturn.FLUSHING;
        const sample = sink.pullSample();
        if (sample) take(sample);
        return Gst.FlowReturn.OK;
      };
      sink.on('new-sample', handler);
      sink.emitSignals = true;
      return () => {
        sink.emitSignals = false;
        sink.off('new-sample', handler);
      };
    }

    const poll = (): void => {
      for (let i = 0; i < maxPerPoll && !subscriber.closed; i++) {
        const sample = sink.tryPullSample(0n);
        if (!sample) return;
        take(sample);
      }
    };
    if (options.tick) return options.tick.subscribe(poll);
    const action = scheduler.schedule(function repeat() {
      poll();
      if (!subscriber.closed) this.schedule(undefined, pollIntervalMs);
    }, pollIntervalMs);
    return () => {
      action.unsubscribe();
    };
  });
}
