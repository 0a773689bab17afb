/** The built `avbuf` command, for the tests that run it as a user would. */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** The repository's root folder, with a trailing slash. */
export const root = fileURLToPath(new URL('../..', import.meta.url));

/** The built command (npm test builds it first). */
export const cli = `${root}dist/cli/avbuf.js`;

/** Throws a clear message when the command has not been built. */
export function requireBuiltCli(): void {
  if (!existsSync(cli)) throw new Error(`${cli} is missing: run "npm run build" (npm test does it for you)`);
}

/** Runs `avbuf ...args` to the end (60 s at most). */
export function avbuf(...args: string[]): { code: number | null; stdout: string; stderr: string } {
  requireBuiltCli();
  const r = spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8', timeout: 60_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}
