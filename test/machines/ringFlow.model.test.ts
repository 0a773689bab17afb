/**
 * Model-based test of the ring-flow machine: every state and transition replayed against
 * a real ring buffer under a real manager. Each model event is made real (frames written,
 * a flush, an overflowing write, a close) and then sampled into the flow actor.
 */
import { createTestModel } from 'xstate/graph';
import { describe, expect, it } from 'vitest';
import { AudioBufferManager } from '../../src/actors/manager.js';
import type { RingAudioBuffer } from '../../src/actors/ringActor.js';
import { attachRing } from '../../src/buffers/ring.js';
import { BufferType } from '../../src/core/types.js';
import { ringFlowMachine, type RingFlowContext, type RingFlowEvent } from '../../src/machines/ringFlow.js';
import { describePath, pathsCoveringEveryTransition } from '../helpers/modelPaths.js';

const CAPACITY = 8;
type Kind = 'flowing' | 'empty' | 'overrun' | 'ended';

/** The events a real ring can produce from a given context: each is one real action. */
function eventsFrom(snapshot: { context: RingFlowContext; value: unknown }): RingFlowEvent[] {
  if (snapshot.value === 'ended') return [];
  const c = snapshot.context;
  return [
    { type: 'SAMPLE', availableRead: 4, overruns: c.overruns, droppedFrames: 0, ended: false },
    { type: 'SAMPLE', availableRead: 0, overruns: c.overruns, droppedFrames: 0, ended: false },
    { type: 'SAMPLE', availableRead: CAPACITY, overruns: c.overruns + 1, droppedFrames: 0, ended: false },
    { type: 'SAMPLE', availableRead: c.availableRead, overruns: c.overruns, droppedFrames: 0, ended: true },
  ];
}

function kindOf(e: RingFlowEvent, before: RingFlowContext): Kind {
  if (e.ended) return 'ended';
  if (e.overruns > before.overruns) return 'overrun';
  return e.availableRead === 0 ? 'empty' : 'flowing';
}

describe('ring flow machine, model-based', () => {
  const serialize = (snapshot: { value: unknown }): string => JSON.stringify(snapshot.value);
  const model = createTestModel(ringFlowMachine, { input: { id: 'r' }, events: eventsFrom, serializeState: serialize });
  const paths = pathsCoveringEveryTransition(model, serialize);

  it('reaches empty, flowing, overrun and ended', () => {
    const states = model.getShortestPaths({ allowDuplicatePaths: true }).map((p) => p.state.value);
    expect(states.sort()).toEqual(['empty', 'ended', 'flowing', 'overrun']);
  });

  for (const path of paths) {
    const label = (e: RingFlowEvent): string => (e.ended ? 'end' : e.overruns > 0 && e.availableRead === CAPACITY ? 'overflow' : e.availableRead === 0 ? 'drain' : 'fill');
    it(`reaches ${describePath(path, label)}`, async () => {
      const manager = new AudioBufferManager({ monitorIntervalMs: 0 });
      const ring: RingAudioBuffer = manager.createBuffer('r', BufferType.RING, { channels: 1 }, { capacity: CAPACITY });
      // The managed end consumes; a second end (as a worker would hold) produces.
      const producer = attachRing(ring.share(), { role: 'producer' });
      let before: RingFlowContext = ring.flowActor.getSnapshot().context;
      try {
        await path.test({
          events: {
            SAMPLE: (step) => {
              const event = step.event as RingFlowEvent;
              switch (kindOf(event, before)) {
                case 'flowing':
                  ring.reset();
                  producer.write(new Float32Array(4));
                  break;
                case 'empty':
                  ring.reset();
                  break;
                case 'overrun':
                  ring.reset();
                  producer.write(new Float32Array(CAPACITY));
                  expect(producer.write(new Float32Array(1))).toBe(0); // full: one overrun
                  break;
                case 'ended':
                  void ring.close();
                  break;
              }
              ring.sampleFlow();
              before = ring.flowActor.getSnapshot().context;
            },
          },
          states: {
            empty: () => expectFlow('empty'),
            flowing: () => expectFlow('flowing'),
            overrun: () => expectFlow('overrun'),
            ended: () => {
              expectFlow('ended');
              expect(ring.state).toBe('closed');
              expect(ring.ended).toBe(true);
            },
          },
        });
      } finally {
        await manager.close();
      }
      function expectFlow(flow: string): void {
        expect(ring.flow).toBe(flow);
        const m = ring.getMetrics();
        // The actor's last sample is the ring's present: the data plane and the actor agree.
        expect(ring.flowActor.getSnapshot().context).toMatchObject({ availableRead: m.availableRead, overruns: m.overruns });
      }
    });
  }
});
