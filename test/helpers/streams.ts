/** Shared by the operator tests: vitest's deep equality for runMarbles, and a recorder of drops. */
import { expect } from 'vitest';
import type { DropReason } from '../../src/streams/timed.js';
import type { TimedValue } from '../../src/testing/index.js';

/** vitest's deep equality, in the shape runMarbles takes. */
export const toEqual = (actual: unknown, expected: unknown): void => expect(actual).toEqual(expected);

/** An onDrop that records [item id, reason] in order. */
export function dropRecorder(): { drops: [string, DropReason][]; onDrop: (item: TimedValue, reason: DropReason) => void } {
  const drops: [string, DropReason][] = [];
  return { drops, onDrop: (item, reason) => void drops.push([item.id, reason]) };
}
