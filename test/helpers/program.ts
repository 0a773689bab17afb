/**
 * Tests that call a program the set-up installs (sox, dot, chromium …) check for it once: when
 * it is missing, one test fails naming the program and the Debian package that provides it,
 * instead of the rest being silently skipped (a new machine without it must not look green).
 */
import { spawnSync } from 'node:child_process';
import { it } from 'vitest';

/**
 * True when `program` runs here (`program versionFlag` exits 0). When it does not, registers a
 * failing test that says how to install it; the caller skips its own tests with `skipIf(!present)`.
 */
export function requireProgram(program: string, debianPackage: string, versionFlag = '--version'): boolean {
  const present = spawnSync(program, [versionFlag], { stdio: 'ignore' }).status === 0;
  it.runIf(!present)(`finds ${program} (Debian package ${debianPackage})`, () => {
    throw new Error(`${program} is missing: install it with \`apt-get install ${debianPackage}\` (npm test does, as root, through scripts/setup.mjs)`);
  });
  return present;
}
