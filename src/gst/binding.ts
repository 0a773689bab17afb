/**
 * The part of GStreamer's API (as node-gtk presents it) that avbuf uses, typed. node-gtk has
 * no type declarations; these interfaces are the contract the rest of src/gst codes against.
 * All 64-bit values (times, sizes) are BigInt, as node-gtk hands them.
 */

export interface GstClock {
  getTime(): bigint;
}

export interface GstCaps {
  toString(): string;
}

export interface GstBuffer {
  pts: bigint;
  dts: bigint;
  duration: bigint;
  getSize(): bigint | number;
}

export interface GstSample {
  getBuffer(): GstBuffer | null;
  getCaps(): GstCaps | null;
  setBuffer(buffer: GstBuffer): void;
}

export interface GstStructure {
  getName(): string;
  toString(): string;
}

export interface GstObject {
  name: string;
}

export interface GstMessage {
  type: number;
  src: GstObject | null;
  parseError(): [GError, string | null] | GError | null;
  parseWarning?(): [GError, string | null] | GError | null;
  getStructure(): GstStructure | null;
}

export interface GError {
  message: string;
  code?: number;
  domain?: number;
}

export interface GstBus {
  timedPopFiltered(timeout: bigint, types: number): GstMessage | null;
}

export interface GstElement extends GstObject {
  setState(state: number): number;
  getState(timeout: bigint): [number, number, number] | number[];
  getClock(): GstClock | null;
  getBaseTime(): bigint;
  setBaseTime(time: bigint): void;
  setStartTime(time: bigint): void;
  getBus(): GstBus;
  on(signal: string, handler: (...args: unknown[]) => unknown): unknown;
  off(signal: string, handler: (...args: unknown[]) => unknown): unknown;
  [property: string]: unknown;
}

export interface GstPipeline extends GstElement {
  getByName(name: string): GstElement | null;
  useClock(clock: GstClock | null): void;
  sendEvent(event: unknown): boolean;
}

export interface GstAppSink extends GstElement {
  pullSample(): GstSample | null;
  tryPullSample(timeout: bigint): GstSample | null;
  emitSignals: boolean;
}

export interface GstAppSrc extends GstElement {
  pushSample(sample: GstSample): number;
  pushBuffer(buffer: GstBuffer): number;
  endOfStream(): number;
  setCaps(caps: GstCaps | null): void;
}

/** What `Gst` (the introspected namespace) offers that avbuf calls. */
export interface GstNamespace {
  init(argv: null): void;
  version(): number[];
  parseLaunch(description: string): GstPipeline;
  Buffer: { new (): GstBuffer; newWrapped(data: Uint8Array): GstBuffer };
  ElementFactory: { find(name: string): unknown; make(factory: string, name: string | null): GstElement | null };
  Event: { newEos(): unknown };
  SECOND: bigint;
  CLOCK_TIME_NONE: bigint;
  State: { NULL: number; READY: number; PAUSED: number; PLAYING: number };
  StateChangeReturn: { FAILURE: number; SUCCESS: number; ASYNC: number; NO_PREROLL: number };
  FlowReturn: { OK: number; EOS: number; FLUSHING: number; ERROR: number };
  Format: { TIME: number };
  URIType: { SRC: number };
  uriProtocolIsSupported(type: number, protocol: string): boolean;
  MessageType: { ERROR: number; EOS: number; WARNING: number; STATE_CHANGED: number; ELEMENT: number };
}
