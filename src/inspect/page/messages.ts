/**
 * Checks a decoded frame against the wire protocol (src/inspect/protocol.ts) before the page
 * uses it: a message of an unknown type or with a missing field is ignored, not trusted.
 * No DOM here.
 */
import type { ServerMessage, StateValueJson } from '../protocol.js';

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
const isStateValue = (value: unknown): value is StateValueJson =>
  typeof value === 'string' || (isRecord(value) && Object.values(value).every(isStateValue));
const num = (value: unknown, fallback: number): number => (typeof value === 'number' && Number.isFinite(value) ? value : fallback);
const numOrNull = (value: unknown): number | null => (typeof value === 'number' && Number.isFinite(value) ? value : null);

const STATUSES = new Set(['active', 'done', 'error', 'stopped']);
const LEVELS = new Set(['info', 'warning', 'critical', 'error']);

/** The message, normalised, or null when it is not one the page understands. */
export function readMessage(raw: unknown): ServerMessage | null {
  if (!isRecord(raw) || typeof raw.t !== 'string') return null;
  const at = num(raw.at, Date.now());
  switch (raw.t) {
    case 'hello':
      return {
        t: 'hello',
        version: typeof raw.version === 'string' ? raw.version : '?',
        startedAt: num(raw.startedAt, Date.now()),
        machines: isRecord(raw.machines) ? raw.machines : {},
      };
    case 'actor': {
      if (typeof raw.id !== 'string' || !isStateValue(raw.state)) return null;
      const status = typeof raw.status === 'string' && STATUSES.has(raw.status) ? (raw.status as 'active') : 'active';
      return {
        t: 'actor',
        id: raw.id,
        machine: typeof raw.machine === 'string' ? raw.machine : '',
        kind: typeof raw.kind === 'string' ? raw.kind : '',
        parent: typeof raw.parent === 'string' ? raw.parent : null,
        state: raw.state,
        tags: Array.isArray(raw.tags) ? raw.tags.filter((t): t is string => typeof t === 'string') : [],
        status,
        at,
      };
    }
    case 'removed':
      return typeof raw.id === 'string' ? { t: 'removed', id: raw.id, at } : null;
    case 'metrics': {
      if (typeof raw.id !== 'string') return null;
      const counters: Record<string, number> = {};
      if (isRecord(raw.counters)) for (const [k, v] of Object.entries(raw.counters)) if (typeof v === 'number' && Number.isFinite(v)) counters[k] = v;
      return {
        t: 'metrics',
        id: raw.id,
        at,
        fill: numOrNull(raw.fill),
        throughput: numOrNull(raw.throughput),
        unit: typeof raw.unit === 'string' ? raw.unit : '',
        counters,
      };
    }
    case 'alert': {
      const level = typeof raw.level === 'string' && LEVELS.has(raw.level) ? (raw.level as 'info') : 'info';
      return {
        t: 'alert',
        source: typeof raw.source === 'string' ? raw.source : '',
        level,
        message: typeof raw.message === 'string' ? raw.message : String(raw.message),
        at,
      };
    }
    default:
      return null;
  }
}
