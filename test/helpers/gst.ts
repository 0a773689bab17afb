/**
 * Helpers for the tests that run real GStreamer pipelines: a timeout that turns a hang into a
 * failure, a pipeline's current state, the valve-gated analysis
 * pipeline of the stall test, and a WebM decoder that counts what a file really holds.
 */
import { loadGst } from '../../src/gst/loader.js';
import { parsePipeline } from '../../src/gst/pipeline.js';
import type { GstAppSink, GstPipeline } from '../../src/gst/binding.js';

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** `promise`, or a rejection naming `what` once `ms` passed: a deadlock fails the test instead of hanging it. */
export async function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not settle within ${ms} ms (hang or deadlock)`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Polls `condition` every 10 ms; rejects naming `what` when it is still false after `ms`. */
export async function waitFor(condition: () => boolean, ms: number, what: string): Promise<void> {
  const deadline = performance.now() + ms;
  while (!condition()) {
    if (performance.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await sleep(10);
  }
}

/** The pipeline's current state (a `Gst.State` value), without waiting for a pending change. */
export function currentState(pipeline: GstPipeline): number {
  const [, current] = pipeline.getState(0n);
  return current ?? -1;
}

/** `Gst.State.NULL`. */
export function nullState(): number {
  return loadGst().Gst.State.NULL;
}

/**
 * The live test sources of createDelayLine with a `valve` before each appsink (`vv` for video,
 * `av` for audio): setting `drop = true` on both makes the source stop producing, for real.
 */
export function valveSourcePipeline({ width, height, framerate }: { width: number; height: number; framerate: number }): string {
  const appsink = (name: string, maxBuffers: number): string =>
    `appsink name=${name} emit-signals=false sync=false max-buffers=${maxBuffers} drop=false enable-last-sample=false`;
  return (
    `videotestsrc is-live=true pattern=ball ! video/x-raw,format=I420,width=${width},height=${height},framerate=${framerate}/1 ! ` +
    `valve name=vv drop=false ! ${appsink('video', framerate * 2)} ` +
    'audiotestsrc is-live=true wave=sine freq=440 volume=0.3 samplesperbuffer=480 ! ' +
    'audio/x-raw,format=S16LE,rate=48000,channels=2,layout=interleaved ! ' +
    `valve name=av drop=false ! ${appsink('audio', 200)}`
  );
}

export interface DecodedWebm {
  /** Decoded VP8 frames. */
  videoFrames: number;
  /** Picture size from the decoded caps (0 when nothing decoded). */
  width: number;
  height: number;
  /** Decoded Vorbis buffers, and the milliseconds of audio they hold. */
  audioBuffers: number;
  audioMs: number;
  /** Both branches reached end of stream (the file is complete and readable to its end). */
  eos: boolean;
  /** The first error the decoding pipeline posted, or null. */
  error: string | null;
}

/**
 * Decodes a WebM (VP8 + Vorbis) file completely with GStreamer and counts what came out.
 * Counting at appsinks is exact, unlike `gst-launch-1.0 -v` notify lines, which can repeat or
 * skip buffers.
 */
export function decodeWebm(file: string): DecodedWebm {
  const { Gst } = loadGst();
  const sink = (name: string): string => `appsink name=${name} sync=false emit-signals=false max-buffers=0 enable-last-sample=false`;
  const pipeline = parsePipeline(
    `filesrc location="${file.replace(/(["\\])/g, '\\$1')}" ! matroskademux name=d ` +
      `d.video_0 ! queue ! vp8dec ! ${sink('v')} d.audio_0 ! queue ! vorbisdec ! ${sink('a')}`,
  );
  try {
    pipeline.setState(Gst.State.PLAYING);
    const drain = (name: string): { count: number; ns: bigint; caps: string; eos: boolean } => {
      const appsink = pipeline.getByName(name) as GstAppSink & { isEos(): boolean };
      let count = 0;
      let ns = 0n;
      let caps = '';
      for (;;) {
        // Unbounded appsinks: the demuxer never waits on one branch while the other is drained.
        const sample = appsink.tryPullSample(5n * Gst.SECOND);
        if (!sample) break;
        count++;
        const duration = sample.getBuffer()?.duration ?? 0n;
        if (duration !== Gst.CLOCK_TIME_NONE) ns += duration;
        if (caps === '') caps = sample.getCaps()?.toString() ?? '';
      }
      return { count, ns, caps, eos: appsink.isEos() };
    };
    const video = drain('v');
    const audio = drain('a');
    const message = pipeline.getBus().timedPopFiltered(0n, Gst.MessageType.ERROR);
    let error: string | null = null;
    if (message) {
      const parsed = message.parseError();
      const gerror = Array.isArray(parsed) ? parsed[0] : parsed;
      error = `${message.src?.name ?? '?'}: ${gerror?.message ?? 'error'}`;
    }
    const dimension = (key: string): number => Number(new RegExp(`${key}=\\(int\\)(\\d+)`).exec(video.caps)?.[1] ?? 0);
    return {
      videoFrames: video.count,
      width: dimension('width'),
      height: dimension('height'),
      audioBuffers: audio.count,
      audioMs: Number(audio.ns) / 1e6,
      eos: video.eos && audio.eos,
      error,
    };
  } finally {
    pipeline.setState(Gst.State.NULL);
  }
}
