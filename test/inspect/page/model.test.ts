/**
 * The inspector page's DOM-free parts, in Node: state values, message checks, the metric
 * series behind the sparklines, and number formats.
 */
import { describe, expect, it } from 'vitest';
import { formatDuration, formatNumber, formatPercent, formatRate } from '../../../src/inspect/page/format.js';
import { readMessage } from '../../../src/inspect/page/messages.js';
import { Series, WINDOW_MS } from '../../../src/inspect/page/series.js';
import { activePaths, leafPaths, stateText } from '../../../src/inspect/page/stateValue.js';

describe('state values', () => {
  it('lights a nested leaf and every state above it', () => {
    expect(leafPaths({ playing: 'flowing' })).toEqual(['playing.flowing']);
    expect([...activePaths({ playing: 'flowing' })]).toEqual(['playing', 'playing.flowing']);
    expect(stateText('paused')).toBe('paused');
  });

  it('lists every region of a parallel state, and a compound with no active child as a leaf', () => {
    const value = { audio: 'idle', video: { on: 'hd' }, pending: {} };
    expect(stateText(value)).toBe('audio.idle,video.on.hd,pending');
    expect([...activePaths(value)].sort()).toEqual(['audio', 'audio.idle', 'pending', 'video', 'video.on', 'video.on.hd']);
  });
});

describe('readMessage', () => {
  it('accepts each server message and fills what a sender left out', () => {
    expect(readMessage({ t: 'actor', id: 'mic', machine: 'buffer', kind: 'memory buffer', parent: 'manager', state: 'active', tags: ['open', 3], status: 'active', at: 5 })).toEqual({
      t: 'actor',
      id: 'mic',
      machine: 'buffer',
      kind: 'memory buffer',
      parent: 'manager',
      state: 'active',
      tags: ['open'],
      status: 'active',
      at: 5,
    });
    expect(readMessage({ t: 'metrics', id: 'mic', at: 1, fill: Number.NaN, throughput: 10, unit: 'frames', counters: { dropped: 2, bad: 'x' } })).toEqual({
      t: 'metrics',
      id: 'mic',
      at: 1,
      fill: null,
      throughput: 10,
      unit: 'frames',
      counters: { dropped: 2 },
    });
    expect(readMessage({ t: 'removed', id: 'mic', at: 2 })).toEqual({ t: 'removed', id: 'mic', at: 2 });
    expect(readMessage({ t: 'alert', source: 'm', level: 'loud', message: 'x', at: 3 })).toMatchObject({ level: 'info', message: 'x' });
  });

  it('ignores what is not a message the page knows', () => {
    expect(readMessage(null)).toBeNull();
    expect(readMessage([1, 2])).toBeNull();
    expect(readMessage({ t: 'nope' })).toBeNull();
    expect(readMessage({ t: 'actor', id: 'x', state: 7 })).toBeNull();
    expect(readMessage({ t: 'actor', id: 'x', state: { a: 1 } })).toBeNull();
    expect(readMessage({ t: 'removed' })).toBeNull();
  });
});

describe('Series', () => {
  it('keeps the last minute and draws it with now at the right edge', () => {
    const series = new Series();
    series.push(0, 0.5);
    series.push(30_000, 1);
    series.push(30_000, null);
    expect(series.length).toBe(2);
    expect(series.path(60_000, 120, 10, 1)).toBe('M0.0,5.0L60.0,0.0');
    expect(series.path(60_000, 120, 10, 1, true)).toBe('M0.0,5.0L60.0,0.0L60.0,10L0.0,10Z');
    series.push(WINDOW_MS + 1, 0.25);
    expect(series.length).toBe(2);
    expect(series.last).toBe(0.25);
    expect(series.max).toBe(1);
  });
});

describe('formats', () => {
  it('prints counters, rates, ratios and durations for people', () => {
    expect(formatNumber(1234)).toBe('1,234');
    expect(formatNumber(2_400_000)).toBe('2.4M');
    expect(formatNumber(3.14159)).toBe('3.14');
    expect(formatRate(48_000, 'frames')).toBe('48,000 frames/s');
    expect(formatRate(30, 'frames/s')).toBe('30 frames/s');
    expect(formatRate(null, 'frames')).toBe('—');
    expect(formatPercent(0.375)).toBe('38 %');
    expect(formatPercent(0.025)).toBe('2.5 %');
    expect(formatDuration(252_000)).toBe('4 min 12 s');
  });
});
