/**
 * manager.attach(): the neutral hook through which anything opened on a manager (the
 * inspector is one) closes with it, whatever the order of opening and closing.
 */
import { describe, expect, it } from 'vitest';
import { AudioBufferManager } from '../../src/actors/manager.js';
import { ErrorCode, isAvbufError } from '../../src/core/errors.js';
import type { Logger } from '../../src/core/logger.js';

/** Something that records when it was closed. */
function closable(log: string[], name: string): { close(): Promise<void> } {
  return {
    close: () => {
      log.push(`${name} closed`);
      return Promise.resolve();
    },
  };
}

describe('AudioBufferManager.attach', () => {
  it('returns what was opened, hands it the manager logger, and closes it when the manager closes, after the actors stopped', async () => {
    const manager = new AudioBufferManager({ monitorIntervalMs: 0 });
    const log: string[] = [];
    let logger: Logger | undefined;
    const opened = closable(log, 'a');
    const attached = await manager.attach((l) => {
      logger = l;
      return Promise.resolve(opened);
    });
    expect(attached).toBe(opened);
    expect(typeof logger?.info).toBe('function');
    manager.actor.subscribe({ complete: () => log.push('actors stopped') });
    await manager.close();
    expect(log).toEqual(['actors stopped', 'a closed']);
  });

  it('refuses on a closed manager without calling open', async () => {
    const manager = new AudioBufferManager({ monitorIntervalMs: 0 });
    await manager.close();
    let called = false;
    const error = await manager
      .attach(() => {
        called = true;
        return Promise.resolve(closable([], 'x'));
      })
      .catch((e: unknown) => e);
    expect(isAvbufError(error, ErrorCode.MANAGER_CLOSED)).toBe(true);
    expect(called).toBe(false);
  });

  it('closes what was opened and throws when the manager closed while it was opening', async () => {
    const manager = new AudioBufferManager({ monitorIntervalMs: 0 });
    const log: string[] = [];
    let finishOpening: () => void = () => undefined;
    const attaching = manager.attach(
      () =>
        new Promise<{ close(): Promise<void> }>((resolve) => {
          finishOpening = () => resolve(closable(log, 'late'));
        }),
    );
    const closing = manager.close();
    finishOpening();
    const error = await attaching.catch((e: unknown) => e);
    await closing;
    expect(isAvbufError(error, ErrorCode.MANAGER_CLOSED)).toBe(true);
    expect(log).toContain('late closed');
  });
});
