/**
 * Stopping a delay line without deadlock, in the one order that is safe.
 *
 * A signal (`new-sample`, `handoff`) from a streaming thread blocks that thread until its JS
 * handler has run (60–120 µs each here); changing a pipeline's state from JS while such a
 * handler waits deadlocks, because the state change waits for the streaming thread. So:
 *
 * 1. no more samples in: `emit-signals` off on every appsink, the paths torn down (every
 *    held sample released), the user's stop hooks run (they detach their own handlers);
 * 2. handlers already queued on the JS thread run (a short wait) before any state change;
 * 3. the analysis pipeline stops, the appsrcs end;
 * 4. the playback pipeline gets `shutdownTimeout` to play out to its end of stream (a muxer
 *    writes its index, so a file is complete), then stops;
 * 5. each appsink's last sample, which the appsink itself still referenced, is released.
 */
import type { Logger } from '../core/logger.js';
import type { AppSrcSink } from './appSrc.js';
import type { GstAppSink, GstPipeline } from './binding.js';
import { loadGst } from './loader.js';
import { stopPipeline } from './pipeline.js';
import type { SampleTracker } from './sample.js';

/** How long queued signal handlers get to run before a state change (step 2). */
const SETTLE_MS = 20;

/** The playback pipeline's end of stream: a flag, and something stop() can wait for. */
export class PlaybackEnd {
  #reached = false;
  #waiter: (() => void) | undefined;

  /** True once the playback pipeline posted its end of stream. */
  get reached(): boolean {
    return this.#reached;
  }

  /**
   * Records the end of stream. Returns true when stop() is waiting for it (it is then part of
   * stopping), false when it came by itself (everything was played out).
   */
  reach(): boolean {
    this.#reached = true;
    if (!this.#waiter) return false;
    this.#waiter();
    return true;
  }

  /** Resolves true at the end of stream, or false after `timeoutMs`. */
  wait(timeoutMs: number): Promise<boolean> {
    return new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => resolve(false), timeoutMs);
      this.#waiter = () => {
        clearTimeout(timer);
        resolve(true);
      };
    });
  }
}

/** What {@link shutDown} stops, and how. */
export interface ShutdownPlan {
  /** Every appsink samples came from (owned, and those seen by the `new-sample` callbacks). */
  readonly appsinks: readonly GstAppSink[];
  /** Stops taking samples and lets go of everything held (tears the paths down). */
  readonly stopStreams: () => void;
  /** The user's stop hooks. */
  readonly hooks: readonly (() => void)[];
  readonly analysis: GstPipeline | undefined;
  readonly appsrcs: readonly (AppSrcSink | undefined)[];
  readonly playback: GstPipeline | undefined;
  readonly playbackEnd: PlaybackEnd;
  /** False when the line failed: the playback pipeline is then stopped without waiting. */
  readonly drain: () => boolean;
  /** How long the playback pipeline may take to finish, in ms. */
  readonly drainTimeoutMs: number;
  /** The tracker of every appsink samples came from: each releases the sample its appsink handed out last (step 5). */
  readonly trackers: readonly SampleTracker[];
  readonly log: Logger;
}

/** Runs the steps of the module comment. Never rejects: an error is logged and stopping goes on. */
export async function shutDown(plan: ShutdownPlan): Promise<void> {
  try {
    for (const sink of plan.appsinks) sink.emitSignals = false;
    plan.stopStreams();
    for (const hook of plan.hooks) hook();
    await new Promise((resolve) => setTimeout(resolve, SETTLE_MS));
    if (plan.analysis) await stopPipeline(plan.analysis, plan.appsinks);
    for (const appsrc of plan.appsrcs) appsrc?.end();
    const playback = plan.playback;
    if (playback) {
      const { Gst } = loadGst();
      const [, current] = playback.getState(0n);
      if (current === Gst.State.PLAYING && plan.drain() && !plan.playbackEnd.reached) {
        const finished = await plan.playbackEnd.wait(plan.drainTimeoutMs);
        if (!finished) plan.log.warn(`[PLAYBACK] playback did not finish within ${plan.drainTimeoutMs / 1000} s; stopping it`);
      }
      playback.setState(Gst.State.NULL);
    }
    for (const tracker of plan.trackers) tracker.flush();
  } catch (error) {
    plan.log.error({ err: error }, '[BUFFER] error while stopping');
  }
}
