/**
 * `manager.inspect()`: the inspector's method on every {@link AudioBufferManager}.
 *
 * The actors sit below the inspector in the layers, so src/actors/manager.ts cannot name it;
 * the manager offers a neutral hook instead (`attach`: anything opened on it closes with
 * it), and this module adds the method on top of that hook, typed by declaration merging.
 * It is loaded by src/index.ts and by avbuf/inspect, so the method is there whichever way a
 * manager is imported. It imports nothing of the inspector but types until the method is
 * called: the server (and `ws`) load on first use, as before.
 */
import { AudioBufferManager } from '../actors/manager.js';
import type { InspectOptions, InspectorHandle } from './openInspector.js';

export type { InspectOptions, InspectorHandle } from './openInspector.js';

declare module '../actors/manager.js' {
  interface AudioBufferManager {
    /**
     * Opens the live inspector on this manager: a page on 127.0.0.1 showing every buffer's
     * actor (now and later) with its machine and state, sampled metrics and memory alerts.
     * It closes with the manager. The inspector module (and `ws`) is loaded only when this
     * is called. Same as `inspectManager(manager, options)` from avbuf/inspect.
     *
     * @example
     * const inspector = await manager.inspect({ port: 8123 });
     * console.error(`inspector: ${inspector.url}`);
     *
     * @param options - `port` (default 0: a free one), `host` (default 127.0.0.1), `token`,
     *   `logger` (default: the manager's), `bus` (share another inspector's page).
     * @returns the URL to open (token included), the bus (add a delay line with
     *   `bus.addDelayLine(line)`) and `close()`.
     * @throws {ManagerError} `ERR_MANAGER_CLOSED`.
     */
    inspect(options?: InspectOptions): Promise<InspectorHandle>;
  }
}

AudioBufferManager.prototype.inspect = async function inspect(this: AudioBufferManager, options: InspectOptions = {}): Promise<InspectorHandle> {
  const { inspectManager } = await import('./openInspector.js');
  return inspectManager(this, options);
};
