/**
 * Reading actors and snapshots as the inspection bus receives them: from any XState actor
 * system, a user's included, so nothing is assumed — every field is checked at run time,
 * and only the few the page shows are read (never an event's payload nor a whole context).
 */
import type { AnyActorRef } from 'xstate';
import type { ServerMessage, StateValueJson } from './protocol.js';

/** The parts of a snapshot the bus reads, all optional: checked where they are used. */
export interface SnapshotView {
  status?: unknown;
  value?: unknown;
  tags?: unknown;
  context?: unknown;
  children?: unknown;
}

/** An actor's status as the protocol says it: anything but done, error or stopped is active. */
export function statusOf(value: unknown): Extract<ServerMessage, { t: 'actor' }>['status'] {
  return value === 'done' || value === 'error' || value === 'stopped' ? value : 'active';
}

/** A copy of a state value made of strings and plain objects only. */
export function stateValueJson(value: unknown): StateValueJson {
  if (typeof value === 'string') return value;
  if (value === null || typeof value !== 'object') return String(value);
  const out: Record<string, StateValueJson> = {};
  for (const [key, inner] of Object.entries(value)) out[key] = stateValueJson(inner);
  return out;
}

/** The string tags of a snapshot, sorted. */
export function tagsOf(snapshot: SnapshotView): string[] {
  return snapshot.tags instanceof Set ? [...(snapshot.tags as Set<unknown>)].filter((t): t is string => typeof t === 'string').sort() : [];
}

/** The actors among a snapshot's children. */
export function childrenOf(snapshot: SnapshotView): AnyActorRef[] {
  const children = snapshot.children;
  if (children === null || typeof children !== 'object') return [];
  return Object.values(children as Record<string, AnyActorRef | undefined>).filter((child) => child !== undefined);
}

/** `object[key]` when `object` is an object, else undefined. */
export function fieldOf(object: unknown, key: string): unknown {
  return object !== null && typeof object === 'object' ? (object as Record<string, unknown>)[key] : undefined;
}

/** The logic of an actor that runs a state machine (it has a root state node), else undefined. */
export function machineLogicOf(ref: AnyActorRef): object | undefined {
  const logic = 'logic' in ref ? ref.logic : undefined;
  return logic !== null && typeof logic === 'object' && 'root' in logic && logic.root !== undefined ? logic : undefined;
}
