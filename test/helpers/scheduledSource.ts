/** Virtual-time sources for the operators' model tests. */
import { Observable, type ObservableNotification, type SchedulerLike } from 'rxjs';

/** One notification, delivered `frame` virtual ms after subscription. */
export interface Message<T> {
  readonly frame: number;
  readonly notification: ObservableNotification<T>;
}

/** A cold source that delivers each message at its frame after subscription, on `scheduler`. */
export function scheduledSource<T>(scheduler: SchedulerLike, messages: readonly Message<T>[]): Observable<T> {
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
