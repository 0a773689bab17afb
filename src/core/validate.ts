/**
 * The one validation vocabulary of avbuf. Options (constructor and factory arguments) fail
 * with a {@link ConfigError} naming the field; method arguments fail with an
 * {@link ArgumentError}. Every check returns the value it accepted, so a caller resolves an
 * option and its default in one expression and never restates the default afterwards:
 *
 * @example
 * const delay = checkNumber('delay', options.delay ?? DEFAULTS.delay, { min: 0 });
 * const chunk = checkNumber('chunkFrames', frames, { min: 1, integer: true, kind: 'argument' });
 */
import { ArgumentError, ConfigError } from './errors.js';

/** What a failed check throws: a `ConfigError` for an option (default), an `ArgumentError` for a method argument. */
export type CheckKind = 'config' | 'argument';

/** The rule of {@link checkNumber}. */
export interface NumberRule {
  /** The least value allowed (or the bound, with `exclusive`). Default: no lower bound. */
  readonly min?: number;
  /** The greatest value allowed. Default: no upper bound. */
  readonly max?: number;
  /** `min` itself is not allowed. */
  readonly exclusive?: boolean;
  /** Only (safe) integers. */
  readonly integer?: boolean;
  /** `Infinity` is allowed (meaning "never" or "unbounded"). */
  readonly infinite?: boolean;
  /** Which error a failure throws. Default `'config'`. */
  readonly kind?: CheckKind;
}

/** A short, safe rendering of a bad value for an error message. */
export function show(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  if (typeof value === 'number' || typeof value === 'boolean' || value == null) return String(value);
  if (typeof value === 'bigint') return `${value}n`;
  if (ArrayBuffer.isView(value)) return `${value.constructor.name}(${(value as unknown as { length: number }).length})`;
  if (Array.isArray(value)) return `Array(${value.length})`;
  return typeof value;
}

/** Throws the error of `kind` about `field` with `message`. */
export function invalid(field: string, message: string, kind: CheckKind = 'config'): never {
  if (kind === 'argument') throw new ArgumentError(`${field}: ${message}`);
  throw new ConfigError(field, message);
}

/**
 * Returns `value` when it is a number that follows `rule`, else throws (see {@link NumberRule.kind})
 * naming `field`, the rule and the value.
 */
export function checkNumber(field: string, value: unknown, rule: NumberRule = {}): number {
  const { min, max, exclusive = false, integer = false, infinite = false } = rule;
  const ok =
    typeof value === 'number' &&
    !Number.isNaN(value) &&
    (Number.isFinite(value) ? !integer || Number.isSafeInteger(value) : infinite && value > 0) &&
    (min === undefined || (exclusive ? value > min : value >= min)) &&
    (max === undefined || value <= max);
  if (!ok) invalid(field, `expected ${describeNumber(rule)}, got ${show(value)}`, rule.kind);
  return value;
}

function describeNumber({ min, max, exclusive = false, integer = false, infinite = false }: NumberRule): string {
  const kind = integer ? 'an integer' : infinite ? 'a number (or Infinity)' : 'a finite number';
  if (min !== undefined && max !== undefined && !exclusive) return `${kind} from ${min} to ${max}`;
  const bounds = [min === undefined ? '' : `${exclusive ? '>' : '≥'} ${min}`, max === undefined ? '' : `≤ ${max}`].filter(Boolean);
  return bounds.length === 0 ? kind : `${kind} ${bounds.join(' and ')}`;
}

/** Returns `value` when it is a boolean, else throws naming `field`. */
export function checkBoolean(field: string, value: unknown, kind: CheckKind = 'config'): boolean {
  if (typeof value !== 'boolean') invalid(field, `expected true or false, got ${show(value)}`, kind);
  return value;
}

/** Returns `value` when it is one of `choices`, else throws naming `field` and the choices. */
export function checkOneOf<const T extends string>(field: string, value: unknown, choices: readonly T[], kind: CheckKind = 'config'): T {
  if (typeof value !== 'string' || !(choices as readonly string[]).includes(value)) {
    invalid(field, `expected one of ${choices.map((c) => `'${c}'`).join(', ')}, got ${show(value)}`, kind);
  }
  return value as T;
}

/** Returns `value` when it is a function or undefined, else throws naming `field`. */
export function checkFunction<F extends (...args: never[]) => unknown>(field: string, value: F | undefined, kind: CheckKind = 'config'): F | undefined {
  if (value !== undefined && typeof value !== 'function') invalid(field, `expected a function, got ${show(value)}`, kind);
  return value;
}

/** Returns `value` when it is a non-empty string, else throws naming `field`. */
export function checkString(field: string, value: unknown, kind: CheckKind = 'config'): string {
  if (typeof value !== 'string' || value.length === 0) invalid(field, `expected a non-empty string, got ${show(value)}`, kind);
  return value;
}
