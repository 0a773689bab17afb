import { describe, expect, it } from 'vitest';
import { DEFAULT_BUFFER_CONFIG, resolveConfig } from '../../src/core/config.js';
import { ConfigError, ErrorCode } from '../../src/core/errors.js';

describe('resolveConfig', () => {
  it('fills in the spec defaults', () => {
    expect(resolveConfig()).toEqual({
      sampleRate: 44100,
      channels: 2,
      bufferSize: 1024,
      maxMemoryMb: 512,
      chunkSize: 8192,
      cacheSizeMb: 64,
      enableCompression: false,
      threadSafe: true,
    });
    expect(DEFAULT_BUFFER_CONFIG.sampleRate).toBe(44100);
  });

  it('keeps given values, ignores undefined ones, and freezes the result', () => {
    const c = resolveConfig({ sampleRate: 48000, channels: 1, bufferType: 'memory', chunkSize: undefined });
    expect(c).toMatchObject({ sampleRate: 48000, channels: 1, bufferType: 'memory', chunkSize: 8192 });
    expect(Object.isFrozen(c)).toBe(true);
  });

  it.each([
    ['sampleRate', 0],
    ['sampleRate', 44100.5],
    ['sampleRate', '44100'],
    ['channels', 0],
    ['channels', 2000],
    ['channels', Number.NaN],
    ['bufferSize', -1],
    ['bufferSize', 1.5],
    ['maxMemoryMb', 0],
    ['maxMemoryMb', Number.POSITIVE_INFINITY],
    ['chunkSize', 0],
    ['cacheSizeMb', -1],
    ['enableCompression', 'yes'],
    ['threadSafe', 1],
    ['bufferType', 'tape'],
  ])('rejects %s = %s with ERR_INVALID_CONFIG naming the field', (field, value) => {
    let error: unknown;
    try {
      resolveConfig({ [field]: value });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect(error).toMatchObject({ code: ErrorCode.INVALID_CONFIG, field });
    expect((error as Error).message).toContain(field);
  });

  it('rejects an unknown field and suggests the camelCase name of a snake_case one', () => {
    expect(() => resolveConfig({ sample_rate: 48000 } as never)).toThrow(
      expect.objectContaining({ field: 'sample_rate', message: expect.stringContaining('did you mean "sampleRate"') as string }),
    );
    expect(() => resolveConfig({ colour: 1 } as never)).toThrow(expect.objectContaining({ field: 'colour' }));
  });

  it('rejects a config that is not an object', () => {
    expect(() => resolveConfig(null as never)).toThrow(expect.objectContaining({ code: ErrorCode.INVALID_CONFIG }));
    expect(() => resolveConfig([] as never)).toThrow(expect.objectContaining({ code: ErrorCode.INVALID_CONFIG }));
  });
});
