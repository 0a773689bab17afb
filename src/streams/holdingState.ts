/**
 * How a holding operator's subscription ends, written once for timeWindow and ptsSync: both
 * hold items in PTS order behind at most one scheduled timer, and on an error or an
 * unsubscription drop every held item as `teardown` (counted in their stats and reported to
 * `onDrop`) so a caller that owns resources per item (GStreamer samples) can release them.
 */
import type { Subscriber, Subscription } from 'rxjs';
import { TimedQueue } from './operator.js';
import type { DropHandler, Timed } from './timed.js';

/** What {@link HoldingState} needs of an operator's resolved options. */
export interface HoldingConfig<T> {
  readonly onDrop: DropHandler<T> | undefined;
  readonly stats: { discarded: number };
}

/** The per-subscription state of a holding operator: held items, the timer, fail and teardown. */
export abstract class HoldingState<T extends Timed> {
  protected readonly queue = new TimedQueue<T>();
  protected timer: Subscription | null = null;
  protected closed = false;

  constructor(
    protected readonly subscriber: Subscriber<T>,
    private readonly holding: HoldingConfig<T>,
  ) {}

  /** Records how many items are still held (the operators name that stat differently). */
  protected abstract heldChanged(held: number): void;

  /** Drops what is held, then passes the error on. */
  fail(error: unknown): void {
    if (this.closed) return;
    this.discardAll();
    this.subscriber.error(error);
  }

  /** The subscription ended: no more output, the timer cancelled, what is held dropped. */
  teardown(): void {
    this.closed = true;
    if (this.timer !== null) {
      this.timer.unsubscribe();
      this.timer = null;
    }
    this.discardAll();
  }

  private discardAll(): void {
    const { stats, onDrop } = this.holding;
    const queue = this.queue;
    for (let item = queue.shift(); item !== undefined; item = queue.shift()) {
      this.heldChanged(queue.size);
      stats.discarded++;
      onDrop?.(item, 'teardown');
    }
  }
}
