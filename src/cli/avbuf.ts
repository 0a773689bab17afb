#!/usr/bin/env node
/** The avbuf command. */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { isAvbufError } from '../core/errors.js';


const USAGE = `usage: avbuf <command> [options]

commands:
  delay [--source test|URI] [--delay S] [--duration S] [--out FILE.webm] [--json] [--verbose]
        [--inspect [--port N]]
                    the GStreamer A/V delay line: live test sources (or a URI) held in a
                    time window and played out in sync into a WebM file (default: 7 s delay,
                    20 s run, avbuf-delay.webm); live fill levels, a summary at the end
  delay --publish nats://HOST:PORT [--stream NAME] [--delay S] [--duration S]
  delay --play nats://HOST:PORT [--stream NAME] [--delay S] [--duration S] [--json]
                    the delay line in two processes: --publish captures (720p30 JPEG + audio)
                    into a JetStream stream with its clock, keeping --delay (7) s + 2 s; --play renders it --delay seconds
                    after capture on that clock, and reports the delay measured at its sinks
  demo [--json]     a short tour: buffers through the manager, audio written and read
                    back bit-exact, a ring fed by a worker, a pool, memory pressure, metrics
  inspect --demo [--port N] [--duration S]
                    the live inspector page on a demo system (buffers of every type whose
                    states change, memory alerts, a delay line when GStreamer is installed);
                    prints the URL to open, runs until Ctrl-C or --duration
  process IN OUT [--gain dB] [--normalize] [--format f32|s16|s24] [--chunk-frames N] [--cache-mb N]
                 [--inspect [--port N]]
                    streams a WAV file of any size through a streaming buffer and a gain
                    (or peak normalisation, to --gain dBFS) into OUT, in bounded memory
  machines [--format mermaid|dot|json|markdown]
                    every state machine definition (states, transitions, guards, timers),
                    as Mermaid diagrams (default), Graphviz DOT, JSON or the Markdown of
                    docs/machines.md
  help              this text

options:
  --inspect         (delay, process) open the live inspector while the command runs; its
                    URL (127.0.0.1, with an access token) is printed on stderr
  --port N          the inspector's port (default: a free one); --host H to listen beyond
                    127.0.0.1 (warned about)
  -h, --help        this text
  -v, --version     the version`;

function version(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}

/** `--gain -3` would parse as two options: rewrite it as `--gain=-3`. */
function joinNegativeValues(argv: readonly string[]): string[] {
  const out: string[] = [];
  for (const arg of argv) {
    if (/^-\d/.test(arg) && out.at(-1) === '--gain') out[out.length - 1] = `--gain=${arg}`;
    else out.push(arg);
  }
  return out;
}

/** Runs the command line; resolves to the exit code. */
export async function main(argv: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      // `--gain -3` would read as two options: join a negative number to its option.
      args: joinNegativeValues(argv),
      allowPositionals: true,
      options: {
        help: { type: 'boolean', short: 'h' },
        version: { type: 'boolean', short: 'v' },
        json: { type: 'boolean' },
        gain: { type: 'string' },
        normalize: { type: 'boolean' },
        format: { type: 'string' },
        'chunk-frames': { type: 'string' },
        'cache-mb': { type: 'string' },
        source: { type: 'string' },
        delay: { type: 'string' },
        duration: { type: 'string' },
        out: { type: 'string' },
        verbose: { type: 'boolean' },
        inspect: { type: 'boolean' },
        demo: { type: 'boolean' },
        port: { type: 'string' },
        host: { type: 'string' },
        publish: { type: 'string' },
        play: { type: 'string' },
        stream: { type: 'string' },
      },
    });
  } catch (error) {
    process.stderr.write(`avbuf: ${(error as Error).message}\n${USAGE}\n`);
    return 2;
  }
  const { values, positionals } = parsed;
  if (values.version) {
    process.stdout.write(`${version()}\n`);
    return 0;
  }
  const [command, ...rest] = positionals;
  if (values.help || command === undefined || command === 'help') {
    process.stdout.write(`${USAGE}\n`);
    return command === undefined && !values.help ? 2 : 0;
  }
  if (command === 'process') {
    if (rest.length !== 2) {
      process.stderr.write(`avbuf process: expected IN and OUT, got ${rest.length} argument(s)\nusage: avbuf process IN OUT [--gain dB] [--normalize] [--format f32|s16|s24]\n`);
      return 2;
    }
    // Commands are imported when used: `process` then starts without loading XState.
    const { runProcess } = await import('./processCommand.js');
    return runProcess({
      input: rest[0]!,
      output: rest[1]!,
      gain: values.gain,
      normalize: values.normalize,
      format: values.format,
      chunkFrames: values['chunk-frames'],
      cacheMb: values['cache-mb'],
      inspect: values.inspect,
      port: values.port,
      host: values.host,
    });
  }
  if (rest.length > 0) {
    process.stderr.write(`avbuf ${command}: unexpected argument "${rest[0]}"\n`);
    return 2;
  }
  switch (command) {
    case 'delay': {
      if (values.publish !== undefined || values.play !== undefined) {
        if (values.publish !== undefined && values.play !== undefined) {
          process.stderr.write('avbuf delay: --publish and --play are the two halves: run each in its own process\n');
          return 2;
        }
        const delay = Number(values.delay ?? 7);
        const duration = Number(values.duration ?? 20);
        if (!(delay >= 0) || !(duration > 0)) {
          process.stderr.write(`avbuf delay: --delay and --duration must be numbers of seconds, got ${values.delay ?? ''} ${values.duration ?? ''}\n`);
          return 2;
        }
        const { runNetDelay } = await import('./netDelayCommand.js');
        return runNetDelay({
          role: values.publish !== undefined ? 'publish' : 'play',
          servers: (values.publish ?? values.play)!,
          stream: values.stream,
          delay,
          duration,
          json: values.json === true,
        });
      }
      const { runDelay } = await import('./delayCommand.js');
      return runDelay({
        source: values.source,
        delay: values.delay,
        duration: values.duration,
        out: values.out,
        json: values.json,
        verbose: values.verbose,
        inspect: values.inspect,
        port: values.port,
        host: values.host,
      });
    }
    case 'inspect': {
      const { runInspect } = await import('./inspectCommand.js');
      return runInspect({ demo: values.demo, port: values.port, host: values.host, duration: values.duration, verbose: values.verbose });
    }
    case 'demo': {
      const { runDemo } = await import('./demo.js');
      return runDemo({ json: values.json ?? false });
    }
    case 'machines': {
      const { runMachines } = await import('./machinesCommand.js');
      return runMachines({ format: values.format });
    }
    default:
      process.stderr.write(`avbuf: unknown command "${command}"\n${USAGE}\n`);
      return 2;
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`avbuf: ${isAvbufError(error) ? `${error.code}: ` : ''}${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  },
);
