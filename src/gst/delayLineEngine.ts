/**
 * DelayLineEngine: the GStreamer A/V delay line. Frames and audio chunks from the analysis
 * pipeline's appsinks are held — zero copy, as GStreamer samples — in a time window, and
 * played out through the playback pipeline's appsrcs `delay` seconds after their capture.
 *
 * This class conducts; each concern lives in a module of its own:
 * - delayOptions.ts: the options, checked once, with their defaults;
 * - mediaPath.ts: the data path appsink → window → sync → appsrc, once for each kind;
 * - playoutClock.ts: the shared clock + base time + delay (or the 'independent' fallback),
 *   and the one tick every periodic job runs on;
 * - lineActor.ts: the lifecycle, an XState actor (waiting → buffering → playing → …);
 * - busWatch.ts, shutdown.ts, callbackIntake.ts, delayStats.ts: buses, the ordered stop,
 *   samples from user-connected `new-sample` handlers, the counters.
 *
 * GstBufferManager (manager.ts) adds the Python-style names of the original BufferManager.
 */
import { Subject, Subscription } from 'rxjs';
import type { InspectionEvent } from 'xstate';
import { ErrorCode, GstError } from '../core/errors.js';
import { childLogger, type Logger } from '../core/logger.js';
import { invalid, show } from '../core/validate.js';
import type { DropReason } from '../streams/timed.js';
import { AppSrcSink, configureAppSrc } from './appSrc.js';
import type { GstAppSink, GstAppSrc, GstClock, GstElement, GstPipeline } from './binding.js';
import { watchBuses } from './busWatch.js';
import { CallbackIntake, type MediaKind } from './callbackIntake.js';
import { ELEMENT_KEYS, resolveDelayOptions, type ClockMode, type GstBufferManagerOptions, type GstElements, type ResolvedDelayOptions } from './delayOptions.js';
import { DelayCounters, reportProgress, statsOf, type GstBufferStats } from './delayStats.js';
import { loadGst } from './loader.js';
import { LineActor, machineError, stopResultOf, type DelayLineActor, type DelayLineSnapshot, type StopResult } from './lineActor.js';
import { linePaths } from './mediaPath.js';
import { setPipelineState } from './pipeline.js';
import { PlayoutClock, clockModeFor, playoutTicks, type PlayoutTicks } from './playoutClock.js';
import type { HeldSample, SampleTracker } from './sample.js';
import { PlaybackEnd, shutDown } from './shutdown.js';

/** An emergency-shutdown callback: called once when playback stalls. */
export type EmergencyCallback = (info: { reason: string; stats: GstBufferStats }) => unknown;

/**
 * The delay line: construct, `setElements`, optionally `setEmergencyShutdownCallback`, hand
 * over the appsinks (or connect {@link takeSample}), `start()`, later `stop()`.
 *
 * @example
 * const line = new DelayLineEngine({ bufferDuration: 7, framerate: 30 });
 * line.setElements({ appsrc, audioAppsrc, playbackPipeline, analysisPipeline, videoAppsink, audioAppsink });
 * line.setEmergencyShutdownCallback(() => void line.stop());
 * line.start();
 * const result = await line.whenStopped();
 */
export class DelayLineEngine {
  /** The options, checked, with every default applied. */
  readonly options: ResolvedDelayOptions;
  /** Window length in seconds. */
  readonly bufferDuration: number;
  /** Video frames per second the window is sized for. */
  readonly framerate: number;
  /** Audio chunks per second the window is sized for. */
  readonly audioChunksPerSec: number;
  /** The delay in seconds. */
  readonly delay: number;
  /** Most video frames the window holds. */
  readonly frameCapacity: number;
  /** Most audio chunks the window holds. */
  readonly audioCapacity: number;

  readonly #log: Logger;
  readonly #ticks: PlayoutTicks;
  readonly #intake: CallbackIntake;
  readonly #playbackEnd = new PlaybackEnd();
  readonly #elements: GstElements = {};
  #emergency: EmergencyCallback | undefined;
  readonly #lifecycle = new LineActor();
  #clock: PlayoutClock | undefined;
  // The current intakes: the appsinks, the callbacks and the bus's end of stream reach them.
  #video = new Subject<HeldSample>();
  #audio = new Subject<HeldSample>();
  #paths = new Subscription();
  #videoSink: AppSrcSink | undefined;
  #audioSink: AppSrcSink | undefined;
  readonly #trackers: SampleTracker[] = [];
  #counters = new DelayCounters();
  readonly #starved: Record<MediaKind, number> = { video: 0, audio: 0 };
  #error: GstError | null = null;
  #stopping: Promise<void> | undefined;
  readonly #stopped: Promise<StopResult>;
  #resolveStopped!: (result: StopResult) => void;
  #bus: Subscription | undefined;
  readonly #startHooks: ((clock: GstClock, analysisBaseTime: bigint) => void)[] = [];
  readonly #stopHooks: (() => void)[] = [];

  /** Checks every option (a ConfigError naming the first bad one); loads nothing yet. */
  constructor(options: GstBufferManagerOptions = {}) {
    const o = resolveDelayOptions(options);
    this.options = o;
    this.bufferDuration = o.bufferDuration;
    this.framerate = o.framerate;
    this.audioChunksPerSec = o.audioChunksPerSec;
    this.delay = o.delay;
    this.frameCapacity = o.frameCapacity;
    this.audioCapacity = o.audioCapacity;
    this.#log = childLogger(o.logger, { component: 'buffer-manager', id: o.id });
    this.#ticks = playoutTicks(o.tickMs, o.scheduler);
    this.#intake = new CallbackIntake(this.#log, (t) => this.#trackers.push(t));
    this.#stopped = new Promise((resolve) => (this.#resolveStopped = resolve));
    this.setElements(options);
  }

  /** Sets or updates the elements (those given; `null` clears one). Only before start(). */
  setElements(elements: GstElements): void {
    if (this.#lifecycle.actor) throw new GstError(ErrorCode.GST_STATE, 'setElements must be called before start()');
    for (const key of ELEMENT_KEYS) {
      const value = elements[key];
      if (value !== undefined) this.#elements[key] = value;
    }
  }

  /** Sets the function called once when playback stalls (`null` removes it). */
  setEmergencyShutdownCallback(callback: EmergencyCallback | null): void {
    if (callback !== null && typeof callback !== 'function') invalid('callback', `expected a function or null, got ${show(callback)}`);
    this.#emergency = callback ?? undefined;
  }

  /**
   * Takes one sample from `sink` into the `kind` window: a `new-sample` handler for an appsink
   * the line does not own (with `emitSignals = true`). Returns a GstFlowReturn: a bad `sink`
   * is logged, not thrown into GStreamer.
   */
  takeSample(kind: MediaKind, sink: unknown): number {
    const into = kind === 'video' ? this.#video : this.#audio;
    return this.#intake.take(kind, sink, into, this.#lifecycle.actor !== undefined && this.#stopping === undefined);
  }

  /**
   * Counts an appsrc's `need-data` (in `appsrcStarved`). Samples are pushed when due, not on
   * demand, so this only tells how often an appsrc ran dry (a push came too late).
   */
  noteNeedData(kind: MediaKind): void {
    this.#starved[kind]++;
  }

  /** The delay line's actor (its snapshot's value is the state), once started. */
  get actor(): DelayLineActor | undefined {
    return this.#lifecycle.actor;
  }

  /**
   * Attaches an XState inspection observer (the inspector's bus) to the line's actor system:
   * now if the line has started, otherwise as it starts.
   * @returns a function that detaches it.
   */
  addInspector(observer: (event: InspectionEvent) => void): () => void {
    return this.#lifecycle.addInspector(observer);
  }

  /** The current state name ('idle' before start). */
  get state(): string {
    return this.#lifecycle.state;
  }

  /**
   * Runs `hook` when the playback pipeline starts, with the clock the delay is timed on and
   * the analysis pipeline's base time (to measure render times against; see RenderProbe).
   */
  onPlaybackStarted(hook: (clock: GstClock, analysisBaseTime: bigint) => void): void {
    this.#startHooks.push(hook);
  }

  /**
   * Runs `hook` at stop, before any pipeline changes state: detach your own signal handlers
   * on pipeline elements here (a handler pending during a state change deadlocks).
   */
  addStopHook(hook: () => void): void {
    this.#stopHooks.push(hook);
  }

  /** The error that failed the line, if it failed. */
  get error(): GstError | null {
    return this.#error;
  }

  /** Resolves when the line has stopped or failed. */
  whenStopped(): Promise<StopResult> {
    return this.#stopped;
  }

  /**
   * Starts the delay line: watches the buses, takes samples from the appsinks it owns, starts
   * the playback pipeline when the window is full enough. The analysis pipeline is started
   * here when given and not yet playing.
   */
  start(): void {
    if (this.#lifecycle.actor) throw new GstError(ErrorCode.GST_STATE, 'the delay line was already started');
    const { Gst } = loadGst();
    const el = this.#elements;
    const analysis = pipelineOf(el.analysisPipeline);
    const clock = new PlayoutClock(clockModeFor(this.options.clock, analysis !== undefined), analysis);
    this.#clock = clock;
    // Shared: the appsrcs keep the analysis timestamps; independent: they stamp on arrival.
    const doTimestamp = clock.mode === 'independent';
    if (el.appsrc) this.#videoSink = new AppSrcSink(configureAppSrc(el.appsrc as GstAppSrc, doTimestamp));
    if (el.audioAppsrc) this.#audioSink = new AppSrcSink(configureAppSrc(el.audioAppsrc as GstAppSrc, doTimestamp));

    this.#lifecycle.start(
      this.options,
      {
        startPlayback: () => this.#startPlayback(),
        stalled: (reason) => this.#onStall(reason),
        stopPipelines: () => void this.#shutdown(),
        done: (snapshot) => this.#finish(snapshot),
      },
      this.#log,
    );
    this.#wire(clock);
    this.#bus = watchBuses({ analysis, playback: pipelineOf(el.playbackPipeline) }, this.#ticks.slowTick$, {
      onError: (error) => this.#fail(error),
      onSourceEnd: () => {
        // The windows play out what they hold, then the appsrcs end.
        this.#video.complete();
        this.#audio.complete();
      },
      onPlaybackEnd: () => {
        if (this.#playbackEnd.reach()) return; // stop() was waiting for it
        this.#log.info('[PLAYBACK] end of stream: everything was played out');
        this.#lifecycle.send({ type: 'STOP' });
      },
    }, this.#log);
    if (analysis) {
      const [, current] = analysis.getState(0n);
      if (current !== Gst.State.PLAYING) {
        try {
          setPipelineState(analysis, 'PLAYING');
        } catch (error) {
          // Reported like a bus error: the line fails, whenStopped() carries the error.
          const e = asGstError(error);
          this.#log.error(`[SOURCE] the analysis pipeline could not start: ${e.message}`);
          this.#fail(e);
        }
      }
    }
    const { delay, frameCapacity, audioCapacity } = this;
    this.#log.info(
      { delay, frameCapacity, audioCapacity, clock: clock.mode },
      `[BUFFER] started: ${delay} s delay, window ${frameCapacity} frames / ${audioCapacity} audio chunks, ${clock.mode} clock`,
    );
  }

  /**
   * Stops the line: the analysis pipeline stops, the appsrcs end, the playback pipeline is
   * given `shutdownTimeout` seconds to finish (so a file it writes is complete), then stopped;
   * every held sample is released. Idempotent; never hangs (see shutdown.ts).
   */
  stop(): Promise<StopResult> {
    if (!this.#lifecycle.actor) return Promise.resolve({ state: 'stopped', reason: null, error: null, stats: this.getStats() });
    this.#lifecycle.send({ type: 'STOP' });
    return this.#stopped;
  }

  /**
   * Lets go of every held frame and audio chunk and resets the counters. While running, the
   * windows start filling again from the next sample.
   */
  clearBuffers(): void {
    this.#paths.unsubscribe();
    this.#paths = new Subscription();
    this.#counters = new DelayCounters();
    if (this.#lifecycle.actor && this.#clock && this.#stopping === undefined) this.#wire(this.#clock);
  }

  /** Statistics: frames and chunks received, sent, held and dropped, the state and the clock. */
  getStats(): GstBufferStats {
    return statsOf(this.options, {
      counters: this.#counters,
      videoSink: this.#videoSink,
      audioSink: this.#audioSink,
      starved: this.#starved.video + this.#starved.audio,
      state: this.state,
      clock: this.#clockMode(),
    });
  }

  #clockMode(): ClockMode {
    return this.#clock?.mode ?? clockModeFor(this.options.clock, Boolean(this.#elements.analysisPipeline));
  }

  /** Wires both media paths and the progress reports (again after a clear). */
  #wire(clock: PlayoutClock): void {
    const o = this.options;
    const el = this.#elements;
    const { tick$, slowTick$ } = this.#ticks;
    this.#video = new Subject<HeldSample>();
    this.#audio = new Subject<HeldSample>();
    const paths = this.#paths;
    paths.add(
      linePaths({
        video: { intake: this.#video, appsink: appSinkOf(el.videoAppsink), appsrc: this.#videoSink },
        audio: { intake: this.#audio, appsink: appSinkOf(el.audioAppsink), appsrc: this.#audioSink },
        options: o,
        counters: this.#counters,
        now: clock.now,
        tick$,
        tracker: (t) => this.#trackers.push(t),
        release: this.#release,
        events: {
          firstSample: (item) => {
            clock.capture(item.pts);
            this.#lifecycle.send({ type: 'SAMPLE' });
          },
          filled: ({ held, reason }) => {
            this.#log.info({ held, reason }, `[BUFFER] window ${reason === 'filled' ? 'filled' : reason} at ${held} frames: starting playback`);
            this.#lifecycle.send({ type: 'FILLED' });
          },
          stalled: (silentForMs) => this.#lifecycle.send({ type: 'STALL', reason: `no sample received for ${(silentForMs / 1000).toFixed(1)} s` }),
        },
      }),
    );

    paths.add(
      reportProgress(slowTick$, {
        sent: () => (this.#videoSink?.pushed ?? 0) + (this.#audioSink?.pushed ?? 0),
        progress: () => this.#lifecycle.send({ type: 'PROGRESS' }),
        stats: () => this.getStats(),
        logInterval: o.logInterval,
        log: this.#log,
      }),
    );
  }

  /** Lets go of a sample that is not pushed; those still held at a teardown count as discarded. */
  readonly #release = (item: HeldSample, reason: DropReason): void => {
    if (reason === 'teardown') this.#counters.discarded++;
    item.release();
  };

  #startPlayback(): void {
    const playback = pipelineOf(this.#elements.playbackPipeline);
    if (!playback || !this.#clock) return;
    try {
      const timing = this.#clock.startPlayback(playback, this.delay);
      this.#log.info('[PLAYBACK] playback pipeline started');
      if (timing) for (const hook of this.#startHooks) hook(timing.clock, timing.baseTime);
    } catch (error) {
      this.#fail(asGstError(error));
    }
  }

  /** Records the first error and fails the line. */
  #fail(error: GstError): void {
    this.#error ??= error;
    this.#lifecycle.send({ type: 'ERROR', code: error.code, message: error.message });
  }

  #onStall(reason: string): void {
    const stats = this.getStats();
    this.#error ??= new GstError(ErrorCode.GST_STALL, `playback stalled: ${reason}`);
    this.#log.error({ reason, framesSent: stats.framesSent }, `[BUFFER] stall detected (${reason}): emergency shutdown`);
    const callback = this.#emergency;
    // After the callback (which usually calls stop()), make sure the line stops.
    queueMicrotask(() => {
      try {
        callback?.({ reason, stats });
      } catch (error) {
        this.#log.error({ err: error }, '[BUFFER] the emergency shutdown callback threw');
      }
      this.#lifecycle.send({ type: 'STOP' });
    });
  }

  /** Stops both pipelines and releases everything (the machine's stopPipelines action; runs once). */
  #shutdown(): Promise<void> {
    const el = this.#elements;
    const owned = [el.videoAppsink, el.audioAppsink].flatMap((sink) => appSinkOf(sink) ?? []);
    this.#stopping ??= shutDown({
      appsinks: [...owned, ...this.#intake.sinks],
      stopStreams: () => this.#paths.unsubscribe(),
      hooks: this.#stopHooks,
      analysis: pipelineOf(el.analysisPipeline),
      appsrcs: [this.#videoSink, this.#audioSink],
      playback: pipelineOf(el.playbackPipeline),
      playbackEnd: this.#playbackEnd,
      drain: () => this.#error === null,
      drainTimeoutMs: this.options.shutdownTimeout * 1000,
      trackers: this.#trackers,
      log: this.#log,
    }).finally(() => {
      this.#bus?.unsubscribe();
      this.#lifecycle.send({ type: 'STOPPED' });
    });
    return this.#stopping;
  }

  #finish(snapshot: DelayLineSnapshot): void {
    this.#error ??= machineError(snapshot);
    const finalise = (): void => this.#resolveStopped(stopResultOf(snapshot, this.#error, this.getStats()));
    // A failure stops the pipelines itself: resolve once they have stopped.
    if (snapshot.value === 'failed' && this.#stopping) void this.#stopping.finally(finalise);
    else finalise();
  }
}

function appSinkOf(element: GstElement | null | undefined): GstAppSink | undefined {
  return element ? (element as GstAppSink) : undefined;
}

function pipelineOf(element: GstElement | null | undefined): GstPipeline | undefined {
  return element ? (element as GstPipeline) : undefined;
}

function asGstError(error: unknown): GstError {
  return error instanceof GstError ? error : new GstError(ErrorCode.GST_STATE, String(error), { cause: error });
}
