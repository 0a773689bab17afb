/**
 * Bad input through the public API: each case gets a typed error with a stable code,
 * leaves the buffer's content, position, size and state as they were, and counts one error.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { AudioBufferManager } from '../../src/actors/manager.js';
import { ErrorCode } from '../../src/core/errors.js';
import { codeOf } from '../helpers/errors.js';
import { BufferType } from '../../src/core/types.js';
import type { MemoryAudioBuffer } from '../../src/actors/memoryBufferActor.js';

let manager: AudioBufferManager;
afterEach(async () => {
  await manager.close();
});

const CONTENT = Float32Array.from({ length: 32 }, (_, i) => i / 8 - 2); // 16 stereo frames

function setup(): MemoryAudioBuffer {
  manager = new AudioBufferManager({ monitorIntervalMs: 0 });
  const buf = manager.createBuffer('b', BufferType.MEMORY, { channels: 2, maxMemoryMb: 1 }, { capacity: 16 });
  buf.write(CONTENT);
  buf.seek(5);
  return buf;
}


const badCalls: Array<[string, string, (b: MemoryAudioBuffer) => unknown]> = [
  ['Int16Array data', ErrorCode.INVALID_AUDIO_DATA, (b) => b.write(new Int16Array(4) as unknown as Float32Array)],
  ['Float64Array data', ErrorCode.INVALID_AUDIO_DATA, (b) => b.write(new Float64Array(4) as unknown as Float32Array)],
  ['a plain number array', ErrorCode.INVALID_AUDIO_DATA, (b) => b.write([0.1, 0.2] as unknown as Float32Array)],
  ['a string', ErrorCode.INVALID_AUDIO_DATA, (b) => b.write('0.1' as unknown as Float32Array)],
  ['planar with a non-float channel', ErrorCode.INVALID_AUDIO_DATA, (b) => b.write([new Float32Array(2), new Int32Array(2) as unknown as Float32Array])],
  ['length not a multiple of channels', ErrorCode.FRAME_MISALIGNED, (b) => b.write(new Float32Array(5))],
  ['planar with 3 channels for 2', ErrorCode.CHANNEL_MISMATCH, (b) => b.write([new Float32Array(2), new Float32Array(2), new Float32Array(2)])],
  ['planar with 1 channel for 2', ErrorCode.CHANNEL_MISMATCH, (b) => b.write([new Float32Array(2)])],
  ['planar with ragged channels', ErrorCode.CHANNEL_MISMATCH, (b) => b.write([new Float32Array(2), new Float32Array(3)])],
  ['a write past maxMemoryMb', ErrorCode.CAPACITY, (b) => b.write(new Float32Array(2 * 131073))],
  ['seek to -1', ErrorCode.SEEK_OUT_OF_RANGE, (b) => b.seek(-1)],
  ['seek past the end', ErrorCode.SEEK_OUT_OF_RANGE, (b) => b.seek(17)],
  ['seek to a fraction', ErrorCode.SEEK_OUT_OF_RANGE, (b) => b.seek(1.5)],
  ['seek to NaN', ErrorCode.SEEK_OUT_OF_RANGE, (b) => b.seek(Number.NaN)],
  ['read of -1 frames', ErrorCode.INVALID_ARGUMENT, (b) => b.read(-1)],
  ['readInto a misaligned target', ErrorCode.FRAME_MISALIGNED, (b) => b.readInto(new Float32Array(3))],
  ['readInto a non-float target', ErrorCode.INVALID_AUDIO_DATA, (b) => b.readInto(new Uint8Array(4) as unknown as Float32Array)],
];

describe('bad input to a memory buffer', () => {
  it.each(badCalls)('rejects %s with %s and changes nothing', (_what, code, call) => {
    const buf = setup();
    const before = buf.getMetrics();
    expect(codeOf(() => call(buf))).toBe(code);
    const after = buf.getMetrics();
    expect(after.errorCount).toBe(before.errorCount + 1);
    expect(after.lastErrorCode).toBe(code);
    expect({ ...after, errorCount: 0, lastError: null, lastErrorCode: null }).toEqual({
      ...before,
      errorCount: 0,
      lastError: null,
      lastErrorCode: null,
    });
    expect(buf.state).toBe('active');
    expect(buf.tell()).toBe(5);
    expect(buf.size()).toBe(16);
    buf.seek(0);
    expect(Array.from(buf.read())).toEqual(Array.from(CONTENT));
  });

  it.each([
    ['write', (b: MemoryAudioBuffer) => b.write(new Float32Array(2))],
    ['read', (b: MemoryAudioBuffer) => b.read(1)],
    ['readInto', (b: MemoryAudioBuffer) => b.readInto(new Float32Array(2))],
    ['seek', (b: MemoryAudioBuffer) => b.seek(0)],
    ['tell', (b: MemoryAudioBuffer) => b.tell()],
    ['size', (b: MemoryAudioBuffer) => b.size()],
    ['pause', (b: MemoryAudioBuffer) => b.pause()],
    ['resume', (b: MemoryAudioBuffer) => b.resume()],
    ['recover', (b: MemoryAudioBuffer) => b.recover()],
  ])('rejects %s after close with ERR_BUFFER_CLOSED and counts it', async (_name, call) => {
    const buf = setup();
    await buf.close();
    const before = buf.getMetrics().errorCount;
    expect(codeOf(() => call(buf))).toBe(ErrorCode.BUFFER_CLOSED);
    expect(buf.getMetrics().errorCount).toBe(before + 1);
    expect(buf.state).toBe('closed');
    expect(buf.getMetrics().memoryUsageMb).toBe(0);
  });

  it('treats a second close as a no-op that resolves', async () => {
    const buf = setup();
    await buf.close();
    await expect(buf.close()).resolves.toBeUndefined();
    expect(buf.getMetrics().errorCount).toBe(0);
  });
});

describe('bad input to a pool', () => {
  it('rejects releasing a block twice with ERR_POOL_DOUBLE_RELEASE, the pool unchanged', () => {
    manager = new AudioBufferManager({ monitorIntervalMs: 0 });
    const pool = manager.createBuffer('p', BufferType.POOL, { channels: 2 }, { blocks: 2, blockFrames: 64 });
    const block = pool.acquire();
    pool.release(block);
    const before = pool.stats();
    expect(codeOf(() => pool.release(block))).toBe(ErrorCode.POOL_DOUBLE_RELEASE);
    expect(pool.stats()).toEqual(before);
    expect(pool.getMetrics().errorCount).toBe(1);
    expect(pool.getMetrics().lastErrorCode).toBe(ErrorCode.POOL_DOUBLE_RELEASE);
  });

  it('rejects a block from another pool with ERR_POOL_FOREIGN_BLOCK, both pools unchanged', () => {
    manager = new AudioBufferManager({ monitorIntervalMs: 0 });
    const a = manager.createBuffer('a', BufferType.POOL, { channels: 1 }, { blocks: 2, blockFrames: 64 });
    const b = manager.createBuffer('b', BufferType.POOL, { channels: 1 }, { blocks: 2, blockFrames: 64 });
    const fromB = b.acquire();
    const beforeA = a.stats();
    const beforeB = b.stats();
    expect(codeOf(() => a.release(fromB))).toBe(ErrorCode.POOL_FOREIGN_BLOCK);
    expect(a.stats()).toEqual(beforeA);
    expect(b.stats()).toEqual(beforeB);
    expect(a.getMetrics().errorCount).toBe(1);
    expect(b.getMetrics().errorCount).toBe(0);
    b.release(fromB); // still leased from b, so b takes it back
    expect(b.stats().inUse).toBe(0);
  });

  it('rejects acquire after close with ERR_BUFFER_CLOSED', async () => {
    manager = new AudioBufferManager({ monitorIntervalMs: 0 });
    const pool = manager.createBuffer('p', BufferType.POOL, { channels: 1 }, { blocks: 1, blockFrames: 8 });
    await pool.close();
    expect(codeOf(() => pool.acquire())).toBe(ErrorCode.BUFFER_CLOSED);
    await expect(pool.acquireAsync()).rejects.toMatchObject({ code: ErrorCode.BUFFER_CLOSED });
    expect(pool.getMetrics().errorCount).toBe(2);
  });
});
