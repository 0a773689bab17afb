/**
 * SampleTracker / HeldSample against a reference model, with real GStreamer samples
 * (Gst.Sample.new over real buffers): a released sample's buffer is swapped for the empty
 * one at once, except the one pulled last, whose release waits for the next pull; nothing is
 * released twice, nothing unreleased is touched.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { loadGst } from '../../src/gst/loader.js';
import { emptyBuffer } from '../../src/gst/pipeline.js';
import { SampleTracker, type HeldSample } from '../../src/gst/sample.js';
import type { GstBuffer, GstSample } from '../../src/gst/binding.js';

interface GstWithSample {
  Buffer: { newAllocate(allocator: null, size: number, params: null): GstBuffer };
  Sample: { 'new'(buffer: GstBuffer, caps: null, segment: null, info: null): GstSample };
}

function realSample(size: number): GstSample {
  const Gst = loadGst().Gst as unknown as GstWithSample;
  return Gst.Sample.new(Gst.Buffer.newAllocate(null, size, null), null, null, null);
}

function bufferSize(sample: GstSample): number {
  return Number(sample.getBuffer()!.getSize());
}

type Op = { kind: 'pull' } | { kind: 'release'; index: number };

describe('SampleTracker', () => {
  it('releases like the reference model: at once, or at the next pull for the last one pulled', () => {
    fc.assert(
      fc.property(
        fc.array(fc.oneof(fc.constant<Op>({ kind: 'pull' }), fc.nat(40).map<Op>((index) => ({ kind: 'release', index }))), { maxLength: 60 }),
        (ops) => {
          const tracker = new SampleTracker(emptyBuffer());
          const held: HeldSample[] = [];
          const samples: GstSample[] = [];
          // Model: which samples should have their buffer swapped by now.
          const swapped = new Set<number>();
          let deferred: number | undefined;
          const released = new Set<number>();
          for (const op of ops) {
            if (op.kind === 'pull') {
              const i = samples.length;
              const sample = realSample(16 + i);
              samples.push(sample);
              held.push(tracker.hold(sample, i * 1000, 1000, 16 + i));
              if (deferred !== undefined) {
                swapped.add(deferred);
                deferred = undefined;
              }
            } else if (held.length > 0) {
              const i = op.index % held.length;
              held[i]!.release();
              if (!released.has(i)) {
                released.add(i);
                if (i === held.length - 1) deferred = i;
                else swapped.add(i);
              }
            }
            for (let i = 0; i < samples.length; i++) {
              expect(bufferSize(samples[i]!)).toBe(swapped.has(i) ? 0 : 16 + i);
              expect(held[i]!.released).toBe(released.has(i));
              expect(held[i]!.sample === undefined).toBe(released.has(i));
            }
            expect(tracker.counts).toEqual({ pulled: samples.length, released: swapped.size });
          }
          // At stop the deferred one is forgotten, not touched (the appsink still holds it).
          tracker.flush();
          expect(tracker.counts.released).toBe(swapped.size);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('keeps the held sample\'s timing and size, and seq in pull order', () => {
    const tracker = new SampleTracker(emptyBuffer());
    const a = tracker.hold(realSample(10), 5_000_000, 33_333_333, 10);
    const b = tracker.hold(realSample(20), 38_333_333, 33_333_333, 20);
    expect([a.pts, a.duration, a.size, a.seq]).toEqual([5_000_000, 33_333_333, 10, 0]);
    expect([b.pts, b.size, b.seq]).toEqual([38_333_333, 20, 1]);
    expect(tracker.lastPts).toBe(38_333_333);
  });
});
