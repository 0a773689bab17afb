/**
 * The metrics samplers: how the inspector turns each kind of actor's own figures into the
 * fill, throughput and counters a page shows (the table in docs/inspect.md). A buffer
 * describes itself through `figures()`, tagged by its type, so each reader below gets its
 * fields typed; the inspection bus (src/inspect/bus.ts) only schedules the samplers.
 */
import type { AnyActorRef } from 'xstate';
import type { AudioBufferManager } from '../actors/manager.js';
import type { ManagedBuffer } from '../actors/bufferActor.js';
import type { JetStreamFigures, MemoryFigures, PoolFigures, RingFigures, StreamingFigures } from '../actors/bufferFigures.js';
import { BYTES_PER_MB } from '../core/config.js';
import type { BufferMetrics } from '../core/types.js';
import { dropCounts } from '../gst/dropCounts.js';
import type { GstBufferManager } from '../gst/manager.js';
import type { ServerMessage } from './protocol.js';

/** What a metrics sampler reports; the bus adds the id and the time. */
export interface MetricsSample {
  /** 0..1, or null where the thing has no capacity. */
  fill: number | null;
  /** Units per second since the previous sample, or null. */
  throughput: number | null;
  unit: string;
  counters: Record<string, number>;
}

/** Reads one actor's figures; `dtMs` is the time since its previous call (0 on the first). */
export type MetricsSampler = (dtMs: number) => MetricsSample | null;

/** The metrics message of a sample taken now: a fill or throughput that is not finite is sent as null. */
export function metricsMessage(id: string, sample: MetricsSample): Extract<ServerMessage, { t: 'metrics' }> {
  return { t: 'metrics', id, at: Date.now(), fill: finiteOrNull(sample.fill), throughput: finiteOrNull(sample.throughput), unit: sample.unit, counters: sample.counters };
}

/**
 * The samplers of a manager's actors, chosen when each appears (by its own id and its
 * machine's id): the manager, its memory monitor, each buffer. A ring's flow actor has none:
 * its figures are the ring's.
 */
export function managerSamplers(manager: AudioBufferManager): (actorId: string, machineId: string, ref: AnyActorRef) => MetricsSampler | undefined {
  return (actorId, machineId, ref) => {
    if (ref === manager.actor) return managerSampler(manager);
    if (machineId === 'memoryMonitor') return memorySampler(manager);
    if (machineId === 'buffer') return bufferSampler(() => manager.getBuffer(actorId));
    return undefined;
  };
}

/** Rate of a running total between two samples, per second; null on the first sample. */
class Rate {
  #last = 0;
  #seen = false;
  of(total: number, dtMs: number): number | null {
    const previous = this.#last;
    const seen = this.#seen;
    this.#last = total;
    this.#seen = true;
    if (!seen || dtMs <= 0) return null;
    return Math.max(0, ((total - previous) * 1000) / dtMs);
  }
}

/** What a buffer of a frame-based type (memory, streaming, ring) shows besides the frames moved. */
interface FrameView {
  fill: number | null;
  /** Running totals of frames in and out; undefined: derived from the bytes moved. */
  frames?: { written: number; read: number };
  counters: Record<string, number>;
}

/**
 * The figures of one managed buffer, whatever its type, looked up at each sample (so a
 * buffer removed and created again under the same id is followed).
 */
export function bufferSampler(find: () => ManagedBuffer | undefined): MetricsSampler {
  const written = new Rate();
  const read = new Rate();
  const leases = new Rate();
  return (dt) => {
    const buffer = find();
    if (buffer === undefined) return null;
    const figures = buffer.figures();
    const m = figures.metrics;
    const counters: Record<string, number> = { errors: m.errorCount, writes: m.writeCount, reads: m.readCount, memoryMb: round3(m.memoryUsageMb) };
    if (figures.type === 'pool') {
      const pool = poolView(figures);
      return { fill: pool.fill, throughput: leases.of(figures.stats.acquires, dt), unit: 'leases/s', counters: { ...counters, ...pool.counters } };
    }
    const view =
      figures.type === 'ring'
        ? ringView(figures)
        : figures.type === 'streaming'
          ? streamingView(figures)
          : figures.type === 'jetstream'
            ? jetStreamView(figures)
            : memoryView(figures);
    const frames = view.frames ?? framesFromBytes(m, buffer.config.channels);
    Object.assign(counters, view.counters, { framesWritten: frames.written, framesRead: frames.read });
    const w = written.of(frames.written, dt);
    const r = read.of(frames.read, dt);
    return { fill: view.fill, throughput: w === null || r === null ? null : Math.max(w, r), unit: 'frames/s', counters };
  };
}

/** A pool: fill = blocks leased / blocks. */
function poolView({ stats }: PoolFigures): { fill: number | null; counters: Record<string, number> } {
  return {
    fill: stats.totalBlocks > 0 ? stats.inUse / stats.totalBlocks : null,
    counters: {
      inUse: stats.inUse,
      freeBlocks: stats.freeBlocks,
      peakInUse: stats.peakInUse,
      exhaustions: stats.exhaustions,
      misses: stats.misses,
      waiting: stats.waiting,
    },
  };
}

/** A ring: fill = frames readable / capacity; it counts its frames itself. */
function ringView({ metrics: m }: RingFigures): FrameView {
  return {
    fill: m.capacity > 0 ? m.availableRead / m.capacity : null,
    frames: { written: m.framesWritten, read: m.framesRead },
    counters: { underruns: m.underruns, overruns: m.overruns, dropped: m.droppedFrames, flushed: m.flushedFrames },
  };
}

/** A streaming buffer: fill = chunks cached / cache size. */
function streamingView({ metrics: m }: StreamingFigures): FrameView {
  return {
    fill: m.cacheCapacityChunks > 0 ? m.cachedChunks / m.cacheCapacityChunks : null,
    counters: { cachedChunks: m.cachedChunks, dirtyChunks: m.dirtyChunks, spillMb: round3(m.spillBytes / BYTES_PER_MB) },
  };
}

/** A jetstream buffer: fill = publishes awaiting acknowledgement / the publisher's window. */
function jetStreamView({ metrics: m }: JetStreamFigures): FrameView {
  const p = m.publisher;
  return {
    fill: p !== null && p.maxInFlight > 0 ? p.inFlight / p.maxInFlight : null,
    counters: {
      connected: m.connected ? 1 : 0,
      reconnects: m.reconnects,
      inFlight: p?.inFlight ?? 0,
      acked: p?.acked ?? 0,
      retries: p?.retries ?? 0,
      duplicatesStored: p?.duplicates ?? 0,
      delivered: m.readers.delivered,
      redelivered: m.readers.redelivered,
      duplicatesDropped: m.readers.duplicates,
      lost: m.readers.lost,
    },
  };
}

/** A memory buffer: fill = frames held / capacity (none once it closes). */
function memoryView({ capacity, size }: MemoryFigures): FrameView {
  return { fill: size !== null && capacity > 0 ? size / capacity : null, counters: {} };
}

/** Frames moved, from the bytes a buffer of 32-bit float samples counted. */
function framesFromBytes(m: BufferMetrics, channels: number): { written: number; read: number } {
  const bytesPerFrame = Math.max(1, channels * Float32Array.BYTES_PER_ELEMENT);
  return { written: m.bytesWritten / bytesPerFrame, read: m.bytesRead / bytesPerFrame };
}

/** The manager's memory: fill = used / limit. */
export function memorySampler(manager: AudioBufferManager): MetricsSampler {
  return () => {
    const budget = manager.budget;
    return {
      fill: budget.limitBytes > 0 ? budget.usedBytes / budget.limitBytes : null,
      throughput: null,
      unit: 'MB',
      counters: {
        usedMb: round3(budget.usedBytes / BYTES_PER_MB),
        limitMb: round3(budget.limitBytes / BYTES_PER_MB),
        peakMb: round3(budget.peakBytes / BYTES_PER_MB),
        reclaimedMb: round3(budget.reclaimedBytes / BYTES_PER_MB),
        refusals: budget.refusals,
      },
    };
  };
}

/** The manager itself: how many buffers. */
export function managerSampler(manager: AudioBufferManager): MetricsSampler {
  return () => ({ fill: null, throughput: null, unit: '', counters: { buffers: manager.bufferIds().length } });
}

/** A delay line: fill of the video window, frames sent per second, the spec's counters. */
export function delayLineSampler(line: Pick<GstBufferManager, 'getStats'>): MetricsSampler {
  const sent = new Rate();
  return (dt) => {
    const s = line.getStats();
    const dropped = dropCounts(s);
    return {
      fill: s.frameBufferCapacity > 0 ? s.frameBufferSize / s.frameBufferCapacity : null,
      throughput: sent.of(s.framesSent, dt),
      unit: 'frames/s',
      counters: {
        framesIn: s.framesReceived,
        framesOut: s.framesSent,
        dropped: dropped.frames,
        audioIn: s.audioChunksReceived,
        audioOut: s.audioChunksSent,
        audioDropped: dropped.audioChunks,
        audioFill: s.audioBufferCapacity > 0 ? round3(s.audioBufferSize / s.audioBufferCapacity) : 0,
        starved: s.appsrcStarved,
      },
    };
  };
}

function finiteOrNull(value: number | null): number | null {
  return value === null || !Number.isFinite(value) ? null : value;
}

function round3(value: number): number {
  return Math.round(value * 1000) / 1000;
}
