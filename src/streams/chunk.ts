/**
 * The unit that flows through avbuf's RxJS pipelines: a block of interleaved frames. Defined
 * in src/core/chunk.ts (the buffers hand chunks out too, and may not import streams).
 */
export type { AudioChunk } from '../core/chunk.js';
