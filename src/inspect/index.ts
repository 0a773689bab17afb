/**
 * avbuf/inspect: the live inspector — an inspection bus fed by the actors, a local HTTP and
 * WebSocket server, and the helpers that attach them to a manager or a delay line. Loading
 * it also gives every manager its `inspect()` method (src/inspect/managerInspect.ts).
 */
import './managerInspect.js';

export {
  InspectionBus,
  type AlertLevel,
  type BusListener,
  type BusSource,
  type InspectionBusOptions,
  type MetricsSample,
  type MetricsSampler,
} from './bus.js';
export { stateValueJson } from './snapshot.js';
export { defaultCatalogue, type MachineCatalogue } from './catalogue.js';
export { openInspector, inspectManager, inspectDelayLine, type InspectOptions, type InspectorHandle } from './openInspector.js';
export { startInspector, findPageDir, WS_MAX_PAYLOAD_BYTES, type Inspector, type InspectorOptions } from './server.js';
export { trackFileJob, type FileJobTracker } from './fileJob.js';
export { fileJobMachine, type FileJobEvent } from '../machines/fileJob.js';
export {
  MAX_CLIENT_MESSAGE_BYTES,
  MAX_METRICS_HZ,
  type ClientMessage,
  type ServerMessage,
  type StateValueJson,
} from './protocol.js';
