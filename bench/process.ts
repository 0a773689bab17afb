/**
 * `npm run bench -- process`: `avbuf process IN OUT --gain -3` on a 1 GiB stereo float WAV
 * against `sox IN OUT gain -3` and a plain Node FileHandle loop
 * (`bench/fixtures/plain-gain.mjs`), each a separate process, interleaved, warm page cache.
 *
 * 1. Makes the input once in a fresh folder under os.tmpdir() (free space checked first):
 *    deterministic pseudo-random samples in [-1, 1), then reads it once to warm the cache.
 * 2. Checks, once: avbuf's data is bit-exact to Math.fround(x * 10 ** (-3 / 20)) of the input;
 *    the plain loop's too (the anchor must do the same work); sox's is compared with ours
 *    sample by sample (reported, not asserted: sox computes in 32-bit integers).
 * 3. Times rounds of avbuf, sox, plain (A B C A B C …), wall time around each spawn, peak RSS
 *    from `/usr/bin/time -f %M` (the kernel's ru_maxrss of the child, from wait4). Each output
 *    is deleted after its run; with `--sync` (the default) `sync` runs after the delete,
 *    outside the timing.
 * 4. Reports medians: ours/sox (target ≤ 0.5), ours/plain (target ≤ 1.2), and ours' peak RSS
 *    against 64 MiB + the 8 MiB cache `avbuf process` uses by default (target ≤ 1.0).
 *
 * The folder is removed at the end, also on failure and on Ctrl-C.
 *
 * Options: --rounds=N (default 7, at least 5), --mib=N (input data size, default 1024),
 * --sync / --no-sync, --dir=PATH (default os.tmpdir()).
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, open, readFile, rm, stat, statfs, unlink, type FileHandle } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readWavInfo, type WavInfo } from '../src/formats/wavHeader.js';
import { buildWavHeader } from '../src/formats/wavHeaderBuilder.js';
import { makeResult, median, note, report, type Comparison, type ReportRow } from './harness.js';

const ROOT = resolve(fileURLToPath(new URL('..', import.meta.url)));
const AVBUF = join(ROOT, 'dist', 'cli', 'avbuf.js');
const PLAIN = join(ROOT, 'bench', 'fixtures', 'plain-gain.mjs');
const TIME = '/usr/bin/time';
const MIB = 1 << 20;
const GAIN_DB = -3;
/** `avbuf process`'s default `--cache-mb`. */
const CACHE_MIB = 8;
const RSS_BASE_MIB = 64;
const CHANNELS = 2;
const SAMPLE_RATE = 48000;
const BLOCK = 4 * MIB;

interface Options {
  rounds: number;
  mib: number;
  sync: boolean;
  dir: string;
}

interface Run {
  seconds: number;
  rssMiB: number;
  /** Dirty + Writeback pages in /proc/meminfo just before the spawn, in MiB. */
  dirtyMiB: number;
}

interface SubjectSpec {
  name: string;
  command: (input: string, output: string) => string[];
}

const SUBJECTS: SubjectSpec[] = [
  { name: 'avbuf process', command: (i, o) => [process.execPath, AVBUF, 'process', i, o, '--gain', String(GAIN_DB)] },
  { name: 'sox', command: (i, o) => ['sox', i, o, 'gain', String(GAIN_DB)] },
  { name: 'plain FileHandle loop', command: (i, o) => [process.execPath, PLAIN, i, o, String(GAIN_DB)] },
];

function parseArgs(args: readonly string[]): Options {
  const options: Options = { rounds: 7, mib: 1024, sync: true, dir: tmpdir() };
  for (const arg of args) {
    const eq = arg.indexOf('=');
    const key = eq >= 0 ? arg.slice(0, eq) : arg;
    const value = eq >= 0 ? arg.slice(eq + 1) : '';
    const whole = (min: number): number => {
      const n = Number(value);
      if (!Number.isInteger(n) || n < min) throw new Error(`${key} needs a whole number >= ${min}, got "${value}"`);
      return n;
    };
    if (key === '--rounds') options.rounds = whole(5);
    else if (key === '--mib') options.mib = whole(1);
    else if (key === '--sync') options.sync = true;
    else if (key === '--no-sync') options.sync = false;
    else if (key === '--dir' && value !== '') options.dir = value;
    else throw new Error(`unknown option ${arg} (known: --rounds=N, --mib=N, --sync, --no-sync, --dir=PATH)`);
  }
  return options;
}

/** Fails early, with what to do, when a tool the benchmark needs is missing. */
function checkTools(): void {
  if (!existsSync(AVBUF)) throw new Error(`${AVBUF} is missing: run \`npm run build\` (npm run bench does it)`);
  if (spawnSync('sox', ['--version']).status !== 0) throw new Error('sox is needed: apt-get install sox (scripts/setup.mjs does it as root)');
  if (!existsSync(TIME)) throw new Error(`${TIME} (GNU time) is needed for peak RSS: apt-get install time`);
}

/** 24-bit xorshift32 samples: exactly representable in Float32, in [-1, 1). */
function fillRandom(block: Float32Array, state: number): number {
  let s = state;
  for (let i = 0; i < block.length; i++) {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    block[i] = (s >>> 8) / 8388608 - 1;
  }
  return s;
}

async function writeAll(fh: FileHandle, bytes: Uint8Array, position: number): Promise<void> {
  for (let done = 0; done < bytes.length; ) {
    const { bytesWritten } = await fh.write(bytes, done, bytes.length - done, position + done);
    done += bytesWritten;
  }
}

async function readFully(fh: FileHandle, bytes: Uint8Array, length: number, position: number): Promise<void> {
  for (let done = 0; done < length; ) {
    const { bytesRead } = await fh.read(bytes, done, length - done, position + done);
    if (bytesRead === 0) throw new Error(`short read at ${position + done}`);
    done += bytesRead;
  }
}

/** Writes the input WAV: a RIFF float header from avbuf's header builder, then the samples. */
async function makeInput(path: string, dataBytes: number): Promise<void> {
  const header = buildWavHeader({ format: 'f32', channels: CHANNELS, sampleRate: SAMPLE_RATE, container: 'riff', dataBytes });
  const fh = await open(path, 'w');
  try {
    await writeAll(fh, header.bytes, 0);
    const block = new Float32Array(BLOCK / 4);
    let state = 0x2545f491;
    for (let at = 0; at < dataBytes; at += BLOCK) {
      state = fillRandom(block, state);
      await writeAll(fh, new Uint8Array(block.buffer, 0, Math.min(BLOCK, dataBytes - at)), header.dataOffset + at);
    }
    if (header.padBytes > 0) await writeAll(fh, new Uint8Array(header.padBytes), header.dataOffset + dataBytes);
  } finally {
    await fh.close();
  }
}

/** Reads the whole file once (4 MiB reads), so every run finds it in the page cache. */
async function warm(path: string): Promise<number> {
  const fh = await open(path, 'r');
  const bytes = new Uint8Array(BLOCK);
  let total = 0;
  try {
    for (;;) {
      const { bytesRead } = await fh.read(bytes, 0, BLOCK, total);
      if (bytesRead === 0) return total;
      total += bytesRead;
    }
  } finally {
    await fh.close();
  }
}

/** `fincore`'s resident bytes of `path`, or null without fincore. */
function residentBytes(path: string): number | null {
  const r = spawnSync('fincore', ['--bytes', '--noheadings', '--output', 'RES', path], { encoding: 'utf8' });
  const n = Number(r.stdout.trim());
  return r.status === 0 && Number.isFinite(n) ? n : null;
}

async function info(path: string): Promise<WavInfo> {
  const fh = await open(path, 'r');
  try {
    return await readWavInfo(fh, (await fh.stat()).size, path);
  } finally {
    await fh.close();
  }
}

function dirtyMiB(meminfo: string): number {
  let kib = 0;
  for (const line of meminfo.split('\n')) {
    const m = /^(Dirty|Writeback):\s+(\d+) kB/.exec(line);
    if (m !== null) kib += Number(m[2]);
  }
  return kib / 1024;
}

let current: ReturnType<typeof spawn> | null = null;

/** Runs one subject under /usr/bin/time; wall time around the spawn, peak RSS from time's %M (KiB). */
async function runOnce(subject: SubjectSpec, input: string, output: string, rssFile: string): Promise<Run> {
  const dirty = dirtyMiB(await readFile('/proc/meminfo', 'utf8').catch(() => ''));
  const argv = [TIME, '-f', '%M', '-o', rssFile, ...subject.command(input, output)];
  const stderr: Buffer[] = [];
  const t0 = performance.now();
  const child = spawn(argv[0]!, argv.slice(1), { stdio: ['ignore', 'ignore', 'pipe'] });
  current = child;
  child.stderr.on('data', (b: Buffer) => {
    if (stderr.length < 64) stderr.push(b);
  });
  const code = await new Promise<number | null>((done, fail) => {
    child.on('error', fail);
    child.on('close', (c) => {
      done(c);
    });
  });
  const seconds = (performance.now() - t0) / 1000;
  current = null;
  if (code !== 0) {
    throw new Error(`${subject.name} exited with ${String(code)}: ${argv.slice(3).join(' ')}\n${Buffer.concat(stderr).toString().slice(-2000)}`);
  }
  const rssKiB = Number((await readFile(rssFile, 'utf8')).trim().split('\n').pop());
  if (!Number.isFinite(rssKiB) || rssKiB <= 0) throw new Error(`${TIME} gave no peak RSS for ${subject.name}`);
  return { seconds, rssMiB: rssKiB / 1024, dirtyMiB: dirty };
}

interface Compared {
  samples: number;
  differing: number;
  maxAbsDiff: number;
  firstDiffering: number;
}

/**
 * Streams the input and `outputs` side by side in 1 MiB blocks and compares each output's
 * samples with Math.fround(x * factor) of the input's, bit for bit.
 */
async function compareOutputs(input: string, outputs: readonly string[], factor: number): Promise<Compared[]> {
  const infos = await Promise.all([input, ...outputs].map(info));
  const inInfo = infos[0]!;
  for (const [i, o] of infos.entries()) {
    if (o.format !== 'f32' || o.channels !== inInfo.channels || o.frames !== inInfo.frames) {
      throw new Error(`${[input, ...outputs][i]!}: ${o.format} ${o.channels} ch ${o.frames} frames, expected f32 ${inInfo.channels} ch ${inInfo.frames} frames`);
    }
  }
  const handles = await Promise.all([input, ...outputs].map((p) => open(p, 'r')));
  const blocks = handles.map(() => new Float32Array(MIB / 4));
  const expected = new Float32Array(MIB / 4);
  const expectedBits = new Uint32Array(expected.buffer);
  const results: Compared[] = outputs.map(() => ({ samples: 0, differing: 0, maxAbsDiff: 0, firstDiffering: -1 }));
  try {
    for (let at = 0; at < inInfo.dataBytes; at += MIB) {
      const length = Math.min(MIB, inInfo.dataBytes - at);
      await Promise.all(handles.map((fh, i) => readFully(fh, new Uint8Array(blocks[i]!.buffer), length, infos[i]!.dataOffset + at)));
      const n = length / 4;
      const src = blocks[0]!;
      for (let k = 0; k < n; k++) expected[k] = src[k]! * factor;
      for (let i = 0; i < outputs.length; i++) {
        const got = blocks[i + 1]!;
        const gotBits = new Uint32Array(got.buffer);
        const r = results[i]!;
        for (let k = 0; k < n; k++) {
          if (gotBits[k] !== expectedBits[k]) {
            if (r.differing === 0) r.firstDiffering = at / 4 + k;
            r.differing++;
            const d = Math.abs(got[k]! - expected[k]!);
            if (!(d <= r.maxAbsDiff)) r.maxAbsDiff = d; // NaN counts as the largest
          }
        }
        r.samples += n;
      }
    }
  } finally {
    await Promise.all(handles.map((fh) => fh.close()));
  }
  return results;
}

function spreadNote(name: string, values: readonly number[], unit: string, digits = 3): string {
  const sorted = [...values].sort((a, b) => a - b);
  return `${name}: median ${median(values).toFixed(digits)} ${unit}, min ${sorted[0]!.toFixed(digits)}, max ${sorted[sorted.length - 1]!.toFixed(digits)} (n=${values.length})`;
}

/** A harness Comparison of two subjects' wall times (one "iteration" = one whole run), for the table's spread column. */
function comparison(ours: SubjectSpec, oursRuns: Run[], anchor: SubjectSpec, anchorRuns: Run[]): Comparison {
  const ns = (runs: Run[]): number[] => runs.map((r) => r.seconds * 1e9);
  const a = ns(oursRuns);
  const b = ns(anchorRuns);
  return {
    ours: { name: ours.name, iterations: 1, nsPerOp: a, medianNsPerOp: median(a) },
    anchor: { name: anchor.name, iterations: 1, nsPerOp: b, medianNsPerOp: median(b) },
    rounds: a.length,
    pairRatios: a.map((x, i) => x / b[i]!),
  };
}

export default async function run(args: readonly string[]): Promise<void> {
  const options = parseArgs(args);
  checkTools();
  const dataBytes = options.mib * MIB;
  const sizeName = options.mib % 1024 === 0 ? `${options.mib / 1024} GiB` : `${options.mib} MiB`;
  // Input, and at most two outputs at once (avbuf's and sox's during the check), plus room to spare.
  const needed = 3 * dataBytes + 256 * MIB;
  const fs = await statfs(options.dir);
  const free = fs.bavail * fs.bsize;
  if (free < needed) throw new Error(`${options.dir} has ${(free / MIB).toFixed(0)} MiB free; this benchmark needs ${(needed / MIB).toFixed(0)} MiB (use --dir or --mib)`);

  const dir = await mkdtemp(join(options.dir, 'avbuf-bench-process-'));
  const cleanup = (): void => {
    current?.kill('SIGKILL');
    spawnSync('rm', ['-rf', dir]);
  };
  const onSignal = (signal: NodeJS.Signals): void => {
    cleanup();
    process.stderr.write(`process: interrupted (${signal}); removed ${dir}\n`);
    process.exit(130);
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    const input = join(dir, 'in.wav');
    const rssFile = join(dir, 'rss.txt');
    const outputOf = (s: SubjectSpec): string => join(dir, `out-${s.name.split(' ')[0]!}.wav`);
    const factor = 10 ** (GAIN_DB / 20);

    note(`process: writing ${sizeName} of stereo f32 to ${input} ...`);
    let t = performance.now();
    await makeInput(input, dataBytes);
    // The input's own write-back must not land in the timed runs, whatever --sync says.
    spawnSync('sync');
    note(`process: written and synced in ${((performance.now() - t) / 1000).toFixed(1)} s; warming the page cache ...`);
    t = performance.now();
    const warmed = await warm(input);
    const resident = residentBytes(input);
    note(
      `process: read ${(warmed / MIB).toFixed(0)} MiB in ${((performance.now() - t) / 1000).toFixed(2)} s` +
        (resident === null ? '' : `; ${((100 * resident) / warmed).toFixed(1)}% resident in the page cache (fincore)`),
    );

    // Correctness, once (these runs also warm each subject's code up; they are not timed rounds).
    const [ours, sox, plain] = SUBJECTS as [SubjectSpec, SubjectSpec, SubjectSpec];
    note('process: checking outputs ...');
    const checkRuns = new Map<SubjectSpec, Run>();
    for (const s of [ours, sox]) checkRuns.set(s, await runOnce(s, input, outputOf(s), rssFile));
    const [oursCheck, soxCheck] = await compareOutputs(input, [outputOf(ours), outputOf(sox)], factor);
    await Promise.all([unlink(outputOf(ours)), unlink(outputOf(sox))]);
    if (oursCheck!.differing !== 0) {
      throw new Error(`avbuf process output is not bit-exact: ${oursCheck!.differing} of ${oursCheck!.samples} samples differ from fround(x * ${factor}), first at sample ${oursCheck!.firstDiffering}`);
    }
    checkRuns.set(plain, await runOnce(plain, input, outputOf(plain), rssFile));
    const [plainCheck] = await compareOutputs(input, [outputOf(plain)], factor);
    await unlink(outputOf(plain));
    if (plainCheck!.differing !== 0) throw new Error(`the plain loop's output is not bit-exact (${plainCheck!.differing} samples differ): the anchor is broken`);
    const soxLine =
      `sox vs fround(x * gain): ${soxCheck!.differing.toLocaleString('en-US')} of ${soxCheck!.samples.toLocaleString('en-US')} samples differ` +
      (soxCheck!.differing > 0 ? `, max |difference| ${soxCheck!.maxAbsDiff.toExponential(3)} (${(soxCheck!.maxAbsDiff * 2 ** 24).toFixed(2)} × 2^-24), first at sample ${soxCheck!.firstDiffering}` : '');
    note(`process: avbuf and plain outputs bit-exact to fround(x * 10^(-3/20)) over ${oursCheck!.samples.toLocaleString('en-US')} samples; ${soxLine}`);
    spawnSync('sync');
    note(`process: check runs (untimed warm-up): ${[...checkRuns].map(([s, r]) => `${s.name} ${r.seconds.toFixed(2)} s`).join(', ')}`);

    // Timed rounds: A B C, A B C, …
    const runs = new Map<SubjectSpec, Run[]>(SUBJECTS.map((s) => [s, []]));
    for (let round = 0; round < options.rounds; round++) {
      const line: string[] = [];
      for (const s of SUBJECTS) {
        const r = await runOnce(s, input, outputOf(s), rssFile);
        runs.get(s)!.push(r);
        await unlink(outputOf(s));
        if (options.sync) spawnSync('sync');
        line.push(`${s.name} ${r.seconds.toFixed(2)} s ${r.rssMiB.toFixed(1)} MiB (dirty before ${r.dirtyMiB.toFixed(0)} MiB)`);
      }
      note(`process: round ${round + 1}/${options.rounds}: ${line.join(', ')}`);
    }

    const oursRuns = runs.get(ours)!;
    const soxRuns = runs.get(sox)!;
    const plainRuns = runs.get(plain)!;
    const med = (rs: Run[]): number => median(rs.map((r) => r.seconds));
    const caseName = `process ${sizeName} f32 --gain -3`;
    const vsSox = comparison(ours, oursRuns, sox, soxRuns);
    const vsPlain = comparison(ours, oursRuns, plain, plainRuns);
    const plainVsSox = comparison(plain, plainRuns, sox, soxRuns);
    const rssAnchor = RSS_BASE_MIB + CACHE_MIB;
    const rows: ReportRow[] = [
      {
        result: makeResult({ case: `${caseName} vs sox`, metric: 's', better: 'lower', ours: med(oursRuns), anchor: med(soxRuns), anchorName: sox.name, target: 0.5 }),
        comparison: vsSox,
      },
      {
        result: makeResult({ case: `${caseName} vs plain FileHandle loop`, metric: 's', better: 'lower', ours: med(oursRuns), anchor: med(plainRuns), anchorName: plain.name, target: 1.2 }),
        comparison: vsPlain,
      },
      {
        // The largest of the rounds: a memory bound holds in every run or not at all.
        result: makeResult({
          case: 'peak RSS vs 64 MiB + cache',
          metric: 'MiB',
          better: 'lower',
          ours: Math.max(...oursRuns.map((r) => r.rssMiB)),
          anchor: rssAnchor,
          anchorName: `64 MiB + ${CACHE_MIB} MiB cache`,
          target: 1,
        }),
      },
      {
        // For information: how far the plain loop itself is from sox on this machine.
        result: makeResult({ case: `${caseName}: plain loop vs sox (info)`, metric: 's', better: 'lower', ours: med(plainRuns), anchor: med(soxRuns), anchorName: sox.name, target: null }),
        comparison: plainVsSox,
      },
    ];
    console.log(`process: ${options.rounds} interleaved rounds (avbuf, sox, plain), ${sizeName} stereo f32, warm cache, sync after each run: ${options.sync ? 'yes' : 'no'}`);
    for (const s of SUBJECTS) {
      const rs = runs.get(s)!;
      console.log(`  ${spreadNote(s.name, rs.map((r) => r.seconds), 's', 2)}; runs ${rs.map((r) => r.seconds.toFixed(2)).join(' ')}`);
      console.log(`    peak RSS (GNU time %M): ${spreadNote('', rs.map((r) => r.rssMiB), 'MiB', 1).slice(2)}`);
    }
    console.log(`  avbuf and the plain loop: bit-exact to fround(x * 10^(-3/20)); ${soxLine}`);
    report('process', rows);
  } finally {
    process.removeListener('SIGINT', onSignal);
    process.removeListener('SIGTERM', onSignal);
    await rm(dir, { recursive: true, force: true });
    // stat after removal: fails (ENOENT) as it should; anything else means the folder is still there.
    await stat(dir).then(
      () => note(`process: could not remove ${dir}`),
      () => undefined,
    );
  }
}
