/**
 * `createDelayLine`: both pipelines of a delay line, built and wired to a
 * {@link GstBufferManager} — the job `avbuf delay` runs, and what tests and the benchmark use.
 *
 * Analysis: a source (live test sources, or any URI through uridecodebin) → appsinks.
 * Playback: appsrcs → a synchronised probe (`identity sync=true`) → an output: nothing
 * (`fakesink`), or a WebM file (VP8 + Vorbis).
 */
import { ConfigError } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import { checkNumber } from '../core/validate.js';
import type { GstElement, GstPipeline } from './binding.js';
import { DELAY_DEFAULTS, type ClockMode, type GstBufferManagerOptions, type GstElements } from './delayOptions.js';
import { loadGst, requireElements } from './loader.js';
import { GstBufferManager } from './manager.js';
import { parsePipeline } from './pipeline.js';
import { RenderProbe, type ProbeSummary } from './probe.js';
import type { AppSinkMode } from './appSink.js';
import { APPSRC_PROPERTIES } from './appSrc.js';

export interface DelayLineOptions {
  /** 'test' (default: a moving ball with the running time drawn on it, and a 440 Hz tone) or a URI. */
  source?: string;
  /**
   * A whole analysis pipeline instead of `source`: a gst-launch description with an appsink
   * named `video` (and `audio`, unless `audio: false`), e.g. to insert a `valve`.
   */
  sourcePipeline?: string;
  /** Delay in seconds (default 7). */
  delay?: number;
  /** Output: undefined for none (fakesink), or a path ending in .webm. */
  out?: string;
  /** Test source picture size and rate (default 640×360 at 30 fps). */
  width?: number;
  height?: number;
  framerate?: number;
  /** Test source audio rate (default 48000) and chunks per second (default 100). */
  sampleRate?: number;
  audioChunksPerSec?: number;
  /** Test source video pattern (default 'ball'). */
  pattern?: string;
  /** Draw the running time on the test picture (default true). */
  timeOverlay?: boolean;
  /** Test source: stop (end of stream) after this many video frames (default: run until stopped). */
  numBuffers?: number;
  /** Include audio (default true). */
  audio?: boolean;
  /** Measure render times at the sinks (default true). */
  probes?: boolean;
  /** Sample mode of the appsinks (default 'poll'). */
  sampleMode?: AppSinkMode;
  /** Clock mode (default 'shared'). */
  clock?: ClockMode;
  /** Stall timeout in seconds (default 5). */
  stallTimeout?: number;
  logger?: Logger;
  /** Further GstBufferManager options. */
  manager?: Omit<GstBufferManagerOptions, keyof GstElements>;
}

/** Both pipelines of a delay line and the manager that runs it (see {@link createDelayLine}). */
export interface DelayLine {
  readonly manager: GstBufferManager;
  readonly analysis: GstPipeline;
  readonly playback: GstPipeline;
  /** Pipeline descriptions, for logs. */
  readonly descriptions: { analysis: string; playback: string };
  /** Render-time probes (undefined when probes are off or there is no audio). */
  readonly videoProbe: RenderProbe | undefined;
  readonly audioProbe: RenderProbe | undefined;
  /** Measured delay (ms) at the video and audio sinks, and their skew (audio − video median). */
  measured(): { video: ProbeSummary | undefined; audio: ProbeSummary | undefined; skewMs: number | undefined };
}

const WEBM_ELEMENTS = ['vp8enc', 'vorbisenc', 'webmmux', 'filesink'];

/** Between the synchronised probe and an encoder: up to 3 s of slack for a slow encoder. */
const ENCODER_QUEUE = 'queue max-size-time=3000000000 max-size-buffers=0 max-size-bytes=0';

const POSITIVE_INTEGER = { min: 1, integer: true } as const;

/** Quotes a value for gst_parse_launch. */
function quote(value: string): string {
  return `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

/** True when an installed source element handles `scheme://` URIs. */
function uriSchemeSupported(scheme: string): boolean {
  const { Gst } = loadGst();
  return Gst.uriProtocolIsSupported(Gst.URIType.SRC, scheme);
}

function missingAppsink(name: string): never {
  throw new ConfigError('sourcePipeline', `must contain an appsink named "${name}" (appsink name=${name})`);
}

/** Builds both pipelines and the manager (not started: call `line.manager.start()`). */
export function createDelayLine(options: DelayLineOptions = {}): DelayLine {
  const source = options.source ?? 'test';
  const width = checkNumber('width', options.width ?? 640, POSITIVE_INTEGER);
  const height = checkNumber('height', options.height ?? 360, POSITIVE_INTEGER);
  const framerate = checkNumber('framerate', options.framerate ?? DELAY_DEFAULTS.framerate, POSITIVE_INTEGER);
  const sampleRate = checkNumber('sampleRate', options.sampleRate ?? 48000, POSITIVE_INTEGER);
  const chunksPerSec = checkNumber('audioChunksPerSec', options.audioChunksPerSec ?? DELAY_DEFAULTS.audioChunksPerSec, POSITIVE_INTEGER);
  if (sampleRate % chunksPerSec !== 0) throw new ConfigError('audioChunksPerSec', `must divide the sample rate (${sampleRate}), got ${chunksPerSec}`);
  const withAudio = options.audio ?? true;
  const withProbes = options.probes ?? true;
  const out = options.out;
  if (out !== undefined && !out.toLowerCase().endsWith('.webm')) throw new ConfigError('out', `must be a .webm file, got ${out}`);

  const appsink = (name: string, maxBuffers: number, sync: boolean): string =>
    `appsink name=${name} emit-signals=false sync=${String(sync)} max-buffers=${maxBuffers} drop=false enable-last-sample=false`;
  const videoCaps = `video/x-raw,format=I420,width=${width},height=${height},framerate=${framerate}/1`;
  const audioCaps = `audio/x-raw,format=S16LE,rate=${sampleRate},channels=2,layout=interleaved`;

  let analysisDescription: string;
  const numBuffers = options.numBuffers;
  if (numBuffers !== undefined) checkNumber('numBuffers', numBuffers, POSITIVE_INTEGER);
  const videoLimit = numBuffers !== undefined ? ` num-buffers=${numBuffers}` : '';
  const audioLimit = numBuffers !== undefined ? ` num-buffers=${Math.ceil((numBuffers * chunksPerSec) / framerate)}` : '';
  if (options.sourcePipeline !== undefined) {
    analysisDescription = options.sourcePipeline;
  } else if (source === 'test') {
    requireElements(['videotestsrc', 'audiotestsrc', 'appsink', 'appsrc', ...(options.timeOverlay === false ? [] : ['timeoverlay', 'clockoverlay'])]);
    // The running time, large, and the wall-clock time of capture; the playback side adds the
    // wall-clock time of rendering, so a frame of the file shows the delay.
    const overlay =
      options.timeOverlay === false
        ? ''
        : ' ! timeoverlay halignment=center valignment=center font-desc="Sans 36"' +
          ' ! clockoverlay halignment=left valignment=top text="captured" time-format="%H:%M:%S" font-desc="Sans 14"';
    analysisDescription =
      `videotestsrc is-live=true${videoLimit} pattern=${options.pattern ?? 'ball'} ! ${videoCaps}${overlay} ! ${appsink('video', framerate * 2, false)}` +
      (withAudio ? ` audiotestsrc is-live=true${audioLimit} wave=sine freq=440 volume=0.3 samplesperbuffer=${sampleRate / chunksPerSec} ! ${audioCaps} ! ${appsink('audio', chunksPerSec * 2, false)}` : '');
  } else {
    const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(source)?.[1];
    if (scheme === undefined) throw new ConfigError('source', `must be 'test' or a URI (file:///…, https://…), got ${source}`);
    if (!uriSchemeSupported(scheme)) throw new ConfigError('source', `no installed GStreamer element reads "${scheme}://" URIs (${source})`);
    requireElements(['uridecodebin', 'videoconvert', 'videoscale', 'audioconvert', 'audioresample', 'appsink', 'appsrc']);
    // A file is not live: sync=true on the appsinks paces it at real time.
    analysisDescription =
      `uridecodebin uri=${quote(source)} name=dec dec. ! queue ! videoconvert ! videoscale ! videorate ! ${videoCaps} ! ${appsink('video', framerate * 2, true)}` +
      (withAudio ? ` dec. ! queue ! audioconvert ! audioresample ! audio/x-raw,format=S16LE,rate=${sampleRate},channels=2 ! ${appsink('audio', chunksPerSec * 2, true)}` : '');
  }

  const appsrc = (name: string): string => `appsrc name=${name} is-live=true ${APPSRC_PROPERTIES}`;
  // identity emits handoff before it waits for the clock, so the probe is a second identity
  // after the synchronised one: it sees each buffer at its render time.
  const probe = (name: string): string => (withProbes ? ` ! identity sync=true ! identity name=${name} signal-handoffs=false` : '');
  let playbackDescription: string;
  if (out === undefined) {
    playbackDescription =
      `${appsrc('video')} ! queue max-size-time=2000000000 max-size-buffers=0 max-size-bytes=0${probe('vprobe')} ! fakesink sync=${String(!withProbes)}` +
      (withAudio ? ` ${appsrc('audio')} ! queue max-size-time=2000000000 max-size-buffers=0 max-size-bytes=0${probe('aprobe')} ! fakesink sync=${String(!withProbes)}` : '');
  } else {
    requireElements(WEBM_ELEMENTS);
    playbackDescription =
      // The queue after the probe gives the encoder its own thread: the synchronised element
      // then waits for each frame's time undisturbed by encoding (a loaded machine made vp8enc
      // fall behind and delayed rendering by up to 0.5 s when they shared a thread).
      `${appsrc('video')} ! queue max-size-time=2000000000 max-size-buffers=0 max-size-bytes=0${probe('vprobe')} ! ${ENCODER_QUEUE} ! videoconvert ! ` +
      (source === 'test' && options.sourcePipeline === undefined && options.timeOverlay !== false
        ? 'clockoverlay halignment=left valignment=bottom text="played" time-format="%H:%M:%S" font-desc="Sans 14" ! videoconvert ! '
        : '') +
      `vp8enc deadline=1 cpu-used=8 threads=2 keyframe-max-dist=${framerate * 2} target-bitrate=1500000 ! queue ! webmmux name=mux ! filesink location=${quote(out)}` +
      (withAudio
        ? ` ${appsrc('audio')} ! queue max-size-time=2000000000 max-size-buffers=0 max-size-bytes=0${probe('aprobe')} ! ${ENCODER_QUEUE} ! audioconvert ! audioresample ! vorbisenc ! queue ! mux.`
        : '');
  }

  const analysis = parsePipeline(analysisDescription);
  const playback = parsePipeline(playbackDescription);
  const get = (pipeline: GstPipeline, name: string): GstElement | null => pipeline.getByName(name);
  const manager = new GstBufferManager({
    bufferDuration: options.delay ?? DELAY_DEFAULTS.bufferDuration,
    delay: options.delay ?? DELAY_DEFAULTS.bufferDuration,
    framerate,
    audioChunksPerSec: chunksPerSec,
    ...(options.stallTimeout !== undefined ? { stallTimeout: options.stallTimeout } : {}),
    ...(options.clock !== undefined ? { clock: options.clock } : {}),
    ...(options.sampleMode !== undefined ? { sampleMode: options.sampleMode } : {}),
    ...(options.logger !== undefined ? { logger: options.logger } : {}),
    ...options.manager,
    analysisPipeline: analysis,
    playbackPipeline: playback,
    videoAppsink: get(analysis, 'video'),
    audioAppsink: withAudio ? get(analysis, 'audio') : null,
    appsrc: get(playback, 'video'),
    ...(options.sourcePipeline !== undefined && !get(analysis, 'video') ? missingAppsink('video') : {}),
    ...(options.sourcePipeline !== undefined && withAudio && !get(analysis, 'audio') ? missingAppsink('audio') : {}),
    audioAppsrc: withAudio ? get(playback, 'audio') : null,
  });

  const vprobeElement = withProbes ? get(playback, 'vprobe') : null;
  const aprobeElement = withProbes && withAudio ? get(playback, 'aprobe') : null;
  const videoProbe = vprobeElement ? new RenderProbe(vprobeElement) : undefined;
  const audioProbe = aprobeElement ? new RenderProbe(aprobeElement) : undefined;
  manager.onPlaybackStarted((clock, base) => {
    videoProbe?.attach(clock, base);
    audioProbe?.attach(clock, base);
  });
  manager.addStopHook(() => {
    videoProbe?.detach();
    audioProbe?.detach();
  });

  return {
    manager,
    analysis,
    playback,
    descriptions: { analysis: analysisDescription, playback: playbackDescription },
    videoProbe,
    audioProbe,
    measured() {
      const video = videoProbe?.summary();
      const audio = audioProbe?.summary();
      return { video, audio, skewMs: video && audio ? audio.median - video.median : undefined };
    },
  };
}
