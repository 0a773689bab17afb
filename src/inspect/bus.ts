/**
 * The inspection bus: turns XState inspection events and sampled buffer figures into the
 * inspector's wire messages (src/inspect/protocol.ts), and keeps the latest picture so a page
 * that connects late sees every actor as it is now.
 *
 * Control plane only (DESIGN.md, "Control plane and data plane"): of each inspection event it
 * reads the actor, its state value, tags and status — never the event's payload nor the
 * context wholesale, so no typed array ever reaches the wire. Metrics are polled from the
 * buffers at most 10 times a second, and only while somebody listens.
 */
import { readFileSync } from 'node:fs';
import type { AnyActorRef, InspectionEvent } from 'xstate';
import type { AudioBufferManager } from '../actors/manager.js';
import type { GstBufferManager } from '../gst/manager.js';
import { childLogger, silentLogger, type Logger } from '../core/logger.js';
import { BYTES_PER_MB } from '../core/config.js';
import type { MemoryAlert } from '../machines/memoryMonitor.js';
import { MAX_METRICS_HZ, type ServerMessage, type StateValueJson } from './protocol.js';

type ActorMessage = Extract<ServerMessage, { t: 'actor' }>;
type MetricsMessage = Extract<ServerMessage, { t: 'metrics' }>;
type AlertMessage = Extract<ServerMessage, { t: 'alert' }>;
type HelloMessage = Extract<ServerMessage, { t: 'hello' }>;
export type AlertLevel = AlertMessage['level'];

/** What a metrics sampler reports; the bus adds the id and the time. */
export interface MetricsSample {
  /** 0..1, or null where the thing has no capacity. */
  fill: number | null;
  /** Units per second since the previous sample, or null. */
  throughput: number | null;
  unit: string;
  counters: Record<string, number>;
}

/** Reads one actor's figures; `dtMs` is the time since its previous call (0 on the first). */
export type MetricsSampler = (dtMs: number) => MetricsSample | null;

/**
 * The machines the page can draw: graphs keyed by machine key, and how to find an actor's key
 * from its logic. `keyOf` returns undefined for a machine the page has no graph of (its actor
 * is still shown, with the machine's id as the key).
 */
export interface MachineCatalogue {
  /** Graph of each machine (see src/inspect/graph.ts), by machine key; sent in `hello`. */
  graphs(): Record<string, unknown>;
  keyOf(logic: unknown): string | undefined;
}

/** Something that receives every message the bus publishes. `droppable` marks metrics. */
export type BusListener = (message: ServerMessage, droppable: boolean) => void;

export interface InspectionBusOptions {
  /** The machines and their graphs (default: none, so `hello.machines` is empty). */
  catalogue?: MachineCatalogue;
  logger?: Logger;
  /** Metrics per actor per second, at most {@link MAX_METRICS_HZ} (the default). */
  metricsHz?: number;
  /** Alerts kept for a page that connects later. Default 50. */
  keepAlerts?: number;
}

/** A source of actors: a manager's actor system, a delay line, a file job… */
export interface BusSource {
  /** Stops listening to the source and removes its actors from the picture. */
  detach(): void;
}

/** How a source describes its actors (by the actor's own id) beyond what XState says. */
interface SourceHooks {
  /** Label of the source: the root actor's protocol id ('manager', 'delay-line', …). */
  label: string;
  root: AnyActorRef | undefined;
  /**
   * A metrics sampler for the actor, or undefined for none; called once, when it appears, with
   * the actor's own id and its machine's id (`buffer`, `memoryMonitor`, …).
   */
  metrics?: (actorId: string, machineId: string, ref: AnyActorRef) => MetricsSampler | undefined;
}

interface Source extends SourceHooks {
  subscriptions: (() => void)[];
  detached: boolean;
}

interface Entry {
  ref: AnyActorRef;
  source: Source;
  /** The protocol id. */
  id: string;
  /** The catalogue's key of its machine. */
  machine: string;
  /** The machine's own id (`buffer`, `ringFlow`, `delayLine`, …). */
  machineId: string;
  kind: string;
  parent: string | null;
  /** What the last 'actor' message said, to publish changes only. */
  signature: string;
  last: ActorMessage | undefined;
  sampler: MetricsSampler | undefined;
  lastSampleAt: number;
  /** Machine-specific memory for alerts (the last state value's signature, the error seen). */
  alertMemory: string;
}

/** Minimal views of XState internals the bus reads (all optional: checked at run time). */
interface SnapshotView {
  status?: unknown;
  value?: unknown;
  tags?: unknown;
  context?: unknown;
  children?: unknown;
}
interface ActorView {
  _parent?: AnyActorRef;
  logic?: { id?: unknown; root?: unknown };
}

const VERSION = ((): string => {
  try {
    return (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;
  } catch {
    return '0.0.0';
  }
})();

const KINDS: Record<string, string> = {
  bufferManager: 'manager',
  memoryMonitor: 'memory monitor',
  ringFlow: 'ring flow',
  delayLine: 'delay line',
  fileJob: 'file job',
};

/**
 * Collects what the inspector shows. Feed it with {@link addManager}, {@link addDelayLine}
 * or {@link addActor} (any XState actor system), read it with {@link picture} and
 * {@link subscribe}.
 *
 * @example
 * const bus = new InspectionBus({ catalogue: defaultCatalogue() });
 * bus.addManager(manager);
 * const stop = bus.subscribe((message) => console.log(message.t));
 */
export class InspectionBus {
  readonly startedAt = Date.now();
  readonly #catalogue: MachineCatalogue | undefined;
  readonly #log: Logger;
  readonly #periodMs: number;
  readonly #keepAlerts: number;
  readonly #entries = new Map<AnyActorRef, Entry>();
  readonly #byId = new Map<string, Entry>();
  readonly #metrics = new Map<string, MetricsMessage>();
  readonly #alerts: AlertMessage[] = [];
  readonly #listeners = new Set<BusListener>();
  readonly #labels = new Set<string>();
  readonly #sources = new Set<Source>();
  #graphs: Record<string, unknown> | undefined;
  #timer: NodeJS.Timeout | undefined;
  #nextTickAt = 0;
  #closed = false;

  constructor(options: InspectionBusOptions = {}) {
    const hz = options.metricsHz ?? MAX_METRICS_HZ;
    if (typeof hz !== 'number' || !(hz > 0 && hz <= MAX_METRICS_HZ)) {
      throw new RangeError(`metricsHz must be in (0, ${MAX_METRICS_HZ}], got ${String(hz)}`);
    }
    this.#periodMs = 1000 / hz;
    this.#keepAlerts = options.keepAlerts ?? 50;
    this.#catalogue = options.catalogue;
    this.#log = childLogger(options.logger ?? silentLogger, { component: 'avbuf.inspect' });
  }

  /** Listeners now subscribed (the sampler runs only while there is one). */
  get listenerCount(): number {
    return this.#listeners.size;
  }

  /**
   * Every message a page needs to catch up, in order: hello, each live actor, the last metrics
   * of each, the last alerts.
   */
  picture(): ServerMessage[] {
    const out: ServerMessage[] = [this.hello()];
    for (const entry of this.#entries.values()) if (entry.last) out.push(entry.last);
    for (const m of this.#metrics.values()) out.push(m);
    out.push(...this.#alerts);
    return out;
  }

  /** The hello message: version, start time, every machine's graph. */
  hello(): HelloMessage {
    this.#graphs ??= this.#catalogue?.graphs() ?? {};
    return { t: 'hello', version: VERSION, startedAt: this.startedAt, machines: this.#graphs };
  }

  /**
   * Receives every message published from now on. Metrics are sampled only while at least one
   * listener is subscribed.
   * @returns a function that unsubscribes.
   */
  subscribe(listener: BusListener): () => void {
    this.#listeners.add(listener);
    this.#startSampler();
    return () => {
      this.#listeners.delete(listener);
      if (this.#listeners.size === 0) this.#stopSampler();
    };
  }

  /**
   * Watches an {@link AudioBufferManager}: its actor system (the actors there now and every
   * later one), its buffers' metrics, its memory alerts.
   */
  addManager(manager: AudioBufferManager, label = 'manager'): BusSource {
    const source = this.#source({
      label,
      root: manager.actor,
      metrics: (actorId, machineId, ref) => {
        if (ref === manager.actor) return managerSampler(manager);
        if (machineId === 'memoryMonitor') return memorySampler(manager);
        if (machineId === 'buffer') return bufferSampler(() => manager.getBuffer(actorId));
        return undefined; // a ring's flow: its figures are the ring's
      },
    });
    this.#attachSystem(source, manager.actor);
    const subscription = manager.alerts$.subscribe((alert) => this.#memoryAlert(source, alert));
    source.subscriptions.push(() => subscription.unsubscribe());
    return { detach: () => this.#detach(source) };
  }

  /**
   * Watches a GStreamer delay line: its actor (now, or when it starts), its window's fill and
   * frames per second, its stalls and pipeline errors.
   */
  addDelayLine(line: GstBufferManager, label?: string): BusSource {
    const source = this.#source({
      label: label ?? line.actor?.id ?? 'delay-line',
      root: undefined,
      metrics: () => delayLineSampler(line),
    });
    source.subscriptions.push(line.addInspector(this.#observer(source)));
    if (line.actor !== undefined) this.#seed(source, line.actor, null);
    return { detach: () => this.#detach(source) };
  }

  /**
   * Watches any running XState actor system from its root actor (the root and every actor in
   * its system, now and later).
   * @param metrics - optional samplers by actor id.
   */
  addActor(root: AnyActorRef, label: string, metrics?: SourceHooks['metrics']): BusSource {
    const source = this.#source({ label, root, ...(metrics ? { metrics } : {}) });
    this.#attachSystem(source, root);
    return { detach: () => this.#detach(source) };
  }

  /** Publishes an alert (kept among the last ones for pages that connect later). */
  alert(source: string, level: AlertLevel, message: string): void {
    if (this.#closed) return;
    const alert: AlertMessage = { t: 'alert', source, level, message, at: Date.now() };
    this.#alerts.push(alert);
    if (this.#alerts.length > this.#keepAlerts) this.#alerts.splice(0, this.#alerts.length - this.#keepAlerts);
    this.#publish(alert, false);
  }

  /** Detaches every source, stops sampling, drops every listener. Idempotent. */
  close(): void {
    if (this.#closed) return;
    for (const source of [...this.#sources]) this.#detach(source);
    this.#closed = true;
    this.#listeners.clear();
    this.#stopSampler();
  }

  // ---- sources -------------------------------------------------------------------------

  #source(hooks: SourceHooks): Source {
    if (this.#closed) throw new Error('the inspection bus is closed');
    let label = hooks.label;
    for (let n = 2; this.#labels.has(label); n++) label = `${hooks.label}-${n}`;
    this.#labels.add(label);
    const source: Source = { ...hooks, label, subscriptions: [], detached: false };
    this.#sources.add(source);
    return source;
  }

  #attachSystem(source: Source, root: AnyActorRef): void {
    const subscription = root.system.inspect(this.#observer(source));
    source.subscriptions.push(() => subscription.unsubscribe());
    this.#seed(source, root, null);
  }

  #detach(source: Source): void {
    if (source.detached) return;
    source.detached = true;
    for (const unsubscribe of source.subscriptions) unsubscribe();
    for (const entry of [...this.#entries.values()]) if (entry.source === source) this.#remove(entry);
    this.#labels.delete(source.label);
    this.#sources.delete(source);
  }

  /** Registers `ref` and, recursively, its children as they are now. */
  #seed(source: Source, ref: AnyActorRef, parent: string | null): void {
    if (source.detached) return;
    const snapshot = ref.getSnapshot() as SnapshotView | undefined;
    if (snapshot === undefined) return;
    const entry = this.#entries.get(ref) ?? this.#register(source, ref, parent);
    if (entry === undefined) return;
    this.#onSnapshot(entry, snapshot);
    const children = snapshot.children;
    if (children !== null && typeof children === 'object') {
      for (const child of Object.values(children as Record<string, AnyActorRef | undefined>)) {
        if (child !== undefined && !this.#entries.has(child)) this.#seed(source, child, entry.id);
      }
    }
  }

  #observer(source: Source): (event: InspectionEvent) => void {
    return (event) => {
      if (source.detached) return;
      try {
        if (event.type === '@xstate.actor') {
          if (!this.#entries.has(event.actorRef as AnyActorRef)) this.#register(source, event.actorRef as AnyActorRef);
        } else if (event.type === '@xstate.snapshot') {
          const ref = event.actorRef as AnyActorRef;
          const entry = this.#entries.get(ref) ?? this.#register(source, ref);
          if (entry !== undefined) this.#onSnapshot(entry, event.snapshot);
        }
      } catch (error) {
        // Inspection must never break the system it watches.
        this.#log.error({ err: error }, 'inspector: failed to handle an inspection event');
      }
    };
  }

  /** Starts tracking an actor; undefined for actors that are not state machines. */
  #register(source: Source, ref: AnyActorRef, parentId?: string | null): Entry | undefined {
    const view = ref as unknown as ActorView;
    if (view.logic?.root === undefined) return undefined;
    const machine = this.#keyOf(ref);
    const machineId = typeof view.logic.id === 'string' ? view.logic.id : machine;
    const parentRef = view._parent;
    const parent = parentId !== undefined ? parentId : parentRef !== undefined ? (this.#entries.get(parentRef)?.id ?? null) : null;
    const id = this.#idFor(source, ref);
    const entry: Entry = {
      ref,
      source,
      id,
      machine,
      machineId,
      kind: KINDS[machineId] ?? machineId,
      parent,
      signature: '',
      last: undefined,
      sampler: source.metrics?.(ref.id, machineId, ref),
      lastSampleAt: 0,
      alertMemory: '',
    };
    this.#entries.set(ref, entry);
    this.#byId.set(id, entry);
    return entry;
  }

  #idFor(source: Source, ref: AnyActorRef): string {
    const wanted = ref === source.root || (source.root === undefined && (ref as unknown as ActorView)._parent === undefined) ? source.label : ref.id;
    if (!this.#byId.has(wanted)) return wanted;
    const prefixed = `${source.label}/${ref.id}`;
    let id = prefixed;
    for (let n = 2; this.#byId.has(id); n++) id = `${prefixed}#${n}`;
    return id;
  }

  #keyOf(ref: AnyActorRef): string {
    const logic = (ref as unknown as ActorView).logic;
    const key = this.#catalogue?.keyOf(logic);
    if (key !== undefined) return key;
    return typeof logic?.id === 'string' ? logic.id : 'unknown';
  }

  #onSnapshot(entry: Entry, snapshot: SnapshotView): void {
    const status = statusOf(snapshot.status);
    const state = stateValueJson(snapshot.value);
    const tags = snapshot.tags instanceof Set ? [...(snapshot.tags as Set<unknown>)].filter((t): t is string => typeof t === 'string').sort() : [];
    const signature = `${status}|${JSON.stringify(state)}|${tags.join(',')}`;
    if (entry.machineId === 'buffer') {
      const type = fieldOf(snapshot.context, 'bufferType');
      if (typeof type === 'string') entry.kind = `${type} buffer`;
    }
    if (signature !== entry.signature) {
      entry.signature = signature;
      entry.last = {
        t: 'actor',
        id: entry.id,
        machine: entry.machine,
        kind: entry.kind,
        parent: entry.parent,
        state,
        tags,
        status,
        at: Date.now(),
      };
      this.#publish(entry.last, false);
      this.#alertsOf(entry, snapshot, state);
    }
    if (status === 'done' || status === 'stopped') this.#remove(entry);
  }

  #remove(entry: Entry): void {
    if (this.#entries.get(entry.ref) !== entry) return;
    this.#entries.delete(entry.ref);
    this.#byId.delete(entry.id);
    this.#metrics.delete(entry.id);
    this.#publish({ t: 'removed', id: entry.id, at: Date.now() }, false);
  }

  // ---- alerts --------------------------------------------------------------------------

  /** Alerts a state change implies: a buffer's fault, a delay line's stall or error. */
  #alertsOf(entry: Entry, snapshot: SnapshotView, state: StateValueJson): void {
    const top = typeof state === 'string' ? state : (Object.keys(state)[0] ?? '');
    const before = entry.alertMemory;
    entry.alertMemory = top;
    if (top === before) return;
    if (top === 'error' && entry.machineId === 'buffer') {
      const lastError = fieldOf(snapshot.context, 'lastError');
      this.alert(entry.id, 'error', `${entry.kind} "${entry.id}" failed${typeof lastError === 'string' ? `: ${lastError}` : ''}`);
    } else if (entry.machineId === 'delayLine') {
      const error = fieldOf(snapshot.context, 'error');
      const code = fieldOf(error, 'code');
      const message = fieldOf(error, 'message');
      if (top === 'stalled') this.alert(entry.id, 'critical', `delay line "${entry.id}" stalled: emergency shutdown`);
      else if (top === 'failed') {
        this.alert(entry.id, 'error', `delay line "${entry.id}" failed${typeof message === 'string' ? `: ${typeof code === 'string' ? `${code}: ` : ''}${message}` : ''}`);
      }
    }
  }

  #memoryAlert(source: Source, alert: MemoryAlert): void {
    const level: AlertLevel = alert.level === 'normal' ? 'info' : alert.level;
    const monitor = [...this.#entries.values()].find((e) => e.source === source && e.machineId === 'memoryMonitor');
    this.alert(
      monitor?.id ?? source.label,
      level,
      `memory ${alert.previous} → ${alert.level}: ${(alert.ratio * 100).toFixed(1)} % of ${(alert.limitBytes / BYTES_PER_MB).toFixed(0)} MB`,
    );
  }

  // ---- metrics -------------------------------------------------------------------------

  #startSampler(): void {
    if (this.#timer !== undefined || this.#closed || this.#listeners.size === 0) return;
    this.#nextTickAt = performance.now() + this.#periodMs;
    this.#schedule();
  }

  #stopSampler(): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  /**
   * One timer, re-armed for the next due time: Node may fire a timer a little early by the
   * high-resolution clock, and an early tick would exceed the 10 Hz promise.
   */
  #schedule(): void {
    const wait = Math.max(0, this.#nextTickAt - performance.now());
    this.#timer = setTimeout(() => this.#tick(), Math.ceil(wait));
    this.#timer.unref(); // sampling alone never keeps the process alive
  }

  #tick(): void {
    this.#timer = undefined;
    if (this.#closed || this.#listeners.size === 0) return;
    const now = performance.now();
    if (now < this.#nextTickAt) {
      this.#schedule();
      return;
    }
    this.#nextTickAt = Math.max(this.#nextTickAt + this.#periodMs, now + this.#periodMs / 2);
    this.sample(now);
    if (this.#listeners.size > 0 && !this.#closed) this.#schedule();
  }

  /** @internal Samples every actor's metrics now (the sampler calls it; tests may too). */
  sample(now = performance.now()): void {
    for (const entry of [...this.#entries.values()]) {
      if (entry.sampler === undefined) continue;
      // Never two samples of one actor within a period, whoever calls.
      if (entry.lastSampleAt !== 0 && now - entry.lastSampleAt < this.#periodMs - 0.5) continue;
      const dt = entry.lastSampleAt === 0 ? 0 : now - entry.lastSampleAt;
      let sample: MetricsSample | null;
      try {
        sample = entry.sampler(dt);
      } catch (error) {
        this.#log.warn({ err: error, id: entry.id }, 'inspector: a metrics sampler failed; it is switched off');
        entry.sampler = undefined;
        continue;
      }
      entry.lastSampleAt = now;
      if (sample === null) continue;
      const message: MetricsMessage = {
        t: 'metrics',
        id: entry.id,
        at: Date.now(),
        fill: finiteOrNull(sample.fill),
        throughput: finiteOrNull(sample.throughput),
        unit: sample.unit,
        counters: sample.counters,
      };
      this.#metrics.set(entry.id, message);
      this.#publish(message, true);
    }
  }

  #publish(message: ServerMessage, droppable: boolean): void {
    for (const listener of this.#listeners) {
      try {
        listener(message, droppable);
      } catch (error) {
        this.#log.error({ err: error }, 'inspector: a bus listener threw');
      }
    }
  }
}

// ---- helpers -----------------------------------------------------------------------------

function statusOf(value: unknown): ActorMessage['status'] {
  return value === 'done' || value === 'error' || value === 'stopped' ? value : 'active';
}

/** A copy of a state value made of strings and plain objects only. */
export function stateValueJson(value: unknown): StateValueJson {
  if (typeof value === 'string') return value;
  if (value === null || typeof value !== 'object') return String(value);
  const out: Record<string, StateValueJson> = {};
  for (const [key, inner] of Object.entries(value as Record<string, unknown>)) out[key] = stateValueJson(inner);
  return out;
}

function fieldOf(object: unknown, key: string): unknown {
  return object !== null && typeof object === 'object' ? (object as Record<string, unknown>)[key] : undefined;
}

function finiteOrNull(value: number | null): number | null {
  return value === null || !Number.isFinite(value) ? null : value;
}

/** Rate of a counter between two samples, per second; null on the first sample. */
class Rate {
  #last = 0;
  #seen = false;
  of(total: number, dtMs: number): number | null {
    const previous = this.#last;
    const seen = this.#seen;
    this.#last = total;
    this.#seen = true;
    if (!seen || dtMs <= 0) return null;
    return Math.max(0, ((total - previous) * 1000) / dtMs);
  }
}

/** The figures of one managed buffer, whatever its type (looked up at each sample). */
function bufferSampler(find: () => ReturnType<AudioBufferManager['getBuffer']>): MetricsSampler {
  const written = new Rate();
  const read = new Rate();
  const leases = new Rate();
  return (dt) => {
    const buffer = find();
    if (buffer === undefined) return null;
    const m = buffer.getMetrics() as unknown as Record<string, unknown> & ReturnType<typeof buffer.getMetrics>;
    const open = m.state !== 'closed' && m.state !== 'closing';
    const counters: Record<string, number> = { errors: m.errorCount, writes: m.writeCount, reads: m.readCount, memoryMb: round3(m.memoryUsageMb) };
    const bytesPerFrame = Math.max(1, buffer.config.channels * 4);
    if (buffer.type === 'pool') {
      const stats = (buffer as unknown as { stats(): Record<string, number> }).stats();
      const total = stats.totalBlocks ?? 0;
      Object.assign(counters, {
        inUse: stats.inUse ?? 0,
        freeBlocks: stats.freeBlocks ?? 0,
        peakInUse: stats.peakInUse ?? 0,
        exhaustions: stats.exhaustions ?? 0,
        misses: stats.misses ?? 0,
        waiting: stats.waiting ?? 0,
      });
      return {
        fill: total > 0 ? (stats.inUse ?? 0) / total : null,
        throughput: leases.of(stats.acquires ?? 0, dt),
        unit: 'leases/s',
        counters,
      };
    }
    let fill: number | null = null;
    let framesWritten = m.bytesWritten / bytesPerFrame;
    let framesRead = m.bytesRead / bytesPerFrame;
    if (buffer.type === 'ring') {
      const capacity = num(m.capacity);
      fill = capacity > 0 ? num(m.availableRead) / capacity : null;
      framesWritten = num(m.framesWritten);
      framesRead = num(m.framesRead);
      Object.assign(counters, {
        underruns: num(m.underruns),
        overruns: num(m.overruns),
        dropped: num(m.droppedFrames),
        flushed: num(m.flushedFrames),
      });
    } else if (buffer.type === 'streaming') {
      const cacheCapacity = num(m.cacheCapacityChunks);
      fill = cacheCapacity > 0 ? num(m.cachedChunks) / cacheCapacity : null;
      Object.assign(counters, { cachedChunks: num(m.cachedChunks), dirtyChunks: num(m.dirtyChunks), spillMb: round3(num(m.spillBytes) / BYTES_PER_MB) });
    } else if (open) {
      const memory = buffer as unknown as { size(): number; capacity: number };
      const capacity = memory.capacity;
      fill = capacity > 0 ? memory.size() / capacity : null;
    }
    counters.framesWritten = framesWritten;
    counters.framesRead = framesRead;
    const w = written.of(framesWritten, dt);
    const r = read.of(framesRead, dt);
    return { fill, throughput: w === null || r === null ? null : Math.max(w, r), unit: 'frames/s', counters };
  };
}

/** The manager's memory: fill = used / limit. */
function memorySampler(manager: AudioBufferManager): MetricsSampler {
  return () => {
    const budget = manager.budget;
    return {
      fill: budget.limitBytes > 0 ? budget.usedBytes / budget.limitBytes : null,
      throughput: null,
      unit: 'MB',
      counters: {
        usedMb: round3(budget.usedBytes / BYTES_PER_MB),
        limitMb: round3(budget.limitBytes / BYTES_PER_MB),
        peakMb: round3(budget.peakBytes / BYTES_PER_MB),
        reclaimedMb: round3(budget.reclaimedBytes / BYTES_PER_MB),
        refusals: budget.refusals,
      },
    };
  };
}

/** The manager itself: how many buffers. */
function managerSampler(manager: AudioBufferManager): MetricsSampler {
  return () => ({ fill: null, throughput: null, unit: '', counters: { buffers: manager.bufferIds().length } });
}

/** A delay line: fill of the video window, frames sent per second, the spec's counters. */
function delayLineSampler(line: GstBufferManager): MetricsSampler {
  const sent = new Rate();
  return (dt) => {
    const s = line.getStats();
    return {
      fill: s.frameBufferCapacity > 0 ? s.frameBufferSize / s.frameBufferCapacity : null,
      throughput: sent.of(s.framesSent, dt),
      unit: 'frames/s',
      counters: {
        framesIn: s.framesReceived,
        framesOut: s.framesSent,
        dropped: s.framesDroppedOverflow + s.framesDroppedLate,
        audioIn: s.audioChunksReceived,
        audioOut: s.audioChunksSent,
        audioDropped: s.audioDroppedOverflow + s.audioDroppedLate,
        audioFill: s.audioBufferCapacity > 0 ? round3(s.audioBufferSize / s.audioBufferCapacity) : 0,
        starved: s.appsrcStarved,
      },
    };
  };
}

function num(value: unknown): number {
  return typeof value === 'number' && Number.isFinite(value) ? value : 0;
}

function round3(value: number): number {
  return Math.round(value * 1000) / 1000;
}
