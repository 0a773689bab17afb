/**
 * AudioBufferManager: the root actor. It creates buffers by type, accounts for their
 * memory in one budget, samples usage into the memory-monitor child, and on pressure
 * frees idle memory (idle pool blocks first, then spare buffer capacity) before any
 * allocation is refused with `ERR_MEMORY_PRESSURE`.
 *
 * The manager knows nothing of the live inspector: the actors sit below it in the layers.
 * `manager.inspect()` is added by avbuf/inspect (src/inspect/managerInspect.ts, loaded by
 * src/index.ts too) on top of {@link AudioBufferManager.attach}, the neutral hook through
 * which anything opened on a manager closes with it.
 */
import { Subject, type Observable } from 'rxjs';
import { createActor, type Actor, type ActorRefFrom, type InspectionEvent } from 'xstate';
import { MemoryBudget } from '../core/budget.js';
import { BYTES_PER_MB, resolveConfig, type BufferConfigInput } from '../core/config.js';
import { checkNumber, checkOneOf, checkString, show } from '../core/validate.js';
import { CloseError, ConfigError, ErrorCode, ManagerError } from '../core/errors.js';
import { childLogger, silentLogger, type Logger } from '../core/logger.js';
import { BUFFER_TYPES, BufferType } from '../core/types.js';
import { MemoryBuffer, type MemoryBufferOptions } from '../buffers/memory.js';
import { BufferPool, type BufferPoolOptions, type PoolStats } from '../buffers/pool.js';
import { RingBuffer, type RingBufferOptions } from '../buffers/ring.js';
import { StreamingBuffer, type StreamingBufferOptions } from '../buffers/streaming.js';
import { bufferManagerMachine, flowActorId } from '../machines/bufferManager.js';
import type { MemoryAlert, MemoryLevel, memoryMonitorMachine } from '../machines/memoryMonitor.js';
import type { BufferActor, BufferLifecycleRef, GatedStructure, ManagedBuffer } from './bufferActor.js';
import { MemoryAudioBuffer } from './memoryBufferActor.js';
import { PooledBuffer } from './poolActor.js';
import { RingAudioBuffer, type RingFlowRef } from './ringActor.js';
import { StreamingAudioBuffer } from './streamingActor.js';
import { JetStreamBuffer, type JetStreamBufferSettings } from '../jetstream/jetStreamBuffer.js';
import type { NatsEndpoint } from '../jetstream/endpoint.js';
import { JetStreamAudioBuffer } from './jetStreamActor.js';

/** Options of an {@link AudioBufferManager}. */
export interface AudioBufferManagerOptions {
  /** Memory all buffers together may hold, in MB. Default 2048. */
  memoryLimitMb?: number;
  /** Usage ratio that raises a warning alert. Default 0.75. */
  warningRatio?: number;
  /** Usage ratio that raises a critical alert and runs the pressure policy. Default 0.9. */
  criticalRatio?: number;
  /** How far usage must fall below a threshold to clear its level. Default 0.05. */
  hysteresis?: number;
  /** Milliseconds between memory samples; 0 samples only on create, remove and `sampleMemory()`. Default 1000. */
  monitorIntervalMs?: number;
  /** A pino-compatible logger. Default: silent. */
  logger?: Logger;
  /** XState inspection observer, attached to the whole actor system. */
  inspect?: (event: InspectionEvent) => void;
}

/** Options per buffer type for {@link AudioBufferManager.createBuffer}. */
export type MemoryOptions = Omit<MemoryBufferOptions, 'account' | 'name'>;
export type PoolOptions = Omit<BufferPoolOptions, 'account' | 'name'>;
export type RingOptions = Omit<RingBufferOptions, 'account' | 'name'>;
export type StreamingOptions = Omit<StreamingBufferOptions, 'account' | 'name'>;
export type JetStreamOptions = NatsEndpoint & Omit<JetStreamBufferSettings, 'account' | 'name'>;
type AnyOptions = MemoryOptions | PoolOptions | RingOptions | StreamingOptions | JetStreamOptions;

/** Something opened on a manager that closes with it (see {@link AudioBufferManager.attach}). */
export interface ManagerAttachment {
  close(): Promise<void>;
}

/** The spec's system metrics. */
export interface SystemMetrics {
  totalBuffers: number;
  /** Memory held by all buffers, in MB. */
  totalMemoryMb: number;
  /** How many buffers of each type. */
  bufferTypes: Record<BufferType, number>;
  /** Stats of each pool, by buffer id. */
  poolStats: Record<string, PoolStats>;
  memoryLimitMb: number;
  peakMemoryMb: number;
  memoryLevel: MemoryLevel;
  /** Resident set size of the process, in MB. */
  rssMb: number;
  /** Memory freed by the pressure policy since creation, in MB. */
  reclaimedMb: number;
  /** Allocations refused by the budget since creation. */
  refusals: number;
}

type AnyBuffer = MemoryAudioBuffer | PooledBuffer | RingAudioBuffer | StreamingAudioBuffer | JetStreamAudioBuffer;
type MonitorRef = ActorRefFrom<typeof memoryMonitorMachine>;

const DEFAULT_LIMIT_MB = 2048;
/** Idle pool blocks are the cheapest memory to give back: nobody is using them. */
const POOL_RECLAIM_PRIORITY = 0;
/** Spare capacity of memory buffers: freed only when an allocation would be refused. */
const MEMORY_RECLAIM_PRIORITY = 10;
const IMPLEMENTED: ReadonlySet<BufferType> = new Set(BUFFER_TYPES);
/** The rule of the monitor's ratios: a share of the limit in (0, 1]. */
const RATIO = { min: 0, exclusive: true, max: 1 } as const;

/**
 * Manages many buffers under one memory budget.
 *
 * @example
 * const manager = new AudioBufferManager({ memoryLimitMb: 256 });
 * const buf = manager.createBuffer('mic', BufferType.MEMORY, { channels: 1 }, { capacity: 48000 });
 * buf.write(new Float32Array(480));
 * manager.getSystemMetrics().totalBuffers; // 1
 * await manager.close();
 */
export class AudioBufferManager {
  /** The root actor; buffers and the memory monitor are its children. */
  readonly actor: Actor<typeof bufferManagerMachine>;
  readonly budget: MemoryBudget;
  /** Memory alerts: one each time the level changes. Completes when the manager closes. */
  readonly alerts$: Observable<MemoryAlert>;
  readonly #alerts = new Subject<MemoryAlert>();
  readonly #buffers = new Map<string, AnyBuffer>();
  /** Removes each buffer's reclaimer from the budget. */
  readonly #unregister = new Map<string, () => void>();
  readonly #log: Logger;
  readonly #monitor: MonitorRef;
  readonly #warningRatio: number;
  #timer: NodeJS.Timeout | undefined;
  #closing: Promise<void> | undefined;
  /** What {@link attach} opened (inspectors); closed with the manager. */
  readonly #attachments = new Set<ManagerAttachment>();

  /** @throws {ConfigError} naming a bad option. */
  constructor(options: AudioBufferManagerOptions = {}) {
    const limitMb = checkNumber('memoryLimitMb', options.memoryLimitMb ?? DEFAULT_LIMIT_MB, { min: 0, exclusive: true });
    const warningRatio = checkNumber('warningRatio', options.warningRatio ?? 0.75, RATIO);
    const criticalRatio = checkNumber('criticalRatio', options.criticalRatio ?? 0.9, RATIO);
    const hysteresis = checkNumber('hysteresis', options.hysteresis ?? 0.05, RATIO);
    if (warningRatio >= criticalRatio) {
      throw new ConfigError('warningRatio', `must be below criticalRatio (${criticalRatio}), got ${warningRatio}`);
    }
    const intervalMs = checkNumber('monitorIntervalMs', options.monitorIntervalMs ?? 1000, { min: 0 });
    this.#warningRatio = warningRatio;
    this.#log = childLogger(options.logger ?? silentLogger, { component: 'avbuf.manager' });
    this.budget = new MemoryBudget(limitMb * BYTES_PER_MB);
    this.alerts$ = this.#alerts.asObservable();
    this.actor = createActor(bufferManagerMachine, {
      input: { monitor: { warningRatio, criticalRatio, hysteresis } },
      ...(options.inspect ? { inspect: options.inspect } : {}),
    });
    this.actor.start();
    this.#monitor = this.actor.getSnapshot().children.memoryMonitor as MonitorRef;
    this.#monitor.on('alert', (alert) => this.#onAlert(alert));
    if (intervalMs > 0) {
      this.#timer = setInterval(() => this.sampleMemory(), intervalMs);
      this.#timer.unref(); // monitoring alone never keeps the process alive
    }
  }

  /**
   * Creates a buffer of the given type under this manager.
   *
   * @example
   * const pool = manager.createBuffer('blocks', BufferType.POOL, { channels: 2 }, { blocks: 16, blockFrames: 4096 });
   *
   * @param id - unique among this manager's buffers.
   * @param type - a {@link BufferType}.
   * @param config - any subset of {@link BufferConfig}.
   * @param options - per type: {@link MemoryOptions}, {@link StreamingOptions}, {@link RingOptions} or {@link PoolOptions}.
   * @throws {ManagerError} `ERR_BUFFER_EXISTS`, `ERR_UNSUPPORTED_BUFFER_TYPE`, `ERR_MANAGER_CLOSED`;
   *   {@link ConfigError}; {@link MemoryPressureError} when the budget refuses the storage.
   *   Nothing is created when it throws.
   */
  createBuffer(id: string, type: typeof BufferType.MEMORY, config?: BufferConfigInput, options?: MemoryOptions): MemoryAudioBuffer;
  createBuffer(id: string, type: typeof BufferType.POOL, config?: BufferConfigInput, options?: PoolOptions): PooledBuffer;
  createBuffer(id: string, type: typeof BufferType.RING, config?: BufferConfigInput, options?: RingOptions): RingAudioBuffer;
  createBuffer(id: string, type: typeof BufferType.STREAMING, config?: BufferConfigInput, options?: StreamingOptions): StreamingAudioBuffer;
  createBuffer(id: string, type: typeof BufferType.JETSTREAM, config: BufferConfigInput, options: JetStreamOptions): JetStreamAudioBuffer;
  createBuffer(id: string, type: BufferType, config?: BufferConfigInput, options?: AnyOptions): ManagedBuffer;
  createBuffer(id: string, type: BufferType, config: BufferConfigInput = {}, options: AnyOptions = {}): ManagedBuffer {
    this.#assertOpen();
    checkString('buffer id', id, 'argument');
    if (this.#buffers.has(id)) throw new ManagerError(ErrorCode.BUFFER_EXISTS, `a buffer with id "${id}" already exists`);
    if (!BUFFER_TYPES.includes(type)) {
      throw new ManagerError(ErrorCode.UNSUPPORTED_BUFFER_TYPE, `unknown buffer type ${show(type)}; expected one of ${BUFFER_TYPES.join(', ')}`);
    }
    if (!IMPLEMENTED.has(type)) {
      throw new ManagerError(
        ErrorCode.UNSUPPORTED_BUFFER_TYPE,
        `buffer type "${type}" is not available in this version of avbuf yet; available: ${[...IMPLEMENTED].join(', ')}`,
      );
    }
    const resolved = resolveConfig(config);
    if (resolved.bufferType !== undefined && resolved.bufferType !== type) {
      throw new ConfigError('bufferType', `config says "${resolved.bufferType}" but the buffer is created as "${type}"`);
    }
    const name = `buffer "${id}"`;
    // The structure first: if the budget refuses its storage, no actor exists yet.
    const structure =
      type === BufferType.MEMORY
        ? new MemoryBuffer(resolved, { ...(options as MemoryOptions), account: this.budget, name })
        : type === BufferType.POOL
          ? new BufferPool(resolved, { ...(options as PoolOptions), account: this.budget, name })
          : type === BufferType.RING
            ? new RingBuffer(resolved, { ...(options as RingOptions), account: this.budget, name })
            : type === BufferType.STREAMING
              ? new StreamingBuffer(resolved, { ...(options as StreamingOptions), account: this.budget, name })
              : new JetStreamBuffer(resolved, { ...(options as JetStreamOptions), account: this.budget, name });
    // What the pressure policy may take back; a ring's storage is fixed and shared, so nothing.
    const unregister =
      structure instanceof BufferPool
        ? this.budget.addReclaimer(`pool:${id}`, (needed) => structure.trimIdle(needed), POOL_RECLAIM_PRIORITY)
        : structure instanceof MemoryBuffer
          ? this.budget.addReclaimer(`memory:${id}`, () => structure.trim(), MEMORY_RECLAIM_PRIORITY)
          : () => undefined;
    this.actor.send({ type: 'buffer.spawn', id, bufferType: type });
    const children = this.actor.getSnapshot().children;
    const ref = children[id] as BufferLifecycleRef;
    const buffer =
      structure instanceof BufferPool
        ? new PooledBuffer(id, resolved, structure, ref)
        : structure instanceof MemoryBuffer
          ? new MemoryAudioBuffer(id, resolved, structure, ref)
          : structure instanceof StreamingBuffer
            ? new StreamingAudioBuffer(id, resolved, structure, ref)
            : structure instanceof JetStreamBuffer
              ? new JetStreamAudioBuffer(id, resolved, structure, ref)
              : new RingAudioBuffer(id, resolved, structure, ref, children[flowActorId(id)] as RingFlowRef);
    this.#buffers.set(id, buffer);
    this.#unregister.set(id, unregister);
    if (structure instanceof JetStreamBuffer) {
      // Active once connected and the stream exists; a failure to connect is its error state.
      structure.ready.then(
        () => {
          if (buffer.state === 'initializing') buffer._ready();
        },
        (error: unknown) => {
          if (buffer.state === 'initializing') buffer._fault(error);
        },
      );
    } else buffer._ready();
    this.#log.info({ id, type, memoryMb: structure.getMetrics().memoryUsageMb }, 'buffer created');
    this.sampleMemory();
    return buffer;
  }

  /** The buffer with this id, or undefined. */
  getBuffer(id: string): ManagedBuffer | undefined {
    return this.#buffers.get(id);
  }

  /** Ids of all buffers, in creation order. */
  bufferIds(): string[] {
    return [...this.#buffers.keys()];
  }

  /**
   * Closes the buffer (if open) and forgets it; its id can be used again.
   * @returns false when no buffer has this id.
   */
  async removeBuffer(id: string): Promise<boolean> {
    const buffer = this.#buffers.get(id);
    if (buffer === undefined) return false;
    this.#buffers.delete(id);
    try {
      await buffer.close();
    } finally {
      this.#forget(id, buffer);
    }
    this.#log.info({ id }, 'buffer removed');
    this.sampleMemory();
    return true;
  }

  /** The spec's system-wide figures. */
  getSystemMetrics(): SystemMetrics {
    const bufferTypes = Object.fromEntries(BUFFER_TYPES.map((t) => [t, 0])) as Record<BufferType, number>;
    const poolStats: Record<string, PoolStats> = {};
    for (const buffer of this.#buffers.values()) {
      bufferTypes[buffer.type] += 1;
      if (buffer instanceof PooledBuffer) poolStats[buffer.id] = buffer.stats();
    }
    return {
      totalBuffers: this.#buffers.size,
      totalMemoryMb: this.budget.usedBytes / BYTES_PER_MB,
      bufferTypes,
      poolStats,
      memoryLimitMb: this.budget.limitBytes / BYTES_PER_MB,
      peakMemoryMb: this.budget.peakBytes / BYTES_PER_MB,
      memoryLevel: this.memoryLevel,
      rssMb: process.memoryUsage.rss() / BYTES_PER_MB,
      reclaimedMb: this.budget.reclaimedBytes / BYTES_PER_MB,
      refusals: this.budget.refusals,
    };
  }

  /** The memory monitor's current level. */
  get memoryLevel(): MemoryLevel {
    return this.#monitor.getSnapshot().value;
  }

  /** Samples memory usage into the monitor now (also done on a timer); returns the level. */
  sampleMemory(): MemoryLevel {
    if (this.#closing !== undefined) return this.memoryLevel;
    this.#monitor.send({
      type: 'SAMPLE',
      usedBytes: this.budget.usedBytes,
      limitBytes: this.budget.limitBytes,
      rssBytes: process.memoryUsage.rss(),
      at: Date.now(),
    });
    return this.memoryLevel;
  }

  /**
   * Listens for memory alerts (the monitor's emitted `alert` events).
   * @returns a subscription; call `unsubscribe()` to stop.
   */
  on(type: 'alert', handler: (alert: MemoryAlert) => void): { unsubscribe(): void } {
    checkOneOf('event type', type, ['alert'], 'argument');
    const subscription = this.#alerts.subscribe(handler);
    return { unsubscribe: () => subscription.unsubscribe() };
  }

  get closed(): boolean {
    return this.#closing !== undefined;
  }

  /**
   * Opens something that lives as long as the manager and closes with it: the live inspector
   * (`manager.inspect()` is built on this), an exporter of metrics… It is closed when the
   * manager closes, after the actors stopped (so an inspector sees every buffer go).
   *
   * @example
   * // What manager.inspect() does:
   * const inspector = await manager.attach((logger) => openInspector((bus) => bus.addManager(manager), { logger }));
   *
   * @param open - called at once, with the logger the manager writes to; resolves to what it opened.
   * @returns what `open` resolved to.
   * @throws {ManagerError} `ERR_MANAGER_CLOSED` when the manager is closed, or closed while
   *   `open` ran (what it opened is then closed before this throws).
   */
  async attach<T extends ManagerAttachment>(open: (logger: Logger) => Promise<T>): Promise<T> {
    this.#assertOpen();
    const attachment = await open(this.#log);
    this.#attachments.add(attachment);
    if (this.#closing !== undefined) {
      // Closed while it was opening: the close sequence may have missed it.
      await this.#closing.catch(() => undefined);
      await attachment.close();
      throw new ManagerError(ErrorCode.MANAGER_CLOSED, 'the buffer manager is closed');
    }
    return attachment;
  }

  /**
   * Closes every buffer and stops the actors. Idempotent.
   * @throws {CloseError} `ERR_CLOSE_FAILED` when buffers failed to close cleanly (all are closed regardless).
   */
  close(): Promise<void> {
    this.#closing ??= this.#close();
    return this.#closing;
  }

  async #close(): Promise<void> {
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.actor.send({ type: 'CLOSE' });
    const buffers = [...this.#buffers];
    this.#buffers.clear();
    // Buffers close concurrently: a streaming buffer's flush need not wait for another's.
    const results = await Promise.allSettled(
      buffers.map(async ([id, buffer]) => {
        try {
          await buffer.close();
        } finally {
          this.#forget(id, buffer);
        }
      }),
    );
    const errors = results.flatMap((r) => (r.status === 'rejected' ? [r.reason as unknown] : []));
    this.actor.send({ type: 'CLOSED' });
    this.actor.stop();
    this.#alerts.complete();
    // After the actors stopped, so an inspector's pages saw every buffer go.
    await Promise.allSettled([...this.#attachments].map((attachment) => attachment.close()));
    this.#attachments.clear();
    this.#log.info({ errors: errors.length }, 'manager closed');
    if (errors.length > 0) throw new CloseError(errors, `${errors.length} buffer(s) failed to close cleanly`);
  }

  #forget(id: string, buffer: BufferActor<GatedStructure>): void {
    this.#unregister.get(id)?.();
    this.#unregister.delete(id);
    buffer._detach();
    this.actor.send({ type: 'buffer.remove', id });
  }

  #onAlert(alert: MemoryAlert): void {
    // Not `level`: pino writes its own numeric level under that key.
    const fields = { memoryLevel: alert.level, ratio: Number(alert.ratio.toFixed(3)), usedMb: alert.usedBytes / BYTES_PER_MB };
    if (alert.level === 'normal') this.#log.info(fields, 'memory back to normal');
    else this.#log.warn(fields, `memory ${alert.level}`);
    this.#alerts.next(alert);
    if (alert.level === 'critical') {
      // Pressure policy: give back idle pool blocks until usage is under the warning line.
      // Spare capacity of memory buffers is left alone here (a pre-sized buffer is about
      // to be filled); it is taken only when an allocation would otherwise be refused.
      const target = this.#warningRatio * this.budget.limitBytes;
      const freed = this.budget.reclaim(Math.max(0, this.budget.usedBytes - target), POOL_RECLAIM_PRIORITY);
      this.#log.warn({ freedMb: freed / BYTES_PER_MB }, 'memory pressure: freed idle memory');
    }
  }

  #assertOpen(): void {
    if (this.#closing !== undefined) throw new ManagerError(ErrorCode.MANAGER_CLOSED, 'the buffer manager is closed');
  }
}

let globalManager: AudioBufferManager | undefined;

/**
 * The process-wide manager, created on first use (again after it was closed).
 * @param options - used only when it is created.
 */
export function getAudioBufferManager(options?: AudioBufferManagerOptions): AudioBufferManager {
  if (globalManager === undefined || globalManager.closed) globalManager = new AudioBufferManager(options);
  return globalManager;
}

/**
 * Creates a buffer on the process-wide manager: the spec's `create_audio_buffer`.
 *
 * @example
 * const buf = createAudioBuffer('my_buffer', BufferType.MEMORY, { channels: 2 }, { size: 8192 });
 */
export function createAudioBuffer(id: string, type: typeof BufferType.MEMORY, config?: BufferConfigInput, options?: MemoryOptions): MemoryAudioBuffer;
export function createAudioBuffer(id: string, type: typeof BufferType.POOL, config?: BufferConfigInput, options?: PoolOptions): PooledBuffer;
export function createAudioBuffer(id: string, type: typeof BufferType.RING, config?: BufferConfigInput, options?: RingOptions): RingAudioBuffer;
export function createAudioBuffer(id: string, type: typeof BufferType.STREAMING, config?: BufferConfigInput, options?: StreamingOptions): StreamingAudioBuffer;
export function createAudioBuffer(id: string, type: BufferType, config?: BufferConfigInput, options?: AnyOptions): ManagedBuffer;
export function createAudioBuffer(id: string, type: BufferType, config?: BufferConfigInput, options?: AnyOptions): ManagedBuffer {
  return getAudioBufferManager().createBuffer(id, type, config, options);
}
