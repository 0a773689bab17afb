// The producer side: attach to the ring posted by the main thread and write a tone into it.
import { workerData } from 'node:worker_threads';
import { attachRing } from 'avbuf';

const { handle, frames, sampleRate } = workerData;
const ring = attachRing(handle, { role: 'producer' });
const CHUNK = 128;
const chunk = new Float32Array(CHUNK * 2);
for (let done = 0; done < frames; ) {
  const n = Math.min(CHUNK, frames - done);
  for (let i = 0; i < n; i++) {
    const t = (done + i) / sampleRate;
    chunk[2 * i] = 0.5 * Math.sin(2 * Math.PI * 440 * t); // left: A4
    chunk[2 * i + 1] = 0.5 * Math.sin(2 * Math.PI * 660 * t); // right: E5
  }
  // Spins briefly, then sleeps until the consumer makes room.
  done += ring.writeBlocking(n === CHUNK ? chunk : chunk.subarray(0, n * 2), 5000);
}
ring.close(); // ends the stream: the consumer drains what is left, then reads 0
