import type { Timed } from '../streams/timed.js';
import { ArgumentError } from '../core/errors.js';

/** A {@link Timed} item named by its marble letter (handy in `onDrop` records: `[item.id, reason]`). */
export interface TimedValue extends Timed {
  /** The key it was given under in {@link timedValues}. */
  readonly id: string;
}

/** The unit of the times given to {@link timedValues}. */
export type TimeUnit = 'ns' | 'us' | 'ms' | 's';

const NS_PER: Record<TimeUnit, number> = { ns: 1, us: 1e3, ms: 1e6, s: 1e9 };

/**
 * A marble values map of {@link Timed} items from their times: each key becomes an item with
 * that `id`, a PTS and a duration (0 unless given as `[pts, duration]`), converted from `unit`
 * to nanoseconds and rounded to the ns.
 *
 * @example
 * const v = timedValues({ a: 0, b: 2, c: [4, 1] }, 'ms');
 * // v.b is { id: 'b', pts: 2000000, duration: 0 }; v.c lasts 1 ms
 * expectObservable(cold('a-b-c|', v).pipe(timeWindow({ delay: 10 * MS, capacity: 8, tickMs: 1 })))
 *   .toBe('----------a-b-(c|)', v);
 *
 * @param times - per marble letter, a PTS or `[pts, duration]`, in `unit`.
 * @param unit - `'ns'` (default), `'us'`, `'ms'` or `'s'`.
 * @throws {ArgumentError} `ERR_INVALID_ARGUMENT` when a time is not a finite number, or the unit is unknown.
 */
export function timedValues<K extends string>(times: Readonly<Record<K, number | readonly [pts: number, duration: number]>>, unit: TimeUnit = 'ns'): Record<K, TimedValue> {
  const scale = Object.hasOwn(NS_PER, unit) ? NS_PER[unit] : undefined;
  if (scale === undefined) throw new ArgumentError(`unit must be 'ns', 'us', 'ms' or 's', got '${unit}'`);
  const values = {} as Record<K, TimedValue>;
  for (const id of Object.keys(times) as K[]) {
    const time = times[id];
    const [pts, duration] = typeof time === 'number' ? [time, 0] : time;
    if (!Number.isFinite(pts) || !Number.isFinite(duration)) throw new ArgumentError(`${id}: times must be finite numbers, got ${String(time)}`);
    values[id] = { id, pts: Math.round(pts * scale), duration: Math.round(duration * scale) };
  }
  return values;
}
