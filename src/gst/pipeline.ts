/**
 * Pipelines: parse, watch the bus, stop safely.
 */
import { Observable, asyncScheduler, type SchedulerLike } from 'rxjs';
import { ErrorCode, GstError } from '../core/errors.js';
import type { GstAppSink, GstBuffer, GstMessage, GstPipeline } from './binding.js';
import { loadGst, missingElementsHint } from './loader.js';

let empty: GstBuffer | undefined;

/** The one empty buffer released samples are given (see sample.ts). */
export function emptyBuffer(): GstBuffer {
  empty ??= new (loadGst().Gst.Buffer)();
  return empty;
}

/**
 * `gst_parse_launch` with a typed error: a description that does not parse or link throws
 * `ERR_GST_PIPELINE` with GStreamer's reason; a missing element throws `ERR_GST_UNAVAILABLE`.
 */
export function parsePipeline(description: string): GstPipeline {
  const { Gst } = loadGst();
  try {
    return Gst.parseLaunch(description);
  } catch (cause) {
    const reason = cause instanceof Error ? cause.message : String(cause);
    // GStreamer says `no element "name"` for an element no installed plugin provides.
    const missing = /^no element "([^"]+)"/.exec(reason)?.[1];
    const code = missing !== undefined ? ErrorCode.GST_UNAVAILABLE : ErrorCode.GST_PIPELINE;
    const hint = missing !== undefined ? ` (a GStreamer plugin is missing: ${missingElementsHint([missing])})` : '';
    throw new GstError(code, `pipeline "${description}" could not be built: ${reason}${hint}`, { cause });
  }
}

/** A bus message avbuf acts on. */
export interface BusMessage {
  type: 'error' | 'warning' | 'eos';
  /** Name of the element that posted it. */
  source: string;
  /** GStreamer's message (empty for eos). */
  message: string;
  /** GStreamer's debug detail, when any. */
  debug: string;
}

/**
 * The error, warning and end-of-stream messages of a pipeline's bus, polled every
 * `intervalMs` (default 20). The poll timer also keeps Node alive while a pipeline runs:
 * node-gtk's signal delivery alone does not.
 */
export function busMessages(
  pipeline: GstPipeline,
  options: { intervalMs?: number; scheduler?: SchedulerLike; tick?: Observable<unknown> } = {},
): Observable<BusMessage> {
  const intervalMs = options.intervalMs ?? 20;
  const scheduler = options.scheduler ?? asyncScheduler;
  return new Observable<BusMessage>((subscriber) => {
    const { Gst } = loadGst();
    const bus = pipeline.getBus();
    const types = Gst.MessageType.ERROR | Gst.MessageType.WARNING | Gst.MessageType.EOS;
    const drain = (): void => {
      for (;;) {
        if (subscriber.closed) return;
        const message = bus.timedPopFiltered(0n, types);
        if (!message) return;
        subscriber.next(toBusMessage(Gst.MessageType, message));
      }
    };
    // With a shared tick, the bus is polled on it (the caller's timer keeps Node alive).
    if (options.tick) return options.tick.subscribe(drain);
    const action = scheduler.schedule(function poll() {
      drain();
      if (!subscriber.closed) this.schedule(undefined, intervalMs);
    }, 0);
    return () => {
      action.unsubscribe();
    };
  });
}

function toBusMessage(types: { ERROR: number; WARNING: number; EOS: number }, message: GstMessage): BusMessage {
  const source = message.src?.name ?? '?';
  if (message.type === types.EOS) return { type: 'eos', source, message: '', debug: '' };
  const parsed = message.type === types.ERROR ? message.parseError() : (message.parseWarning?.() ?? null);
  const [error, debug] = Array.isArray(parsed) ? parsed : [parsed, null];
  return {
    type: message.type === types.ERROR ? 'error' : 'warning',
    source,
    message: error?.message ?? 'unknown error',
    debug: debug ?? '',
  };
}

/** Sets a pipeline's state; a FAILURE return becomes `ERR_GST_STATE`. */
export function setPipelineState(pipeline: GstPipeline, state: 'NULL' | 'READY' | 'PAUSED' | 'PLAYING'): void {
  const { Gst } = loadGst();
  const result = pipeline.setState(Gst.State[state]);
  if (result === Gst.StateChangeReturn.FAILURE) {
    // The element that failed has usually posted why on the bus.
    const message = pipeline.getBus().timedPopFiltered(0n, Gst.MessageType.ERROR);
    if (message) {
      const why = toBusMessage(Gst.MessageType, message);
      throw new GstError(ErrorCode.GST_PIPELINE, `pipeline ${pipeline.name} could not change to ${state}: ${why.source}: ${why.message}`);
    }
    throw new GstError(ErrorCode.GST_STATE, `pipeline ${pipeline.name} could not change to ${state}`);
  }
}

/**
 * Stops a pipeline without deadlocking on signal handlers: turns `emit-signals` off on the
 * given appsinks, waits `settleMs` (default 20) so handlers already queued run, then sets the
 * state to NULL (which waits for the streaming threads).
 */
export async function stopPipeline(pipeline: GstPipeline, appSinks: readonly GstAppSink[] = [], settleMs = 20): Promise<void> {
  const { Gst } = loadGst();
  let signalled = false;
  for (const sink of appSinks) {
    if (sink.emitSignals) {
      sink.emitSignals = false;
      signalled = true;
    }
  }
  if (signalled) await new Promise((resolve) => setTimeout(resolve, settleMs));
  pipeline.setState(Gst.State.NULL);
}
