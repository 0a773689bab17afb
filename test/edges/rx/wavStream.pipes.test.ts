/**
 * fromWavStream and toWavStream on real pipes, with sox and ffmpeg at the other ends:
 * sox → fromWavStream → gain → toWavStream → ffmpeg gives the samples with the gain bit for
 * bit; integer output encoded in workers (encodeInWorker) reaches sox exact; a reader that
 * goes away fails the pipeline with ERR_FILE_IO, and the producer is let go (no hang).
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { Readable } from 'node:stream';
import { lastValueFrom } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { BufferPool } from '../../../src/buffers/pool.js';
import { ErrorCode } from '../../../src/core/errors.js';
import { decodeInto, encodeInto } from '../../../src/formats/codecs.js';
import { encodeInWorker } from '../../../src/edges/rx/encodeInWorker.js';
import { fromWavStream } from '../../../src/edges/rx/fromWavStream.js';
import { toWavStream } from '../../../src/edges/rx/toWavStream.js';
import { gain } from '../../../src/streams/gain.js';
import { closeWorkerPool } from '../../../src/workers/pool.js';
import { requireProgram } from '../../helpers/program.js';
import { streamedWav } from './wavStreamKit.js';

const HAS_SOX = requireProgram('sox', 'sox');
const HAS_FFMPEG = requireProgram('ffmpeg', 'ffmpeg', '-version');

const FRAMES = 60_000; // many pipe reads, frames split across them

/** s16 samples (exact in Float32), stereo. */
function s16Signal(): Float32Array {
  const raw = Float32Array.from({ length: FRAMES * 2 }, (_, i) => 0.8 * Math.sin(i * 0.0213) * (i % 5 === 0 ? -1 : 1));
  const bytes = new Uint8Array(raw.length * 2);
  encodeInto('s16', raw, bytes, raw.length);
  const out = new Float32Array(raw.length);
  decodeInto('s16', bytes, out, raw.length);
  return out;
}

function run(command: string, args: string[]): { child: ChildProcessWithoutNullStreams; stdout: Promise<Buffer>; exit: Promise<number | null> } {
  const child = spawn(command, args, { stdio: ['pipe', 'pipe', 'pipe'] });
  const parts: Buffer[] = [];
  child.stdout.on('data', (b: Buffer) => parts.push(b));
  child.stdin.on('error', () => undefined); // EPIPE is the test's to see through the sink
  const exit = new Promise<number | null>((resolve) => child.on('close', resolve));
  return { child, stdout: exit.then(() => Buffer.concat(parts)), exit };
}

const floats = (b: Buffer): Float32Array => new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.length));

describe('fromWavStream and toWavStream through real pipes', () => {
  it.skipIf(!HAS_SOX || !HAS_FFMPEG)('sox → fromWavStream → gain(-3) → toWavStream → ffmpeg: the samples arrive with the gain, bit for bit', async () => {
    const input = s16Signal();
    const sox = run('sox', ['-D', '-t', 'wav', '-', '-t', 'wav', '-']); // writes a placeholder size to its pipe
    sox.child.stdin.end(streamedWav(input, 2, 's16', 44100));
    const ffmpeg = run('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-f', 'wav', '-i', '-', '-f', 'f32le', '-c:a', 'pcm_f32le', '-']);
    const pool = new BufferPool({ channels: 2 }, { blocks: 3, blockFrames: 4096, onExhausted: 'wait' });
    await lastValueFrom(fromWavStream(sox.child.stdout, { pool, name: 'sox' }).pipe(gain(-3), toWavStream(ffmpeg.child.stdin, { name: 'ffmpeg' })));
    expect(await ffmpeg.exit).toBe(0);
    const out = floats(await ffmpeg.stdout);
    const g = 10 ** (-3 / 20);
    expect(out.length).toBe(input.length);
    let differ = 0;
    for (let i = 0; i < out.length; i++) if (out[i] !== Math.fround(input[i]! * g)) differ++;
    expect(differ).toBe(0);
    expect(pool.stats()).toMatchObject({ inUse: 0 });
  });

  it.skipIf(!HAS_SOX)('integer output encoded in workers (encodeInWorker, shared pool blocks) reaches sox exact', async () => {
    const input = s16Signal();
    const sox = run('sox', ['-D', '-t', 'wav', '-', '-t', 'f32', '-']);
    const pool = new BufferPool({ channels: 2 }, { blocks: 3, blockFrames: 8192, onExhausted: 'wait', shared: true });
    try {
      await lastValueFrom(
        fromWavStream(byteSource(streamedWav(input, 2, 'f32', 48000)), { pool }).pipe(gain(-6), encodeInWorker('s24'), toWavStream(sox.child.stdin, { format: 's24' })),
      );
    } finally {
      await closeWorkerPool();
    }
    expect(await sox.exit).toBe(0);
    const expected = Float32Array.from(input, (x) => Math.fround(x * 10 ** (-6 / 20)));
    const bytes = new Uint8Array(expected.length * 3);
    encodeInto('s24', expected, bytes, expected.length);
    decodeInto('s24', bytes, expected, expected.length);
    expect(Buffer.from(floats(await sox.stdout).buffer).equals(Buffer.from(expected.buffer))).toBe(true);
  });

  it.skipIf(!HAS_SOX)('a reader that goes away (head -c 100) fails the pipeline with ERR_FILE_IO; the sox producer behind fromWavStream is let go and exits', async () => {
    // An endless producer: only letting it go ends it.
    const sox = run('sox', ['-n', '-t', 'wav', '-b', '16', '-', 'synth', '3600', 'sine', '440', 'channels', '2', 'rate', '48000']);
    const head = spawn('head', ['-c', '100'], { stdio: ['pipe', 'ignore', 'ignore'] });
    head.stdin.on('error', () => undefined);
    const pool = new BufferPool({ channels: 2 }, { blocks: 2, blockFrames: 4096, onExhausted: 'wait' });
    await expect(lastValueFrom(fromWavStream(sox.child.stdout, { pool }).pipe(toWavStream(head.stdin, { name: 'head' })))).rejects.toMatchObject({
      code: ErrorCode.FILE_IO,
    });
    await sox.exit; // it ended (EPIPE or killed by the closed pipe): nothing hangs
    expect(sox.child.stdout.destroyed).toBe(true);
    expect(pool.stats()).toMatchObject({ inUse: 0, waiting: 0 });
  });
});

/** `bytes` as a Node stream of 64 KiB reads, as a pipe gives them. */
function byteSource(bytes: Uint8Array): Readable {
  const parts: Uint8Array[] = [];
  for (let at = 0; at < bytes.length; at += 65536) parts.push(bytes.subarray(at, at + 65536));
  return Readable.from(parts);
}
