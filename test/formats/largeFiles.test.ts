/**
 * Files past 4 GiB: the header the writer patches in at close (RIFF → RF64 in place), and
 * reading frames near the end of sparse RF64 and Wave64 files of 5 GiB (holes cost no disk).
 */
import { open } from 'node:fs/promises';
import { afterAll, describe, expect, it } from 'vitest';
import { ErrorCode } from '../../src/core/errors.js';
import { bytesPerSample, encodeInto } from '../../src/formats/codecs.js';
import { parseWavHeaderBytes } from '../../src/formats/wavHeader.js';
import { buildWavHeader } from '../../src/formats/wavHeaderBuilder.js';
import { WavReader } from '../../src/formats/wavReader.js';
import { codeOf } from '../helpers/errors.js';
import { chunk, fmtBody, le32, le64, riffFile, tempDir } from './wavBytes.js';

const tmp = tempDir('wavlarge');
afterAll(() => tmp.cleanup());

const GiB = 2 ** 30;
const u32At = (b: Uint8Array, at: number): number => new DataView(b.buffer, b.byteOffset).getUint32(at, true);
const u64At = (b: Uint8Array, at: number): number => u32At(b, at) + u32At(b, at + 4) * 2 ** 32;
const idAt = (b: Uint8Array, at: number): string => String.fromCharCode(...b.subarray(at, at + 4));

/** Writes `header` at 0, extends the file sparsely to `size` bytes, and writes `blocks` at their offsets. */
async function sparseFile(path: string, header: Uint8Array, size: number, blocks: [number, Uint8Array][]): Promise<void> {
  const fh = await open(path, 'w');
  try {
    await fh.write(header, 0, header.length, 0);
    await fh.truncate(size);
    for (const [at, bytes] of blocks) await fh.write(bytes, 0, bytes.length, at);
  } finally {
    await fh.close();
  }
}

function encoded(format: 's16' | 'f32', values: number[]): Uint8Array {
  const out = new Uint8Array(values.length * bytesPerSample(format));
  encodeInto(format, new Float32Array(values), out, values.length);
  return out;
}

describe('buildWavHeader past 4 GiB', () => {
  const spec = { format: 'f32', channels: 2, sampleRate: 48000 } as const;

  it("'auto' turns RIFF into RF64 of the same length: RF64, ds64 with the 64-bit sizes, 0xFFFFFFFF in the 32-bit fields", () => {
    const dataBytes = 5 * GiB; // 671088640 frames of 8 bytes
    const small = buildWavHeader({ ...spec, container: 'auto', dataBytes: 8000 });
    const big = buildWavHeader({ ...spec, container: 'auto', dataBytes });
    expect(small.container).toBe('riff');
    expect(big.container).toBe('rf64');
    expect(big.bytes.length).toBe(small.bytes.length); // the samples never move
    expect(big.dataOffset).toBe(94);
    const b = big.bytes;
    expect([idAt(b, 0), u32At(b, 4), idAt(b, 8), idAt(b, 12), u32At(b, 16)]).toEqual(['RF64', 0xffffffff, 'WAVE', 'ds64', 28]);
    expect([u64At(b, 20), u64At(b, 28), u64At(b, 36), u32At(b, 44)]).toEqual([94 - 8 + dataBytes, dataBytes, dataBytes / 8, 0]);
    expect(idAt(small.bytes, 12)).toBe('JUNK');
    expect(Array.from(small.bytes.subarray(20, 48))).toEqual(new Array<number>(28).fill(0));
    // everything after the JUNK/ds64 chunk is the same but for the frame count in fact and the data size
    expect(b.subarray(48, 74)).toEqual(small.bytes.subarray(48, 74));
    expect([idAt(b, 74), u32At(b, 82)]).toEqual(['fact', 0xffffffff]);
    expect([idAt(b, 86), u32At(b, 90)]).toEqual(['data', 0xffffffff]);
    expect(big.fileBytes).toBe(94 + dataBytes);
    expect(parseWavHeaderBytes(b, big.fileBytes)).toMatchObject({ container: 'rf64', frames: dataBytes / 8, dataBytes, sizeFrom: 'header' });
  });

  it("switches exactly where the RIFF size would pass 0xFFFFFFFF, and 'riff' refuses beyond with ERR_CAPACITY", () => {
    const s16 = { format: 's16', channels: 2, sampleRate: 44100 } as const; // header 80 bytes, frames of 4
    const largest = 0xffffffff - (80 - 8) - ((0xffffffff - 72) % 4); // the most whole frames a RIFF size can count
    expect(buildWavHeader({ ...s16, container: 'auto', dataBytes: largest }).container).toBe('riff');
    expect(u32At(buildWavHeader({ ...s16, container: 'auto', dataBytes: largest }).bytes, 4)).toBe(72 + largest);
    expect(buildWavHeader({ ...s16, container: 'auto', dataBytes: largest + 4 }).container).toBe('rf64');
    expect(codeOf(() => buildWavHeader({ ...s16, container: 'riff', dataBytes: largest + 4 }))).toBe(ErrorCode.CAPACITY);
    expect(codeOf(() => buildWavHeader({ ...s16, container: 'auto', dataBytes: 6 }))).toBe(ErrorCode.INVALID_ARGUMENT); // not whole frames
  });

  it('writes Wave64 sizes past 4 GiB in its 64-bit fields, the fact chunk holding the 64-bit frame count', () => {
    const dataBytes = 5 * GiB;
    const w64 = buildWavHeader({ ...spec, container: 'w64', dataBytes });
    const b = w64.bytes;
    expect(w64.padBytes).toBe(0);
    expect(u64At(b, 16)).toBe(w64.fileBytes);
    expect(u64At(b, w64.dataOffset - 8)).toBe(24 + dataBytes);
    expect(parseWavHeaderBytes(b, w64.fileBytes)).toMatchObject({ container: 'w64', frames: dataBytes / 8, dataBytes });
    const fact = parseWavHeaderBytes(b, w64.fileBytes).chunks.find((c) => c.id === 'fact')!;
    expect(u64At(b, fact.offset + 24)).toBe(dataBytes / 8);
  });
});

describe('reading sparse files past 4 GiB', () => {
  it('reads frames near the end of a hand-built 5 GiB RF64 file and across the 4 GiB mark', async () => {
    const frames = 1.25 * GiB + 3; // s16 stereo: 4 bytes a frame, 5 GiB + 12 bytes of data
    const dataBytes = frames * 4;
    const header = riffFile(
      [
        chunk('ds64', [...le64(80 - 8 + dataBytes), ...le64(dataBytes), ...le64(frames), ...le32(0)]),
        chunk('fmt ', fmtBody({ tag: 1, channels: 2, rate: 48000, bits: 16 })),
        chunk('data', [], 0xffffffff),
      ],
      { magic: 'RF64', riffSize: 0xffffffff },
    );
    expect(header.length).toBe(80);
    const tail = [0.5, -0.5, 0.25, -0.25, 0.125, -0.125];
    const boundaryFrame = Math.floor((2 ** 32 - 80) / 4); // the frame that holds byte 2^32 of the file
    const boundary = [0.75, -0.75, 0.375, -0.375];
    const path = tmp.file('big.rf64.wav');
    await sparseFile(path, header, 80 + dataBytes, [
      [80 + (frames - 3) * 4, encoded('s16', tail)],
      [80 + boundaryFrame * 4, encoded('s16', boundary)],
    ]);

    const reader = await WavReader.open(path);
    try {
      expect(reader.info).toMatchObject({ container: 'rf64', frames, dataBytes, sizeFrom: 'header' });
      const block = new Float32Array(2 * 8);
      expect(await reader.read(block, frames - 5)).toBe(5);
      expect(Array.from(block.subarray(0, 10))).toEqual([0, 0, 0, 0, ...tail]);
      expect(await reader.read(block, boundaryFrame)).toBe(8);
      expect(Array.from(block.subarray(0, 4))).toEqual(boundary);
      expect(await reader.read(block, frames)).toBe(0);
    } finally {
      await reader.close();
    }
  });

  it("reads a 5 GiB file whose header is buildWavHeader's 'auto' output, as the writer patches it at close", async () => {
    const dataBytes = 5 * GiB;
    const layout = buildWavHeader({ format: 'f32', channels: 2, sampleRate: 48000, container: 'auto', dataBytes });
    const last = new Float32Array([Math.PI, -0, 1e-45, -Infinity]);
    const path = tmp.file('auto.rf64.wav');
    await sparseFile(path, layout.bytes, layout.fileBytes, [[layout.fileBytes - 16, new Uint8Array(last.buffer)]]);
    const reader = await WavReader.open(path);
    try {
      expect(reader.info).toMatchObject({ container: 'rf64', format: 'f32', frames: dataBytes / 8, sizeFrom: 'header' });
      const block = new Float32Array(4);
      expect(await reader.read(block, dataBytes / 8 - 2)).toBe(2);
      expect(Array.from(new Uint32Array(block.buffer))).toEqual(Array.from(new Uint32Array(last.buffer)));
    } finally {
      await reader.close();
    }
  });

  it('reads the last frames of a 5 GiB Wave64 file', async () => {
    const dataBytes = 5 * GiB + 6; // s16 mono, odd frame count: the data chunk does not end on 8 bytes
    const layout = buildWavHeader({ format: 's16', channels: 1, sampleRate: 48000, container: 'w64', dataBytes });
    expect([layout.padBytes, layout.fileBytes]).toEqual([0, layout.dataOffset + dataBytes]); // no padding after the last chunk, as libsndfile
    const path = tmp.file('big.w64');
    await sparseFile(path, layout.bytes, layout.fileBytes, [[layout.dataOffset + dataBytes - 4, encoded('s16', [0.5, -1])]]);
    const reader = await WavReader.open(path);
    try {
      expect(reader.info).toMatchObject({ container: 'w64', frames: dataBytes / 2, sizeFrom: 'header' });
      const block = new Float32Array(4);
      expect(await reader.read(block, dataBytes / 2 - 3)).toBe(3);
      expect(Array.from(block.subarray(0, 3))).toEqual([0, 0.5, -1]);
    } finally {
      await reader.close();
    }
  });
});
