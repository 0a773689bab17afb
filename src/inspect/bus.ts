/**
 * The inspection bus: turns XState inspection events and sampled buffer figures into the
 * inspector's wire messages (src/inspect/protocol.ts), and keeps the latest picture so a page
 * that connects late sees every actor as it is now.
 *
 * Control plane only: of each inspection event it reads the actor, its state value, tags and
 * status — never the event's payload nor the context wholesale, so no typed array ever
 * reaches the wire (an event costs microseconds; a serialised sample array would cost the
 * data path). Metrics are polled from the actors (src/inspect/samplers.ts) at most 10 times
 * a second, and only while somebody listens.
 */
import { readFileSync } from 'node:fs';
import type { AnyActorRef, InspectionEvent } from 'xstate';
import type { AudioBufferManager } from '../actors/manager.js';
import type { GstBufferManager } from '../gst/manager.js';
import { childLogger, silentLogger, type Logger } from '../core/logger.js';
import { InspectorError } from '../core/errors.js';
import { checkNumber } from '../core/validate.js';
import { memoryAlert, stateAlert, type AlertLevel, type AlertText } from './alerts.js';
import type { MachineCatalogue } from './catalogue.js';
import { MAX_METRICS_HZ, type ServerMessage } from './protocol.js';
import { delayLineSampler, managerSamplers, metricsMessage, type MetricsSample, type MetricsSampler } from './samplers.js';
import { childrenOf, fieldOf, machineLogicOf, stateValueJson, statusOf, tagsOf, type SnapshotView } from './snapshot.js';
import { Ticker } from './ticker.js';

export type { AlertLevel } from './alerts.js';
export type { MetricsSample, MetricsSampler } from './samplers.js';

type ActorMessage = Extract<ServerMessage, { t: 'actor' }>;
type MetricsMessage = Extract<ServerMessage, { t: 'metrics' }>;
type AlertMessage = Extract<ServerMessage, { t: 'alert' }>;
type HelloMessage = Extract<ServerMessage, { t: 'hello' }>;

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
  /** The top-level state last seen, so that an alert is raised on entering a state, once. */
  lastTop: string;
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
  readonly #ticker: Ticker;
  #graphs: Record<string, unknown> | undefined;
  #closed = false;

  /** @throws {ConfigError} `ERR_INVALID_CONFIG` when `metricsHz` is not in (0, {@link MAX_METRICS_HZ}]. */
  constructor(options: InspectionBusOptions = {}) {
    const hz = checkNumber('metricsHz', options.metricsHz ?? MAX_METRICS_HZ, { min: 0, exclusive: true, max: MAX_METRICS_HZ });
    this.#periodMs = 1000 / hz;
    this.#ticker = new Ticker(this.#periodMs, (now) => this.sample(now));
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
    if (!this.#closed) this.#ticker.start();
    return () => {
      this.#listeners.delete(listener);
      if (this.#listeners.size === 0) this.#ticker.stop();
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
      metrics: managerSamplers(manager),
    });
    this.#attachSystem(source, manager.actor);
    const subscription = manager.alerts$.subscribe((alert) => {
      const monitor = [...this.#entries.values()].find((e) => e.source === source && e.machineId === 'memoryMonitor');
      this.#raise(monitor?.id ?? source.label, memoryAlert(alert));
    });
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
    this.#ticker.stop();
  }

  // ---- sources -------------------------------------------------------------------------

  #source(hooks: SourceHooks): Source {
    if (this.#closed) throw new InspectorError('the inspection bus is closed');
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
    for (const child of childrenOf(snapshot)) if (!this.#entries.has(child)) this.#seed(source, child, entry.id);
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
    const logic = machineLogicOf(ref);
    if (logic === undefined) return undefined;
    const logicId = fieldOf(logic, 'id');
    const machine = this.#catalogue?.keyOf(logic) ?? (typeof logicId === 'string' ? logicId : 'unknown');
    const machineId = typeof logicId === 'string' ? logicId : machine;
    const parentRef = ref._parent;
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
      lastTop: '',
    };
    this.#entries.set(ref, entry);
    this.#byId.set(id, entry);
    return entry;
  }

  #idFor(source: Source, ref: AnyActorRef): string {
    const wanted = ref === source.root || (source.root === undefined && ref._parent === undefined) ? source.label : ref.id;
    if (!this.#byId.has(wanted)) return wanted;
    const prefixed = `${source.label}/${ref.id}`;
    let id = prefixed;
    for (let n = 2; this.#byId.has(id); n++) id = `${prefixed}#${n}`;
    return id;
  }

  #onSnapshot(entry: Entry, snapshot: SnapshotView): void {
    const status = statusOf(snapshot.status);
    const state = stateValueJson(snapshot.value);
    const tags = tagsOf(snapshot);
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
      // An alert on entering a state, once: a change of its substates or tags raises none.
      const top = typeof state === 'string' ? state : (Object.keys(state)[0] ?? '');
      if (top !== entry.lastTop) {
        entry.lastTop = top;
        const alert = stateAlert(entry, top, snapshot.context);
        if (alert !== undefined) this.#raise(entry.id, alert);
      }
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

  #raise(source: string, { level, message }: AlertText): void {
    this.alert(source, level, message);
  }

  // ---- metrics -------------------------------------------------------------------------

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
      const message = metricsMessage(entry.id, sample);
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
