/**
 * What docs/streams-web.md imports as 'avbuf': the public API plus the WHATWG stream helpers,
 * which src/edges/index.ts (and through it src/index.ts) is to export.
 */
export * from '../../../src/index.js';
export { bufferChunkStream } from '../../../src/edges/web/bufferChunkStream.js';
export { bufferReadableStream } from '../../../src/edges/web/bufferReadableStream.js';
export { bufferWritableStream } from '../../../src/edges/web/bufferWritableStream.js';
export { wavFileReadableStream } from '../../../src/edges/web/wavFileReadableStream.js';
export { wavFileWritableStream } from '../../../src/edges/web/wavFileWritableStream.js';
