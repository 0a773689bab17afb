/**
 * Every error avbuf throws is an {@link AvbufError} with a stable string `code`.
 * Match on `code`, not on the message: messages may be reworded, codes never are.
 */

/** The stable error codes, one per kind of failure. */
export const ErrorCode = {
  INVALID_CONFIG: 'ERR_INVALID_CONFIG',
  INVALID_ARGUMENT: 'ERR_INVALID_ARGUMENT',
  INVALID_AUDIO_DATA: 'ERR_INVALID_AUDIO_DATA',
  FRAME_MISALIGNED: 'ERR_FRAME_MISALIGNED',
  CHANNEL_MISMATCH: 'ERR_CHANNEL_MISMATCH',
  SEEK_OUT_OF_RANGE: 'ERR_SEEK_OUT_OF_RANGE',
  UNSUPPORTED_OPERATION: 'ERR_UNSUPPORTED_OPERATION',
  BUFFER_CLOSED: 'ERR_BUFFER_CLOSED',
  BUFFER_NOT_ACCEPTING: 'ERR_BUFFER_NOT_ACCEPTING',
  BUFFER_FAILED: 'ERR_BUFFER_FAILED',
  CAPACITY: 'ERR_CAPACITY',
  RING_OVERFLOW: 'ERR_RING_OVERFLOW',
  RING_ROLE_TAKEN: 'ERR_RING_ROLE_TAKEN',
  INVALID_HANDLE: 'ERR_INVALID_HANDLE',
  MEMORY_PRESSURE: 'ERR_MEMORY_PRESSURE',
  POOL_EXHAUSTED: 'ERR_POOL_EXHAUSTED',
  POOL_DOUBLE_RELEASE: 'ERR_POOL_DOUBLE_RELEASE',
  POOL_FOREIGN_BLOCK: 'ERR_POOL_FOREIGN_BLOCK',
  POOL_WAIT_TIMEOUT: 'ERR_POOL_WAIT_TIMEOUT',
  BUFFER_EXISTS: 'ERR_BUFFER_EXISTS',
  BUFFER_NOT_FOUND: 'ERR_BUFFER_NOT_FOUND',
  UNSUPPORTED_BUFFER_TYPE: 'ERR_UNSUPPORTED_BUFFER_TYPE',
  MANAGER_CLOSED: 'ERR_MANAGER_CLOSED',
  CLOSE_FAILED: 'ERR_CLOSE_FAILED',
  ABORTED: 'ERR_ABORTED',
  GST_UNAVAILABLE: 'ERR_GST_UNAVAILABLE',
  GST_PIPELINE: 'ERR_GST_PIPELINE',
  GST_STALL: 'ERR_GST_STALL',
  GST_SHUTDOWN_TIMEOUT: 'ERR_GST_SHUTDOWN_TIMEOUT',
  GST_STATE: 'ERR_GST_STATE',
  INSPECTOR_CLOSED: 'ERR_INSPECTOR_CLOSED',
  WAV_NOT_WAVE: 'ERR_WAV_NOT_WAVE',
  WAV_TRUNCATED: 'ERR_WAV_TRUNCATED',
  WAV_UNSUPPORTED_FORMAT: 'ERR_WAV_UNSUPPORTED_FORMAT',
  WAV_INVALID_HEADER: 'ERR_WAV_INVALID_HEADER',
  FILE_NOT_FOUND: 'ERR_FILE_NOT_FOUND',
  FILE_IO: 'ERR_FILE_IO',
  DISK_FULL: 'ERR_DISK_FULL',
  SPILL_CORRUPT: 'ERR_SPILL_CORRUPT',
  PROCESS_FAILED: 'ERR_PROCESS_FAILED',
  NATS_UNAVAILABLE: 'ERR_NATS_UNAVAILABLE',
  NATS_PUBLISH: 'ERR_NATS_PUBLISH',
  NATS_STREAM: 'ERR_NATS_STREAM',
  MEDIA_RECORD: 'ERR_MEDIA_RECORD',
} as const;

/** One of the values of {@link ErrorCode}. */
export type ErrorCodeValue = (typeof ErrorCode)[keyof typeof ErrorCode];

/** The base of every error avbuf throws. */
export class AvbufError extends Error {
  /** A stable identifier of the kind of failure, e.g. `ERR_BUFFER_CLOSED`. */
  readonly code: ErrorCodeValue;

  constructor(code: ErrorCodeValue, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.name = new.target.name;
  }
}

/** A configuration value is missing, of the wrong type or out of range. `field` names it. */
export class ConfigError extends AvbufError {
  readonly field: string;
  constructor(field: string, message: string) {
    super(ErrorCode.INVALID_CONFIG, `invalid config field "${field}": ${message}`);
    this.field = field;
  }
}

/** An argument to a method is of the wrong type or out of range. */
export class ArgumentError extends AvbufError {
  constructor(message: string) {
    super(ErrorCode.INVALID_ARGUMENT, message);
  }
}

/** Audio data was rejected: not Float32, not a whole number of frames, or wrong channel layout. */
export class AudioDataError extends AvbufError {
  constructor(
    code:
      | typeof ErrorCode.INVALID_AUDIO_DATA
      | typeof ErrorCode.FRAME_MISALIGNED
      | typeof ErrorCode.CHANNEL_MISMATCH,
    message: string,
  ) {
    super(code, message);
  }
}

/** A seek target outside `0..size()` or not a whole number of frames. */
export class SeekError extends AvbufError {
  constructor(message: string) {
    super(ErrorCode.SEEK_OUT_OF_RANGE, message);
  }
}

/** The buffer's lifecycle state does not allow the call (closed, paused, failed…). */
export class BufferStateError extends AvbufError {
  constructor(
    code:
      | typeof ErrorCode.BUFFER_CLOSED
      | typeof ErrorCode.BUFFER_NOT_ACCEPTING
      | typeof ErrorCode.BUFFER_FAILED,
    message: string,
  ) {
    super(code, message);
  }
}

/** The operation would take a buffer beyond its own size limit (`maxMemoryMb`, block size…). */
export class CapacityError extends AvbufError {
  constructor(message: string) {
    super(ErrorCode.CAPACITY, message);
  }
}

/** The manager's memory budget refused an allocation, after freeing what could be freed. */
export class MemoryPressureError extends AvbufError {
  readonly requestedBytes: number;
  readonly usedBytes: number;
  readonly limitBytes: number;
  constructor(requestedBytes: number, usedBytes: number, limitBytes: number) {
    super(
      ErrorCode.MEMORY_PRESSURE,
      `memory budget refused ${fmtMb(requestedBytes)}: ${fmtMb(usedBytes)} of ${fmtMb(limitBytes)} in use after freeing idle memory`,
    );
    this.requestedBytes = requestedBytes;
    this.usedBytes = usedBytes;
    this.limitBytes = limitBytes;
  }
}

/** A pool could not lease or take back a block. */
export class PoolError extends AvbufError {
  constructor(
    code:
      | typeof ErrorCode.POOL_EXHAUSTED
      | typeof ErrorCode.POOL_DOUBLE_RELEASE
      | typeof ErrorCode.POOL_FOREIGN_BLOCK
      | typeof ErrorCode.POOL_WAIT_TIMEOUT,
    message: string,
  ) {
    super(code, message);
  }
}

/** A ring refused a write under the `'error'` overflow policy (nothing was written). */
export class RingOverflowError extends AvbufError {
  readonly frames: number;
  readonly availableWrite: number;
  constructor(frames: number, availableWrite: number) {
    super(ErrorCode.RING_OVERFLOW, `ring full: ${frames} frames offered, room for ${availableWrite}; nothing was written`);
    this.frames = frames;
    this.availableWrite = availableWrite;
  }
}

/** A second producer or consumer tried to use a ring whose role is already held by another endpoint. */
export class RingRoleError extends AvbufError {
  readonly role: 'producer' | 'consumer';
  constructor(role: 'producer' | 'consumer', message: string) {
    super(ErrorCode.RING_ROLE_TAKEN, message);
    this.role = role;
  }
}

/** What was passed as a shared handle is not one (or comes from another version of avbuf). */
export class HandleError extends AvbufError {
  constructor(message: string) {
    super(ErrorCode.INVALID_HANDLE, message);
  }
}

/** A file is not a WAV avbuf can read, or its header is damaged. */
export class WavFormatError extends AvbufError {
  constructor(
    code:
      | typeof ErrorCode.WAV_NOT_WAVE
      | typeof ErrorCode.WAV_TRUNCATED
      | typeof ErrorCode.WAV_UNSUPPORTED_FORMAT
      | typeof ErrorCode.WAV_INVALID_HEADER,
    message: string,
  ) {
    super(code, message);
  }
}

/** A child process whose output a stream carries (ffmpeg, sox) failed to start, or exited with a failure or a signal before its output was complete. */
export class ProcessError extends AvbufError {
  /** The command, as spawned. */
  readonly command: string;
  /** Its exit code, or null when a signal ended it or it never started. */
  readonly exitCode: number | null;
  /** The signal that ended it, or null. */
  readonly signal: string | null;
  constructor(command: string, exitCode: number | null, signal: string | null, message: string, options?: { cause?: unknown }) {
    super(ErrorCode.PROCESS_FAILED, `${command}: ${message}`, options);
    this.command = command;
    this.exitCode = exitCode;
    this.signal = signal;
  }
}

/** A file could not be opened, read or written; `path` names it and `cause` holds the system error. */
export class FileError extends AvbufError {
  readonly path: string;
  constructor(
    code: typeof ErrorCode.FILE_NOT_FOUND | typeof ErrorCode.FILE_IO | typeof ErrorCode.DISK_FULL | typeof ErrorCode.SPILL_CORRUPT,
    path: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(code, `${path}: ${message}`, options);
    this.path = path;
  }
}

/** A manager-level failure: duplicate or unknown id, a buffer type not available, manager closed. */
export class ManagerError extends AvbufError {
  constructor(
    code:
      | typeof ErrorCode.BUFFER_EXISTS
      | typeof ErrorCode.BUFFER_NOT_FOUND
      | typeof ErrorCode.UNSUPPORTED_BUFFER_TYPE
      | typeof ErrorCode.MANAGER_CLOSED,
    message: string,
  ) {
    super(code, message);
  }
}

/**
 * Closing finished, but some of the parts closed failed to close cleanly (a streaming
 * buffer's last flush, say); `errors` holds each one's error. What was closed stays closed.
 */
export class CloseError extends AvbufError {
  readonly errors: readonly unknown[];
  constructor(errors: readonly unknown[], message: string) {
    super(ErrorCode.CLOSE_FAILED, message, { cause: errors[0] });
    this.errors = errors;
  }
}

/** The operation is not supported by this kind of buffer (e.g. `seek` on a ring). */
export class UnsupportedOperationError extends AvbufError {
  constructor(message: string) {
    super(ErrorCode.UNSUPPORTED_OPERATION, message);
  }
}

/** A wait was abandoned through an `AbortSignal`. */
export class AbortError extends AvbufError {
  constructor(message = 'the operation was aborted') {
    super(ErrorCode.ABORTED, message);
  }
}

/**
 * A GStreamer failure: the binding or a plugin is missing (`ERR_GST_UNAVAILABLE`), a pipeline
 * posted an error on its bus (`ERR_GST_PIPELINE`), playback stalled (`ERR_GST_STALL`), a
 * pipeline did not stop in time (`ERR_GST_SHUTDOWN_TIMEOUT`), or a call came in a state that
 * does not allow it (`ERR_GST_STATE`).
 */
export class GstError extends AvbufError {
  constructor(
    code:
      | typeof ErrorCode.GST_UNAVAILABLE
      | typeof ErrorCode.GST_PIPELINE
      | typeof ErrorCode.GST_STALL
      | typeof ErrorCode.GST_SHUTDOWN_TIMEOUT
      | typeof ErrorCode.GST_STATE,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(code, message, options);
  }
}

/** The live inspector refused a call: its inspection bus is closed (`ERR_INSPECTOR_CLOSED`). */
export class InspectorError extends AvbufError {
  constructor(message: string) {
    super(ErrorCode.INSPECTOR_CLOSED, message);
  }
}

/**
 * A NATS JetStream failure: no server could be reached (`ERR_NATS_UNAVAILABLE`), a publish was
 * not acknowledged before its retry deadline (`ERR_NATS_PUBLISH`), a stream or consumer could
 * not be made or read as asked (`ERR_NATS_STREAM`), or a message is not an avbuf media record
 * (`ERR_MEDIA_RECORD`). `cause` holds the client's own error where there is one.
 */
export class JetStreamError extends AvbufError {
  constructor(
    code:
      | typeof ErrorCode.NATS_UNAVAILABLE
      | typeof ErrorCode.NATS_PUBLISH
      | typeof ErrorCode.NATS_STREAM
      | typeof ErrorCode.MEDIA_RECORD,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(code, message, options);
  }
}

/** True when `value` is an avbuf error, optionally of the given code. */
export function isAvbufError(value: unknown, code?: ErrorCodeValue): value is AvbufError {
  return value instanceof AvbufError && (code === undefined || value.code === code);
}

function fmtMb(bytes: number): string {
  return `${(bytes / 1048576).toFixed(2)} MB`;
}
