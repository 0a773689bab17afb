/** A WAV (RF64, Wave64) file of any size as a Node Readable. */
import type { Readable } from 'node:stream';
import { checkString } from '../../core/validate.js';
import { WavReader } from '../../formats/wavReader.js';
import { FrameReadable } from './frameReadable.js';
import { resolveStreamOptions, type NodeStreamOptions } from './streamOptions.js';

/**
 * Reads a WAV file's samples chunk by chunk (one positioned read per chunk; never the whole
 * file) as raw interleaved PCM bytes or {@link AudioChunk} objects. The file is opened when
 * the stream starts and closed when it ends or is destroyed.
 *
 * @example
 * await pipeline(wavFileReadable('take1.wav', { format: 's24le' }), sox.stdin);
 * for await (const chunk of wavFileReadable('take1.wav', { objectMode: true })) meter(chunk);
 *
 * @param path - the WAV file.
 * @param options - `format` (of the bytes out; default `'f32le'`) or `objectMode`, `chunkFrames`, `highWaterMark`, `signal`.
 * @throws {ConfigError} `ERR_INVALID_CONFIG` for a bad option. The stream fails with
 *   `ERR_FILE_NOT_FOUND`, `ERR_FILE_IO` or a WAV format code (`ERR_WAV_TRUNCATED` …) from the file.
 */
export function wavFileReadable(path: string, options: NodeStreamOptions = {}): Readable {
  checkString('path', path, 'argument');
  let reader: WavReader | null = null;
  let at = 0;
  const source = {
    async open() {
      reader = await WavReader.open(path);
      return { channels: reader.info.channels, sampleRate: reader.info.sampleRate };
    },
    position: () => at,
    async pull(target: Float32Array): Promise<number> {
      const frames = await reader!.read(target, at);
      at += frames;
      return frames;
    },
    async release(): Promise<void> {
      await reader?.close();
    },
  };
  return new FrameReadable(source, resolveStreamOptions(options));
}
