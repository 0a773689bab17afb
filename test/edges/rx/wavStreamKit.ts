/**
 * What the WAV stream tests share: a streamed WAV made here byte by byte, a Writable whose
 * reader takes the bytes when the test says so, and a reader of the bytes it took.
 */
import { Readable, Writable } from 'node:stream';
import { bytesPerSample, encodeInto, type SampleFormat } from '../../../src/formats/codecs.js';
import { buildWavHeader } from '../../../src/formats/wavHeaderBuilder.js';
import { WavStreamReader } from '../../../src/formats/wavStreamReader.js';

/** A WAV as a streaming writer sends it: header with unknown sizes, then `samples` encoded. */
export function streamedWav(samples: ArrayLike<number>, channels: number, format: SampleFormat = 'f32', sampleRate = 8000): Uint8Array {
  const header = buildWavHeader({ format, channels, sampleRate, container: 'riff', dataBytes: null }).bytes;
  const width = bytesPerSample(format);
  const out = new Uint8Array(header.length + samples.length * width);
  out.set(header);
  encodeInto(format, Float32Array.from(samples), out.subarray(header.length), samples.length);
  return out;
}

/** `bytes` split at the given offsets (sorted, deduplicated, inside the bytes). */
export function split(bytes: Uint8Array, cuts: readonly number[]): Uint8Array[] {
  const at = [...new Set(cuts.filter((c) => c > 0 && c < bytes.length))].sort((a, b) => a - b);
  const parts: Uint8Array[] = [];
  let from = 0;
  for (const cut of [...at, bytes.length]) {
    parts.push(bytes.slice(from, cut));
    from = cut;
  }
  return parts;
}

/** A Node byte stream of `parts`, one read each. */
export function byteStream(parts: readonly Uint8Array[]): Readable {
  return Readable.from(parts, { objectMode: false });
}

/** A Writable that keeps what it is given; with `hold`, each write waits until `take()` lets it through. */
export interface HeldWritable {
  readonly writable: Writable;
  /** Every byte taken so far. */
  bytes(): Uint8Array;
  /** Completes the oldest write that waits; false when none does. */
  take(): boolean;
  /** Writes waiting for `take`. */
  readonly waiting: number;
}

export function heldWritable(hold: boolean): HeldWritable {
  const parts: Uint8Array[] = [];
  const pending: (() => void)[] = [];
  const writable = new Writable({
    highWaterMark: 1,
    write(chunk: Uint8Array, _encoding, callback) {
      parts.push(Uint8Array.from(chunk));
      if (hold) pending.push(() => callback());
      else callback();
    },
  });
  return {
    writable,
    bytes: () => Uint8Array.from(Buffer.concat(parts)),
    take: () => {
      const next = pending.shift();
      next?.();
      return next !== undefined;
    },
    get waiting() {
      return pending.length;
    },
  };
}

/** The samples of a streamed WAV, and its header's format. */
export async function readBack(bytes: Uint8Array): Promise<{ samples: Float32Array; format: string; channels: number }> {
  const reader = await WavStreamReader.open(Readable.from([bytes]));
  const parts: Float32Array[] = [];
  for await (const frames of reader) parts.push(frames);
  const samples = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    samples.set(p, at);
    at += p.length;
  }
  return { samples, format: reader.info.format, channels: reader.info.channels };
}
