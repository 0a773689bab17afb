/**
 * timeWindow driven by an external tick (the delay line shares one clock among its polls and
 * windows so the JS thread wakes once a period): playout happens on the tick's emissions and
 * at arrivals, the tick is subscribed only while items are held, and the output completes
 * after the last held item went out.
 */
import { interval, share } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../../src/core/errors.js';
import { createTimeWindowStats, timeWindow } from '../../src/streams/timeWindow.js';
import { codeOf } from '../helpers/errors.js';

const MS = 1_000_000;
interface Item {
  id: string;
  pts: number;
  duration: number;
}
const at = (id: string, ms: number): Item => ({ id, pts: ms * MS, duration: 0 });
const testScheduler = (): TestScheduler => new TestScheduler((actual, expected) => expect(actual).toEqual(expected));

describe('timeWindow with an external tick', () => {
  const a = at('a', 0);
  const b = at('b', 2);
  const c = at('c', 4);

  it('plays out on the tick (not on its own timer), then completes', () => {
    const st = createTimeWindowStats();
    testScheduler().run(({ cold, hot, expectObservable, expectSubscriptions }) => {
      const source = cold('a-b-c|', { a, b, c });
      // A tick every 4 ms: items due at 10, 12, 14 go out at the ticks at 12 and 16.
      const tick = hot('----t---t---t---t---t---t');
      expectObservable(source.pipe(timeWindow({ delay: 10 * MS, capacity: 8, tick, stats: st }))).toBe('------------(ab)(c|)', { a, b, c });
      expectSubscriptions(source.subscriptions).toBe('^----!');
      // Subscribed at the first arrival, let go once nothing is held.
      expectSubscriptions(tick.subscriptions).toBe('^---------------!');
    });
    expect(st).toMatchObject({ received: 3, emitted: 3, size: 0 });
  });

  it('runs no timer of its own: with a silent tick, held items wait for the next arrival', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      const tick = cold('-');
      const source = cold('a----------------b-|', { a, b: at('b', 20) });
      // a is due at 10 but only goes out when b arrives at 17; b (due 30) never gets a tick.
      expectObservable(source.pipe(timeWindow({ delay: 10 * MS, capacity: 8, tick }))).toBe('-----------------a--', { a });
    });
  });

  it('is torn down with the window: unsubscribing ends the tick subscription and drops what is held', () => {
    const dropped: string[] = [];
    testScheduler().run(({ cold, hot, expectObservable, expectSubscriptions }) => {
      const tick = hot('--t--t--t--t--t--t--t--t');
      const source = cold('a-b-c|', { a, b, c });
      expectObservable(source.pipe(timeWindow({ delay: 10 * MS, capacity: 8, tick, onDrop: (item) => dropped.push(item.id) })), '^-----!').toBe('-------');
      expectSubscriptions(tick.subscriptions).toBe('^-----!');
    });
    expect(dropped).toEqual(['a', 'b', 'c']);
  });

  it('shares one interval among several windows', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      // One interval, subscribed by the first window at 0: ticks at 5, 10, 15 for both.
      const tick = interval(5).pipe(share());
      const w1 = cold('a|', { a }).pipe(timeWindow({ delay: 10 * MS, capacity: 4, tick }));
      const w2 = cold('-b|', { b: at('b', 1) }).pipe(timeWindow({ delay: 10 * MS, capacity: 4, tick }));
      expectObservable(w1).toBe('----------(a|)', { a });
      expectObservable(w2).toBe('---------------(b|)', { b: at('b', 1) });
    });
  });

  it('refuses a tick that is not an Observable', () => {
    expect(codeOf(() => timeWindow({ delay: 1, capacity: 1, tick: 5 as never }))).toBe(ErrorCode.INVALID_CONFIG);
  });
});
