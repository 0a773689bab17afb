/**
 * The options of a delay line: their defaults in one table, and {@link resolveDelayOptions},
 * which checks them once and returns the one frozen object the rest of the delay line reads.
 * Nothing else in src/gst restates a default.
 */
import { asyncScheduler, type SchedulerLike } from 'rxjs';
import { silentLogger, type Logger } from '../core/logger.js';
import { checkNumber, checkOneOf, invalid } from '../core/validate.js';
import { APPSINK_MODES, type AppSinkMode } from './appSink.js';
import type { GstElement } from './binding.js';

/** How the playback pipeline is timed against the analysis pipeline. */
export type ClockMode = 'shared' | 'independent';

/** The clock modes, for checks and messages. */
export const CLOCK_MODES: readonly ClockMode[] = ['shared', 'independent'];

/** The elements a delay line works with (all optional until it starts). */
export interface GstElements {
  /** Video appsrc of the playback pipeline. */
  appsrc?: GstElement | null;
  /** Audio appsrc of the playback pipeline. */
  audioAppsrc?: GstElement | null;
  /** The playback pipeline: started when the window is 30 % full, stopped by stop(). */
  playbackPipeline?: GstElement | null;
  /** The analysis pipeline: its clock times the delay; its bus is watched; stop() stops it. */
  analysisPipeline?: GstElement | null;
  /** Video appsink the line takes samples from itself (otherwise connect `onNewSample`). */
  videoAppsink?: GstElement | null;
  /** Audio appsink the line takes samples from itself (otherwise connect `onNewAudioSample`). */
  audioAppsink?: GstElement | null;
}

/** The names of {@link GstElements}, in the order they are copied. */
export const ELEMENT_KEYS = ['appsrc', 'audioAppsrc', 'playbackPipeline', 'analysisPipeline', 'videoAppsink', 'audioAppsink'] as const;

/** Options of a delay line (`new GstBufferManager(options)`); every one has a default. */
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
  /** How samples are taken from appsinks the line owns: 'poll' (default) or 'signal'. */
  sampleMode?: AppSinkMode;
  /** Seconds stop() waits for the playback pipeline to finish (EOS) before cutting it (default 3). */
  shutdownTimeout?: number;
  /** Log target (pino-compatible). Messages carry [SOURCE]/[PLAYBACK]/[BUFFER] tags. */
  logger?: Logger;
  /** Seconds between [SOURCE]/[PLAYBACK] statistics lines (default 5; 0 = never). */
  logInterval?: number;
  /** Name in logs and the actor's id (default 'delay-line'). */
  id?: string;
  /** Scheduler of the operators' timers (default asyncScheduler). */
  scheduler?: SchedulerLike;
}

/**
 * The defaults, once. `delay` defaults to `bufferDuration`; `clock` to 'shared' when the
 * analysis pipeline is known at start, else 'independent' (see playoutClock.ts).
 */
export const DELAY_DEFAULTS = Object.freeze({
  bufferDuration: 7,
  framerate: 30,
  audioChunksPerSec: 100,
  fillThreshold: 0.3,
  stallTimeout: 5,
  keepBehind: 0.5,
  lead: 0.2,
  syncWindow: 0.1,
  syncTolerance: 0.05,
  shutdownTimeout: 3,
  logInterval: 5,
  sampleMode: 'poll',
  id: 'delay-line',
  logger: silentLogger,
  scheduler: asyncScheduler,
});

/** Every option of a delay line, checked, with its default applied, and what follows from them. */
export interface ResolvedDelayOptions {
  readonly bufferDuration: number;
  readonly framerate: number;
  readonly audioChunksPerSec: number;
  readonly delay: number;
  readonly fillThreshold: number;
  readonly stallTimeout: number;
  readonly keepBehind: number;
  readonly lead: number;
  readonly syncWindow: number;
  readonly syncTolerance: number;
  readonly shutdownTimeout: number;
  readonly logInterval: number;
  /** As given: undefined means "decide at start from the elements" (see playoutClock.ts). */
  readonly clock: ClockMode | undefined;
  readonly sampleMode: AppSinkMode;
  readonly id: string;
  readonly logger: Logger;
  readonly scheduler: SchedulerLike;
  /** Most video frames the window holds: bufferDuration × framerate, at least 1. */
  readonly frameCapacity: number;
  /** Most audio chunks the window holds: bufferDuration × audioChunksPerSec, at least 1. */
  readonly audioCapacity: number;
  /**
   * The period (ms) of the shared tick that drives the appsink polls and the playout: a frame
   * interval, but at most a third of the lead so a sample is always pushed well before it is due.
   */
  readonly tickMs: number;
}

const POSITIVE = { min: 0, exclusive: true } as const;
const NOT_NEGATIVE = { min: 0 } as const;

/**
 * Checks `input` (a `ConfigError` naming the first bad field) and returns the frozen options
 * with every default applied.
 *
 * @example
 * const options = resolveDelayOptions({ bufferDuration: 2 }); // delay 2, frameCapacity 60
 */
export function resolveDelayOptions(input: GstBufferManagerOptions = {}): ResolvedDelayOptions {
  const d = DELAY_DEFAULTS;
  const bufferDuration = checkNumber('bufferDuration', input.bufferDuration ?? d.bufferDuration, POSITIVE);
  const framerate = checkNumber('framerate', input.framerate ?? d.framerate, POSITIVE);
  const audioChunksPerSec = checkNumber('audioChunksPerSec', input.audioChunksPerSec ?? d.audioChunksPerSec, POSITIVE);
  const delay = checkNumber('delay', input.delay ?? bufferDuration, POSITIVE);
  if (delay > bufferDuration) invalid('delay', `must be at most bufferDuration (${bufferDuration} s), got ${delay}`);
  const fillThreshold = checkNumber('fillThreshold', input.fillThreshold ?? d.fillThreshold, { ...POSITIVE, max: 1 });
  const stallTimeout = checkNumber('stallTimeout', input.stallTimeout ?? d.stallTimeout, POSITIVE);
  const keepBehind = checkNumber('keepBehind', input.keepBehind ?? d.keepBehind, NOT_NEGATIVE);
  const lead = checkNumber('lead', input.lead ?? d.lead, NOT_NEGATIVE);
  // A sample pushed a whole delay early would be pushed on arrival: no window at all.
  if (lead >= delay) invalid('lead', `must be less than the delay (${delay} s), got ${lead}`);
  const syncWindow = checkNumber('syncWindow', input.syncWindow ?? d.syncWindow, NOT_NEGATIVE);
  const syncTolerance = checkNumber('syncTolerance', input.syncTolerance ?? d.syncTolerance, NOT_NEGATIVE);
  const shutdownTimeout = checkNumber('shutdownTimeout', input.shutdownTimeout ?? d.shutdownTimeout, POSITIVE);
  const logInterval = checkNumber('logInterval', input.logInterval ?? d.logInterval, NOT_NEGATIVE);
  const clock = input.clock === undefined ? undefined : checkOneOf('clock', input.clock, CLOCK_MODES);
  const sampleMode = checkOneOf('sampleMode', input.sampleMode ?? d.sampleMode, APPSINK_MODES);
  return Object.freeze({
    bufferDuration,
    framerate,
    audioChunksPerSec,
    delay,
    fillThreshold,
    stallTimeout,
    keepBehind,
    lead,
    syncWindow,
    syncTolerance,
    shutdownTimeout,
    logInterval,
    clock,
    sampleMode,
    id: input.id ?? d.id,
    logger: input.logger ?? d.logger,
    scheduler: input.scheduler ?? d.scheduler,
    frameCapacity: Math.max(1, Math.ceil(bufferDuration * framerate)),
    audioCapacity: Math.max(1, Math.ceil(bufferDuration * audioChunksPerSec)),
    tickMs: Math.max(1, Math.min(1000 / framerate, (lead * 1000) / 3)),
  });
}
