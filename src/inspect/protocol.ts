/**
 * The inspector's wire protocol: every message is one msgpackr-encoded object (a binary
 * WebSocket frame) with a `t` (type) field. Plain data only: no typed arrays ever cross the
 * wire (metrics are numbers; buffer contents are never sent).
 *
 * Routes of the inspector's HTTP server (127.0.0.1 by default):
 * - `GET /?token=T` → the page (403 without the right token).
 * - `GET /assets/<file>` → the page's bundled script and style (no data in them; no token).
 * - WebSocket `GET /ws?token=T` → this protocol (refused without the right token).
 */

/** One state of a machine diagram (see src/inspect/graph.ts for the full MachineGraph). */
export type StateValueJson = string | { [key: string]: StateValueJson };

/** Server → page. */
export type ServerMessage =
  /** First message after connecting: what the server is, and every machine's graph by machine id. */
  | { t: 'hello'; version: string; startedAt: number; machines: Record<string, unknown> }
  /** An actor appeared or changed state. `machine` is a key of hello's `machines`. */
  | {
      t: 'actor';
      id: string;
      machine: string;
      /** What it is, for people: 'memory buffer', 'ring flow', 'delay line', 'manager', … */
      kind: string;
      parent: string | null;
      state: StateValueJson;
      tags: string[];
      status: 'active' | 'done' | 'error' | 'stopped';
      at: number;
    }
  /** An actor stopped and is gone (the page removes it). */
  | { t: 'removed'; id: string; at: number }
  /**
   * Sampled metrics of one actor, at most 10 Hz per actor. `fill` is 0..1 where the buffer has
   * a capacity; `throughput` is units per second (`unit` names them); counters are totals.
   */
  | {
      t: 'metrics';
      id: string;
      at: number;
      fill: number | null;
      throughput: number | null;
      unit: string;
      counters: Record<string, number>;
    }
  /** A memory alert, a stall, a pipeline error… (the page shows the last ones). */
  | { t: 'alert'; source: string; level: 'info' | 'warning' | 'critical' | 'error'; message: string; at: number };

/** Page → server. Anything else (or anything over MAX_CLIENT_MESSAGE_BYTES) is dropped and logged. */
export type ClientMessage = { t: 'ping'; at: number };

/** Largest message a client may send; bigger ones are dropped (and logged), the connection kept. */
export const MAX_CLIENT_MESSAGE_BYTES = 4096;

/** Most metrics messages per actor per second. */
export const MAX_METRICS_HZ = 10;
