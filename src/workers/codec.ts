/**
 * Piscina task: converts integer (or f64) samples to Float32 and back, between views of
 * SharedArrayBuffers, so nothing is copied to reach the worker or to come back.
 */
import { decodeInto, encodeInto, type SampleFormat } from '../formats/codecs.js';

export interface CodecTask {
  op: 'decode' | 'encode';
  format: SampleFormat;
  /** Encoded bytes: read when decoding, written when encoding. */
  bytes: SharedArrayBuffer;
  bytesOffset: number;
  bytesLength: number;
  /** Float32 samples: written when decoding, read when encoding. */
  floats: SharedArrayBuffer;
  floatsOffset: number;
  samples: number;
}

export default function codec(task: CodecTask): number {
  const bytes = new Uint8Array(task.bytes, task.bytesOffset, task.bytesLength);
  const floats = new Float32Array(task.floats, task.floatsOffset, task.samples);
  if (task.op === 'decode') decodeInto(task.format, bytes, floats, task.samples);
  else encodeInto(task.format, floats, bytes, task.samples);
  return task.samples;
}
