/**
 * Real clients through real pipes: ffmpeg generates a signal on stdout → childOutput →
 * ringWritable → a ring shared with a worker thread that copies it into a second ring →
 * ringReadable → sox (or ffmpeg) on stdin. The samples arrive bit-exact against ffmpeg's
 * output captured separately; killing ffmpeg mid-stream fails with ERR_PROCESS_FAILED and
 * nothing hangs (the tests' own timeouts guard that, not a timing assertion); a reader that
 * stops reading fills both rings and stops ffmpeg.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { RingBuffer } from '../../../src/buffers/ring.js';
import { ErrorCode } from '../../../src/core/errors.js';
import { childOutput } from '../../../src/edges/node/childOutput.js';
import { ringReadable } from '../../../src/edges/node/ringReadable.js';
import { ringWritable } from '../../../src/edges/node/ringWritable.js';
import { rejectionCode } from './streamErrors.js';

const COPIER = new URL('./fixtures/ringCopier.mjs', import.meta.url);
/** Two seconds of a stereo signal, different in each channel. */
const SIGNAL = ['-f', 'lavfi', '-i', 'aevalsrc=sin(440*2*PI*t)|0.5*sin(660*2*PI*t):s=48000:d=2'];
/** A signal that never ends. */
const ENDLESS = ['-f', 'lavfi', '-i', 'aevalsrc=sin(440*2*PI*t)|0.5*sin(660*2*PI*t):s=48000'];
const QUIET = ['-hide_banner', '-loglevel', 'error', '-nostdin'];

function ffmpegArgs(input: string[], format: string): string[] {
  return [...QUIET, ...input, '-f', format, '-'];
}

/** Ring → worker → ring: what is written into `input` comes out of `output`. */
function throughWorker(capacity: number): { input: RingBuffer; output: RingBuffer; worker: Worker } {
  const input = new RingBuffer({ channels: 2, sampleRate: 48000 }, { capacity });
  const output = new RingBuffer({ channels: 2, sampleRate: 48000 }, { capacity });
  const worker = new Worker(COPIER, { workerData: { input: input.share(), output: output.share() } });
  return { input, output, worker };
}

async function collect(readable: NodeJS.ReadableStream): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const part of readable) parts.push(part as Buffer);
  return Buffer.concat(parts);
}

function exited(child: ChildProcess): Promise<[number | null, NodeJS.Signals | null]> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve([child.exitCode, child.signalCode]);
  return once(child, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;
}

/** Counts the bytes that pass. */
function counter(): Transform & { bytes: number } {
  const t = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      t.bytes += chunk.length;
      callback(null, chunk);
    },
  }) as Transform & { bytes: number };
  t.bytes = 0;
  return t;
}

describe('ffmpeg → ringWritable → worker → ringReadable → sox / ffmpeg', () => {
  it('s16le: sox receives the exact samples ffmpeg produced', async () => {
    const expected = spawnSync('ffmpeg', ffmpegArgs(SIGNAL, 's16le'), { maxBuffer: 1 << 24 }).stdout;
    expect(expected.length).toBe(2 * 48000 * 2 * 2);
    const { input, output, worker } = throughWorker(4096);
    const ffmpeg = spawn('ffmpeg', ffmpegArgs(SIGNAL, 's16le'));
    const sox = spawn('sox', ['-q', '-t', 's16', '-r', '48000', '-c', '2', '-', '-t', 's16', '-']);
    const [received] = await Promise.all([
      collect(sox.stdout),
      pipeline(childOutput(ffmpeg), ringWritable(input, { format: 's16le' })),
      pipeline(ringReadable(output, { format: 's16le' }), sox.stdin),
      once(worker, 'exit'),
    ]);
    expect(await exited(sox)).toEqual([0, null]);
    expect(received.length).toBe(expected.length);
    expect(received.equals(expected)).toBe(true);
  });

  it('f32le: an ffmpeg consumer receives the exact floats ffmpeg produced', async () => {
    const expected = spawnSync('ffmpeg', ffmpegArgs(SIGNAL, 'f32le'), { maxBuffer: 1 << 24 }).stdout;
    const { input, output, worker } = throughWorker(1024);
    const producer = spawn('ffmpeg', ffmpegArgs(SIGNAL, 'f32le'));
    const consumer = spawn('ffmpeg', [...QUIET.slice(0, 4), '-f', 'f32le', '-ar', '48000', '-ac', '2', '-i', '-', '-f', 'f32le', '-']);
    const [received] = await Promise.all([
      collect(consumer.stdout),
      pipeline(childOutput(producer), ringWritable(input, { format: 'f32le' })),
      pipeline(ringReadable(output, { format: 'f32le', chunkFrames: 960 }), consumer.stdin),
      once(worker, 'exit'),
    ]);
    expect(received.length).toBe(2 * 48000 * 2 * 4);
    expect(received.equals(expected)).toBe(true);
  });

  it('killing ffmpeg mid-stream fails the producing pipeline with ERR_PROCESS_FAILED; the consumer side ends and the worker exits', async () => {
    const { input, output, worker } = throughWorker(4096);
    const ffmpeg = spawn('ffmpeg', ffmpegArgs(ENDLESS, 'f32le'));
    const producing = rejectionCode(pipeline(childOutput(ffmpeg), ringWritable(input, { format: 'f32le' })));
    const readable = ringReadable(output, { format: 'f32le' });
    let received = 0;
    readable.on('data', (chunk: Buffer) => {
      received += chunk.length;
      if (received >= 1 << 20 && ffmpeg.exitCode === null && ffmpeg.signalCode === null) ffmpeg.kill('SIGKILL');
    });
    const [code] = await Promise.all([producing, once(readable, 'end'), once(worker, 'exit')]);
    expect(code).toBe(ErrorCode.PROCESS_FAILED);
    expect(await exited(ffmpeg)).toEqual([null, 'SIGKILL']);
    expect(received).toBeGreaterThanOrEqual(1 << 20);
    expect(received % 8).toBe(0);
  }, 30_000);

  it('a reader that stops reading fills both rings and stops ffmpeg; destroying it ends everything and kills ffmpeg', async () => {
    const { input, output, worker } = throughWorker(2048);
    const ffmpeg = spawn('ffmpeg', ffmpegArgs(ENDLESS, 'f32le'));
    const produced = counter();
    const producing = rejectionCode(pipeline(childOutput(ffmpeg), produced, ringWritable(input, { format: 'f32le' })));
    const readable = ringReadable(output, { format: 'f32le', chunkFrames: 256 });
    readable.pause();
    readable.read(0); // start it: it fills its own highWaterMark, then stops pulling
    const wait = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
    for (let i = 0; i < 200 && !(input.availableWrite() === 0 && output.availableWrite() === 0); i++) await wait(25);
    expect([input.availableWrite(), output.availableWrite()]).toEqual([0, 0]);
    const stalledAt = produced.bytes;
    await wait(300);
    expect(produced.bytes).toBe(stalledAt);
    expect(ffmpeg.exitCode).toBeNull();
    readable.destroy();
    expect(await producing).toBe(ErrorCode.BUFFER_CLOSED);
    await once(worker, 'exit');
    // childOutput killed it (SIGTERM; ffmpeg catches it and exits with a failure code).
    expect(ffmpeg.killed).toBe(true);
    expect(await exited(ffmpeg)).not.toEqual([0, null]);
  }, 30_000);
});

describe('childOutput', () => {
  it('a command that cannot start fails with ERR_PROCESS_FAILED', async () => {
    const child = spawn('/nonexistent/avbuf-no-such-command');
    child.on('error', () => undefined);
    expect(await rejectionCode(collect(childOutput(child)))).toBe(ErrorCode.PROCESS_FAILED);
  });

  it('a non-zero exit fails with ERR_PROCESS_FAILED after the output it gave', async () => {
    const child = spawn('sh', ['-c', 'printf abc; exit 3']);
    const parts: Buffer[] = [];
    const readable: Readable = childOutput(child);
    readable.on('data', (part: Buffer) => parts.push(part));
    expect(await rejectionCode(once(readable, 'end'))).toBe(ErrorCode.PROCESS_FAILED);
    expect(Buffer.concat(parts).toString()).toBe('abc');
  });
});
