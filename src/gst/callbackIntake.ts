/**
 * Samples taken by `new-sample` handlers the user connects to appsinks the line does not own
 * (`appsink.on('new-sample', () => line.onNewSample(appsink))`). node-gtk calls such handlers
 * without arguments, so the handler passes the appsink; the intake remembers every appsink
 * it saw, so stop() can turn their `emit-signals` off before any state change.
 */
import type { Subject } from 'rxjs';
import type { Logger } from '../core/logger.js';
import type { GstAppSink } from './binding.js';
import { holdSample } from './appSink.js';
import { loadGst } from './loader.js';
import { emptyBuffer } from './pipeline.js';
import { SampleTracker, type HeldSample } from './sample.js';

/** The two kinds of media a delay line carries. */
export type MediaKind = 'video' | 'audio';

function isAppSink(candidate: unknown): candidate is GstAppSink {
  return typeof candidate === 'object' && candidate !== null && 'pullSample' in candidate && typeof candidate.pullSample === 'function';
}

/** Takes samples from the appsinks handed to the `new-sample` callbacks. */
export class CallbackIntake {
  /** Every appsink a callback was given. */
  readonly sinks = new Set<GstAppSink>();
  /** One tracker per kind, as {@link fromAppSink} has one per appsink. */
  readonly #trackers: Record<MediaKind, SampleTracker | undefined> = { video: undefined, audio: undefined };
  readonly #log: Logger;
  readonly #track: (tracker: SampleTracker) => void;
  #warned = false;

  /** `track` receives each tracker as it is made (to release its last sample at the end). */
  constructor(log: Logger, track: (tracker: SampleTracker) => void) {
    this.#log = log;
    this.#track = track;
  }

  /**
   * Pulls one sample from `candidate` into `into` and returns a GstFlowReturn: OK, EOS when
   * the appsink had none, FLUSHING when `accepting` is false (the sample is pulled, so the
   * appsink does not fill, and dropped), ERROR when `candidate` is not an appsink — a signal
   * handler must not throw into GStreamer, so that is logged once instead.
   */
  take(kind: MediaKind, candidate: unknown, into: Subject<HeldSample>, accepting: boolean): number {
    const { Gst } = loadGst();
    if (!isAppSink(candidate)) {
      if (!this.#warned) {
        this.#warned = true;
        const handler = kind === 'video' ? 'onNewSample' : 'onNewAudioSample';
        this.#log.error(`[SOURCE] ${handler} needs the appsink: connect it as () => line.${handler}(appsink)`);
      }
      return Gst.FlowReturn.ERROR;
    }
    this.sinks.add(candidate);
    const sample = candidate.pullSample();
    if (!sample) return Gst.FlowReturn.EOS;
    // Not started, or stopping: the wrapper is dropped and the garbage collector frees it.
    if (!accepting) return Gst.FlowReturn.FLUSHING;
    let tracker = this.#trackers[kind];
    if (!tracker) {
      tracker = this.#trackers[kind] = new SampleTracker(emptyBuffer());
      this.#track(tracker);
    }
    into.next(holdSample(tracker, sample));
    return Gst.FlowReturn.OK;
  }
}
