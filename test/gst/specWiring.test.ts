/**
 * The spec's own wiring ("Complete Integration Example" of seeds/gstreamer-buffer-manager.md),
 * in Node: the user builds the pipelines, connects the appsinks' `new-sample` signals and the
 * appsrcs' `need-data` signals to the manager's callbacks, and uses the spec's method names.
 */
import { describe, expect, it } from 'vitest';
import { GstBufferManager } from '../../src/gst/manager.js';
import { loadGst } from '../../src/gst/loader.js';
import type { GstAppSink, GstElement } from '../../src/gst/binding.js';
import { currentState } from '../helpers/gst.js';

const ANALYSIS =
  'videotestsrc is-live=true ! video/x-raw,format=I420,width=160,height=120,framerate=30/1 ! appsink name=video_sink sync=false ' +
  'audiotestsrc is-live=true samplesperbuffer=480 ! audio/x-raw,rate=48000,channels=2 ! appsink name=audio_sink sync=false';
const PLAYBACK =
  'appsrc name=video_src ! queue ! fakesink name=vout sync=true appsrc name=audio_src ! queue ! fakesink name=aout sync=true';

describe("the spec's wiring: signals connected to the manager's callbacks", () => {
  for (const shareClock of [false, true]) {
    it(`buffers, plays and stops cleanly${shareClock ? ' (analysis pipeline given: shared clock)' : ' (spec elements only: independent clock)'}`, async () => {
      const { Gst } = loadGst();
      const analysis = Gst.parseLaunch(ANALYSIS);
      const playback = Gst.parseLaunch(PLAYBACK);
      const videoAppsink = analysis.getByName('video_sink') as GstAppSink;
      const audioAppsink = analysis.getByName('audio_sink') as GstAppSink;
      const videoAppsrc = playback.getByName('video_src') as GstElement;
      const audioAppsrc = playback.getByName('audio_src') as GstElement;

      const line = new GstBufferManager({ bufferDuration: 1, framerate: 30, audioChunksPerSec: 100 });
      const emergencies: string[] = [];
      line.setEmergencyShutdownCallback(({ reason }) => emergencies.push(reason));

      // buffer_mgr.on_new_sample etc.: node-gtk calls the handlers without the element, so it is passed.
      videoAppsink.emitSignals = true;
      audioAppsink.emitSignals = true;
      videoAppsink.on('new-sample', () => line.onNewSample(videoAppsink));
      audioAppsink.on('new-sample', () => line.onNewAudioSample(audioAppsink));
      videoAppsrc.on('need-data', () => line._onAppsrcNeedData());
      audioAppsrc.on('need-data', () => line._onAudioAppsrcNeedData());

      line.setElements({ appsrc: videoAppsrc, audioAppsrc, playbackPipeline: playback, ...(shareClock ? { analysisPipeline: analysis } : {}) });
      analysis.setState(Gst.State.PLAYING);
      line.startBufferThread();
      expect(() => line.setElements({ appsrc: videoAppsrc })).toThrow(expect.objectContaining({ code: 'ERR_GST_STATE' }) as Error);

      await new Promise((resolve) => setTimeout(resolve, 2500));
      const running = line.get_stats();
      expect(running.state).toBe('playing');
      expect(running.clock).toBe(shareClock ? 'shared' : 'independent');
      expect(running.framesReceived).toBeGreaterThanOrEqual(60);
      expect(running.framesSent).toBeGreaterThan(0);
      expect(running.audioChunksSent).toBeGreaterThan(0);
      expect(running.frameBufferSize).toBeLessThanOrEqual(running.frameBufferCapacity);
      expect(running.frameBufferCapacity).toBe(30);
      expect(running.audioBufferCapacity).toBe(100);
      // Frames held ≈ the delay less the lead: 0.5–1 s of video between newest in and last out.
      expect(running.displayBufferDuration).toBeGreaterThan(0.5);
      expect(running.displayBufferDuration).toBeLessThanOrEqual(1.05);
      expect(running.currentPlaybackTime).toBeGreaterThan(0);

      // The spec's stop(): stop the thread, clear the buffers, stop both pipelines — no hang
      // although signal handlers were active (stop turned emit-signals off first).
      const result = await line.stopBufferThread();
      line.clearBuffers();
      analysis.setState(Gst.State.NULL);
      playback.setState(Gst.State.NULL);
      expect(result.state).toBe('stopped');
      expect(result.reason).toBe('requested');
      expect(videoAppsink.emitSignals).toBe(false);
      expect(currentState(analysis)).toBe(Gst.State.NULL);
      expect(currentState(playback)).toBe(Gst.State.NULL);
      expect(emergencies).toEqual([]);
      expect(line.getStats().frameBufferSize).toBe(0);
    });
  }

  it('a new-sample handler connected without its appsink fails the flow instead of throwing into GStreamer', () => {
    const { Gst } = loadGst();
    const line = new GstBufferManager({ bufferDuration: 1 });
    expect(line.onNewSample(undefined)).toBe(Gst.FlowReturn.ERROR);
    expect(line.onNewAudioSample({})).toBe(Gst.FlowReturn.ERROR);
  });
});
