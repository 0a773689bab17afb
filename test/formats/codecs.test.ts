/** Sample codecs: exact integer round trips, bit-exact f32, rounding f64, clamping on encode. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../../src/core/errors.js';
import { SAMPLE_FORMATS, bytesPerSample, decodeInto, encodeInto, type SampleFormat } from '../../src/formats/codecs.js';
import { codeOf } from '../helpers/errors.js';

const INT_FORMATS = ['u8', 's16', 's24', 's32'] as const;
const SCALE: Record<(typeof INT_FORMATS)[number], number> = { u8: 128, s16: 32768, s24: 8388608, s32: 2147483648 };

function decode(format: SampleFormat, bytes: Uint8Array): Float32Array {
  const out = new Float32Array(bytes.length / bytesPerSample(format));
  decodeInto(format, bytes, out, out.length);
  return out;
}
function encode(format: SampleFormat, floats: Float32Array): Uint8Array {
  const out = new Uint8Array(floats.length * bytesPerSample(format));
  encodeInto(format, floats, out, floats.length);
  return out;
}
/** The same bytes at a byte offset of 1 inside a larger buffer: the unaligned paths. */
function unaligned(bytes: Uint8Array): Uint8Array {
  const host = new Uint8Array(bytes.length + 3);
  host.set(bytes, 1);
  return host.subarray(1, 1 + bytes.length);
}
const bits = (f: Float32Array): number[] => Array.from(new Uint32Array(f.buffer, f.byteOffset, f.length));

/** Whole samples of `format` as random bytes. */
const sampleBytes = (format: SampleFormat) =>
  fc.integer({ min: 0, max: 64 }).chain((n) => fc.uint8Array({ minLength: n * bytesPerSample(format), maxLength: n * bytesPerSample(format) }));

describe('bytesPerSample', () => {
  it('gives the stored size of each format and refuses unknown names', () => {
    expect(SAMPLE_FORMATS.map((f) => bytesPerSample(f))).toEqual([1, 2, 3, 4, 4, 8]);
    expect(codeOf(() => bytesPerSample('s12' as SampleFormat))).toBe(ErrorCode.INVALID_ARGUMENT);
  });
});

describe('decodeInto', () => {
  it('decodes each integer format with the documented scale, sign-extending', () => {
    expect(Array.from(decode('u8', new Uint8Array([0, 64, 128, 255])))).toEqual([-1, -0.5, 0, 127 / 128]);
    expect(Array.from(decode('s16', new Uint8Array([0x00, 0x80, 0xff, 0xff, 0x00, 0x40, 0xff, 0x7f])))).toEqual([-1, -1 / 32768, 0.5, 32767 / 32768]);
    expect(Array.from(decode('s24', new Uint8Array([0x00, 0x00, 0x80, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f])))).toEqual([-1, -1 / 8388608, 8388607 / 8388608]);
    expect(Array.from(decode('s32', new Uint8Array([0, 0, 0, 0x80, 0, 0, 0, 0x40, 0xff, 0xff, 0xff, 0xff])))).toEqual([-1, 0.5, -1 / 2147483648]);
  });

  it('decodes f64 rounded to the nearest float32, as Math.fround, aligned or not', () => {
    const values = [0.1, -1 / 3, 1e-40, 3.5e38, -Infinity, 1 + 2 ** -30];
    const bytes = new Uint8Array(new Float64Array(values).buffer);
    const expected = values.map((v) => Math.fround(v));
    expect(Array.from(decode('f64', bytes))).toEqual(expected);
    expect(Array.from(decode('f64', unaligned(bytes)))).toEqual(expected);
  });

  it('decodes into the start of the target and leaves the rest untouched', () => {
    const out = new Float32Array([9, 9, 9]);
    decodeInto('s16', new Uint8Array([0x00, 0x40, 0x00, 0xc0]), out, 2);
    expect(Array.from(out)).toEqual([0.5, -0.5, 9]);
  });

  it('refuses a sample count beyond either array with ERR_INVALID_ARGUMENT', () => {
    expect(codeOf(() => decodeInto('s24', new Uint8Array(5), new Float32Array(4), 2))).toBe(ErrorCode.INVALID_ARGUMENT);
    expect(codeOf(() => decodeInto('s16', new Uint8Array(8), new Float32Array(3), 4))).toBe(ErrorCode.INVALID_ARGUMENT);
    expect(codeOf(() => encodeInto('f64', new Float32Array(2), new Uint8Array(15), 2))).toBe(ErrorCode.INVALID_ARGUMENT);
    expect(codeOf(() => encodeInto('f32', new Float32Array(2), new Uint8Array(8), -1))).toBe(ErrorCode.INVALID_ARGUMENT);
  });
});

describe('integer round trips', () => {
  for (const format of INT_FORMATS) {
    it(`${format}: decode(encode(decode(bytes))) equals decode(bytes) for every byte pattern`, () => {
      fc.assert(
        fc.property(sampleBytes(format), (bytes) => {
          const floats = decode(format, bytes);
          expect(decode(format, encode(format, floats))).toEqual(floats);
          expect(decode(format, unaligned(encode(format, floats)))).toEqual(floats);
        }),
        { numRuns: 300 },
      );
    });
  }

  for (const format of ['u8', 's16', 's24'] as const) {
    it(`${format}: encode(decode(bytes)) gives the same bytes back (every value is an exact float)`, () => {
      fc.assert(
        fc.property(sampleBytes(format), (bytes) => {
          expect(encode(format, decode(format, bytes))).toEqual(bytes);
        }),
        { numRuns: 300 },
      );
    });
  }

  it('s16: every one of the 65536 values survives decode → encode', () => {
    const bytes = new Uint8Array(131072);
    for (let v = 0; v < 65536; v++) [bytes[2 * v], bytes[2 * v + 1]] = [v & 0xff, v >> 8];
    expect(encode('s16', decode('s16', bytes))).toEqual(bytes);
  });

  for (const format of INT_FORMATS) {
    it(`${format}: encoding rounds to the nearest step (error at most half a step) inside [-1, 1)`, () => {
      const step = 1 / SCALE[format];
      fc.assert(
        fc.property(fc.array(fc.float({ min: -1, max: Math.fround(1 - step), noNaN: true }), { maxLength: 32 }), (values) => {
          const floats = new Float32Array(values);
          const back = decode(format, encode(format, floats));
          // s32: the decoded value is itself rounded to float32, one more float32 ulp at most.
          floats.forEach((x, i) => expect(Math.abs(back[i]! - x)).toBeLessThanOrEqual(step / 2 + (format === 's32' ? 2 ** -24 : 0)));
        }),
        { numRuns: 200 },
      );
    });
  }
});

describe('encoding clamps and rounds', () => {
  it('clamps out-of-range floats and ±Infinity to the integer range, and NaN to 0', () => {
    const input = new Float32Array([1, 1.5, Infinity, -1, -7, -Infinity, NaN, 1 - 2 ** -20]);
    expect(Array.from(new Int16Array(encode('s16', input).buffer))).toEqual([32767, 32767, 32767, -32768, -32768, -32768, 0, 32767]);
    expect(Array.from(encode('u8', input))).toEqual([255, 255, 255, 0, 0, 0, 128, 255]);
    expect(Array.from(new Int32Array(encode('s32', input).buffer))).toEqual([
      2147483647, 2147483647, 2147483647, -2147483648, -2147483648, -2147483648, 0, 2147481600,
    ]);
    const s24 = encode('s24', new Float32Array([2, -2, NaN]));
    expect(Array.from(s24)).toEqual([0xff, 0xff, 0x7f, 0x00, 0x00, 0x80, 0, 0, 0]);
  });

  it('rounds halfway values up (Math.round), so -0.5 and 0.5 steps go toward +∞', () => {
    const half = new Float32Array([0.5 / 32768, -0.5 / 32768, 1.5 / 32768, -1.5 / 32768]);
    expect(Array.from(new Int16Array(encode('s16', half).buffer))).toEqual([1, 0, 2, -1]);
  });

  it('does not clamp float formats: 1.5 and -Infinity are stored as they are', () => {
    const input = new Float32Array([1.5, -Infinity, 3e38]);
    expect(Array.from(decode('f32', encode('f32', input)))).toEqual([1.5, -Infinity, Math.fround(3e38)]);
    expect(Array.from(decode('f64', encode('f64', input)))).toEqual([1.5, -Infinity, Math.fround(3e38)]);
  });
});

describe('f32 and f64 exactness', () => {
  const f32Bits = fc.oneof(
    fc.integer({ min: 0, max: 0xffffffff }),
    fc.constantFrom(0x80000000, 0x00000001, 0x807fffff, 0x7f800000, 0xff800000, 0x7fc00000, 0x7fa00001, 0xffc01234),
  );

  it('f32 decode and encode copy every bit pattern exactly: -0, subnormals, ±Infinity, NaN payloads', () => {
    fc.assert(
      fc.property(fc.array(f32Bits, { maxLength: 40 }), (patterns) => {
        const bytes = new Uint8Array(new Uint32Array(patterns).buffer);
        const aligned = decode('f32', bytes);
        const offset = decode('f32', unaligned(bytes));
        expect(bits(aligned)).toEqual(patterns);
        expect(bits(offset)).toEqual(patterns);
        expect(encode('f32', aligned)).toEqual(bytes);
        const into = new Uint8Array(bytes.length + 1);
        encodeInto('f32', aligned, into.subarray(1), aligned.length);
        expect(into.subarray(1)).toEqual(bytes);
      }),
      { numRuns: 300 },
    );
  });

  it('f32 decoding reads from any view offset without touching bytes before it', () => {
    const host = new Uint8Array([1, 2, 0, 0, 0x80, 0x3f, 0, 0, 0, 0xc0]);
    const out = new Float32Array(2);
    decodeInto('f32', host.subarray(2), out, 2);
    expect(Array.from(out)).toEqual([1, -2]);
  });

  it('f64 round trip of any float32 is exact (float32 → float64 is exact), -0 and subnormals included', () => {
    fc.assert(
      fc.property(fc.array(fc.float({ noNaN: true }), { maxLength: 40 }), (values) => {
        const floats = new Float32Array(values);
        const bytes = encode('f64', floats);
        expect(Array.from(new Float64Array(bytes.buffer))).toEqual(Array.from(floats));
        expect(bits(decode('f64', bytes))).toEqual(bits(floats));
        expect(bits(decode('f64', unaligned(bytes)))).toEqual(bits(floats));
      }),
      { numRuns: 300 },
    );
  });

  it('f64 values between float32 values decode to Math.fround of them', () => {
    fc.assert(
      fc.property(fc.array(fc.double(), { maxLength: 40 }), (values) => {
        const decoded = decode('f64', new Uint8Array(new Float64Array(values).buffer));
        expect(Array.from(decoded)).toEqual(values.map((v) => Math.fround(v)));
      }),
      { numRuns: 300 },
    );
  });
});
