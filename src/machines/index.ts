/**
 * avbuf/machines: every machine definition, as plain data, for drawing, exporting and
 * model-based testing.
 */
export {
  bufferLifecycleMachine,
  type BufferLifecycleContext,
  type BufferLifecycleEvent,
  type BufferLifecycleInput,
} from './bufferLifecycle.js';
export {
  memoryMonitorMachine,
  type MemoryAlert,
  type MemoryLevel,
  type MemoryMonitorContext,
  type MemoryMonitorEvent,
  type MemoryMonitorInput,
  type MemorySample,
} from './memoryMonitor.js';
export {
  bufferManagerMachine,
  flowActorId,
  type BufferManagerContext,
  type BufferManagerEvent,
  type BufferManagerInput,
} from './bufferManager.js';
export { ringFlowMachine, type RingFlowContext, type RingFlowEvent, type RingFlowSample } from './ringFlow.js';
export {
  DELAY_LINE_DEFAULTS,
  delayLineMachine,
  isAccepting,
  delayLineTimeoutOf,
  type DelayLineContext,
  type DelayLineErrorInfo,
  type DelayLineEvent,
  type DelayLineInput,
  type DelayLineSnapshot,
  type DelayLineStopReason,
  type DelayLineTimeout,
} from './delayLine.js';
export { fileJobMachine, type FileJobContext, type FileJobEvent } from './fileJob.js';
