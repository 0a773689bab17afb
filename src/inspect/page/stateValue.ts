/**
 * An actor's state value (`'paused'`, `{ playing: 'flowing' }`) as the page shows it: the
 * paths of its active leaves, and every active state with its ancestors, for lighting the
 * diagram. No DOM here.
 */
import type { StateValueJson } from '../protocol.js';

/** Paths of the active leaves: `{ playing: 'flowing' }` → `['playing.flowing']`. */
export function leafPaths(value: StateValueJson, prefix = ''): string[] {
  const join = (key: string): string => (prefix === '' ? key : `${prefix}.${key}`);
  if (typeof value === 'string') return [join(value)];
  const out: string[] = [];
  for (const [key, child] of Object.entries(value)) {
    const below = leafPaths(child, join(key));
    // An empty object is a compound state with no active child yet: the key itself is the leaf.
    out.push(...(below.length > 0 ? below : [join(key)]));
  }
  return out;
}

/** Every active state: each leaf with all of its ancestors (`playing`, `playing.flowing`). */
export function activePaths(value: StateValueJson): Set<string> {
  const out = new Set<string>();
  for (const leaf of leafPaths(value)) {
    const parts = leaf.split('.');
    for (let i = 1; i <= parts.length; i++) out.add(parts.slice(0, i).join('.'));
  }
  return out;
}

/** The value as one attribute: leaves joined by ',' (one leaf unless states are parallel). */
export const stateText = (value: StateValueJson): string => leafPaths(value).join(',');
