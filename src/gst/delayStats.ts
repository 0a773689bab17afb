/**
 * What a delay line counts: the counters its paths bump as samples pass, the statistics
 * object getStats() builds from them, and the progress it reports (the machine's PROGRESS
 * events and the periodic [SOURCE]/[PLAYBACK] log lines).
 */
import type { Observable, Subscription } from 'rxjs';
import type { Logger } from '../core/logger.js';
import { NS_PER_SECOND } from '../core/time.js';
import { createPtsSyncStats, type PtsSyncStats } from '../streams/ptsSync.js';
import { createTimeWindowStats, type TimeWindowStats } from '../streams/timeWindow.js';
import type { AppSrcSink } from './appSrc.js';
import type { ClockMode, ResolvedDelayOptions } from './delayOptions.js';

/** Statistics of a delay line: every key of the Python `get_stats()` in camelCase, and more. */
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
  /** Times an appsrc asked for data (need-data) through the need-data callbacks. */
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

/** The counters of one wiring of the paths; clearBuffers() starts a new set. */
export class DelayCounters {
  /** The video window's size and drops. */
  readonly video: TimeWindowStats = createTimeWindowStats();
  /** The audio window's size and drops. */
  readonly audio: TimeWindowStats = createTimeWindowStats();
  /** Audio held back or dropped to follow video. */
  readonly sync: PtsSyncStats = createPtsSyncStats();
  framesReceived = 0;
  audioReceived = 0;
  /** Running time of the newest sample received (video, or audio when there is no video), or −1. */
  lastReceivedPts = -1;
  /** Samples let go of at teardown (stop or clear) rather than pushed or dropped. */
  discarded = 0;
}

/** What {@link statsOf} reads besides the options. */
export interface StatsSources {
  readonly counters: DelayCounters;
  readonly videoSink: AppSrcSink | undefined;
  readonly audioSink: AppSrcSink | undefined;
  /** need-data calls, both appsrcs. */
  readonly starved: number;
  readonly state: string;
  readonly clock: ClockMode;
}

/** Builds the statistics object from the options, the counters and the appsrcs' own counts. */
export function statsOf(options: ResolvedDelayOptions, from: StatsSources): GstBufferStats {
  const { counters: c, videoSink, audioSink } = from;
  const lastSent = videoSink?.lastPts ?? -1;
  return {
    framesReceived: c.framesReceived,
    framesSent: videoSink?.pushed ?? 0,
    frameBufferSize: c.video.size,
    frameBufferCapacity: options.frameCapacity,
    audioBufferSize: c.audio.size + c.sync.held,
    audioBufferCapacity: options.audioCapacity,
    displayBufferDuration: lastSent >= 0 && c.lastReceivedPts >= 0 ? Math.max(0, c.lastReceivedPts - lastSent) / NS_PER_SECOND : 0,
    currentPlaybackTime: lastSent >= 0 ? lastSent / NS_PER_SECOND : 0,
    audioChunksReceived: c.audioReceived,
    audioChunksSent: audioSink?.pushed ?? 0,
    appsrcStarved: from.starved,
    framesDroppedOverflow: c.video.droppedOverflow,
    framesDroppedLate: c.video.droppedLate,
    audioDroppedOverflow: c.audio.droppedOverflow,
    audioDroppedLate: c.audio.droppedLate + c.sync.droppedLate,
    discarded: c.discarded,
    maxFrameBufferSize: c.video.maxSize,
    delay: options.delay,
    state: from.state,
    clock: from.clock,
  };
}

/** What {@link reportProgress} reads and tells. */
export interface ProgressReport {
  /** Samples pushed so far, both kinds. */
  readonly sent: () => number;
  /** Called on a tick when samples went out since the last one (at most 10 times a second). */
  readonly progress: () => void;
  /** The statistics the log lines show. */
  readonly stats: () => GstBufferStats;
  /** Seconds between [SOURCE]/[PLAYBACK] lines (0: never). */
  readonly logInterval: number;
  readonly log: Logger;
}

/**
 * On each tick of `slowTick$` (about 100 ms): `progress()` when samples went out, and every
 * `logInterval` seconds the [SOURCE] and [PLAYBACK] lines with the rates since the last ones.
 */
export function reportProgress(slowTick$: Observable<unknown>, report: ProgressReport): Subscription {
  const logEvery = report.logInterval * 10;
  const seconds = logEvery / 10;
  let lastSent = 0;
  let ticks = 0;
  let previous = { received: 0, sent: 0 };
  return slowTick$.subscribe(() => {
    const sent = report.sent();
    if (sent !== lastSent) {
      lastSent = sent;
      report.progress();
    }
    if (logEvery === 0 || ++ticks % logEvery !== 0) return;
    const s = report.stats();
    const fps = (s.framesReceived - previous.received) / seconds;
    report.log.info(
      { framesReceived: s.framesReceived, fps, audioChunksReceived: s.audioChunksReceived },
      `[SOURCE] ${s.framesReceived} frames received (${fps.toFixed(1)} fps), ${s.audioChunksReceived} audio chunks`,
    );
    report.log.info(
      { framesSent: s.framesSent, frameBufferSize: s.frameBufferSize, audioBufferSize: s.audioBufferSize },
      `[PLAYBACK] ${s.framesSent} frames sent (${((s.framesSent - previous.sent) / seconds).toFixed(1)} fps), window ${s.frameBufferSize}/${s.frameBufferCapacity} frames, ${s.audioBufferSize}/${s.audioBufferCapacity} audio chunks`,
    );
    previous = { received: s.framesReceived, sent: s.framesSent };
  });
}
