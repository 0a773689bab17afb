/**
 * `manager.inspect()` for a user who imports only 'avbuf' (src/index.ts): the method is there
 * although the manager does not import the inspector, the page is served, and the inspector
 * closes with the manager; on a closed manager it rejects with ERR_MANAGER_CLOSED.
 * This file imports nothing from src/inspect/ on purpose.
 */
import { describe, expect, it } from 'vitest';
import { AudioBufferManager, BufferType, ErrorCode, isAvbufError } from '../../src/index.js';

describe('manager.inspect() from avbuf', () => {
  it('serves the inspector with its token and closes it with the manager', async () => {
    const manager = new AudioBufferManager({ monitorIntervalMs: 0 });
    manager.createBuffer('mic', BufferType.MEMORY, { channels: 1 }, { capacity: 480 });
    const inspector = await manager.inspect({ port: 0 });
    expect(inspector.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/\?token=[0-9a-f]{64}$/);
    expect((await fetch(inspector.url)).status).toBe(200);
    expect(inspector.bus.picture().some((m) => m.t === 'actor' && m.id === 'mic')).toBe(true);
    await manager.close();
    await expect(fetch(inspector.url)).rejects.toThrow();
  });

  it('rejects with ERR_MANAGER_CLOSED on a closed manager', async () => {
    const manager = new AudioBufferManager({ monitorIntervalMs: 0 });
    await manager.close();
    const error = await manager.inspect().catch((e: unknown) => e);
    expect(isAvbufError(error, ErrorCode.MANAGER_CLOSED)).toBe(true);
  });
});
