/**
 * Shared benchmark helpers.
 *
 * A benchmark compares "ours" (avbuf) with an anchor (the plain-JavaScript thing it should
 * be close to, or beat) in the same process run, so that the ratio between the two is
 * meaningful on a noisy machine even when the absolute figures drift:
 *
 * - {@link compareTimed} calibrates each subject so one sample takes ~`sampleMs`, warms both
 *   up, then samples them interleaved (ours, anchor, ours, anchor, …) for `rounds` rounds.
 * - {@link nsPerOpResult} / {@link perSecondResult} turn the medians into a {@link BenchResult}
 *   (ratio = ours / anchor; `target` is a maximum when lower is better, a minimum when
 *   higher is better).
 * - {@link makeResult} builds a result from figures measured some other way (CPU time, RSS).
 *   A `target` of `null` makes an informational row: no pass criterion (`pass` is `null`).
 * - {@link report} prints a readable table and, as the very last line of stdout, one JSON
 *   line `{"bench": …, "results": [...]}` for tools to parse.
 *
 * A subject's `run(iterations)` does its own loop (the harness makes one call per sample,
 * so the harness's call overhead is not in the per-op figure) and returns a number derived
 * from its work. The harness folds every such number into a sink that is checked and
 * printed, so the optimiser cannot drop the work as dead code.
 */

/** Which direction is good for a metric. */
export type Better = 'lower' | 'higher';

/** One row of a benchmark's JSON line. */
export interface BenchResult {
  case: string;
  /** Unit of `ours` and `anchor`, e.g. `ns/op`, `ops/s`, `floats/s`, `ms CPU`, `MB RSS`. */
  metric: string;
  better: Better;
  ours: number;
  anchor: number;
  anchorName: string;
  /** ours / anchor. */
  ratio: number;
  /** Maximum ratio when `better` is `lower`, minimum when `higher`; `null`: no target (informational). */
  target: number | null;
  /** Whether the ratio meets the target; `null` when there is no target. */
  pass: boolean | null;
}

/** Something to time. */
export interface Subject {
  /** A short name for the table. */
  name: string;
  /**
   * Runs the operation `iterations` times and returns a number that depends on the work
   * done (a checksum, a count), which the harness consumes.
   */
  run(iterations: number): number;
}

/** Options of {@link compareTimed}. */
export interface TimingOptions {
  /** Interleaved rounds (one sample of ours, one of the anchor, per round). Default 9, at least 7. */
  rounds?: number;
  /** Aim for samples of this many milliseconds. Default 30. */
  sampleMs?: number;
  /** Warm-up time per subject before calibration's final estimate and the rounds. Default 250 ms. */
  warmupMs?: number;
}

/** What {@link compareTimed} measured. */
export interface Comparison {
  ours: SubjectTiming;
  anchor: SubjectTiming;
  rounds: number;
  /** ours / anchor of each round's pair of samples (ns/op), for the spread. */
  pairRatios: number[];
}

/** Samples of one subject. */
export interface SubjectTiming {
  name: string;
  iterations: number;
  /** ns per operation of each sample, in round order. */
  nsPerOp: number[];
  medianNsPerOp: number;
}

export const DEFAULT_ROUNDS = 9;
export const MIN_ROUNDS = 7;

let sink = 0;

/** Folds a subject's result into the sink; a non-finite value means a subject misbehaved. */
export function consume(value: number): void {
  if (!Number.isFinite(value)) throw new Error(`benchmark subject returned ${value}, expected a finite number`);
  // Keep the sink bounded whatever the magnitudes: it only has to depend on every value.
  sink = (sink + (value % 1_000_003)) % 1_000_003;
}

/** The sink's current value (printed by {@link report}). */
export function sinkValue(): number {
  return sink;
}

/** Median of a non-empty list. */
export function median(values: readonly number[]): number {
  if (values.length === 0) throw new Error('median of no values');
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** Runs `subject` for `iterations` and returns the elapsed milliseconds. */
export function timeOnce(subject: Subject, iterations: number): number {
  const t0 = performance.now();
  const value = subject.run(iterations);
  const elapsed = performance.now() - t0;
  consume(value);
  return elapsed;
}

/**
 * Warms `subject` up for about `warmupMs`, then returns the iteration count for samples
 * of about `sampleMs`.
 */
export function calibrate(subject: Subject, sampleMs: number, warmupMs: number): number {
  let iterations = 1;
  let elapsed: number;
  const warmupEnd = performance.now() + warmupMs;
  // Grow until one run is long enough to measure well, and keep going for the warm-up time.
  for (;;) {
    elapsed = timeOnce(subject, iterations);
    if (elapsed >= sampleMs / 4 && performance.now() >= warmupEnd) break;
    if (elapsed < sampleMs / 4) iterations *= 2;
  }
  // Estimate at the final size, after the warm-up, from the fastest of three runs: a run
  // slowed by other load would otherwise make every sample too short.
  const perIteration = Math.min(elapsed, timeOnce(subject, iterations), timeOnce(subject, iterations)) / iterations;
  return Math.max(1, Math.round(sampleMs / perIteration));
}

/** Reads `--rounds=N` / `--sample-ms=N` / `--warmup-ms=N` (or `--rounds N`) from a benchmark's args. */
export function parseTimingArgs(args: readonly string[]): TimingOptions {
  const options: TimingOptions = {};
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    const eq = arg.indexOf('=');
    const key = eq >= 0 ? arg.slice(0, eq) : arg;
    const take = (): number => {
      const raw = eq >= 0 ? arg.slice(eq + 1) : args[++i];
      const value = Number(raw);
      if (raw === undefined || raw === '' || !Number.isFinite(value) || value <= 0) {
        throw new Error(`${key} needs a positive number, got ${String(raw)}`);
      }
      return value;
    };
    if (key === '--rounds') options.rounds = Math.round(take());
    else if (key === '--sample-ms') options.sampleMs = take();
    else if (key === '--warmup-ms') options.warmupMs = take();
    else throw new Error(`unknown option ${arg} (known: --rounds=N, --sample-ms=N, --warmup-ms=N)`);
  }
  return options;
}

/**
 * Times ours and the anchor interleaved: after calibration and warm-up of both, each round
 * takes one sample of ours then one of the anchor.
 */
export function compareTimed(ours: Subject, anchor: Subject, options: TimingOptions = {}): Comparison {
  const rounds = options.rounds ?? DEFAULT_ROUNDS;
  if (rounds < MIN_ROUNDS) throw new Error(`rounds must be at least ${MIN_ROUNDS}, got ${rounds}`);
  const sampleMs = options.sampleMs ?? 30;
  const warmupMs = options.warmupMs ?? 250;
  const oursIterations = calibrate(ours, sampleMs, warmupMs);
  const anchorIterations = calibrate(anchor, sampleMs, warmupMs);
  const oursNs: number[] = [];
  const anchorNs: number[] = [];
  const pairRatios: number[] = [];
  for (let r = 0; r < rounds; r++) {
    const a = (timeOnce(ours, oursIterations) * 1e6) / oursIterations;
    const b = (timeOnce(anchor, anchorIterations) * 1e6) / anchorIterations;
    oursNs.push(a);
    anchorNs.push(b);
    pairRatios.push(a / b);
  }
  return {
    ours: { name: ours.name, iterations: oursIterations, nsPerOp: oursNs, medianNsPerOp: median(oursNs) },
    anchor: { name: anchor.name, iterations: anchorIterations, nsPerOp: anchorNs, medianNsPerOp: median(anchorNs) },
    rounds,
    pairRatios,
  };
}

/**
 * Builds a result; `ratio` = ours / anchor and `pass` follows from `better` and `target`
 * (`null` when `target` is `null`: a row reported for information, with no criterion).
 */
export function makeResult(fields: {
  case: string;
  metric: string;
  better: Better;
  ours: number;
  anchor: number;
  anchorName: string;
  target: number | null;
}): BenchResult {
  if (!(fields.anchor > 0) || !Number.isFinite(fields.anchor)) {
    throw new Error(`${fields.case}: anchor figure must be a positive number, got ${fields.anchor}`);
  }
  const ratio = fields.ours / fields.anchor;
  const target = fields.target;
  const pass = target === null ? null : fields.better === 'lower' ? ratio <= target : ratio >= target;
  return {
    case: fields.case,
    metric: fields.metric,
    better: fields.better,
    ours: round(fields.ours),
    anchor: round(fields.anchor),
    anchorName: fields.anchorName,
    ratio: round(ratio, 3),
    target: fields.target,
    pass,
  };
}

/** A result in ns/op (lower is better) from a timed comparison. */
export function nsPerOpResult(caseName: string, c: Comparison, target: number | null): BenchResult {
  return makeResult({
    case: caseName,
    metric: 'ns/op',
    better: 'lower',
    ours: c.ours.medianNsPerOp,
    anchor: c.anchor.medianNsPerOp,
    anchorName: c.anchor.name,
    target,
  });
}

/**
 * A throughput result (higher is better) from a timed comparison: `unitsPerOp` units are
 * processed per operation (1 for `ops/s`, the floats moved for `floats/s`, …).
 * Throughput is taken as units / median time, so the ratio is the inverse time ratio.
 */
export function perSecondResult(
  caseName: string,
  c: Comparison,
  target: number | null,
  metric = 'ops/s',
  unitsPerOp = 1,
  anchorUnitsPerOp = unitsPerOp,
): BenchResult {
  return makeResult({
    case: caseName,
    metric,
    better: 'higher',
    ours: (unitsPerOp * 1e9) / c.ours.medianNsPerOp,
    anchor: (anchorUnitsPerOp * 1e9) / c.anchor.medianNsPerOp,
    anchorName: c.anchor.name,
    target,
  });
}

/** Per-round ratios in the orientation of `result` (ours/anchor of its metric). */
export function roundRatios(result: BenchResult, c: Comparison): number[] {
  // Pair ratios are time ratios; a throughput ratio is their inverse.
  return result.better === 'lower' ? c.pairRatios : c.pairRatios.map((r) => 1 / r);
}

/** A row for {@link report}: the result plus, when timed, the samples behind it. */
export interface ReportRow {
  result: BenchResult;
  comparison?: Comparison;
}

/**
 * Prints a table of `rows` and ends stdout with the one JSON line
 * `{"bench": name, "results": [...]}`. Nothing may be printed to stdout after this.
 */
export function report(bench: string, rows: readonly ReportRow[]): void {
  const lines: string[][] = [['case', 'metric', 'ours', 'anchor', 'ratio', 'target', 'round ratios min..max', 'pass']];
  for (const { result: r, comparison } of rows) {
    let spread = '-';
    if (comparison !== undefined) {
      const ratios = roundRatios(r, comparison);
      spread = `${fmt(Math.min(...ratios), 3)}..${fmt(Math.max(...ratios), 3)} (n=${ratios.length})`;
    }
    lines.push([
      r.case,
      r.metric,
      fmt(r.ours),
      `${fmt(r.anchor)} (${r.anchorName})`,
      fmt(r.ratio, 3),
      r.target === null ? '-' : `${r.better === 'lower' ? '<=' : '>='} ${r.target}`,
      spread,
      r.pass === null ? '-' : r.pass ? 'PASS' : 'FAIL',
    ]);
  }
  const widths = lines[0]!.map((_, col) => Math.max(...lines.map((l) => l[col]!.length)));
  const out = lines.map((l) => l.map((cell, col) => cell.padEnd(widths[col]!)).join('  ').trimEnd());
  out.splice(1, 0, widths.map((w) => '-'.repeat(w)).join('  '));
  console.log('');
  console.log(out.join('\n'));
  for (const { result: r, comparison } of rows) {
    if (comparison === undefined) continue;
    console.log(
      `  ${r.case}: medians of ${comparison.rounds} interleaved rounds; ` +
        `ours ${fmt(comparison.ours.medianNsPerOp)} ns/op (${sampleNote(comparison.ours)}), ` +
        `anchor ${fmt(comparison.anchor.medianNsPerOp)} ns/op (${sampleNote(comparison.anchor)})`,
    );
  }
  console.log(`  sink ${sinkValue()} (consumes every subject's result)`);
  console.log(JSON.stringify({ bench, results: rows.map((row) => row.result) }));
}

/** Prints a progress note to stderr (stdout is kept for the table and the JSON line). */
export function note(message: string): void {
  process.stderr.write(`${message}\n`);
}

function sampleNote(t: SubjectTiming): string {
  return `${t.iterations} iterations/sample, ~${fmt((t.iterations * t.medianNsPerOp) / 1e6, 1)} ms`;
}

function round(value: number, digits = 2): number {
  if (!Number.isFinite(value)) return value;
  const abs = Math.abs(value);
  // Keep ~4 significant figures for small values, whole numbers for large ones.
  const d = abs >= 1000 ? 0 : abs >= 1 ? digits : Math.max(digits, 4);
  return Number(value.toFixed(d));
}

function fmt(value: number, digits = 2): string {
  if (!Number.isFinite(value)) return String(value);
  const abs = Math.abs(value);
  if (abs >= 1e6) return value.toExponential(3);
  if (abs >= 1000) return Math.round(value).toLocaleString('en-US');
  return value.toFixed(abs >= 1 ? digits : Math.max(digits, 4));
}
