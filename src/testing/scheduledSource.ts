import { Observable, type ObservableNotification, type SchedulerLike } from 'rxjs';

/** One notification of a {@link scheduledSource}, delivered `frame` ms (scheduler time) after subscription. */
export interface ScheduledMessage<T> {
  /** When, in ms after subscription; fractions are fine (a TestScheduler orders them exactly). */
  readonly frame: number;
  readonly notification: ObservableNotification<T>;
}

/**
 * A cold source that delivers each message at its frame after subscription, on `scheduler`:
 * what a marble diagram does, for schedules built in code (a model test's random arrivals)
 * or at fractional times (an event a quarter of a ms after another, so it never ties).
 * Unsubscribing cancels the messages not yet delivered.
 *
 * @example
 * const source = scheduledSource(scheduler, [nextAt(0, a), nextAt(2.5, b), completeAt(4)]);
 *
 * @param scheduler - usually a TestScheduler (any SchedulerLike works).
 * @param messages - in any order; messages at the same frame are delivered in array order.
 */
export function scheduledSource<T>(scheduler: SchedulerLike, messages: readonly ScheduledMessage<T>[]): Observable<T> {
  return new Observable<T>((subscriber) => {
    for (const { frame, notification } of messages) {
      subscriber.add(
        scheduler.schedule(() => {
          if (notification.kind === 'N') subscriber.next(notification.value);
          else if (notification.kind === 'E') subscriber.error(notification.error);
          else subscriber.complete();
        }, frame),
      );
    }
  });
}

/** A {@link ScheduledMessage} that delivers `value` at `frame`. */
export function nextAt<T>(frame: number, value: T): ScheduledMessage<T> {
  return { frame, notification: { kind: 'N', value } };
}

/** A {@link ScheduledMessage} that completes the source at `frame`. */
export function completeAt(frame: number): ScheduledMessage<never> {
  return { frame, notification: { kind: 'C' } };
}

/** A {@link ScheduledMessage} that errors the source with `error` at `frame`. */
export function errorAt(frame: number, error: unknown): ScheduledMessage<never> {
  return { frame, notification: { kind: 'E', error } };
}
