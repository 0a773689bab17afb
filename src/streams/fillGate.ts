import { asyncScheduler, type OperatorFunction, type SchedulerLike, type Subscriber, type Subscription } from 'rxjs';
import { checkFunction, checkNumber, show } from '../core/validate.js';
import { ConfigError } from '../core/errors.js';
import type { DropHandler } from './timed.js';
import { statefulOperator, type OperatorState } from './operator.js';

/** Why a {@link fillGate} opened: enough items held, `timeoutMs` passed, or the source completed. */
export type FillGateOpenReason = 'filled' | 'timeout' | 'complete';

/** What {@link FillGateOptions.onOpen} is told. */
export interface FillGateOpenInfo {
  /** Items held when the gate opened (emitted right after `onOpen` returns). */
  readonly held: number;
  readonly reason: FillGateOpenReason;
}

/** Options of {@link fillGate}. */
export interface FillGateOptions<T> {
  /** The capacity the threshold is a fraction of, in items (a positive integer). */
  readonly capacity: number;
  /** The gate opens when `ceil(threshold × capacity)` items are held; in (0, 1]. Default 0.3. */
  readonly threshold?: number;
  /** Open anyway this long after the first item was held, in ms. Default `Infinity` (never). */
  readonly timeoutMs?: number;
  /** Schedules the `timeoutMs` timer. Default `asyncScheduler`. */
  readonly scheduler?: SchedulerLike;
  /** Called once when the gate opens, before the held items are emitted. Must not throw. */
  readonly onOpen?: (info: FillGateOpenInfo) => void;
  /** Called for every held item let go of without being emitted (`teardown`). Must not throw. */
  readonly onDrop?: DropHandler<T>;
}

const DEFAULT_THRESHOLD = 0.3;

/**
 * The number of items a {@link fillGate} waits for: `ceil(threshold × capacity)`, where a
 * product within rounding error of an integer counts as that integer (0.7 × 10 is 7, not
 * 7.000000000000001 → 8), and at least 1.
 */
export function fillGateLevel(capacity: number, threshold: number): number {
  const exact = threshold * capacity;
  const nearest = Math.round(exact);
  const level = Math.abs(exact - nearest) <= 1e-9 * Math.max(1, exact) ? nearest : Math.ceil(exact);
  return Math.min(capacity, Math.max(1, level));
}

/**
 * "Start playback at 30 % of capacity": holds items until `ceil(threshold × capacity)` are
 * held (see {@link fillGateLevel}), then calls `onOpen`, emits the held items in order and
 * passes every later item straight through.
 *
 * - With `timeoutMs`, the gate opens anyway (reason `timeout`) that long after the first
 *   item was held.
 * - When the source completes before the gate opened, it opens (reason `complete`, `onOpen`
 *   is called even when nothing is held), emits what it holds and completes.
 * - When the source errors before the gate opened, held items are dropped as `teardown` and
 *   the error is passed on; on unsubscription before opening, held items are dropped as
 *   `teardown`.
 *
 * Items pass through unchanged (the same objects).
 *
 * @example
 * frames$
 *   .pipe(fillGate({ capacity: 210, onOpen: () => playback.setState(Gst.State.PLAYING) }))
 *   .subscribe(push);
 *
 * @typeParam T - the item type, passed through.
 * @throws {ConfigError} `ERR_INVALID_CONFIG` naming the field when an option is out of range.
 */
export function fillGate<T>(options: FillGateOptions<T>): OperatorFunction<T, T> {
  if (options == null || typeof options !== 'object') throw new ConfigError('options', `expected an object, got ${show(options)}`);
  const capacity = checkNumber('capacity', options.capacity, { min: 1, integer: true });
  const threshold = checkNumber('threshold', options.threshold ?? DEFAULT_THRESHOLD, { min: 0, exclusive: true });
  if (threshold > 1) throw new ConfigError('threshold', `expected a fraction in (0, 1], got ${show(threshold)}`);
  const config: GateConfig<T> = {
    level: fillGateLevel(capacity, threshold),
    timeoutMs: checkNumber('timeoutMs', options.timeoutMs ?? Infinity, { min: 0, infinite: true }),
    scheduler: options.scheduler ?? asyncScheduler,
    onOpen: checkFunction('onOpen', options.onOpen),
    onDrop: checkFunction('onDrop', options.onDrop),
  };

  return statefulOperator((subscriber: Subscriber<T>) => new Gate(subscriber, config));
}

interface GateConfig<T> {
  readonly level: number;
  readonly timeoutMs: number;
  readonly scheduler: SchedulerLike;
  readonly onOpen: ((info: FillGateOpenInfo) => void) | undefined;
  readonly onDrop: DropHandler<T> | undefined;
}

/** The state of one subscription of {@link fillGate}. */
class Gate<T> implements OperatorState<T> {
  private held: T[] = [];
  private open = false;
  private closed = false;
  private timer: Subscription | null = null;

  constructor(
    private readonly subscriber: Subscriber<T>,
    private readonly config: GateConfig<T>,
  ) {}

  push(item: T): void {
    if (this.closed) return;
    if (this.open) {
      this.subscriber.next(item);
      return;
    }
    const held = this.held;
    held.push(item);
    if (held.length >= this.config.level) {
      this.openGate('filled');
    } else if (held.length === 1 && this.config.timeoutMs !== Infinity) {
      this.timer = this.config.scheduler.schedule<Gate<T>>(gateTimeout, this.config.timeoutMs, this);
    }
  }

  onTimeout(): void {
    this.timer = null;
    if (!this.closed && !this.open) this.openGate('timeout');
  }

  end(): void {
    if (this.closed) return;
    if (!this.open && !this.openGate('complete')) return;
    this.subscriber.complete();
  }

  /** Opens the gate and emits what is held. False when the subscription ended meanwhile. */
  private openGate(reason: FillGateOpenReason): boolean {
    this.open = true;
    if (this.timer !== null) {
      this.timer.unsubscribe();
      this.timer = null;
    }
    const held = this.held;
    this.held = [];
    this.config.onOpen?.({ held: held.length, reason });
    for (let i = 0; i < held.length; i++) {
      if (this.closed) {
        // Unsubscribed from onOpen or downstream: the rest was never emitted.
        this.dropAll(held, i);
        return false;
      }
      this.subscriber.next(held[i]!);
    }
    return !this.closed;
  }

  fail(error: unknown): void {
    if (this.closed) return;
    this.dropAll(this.held, 0);
    this.held = [];
    this.subscriber.error(error);
  }

  teardown(): void {
    this.closed = true;
    if (this.timer !== null) {
      this.timer.unsubscribe();
      this.timer = null;
    }
    const held = this.held;
    this.held = [];
    this.dropAll(held, 0);
  }

  private dropAll(items: readonly T[], from: number): void {
    const onDrop = this.config.onDrop;
    if (onDrop === undefined) return;
    for (let i = from; i < items.length; i++) onDrop(items[i]!, 'teardown');
  }
}

function gateTimeout<T>(this: unknown, gate?: Gate<T>): void {
  gate!.onTimeout();
}
