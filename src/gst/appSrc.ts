/**
 * `AppSrcSink`: pushes held samples into an appsrc and releases each one as soon as it is
 * pushed, so memory is bounded by what is held, not by the garbage collector.
 */
import { ErrorCode, GstError } from '../core/errors.js';
import type { GstAppSrc } from './binding.js';
import { loadGst } from './loader.js';
import type { HeldSample } from './sample.js';

/**
 * Properties an appsrc needs for a delay line: timestamps kept (`do-timestamp=false`), time
 * format, a queue bounded by time and buffers rather than by its 200 kB default (which starves
 * video), and never blocking the JS thread.
 */
export const APPSRC_PROPERTIES = 'format=time do-timestamp=false block=false max-bytes=0';

/**
 * Sets the properties of {@link APPSRC_PROPERTIES} on an appsrc someone else created, and
 * makes it live. `doTimestamp`: stamp buffers on arrival (a playback pipeline that does not
 * share the analysis clock) instead of keeping their timestamps.
 */
export function configureAppSrc(src: GstAppSrc, doTimestamp: boolean): GstAppSrc {
  const { Gst } = loadGst();
  src.format = Gst.Format.TIME;
  src.isLive = true;
  src.doTimestamp = doTimestamp;
  src.block = false;
  src.maxBytes = 0n;
  return src;
}

/** Pushes held samples into an appsrc, counting them; see the module comment. */
export class AppSrcSink {
  readonly #src: GstAppSrc;
  #pushed = 0;
  #bytes = 0;
  #ended = false;
  #flow = 0;
  #lastPts = -1;

  constructor(src: GstAppSrc) {
    this.#src = src;
  }

  /** Samples pushed. */
  get pushed(): number {
    return this.#pushed;
  }

  /** Bytes pushed. */
  get bytes(): number {
    return this.#bytes;
  }

  /** Running time of the last sample pushed, or −1. */
  get lastPts(): number {
    return this.#lastPts;
  }

  /** The last flow return that was not OK (0 = all OK). */
  get lastFlow(): number {
    return this.#flow;
  }

  /**
   * Pushes `held` (its caps go with it) and releases it. Returns false when the appsrc
   * refused it (flushing or ended: the pipeline is stopping); the sample is released either way.
   */
  push(held: HeldSample): boolean {
    const sample = held.sample;
    if (sample === undefined) throw new GstError(ErrorCode.GST_STATE, `sample ${held.seq} was already released; it cannot be pushed`);
    if (this.#ended) {
      held.release();
      return false;
    }
    const flow = this.#src.pushSample(sample);
    held.release();
    if (flow !== 0) {
      this.#flow = flow;
      return false;
    }
    this.#pushed++;
    this.#bytes += held.size;
    this.#lastPts = held.pts;
    return true;
  }

  /** Signals end of stream (idempotent). */
  end(): void {
    if (this.#ended) return;
    this.#ended = true;
    this.#src.endOfStream();
  }

  /** True once {@link end} ran. */
  get ended(): boolean {
    return this.#ended;
  }

  /** GStreamer's FlowReturn names, for messages. */
  static flowName(flow: number): string {
    const { Gst } = loadGst();
    for (const [name, value] of Object.entries(Gst.FlowReturn)) if (value === flow) return name;
    return String(flow);
  }
}
