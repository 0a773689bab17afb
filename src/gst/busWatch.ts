/**
 * Watching the buses of a delay line's two pipelines: errors fail the line, warnings are
 * logged, and an end of stream means the source ended (analysis) or everything was played
 * out (playback).
 */
import { merge, type Observable, type Subscription } from 'rxjs';
import { ErrorCode, GstError } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import type { GstPipeline } from './binding.js';
import { busMessages, type BusMessage } from './pipeline.js';

/** What the line does with its buses' messages. */
export interface BusHandlers {
  /** A pipeline posted an error (already logged). */
  readonly onError: (error: GstError) => void;
  /** The analysis pipeline ended: the windows play out what they hold, then the appsrcs end. */
  readonly onSourceEnd: () => void;
  /** The playback pipeline ended. */
  readonly onPlaybackEnd: () => void;
}

/**
 * Polls both buses on `tick` (the line's ~100 ms tick, which also keeps Node alive while the
 * line runs) until the returned subscription is unsubscribed.
 */
export function watchBuses(
  pipelines: { readonly analysis: GstPipeline | undefined; readonly playback: GstPipeline | undefined },
  tick: Observable<unknown>,
  handlers: BusHandlers,
  log: Logger,
): Subscription {
  const { analysis, playback } = pipelines;
  const buses: Observable<BusMessage>[] = [];
  if (analysis) buses.push(busMessages(analysis, { tick }));
  if (playback) buses.push(busMessages(playback, { tick }));
  return merge(...buses).subscribe((message) => {
    if (message.type === 'error') {
      // GStreamer's debug detail is long; its last line names the cause.
      const detail = message.debug ? ` (${message.debug.split('\n').pop() ?? ''})` : '';
      const error = new GstError(ErrorCode.GST_PIPELINE, `${message.source}: ${message.message}${detail}`);
      log.error({ source: message.source, debug: message.debug }, `[BUFFER] pipeline error from ${message.source}: ${message.message}`);
      handlers.onError(error);
    } else if (message.type === 'warning') {
      log.warn({ source: message.source }, `[BUFFER] warning from ${message.source}: ${message.message}`);
    } else if (playback !== undefined && message.source === playback.name) {
      handlers.onPlaybackEnd();
    } else {
      log.info('[SOURCE] end of stream');
      handlers.onSourceEnd();
    }
  });
}
