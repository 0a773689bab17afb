/**
 * `avbuf delay --publish nats://…` and `avbuf delay --play nats://…`: the two halves of the
 * delay line in two processes (or on two hosts), through a JetStream stream, on the capture
 * pipeline's clock (src/gst/netLine.ts). Each runs for `--duration` or until Ctrl-C, and ends
 * with a summary (one JSON line with `--json`).
 */
import { isAvbufError } from '../core/errors.js';

export interface NetDelayOptions {
  /** 'publish' or 'play', and the NATS URL(s), comma-separated. */
  readonly role: 'publish' | 'play';
  readonly servers: string;
  readonly stream: string | undefined;
  readonly delay: number;
  readonly duration: number;
  readonly json: boolean;
}

/** Runs one half; resolves to the exit code. */
export async function runNetDelay(options: NetDelayOptions): Promise<number> {
  const servers = options.servers.split(',');
  const { startPublishLine, startPlayLine } = await import('../gst/netLine.js');
  const say = (text: string): void => {
    if (!options.json) process.stdout.write(`${text}\n`);
  };
  let half: { stop(): Promise<void> };
  let summary: () => Record<string, unknown>;
  try {
    if (options.role === 'publish') {
      const line = await startPublishLine({ servers, stream: options.stream, delaySeconds: options.delay });
      say(`avbuf delay: capturing live test sources (720p30 JPEG + 48 kHz stereo) → ${servers.join(',')} stream "${line.stream}"`);
      say(`capture clock served at ${line.clock.address}:${line.clock.port}; players: avbuf delay --play ${servers.join(',')} --delay S`);
      half = line;
      summary = () => ({ role: 'publish', stream: line.stream, clock: { ...line.clock, baseTime: String(line.clock.baseTime) }, records: line.counts(), publisher: line.publisher.getMetrics() });
    } else {
      const line = await startPlayLine({ servers, stream: options.stream, delay: options.delay });
      say(`avbuf delay: playing ${servers.join(',')} stream "${options.stream ?? 'delay'}" ${options.delay} s after capture, on the capture clock`);
      half = line;
      summary = () => ({ role: 'play', delayS: options.delay, records: line.counts(), measured: line.measured() });
    }
  } catch (error) {
    process.stderr.write(`avbuf delay: ${isAvbufError(error) ? `${error.code}: ` : ''}${(error as Error).message}\n`);
    return isAvbufError(error, 'ERR_INVALID_CONFIG') ? 2 : 1;
  }
  let finish!: () => void;
  const finished = new Promise<void>((resolve) => (finish = resolve));
  const timer = setTimeout(finish, options.duration * 1000);
  process.once('SIGINT', finish);
  process.once('SIGTERM', finish);
  const progress = options.json ? undefined : setInterval(() => say(JSON.stringify(summary())), 2000);
  await finished;
  clearTimeout(timer);
  clearInterval(progress);
  process.off('SIGINT', finish);
  process.off('SIGTERM', finish);
  const result = summary();
  await half.stop();
  process.stdout.write(`${JSON.stringify({ ...result, stopped: true })}\n`);
  return 0;
}
