/**
 * The samplers' pieces that the bus tests do not reach through a manager: a delay line's
 * figures (drops summed per medium, as `avbuf delay` prints them) and the metrics message.
 */
import { describe, expect, it } from 'vitest';
import type { GstBufferStats } from '../../src/gst/manager.js';
import { dropCounts } from '../../src/gst/dropCounts.js';
import { delayLineSampler, metricsMessage } from '../../src/inspect/samplers.js';

const stats = {
  framesReceived: 300,
  framesSent: 90,
  frameBufferSize: 210,
  frameBufferCapacity: 210,
  audioBufferSize: 50,
  audioBufferCapacity: 100,
  audioChunksReceived: 1000,
  audioChunksSent: 300,
  appsrcStarved: 2,
  framesDroppedOverflow: 3,
  framesDroppedLate: 4,
  audioDroppedOverflow: 5,
  audioDroppedLate: 6,
};

describe('dropCounts', () => {
  it('sums the overflow and late drops of each medium', () => {
    expect(dropCounts(stats)).toEqual({ frames: 7, audioChunks: 11 });
  });
});

describe('delayLineSampler', () => {
  it('reports the window fill, frames sent per second and the drops summed per medium', () => {
    let current = stats;
    // What the sampler uses of a GstBufferManager: getStats, of which these fields.
    const line = { getStats: () => current as GstBufferStats };
    const sample = delayLineSampler(line);
    expect(sample(0)).toMatchObject({ fill: 1, throughput: null, unit: 'frames/s', counters: { dropped: 7, audioDropped: 11, audioFill: 0.5, starved: 2 } });
    current = { ...stats, framesSent: 120 };
    expect(sample(1000)?.throughput).toBe(30);
  });
});

describe('metricsMessage', () => {
  it('sends a fill or throughput that is not finite as null', () => {
    const message = metricsMessage('mic', { fill: Number.NaN, throughput: Number.POSITIVE_INFINITY, unit: 'frames/s', counters: { writes: 1 } });
    expect(message).toMatchObject({ t: 'metrics', id: 'mic', fill: null, throughput: null, unit: 'frames/s', counters: { writes: 1 } });
  });
});
