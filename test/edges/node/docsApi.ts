/**
 * What docs/streams-node.md imports as 'avbuf': the public API plus the Node stream helpers,
 * which src/edges/index.ts (and through it src/index.ts) is to export.
 */
export * from '../../../src/index.js';
export { bufferReadable } from '../../../src/edges/node/bufferReadable.js';
export { bufferWritable } from '../../../src/edges/node/bufferWritable.js';
export { chunksOf } from '../../../src/edges/node/chunksOf.js';
export { childOutput } from '../../../src/edges/node/childOutput.js';
export { ringDuplex } from '../../../src/edges/node/ringDuplex.js';
export { ringReadable } from '../../../src/edges/node/ringReadable.js';
export { ringWritable } from '../../../src/edges/node/ringWritable.js';
export { wavFileReadable } from '../../../src/edges/node/wavFileReadable.js';
export { wavFileWritable } from '../../../src/edges/node/wavFileWritable.js';
