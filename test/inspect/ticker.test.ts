/** Ticker: the bus's metrics clock ticks once per period and stops at once. */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Ticker } from '../../src/inspect/ticker.js';

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance'] });
});
afterEach(() => {
  vi.useRealTimers();
});

describe('Ticker', () => {
  it('ticks once per period from one period after start, until stopped', () => {
    const ticks: number[] = [];
    const ticker = new Ticker(100, (now) => ticks.push(Math.round(now)));
    ticker.start();
    ticker.start(); // already started: no second timer
    vi.advanceTimersByTime(350);
    expect(ticks).toEqual([100, 200, 300]);
    ticker.stop();
    vi.advanceTimersByTime(500);
    expect(ticks).toHaveLength(3);
  });

  it('a tick that stops the ticker is the last one', () => {
    let count = 0;
    const ticker = new Ticker(100, () => {
      count += 1;
      ticker.stop();
    });
    ticker.start();
    vi.advanceTimersByTime(1000);
    expect(count).toBe(1);
  });
});
