/**
 * RingBuffer against a plain reference model (a queue of frames), single-threaded: random
 * interleavings of writes, reads, resets and bad input, under each overflow policy and at
 * capacity edge cases, with contents and counters compared after every step.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { RingBuffer, attachRing, type OverflowPolicy } from '../../src/buffers/ring.js';
import { ErrorCode } from '../../src/core/errors.js';
import { codeOf } from '../helpers/errors.js';

interface Model {
  channels: number;
  capacity: number;
  policy: OverflowPolicy;
  queue: number[][]; // frames, oldest first
  written: number;
  read: number;
  overruns: number;
  underruns: number;
  dropped: number;
  flushed: number;
  pErrors: number;
  cErrors: number;
  ended: boolean;
  next: number;
}

interface Real {
  producer: RingBuffer;
  consumer: RingBuffer;
}

function sameState(m: Model, r: Real): void {
  const metrics = r.consumer.getMetrics();
  expect(r.consumer.availableRead()).toBe(m.queue.length);
  expect(r.producer.availableWrite()).toBe(m.capacity - m.queue.length);
  expect(metrics).toMatchObject({
    framesWritten: m.written,
    framesRead: m.read,
    overruns: m.overruns,
    underruns: m.underruns,
    droppedFrames: m.dropped,
    flushedFrames: m.flushed,
    errorCount: m.pErrors + m.cErrors,
  });
  expect(r.producer.getMetrics()).toMatchObject({ framesWritten: m.written, droppedFrames: m.dropped });
}

/** Frames with unique values: frame k has samples k*8 + channel. */
function makeFrames(m: Model, count: number): number[][] {
  return Array.from({ length: count }, () => {
    const k = m.next++;
    return Array.from({ length: m.channels }, (_, ch) => k * 8 + ch);
  });
}

class WriteCmd implements fc.Command<Model, Real> {
  constructor(
    readonly count: number,
    readonly planar: boolean,
  ) {}
  check = (): boolean => true;
  run(m: Model, r: Real): void {
    const frames = makeFrames(m, this.count);
    const data = this.planar
      ? Array.from({ length: m.channels }, (_, ch) => Float32Array.from(frames, (f) => f[ch]!))
      : Float32Array.from(frames.flat());
    if (m.ended) {
      expect(codeOf(() => r.producer.write(data))).toBe(ErrorCode.BUFFER_CLOSED);
      m.pErrors++;
      return sameState(m, r);
    }
    const free = m.capacity - m.queue.length;
    let expected = frames.length;
    if (frames.length > free) {
      m.overruns++;
      if (m.policy === 'error') {
        expect(codeOf(() => r.producer.write(data))).toBe(ErrorCode.RING_OVERFLOW);
        m.pErrors++;
        return sameState(m, r);
      }
      if (m.policy === 'reject') expected = free;
    }
    expect(r.producer.write(data)).toBe(Math.min(expected, m.capacity));
    if (m.policy === 'overwrite' && frames.length > free) {
      const kept = frames.slice(-m.capacity);
      m.dropped += frames.length - kept.length;
      const overflow = m.queue.length + kept.length - m.capacity;
      if (overflow > 0) {
        m.queue.splice(0, overflow);
        m.dropped += overflow;
      }
      m.queue.push(...kept);
      m.written += kept.length;
    } else {
      m.queue.push(...frames.slice(0, expected));
      m.written += expected;
    }
    sameState(m, r);
  }
  toString = (): string => `write(${this.count}${this.planar ? ' planar' : ''})`;
}

class BadWriteCmd implements fc.Command<Model, Real> {
  constructor(readonly kind: 'misaligned' | 'int16' | 'planarChannels') {}
  check = (): boolean => true;
  run(m: Model, r: Real): void {
    const data =
      this.kind === 'misaligned'
        ? new Float32Array(m.channels + 1)
        : this.kind === 'int16'
          ? (new Int16Array(m.channels) as unknown as Float32Array)
          : Array.from({ length: m.channels + 1 }, () => new Float32Array(1));
    const code =
      this.kind === 'misaligned' && m.channels === 1
        ? null
        : this.kind === 'misaligned'
          ? ErrorCode.FRAME_MISALIGNED
          : this.kind === 'int16'
            ? ErrorCode.INVALID_AUDIO_DATA
            : ErrorCode.CHANNEL_MISMATCH;
    if (code === null) return;
    // A closed end refuses everything before it looks at the data.
    expect(codeOf(() => r.producer.write(data))).toBe(m.ended ? ErrorCode.BUFFER_CLOSED : code);
    m.pErrors++;
    sameState(m, r);
  }
  toString = (): string => `badWrite(${this.kind})`;
}

class ReadCmd implements fc.Command<Model, Real> {
  constructor(
    readonly room: number,
    readonly how: 'into' | 'planar' | 'read' | 'readAll',
  ) {}
  check = (): boolean => true;
  run(m: Model, r: Real): void {
    const ch = m.channels;
    const want = this.how === 'readAll' ? m.queue.length : this.room;
    const n = Math.min(want, m.queue.length);
    const expected = m.queue.splice(0, n);
    let got: number[][];
    if (this.how === 'planar') {
      const planes = Array.from({ length: ch }, () => new Float32Array(this.room));
      expect(r.consumer.readInto(planes)).toBe(n);
      got = Array.from({ length: n }, (_, i) => planes.map((p) => p[i]!));
    } else {
      let flat: Float32Array;
      if (this.how === 'into') {
        flat = new Float32Array(this.room * ch);
        expect(r.consumer.readInto(flat)).toBe(n);
      } else flat = r.consumer.read(this.how === 'read' ? this.room : undefined);
      got = Array.from({ length: n }, (_, i) => Array.from(flat.subarray(i * ch, (i + 1) * ch)));
      if (this.how !== 'into') expect(flat.length).toBe(n * ch);
    }
    expect(got).toEqual(expected);
    if (n < want) m.underruns++;
    m.read += n;
    sameState(m, r);
  }
  toString = (): string => `${this.how}(${this.room})`;
}

class ResetCmd implements fc.Command<Model, Real> {
  check = (): boolean => true;
  run(m: Model, r: Real): void {
    expect(r.consumer.reset()).toBe(m.queue.length);
    m.flushed += m.queue.length;
    m.queue = [];
    sameState(m, r);
  }
  toString = (): string => 'reset()';
}

class MisuseCmd implements fc.Command<Model, Real> {
  constructor(readonly kind: 'seek' | 'producerReads' | 'consumerWrites' | 'secondProducer') {}
  check = (): boolean => true;
  run(m: Model, r: Real): void {
    if (this.kind === 'seek') {
      expect(codeOf(() => r.consumer.seek(0))).toBe(ErrorCode.UNSUPPORTED_OPERATION);
      m.cErrors++;
    } else if (this.kind === 'producerReads') {
      expect(codeOf(() => r.producer.readInto(new Float32Array(m.channels)))).toBe(m.ended ? ErrorCode.BUFFER_CLOSED : ErrorCode.RING_ROLE_TAKEN);
      m.pErrors++;
    } else if (this.kind === 'consumerWrites') {
      expect(codeOf(() => r.consumer.write(new Float32Array(m.channels)))).toBe(m.ended ? ErrorCode.BUFFER_CLOSED : ErrorCode.RING_ROLE_TAKEN);
      m.cErrors++;
    } else {
      // Once the producer has closed, its role is free but the stream has ended.
      const intruder = attachRing(r.consumer.share());
      expect(codeOf(() => intruder.write(new Float32Array(m.channels)))).toBe(m.ended ? ErrorCode.BUFFER_CLOSED : ErrorCode.RING_ROLE_TAKEN);
      m.pErrors++; // counted in the shared producer-side slot
    }
    sameState(m, r);
  }
  toString = (): string => `misuse(${this.kind})`;
}

class EndCmd implements fc.Command<Model, Real> {
  check = (m: Model): boolean => !m.ended;
  run(m: Model, r: Real): void {
    // The producer ends the stream; the consumer still drains what is left.
    r.producer.close();
    m.ended = true;
    expect(r.consumer.ended).toBe(true);
    sameState(m, r);
  }
  toString = (): string => 'producer.close()';
}

const commands = [
  fc.tuple(fc.integer({ min: 0, max: 20 }), fc.boolean()).map(([n, p]) => new WriteCmd(n, p)),
  fc.constantFrom('misaligned', 'int16', 'planarChannels' as const).map((k) => new BadWriteCmd(k)),
  fc.tuple(fc.integer({ min: 0, max: 20 }), fc.constantFrom('into', 'planar', 'read', 'readAll' as const)).map(([n, h]) => new ReadCmd(n, h)),
  fc.constant(new ResetCmd()),
  fc.constantFrom('seek', 'producerReads', 'consumerWrites', 'secondProducer' as const).map((k) => new MisuseCmd(k)),
  fc.constant(new EndCmd()),
];

describe('RingBuffer against a reference model', () => {
  it('matches a queue of frames under every overflow policy and capacity, over 1,000 random interleavings', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 3 }),
        fc.constantFrom(1, 2, 3, 4, 8, 16),
        fc.constantFrom('reject', 'overwrite', 'error' as const),
        fc.commands(commands, { maxCommands: 60 }),
        (channels, askedCapacity, policy, cmds) => {
          const setup = () => {
            const producer = new RingBuffer({ channels }, { capacity: askedCapacity, overflow: policy });
            const consumer = attachRing(producer.share(), { role: 'consumer' });
            producer.write(new Float32Array(0)); // claims the producer role
            const capacity = producer.capacity;
            expect(capacity).toBe(2 ** Math.ceil(Math.log2(askedCapacity)));
            const model: Model = {
              channels,
              capacity,
              policy,
              queue: [],
              written: 0,
              read: 0,
              overruns: 0,
              underruns: 0,
              dropped: 0,
              flushed: 0,
              pErrors: 0,
              cErrors: 0,
              ended: false,
              next: 0,
            };
            return { model, real: { producer, consumer } };
          };
          fc.modelRun(setup, cmds);
        },
      ),
      { numRuns: 1000 },
    );
  });
});
