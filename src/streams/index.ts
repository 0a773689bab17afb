/** avbuf/streams: RxJS operators over audio chunks and the delay line's timed items (each timing operator takes a SchedulerLike). */
export type { AudioChunk } from './chunk.js';
export { gain, dbToGain } from './gain.js';
export { peak } from './peak.js';
export type { Timed, DropReason, DropHandler } from './timed.js';
export { timeWindow, createTimeWindowStats, type TimeWindowOptions, type TimeWindowStats } from './timeWindow.js';
export { ptsSync, createPtsSyncStats, type PtsSyncOptions, type PtsSyncStats } from './ptsSync.js';
export { fillGate, fillGateLevel, type FillGateOptions, type FillGateOpenInfo, type FillGateOpenReason } from './fillGate.js';
export { stallDetect, type StallDetectOptions, type StallEvent } from './stallDetect.js';
