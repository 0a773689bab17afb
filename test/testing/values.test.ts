/** timedValues and marbleValues build marble value maps of timed items. */
import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../../src/core/errors.js';
import { marbleValues, timedValues, videoFrames } from '../../src/testing/index.js';

const invalid = expect.objectContaining({ code: ErrorCode.INVALID_ARGUMENT });

describe('timedValues', () => {
  it('names each item by its key, with its PTS and duration converted to ns', () => {
    expect(timedValues({ a: 0, b: 2, c: [4, 1] }, 'ms')).toEqual({
      a: { id: 'a', pts: 0, duration: 0 },
      b: { id: 'b', pts: 2_000_000, duration: 0 },
      c: { id: 'c', pts: 4_000_000, duration: 1_000_000 },
    });
    expect(timedValues({ x: 1.5 }, 's').x.pts).toBe(1_500_000_000);
    expect(timedValues({ x: 2.5 }, 'us').x.pts).toBe(2500);
    expect(timedValues({ x: [7, 3] }).x).toEqual({ id: 'x', pts: 7, duration: 3 });
    // ms of a 30 fps frame, rounded to the ns
    expect(timedValues({ f: 100 / 3 }, 'ms').f.pts).toBe(33_333_333);
  });

  it('refuses an unknown unit or a time that is not finite with ERR_INVALID_ARGUMENT', () => {
    expect(() => timedValues({ a: 0 }, 'min' as never)).toThrow(invalid);
    expect(() => timedValues({ a: 0 }, 'toString' as never)).toThrow(invalid);
    expect(() => timedValues({ a: Number.NaN })).toThrow(invalid);
    expect(() => timedValues({ a: [0, Infinity] })).toThrow(invalid);
  });
});

describe('marbleValues', () => {
  it('gives the letters the items in the order the letters first appear, skipping marble syntax', () => {
    expect(marbleValues('abc', [1, 2, 3])).toEqual({ a: 1, b: 2, c: 3 });
    // time progressions ("10ms"), groups, repeats, subscription and end markers are not letters
    expect(marbleValues('^ x 10ms y-(zx)-y|', ['first', 'second', 'third'])).toEqual({ x: 'first', y: 'second', z: 'third' });
    const frames = videoFrames(5);
    expect(marbleValues('b-a', frames)).toEqual({ b: frames[0], a: frames[1] });
  });

  it('refuses more letters than items with ERR_INVALID_ARGUMENT', () => {
    expect(() => marbleValues('a-b-c|', [1, 2])).toThrow(invalid);
    expect(marbleValues('--|', [])).toEqual({});
  });
});
