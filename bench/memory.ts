/**
 * `npm run bench -- memory`: the cost of avbuf's in-memory data paths against the plain
 * typed-array operations they wrap, measured in the same run, interleaved.
 *
 * a. MemoryBuffer write+read of 1024 stereo frames vs two Float32Array.set copies
 *    (ns/op, lower is better, ours at most 2x the anchor).
 * b. BufferPool acquire+release of an 8192-frame stereo block vs allocating a fresh
 *    Float32Array(16384) (ops/s, higher is better, the pool at least 5x faster).
 */
import { BufferPool } from '../src/buffers/pool.js';
import { MemoryBuffer } from '../src/buffers/memory.js';
import {
  compareTimed,
  note,
  nsPerOpResult,
  parseTimingArgs,
  perSecondResult,
  report,
  type ReportRow,
  type Subject,
} from './harness.js';

const FRAMES = 1024;
const CHANNELS = 2;
const SAMPLES = FRAMES * CHANNELS; // 2048
const BLOCK_FRAMES = 8192;
const BLOCK_SAMPLES = BLOCK_FRAMES * CHANNELS; // 16384

const MEMORY_CASE = 'MemoryBuffer write+read, 1024 stereo frames';
const POOL_CASE = 'BufferPool acquire+release, 8192-frame stereo blocks';

/** Distinct, non-trivial samples so a copy that drops or shifts data is caught. */
function ramp(length: number): Float32Array {
  const a = new Float32Array(length);
  for (let i = 0; i < length; i++) a[i] = Math.sin(i * 0.01) * 0.5 + i / length;
  return a;
}

function sameContents(a: Float32Array, b: Float32Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) return false;
  return true;
}

function memoryCase(): { ours: Subject; anchor: Subject; check(): void } {
  const src = ramp(SAMPLES);
  const buf = new MemoryBuffer({ channels: CHANNELS }, { capacity: FRAMES });
  const oursDst = new Float32Array(SAMPLES);
  const store = new Float32Array(SAMPLES);
  const anchorDst = new Float32Array(SAMPLES);

  // Correctness once, before timing: what is read back is what was written.
  buf.seek(0);
  if (buf.write(src) !== FRAMES) throw new Error('MemoryBuffer.write did not write 1024 frames');
  buf.seek(0);
  if (buf.readInto(oursDst) !== FRAMES) throw new Error('MemoryBuffer.readInto did not read 1024 frames');
  if (!sameContents(src, oursDst)) throw new Error('MemoryBuffer read back different data than was written');
  if (buf.capacity !== FRAMES) throw new Error(`MemoryBuffer grew to ${buf.capacity} frames; the case assumes no growth`);
  store.set(src, 0);
  anchorDst.set(store.subarray(0, SAMPLES));
  if (!sameContents(src, anchorDst)) throw new Error('anchor copy read back different data than was written');
  oursDst.fill(0);
  anchorDst.fill(0);

  const ours: Subject = {
    name: 'MemoryBuffer seek+write+seek+readInto',
    run(iterations) {
      let acc = 0;
      for (let i = 0; i < iterations; i++) {
        buf.seek(0);
        buf.write(src);
        buf.seek(0);
        acc += buf.readInto(oursDst);
      }
      return acc + oursDst[iterations & (SAMPLES - 1)]!;
    },
  };
  const anchor: Subject = {
    name: '2x Float32Array.set',
    run(iterations) {
      let acc = 0;
      for (let i = 0; i < iterations; i++) {
        store.set(src, 0);
        anchorDst.set(store.subarray(0, SAMPLES));
        acc += anchorDst.length;
      }
      return acc + anchorDst[iterations & (SAMPLES - 1)]!;
    },
  };
  const check = (): void => {
    if (!sameContents(src, oursDst) || !sameContents(src, anchorDst)) throw new Error('data changed while benchmarked');
    if (buf.capacity !== FRAMES || buf.size() !== FRAMES) throw new Error('MemoryBuffer changed shape while benchmarked');
  };
  return { ours, anchor, check };
}

function poolCase(): { ours: Subject; anchor: Subject; check(): void } {
  const pool = new BufferPool({ channels: CHANNELS }, { blocks: 8, blockFrames: BLOCK_FRAMES });

  // Correctness once: a block is the advertised size, and a release makes it leasable again.
  const first = pool.acquire();
  if (first.data.length !== BLOCK_SAMPLES) throw new Error(`pool block holds ${first.data.length} floats, expected ${BLOCK_SAMPLES}`);
  first.data[0] = 42;
  pool.release(first);
  const again = pool.acquire();
  if (again !== first || again.data[0] !== 42) throw new Error('pool did not lease the released block again');
  pool.release(again);
  const before = pool.stats();

  const ours: Subject = {
    name: 'BufferPool acquire+release',
    run(iterations) {
      let acc = 0;
      for (let i = 0; i < iterations; i++) {
        const b = pool.acquire();
        b.data[0] = i;
        acc += b.data[0];
        pool.release(b);
      }
      return acc;
    },
  };
  const anchor: Subject = {
    name: 'new Float32Array(16384)',
    run(iterations) {
      let acc = 0;
      let last: Float32Array | null = null;
      for (let i = 0; i < iterations; i++) {
        const a = new Float32Array(BLOCK_SAMPLES);
        a[0] = i;
        acc += a[0];
        last = a;
      }
      // The last array escapes the loop, so allocations cannot be optimised away.
      return acc + (last === null ? 0 : last.length);
    },
  };
  const check = (): void => {
    const s = pool.stats();
    if (s.inUse !== 0 || s.misses !== before.misses || s.allocatedBlocks !== 8) {
      throw new Error(`pool changed shape while benchmarked: ${JSON.stringify(s)}`);
    }
  };
  return { ours, anchor, check };
}

export default function run(args: readonly string[]): void {
  const options = parseTimingArgs(args);
  const rows: ReportRow[] = [];

  note(`memory: ${MEMORY_CASE} ...`);
  const m = memoryCase();
  const mc = compareTimed(m.ours, m.anchor, options);
  m.check();
  rows.push({ result: nsPerOpResult(MEMORY_CASE, mc, 2), comparison: mc });

  note(`memory: ${POOL_CASE} ...`);
  const p = poolCase();
  const pc = compareTimed(p.ours, p.anchor, options);
  p.check();
  rows.push({ result: perSecondResult(POOL_CASE, pc, 5, 'ops/s'), comparison: pc });

  report('memory', rows);
}
