/**
 * Piscina task: compresses a chunk that lives in a SharedArrayBuffer (read in place, no
 * copy) and hands the compressed bytes back by transfer.
 */
import { Piscina } from 'piscina';
import { deflateRawSync } from 'node:zlib';

export interface CompressTask {
  buffer: SharedArrayBuffer;
  byteOffset: number;
  byteLength: number;
}

export default function compress(task: CompressTask): Uint8Array {
  const raw = new Uint8Array(task.buffer, task.byteOffset, task.byteLength);
  const out = deflateRawSync(raw, { level: 1 });
  // zlib's result may share a pooled ArrayBuffer; copy into one of its own so it can be moved.
  const own = new Uint8Array(out.length);
  own.set(out);
  return Piscina.move(own) as unknown as Uint8Array;
}
