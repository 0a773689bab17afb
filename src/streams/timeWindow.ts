import { asyncScheduler, isObservable, Subscription, type Observable, type OperatorFunction, type SchedulerAction, type SchedulerLike, type Subscriber } from 'rxjs';
import { checkFunction, checkNumber, show } from '../core/validate.js';
import { ConfigError } from '../core/errors.js';
import { NS_PER_MS } from '../core/time.js';
import { HoldingState } from './holdingState.js';
import { statefulOperator, type OperatorState } from './operator.js';
import type { DropHandler, Timed } from './timed.js';

/**
 * Counters of a {@link timeWindow}, updated in place on the hot path so a caller can sample
 * them (e.g. at 10 Hz) without events. Create one with {@link createTimeWindowStats}; give
 * each subscription its own (counters add up across re-subscriptions, `size` is the current
 * subscription's).
 */
export interface TimeWindowStats {
  /** Items held now. Never more than `capacity`. */
  size: number;
  /** The largest `size` seen. */
  maxSize: number;
  /** Items that came from the source. */
  received: number;
  /** Items emitted downstream. */
  emitted: number;
  /** Items dropped because the window was full (`onDrop` reason `overflow`). */
  droppedOverflow: number;
  /** Items dropped because they were older than the playback position allows (`late`). */
  droppedLate: number;
  /** Items still held when the subscription ended by error or unsubscription (`teardown`). */
  discarded: number;
}

/** A {@link TimeWindowStats} with every counter at zero. */
export function createTimeWindowStats(): TimeWindowStats {
  return { size: 0, maxSize: 0, received: 0, emitted: 0, droppedOverflow: 0, droppedLate: 0, discarded: 0 };
}

/** Options of {@link timeWindow}. Times in nanoseconds unless the name ends in `Ms`. */
export interface TimeWindowOptions<T> {
  /** How far behind the running time playback runs, in ns (> 0). The spec's 7 s is `7_000_000_000`. */
  readonly delay: number;
  /** Most items held at once (a positive integer). The spec's 7 s at 30 fps is 210. */
  readonly capacity: number;
  /** Held items older than the playback position by more than this are dropped as late, in ns. Default 500 ms. */
  readonly keepBehind?: number;
  /** Items are released this far ahead of the playback position, in ns. Default 0. */
  readonly lead?: number;
  /** How often the playout is checked while items are held, in ms (> 0). Default 5. */
  readonly tickMs?: number;
  /**
   * An external playout clock instead of the window's own timer: while items are held, the
   * playout is checked on each emission of `tick` (and still at every arrival). Share one
   * tick among several windows and polls so the thread wakes once per period for all of them.
   */
  readonly tick?: Observable<unknown>;
  /**
   * The running time in ns. Default: nanoseconds of `scheduler` time since subscription.
   * Give the pipeline's clock here (running time = clock time − base time) to play out
   * against the same clock the PTS come from.
   */
  readonly now?: () => number;
  /** Schedules the ticks. Default `asyncScheduler`. */
  readonly scheduler?: SchedulerLike;
  /** Called once for every item let go of without being emitted. Must not throw. */
  readonly onDrop?: DropHandler<T>;
  /** Updated in place; see {@link TimeWindowStats}. */
  readonly stats?: TimeWindowStats;
}

const DEFAULT_KEEP_BEHIND = 500 * NS_PER_MS;
const DEFAULT_TICK_MS = 5;

/**
 * The delay window of an A/V delay line: holds items in PTS order and emits each when the
 * playback position (`now() − delay`) reaches its PTS, so the output runs `delay` behind the
 * input.
 *
 * - Arrivals are normally in PTS order; an out-of-order item is inserted at its place (after
 *   held items of equal PTS).
 * - At every arrival and every tick (every `tickMs` while items are held; no timer runs when
 *   the window is empty), held items with `pts < position − keepBehind` are dropped as `late`
 *   (this happens when ticks were delayed, e.g. by a blocked event loop), then items with
 *   `pts ≤ position + lead` are emitted in order. The arriving item is then dropped as `late`
 *   if it is already late, emitted at once if it is already due, and held otherwise.
 * - The window keeps the `capacity` latest items by PTS: when holding an item would exceed
 *   `capacity`, the held item with the lowest PTS is dropped as `overflow` first — or the new
 *   item itself, when its PTS is lower than every held item's. `size` never exceeds `capacity`.
 * - When the source completes, the remaining items still play out at their times, then the
 *   output completes. When the source errors, held items are dropped as `teardown` and the
 *   error is passed on at once. On unsubscription every held item is dropped as `teardown`.
 *
 * Items pass through unchanged (the same objects); `onDrop` is where resources held by
 * dropped items (GStreamer samples) are released.
 *
 * @example
 * const stats = createTimeWindowStats();
 * samples$
 *   .pipe(timeWindow({ delay: 7 * NS_PER_SECOND, capacity: 210, onDrop: (s) => release(s), stats }))
 *   .subscribe((s) => appsrc.pushSample(s));
 * setInterval(() => publish(stats), 100);
 *
 * @typeParam T - the item type, passed through.
 * @throws {ConfigError} `ERR_INVALID_CONFIG` naming the field when an option is out of range.
 */
export function timeWindow<T extends Timed>(options: TimeWindowOptions<T>): OperatorFunction<T, T> {
  if (options == null || typeof options !== 'object') throw new ConfigError('options', `expected an object, got ${show(options)}`);
  const delay = checkNumber('delay', options.delay, { min: 0, exclusive: true });
  const capacity = checkNumber('capacity', options.capacity, { min: 1, integer: true });
  const keepBehind = checkNumber('keepBehind', options.keepBehind ?? DEFAULT_KEEP_BEHIND, { min: 0 });
  const lead = checkNumber('lead', options.lead ?? 0, { min: 0 });
  const tickMs = checkNumber('tickMs', options.tickMs ?? DEFAULT_TICK_MS, { min: 0, exclusive: true });
  const now = checkFunction('now', options.now);
  const onDrop = checkFunction('onDrop', options.onDrop);
  const scheduler = options.scheduler ?? asyncScheduler;
  const stats = options.stats ?? createTimeWindowStats();
  if (typeof stats !== 'object') throw new ConfigError('stats', `expected an object, got ${show(stats)}`);
  const tick = options.tick;
  if (tick !== undefined && !isObservable(tick)) {
    throw new ConfigError('tick', `expected an Observable, got ${show(tick)}`);
  }
  const config: WindowConfig<T> = { delay, capacity, keepBehind, lead, tickMs, tick, now, onDrop, scheduler, stats };

  return statefulOperator((subscriber: Subscriber<T>) => new DelayWindow(subscriber, config));
}

interface WindowConfig<T> {
  readonly delay: number;
  readonly capacity: number;
  readonly keepBehind: number;
  readonly lead: number;
  readonly tickMs: number;
  readonly tick: Observable<unknown> | undefined;
  readonly now: (() => number) | undefined;
  readonly onDrop: DropHandler<T> | undefined;
  readonly scheduler: SchedulerLike;
  readonly stats: TimeWindowStats;
}

/** The state of one subscription of {@link timeWindow}. */
class DelayWindow<T extends Timed> extends HoldingState<T> implements OperatorState<T> {
  private readonly startMs: number;
  private sourceDone = false;

  constructor(
    subscriber: Subscriber<T>,
    private readonly config: WindowConfig<T>,
  ) {
    super(subscriber, config);
    this.startMs = config.scheduler.now();
  }

  private now(): number {
    const now = this.config.now;
    return now === undefined ? (this.config.scheduler.now() - this.startMs) * NS_PER_MS : now();
  }

  push(item: T): void {
    if (this.closed) return;
    const { stats, keepBehind, lead, capacity } = this.config;
    stats.received++;
    const position = this.now() - this.config.delay;
    if (!this.playout(position)) return;
    if (item.pts < position - keepBehind) {
      stats.droppedLate++;
      this.config.onDrop?.(item, 'late');
      return;
    }
    if (item.pts <= position + lead) {
      // Everything held is later than position + lead now, so emitting at once keeps PTS order.
      stats.emitted++;
      this.subscriber.next(item);
      return;
    }
    const queue = this.queue;
    if (queue.size >= capacity) {
      const oldest = queue.peek()!;
      if (item.pts < oldest.pts) {
        stats.droppedOverflow++;
        this.config.onDrop?.(item, 'overflow');
        return;
      }
      queue.shift();
      stats.size = queue.size;
      stats.droppedOverflow++;
      this.config.onDrop?.(oldest, 'overflow');
      if (this.closed) return;
    }
    queue.insert(item);
    const size = queue.size;
    stats.size = size;
    if (size > stats.maxSize) stats.maxSize = size;
    if (this.timer === null) this.startTicking();
  }

  private startTicking(): void {
    const external = this.config.tick;
    if (external === undefined) {
      this.timer = this.config.scheduler.schedule<DelayWindow<T>>(tick, this.config.tickMs, this);
      return;
    }
    // Assigned before anything can run: a synchronous first emission finds the subscription.
    const subscription = new Subscription();
    this.timer = subscription;
    subscription.add(external.subscribe(() => this.onTick(null)));
    if (subscription.closed && this.timer === subscription) this.timer = null;
  }

  /** Drops late items and emits due ones. False when the subscription ended meanwhile. */
  private playout(position: number): boolean {
    const queue = this.queue;
    if (queue.size === 0) return true;
    const { stats, onDrop } = this.config;
    const lateBefore = position - this.config.keepBehind;
    const dueBy = position + this.config.lead;
    for (let head = queue.peek(); head !== undefined; head = queue.peek()) {
      if (head.pts < lateBefore) {
        queue.shift();
        stats.size = queue.size;
        stats.droppedLate++;
        onDrop?.(head, 'late');
      } else if (head.pts <= dueBy) {
        queue.shift();
        stats.size = queue.size;
        stats.emitted++;
        this.subscriber.next(head);
      } else {
        break;
      }
      if (this.closed) return false;
    }
    return true;
  }

  /**
   * One tick of the playout timer (own: reschedules itself while items are held; external:
   * `action` is null, the subscription to the tick ends when nothing is held).
   */
  onTick(action: SchedulerAction<DelayWindow<T>> | null): void {
    if (this.closed) return;
    if (!this.playout(this.now() - this.config.delay)) return;
    if (this.queue.size > 0) {
      if (action !== null) this.timer = action.schedule(this, this.config.tickMs);
      return;
    }
    if (action === null) this.timer?.unsubscribe();
    this.timer = null;
    if (this.sourceDone) this.subscriber.complete();
  }

  end(): void {
    if (this.closed) return;
    this.sourceDone = true;
    if (!this.playout(this.now() - this.config.delay)) return;
    if (this.queue.size === 0) this.subscriber.complete();
    // Otherwise a tick is scheduled (items are held) and completes the output once they are out.
  }

  protected heldChanged(held: number): void {
    this.config.stats.size = held;
  }
}

function tick<T extends Timed>(this: SchedulerAction<DelayWindow<T>>, window?: DelayWindow<T>): void {
  window!.onTick(this);
}
