/**
 * The writable under every writable of this folder: bytes in any split, cut into whole
 * frames for a {@link FrameSink}. A frame split across writes waits in a carry buffer for
 * its other part; a stream that closes with part of a frame left over fails with
 * `ERR_FRAME_MISALIGNED` and aborts the sink, so nothing half-written looks finished.
 */
import { WritableStream } from 'node:stream/web';
import { AudioDataError, ErrorCode } from '../../core/errors.js';
import { show } from '../../core/validate.js';
import type { FrameSink } from './frameSink.js';
import type { pcmFormat } from '../pcmFormat.js';

/**
 * A `WritableStream` of PCM bytes in `codec` into `sink`. Back-pressure: the stream's queue
 * holds at most `highWaterMark` bytes before `writer.ready` waits, and each write waits on the
 * sink (a ring's room, a file's write), so memory stays bounded by the queue and one chunk.
 *
 * @example
 * const stream = pcmByteSink(frameSinkOf(ring, pcmFormat('f32le'), 4096), pcmFormat('f32le'), 65536);
 *
 * @param sink - where whole frames go.
 * @param codec - the checked byte format.
 * @param highWaterMark - bytes queued before the writer is asked to wait.
 * @param stop - ends a wait for room at once (pipeTo's own signal waits for the write in flight first).
 */
export function pcmByteSink(
  sink: FrameSink,
  codec: ReturnType<typeof pcmFormat>,
  highWaterMark: number,
  stop?: AbortSignal,
): WritableStream<Uint8Array> {
  const frameBytes = sink.channels * codec.sampleBytes;
  const carry = new Uint8Array(frameBytes);
  let carried = 0;
  const aborting = new AbortController();
  let signal = aborting.signal;

  async function write(chunk: Uint8Array): Promise<void> {
    const bytes = toBytes(chunk);
    let at = 0;
    if (carried > 0) {
      at = Math.min(frameBytes - carried, bytes.length);
      carry.set(bytes.subarray(0, at), carried);
      carried += at;
      if (carried < frameBytes) return;
      carried = 0;
      await sink.write(carry, signal);
    }
    const whole = Math.floor((bytes.length - at) / frameBytes) * frameBytes;
    if (whole > 0) await sink.write(bytes.subarray(at, at + whole), signal);
    at += whole;
    carry.set(bytes.subarray(at));
    carried = bytes.length - at;
  }

  async function failing<T>(step: () => Promise<T>): Promise<T> {
    try {
      return await step();
    } catch (error) {
      // A rejected write or close errors the stream without calling abort: let go here.
      await sink.abort();
      throw error;
    }
  }

  return new WritableStream<Uint8Array>(
    {
      start(controller) {
        // abort() calls the sink's abort only after the write in flight settles; the
        // controller's signal (Node ≥ 18, not in @types/node 20) fires at once and ends a wait for room.
        const signals = [aborting.signal, ...(stop ? [stop] : [])];
        if ('signal' in controller && controller.signal instanceof AbortSignal) signals.push(controller.signal);
        signal = AbortSignal.any(signals);
      },
      write: (chunk) => failing(() => write(chunk)),
      close: () =>
        failing(async () => {
          if (carried > 0) {
            throw new AudioDataError(
              ErrorCode.FRAME_MISALIGNED,
              `the stream closed ${carried} bytes into a frame of ${frameBytes} bytes (${sink.channels} channels of ${codec.format})`,
            );
          }
          await sink.close();
        }),
      abort: () => {
        aborting.abort();
        return sink.abort();
      },
    },
    // Sized here rather than by ByteLengthQueuingStrategy, which throws a RangeError for a
    // chunk that is not bytes before write() can refuse it with a typed error.
    { highWaterMark, size: (chunk: unknown) => (ArrayBuffer.isView(chunk) || chunk instanceof ArrayBuffer ? chunk.byteLength : 0) },
  );
}

function toBytes(chunk: unknown): Uint8Array {
  if (chunk instanceof Uint8Array) return chunk;
  if (ArrayBuffer.isView(chunk)) return new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength);
  if (chunk instanceof ArrayBuffer) return new Uint8Array(chunk);
  throw new AudioDataError(ErrorCode.INVALID_AUDIO_DATA, `expected bytes (a Uint8Array or another ArrayBuffer view), got ${show(chunk)}`);
}
