/**
 * avbuf/gst: the GStreamer A/V delay line (through node-gtk, loaded on first use).
 * Importing this module does not load GStreamer; the first call that needs it does, and
 * throws `ERR_GST_UNAVAILABLE` naming the Debian packages when it is missing.
 */
export { loadGst, isGstAvailable, requireElements, GST_DEBIAN_PACKAGES, type GstRuntime } from './loader.js';
export { fromAppSink, holdSample, type AppSinkMode, type AppSinkOptions } from './appSink.js';
export { AppSrcSink, APPSRC_PROPERTIES } from './appSrc.js';
export { HeldSample, SampleTracker } from './sample.js';
export { parsePipeline, busMessages, stopPipeline, setPipelineState, type BusMessage } from './pipeline.js';
export { RenderProbe, summarise, type ProbeSummary } from './probe.js';
export { GstBufferManager } from './manager.js';
export { DelayLineEngine, type EmergencyCallback } from './delayLineEngine.js';
export type { StopResult } from './lineActor.js';
export {
  DELAY_DEFAULTS,
  type ClockMode,
  type GstBufferManagerOptions,
  type GstElements,
  type ResolvedDelayOptions,
} from './delayOptions.js';
export type { GstBufferStats } from './delayStats.js';
export type { MediaKind } from './callbackIntake.js';
export { createDelayLine, type DelayLine, type DelayLineOptions } from './delayLine.js';
export type * from './binding.js';
export { startPublishLine, startPlayLine, type PublishLineOptions, type PublishedLine, type PlayLineOptions, type PlayedLine } from './netLine.js';
