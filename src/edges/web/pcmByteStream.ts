/**
 * The byte stream under every readable of this folder: frames pulled from a
 * {@link FrameSource} and encoded straight into the memory of whoever reads.
 *
 * A BYOB request is a view of the caller's memory. When it holds at least one whole frame,
 * the frames that fit are encoded into it directly (no copy between). A view smaller than a
 * frame gets one frame encoded into a carry buffer, and as many whole samples of it as fit
 * (bytes of one sample only when not even a sample fits); the rest of that frame is handed
 * out, in order, before anything new is read. The default reader goes the same way: the
 * stream allocates `chunkFrames` frames of bytes per read (`autoAllocateChunkSize`).
 */
import { ReadableStream, type ReadableByteStreamController } from 'node:stream/web';
import { encodeInto } from '../../formats/codecs.js';
import type { FrameSource } from './frameSource.js';
import type { pcmFormat } from '../pcmFormat.js';

/**
 * A `ReadableStream` of type `'bytes'` of interleaved PCM in `codec`, read from `source`
 * `chunkFrames` frames at most at a time; `source.release()` runs once at the end, on cancel
 * or on an error.
 *
 * @example
 * const stream = pcmByteStream(frameSourceOf(buffer), pcmFormat('s16le'), 4096);
 *
 * @param source - where frames come from.
 * @param codec - the checked byte format.
 * @param chunkFrames - frames per read at most (the default reader's chunk).
 */
export function pcmByteStream(source: FrameSource, codec: ReturnType<typeof pcmFormat>, chunkFrames: number): ReadableStream<Uint8Array> {
  const { channels } = source;
  const { sample, sampleBytes } = codec;
  const frameBytes = channels * sampleBytes;
  const floats = new Float32Array(chunkFrames * channels);
  const carry = new Uint8Array(frameBytes);
  let carryAt = frameBytes; // carry[carryAt..] is still to be handed out
  const stop = new AbortController();
  let released: Promise<void> | null = null;
  const release = (): Promise<void> => (released ??= source.release());

  async function pull(controller: ReadableByteStreamController): Promise<void> {
    const request = controller.byobRequest;
    const given = request?.view;
    if (!request || !given) return; // autoAllocateChunkSize makes a request for every read
    const view = new Uint8Array(given.buffer, given.byteOffset, given.byteLength);
    if (carryAt < frameBytes) {
      const n = Math.min(view.length, frameBytes - carryAt);
      view.set(carry.subarray(carryAt, carryAt + n));
      carryAt += n;
      request.respond(n);
      return;
    }
    const whole = Math.min(Math.floor(view.length / frameBytes), chunkFrames);
    let frames: number;
    try {
      frames = await source.read(floats.subarray(0, Math.max(whole, 1) * channels), stop.signal);
    } catch (error) {
      await release();
      if (stop.signal.aborted) return; // cancelled while waiting: the stream is already closed
      throw error;
    }
    if (stop.signal.aborted) return;
    if (frames === 0) {
      await release();
      controller.close();
      request.respond(0);
      return;
    }
    if (whole > 0) {
      encodeInto(sample, floats, view, frames * channels);
      request.respond(frames * frameBytes);
      return;
    }
    encodeInto(sample, floats, carry, channels);
    const fit = Math.floor(view.length / sampleBytes) * sampleBytes || view.length;
    view.set(carry.subarray(0, fit));
    carryAt = fit;
    request.respond(fit);
  }

  return new ReadableStream({
    type: 'bytes',
    autoAllocateChunkSize: chunkFrames * frameBytes,
    pull,
    async cancel() {
      stop.abort();
      await release();
    },
  });
}
