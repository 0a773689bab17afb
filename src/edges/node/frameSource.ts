/** What a readable avbuf Node stream reads from: a buffer, a ring's consumer side or a WAV file. */

/** Channels per frame and frames per second. */
export interface FrameLayout {
  readonly channels: number;
  readonly sampleRate: number;
}

/**
 * Where a readable stream's frames come from.
 *
 * @example
 * const source: FrameSource = {
 *   open: () => ({ channels: 1, sampleRate: 48000 }),
 *   position: () => 0,
 *   pull: () => 0, // empty
 *   release: () => undefined,
 * };
 */
export interface FrameSource {
  /** Opens what needs opening (a file) and tells the frame layout. */
  open(): Promise<FrameLayout> | FrameLayout;
  /** Frame position of the next frame `pull` returns. */
  position(): number;
  /** Reads up to `target.length / channels` frames into `target`; 0 at the end. */
  pull(target: Float32Array): Promise<number> | number;
  /** Lets go of what was opened or claimed (ends a ring's side, closes a file); called once. */
  release(): Promise<void> | void;
}
