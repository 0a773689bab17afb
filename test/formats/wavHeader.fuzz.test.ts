/**
 * Fuzzing the header parser: mutated valid headers and random bytes. The only acceptable
 * outcomes are a self-consistent WavInfo or a WavFormatError; the async path agrees with the
 * synchronous one.
 */
import { open, writeFile } from 'node:fs/promises';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { WavFormatError } from '../../src/core/errors.js';
import { bytesPerSample } from '../../src/formats/codecs.js';
import { parseWavHeaderBytes, readWavInfo, type WavInfo } from '../../src/formats/wavHeader.js';
import { buildWavHeader } from '../../src/formats/wavHeaderBuilder.js';
import { ascii, chunk, concat, fmtBody, fmtExtensible, le32, le64, riffFile, tempDir, w64Chunk, w64File } from './wavBytes.js';

const tmp = tempDir('wavfuzz');
afterAll(() => tmp.cleanup());

const SEEDS: Uint8Array[] = [
  riffFile([chunk('fmt ', fmtBody({ tag: 1, channels: 2, rate: 44100, bits: 16 })), chunk('data', new Uint8Array(16))]),
  riffFile([
    chunk('JUNK', new Uint8Array(28)),
    chunk('fmt ', fmtBody({ tag: 3, channels: 1, rate: 48000, bits: 32, cbSize: true })),
    chunk('fact', le32(3)),
    chunk('LIST', concat(ascii('INFO'), chunk('ISFT', ascii('x\0')))),
    chunk('data', new Uint8Array(12)),
    chunk('id3 ', ascii('abc')),
  ]),
  riffFile([chunk('fmt ', fmtExtensible({ subTag: 1, channels: 6, rate: 48000, bits: 24, mask: 0x3f })), chunk('fact', le32(1)), chunk('data', new Uint8Array(36))]),
  riffFile([chunk('ds64', [...le64(100), ...le64(8), ...le64(2), ...le32(0)]), chunk('fmt ', fmtBody({ tag: 1, channels: 1, rate: 8000, bits: 32 })), chunk('data', new Uint8Array(8), 0xffffffff)], {
    magic: 'RF64',
  }),
  w64File([w64Chunk('fmt ', fmtBody({ tag: 1, channels: 1, rate: 8000, bits: 8 })), w64Chunk('data', new Uint8Array(5)), w64Chunk('list', [1, 2, 3])]),
  concat(buildWavHeader({ format: 'f64', channels: 3, sampleRate: 96000, container: 'rf64', dataBytes: 48 }).bytes, new Uint8Array(48)),
  concat(buildWavHeader({ format: 's24', channels: 1, sampleRate: 44100, container: 'w64', dataBytes: 9 }).bytes, new Uint8Array(16)),
];

const SPECIAL_U32 = [0, 1, 2, 3, 4, 8, 16, 18, 40, 0x7fffffff, 0x80000000, 0xfffffffe, 0xffffffff, 0xfffe, 1024, 1025];

/** One edit of a byte array: 1 in 20 lands in the magic numbers (RIFF preamble or Wave64 GUIDs), the rest in the chunks. */
const mutation = fc.record({
  kind: fc.oneof(
    { weight: 4, arbitrary: fc.constant('byte' as const) },
    { weight: 3, arbitrary: fc.constant('u32' as const) },
    { weight: 1, arbitrary: fc.constant('cut' as const) },
    { weight: 1, arbitrary: fc.constant('insert' as const) },
  ),
  at: fc.nat(999),
  inPreamble: fc.oneof({ weight: 19, arbitrary: fc.constant(false) }, { weight: 1, arbitrary: fc.constant(true) }),
  value: fc.oneof(fc.nat(255), fc.constantFrom(...SPECIAL_U32)),
});

function mutate(seed: Uint8Array, edits: { kind: 'byte' | 'u32' | 'cut' | 'insert'; at: number; inPreamble: boolean; value: number }[]): Uint8Array {
  let bytes: Uint8Array = seed.slice();
  const preamble = seed[0] === 0x72 ? 40 : 12; // 'riff' GUID → Wave64
  for (const { kind, at, inPreamble, value } of edits) {
    if (bytes.length === 0) break;
    const i = inPreamble || bytes.length <= preamble ? at % Math.min(preamble, bytes.length) : preamble + (at % (bytes.length - preamble));
    if (kind === 'byte') bytes[i] = value & 0xff;
    else if (kind === 'u32') bytes.set(le32(value).slice(0, bytes.length - i), i);
    else if (kind === 'cut') bytes = bytes.slice(0, i);
    else bytes = concat(bytes.subarray(0, i), new Uint8Array(value % 41).fill(i & 0xff), bytes.subarray(i));
  }
  return bytes;
}

type Outcome = { info: WavInfo } | { code: string };

function outcome(fn: () => WavInfo): Outcome {
  try {
    return { info: fn() };
  } catch (error) {
    expect(error, String(error)).toBeInstanceOf(WavFormatError);
    return { code: (error as WavFormatError).code };
  }
}

function checkConsistent(info: WavInfo, fileSize: number): void {
  expect(info.dataOffset + info.dataBytes).toBeLessThanOrEqual(fileSize);
  expect(info.frames * info.blockAlign).toBe(info.dataBytes);
  expect(Number.isSafeInteger(info.frames) && info.frames >= 0).toBe(true);
  expect(info.blockAlign).toBe(info.channels * bytesPerSample(info.format));
  expect(info.channels).toBeGreaterThanOrEqual(1);
  expect(info.channels).toBeLessThanOrEqual(1024);
  expect(info.sampleRate).toBeGreaterThan(0);
  expect(info.dataOffset).toBeGreaterThanOrEqual(12);
  const data = info.chunks.find((c) => c.id === 'data');
  expect(data?.offset).toBeLessThan(info.dataOffset);
  for (const c of info.chunks) expect(c.offset).toBeLessThanOrEqual(fileSize);
}

const mutatedHeaders = fc.tuple(fc.constantFrom(...SEEDS), fc.array(mutation, { minLength: 1, maxLength: 6 })).map(([seed, edits]) => mutate(seed, edits));
const randomBytes = fc.uint8Array({ maxLength: 200 });
const riffPrefixed = fc
  .tuple(fc.constantFrom('RIFF', 'RF64', 'BW64'), fc.uint8Array({ minLength: 4, maxLength: 4 }), fc.uint8Array({ maxLength: 160 }))
  .map(([magic, size, rest]) => concat(ascii(magic), size, ascii('WAVE'), rest));
/** A RIFF preamble, a fmt chunk of random content, a data chunk of random size, random bytes. */
const randomFmt = fc
  .tuple(fc.constantFrom(16, 18, 40), fc.uint8Array({ minLength: 40, maxLength: 40 }), fc.constantFrom(0, 1, 3, 8, 0xffffffff, 1 << 20), fc.uint8Array({ maxLength: 64 }))
  .map(([size, body, dataSize, rest]) => riffFile([chunk('fmt ', body.subarray(0, size)), concat(ascii('data'), le32(dataSize), rest)]));
const anyInput = fc.oneof(
  { weight: 6, arbitrary: mutatedHeaders },
  { weight: 1, arbitrary: randomBytes },
  { weight: 1, arbitrary: riffPrefixed },
  { weight: 2, arbitrary: randomFmt },
);

describe('parseWavHeaderBytes fuzz', () => {
  it('gives a self-consistent WavInfo or a WavFormatError for mutated headers and random bytes', () => {
    fc.assert(
      fc.property(anyInput, (bytes) => {
        const result = outcome(() => parseWavHeaderBytes(bytes));
        if ('info' in result) checkConsistent(result.info, bytes.length);
      }),
      { numRuns: 4000 },
    );

  });

  it('stays consistent when the file is said to be larger than the bytes given (sizes up to 2^45)', () => {
    fc.assert(
      fc.property(anyInput, fc.oneof(fc.nat(64), fc.nat(2 ** 45)), (bytes, extra) => {
        const fileSize = bytes.length + extra;
        const result = outcome(() => parseWavHeaderBytes(bytes, fileSize));
        if ('info' in result) checkConsistent(result.info, fileSize);
      }),
      { numRuns: 1500 },
    );
  });

  it('readWavInfo on a file gives the same result as parseWavHeaderBytes on its bytes', async () => {
    const path = tmp.file('fuzz.wav');
    await fc.assert(
      fc.asyncProperty(anyInput, async (bytes) => {
        await writeFile(path, bytes);
        const fh = await open(path, 'r');
        let fromFile: Outcome;
        try {
          fromFile = await readWavInfo(fh, bytes.length, path).then(
            (info) => ({ info }),
            (error: unknown) => {
              expect(error).toBeInstanceOf(WavFormatError);
              return { code: (error as WavFormatError).code };
            },
          );
        } finally {
          await fh.close();
        }
        expect(fromFile).toEqual(outcome(() => parseWavHeaderBytes(bytes, bytes.length, path)));
      }),
      { numRuns: 150 },
    );
  });
});
