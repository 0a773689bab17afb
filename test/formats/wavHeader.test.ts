/** The WAV header parser on hand-built headers: the layouts met in the wild, and every way a header can be wrong. */
import { readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { ErrorCode, WavFormatError } from '../../src/core/errors.js';
import { parseWavHeaderBytes } from '../../src/formats/wavHeader.js';
import { WavWriter } from '../../src/formats/wavWriter.js';
import {
  ascii,
  chunk,
  concat,
  fmtBody,
  fmtExtensible,
  le32,
  le64,
  riffFile,
  s16Bytes,
  tempDir,
  w64Chunk,
  w64File,
  w64Guid,
} from './wavBytes.js';

const tmp = tempDir('wavheader');
afterAll(() => tmp.cleanup());

const PCM16_STEREO = fmtBody({ tag: 1, channels: 2, rate: 44100, bits: 16 });
const FRAMES_4 = s16Bytes([1, -1, 2, -2, 3, -3, 4, -4]); // 4 stereo frames, 16 bytes

/** The code of the WavFormatError `fn` throws; fails on anything else. */
function wavCode(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(WavFormatError);
    return (error as WavFormatError).code;
  }
  throw new Error('expected a WavFormatError, nothing was thrown');
}
function wavMessage(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(WavFormatError);
    return (error as Error).message;
  }
  throw new Error('expected a WavFormatError, nothing was thrown');
}

describe('parseWavHeaderBytes: layouts in the wild', () => {
  it('reads the canonical 44-byte PCM header', () => {
    const info = parseWavHeaderBytes(riffFile([chunk('fmt ', PCM16_STEREO), chunk('data', FRAMES_4)]));
    expect(info).toMatchObject({
      container: 'riff',
      format: 's16',
      channels: 2,
      sampleRate: 44100,
      bitsPerSample: 16,
      validBits: 16,
      formatTag: 1,
      blockAlign: 4,
      dataOffset: 44,
      dataBytes: 16,
      frames: 4,
      sizeFrom: 'header',
      extensible: false,
      channelMask: null,
    });
    expect(info.chunks).toEqual([
      { id: 'fmt ', offset: 12, size: 16 },
      { id: 'data', offset: 36, size: 16 },
    ]);
  });

  it('finds the data at byte 58 in an 18-byte float fmt with a fact chunk, as sox writes', () => {
    const fmt = fmtBody({ tag: 3, channels: 1, rate: 48000, bits: 32, cbSize: true });
    const info = parseWavHeaderBytes(riffFile([chunk('fmt ', fmt), chunk('fact', le32(2)), chunk('data', new Uint8Array(8))]));
    expect(info).toMatchObject({ format: 'f32', formatTag: 3, dataOffset: 58, frames: 2, extensible: false });
  });

  it('finds the data at byte 114 behind EXTENSIBLE fmt, LIST/INFO and fact, as ffmpeg writes 5.1 s24', () => {
    const fmt = fmtExtensible({ subTag: 1, channels: 6, rate: 48000, bits: 24, mask: 0x3f });
    const list = chunk('LIST', concat(ascii('INFO'), chunk('ISFT', ascii('Lavf58.76.100\0'))));
    const info = parseWavHeaderBytes(riffFile([chunk('fmt ', fmt), list, chunk('fact', le32(1)), chunk('data', new Uint8Array(18))]));
    expect(info).toMatchObject({ format: 's24', channels: 6, extensible: true, channelMask: 0x3f, formatTag: 0xfffe, dataOffset: 114, frames: 1 });
    expect(info.chunks.map((c) => c.id)).toEqual(['fmt ', 'LIST', 'fact', 'data']);
  });

  it('takes the format from the EXTENSIBLE SubFormat GUID: float, and 24 valid bits in 32-bit containers', () => {
    const float = parseWavHeaderBytes(riffFile([chunk('fmt ', fmtExtensible({ subTag: 3, channels: 2, rate: 96000, bits: 64, mask: 3 })), chunk('data', [])]));
    expect(float).toMatchObject({ format: 'f64', bitsPerSample: 64, validBits: 64, blockAlign: 16, channelMask: 3 });
    const in32 = parseWavHeaderBytes(riffFile([chunk('fmt ', fmtExtensible({ subTag: 1, channels: 1, rate: 8000, bits: 32, validBits: 24 })), chunk('data', [])]));
    expect(in32).toMatchObject({ format: 's32', bitsPerSample: 32, validBits: 24, blockAlign: 4 });
  });

  it('walks fact, LIST, JUNK and bext before the data and lists a LIST after it', () => {
    const bytes = riffFile([
      chunk('JUNK', new Uint8Array(28)),
      chunk('bext', new Uint8Array(602)),
      chunk('fmt ', PCM16_STEREO),
      chunk('fact', le32(4)),
      chunk('LIST', concat(ascii('INFO'), chunk('INAM', ascii('take 1\0\0')))),
      chunk('data', FRAMES_4),
      chunk('LIST', concat(ascii('INFO'), chunk('ICMT', ascii('after\0')))),
    ]);
    const info = parseWavHeaderBytes(bytes);
    expect(info.chunks.map((c) => [c.id, c.offset, c.size])).toEqual([
      ['JUNK', 12, 28],
      ['bext', 48, 602],
      ['fmt ', 658, 16],
      ['fact', 682, 4],
      ['LIST', 694, 20],
      ['data', 722, 16],
      ['LIST', 746, 18],
    ]);
    expect(info).toMatchObject({ dataOffset: 730, dataBytes: 16, sizeFrom: 'header' });
  });

  it('skips the pad byte after an odd-sized chunk', () => {
    const odd = chunk('note', ascii('abcde')); // 8 + 5 + 1 pad
    expect(odd.length).toBe(14);
    const info = parseWavHeaderBytes(riffFile([chunk('fmt ', PCM16_STEREO), odd, chunk('data', FRAMES_4)]));
    expect(info.chunks[1]).toEqual({ id: 'note', offset: 36, size: 5 });
    expect(info.dataOffset).toBe(58);
    expect(info.frames).toBe(4);
  });

  it('reads to the end of the file when the data size is 0 or 0xFFFFFFFF (streaming writers)', () => {
    for (const declared of [0, 0xffffffff]) {
      const info = parseWavHeaderBytes(riffFile([chunk('fmt ', PCM16_STEREO), chunk('data', FRAMES_4, declared)], { riffSize: declared }));
      expect(info).toMatchObject({ sizeFrom: 'eof', dataOffset: 44, dataBytes: 16, frames: 4 });
    }
  });

  it('clamps a declared data size larger than the file to what is there, in whole frames', () => {
    const bytes = riffFile([chunk('fmt ', PCM16_STEREO), chunk('data', FRAMES_4, 1_000_000)]);
    expect(parseWavHeaderBytes(bytes)).toMatchObject({ sizeFrom: 'clamped', dataBytes: 16, frames: 4 });
    expect(parseWavHeaderBytes(bytes.subarray(0, bytes.length - 3))).toMatchObject({ sizeFrom: 'clamped', dataBytes: 12, frames: 3 });
  });

  it('rounds a data size that is not whole frames down to whole frames', () => {
    const info = parseWavHeaderBytes(riffFile([chunk('fmt ', PCM16_STEREO), chunk('data', FRAMES_4.slice(0, 15))]));
    expect(info).toMatchObject({ sizeFrom: 'header', dataBytes: 12, frames: 3 });
  });

  it('uses the first fmt chunk and ignores a second one', () => {
    const mono = fmtBody({ tag: 1, channels: 1, rate: 8000, bits: 8 });
    const info = parseWavHeaderBytes(riffFile([chunk('fmt ', PCM16_STEREO), chunk('fmt ', mono), chunk('data', FRAMES_4)]));
    expect(info).toMatchObject({ channels: 2, format: 's16' });
  });

  it('checks the data against fileSize when given only the header bytes', () => {
    const header = riffFile([chunk('fmt ', PCM16_STEREO), chunk('data', [], 4_000_000)]);
    expect(parseWavHeaderBytes(header, 44 + 4_000_000)).toMatchObject({ sizeFrom: 'header', frames: 1_000_000 });
    expect(parseWavHeaderBytes(header, 44 + 400)).toMatchObject({ sizeFrom: 'clamped', frames: 100 });
  });
});

describe('parseWavHeaderBytes: RF64 and Wave64', () => {
  const ds64 = (riff: number, data: number, samples: number): Uint8Array => chunk('ds64', [...le64(riff), ...le64(data), ...le64(samples), ...le32(0)]);

  it('takes the data size from ds64 when the data chunk says 0xFFFFFFFF, and accepts BW64', () => {
    for (const magic of ['RF64', 'BW64']) {
      const bytes = riffFile([ds64(72, 16, 4), chunk('fmt ', PCM16_STEREO), chunk('data', FRAMES_4, 0xffffffff)], { magic, riffSize: 0xffffffff });
      const info = parseWavHeaderBytes(bytes);
      expect(info).toMatchObject({ container: 'rf64', dataOffset: 80, dataBytes: 16, frames: 4, sizeFrom: 'header' });
      expect(info.chunks.map((c) => c.id)).toEqual(['ds64', 'fmt ', 'data']);
    }
  });

  it('resolves a ds64 data size beyond 4 GiB against the file size', () => {
    const header = riffFile([ds64(6e9 + 72, 6e9, 1.5e9), chunk('fmt ', PCM16_STEREO), chunk('data', [], 0xffffffff)], { magic: 'RF64' });
    expect(parseWavHeaderBytes(header, 80 + 6e9)).toMatchObject({ dataBytes: 6e9, frames: 1.5e9, sizeFrom: 'header' });
    expect(parseWavHeaderBytes(header, 80 + 5e9 + 2)).toMatchObject({ dataBytes: 5e9, frames: 1.25e9, sizeFrom: 'clamped' });
  });

  it('reads Sony Wave64: GUID chunks, 64-bit sizes counting the 24-byte header, 8-byte alignment', () => {
    const fmt18 = fmtBody({ tag: 1, channels: 2, rate: 44100, bits: 16, cbSize: true }); // 24 + 18 → 6 bytes of alignment
    const bytes = w64File([w64Chunk('fmt ', fmt18), w64Chunk('data', FRAMES_4.slice(0, 12)), w64Chunk('list', ascii('abc'))]);
    const info = parseWavHeaderBytes(bytes);
    expect(info).toMatchObject({ container: 'w64', format: 's16', channels: 2, dataOffset: 112, dataBytes: 12, frames: 3, sizeFrom: 'header' });
    expect(info.chunks).toEqual([
      { id: 'fmt ', offset: 40, size: 18 },
      { id: 'data', offset: 88, size: 12 },
      { id: 'list', offset: 128, size: 3 },
    ]);
  });

  it('names an unknown Wave64 chunk by its GUID and reads a Wave64 data size of 0 to the end', () => {
    const guid = [0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff, 0x00];
    const odd = concat(guid, le64(24 + 8), new Uint8Array(8));
    const info = parseWavHeaderBytes(w64File([odd, w64Chunk('fmt ', PCM16_STEREO), w64Chunk('data', FRAMES_4, 0)]));
    expect(info.chunks[0]!.id).toBe('44332211-6655-8877-99AA-BBCCDDEEFF00');
    expect(info).toMatchObject({ sizeFrom: 'eof', frames: 4 });
  });
});

describe('parseWavHeaderBytes: errors', () => {
  const valid = riffFile([chunk('fmt ', PCM16_STEREO), chunk('data', FRAMES_4)]);
  const withFmt = (fmt: number[]): Uint8Array => riffFile([chunk('fmt ', fmt), chunk('data', FRAMES_4)]);

  it('refuses files that are not WAV with ERR_WAV_NOT_WAVE: PNG, MP3, AVI, empty', () => {
    expect(wavCode(() => parseWavHeaderBytes(new Uint8Array([0x89, ...ascii('PNG\r\n\x1a\n'), ...new Array<number>(40).fill(0)])))).toBe(ErrorCode.WAV_NOT_WAVE);
    expect(wavCode(() => parseWavHeaderBytes(new Uint8Array([...ascii('ID3'), 4, 0, 0, 0, 0, 0, 0, 0xff, 0xfb, 0x90, 0x64])))).toBe(ErrorCode.WAV_NOT_WAVE);
    expect(wavCode(() => parseWavHeaderBytes(new Uint8Array([0xff, 0xfb, 0x90, 0x64, 0, 0])))).toBe(ErrorCode.WAV_NOT_WAVE);
    expect(wavCode(() => parseWavHeaderBytes(concat(ascii('RIFF'), le32(4), ascii('AVI '))))).toBe(ErrorCode.WAV_NOT_WAVE);
    expect(wavCode(() => parseWavHeaderBytes(concat(w64Guid('riff'), le64(40), w64Guid('junk'))))).toBe(ErrorCode.WAV_NOT_WAVE);
    expect(wavMessage(() => parseWavHeaderBytes(new Uint8Array(0), 0, 'x.wav'))).toBe('x.wav: empty file, not a WAV');
  });

  it('gives ERR_WAV_TRUNCATED for every cut of a header before its data (and a valid empty file at the data)', () => {
    const layouts = [
      valid,
      riffFile([chunk('JUNK', new Uint8Array(28)), chunk('fmt ', fmtExtensible({ subTag: 3, channels: 3, rate: 8000, bits: 32 })), chunk('fact', le32(1)), chunk('data', new Uint8Array(12))]),
      riffFile([chunk('ds64', new Uint8Array(28)), chunk('fmt ', PCM16_STEREO), chunk('data', FRAMES_4, 0xffffffff)], { magic: 'RF64' }),
      w64File([w64Chunk('fmt ', fmtBody({ tag: 3, channels: 1, rate: 8000, bits: 64, cbSize: true })), w64Chunk('data', new Uint8Array(8))]),
    ];
    for (const bytes of layouts) {
      const info = parseWavHeaderBytes(bytes);
      for (let n = 1; n < info.dataOffset; n++) {
        const cut = bytes.slice(0, n);
        expect([n, wavCode(() => parseWavHeaderBytes(cut))]).toEqual([n, ErrorCode.WAV_TRUNCATED]);
      }
      expect(parseWavHeaderBytes(bytes.slice(0, info.dataOffset))).toMatchObject({ frames: 0, dataBytes: 0 });
    }
  });

  it('gives ERR_WAV_TRUNCATED when a chunk before the data runs past the end, or there is no data chunk', () => {
    expect(wavCode(() => parseWavHeaderBytes(riffFile([chunk('fmt ', PCM16_STEREO), chunk('LIST', [1, 2, 3, 4], 1000)])))).toBe(ErrorCode.WAV_TRUNCATED);
    expect(wavCode(() => parseWavHeaderBytes(riffFile([chunk('fmt ', PCM16_STEREO), chunk('LIST', [1, 2], 0xffffffff)])))).toBe(ErrorCode.WAV_TRUNCATED);
    expect(wavMessage(() => parseWavHeaderBytes(riffFile([chunk('fmt ', PCM16_STEREO)]), undefined, 'a.wav'))).toBe('a.wav: file ends at byte 36 before the data chunk');
    expect(wavCode(() => parseWavHeaderBytes(valid.subarray(0, 30), 44 + 16))).toBe(ErrorCode.WAV_TRUNCATED);
  });

  it('refuses formats it cannot decode with ERR_WAV_UNSUPPORTED_FORMAT, naming the tag', () => {
    const cases: [number[], string][] = [
      [fmtBody({ tag: 0x55, channels: 2, rate: 44100, bits: 0, blockAlign: 1 }), 'format tag 0x0055 (MPEG layer 3)'],
      [fmtBody({ tag: 2, channels: 1, rate: 8000, bits: 4, blockAlign: 256 }), 'format tag 0x0002 (Microsoft ADPCM)'],
      [fmtBody({ tag: 7, channels: 1, rate: 8000, bits: 8 }), 'format tag 0x0007 (μ-law)'],
      [fmtBody({ tag: 0x1234, channels: 1, rate: 8000, bits: 16 }), 'format tag 0x1234'],
      [fmtBody({ tag: 1, channels: 1, rate: 8000, bits: 12, blockAlign: 2 }), '12-bit integer PCM'],
      [fmtBody({ tag: 1, channels: 1, rate: 8000, bits: 64 }), '64-bit integer PCM'],
      [fmtBody({ tag: 3, channels: 1, rate: 8000, bits: 16 }), '16-bit IEEE float'],
      [fmtExtensible({ subTag: 6, channels: 1, rate: 8000, bits: 8 }), 'SubFormat 0x0006 (A-law)'],
    ];
    for (const [fmt, named] of cases) {
      expect(wavCode(() => parseWavHeaderBytes(withFmt(fmt)))).toBe(ErrorCode.WAV_UNSUPPORTED_FORMAT);
      expect(wavMessage(() => parseWavHeaderBytes(withFmt(fmt)))).toContain(named);
    }
    const ambisonic = fmtExtensible({ subTag: 1, channels: 4, rate: 48000, bits: 16 });
    ambisonic.splice(26, 14, 0x00, 0x00, 0x21, 0x07, 0xd3, 0x11, 0x86, 0x44, 0xc8, 0xc1, 0xca, 0x00, 0x00, 0x00);
    expect(wavMessage(() => parseWavHeaderBytes(withFmt(ambisonic)))).toContain('SubFormat GUID 00000001-0721-11D3-8644-C8C1CA000000');
    expect(wavCode(() => parseWavHeaderBytes(concat(ascii('RIFX'), le32(36), ascii('WAVE'))))).toBe(ErrorCode.WAV_UNSUPPORTED_FORMAT);
  });

  it('refuses impossible fmt values with ERR_WAV_INVALID_HEADER', () => {
    const cases: [number[], string][] = [
      [fmtBody({ tag: 1, channels: 0, rate: 44100, bits: 16, blockAlign: 2 }), 'zero channels'],
      [fmtBody({ tag: 1, channels: 2, rate: 0, bits: 16 }), 'sample rate of 0'],
      [fmtBody({ tag: 1, channels: 2, rate: 44100, bits: 16, blockAlign: 6 }), 'blockAlign 6 is not 2 channels × 2 bytes'],
      [fmtBody({ tag: 1, channels: 1025, rate: 44100, bits: 8 }), '1025 channels'],
      [fmtBody({ tag: 1, channels: 2, rate: 44100, bits: 16 }).slice(0, 14), 'fmt chunk of 14 bytes'],
      [fmtExtensible({ subTag: 1, channels: 2, rate: 44100, bits: 16 }).slice(0, 18), 'EXTENSIBLE fmt chunk of 18 bytes'],
    ];
    for (const [fmt, named] of cases) {
      expect(wavCode(() => parseWavHeaderBytes(withFmt(fmt)))).toBe(ErrorCode.WAV_INVALID_HEADER);
      expect(wavMessage(() => parseWavHeaderBytes(withFmt(fmt)))).toContain(named);
    }
  });

  it('refuses a data chunk before any fmt chunk, and RF64 data of 0xFFFFFFFF without ds64, with ERR_WAV_INVALID_HEADER', () => {
    expect(wavMessage(() => parseWavHeaderBytes(riffFile([chunk('data', FRAMES_4), chunk('fmt ', PCM16_STEREO)])))).toContain('data chunk before any fmt chunk');
    const noDs64 = riffFile([chunk('fmt ', PCM16_STEREO), chunk('data', FRAMES_4, 0xffffffff)], { magic: 'RF64' });
    expect(wavCode(() => parseWavHeaderBytes(noDs64))).toBe(ErrorCode.WAV_INVALID_HEADER);
  });

  it('refuses sizes past 2^53 in ds64 and Wave64 with ERR_WAV_INVALID_HEADER, without allocating them', () => {
    const hugeDs64 = chunk('ds64', [...le64(100), ...le32(0), ...le32(0x00400000), ...le64(0), ...le32(0)]); // data = 2^54
    expect(wavCode(() => parseWavHeaderBytes(riffFile([hugeDs64, chunk('fmt ', PCM16_STEREO), chunk('data', [], 0xffffffff)], { magic: 'RF64' })))).toBe(
      ErrorCode.WAV_INVALID_HEADER,
    );
    const hugeW64 = concat(w64Guid('junk'), le32(0), le32(0x7fffffff));
    expect(wavMessage(() => parseWavHeaderBytes(w64File([hugeW64])))).toContain('more than 2^53');
    const tinyW64 = concat(w64Guid('junk'), le64(8));
    expect(wavCode(() => parseWavHeaderBytes(w64File([tinyW64, new Uint8Array(16)])))).toBe(ErrorCode.WAV_INVALID_HEADER);
  });

  it('stops with ERR_WAV_INVALID_HEADER after 4096 chunks before the data', () => {
    const empties = Array.from({ length: 4100 }, () => chunk('JUNK', []));
    expect(wavMessage(() => parseWavHeaderBytes(riffFile([chunk('fmt ', PCM16_STEREO), ...empties, chunk('data', FRAMES_4)])))).toContain('more than 4096 chunks');
  });

  it('ignores garbage after the data chunk instead of failing', () => {
    const bytes = concat(riffFile([chunk('fmt ', PCM16_STEREO), chunk('data', FRAMES_4)]), ascii('LIST'), le32(99999), [1, 2, 3]);
    const info = parseWavHeaderBytes(bytes);
    expect(info.frames).toBe(4);
    expect(info.chunks.map((c) => c.id)).toEqual(['fmt ', 'data']);
  });
});

describe('parseWavHeaderBytes on files our writer made', () => {
  it('reads back what WavWriter.close reports, for each container', async () => {
    for (const container of ['riff', 'rf64', 'w64'] as const) {
      const path = tmp.file(`w-${container}.wav`);
      const writer = await WavWriter.create(path, { format: 's24', channels: 2, sampleRate: 48000, container });
      await writer.write(new Float32Array(2 * 5));
      const closed = await writer.close();
      expect(parseWavHeaderBytes(readFileSync(path))).toEqual(closed);
      expect(closed).toMatchObject({ container, frames: 5, dataBytes: 30 });
    }
  });
});
