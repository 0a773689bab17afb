/**
 * The unit of audio every layer passes around: a block of interleaved frames with its timing.
 * It lives in core so that the data structures (src/buffers, which may not import streams)
 * can hand out chunks too; src/streams/chunk.ts re-exports it for the RxJS pipelines.
 */

/**
 * A block of interleaved Float32 frames. `data` may be longer than `frames × channels`
 * (blocks are reused at their full size): only the first `frames` frames are valid.
 * Operators may change `data` in place; a chunk is not to be kept after the next one.
 */
export interface AudioChunk {
  data: Float32Array;
  frames: number;
  channels: number;
  sampleRate: number;
  /** Frame position of the chunk's first frame in its stream. */
  position: number;
}
