/**
 * The alerts the inspector derives: which state changes deserve one (a buffer's fault, a
 * delay line's stall or failure) and a memory level change, each with its level and the
 * message a person reads on the page. The inspection bus stamps and publishes them.
 */
import { BYTES_PER_MB } from '../core/config.js';
import type { MemoryAlert } from '../machines/memoryMonitor.js';
import type { ServerMessage } from './protocol.js';
import { fieldOf } from './snapshot.js';

/** How serious an alert is: `info`, `warning`, `critical` or `error`. */
export type AlertLevel = Extract<ServerMessage, { t: 'alert' }>['level'];

/** An alert before the bus stamps it with its source and time. */
export interface AlertText {
  readonly level: AlertLevel;
  readonly message: string;
}

/** The actor an alert is about, as the bus knows it. */
export interface AlertSubject {
  /** The protocol id. */
  readonly id: string;
  /** The machine's own id (`buffer`, `delayLine`, …). */
  readonly machineId: string;
  /** How the page names it (`ring buffer`, `delay line`, …). */
  readonly kind: string;
}

/**
 * The alert an actor's entering the top-level state `top` implies, or undefined: a buffer
 * entering `error` (with its last error), a delay line `stalled` or `failed` (with the error's
 * code and message). `context` is the snapshot's context, of which only those fields are read.
 */
export function stateAlert(actor: AlertSubject, top: string, context: unknown): AlertText | undefined {
  if (top === 'error' && actor.machineId === 'buffer') {
    const lastError = fieldOf(context, 'lastError');
    return { level: 'error', message: `${actor.kind} "${actor.id}" failed${typeof lastError === 'string' ? `: ${lastError}` : ''}` };
  }
  if (actor.machineId !== 'delayLine') return undefined;
  if (top === 'stalled') return { level: 'critical', message: `delay line "${actor.id}" stalled: emergency shutdown` };
  if (top !== 'failed') return undefined;
  const error = fieldOf(context, 'error');
  const code = fieldOf(error, 'code');
  const message = fieldOf(error, 'message');
  return {
    level: 'error',
    message: `delay line "${actor.id}" failed${typeof message === 'string' ? `: ${typeof code === 'string' ? `${code}: ` : ''}${message}` : ''}`,
  };
}

/** The alert of a memory level change: back to normal is `info`, else the level itself. */
export function memoryAlert(alert: MemoryAlert): AlertText {
  return {
    level: alert.level === 'normal' ? 'info' : alert.level,
    message: `memory ${alert.previous} → ${alert.level}: ${(alert.ratio * 100).toFixed(1)} % of ${(alert.limitBytes / BYTES_PER_MB).toFixed(0)} MB`,
  };
}
