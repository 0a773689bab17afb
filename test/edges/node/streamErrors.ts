/** Test helper: the code of the avbuf error a promise rejects with. */
import { expect } from 'vitest';
import { isAvbufError } from '../../../src/core/errors.js';

/** Awaits `work`; returns the code of the avbuf error it rejected with, or null when it resolved. Any other rejection fails the test. */
export async function rejectionCode(work: Promise<unknown>): Promise<string | null> {
  try {
    await work;
    return null;
  } catch (error) {
    expect(isAvbufError(error), `expected an avbuf error, got ${String(error)}`).toBe(true);
    return (error as { code: string }).code;
  }
}
