/**
 * `npm run bench -- netDelay`: the delay line across processes (issue 13: "Cross-process delay
 * line, 720p30 + audio, 7 s: measured render delay within 5 ms of the target, A/V skew ≤ 5 ms,
 * against the local line in the same run").
 *
 * Per run, one after the other (never at once: a 2-core machine):
 *
 * 1. **Local line** (the anchor), in this process: `createDelayLine({ width: 1280, height: 720,
 *    framerate: 30, delay: 7, probes: true })` (live test sources, video and audio, no `out`:
 *    `appsrc ! queue ! identity sync=true ! identity (probe) ! fakesink` per track), started;
 *    once both probes have measured a buffer (playout has begun, ≈ 7 s after the start: the
 *    playback pipeline itself starts earlier), `--settle-s` (2) seconds more, then a window of
 *    `--play-s` − `--settle-s` (6) seconds in which this process's CPU is counted; then
 *    `line.measured()` (render − PTS at each probe on the shared clock: medians in ms, and
 *    the skew audio − video median), and `await line.manager.stop()`.
 * 2. **Across processes** (the subject): a real nats-server (`startNatsServer()`, loopback,
 *    temporary store, a fresh one per run); the capture half as its own OS process,
 *    `node dist/cli/avbuf.js delay --publish <url> --stream bench --delay 7 --duration 120`; once its
 *    stdout says `capture clock served`, `delay` + 0.5 s more, so the stream holds the history
 *    the player starts reading from (now − delay); then the playout half in this process,
 *    `startPlayLine({ servers: [url], stream: 'bench', delay: 7 })`; from its first rendered
 *    buffers on, the same `--settle-s` and CPU window as the local line's, this process's CPU
 *    counted with the capture child's and the server's (`/proc/<pid>/stat` utime + stime)
 *    over that window; then `play.measured()`, `await play.stop()`, SIGTERM to the child (it
 *    prints a last JSON line: records published, the publisher's metrics), the server stopped.
 *
 * Both medians are over every buffer rendered from the start of playout to the reading (the
 * same for both subjects). Rows: |video median − delay| and |audio median − delay| of the
 * cross-process line against the 5 ms target (the anchor column is the target itself, as
 * jetstream's latency row: ratio ≤ 1), |skew| against 5 ms likewise; then, for information,
 * the same three figures and the CPU per second of playout against the local line's, and
 * the network clock's own error, which the probes cannot see (they read the clock the sinks
 * wait on): every 100 ms of playout, a GstNetClientClock of the same capture clock (sharing
 * the player's synchronisation) against this process's system clock, which on one host is
 * the capture pipeline's clock (see `clockOffsets`). With
 * `--runs=N`, every figure is the median of the runs (each run's figures are printed above the
 * table).
 *
 * Options: --runs=N (default 1), --delay=S (default 7; the targets are for 7), --play-s=S
 * (default 8), --settle-s=S (default 2).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createDelayLine } from '../src/gst/delayLine.js';
import { startPlayLine } from '../src/gst/netLine.js';
import { loadGst, loadGstNet } from '../src/gst/loader.js';
import type { ProbeSummary } from '../src/gst/probe.js';
import { startNatsServer, type NatsServer } from '../src/testing/nats/index.js';
import { makeResult, median, note, report, type ReportRow } from './harness.js';

const ROOT = resolve(fileURLToPath(new URL('..', import.meta.url)));
const CLI = join(ROOT, 'dist', 'cli', 'avbuf.js');
const STREAM = 'bench';
const WIDTH = 1280;
const HEIGHT = 720;
const FRAMERATE = 30;
/** Delay error and skew targets, ms. */
const TARGET_MS = 5;
/** How long after the clock is served, beyond the delay, before the player starts: s. */
const HISTORY_MARGIN_S = 0.5;
/** The capture child's own limit (it is stopped with SIGTERM long before). */
const CHILD_DURATION_S = 120;
/** How often the network clock is compared with the system clock during playout, ms. */
const CLOCK_SAMPLE_MS = 100;
/** A clock comparison is kept only when the two system clock readings around it are this close, ns. */
const CLOCK_BRACKET_NS = 100_000n;
/** The smallest anchor figure of a ratio row (makeResult needs a positive anchor), ms. */
const FLOOR_MS = 0.001;

interface Options {
  runs: number;
  delay: number;
  playS: number;
  settleS: number;
}

function parseArgs(args: readonly string[]): Options {
  const options: Options = { runs: 1, delay: 7, playS: 8, settleS: 2 };
  for (const arg of args) {
    const eq = arg.indexOf('=');
    const key = eq >= 0 ? arg.slice(0, eq) : arg;
    const value = eq >= 0 ? arg.slice(eq + 1) : '';
    const seconds = (min: number, max: number): number => {
      const n = Number(value);
      if (value === '' || !Number.isFinite(n) || n < min || n > max) throw new Error(`${key} needs seconds in [${min}, ${max}], got "${value}"`);
      return n;
    };
    if (key === '--runs') {
      const n = Number(value);
      if (!Number.isInteger(n) || n < 1) throw new Error(`--runs needs a whole number >= 1, got "${value}"`);
      options.runs = n;
    } else if (key === '--delay') options.delay = seconds(1, 60);
    else if (key === '--play-s') options.playS = seconds(2, 600);
    else if (key === '--settle-s') options.settleS = seconds(0, 60);
    else throw new Error(`unknown option ${arg} (known: --runs=N, --delay=S, --play-s=S, --settle-s=S)`);
  }
  if (options.settleS >= options.playS - 1) throw new Error(`--settle-s (${options.settleS}) must be at least 1 s shorter than --play-s (${options.playS})`);
  return options;
}

/** What one subject measured in one run. */
interface Measured {
  video: ProbeSummary;
  audio: ProbeSummary;
  skewMs: number;
  /** CPU of this process over the CPU window, ms per second. */
  cpuPerS: number;
}

interface CrossMeasured extends Measured {
  /** CPU of the capture child and of the nats-server over the same window, ms per second (NaN when /proc could not be read). */
  captureCpuPerS: number;
  serverCpuPerS: number;
  played: { video: number; audio: number };
  /** The capture child's last JSON line (records published, the publisher's metrics), or null. */
  captureSummary: Record<string, unknown> | null;
  /** The capture child's exit: code or signal. */
  captureExit: string;
  /** |network client clock − system clock| over playout, ms (see clockOffsets). */
  clockOffset: ClockOffsets;
}

/** |network client clock − system clock|, ms: median of all samples, the largest before and in the CPU window. */
interface ClockOffsets {
  median: number;
  maxEarly: number;
  maxLate: number;
  samples: number;
}

interface Run {
  local: Measured;
  cross: CrossMeasured;
}

const sleep = (ms: number): Promise<void> => new Promise((done) => setTimeout(done, ms));

let clockTicks: number | undefined;
/** CPU time so far of process `pid`, ms (utime + stime from /proc/<pid>/stat), or NaN. */
function procCpuMs(pid: number | undefined): number {
  if (pid === undefined) return NaN;
  clockTicks ??= Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout.trim()) || 100;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may hold spaces), from field 3 (state): utime is 14, stime 15.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / clockTicks;
  } catch {
    return NaN;
  }
}

/** CPU of this process since `start`, ms. */
function cpuMsSince(start: NodeJS.CpuUsage): number {
  const d = process.cpuUsage(start);
  return (d.user + d.system) / 1000;
}

function need(what: string, m: { video: ProbeSummary | undefined; audio: ProbeSummary | undefined; skewMs: number | undefined }): { video: ProbeSummary; audio: ProbeSummary; skewMs: number } {
  if (m.video === undefined || m.audio === undefined || m.skewMs === undefined) {
    throw new Error(`${what}: the probes measured nothing (video ${m.video?.count ?? 0}, audio ${m.audio?.count ?? 0} buffers)`);
  }
  return { video: m.video, audio: m.audio, skewMs: m.skewMs };
}

/**
 * Resolves once both probes have measured a buffer (playout has begun), or fails after
 * `limitMs`. The local line's playback pipeline starts before its first frame is due, so its
 * start is not when playout begins.
 */
async function firstRender(what: string, measured: () => { video: ProbeSummary | undefined; audio: ProbeSummary | undefined }, limitMs: number, failed: () => string | null): Promise<void> {
  const end = performance.now() + limitMs;
  for (;;) {
    const m = measured();
    if (m.video !== undefined && m.audio !== undefined) return;
    const failure = failed();
    if (failure !== null) throw new Error(`${what}: ${failure}`);
    if (performance.now() > end) throw new Error(`${what}: nothing rendered within ${(limitMs / 1000).toFixed(0)} s (video ${m.video?.count ?? 0}, audio ${m.audio?.count ?? 0} buffers)`);
    await sleep(20);
  }
}

/** The local line: the anchor. */
async function runLocal(options: Options): Promise<Measured> {
  const line = createDelayLine({ width: WIDTH, height: HEIGHT, framerate: FRAMERATE, delay: options.delay, probes: true });
  line.manager.start();
  try {
    await firstRender('local line', () => line.measured(), (options.delay + 15) * 1000, () =>
      line.manager.error !== null ? `failed: ${line.manager.error.message}` : line.manager.state === 'stopped' || line.manager.state === 'failed' ? `ended (${line.manager.state})` : null,
    );
    await sleep(options.settleS * 1000);
    const windowS = options.playS - options.settleS;
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    await sleep(windowS * 1000);
    const cpuMs = cpuMsSince(cpu0);
    const elapsedS = (performance.now() - t0) / 1000;
    if (line.manager.error !== null) throw new Error(`local line failed: ${line.manager.error.message}`);
    const m = need('local line', line.measured());
    return { ...m, cpuPerS: cpuMs / elapsedS };
  } finally {
    const result = await line.manager.stop();
    if (result.error !== null) note(`netDelay: the local line stopped with an error: ${result.error.message}`);
  }
}

/** The capture half in its own process; resolves once it serves its clock. */
async function startCapture(
  url: string,
  delay: number,
  onStdout: (line: string) => void,
): Promise<{ child: ChildProcess; exited: Promise<string>; stderrTail: () => string; clock: { address: string; port: number } }> {
  // --delay sets the stream's history (at least 7 s) for the player's delay.
  const argv = [CLI, 'delay', '--publish', url, '--stream', STREAM, '--delay', String(delay), '--duration', String(CHILD_DURATION_S)];
  const child = spawn(process.execPath, argv, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  const stderr: string[] = [];
  child.stderr.setEncoding('utf8').on('data', (s: string) => {
    stderr.push(s);
    if (stderr.length > 64) stderr.shift();
  });
  const exited = new Promise<string>((done, fail) => {
    child.on('error', fail);
    child.on('close', (code, signal) => done(signal !== null ? `signal ${signal}` : `exit ${String(code)}`));
  });
  let served!: (clock: { address: string; port: number }) => void;
  const servedP = new Promise<{ address: string; port: number }>((done) => (served = done));
  let rest = '';
  child.stdout.setEncoding('utf8').on('data', (s: string) => {
    rest += s;
    for (let nl = rest.indexOf('\n'); nl >= 0; nl = rest.indexOf('\n')) {
      const line = rest.slice(0, nl);
      rest = rest.slice(nl + 1);
      const m = /capture clock served at ([^\s:]+):(\d+)/.exec(line);
      if (m !== null) served({ address: m[1]!, port: Number(m[2]) });
      onStdout(line);
    }
  });
  const stderrTail = (): string => stderr.join('').slice(-2000);
  let clock = { address: '', port: 0 };
  const outcome = await Promise.race([
    servedP.then((c) => {
      clock = c;
      return 'served' as const;
    }),
    exited.then((how) => `the capture process ended (${how}) before serving its clock`),
    sleep(30_000).then(() => 'the capture process did not serve its clock within 30 s'),
  ]);
  if (outcome !== 'served') {
    child.kill('SIGKILL');
    throw new Error(`${outcome}: node ${argv.join(' ')}\n${stderrTail()}`);
  }
  return { child, exited, stderrTail, clock };
}

/**
 * What the probes cannot see: the probes and the sinks read the same network client clock, so
 * an error of that clock is in neither figure. On one host the capture pipeline's clock is
 * the system clock (GstSystemClock, monotonic: no element of it provides a clock), so the
 * network client clock can be read against this process's system clock. A GstNetClientClock
 * for the same address and port shares its synchronisation with the player's (GStreamer keeps
 * one internal clock per remote address in a process).
 */
function clockOffsets(address: string, port: number): { sample(): void; mark(): void; result(): ClockOffsets } {
  const { Gst } = loadGst();
  const system = (Gst as unknown as { SystemClock: { obtain(): { getTime(): bigint } } }).SystemClock.obtain();
  const net = loadGstNet().NetClientClock.new('bench-check', address, port, 0n);
  if (!net.waitForSync(5n * Gst.SECOND)) throw new Error(`a second client of the capture clock at ${address}:${port} did not sync within 5 s`);
  const early: number[] = [];
  const late: number[] = [];
  let into = early;
  const max = (values: number[]): number => (values.length === 0 ? NaN : Math.max(...values));
  return {
    sample() {
      // Kept only when nothing (a context switch, GC) came between the readings: up to three tries.
      for (let attempt = 0; attempt < 3; attempt++) {
        const before = system.getTime();
        const remote = net.getTime();
        const after = system.getTime();
        if (after - before > CLOCK_BRACKET_NS) continue;
        into.push(Math.abs(Number(remote) - (Number(before) + Number(after)) / 2) / 1e6);
        return;
      }
    },
    mark() {
      into = late;
    },
    result() {
      const all = [...early, ...late];
      return { median: all.length === 0 ? NaN : median(all), maxEarly: max(early), maxLate: max(late), samples: all.length };
    },
  };
}

let liveChild: ChildProcess | undefined;
let liveServer: NatsServer | undefined;

/** The delay line across processes: the subject. */
async function runCross(options: Options): Promise<CrossMeasured> {
  const server = await startNatsServer();
  liveServer = server;
  let child: ChildProcess | undefined;
  try {
    let lastJson: Record<string, unknown> | null = null;
    const capture = await startCapture(server.url, options.delay, (line) => {
      if (!line.startsWith('{')) return;
      try {
        const parsed = JSON.parse(line) as Record<string, unknown>;
        if (parsed.stopped === true) lastJson = parsed;
      } catch {
        // a progress line cut short: ignore
      }
    });
    child = capture.child;
    liveChild = child;
    await sleep((options.delay + HISTORY_MARGIN_S) * 1000);
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`the capture process ended early\n${capture.stderrTail()}`);

    const play = await startPlayLine({ servers: [server.url], stream: STREAM, delay: options.delay });
    const offsets = clockOffsets(capture.clock.address, capture.clock.port);
    const sampler = setInterval(() => offsets.sample(), CLOCK_SAMPLE_MS);
    let m: { video: ProbeSummary; audio: ProbeSummary; skewMs: number };
    let cpuMs: number;
    let captureMs: number;
    let serverMs: number;
    let elapsedS: number;
    let played: { video: number; audio: number };
    try {
      await firstRender('cross-process line', () => play.measured(), 10_000, () => (child!.exitCode !== null || child!.signalCode !== null ? 'the capture process ended' : null));
      await sleep(options.settleS * 1000);
      offsets.mark();
      const cpu0 = process.cpuUsage();
      const capture0 = procCpuMs(child.pid);
      const server0 = procCpuMs(server.pid);
      const t0 = performance.now();
      await sleep((options.playS - options.settleS) * 1000);
      cpuMs = cpuMsSince(cpu0);
      captureMs = procCpuMs(child.pid) - capture0;
      serverMs = procCpuMs(server.pid) - server0;
      elapsedS = (performance.now() - t0) / 1000;
      m = need('cross-process line', play.measured());
      played = play.counts();
    } finally {
      clearInterval(sampler);
      await play.stop();
    }

    child.kill('SIGTERM');
    const how = await Promise.race([capture.exited, sleep(15_000).then(() => 'still running 15 s after SIGTERM: killed')]);
    if (how.startsWith('still')) child.kill('SIGKILL');
    liveChild = undefined;
    return {
      ...m,
      cpuPerS: cpuMs / elapsedS,
      captureCpuPerS: captureMs / elapsedS,
      serverCpuPerS: serverMs / elapsedS,
      played,
      captureSummary: lastJson,
      captureExit: how,
      clockOffset: offsets.result(),
    };
  } finally {
    if (child !== undefined && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    liveChild = undefined;
    await server.stop();
    liveServer = undefined;
  }
}

function fmtSummary(s: ProbeSummary): string {
  return `median ${s.median.toFixed(2)} ms (min ${s.min.toFixed(2)}, p95 ${s.p95.toFixed(2)}, max ${s.max.toFixed(2)}; ${s.count} buffers)`;
}

function fmtOffset(o: ClockOffsets): string {
  return `|offset| median ${o.median.toFixed(3)} ms, max ${o.maxEarly.toFixed(3)} ms while settling, ${o.maxLate.toFixed(3)} ms after (${o.samples} samples)`;
}

function fmtCpu(v: number): string {
  return Number.isFinite(v) ? `${v.toFixed(0)} ms/s` : '?';
}

function describe(what: string, m: Measured, delayMs: number): string {
  return (
    `${what}: video ${fmtSummary(m.video)}, error ${(m.video.median - delayMs).toFixed(2)} ms; ` +
    `audio ${fmtSummary(m.audio)}, error ${(m.audio.median - delayMs).toFixed(2)} ms; skew ${m.skewMs.toFixed(2)} ms; CPU ${fmtCpu(m.cpuPerS)}`
  );
}

export default async function run(args: readonly string[]): Promise<void> {
  const options = parseArgs(args);
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run \`npm run build\` (npm run bench does it)`);
  const delayMs = options.delay * 1000;
  const onSignal = (signal: NodeJS.Signals): void => {
    liveChild?.kill('SIGKILL');
    void (liveServer?.stop() ?? Promise.resolve()).finally(() => {
      process.stderr.write(`netDelay: interrupted (${signal})\n`);
      process.exit(130);
    });
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    const perRunS = 2 * (options.delay + options.playS) + 15;
    note(`netDelay: ${options.runs} run(s) of the local line then the cross-process line, 720p30 + audio through ${options.delay} s, ≈ ${perRunS.toFixed(0)} s each`);
    const runs: Run[] = [];
    for (let i = 0; i < options.runs; i++) {
      const local = await runLocal(options);
      note(`netDelay: run ${i + 1}/${options.runs}: ${describe('local', local, delayMs)}`);
      const cross = await runCross(options);
      note(
        `netDelay: run ${i + 1}/${options.runs}: ${describe('cross-process', cross, delayMs)}; capture child ${fmtCpu(cross.captureCpuPerS)}, ` +
          `nats-server ${fmtCpu(cross.serverCpuPerS)}; network clock − capture clock ${fmtOffset(cross.clockOffset)}; ` +
          `played ${cross.played.video} frames, ${cross.played.audio} audio chunks; capture ${cross.captureExit}`,
      );
      runs.push({ local, cross });
    }

    const err = (m: Measured, track: 'video' | 'audio'): number => Math.abs(m[track].median - delayMs);
    const med = (pick: (r: Run) => number): number => median(runs.map(pick));
    const local = {
      video: med((r) => err(r.local, 'video')),
      audio: med((r) => err(r.local, 'audio')),
      skew: med((r) => Math.abs(r.local.skewMs)),
      cpu: med((r) => r.local.cpuPerS),
    };
    const cross = {
      video: med((r) => err(r.cross, 'video')),
      audio: med((r) => err(r.cross, 'audio')),
      skew: med((r) => Math.abs(r.cross.skewMs)),
      cpu: med((r) => r.cross.cpuPerS),
      capture: med((r) => r.cross.captureCpuPerS),
      server: med((r) => r.cross.serverCpuPerS),
      all: med((r) => r.cross.cpuPerS + r.cross.captureCpuPerS + r.cross.serverCpuPerS),
      offset: med((r) => r.cross.clockOffset.median),
      offsetMaxEarly: med((r) => r.cross.clockOffset.maxEarly),
      offsetMaxLate: med((r) => r.cross.clockOffset.maxLate),
      offsetMax: med((r) => Math.max(r.cross.clockOffset.maxEarly, r.cross.clockOffset.maxLate)),
    };

    const c = `720p30 + audio, ${options.delay} s delay`;
    const localName = 'local line (createDelayLine)';
    const targetName = `target ${TARGET_MS} ms`;
    const rows: ReportRow[] = [
      { result: makeResult({ case: `${c}: |video median − ${options.delay} s|, cross-process vs the ${TARGET_MS} ms target`, metric: 'ms', better: 'lower', ours: cross.video, anchor: TARGET_MS, anchorName: targetName, target: 1 }) },
      { result: makeResult({ case: `${c}: |audio median − ${options.delay} s|, cross-process vs the ${TARGET_MS} ms target`, metric: 'ms', better: 'lower', ours: cross.audio, anchor: TARGET_MS, anchorName: targetName, target: 1 }) },
      { result: makeResult({ case: `${c}: |A/V skew|, cross-process vs the ${TARGET_MS} ms target`, metric: 'ms', better: 'lower', ours: cross.skew, anchor: TARGET_MS, anchorName: targetName, target: 1 }) },
      { result: makeResult({ case: `${c}: |video median − ${options.delay} s|, cross-process vs local (info)`, metric: 'ms', better: 'lower', ours: cross.video, anchor: Math.max(local.video, FLOOR_MS), anchorName: localName, target: null }) },
      { result: makeResult({ case: `${c}: |audio median − ${options.delay} s|, cross-process vs local (info)`, metric: 'ms', better: 'lower', ours: cross.audio, anchor: Math.max(local.audio, FLOOR_MS), anchorName: localName, target: null }) },
      { result: makeResult({ case: `${c}: |A/V skew|, cross-process vs local (info)`, metric: 'ms', better: 'lower', ours: cross.skew, anchor: Math.max(local.skew, FLOOR_MS), anchorName: localName, target: null }) },
    ];
    if (Number.isFinite(cross.offset)) {
      rows.push({
        result: makeResult({ case: `${c}: |network clock − capture clock|, median over playout (not in the probes' figures; info)`, metric: 'ms', better: 'lower', ours: cross.offset, anchor: TARGET_MS, anchorName: targetName, target: null }),
      });
    }
    if (Number.isFinite(cross.offsetMax)) {
      rows.push({
        result: makeResult({ case: `${c}: |network clock − capture clock|, max over playout (not in the probes' figures; info)`, metric: 'ms', better: 'lower', ours: cross.offsetMax, anchor: TARGET_MS, anchorName: targetName, target: null }),
      });
    }
    rows.push({ result: makeResult({ case: `${c}: CPU of this process during playout, player vs local line (info)`, metric: 'ms CPU/s', better: 'lower', ours: cross.cpu, anchor: local.cpu, anchorName: localName, target: null }) });
    if (Number.isFinite(cross.capture)) {
      rows.push({ result: makeResult({ case: `${c}: CPU during playout, capture process vs local line (info)`, metric: 'ms CPU/s', better: 'lower', ours: cross.capture, anchor: local.cpu, anchorName: localName, target: null }) });
    }
    if (Number.isFinite(cross.all)) {
      rows.push({ result: makeResult({ case: `${c}: CPU during playout, player + capture + nats-server vs local line (info)`, metric: 'ms CPU/s', better: 'lower', ours: cross.all, anchor: local.cpu, anchorName: localName, target: null }) });
    }

    console.log(
      `netDelay: ${options.runs} run(s), each the local line then the cross-process line (one nats-server per run, loopback), ${WIDTH}x${HEIGHT}@${FRAMERATE} + 48 kHz stereo, ` +
        `delay ${options.delay} s; render − PTS at the probes from the start of playout; CPU over ${options.playS - options.settleS} s of playout from ${options.settleS} s after it started`,
    );
    if (options.delay !== 7) console.log(`  (not the issue's 7 s delay: the targets are for that one)`);
    runs.forEach((r, i) => {
      console.log(`  run ${i + 1}: ${describe('local', r.local, delayMs)}`);
      console.log(
        `  run ${i + 1}: ${describe('cross-process', r.cross, delayMs)}; capture process ${fmtCpu(r.cross.captureCpuPerS)}, nats-server ${fmtCpu(r.cross.serverCpuPerS)}; ` +
          `network clock − capture clock ${fmtOffset(r.cross.clockOffset)}; ` +
          `played ${r.cross.played.video} frames and ${r.cross.played.audio} audio chunks; capture ${r.cross.captureExit}` +
          (r.cross.captureSummary !== null ? `, published ${JSON.stringify(r.cross.captureSummary.records)}` : ''),
      );
    });
    console.log(
      `  medians of the runs: cross-process |video err| ${cross.video.toFixed(2)} ms, |audio err| ${cross.audio.toFixed(2)} ms, |skew| ${cross.skew.toFixed(2)} ms; ` +
        `local ${local.video.toFixed(2)}, ${local.audio.toFixed(2)}, ${local.skew.toFixed(2)} ms; CPU player ${fmtCpu(cross.cpu)}, capture ${fmtCpu(cross.capture)}, ` +
        `nats-server ${fmtCpu(cross.server)}; local line ${fmtCpu(local.cpu)}; |network clock − capture clock| median ${cross.offset.toFixed(3)} ms, max ${cross.offsetMaxEarly.toFixed(3)} ms in the first ${options.settleS} s, ${cross.offsetMaxLate.toFixed(3)} ms after`,
    );
    report('netDelay', rows);
  } finally {
    process.removeListener('SIGINT', onSignal);
    process.removeListener('SIGTERM', onSignal);
  }
}
