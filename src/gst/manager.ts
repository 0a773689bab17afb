/**
 * GstBufferManager: the delay line ({@link DelayLineEngine}) under the names of the Python
 * `BufferManager` it ports, so code written against that API keeps its shape
 * (docs/migrating-from-python.md has the whole name map). Every name here is a thin alias:
 * the behaviour is the engine's.
 */
import { DelayLineEngine } from './delayLineEngine.js';
import type { GstBufferStats } from './delayStats.js';
import type { StopResult } from './lineActor.js';

export { DelayLineEngine, type EmergencyCallback } from './delayLineEngine.js';
export type { StopResult } from './lineActor.js';
export type { ClockMode, GstBufferManagerOptions, GstElements } from './delayOptions.js';
export type { GstBufferStats } from './delayStats.js';

/**
 * The delay line with the Python API's names beside the idiomatic ones: `start_buffer_thread`
 * → `startBufferThread()`, `get_stats` → `get_stats()`, the `new-sample` and `need-data`
 * callbacks, … Usage mirrors the Python example: construct, `setElements`, optionally
 * `setEmergencyShutdownCallback`, connect or hand over the appsinks, `start()`, later `stop()`.
 *
 * @example
 * const line = new GstBufferManager({ bufferDuration: 7, framerate: 30 });
 * line.setElements({ appsrc, audioAppsrc, playbackPipeline, analysisPipeline, videoAppsink, audioAppsink });
 * line.setEmergencyShutdownCallback(() => void line.stop());
 * analysisPipeline.setState(Gst.State.PLAYING);
 * line.startBufferThread();
 */
export class GstBufferManager extends DelayLineEngine {
  /**
   * `on_new_sample`: takes a video sample from `sink`. node-gtk calls `new-sample` handlers
   * without arguments, so pass the appsink yourself:
   * `videoAppsink.on('new-sample', () => line.onNewSample(videoAppsink))` (with
   * `emitSignals = true`). stop() turns `emit-signals` off on every sink seen here before it
   * stops the pipeline (a pending handler would otherwise deadlock the state change).
   * Returns a GstFlowReturn.
   */
  readonly onNewSample = (sink: unknown): number => this.takeSample('video', sink);

  /** `on_new_audio_sample` (see {@link onNewSample}). */
  readonly onNewAudioSample = (sink: unknown): number => this.takeSample('audio', sink);

  /** appsrc `need-data` handler for video: counts how often the appsrc ran dry (see {@link DelayLineEngine.noteNeedData}). */
  readonly onAppsrcNeedData = (): void => this.noteNeedData('video');

  /** appsrc `need-data` handler for audio (see {@link onAppsrcNeedData}). */
  readonly onAudioAppsrcNeedData = (): void => this.noteNeedData('audio');

  /** `_on_appsrc_need_data`: {@link onAppsrcNeedData}. */
  readonly _onAppsrcNeedData = this.onAppsrcNeedData;

  /** `_on_audio_appsrc_need_data`: {@link onAudioAppsrcNeedData}. */
  readonly _onAudioAppsrcNeedData = this.onAudioAppsrcNeedData;

  /** `start_buffer_thread`: {@link DelayLineEngine.start}. */
  startBufferThread(): void {
    this.start();
  }

  /** `stop_buffer_thread`: {@link DelayLineEngine.stop}. */
  stopBufferThread(): Promise<StopResult> {
    return this.stop();
  }

  /** `get_stats`: {@link DelayLineEngine.getStats}. */
  get_stats(): GstBufferStats {
    return this.getStats();
  }
}
