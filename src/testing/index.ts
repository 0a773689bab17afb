/**
 * avbuf/testing: helpers for your own tests of audio and sample pipelines — chunk and frame
 * factories stamped as GStreamer stamps them, virtual-time helpers for marble tests, and
 * checks that nothing was lost or repeated. No test framework is imported: pass your
 * deep-equal assertion to {@link runMarbles}. See docs/testing.md.
 */
export { frameTimes, chunkTimes, type FrameRate } from './times.js';
export { audioChunk, audioChunks, type TestAudioChunk, type SampleFill, type AudioChunkOptions, type AudioChunksOptions } from './audioChunk.js';
export { sineChunks, type SineChunksOptions } from './sineChunks.js';
export { videoFrames, type TestVideoFrame, type VideoFramesOptions } from './videoFrames.js';
export { timedValues, type TimedValue, type TimeUnit } from './timedValues.js';
export { marbleValues } from './marbleValues.js';
export { runMarbles, virtualClock, type AssertDeepEqual, type MarbleHelpers, type ClockJump, type VirtualClockOptions } from './marbles.js';
export { scheduledSource, nextAt, completeAt, errorAt, type ScheduledMessage } from './scheduledSource.js';
export {
  sampleCounter,
  ptsContinuity,
  type SampleCounter,
  type SampleCounterOptions,
  type SampleReport,
  type PtsContinuityOptions,
  type ContinuityReport,
  type Discontinuity,
} from './continuity.js';
