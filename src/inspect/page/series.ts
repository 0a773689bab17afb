/**
 * A metric over the last minute: samples (time in ms, value) kept in arrival order and
 * trimmed by age, for the sparklines. No DOM here.
 */

/** How much history a chart shows. */
export const WINDOW_MS = 60_000;

export class Series {
  readonly #at: number[] = [];
  readonly #value: number[] = [];

  /** Adds a sample (ignored when not a finite number) and forgets those older than the window. */
  push(at: number, value: number | null): void {
    if (value === null || !Number.isFinite(value) || !Number.isFinite(at)) return;
    this.#at.push(at);
    this.#value.push(value);
    this.trim(at);
  }

  /** Forgets samples older than WINDOW_MS before `now`. */
  trim(now: number): void {
    let drop = 0;
    while (drop < this.#at.length && this.#at[drop]! < now - WINDOW_MS) drop++;
    if (drop > 0) {
      this.#at.splice(0, drop);
      this.#value.splice(0, drop);
    }
  }

  get length(): number {
    return this.#at.length;
  }

  get last(): number | null {
    return this.#value.length > 0 ? this.#value[this.#value.length - 1]! : null;
  }

  get max(): number {
    return this.#value.reduce((m, v) => Math.max(m, v), 0);
  }

  /**
   * SVG path of the series in a `width` × `height` box whose right edge is `now`; values are
   * scaled so that `top` is at the top (at least 1 avoids dividing by zero for all-zero data).
   * `area` closes the path along the bottom edge, for filling.
   */
  path(now: number, width: number, height: number, top: number, area = false): string {
    if (this.#at.length === 0) return '';
    const scale = top > 0 ? top : 1;
    const xOf = (at: number): string => (width - ((now - at) / WINDOW_MS) * width).toFixed(1);
    let d = '';
    for (let i = 0; i < this.#at.length; i++) {
      const y = height - (Math.min(this.#value[i]!, scale) / scale) * height;
      d += `${i === 0 ? 'M' : 'L'}${xOf(this.#at[i]!)},${y.toFixed(1)}`;
    }
    if (area) d += `L${xOf(this.#at[this.#at.length - 1]!)},${height}L${xOf(this.#at[0]!)},${height}Z`;
    return d;
  }
}
