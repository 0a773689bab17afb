/**
 * The system `avbuf inspect --demo` shows: a manager whose buffers change over time, so every
 * part of the page has something to show.
 *
 * - `mic`, a memory buffer written in real time (a 440 Hz tone), paused for 2 s every 10 s;
 *   when it holds 8 s of audio it is closed and a new one (`mic-2`, …) takes its place.
 * - `recording`, a streaming buffer with a small cache that spills to a temporary file.
 * - `live`, a ring fed by a worker thread and drained in real time; every 15 s the reader
 *   stops for 2 s, the ring fills and the flow shows it.
 * - `blocks`, a pool whose leases rise and fall.
 * - memory pressure every 20 s: a large buffer (warning), a second one (critical: the policy
 *   frees idle pool blocks), both removed (back to normal).
 * - when GStreamer is installed, a delay line on live test sources (3 s delay, no output file).
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { AudioBufferManager } from '../actors/manager.js';
import type { MemoryAudioBuffer } from '../actors/memoryBufferActor.js';
import { silentLogger, type Logger } from '../core/logger.js';
import { BufferType } from '../core/types.js';
import type { GstBufferManager } from '../gst/manager.js';

const RATE = 48000;
const CHANNELS = 2;
const TICK_MS = 50;
const MIC_SECONDS = 8;
const RING_FRAMES = 16384;

export interface InspectDemoOptions {
  /** Run a delay line too: true, false, or 'auto' (the default: when GStreamer is installed). */
  gst?: boolean | 'auto';
  logger?: Logger;
}

/** A running demo. */
export interface InspectDemo {
  readonly manager: AudioBufferManager;
  /** The delay line, when one runs. */
  readonly line: GstBufferManager | undefined;
  /** Why there is no delay line, when there is none. */
  readonly gstSkipped: string | undefined;
  /** Starts the activity (and the delay line). Call after attaching an inspector. */
  start(): void;
  /** Stops everything and closes the manager. Idempotent. */
  stop(): Promise<void>;
}

/**
 * Builds the demo system, idle until `start()`.
 *
 * @example
 * const demo = await createInspectDemo();
 * const inspector = await inspectManager(demo.manager);
 * if (demo.line) inspector.bus.addDelayLine(demo.line);
 * demo.start();
 */
export async function createInspectDemo(options: InspectDemoOptions = {}): Promise<InspectDemo> {
  const log = options.logger ?? silentLogger;
  const manager = new AudioBufferManager({ memoryLimitMb: 64, monitorIntervalMs: 250, logger: log });
  const timers: NodeJS.Timeout[] = [];
  const every = (ms: number, fn: () => void): void => {
    timers.push(
      setInterval(() => {
        try {
          fn();
        } catch (error) {
          log.warn({ err: error }, 'inspect demo: a step failed');
        }
      }, ms),
    );
  };
  const started = performance.now();
  const seconds = (): number => (performance.now() - started) / 1000;

  // A tone to write: one tick of stereo frames.
  const tickFrames = (RATE * TICK_MS) / 1000;
  const tone = new Float32Array(tickFrames * CHANNELS);
  let phase = 0;
  const nextTone = (): Float32Array => {
    for (let i = 0; i < tickFrames; i++, phase++) {
      const v = 0.3 * Math.sin((2 * Math.PI * 440 * phase) / RATE);
      tone[2 * i] = v;
      tone[2 * i + 1] = v;
    }
    return tone;
  };

  // mic: memory, real time, paused now and then, replaced when it holds MIC_SECONDS.
  let micNumber = 1;
  let mic: MemoryAudioBuffer = manager.createBuffer('mic', BufferType.MEMORY, { sampleRate: RATE, channels: CHANNELS }, { capacity: RATE });
  const recording = manager.createBuffer('recording', BufferType.STREAMING, { sampleRate: RATE, channels: CHANNELS, chunkSize: 4800, cacheSizeMb: 1 });
  const ring = manager.createBuffer('live', BufferType.RING, { sampleRate: RATE, channels: CHANNELS }, { capacity: RING_FRAMES });
  const pool = manager.createBuffer('blocks', BufferType.POOL, { channels: CHANNELS }, { blocks: 16, blockFrames: 4096 });

  let line: GstBufferManager | undefined;
  let gstSkipped: string | undefined;
  const wantGst = options.gst ?? 'auto';
  if (wantGst !== false) {
    try {
      const { isGstAvailable } = await import('../gst/loader.js');
      if (wantGst === 'auto' && !isGstAvailable()) gstSkipped = 'GStreamer is not installed';
      else {
        const { createDelayLine } = await import('../gst/delayLine.js');
        line = createDelayLine({ source: 'test', delay: 3, width: 320, height: 180, probes: false, stallTimeout: 5, logger: log }).manager;
      }
    } catch (error) {
      if (wantGst === true) throw error;
      gstSkipped = error instanceof Error ? error.message : String(error);
    }
  }

  let worker: Worker | undefined;
  let stopping: Promise<void> | undefined;
  let running = false;

  const start = (): void => {
    if (running || stopping !== undefined) return;
    running = true;
    // The ring's producer: a worker thread when the build is there (workers must be JS), else this thread.
    const producer = new URL('../jobs/toneProducer.js', import.meta.url);
    if (existsSync(fileURLToPath(producer))) {
      worker = new Worker(producer, { workerData: { handle: ring.share(), frames: Number.MAX_SAFE_INTEGER, sampleRate: RATE } });
      worker.on('error', (error) => log.warn({ err: error }, 'inspect demo: the ring producer stopped'));
      worker.unref();
    } else {
      every(TICK_MS, () => {
        if (ring.state === 'active') ring.write(nextTone());
      });
    }

    const block = new Float32Array(tickFrames * CHANNELS);
    every(TICK_MS, () => {
      const t = seconds();
      // mic: paused 2 s of every 10.
      const pausedNow = t % 10 >= 6 && t % 10 < 8;
      if (pausedNow && mic.state === 'active') mic.pause();
      else if (!pausedNow && mic.state === 'paused') mic.resume();
      if (mic.state === 'active') mic.write(nextTone());
      if (mic.state === 'active' && mic.size() >= RATE * MIC_SECONDS) {
        const old = mic.id;
        micNumber += 1;
        mic = manager.createBuffer(`mic-${micNumber}`, BufferType.MEMORY, { sampleRate: RATE, channels: CHANNELS }, { capacity: RATE });
        void manager.removeBuffer(old);
      }
      // recording: written in real time, read back from the start now and then.
      if (recording.state === 'active') {
        recording.write(tone);
        if (Math.floor(t) % 7 === 0) {
          recording.seek(0);
          recording.readInto(block);
          recording.seek(recording.size());
        }
      }
      // live: drained in real time, except 2 s of every 15.
      if (ring.state === 'active' && !(t % 15 >= 12 && t % 15 < 14)) ring.readInto(block);
    });

    // blocks: leases following a slow wave.
    const leased: ReturnType<typeof pool.acquire>[] = [];
    every(100, () => {
      if (pool.state !== 'active') return;
      const target = Math.round(8 + 6 * Math.sin(seconds() / 3));
      while (leased.length > target) pool.release(leased.pop()!);
      while (leased.length < target) {
        const b = pool.tryAcquire();
        if (b === null) break;
        leased.push(b);
      }
    });

    // Memory pressure, every 20 s.
    every(1000, () => {
      const t = Math.floor(seconds()) % 20;
      const has = (id: string): boolean => manager.getBuffer(id) !== undefined;
      if (t === 5 && !has('burst')) manager.createBuffer('burst', BufferType.MEMORY, { channels: CHANNELS }, { capacity: 6_300_000, growable: false });
      if (t === 9 && !has('burst-2')) manager.createBuffer('burst-2', BufferType.MEMORY, { channels: CHANNELS }, { capacity: 1_100_000, growable: false });
      if (t === 13) {
        if (has('burst')) void manager.removeBuffer('burst');
        if (has('burst-2')) void manager.removeBuffer('burst-2');
      }
    });

    if (line !== undefined) {
      try {
        line.start();
      } catch (error) {
        log.warn({ err: error }, 'inspect demo: the delay line did not start');
      }
    }
  };

  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      for (const timer of timers) clearInterval(timer);
      // The producer first: closing the ring under a blocked writer would fail it.
      await worker?.terminate();
      await line?.stop();
      await manager.close();
    })();
    return stopping;
  };

  return { manager, line, gstSkipped, start, stop };
}
