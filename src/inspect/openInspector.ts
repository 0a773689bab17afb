/**
 * Opening an inspector: a server over an inspection bus fed by one or more sources, and the
 * two shortcuts for what is inspected most, a buffer manager and a GStreamer delay line.
 */
import type { AudioBufferManager } from '../actors/manager.js';
import type { Logger } from '../core/logger.js';
import type { GstBufferManager } from '../gst/manager.js';
import { InspectionBus } from './bus.js';
import { defaultCatalogue } from './catalogue.js';
import { startInspector, type Inspector } from './server.js';

/** Options of `manager.inspect()`, {@link inspectManager}, {@link inspectDelayLine} and {@link openInspector}. */
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
 *
 * @example
 * const inspector = await openInspector((bus) => bus.addActor(myActor, 'player'));
 * console.error(inspector.url);
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
 * Opens an inspector on an {@link AudioBufferManager}: every buffer's actor (now and later)
 * with its machine and state, sampled metrics and memory alerts. It closes with the manager
 * and logs where the manager logs unless `options.logger` says otherwise.
 * `manager.inspect(options)` is the same call.
 *
 * @example
 * const inspector = await inspectManager(manager, { port: 8123 });
 * console.error(`inspector: ${inspector.url}`);
 *
 * @throws {ManagerError} `ERR_MANAGER_CLOSED` when the manager is closed (or closes while the server starts).
 */
export function inspectManager(manager: AudioBufferManager, options: InspectOptions = {}): Promise<InspectorHandle> {
  return manager.attach((logger) => openInspector((bus) => bus.addManager(manager), { logger, ...options }));
}
