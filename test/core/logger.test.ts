/** The logger: silent by default; a real pino logger works as injected, with child bindings. */
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { AudioBufferManager } from '../../src/actors/manager.js';
import { silentLogger, type Logger } from '../../src/core/logger.js';
import { BufferType } from '../../src/core/types.js';

let manager: AudioBufferManager | undefined;
afterEach(async () => {
  await manager?.close();
});

function capture(): { logger: Logger; lines: Array<Record<string, unknown>> } {
  const lines: Array<Record<string, unknown>> = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const line of chunk.toString('utf8').split('\n').filter(Boolean)) lines.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  return { logger: pino({ level: 'debug' }, sink), lines };
}

describe('logger', () => {
  it('is silent by default: the silent logger accepts pino-style calls and does nothing', () => {
    expect(() => silentLogger.info({ a: 1 }, 'x')).not.toThrow();
    expect(silentLogger.child).toBeUndefined();
  });

  it('writes to a real pino logger, bound to the manager component, at the right levels', async () => {
    const { logger, lines } = capture();
    manager = new AudioBufferManager({ memoryLimitMb: 1, monitorIntervalMs: 0, logger });
    const buf = manager.createBuffer('p', BufferType.MEMORY, { channels: 1 }, { capacity: 250000 });
    buf.write(new Float32Array(250000)); // 0.95 of the budget: a critical alert
    await manager.removeBuffer('p');
    await manager.close();
    await new Promise((resolve) => setImmediate(resolve));
    const byMsg = (msg: string) => lines.find((l) => l.msg === msg);
    expect(byMsg('buffer created')).toMatchObject({ level: 30, component: 'avbuf.manager', id: 'p', type: 'memory' });
    expect(byMsg('memory critical')).toMatchObject({ level: 40, memoryLevel: 'critical', ratio: 0.954 });
    expect(byMsg('memory back to normal')).toMatchObject({ level: 30 });
    expect(byMsg('manager closed')).toMatchObject({ level: 30, errors: 0 });
  });
});
