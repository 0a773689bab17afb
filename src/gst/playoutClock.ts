/**
 * The playout clock of a delay line: what time it is in the analysis pipeline, how the
 * playback pipeline is timed against it, and the one tick every periodic job runs on.
 *
 * - `shared` (exact delay): the playback pipeline runs on the analysis pipeline's clock with
 *   base time = analysis base time + delay, start time disabled, so a sink with `sync=true`
 *   renders each buffer exactly `delay` after it was captured (measured here at the sinks:
 *   7000.1 ms for audio and video with a 7 s delay; see docs/gst.md, "Timing").
 * - `independent` (e.g. an output whose sink brings its own clock): the appsrcs timestamp
 *   what they get, and samples are pushed when due by the analysis clock, or by the JS clock
 *   from the first sample when no analysis pipeline is known.
 *
 * All 64-bit GStreamer times are BigInt; they become numbers of nanoseconds here.
 */
import { filter, interval, share, type Observable, type SchedulerLike } from 'rxjs';
import { ConfigError, ErrorCode, GstError } from '../core/errors.js';
import { NS_PER_MS, NS_PER_SECOND } from '../core/time.js';
import type { GstClock, GstPipeline } from './binding.js';
import type { ClockMode } from './delayOptions.js';
import { loadGst } from './loader.js';
import { setPipelineState } from './pipeline.js';

/** The clock mode a line runs in: the option, else 'shared' when the analysis pipeline is known. */
export function clockModeFor(option: ClockMode | undefined, hasAnalysis: boolean): ClockMode {
  return option ?? (hasAnalysis ? 'shared' : 'independent');
}

/** What a started playback pipeline is timed on: for render-time probes (see probe.ts). */
export interface PlaybackTiming {
  readonly clock: GstClock;
  /** The base time running times are measured from (the analysis pipeline's when shared). */
  readonly baseTime: bigint;
}

/** The running time of the analysis pipeline, and the timing of the playback pipeline against it. */
export class PlayoutClock {
  /** How the playback pipeline is timed. */
  readonly mode: ClockMode;
  readonly #analysis: GstPipeline | undefined;
  #clock: GstClock | undefined;
  #analysisBase = 0n;
  #jsEpoch: { ms: number; pts: number } | undefined;

  /** Throws a ConfigError when `mode` is 'shared' without an analysis pipeline to share with. */
  constructor(mode: ClockMode, analysis: GstPipeline | undefined) {
    if (mode === 'shared' && !analysis) {
      throw new ConfigError('clock', "'shared' needs the analysis pipeline (setElements({ analysisPipeline }))");
    }
    this.mode = mode;
    this.#analysis = analysis;
  }

  /** Running time of the analysis pipeline in ns (0 until the first sample). */
  readonly now = (): number => {
    if (this.#clock) return Number(this.#clock.getTime() - this.#analysisBase);
    const epoch = this.#jsEpoch;
    if (!epoch) return 0;
    return epoch.pts + (performance.now() - epoch.ms) * NS_PER_MS;
  };

  /**
   * Starts the clock at the first sample: the analysis pipeline's clock when it has one by
   * now, else the JS clock, taking `firstPts` as the running time of this moment.
   */
  capture(firstPts: number): void {
    if (this.#clock || this.#jsEpoch) return;
    const clock = this.#analysis?.getClock() ?? null;
    if (this.#analysis && clock) {
      this.#clock = clock;
      this.#analysisBase = this.#analysis.getBaseTime();
    } else {
      this.#jsEpoch = { ms: performance.now(), pts: firstPts };
    }
  }

  /**
   * Sets `playback` to PLAYING, first (when shared) on the analysis clock with base time =
   * analysis base time + `delay` seconds. Returns the timing render probes measure against,
   * or undefined when the playback pipeline has no clock. Throws a GstError when it cannot start.
   */
  startPlayback(playback: GstPipeline, delay: number): PlaybackTiming | undefined {
    const { Gst } = loadGst();
    const analysis = this.#analysis;
    if (this.mode === 'shared' && analysis) {
      const clock = this.#clock ?? analysis.getClock();
      if (!clock) throw new GstError(ErrorCode.GST_STATE, 'the analysis pipeline has no clock yet (is it playing?)');
      this.#clock = clock;
      this.#analysisBase = analysis.getBaseTime();
      playback.useClock(clock);
      playback.setStartTime(Gst.CLOCK_TIME_NONE);
      playback.setBaseTime(this.#analysisBase + BigInt(Math.round(delay * NS_PER_SECOND)));
    }
    setPipelineState(playback, 'PLAYING');
    const clock = this.#clock ?? playback.getClock();
    if (!clock) return undefined;
    return { clock, baseTime: this.mode === 'shared' ? this.#analysisBase : playback.getBaseTime() };
  }
}

/** The shared tick of a delay line, and the same tick thinned to about 100 ms. */
export interface PlayoutTicks {
  /** Every `tickMs`: appsink polls and the windows' playout. */
  readonly tick$: Observable<number>;
  /** About every 100 ms: bus polls, progress events, log lines. */
  readonly slowTick$: Observable<number>;
}

/**
 * One timer for every periodic job of a line (appsink polls, the windows' playout, bus polls,
 * progress): each wake-up of the JS thread costs 65–100 µs of CPU here, more than the work
 * it does (the delay bench). The timer runs while anything is subscribed, so the bus poll
 * keeps Node alive as long as the line runs (node-gtk's signal handlers alone do not).
 */
export function playoutTicks(tickMs: number, scheduler: SchedulerLike): PlayoutTicks {
  const tick$ = interval(tickMs, scheduler).pipe(share());
  const every = Math.max(1, Math.round(100 / tickMs));
  return { tick$, slowTick$: tick$.pipe(filter((n) => n % every === 0)) };
}
