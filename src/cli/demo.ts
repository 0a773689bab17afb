/**
 * `avbuf demo`: a short tour of what exists today. Creates buffers through the manager,
 * writes and reads real audio (a generated stereo tone) and checks it comes back
 * bit-exact, cycles a pool, pushes the manager into memory pressure, and prints metrics.
 */
import { Worker } from 'node:worker_threads';
import { AudioBufferManager } from '../actors/manager.js';
import { isAvbufError } from '../core/errors.js';
import { BufferType } from '../core/types.js';
import { formatNumber, mb, table } from './format.js';

export interface DemoOptions {
  /** Print the final metrics as one JSON line instead of tables. */
  json?: boolean;
  /** Where text goes. Default: process.stdout. */
  out?: (line: string) => void;
}

const RATE = 48000;
const CHANNELS = 2;
const SECONDS = 2;
const CHUNK = 1024;

/** A check of the demo failed (audio came back changed): said on stderr, exit code 1. */
function checkFailed(message: string): number {
  process.stderr.write(`avbuf demo: ${message}\n`);
  return 1;
}

/** Runs the demo; resolves to 0 on success (the exit code). */
export async function runDemo(options: DemoOptions = {}): Promise<number> {
  const out = options.out ?? ((line: string) => process.stdout.write(`${line}\n`));
  const say = options.json ? () => undefined : out;
  const manager = new AudioBufferManager({ memoryLimitMb: 64, monitorIntervalMs: 0 });
  manager.on('alert', (a) =>
    say(`   alert: memory ${a.previous} → ${a.level} (${(a.ratio * 100).toFixed(1)} % of ${mb(a.limitBytes)})`),
  );
  try {
    say(`avbuf demo: a ${SECONDS} s stereo tone at ${RATE} Hz through a memory buffer, a ring shared with a worker, a pool, and memory pressure\n`);

    // 1. A memory buffer: write the tone in chunks, half interleaved and half planar.
    const tone = manager.createBuffer('tone', BufferType.MEMORY, { sampleRate: RATE, channels: CHANNELS }, { capacity: CHUNK });
    const total = RATE * SECONDS;
    const reference = new Float32Array(total * CHANNELS);
    for (let i = 0; i < total; i++) {
      reference[i * 2] = 0.5 * Math.sin((2 * Math.PI * 440 * i) / RATE);
      reference[i * 2 + 1] = 0.5 * Math.sin((2 * Math.PI * 660 * i) / RATE);
    }
    const left = new Float32Array(CHUNK);
    const right = new Float32Array(CHUNK);
    for (let f = 0; f < total; f += CHUNK) {
      const n = Math.min(CHUNK, total - f);
      if (f < total / 2) tone.write(reference.subarray(f * 2, (f + n) * 2));
      else {
        for (let i = 0; i < n; i++) {
          left[i] = reference[(f + i) * 2]!;
          right[i] = reference[(f + i) * 2 + 1]!;
        }
        tone.write([left.subarray(0, n), right.subarray(0, n)]);
      }
    }
    say(`1. memory buffer "tone": wrote ${formatNumber(tone.size())} frames in ${CHUNK}-frame chunks; capacity grew to ${formatNumber(tone.capacity)} frames`);

    tone.seek(0);
    const chunk = new Float32Array(CHUNK * CHANNELS);
    let peak = 0;
    let sumSquares = 0;
    let mismatches = 0;
    for (let f = 0, n = tone.readInto(chunk); n > 0; f += n, n = tone.readInto(chunk)) {
      for (let i = 0; i < n * CHANNELS; i++) {
        const v = chunk[i]!;
        if (!Object.is(v, reference[f * CHANNELS + i])) mismatches++;
        peak = Math.max(peak, Math.abs(v));
        sumSquares += v * v;
      }
    }
    const rmsDb = 10 * Math.log10(sumSquares / (total * CHANNELS));
    say(`   read it back without allocating: peak ${peak.toFixed(3)}, RMS ${rmsDb.toFixed(2)} dBFS, ${mismatches} samples differ from what was written`);
    if (mismatches > 0) return checkFailed(`${mismatches} samples came back different`);

    // 2. A ring shared with a worker thread: the worker synthesises, the main thread drains.
    const ring = manager.createBuffer('live', BufferType.RING, { sampleRate: RATE, channels: CHANNELS }, { capacity: 4096 });
    const flows = new Set<string>();
    ring.flow$.subscribe((f) => flows.add(f));
    const worker = new Worker(new URL('../jobs/toneProducer.js', import.meta.url), {
      workerData: { handle: ring.share(), frames: total, sampleRate: RATE },
    });
    const failed = new Promise<never>((_, reject) => worker.once('error', reject));
    const block = new Float32Array(CHUNK * CHANNELS);
    let drained = 0;
    let ringMismatches = 0;
    for (;;) {
      const n = await Promise.race([ring.readAsync(block, { timeoutMs: 10_000 }), failed]);
      for (let i = 0; i < n * CHANNELS; i++) if (Math.abs(block[i]! - reference[drained * CHANNELS + i]!) > 1e-6) ringMismatches++;
      drained += n;
      ring.sampleFlow();
      if (n < CHUNK && ring.ended && ring.availableRead() === 0) break;
    }
    await worker.terminate();
    const rm = ring.getMetrics();
    say(
      `2. ring "live": a worker thread wrote ${formatNumber(rm.framesWritten)} frames in 128-frame chunks through a ${formatNumber(ring.capacity)}-frame ring; ` +
        `the main thread drained ${formatNumber(drained)} with readAsync, ${rm.droppedFrames} dropped, ${ringMismatches} samples off the tone; flow seen: ${[...flows].join(' → ')}`,
    );
    if (drained !== total || ringMismatches > 0) return checkFailed(`the ring lost or changed audio (${drained} of ${total} frames, ${ringMismatches} samples off)`);

    // 3. A pool: lease and return blocks, the hot loop allocates nothing.
    const pool = manager.createBuffer('blocks', BufferType.POOL, { channels: CHANNELS }, { blocks: 8, blockFrames: 8192 });
    for (let i = 0; i < 10_000; i++) {
      const a = pool.acquire();
      const b = pool.acquire();
      a.data[0] = i;
      b.data[0] = -i;
      pool.release(b);
      pool.release(a);
    }
    const ps = pool.stats();
    say(`3. pool "blocks": ${formatNumber(ps.acquires)} leases of ${formatNumber(ps.blockFrames)}-frame blocks, peak ${ps.peakInUse} in use, hit rate ${(pool.getMetrics().cacheHitRate * 100).toFixed(1)} %`);

    // 4. Memory pressure: fill the 64 MB budget; idle pool blocks are freed first.
    say(`4. memory pressure on a 64 MB budget:`);
    const held = pool.acquire(); // one block stays leased: the policy must not touch it
    const big = manager.createBuffer('big', BufferType.MEMORY, { channels: CHANNELS }, { capacity: 7_600_000 });
    big.write(new Float32Array(7_600_000 * CHANNELS));
    say(`   pool after the policy ran: ${pool.stats().allocatedBlocks} of ${pool.stats().totalBlocks} blocks allocated (the leased one kept), ${mb(pool.stats().trimmedBytes)} freed`);
    try {
      manager.createBuffer('too-big', BufferType.MEMORY, { channels: CHANNELS }, { capacity: 2_000_000 });
    } catch (error) {
      if (!isAvbufError(error)) throw error;
      say(`   a further 15 MB buffer is refused: ${error.code}: ${error.message}`);
    }
    pool.release(held);

    // 5. Metrics.
    const metrics = manager.bufferIds().map((id) => [id, manager.getBuffer(id)!.getMetrics()] as const);
    const system = manager.getSystemMetrics();
    if (options.json) {
      out(JSON.stringify({ buffers: Object.fromEntries(metrics), system }));
    } else {
      say('\n5. buffer metrics');
      say(
        table([
          ['buffer', 'type', 'state', 'MB', 'reads', 'writes', 'MB read', 'MB written', 'avg read ms', 'avg write ms', 'hit rate', 'errors'],
          ...metrics.map(([id, m]) => [
            id,
            m.bufferType,
            m.state,
            m.memoryUsageMb,
            m.readCount,
            m.writeCount,
            m.bytesRead / 1048576,
            m.bytesWritten / 1048576,
            m.avgReadTimeMs,
            m.avgWriteTimeMs,
            m.cacheHitRate,
            m.errorCount,
          ]),
        ]),
      );
      say('\n   system metrics');
      say(
        table([
          ['buffers', 'memory MB', 'limit MB', 'peak MB', 'level', 'freed MB', 'refusals', 'RSS MB'],
          [system.totalBuffers, system.totalMemoryMb, system.memoryLimitMb, system.peakMemoryMb, system.memoryLevel, system.reclaimedMb, system.refusals, system.rssMb],
        ]),
      );
    }
    await manager.close();
    say(`\nclosed: every buffer is ${[...new Set(metrics.map(([id]) => manager.getBuffer(id)?.state ?? 'closed'))].join(', ')}; budget back to ${mb(manager.budget.usedBytes)}`);
    return 0;
  } finally {
    await manager.close();
  }
}
