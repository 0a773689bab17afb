import { expect } from 'vitest';
import { isAvbufError } from '../../src/core/errors.js';

/** Runs `fn` and returns the code of the avbuf error it threw, or null when it did not throw. Anything else thrown fails the test. */
export function codeOf(fn: () => unknown): string | null {
  try {
    fn();
    return null;
  } catch (error) {
    expect(isAvbufError(error), `expected an avbuf error, got ${String(error)}`).toBe(true);
    return (error as { code: string }).code;
  }
}

/** Model bookkeeping for a call that must fail with `code`: the model counts one more error. */
export function expectCode(fn: () => unknown, code: string, model: { errors: number; lastErrorCode: string | null }): void {
  expect(codeOf(fn)).toBe(code);
  model.errors++;
  model.lastErrorCode = code;
}
