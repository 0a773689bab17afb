/**
 * WAV files through Node streams: what goes in comes out, the output appears only once
 * complete, and a failure or destroy() at any point leaves no file, no temporary file and
 * no open file descriptor.
 */
import { mkdtempSync, readdirSync, rmSync, statSync, truncateSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { once } from 'node:events';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { ErrorCode } from '../../../src/core/errors.js';
import { wavFileReadable } from '../../../src/edges/node/wavFileReadable.js';
import { wavFileWritable } from '../../../src/edges/node/wavFileWritable.js';
import { WavReader } from '../../../src/formats/wavReader.js';
import type { AudioChunk } from '../../../src/streams/chunk.js';
import { rejectionCode } from './streamErrors.js';

const dir = mkdtempSync(join(tmpdir(), 'avbuf-wavstreams-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const openFds = (): number => readdirSync('/proc/self/fd').length;

/** Stereo s16 frames whose samples count up: frame i is (i, −i). */
function countingS16(frames: number): Buffer {
  const bytes = Buffer.alloc(frames * 4);
  for (let i = 0; i < frames; i++) {
    bytes.writeInt16LE(i % 32768, i * 4);
    bytes.writeInt16LE(-(i % 32768), i * 4 + 2);
  }
  return bytes;
}

async function collect(readable: Readable): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const part of readable) parts.push(part as Buffer);
  return Buffer.concat(parts);
}

describe('wavFileWritable / wavFileReadable', () => {
  it('s16le bytes in odd-sized pieces make a WAV whose samples read back byte for byte', async () => {
    const bytes = countingS16(30_001);
    const pieces = [bytes.subarray(0, 3), bytes.subarray(3, 70_001), bytes.subarray(70_001)];
    const path = join(dir, 'counting.wav');
    await pipeline(Readable.from(pieces), wavFileWritable(path, { format: 's16le', channels: 2, sampleRate: 48000 }));
    const reader = await WavReader.open(path);
    expect([reader.info.format, reader.info.channels, reader.info.sampleRate, reader.info.frames]).toEqual(['s16', 2, 48000, 30_001]);
    await reader.close();
    const back = await collect(wavFileReadable(path, { format: 's16le', chunkFrames: 1000 }));
    expect(back.equals(bytes)).toBe(true);
  });

  it('object mode: chunks carry their frame positions and sample rate; written back they make the same file', async () => {
    const source = join(dir, 'source.wav');
    await pipeline(Readable.from([countingS16(2500)]), wavFileWritable(source, { format: 's16le', channels: 2, sampleRate: 44100 }));
    const seen: Array<[number, number, number]> = [];
    const copy = join(dir, 'copy.wav');
    await pipeline(
      wavFileReadable(source, { objectMode: true, chunkFrames: 1000 }),
      async function* (chunks: AsyncIterable<AudioChunk>) {
        for await (const chunk of chunks) {
          seen.push([chunk.position, chunk.frames, chunk.sampleRate]);
          yield chunk;
        }
      },
      wavFileWritable(copy, { objectMode: true, format: 's16le', channels: 2, sampleRate: 44100 }),
    );
    expect(seen).toEqual([
      [0, 1000, 44100],
      [1000, 1000, 44100],
      [2000, 500, 44100],
    ]);
    expect((await collect(wavFileReadable(copy, { format: 's16le' }))).equals(countingS16(2500))).toBe(true);
  });

  it('a byte stream ending mid-frame fails with ERR_FRAME_MISALIGNED and leaves no file behind', async () => {
    const path = join(dir, 'misaligned.wav');
    const code = await rejectionCode(pipeline(Readable.from([countingS16(10).subarray(0, 39)]), wavFileWritable(path, { format: 's16le', channels: 2, sampleRate: 48000 })));
    expect(code).toBe(ErrorCode.FRAME_MISALIGNED);
    expect(readdirSync(dir).filter((name) => name.includes('misaligned'))).toEqual([]);
  });

  it('a WAV cut mid-data gives its whole frames, then fails with ERR_WAV_TRUNCATED (or ends, with allowTruncated)', async () => {
    const path = join(dir, 'cut.wav');
    await pipeline(Readable.from([countingS16(1000)]), wavFileWritable(path, { format: 's16le', channels: 2, sampleRate: 48000 }));
    truncateSync(path, statSync(path).size - 401); // 100 frames and a quarter gone
    const parts: Buffer[] = [];
    const readable = wavFileReadable(path, { format: 's16le', chunkFrames: 256 });
    readable.on('data', (part: Buffer) => parts.push(part));
    expect(await rejectionCode(once(readable, 'end'))).toBe(ErrorCode.WAV_TRUNCATED);
    expect(Buffer.concat(parts).equals(countingS16(899))).toBe(true);
    expect((await collect(wavFileReadable(path, { format: 's16le', allowTruncated: true }))).equals(countingS16(899))).toBe(true);
  });

  it('a missing input fails with ERR_FILE_NOT_FOUND through pipeline', async () => {
    const sink = new Writable({ write: (_chunk, _encoding, callback) => callback() });
    expect(await rejectionCode(pipeline(wavFileReadable(join(dir, 'nope.wav')), sink))).toBe(ErrorCode.FILE_NOT_FOUND);
  });

  it('an aborted signal destroys the writable with ERR_ABORTED and nothing is left', async () => {
    const path = join(dir, 'aborted.wav');
    const controller = new AbortController();
    const writable = wavFileWritable(path, { format: 'f32le', channels: 1, sampleRate: 48000, signal: controller.signal });
    function* endless(): Generator<Buffer> {
      for (let i = 0; ; i++) {
        if (i === 5) controller.abort();
        yield Buffer.alloc(4096);
      }
    }
    expect(await rejectionCode(pipeline(Readable.from(endless()), writable))).toBe(ErrorCode.ABORTED);
    expect(readdirSync(dir).filter((name) => name.includes('aborted'))).toEqual([]);
  });

  it('property: destroy() at any point of a write or a read leaves no open fd, no output and no temporary file', async () => {
    const before = openFds();
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 0, max: 12 }), fc.integer({ min: 1, max: 5000 }), async (stopAfter, pieceBytes) => {
        const path = join(dir, 'destroyed.wav');
        const writable = wavFileWritable(path, { format: 's24le', channels: 3, sampleRate: 48000 });
        let sent = 0;
        function* pieces(): Generator<Buffer> {
          for (;;) {
            if (sent++ === stopAfter) writable.destroy();
            yield Buffer.alloc(pieceBytes, sent);
          }
        }
        const failure = await pipeline(Readable.from(pieces()), writable).then(
          () => null,
          (error: unknown) => error,
        );
        expect(failure).not.toBeNull();
        expect(readdirSync(dir).filter((name) => name.includes('destroyed'))).toEqual([]);

        const readable = wavFileReadable(join(dir, 'copy.wav'), { chunkFrames: 64 });
        let chunks = 0;
        await new Promise<void>((resolve) => {
          readable.on('data', () => {
            if (chunks++ === stopAfter) readable.destroy();
          });
          readable.on('close', () => resolve());
        });
        expect(openFds()).toBe(before);
      }),
      { numRuns: 25 },
    );
  });
});
