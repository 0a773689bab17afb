/**
 * toWavStream sends the samples of pooled f32 chunks as they are (no copy) to a pipe, and gives
 * each block back only once the pipe took its bytes: a reader that starts late, while the
 * blocks go round many times, still gets every sample exact. A destination that keeps the
 * bytes it is given (a PassThrough) gets a copy, and gets them exact too.
 */
import { spawn } from 'node:child_process';
import { PassThrough, Readable } from 'node:stream';
import { lastValueFrom } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { BufferPool } from '../../../src/buffers/pool.js';
import { fromWavStream } from '../../../src/edges/rx/fromWavStream.js';
import { toWavStream } from '../../../src/edges/rx/toWavStream.js';
import { gain } from '../../../src/streams/gain.js';
import { readBack, streamedWav } from './wavStreamKit.js';

const FRAMES = 150_000; // ≈ 1.2 MB of stereo f32: far more than the pipe holds, 37 rounds of 2 blocks

function signal(): Float32Array {
  return Float32Array.from({ length: FRAMES * 2 }, (_, i) => 0.7 * Math.sin(i * 0.0173) + (i % 7) * 1e-3);
}

/** `bytes` as a Node stream of 64 KiB reads, as a pipe gives them. */
function pipeReads(bytes: Uint8Array): Readable {
  const parts: Uint8Array[] = [];
  for (let at = 0; at < bytes.length; at += 65536) parts.push(bytes.subarray(at, at + 65536));
  return Readable.from(parts);
}

/** Everything `readable` gives until it ends. */
async function collect(readable: Readable): Promise<Uint8Array> {
  const parts: Buffer[] = [];
  for await (const part of readable) parts.push(part as Buffer);
  return Uint8Array.from(Buffer.concat(parts));
}

function expectGained(out: Float32Array, input: Float32Array, db: number): void {
  const g = 10 ** (db / 20);
  expect(out.length).toBe(input.length);
  let differ = 0;
  for (let i = 0; i < out.length; i++) if (out[i] !== Math.fround(input[i]! * g)) differ++;
  expect(differ).toBe(0);
}

describe('toWavStream with pooled f32 chunks', () => {
  it('to a pipe whose reader starts late: every sample exact, every block back', async () => {
    const input = signal();
    // The reader sleeps first: the pipe fills and the writes wait in the stream, holding their blocks.
    const cat = spawn('sh', ['-c', 'sleep 0.3; exec cat'], { stdio: ['pipe', 'pipe', 'inherit'] });
    const output = collect(cat.stdout);
    const pool = new BufferPool({ channels: 2 }, { blocks: 2, blockFrames: 4096, onExhausted: 'wait', shared: true });
    await lastValueFrom(fromWavStream(pipeReads(streamedWav(input, 2, 'f32', 48000)), { pool }).pipe(gain(-3), toWavStream(cat.stdin, { name: 'cat' })));
    const back = await readBack(await output);
    expect(back).toMatchObject({ format: 'f32', channels: 2 });
    expectGained(back.samples, input, -3);
    expect(pool.stats()).toMatchObject({ inUse: 0 });
  });

  it('to a PassThrough read after the job (it keeps the bytes it was given): every sample exact', async () => {
    const input = signal();
    const through = new PassThrough({ highWaterMark: 1 << 30 }); // takes everything, read only at the end
    const pool = new BufferPool({ channels: 2 }, { blocks: 2, blockFrames: 4096, onExhausted: 'wait' });
    await lastValueFrom(fromWavStream(pipeReads(streamedWav(input, 2, 'f32', 48000)), { pool }).pipe(gain(-6), toWavStream(through)));
    const back = await readBack(await collect(through));
    expectGained(back.samples, input, -6);
    expect(pool.stats()).toMatchObject({ inUse: 0 });
  });
});
