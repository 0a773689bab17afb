/**
 * Model-based test of the memory monitor: every shortest path and every transition of
 * the machine is replayed against a real manager, whose budget is set to the sampled
 * usage before `sampleMemory()`; the manager's level and its alerts must follow.
 */
import { createTestModel } from 'xstate/graph';
import { describe, expect, it } from 'vitest';
import { AudioBufferManager } from '../../src/actors/manager.js';
import { memoryMonitorMachine, type MemoryAlert, type MemoryMonitorContext, type MemoryMonitorEvent } from '../../src/machines/memoryMonitor.js';
import { describePath, pathsCoveringEveryTransition } from '../helpers/modelPaths.js';

const LIMIT = 1048576; // 1 MB
const sample = (ratio: number): MemoryMonitorEvent => ({ type: 'SAMPLE', usedBytes: Math.round(ratio * LIMIT), limitBytes: LIMIT, rssBytes: 0, at: 0 });

describe('memory monitor machine, model-based', () => {
  // Ratios chosen around the default lines (warning 0.75, critical 0.9, hysteresis 0.05).
  const events = [0.1, 0.72, 0.8, 0.88, 0.95].map(sample);
  const serialize = (snapshot: { value: unknown }): string => JSON.stringify(snapshot.value);
  const model = createTestModel(memoryMonitorMachine, { input: {}, events, serializeState: serialize });
  const paths = pathsCoveringEveryTransition(model, serialize);

  it('reaches normal, warning and critical', () => {
    const states = new Set(model.getShortestPaths({ allowDuplicatePaths: true }).map((p) => p.state.value));
    expect([...states].sort()).toEqual(['critical', 'normal', 'warning']);
  });

  for (const path of paths) {
    it(`reaches ${describePath(path, (e) => `SAMPLE(${(e.usedBytes / LIMIT).toFixed(2)})`)}`, async () => {
      const manager = new AudioBufferManager({ memoryLimitMb: 1, monitorIntervalMs: 0 });
      const alerts: MemoryAlert[] = [];
      manager.alerts$.subscribe((a) => alerts.push(a));
      let levelBefore = manager.memoryLevel;
      try {
        await path.test({
          events: {
            SAMPLE: (step) => {
              const event = step.event as MemoryMonitorEvent;
              levelBefore = manager.memoryLevel;
              manager.budget.release(manager.budget.usedBytes);
              manager.budget.reserve(event.usedBytes);
              manager.sampleMemory();
            },
          },
          states: {
            normal: () => expectLevel('normal'),
            warning: () => expectLevel('warning'),
            critical: () => expectLevel('critical'),
          },
        });
      } finally {
        await manager.close();
      }
      function expectLevel(level: string): void {
        expect(manager.memoryLevel).toBe(level);
        expect(manager.getSystemMetrics().memoryLevel).toBe(level);
        const last = alerts.at(-1);
        if (levelBefore !== level) {
          // A change of level raises exactly one alert, saying from where to where.
          expect(last).toMatchObject({ type: 'alert', level, previous: levelBefore, limitBytes: LIMIT });
          expect(last!.ratio).toBeCloseTo(manager.budget.usedBytes / LIMIT, 9);
        }
        expect(alerts.length).toBe((manager.actor.getSnapshot().children.memoryMonitor!.getSnapshot().context as MemoryMonitorContext).alerts);
      }
    });
  }
});
