/** Test helpers for the WHATWG stream tests: signals, their expected bytes, buffers and rings holding them. */
import { MemoryBuffer } from '../../../src/buffers/memory.js';
import { decodeInto, encodeInto, type SampleFormat } from '../../../src/formats/codecs.js';
import type { PcmFormat } from '../../../src/edges/pcmFormat.js';

export const CODEC: Record<PcmFormat, { sample: SampleFormat; bytes: number }> = {
  f32le: { sample: 'f32', bytes: 4 },
  s16le: { sample: 's16', bytes: 2 },
  s24le: { sample: 's24', bytes: 3 },
};

/** `frames` frames of a ramp that is exact in every format (integers decoded), interleaved. */
export function exactSignal(format: PcmFormat, frames: number, channels: number, seed = 1): Float32Array {
  const { sample, bytes } = CODEC[format];
  const samples = frames * channels;
  const raw = new Uint8Array(samples * bytes);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < raw.length; i++) {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    raw[i] = x >>> 24;
  }
  // A float pattern that is NaN would still copy bit-exactly, but the model compares numbers: keep it finite.
  if (sample === 'f32') for (let i = 3; i < raw.length; i += 4) raw[i]! &= 0x3f;
  const out = new Float32Array(samples);
  decodeInto(sample, raw, out, samples);
  return out;
}

/** The bytes of `data` in `format`: what a readable stream of it must deliver. */
export function bytesOf(format: PcmFormat, data: Float32Array): Uint8Array {
  const out = new Uint8Array(data.length * CODEC[format].bytes);
  encodeInto(CODEC[format].sample, data, out, data.length);
  return out;
}

/** A memory buffer holding `data`, positioned at its start. */
export function memoryWith(data: Float32Array, channels: number): MemoryBuffer {
  const buffer = new MemoryBuffer({ channels, sampleRate: 48000 });
  buffer.write(data);
  buffer.seek(0);
  return buffer;
}

/** Every frame a positional buffer holds, from its start. */
export function contents(buffer: MemoryBuffer): Float32Array {
  buffer.seek(0);
  const out = new Float32Array(buffer.size() * buffer.channels);
  buffer.readInto(out);
  return out;
}

/** Joins byte chunks. */
export function concat(chunks: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}

/** Open file descriptors of this process. */
export async function openFds(): Promise<number> {
  const { readdir } = await import('node:fs/promises');
  return (await readdir('/proc/self/fd')).length;
}
