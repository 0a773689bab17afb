/**
 * `avbuf process IN OUT`: the command-line face of {@link processFile}: a progress bar with
 * rate and time left on a terminal, plain lines otherwise, and a summary at the end.
 * `-` as IN reads a WAV from stdin, `-` as OUT writes a streamed WAV to stdout; with either,
 * every line the command prints goes to stderr, so stdout carries nothing but the WAV.
 */
import { isAvbufError } from '../core/errors.js';
import { OUTPUT_FORMATS, processFile, type OutputFormat, type ProcessProgress } from '../jobs/processFile.js';
import { groupThousands, mb } from './format.js';

export interface ProcessCommandArgs {
  input: string;
  output: string;
  gain?: string | undefined;
  normalize?: boolean | undefined;
  format?: string | undefined;
  chunkFrames?: string | undefined;
  cacheMb?: string | undefined;
  /** Open the live inspector (its URL goes to stderr) while the job runs. */
  inspect?: boolean | undefined;
  /** The inspector's port (default: a free one) and interface (default 127.0.0.1). */
  port?: string | undefined;
  host?: string | undefined;
}

interface Io {
  out: (text: string) => void;
  err: (text: string) => void;
  tty: boolean;
}

const defaultIo: Io = {
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
  tty: process.stderr.isTTY,
};

/** Runs the command; resolves to the exit code (0, 1 on failure, 2 on bad usage). */
export async function runProcess(args: ProcessCommandArgs, io: Io = defaultIo): Promise<number> {
  const gainDb = args.gain === undefined ? undefined : Number(args.gain);
  if (gainDb !== undefined && !Number.isFinite(gainDb)) return usage(io, `--gain takes a number of dB, got "${args.gain}"`);
  if (args.format !== undefined && !OUTPUT_FORMATS.includes(args.format as OutputFormat)) {
    return usage(io, `--format takes one of ${OUTPUT_FORMATS.join(', ')}, got "${args.format}"`);
  }
  const chunkFrames = args.chunkFrames === undefined ? undefined : Number(args.chunkFrames);
  if (chunkFrames !== undefined && !(Number.isInteger(chunkFrames) && chunkFrames > 0)) return usage(io, `--chunk-frames takes a whole number > 0`);
  const cacheSizeMb = args.cacheMb === undefined ? undefined : Number(args.cacheMb);
  if (cacheSizeMb !== undefined && !(cacheSizeMb > 0)) return usage(io, `--cache-mb takes a number > 0`);

  if (args.normalize === true && args.input === '-') return usage(io, '--normalize reads IN twice: it needs a file, not stdin');
  const piped = args.input === '-' || args.output === '-';
  // stdout may be the output: the summary then goes to stderr with everything else.
  const say = piped ? io.err : io.out;
  const progress = progressReporter(io);
  let inspector: { close(): Promise<void> } | undefined;
  let job: import('../inspect/fileJob.js').FileJobTracker | undefined;
  if (args.inspect === true) {
    try {
      const { startCliInspector } = await import('./inspectCommand.js');
      const { trackFileJob } = await import('../inspect/fileJob.js');
      inspector = await startCliInspector(
        'process',
        (bus) => {
          job = trackFileJob(bus, 'process');
          return () => job?.detach();
        },
        { port: args.port, host: args.host },
      );
    } catch (error) {
      io.err(`avbuf process: the inspector could not start: ${error instanceof Error ? error.message : String(error)}\n`);
      return 1;
    }
  }
  const onProgress = (p: ProcessProgress): void => {
    progress.update(p);
    job?.onProgress(p);
  };
  try {
    const s = await processFile({
      input: args.input === '-' ? process.stdin : args.input,
      output: args.output === '-' ? process.stdout : args.output,
      ...(gainDb !== undefined ? { gainDb } : {}),
      normalize: args.normalize === true,
      ...(args.format !== undefined ? { format: args.format as OutputFormat } : {}),
      ...(chunkFrames !== undefined ? { chunkFrames } : {}),
      ...(cacheSizeMb !== undefined ? { cacheSizeMb } : {}),
      onProgress,
    });
    progress.done();
    job?.finish();
    const seconds = s.elapsedMs / 1000;
    const bytes = s.frames * s.channels * 4;
    say(
      [
        `processed ${s.input} → ${s.output}`,
        `  ${groupThousands(s.frames)} frames × ${s.channels} channels at ${s.sampleRate} Hz (${(s.frames / s.sampleRate).toFixed(1)} s of audio), ${s.inputFormat} → ${s.outputFormat}`,
        `  gain ${s.gainDb.toFixed(2)} dB${s.peakIn !== null ? ` (normalized: input peak ${(20 * Math.log10(s.peakIn || 1)).toFixed(2)} dBFS)` : ''}`,
        `  ${seconds.toFixed(2)} s, ${mb(bytes / Math.max(seconds, 1e-9))}/s, peak RSS ${mb(s.maxRssBytes)}`,
        '',
      ].join('\n'),
    );
    return 0;
  } catch (error) {
    progress.done();
    job?.finish(error);
    const code = isAvbufError(error) ? `${error.code}: ` : '';
    io.err(`avbuf process: ${code}${error instanceof Error ? error.message : String(error)}\n`);
    return 1;
  } finally {
    await inspector?.close();
  }
}

function usage(io: Io, message: string): number {
  io.err(`avbuf process: ${message}\nusage: avbuf process IN OUT [--gain dB] [--normalize] [--format f32|s16|s24]  (IN or OUT '-': stdin or stdout)\n`);
  return 2;
}

/** A progress bar redrawn at most 10 times a second on a terminal; a line per 10 % otherwise. */
function progressReporter(io: Io): { update: (p: ProcessProgress) => void; done: () => void } {
  let lastDraw = 0;
  let lastDecile = -1;
  let drawn = false;
  return {
    update(p) {
      if (p.framesTotal === 0 && p.framesDone > 0) {
        // A streamed input of unknown length: no fraction or time left to show; on a terminal, the frames so far.
        if (!io.tty) return;
        const now = performance.now();
        if (now - lastDraw < 100) return;
        lastDraw = now;
        io.err(`\rprocessing: ${groupThousands(p.framesDone)} frames, ${mb(p.bytesDone / Math.max(p.elapsedMs / 1000, 1e-9))}/s `);
        drawn = true;
        return;
      }
      const fraction = p.framesTotal > 0 ? p.framesDone / p.framesTotal : 1;
      const rate = p.bytesDone / Math.max(p.elapsedMs / 1000, 1e-9);
      const left = rate > 0 ? ((p.framesTotal - p.framesDone) * (p.bytesDone / Math.max(p.framesDone, 1))) / rate : 0;
      const label = p.phase === 'scan' ? 'scanning' : 'processing';
      if (io.tty) {
        const now = performance.now();
        if (now - lastDraw < 100 && fraction < 1) return;
        lastDraw = now;
        const width = 30;
        const filled = Math.round(fraction * width);
        io.err(`\r${label} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${(fraction * 100).toFixed(0).padStart(3)}%  ${mb(rate)}/s  ${left.toFixed(1)} s left `);
        drawn = true;
      } else {
        const decile = Math.floor(fraction * 10);
        if (decile === lastDecile) return;
        lastDecile = decile;
        io.err(`${label}: ${decile * 10}% (${mb(p.bytesDone)}, ${mb(rate)}/s, ${left.toFixed(1)} s left)\n`);
      }
    },
    done() {
      if (drawn) io.err('\n');
      drawn = false;
    },
  };
}
