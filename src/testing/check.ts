/** Argument checks shared by the testing kit's factories (internal). */
import { ArgumentError } from '../core/errors.js';

/** @internal Throws unless `value` is a positive safe integer. */
export function _positive(name: string, value: number): void {
  if (!Number.isSafeInteger(value) || value <= 0) throw new ArgumentError(`${name} must be a positive integer, got ${String(value)}`);
}

/** @internal Throws unless `value` is a safe integer ≥ 0. */
export function _count(name: string, value: number): void {
  if (!Number.isSafeInteger(value) || value < 0) throw new ArgumentError(`${name} must be an integer ≥ 0, got ${String(value)}`);
}

/** @internal Throws unless `value` is a finite number. */
export function _finite(name: string, value: number): void {
  if (typeof value !== 'number' || !Number.isFinite(value)) throw new ArgumentError(`${name} must be a finite number, got ${String(value)}`);
}
