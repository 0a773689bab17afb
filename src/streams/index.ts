/** avbuf/streams: RxJS operators over audio chunks. */
export type { AudioChunk } from './chunk.js';
export { gain, dbToGain } from './gain.js';
export { peak } from './peak.js';
