/** Numbers and times as the page prints them. No DOM here. */

const SI = ['', 'k', 'M', 'G', 'T'];

/** 1234 → '1,234'; 12.345 → '12.35'; large values with an SI prefix (2.4M). */
export function formatNumber(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  const abs = Math.abs(value);
  if (abs >= 1e6) {
    const exp = Math.min(SI.length - 1, Math.floor(Math.log10(abs) / 3));
    return `${(value / 1000 ** exp).toFixed(2).replace(/\.?0+$/, '')}${SI[exp]!}`;
  }
  if (Number.isInteger(value)) return value.toLocaleString('en-US');
  return value.toLocaleString('en-US', { maximumFractionDigits: abs < 10 ? 2 : 1 });
}

/** A rate with its unit: '48.2k frames/s' for unit 'frames' or 'frames/s'. */
export function formatRate(value: number | null, unit: string): string {
  if (value === null) return '—';
  const perSecond = unit === '' ? '/s' : unit.endsWith('/s') ? unit : `${unit}/s`;
  return `${formatNumber(value)} ${perSecond}`;
}

/** 0.375 → '37.5 %'. */
export const formatPercent = (ratio: number | null): string => (ratio === null ? '—' : `${(ratio * 100).toFixed(ratio < 0.1 ? 1 : 0)} %`);

/** Time of day of a millisecond timestamp, to the second: '14:03:27'. */
export function formatClock(at: number): string {
  const d = new Date(at);
  const two = (n: number): string => String(n).padStart(2, '0');
  return `${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())}`;
}

/** A duration in ms as '3 s', '4 min 12 s', '2 h 5 min'. */
export function formatDuration(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${s % 60} s`;
  return `${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} min`;
}
