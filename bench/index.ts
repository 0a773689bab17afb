/**
 * Benchmark runner: `npm run bench -- NAME [options]` (or `npx tsx bench/index.ts NAME`).
 * Runs the default export of `bench/NAME.ts` with the remaining arguments. With no name,
 * or an unknown one, prints the available benchmarks and exits with status 2.
 */
import { readdirSync } from 'node:fs';
import { basename, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Files in bench/ that are not benchmarks. */
const HELPERS = new Set(['index', 'harness']);

type BenchMain = (args: readonly string[]) => void | Promise<void>;

function available(): string[] {
  const dir = dirname(fileURLToPath(import.meta.url));
  return readdirSync(dir)
    .filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts'))
    .map((f) => basename(f, '.ts'))
    .filter((name) => !HELPERS.has(name) && !name.startsWith('_'))
    .sort();
}

function usage(problem: string): never {
  const names = available();
  process.stderr.write(
    `${problem}\n` +
      `usage: npm run bench -- NAME [--rounds=N] [--sample-ms=N] [--warmup-ms=N]\n` +
      `available benchmarks:\n${names.map((n) => `  ${n}\n`).join('') || '  (none)\n'}`,
  );
  process.exit(2);
}

function isModuleWithMain(mod: unknown): mod is { default: BenchMain } {
  return typeof mod === 'object' && mod !== null && typeof (mod as { default?: unknown }).default === 'function';
}

const [name, ...rest] = process.argv.slice(2);
if (name === undefined || name === '' || name === '--help' || name === '-h') usage('no benchmark named');
if (!available().includes(name)) usage(`unknown benchmark: ${name}`);

const mod: unknown = await import(new URL(`./${name}.ts`, import.meta.url).href);
if (!isModuleWithMain(mod)) {
  process.stderr.write(`bench/${name}.ts has no default-exported function\n`);
  process.exit(1);
}
try {
  await mod.default(rest);
} catch (error) {
  process.stderr.write(`bench ${name} failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
}
