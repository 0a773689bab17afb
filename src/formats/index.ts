/**
 * WAV, RF64 and Wave64 files of any size: sample codecs, header parsing and building, a
 * positioned reader and a streaming writer, and a reader and writer of WAV byte streams (pipes,
 * stdin/stdout) that never seek. The public names of src/formats, for src/index.ts.
 */
export {
  SAMPLE_FORMATS,
  bytesPerSample,
  decodeInto,
  encodeInto,
  isSampleFormat,
  type SampleFormat,
} from './codecs.js';
export { parseWavHeaderBytes, readWavInfo, type WavChunk, type WavInfo } from './wavHeader.js';
export { buildWavHeader, type WavContainer, type WavHeaderLayout, type WavHeaderSpec } from './wavHeaderBuilder.js';
export { WavReader, type WavReaderOptions } from './wavReader.js';
export { IO_MODES, type IoMode } from './fileIo.js';
export { WavWriter, type WavWriterOptions } from './wavWriter.js';
export { WavStreamReader, type WavStreamReaderOptions } from './wavStreamReader.js';
export { WavStreamWriter, type WavStreamWriterOptions } from './wavStreamWriter.js';
export { type WavStreamInfo } from './wavStreamHeader.js';
