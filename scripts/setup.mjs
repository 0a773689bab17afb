#!/usr/bin/env node
// Makes a checkout ready to test, run and benchmark: Debian packages, `npm ci`, `npm run build`.
// Plain Node ESM with no dependencies: it runs before node_modules exists. Run by `pretest`,
// `predemo` and `bench`; when everything is up to date it only stats a few files and exits.
//
//   node scripts/setup.mjs [--quiet | --list]
//
// --quiet suppresses the "nothing to do" line; every action taken still prints one line.
// --list prints what the set-up installs and checks, as one JSON object, and does nothing else.

import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * What the project calls, each with the Debian package that provides it (installed with
 * apt-get when running as root, and checked after installing). GStreamer's part — every
 * element any code, test, benchmark or doc example names, the typelibs node-gtk loads, the
 * gst-* tools and the headers node-gtk compiles against during `npm ci` — is the table in
 * src/gst/elements.json, shared with the loader's error messages and tested by
 * test/gst/elements.test.ts. The other programs are listed here, with who calls them.
 */
const GST_TABLE = JSON.parse(fs.readFileSync(new URL('../src/gst/elements.json', import.meta.url), 'utf8'));

/** Programs outside GStreamer → [Debian package, who calls it]. */
const PROGRAMS = {
  sox: ['sox', 'the WAV tests (test/formats/sox.test.ts) and bench/process.ts'],
  soxi: ['sox', 'the WAV tests (test/formats/sox.test.ts)'],
  ffmpeg: ['ffmpeg', 'the WAV-over-pipes tests (test/formats/wavStream*.test.ts) and the `avbuf process - -` pipe test (test/cli/process.test.ts)'],
  ffprobe: ['ffmpeg', 'the WAV-over-pipes tests (test/formats/wavStream*.test.ts): reads the streamed header from a pipe'],
  time: ['time', 'bench/process.ts and bench/streams.ts: a child\'s peak RSS from /usr/bin/time -f %M'],
  dot: ['graphviz', 'the test that renders `avbuf machines --format dot` (test/inspect/graph.test.ts)'],
  chromium: ['chromium', "the inspector page's browser test (playwright-core drives /usr/bin/chromium; it never downloads a browser)"],
  'nats-server': ['nats-server', 'the JetStream tests (test/nats/) and benchmarks: avbuf/testing/nats (startNatsServer, startNatsCluster) spawns it on loopback'],
  ...Object.fromEntries(Object.entries(GST_TABLE.programs).map(([name, pkg]) => [name, [pkg, 'the GStreamer tests (gst-launch-1.0) and this check (gst-inspect-1.0)']])),
};

/** Packages node-gtk compiles against: a change of these means a new `npm ci`. */
const NODE_GTK_BUILD_PACKAGES = [...Object.keys(GST_TABLE.buildHeaders), ...new Set(Object.values(GST_TABLE.typelibs))].sort();

const DEBIAN_PACKAGES = [
  ...new Set([
    ...Object.values(PROGRAMS).map(([pkg]) => pkg),
    ...NODE_GTK_BUILD_PACKAGES,
    ...Object.values(GST_TABLE.elements),
  ]),
].sort();

/** Inputs of `npm run build`, besides every file under src/ (the inspector page's sources among them). */
const BUILD_INPUT_FILES = ['package.json', 'tsconfig.json', 'tsconfig.build.json', 'scripts/build-page.mjs'];

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const NODE_MODULES = path.join(ROOT, 'node_modules');
const LOCKFILE = path.join(ROOT, 'package-lock.json');
const INSTALL_STAMP = path.join(NODE_MODULES, '.avbuf-install-stamp');
const CHECK_STAMP = path.join(NODE_MODULES, '.avbuf-check-stamp');
const DIST = path.join(ROOT, 'dist');
const BUILD_STAMP = path.join(DIST, '.avbuf-build-stamp');
const SRC = path.join(ROOT, 'src');

const quiet = process.argv.slice(2).includes('--quiet');
const isWindows = process.platform === 'win32';

function say(message) {
  console.log(`avbuf setup: ${message}`);
}

function fail(message) {
  console.error(`avbuf setup: ERROR: ${message}`);
  process.exit(1);
}

/** Runs a command with inherited stdio; exits the process with a message when it fails. */
function run(command, args, what, env = process.env) {
  const result = spawnSync(command, args, {
    cwd: ROOT,
    stdio: ['ignore', 'inherit', 'inherit'],
    env,
    // npm is a .cmd shim on Windows, which spawn can only start through a shell.
    shell: isWindows && command === 'npm',
  });
  if (result.error) fail(`${what} could not start \`${command}\`: ${result.error.message}`);
  if (result.status !== 0) {
    const how = result.signal ? `was killed by ${result.signal}` : `exited with code ${result.status}`;
    fail(`${what} failed: \`${[command, ...args].join(' ')}\` ${how}`);
  }
}

function mtimeMs(file) {
  try {
    return fs.statSync(file).mtimeMs;
  } catch {
    return undefined;
  }
}

function readText(file) {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}

/** Newest mtime of a directory tree (directories count too, so deleting a file is a change). */
function newestMtime(dir) {
  let newest = mtimeMs(dir) ?? 0;
  let entries;
  try {
    entries = fs.readdirSync(dir, { withFileTypes: true });
  } catch {
    return newest;
  }
  for (const entry of entries) {
    const full = path.join(dir, entry.name);
    const time = entry.isDirectory() ? newestMtime(full) : (mtimeMs(full) ?? 0);
    if (time > newest) newest = time;
  }
  return newest;
}

// ---------------------------------------------------------------------------------------------
// What is out of date

function missingDebianPackages() {
  if (DEBIAN_PACKAGES.length === 0) return [];
  const result = spawnSync('dpkg-query', ['-W', '-f=${Package} ${Status}\\n', ...DEBIAN_PACKAGES], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  if (result.error) {
    // Not a Debian system: nothing we can check or install.
    say(
      `cannot check Debian packages (${result.error.message}); ` +
        `make sure these are installed: ${DEBIAN_PACKAGES.join(' ')}`,
    );
    return [];
  }
  const installed = new Set(
    result.stdout
      .split('\n')
      .filter((line) => line.endsWith(' install ok installed'))
      .map((line) => line.split(' ')[0]),
  );
  return DEBIAN_PACKAGES.filter((pkg) => !installed.has(pkg.split(':')[0]));
}

function lockfileHash() {
  const text = readText(LOCKFILE);
  if (text === undefined) fail(`${LOCKFILE} is missing; \`npm ci\` needs it`);
  // node-gtk is compiled against some Debian packages during `npm ci`, so a change of that
  // list reinstalls.
  return createHash('sha256').update(text).update(NODE_GTK_BUILD_PACKAGES.join(' ')).digest('hex');
}

/** Why `npm ci` must run, or undefined when node_modules matches package-lock.json. */
function installReason() {
  if (!fs.existsSync(NODE_MODULES)) return 'node_modules is missing';
  const stamp = readText(INSTALL_STAMP);
  if (stamp === undefined) return 'node_modules was not installed by this script';
  if (stamp.trim() !== lockfileHash()) return 'package-lock.json or the Debian package list changed since the last install';
  return undefined;
}

/** Why `npm run build` must run, or undefined when dist/ is newer than its inputs. */
function buildReason() {
  if (!fs.existsSync(DIST)) return 'dist/ is missing';
  const stamp = mtimeMs(BUILD_STAMP);
  if (stamp === undefined) return 'dist/ has no build stamp';
  const sources = [newestMtime(SRC), ...BUILD_INPUT_FILES.map((file) => mtimeMs(path.join(ROOT, file)) ?? 0)];
  if (Math.max(...sources) > stamp) return 'sources changed since the last build';
  if ((mtimeMs(INSTALL_STAMP) ?? 0) > stamp) return 'dependencies were reinstalled since the last build';
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// A lock, so that concurrent runs (say `npm test` and `npm run bench`) do not both run `npm ci`.

const LOCK_DIR = path.join(
  os.tmpdir(),
  `avbuf-setup-${createHash('sha256').update(ROOT).digest('hex').slice(0, 16)}.lock`,
);
const LOCK_WAIT_MS = 15 * 60_000;

function sleep(ms) {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

function isAlive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return error.code === 'EPERM';
  }
}

function acquireLock() {
  const deadline = Date.now() + LOCK_WAIT_MS;
  let announced = false;
  for (;;) {
    try {
      fs.mkdirSync(LOCK_DIR);
      fs.writeFileSync(path.join(LOCK_DIR, 'pid'), String(process.pid));
      process.on('exit', releaseLock);
      return;
    } catch (error) {
      if (error.code !== 'EEXIST') fail(`cannot create lock ${LOCK_DIR}: ${error.message}`);
    }
    const owner = Number(readText(path.join(LOCK_DIR, 'pid')));
    const age = Date.now() - (mtimeMs(LOCK_DIR) ?? Date.now());
    // A lock without a live owner is stale (the pid file may lag the mkdir by a moment).
    if ((owner > 0 && !isAlive(owner)) || (!owner && age > 10_000)) {
      fs.rmSync(LOCK_DIR, { recursive: true, force: true });
      continue;
    }
    if (Date.now() > deadline) fail(`timed out waiting for another setup run (lock ${LOCK_DIR})`);
    if (!announced) {
      say(`waiting for another setup run to finish (pid ${owner || '?'})`);
      announced = true;
    }
    sleep(250);
  }
}

function releaseLock() {
  fs.rmSync(LOCK_DIR, { recursive: true, force: true });
}

// ---------------------------------------------------------------------------------------------
// Steps

function ensureDebianPackages(missing) {
  if (missing.length === 0) return;
  const install = ['install', '-y', '--no-install-recommends', ...missing];
  if (process.getuid?.() !== 0) {
    say(
      `missing Debian packages: ${missing.join(' ')}; install them with: ` +
        `sudo apt-get update && sudo apt-get ${install.join(' ')}`,
    );
    return;
  }
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  say(`installing Debian packages: ${missing.join(' ')}`);
  run('apt-get', ['update'], 'apt-get update', env);
  run('apt-get', install, 'installing Debian packages', env);
}

function ensureInstall(nodeGtkChanged) {
  // node-gtk compiles against some Debian packages during install: new ones mean a new install.
  const reason = installReason() ?? (nodeGtkChanged ? 'packages node-gtk compiles against were just installed' : undefined);
  if (!reason) return false;
  say(`installing dependencies (npm ci)… (${reason})`);
  const hash = lockfileHash();
  // `npm ci` removes node_modules first, so the stamp goes in afterwards.
  run('npm', ['ci'], 'npm ci');
  fs.writeFileSync(INSTALL_STAMP, `${hash}\n`);
  return true;
}

function ensureBuild() {
  const reason = buildReason();
  if (!reason) return false;
  say(`building (npm run build)… (${reason})`);
  // The stamp gets the time the build started, so an edit made during the build triggers the
  // next one.
  const started = new Date();
  run('npm', ['run', 'build', '--silent'], 'npm run build');
  fs.writeFileSync(BUILD_STAMP, `${started.toISOString()}\n`);
  fs.utimesSync(BUILD_STAMP, started, started);
  return true;
}

// ---------------------------------------------------------------------------------------------
// Checking what was installed: every program on PATH, every GStreamer element and typelib found.

/** Changes when anything checked changes, so a new table is checked once. */
function checkHash() {
  return createHash('sha256').update(JSON.stringify([GST_TABLE, PROGRAMS, DEBIAN_PACKAGES])).digest('hex');
}

function checkReason() {
  return readText(CHECK_STAMP)?.trim() === checkHash() ? undefined : 'not checked since the table changed';
}

function onPath(program) {
  return (process.env.PATH ?? '').split(path.delimiter).some((dir) => {
    try {
      fs.accessSync(path.join(dir, program), fs.constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

const TYPELIB_DIRS = ['/usr/lib/girepository-1.0', ...(readDirNames('/usr/lib').map((d) => `/usr/lib/${d}/girepository-1.0`))];

function readDirNames(dir) {
  try {
    return fs.readdirSync(dir);
  } catch {
    return [];
  }
}

/** What the project calls but this machine lacks: [{ kind, name, pkg }]. */
function missingParts() {
  const missing = [];
  for (const [name, [pkg]] of Object.entries(PROGRAMS)) if (!onPath(name)) missing.push({ kind: 'program', name, pkg });
  for (const [name, pkg] of Object.entries(GST_TABLE.typelibs)) {
    if (!TYPELIB_DIRS.some((dir) => fs.existsSync(path.join(dir, `${name}.typelib`)))) missing.push({ kind: 'GStreamer typelib', name, pkg });
  }
  const inspect = onPath('gst-inspect-1.0');
  for (const [name, pkg] of Object.entries(GST_TABLE.elements)) {
    // Without gst-inspect-1.0 (itself reported above) the elements cannot be looked up.
    if (!inspect || spawnSync('gst-inspect-1.0', ['--exists', name], { stdio: 'ignore' }).status !== 0) {
      missing.push({ kind: 'GStreamer element', name, pkg });
    }
  }
  return missing;
}

/**
 * Checks every part of the table after installing. As root a missing part fails the set-up
 * right here, one line each naming it and its package; otherwise prints the one apt-get line.
 */
function ensureChecked(force) {
  if (!force && !checkReason()) return;
  const missing = missingParts();
  if (missing.length === 0) return;
  const packages = [...new Set(missing.map((m) => m.pkg))];
  if (process.getuid?.() === 0) {
    for (const m of missing) console.error(`avbuf setup: ERROR: ${m.kind} ${m.name} not found (Debian package ${m.pkg})`);
    fail(`${missing.length} part${missing.length > 1 ? 's' : ''} of the set-up missing after installing; try: apt-get install --reinstall ${packages.join(' ')}`);
  }
  say(
    `missing: ${missing.map((m) => `${m.name} (${m.pkg})`).join(', ')}; install with: ` +
      `sudo apt-get update && sudo apt-get install -y --no-install-recommends ${packages.join(' ')}`,
  );
}

function main() {
  let missing = missingDebianPackages();
  const isRoot = process.getuid?.() === 0;
  const canInstallDebian = missing.length > 0 && isRoot;
  if (!canInstallDebian && !installReason() && !buildReason() && !checkReason()) {
    ensureDebianPackages(missing); // at most prints how to install them
    if (missing.length === 0 && !quiet) say('up to date');
    return;
  }
  acquireLock();
  // Another run may have done the work while we waited, so each step checks again.
  if (canInstallDebian) missing = missingDebianPackages();
  ensureDebianPackages(missing);
  const stillMissing = new Set(missingDebianPackages());
  const justInstalled = missing.filter((pkg) => !stillMissing.has(pkg));
  // Checked before `npm ci`, so a broken install fails now rather than minutes later.
  ensureChecked(justInstalled.length > 0);
  const installed = ensureInstall(justInstalled.some((pkg) => NODE_GTK_BUILD_PACKAGES.includes(pkg)));
  const built = ensureBuild();
  // `npm ci` empties node_modules, so the check's stamp is written last; only a complete machine gets one.
  if (stillMissing.size === 0 && checkReason() && missingParts().length === 0) fs.writeFileSync(CHECK_STAMP, `${checkHash()}\n`);
  if (!installed && !built && missing.length === 0 && !quiet) say('up to date');
}

if (process.argv.slice(2).includes('--list')) {
  console.log(JSON.stringify({ debianPackages: DEBIAN_PACKAGES, nodeGtkBuildPackages: NODE_GTK_BUILD_PACKAGES, programs: PROGRAMS, gst: GST_TABLE }));
} else {
  main();
}
