/**
 * What the inspector throws is an AvbufError with a code: a bad option (ERR_INVALID_CONFIG)
 * or a source added to a closed bus (ERR_INSPECTOR_CLOSED).
 */
import { describe, expect, it } from 'vitest';
import { createActor, createMachine } from 'xstate';
import { ErrorCode, isAvbufError } from '../../src/core/errors.js';
import { InspectionBus, MAX_METRICS_HZ, startInspector } from '../../src/inspect/index.js';

const codeOf = (run: () => unknown): unknown => {
  try {
    run();
  } catch (error) {
    return isAvbufError(error) ? error.code : error;
  }
  return 'nothing thrown';
};

describe('inspector errors', () => {
  it(`refuses metricsHz outside (0, ${MAX_METRICS_HZ}] with ERR_INVALID_CONFIG naming the field`, () => {
    for (const metricsHz of [0, -1, MAX_METRICS_HZ + 1, Number.NaN]) expect(codeOf(() => new InspectionBus({ metricsHz }))).toBe(ErrorCode.INVALID_CONFIG);
    expect(() => new InspectionBus({ metricsHz: 0 })).toThrow(/metricsHz/);
    expect(new InspectionBus({ metricsHz: MAX_METRICS_HZ }).listenerCount).toBe(0);
  });

  it('refuses a source added after close with ERR_INSPECTOR_CLOSED', () => {
    const bus = new InspectionBus();
    bus.close();
    const actor = createActor(createMachine({ id: 'idle', initial: 'a', states: { a: {} } })).start();
    expect(codeOf(() => bus.addActor(actor, 'idle'))).toBe(ErrorCode.INSPECTOR_CLOSED);
    actor.stop();
  });

  it('refuses a token shorter than 16 characters with ERR_INVALID_CONFIG, without showing it', async () => {
    const error = await startInspector({ bus: new InspectionBus(), token: 'short-secret' }).catch((e: unknown) => e);
    expect(isAvbufError(error, ErrorCode.INVALID_CONFIG)).toBe(true);
    expect((error as Error).message).not.toContain('short-secret');
  });

});
