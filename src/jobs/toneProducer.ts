/**
 * A worker thread that plays a producer for the demos (`avbuf demo`, `avbuf inspect --demo`):
 * attaches to the ring posted by the main thread and writes a stereo tone (440 Hz left,
 * 660 Hz right) into it in 128-frame chunks (an audio callback's size), then ends the stream.
 */
import { workerData } from 'node:worker_threads';
import { attachRing, type RingHandle } from '../buffers/ring.js';

const { handle, frames, sampleRate } = workerData as { handle: RingHandle; frames: number; sampleRate: number };
const ring = attachRing(handle, { role: 'producer' });
const chunk = new Float32Array(128 * 2);
for (let done = 0; done < frames; ) {
  const n = Math.min(128, frames - done);
  for (let i = 0; i < n; i++) {
    const t = (done + i) / sampleRate;
    chunk[2 * i] = 0.5 * Math.sin(2 * Math.PI * 440 * t);
    chunk[2 * i + 1] = 0.5 * Math.sin(2 * Math.PI * 660 * t);
  }
  done += ring.writeBlocking(n === 128 ? chunk : chunk.subarray(0, 2 * n), 10_000);
}
ring.close();
