// An audio producer in a worker feeding the main thread through a shared ring buffer.
//
//   npm run build && node examples/ring-worker/main.mjs
//
// The worker synthesises a stereo tone in 128-frame chunks (an audio callback's size) and
// writes them with writeBlocking; the main thread drains the ring with readAsync, which
// waits without blocking the event loop, and prints the level of each 100 ms.
import { Worker } from 'node:worker_threads';
import { AudioBufferManager, BufferType } from 'avbuf';

const SAMPLE_RATE = 48000;
const SECONDS = 1;

const manager = new AudioBufferManager();
// 4096 frames (85 ms at 48 kHz) of slack between the two threads.
const ring = manager.createBuffer('tone', BufferType.RING, { sampleRate: SAMPLE_RATE, channels: 2 }, { capacity: 4096 });

const worker = new Worker(new URL('./producer.mjs', import.meta.url), {
  workerData: { handle: ring.share(), frames: SAMPLE_RATE * SECONDS, sampleRate: SAMPLE_RATE },
});
worker.on('error', (error) => {
  console.error('producer failed:', error);
  process.exitCode = 1;
});

const block = new Float32Array(2 * (SAMPLE_RATE / 10)); // 100 ms
let received = 0;
for (;;) {
  const frames = await ring.readAsync(block, { timeoutMs: 5000 });
  if (frames > 0) {
    let sum = 0;
    for (let i = 0; i < frames * 2; i++) sum += block[i] * block[i];
    const db = 10 * Math.log10(sum / (frames * 2));
    console.log(`${(received / SAMPLE_RATE).toFixed(1)} s  ${frames} frames  ${db.toFixed(1)} dBFS  flow: ${ring.sampleFlow()}`);
    received += frames;
  }
  if (ring.ended && ring.availableRead() === 0) break;
}

const m = ring.getMetrics();
console.log(`received ${received} frames; written ${m.framesWritten}, dropped ${m.droppedFrames}, overruns ${m.overruns}, underruns ${m.underruns}`);
await manager.close();
