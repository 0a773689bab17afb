/** wavFileReadableStream / wavFileWritableStream: WAV files as WHATWG byte streams, complete or absent, no handle left open. */
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ErrorCode, isAvbufError } from '../../../src/core/errors.js';
import { wavFileReadableStream } from '../../../src/edges/web/wavFileReadableStream.js';
import { wavFileWritableStream } from '../../../src/edges/web/wavFileWritableStream.js';
import { WavReader } from '../../../src/formats/wavReader.js';
import { WavWriter } from '../../../src/formats/wavWriter.js';
import { bytesOf, exactSignal, openFds } from './pcm.js';

let dir = '';
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'avbuf-web-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function rejectionCode(promise: Promise<unknown>): Promise<string | null> {
  try {
    await promise;
    return null;
  } catch (error) {
    expect(isAvbufError(error), `expected an avbuf error, got ${String(error)}`).toBe(true);
    return (error as { code: string }).code;
  }
}

async function wavWith(path: string, data: Float32Array, channels: number, format: 's16' | 's24' | 'f32'): Promise<void> {
  const writer = await WavWriter.create(path, { format, channels, sampleRate: 44100 });
  await writer.write(data);
  await writer.close();
}

describe('wavFileReadableStream', () => {
  it("streams the file's samples in its own format by default, and in another when asked", async () => {
    const data = exactSignal('s16le', 20000, 2);
    const path = join(dir, 'in.wav');
    await wavWith(path, data, 2, 's16');
    const own = await new Response(await wavFileReadableStream(path, { chunkFrames: 3000 })).arrayBuffer();
    expect(new Uint8Array(own)).toEqual(bytesOf('s16le', data));
    const asFloat = await new Response(await wavFileReadableStream(path, { format: 'f32le' })).arrayBuffer();
    expect(new Uint8Array(asFloat)).toEqual(bytesOf('f32le', data));
  });

  it('closes the file at the end and on cancel (counted in /proc/self/fd)', async () => {
    const path = join(dir, 'in.wav');
    await wavWith(path, exactSignal('f32le', 1000, 1), 1, 'f32');
    const before = await openFds();
    const stream = await wavFileReadableStream(path);
    expect(await openFds()).toBe(before + 1);
    const reader = stream.getReader({ mode: 'byob' });
    expect((await reader.read(new Uint8Array(100))).value!.length).toBe(100);
    await reader.cancel();
    expect(await openFds()).toBe(before);
    await new Response(await wavFileReadableStream(path)).arrayBuffer();
    expect(await openFds()).toBe(before);
  });

  it('a missing file is ERR_FILE_NOT_FOUND, a file that is not WAV a WAV error', async () => {
    expect(await rejectionCode(wavFileReadableStream(join(dir, 'none.wav')))).toBe(ErrorCode.FILE_NOT_FOUND);
    const { writeFile } = await import('node:fs/promises');
    await writeFile(join(dir, 'text.wav'), 'hello, this is not a wav file at all; no RIFF here');
    expect(await rejectionCode(wavFileReadableStream(join(dir, 'text.wav')))).toBe(ErrorCode.WAV_NOT_WAVE);
  });
});

describe('wavFileWritableStream', () => {
  it('close() resolves once the file is complete at its path; before that only a hidden partial file exists', async () => {
    const data = exactSignal('s24le', 30000, 2);
    const bytes = bytesOf('s24le', data);
    const path = join(dir, 'out.wav');
    const writer = (await wavFileWritableStream(path, { format: 's24le', channels: 2, sampleRate: 48000 })).getWriter();
    for (let at = 0; at < bytes.length; at += 7001) await writer.write(bytes.subarray(at, at + 7001));
    expect((await readdir(dir)).filter((f) => f === 'out.wav')).toEqual([]);
    await writer.close();
    expect(await readdir(dir)).toEqual(['out.wav']);
    const reader = await WavReader.open(path);
    expect([reader.info.format, reader.info.channels, reader.info.sampleRate, reader.info.frames, reader.info.sizeFrom]).toEqual(['s24', 2, 48000, 30000, 'header']);
    const back = new Float32Array(data.length);
    await reader.read(back, 0);
    await reader.close();
    expect(back).toEqual(data);
  });

  it('a file written through the stream reads back through wavFileReadableStream bit-exactly (pipeTo)', async () => {
    const data = exactSignal('f32le', 50000, 2);
    const path = join(dir, 'copy.wav');
    const source = new Response(bytesOf('f32le', data)).body!;
    await source.pipeTo((await wavFileWritableStream(path, { format: 'f32le', channels: 2, sampleRate: 48000 })) as never);
    const back = await new Response(await wavFileReadableStream(path)).arrayBuffer();
    expect(new Uint8Array(back)).toEqual(bytesOf('f32le', data));
  });

  it('abort() leaves no file (not even the partial one) and no open handle', async () => {
    const before = await openFds();
    const path = join(dir, 'out.wav');
    const writer = (await wavFileWritableStream(path, { format: 's16le', channels: 1, sampleRate: 8000 })).getWriter();
    await writer.write(new Uint8Array(4000));
    await writer.abort(new Error('client went away'));
    expect(await readdir(dir)).toEqual([]);
    expect(await openFds()).toBe(before);
  });

  it('closing mid-frame fails with ERR_FRAME_MISALIGNED and leaves no file', async () => {
    const path = join(dir, 'out.wav');
    const writer = (await wavFileWritableStream(path, { format: 's16le', channels: 2, sampleRate: 8000 })).getWriter();
    await writer.write(new Uint8Array(10));
    expect(await rejectionCode(writer.close())).toBe(ErrorCode.FRAME_MISALIGNED);
    expect(await readdir(dir)).toEqual([]);
  });

  it('an existing file at the path is kept as it was when the stream is aborted', async () => {
    const path = join(dir, 'keep.wav');
    const data = exactSignal('s16le', 100, 1);
    await wavWith(path, data, 1, 's16');
    const writer = (await wavFileWritableStream(path, { format: 's16le', channels: 1, sampleRate: 8000 })).getWriter();
    await writer.write(new Uint8Array(64));
    await writer.abort();
    expect(await readdir(dir)).toEqual(['keep.wav']);
    expect(new Uint8Array(await new Response(await wavFileReadableStream(path)).arrayBuffer())).toEqual(bytesOf('s16le', data));
  });

  it('a folder that does not exist is ERR_FILE_NOT_FOUND; bad options ERR_INVALID_ARGUMENT', async () => {
    expect(await rejectionCode(wavFileWritableStream(join(dir, 'no', 'out.wav'), { format: 's16le', channels: 1, sampleRate: 8000 }))).toBe(ErrorCode.FILE_NOT_FOUND);
    expect(await rejectionCode(wavFileWritableStream(join(dir, 'out.wav'), { format: 'x' as never, channels: 1, sampleRate: 8000 }))).toBe(ErrorCode.INVALID_ARGUMENT);
    expect(await rejectionCode(wavFileWritableStream(join(dir, 'out.wav'), { format: 's16le', channels: 0, sampleRate: 8000 }))).toBe(ErrorCode.INVALID_ARGUMENT);
  });
});
