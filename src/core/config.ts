/** BufferConfig: the spec's parameters, their defaults, and validation that names the bad field. */
import { ConfigError } from './errors.js';
import { checkBoolean, checkNumber, show } from './validate.js';
import { BUFFER_TYPES, type BufferType } from './types.js';

/** A complete, validated buffer configuration. */
export interface BufferConfig {
  /** The buffer type this config is meant for; optional because `createBuffer` names the type. */
  readonly bufferType?: BufferType | undefined;
  /** Sample rate in Hz. Default 44100. */
  readonly sampleRate: number;
  /** Channels per frame. Default 2. */
  readonly channels: number;
  /** Buffer size in frames (initial capacity of a memory buffer, block size of a ring). Default 1024. */
  readonly bufferSize: number;
  /** Most sample storage one buffer may hold, in MB of 1,048,576 bytes. Default 512. */
  readonly maxMemoryMb: number;
  /** Frames per chunk for streaming, and per block for pools. Default 8192. */
  readonly chunkSize: number;
  /** Cache for disk-backed buffers, in MB. Default 64. */
  readonly cacheSizeMb: number;
  /** Compress spilled chunks (streaming buffers). Default false. */
  readonly enableCompression: boolean;
  /** Allow the buffer to be shared with worker threads where its type supports it. Default true. */
  readonly threadSafe: boolean;
}

/** What callers pass: any subset of {@link BufferConfig}; the rest takes the defaults. */
export type BufferConfigInput = Partial<BufferConfig>;

/** The spec's defaults. */
export const DEFAULT_BUFFER_CONFIG: Readonly<BufferConfig> = Object.freeze({
  sampleRate: 44100,
  channels: 2,
  bufferSize: 1024,
  maxMemoryMb: 512,
  chunkSize: 8192,
  cacheSizeMb: 64,
  enableCompression: false,
  threadSafe: true,
});

const MAX_SAMPLE_RATE = 1_536_000;
const MAX_CHANNELS = 1024;
// 2^28 frames keeps frame × channel × 4 byte offsets exact and far below typed-array limits.
const MAX_FRAMES = 2 ** 28;

const KNOWN_FIELDS = new Set<string>([
  'bufferType',
  'sampleRate',
  'channels',
  'bufferSize',
  'maxMemoryMb',
  'chunkSize',
  'cacheSizeMb',
  'enableCompression',
  'threadSafe',
]);

/**
 * Fills in defaults and validates a buffer configuration.
 *
 * @example
 * const config = resolveConfig({ sampleRate: 48000, channels: 1 });
 * config.bufferSize; // 1024
 *
 * @param input - any subset of the fields; unknown fields are rejected (a snake_case name gets its camelCase spelling suggested).
 * @returns a frozen, complete config.
 * @throws {ConfigError} `ERR_INVALID_CONFIG`, with `field` naming the first bad field.
 */
export function resolveConfig(input: BufferConfigInput = {}): Readonly<BufferConfig> {
  if (input === null || typeof input !== 'object' || Array.isArray(input)) {
    throw new ConfigError('(config)', 'expected an object');
  }
  for (const key of Object.keys(input)) {
    if (!KNOWN_FIELDS.has(key)) {
      const camel = key.replace(/_([a-z])/g, (_m, c: string) => c.toUpperCase());
      const hint = camel !== key && KNOWN_FIELDS.has(camel) ? ` (did you mean "${camel}"?)` : '';
      throw new ConfigError(key, `unknown field${hint}`);
    }
  }
  const merged = { ...DEFAULT_BUFFER_CONFIG, ...stripUndefined(input) };
  if (merged.bufferType !== undefined && !BUFFER_TYPES.includes(merged.bufferType)) {
    throw new ConfigError('bufferType', `expected one of ${BUFFER_TYPES.join(', ')}, got ${show(merged.bufferType)}`);
  }
  checkNumber('sampleRate', merged.sampleRate, { min: 1, max: MAX_SAMPLE_RATE, integer: true });
  checkNumber('channels', merged.channels, { min: 1, max: MAX_CHANNELS, integer: true });
  checkNumber('bufferSize', merged.bufferSize, { min: 1, max: MAX_FRAMES, integer: true });
  checkNumber('maxMemoryMb', merged.maxMemoryMb, { min: 0, exclusive: true });
  checkNumber('chunkSize', merged.chunkSize, { min: 1, max: MAX_FRAMES, integer: true });
  checkNumber('cacheSizeMb', merged.cacheSizeMb, { min: 0 });
  checkBoolean('enableCompression', merged.enableCompression);
  checkBoolean('threadSafe', merged.threadSafe);
  return Object.freeze(merged);
}

/** Bytes in one MB as avbuf counts it (1,048,576). */
export const BYTES_PER_MB = 1048576;

function stripUndefined(input: BufferConfigInput): BufferConfigInput {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(input)) if (v !== undefined) out[k] = v;
  return out;
}
