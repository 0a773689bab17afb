#!/usr/bin/env node
/** The avbuf command. */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { isAvbufError } from '../core/errors.js';
import { runDemo } from './demo.js';

const USAGE = `usage: avbuf <command> [options]

commands:
  demo [--json]     a short tour: buffers through the manager, audio written and read
                    back bit-exact, a pool, memory pressure, metrics
  help              this text

options:
  -h, --help        this text
  -v, --version     the version`;

function version(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}

/** Runs the command line; resolves to the exit code. */
export async function main(argv: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        help: { type: 'boolean', short: 'h' },
        version: { type: 'boolean', short: 'v' },
        json: { type: 'boolean' },
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
  if (rest.length > 0) {
    process.stderr.write(`avbuf ${command}: unexpected argument "${rest[0]}"\n`);
    return 2;
  }
  switch (command) {
    case 'demo':
      return runDemo({ json: values.json ?? false });
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
