/**
 * What the delay-line operators share, internal to src/streams (not part of the public API):
 * the subscription scaffold of an operator whose logic lives in a per-subscription state
 * object, and the PTS-ordered queue. (Option checks are in core/validate.ts.)
 */
import { Observable, type OperatorFunction, type Subscriber } from 'rxjs';
import type { Timed } from './timed.js';

/** The per-subscription state of a {@link statefulOperator}: one method per source notification, and teardown. */
export interface OperatorState<T> {
  push(item: T): void;
  fail(error: unknown): void;
  end(): void;
  teardown(): void;
}

/**
 * An operator whose logic lives in a state object made for each subscription: the source's
 * notifications go to `push` / `fail` / `end`, and `teardown` runs when the subscription ends
 * (unsubscribe, error or completion).
 */
export function statefulOperator<T, R>(create: (subscriber: Subscriber<R>) => OperatorState<T>): OperatorFunction<T, R> {
  return (source) =>
    new Observable<R>((subscriber) => {
      const state = create(subscriber);
      subscriber.add(() => {
        state.teardown();
      });
      subscriber.add(
        source.subscribe({
          next: (item) => {
            state.push(item);
          },
          error: (error: unknown) => {
            state.fail(error);
          },
          complete: () => {
            state.end();
          },
        }),
      );
    });
}

/**
 * A queue of {@link Timed} items kept in PTS order: a plain array with a head index, so
 * in-order arrivals and removals from the front allocate nothing beyond the array's growth.
 * An out-of-order item is inserted after the held items of equal or lower PTS.
 *
 * Shared by the delay-line operators.
 */
export class TimedQueue<T extends Timed> {
  private items: (T | undefined)[] = [];
  private head = 0;

  /** Items held. */
  get size(): number {
    return this.items.length - this.head;
  }

  /** The item with the lowest PTS, or undefined when empty. */
  peek(): T | undefined {
    return this.items[this.head];
  }

  /** Removes and returns the item with the lowest PTS, or undefined when empty. */
  shift(): T | undefined {
    const items = this.items;
    const head = this.head;
    if (head >= items.length) return undefined;
    const item = items[head];
    items[head] = undefined; // let the item be collected once the caller is done with it
    const next = head + 1;
    if (next === items.length) {
      items.length = 0;
      this.head = 0;
    } else if (next >= 1024 && next * 2 >= items.length) {
      items.copyWithin(0, next);
      items.length -= next;
      this.head = 0;
    } else {
      this.head = next;
    }
    return item;
  }

  /** Adds an item at its place in PTS order (after held items of equal PTS). */
  insert(item: T): void {
    const items = this.items;
    const last = items[items.length - 1];
    if (last === undefined || item.pts >= last.pts) {
      items.push(item);
      return;
    }
    let lo = this.head;
    let hi = items.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (items[mid]!.pts <= item.pts) lo = mid + 1;
      else hi = mid;
    }
    items.splice(lo, 0, item);
  }
}
