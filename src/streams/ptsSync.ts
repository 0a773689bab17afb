import {
  asyncScheduler,
  isObservable,
  Observable,
  type OperatorFunction,
  type SchedulerAction,
  type SchedulerLike,
  type Subscriber,
} from 'rxjs';
import { checkFunction, checkNumber, show } from '../core/validate.js';
import { ArgumentError, ConfigError } from '../core/errors.js';
import { NS_PER_MS } from '../core/time.js';
import type { DropHandler, Timed } from './timed.js';
import { HoldingState } from './holdingState.js';

/**
 * Counters of a {@link ptsSync}, updated in place so a caller can sample them without
 * events. Create one with {@link createPtsSyncStats}; give each subscription its own.
 */
export interface PtsSyncStats {
  /** Audio items held now, waiting for video. */
  held: number;
  /** Audio items emitted. */
  emitted: number;
  /** Audio items dropped on arrival because they ended too long before the video (`late`). */
  droppedLate: number;
  /** Audio items still held when the subscription ended by error or unsubscription (`teardown`). */
  discarded: number;
  /** The PTS of the last video item, in ns; undefined until the first one. */
  lastVideoPts: number | undefined;
}

/** A {@link PtsSyncStats} with every counter at zero and no video seen. */
export function createPtsSyncStats(): PtsSyncStats {
  return { held: 0, emitted: 0, droppedLate: 0, discarded: 0, lastVideoPts: undefined };
}

/** Options of {@link ptsSync}. Times in nanoseconds unless the name ends in `Ms`. */
export interface PtsSyncOptions<A> {
  /** Audio up to this far ahead of the last video PTS is released, in ns. Default 100 ms. */
  readonly window?: number;
  /** Audio that ended more than this before the last video PTS is late, in ns. Default 50 ms. */
  readonly tolerance?: number;
  /**
   * When no video item has come for this long while audio is held (counted from the later
   * of the last video item and the moment audio started to be held), the held audio is
   * released anyway, in ms. Default `Infinity` (wait for video).
   */
  readonly maxHoldMs?: number;
  /** Schedules the `maxHoldMs` timer. Default `asyncScheduler`. */
  readonly scheduler?: SchedulerLike;
  /** Called once for every audio item let go of without being emitted. Must not throw. */
  readonly onDrop?: DropHandler<A>;
  /** Updated in place; see {@link PtsSyncStats}. */
  readonly stats?: PtsSyncStats;
}

const DEFAULT_WINDOW = 100 * NS_PER_MS;
const DEFAULT_TOLERANCE = 50 * NS_PER_MS;

/**
 * Audio follows video: audio items are held until the video has come within `window` of
 * them ("audio is synchronized within 100 ms of video timestamp; tolerance 50 ms").
 *
 * - Held audio is kept in PTS order. Each video item with PTS `V` releases (emits, in order)
 *   every held audio item with `pts ≤ V + window`. Held items are released as they are, even
 *   if the video has moved far past them (the late check is made on arrival only).
 * - An audio item arriving once a video PTS `V` is known is dropped as `late` when
 *   `pts + duration < V − tolerance`, emitted at once when `pts ≤ V + window`, and held
 *   otherwise. Before the first video item every audio item is held.
 * - With `maxHoldMs`, held audio is released when video has been silent that long.
 * - When the video completes, held audio is emitted and later audio passes straight through.
 *   When the video errors, held audio is dropped as `teardown` and the output errors.
 * - The output completes once the audio has completed and nothing is held (audio that
 *   completes with items held waits for video, its completion or `maxHoldMs` to release them).
 *   Audio errors drop held audio as `teardown` and pass on. On unsubscription held audio is
 *   dropped as `teardown` and the video subscription is torn down.
 *
 * The video is subscribed when the output is (before the audio). Audio items pass through
 * unchanged (the same objects).
 *
 * @example
 * const synced$ = audio$.pipe(ptsSync(video$, { maxHoldMs: 500, onDrop: (s) => release(s) }));
 *
 * @param video$ - the video items (only their `pts` is read).
 * @typeParam A - the audio item type, passed through.
 * @throws {ArgumentError} `ERR_INVALID_ARGUMENT` when `video$` is not an Observable.
 * @throws {ConfigError} `ERR_INVALID_CONFIG` naming the field when an option is out of range.
 */
export function ptsSync<A extends Timed>(video$: Observable<Timed>, options: PtsSyncOptions<A> = {}): OperatorFunction<A, A> {
  if (!isObservable(video$)) throw new ArgumentError(`ptsSync needs the video as an Observable, got ${show(video$)}`);
  if (options == null || typeof options !== 'object') throw new ConfigError('options', `expected an object, got ${show(options)}`);
  const config: SyncConfig<A> = {
    window: checkNumber('window', options.window ?? DEFAULT_WINDOW, { min: 0 }),
    tolerance: checkNumber('tolerance', options.tolerance ?? DEFAULT_TOLERANCE, { min: 0 }),
    maxHoldMs: checkNumber('maxHoldMs', options.maxHoldMs ?? Infinity, { min: 0, infinite: true }),
    scheduler: options.scheduler ?? asyncScheduler,
    onDrop: checkFunction('onDrop', options.onDrop),
    stats: options.stats ?? createPtsSyncStats(),
  };
  if (typeof config.stats !== 'object') throw new ConfigError('stats', `expected an object, got ${show(config.stats)}`);

  return (audio$) =>
    new Observable<A>((subscriber) => {
      const sync = new PtsSyncState(subscriber, config);
      subscriber.add(() => {
        sync.teardown();
      });
      subscriber.add(
        video$.subscribe({
          next: (item) => {
            sync.video(item.pts);
          },
          error: (error: unknown) => {
            sync.fail(error);
          },
          complete: () => {
            sync.videoEnd();
          },
        }),
      );
      subscriber.add(
        audio$.subscribe({
          next: (item) => {
            sync.audio(item);
          },
          error: (error: unknown) => {
            sync.fail(error);
          },
          complete: () => {
            sync.audioEnd();
          },
        }),
      );
    });
}

interface SyncConfig<A> {
  readonly window: number;
  readonly tolerance: number;
  readonly maxHoldMs: number;
  readonly scheduler: SchedulerLike;
  readonly onDrop: DropHandler<A> | undefined;
  readonly stats: PtsSyncStats;
}

/** The state of one subscription of {@link ptsSync}. */
class PtsSyncState<A extends Timed> extends HoldingState<A> {
  private lastVideoPts = 0;
  private videoSeen = false;
  private videoDone = false;
  private audioDone = false;
  /** Scheduler time from which the `maxHoldMs` silence is counted. */
  private holdFrom = 0;

  constructor(
    subscriber: Subscriber<A>,
    private readonly config: SyncConfig<A>,
  ) {
    super(subscriber, config);
  }

  audio(item: A): void {
    if (this.closed) return;
    const { stats } = this.config;
    if (this.videoDone) {
      stats.emitted++;
      this.subscriber.next(item);
      return;
    }
    if (this.videoSeen) {
      const v = this.lastVideoPts;
      if (item.pts + item.duration < v - this.config.tolerance) {
        stats.droppedLate++;
        this.config.onDrop?.(item, 'late');
        return;
      }
      if (item.pts <= v + this.config.window) {
        // Everything held is later than v + window, so emitting at once keeps PTS order.
        stats.emitted++;
        this.subscriber.next(item);
        return;
      }
    }
    const queue = this.queue;
    if (queue.size === 0) this.holdFrom = this.config.scheduler.now();
    queue.insert(item);
    stats.held = queue.size;
    if (this.timer === null && this.config.maxHoldMs !== Infinity) {
      this.timer = this.config.scheduler.schedule<PtsSyncState<A>>(holdTimeout, this.config.maxHoldMs, this);
    }
  }

  video(pts: number): void {
    if (this.closed) return;
    this.config.stats.lastVideoPts = pts;
    this.lastVideoPts = pts;
    this.videoSeen = true;
    // Counted from here, when audio is held; the timer re-arms itself for the remaining time.
    if (this.timer !== null) this.holdFrom = this.config.scheduler.now();
    this.release(pts + this.config.window);
  }

  videoEnd(): void {
    if (this.closed) return;
    this.videoDone = true;
    this.release(Infinity);
  }

  audioEnd(): void {
    if (this.closed) return;
    this.audioDone = true;
    if (this.queue.size === 0) this.subscriber.complete();
  }

  /** The `maxHoldMs` timer fired: release everything if video has been silent long enough. */
  onTimeout(action: SchedulerAction<PtsSyncState<A>>): void {
    if (this.closed) return;
    if (this.queue.size === 0) {
      this.timer = null;
      return;
    }
    const silent = this.config.scheduler.now() - this.holdFrom;
    if (silent < this.config.maxHoldMs) {
      this.timer = action.schedule(this, this.config.maxHoldMs - silent);
      return;
    }
    this.timer = null;
    this.release(Infinity);
  }

  /** Emits held audio with `pts ≤ upTo`, in order; completes when the audio is done and nothing is held. */
  private release(upTo: number): void {
    const queue = this.queue;
    const { stats } = this.config;
    for (let head = queue.peek(); head !== undefined && head.pts <= upTo; head = queue.peek()) {
      queue.shift();
      stats.held = queue.size;
      stats.emitted++;
      this.subscriber.next(head);
      if (this.closed) return;
    }
    if (queue.size === 0) {
      if (this.timer !== null) {
        this.timer.unsubscribe();
        this.timer = null;
      }
      if (this.audioDone) this.subscriber.complete();
    }
  }

  protected heldChanged(held: number): void {
    this.config.stats.held = held;
  }
}

function holdTimeout<A extends Timed>(this: SchedulerAction<PtsSyncState<A>>, state?: PtsSyncState<A>): void {
  state!.onTimeout(this);
}
