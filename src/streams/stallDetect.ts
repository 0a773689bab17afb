import { asyncScheduler, Observable, type OperatorFunction, type SchedulerAction, type SchedulerLike, type Subscriber } from 'rxjs';
import { checkNumber, show } from '../core/validate.js';
import { ConfigError } from '../core/errors.js';

/** What {@link stallDetect} emits when the source has been silent for `timeoutMs`. */
export interface StallEvent {
  /** Milliseconds (scheduler time) since the last item, or since subscription when none came. */
  readonly silentForMs: number;
  /** Items seen since subscription. */
  readonly itemsSeen: number;
  /** `scheduler.now()` when the last item came; undefined when none came. */
  readonly lastItemAt: number | undefined;
}

/** Options of {@link stallDetect}. */
export interface StallDetectOptions {
  /** Silence that counts as a stall, in ms (finite, > 0). Default 5000. */
  readonly timeoutMs?: number;
  /** Schedules the timer and tells the time. Default `asyncScheduler`. */
  readonly scheduler?: SchedulerLike;
}

const DEFAULT_TIMEOUT_MS = 5000;

/**
 * "No frame sent for 5 s": emits a {@link StallEvent} once when no item has come for
 * `timeoutMs` since subscription or since the last item, then waits for the next item to
 * re-arm (a later silence emits again). The items themselves are not emitted.
 *
 * Completes when the source completes; errors pass through. One timer runs at a time and
 * items do not reschedule it: each item only records its time, and the timer, when it fires
 * early, re-arms itself for the remaining time.
 *
 * @example
 * sent$.pipe(stallDetect({ timeoutMs: 5000 })).subscribe((e) => emergencyShutdown(e));
 *
 * @typeParam T - the item type (items are only counted).
 * @throws {ConfigError} `ERR_INVALID_CONFIG` naming the field when an option is out of range.
 */
export function stallDetect<T>(options: StallDetectOptions = {}): OperatorFunction<T, StallEvent> {
  if (options == null || typeof options !== 'object') throw new ConfigError('options', `expected an object, got ${show(options)}`);
  const timeoutMs = checkNumber('timeoutMs', options.timeoutMs ?? DEFAULT_TIMEOUT_MS, { min: 0, exclusive: true });
  const scheduler = options.scheduler ?? asyncScheduler;

  return (source) =>
    new Observable<StallEvent>((subscriber) => {
      const watch = new StallWatch(subscriber, timeoutMs, scheduler);
      subscriber.add(
        source.subscribe({
          next: () => {
            watch.item();
          },
          error: (error: unknown) => {
            subscriber.error(error);
          },
          complete: () => {
            subscriber.complete();
          },
        }),
      );
    });
}

/** The state of one subscription of {@link stallDetect}. */
class StallWatch {
  private itemsSeen = 0;
  private lastItemAt: number | undefined = undefined;
  /** When the silence being watched began (subscription or the last item). */
  private since: number;
  private armed = true;
  /** The timer's action once it has run (the one to reschedule); actions are reused, not re-created. */
  private action: SchedulerAction<StallWatch> | null = null;

  constructor(
    private readonly subscriber: Subscriber<StallEvent>,
    private readonly timeoutMs: number,
    private readonly scheduler: SchedulerLike,
  ) {
    this.since = scheduler.now();
    // Added to the subscriber, so the timer is cancelled on completion, error and unsubscription
    // (an action rescheduled from its own work stays the same one, or a child of it in virtual time).
    subscriber.add(scheduler.schedule<StallWatch>(check, timeoutMs, this));
  }

  item(): void {
    const now = this.scheduler.now();
    this.itemsSeen++;
    this.lastItemAt = now;
    this.since = now;
    if (!this.armed) {
      this.armed = true;
      this.action!.schedule(this, this.timeoutMs);
    }
  }

  onTimer(action: SchedulerAction<StallWatch>): void {
    this.action = action;
    const silentForMs = this.scheduler.now() - this.since;
    if (silentForMs < this.timeoutMs) {
      action.schedule(this, this.timeoutMs - silentForMs);
      return;
    }
    this.armed = false;
    this.subscriber.next({ silentForMs, itemsSeen: this.itemsSeen, lastItemAt: this.lastItemAt });
  }
}

function check(this: SchedulerAction<StallWatch>, watch?: StallWatch): void {
  watch!.onTimer(this);
}
