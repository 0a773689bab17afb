/**
 * The delay line end to end with real GStreamer pipelines (live videotestsrc and
 * audiotestsrc → appsinks → avbuf's window → appsrcs → synchronised sinks), at a 1 s delay to
 * keep the suite short.
 */
import { describe, expect, it } from 'vitest';
import { createDelayLine } from '../../src/gst/delayLine.js';
import { loadGst } from '../../src/gst/loader.js';
import { currentState } from '../helpers/gst.js';

describe('delay line with real pipelines (1 s delay)', () => {
  it('renders video and audio exactly 1 s after capture, in sync, sending every frame it received', async () => {
    const line = createDelayLine({ delay: 1, width: 320, height: 240, framerate: 30, numBuffers: 120 });
    const { manager } = line;
    // The window's size, sampled while it runs (the stats object is also checked at the end).
    let maxHeld = 0;
    let maxAudioHeld = 0;
    const sampler = setInterval(() => {
      const s = manager.getStats();
      maxHeld = Math.max(maxHeld, s.frameBufferSize);
      maxAudioHeld = Math.max(maxAudioHeld, s.audioBufferSize);
    }, 20);
    manager.start();
    const result = await manager.whenStopped();
    clearInterval(sampler);

    expect(result.state).toBe('stopped');
    expect(result.error).toBeNull();
    const s = result.stats;
    // 120 frames at 30 fps and 400 audio chunks (100 a second) in, and all of them out.
    expect(s.framesReceived).toBe(120);
    expect(s.framesSent).toBe(120);
    expect(s.audioChunksReceived).toBe(400);
    expect(s.audioChunksSent).toBe(400);
    expect(s.framesDroppedOverflow + s.framesDroppedLate + s.audioDroppedOverflow + s.audioDroppedLate).toBe(0);
    expect(s.discarded).toBe(0);

    // The window held the delay (1 s less the 0.2 s lead ≈ 24 frames) and never more than its capacity.
    expect(s.frameBufferCapacity).toBe(30);
    expect(s.maxFrameBufferSize).toBeLessThanOrEqual(30);
    expect(s.maxFrameBufferSize).toBeGreaterThanOrEqual(20);
    expect(maxHeld).toBeLessThanOrEqual(30);
    expect(maxAudioHeld).toBeLessThanOrEqual(s.audioBufferCapacity);

    const m = line.measured();
    expect(m.video?.count).toBeGreaterThanOrEqual(110);
    expect(m.audio?.count).toBeGreaterThanOrEqual(390);
    expect(Math.abs(m.video!.median - 1000)).toBeLessThan(5);
    expect(Math.abs(m.audio!.median - 1000)).toBeLessThan(5);
    expect(Math.abs(m.skewMs!)).toBeLessThan(5);
    // Most buffers, not only the median, render within 5 ms of their time.
    const video = line.videoProbe!.values();
    const onTime = video.filter((d) => Math.abs(d - 1000) < 5).length;
    expect(onTime / video.length).toBeGreaterThan(0.9);

    const { Gst } = loadGst();
    expect(currentState(line.analysis)).toBe(Gst.State.NULL);
    expect(currentState(line.playback)).toBe(Gst.State.NULL);
  });

  it('without a shared clock, keeps audio to video within the tolerance and still sends everything', async () => {
    // clock 'independent': the appsrcs timestamp on push, so sync rests on pushing in step
    // (ptsSync's window and tolerance), not on the clock.
    const line = createDelayLine({ delay: 1, width: 320, height: 240, framerate: 30, numBuffers: 90, clock: 'independent' });
    line.manager.start();
    const result = await line.manager.whenStopped();
    expect(result.state).toBe('stopped');
    expect(result.stats.clock).toBe('independent');
    expect(result.stats.framesSent).toBe(90);
    expect(result.stats.audioChunksSent).toBe(300);
    const m = line.measured();
    expect(m.video!.count).toBeGreaterThanOrEqual(80);
    // Both probes are read against the playback pipeline's own base time: their difference is the skew.
    expect(Math.abs(m.skewMs!)).toBeLessThan(50);
  });

  it('keeps memory bounded by the window: RSS grows less than 150 MB over 3,000 720p frames', async () => {
    // 3,000 frames of 1280×720 I420 (1.38 MB each, 4 GB in all) at 300 fps through a 0.1 s
    // window (30 frames): without deterministic release, the garbage collector's pace would
    // decide, and 600 such frames alone reached 895 MB here.
    const line = createDelayLine({
      delay: 0.1,
      width: 1280,
      height: 720,
      framerate: 300,
      numBuffers: 3000,
      audio: false,
      probes: false,
      timeOverlay: false,
      pattern: 'black',
      manager: { lead: 0.03 },
    });
    const { manager } = line;
    let baseline = 0;
    let peak = 0;
    const sampler = setInterval(() => {
      const rss = process.memoryUsage().rss;
      // The baseline is taken once the window is full and the pipelines are warm.
      if (baseline === 0 && manager.getStats().framesSent >= 300) baseline = rss;
      if (baseline > 0) peak = Math.max(peak, rss);
    }, 25);
    manager.start();
    const result = await manager.whenStopped();
    clearInterval(sampler);

    expect(result.state).toBe('stopped');
    expect(result.stats.framesReceived).toBe(3000);
    expect(result.stats.framesSent + result.stats.framesDroppedLate).toBe(3000);
    expect(result.stats.maxFrameBufferSize).toBeLessThanOrEqual(30);
    expect(baseline).toBeGreaterThan(0);
    const growthMb = (peak - baseline) / 1e6;
    expect(growthMb).toBeLessThan(150);
  });
});
