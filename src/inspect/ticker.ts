/**
 * The inspection bus's metrics clock: calls back once per period, never early, while it is
 * started, and keeps no process alive.
 */

/**
 * Calls `tick(now)` every `periodMs` between `start()` and `stop()`.
 *
 * One timer, re-armed for the next due time rather than `setInterval`: Node may fire a timer
 * a little early by the high-resolution clock, and an early tick would break the promise of
 * at most one sample per period (10 Hz for the inspector).
 *
 * @example
 * const ticker = new Ticker(100, (now) => sampleEverything(now));
 * ticker.start();
 * // …
 * ticker.stop();
 */
export class Ticker {
  readonly #periodMs: number;
  readonly #tick: (now: number) => void;
  #timer: NodeJS.Timeout | undefined;
  #nextAt = 0;
  #running = false;

  constructor(periodMs: number, tick: (now: number) => void) {
    this.#periodMs = periodMs;
    this.#tick = tick;
  }

  /** Starts ticking (the first tick one period from now); no-op when started. */
  start(): void {
    if (this.#running) return;
    this.#running = true;
    this.#nextAt = performance.now() + this.#periodMs;
    this.#schedule();
  }

  /** Stops ticking; a tick may call it. */
  stop(): void {
    this.#running = false;
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  #schedule(): void {
    const wait = Math.max(0, this.#nextAt - performance.now());
    this.#timer = setTimeout(() => this.#fire(), Math.ceil(wait));
    this.#timer.unref(); // the clock alone never keeps the process alive
  }

  #fire(): void {
    this.#timer = undefined;
    if (!this.#running) return;
    const now = performance.now();
    if (now < this.#nextAt) {
      this.#schedule();
      return;
    }
    // Late ticks are not caught up in a burst: the next one is at least half a period away.
    this.#nextAt = Math.max(this.#nextAt + this.#periodMs, now + this.#periodMs / 2);
    this.#tick(now);
    if (this.#running && this.#timer === undefined) this.#schedule();
  }
}
