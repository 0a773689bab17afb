/**
 * avbuf/inspect: the live inspector — an inspection bus fed by the actors, a local HTTP and
 * WebSocket server, and the helpers that attach them to a manager or a delay line.
 */
import type { AnyStateMachine } from 'xstate';
import type { AudioBufferManager } from '../actors/manager.js';
import type { GstBufferManager } from '../gst/manager.js';
import type { Logger } from '../core/logger.js';
import { InspectionBus, type MachineCatalogue } from './bus.js';
import { machineGraph } from './graph.js';
import { ALL_MACHINES } from './machines.js';
import { startInspector, type Inspector } from './server.js';

export {
  InspectionBus,
  type AlertLevel,
  type BusListener,
  type BusSource,
  type InspectionBusOptions,
  type MachineCatalogue,
  type MetricsSample,
  type MetricsSampler,
} from './bus.js';
export { stateValueJson } from './snapshot.js';
export { startInspector, findPageDir, WS_MAX_PAYLOAD_BYTES, type Inspector, type InspectorOptions } from './server.js';
export { trackFileJob, type FileJobTracker } from './fileJob.js';
export { fileJobMachine, type FileJobEvent } from '../machines/fileJob.js';
export {
  MAX_CLIENT_MESSAGE_BYTES,
  MAX_METRICS_HZ,
  type ClientMessage,
  type ServerMessage,
  type StateValueJson,
} from './protocol.js';

/**
 * Every avbuf machine, keyed by the machine's id: `buffer`,
 * `bufferManager`, `memoryMonitor`, `ringFlow`, `delayLine`, `fileJob`. Graphs are drawn once,
 * when the first page connects.
 */
export function defaultCatalogue(): MachineCatalogue {
  const machines: AnyStateMachine[] = ALL_MACHINES.map((m) => m.machine);
  const ids = new Set(machines.map((m) => m.id));
  let graphs: Record<string, unknown> | undefined;
  return {
    graphs: () => (graphs ??= Object.fromEntries(machines.map((m) => [m.id, machineGraph(m)]))),
    // By id, not identity: a machine given its actions with `provide()` (the delay line's) is a new object.
    keyOf: (logic) => {
      const id = (logic as { id?: unknown } | undefined)?.id;
      return typeof id === 'string' && ids.has(id) ? id : undefined;
    },
  };
}

/** Options of `manager.inspect()`, {@link inspectDelayLine} and {@link openInspector}. */
export interface InspectOptions {
  /** TCP port; 0 (the default) picks a free one. */
  port?: number;
  /** Interface; default 127.0.0.1 (anything else is logged as a warning). */
  host?: string;
  /** Access token; default 32 random bytes (hex). */
  token?: string;
  logger?: Logger;
  /** Add to this bus (another inspector's) instead of a new one. */
  bus?: InspectionBus;
}

/** A running inspector with its bus: add more sources to the same page through `bus`. */
export interface InspectorHandle extends Inspector {
  readonly bus: InspectionBus;
}

/**
 * Starts an inspector over a new bus (or `options.bus`) fed by `attach`; closing it detaches
 * the sources and, if the bus was made here, closes the bus.
 */
export async function openInspector(
  attach: (bus: InspectionBus) => (() => void) | { detach(): void },
  options: InspectOptions = {},
): Promise<InspectorHandle> {
  const own = options.bus === undefined;
  const bus = options.bus ?? new InspectionBus({ catalogue: defaultCatalogue(), ...(options.logger ? { logger: options.logger } : {}) });
  const attached = attach(bus);
  const detach = typeof attached === 'function' ? attached : () => attached.detach();
  let server: Inspector;
  try {
    server = await startInspector({
      bus,
      ...(options.port !== undefined ? { port: options.port } : {}),
      ...(options.host !== undefined ? { host: options.host } : {}),
      ...(options.token !== undefined ? { token: options.token } : {}),
      ...(options.logger !== undefined ? { logger: options.logger } : {}),
    });
  } catch (error) {
    detach();
    if (own) bus.close();
    throw error;
  }
  let closing: Promise<void> | undefined;
  return {
    bus,
    url: server.url,
    port: server.port,
    host: server.host,
    token: server.token,
    get clients() {
      return server.clients;
    },
    address: () => server.address(),
    close: () =>
      (closing ??= server.close().finally(() => {
        detach();
        if (own) bus.close();
      })),
  };
}

/**
 * Opens an inspector on a GStreamer delay line (before or after it starts).
 *
 * @example
 * const line = createDelayLine({ source: 'test' });
 * const inspector = await inspectDelayLine(line.manager);
 * console.error(inspector.url);
 * line.manager.start();
 */
export function inspectDelayLine(line: GstBufferManager, options: InspectOptions = {}): Promise<InspectorHandle> {
  return openInspector((bus) => bus.addDelayLine(line), options);
}

/**
 * Opens an inspector on an {@link AudioBufferManager}; `manager.inspect()` calls this.
 * Prefer `manager.inspect()`, which also closes the inspector with the manager.
 */
export function inspectManager(manager: AudioBufferManager, options: InspectOptions = {}): Promise<InspectorHandle> {
  return openInspector((bus) => bus.addManager(manager), options);
}
