/**
 * Media records (src/jetstream/record.ts): the wire form round-trips any valid record (a
 * property against the record itself as the model), bad records are refused before they are
 * sent, and bytes that are not a record are a typed `ERR_MEDIA_RECORD`.
 */
import fc from 'fast-check';
import { pack } from 'msgpackr';
import { describe, expect, it } from 'vitest';
import { isAvbufError } from '../../src/core/errors.js';
import { audioChunkOf, audioRecord, checkRecord, decodeRecord, encodeRecord, type MediaRecord } from '../../src/jetstream/record.js';

const audioFormat = fc.record({
  kind: fc.constant('audio' as const),
  encoding: fc.constantFrom('f32le', 's16le', 's24le'),
  sampleRate: fc.integer({ min: 1, max: 384_000 }),
  channels: fc.integer({ min: 1, max: 64 }),
});
const videoFormat = fc.record({
  kind: fc.constant('video' as const),
  codec: fc.constantFrom('jpeg', 'vp8', 'raw'),
  width: fc.integer({ min: 1, max: 7680 }),
  height: fc.integer({ min: 1, max: 4320 }),
  fps: fc.tuple(fc.integer({ min: 1, max: 240_000 }), fc.integer({ min: 1, max: 1001 })),
});
const clockFormat = fc.record({
  kind: fc.constant('clock' as const),
  address: fc.constantFrom('127.0.0.1', '10.0.0.2', 'capture.local'),
  port: fc.integer({ min: 1, max: 65_535 }),
  baseTime: fc.bigInt({ min: 0n, max: 2n ** 63n }).map(String),
});
const record: fc.Arbitrary<MediaRecord> = fc.record({
  track: fc.stringMatching(/^[A-Za-z0-9_-]{1,64}$/),
  seq: fc.nat({ max: Number.MAX_SAFE_INTEGER }),
  pts: fc.integer({ min: -1e15, max: 1e15 }),
  duration: fc.nat({ max: 1e12 }),
  format: fc.oneof(audioFormat, videoFormat, clockFormat),
  key: fc.boolean(),
  data: fc.uint8Array({ maxLength: 4096 }),
});

describe('media records', () => {
  it('decode(encode(r)) is r for any valid record', () => {
    fc.assert(
      fc.property(record, (r) => {
        const decoded = decodeRecord(encodeRecord(r));
        expect({ ...decoded, data: [...decoded.data] }).toEqual({ ...r, data: [...r.data] });
      }),
      { numRuns: 300 },
    );
  });

  it('encodes a copy: the caller may reuse its buffer at once', () => {
    const data = new Uint8Array([1, 2, 3]);
    const bytes = encodeRecord({ track: 'a', seq: 0, pts: 0, duration: 1, format: { kind: 'video', codec: 'jpeg', width: 1, height: 1, fps: [30, 1] }, key: true, data });
    data.fill(9);
    expect([...decodeRecord(bytes).data]).toEqual([1, 2, 3]);
  });

  it('audio chunks become f32le records and back, with PTS and duration from position and rate', () => {
    const data = Float32Array.from({ length: 960 }, (_, i) => Math.sin(i / 7));
    const r = audioRecord({ data, frames: 480, channels: 2, sampleRate: 48_000, position: 48_000 }, { seq: 100, startPts: 5 });
    expect(r).toMatchObject({ track: 'audio', seq: 100, pts: 1_000_000_005, duration: 10_000_000, key: true });
    expect(r.format).toEqual({ kind: 'audio', encoding: 'f32le', sampleRate: 48_000, channels: 2 });
    const back = audioChunkOf(decodeRecord(encodeRecord(r)), 48_000);
    expect(back).toMatchObject({ frames: 480, channels: 2, sampleRate: 48_000, position: 48_000 });
    expect([...back.data]).toEqual([...data]);
    // 44.1 kHz: durations of consecutive chunks add up to the stream's PTS exactly.
    const a = audioRecord({ data, frames: 441, channels: 2, sampleRate: 44_100, position: 0 }, { seq: 0 });
    const b = audioRecord({ data, frames: 441, channels: 2, sampleRate: 44_100, position: 441 }, { seq: 1 });
    expect(a.pts + a.duration).toBe(b.pts);
  });

  it('refuses a bad record before it is sent, naming the field', () => {
    const good: MediaRecord = { track: 'audio', seq: 0, pts: 0, duration: 0, format: { kind: 'audio', encoding: 'f32le', sampleRate: 48_000, channels: 2 }, key: true, data: new Uint8Array(8) };
    const bad: [string, Partial<Record<keyof MediaRecord, unknown>>][] = [
      ['track', { track: 'a.b' }],
      ['track', { track: '' }],
      ['seq', { seq: -1 }],
      ['seq', { seq: 1.5 }],
      ['pts', { pts: Number.NaN }],
      ['duration', { duration: -1 }],
      ['format.kind', { format: { kind: 'text' } }],
      ['format.channels', { format: { kind: 'audio', encoding: 'f32le', sampleRate: 48_000, channels: 0 } }],
      ['format.fps', { format: { kind: 'video', codec: 'jpeg', width: 2, height: 2, fps: 30 } }],
      ['format.baseTime', { format: { kind: 'clock', address: 'a', port: 1, baseTime: 5 } }],
      ['format.port', { format: { kind: 'clock', address: 'a', port: 70_000, baseTime: '5' } }],
      ['key', { key: 1 }],
      ['data', { data: [1, 2] }],
    ];
    for (const [field, change] of bad) {
      const error = (() => {
        try {
          checkRecord({ ...good, ...change } as MediaRecord);
        } catch (e) {
          return e;
        }
      })();
      expect(isAvbufError(error, 'ERR_INVALID_ARGUMENT'), field).toBe(true);
      expect((error as Error).message).toContain(field);
    }
  });

  it('bytes that are not a record are ERR_MEDIA_RECORD', () => {
    const cases = [new Uint8Array([0xc1]), pack({ hello: 1 }), pack([2, 'a', 0, 0, 0, {}, true, new Uint8Array(1)]), pack([1, 'a', 0, 0, 0, { kind: 'audio' }, true, new Uint8Array(1)])];
    for (const bytes of cases) expect(() => decodeRecord(bytes)).toThrow(expect.objectContaining({ code: 'ERR_MEDIA_RECORD' }));
    const notF32 = decodeRecord(encodeRecord({ track: 'a', seq: 0, pts: 0, duration: 0, format: { kind: 'audio', encoding: 's16le', sampleRate: 8000, channels: 1 }, key: true, data: new Uint8Array(2) }));
    expect(() => audioChunkOf(notF32, 0)).toThrow(expect.objectContaining({ code: 'ERR_MEDIA_RECORD' }));
    const torn = decodeRecord(encodeRecord({ track: 'a', seq: 0, pts: 0, duration: 0, format: { kind: 'audio', encoding: 'f32le', sampleRate: 8000, channels: 2 }, key: true, data: new Uint8Array(12) }));
    expect(() => audioChunkOf(torn, 0)).toThrow(expect.objectContaining({ code: 'ERR_MEDIA_RECORD' }));
  });
});
