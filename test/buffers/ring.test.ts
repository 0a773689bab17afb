/** RingBuffer behaviours the model and stress tests do not pin. */
import { describe, expect, it } from 'vitest';
import { RingBuffer, attachRing } from '../../src/buffers/ring.js';
import { ErrorCode } from '../../src/core/errors.js';
import { codeOf } from '../helpers/errors.js';

/**
 * Forces one interleaving on one thread: the producer's last write and close land just
 * after the consumer found the ring empty. (A thread race cannot be scheduled on demand;
 * this hook on the consumer's own look at the ring stands in for it.)
 */
function lastWriteRacesTheEnd(): { consumer: RingBuffer } {
  const consumer = new RingBuffer({ channels: 1 }, { capacity: 8 });
  const producer = attachRing(consumer.share(), { role: 'producer' });
  let fired = false;
  consumer.availableRead = function (this: RingBuffer): number {
    const available = RingBuffer.prototype.availableRead.call(this);
    if (!fired && available === 0) {
      fired = true;
      producer.write(new Float32Array([42]));
      producer.close();
    }
    return available;
  };
  return { consumer };
}

describe('RingBuffer', () => {
  it('regression: readBlocking drains a last write that lands just before the end instead of returning 0', () => {
    const { consumer } = lastWriteRacesTheEnd();
    const out = new Float32Array(1);
    expect(consumer.readBlocking(out, 1000)).toBe(1);
    expect(out[0]).toBe(42);
    expect(consumer.readBlocking(out, 1000)).toBe(0);
  });

  it('regression: readAsync drains a last write that lands just before the end instead of returning 0', async () => {
    const { consumer } = lastWriteRacesTheEnd();
    const out = new Float32Array(1);
    expect(await consumer.readAsync(out, { timeoutMs: 1000 })).toBe(1);
    expect(out[0]).toBe(42);
  });

  it('counts a bad timeout on the side that asked', () => {
    const consumer = new RingBuffer({ channels: 1 }, { capacity: 8 });
    const producer = attachRing(consumer.share(), { role: 'producer' });
    expect(codeOf(() => producer.writeBlocking(new Float32Array(1), -1))).toBe(ErrorCode.INVALID_ARGUMENT);
    expect(codeOf(() => consumer.readBlocking(new Float32Array(1), Number.NaN))).toBe(ErrorCode.INVALID_ARGUMENT);
    expect(producer.getMetrics().errorCount).toBe(2);
  });

  it('refuses bad options with typed errors', () => {
    expect(codeOf(() => new RingBuffer({ channels: 2 }, { capacity: 0 }))).toBe(ErrorCode.INVALID_ARGUMENT);
    expect(codeOf(() => new RingBuffer({ channels: 2 }, { overflow: 'drop' as never }))).toBe(ErrorCode.INVALID_ARGUMENT);
    expect(codeOf(() => new RingBuffer({ channels: 2, maxMemoryMb: 1 }, { capacity: 1 << 20 }))).toBe(ErrorCode.CAPACITY);
  });

  it('writeBlocking under the error policy waits for room for the whole chunk, then throws ERR_RING_OVERFLOW at its timeout', () => {
    const ring = new RingBuffer({ channels: 1 }, { capacity: 4, overflow: 'error' });
    const consumer = attachRing(ring.share(), { role: 'consumer' });
    expect(ring.writeBlocking(new Float32Array(3), 10)).toBe(3);
    expect(codeOf(() => ring.writeBlocking(new Float32Array(2), 10))).toBe(ErrorCode.RING_OVERFLOW);
    expect(consumer.availableRead()).toBe(3); // nothing of the refused chunk went in
    expect(codeOf(() => ring.writeBlocking(new Float32Array(5), 10))).toBe(ErrorCode.RING_OVERFLOW); // never fits
  });
});
