/**
 * What docs/streams-rxjs.md imports as 'avbuf': the public API plus the RxJS sources and
 * sinks of src/edges/index.ts (which src/index.ts is to export).
 */
export * from '../../../src/index.js';
export {
  fromBuffer,
  fromRing,
  fromWavFile,
  intoBuffer,
  intoRing,
  toWavFile,
  releaseChunk,
  isBlockChunk,
} from '../../../src/edges/index.js';
