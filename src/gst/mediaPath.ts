/**
 * The data path of a delay line: one media kind's path, written once ({@link mediaPath}),
 * and the line's two made of it ({@link linePaths}): video gated until the window is full
 * enough, audio following the video pushed, and a stall when neither brings anything.
 *
 *   appsink ─▶ intake ─▶ [fill gate] ─▶ time window ─▶ [follow video] ─▶ appsrc
 *
 * - intake: a Subject the line's own appsink feeds (polled or by signal), and that the
 *   `new-sample` callbacks and the bus's end of stream reach too.
 * - fill gate (video): playback waits until the window is full enough ({@link fillGate}).
 * - time window: holds each sample until `now() − delay ≥ pts − lead`, drops the oldest when
 *   full and what is older than the playback position − keepBehind ({@link timeWindow}).
 * - follow (audio): goes out no further than the video pushed allows ({@link ptsSync}).
 * - appsrc: each sample is pushed and released at once, so memory is bounded by the window,
 *   not by the garbage collector (node-gtk frees a sample only when its wrapper is collected,
 *   which rarely happens: 600 held-and-dropped 720p frames reached 895 MB here).
 */
import { Subject, Subscription, identity, merge, type Observable, type SchedulerLike } from 'rxjs';
import { NS_PER_SECOND } from '../core/time.js';
import { fillGate, type FillGateOpenInfo } from '../streams/fillGate.js';
import { ptsSync, type PtsSyncStats } from '../streams/ptsSync.js';
import { stallDetect } from '../streams/stallDetect.js';
import type { DropHandler } from '../streams/timed.js';
import { timeWindow, type TimeWindowStats } from '../streams/timeWindow.js';
import { fromAppSink, type AppSinkOptions } from './appSink.js';
import type { AppSrcSink } from './appSrc.js';
import type { GstAppSink } from './binding.js';
import type { ResolvedDelayOptions } from './delayOptions.js';
import type { DelayCounters } from './delayStats.js';
import type { HeldSample, SampleTracker } from './sample.js';

/** The timing both paths of a line share (all times in ns of the analysis pipeline's running time). */
export interface PathTiming {
  /** How long a sample is held. */
  readonly delayNs: number;
  /** How long before it is due a sample is pushed (the appsrc's queue holds it meanwhile). */
  readonly leadNs: number;
  /** How far behind the playback position a held sample may fall before it is dropped as late. */
  readonly keepBehindNs: number;
  /** The playout clock (see playoutClock.ts). */
  readonly now: () => number;
  /** The shared tick the window plays out on. */
  readonly tick: Observable<unknown>;
  readonly scheduler: SchedulerLike;
  /** Every sample let go of without being pushed (overflow, late, teardown). */
  readonly release: DropHandler<HeldSample>;
}

/** What makes one media kind's path: where samples come from, the window's size, where they go. */
export interface MediaPathOptions {
  /** Where samples come in (see the module comment). */
  readonly intake: Subject<HeldSample>;
  /** An appsink the line takes samples from itself, if any, and how. */
  readonly appsink?: { readonly sink: GstAppSink; readonly pull: AppSinkOptions } | undefined;
  /** Told of every sample that comes in, before the window takes it. */
  readonly onReceived: (item: HeldSample) => void;
  /** Video: hold everything until `threshold` × capacity samples are in, then call `onOpen`. */
  readonly gate?: { readonly threshold: number; readonly onOpen: (info: FillGateOpenInfo) => void } | undefined;
  /** Most samples the window holds. */
  readonly capacity: number;
  /** The window's counters (size, drops), read by getStats(). */
  readonly stats: TimeWindowStats;
  /** Audio: follow the samples another path pushed (`window`/`tolerance` in ns). */
  readonly follow?:
    | { readonly leader$: Observable<HeldSample>; readonly windowNs: number; readonly toleranceNs: number; readonly maxHoldMs: number; readonly stats: PtsSyncStats }
    | undefined;
  /** Where samples go; without one they are released when due. */
  readonly appsrc: AppSrcSink | undefined;
}

/** A wired path: its samples as pushed (for another path to follow), and its teardown. */
export interface MediaPath {
  /** Each sample right after it was pushed (already released: read its timestamps only); completes at the end of stream. */
  readonly pushed$: Observable<HeldSample>;
  /** Unsubscribing stops taking samples and releases every one held (reason `teardown`). */
  readonly subscription: Subscription;
}

/**
 * Wires one media kind from its appsink (or intake) to its appsrc. The consumers subscribe
 * before the appsink starts delivering, so no sample is taken without someone to hold it.
 *
 * @example
 * const video = mediaPath({ intake, appsink: { sink, pull }, onReceived, gate, capacity: 210, stats, appsrc }, timing);
 * const audio = mediaPath({ intake: audioIntake, onReceived, capacity: 700, stats: audioStats, follow: { leader$: video.pushed$, … }, appsrc }, timing);
 */
export function mediaPath(options: MediaPathOptions, timing: PathTiming): MediaPath {
  const { intake, gate, follow, appsrc } = options;
  const { scheduler, release } = timing;
  const subscription = new Subscription();
  const pushed$ = new Subject<HeldSample>();

  const due$ = intake.pipe(
    gate ? fillGate<HeldSample>({ capacity: options.capacity, threshold: gate.threshold, scheduler, onDrop: release, onOpen: gate.onOpen }) : identity,
    timeWindow<HeldSample>({
      delay: timing.delayNs,
      lead: timing.leadNs,
      keepBehind: timing.keepBehindNs,
      capacity: options.capacity,
      now: timing.now,
      tick: timing.tick,
      scheduler,
      stats: options.stats,
      onDrop: release,
    }),
    follow
      ? ptsSync<HeldSample>(follow.leader$, {
          window: follow.windowNs,
          tolerance: follow.toleranceNs,
          maxHoldMs: follow.maxHoldMs,
          scheduler,
          stats: follow.stats,
          onDrop: release,
        })
      : identity,
  );

  subscription.add(intake.subscribe(options.onReceived));
  subscription.add(
    due$.subscribe({
      next: (item) => {
        if (appsrc) appsrc.push(item);
        else item.release();
        pushed$.next(item);
      },
      // The window played out what it held: end the appsrc so the playback pipeline can finish.
      complete: () => {
        appsrc?.end();
        pushed$.complete();
      },
    }),
  );
  if (options.appsink) subscription.add(fromAppSink(options.appsink.sink, options.appsink.pull).subscribe(intake));
  return { pushed$, subscription };
}

/** One kind's ends: where its samples come in, and where they go. */
export interface MediaEnds {
  readonly intake: Subject<HeldSample>;
  /** The appsink the line owns for this kind, if any. */
  readonly appsink: GstAppSink | undefined;
  readonly appsrc: AppSrcSink | undefined;
}

/** What {@link linePaths} tells the line; each is called on the JS thread, and must not throw. */
export interface LinePathEvents {
  /** The first sample of either kind came in (once). */
  readonly firstSample: (item: HeldSample) => void;
  /** The video window is full enough: playback can start. */
  readonly filled: (info: FillGateOpenInfo) => void;
  /** Nothing came in for `stallTimeout`. */
  readonly stalled: (silentForMs: number) => void;
}

/** Everything {@link linePaths} wires. */
export interface LinePathsOptions {
  readonly video: MediaEnds;
  readonly audio: MediaEnds;
  readonly options: ResolvedDelayOptions;
  /** Bumped as samples pass; also where the windows keep their stats. */
  readonly counters: DelayCounters;
  /** The playout clock: running time of the analysis pipeline in ns. */
  readonly now: () => number;
  /** The shared tick: appsink polls and the windows' playout run on it. */
  readonly tick$: Observable<unknown>;
  /** Receives the tracker of each appsink the line reads (to release its last sample at the end). */
  readonly tracker: (tracker: SampleTracker) => void;
  readonly release: DropHandler<HeldSample>;
  readonly events: LinePathEvents;
}

/**
 * Wires a line's video and audio paths and its stall detector; unsubscribing the result
 * tears them all down. Audio follows video whenever the line has video (an appsrc or an
 * appsink for it); without video, audio's newest sample is what `displayBufferDuration` reads.
 */
export function linePaths({ video, audio, options: o, counters, now, tick$, tracker, release, events }: LinePathsOptions): Subscription {
  const { scheduler } = o;
  const timing: PathTiming = {
    delayNs: o.delay * NS_PER_SECOND,
    leadNs: o.lead * NS_PER_SECOND,
    keepBehindNs: o.keepBehind * NS_PER_SECOND,
    now,
    tick: tick$,
    scheduler,
    release,
  };
  const pull: AppSinkOptions = { mode: o.sampleMode, tick: tick$, scheduler, tracker };
  const owned = (sink: GstAppSink | undefined) => (sink ? { sink, pull } : undefined);
  let sawSample = false;
  const arrived = (item: HeldSample): void => {
    if (sawSample) return;
    sawSample = true;
    events.firstSample(item);
  };
  const hasVideo = video.appsrc !== undefined || video.appsink !== undefined;

  const videoPath = mediaPath(
    {
      intake: video.intake,
      appsink: owned(video.appsink),
      onReceived: (item) => {
        counters.framesReceived++;
        counters.lastReceivedPts = item.pts;
        arrived(item);
      },
      gate: { threshold: o.fillThreshold, onOpen: events.filled },
      capacity: o.frameCapacity,
      stats: counters.video,
      appsrc: video.appsrc,
    },
    timing,
  );
  const audioPath = mediaPath(
    {
      intake: audio.intake,
      appsink: owned(audio.appsink),
      onReceived: (item) => {
        counters.audioReceived++;
        if (!hasVideo) counters.lastReceivedPts = item.pts;
        arrived(item);
      },
      capacity: o.audioCapacity,
      stats: counters.audio,
      follow: hasVideo
        ? {
            leader$: videoPath.pushed$,
            windowNs: o.syncWindow * NS_PER_SECOND,
            toleranceNs: o.syncTolerance * NS_PER_SECOND,
            maxHoldMs: o.stallTimeout * 1000,
            stats: counters.sync,
          }
        : undefined,
      appsrc: audio.appsrc,
    },
    timing,
  );

  const subscription = new Subscription();
  subscription.add(videoPath.subscription);
  subscription.add(audioPath.subscription);
  // No sample in for stallTimeout. (No frame out while playing is the machine's own timer.)
  subscription.add(
    merge(video.intake, audio.intake)
      .pipe(stallDetect({ timeoutMs: o.stallTimeout * 1000, scheduler }))
      .subscribe((event) => events.stalled(event.silentForMs)),
  );
  return subscription;
}
