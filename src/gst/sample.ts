/**
 * Samples held zero-copy, released deterministically.
 *
 * node-gtk frees a sample only when the garbage collector finalises its wrapper, which rarely
 * happens (600 held-and-dropped 720p frames reached 895 MB here). So each sample's buffer is
 * swapped for one shared empty buffer as soon as avbuf is done with it — except on the sample
 * the appsink handed out last, which the appsink still references (the swap would fail on a
 * sample that is not writable); that one is released when the next sample is pulled.
 */
import type { Timed } from '../streams/timed.js';
import type { GstBuffer, GstSample } from './binding.js';

/** One sample from an appsink, held until pushed to an appsrc or dropped. */
export class HeldSample implements Timed {
  /** Running time in ns. */
  readonly pts: number;
  /** Duration in ns (0 when the buffer has none). */
  readonly duration: number;
  /** Bytes in the sample's buffer. */
  readonly size: number;
  /** 0, 1, 2… in pull order, per appsink. */
  readonly seq: number;
  #sample: GstSample | undefined;
  readonly #tracker: SampleTracker;

  /** @internal */
  constructor(tracker: SampleTracker, sample: GstSample, pts: number, duration: number, size: number, seq: number) {
    this.#tracker = tracker;
    this.#sample = sample;
    this.pts = pts;
    this.duration = duration;
    this.size = size;
    this.seq = seq;
  }

  /** The GStreamer sample, or undefined once released. */
  get sample(): GstSample | undefined {
    return this.#sample;
  }

  /** True once {@link release} ran. */
  get released(): boolean {
    return this.#sample === undefined;
  }

  /** Lets go of the sample's memory now (idempotent). */
  release(): void {
    const sample = this.#sample;
    if (sample === undefined) return;
    this.#sample = undefined;
    this.#tracker.release(this, sample);
  }
}

/**
 * Per appsink: knows which sample was pulled last, so that one's release waits for the next
 * pull (or for the pipeline to stop).
 */
export class SampleTracker {
  readonly #empty: GstBuffer;
  #last: HeldSample | undefined;
  #deferred: GstSample | undefined;
  #pulled = 0;
  #released = 0;
  /** Running time of the last sample held (ns), for buffers without a timestamp. */
  lastPts = 0;

  constructor(empty: GstBuffer) {
    this.#empty = empty;
  }

  /** Samples pulled, and released so far. */
  get counts(): { pulled: number; released: number } {
    return { pulled: this.#pulled, released: this.#released };
  }

  /** Wraps a freshly pulled sample; releases the previous one if its release was deferred. */
  hold(sample: GstSample, pts: number, duration: number, size: number): HeldSample {
    const held = new HeldSample(this, sample, pts, duration, size, this.#pulled++);
    this.#last = held;
    this.lastPts = pts;
    if (this.#deferred) {
      const deferred = this.#deferred;
      this.#deferred = undefined;
      this.#swap(deferred);
    }
    return held;
  }

  /** @internal called by HeldSample.release */
  release(held: HeldSample, sample: GstSample): void {
    if (held === this.#last) this.#deferred = sample;
    else this.#swap(sample);
  }

  /**
   * Forgets the deferred sample, at stop. It cannot be released: the appsink keeps its last
   * sample (to reuse it) until the appsink itself is freed, so it stays unwritable. One sample
   * per appsink is left to the garbage collector.
   */
  flush(): void {
    this.#last = undefined;
    this.#deferred = undefined;
  }

  #swap(sample: GstSample): void {
    sample.setBuffer(this.#empty);
    this.#released++;
  }
}
