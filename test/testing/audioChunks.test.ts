/** audioChunk, audioChunks and sineChunks: samples, positions and PTS arithmetic. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../../src/core/errors.js';
import { audioChunk, audioChunks, chunkTimes, ptsContinuity, sineChunks, type TestAudioChunk } from '../../src/testing/index.js';

const invalid = expect.objectContaining({ code: ErrorCode.INVALID_ARGUMENT });
const valid = (c: TestAudioChunk): number[] => Array.from(c.data.subarray(0, c.frames * c.channels));

describe('audioChunk', () => {
  it('makes stereo 48 kHz silence at position 0 and PTS 0 by default, lasting its frames', () => {
    expect(audioChunk({ frames: 480 })).toEqual({
      data: new Float32Array(960),
      frames: 480,
      channels: 2,
      sampleRate: 48000,
      position: 0,
      pts: 0,
      duration: 10_000_000,
    });
  });

  it('stamps PTS and duration from the position, so the next chunk starts where this one ends', () => {
    // 1 frame at 48 kHz is 20833.33 ns: frame 1 at 20833 ns, frame 2 at 41666 ns.
    const c = audioChunk({ frames: 1, channels: 1, position: 1 });
    expect([c.pts, c.duration]).toEqual([20833, 20833]);
    expect(audioChunk({ frames: 1, channels: 1, position: 2 }).pts).toBe(c.pts + c.duration);
    expect(audioChunk({ frames: 1000, sampleRate: 44100, position: 1000 })).toMatchObject({ pts: 22675736, duration: 22675737 });
  });

  it('takes an explicit PTS, with the duration of its frames', () => {
    expect(audioChunk({ frames: 480, pts: 7_000_000_000, position: 3 })).toMatchObject({ pts: 7_000_000_000, duration: 10_000_000, position: 3 });
  });

  it('fills with a value, or with a function of the frame in the stream and the channel, rounded to Float32', () => {
    expect(valid(audioChunk({ frames: 2, fill: 0.1 }))).toEqual([0.1, 0.1, 0.1, 0.1].map(Math.fround));
    const c = audioChunk({ frames: 3, channels: 2, position: 10, fill: (n, ch) => n + ch / 10 });
    expect(valid(c)).toEqual([10, 10.1, 11, 11.1, 12, 12.1].map(Math.fround));
  });

  it('copies given samples, deriving the frames, or keeping the rest as an unused tail', () => {
    const samples = [0.3, 0.6, 9, 9];
    const whole = audioChunk({ samples });
    expect(whole.frames).toBe(2);
    expect(whole.data).toEqual(Float32Array.from(samples));
    samples[0] = 1;
    expect(whole.data[0]).toBe(Math.fround(0.3));
    const tail = audioChunk({ samples: [0.3, 0.6, 9, 9], frames: 1, channels: 2 });
    expect([tail.frames, tail.data.length, tail.duration]).toEqual([1, 4, 20833]);
  });

  it('refuses contradictory or out-of-range options with ERR_INVALID_ARGUMENT', () => {
    expect(() => audioChunk({})).toThrow(invalid);
    expect(() => audioChunk({ frames: -1 })).toThrow(invalid);
    expect(() => audioChunk({ frames: 1, channels: 0 })).toThrow(invalid);
    expect(() => audioChunk({ frames: 1, sampleRate: 0 })).toThrow(invalid);
    expect(() => audioChunk({ frames: 1, position: 0.5 })).toThrow(invalid);
    expect(() => audioChunk({ frames: 1, pts: Number.NaN })).toThrow(invalid);
    expect(() => audioChunk({ samples: [1, 2, 3] })).toThrow(invalid); // not whole stereo frames
    expect(() => audioChunk({ samples: [1, 2], frames: 2 })).toThrow(invalid);
    expect(() => audioChunk({ samples: [1, 2], fill: 0 })).toThrow(invalid);
  });
});

describe('audioChunks', () => {
  it('makes consecutive chunks at the PTS chunkTimes gives, each ending at the next one\'s PTS', () => {
    const chunks = audioChunks({ count: 4, frames: 1000, channels: 1, sampleRate: 44100 });
    expect(chunks.map((c) => c.position)).toEqual([0, 1000, 2000, 3000]);
    expect(chunks.map((c) => c.pts)).toEqual(chunkTimes(44100, 1000, 4));
    expect(chunks.map((c) => c.duration)).toEqual([22675736, 22675737, 22675737, 22675737]);
    expect(ptsContinuity(chunks)).toEqual({ count: 4, gaps: [], overlaps: [] });
  });

  it('counts the stamps from a given first PTS, positions from a given first position', () => {
    const chunks = audioChunks({ count: 3, frames: 1000, sampleRate: 44100, position: 7, pts: 5 });
    expect(chunks.map((c) => [c.position, c.pts, c.duration])).toEqual([
      [7, 5, 22675736],
      [1007, 22675741, 22675737],
      [2007, 45351478, 22675737],
    ]);
  });

  it('gives the fill function each frame\'s index in the stream, and every chunk its own block', () => {
    const chunks = audioChunks({ count: 2, frames: 2, channels: 1, position: 4, fill: (n) => n });
    expect(chunks.map(valid)).toEqual([
      [4, 5],
      [6, 7],
    ]);
    expect(chunks[0]!.data.buffer).not.toBe(chunks[1]!.data.buffer);
  });
});

describe('sineChunks', () => {
  it('makes a 1 kHz sine at 0.5 on both channels by default: a quarter period is 12 frames at 48 kHz', () => {
    const [c] = sineChunks({ count: 1, frames: 48 });
    const frame = (n: number): [number, number] => [c!.data[2 * n]!, c!.data[2 * n + 1]!];
    expect([frame(0), frame(12), frame(36)]).toEqual([
      [0, 0],
      [0.5, 0.5],
      [-0.5, -0.5],
    ]);
    expect(Math.abs(frame(24)[0])).toBeLessThan(1e-15);
  });

  it('joined end to end, the chunks are exactly one long sine computed directly', () => {
    fc.assert(
      fc.property(
        fc.record({
          count: fc.integer({ min: 1, max: 8 }),
          frames: fc.integer({ min: 1, max: 300 }),
          channels: fc.integer({ min: 1, max: 3 }),
          sampleRate: fc.constantFrom(8000, 22050, 44100, 48000, 96000),
          frequency: fc.double({ min: 1, max: 20000, noNaN: true }),
          amplitude: fc.double({ min: 0, max: 1, noNaN: true }),
          phase: fc.double({ min: -Math.PI, max: Math.PI, noNaN: true }),
          position: fc.integer({ min: 0, max: 10_000_000 }),
        }),
        (o) => {
          const chunks = sineChunks(o);
          const joined = chunks.flatMap(valid);
          const total = o.count * o.frames;
          const direct: number[] = [];
          for (let i = 0; i < total; i++) {
            const v = Math.fround(o.amplitude * Math.sin((2 * Math.PI * o.frequency * (o.position + i)) / o.sampleRate + o.phase));
            for (let ch = 0; ch < o.channels; ch++) direct.push(v);
          }
          expect(joined).toEqual(direct);
          expect(chunks.map((c) => c.position)).toEqual(chunks.map((_, k) => o.position + k * o.frames));
          expect(ptsContinuity(chunks)).toMatchObject({ gaps: [], overlaps: [] });
        },
      ),
      { numRuns: 200 },
    );
  });

  it('refuses a frequency, amplitude or phase that is not finite with ERR_INVALID_ARGUMENT', () => {
    expect(() => sineChunks({ count: 1, frames: 1, frequency: Number.NaN })).toThrow(invalid);
    expect(() => sineChunks({ count: 1, frames: 1, amplitude: Infinity })).toThrow(invalid);
    expect(() => sineChunks({ count: 1, frames: 1, phase: Number.NaN })).toThrow(invalid);
  });
});
