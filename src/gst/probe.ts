/**
 * `RenderProbe`: measures, at a synchronised element (`identity sync=true` or a sink with
 * `sync=true`, both with `signal-handoffs=true`), when each buffer is actually rendered,
 * against the analysis pipeline's running time. Render time − PTS is the delay a viewer sees.
 */
import type { GstBuffer, GstClock, GstElement } from './binding.js';

/** Summary of the delays measured at one probe, in milliseconds. */
export interface ProbeSummary {
  count: number;
  median: number;
  min: number;
  max: number;
  p95: number;
}

export class RenderProbe {
  readonly #element: GstElement;
  readonly #values: Float64Array;
  #count = 0;
  #clock: GstClock | undefined;
  #base = 0n;
  #attached = false;
  /** Buffers seen before the clock was known (not measured). */
  skipped = 0;

  readonly #handler = (...args: unknown[]): void => {
    const clock = this.#clock;
    if (!clock) {
      this.skipped++;
      return;
    }
    const now = clock.getTime();
    const buffer = args[0] as GstBuffer;
    const delayNs = Number(now - this.#base - buffer.pts);
    this.#values[this.#count % this.#values.length] = delayNs / 1e6;
    this.#count++;
  };

  /** Keeps the last `keep` measurements (default 100,000). */
  constructor(element: GstElement, keep = 100_000) {
    this.#element = element;
    this.#values = new Float64Array(keep);
  }

  /** Starts measuring against `clock` and the analysis pipeline's base time. */
  attach(clock: GstClock, analysisBaseTime: bigint): void {
    this.#clock = clock;
    this.#base = analysisBaseTime;
    if (this.#attached) return;
    this.#attached = true;
    this.#element.on('handoff', this.#handler);
    this.#element.signalHandoffs = true;
  }

  /**
   * Stops measuring. Call before the element's pipeline changes state: a handler waiting on
   * the JS thread while the state change waits for the streaming thread would deadlock.
   */
  detach(): void {
    if (!this.#attached) return;
    this.#attached = false;
    this.#element.signalHandoffs = false;
    this.#element.off('handoff', this.#handler);
  }

  /** Measured delays in ms (oldest first; at most the last `keep`). */
  values(): Float64Array {
    const n = Math.min(this.#count, this.#values.length);
    if (this.#count <= this.#values.length) return this.#values.slice(0, n);
    const start = this.#count % this.#values.length;
    const out = new Float64Array(n);
    out.set(this.#values.subarray(start));
    out.set(this.#values.subarray(0, start), this.#values.length - start);
    return out;
  }

  /** Median, min, max and 95th percentile of the delays (ms), or undefined before any. */
  summary(from = 0): ProbeSummary | undefined {
    return summarise(this.values().subarray(from));
  }
}

/** Median, min, max, p95 of `values`, or undefined when empty. */
export function summarise(values: Float64Array): ProbeSummary | undefined {
  if (values.length === 0) return undefined;
  const sorted = Float64Array.from(values).sort();
  const at = (q: number): number => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
  return { count: sorted.length, median: at(0.5), min: sorted[0]!, max: sorted[sorted.length - 1]!, p95: at(0.95) };
}
