/**
 * `npm run bench -- delay`: the GStreamer delay line (`createDelayLine`, `avbuf/gst`) against
 * GStreamer's own queue holding the delay, 600 frames of 720p30 and of 1080p30 through a 7 s
 * delay, each run a separate Node process, interleaved (ours, native, ours, native, …).
 *
 * - **ours** (`bench/fixtures/delay-ours.mjs`): `createDelayLine({ delay: 7, width, height,
 *   framerate: 30, numBuffers: 600, audio: false, probes: false, timeOverlay: false,
 *   pattern })`, started, awaited until it stops by itself (source ends → window plays out →
 *   appsrc EOS → playback EOS). Analysis `videotestsrc ! appsink`, playback
 *   `appsrc ! queue ! fakesink sync=true` on the analysis clock with base time + 7 s.
 * - **native** (`bench/fixtures/delay-native.mjs`), from Node through node-gtk too, so both
 *   carry the same Node + GStreamer baseline: `videotestsrc ! caps ! queue max-size-time=0
 *   max-size-buffers=0 max-size-bytes=0 min-threshold-time=7000000000 ! fakesink sync=true`.
 *   The queue adds its min-threshold-time to the latency it reports, so the sink renders
 *   each frame 7 s + 53 ms after capture (one frame of videotestsrc latency + fakesink's
 *   20 ms processing-deadline); ours renders each 7 s + 20 ms after capture (the same
 *   processing-deadline): the same job.
 *
 * 1. Check, once (also the warm-up, not timed rounds): a shorter run of each (delay + 1 s of
 *    frames) with a render probe on its fakesink (`handoff` at render time: clock − base
 *    time − PTS) at the same delay; the benchmark fails unless both render every frame
 *    `delay` (+ at most 150 ms) after capture.
 * 2. Rounds: per round, per resolution, one run of ours then one of native. Each child
 *    reports `process.cpuUsage()` (user + system of all its threads, GStreamer's included)
 *    and `process.resourceUsage().maxRSS` at its end, whole life of the process; every run
 *    must have rendered all frames (fakesink's `stats`), none dropped.
 * 3. Reports medians per resolution: CPU per frame ours/native (target ≤ 1.5) and peak RSS
 *    ours/native (target ≤ 1.2), each run's figures above the table, and where the CPU went:
 *    the main thread (JavaScript, node-gtk calls, timers; how often it was woken), the other
 *    Node threads (GC, compilation) and GStreamer's threads, read from /proc just before
 *    the pipelines stop.
 *
 * Options: --rounds=N (default 3), --frames=N (default 600), --delay=S (default 7),
 * --pattern=NAME (videotestsrc pattern, default smpte), --only=720p|1080p, --no-check,
 * --quick (1 round of 150 frames through a 2 s delay: to try it, not for the targets).
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { makeResult, median, note, report, type Comparison, type ReportRow } from './harness.js';

const ROOT = resolve(fileURLToPath(new URL('..', import.meta.url)));
const OURS = join(ROOT, 'bench', 'fixtures', 'delay-ours.mjs');
const NATIVE = join(ROOT, 'bench', 'fixtures', 'delay-native.mjs');
const DIST = join(ROOT, 'dist', 'gst', 'index.js');
const MIB = 1 << 20;
const CPU_TARGET = 1.5;
const RSS_TARGET = 1.2;
/** How late after `delay` a check run may render (measured: ours +20 ms, native +53 ms). */
const CHECK_SLACK_MS = 150;

interface Resolution {
  name: string;
  width: number;
  height: number;
}

const RESOLUTIONS: Resolution[] = [
  { name: '720p30', width: 1280, height: 720 },
  { name: '1080p30', width: 1920, height: 1080 },
];

interface Options {
  rounds: number;
  frames: number;
  delay: number;
  pattern: string;
  resolutions: Resolution[];
  check: boolean;
  quick: boolean;
}

/** What a child prints (its one JSON line). */
interface ChildResult {
  subject: 'ours' | 'native';
  cpuMs: number;
  userMs: number;
  systemMs: number;
  peakRssBytes: number;
  wallMs: number;
  framesOut: number;
  /** Rendered by the fakesink (ours: `framesOut` is what was pushed into the appsrc). */
  framesRendered?: number | null;
  framesDropped: number | null;
  latencyMs?: number | null;
  maxHeld?: number;
  /** CPU per thread just before the pipelines stopped (bench/fixtures/delay-threads.mjs); null without /proc. */
  threads?: { mainMs: number; mainWakeups: number; nodeMs: number; gstMs: number } | null;
  delayMs?: { count: number; median: number; min: number; max: number } | null;
}

interface SubjectSpec {
  name: 'ours' | 'native';
  label: string;
  script: string;
}

const OURS_SPEC: SubjectSpec = { name: 'ours', label: 'avbuf createDelayLine', script: OURS };
const NATIVE_SPEC: SubjectSpec = { name: 'native', label: 'native queue min-threshold-time', script: NATIVE };

function parseArgs(args: readonly string[]): Options {
  const options: Options = { rounds: 3, frames: 600, delay: 7, pattern: 'smpte', resolutions: RESOLUTIONS, check: true, quick: false };
  let rounds: number | undefined;
  let frames: number | undefined;
  let delay: number | undefined;
  for (const arg of args) {
    const eq = arg.indexOf('=');
    const key = eq >= 0 ? arg.slice(0, eq) : arg;
    const value = eq >= 0 ? arg.slice(eq + 1) : '';
    const whole = (min: number): number => {
      const n = Number(value);
      if (!Number.isInteger(n) || n < min) throw new Error(`${key} needs a whole number >= ${min}, got "${value}"`);
      return n;
    };
    if (key === '--rounds') rounds = whole(1);
    else if (key === '--frames') frames = whole(30);
    else if (key === '--delay') {
      const n = Number(value);
      if (!Number.isFinite(n) || n < 1 || n > 60) throw new Error(`--delay needs seconds in [1, 60], got "${value}"`);
      delay = n;
    } else if (key === '--pattern' && /^[a-z0-9-]+$/.test(value)) options.pattern = value;
    else if (key === '--only') {
      const picked = RESOLUTIONS.filter((r) => r.name.startsWith(value) && value !== '');
      if (picked.length === 0) throw new Error(`--only needs one of ${RESOLUTIONS.map((r) => r.name).join(', ')}, got "${value}"`);
      options.resolutions = picked;
    } else if (key === '--no-check') options.check = false;
    else if (key === '--quick') options.quick = true;
    else throw new Error(`unknown option ${arg} (known: --rounds=N, --frames=N, --delay=S, --pattern=NAME, --only=720p|1080p, --no-check, --quick)`);
  }
  if (options.quick) {
    options.rounds = 1;
    options.frames = 150;
    options.delay = 2;
  }
  options.rounds = rounds ?? options.rounds;
  options.frames = frames ?? options.frames;
  options.delay = delay ?? options.delay;
  if (options.frames <= options.delay * 30) {
    // The native queue only adds its threshold to the latency when it fills before the source ends.
    throw new Error(`--frames must be more than the delay holds (${options.delay} s × 30 = ${options.delay * 30}), got ${options.frames}: the native anchor would not delay`);
  }
  return options;
}

let current: ReturnType<typeof spawn> | null = null;

function isChildResult(value: unknown): value is ChildResult {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return (v.subject === 'ours' || v.subject === 'native') && typeof v.cpuMs === 'number' && typeof v.peakRssBytes === 'number' && typeof v.framesOut === 'number';
}

/** Runs one child and returns its JSON line; fails on a non-zero exit or missing frames. */
async function runOnce(subject: SubjectSpec, resolution: Resolution, options: Options, frames: number, probe: boolean): Promise<ChildResult> {
  const argv = [
    subject.script,
    `--width=${resolution.width}`,
    `--height=${resolution.height}`,
    `--frames=${frames}`,
    `--delay=${options.delay}`,
    `--pattern=${options.pattern}`,
    ...(probe ? ['--probe'] : []),
  ];
  const stdout: Buffer[] = [];
  const stderr: Buffer[] = [];
  const child = spawn(process.execPath, argv, { stdio: ['ignore', 'pipe', 'pipe'], cwd: ROOT });
  current = child;
  child.stdout.on('data', (b: Buffer) => stdout.push(b));
  child.stderr.on('data', (b: Buffer) => {
    if (stderr.length < 64) stderr.push(b);
  });
  const code = await new Promise<number | null>((done, fail) => {
    child.on('error', fail);
    child.on('close', (c) => {
      done(c);
    });
  });
  current = null;
  const what = `${subject.name} ${resolution.name}${probe ? ' (check)' : ''}`;
  const err = Buffer.concat(stderr).toString().slice(-2000);
  if (code !== 0) throw new Error(`${what} exited with ${String(code)}: node ${argv.join(' ')}\n${err}`);
  const lastLine = Buffer.concat(stdout).toString().trim().split('\n').pop() ?? '';
  let parsed: unknown;
  try {
    parsed = JSON.parse(lastLine);
  } catch {
    throw new Error(`${what} printed no JSON line: ${lastLine.slice(0, 500)}\n${err}`);
  }
  if (!isChildResult(parsed)) throw new Error(`${what} printed an unexpected line: ${lastLine.slice(0, 500)}`);
  const rendered = parsed.subject === 'ours' ? parsed.framesRendered : parsed.framesOut;
  if (parsed.framesOut !== frames || rendered !== frames || parsed.framesDropped !== 0) {
    throw new Error(`${what}: ${parsed.framesOut} frames out, ${String(rendered)} rendered, ${String(parsed.framesDropped)} dropped; expected ${frames}, ${frames}, 0`);
  }
  return parsed;
}

function checkDelay(what: string, r: ChildResult, delayMs: number): string {
  const d = r.delayMs;
  if (d === undefined || d === null || d.count === 0) throw new Error(`${what}: the check run measured no render times`);
  if (d.min < delayMs - 5 || d.max > delayMs + CHECK_SLACK_MS) {
    throw new Error(
      `${what} does not render each frame ${delayMs} ms after capture: render − PTS was ${d.min.toFixed(1)}..${d.max.toFixed(1)} ms (median ${d.median.toFixed(1)}, ${d.count} frames)`,
    );
  }
  return `${what}: render − PTS median ${d.median.toFixed(1)} ms (${d.min.toFixed(1)}..${d.max.toFixed(1)}, ${d.count} frames)`;
}

/** A harness Comparison whose "operation" is one frame: ns of process CPU per frame. */
function cpuComparison(oursRuns: ChildResult[], nativeRuns: ChildResult[], frames: number): Comparison {
  const ns = (runs: ChildResult[]): number[] => runs.map((r) => (r.cpuMs * 1e6) / frames);
  const a = ns(oursRuns);
  const b = ns(nativeRuns);
  return {
    ours: { name: OURS_SPEC.label, iterations: frames, nsPerOp: a, medianNsPerOp: median(a) },
    anchor: { name: NATIVE_SPEC.label, iterations: frames, nsPerOp: b, medianNsPerOp: median(b) },
    rounds: a.length,
    pairRatios: a.map((x, i) => x / b[i]!),
  };
}

function list(values: readonly number[], digits: number): string {
  return values.map((v) => v.toFixed(digits)).join(' ');
}

export default async function run(args: readonly string[]): Promise<void> {
  const options = parseArgs(args);
  if (!existsSync(DIST)) throw new Error(`${DIST} is missing: run \`npm run build\` (npm run bench does it)`);
  const { frames, delay } = options;
  const delayMs = delay * 1000;
  const perRunS = frames / 30 + delay;
  const subjects = [OURS_SPEC, NATIVE_SPEC];

  const onSignal = (signal: NodeJS.Signals): void => {
    current?.kill('SIGKILL');
    process.stderr.write(`delay: interrupted (${signal})\n`);
    process.exit(130);
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    const checkLines: string[] = [];
    if (options.check) {
      // One second of frames more than the delay, at the first resolution. The anchor's queue
      // adds its threshold to the latency only when it fills to the threshold before the
      // source ends: with fewer frames than the delay holds, the native pipeline renders
      // everything at once at end of stream (latency 53 ms), and this check fails.
      const checkFrames = Math.min(frames, Math.ceil(delay * 30) + 30);
      const resolution = options.resolutions[0]!;
      note(`delay: checking that both render each frame ${delay} s after capture (${checkFrames} frames of ${resolution.name}, ~${(checkFrames / 30 + delay).toFixed(0)} s each) ...`);
      for (const s of subjects) {
        const r = await runOnce(s, resolution, options, checkFrames, true);
        const line = checkDelay(`${s.name} ${resolution.name}`, r, delayMs) + (r.latencyMs !== undefined && r.latencyMs !== null ? `; pipeline latency ${r.latencyMs.toFixed(1)} ms` : '');
        checkLines.push(line);
        note(`delay: ${line}`);
      }
    }

    const total = options.rounds * options.resolutions.length * subjects.length;
    note(`delay: ${options.rounds} round(s) × ${options.resolutions.length} resolution(s) × ours, native: ${total} runs of ~${perRunS.toFixed(0)} s (≈${((total * (perRunS + 1)) / 60).toFixed(1)} min)`);
    const runs = new Map<string, ChildResult[]>();
    const key = (s: SubjectSpec, r: Resolution): string => `${s.name} ${r.name}`;
    for (let round = 0; round < options.rounds; round++) {
      for (const resolution of options.resolutions) {
        const line: string[] = [];
        for (const s of subjects) {
          const r = await runOnce(s, resolution, options, frames, false);
          const k = key(s, resolution);
          runs.set(k, [...(runs.get(k) ?? []), r]);
          line.push(`${s.name} ${r.cpuMs.toFixed(0)} ms CPU, ${(r.peakRssBytes / MIB).toFixed(1)} MiB, ${(r.wallMs / 1000).toFixed(1)} s`);
        }
        note(`delay: round ${round + 1}/${options.rounds} ${resolution.name}: ${line.join('; ')}`);
      }
    }

    const rows: ReportRow[] = [];
    const caseOf = (r: Resolution): string => `${r.name} ${frames} frames, ${delay} s delay`;
    console.log(
      `delay: ${options.rounds} interleaved round(s) (ours, native) per resolution; ${frames} frames of videotestsrc pattern=${options.pattern} through a ${delay} s delay; ` +
        `each run a fresh Node process; CPU = process.cpuUsage() user + system (all threads), peak RSS = maxRSS`,
    );
    if (options.quick || frames !== 600 || delay !== 7) console.log(`  (not the issue's configuration of 600 frames through 7 s: the targets are for that one)`);
    for (const line of checkLines) console.log(`  check: ${line}`);
    for (const resolution of options.resolutions) {
      const ours = runs.get(key(OURS_SPEC, resolution))!;
      const native = runs.get(key(NATIVE_SPEC, resolution))!;
      console.log(`  ${resolution.name}:`);
      for (const [s, rs] of [
        [OURS_SPEC, ours],
        [NATIVE_SPEC, native],
      ] as const) {
        const cpu = rs.map((r) => r.cpuMs);
        console.log(
          `    ${s.name.padEnd(6)} CPU ms: median ${median(cpu).toFixed(0)} (${(median(cpu) / frames).toFixed(3)} ms/frame); runs ${list(cpu, 0)} ` +
            `(user ${list(rs.map((r) => r.userMs), 0)}, system ${list(rs.map((r) => r.systemMs), 0)})`,
        );
        console.log(
          `    ${''.padEnd(6)} peak RSS MiB: median ${median(rs.map((r) => r.peakRssBytes / MIB)).toFixed(1)}; runs ${list(rs.map((r) => r.peakRssBytes / MIB), 1)}; ` +
            `wall s: ${list(rs.map((r) => r.wallMs / 1000), 1)}` +
            (s.name === 'ours' ? `; most frames held: ${rs.map((r) => r.maxHeld ?? '?').join(' ')}` : ''),
        );
        const threads = rs.map((r) => r.threads).filter((t) => t !== undefined && t !== null);
        if (threads.length === rs.length) {
          const med = (pick: (t: (typeof threads)[number]) => number): string => median(threads.map(pick)).toFixed(0);
          console.log(
            `    ${''.padEnd(6)} by thread (median ms CPU up to the stop): main ${med((t) => t.mainMs)} (woken ${med((t) => t.mainWakeups)} times), ` +
              `other Node threads ${med((t) => t.nodeMs)}, GStreamer threads ${med((t) => t.gstMs)}`,
          );
        }
      }
      console.log(`    RSS ratio per round: ${list(ours.map((r, i) => r.peakRssBytes / native[i]!.peakRssBytes), 3)}`);
      const cpu = cpuComparison(ours, native, frames);
      rows.push({
        result: makeResult({
          case: `${caseOf(resolution)}: CPU`,
          metric: 'ms CPU/frame',
          better: 'lower',
          ours: cpu.ours.medianNsPerOp / 1e6,
          anchor: cpu.anchor.medianNsPerOp / 1e6,
          anchorName: NATIVE_SPEC.label,
          target: CPU_TARGET,
        }),
        comparison: cpu,
      });
      rows.push({
        result: makeResult({
          case: `${caseOf(resolution)}: peak RSS`,
          metric: 'MiB',
          better: 'lower',
          ours: median(ours.map((r) => r.peakRssBytes / MIB)),
          anchor: median(native.map((r) => r.peakRssBytes / MIB)),
          anchorName: NATIVE_SPEC.label,
          target: RSS_TARGET,
        }),
      });
    }
    report('delay', rows);
  } finally {
    process.removeListener('SIGINT', onSignal);
    process.removeListener('SIGTERM', onSignal);
  }
}
