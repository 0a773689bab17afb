/**
 * ChunkSpan: the walk over the chunks a range of frames touches. Chunk `i` holds frames
 * `[i × chunkFrames, (i + 1) × chunkFrames)`, so a range starting anywhere is cut at the
 * chunk boundaries into pieces that each lie within one chunk. Every path of the
 * streaming buffer that moves frames (write, read, read without blocking) walks this way.
 */

/**
 * A cursor over the pieces of one frame range, one chunk each. Plain numeric fields, so
 * a walk allocates nothing beyond the cursor.
 *
 * @example
 * for (const span = new ChunkSpan(chunkFrames, position, frames); span.next(); ) {
 *   // frames [span.offset, span.offset + span.frames) of chunk span.index
 *   // are frames [span.done, span.done + span.frames) of the range
 * }
 */
export class ChunkSpan {
  /** The chunk of the current piece. */
  index = 0;
  /** Where the piece starts within its chunk, in frames. */
  offset = 0;
  /** Frames in the piece. */
  frames = 0;
  /** Frames of the range before the piece: where it starts in the caller's data. */
  done = 0;
  readonly #chunkFrames: number;
  readonly #start: number;
  readonly #total: number;

  /** A walk over frames `[start, start + frames)` in chunks of `chunkFrames`. */
  constructor(chunkFrames: number, start: number, frames: number) {
    this.#chunkFrames = chunkFrames;
    this.#start = start;
    this.#total = frames;
  }

  /** The frame where the current piece starts, counted from the start of the store. */
  get at(): number {
    return this.#start + this.done;
  }

  /** Moves to the next piece; false once the range is covered (`done` is then its length). */
  next(): boolean {
    this.done += this.frames;
    if (this.done >= this.#total) {
      this.frames = 0;
      return false;
    }
    const at = this.#start + this.done;
    this.index = Math.floor(at / this.#chunkFrames);
    this.offset = at - this.index * this.#chunkFrames;
    this.frames = Math.min(this.#total - this.done, this.#chunkFrames - this.offset);
    return true;
  }
}
