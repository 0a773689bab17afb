/**
 * `avbuf delay`: live sources (or a URI) through a GStreamer delay line into a WebM file,
 * with live fill levels on a terminal and a summary at the end. Ctrl-C stops it cleanly and
 * the file is finished.
 */
import { statSync } from 'node:fs';
import path from 'node:path';
import { ConfigError, isAvbufError } from '../core/errors.js';
import { stderrLogger } from './stderrLogger.js';
import { dropCounts } from '../gst/dropCounts.js';
import { groupThousands, table } from './format.js';

export interface DelayCommandOptions {
  source?: string | undefined;
  delay?: string | undefined;
  duration?: string | undefined;
  out?: string | undefined;
  json?: boolean | undefined;
  /** Log lines ([SOURCE]/[PLAYBACK]/[BUFFER]) to stderr. */
  verbose?: boolean | undefined;
  /** Open the live inspector (its URL goes to stderr) while the line runs. */
  inspect?: boolean | undefined;
  /** The inspector's port (default: a free one) and interface (default 127.0.0.1). */
  port?: string | undefined;
  host?: string | undefined;
}

export const DELAY_USAGE = 'usage: avbuf delay [--source test|URI] [--delay S] [--duration S] [--out FILE.webm] [--json] [--verbose] [--inspect [--port N]]';

function seconds(field: string, text: string | undefined, fallback: number): number {
  if (text === undefined) return fallback;
  const value = Number(text);
  if (text.trim() === '' || !Number.isFinite(value) || value <= 0) throw new ConfigError(field, `must be a number of seconds > 0, got "${text}"`);
  return value;
}

function bar(fraction: number, width = 24): string {
  const filled = Math.max(0, Math.min(width, Math.round(fraction * width)));
  return `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}]`;
}

/** Runs the command; resolves to the exit code. */
export async function runDelay(options: DelayCommandOptions): Promise<number> {
  let delay: number;
  let duration: number;
  try {
    delay = seconds('--delay', options.delay, 7);
    duration = seconds('--duration', options.duration, 20);
  } catch (error) {
    process.stderr.write(`avbuf delay: ${(error as Error).message}\n${DELAY_USAGE}\n`);
    return 2;
  }
  const out = path.resolve(options.out ?? 'avbuf-delay.webm');
  if (!out.toLowerCase().endsWith('.webm')) {
    process.stderr.write(`avbuf delay: --out must name a .webm file, got ${options.out ?? out}\n${DELAY_USAGE}\n`);
    return 2;
  }
  const source = options.source ?? 'test';

  const { createDelayLine } = await import('../gst/delayLine.js');
  let line;
  try {
    line = createDelayLine({ source, delay, out, ...(options.verbose ? { logger: stderrLogger(true) } : {}) });
  } catch (error) {
    process.stderr.write(`avbuf delay: ${isAvbufError(error) ? `${error.code}: ` : ''}${(error as Error).message}\n`);
    return isAvbufError(error, 'ERR_INVALID_CONFIG') ? 2 : 1;
  }
  const { manager } = line;
  let inspector: { close(): Promise<void> } | undefined;
  if (options.inspect === true) {
    try {
      const { startCliInspector } = await import('./inspectCommand.js');
      inspector = await startCliInspector('delay', (bus) => bus.addDelayLine(manager), { port: options.port, host: options.host });
    } catch (error) {
      process.stderr.write(`avbuf delay: the inspector could not start: ${(error as Error).message}\n`);
      return 1;
    }
  }
  try {
    return await runLine(line, { ...options, delay, duration, out, source });
  } finally {
    await inspector?.close();
  }
}

async function runLine(
  line: import('../gst/delayLine.js').DelayLine,
  options: Omit<DelayCommandOptions, 'delay' | 'duration' | 'out' | 'source'> & { delay: number; duration: number; out: string; source: string },
): Promise<number> {
  const { manager } = line;
  const { delay, duration, out, source } = options;
  const tty = process.stdout.isTTY && !options.json;
  const started = performance.now();
  let stalledReason: string | undefined;
  manager.setEmergencyShutdownCallback(({ reason }) => {
    stalledReason = reason;
    void manager.stop();
  });

  if (!options.json) {
    process.stdout.write(`avbuf delay: ${source === 'test' ? 'live test sources (ball + running time, 440 Hz tone)' : source} → ${delay} s delay → ${out}\n`);
    process.stdout.write(`running for ${duration} s; Ctrl-C stops early and finishes the file\n`);
  }

  let drawn = 0;
  const draw = (): void => {
    const s = manager.getStats();
    const dropped = dropCounts(s);
    const m = line.measured();
    const elapsed = (performance.now() - started) / 1000;
    const lines = [
      `state ${s.state.padEnd(12)} ${elapsed.toFixed(1)} / ${duration} s`,
      `video ${bar(s.frameBufferSize / s.frameBufferCapacity)} ${String(s.frameBufferSize).padStart(4)}/${s.frameBufferCapacity} frames   in ${s.framesReceived}  out ${s.framesSent}  dropped ${dropped.frames}`,
      `audio ${bar(s.audioBufferSize / s.audioBufferCapacity)} ${String(s.audioBufferSize).padStart(4)}/${s.audioBufferCapacity} chunks   in ${s.audioChunksReceived}  out ${s.audioChunksSent}  dropped ${dropped.audioChunks}`,
      `delay ${m.video ? `${m.video.median.toFixed(1)} ms video` : '—'}${m.audio ? `, ${m.audio.median.toFixed(1)} ms audio` : ''}${m.skewMs !== undefined ? `, skew ${m.skewMs.toFixed(2)} ms` : ''}`,
    ];
    if (tty) {
      if (drawn > 0) process.stdout.write(`\x1b[${drawn}A`);
      process.stdout.write(lines.map((l) => `\x1b[2K${l}\n`).join(''));
      drawn = lines.length;
    } else if (!options.json) {
      process.stdout.write(`${lines.join(' | ')}\n`);
    }
  };

  let interrupted = false;
  const onSignal = (): void => {
    if (interrupted) {
      process.stderr.write('avbuf delay: second interrupt, exiting without finishing the file\n');
      process.exit(130);
    }
    interrupted = true;
    if (!options.json) process.stdout.write('\nstopping (Ctrl-C again to quit at once)…\n');
    void manager.stop();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  const drawTimer = setInterval(draw, tty ? 250 : 2000);
  const stopTimer = setTimeout(() => void manager.stop(), duration * 1000);
  try {
    manager.start();
  } catch (error) {
    clearInterval(drawTimer);
    clearTimeout(stopTimer);
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await manager.stop();
    process.stderr.write(`avbuf delay: ${isAvbufError(error) ? `${error.code}: ` : ''}${(error as Error).message}\n`);
    return 1;
  }
  const result = await manager.whenStopped();
  clearInterval(drawTimer);
  clearTimeout(stopTimer);
  process.off('SIGINT', onSignal);
  process.off('SIGTERM', onSignal);
  if (tty) draw();

  const s = result.stats;
  const dropped = dropCounts(s);
  const m = line.measured();
  let fileBytes: number;
  try {
    fileBytes = statSync(out).size;
  } catch {
    fileBytes = 0;
  }
  const summary = {
    state: result.state,
    reason: stalledReason !== undefined ? 'stall' : interrupted ? 'interrupted' : result.reason,
    error: result.error ? { code: result.error.code, message: result.error.message } : null,
    seconds: (performance.now() - started) / 1000,
    delay,
    out,
    fileBytes,
    framesReceived: s.framesReceived,
    framesSent: s.framesSent,
    framesDropped: dropped.frames,
    audioChunksReceived: s.audioChunksReceived,
    audioChunksSent: s.audioChunksSent,
    audioChunksDropped: dropped.audioChunks,
    heldAtStop: s.discarded,
    measuredDelayMs: { video: m.video?.median ?? null, audio: m.audio?.median ?? null, videoP95: m.video?.p95 ?? null },
    skewMs: m.skewMs ?? null,
  };
  if (options.json) {
    process.stdout.write(`${JSON.stringify(summary)}\n`);
  } else {
    const ms = (v: number | null): string => (v === null ? '—' : `${v.toFixed(2)} ms`);
    process.stdout.write(
      `\n${table([
          ['', 'value'],
          ['ended', `${summary.state}${summary.reason ? ` (${summary.reason})` : ''}`],
          ['frames in / out', `${groupThousands(s.framesReceived)} / ${groupThousands(s.framesSent)}`],
          ['audio chunks in / out', `${groupThousands(s.audioChunksReceived)} / ${groupThousands(s.audioChunksSent)}`],
          ['dropped (video / audio)', `${summary.framesDropped} / ${summary.audioChunksDropped}`],
          ['held in the window at stop', groupThousands(s.discarded)],
          ['measured delay (video, median)', ms(summary.measuredDelayMs.video)],
          ['measured delay (audio, median)', ms(summary.measuredDelayMs.audio)],
          ['audio/video skew', ms(summary.skewMs)],
          ['file', `${out} (${(fileBytes / 1048576).toFixed(2)} MiB)`],
        ])}\n`,
    );
    if (result.error) process.stderr.write(`avbuf delay: ${result.error.code}: ${result.error.message}\n`);
  }
  return result.state === 'failed' || stalledReason !== undefined ? 1 : 0;
}
