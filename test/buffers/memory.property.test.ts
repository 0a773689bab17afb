/**
 * MemoryBuffer against a plain reference model: 1,000 random operation sequences, bad
 * inputs mixed in, with position, size, capacity, data and metrics compared after every step.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MemoryBuffer } from '../../src/buffers/memory.js';
import { BYTES_PER_MB } from '../../src/core/config.js';
import { ErrorCode } from '../../src/core/errors.js';
import { expectCode } from '../helpers/errors.js';

interface Model {
  channels: number;
  maxFrames: number;
  capacity: number;
  data: number[];
  pos: number;
  reads: number;
  writes: number;
  bytesRead: number;
  bytesWritten: number;
  errors: number;
  lastErrorCode: string | null;
  closed: boolean;
}

type Real = MemoryBuffer;

function sameState(model: Model, real: Real): void {
  const m = real.getMetrics();
  expect(m.readCount).toBe(model.reads);
  expect(m.writeCount).toBe(model.writes);
  expect(m.bytesRead).toBe(model.bytesRead);
  expect(m.bytesWritten).toBe(model.bytesWritten);
  expect(m.errorCount).toBe(model.errors);
  expect(m.lastErrorCode).toBe(model.lastErrorCode);
  expect(m.state).toBe(model.closed ? 'closed' : 'active');
  if (model.closed) {
    expect(m.memoryUsageMb).toBe(0);
    return;
  }
  expect(m.memoryUsageMb).toBe((model.capacity * model.channels * 4) / BYTES_PER_MB);
  expect(real.capacity).toBe(model.capacity);
  expect(real.tell()).toBe(model.pos);
  expect(real.size()).toBe(model.data.length / model.channels);
}

const closedCode = (model: Model): string | undefined => (model.closed ? ErrorCode.BUFFER_CLOSED : undefined);

class WriteCmd implements fc.Command<Model, Real> {
  constructor(
    readonly samples: number[],
    readonly planar: boolean,
  ) {}
  check = (): boolean => true;
  run(model: Model, real: Real): void {
    const ch = model.channels;
    const frames = Math.floor(this.samples.length / ch);
    const interleaved = Float32Array.from(this.samples.slice(0, frames * ch));
    const data = this.planar
      ? Array.from({ length: ch }, (_, c) => Float32Array.from({ length: frames }, (_x, i) => interleaved[i * ch + c]!))
      : interleaved;
    const end = model.pos + frames;
    const code =
      closedCode(model) ?? (end > model.capacity && end > model.maxFrames ? ErrorCode.CAPACITY : undefined);
    if (code !== undefined) return expectCode(() => real.write(data), code, model);
    expect(real.write(data)).toBe(frames);
    if (end > model.capacity) model.capacity = Math.min(model.maxFrames, Math.max(end, model.capacity * 2));
    for (let i = 0; i < frames * ch; i++) model.data[model.pos * ch + i] = interleaved[i]!;
    model.pos = end;
    model.writes++;
    model.bytesWritten += frames * ch * 4;
    sameState(model, real);
  }
  toString = (): string => `write(${this.planar ? 'planar ' : ''}${this.samples.length} samples)`;
}

class BadWriteCmd implements fc.Command<Model, Real> {
  constructor(readonly kind: 'int16' | 'array' | 'misaligned' | 'wrongChannels' | 'ragged' | 'null') {}
  check = (): boolean => true;
  run(model: Model, real: Real): void {
    const ch = model.channels;
    let data: unknown;
    let code: string = ErrorCode.INVALID_AUDIO_DATA;
    switch (this.kind) {
      case 'int16':
        data = new Int16Array(ch * 2);
        break;
      case 'array':
        data = Array.from({ length: ch }, () => [0, 1]);
        break;
      case 'null':
        data = null;
        break;
      case 'misaligned':
        if (ch === 1) return;
        data = new Float32Array(ch * 3 + 1);
        code = ErrorCode.FRAME_MISALIGNED;
        break;
      case 'wrongChannels':
        data = Array.from({ length: ch + 1 }, () => new Float32Array(4));
        code = ErrorCode.CHANNEL_MISMATCH;
        break;
      case 'ragged':
        if (ch === 1) return;
        data = Array.from({ length: ch }, (_, c) => new Float32Array(4 + c));
        code = ErrorCode.CHANNEL_MISMATCH;
        break;
    }
    expectCode(() => real.write(data as Float32Array), closedCode(model) ?? code, model);
    sameState(model, real);
  }
  toString = (): string => `badWrite(${this.kind})`;
}

class ReadCmd implements fc.Command<Model, Real> {
  constructor(readonly frames: number | undefined) {}
  check = (): boolean => true;
  run(model: Model, real: Real): void {
    const ch = model.channels;
    const bad = this.frames !== undefined && (!Number.isInteger(this.frames) || this.frames < 0);
    const code = closedCode(model) ?? (bad ? ErrorCode.INVALID_ARGUMENT : undefined);
    if (code !== undefined) {
      expectCode(() => real.read(this.frames), code, model);
      return sameState(model, real);
    }
    const size = model.data.length / ch;
    const n = Math.min(this.frames ?? size - model.pos, size - model.pos);
    const out = real.read(this.frames);
    expect(Array.from(out)).toEqual(model.data.slice(model.pos * ch, (model.pos + n) * ch));
    model.pos += n;
    model.reads++;
    model.bytesRead += n * ch * 4;
    sameState(model, real);
  }
  toString = (): string => `read(${this.frames})`;
}

class ReadIntoCmd implements fc.Command<Model, Real> {
  constructor(
    readonly frames: number,
    readonly planar: boolean,
    readonly misaligned: boolean,
  ) {}
  check = (): boolean => true;
  run(model: Model, real: Real): void {
    const ch = model.channels;
    const misaligned = this.misaligned && !this.planar && ch > 1;
    const target = this.planar
      ? Array.from({ length: ch }, () => new Float32Array(this.frames).fill(7))
      : new Float32Array(this.frames * ch + (misaligned ? 1 : 0)).fill(7);
    const code = closedCode(model) ?? (misaligned ? ErrorCode.FRAME_MISALIGNED : undefined);
    if (code !== undefined) {
      expectCode(() => real.readInto(target), code, model);
      return sameState(model, real);
    }
    const size = model.data.length / ch;
    const n = Math.min(this.frames, size - model.pos);
    expect(real.readInto(target)).toBe(n);
    const expected = model.data.slice(model.pos * ch, (model.pos + n) * ch);
    if (Array.isArray(target)) {
      for (let c = 0; c < ch; c++) {
        const plane = Array.from(target[c]!);
        expect(plane.slice(0, n)).toEqual(expected.filter((_, i) => i % ch === c));
        expect(plane.slice(n).every((v) => v === 7)).toBe(true); // nothing written past the frames read
      }
    } else {
      expect(Array.from(target.subarray(0, n * ch))).toEqual(expected);
      expect(Array.from(target.subarray(n * ch)).every((v) => v === 7)).toBe(true);
    }
    model.pos += n;
    model.reads++;
    model.bytesRead += n * ch * 4;
    sameState(model, real);
  }
  toString = (): string => `readInto(${this.frames}${this.planar ? ' planar' : ''}${this.misaligned ? ' misaligned' : ''})`;
}

class SeekCmd implements fc.Command<Model, Real> {
  constructor(readonly where: number) {}
  check = (): boolean => true;
  run(model: Model, real: Real): void {
    const size = model.data.length / model.channels;
    // where in [0,1) maps into 0..size; other values are used as given (negatives, past the end, fractions).
    const target = this.where >= 0 && this.where < 1 ? Math.round(this.where * size) : this.where;
    const bad = !Number.isInteger(target) || target < 0 || target > size;
    const code = closedCode(model) ?? (bad ? ErrorCode.SEEK_OUT_OF_RANGE : undefined);
    if (code !== undefined) {
      expectCode(() => real.seek(target), code, model);
      return sameState(model, real);
    }
    real.seek(target);
    model.pos = target;
    sameState(model, real);
  }
  toString = (): string => `seek(${this.where})`;
}

class TrimCmd implements fc.Command<Model, Real> {
  check = (): boolean => true;
  run(model: Model, real: Real): void {
    const size = model.data.length / model.channels;
    const freed = real.trim();
    expect(freed).toBe(model.closed ? 0 : (model.capacity - size) * model.channels * 4);
    if (!model.closed) model.capacity = size;
    sameState(model, real);
  }
  toString = (): string => 'trim()';
}

class CloseCmd implements fc.Command<Model, Real> {
  check = (): boolean => true;
  run(model: Model, real: Real): void {
    real.close();
    model.closed = true;
    for (const call of [() => real.tell(), () => real.size(), () => real.seek(0)]) {
      expectCode(call, ErrorCode.BUFFER_CLOSED, model);
    }
    sameState(model, real);
  }
  toString = (): string => 'close()';
}

const float = fc.float({ noDefaultInfinity: false });
const commands = [
  fc.tuple(fc.array(float, { maxLength: 96 }), fc.boolean()).map(([s, p]) => new WriteCmd(s, p)),
  fc.constantFrom('int16', 'array', 'misaligned', 'wrongChannels', 'ragged', 'null' as const).map((k) => new BadWriteCmd(k)),
  fc.oneof(fc.constant(undefined), fc.integer({ min: -3, max: 60 }), fc.constant(2.5)).map((n) => new ReadCmd(n)),
  fc.tuple(fc.integer({ min: 0, max: 40 }), fc.boolean(), fc.boolean()).map(([n, p, m]) => new ReadIntoCmd(n, p, m)),
  fc.oneof(fc.double({ min: 0, max: 0.999, noNaN: true }), fc.constantFrom(-1, 1e9, 1.5, Number.NaN)).map((w) => new SeekCmd(w)),
  fc.constant(new TrimCmd()),
  fc.constant(new CloseCmd()),
];

describe('MemoryBuffer against a reference model', () => {
  it('keeps the same data, position, size, capacity and metrics as the model over 1,000 random sequences', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 4 }),
        fc.integer({ min: 0, max: 48 }),
        fc.integer({ min: 64, max: 2048 }),
        fc.commands(commands, { maxCommands: 60 }),
        (channels, capacity, maxBytes, cmds) => {
          const maxMemoryMb = maxBytes / BYTES_PER_MB;
          const maxFrames = Math.floor(maxBytes / (channels * 4));
          fc.pre(capacity <= maxFrames);
          const setup = () => ({
            model: {
              channels,
              maxFrames,
              capacity,
              data: [],
              pos: 0,
              reads: 0,
              writes: 0,
              bytesRead: 0,
              bytesWritten: 0,
              errors: 0,
              lastErrorCode: null,
              closed: false,
            } satisfies Model,
            real: new MemoryBuffer({ channels, maxMemoryMb }, { capacity }),
          });
          fc.modelRun(setup, cmds);
        },
      ),
      { numRuns: 1000 },
    );
  });
});
