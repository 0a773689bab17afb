/**
 * GstBufferManager: the GStreamer A/V delay line of `seeds/gstreamer-buffer-manager.md`.
 *
 * Frames and audio chunks from the analysis pipeline's appsinks are held — zero copy, as
 * GStreamer samples — in a time window, and played out through the playback pipeline's appsrcs.
 *
 * - The spec's "buffer thread" is an XState actor ({@link delayLineMachine}): waiting →
 *   buffering → playing → stalled / shuttingDown → stopped / failed.
 * - The data flows beside it through RxJS operators: {@link fillGate} (playback starts at 30 %
 *   of capacity), {@link timeWindow} (holds the delay, drops what is older than the playback
 *   position − 0.5 s), {@link ptsSync} (audio follows video within 100 ms, 50 ms tolerance),
 *   {@link stallDetect} (a silent source).
 * - Exact delay when both pipelines can share a clock (`clock: 'shared'`, the default when the
 *   analysis pipeline is known): the playback pipeline runs on the analysis pipeline's clock
 *   with base time = analysis base time + delay, so a sink with `sync=true` renders each
 *   buffer exactly `delay` after it was captured. Otherwise (`clock: 'independent'`) the
 *   appsrcs timestamp what they get, and samples are pushed when due by the JS clock, with
 *   audio kept to video by the spec's tolerance rule.
 * - Every sample is released as soon as it is pushed or dropped, so memory is bounded by the
 *   window, not by the garbage collector.
 */
import {
  Subject,
  Subscription,
  asyncScheduler,
  filter,
  interval,
  merge,
  share,
  type Observable,
  type SchedulerLike,
} from 'rxjs';
import { createActor, type Actor, type InspectionEvent, type SnapshotFrom } from 'xstate';
import { ConfigError, ErrorCode, GstError } from '../core/errors.js';
import { childLogger, silentLogger, type Logger } from '../core/logger.js';
import { NS_PER_MS, NS_PER_SECOND } from '../core/time.js';
import { delayLineMachine, delayLineTimeoutOf } from '../machines/delayLine.js';
import { createTimeWindowStats, timeWindow, type TimeWindowStats } from '../streams/timeWindow.js';
import { createPtsSyncStats, ptsSync, type PtsSyncStats } from '../streams/ptsSync.js';
import { fillGate } from '../streams/fillGate.js';
import { stallDetect } from '../streams/stallDetect.js';
import type { DropReason } from '../streams/timed.js';
import type { GstAppSink, GstAppSrc, GstClock, GstElement, GstPipeline } from './binding.js';
import { fromAppSink, holdSample, type AppSinkMode } from './appSink.js';
import { AppSrcSink } from './appSrc.js';
import { loadGst } from './loader.js';
import { busMessages, emptyBuffer, setPipelineState, stopPipeline, type BusMessage } from './pipeline.js';
import { SampleTracker, type HeldSample } from './sample.js';

/** How the playback pipeline is timed against the analysis pipeline. */
export type ClockMode = 'shared' | 'independent';

/** The elements the manager works with (all optional until {@link GstBufferManager.start}). */
export interface GstElements {
  /** Video appsrc of the playback pipeline (the spec's `appsrc`). */
  appsrc?: GstElement | null;
  /** Audio appsrc of the playback pipeline. */
  audioAppsrc?: GstElement | null;
  /** The playback pipeline: started when the window is 30 % full, stopped by stop(). */
  playbackPipeline?: GstElement | null;
  /** The analysis pipeline: its clock times the delay; its bus is watched; stop() stops it. */
  analysisPipeline?: GstElement | null;
  /** Video appsink the manager takes samples from itself (otherwise connect {@link GstBufferManager.onNewSample}). */
  videoAppsink?: GstElement | null;
  /** Audio appsink the manager takes samples from itself (otherwise connect {@link GstBufferManager.onNewAudioSample}). */
  audioAppsink?: GstElement | null;
}

export interface GstBufferManagerOptions extends GstElements {
  /** Window length in seconds (default 7). */
  bufferDuration?: number;
  /** Video frames per second (default 30): the video window holds bufferDuration × framerate frames. */
  framerate?: number;
  /** Audio chunks per second (default 100): the audio window holds bufferDuration × this. */
  audioChunksPerSec?: number;
  /** Delay in seconds (default bufferDuration; at most bufferDuration). */
  delay?: number;
  /** Fraction of the video window that must fill before playback starts (default 0.3). */
  fillThreshold?: number;
  /** Seconds without a frame (in, or out while playing) that count as a stall (default 5). */
  stallTimeout?: number;
  /** Seconds behind the playback position after which a held item is dropped (default 0.5). */
  keepBehind?: number;
  /** Seconds ahead of their time that samples are pushed (default 0.2). */
  lead?: number;
  /** Audio is released up to this many seconds past the last video frame pushed (default 0.1). */
  syncWindow?: number;
  /** Audio ending more than this many seconds before that frame is late and dropped (default 0.05). */
  syncTolerance?: number;
  /** 'shared' (exact delay; default when the analysis pipeline is known) or 'independent'. */
  clock?: ClockMode;
  /** How samples are taken from appsinks the manager owns: 'poll' (default) or 'signal'. */
  sampleMode?: AppSinkMode;
  /** Seconds stop() waits for the playback pipeline to finish (EOS) before cutting it (default 3). */
  shutdownTimeout?: number;
  /** Log target (pino-compatible). Messages carry the spec's [SOURCE]/[PLAYBACK]/[BUFFER] tags. */
  logger?: Logger;
  /** Seconds between [SOURCE]/[PLAYBACK] statistics lines (default 5; 0 = never). */
  logInterval?: number;
  /** Name in logs and the actor's id (default 'delay-line'). */
  id?: string;
  /** Scheduler of the operators' timers (default asyncScheduler). */
  scheduler?: SchedulerLike;
}

/** Statistics, with every key of the spec's get_stats() in camelCase, and more. */
export interface GstBufferStats {
  /** Video frames received from the appsink. */
  framesReceived: number;
  /** Video frames pushed to the appsrc. */
  framesSent: number;
  /** Video frames held now. */
  frameBufferSize: number;
  /** Most video frames the window holds. */
  frameBufferCapacity: number;
  /** Audio chunks held now. */
  audioBufferSize: number;
  /** Most audio chunks the window holds. */
  audioBufferCapacity: number;
  /** Seconds of video held: newest received − last sent (0 before playback). */
  displayBufferDuration: number;
  /** Running time (s) of the last frame pushed, or 0. */
  currentPlaybackTime: number;
  /** Audio chunks received / pushed. */
  audioChunksReceived: number;
  audioChunksSent: number;
  /** Times an appsrc asked for data (need-data) through the spec callbacks. */
  appsrcStarved: number;
  /** Frames dropped: window full, or late. */
  framesDroppedOverflow: number;
  framesDroppedLate: number;
  /** Audio chunks dropped: window full, late in the window, or late against video. */
  audioDroppedOverflow: number;
  audioDroppedLate: number;
  /** Samples still held when the line stopped or was cleared (not dropped: let go). */
  discarded: number;
  /** Most video frames ever held at once. */
  maxFrameBufferSize: number;
  /** The configured delay in seconds. */
  delay: number;
  /** The delay line's state ('waiting', 'buffering', 'playing', 'stalled', …). */
  state: string;
  /** How the playback pipeline is timed. */
  clock: ClockMode;
}

/** How a delay line ended. */
export interface StopResult {
  state: 'stopped' | 'failed';
  reason: 'requested' | 'stall' | 'error' | null;
  error: GstError | null;
  stats: GstBufferStats;
}

type DelayLineActor = Actor<typeof delayLineMachine>;

/** An emergency-shutdown callback: called once when playback stalls. */
export type EmergencyCallback = (info: { reason: string; stats: GstBufferStats }) => unknown;

function positive(field: string, value: number | undefined, fallback: number, allowZero = false): number {
  const v = value ?? fallback;
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0 || (!allowZero && v === 0)) {
    throw new ConfigError(field, `must be a finite number ${allowZero ? '≥ 0' : '> 0'}, got ${String(v)}`);
  }
  return v;
}

/**
 * The delay line. Usage mirrors the spec: construct, `setElements`, optionally
 * `setEmergencyShutdownCallback`, connect or hand over the appsinks, `start()`, later `stop()`.
 *
 * @example
 * const line = new GstBufferManager({ bufferDuration: 7, framerate: 30 });
 * line.setElements({ appsrc, audioAppsrc, playbackPipeline, analysisPipeline, videoAppsink, audioAppsink });
 * line.setEmergencyShutdownCallback(() => void line.stop());
 * analysisPipeline.setState(Gst.State.PLAYING);
 * line.start();
 */
export class GstBufferManager {
  readonly bufferDuration: number;
  readonly framerate: number;
  readonly audioChunksPerSec: number;
  readonly delay: number;
  readonly frameCapacity: number;
  readonly audioCapacity: number;

  readonly #options: GstBufferManagerOptions;
  readonly #log: Logger;
  readonly #scheduler: SchedulerLike;
  readonly #id: string;
  #elements: GstElements = {};
  #emergency: EmergencyCallback | undefined;
  #clockMode: ClockMode | undefined;

  #actor: DelayLineActor | undefined;
  #video = new Subject<HeldSample>();
  #audio = new Subject<HeldSample>();
  #subscription = new Subscription();
  #videoSink: AppSrcSink | undefined;
  #audioSink: AppSrcSink | undefined;
  #trackers: SampleTracker[] = [];
  #clock: GstClock | undefined;
  #analysisBase = 0n;
  #jsEpoch: { ms: number; pts: number } | undefined;

  #videoStats: TimeWindowStats = createTimeWindowStats();
  #audioStats: TimeWindowStats = createTimeWindowStats();
  #syncStats: PtsSyncStats = createPtsSyncStats();
  #framesReceived = 0;
  #audioReceived = 0;
  #lastReceivedPts = -1;
  #discarded = 0;
  #error: GstError | null = null;
  #stopping: Promise<void> | undefined;
  #stopped: Promise<StopResult>;
  #resolveStopped!: (result: StopResult) => void;
  #playbackEos: (() => void) | undefined;

  constructor(options: GstBufferManagerOptions = {}) {
    this.bufferDuration = positive('bufferDuration', options.bufferDuration, 7);
    this.framerate = positive('framerate', options.framerate, 30);
    this.audioChunksPerSec = positive('audioChunksPerSec', options.audioChunksPerSec, 100);
    this.delay = positive('delay', options.delay, this.bufferDuration);
    if (this.delay > this.bufferDuration) {
      throw new ConfigError('delay', `must be at most bufferDuration (${this.bufferDuration} s), got ${this.delay}`);
    }
    const threshold = positive('fillThreshold', options.fillThreshold, 0.3);
    if (threshold > 1) throw new ConfigError('fillThreshold', `must be in (0, 1], got ${threshold}`);
    positive('stallTimeout', options.stallTimeout, 5);
    positive('keepBehind', options.keepBehind, 0.5, true);
    const lead = positive('lead', options.lead, 0.2, true);
    if (lead >= this.delay) throw new ConfigError('lead', `must be less than the delay (${this.delay} s), got ${lead}`);
    positive('syncWindow', options.syncWindow, 0.1, true);
    positive('syncTolerance', options.syncTolerance, 0.05, true);
    positive('shutdownTimeout', options.shutdownTimeout, 3);
    positive('logInterval', options.logInterval, 5, true);
    if (options.clock !== undefined && options.clock !== 'shared' && options.clock !== 'independent') {
      throw new ConfigError('clock', `must be 'shared' or 'independent', got ${String(options.clock)}`);
    }
    if (options.sampleMode !== undefined && options.sampleMode !== 'poll' && options.sampleMode !== 'signal') {
      throw new ConfigError('sampleMode', `must be 'poll' or 'signal', got ${String(options.sampleMode)}`);
    }
    this.frameCapacity = Math.max(1, Math.ceil(this.bufferDuration * this.framerate));
    this.audioCapacity = Math.max(1, Math.ceil(this.bufferDuration * this.audioChunksPerSec));
    this.#options = options;
    this.#id = options.id ?? 'delay-line';
    this.#log = childLogger(options.logger ?? silentLogger, { component: 'buffer-manager', id: this.#id });
    this.#scheduler = options.scheduler ?? asyncScheduler;
    this.#stopped = new Promise((resolve) => (this.#resolveStopped = resolve));
    this.setElements(options);
  }

  // ------------------------------------------------------------------------------------------
  // Configuration (spec: set_elements, set_emergency_shutdown_callback)

  /** Sets or updates the elements (spec: `set_elements`). Only before start(). */
  setElements(elements: GstElements): void {
    if (this.#actor) throw new GstError(ErrorCode.GST_STATE, 'setElements must be called before start()');
    for (const key of ['appsrc', 'audioAppsrc', 'playbackPipeline', 'analysisPipeline', 'videoAppsink', 'audioAppsink'] as const) {
      const value = elements[key];
      if (value !== undefined) this.#elements[key] = value;
    }
  }

  /** Sets the function called once when playback stalls (spec: `set_emergency_shutdown_callback`). */
  setEmergencyShutdownCallback(callback: EmergencyCallback | null): void {
    if (callback !== null && typeof callback !== 'function') throw new ConfigError('callback', 'must be a function or null');
    this.#emergency = callback ?? undefined;
  }

  // ------------------------------------------------------------------------------------------
  // GStreamer callbacks (spec: on_new_sample, on_new_audio_sample, _on_appsrc_need_data, …)

  /**
   * The spec's `on_new_sample`: takes a video sample from `sink`. node-gtk calls `new-sample`
   * handlers without arguments, so pass the appsink yourself:
   * `videoAppsink.on('new-sample', () => line.onNewSample(videoAppsink))` (with
   * `emitSignals = true`). stop() turns `emit-signals` off on every sink seen here before it
   * stops the pipeline (a pending handler would otherwise deadlock the state change).
   * Returns a GstFlowReturn.
   */
  readonly onNewSample = (sink: unknown): number => this.#pullInto(sink, this.#video, 0);

  /** The spec's `on_new_audio_sample` (see {@link onNewSample}). */
  readonly onNewAudioSample = (sink: unknown): number => this.#pullInto(sink, this.#audio, 1);

  readonly #callbackSinks = new Set<GstAppSink>();

  /**
   * appsrc `need-data` handler for video. Samples are pushed when due, not on demand, so this
   * only counts how often the appsrc ran dry (a push came too late).
   */
  readonly onAppsrcNeedData = (): void => {
    this.#videoNeedData++;
  };

  /** appsrc `need-data` handler for audio (see {@link onAppsrcNeedData}). */
  readonly onAudioAppsrcNeedData = (): void => {
    this.#audioNeedData++;
  };

  /** Spec name of {@link onAppsrcNeedData}. */
  readonly _onAppsrcNeedData = this.onAppsrcNeedData;
  /** Spec name of {@link onAudioAppsrcNeedData}. */
  readonly _onAudioAppsrcNeedData = this.onAudioAppsrcNeedData;

  #videoNeedData = 0;
  #audioNeedData = 0;
  readonly #callbackTrackers: (SampleTracker | undefined)[] = [undefined, undefined];
  #warnedNoSink = false;

  #pullInto(candidate: unknown, subject: Subject<HeldSample>, index: 0 | 1): number {
    const { Gst } = loadGst();
    if (typeof (candidate as Partial<GstAppSink> | null)?.pullSample !== 'function') {
      // A signal handler must not throw into GStreamer: log once, and fail the flow.
      if (!this.#warnedNoSink) {
        this.#warnedNoSink = true;
        this.#log.error(`[SOURCE] ${index === 0 ? 'onNewSample' : 'onNewAudioSample'} needs the appsink: connect it as () => line.${index === 0 ? 'onNewSample' : 'onNewAudioSample'}(appsink)`);
      }
      return Gst.FlowReturn.ERROR;
    }
    const sink = candidate as GstAppSink;
    this.#callbackSinks.add(sink);
    const sample = sink.pullSample();
    if (!sample) return Gst.FlowReturn.EOS;
    if (!this.#actor || this.#stopping) {
      return Gst.FlowReturn.FLUSHING; // the sample wrapper is dropped; GC frees it
    }
    // Callback mode: a tracker per sink, as fromAppSink has.
    const tracker = (this.#callbackTrackers[index] ??= new SampleTracker(emptyBuffer()));
    subject.next(holdSample(tracker, sample));
    return Gst.FlowReturn.OK;
  }

  // ------------------------------------------------------------------------------------------
  // Lifecycle (spec: start_buffer_thread, stop_buffer_thread, clear_buffers, get_stats)

  /** The delay line's actor (its snapshot's value is the state), once started. */
  get actor(): DelayLineActor | undefined {
    return this.#actor;
  }

  readonly #inspectors = new Set<{ observer: (event: InspectionEvent) => void; detach: (() => void) | undefined }>();

  /**
   * Attaches an XState inspection observer (the inspector's bus) to the line's actor system:
   * now if the line has started, otherwise as it starts.
   * @returns a function that detaches it.
   */
  addInspector(observer: (event: InspectionEvent) => void): () => void {
    const entry = { observer, detach: undefined as (() => void) | undefined };
    if (this.#actor) {
      const subscription = this.#actor.system.inspect(observer);
      entry.detach = () => subscription.unsubscribe();
    }
    this.#inspectors.add(entry);
    return () => {
      entry.detach?.();
      this.#inspectors.delete(entry);
    };
  }

  /** The current state name ('idle' before start). */
  get state(): string {
    const snapshot = this.#actor?.getSnapshot();
    if (!snapshot) return 'idle';
    return stateName(snapshot);
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

  readonly #startHooks: ((clock: GstClock, analysisBaseTime: bigint) => void)[] = [];
  readonly #stopHooks: (() => void)[] = [];

  /** The error that failed the line, if it failed. */
  get error(): GstError | null {
    return this.#error;
  }

  /** Resolves when the line has stopped or failed. */
  whenStopped(): Promise<StopResult> {
    return this.#stopped;
  }

  /**
   * Starts the delay line (spec: `start_buffer_thread`): watches the buses, takes samples
   * from the appsinks it owns, starts the playback pipeline when the window is full enough.
   * The analysis pipeline must be started by the caller (or is started here when given and
   * not yet playing).
   */
  start(): void {
    if (this.#actor) throw new GstError(ErrorCode.GST_STATE, 'the delay line was already started');
    const { Gst } = loadGst();
    const el = this.#elements;
    const clockMode = this.#options.clock ?? (el.analysisPipeline ? 'shared' : 'independent');
    if (clockMode === 'shared' && !el.analysisPipeline) {
      throw new ConfigError('clock', "'shared' needs the analysis pipeline (setElements({ analysisPipeline }))");
    }
    this.#clockMode = clockMode;
    if (el.appsrc) this.#videoSink = new AppSrcSink(configureAppSrc(el.appsrc as GstAppSrc, clockMode));
    if (el.audioAppsrc) this.#audioSink = new AppSrcSink(configureAppSrc(el.audioAppsrc as GstAppSrc, clockMode));

    const stallTimeoutMs = (this.#options.stallTimeout ?? 5) * 1000;
    const machine = delayLineMachine.provide({
      actions: {
        startPlayback: () => {
          this.#startPlayback();
        },
        emergency: ({ event }) => {
          const timer = delayLineTimeoutOf(event);
          const reason =
            event.type === 'STALL'
              ? event.reason
              : timer === 'startTimeout'
                ? `no sample received within ${stallTimeoutMs / 1000} s of start`
                : `no frame sent for ${stallTimeoutMs / 1000} s while playing`;
          this.#onStall(reason);
        },
        stopPipelines: () => {
          void this.#shutdown();
        },
      },
    });
    const actor = createActor(machine, {
      id: this.#id,
      input: {
        id: this.#id,
        startTimeoutMs: stallTimeoutMs,
        stallTimeoutMs,
        shutdownTimeoutMs: (this.#options.shutdownTimeout ?? 3) * 1000 + 2000,
      },
    });
    this.#actor = actor;
    for (const entry of this.#inspectors) {
      const subscription = actor.system.inspect(entry.observer);
      entry.detach = () => subscription.unsubscribe();
    }
    let lastState = '';
    actor.subscribe((snapshot) => {
      const name = stateName(snapshot);
      if (name !== lastState) {
        lastState = name;
        this.#log.info({ state: name }, `[BUFFER] ${name}`);
      }
      if (snapshot.status === 'done') this.#finish(snapshot);
    });
    actor.start();

    this.#wireStreams();
    this.#watchBuses();
    if (el.analysisPipeline) {
      const pipeline = el.analysisPipeline as GstPipeline;
      const [, current] = pipeline.getState(0n);
      if (current !== Gst.State.PLAYING) {
        try {
          setPipelineState(pipeline, 'PLAYING');
        } catch (error) {
          // Reported like a bus error: the line fails, whenStopped() carries the error.
          const e = error instanceof GstError ? error : new GstError(ErrorCode.GST_STATE, String(error), { cause: error });
          this.#error ??= e;
          this.#log.error(`[SOURCE] the analysis pipeline could not start: ${e.message}`);
          this.#send({ type: 'ERROR', code: e.code, message: e.message });
        }
      }
    }
    this.#log.info(
      { delay: this.delay, frameCapacity: this.frameCapacity, audioCapacity: this.audioCapacity, clock: clockMode },
      `[BUFFER] started: ${this.delay} s delay, window ${this.frameCapacity} frames / ${this.audioCapacity} audio chunks, ${clockMode} clock`,
    );
  }

  /** Spec name of {@link start}. */
  startBufferThread(): void {
    this.start();
  }

  /**
   * Stops the line (spec: `stop_buffer_thread`): the analysis pipeline stops, the appsrcs end,
   * the playback pipeline is given `shutdownTimeout` seconds to finish (so a file it writes is
   * complete), then stopped; every held sample is released. Idempotent; never hangs.
   */
  stop(): Promise<StopResult> {
    if (!this.#actor) {
      const stats = this.getStats();
      return Promise.resolve({ state: 'stopped', reason: null, error: null, stats });
    }
    this.#send({ type: 'STOP' });
    return this.#stopped;
  }

  /** Spec name of {@link stop}. */
  stopBufferThread(): Promise<StopResult> {
    return this.stop();
  }

  /**
   * Lets go of every held frame and audio chunk (spec: `clear_buffers`) and resets the
   * counters. While running, the windows start filling again from the next sample.
   */
  clearBuffers(): void {
    const running = this.#actor !== undefined && this.#stopping === undefined;
    this.#subscription.unsubscribe();
    this.#subscription = new Subscription();
    this.#discarded = 0;
    this.#videoStats = createTimeWindowStats();
    this.#audioStats = createTimeWindowStats();
    this.#syncStats = createPtsSyncStats();
    this.#framesReceived = 0;
    this.#audioReceived = 0;
    this.#lastReceivedPts = -1;
    if (running) this.#wireStreams();
  }

  /** Statistics (spec: `get_stats`), all keys of the spec in camelCase plus drop counters. */
  getStats(): GstBufferStats {
    const v = this.#videoStats;
    const a = this.#audioStats;
    const lastSent = this.#videoSink?.lastPts ?? -1;
    return {
      framesReceived: this.#framesReceived,
      framesSent: this.#videoSink?.pushed ?? 0,
      frameBufferSize: v.size,
      frameBufferCapacity: this.frameCapacity,
      audioBufferSize: a.size + this.#syncStats.held,
      audioBufferCapacity: this.audioCapacity,
      displayBufferDuration: lastSent >= 0 && this.#lastReceivedPts >= 0 ? Math.max(0, this.#lastReceivedPts - lastSent) / NS_PER_SECOND : 0,
      currentPlaybackTime: lastSent >= 0 ? lastSent / NS_PER_SECOND : 0,
      audioChunksReceived: this.#audioReceived,
      audioChunksSent: this.#audioSink?.pushed ?? 0,
      appsrcStarved: this.#videoNeedData + this.#audioNeedData,
      framesDroppedOverflow: v.droppedOverflow,
      framesDroppedLate: v.droppedLate,
      audioDroppedOverflow: a.droppedOverflow,
      audioDroppedLate: a.droppedLate + this.#syncStats.droppedLate,
      discarded: this.#discarded,
      maxFrameBufferSize: v.maxSize,
      delay: this.delay,
      state: this.state,
      clock: this.#clockMode ?? this.#options.clock ?? (this.#elements.analysisPipeline ? 'shared' : 'independent'),
    };
  }

  /** Spec name of {@link getStats}. */
  get_stats(): GstBufferStats {
    return this.getStats();
  }

  // ------------------------------------------------------------------------------------------
  // Internals

  /** Running time of the analysis pipeline in ns (the playout clock). */
  #now = (): number => {
    if (this.#clock) return Number(this.#clock.getTime() - this.#analysisBase);
    const epoch = this.#jsEpoch;
    if (!epoch) return 0;
    return epoch.pts + (performance.now() - epoch.ms) * NS_PER_MS;
  };

  #captureClock(firstPts: number): void {
    if (this.#clock || this.#jsEpoch) return;
    const analysis = this.#elements.analysisPipeline as GstPipeline | null | undefined;
    const clock = analysis?.getClock() ?? null;
    if (analysis && clock) {
      this.#clock = clock;
      this.#analysisBase = analysis.getBaseTime();
    } else {
      this.#jsEpoch = { ms: performance.now(), pts: firstPts };
    }
  }

  #release = (item: HeldSample, reason: DropReason): void => {
    if (reason === 'teardown') this.#discarded++;
    item.release();
  };

  /**
   * The period (ms) of the polls and playout ticks: a frame interval, but at most a third of
   * the lead so a sample is always pushed well before it is due.
   */
  get #pumpMs(): number {
    const leadMs = (this.#options.lead ?? 0.2) * 1000;
    return Math.max(1, Math.min(1000 / this.framerate, leadMs / 3));
  }

  /** The shared tick (created on first use; shared while anything is subscribed). */
  get #pump$(): Observable<number> {
    this.#pumpShared ??= interval(this.#pumpMs, this.#scheduler).pipe(share());
    return this.#pumpShared;
  }

  #pumpShared: Observable<number> | undefined;

  /** Every emission of the shared tick about 100 ms apart (bus polls, progress, log lines). */
  get #slowTick$(): Observable<number> {
    const every = Math.max(1, Math.round(100 / this.#pumpMs));
    return this.#pump$.pipe(filter((n) => n % every === 0));
  }

  #wireStreams(): void {
    const o = this.#options;
    const scheduler = this.#scheduler;
    const delayNs = this.delay * NS_PER_SECOND;
    const leadNs = (o.lead ?? 0.2) * NS_PER_SECOND;
    const keepBehindNs = (o.keepBehind ?? 0.5) * NS_PER_SECOND;
    const sub = this.#subscription;
    const el = this.#elements;

    // Sources: appsinks the manager owns, or the callbacks (onNewSample) feeding the subjects.
    this.#video = new Subject<HeldSample>();
    this.#audio = new Subject<HeldSample>();
    const mode = o.sampleMode ?? 'poll';
    const track = (tracker: SampleTracker): void => {
      this.#trackers.push(tracker);
    };
    // Every periodic job (appsink polls, the windows' playout, bus polls, progress) runs on one
    // shared tick of about a frame interval: each wake-up of the JS thread costs 65–100 µs of
    // CPU here, more than the work it does (the delay bench).
    const pump$ = this.#pump$;
    const pull = { mode, tracker: track, tick: pump$, scheduler };
    if (el.videoAppsink) sub.add(fromAppSink(el.videoAppsink as GstAppSink, pull).subscribe(this.#video));
    if (el.audioAppsink) sub.add(fromAppSink(el.audioAppsink as GstAppSink, pull).subscribe(this.#audio));

    let sawSample = false;
    const onArrival = (item: HeldSample): void => {
      if (!sawSample) {
        sawSample = true;
        this.#captureClock(item.pts);
        this.#send({ type: 'SAMPLE' });
      }
    };

    // The two windows differ only in capacity and stats.
    const window = (capacity: number, stats: TimeWindowStats) =>
      timeWindow<HeldSample>({ delay: delayNs, tick: pump$, capacity, keepBehind: keepBehindNs, lead: leadNs, now: this.#now, scheduler, stats, onDrop: this.#release });

    // Video: fill gate → window → appsrc.
    const videoStats = this.#videoStats;
    const videoPushed$ = new Subject<HeldSample>();
    const videoSink = this.#videoSink;
    const video$ = this.#video.pipe(
      fillGate<HeldSample>({
        capacity: this.frameCapacity,
        threshold: o.fillThreshold ?? 0.3,
        scheduler,
        onDrop: this.#release,
        onOpen: ({ held, reason }) => {
          this.#log.info({ held, reason }, `[BUFFER] window ${reason === 'filled' ? 'filled' : reason} at ${held} frames: starting playback`);
          this.#send({ type: 'FILLED' });
        },
      }),
      window(this.frameCapacity, videoStats),
    );
    sub.add(
      this.#video.subscribe((item) => {
        this.#framesReceived++;
        this.#lastReceivedPts = item.pts;
        onArrival(item);
      }),
    );
    sub.add(
      video$.subscribe({
        next: (item) => {
          if (videoSink) videoSink.push(item);
          else item.release();
          videoPushed$.next(item);
        },
        complete: () => {
          videoSink?.end();
          videoPushed$.complete();
        },
      }),
    );

    // Audio: window → follows video → appsrc.
    const audioSink = this.#audioSink;
    const audioWindow$ = this.#audio.pipe(
      window(this.audioCapacity, this.#audioStats),
    );
    const audio$ = el.appsrc || el.videoAppsink
      ? audioWindow$.pipe(
          ptsSync<HeldSample>(videoPushed$, {
            window: (o.syncWindow ?? 0.1) * NS_PER_SECOND,
            tolerance: (o.syncTolerance ?? 0.05) * NS_PER_SECOND,
            maxHoldMs: (o.stallTimeout ?? 5) * 1000,
            scheduler,
            stats: this.#syncStats,
            onDrop: this.#release,
          }),
        )
      : audioWindow$;
    sub.add(
      this.#audio.subscribe((item) => {
        this.#audioReceived++;
        if (!el.videoAppsink && !el.appsrc) this.#lastReceivedPts = item.pts;
        onArrival(item);
      }),
    );
    sub.add(
      audio$.subscribe({
        next: (item) => {
          if (audioSink) audioSink.push(item);
          else item.release();
        },
        complete: () => audioSink?.end(),
      }),
    );

    // Stall: no sample in for stallTimeout. (No frame out while playing is the machine's timer.)
    const stallTimeoutMs = (o.stallTimeout ?? 5) * 1000;
    sub.add(
      merge(this.#video, this.#audio)
        .pipe(stallDetect({ timeoutMs: stallTimeoutMs, scheduler }))
        .subscribe((event) => {
          this.#send({ type: 'STALL', reason: `no sample received for ${(event.silentForMs / 1000).toFixed(1)} s` });
        }),
    );

    // Progress (≤ 10 Hz, only when frames went out) and the periodic log lines.
    let lastSent = 0;
    const logEvery = (o.logInterval ?? 5) * 10;
    let ticks = 0;
    let lastLog = { received: 0, sent: 0 };
    sub.add(
      this.#slowTick$.subscribe(() => {
        const sent = (videoSink?.pushed ?? 0) + (audioSink?.pushed ?? 0);
        if (sent !== lastSent) {
          lastSent = sent;
          this.#send({ type: 'PROGRESS' });
        }
        if (logEvery > 0 && ++ticks % logEvery === 0) {
          const s = this.getStats();
          const seconds = logEvery / 10;
          this.#log.info(
            { framesReceived: s.framesReceived, fps: (s.framesReceived - lastLog.received) / seconds, audioChunksReceived: s.audioChunksReceived },
            `[SOURCE] ${s.framesReceived} frames received (${((s.framesReceived - lastLog.received) / seconds).toFixed(1)} fps), ${s.audioChunksReceived} audio chunks`,
          );
          this.#log.info(
            { framesSent: s.framesSent, frameBufferSize: s.frameBufferSize, audioBufferSize: s.audioBufferSize },
            `[PLAYBACK] ${s.framesSent} frames sent (${((s.framesSent - lastLog.sent) / seconds).toFixed(1)} fps), window ${s.frameBufferSize}/${s.frameBufferCapacity} frames, ${s.audioBufferSize}/${s.audioBufferCapacity} audio chunks`,
          );
          lastLog = { received: s.framesReceived, sent: s.framesSent };
        }
      }),
    );
  }

  #watchBuses(): void {
    const el = this.#elements;
    const buses: Observable<BusMessage>[] = [];
    // Polled on the shared tick, about every 100 ms; the tick runs from start() to the end of
    // stop(), so the bus (and Node) stays alive as long as the line.
    const tick = this.#slowTick$;
    if (el.analysisPipeline) buses.push(busMessages(el.analysisPipeline as GstPipeline, { tick }));
    if (el.playbackPipeline) buses.push(busMessages(el.playbackPipeline as GstPipeline, { tick }));
    const playback = (el.playbackPipeline as GstPipeline | null | undefined)?.name;
    const sub = merge(...buses).subscribe((message) => {
      if (message.type === 'error') {
        const error = new GstError(ErrorCode.GST_PIPELINE, `${message.source}: ${message.message}${message.debug ? ` (${message.debug.split('\n').pop() ?? ''})` : ''}`);
        this.#error ??= error;
        this.#log.error({ source: message.source, debug: message.debug }, `[BUFFER] pipeline error from ${message.source}: ${message.message}`);
        this.#send({ type: 'ERROR', code: error.code, message: error.message });
      } else if (message.type === 'warning') {
        this.#log.warn({ source: message.source }, `[BUFFER] warning from ${message.source}: ${message.message}`);
      } else if (this.#isFromPlayback(message.source, playback)) {
        // The playback pipeline finished: everything held was played out (source ended).
        this.#playbackEnded = true;
        if (this.#playbackEos) this.#playbackEos();
        else {
          this.#log.info('[PLAYBACK] end of stream: everything was played out');
          this.#send({ type: 'STOP' });
        }
      } else {
        // The analysis source ended: the windows play out what they hold, then the appsrcs end.
        this.#log.info('[SOURCE] end of stream');
        this.#video.complete();
        this.#audio.complete();
      }
    });
    this.#busSubscription = sub;
  }

  #busSubscription: Subscription | undefined;
  #playbackEnded = false;

  #isFromPlayback(source: string, playbackName: string | undefined): boolean {
    return playbackName !== undefined && source === playbackName;
  }

  #startPlayback(): void {
    const el = this.#elements;
    const playback = el.playbackPipeline as GstPipeline | null | undefined;
    if (!playback) return;
    const { Gst } = loadGst();
    try {
      if (this.#clockMode === 'shared') {
        const analysis = el.analysisPipeline as GstPipeline;
        const clock = this.#clock ?? analysis.getClock();
        if (!clock) throw new GstError(ErrorCode.GST_STATE, 'the analysis pipeline has no clock yet (is it playing?)');
        this.#clock = clock;
        this.#analysisBase = analysis.getBaseTime();
        playback.useClock(clock);
        playback.setStartTime(Gst.CLOCK_TIME_NONE);
        playback.setBaseTime(this.#analysisBase + BigInt(Math.round(this.delay * NS_PER_SECOND)));
      }
      setPipelineState(playback, 'PLAYING');
      this.#log.info('[PLAYBACK] playback pipeline started');
      const clock = this.#clock ?? playback.getClock();
      if (clock) for (const hook of this.#startHooks) hook(clock, this.#clockMode === 'shared' ? this.#analysisBase : playback.getBaseTime());
    } catch (error) {
      const e = error instanceof GstError ? error : new GstError(ErrorCode.GST_STATE, String(error), { cause: error });
      this.#error ??= e;
      this.#send({ type: 'ERROR', code: e.code, message: e.message });
    }
  }

  /** Sends to the actor while it runs (a finished actor warns on every event). */
  #send(event: Parameters<DelayLineActor['send']>[0]): void {
    const actor = this.#actor;
    if (actor && actor.getSnapshot().status === 'active') actor.send(event);
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
      this.#send({ type: 'STOP' });
    });
  }

  /** Stops both pipelines and releases everything (the machine's stopPipelines action). */
  #shutdown(): Promise<void> {
    this.#stopping ??= this.#doShutdown();
    return this.#stopping;
  }

  async #doShutdown(): Promise<void> {
    const el = this.#elements;
    const sinks = [...([el.videoAppsink, el.audioAppsink].filter((s): s is GstElement => !!s) as GstAppSink[]), ...this.#callbackSinks];
    const analysis = el.analysisPipeline as GstPipeline | null | undefined;
    const playback = el.playbackPipeline as GstPipeline | null | undefined;
    try {
      // 1. No more samples in: stop taking samples (signals off, polls stopped), let go of
      //    everything held, detach the user's handlers; then let handlers already queued on
      //    the JS thread run before any state change (one pending while a state change waits
      //    for its streaming thread would deadlock).
      for (const sink of sinks) sink.emitSignals = false;
      this.#subscription.unsubscribe();
      for (const hook of this.#stopHooks) hook();
      await new Promise((resolve) => setTimeout(resolve, 20));
      // 2. Stop the source; end the appsrcs so the playback pipeline can finish.
      if (analysis) await stopPipeline(analysis, sinks);
      this.#videoSink?.end();
      this.#audioSink?.end();
      // 3. Give the playback pipeline time to drain (a muxer writes its index), then stop it.
      if (playback) {
        const { Gst } = loadGst();
        const [, current] = playback.getState(0n);
        if (current === Gst.State.PLAYING && !this.#error && !this.#playbackEnded) {
          const timeoutMs = (this.#options.shutdownTimeout ?? 3) * 1000;
          const finished = await new Promise<boolean>((resolve) => {
            const timer = setTimeout(() => resolve(false), timeoutMs);
            this.#playbackEos = () => {
              clearTimeout(timer);
              resolve(true);
            };
          });
          if (!finished) this.#log.warn(`[PLAYBACK] playback did not finish within ${timeoutMs / 1000} s; stopping it`);
        }
        playback.setState(Gst.State.NULL);
      }
      for (const tracker of this.#trackers) tracker.flush();
      for (const tracker of this.#callbackTrackers) tracker?.flush();
    } catch (error) {
      this.#log.error({ err: error }, '[BUFFER] error while stopping');
    } finally {
      this.#busSubscription?.unsubscribe();
      this.#send({ type: 'STOPPED' });
    }
  }

  #finish(snapshot: SnapshotFrom<typeof delayLineMachine>): void {
    const context = snapshot.context;
    if (context.error && !this.#error) {
      this.#error = new GstError(context.error.code === ErrorCode.GST_SHUTDOWN_TIMEOUT ? ErrorCode.GST_SHUTDOWN_TIMEOUT : ErrorCode.GST_PIPELINE, context.error.message);
    }
    const state = snapshot.value === 'failed' ? 'failed' : 'stopped';
    const finalise = (): void => {
      this.#resolveStopped({ state, reason: context.stopReason, error: state === 'failed' ? this.#error : (this.#error?.code === ErrorCode.GST_STALL ? this.#error : null), stats: this.getStats() });
    };
    if (state === 'failed' && this.#stopping) void this.#stopping.finally(finalise);
    else finalise();
  }
}

function stateName(snapshot: SnapshotFrom<typeof delayLineMachine>): string {
  const value = snapshot.value;
  if (typeof value === 'string') return value;
  const [outer] = Object.keys(value);
  return outer ?? 'unknown';
}

/** Sets the appsrc properties a delay line needs. */
function configureAppSrc(src: GstAppSrc, clock: ClockMode): GstAppSrc {
  const { Gst } = loadGst();
  const props = src as unknown as Record<string, unknown>;
  props.format = (Gst as unknown as { Format: { TIME: number } }).Format.TIME;
  props.isLive = true;
  props.doTimestamp = clock === 'independent';
  props.block = false;
  props.maxBytes = 0n;
  return src;
}
